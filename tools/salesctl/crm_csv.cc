#include "tools/salesctl/crm_csv.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <system_error>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/calendar.h"
#include "common/money.h"
#include "nlohmann/json.hpp"
#include "tools/salesctl/csv.h"

namespace salesops::salesctl {
namespace {

// Abseil here has its own string_view type; bridge from std's.
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// ---------------------------------------------------------------------------------------------
// The files' columns.

struct ColumnSpec {
  const char* canonical;              // our header in snake case
  const char* header;                 // what WriteCrmExport writes
  std::vector<const char*> accepted;  // headers recognised when reading, in order of preference
  bool required;
  bool is_date = false;
};

struct FileSpec {
  const char* file;       // "reps.csv"
  const char* qualifier;  // "reps", for qualified mapping names
  std::vector<ColumnSpec> columns;
  std::vector<const char*> other_files = {};  // read when `file` is not there ("users.csv")
};

enum TerritoryColumn { kTerritoryId, kTerritoryName, kTerritoryParent, kTerritoryLevel };
enum RepColumn { kRepId, kRepName, kRepTerritory, kRepHireDate, kRepEndDate };
enum OpportunityColumn {
  kOppId, kOppAccount, kOppOwner, kOppTerritory, kOppProduct, kOppAmount, kOppCurrency,
  kOppStage, kOppProbability, kOppCloseDate, kOppCreatedDate, kOppCategory, kOppClosed, kOppWon
};

const FileSpec& TerritoriesSpec() {
  static const FileSpec* spec = new FileSpec{
      kTerritoriesFile,
      "territories",
      {
          {"territory_id", "Territory ID", {"Territory ID", "Id", "Territory", "Territory Code"}, true},
          {"territory_name", "Territory Name", {"Territory Name", "Name", "Label"}, false},
          {"parent_territory_id", "Parent Territory ID",
           {"Parent Territory ID", "Parent ID", "Parent Territory", "Parent", "ParentTerritory2Id",
            "Parent Territory Code"},
           true},
          {"level", "Level", {"Level", "Territory Level", "Type", "Territory Type"}, false},
      }};
  return *spec;
}

const FileSpec& RepsSpec() {
  static const FileSpec* spec = new FileSpec{
      kRepsFile,
      "reps",
      {
          {"user_id", "User ID", {"User ID", "Rep ID", "Owner ID", "Id", "Employee ID"}, true},
          {"full_name", "Full Name", {"Full Name", "Name", "Rep Name", "Rep", "User Full Name"},
           false},
          {"territory_id", "Territory ID",
           {"Territory ID", "Territory", "Territory Code", "Sales Territory"}, true},
          {"hire_date", "Hire Date", {"Hire Date", "Start Date", "Hired"}, false, true},
          {"end_date", "End Date", {"End Date", "Termination Date", "Leave Date", "Left"}, false,
           true},
      },
      {"users.csv"}};
  return *spec;
}

const FileSpec& OpportunitiesSpec() {
  static const FileSpec* spec = new FileSpec{
      kOpportunitiesFile,
      "opportunities",
      {
          {"opportunity_id", "Opportunity ID",
           {"Opportunity ID", "Deal ID", "Record ID", "Id", "Opportunity Number"}, true},
          {"account_name", "Account Name",
           {"Account Name", "Account", "Account ID", "Company Name", "Company",
            "Associated Company"},
           false},
          // Prefer an id column: CRMs that export both put the owner's full name in "Opportunity
          // Owner" and the user id in "Owner ID". A name still works: owners match reps by id,
          // then by unique full name.
          {"opportunity_owner", "Opportunity Owner",
           {"Owner ID", "Opportunity Owner ID", "Deal Owner ID", "Opportunity Owner", "Deal Owner",
            "Owner", "Owner Name", "Rep ID", "User ID"},
           true},
          {"territory", "Territory",
           {"Territory", "Territory ID", "Territory Code", "Territory Name", "Sales Territory"},
           false},
          {"product", "Product", {"Product", "Product Line", "Product Family", "Product Name"}, false},
          {"amount", "Amount",
           {"Amount", "Opportunity Amount", "Deal Amount", "Total Amount", "Value", "Deal Value"},
           true},
          {"currency", "Currency",
           {"Currency", "Opportunity Currency", "Currency Code", "Currency ISO Code",
            "Amount Currency", "Deal Currency Code"},
           false},
          {"stage", "Stage", {"Stage", "Stage Name", "Opportunity Stage", "Deal Stage", "Sales Stage"},
           true},
          {"probability", "Probability (%)",
           {"Probability (%)", "Probability", "Deal Probability", "Win Probability"}, false},
          {"close_date", "Close Date", {"Close Date", "Expected Close Date", "Closing Date"}, true,
           true},
          {"created_date", "Created Date",
           {"Created Date", "Create Date", "Created", "Created On", "Date Created"}, false, true},
          {"forecast_category", "Forecast Category",
           {"Forecast Category", "Forecast Category Name", "Deal Forecast Category"}, false},
          {"closed", "Closed", {"Closed", "Is Closed", "Is Deal Closed"}, false},
          {"won", "Won", {"Won", "Is Won", "Is Closed Won"}, false},
      },
      {"deals.csv"}};
  return *spec;
}

const std::vector<const FileSpec*>& AllSpecs() {
  static const std::vector<const FileSpec*> specs = {&TerritoriesSpec(), &RepsSpec(),
                                                     &OpportunitiesSpec()};
  return specs;
}

std::vector<std::string> Headers(const FileSpec& spec) {
  std::vector<std::string> out;
  for (const ColumnSpec& c : spec.columns) out.push_back(c.header);
  return out;
}

// An error unless `name` ("close_date" or "opportunities.close_date") names a column.
absl::Status CheckCanonicalName(std::string_view name) {
  std::string_view qualifier, column = name;
  if (size_t dot = name.find('.'); dot != std::string_view::npos) {
    qualifier = name.substr(0, dot);
    column = name.substr(dot + 1);
  }
  for (const FileSpec* spec : AllSpecs()) {
    if (!qualifier.empty() && qualifier != spec->qualifier) continue;
    for (const ColumnSpec& c : spec->columns) {
      if (column == c.canonical) return absl::OkStatus();
    }
  }
  std::vector<std::string> known;
  for (const FileSpec* spec : AllSpecs()) {
    for (const ColumnSpec& c : spec->columns) {
      if (std::find(known.begin(), known.end(), c.canonical) == known.end()) known.push_back(c.canonical);
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown column ", Quoted(name), " (known: ",
                                                 absl::StrJoin(known, ", "), ")"));
}

// ---------------------------------------------------------------------------------------------
// Errors, collected so that a user can fix many at once.

// An error and where it sorts: by file (in reading order), line and column.
struct Problem {
  absl::Status status;
  int file = 0;  // 0 snapshot.json and the command line, then 1 + the index in AllSpecs()
  int line = 0;
  int column = 0;
};

class ErrorLog {
 public:
  explicit ErrorLog(int max) : max_(std::max(1, max)) {}

  // Records an error, unless the log is full.
  void Add(Problem problem) {
    if (full()) return;
    problems_.push_back(std::move(problem));
  }
  void Add(const absl::Status& status) { Add(Problem{status}); }
  bool full() const { return static_cast<int>(problems_.size()) >= max_; }
  bool empty() const { return problems_.empty(); }

  // One error as it is; several one per line, in file order, then the count.
  absl::Status ToStatus() {
    if (problems_.empty()) return absl::OkStatus();
    if (problems_.size() == 1) return problems_.front().status;
    std::stable_sort(problems_.begin(), problems_.end(), [](const Problem& a, const Problem& b) {
      return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
    });
    std::string text;
    for (const Problem& p : problems_) absl::StrAppend(&text, p.status.message(), "\n");
    absl::StrAppend(&text, problems_.size(), " errors");
    if (full()) absl::StrAppend(&text, " (reading stopped there; there may be more)");
    absl::StrAppend(&text, "; nothing was imported");
    return absl::InvalidArgumentError(text);
  }

 private:
  int max_;
  std::vector<Problem> problems_;
};

// 1 + the index of the spec in AllSpecs(), for sorting errors.
int FileRank(const FileSpec& spec) {
  for (size_t i = 0; i < AllSpecs().size(); ++i) {
    if (AllSpecs()[i] == &spec) return static_cast<int>(i) + 1;
  }
  return 0;
}

// Line breaks in a field's text (CRLF counts once).
int LineBreaks(std::string_view s) {
  int n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n'))) ++n;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// A parsed CSV file with its columns resolved.

class Table {
 public:
  // Reads `spec`'s file (or one of its other names) from `directory`. A file that cannot be read
  // or parsed, or whose header lacks a required column, is logged and gives nullopt. Rows with
  // more or fewer fields than the header are logged and dropped.
  static std::optional<Table> Read(const std::string& directory, const FileSpec& spec,
                                   const ImportOptions& options, ErrorLog& log) {
    Table table;
    table.file_ = spec.file;
    table.rank_ = FileRank(spec);
    std::error_code ec;
    for (const char* other : spec.other_files) {
      if (!std::filesystem::exists(std::filesystem::path(directory) / spec.file, ec) &&
          std::filesystem::exists(std::filesystem::path(directory) / other, ec)) {
        table.file_ = other;
      }
    }
    absl::StatusOr<std::string> text =
        ReadWholeFile((std::filesystem::path(directory) / table.file_).string());
    if (!text.ok()) {
      log.Add(table.FileProblem(absl::Status(
          text.status().code(), absl::StrCat(table.file_, ": cannot read: ", text.status().message()))));
      return std::nullopt;
    }
    absl::StatusOr<std::vector<CsvRow>> rows = ParseCsv(*text, table.file_);
    if (!rows.ok()) {
      log.Add(table.FileProblem(rows.status()));
      return std::nullopt;
    }
    if (rows->empty()) {
      log.Add(table.FileProblem(absl::InvalidArgumentError(
          absl::StrCat(table.file_, ":1: empty file, expected a header row"))));
      return std::nullopt;
    }
    table.header_line_ = rows->front().line;
    table.header_ = std::move(rows->front().fields);
    rows->erase(rows->begin());
    if (!table.Resolve(spec, options, log)) return std::nullopt;
    table.rows_.reserve(rows->size());
    for (CsvRow& row : *rows) {
      if (absl::Status s = table.CheckWidth(row); !s.ok()) {
        log.Add(Problem{s, table.rank_, row.line, 0});
        continue;
      }
      table.rows_.push_back(std::move(row));
    }
    return table;
  }

  const std::string& file() const { return file_; }
  const std::vector<CsvRow>& rows() const { return rows_; }
  bool Has(int column) const { return index_[column] >= 0; }
  // The cell, or "" when the file has no such column.
  const std::string& Get(const CsvRow& row, int column) const {
    static const std::string kEmpty;
    int i = index_[column];
    return i < 0 || i >= static_cast<int>(row.fields.size()) ? kEmpty : row.fields[i];
  }
  // The cell without surrounding blanks.
  std::string_view Trimmed(const CsvRow& row, int column) const {
    return TrimBlanks(Get(row, column));
  }
  // The physical line the cell starts on: the record's first line plus the line breaks inside
  // the quoted fields before it.
  int CellLine(const CsvRow& row, int column) const {
    int line = row.line;
    for (int i = 0; i < index_[column] && i < static_cast<int>(row.fields.size()); ++i) {
      line += LineBreaks(row.fields[i]);
    }
    return line;
  }
  // `file:line: column 6 "Header"`, with the file's own header and its position in the file.
  std::string Where(const CsvRow& row, int column) const {
    if (index_[column] < 0) {
      return absl::StrCat(file_, ":", row.line, ": column ", Quoted(names_[column]));
    }
    return absl::StrCat(file_, ":", CellLine(row, column), ": column ", index_[column] + 1, " ",
                        Quoted(names_[column]));
  }
  // `file:line: column 6 "Header": what`.
  Problem Error(const CsvRow& row, int column, std::string_view what) const {
    return Problem{absl::InvalidArgumentError(absl::StrCat(Where(row, column), ": ", AV(what))),
                   rank_, CellLine(row, column), index_[column] + 1};
  }
  // `file:line: column 6 "Header": "value" what`.
  Problem ValueError(const CsvRow& row, int column, std::string_view what) const {
    return Error(row, column, absl::StrCat(Quoted(Get(row, column)), " ", AV(what)));
  }
  // An error about the whole file, sorted with its first line (`at_end`: after its rows).
  Problem FileProblem(absl::Status status, bool at_end = false) const {
    return Problem{std::move(status), rank_, at_end ? std::numeric_limits<int>::max() : 0, 0};
  }
  const std::string& ColumnName(int column) const { return names_[column]; }
  int header_line() const { return header_line_; }

 private:
  bool Resolve(const FileSpec& spec, const ImportOptions& options, ErrorLog& log) {
    absl::flat_hash_map<std::string, int> position;
    absl::flat_hash_set<std::string> repeated;
    for (int i = 0; i < static_cast<int>(header_.size()); ++i) {
      std::string key = NormalizeHeader(header_[i]);
      if (key.empty()) continue;
      if (!position.emplace(key, i).second) repeated.insert(key);
    }
    auto header_error = [&](std::string_view what) {
      log.Add(Problem{absl::InvalidArgumentError(absl::StrCat(file_, ":", header_line_, ": ", AV(what))),
                      rank_, header_line_, 0});
    };
    bool ok = true;
    for (const ColumnSpec& c : spec.columns) {
      int found = -1;
      auto m = options.mapping.find(absl::StrCat(spec.qualifier, ".", c.canonical));
      if (m == options.mapping.end()) m = options.mapping.find(c.canonical);
      if (m != options.mapping.end()) {
        auto p = position.find(NormalizeHeader(m->second));
        if (p == position.end()) {
          const ColumnMappingSource& source = options.mapping_source;
          auto line = source.lines.find(m->first);
          if (!source.file.empty() && line != source.lines.end()) {
            log.Add(Problem{absl::InvalidArgumentError(absl::StrCat(
                                source.file, ":", line->second, ": ", m->first, " = ",
                                Quoted(m->second), ": ", file_, " has no column ",
                                Quoted(m->second), " (its header: ", absl::StrJoin(header_, ", "),
                                ")")),
                            rank_, header_line_, 0});
          } else {
            header_error(absl::StrCat("column mapping ", c.canonical, " = ", Quoted(m->second),
                                      ", but the header has no column ", Quoted(m->second)));
          }
          ok = false;
          index_.push_back(-1);
          names_.push_back(c.header);
          continue;
        }
        found = p->second;
      } else {
        std::vector<const char*> candidates = c.accepted;
        candidates.push_back(c.canonical);
        for (const char* candidate : candidates) {
          auto p = position.find(NormalizeHeader(candidate));
          if (p != position.end()) {
            found = p->second;
            break;
          }
        }
      }
      if (found >= 0 && repeated.contains(NormalizeHeader(header_[found]))) {
        header_error(
            absl::StrCat("column ", Quoted(header_[found]), " appears more than once in the header"));
        ok = false;
      }
      if (found < 0 && c.required) {
        std::vector<std::string> accepted;
        for (const char* a : c.accepted) accepted.push_back(Quoted(a));
        header_error(absl::StrCat(
            "missing column ", Quoted(c.header), " (accepted headers: ",
            absl::StrJoin(accepted, ", "), "; or map yours with `", c.canonical, " = <header>`)"));
        ok = false;
      }
      index_.push_back(found);
      names_.push_back(found >= 0 ? header_[found] : c.header);
    }
    return ok;
  }

  absl::Status CheckWidth(const CsvRow& row) const {
    size_t n = row.fields.size();
    if (n < header_.size() ||
        (n > header_.size() && std::any_of(row.fields.begin() + header_.size(), row.fields.end(),
                                           [](const std::string& f) { return !f.empty(); }))) {
      return absl::InvalidArgumentError(absl::StrCat(file_, ":", row.line, ": ", n,
                                                     " fields, but the header has ",
                                                     header_.size()));
    }
    return absl::OkStatus();
  }

  std::string file_;
  int rank_ = 0;
  int header_line_ = 1;
  std::vector<std::string> header_;
  std::vector<CsvRow> rows_;
  std::vector<int> index_;          // per spec column: field index, or -1
  std::vector<std::string> names_;  // per spec column: the file's header (ours when absent)
};

// ---------------------------------------------------------------------------------------------
// Values.

// A percentage 0..100 ("60", "60%"), or with `fractions` a fraction 0..1 ("0.6"; "60%" is still
// a percentage); as a fraction 0..1.
std::optional<double> ParseProbability(std::string_view text, bool fractions) {
  std::string_view s = TrimBlanks(text);
  bool percent_sign = false;
  if (!s.empty() && s.back() == '%') {
    s = TrimBlanks(s.substr(0, s.size() - 1));
    percent_sign = true;
  }
  const bool percent = percent_sign || !fractions;
  double value = 0;
  if (s.empty() || !absl::SimpleAtod(AV(s), &value) || !std::isfinite(value) || value < 0 ||
      value > (percent ? 100 : 1)) {
    return std::nullopt;
  }
  return percent ? value / 100.0 : value;
}

std::string FormatPercent(double fraction) {
  return absl::StrFormat("%.10g", fraction * 100.0);
}

bool IsCurrencyCode(std::string_view s) {
  return s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// Stage-derived fields, for exports that lack them.
struct StageFacts {
  bool closed = false;
  bool won = false;
};
StageFacts FactsFromStage(std::string_view stage) {
  std::string s = NormalizeHeader(stage);
  StageFacts facts;
  facts.closed = s.rfind("closed", 0) == 0 || s == "won" || s == "lost";
  facts.won = facts.closed && s.find("won") != std::string::npos;
  return facts;
}

std::optional<int> StageProbabilityPct(std::string_view stage) {
  std::string s = NormalizeHeader(stage);
  for (const StageInfo& info : DemoStages()) {
    if (NormalizeHeader(info.name) == s) return info.probability_pct;
  }
  return std::nullopt;
}

v1::ForecastCategory CategoryFrom(bool closed, bool won, double probability) {
  if (closed) return won ? v1::FORECAST_CATEGORY_CLOSED : v1::FORECAST_CATEGORY_OMITTED;
  if (probability >= 0.7) return v1::FORECAST_CATEGORY_COMMIT;
  if (probability >= 0.5) return v1::FORECAST_CATEGORY_BEST_CASE;
  return v1::FORECAST_CATEGORY_PIPELINE;
}

// ---------------------------------------------------------------------------------------------
// Dates.

// A date split into its three parts, before the order of day and month is decided.
struct DateParts {
  enum Kind {
    kYearFirst,      // 2026-03-01, 2026/03/01, 2026.03.01: a = month, b = day
    kYearLast,       // 03/01/2026, 03-01-2026: a and b month and day in some order
    kDotted,         // 01.03.2026: a = day, b = month
    kMonthName,      // 1 Mar 2026, Mar 1, 2026: a = month, b = day
  };
  Kind kind;
  int a = 0, b = 0, year = 0;
};

std::optional<int> SmallNumber(std::string_view digits, size_t min_size, size_t max_size) {
  if (digits.size() < min_size || digits.size() > max_size) return std::nullopt;
  int value = 0;
  for (char c : digits) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::optional<int> MonthFromName(std::string_view word) {
  static constexpr std::string_view kNames[] = {"january", "february", "march",     "april",
                                                "may",     "june",     "july",      "august",
                                                "september", "october", "november", "december"};
  std::string w = absl::AsciiStrToLower(AV(word));
  if (w == "sept") return 9;
  for (int i = 0; i < 12; ++i) {
    if (w == kNames[i] || (w.size() == 3 && kNames[i].substr(0, 3) == w)) return i + 1;
  }
  return std::nullopt;
}

// True for a time after a date: "10:00", "00:00:00", "10:00 AM", "10:00:00.000Z", "10:00+01:00".
bool LooksLikeTime(std::string_view s) {
  s = TrimBlanks(s);
  if (s.empty() || !absl::ascii_isdigit(static_cast<unsigned char>(s.front())) ||
      s.find(':') == std::string_view::npos) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c)) ||
           std::string_view(":.+- ZAPMapm").find(c) != std::string_view::npos;
  });
}

std::optional<DateParts> SplitDate(std::string_view text) {
  text = TrimBlanks(text);
  std::string_view tokens[3];
  char separators[2] = {0, 0};
  size_t i = 0;
  for (int n = 0; n < 3; ++n) {
    if (i >= text.size()) return std::nullopt;
    const size_t start = i;
    const unsigned char first = static_cast<unsigned char>(text[i]);
    if (absl::ascii_isdigit(first)) {
      while (i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) ++i;
    } else if (absl::ascii_isalpha(first)) {
      while (i < text.size() && absl::ascii_isalpha(static_cast<unsigned char>(text[i]))) ++i;
    } else {
      return std::nullopt;
    }
    tokens[n] = text.substr(start, i - start);
    if (n == 2) break;
    const size_t sep_start = i;
    while (i < text.size() && std::string_view(" ,-/.").find(text[i]) != std::string_view::npos) ++i;
    std::string_view sep = text.substr(sep_start, i - sep_start);
    if (sep == "-" || sep == "/" || sep == ".") {
      separators[n] = sep.front();
    } else if (!sep.empty() && std::count(sep.begin(), sep.end(), ',') <= 1 &&
               sep.find_first_not_of(" ,") == std::string_view::npos) {
      separators[n] = ' ';  // "Mar 1, 2026", "1 Mar 2026"
    } else {
      return std::nullopt;
    }
  }
  std::string_view rest = text.substr(i);
  if (!rest.empty()) {
    if (rest.front() != ' ' && rest.front() != 'T') return std::nullopt;
    if (!LooksLikeTime(rest.substr(1))) return std::nullopt;
  }
  const bool same = separators[0] == separators[1];
  auto digits = [](std::string_view t) {
    return !t.empty() && absl::ascii_isdigit(static_cast<unsigned char>(t.front()));
  };
  // 2026-03-01
  if (digits(tokens[0]) && digits(tokens[1]) && digits(tokens[2]) && same &&
      separators[0] != ' ' && tokens[0].size() == 4) {
    auto m = SmallNumber(tokens[1], 1, 2), d = SmallNumber(tokens[2], 1, 2);
    if (!m || !d) return std::nullopt;
    return DateParts{DateParts::kYearFirst, *m, *d, *SmallNumber(tokens[0], 4, 4)};
  }
  // 03/01/2026, 03-01-2026, 01.03.2026
  if (digits(tokens[0]) && digits(tokens[1]) && digits(tokens[2]) && same &&
      separators[0] != ' ') {
    auto a = SmallNumber(tokens[0], 1, 2), b = SmallNumber(tokens[1], 1, 2),
         y = SmallNumber(tokens[2], 4, 4);
    if (!a || !b || !y) return std::nullopt;
    return DateParts{separators[0] == '.' ? DateParts::kDotted : DateParts::kYearLast, *a, *b, *y};
  }
  // 1 Mar 2026, 1-Mar-2026
  if (digits(tokens[0]) && !digits(tokens[1]) && digits(tokens[2]) && same &&
      (separators[0] == ' ' || separators[0] == '-')) {
    auto d = SmallNumber(tokens[0], 1, 2), m = MonthFromName(tokens[1]),
         y = SmallNumber(tokens[2], 4, 4);
    if (!d || !m || !y) return std::nullopt;
    return DateParts{DateParts::kMonthName, *m, *d, *y};
  }
  // Mar 1 2026, March 1, 2026
  if (!digits(tokens[0]) && digits(tokens[1]) && digits(tokens[2]) && same &&
      separators[0] == ' ') {
    auto m = MonthFromName(tokens[0]), d = SmallNumber(tokens[1], 1, 2),
         y = SmallNumber(tokens[2], 4, 4);
    if (!d || !m || !y) return std::nullopt;
    return DateParts{DateParts::kMonthName, *m, *d, *y};
  }
  return std::nullopt;
}

std::optional<Date> MakeDate(int y, int m, int d) {
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  Date date{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
            std::chrono::day(static_cast<unsigned>(d))};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::optional<Date> DateFromParts(const DateParts& p, DateOrder order) {
  switch (p.kind) {
    case DateParts::kYearFirst:
    case DateParts::kMonthName:
      return MakeDate(p.year, p.a, p.b);
    case DateParts::kDotted:
      return MakeDate(p.year, p.b, p.a);
    case DateParts::kYearLast:
      return order == DateOrder::kDayFirst ? MakeDate(p.year, p.b, p.a) : MakeDate(p.year, p.a, p.b);
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// snapshot.json

absl::Status ReadSnapshotJson(const std::string& directory, v1::SnapshotHeader* header,
                              bool* found) {
  std::string path = (std::filesystem::path(directory) / kSnapshotFile).string();
  absl::StatusOr<std::string> text = ReadWholeFile(path);
  *found = false;
  if (absl::IsNotFound(text.status())) return absl::OkStatus();
  if (!text.ok()) {
    return absl::Status(text.status().code(),
                        absl::StrCat(kSnapshotFile, ": cannot read: ", text.status().message()));
  }
  *found = true;
  auto error = [](std::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(kSnapshotFile, ": ", AV(what)));
  };
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return error("not valid JSON");
  if (!j.is_object()) return error("expected a JSON object");
  if (auto it = j.find("as_of"); it != j.end() && !it->is_null()) {
    std::optional<Date> date = it->is_string() ? ParseDate(it->get<std::string>()) : std::nullopt;
    if (!date) return error(absl::StrCat("\"as_of\": ", it->dump(), " is not a date"));
    *header->mutable_as_of() = ToProto(*date);
  }
  if (auto it = j.find("currency"); it != j.end() && !it->is_null()) {
    std::string code = it->is_string() ? absl::AsciiStrToUpper(it->get<std::string>()) : "";
    if (!IsCurrencyCode(code)) {
      return error(absl::StrCat("\"currency\": ", it->dump(), " is not an ISO 4217 code like \"USD\""));
    }
    header->set_currency_code(code);
  }
  if (auto it = j.find("fiscal_start_month"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 12) {
      return error(absl::StrCat("\"fiscal_start_month\": ", it->dump(), " is not a month 1..12"));
    }
    header->mutable_calendar()->set_start_month(static_cast<int>(it->get<int64_t>()));
  }
  if (auto it = j.find("source"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) return error(absl::StrCat("\"source\": ", it->dump(), " is not a string"));
    header->set_source(it->get<std::string>());
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// Reading each file.

using Index = absl::flat_hash_map<std::string, int>;

std::string NameKey(std::string_view name) { return absl::AsciiStrToLower(AV(TrimBlanks(name))); }

// A lookup by name: name -> position, or -1 when several share the name.
void AddName(Index* names, std::string_view name, int position) {
  std::string key = NameKey(name);
  if (key.empty()) return;
  auto [it, inserted] = names->emplace(std::move(key), position);
  if (!inserted && it->second != position) it->second = -1;
}

// Reads the three tables into a CrmImport, collecting errors.
class Reader {
 public:
  Reader(const ImportOptions& options, ErrorLog& log, CrmImport* out)
      : options_(options), log_(log), out_(out), company_(out->company) {}

  void set_total(int64_t total) { total_ = total; }
  void Progress() {
    if (options_.progress) options_.progress(done_, total_);
  }

  // Decides how to read 03/04/2026 from the dates in the files (DateOrder::kAuto).
  void DecideDateOrder(const std::vector<std::pair<const Table*, const FileSpec*>>& tables) {
    date_order_ = options_.date_order == DateOrder::kDayFirst ? DateOrder::kDayFirst
                                                              : DateOrder::kMonthFirst;
    if (options_.date_order != DateOrder::kAuto) return;
    struct Seen {
      std::string where;  // file:line: column N "Header"
      std::string at;     // file:line
      std::string text;
      Problem key;        // where it sorts
    };
    std::optional<Seen> day_first, month_first, ambiguous;
    int64_t ambiguous_count = 0;
    for (const auto& [t, spec] : tables) {
      if (t == nullptr) continue;
      for (int c = 0; c < static_cast<int>(spec->columns.size()); ++c) {
        if (!spec->columns[c].is_date || !t->Has(c)) continue;
        for (const CsvRow& row : t->rows()) {
          std::string_view text = t->Trimmed(row, c);
          if (text.empty() || text.size() > 40) continue;
          std::optional<DateParts> p = SplitDate(text);
          if (!p || p->kind != DateParts::kYearLast) continue;
          std::optional<Seen>* slot = nullptr;
          if (p->a > 12 && p->b <= 12) {
            slot = &day_first;
          } else if (p->b > 12 && p->a <= 12) {
            slot = &month_first;
          } else if (p->a != p->b) {
            ++ambiguous_count;
            slot = &ambiguous;
          }
          if (slot != nullptr && !*slot) {
            *slot = Seen{t->Where(row, c), absl::StrCat(t->file(), ":", t->CellLine(row, c)),
                         std::string(text), t->Error(row, c, "")};
          }
        }
      }
    }
    if (day_first && month_first) {
      Problem problem = month_first->key;
      problem.status = absl::InvalidArgumentError(absl::StrCat(
          month_first->where, ": ", Quoted(month_first->text),
          " can only be month first (M/D/YYYY), but ", day_first->at, " has ",
          Quoted(day_first->text),
          ", which can only be day first (D/M/YYYY): make the dates agree, or pass --date-order "
          "mdy or dmy"));
      log_.Add(std::move(problem));
      lenient_dates_ = true;  // so the other dates do not add an error each
      return;
    }
    if (day_first) {
      date_order_ = DateOrder::kDayFirst;
      if (ambiguous) {
        out_->notes.push_back(absl::StrCat("dates like ", Quoted(ambiguous->text),
                                           " read day first (D/M/YYYY), as ", day_first->at, " ",
                                           Quoted(day_first->text), " shows"));
      }
    } else if (ambiguous && !month_first) {
      out_->notes.push_back(absl::StrCat(
          ambiguous_count, " date", ambiguous_count == 1 ? "" : "s", " like ",
          Quoted(ambiguous->text), " (first at ", ambiguous->at,
          ") could be month or day first: read month first (M/D/YYYY); pass --date-order dmy if "
          "they are day first"));
    }
  }

  void ReadTerritories(const Table& t) {
    territories_file_ = t.file();
    std::vector<v1::TerritoryNode>& nodes = company_.territories;
    if (t.rows().empty()) {
      log_.Add(t.FileProblem(absl::InvalidArgumentError(absl::StrCat(t.file(), ": no territories"))));
      return;
    }
    // References to territories are checked only when the file has some.
    territories_known_ = true;
    std::vector<const CsvRow*> node_rows;
    const CsvRow* root = nullptr;
    for (const CsvRow& row : t.rows()) {
      if (log_.full()) return;
      Tick();
      const std::string& id = t.Get(row, kTerritoryId);
      if (id.empty()) {
        log_.Add(t.Error(row, kTerritoryId, "empty"));
        continue;
      }
      auto [it, inserted] = territory_index_.emplace(id, static_cast<int>(nodes.size()));
      if (!inserted) {
        log_.Add(t.Error(row, kTerritoryId,
                         absl::StrCat("duplicate ", Quoted(id), " (first on line ",
                                      node_rows[it->second]->line, ")")));
        continue;
      }
      const std::string& parent = t.Get(row, kTerritoryParent);
      if (parent.empty()) {
        if (root != nullptr) {
          log_.Add(t.Error(row, kTerritoryParent,
                           absl::StrCat("empty, but ", Quoted(t.Get(*root, kTerritoryId)),
                                        " on line ", root->line,
                                        " is already the root (there must be exactly one)")));
        } else {
          root = &row;
        }
      }
      v1::TerritoryNode node;
      node.set_id(id);
      const std::string& name = t.Get(row, kTerritoryName);
      node.set_name(name.empty() ? id : name);
      node.set_parent_id(parent);
      node.set_level(t.Get(row, kTerritoryLevel));
      if (!name.empty()) AddName(&territory_names_, name, static_cast<int>(nodes.size()));
      nodes.push_back(std::move(node));
      node_rows.push_back(&row);
    }
    if (root == nullptr) {
      if (!nodes.empty()) {
        log_.Add(t.FileProblem(
            absl::InvalidArgumentError(
                absl::StrCat(t.file(), ": no root territory: exactly one row must have an empty ",
                             Quoted(t.ColumnName(kTerritoryParent)))),
            /*at_end=*/true));
      }
      return;
    }
    const int n = static_cast<int>(nodes.size());
    std::vector<int> parent_of(n, -1);
    for (int i = 0; i < n; ++i) {
      const std::string& parent = nodes[i].parent_id();
      if (parent.empty()) continue;
      auto p = territory_index_.find(parent);
      if (p == territory_index_.end()) {
        log_.Add(t.ValueError(*node_rows[i], kTerritoryParent,
                              absl::StrCat("is not a territory in ", t.file())));
      } else {
        parent_of[i] = p->second;
      }
    }
    // Every node must reach the root: walk up from each, remembering nodes known to end well.
    std::vector<int> state(n, 0);  // 0 unknown, 1 on the current path, 2 done
    for (int start = 0; start < n && !log_.full(); ++start) {
      std::vector<int> path;
      int node = start;
      while (node >= 0 && state[node] == 0) {
        state[node] = 1;
        path.push_back(node);
        node = parent_of[node];
      }
      if (node >= 0 && state[node] == 1) {
        // A cycle: report it at the member that comes first in the file.
        std::vector<int> cycle(std::find(path.begin(), path.end(), node), path.end());
        auto first = std::min_element(cycle.begin(), cycle.end());
        std::rotate(cycle.begin(), first, cycle.end());
        std::vector<std::string> ids;
        for (int c : cycle) ids.push_back(nodes[c].id());
        ids.push_back(nodes[cycle.front()].id());
        log_.Add(t.ValueError(*node_rows[cycle.front()], kTerritoryParent,
                              absl::StrCat("makes a cycle: ", absl::StrJoin(ids, " -> "))));
      }
      for (int p : path) state[p] = 2;
    }
  }

  void ReadReps(const Table& t) {
    reps_file_ = t.file();
    reps_known_ = true;
    std::vector<v1::Rep>& reps = company_.reps;
    std::vector<int> rep_lines;
    for (const CsvRow& row : t.rows()) {
      if (log_.full()) return;
      Tick();
      const std::string& id = t.Get(row, kRepId);
      if (id.empty()) {
        log_.Add(t.Error(row, kRepId, "empty"));
        continue;
      }
      auto [it, inserted] = rep_index_.emplace(id, static_cast<int>(reps.size()));
      if (!inserted) {
        log_.Add(t.Error(row, kRepId, absl::StrCat("duplicate ", Quoted(id), " (first on line ",
                                                   rep_lines[it->second], ")")));
        continue;
      }
      v1::Rep rep;
      rep.set_id(id);
      const std::string& name = t.Get(row, kRepName);
      rep.set_name(name.empty() ? id : name);
      const std::string& territory = t.Get(row, kRepTerritory);
      if (territory.empty()) {
        log_.Add(t.Error(row, kRepTerritory, "empty"));
      } else if (std::optional<std::string> found = FindTerritory(t, row, kRepTerritory)) {
        rep.set_territory_id(*found);
      }
      bool bad = false;
      std::optional<Date> hire = DateCell(t, row, kRepHireDate, &bad);
      std::optional<Date> end = DateCell(t, row, kRepEndDate, &bad);
      if (hire && end && *end < *hire) {
        log_.Add(t.Error(row, kRepEndDate, absl::StrCat(FormatDate(*end), " is before the hire date ",
                                                        FormatDate(*hire))));
      }
      if (hire) *rep.mutable_hire_date() = ToProto(*hire);
      if (end) *rep.mutable_end_date() = ToProto(*end);
      if (!name.empty()) AddName(&rep_names_, name, static_cast<int>(reps.size()));
      reps.push_back(std::move(rep));
      rep_lines.push_back(row.line);
    }
  }

  void ReadOpportunities(const Table& t, bool currency_known) {
    std::string& currency = *company_.header.mutable_currency_code();
    // Without a currency from snapshot.json or --currency, the first the rows name is the
    // snapshot's.
    if (!currency_known) {
      for (const CsvRow& row : t.rows()) {
        std::string code = absl::AsciiStrToUpper(AV(t.Trimmed(row, kOppCurrency)));
        if (IsCurrencyCode(code)) {
          currency = code;
          break;
        }
      }
      if (currency.empty()) {
        currency = "USD";
        out_->notes.push_back("no currency in snapshot.json, --currency or the rows: USD assumed");
      }
    }
    const int digits = CurrencyMinorDigits(currency);
    fractions_ = ProbabilitiesAreFractions(t);
    if (fractions_) {
      out_->notes.push_back(absl::StrCat(t.file(), ": every ", Quoted(t.ColumnName(kOppProbability)),
                                         " is between 0 and 1: read as fractions (0.25 = 25%)"));
    }

    absl::flat_hash_map<std::string, int> seen;
    AmountTotal amounts;  // the snapshot's limits, so an import the service would refuse fails here
    seen.reserve(t.rows().size());
    company_.opportunities.reserve(t.rows().size());
    for (const CsvRow& row : t.rows()) {
      if (log_.full()) return;
      Tick();
      bool bad = false;
      auto fail = [&](int column, std::string_view what) {
        bad = true;
        log_.Add(t.Error(row, column, what));
      };
      auto fail_value = [&](int column, std::string_view what) {
        bad = true;
        log_.Add(t.ValueError(row, column, what));
      };
      v1::Opportunity opp;
      const std::string& id = t.Get(row, kOppId);
      if (id.empty()) {
        fail(kOppId, "empty");
      } else if (auto [it, inserted] = seen.emplace(id, row.line); !inserted) {
        fail(kOppId, absl::StrCat("duplicate ", Quoted(id), " (first on line ", it->second, ")"));
      }
      opp.set_id(id);
      opp.set_account_id(t.Get(row, kOppAccount));

      const std::string& owner = t.Get(row, kOppOwner);
      int rep = -1;
      if (owner.empty()) {
        fail(kOppOwner, "empty");
      } else if (reps_known_) {
        if (auto it = rep_index_.find(owner); it != rep_index_.end()) {
          rep = it->second;
        } else if (auto n = rep_names_.find(NameKey(owner)); n != rep_names_.end() && n->second >= 0) {
          rep = n->second;
          ++owners_by_name_;
        } else if (n != rep_names_.end()) {
          fail_value(kOppOwner, absl::StrCat("is the name of more than one rep in ", reps_file_,
                                             ": use their User IDs"));
        } else {
          fail_value(kOppOwner, absl::StrCat("is not a rep in ", reps_file_));
        }
      }
      opp.set_owner_rep_id(rep >= 0 ? company_.reps[rep].id() : owner);

      if (t.Get(row, kOppTerritory).empty()) {
        if (rep >= 0) opp.set_territory_id(company_.reps[rep].territory_id());
      } else if (std::optional<std::string> found = FindTerritory(t, row, kOppTerritory)) {
        opp.set_territory_id(*found);
      } else {
        bad = true;
      }
      opp.set_product(t.Get(row, kOppProduct));

      std::string code = absl::AsciiStrToUpper(AV(t.Trimmed(row, kOppCurrency)));
      if (!code.empty() && !IsCurrencyCode(code)) {
        fail_value(kOppCurrency, "is not an ISO 4217 code like \"USD\"");
      } else if (!code.empty() && code != currency) {
        fail_value(kOppCurrency, absl::StrCat("differs from the snapshot's currency ", Quoted(currency)));
      }
      std::string_view amount_text = t.Trimmed(row, kOppAmount);
      int64_t minor = 0;
      if (!amount_text.empty()) {
        std::optional<int64_t> parsed = ParseAmount(amount_text, digits);
        if (parsed && (*parsed > kMaxAmountMinorUnits || *parsed < -kMaxAmountMinorUnits)) {
          fail_value(kOppAmount, absl::StrCat("is beyond the amount limit of ",
                                              FormatMinorUnits(kMaxAmountMinorUnits, digits), " (2^53 minor units)"));
        } else if (parsed && !amounts.Add(*parsed, "").ok()) {
          fail_value(kOppAmount, absl::StrCat("takes the file's amounts past the total limit of ",
                                              FormatMinorUnits(kMaxTotalMinorUnits, digits), " (2^62 minor units)"));
        } else if (parsed) {
          minor = *parsed;
        } else {
          fail_value(kOppAmount, "is not an amount");
        }
      }
      opp.mutable_amount()->set_currency_code(currency);
      opp.mutable_amount()->set_minor_units(minor);

      const std::string& stage = t.Get(row, kOppStage);
      if (TrimBlanks(stage).empty()) fail(kOppStage, "empty");
      opp.set_stage(stage);
      StageFacts facts = FactsFromStage(stage);

      bool closed = facts.closed, won = facts.won;
      constexpr char kNotBool[] = "is not a yes/no value (TRUE/FALSE, yes/no, 1/0)";
      if (!t.Trimmed(row, kOppClosed).empty()) {
        if (std::optional<bool> b = ParseCrmBool(t.Get(row, kOppClosed))) {
          closed = *b;
          if (t.Trimmed(row, kOppWon).empty()) won = closed && facts.won;
        } else {
          fail_value(kOppClosed, kNotBool);
        }
      }
      if (!t.Trimmed(row, kOppWon).empty()) {
        if (std::optional<bool> b = ParseCrmBool(t.Get(row, kOppWon))) {
          won = *b;
          if (won && !closed) {
            fail(kOppWon, absl::StrCat(Quoted(t.Get(row, kOppWon)), ", but the opportunity is not closed"));
          }
        } else {
          fail_value(kOppWon, kNotBool);
        }
      }
      opp.set_closed(closed);
      opp.set_won(won);

      double probability = 0;
      if (!t.Trimmed(row, kOppProbability).empty()) {
        if (std::optional<double> p = ParseProbability(t.Get(row, kOppProbability), fractions_)) {
          probability = *p;
        } else {
          fail_value(kOppProbability,
                     fractions_ ? "is not a probability 0..1" : "is not a percentage 0..100");
        }
      } else if (std::optional<int> pct = StageProbabilityPct(stage)) {
        probability = *pct / 100.0;
      } else {
        probability = won ? 1.0 : 0.0;
      }
      opp.set_probability(probability);

      if (t.Trimmed(row, kOppCloseDate).empty()) {
        fail(kOppCloseDate, "empty");
      } else if (std::optional<Date> close = DateCell(t, row, kOppCloseDate, &bad)) {
        *opp.mutable_close_date() = ToProto(*close);
      }
      if (std::optional<Date> created = DateCell(t, row, kOppCreatedDate, &bad)) {
        *opp.mutable_created_date() = ToProto(*created);
      }

      if (!t.Trimmed(row, kOppCategory).empty()) {
        if (std::optional<v1::ForecastCategory> category =
                ParseForecastCategory(t.Get(row, kOppCategory))) {
          opp.set_forecast_category(*category);
        } else {
          fail_value(kOppCategory,
                     "is not a forecast category (Pipeline, Best Case, Commit, Closed, Omitted)");
        }
      } else {
        opp.set_forecast_category(CategoryFrom(closed, won, probability));
      }
      if (!bad) company_.opportunities.push_back(std::move(opp));
    }
  }

  // What the readers noticed, for CrmImport::notes.
  void AddNotes(const Table* opportunities) {
    if (owners_by_name_ > 0 && opportunities != nullptr) {
      out_->notes.push_back(absl::StrCat(
          owners_by_name_, " opportunit", owners_by_name_ == 1 ? "y names its" : "ies name their",
          " owner (", Quoted(opportunities->ColumnName(kOppOwner)), ") by full name: matched to ",
          reps_file_, " by name"));
    }
    if (territories_by_name_ > 0) {
      out_->notes.push_back(absl::StrCat(territories_by_name_, " territor",
                                         territories_by_name_ == 1 ? "y" : "ies",
                                         " given by name: matched to ", territories_file_,
                                         " by name"));
    }
  }

 private:
  void Tick() {
    ++done_;
    if ((done_ & 4095) == 0) Progress();
  }

  // The territory a cell names, by id or else by unique name; logs an error and gives nullopt
  // when it names none. Without territories (the file failed) the cell is taken as it is.
  std::optional<std::string> FindTerritory(const Table& t, const CsvRow& row, int column) {
    const std::string& value = t.Get(row, column);
    if (!territories_known_ || territory_index_.contains(value)) return value;
    if (auto n = territory_names_.find(NameKey(value)); n != territory_names_.end()) {
      if (n->second >= 0) {
        ++territories_by_name_;
        return company_.territories[n->second].id();
      }
      log_.Add(t.ValueError(row, column, absl::StrCat("is the name of more than one territory in ",
                                                      territories_file_, ": use their ids")));
      return std::nullopt;
    }
    log_.Add(t.ValueError(row, column, absl::StrCat("is not a territory in ", territories_file_)));
    return std::nullopt;
  }

  // The date in `column`, nullopt when the cell is empty; logs an error and sets *bad when the
  // cell is not a date.
  std::optional<Date> DateCell(const Table& t, const CsvRow& row, int column, bool* bad) {
    std::string_view text = t.Trimmed(row, column);
    if (text.empty()) return std::nullopt;
    std::optional<DateParts> parts = SplitDate(text);
    const DateOrder other =
        date_order_ == DateOrder::kDayFirst ? DateOrder::kMonthFirst : DateOrder::kDayFirst;
    std::optional<Date> date;
    if (parts) {
      date = DateFromParts(*parts, date_order_);
      if (!date && lenient_dates_) date = DateFromParts(*parts, other);
    }
    if (!date) {
      *bad = true;
      std::string hint;
      if (parts && parts->kind == DateParts::kYearLast && DateFromParts(*parts, other)) {
        hint = date_order_ == DateOrder::kDayFirst ? " (dates are read day first here: D/M/YYYY)"
                                                   : " (dates are read month first here: M/D/YYYY)";
      }
      log_.Add(t.ValueError(row, column, absl::StrCat("is not a date", hint)));
    }
    return date;
  }

  // True when every probability is a number in 0..1 (no '%') and one is strictly between.
  static bool ProbabilitiesAreFractions(const Table& t) {
    if (!t.Has(kOppProbability)) return false;
    bool between = false;
    for (const CsvRow& row : t.rows()) {
      std::string_view s = t.Trimmed(row, kOppProbability);
      if (s.empty()) continue;
      double value = 0;
      if (s.back() == '%') return false;
      if (!absl::SimpleAtod(AV(s), &value)) continue;
      if (value > 1) return false;
      if (value > 0 && value < 1) between = true;
    }
    return between;
  }

  const ImportOptions& options_;
  ErrorLog& log_;
  CrmImport* out_;
  DemoCompany& company_;
  DateOrder date_order_ = DateOrder::kMonthFirst;
  bool lenient_dates_ = false;
  bool fractions_ = false;
  int64_t done_ = 0, total_ = 0;
  bool territories_known_ = false, reps_known_ = false;
  std::string territories_file_ = kTerritoriesFile, reps_file_ = kRepsFile;
  Index territory_index_, territory_names_, rep_index_, rep_names_;
  int64_t owners_by_name_ = 0, territories_by_name_ = 0;
};

std::string WithSeparators(int64_t n) { return FormatMinorUnits(n, 0); }

std::string FormatProtoDate(const v1::Date& date) {
  return IsSet(date) ? FormatDate(FromProtoDate(date)) : std::string();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public API.

std::vector<std::string> CanonicalColumnNames() {
  std::vector<std::string> out;
  for (const FileSpec* spec : AllSpecs()) {
    for (const ColumnSpec& c : spec->columns) out.push_back(absl::StrCat(spec->qualifier, ".", c.canonical));
  }
  return out;
}

std::vector<std::string> AcceptedHeaders(std::string_view qualified_name) {
  for (const FileSpec* spec : AllSpecs()) {
    for (const ColumnSpec& c : spec->columns) {
      if (qualified_name == absl::StrCat(spec->qualifier, ".", c.canonical)) {
        return std::vector<std::string>(c.accepted.begin(), c.accepted.end());
      }
    }
  }
  return {};
}

absl::StatusOr<ColumnMapping> ParseColumnMapping(std::string_view text, std::string_view file_name,
                                                 ColumnMappingSource* source) {
  ColumnMapping mapping;
  absl::flat_hash_map<std::string, int> line_of;
  int line_number = 0;
  const std::string file(file_name);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_number;
    line = TrimBlanks(line);
    if (line.empty() || line.front() == '#') continue;
    auto error = [&](std::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(file, ":", line_number, ": ", AV(what)));
    };
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return error(absl::StrCat("expected `canonical_name = File Header`, got ", Quoted(line)));
    }
    std::string name = absl::AsciiStrToLower(AV(TrimBlanks(line.substr(0, eq))));
    std::string_view header = TrimBlanks(line.substr(eq + 1));
    if (header.size() >= 2 && header.front() == '"' && header.back() == '"') {
      header = header.substr(1, header.size() - 2);
    }
    if (name.empty()) return error("no column name before '='");
    if (TrimBlanks(header).empty()) return error(absl::StrCat("no header after ", Quoted(name), " ="));
    if (absl::Status s = CheckCanonicalName(name); !s.ok()) return error(std::string(s.message()));
    if (auto [it, inserted] = line_of.emplace(name, line_number); !inserted) {
      return error(absl::StrCat(Quoted(name), " is mapped twice (first on line ", it->second, ")"));
    }
    mapping[name] = std::string(header);
  }
  if (source != nullptr) {
    source->file = file;
    source->lines.clear();
    for (const auto& [name, line] : line_of) source->lines[name] = line;
  }
  return mapping;
}

absl::StatusOr<ColumnMapping> LoadColumnMapping(const std::string& path, ColumnMappingSource* source) {
  absl::StatusOr<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  return ParseColumnMapping(*text, std::filesystem::path(path).filename().string(), source);
}

absl::Status WriteCrmExport(const DemoCompany& company, const std::string& directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) return absl::InternalError(absl::StrCat(directory, ": cannot create: ", ec.message()));
  auto path = [&](const char* file) { return (std::filesystem::path(directory) / file).string(); };
  const std::string& snapshot_currency = company.header.currency_code();

  std::string territories;
  AppendCsvRecord(Headers(TerritoriesSpec()), &territories);
  for (const v1::TerritoryNode& node : company.territories) {
    AppendCsvRecord({node.id(), node.name(), node.parent_id(), node.level()}, &territories);
  }
  if (absl::Status s = WriteWholeFile(path(kTerritoriesFile), territories); !s.ok()) return s;

  std::string reps;
  AppendCsvRecord(Headers(RepsSpec()), &reps);
  for (const v1::Rep& rep : company.reps) {
    AppendCsvRecord({rep.id(), rep.name(), rep.territory_id(), FormatProtoDate(rep.hire_date()),
                     FormatProtoDate(rep.end_date())},
                    &reps);
  }
  if (absl::Status s = WriteWholeFile(path(kRepsFile), reps); !s.ok()) return s;

  std::string opps;
  opps.reserve(company.opportunities.size() * 160);
  AppendCsvRecord(Headers(OpportunitiesSpec()), &opps);
  std::vector<std::string> fields(OpportunitiesSpec().columns.size());
  for (const v1::Opportunity& o : company.opportunities) {
    const std::string& currency =
        o.amount().currency_code().empty() ? snapshot_currency : o.amount().currency_code();
    fields[kOppId] = o.id();
    fields[kOppAccount] = o.account_id();
    fields[kOppOwner] = o.owner_rep_id();
    fields[kOppTerritory] = o.territory_id();
    fields[kOppProduct] = o.product();
    fields[kOppAmount] = FormatAmount(o.amount().minor_units(), CurrencyMinorDigits(currency));
    fields[kOppCurrency] = currency;
    fields[kOppStage] = o.stage();
    fields[kOppProbability] = absl::StrCat(FormatPercent(o.probability()), "%");  // "%": never read as a fraction
    fields[kOppCloseDate] = FormatProtoDate(o.close_date());
    fields[kOppCreatedDate] = FormatProtoDate(o.created_date());
    fields[kOppCategory] = ForecastCategoryName(o.forecast_category());
    fields[kOppClosed] = o.closed() ? "TRUE" : "FALSE";
    fields[kOppWon] = o.won() ? "TRUE" : "FALSE";
    AppendCsvRecord(fields, &opps);
  }
  if (absl::Status s = WriteWholeFile(path(kOpportunitiesFile), opps); !s.ok()) return s;

  nlohmann::ordered_json snapshot = nlohmann::ordered_json::object();
  if (IsSet(company.header.as_of())) snapshot["as_of"] = FormatProtoDate(company.header.as_of());
  snapshot["currency"] = snapshot_currency;
  snapshot["fiscal_start_month"] = company.header.calendar().start_month();
  snapshot["source"] = company.header.source();
  return WriteWholeFile(path(kSnapshotFile), snapshot.dump(2) + "\n");
}


std::optional<DateOrder> ParseDateOrder(std::string_view text) {
  std::string s = absl::AsciiStrToLower(AV(TrimBlanks(text)));
  if (s == "auto") return DateOrder::kAuto;
  if (s == "mdy" || s == "us" || s == "m/d/y") return DateOrder::kMonthFirst;
  if (s == "dmy" || s == "eu" || s == "d/m/y") return DateOrder::kDayFirst;
  return std::nullopt;
}

std::optional<Date> ParseCrmDate(std::string_view text, DateOrder order) {
  std::optional<DateParts> parts = SplitDate(text);
  if (!parts) return std::nullopt;
  return DateFromParts(*parts, order);
}

std::optional<bool> ParseCrmBool(std::string_view text) {
  std::string s = absl::AsciiStrToLower(AV(TrimBlanks(text)));
  if (s == "true" || s == "t" || s == "yes" || s == "y" || s == "1") return true;
  if (s == "false" || s == "f" || s == "no" || s == "n" || s == "0") return false;
  return std::nullopt;
}

absl::StatusOr<CrmImport> ImportCrmExport(const std::string& directory, const ImportOptions& options) {
  for (const auto& [name, header] : options.mapping) {
    if (absl::Status s = CheckCanonicalName(name); !s.ok()) {
      auto line = options.mapping_source.lines.find(name);
      if (!options.mapping_source.file.empty() && line != options.mapping_source.lines.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat(options.mapping_source.file, ":", line->second, ": ", s.message()));
      }
      return absl::InvalidArgumentError(absl::StrCat("column mapping: ", s.message()));
    }
  }
  std::string currency_option = absl::AsciiStrToUpper(AV(TrimBlanks(options.currency)));
  if (!currency_option.empty() && !IsCurrencyCode(currency_option)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--currency: ", Quoted(options.currency), " is not an ISO 4217 code like \"USD\""));
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec)) {
    return absl::NotFoundError(absl::StrCat(directory, ": no such directory"));
  }

  CrmImport result;
  result.directory = directory;
  DemoCompany& company = result.company;
  ErrorLog log(options.max_errors);

  bool has_snapshot_json = false;
  if (absl::Status s = ReadSnapshotJson(directory, &company.header, &has_snapshot_json); !s.ok()) {
    log.Add(s);
  }
  if (!has_snapshot_json) company.header.set_source(absl::StrCat("crm export ", directory));
  if (IsSet(company.header.as_of())) result.as_of_from = kSnapshotFile;
  if (options.as_of) {
    if (IsSet(company.header.as_of()) && FromProtoDate(company.header.as_of()) != *options.as_of) {
      result.notes.push_back(absl::StrCat("as of ", FormatDate(*options.as_of), " from --as-of (",
                                          kSnapshotFile, " says ",
                                          FormatDate(FromProtoDate(company.header.as_of())), ")"));
    }
    *company.header.mutable_as_of() = ToProto(*options.as_of);
    result.as_of_from = "--as-of";
  }
  if (!currency_option.empty()) {
    const std::string& json_currency = company.header.currency_code();
    if (!json_currency.empty() && json_currency != currency_option) {
      log.Add(absl::InvalidArgumentError(absl::StrCat(kSnapshotFile, ": \"currency\" is ",
                                                      Quoted(json_currency), ", but --currency is ",
                                                      Quoted(currency_option))));
    }
    company.header.set_currency_code(currency_option);
  }
  const bool currency_known = !company.header.currency_code().empty();

  std::optional<Table> territories, reps, opportunities;
  if (!log.full()) territories = Table::Read(directory, TerritoriesSpec(), options, log);
  if (!log.full()) reps = Table::Read(directory, RepsSpec(), options, log);
  if (!log.full()) opportunities = Table::Read(directory, OpportunitiesSpec(), options, log);
  for (const std::optional<Table>* t : {&territories, &reps, &opportunities}) {
    if (*t) result.files.push_back((*t)->file());
  }

  Reader reader(options, log, &result);
  int64_t total = 0;
  for (const std::optional<Table>* t : {&territories, &reps, &opportunities}) {
    if (*t) total += static_cast<int64_t>((*t)->rows().size());
  }
  reader.set_total(total);
  reader.Progress();
  reader.DecideDateOrder({{reps ? &*reps : nullptr, &RepsSpec()},
                          {opportunities ? &*opportunities : nullptr, &OpportunitiesSpec()}});
  if (territories && !log.full()) reader.ReadTerritories(*territories);
  if (reps && !log.full()) reader.ReadReps(*reps);
  if (opportunities && !log.full()) reader.ReadOpportunities(*opportunities, currency_known);
  if (!log.full()) reader.Progress();
  if (!log.empty()) return log.ToStatus();
  reader.AddNotes(opportunities ? &*opportunities : nullptr);
  return result;
}

