// A CRM export on disk: the CSV files a CRM (or a spreadsheet) produces, plus a small JSON header.
//
//   territories.csv    Territory ID, Territory Name, Parent Territory ID, Level
//   reps.csv           User ID, Full Name, Territory ID, Hire Date, End Date   (or users.csv)
//   opportunities.csv  Opportunity ID, Account Name, Opportunity Owner, Territory, Product, Amount,
//                      Currency, Stage, Probability (%), Close Date, Created Date,
//                      Forecast Category, Closed, Won                           (or deals.csv)
//   snapshot.json      {"as_of": "2026-11-27", "currency": "USD", "fiscal_start_month": 2,
//                       "source": "..."}                                       (optional)
//
// WriteCrmExport writes amounts in major units with the currency's decimals ("12500.00"),
// probabilities in percent, dates YYYY-MM-DD, booleans TRUE/FALSE and forecast categories as CRMs
// write them ("Pipeline", "Best Case", "Commit", "Closed", "Omitted").
//
// Reading is forgiving about form and strict about content.
//  - Headers match case-insensitively, ignoring spaces and punctuation, with the common variants
//    of Salesforce and HubSpot reports accepted ("Owner ID" or "Deal Owner" for "Opportunity
//    Owner", "Deal Stage" for "Stage", "Create Date" for "Created Date", "Amount Currency" for
//    "Currency"...; AcceptedHeaders() lists them), and a ColumnMapping names any other header.
//    Columns nobody asked for ("Opportunity Name", "Type"...) are ignored.
//  - Amounts may carry thousands separators, a currency symbol ($ or the euro,
//    pound or yen sign) or
//    accounting parentheses for negatives: "12,500.00", "$12500", "(1,234.00)". An empty amount
//    is 0.
//  - Dates (see ParseCrmDate): 2026-03-01, 2026/03/01, 2026.03.01 (with or without a time after
//    them); 3/1/2026 or 1/3/2026 (month or day first, see DateOrder); 1.3.2026 (day first);
//    1 Mar 2026, 1-Mar-2026, Mar 1 2026, March 1, 2026. Two-digit years are not accepted.
//  - Booleans: TRUE/FALSE, T/F, yes/no, Y/N, 1/0, any case.
//  - Probabilities: percent 0..100 ("60", "60%"), or fractions 0..1 when every value in the file
//    is between 0 and 1 and one of them is not 0 or 1 (HubSpot's "Deal probability"; a note says
//    so).
//  - Opportunity owners are reps' User IDs, or their Full Names when those are unique (a CRM
//    report names the owner); territories are ids or unique names.
// Any bad value or broken reference is an InvalidArgument error naming the file, the physical
// line the cell is on (the header is line 1; line breaks inside quoted fields count) and the
// column (1-based index and the file's own header):
//   opportunities.csv:1234: column 6 "Amount": "12,3x" is not an amount
// Up to ImportOptions::max_errors errors are collected before reading stops, one per line of the
// message, followed by the count; nothing is returned when there is any: an export is imported
// whole or not at all.
#ifndef SALESOPS_TOOLS_SALESCTL_CRM_CSV_H_
#define SALESOPS_TOOLS_SALESCTL_CRM_CSV_H_

#include <cstdint>
#include <functional>
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
//
// A column mapping file (salesctl import --mapping FILE) has one mapping per line:
//
//   # Our Salesforce report
//   opportunity_owner = Opportunity Owner: User ID
//   reps.territory_id = "Sales Territory"     # quotes keep spaces at the ends
//   amount            = Deal Value
//
// Blank lines and lines starting with '#' are ignored; the header is everything after the first
// '=', trimmed (a header containing '#' needs no escaping).
using ColumnMapping = std::map<std::string, std::string>;

// Where a ColumnMapping came from, so that errors about it name the mapping file and line.
struct ColumnMappingSource {
  std::string file;                         // "mapping.txt"
  std::map<std::string, int> lines;         // canonical name -> line
};

// Every canonical column name, qualified by its file ("opportunities.close_date").
std::vector<std::string> CanonicalColumnNames();
// The headers recognised without a mapping for a qualified canonical name, in order of
// preference; empty for an unknown name.
std::vector<std::string> AcceptedHeaders(std::string_view qualified_name);

