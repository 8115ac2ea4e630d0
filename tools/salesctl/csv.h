// Reading and writing CSV text (RFC 4180), with the line numbers error messages need.
//
// Parsing is done by libcsv (Debian's libcsv-dev) in strict mode; this file adds what it lacks:
// the line each record starts on, a UTF-8 byte order mark, and errors as absl::Status that name
// the file and line ("opportunities.csv:57: ...").
#ifndef SALESOPS_TOOLS_SALESCTL_CSV_H_
#define SALESOPS_TOOLS_SALESCTL_CSV_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace salesops::salesctl {

// One record of a CSV file.
struct CsvRow {
  // The 1-based line of the file on which the record starts (a quoted field may span lines).
  int line = 0;
  std::vector<std::string> fields;
};

// `s` without leading and trailing white space.
std::string_view TrimBlanks(std::string_view s);
// `s` in double quotes, for error messages: "2026-13-01".
std::string Quoted(std::string_view s);

// Parses CSV text: fields separated by commas, records by LF, CRLF or CR; fields containing a
// comma, a quote or a line break are quoted, with quotes doubled inside. A leading UTF-8 byte order
// mark is skipped, blank records (no field, or only empty ones) are dropped, and spaces and tabs
// around unquoted fields are trimmed. Malformed text (a quote inside an unquoted field, text after
// a closing quote, a quoted field never closed) is an InvalidArgument error naming `file_name` and
// the line, e.g. `opportunities.csv:57: malformed CSV: ...`.
absl::StatusOr<std::vector<CsvRow>> ParseCsv(std::string_view text, std::string_view file_name);

// Formats one field, quoted only when it must be (a comma, quote, line break, or a leading or
// trailing space or tab, which a reader would trim).
std::string FormatCsvField(std::string_view value);

// Appends `fields` as one record ending in "\n".
void AppendCsvRecord(const std::vector<std::string>& fields, std::string* out);

// Lower-cases a column header and drops everything but letters, digits and '%', so "Close Date",
// "close_date" and "CloseDate" compare equal.
std::string NormalizeHeader(std::string_view header);

// Reads a whole file. NotFound when it does not exist, Internal for other I/O errors; the message
// names the path.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

// Writes `content` to `path` through a temporary file renamed into place, so readers never see a
// half-written file.
absl::Status WriteWholeFile(const std::string& path, std::string_view content);

}  // namespace salesops::salesctl

#endif  // SALESOPS_TOOLS_SALESCTL_CSV_H_