absl::StatusOr<DemoCompany> ReadCrmExport(const std::string& directory, const ColumnMapping& mapping) {
  ImportOptions options;
  options.mapping = mapping;
  absl::StatusOr<CrmImport> imported = ImportCrmExport(directory, options);
  if (!imported.ok()) return imported.status();
  return std::move(imported->company);
}

namespace {

struct StageTotals {
  std::string stage;
  int64_t count = 0;
  int64_t minor_units = 0;
  double probability_sum = 0;
  int group = 0;  // 0 open, 1 won, 2 lost
};

}  // namespace

std::string ImportSummaryText(const CrmImport& import) {
  const DemoCompany& c = import.company;
  const v1::SnapshotHeader& h = c.header;
  const std::string& currency = h.currency_code();
  const int digits = CurrencyMinorDigits(currency);
  std::string out;
  absl::StrAppend(&out, "export      ", import.directory,
                  import.files.empty() ? "" : absl::StrCat(" (", absl::StrJoin(import.files, ", "), ")"),
                  "\n");
  absl::StrAppend(&out, "as of       ",
                  IsSet(h.as_of()) ? absl::StrCat(FormatDate(FromProtoDate(h.as_of())), " (from ",
                                                  import.as_of_from, ")")
                                   : "not set (pass --as-of DATE to upload)",
                  "\n");
  absl::StrAppend(&out, "currency    ", currency, "\n");
  if (h.calendar().start_month() >= 1 && h.calendar().start_month() <= 12) {
    static constexpr const char* kMonths[] = {"January", "February", "March",     "April",
                                              "May",     "June",     "July",      "August",
                                              "September", "October", "November", "December"};
    absl::StrAppend(&out, "fiscal year starts in ", kMonths[h.calendar().start_month() - 1], "\n");
  }
  if (!h.source().empty()) absl::StrAppend(&out, "source      ", h.source(), "\n");

  int64_t open = 0, won = 0, lost = 0;
  std::optional<int> close_min, close_max, created_min, created_max;
  auto widen = [](std::optional<int>& lo, std::optional<int>& hi, const v1::Date& d) {
    if (!IsSet(d)) return;
    int n = DayNumber(FromProtoDate(d));
    if (!lo || n < *lo) lo = n;
    if (!hi || n > *hi) hi = n;
  };
  absl::flat_hash_map<std::string, int> stage_index;
  std::vector<StageTotals> stages;
  StageTotals total;
  for (const v1::Opportunity& o : c.opportunities) {
    (o.closed() ? (o.won() ? won : lost) : open) += 1;
    widen(close_min, close_max, o.close_date());
    widen(created_min, created_max, o.created_date());
    auto [it, inserted] = stage_index.emplace(o.stage(), static_cast<int>(stages.size()));
    if (inserted) stages.push_back(StageTotals{o.stage()});
    StageTotals& s = stages[it->second];
    ++s.count;
    s.minor_units += o.amount().minor_units();
    s.probability_sum += o.probability();
    if (o.closed()) s.group = std::max(s.group, o.won() ? 1 : 2);
    ++total.count;
    total.minor_units += o.amount().minor_units();
  }
  absl::StrAppend(&out, "rows        ", WithSeparators(c.territories.size()), " territories, ",
                  WithSeparators(c.reps.size()), " reps, ", WithSeparators(c.opportunities.size()),
                  " opportunities (", WithSeparators(open), " open, ", WithSeparators(won),
                  " won, ", WithSeparators(lost), " lost)\n");
  auto range = [](const std::optional<int>& lo, const std::optional<int>& hi) {
    return lo ? absl::StrCat(FormatDate(FromDayNumber(*lo)), " .. ", FormatDate(FromDayNumber(*hi)))
              : std::string("none");
  };
  absl::StrAppend(&out, "close dates ", range(close_min, close_max), "\n");
  absl::StrAppend(&out, "created     ", range(created_min, created_max), "\n");

  if (!stages.empty()) {
    std::sort(stages.begin(), stages.end(), [](const StageTotals& a, const StageTotals& b) {
      double pa = a.probability_sum / a.count, pb = b.probability_sum / b.count;
      return std::tie(a.group, pa, a.stage) < std::tie(b.group, pb, b.stage);
    });
    total.stage = "Total";
    size_t name_width = total.stage.size();
    for (const StageTotals& s : stages) name_width = std::max(name_width, s.stage.size());
    const std::string amount_header = absl::StrCat("Amount (", currency, ")");
    std::vector<std::string> amounts;
    size_t amount_width = amount_header.size();
    for (const StageTotals& s : stages) {
      amounts.push_back(FormatMinorUnits(s.minor_units, digits));
      amount_width = std::max(amount_width, amounts.back().size());
    }
    amounts.push_back(FormatMinorUnits(total.minor_units, digits));
    amount_width = std::max(amount_width, amounts.back().size());
    auto line = [&](std::string_view stage, std::string_view count, std::string_view amount) {
      return absl::StrFormat("  %-*s  %13s  %*s\n", static_cast<int>(name_width), AV(stage),
                             AV(count), static_cast<int>(amount_width), AV(amount));
    };
    absl::StrAppend(&out, "\nby stage:\n", line("Stage", "Opportunities", amount_header));
    for (size_t i = 0; i < stages.size(); ++i) {
      absl::StrAppend(&out, line(stages[i].stage, WithSeparators(stages[i].count), amounts[i]));
    }
    absl::StrAppend(&out, line(total.stage, WithSeparators(total.count), amounts.back()));
  }
  if (!import.notes.empty()) {
    absl::StrAppend(&out, "\nnotes:\n");
    for (const std::string& note : import.notes) absl::StrAppend(&out, "  - ", note, "\n");
  }
  return out;
}