// Parses a column mapping (format above). InvalidArgument naming `file_name` and the line for a
// malformed line, an unknown canonical name or a name mapped twice. Fills `source` when given.
absl::StatusOr<ColumnMapping> ParseColumnMapping(std::string_view text, std::string_view file_name,
                                                 ColumnMappingSource* source = nullptr);
// Reads and parses a column mapping file.
absl::StatusOr<ColumnMapping> LoadColumnMapping(const std::string& path,
                                                ColumnMappingSource* source = nullptr);

// Writes territories.csv, reps.csv, opportunities.csv and snapshot.json into `directory`, creating
// it if needed. Each file is written to a temporary name and renamed into place.
absl::Status WriteCrmExport(const DemoCompany& company, const std::string& directory);

// How to read dates written with slashes or dashes and the year last (03/04/2026).
enum class DateOrder {
  kAuto,        // from the export: day first if some such date can only be day first (13/04/2026),
                // month first if some can only be month first (04/13/2026), else month first (US)
                // with a note; both at once is an error
  kMonthFirst,  // M/D/YYYY
  kDayFirst,    // D/M/YYYY
};
// "auto", "mdy"/"us", "dmy"/"eu"; nullopt for anything else.
std::optional<DateOrder> ParseDateOrder(std::string_view text);

// Parses a date in one of the formats listed at the top of this file; `order` (kAuto reads month
// first) decides 03/04/2026. nullopt when it is not a valid calendar date in 1900..2200.
std::optional<Date> ParseCrmDate(std::string_view text, DateOrder order);

// TRUE/FALSE, T/F, yes/no, Y/N, 1/0 in any case; nullopt for anything else.
std::optional<bool> ParseCrmBool(std::string_view text);

struct ImportOptions {
  ColumnMapping mapping;
  ColumnMappingSource mapping_source;  // empty when the mapping is not from a file
  // Overrides snapshot.json's as_of (and sets it when there is no snapshot.json).
  std::optional<Date> as_of;
  // The snapshot's currency (ISO 4217). Must agree with snapshot.json's and the rows' when they
  // name one; without it, snapshot.json's, else the first the rows name, else USD.
  std::string currency;
  DateOrder date_order = DateOrder::kAuto;
  // Errors collected before reading stops (at least 1).
  int max_errors = 20;
  // Called as rows are checked: (rows checked, rows in all three files). The CSV files are parsed
  // first, so `total` is known from the first call.
  std::function<void(int64_t done, int64_t total)> progress;
};

// A validated export.
struct CrmImport {
  DemoCompany company;
  std::string directory;
  // The files read, in order: territories, reps, opportunities ("users.csv" when reps.csv was not
  // there).
  std::vector<std::string> files;
  // Where as_of came from: "snapshot.json", "--as-of", or "" when it is not set.
  std::string as_of_from;
  // How ambiguous input was read (the date order, fractional probabilities, owners matched by
  // name...), for the user to check.
  std::vector<std::string> notes;
};

// Reads and validates a whole export. Every row of every file is checked before anything is
// returned; on errors, InvalidArgument (NotFound for a missing directory or file when that is the
// only error) with up to `max_errors` of them, one per line:
//   opportunities.csv:3: column 6 "Amount": "12,3x" is not an amount
//   opportunities.csv:9: column 10 "Close Date": "2026-02-30" is not a date
//   2 errors; nothing was imported
// (a single error is just its line).
absl::StatusOr<CrmImport> ImportCrmExport(const std::string& directory, const ImportOptions& options);

// ImportCrmExport with only a mapping, returning the company. snapshot.json is optional: without
// it the header's as_of and calendar are unset (for the caller to fill in), the currency is the one
// the opportunities' Currency column uses (USD when there is none) and the source names the
// directory. Optional columns, when absent or empty: Territory Name and Full Name default to the
// id, Territory to the owner's territory, Closed and Won come from the stage ("Closed Won",
// "Closed Lost"), Probability from the stage when it is one of DemoStages() (else 100 won, 0 lost,
// 0 open), and Forecast Category from the rest (won CLOSED, lost OMITTED, open by probability:
// >= 70% COMMIT, >= 50% BEST_CASE, else PIPELINE). An empty Amount is 0.
absl::StatusOr<DemoCompany> ReadCrmExport(const std::string& directory,
                                          const ColumnMapping& mapping = {});

// What `salesctl import` prints: counts, as-of, currency, date ranges, count and amount by stage
// (open stages by probability, then won, then lost), and the import's notes.
std::string ImportSummaryText(const CrmImport& import);

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
