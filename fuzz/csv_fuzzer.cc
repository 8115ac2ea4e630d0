// Fuzzes the CSV parser (tools/salesctl/csv.h) and the CRM value parsers every cell goes through
// (tools/salesctl/crm_csv.h). The input is the text of one CSV file.
//
// Besides never crashing, it checks:
//  - an error is InvalidArgument naming the file and a line;
//  - records start on increasing lines, within the text;
//  - writing the records (AppendCsvRecord, after a header) and parsing that gives the same records;
//  - an amount that parses formats back (FormatAmount) to text that parses to the same amount.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/match.h"
#include "fuzz/fuzz_util.h"
#include "tools/salesctl/crm_csv.h"
#include "tools/salesctl/csv.h"

namespace salesops::fuzz {
namespace {

using salesctl::CsvRow;

std::string Describe(const std::vector<CsvRow>& rows) {
  std::string out;
  for (const CsvRow& row : rows) {
    out += std::to_string(row.line) + ":";
    for (const std::string& f : row.fields) out += " " + salesctl::Quoted(f);
    out += "\n";
  }
  return out;
}

void CheckValue(std::string_view cell) {
  (void)salesctl::NormalizeHeader(cell);
  (void)salesctl::TrimBlanks(cell);
  (void)salesctl::ParseCrmBool(cell);
  (void)salesctl::ParseForecastCategory(cell);
  (void)salesctl::ParseDateOrder(cell);
  for (auto order : {salesctl::DateOrder::kAuto, salesctl::DateOrder::kMonthFirst,
                     salesctl::DateOrder::kDayFirst}) {
    if (auto date = salesctl::ParseCrmDate(cell, order)) Check(date->ok(), "ParseCrmDate gave an invalid date", cell);
  }
  for (int digits : {0, 2, 3}) {
    auto amount = salesctl::ParseAmount(cell, digits);
    if (!amount) continue;
    std::string text = salesctl::FormatAmount(*amount, digits);
    auto again = salesctl::ParseAmount(text, digits);
    Check(again && *again == *amount, "FormatAmount(ParseAmount(x)) does not parse back",
          std::string(cell) + " -> " + text);
  }
}

}  // namespace
}  // namespace salesops::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salesops;
  using namespace salesops::fuzz;
  const std::string_view text = AsText(data, size);
  auto rows = salesctl::ParseCsv(text, "fuzz.csv");
  if (!rows.ok()) {
    Note("rejected", rows.status().message());
    Check(rows.status().code() == absl::StatusCode::kInvalidArgument &&
              absl::StartsWith(rows.status().message(), "fuzz.csv:"),
          "ParseCsv error is not InvalidArgument naming the file", rows.status().ToString());
    return 0;
  }
  Note("parsed", std::to_string(rows->size()) + " records");
  int physical_lines = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) {
      ++physical_lines;
    }
  }
  int previous = 0;
  int cells = 0;  // the value parsers on the first 100 cells: enough, and keeps each run fast
  for (const salesctl::CsvRow& row : *rows) {
    Check(row.line > previous && row.line <= physical_lines, "record lines out of order or range",
          Describe(*rows));
    previous = row.line;
    Check(!row.fields.empty(), "a record without fields");
    for (const std::string& f : row.fields) {
      if (cells++ < 100) CheckValue(f);
    }
  }

  // Written after a header, as every file we write starts: ParseCsv skips a byte order mark at the
  // start of the text, so a first field starting with U+FEFF would not read back (regress-bom-*).
  std::string written;
  salesctl::AppendCsvRecord({"header"}, &written);
  for (const salesctl::CsvRow& row : *rows) salesctl::AppendCsvRecord(row.fields, &written);
  auto again = salesctl::ParseCsv(written, "again.csv");
  Check(again.ok(), "written records do not parse", again.status().ToString() + "\n" + written);
  Check(!again->empty() && again->front().fields == std::vector<std::string>{"header"},
        "the header record does not read back", written);
  again->erase(again->begin());
  bool same = again->size() == rows->size();
  for (size_t i = 0; same && i < rows->size(); ++i) same = (*again)[i].fields == (*rows)[i].fields;
  Check(same, "written records parse to different records",
        Describe(*rows) + "---\n" + Describe(*again));
  return 0;
}
