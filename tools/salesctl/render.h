// How salesctl prints results: a readable table by default, or JSON / CSV for machines.
#ifndef SALESOPS_TOOLS_SALESCTL_RENDER_H_
#define SALESOPS_TOOLS_SALESCTL_RENDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "salesops/v1/forecasting.pb.h"
#include "salesops/v1/quota.pb.h"
#include "salesops/v1/reporting.pb.h"

namespace salesops::salesctl {

enum class OutputFormat { kTable, kJson, kCsv };
absl::StatusOr<OutputFormat> ParseOutputFormat(const std::string& text);

// A plain-text table: the `left_aligned` columns (by default the first) left-aligned, the others
// right-aligned.
class Table {
 public:
  explicit Table(std::vector<std::string> headers, std::vector<size_t> left_aligned = {0})
      : headers_(std::move(headers)), left_aligned_(std::move(left_aligned)) {}
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  std::string ToText() const;
  std::string ToCsv() const;

 private:
  std::vector<std::string> headers_;
  std::vector<size_t> left_aligned_;
  std::vector<std::vector<std::string>> rows_;
};

// Minor units as whole major units with thousands separators: 123456789 (USD) -> "1,234,568".
std::string FormatMoneyShort(int64_t minor_units, int minor_digits);
// The same for an amount in its currency (without the currency code).
std::string FormatMoneyShort(const v1::Money& money);

std::string ToJson(const google::protobuf::Message& message);

// (Plans render in tools/salesctl/plan_render.h.)
// One row per node and rep (names indented by depth): quota, won, attainment, gap, open and
// weighted pipeline, coverage ("met" when no gap), the cumulative commit and best case (closed won
// + open commit [+ open best case]), the landing's P10 / P50 / P90, P50 / quota and the
// probability of reaching the quota in percent ("-" without a landing, or without a quota for
// the last two).
Table AttainmentTable(const v1::AttainmentReportResponse& report);
// One row per series and step, with every interval.
Table ForecastTable(const v1::ForecastResponse& response);

// Renders in the chosen format (JSON renders the message itself).
std::string Render(OutputFormat format, const Table& table, const google::protobuf::Message& message);

}  // namespace salesops::salesctl

#endif  // SALESOPS_TOOLS_SALESCTL_RENDER_H_
