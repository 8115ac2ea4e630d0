// A CRM export on disk: the CSV files a CRM (or a spreadsheet) produces, plus a small JSON header.
//
//   territories.csv    Territory ID, Territory Name, Parent Territory ID, Level
//   reps.csv           User ID, Full Name, Territory ID, Hire Date, End Date
//   opportunities.csv  Opportunity ID, Account Name, Opportunity Owner, Territory, Product, Amount,
//                      Currency, Stage, Probability (%), Close Date, Created Date,
//                      Forecast Category, Closed, Won
//   snapshot.json      {"as_of": "2026-11-27", "currency": "USD", "fiscal_start_month": 2,
//                       "source": "..."}
//
// Amounts are in major units with the currency's decimals ("12500.00"), probabilities in percent,
// dates YYYY-MM-DD, booleans TRUE/FALSE and forecast categories as CRMs write them ("Pipeline",
// "Best Case", "Commit", "Closed", "Omitted").
//
// Reading is forgiving about form and strict about content. Headers match case-insensitively and
// ignoring spaces and punctuation, with common variants accepted ("Owner ID" for "Opportunity
// Owner", "Probability" for "Probability (%)"), and a ColumnMapping names any other header.
// Amounts may carry thousands separators, a currency symbol or accounting parentheses; dates may be
// YYYY-MM-DD, YYYY/MM/DD or M/D/YYYY. But any bad value or broken reference fails the whole read
// with InvalidArgument naming the file, line and column, e.g.
//   opportunities.csv:57: column "Close Date": "2026-13-01" is not a date
// and nothing is returned: an export is imported whole or not at all.
#ifndef SALESOPS_TOOLS_SALESCTL_CRM_CSV_H_
#define SALESOPS_TOOLS_SALESCTL_CRM_CSV_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tools/salesctl/demo_data.h"

namespace salesops::salesctl {

inline constexpr char kTerritoriesFile[] = "territories.csv";
inline constexpr char kRepsFile[] = "reps.csv";
inline constexpr char kOpportunitiesFile[] = "opportunities.csv";
inline constexpr char kSnapshotFile[] = "snapshot.json";

// Our canonical column name -> the header the files use instead. Canonical names are our headers
// in snake case: "opportunity_owner", "close_date", "probability", "territory_id"... A name may be
// qualified by the file it applies to ("reps.territory_id"); unqualified, it applies to every file
// with that column. CanonicalColumnNames() lists them.
using ColumnMapping = std::map<std::string, std::string>;

// Every canonical column name, qualified by its file ("opportunities.close_date").
std::vector<std::string> CanonicalColumnNames();

// Parses a column mapping: one `canonical_name = File Header` per line (the header may be
// quoted); blank lines and lines starting with '#' are ignored. InvalidArgument naming
// `file_name` and the line for a malformed line, an unknown canonical name or a name mapped twice.
absl::StatusOr<ColumnMapping> ParseColumnMapping(std::string_view text, std::string_view file_name);
// Reads and parses a column mapping file.
absl::StatusOr<ColumnMapping> LoadColumnMapping(const std::string& path);

// Writes territories.csv, reps.csv, opportunities.csv and snapshot.json into `directory`, creating
// it if needed. Each file is written to a temporary name and renamed into place.
absl::Status WriteCrmExport(const DemoCompany& company, const std::string& directory);

// Reads an export written by WriteCrmExport or by a CRM. snapshot.json is optional: without it
// the header's as_of and calendar are unset (for the caller to fill in), the currency is the one
// the opportunities' Currency column uses (USD when there is none) and the source names the
// directory. Optional columns, when absent or empty: Territory Name and Full Name default to the
// id, Territory to the owner's territory, Closed and Won come from the stage ("Closed Won",
// "Closed Lost"), Probability from the stage when it is one of DemoStages() (else 100 won, 0 lost,
// 0 open), and Forecast Category from the rest (won CLOSED, lost OMITTED, open by probability:
// >= 70% COMMIT, >= 50% BEST_CASE, else PIPELINE). An empty Amount is 0.
absl::StatusOr<DemoCompany> ReadCrmExport(const std::string& directory,
                                          const ColumnMapping& mapping = {});

// Value formats, exposed for salesctl's other commands and for tests.
// Parses an amount in major units into minor units of a currency with `minor_digits` decimals:
// "12500", "12,500.00", "$12500", "-1,234.5", "(1,234.00)" (negative). Extra decimals are rounded
// half away from zero. nullopt when it is not an amount or does not fit in 64 bits.
std::optional<int64_t> ParseAmount(std::string_view text, int minor_digits);
// Formats minor units as major units with `minor_digits` decimals, e.g. "12500.00", "-0.05".
std::string FormatAmount(int64_t minor_units, int minor_digits);
// "Pipeline", "Best Case", "Commit", "Closed", "Omitted"; "" for UNSPECIFIED.
std::string ForecastCategoryName(v1::ForecastCategory category);
// Accepts those names in any case and spacing, and the enum's names ("FORECAST_CATEGORY_COMMIT").
std::optional<v1::ForecastCategory> ParseForecastCategory(std::string_view text);

}  // namespace salesops::salesctl

#endif  // SALESOPS_TOOLS_SALESCTL_CRM_CSV_H_
