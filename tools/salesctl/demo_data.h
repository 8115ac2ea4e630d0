// A synthetic but realistic company for demos, tests and benchmarks: territory hierarchy, reps and
// three fiscal years of opportunities, the same on every machine for the same options.
//
// The company, "Acme Cloud", has 4 regions and 13 territories below them, 40 reps (a few still
// ramping, two who have left) and four products with different deal sizes. Bookings grow 15-25% a
// year, fiscal Q4 is the heaviest quarter and Q1 the lightest, a good share of deals close in the
// last two weeks of a quarter, about a quarter of closed deals are won (varying by rep and
// product), and the open pipeline runs up to two quarters past the as-of date, with a few slipped
// deals whose close date has already passed.
#ifndef SALESOPS_TOOLS_SALESCTL_DEMO_DATA_H_
#define SALESOPS_TOOLS_SALESCTL_DEMO_DATA_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/calendar.h"
#include "common/proto_convert.h"
#include "salesops/v1/reporting.pb.h"
#include "salesops/v1/types.pb.h"

namespace salesops::salesctl {

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

// The proto's Date as a calendar date; an unset or invalid one converts to an invalid Date (!ok()).
// (ToProto in common/proto_convert.h converts the other way.)
Date FromProtoDate(const v1::Date& date);
// True when the proto date is set (year != 0).
inline bool IsSet(const v1::Date& date) { return date.year() != 0; }

// Number of digits of a currency's minor unit: 2 for most (USD cents), 0 for JPY, KRW and a few
// others, 3 for BHD, KWD, OMR, JOD, TND, IQD and LYD.
int CurrencyMinorDigits(std::string_view currency_code);

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