std::optional<int64_t> ParseAmount(std::string_view text, int minor_digits) {
  if (minor_digits < 0 || minor_digits > 6) return std::nullopt;
  std::string_view s = TrimBlanks(text);
  bool negative = false;
  if (s.size() >= 2 && s.front() == '(' && s.back() == ')') {
    negative = true;
    s = TrimBlanks(s.substr(1, s.size() - 2));
  }
  auto take_sign = [&]() -> bool {
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
      if (negative) return false;
      negative = s.front() == '-';
      s = TrimBlanks(s.substr(1));
    }
    return true;
  };
  if (!take_sign()) return std::nullopt;
  static constexpr std::string_view kSymbols[] = {"$", "\xE2\x82\xAC" /* € */, "\xC2\xA3" /* £ */,
                                                  "\xC2\xA5" /* ¥ */};
  for (std::string_view symbol : kSymbols) {
    if (s.substr(0, symbol.size()) == symbol) {
      s = TrimBlanks(s.substr(symbol.size()));
      if (!take_sign()) return std::nullopt;
      break;
    }
    if (s.size() > symbol.size() && s.substr(s.size() - symbol.size()) == symbol) {
      s = TrimBlanks(s.substr(0, s.size() - symbol.size()));
      break;
    }
  }

  // Integer part, with optional thousands separators in groups of three.
  std::string integer_digits, fraction_digits;
  size_t i = 0;
  int group = 0;
  bool grouped = false;
  for (; i < s.size() && (absl::ascii_isdigit(static_cast<unsigned char>(s[i])) || s[i] == ','); ++i) {
    if (s[i] == ',') {
      if (group == 0 || (grouped && group != 3) || (!grouped && group > 3)) return std::nullopt;
      grouped = true;
      group = 0;
    } else {
      integer_digits.push_back(s[i]);
      ++group;
    }
  }
  if (grouped && group != 3) return std::nullopt;
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[i])); ++i) {
      fraction_digits.push_back(s[i]);
    }
  }
  if (i != s.size() || (integer_digits.empty() && fraction_digits.empty())) return std::nullopt;

  // Exact arithmetic in 128 bits, then a range check.
  size_t first_nonzero = integer_digits.find_first_not_of('0');
  if (first_nonzero != std::string::npos && integer_digits.size() - first_nonzero > 20) return std::nullopt;
  __int128 value = 0;
  for (char c : integer_digits) value = value * 10 + (c - '0');
  for (int k = 0; k < minor_digits; ++k) {
    value = value * 10 + (k < static_cast<int>(fraction_digits.size()) ? fraction_digits[k] - '0' : 0);
  }
  if (static_cast<int>(fraction_digits.size()) > minor_digits && fraction_digits[minor_digits] >= '5') {
    value += 1;
  }
  if (value > std::numeric_limits<int64_t>::max()) return std::nullopt;
  return negative ? -static_cast<int64_t>(value) : static_cast<int64_t>(value);
}

