#include "tools/salesctl/crm_csv.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <system_error>
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
};

struct FileSpec {
  const char* file;       // "reps.csv"
  const char* qualifier;  // "reps", for qualified mapping names
  std::vector<ColumnSpec> columns;
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
          {"full_name", "Full Name", {"Full Name", "Name", "Rep Name", "Rep"}, false},
          {"territory_id", "Territory ID", {"Territory ID", "Territory", "Territory Code"}, true},
          {"hire_date", "Hire Date", {"Hire Date", "Start Date", "Hired"}, false},
          {"end_date", "End Date", {"End Date", "Termination Date", "Leave Date", "Left"}, false},
      }};
  return *spec;
}

const FileSpec& OpportunitiesSpec() {
  static const FileSpec* spec = new FileSpec{
      kOpportunitiesFile,
      "opportunities",
      {
          {"opportunity_id", "Opportunity ID", {"Opportunity ID", "Id", "Record ID"}, true},
          {"account_name", "Account Name", {"Account Name", "Account", "Account ID"}, false},
          // Prefer an id column: CRMs that export both put the owner's full name in "Opportunity
          // Owner" and the user id in "Owner ID".
          {"opportunity_owner", "Opportunity Owner",
           {"Owner ID", "Opportunity Owner ID", "Opportunity Owner", "Owner", "Rep ID", "User ID"},
           true},
          {"territory", "Territory", {"Territory", "Territory ID", "Territory Code"}, false},
          {"product", "Product", {"Product", "Product Line", "Product Family", "Product Name"}, false},
          {"amount", "Amount", {"Amount", "Opportunity Amount", "Total Amount", "Value"}, true},
          {"currency", "Currency",
           {"Currency", "Opportunity Currency", "Currency Code", "Currency ISO Code",
            "Amount Currency"},
           false},
          {"stage", "Stage", {"Stage", "Stage Name", "Sales Stage"}, true},
          {"probability", "Probability (%)",
           {"Probability (%)", "Probability", "Win Probability"}, false},
          {"close_date", "Close Date", {"Close Date", "Expected Close Date"}, true},
          {"created_date", "Created Date", {"Created Date", "Create Date", "Created", "Created On"},
           false},
          {"forecast_category", "Forecast Category",
           {"Forecast Category", "Forecast Category Name"}, false},
          {"closed", "Closed", {"Closed", "Is Closed"}, false},
          {"won", "Won", {"Won", "Is Won"}, false},
      }};
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
// A parsed CSV file with its columns resolved.

class Table {
 public:
  static absl::StatusOr<Table> Read(const std::string& directory, const FileSpec& spec,
                                    const ColumnMapping& mapping) {
    Table table;
    table.file_ = spec.file;
    absl::StatusOr<std::string> text =
        ReadWholeFile((std::filesystem::path(directory) / spec.file).string());
    if (!text.ok()) {
      return absl::Status(text.status().code(),
                          absl::StrCat(spec.file, ": cannot read: ", text.status().message()));
    }
    absl::StatusOr<std::vector<CsvRow>> rows = ParseCsv(*text, spec.file);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(spec.file, ":1: empty file, expected a header row"));
    }
    table.header_line_ = rows->front().line;
    table.header_ = std::move(rows->front().fields);
    rows->erase(rows->begin());
    table.rows_ = std::move(*rows);
    if (absl::Status s = table.Resolve(spec, mapping); !s.ok()) return s;
    for (const CsvRow& row : table.rows_) {
      if (absl::Status s = table.CheckWidth(row); !s.ok()) return s;
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
  // `file:line: column "Header": what`, with the file's own header.
  absl::Status Error(const CsvRow& row, int column, std::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(file_, ":", row.line, ": column ",
                                                   Quoted(names_[column]), ": ", AV(what)));
  }
  // `file:line: column "Header": "value" what`.
  absl::Status ValueError(const CsvRow& row, int column, std::string_view what) const {
    return Error(row, column, absl::StrCat(Quoted(Get(row, column)), " ", AV(what)));
  }
  const std::string& ColumnName(int column) const { return names_[column]; }

 private:
  absl::Status Resolve(const FileSpec& spec, const ColumnMapping& mapping) {
    absl::flat_hash_map<std::string, int> position;
    absl::flat_hash_set<std::string> repeated;
    for (int i = 0; i < static_cast<int>(header_.size()); ++i) {
      std::string key = NormalizeHeader(header_[i]);
      if (key.empty()) continue;
      if (!position.emplace(key, i).second) repeated.insert(key);
    }
    auto header_error = [&](std::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(file_, ":", header_line_, ": ", AV(what)));
    };
    for (const ColumnSpec& c : spec.columns) {
      int found = -1;
      std::string mapped_key;
      auto m = mapping.find(absl::StrCat(spec.qualifier, ".", c.canonical));
      if (m == mapping.end()) m = mapping.find(c.canonical);
      if (m != mapping.end()) {
        mapped_key = NormalizeHeader(m->second);
        auto p = position.find(mapped_key);
        if (p == position.end()) {
          return header_error(absl::StrCat("column mapping ", c.canonical, " = ",
                                           Quoted(m->second), ", but the header has no column ",
                                           Quoted(m->second)));
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
        return header_error(
            absl::StrCat("column ", Quoted(header_[found]), " appears more than once in the header"));
      }
      if (found < 0 && c.required) {
        std::vector<std::string> accepted;
        for (const char* a : c.accepted) accepted.push_back(Quoted(a));
        return header_error(absl::StrCat(
            "missing column ", Quoted(c.header), " (accepted headers: ",
            absl::StrJoin(accepted, ", "), "; or map yours with `", c.canonical, " = <header>`)"));
      }
      index_.push_back(found);
      names_.push_back(found >= 0 ? header_[found] : c.header);
    }
    return absl::OkStatus();
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
  int header_line_ = 1;
  std::vector<std::string> header_;
  std::vector<CsvRow> rows_;
  std::vector<int> index_;          // per spec column: field index, or -1
  std::vector<std::string> names_;  // per spec column: the file's header (ours when absent)
};

// ---------------------------------------------------------------------------------------------
// Values.

std::optional<bool> ParseBool(std::string_view text) {
  std::string s = absl::AsciiStrToLower(AV(TrimBlanks(text)));
  if (s == "true" || s == "t" || s == "yes" || s == "y" || s == "1") return true;
  if (s == "false" || s == "f" || s == "no" || s == "n" || s == "0") return false;
  return std::nullopt;
}

// A percentage 0..100, as a fraction 0..1.
std::optional<double> ParsePercent(std::string_view text) {
  std::string_view s = TrimBlanks(text);
  if (!s.empty() && s.back() == '%') s = TrimBlanks(s.substr(0, s.size() - 1));
  double value = 0;
  if (s.empty() || !absl::SimpleAtod(AV(s), &value) || !std::isfinite(value) || value < 0 ||
      value > 100) {
    return std::nullopt;
  }
  return value / 100.0;
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

absl::Status ReadTerritories(const Table& t, DemoCompany* out,
                             absl::flat_hash_map<std::string, int>* index) {
  const std::string& file = t.file();
  if (t.rows().empty()) return absl::InvalidArgumentError(absl::StrCat(file, ": no territories"));
  const CsvRow* root = nullptr;
  for (const CsvRow& row : t.rows()) {
    const std::string& id = t.Get(row, kTerritoryId);
    if (id.empty()) return t.Error(row, kTerritoryId, "empty");
    auto [it, inserted] = index->emplace(id, static_cast<int>(out->territories.size()));
    if (!inserted) {
      return t.Error(row, kTerritoryId,
                     absl::StrCat("duplicate ", Quoted(id), " (first on line ",
                                  t.rows()[it->second].line, ")"));
    }
    const std::string& parent = t.Get(row, kTerritoryParent);
    if (parent.empty()) {
      if (root != nullptr) {
        return t.Error(row, kTerritoryParent,
                       absl::StrCat("empty, but ", Quoted(t.Get(*root, kTerritoryId)), " on line ",
                                    root->line, " is already the root (there must be exactly one)"));
      }
      root = &row;
    }
    v1::TerritoryNode node;
    node.set_id(id);
    const std::string& name = t.Get(row, kTerritoryName);
    node.set_name(name.empty() ? id : name);
    node.set_parent_id(parent);
    node.set_level(t.Get(row, kTerritoryLevel));
    out->territories.push_back(std::move(node));
  }
  if (root == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": no root territory: exactly one row must have an empty ",
                                                   Quoted(t.ColumnName(kTerritoryParent))));
  }
  const int n = static_cast<int>(out->territories.size());
  for (int i = 0; i < n; ++i) {
    const std::string& parent = out->territories[i].parent_id();
    if (!parent.empty() && !index->contains(parent)) {
      return t.ValueError(t.rows()[i], kTerritoryParent,
                          absl::StrCat("is not a territory in ", file));
    }
  }
  // Every node must reach the root: walk up from each, remembering nodes known to reach it.
  std::vector<int> state(n, 0);  // 0 unknown, 1 on the current path, 2 reaches the root
  for (int start = 0; start < n; ++start) {
    std::vector<int> path;
    int node = start;
    while (node >= 0 && state[node] == 0) {
      state[node] = 1;
      path.push_back(node);
      const std::string& parent = out->territories[node].parent_id();
      node = parent.empty() ? -1 : index->at(parent);
    }
    if (node >= 0 && state[node] == 1) {
      // A cycle: report it at the member that comes first in the file.
      std::vector<int> cycle(std::find(path.begin(), path.end(), node), path.end());
      auto first = std::min_element(cycle.begin(), cycle.end());
      std::rotate(cycle.begin(), first, cycle.end());
      std::vector<std::string> ids;
      for (int c : cycle) ids.push_back(out->territories[c].id());
      ids.push_back(out->territories[cycle.front()].id());
      return t.ValueError(t.rows()[cycle.front()], kTerritoryParent,
                          absl::StrCat("makes a cycle: ", absl::StrJoin(ids, " -> ")));
    }
    for (int p : path) state[p] = 2;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Date>> OptionalDate(const Table& t, const CsvRow& row, int column) {
  std::string_view text = TrimBlanks(t.Get(row, column));
  if (text.empty()) return std::optional<Date>();
  std::optional<Date> date = ParseDate(text);
  if (!date) return t.ValueError(row, column, "is not a date");
  return date;
}

absl::Status ReadReps(const Table& t, const absl::flat_hash_map<std::string, int>& territories,
                      DemoCompany* out, absl::flat_hash_map<std::string, int>* index) {
  for (const CsvRow& row : t.rows()) {
    const std::string& id = t.Get(row, kRepId);
    if (id.empty()) return t.Error(row, kRepId, "empty");
    auto [it, inserted] = index->emplace(id, static_cast<int>(out->reps.size()));
    if (!inserted) {
      return t.Error(row, kRepId, absl::StrCat("duplicate ", Quoted(id), " (first on line ",
                                               t.rows()[it->second].line, ")"));
    }
    const std::string& territory = t.Get(row, kRepTerritory);
    if (territory.empty()) return t.Error(row, kRepTerritory, "empty");
    if (!territories.contains(territory)) {
      return t.ValueError(row, kRepTerritory, absl::StrCat("is not a territory in ", kTerritoriesFile));
    }
    absl::StatusOr<std::optional<Date>> hire = OptionalDate(t, row, kRepHireDate);
    if (!hire.ok()) return hire.status();
    absl::StatusOr<std::optional<Date>> end = OptionalDate(t, row, kRepEndDate);
    if (!end.ok()) return end.status();
    if (*hire && *end && **end < **hire) {
      return t.Error(row, kRepEndDate, absl::StrCat(FormatDate(**end), " is before the hire date ",
                                                    FormatDate(**hire)));
    }
    v1::Rep rep;
    rep.set_id(id);
    const std::string& name = t.Get(row, kRepName);
    rep.set_name(name.empty() ? id : name);
    rep.set_territory_id(territory);
    if (*hire) *rep.mutable_hire_date() = ToProto(**hire);
    if (*end) *rep.mutable_end_date() = ToProto(**end);
    out->reps.push_back(std::move(rep));
  }
  return absl::OkStatus();
}

absl::Status ReadOpportunities(const Table& t,
                               const absl::flat_hash_map<std::string, int>& territories,
                               const absl::flat_hash_map<std::string, int>& reps,
                               bool currency_known, DemoCompany* out) {
  std::string& currency = *out->header.mutable_currency_code();
  // Without a snapshot.json, the first currency the rows name is the snapshot's.
  if (!currency_known) {
    for (const CsvRow& row : t.rows()) {
      std::string code = absl::AsciiStrToUpper(AV(TrimBlanks(t.Get(row, kOppCurrency))));
      if (!code.empty()) {
        if (!IsCurrencyCode(code)) return t.ValueError(row, kOppCurrency, "is not an ISO 4217 code like \"USD\"");
        currency = code;
        break;
      }
    }
    if (currency.empty()) currency = "USD";
  }
  const int digits = CurrencyMinorDigits(currency);

  absl::flat_hash_map<std::string, int> seen;
  seen.reserve(t.rows().size());
  out->opportunities.reserve(t.rows().size());
  for (const CsvRow& row : t.rows()) {
    v1::Opportunity opp;
    const std::string& id = t.Get(row, kOppId);
    if (id.empty()) return t.Error(row, kOppId, "empty");
    if (auto [it, inserted] = seen.emplace(id, row.line); !inserted) {
      return t.Error(row, kOppId, absl::StrCat("duplicate ", Quoted(id), " (first on line ",
                                               it->second, ")"));
    }
    opp.set_id(id);
    opp.set_account_id(t.Get(row, kOppAccount));

    const std::string& owner = t.Get(row, kOppOwner);
    if (owner.empty()) return t.Error(row, kOppOwner, "empty");
    auto rep = reps.find(owner);
    if (rep == reps.end()) return t.ValueError(row, kOppOwner, absl::StrCat("is not a rep in ", kRepsFile));
    opp.set_owner_rep_id(owner);

    const std::string& territory = t.Get(row, kOppTerritory);
    if (territory.empty()) {
      opp.set_territory_id(out->reps[rep->second].territory_id());
    } else if (!territories.contains(territory)) {
      return t.ValueError(row, kOppTerritory, absl::StrCat("is not a territory in ", kTerritoriesFile));
    } else {
      opp.set_territory_id(territory);
    }
    opp.set_product(t.Get(row, kOppProduct));

    std::string code = absl::AsciiStrToUpper(AV(TrimBlanks(t.Get(row, kOppCurrency))));
    if (!code.empty() && !IsCurrencyCode(code)) {
      return t.ValueError(row, kOppCurrency, "is not an ISO 4217 code like \"USD\"");
    }
    if (!code.empty() && code != currency) {
      return t.ValueError(row, kOppCurrency,
                          absl::StrCat("differs from the snapshot's currency ", Quoted(currency)));
    }
    std::string_view amount_text = TrimBlanks(t.Get(row, kOppAmount));
    int64_t minor = 0;
    if (!amount_text.empty()) {
      std::optional<int64_t> parsed = ParseAmount(amount_text, digits);
      if (!parsed) return t.ValueError(row, kOppAmount, "is not an amount");
      minor = *parsed;
    }
    opp.mutable_amount()->set_currency_code(currency);
    opp.mutable_amount()->set_minor_units(minor);

    const std::string& stage = t.Get(row, kOppStage);
    if (TrimBlanks(stage).empty()) return t.Error(row, kOppStage, "empty");
    opp.set_stage(stage);
    StageFacts facts = FactsFromStage(stage);

    bool closed = facts.closed, won = facts.won;
    if (!TrimBlanks(t.Get(row, kOppClosed)).empty()) {
      std::optional<bool> b = ParseBool(t.Get(row, kOppClosed));
      if (!b) return t.ValueError(row, kOppClosed, "is not TRUE or FALSE");
      closed = *b;
      if (TrimBlanks(t.Get(row, kOppWon)).empty()) won = closed && facts.won;
    }
    if (!TrimBlanks(t.Get(row, kOppWon)).empty()) {
      std::optional<bool> b = ParseBool(t.Get(row, kOppWon));
      if (!b) return t.ValueError(row, kOppWon, "is not TRUE or FALSE");
      won = *b;
    }
    if (won && !closed) {
      return t.Error(row, kOppWon, absl::StrCat(Quoted(t.Get(row, kOppWon)),
                                                ", but the opportunity is not closed"));
    }
    opp.set_closed(closed);
    opp.set_won(won);

    double probability = 0;
    if (!TrimBlanks(t.Get(row, kOppProbability)).empty()) {
      std::optional<double> p = ParsePercent(t.Get(row, kOppProbability));
      if (!p) return t.ValueError(row, kOppProbability, "is not a percentage 0..100");
      probability = *p;
    } else if (std::optional<int> pct = StageProbabilityPct(stage)) {
      probability = *pct / 100.0;
    } else {
      probability = won ? 1.0 : 0.0;
    }
    opp.set_probability(probability);

    if (TrimBlanks(t.Get(row, kOppCloseDate)).empty()) return t.Error(row, kOppCloseDate, "empty");
    absl::StatusOr<std::optional<Date>> close = OptionalDate(t, row, kOppCloseDate);
    if (!close.ok()) return close.status();
    *opp.mutable_close_date() = ToProto(**close);
    absl::StatusOr<std::optional<Date>> created = OptionalDate(t, row, kOppCreatedDate);
    if (!created.ok()) return created.status();
    if (*created) *opp.mutable_created_date() = ToProto(**created);

    if (!TrimBlanks(t.Get(row, kOppCategory)).empty()) {
      std::optional<v1::ForecastCategory> category = ParseForecastCategory(t.Get(row, kOppCategory));
      if (!category) {
        return t.ValueError(row, kOppCategory,
                            "is not a forecast category (Pipeline, Best Case, Commit, Closed, Omitted)");
      }
      opp.set_forecast_category(*category);
    } else {
      opp.set_forecast_category(CategoryFrom(closed, won, probability));
    }
    out->opportunities.push_back(std::move(opp));
  }
  return absl::OkStatus();
}

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

absl::StatusOr<ColumnMapping> ParseColumnMapping(std::string_view text, std::string_view file_name) {
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
  return mapping;
}

absl::StatusOr<ColumnMapping> LoadColumnMapping(const std::string& path) {
  absl::StatusOr<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  return ParseColumnMapping(*text, std::filesystem::path(path).filename().string());
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
    fields[kOppProbability] = FormatPercent(o.probability());
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

absl::StatusOr<DemoCompany> ReadCrmExport(const std::string& directory, const ColumnMapping& mapping) {
  for (const auto& [name, header] : mapping) {
    if (absl::Status s = CheckCanonicalName(name); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("column mapping: ", s.message()));
    }
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec)) {
    return absl::NotFoundError(absl::StrCat(directory, ": no such directory"));
  }
  DemoCompany company;
  bool has_snapshot_json = false;
  if (absl::Status s = ReadSnapshotJson(directory, &company.header, &has_snapshot_json); !s.ok()) {
    return s;
  }
  if (!has_snapshot_json) {
    company.header.set_source(absl::StrCat("crm export ", directory));
  }
  bool currency_known = !company.header.currency_code().empty();

  absl::flat_hash_map<std::string, int> territory_index, rep_index;
  {
    absl::StatusOr<Table> table = Table::Read(directory, TerritoriesSpec(), mapping);
    if (!table.ok()) return table.status();
    if (absl::Status s = ReadTerritories(*table, &company, &territory_index); !s.ok()) return s;
  }
  {
    absl::StatusOr<Table> table = Table::Read(directory, RepsSpec(), mapping);
    if (!table.ok()) return table.status();
    if (absl::Status s = ReadReps(*table, territory_index, &company, &rep_index); !s.ok()) return s;
  }
  {
    absl::StatusOr<Table> table = Table::Read(directory, OpportunitiesSpec(), mapping);
    if (!table.ok()) return table.status();
    if (absl::Status s = ReadOpportunities(*table, territory_index, rep_index, currency_known, &company);
        !s.ok()) {
      return s;
    }
  }
  return company;
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
