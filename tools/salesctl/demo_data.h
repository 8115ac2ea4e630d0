// A synthetic but realistic company for demos, tests and benchmarks: territory hierarchy, reps and
// three fiscal years of opportunities, the same on every machine for the same options.
//
// The company, "Acme Cloud", has 4 regions and 13 territories below them, 40 reps (a few still
// ramping, two who have left) and four products with different deal sizes. Bookings grow 15-25% a
// year, fiscal Q4 is the heaviest quarter and Q1 the lightest, a good share of deals close in the
// last two weeks of a quarter, about a quarter of closed deals are won (varying by rep and
// product), and the open pipeline runs up to two quarters past the as-of date, with a few slipped
// deals whose close date has already passed.
//
// Every generated opportunity also has a history (the dates it entered each stage, how its expected
// close date was pushed out and its amount revised), so CompanyAsOf can show the CRM as it stood on
// any past date: what weekly snapshots would have shown, for uploading past snapshots and for
// backtesting the landing forecast (see landing_history.h).
#ifndef SALESOPS_TOOLS_SALESCTL_DEMO_DATA_H_
#define SALESOPS_TOOLS_SALESCTL_DEMO_DATA_H_

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/calendar.h"
#include "common/money.h"  // CurrencyMinorDigits
#include "common/proto_convert.h"
#include "salesops/v1/reporting.pb.h"
#include "salesops/v1/types.pb.h"
#include "tools/salesctl/landing_history.h"

namespace salesops::salesctl {

// How one generated opportunity evolved up to the company's as-of date, in day numbers
// (DayNumber()). Its state on a day `d` (created <= d) is: the final state once d >= closed_on;
// before that, open in the last stage entered on or before d, with the expected close date and
// amount of the last step starting on or before d.
struct OpportunityHistory {
  static constexpr int32_t kNever = std::numeric_limits<int32_t>::max();
  static constexpr int kOpenStages = 5;      // Prospecting .. Negotiation
  static constexpr int kMaxCloseDates = 6;   // the first expected close date and up to 5 pushes
  static constexpr int kMaxAmounts = 3;      // the first amount and up to 2 revisions

  // A value that holds from `from` (a day number) until the next step.
  struct Step {
    int32_t from = 0;
    int64_t value = 0;
  };

  int32_t created = 0;
  // The day it was closed won or lost; kNever while it is open (at the company's as-of date).
  int32_t closed_on = kNever;
  // The day it entered each open stage (indexes into DemoStages()); stage 0 on the created date,
  // kNever for stages it never reached. Non-decreasing: no stage is skipped or revisited.
  std::array<int32_t, kOpenStages> stage_entered{};
  // Expected close dates (value: a day number), oldest first; the first from the created date.
  // Each later one is a push to a later date.
  int close_date_count = 0;
  std::array<Step, kMaxCloseDates> close_dates{};
  // Amounts in minor units, oldest first; the first from the created date, the last the final one.
  int amount_count = 0;
  std::array<Step, kMaxAmounts> amounts{};

