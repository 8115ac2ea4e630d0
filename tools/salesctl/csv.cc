#include "tools/salesctl/csv.h"

// libcsv's header, /usr/include/csv.h (not this directory's csv.h: angle brackets do not search
// the including file's directory).
#include <csv.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace salesops::salesctl {

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Quoted(std::string_view s) {
  return absl::StrCat("\"", absl::string_view(s.data(), s.size()), "\"");
}
namespace {

// What the libcsv callbacks build.
struct ParseState {
  std::vector<CsvRow> rows;
  std::vector<std::string> fields;
  // True from the first line of a record until its terminator.
  bool record_open = false;
  int record_line = 0;
};

void OnField(void* data, size_t size, void* user) {
  auto* state = static_cast<ParseState*>(user);
  if (data == nullptr) {
    state->fields.emplace_back();
  } else {
    state->fields.emplace_back(static_cast<const char*>(data), size);
  }
}

void OnRecordEnd(int /*terminator*/, void* user) {
  auto* state = static_cast<ParseState*>(user);
  bool blank = true;
  for (const std::string& f : state->fields) blank = blank && f.empty();
  if (!blank) state->rows.push_back(CsvRow{state->record_line, std::move(state->fields)});
  state->fields.clear();
  state->record_open = false;
}

// Owns a libcsv parser for the duration of one parse.
class LibCsvParser {
 public:
  LibCsvParser() { ok_ = csv_init(&parser_, CSV_STRICT | CSV_STRICT_FINI) == 0; }
  ~LibCsvParser() {
    if (ok_) csv_free(&parser_);
  }
  LibCsvParser(const LibCsvParser&) = delete;
  LibCsvParser& operator=(const LibCsvParser&) = delete;

  bool ok() const { return ok_; }
  csv_parser* get() { return &parser_; }

 private:
  csv_parser parser_{};
  bool ok_ = false;
};

// libcsv skips lines holding nothing but blanks and line breaks without starting a record.
bool IsBlankLine(std::string_view line) {
  return line.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

std::string ErrorText(csv_parser* parser) {
  int code = csv_error(parser);
  if (code == CSV_EPARSE) {
    return "a quote inside an unquoted field, or text after a closing quote (fields containing "
           "quotes must be quoted, with the quotes doubled)";
  }
  return csv_strerror(code);
}

}  // namespace

absl::StatusOr<std::vector<CsvRow>> ParseCsv(std::string_view text, std::string_view file_name) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  const std::string name(file_name);
  LibCsvParser parser;
  if (!parser.ok()) return absl::InternalError("cannot initialise the CSV parser");
  ParseState state;

  // Feed libcsv one physical line at a time so that every callback knows its line. A record's
  // terminator always ends a physical line, so a record ends in the line being fed.
  int line = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) {
      end = text.size();
    } else if (text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') {
      end += 2;
    } else {
      end += 1;
    }
    std::string_view chunk = text.substr(pos, end - pos);
    pos = end;
    ++line;
    if (!state.record_open && !IsBlankLine(chunk)) {
      state.record_open = true;
      state.record_line = line;
    }
    size_t done = csv_parse(parser.get(), chunk.data(), chunk.size(), OnField, OnRecordEnd, &state);
    if (done != chunk.size()) {
      return absl::InvalidArgumentError(absl::StrCat(name, ":", line, ": malformed CSV in field ",
                                                     state.fields.size() + 1, ": ",
                                                     ErrorText(parser.get())));
    }
  }
  if (csv_fini(parser.get(), OnField, OnRecordEnd, &state) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ":", state.record_line, ": malformed CSV in field ",
                     state.fields.size() + 1, ": a quoted field is never closed"));
  }
  return std::move(state.rows);
}

std::string FormatCsvField(std::string_view value) {
  bool needs_quotes = value.find_first_of(",\"\r\n") != std::string_view::npos ||
                      (!value.empty() && (value.front() == ' ' || value.front() == '\t' ||
                                          value.back() == ' ' || value.back() == '\t'));
  if (!needs_quotes) return std::string(value);
  size_t size = csv_write(nullptr, 0, value.data(), value.size());
  std::string quoted(size, '\0');
  csv_write(quoted.data(), quoted.size(), value.data(), value.size());
  return quoted;
}

void AppendCsvRecord(const std::vector<std::string>& fields, std::string* out) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(FormatCsvField(fields[i]));
  }
  out->push_back('\n');
}

std::string NormalizeHeader(std::string_view header) {
  std::string out;
  out.reserve(header.size());
  for (char c : header) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '%') {
      out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return absl::NotFoundError(absl::StrCat(path, ": no such file"));
  }
  if (std::filesystem::is_directory(path, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory, not a file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InternalError(absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return absl::InternalError(absl::StrCat(path, ": read error"));
  return std::move(content).str();
}

absl::Status WriteWholeFile(const std::string& path, std::string_view content) {
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) {
      return absl::InternalError(absl::StrCat(temp, ": cannot create: ", std::strerror(errno)));
    }
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temp, ignored);
      return absl::InternalError(absl::StrCat(temp, ": write error"));
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    return absl::InternalError(absl::StrCat(path, ": cannot rename into place: ", ec.message()));
  }
  return absl::OkStatus();
}

}  // namespace salesops::salesctl