std::string FormatAmount(int64_t minor_units, int minor_digits) {
  uint64_t magnitude = minor_units < 0 ? 0 - static_cast<uint64_t>(minor_units)
                                       : static_cast<uint64_t>(minor_units);
  uint64_t scale = 1;
  for (int i = 0; i < minor_digits; ++i) scale *= 10;
  std::string out = absl::StrCat(minor_units < 0 ? "-" : "", magnitude / scale);
  if (minor_digits > 0) {
    absl::StrAppend(&out, ".", absl::StrFormat("%0*d", minor_digits, magnitude % scale));
  }
  return out;
}

std::string ForecastCategoryName(v1::ForecastCategory category) {
  switch (category) {
    case v1::FORECAST_CATEGORY_PIPELINE: return "Pipeline";
    case v1::FORECAST_CATEGORY_BEST_CASE: return "Best Case";
    case v1::FORECAST_CATEGORY_COMMIT: return "Commit";
    case v1::FORECAST_CATEGORY_CLOSED: return "Closed";
    case v1::FORECAST_CATEGORY_OMITTED: return "Omitted";
    default: return "";
  }
}

std::optional<v1::ForecastCategory> ParseForecastCategory(std::string_view text) {
  std::string s = NormalizeHeader(text);
  if (s.rfind("forecastcategory", 0) == 0) s = s.substr(16);
  if (s == "pipeline") return v1::FORECAST_CATEGORY_PIPELINE;
  if (s == "bestcase") return v1::FORECAST_CATEGORY_BEST_CASE;
  if (s == "commit") return v1::FORECAST_CATEGORY_COMMIT;
  if (s == "closed") return v1::FORECAST_CATEGORY_CLOSED;
  if (s == "omitted" || s == "omit") return v1::FORECAST_CATEGORY_OMITTED;
  return std::nullopt;
}

}  // namespace salesops::salesctl
