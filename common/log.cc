#include "common/log.h"

#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace salesops::log {
namespace {

struct State {
  absl::Mutex mu;
  std::string service = "salesops";
  std::shared_ptr<spdlog::logger> logger;
};

State& GetState() {
  static State* state = [] {
    auto* s = new State;
    s->logger = spdlog::stderr_logger_mt("salesops");
    s->logger->set_pattern("%v");
    s->logger->set_level(spdlog::level::info);
    return s;
  }();
  return *state;
}

void Write(spdlog::level::level_enum level, std::string_view event, const nlohmann::json& fields) {
  State& state = GetState();
  if (!state.logger->should_log(level)) return;
  nlohmann::json line = nlohmann::json::object();
  line["ts"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  auto level_name = spdlog::level::to_string_view(level);
  line["level"] = std::string(level_name.data(), level_name.size());
  {
    absl::MutexLock lock(&state.mu);
    line["service"] = state.service;
  }
  line["event"] = event;
  if (fields.is_object()) {
    for (const auto& [k, v] : fields.items()) line[k] = v;
  }
  // Replace rather than throw on invalid UTF-8 in a field.
  state.logger->log(level, "{}", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

void Init(std::string_view service, std::string_view level) {
  State& state = GetState();
  {
    absl::MutexLock lock(&state.mu);
    state.service = std::string(service);
  }
  state.logger->set_level(spdlog::level::from_str(std::string(level)));
  state.logger->flush_on(spdlog::level::info);
}

void Debug(std::string_view e, const nlohmann::json& f) { Write(spdlog::level::debug, e, f); }
void Info(std::string_view e, const nlohmann::json& f) { Write(spdlog::level::info, e, f); }
void Warn(std::string_view e, const nlohmann::json& f) { Write(spdlog::level::warn, e, f); }
void Error(std::string_view e, const nlohmann::json& f) { Write(spdlog::level::err, e, f); }

}  // namespace salesops::log
