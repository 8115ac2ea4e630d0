#include "tools/salesctl/render.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/calendar.h"
#include "common/money.h"
#include "common/proto_convert.h"
#include "google/protobuf/util/json_util.h"
#include "tools/salesctl/csv.h"
#include "tools/salesctl/demo_data.h"

namespace salesops::salesctl {
namespace {

// Display width of UTF-8 text (counts code points, which is right for the names we print).
size_t Width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Pad(const std::string& s, size_t width, bool left) {
  size_t w = Width(s);
  if (w >= width) return s;
  std::string fill(width - w, ' ');
  return left ? s + fill : fill + s;
}

std::string Money(const v1::Money& m) { return FormatMoneyShort(m); }

std::string Pct(double v) { return absl::StrFormat("%.1f%%", v); }

}  // namespace

absl::StatusOr<OutputFormat> ParseOutputFormat(const std::string& text) {
  std::string t = absl::AsciiStrToLower(text);
  if (t == "table") return OutputFormat::kTable;
  if (t == "json") return OutputFormat::kJson;
  if (t == "csv") return OutputFormat::kCsv;
  return absl::InvalidArgumentError(absl::StrCat("--format: \"", text, "\" is not table, json or csv"));
}

std::string Table::ToText() const {
  std::vector<size_t> widths(headers_.size(), 0);
  for (size_t c = 0; c < headers_.size(); ++c) widths[c] = Width(headers_[c]);
  for (const auto& row : rows_)
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], Width(row[c]));
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t c = 0; c < widths.size(); ++c) {
      if (c) out += "  ";
      bool left = std::find(left_aligned_.begin(), left_aligned_.end(), c) != left_aligned_.end();
      out += Pad(c < cells.size() ? cells[c] : "", widths[c], left);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
  };
  line(headers_);
  std::vector<std::string> rule;
  for (size_t w : widths) rule.push_back(std::string(w, '-'));
  line(rule);
  for (const auto& row : rows_) line(row);
  return out;
}

std::string Table::ToCsv() const {
  std::string out;
  AppendCsvRecord(headers_, &out);
  for (const auto& row : rows_) AppendCsvRecord(row, &out);
  return out;
}

std::string FormatMoneyShort(int64_t minor_units, int minor_digits) {
  int64_t scale = 1;
  for (int i = 0; i < minor_digits; ++i) scale *= 10;
  const int64_t major =
      (minor_units >= 0 ? minor_units + scale / 2 : minor_units - scale / 2) / scale;
  return FormatMinorUnits(major, 0);
}

std::string FormatMoneyShort(const v1::Money& money) {
  return FormatMoneyShort(money.minor_units(), CurrencyMinorDigits(money.currency_code()));
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

Table AttainmentTable(const v1::AttainmentReportResponse& report) {
  Table table({"node / rep", "quota", "won", "attain", "gap", "pipeline", "weighted", "coverage",
               "commit", "best case", "P10", "P50", "P90", "P50 attain", "P(quota)"});
  for (const v1::AttainmentRow& row : report.rows()) {
    std::string label = std::string(2 * std::max(row.depth(), 0), ' ') +
                        (row.name().empty() ? row.id() : row.name());
    const v1::LandingForecast& landing = row.landing();
    const bool has_landing = row.has_landing();
    const bool has_quota = row.quota().minor_units() > 0;
    const auto money_or_dash = [&](const v1::Money& m) { return has_landing ? Money(m) : "-"; };
    table.AddRow({label, Money(row.quota()), Money(row.closed_won()), Pct(row.attainment_pct()),
                  Money(row.gap()), Money(row.open_pipeline()), Money(row.weighted_pipeline()),
                  row.gap().minor_units() > 0 ? absl::StrFormat("%.2fx", row.coverage()) : "met",
                  Money(row.categories().commit()), Money(row.categories().best_case()),
                  money_or_dash(landing.p10()), money_or_dash(landing.p50()),
                  money_or_dash(landing.p90()),
                  has_landing && has_quota ? Pct(landing.p50_attainment_pct()) : "-",
                  has_landing && has_quota ? Pct(100 * landing.probability_of_quota()) : "-"});
  }
  return table;
}

Table ForecastTable(const v1::ForecastResponse& response) {
  std::vector<std::string> headers = {"series_id", "step", "mean"};
  if (response.forecasts_size() > 0) {
    for (const auto& pi : response.forecasts(0).intervals()) {
      headers.push_back(absl::StrFormat("lo_%g", pi.level()));
      headers.push_back(absl::StrFormat("hi_%g", pi.level()));
    }
  }
  headers.push_back("model");
  Table table(headers);
  for (const auto& f : response.forecasts()) {
    for (int h = 0; h < f.mean_size(); ++h) {
      std::vector<std::string> row = {f.series_id(), absl::StrCat(h + 1), absl::StrFormat("%.2f", f.mean(h))};
      for (const auto& pi : f.intervals()) {
        row.push_back(absl::StrFormat("%.2f", pi.lower(h)));
        row.push_back(absl::StrFormat("%.2f", pi.upper(h)));
      }
      row.push_back(f.model());
      table.AddRow(std::move(row));
    }
  }
  return table;
}

std::string Render(OutputFormat format, const Table& table, const google::protobuf::Message& message) {
  switch (format) {
    case OutputFormat::kJson: return ToJson(message) + "\n";
    case OutputFormat::kCsv: return table.ToCsv();
    case OutputFormat::kTable: return table.ToText();
  }
  return "";
}

}  // namespace salesops::salesctl