  // The open stage on `day` (>= created): an index into DemoStages().
  int OpenStageOn(int day) const;
  // The expected close date (a day number) the CRM showed on `day` (>= created, < closed_on).
  int ExpectedCloseOn(int day) const;
  // The amount (minor units) the CRM showed on `day` (>= created).
  int64_t AmountOn(int day) const;
  // Number of times the expected close date was pushed out.
  int Pushes() const { return close_date_count - 1; }
};

// The histories of a generated company's opportunities.
struct DemoHistory {
  // The first day whose view is complete: the start of the generated history (deals that closed
  // before it were never generated, so earlier views would miss them).
  Date complete_from{};
  // The history of the company's opportunities[i] at index i.
  std::vector<OpportunityHistory> opportunities;
};

// A snapshot of a company's CRM: what `salesctl demo` generates, what a CRM export directory holds
// and what UploadSnapshot sends.
struct DemoCompany {
  v1::SnapshotHeader header;
  // The root first, then regions, then territories.
  std::vector<v1::TerritoryNode> territories;
  // Sorted by id.
  std::vector<v1::Rep> reps;
  // Sorted by id (ids grow with the created date).
  std::vector<v1::Opportunity> opportunities;
  // For a generated company and its past views (shared, never modified); null for a company read
  // from an export. A view's opportunities are a prefix of the company's.
  std::shared_ptr<const DemoHistory> history;
};

// Number of opportunities at scale 1.
inline constexpr int kDemoBaseOpportunityCount = 5000;

struct DemoOptions {
  // The snapshot's date ("today"). Required: the default (invalid) date is rejected.
  Date as_of{};
  // Seed of the pseudo-random generator; the same options give the same company.
  uint64_t seed = 42;
  // Calendar month in which the fiscal year starts, 1..12 (February by default).
  int fiscal_start_month = 2;
  // ISO 4217 code of every amount.
  std::string currency = "USD";
  // Fiscal years of closed deals, counting the current one (which runs up to as_of): 3 gives the
  // two previous fiscal years complete plus the current one. 1..10.
  int history_years = 3;
  // Multiplies the number of opportunities: exactly round(kDemoBaseOpportunityCount * scale),
  // at least 1 (scale 20 gives 100,000). The hierarchy and reps do not depend on it. (0, 400].
  double scale = 1.0;
};

// Generates the company. InvalidArgument naming the option when an option is out of range.
absl::StatusOr<DemoCompany> GenerateDemoCompany(const DemoOptions& options);

// The CRM as it stood on `date` (on or before company.header.as_of): only the opportunities created
// on or before it, those closed later shown open with the stage, forecast category, probability,
// amount and expected close date they had then; reps hired later left out, reps who left later
// present without an end date; header.as_of = date. The view keeps the history, so views of
// earlier dates can be taken from it. Linear in the number of opportunities created by `date`.
// InvalidArgument for an invalid date or one after the company's as-of date; OutOfRange for one
// before history->complete_from; FailedPrecondition when an earlier date is asked of a company
// without (matching) history.
absl::StatusOr<DemoCompany> CompanyAsOf(const DemoCompany& company, Date date);

// CompanyAsOf as a landing-history snapshot source (landing_history.h): dates before the history
// is complete give NotFound, so BuildLandingRequest skips them. `company` must outlive it.
SnapshotSource DemoSnapshotSource(const DemoCompany& company);

// The dates of past weekly snapshots: as_of - 7, as_of - 14, ... back `weeks` weeks, newest first.
std::vector<Date> WeeklySnapshotDates(Date as_of, int weeks);

// Writes CompanyAsOf(company, date) for each date as a CRM export into `directory`/YYYY-MM-DD/
// (WriteCrmExport's format), for uploading a company's past. Dates before the history is complete
// are skipped. Returns the number written.
absl::StatusOr<int> WritePastSnapshots(const DemoCompany& company, const std::vector<Date>& dates,
                                       const std::string& directory);

// The proto's Date as a calendar date; an unset or invalid one converts to an invalid Date (!ok()).
// (ToProto in common/proto_convert.h converts the other way.)
Date FromProtoDate(const v1::Date& date);
// True when the proto date is set (year != 0).
inline bool IsSet(const v1::Date& date) { return date.year() != 0; }

// The CRM stage names the demo uses, with their probability in percent and forecast category.
struct StageInfo {
  const char* name;
  int probability_pct;
  v1::ForecastCategory category;
};
// Prospecting, Qualification, Needs Analysis, Proposal, Negotiation, Closed Won, Closed Lost.
const std::vector<StageInfo>& DemoStages();

}  // namespace salesops::salesctl

#endif  // SALESOPS_TOOLS_SALESCTL_DEMO_DATA_H_
