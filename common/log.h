// Structured logs: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-28T03:40:12.123Z","level":"info","service":"quota","event":"plan_created",...}
// Never pass secrets (passwords, tokens) as fields.
#ifndef SALESOPS_COMMON_LOG_H_
#define SALESOPS_COMMON_LOG_H_

#include <string_view>

#include "nlohmann/json.hpp"

namespace salesops::log {

// Names the process in every line and sets the minimum level: "debug", "info", "warn", "error".
void Init(std::string_view service, std::string_view level = "info");

void Debug(std::string_view event, const nlohmann::json& fields = nlohmann::json::object());
void Info(std::string_view event, const nlohmann::json& fields = nlohmann::json::object());
void Warn(std::string_view event, const nlohmann::json& fields = nlohmann::json::object());
void Error(std::string_view event, const nlohmann::json& fields = nlohmann::json::object());

}  // namespace salesops::log

#endif  // SALESOPS_COMMON_LOG_H_
