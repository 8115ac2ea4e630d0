// Landing history: what became of the deals a CRM showed open at past dates.
//
// The landing forecast (ForecastService.ForecastLanding) calibrates each open deal's chance of being
// won within the period on history: deals seen open at past observation dates, expected to close by
// the end of that date's period, and what became of them (won in the period, won later, lost, still
// open), plus how much business not yet in the pipeline then was won in the period. A CRM export
// only shows each deal's current state, so this history comes from comparing snapshots taken over
// time: a past one (what was open then) with a later one (what became of it).
//
// Everything here works on plain opportunity lists, so the demo (with its generated past views,
// CompanyAsOf in demo_data.h) and the reporting service (with its stored weekly snapshots) share
// it. It knows nothing of how the snapshots were made.
//
// No look-ahead: an example's outcome is read from the `latest` snapshot it is given. For a
// forecast as of a date d, the latest snapshot must be the one of d, and only observation dates
// whose period ended before d may be used; BuildLandingRequest does both.
#ifndef SALESOPS_TOOLS_SALESCTL_LANDING_HISTORY_H_
#define SALESOPS_TOOLS_SALESCTL_LANDING_HISTORY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/calendar.h"
#include "salesops/v1/forecasting.pb.h"
#include "salesops/v1/types.pb.h"

namespace salesops::salesctl {

// The opportunities of one CRM snapshot and the date it was taken. Does not own them.
struct PipelineSnapshot {
  Date as_of;
  std::span<const v1::Opportunity> opportunities;
};

// Which opportunities count (for example those of one territory subtree); empty: all of them.
using DealFilter = std::function<bool(const v1::Opportunity&)>;

// True for a deal in play: open and not in the OMITTED (or CLOSED) forecast category.
bool InPlay(const v1::Opportunity& opportunity);

// The opportunity as the landing forecast sees it.
v1::LandingDeal ToLandingDeal(const v1::Opportunity& opportunity);

// What became of a deal that was open and expected to close by `period`'s end, as a later
// snapshot shows it (`later`: the same deal there; null when it is no longer in the CRM, which
// counts as LOST). Won with a close date inside the period: WON_IN_PERIOD; after it: WON_LATER;
// before it (only for a period after the observation date's): LOST, as it booked nothing in that
// period; lost: LOST; still open: STILL_OPEN. Meaningful only when the later snapshot was taken
// after the period ended.
v1::DealOutcome OutcomeOf(const v1::Opportunity* later, const DateRange& period);

// Whether a deal open at an observation date is one the landing forecast for `period` considers:
// in play, with an expected close on or before the period's end (past-due ones included) and, when
// the period starts after the observation date, on or after its start.
bool ClosesBy(const v1::Opportunity& opportunity, Date observed_on, const DateRange& period);

// The history one past observation gives.
struct LandingObservation {
  // Each deal in play in `past` (and in scope) that ClosesBy the period, with its outcome.
  std::vector<v1::LandingExample> examples;
  // Won inside the period, per `latest`, by deals created after past.as_of.
  v1::NewBusinessExample new_business;
};

// Compares a past snapshot with a later one for `period` (the fiscal period containing
// past.as_of, or a later one). InvalidArgument when latest.as_of is before past.as_of or the period
// ended before past.as_of. The caller decides whether the outcomes are final: they are as of
// latest.as_of (see OutcomeOf).
absl::StatusOr<LandingObservation> ObserveLanding(const PipelineSnapshot& past,
                                                  const PipelineSnapshot& latest,
                                                  const DateRange& period,
                                                  std::string_view currency_code,
                                                  const DealFilter& in_scope = {});

// The same, with the latest snapshot already indexed by id (for many past snapshots against one
// latest snapshot).
class LatestSnapshot {
 public:
  // Keeps a reference to the opportunities: they must outlive this object.
  explicit LatestSnapshot(const PipelineSnapshot& snapshot);
  Date as_of() const { return snapshot_.as_of; }
  std::span<const v1::Opportunity> opportunities() const { return snapshot_.opportunities; }
  // The opportunity with that id, or null.
  const v1::Opportunity* Find(std::string_view id) const;

 private:
  PipelineSnapshot snapshot_;
  // Indexes into the snapshot, sorted by id.
  std::vector<int32_t> by_id_;
};

absl::StatusOr<LandingObservation> ObserveLanding(const PipelineSnapshot& past,
                                                  const LatestSnapshot& latest,
                                                  const DateRange& period,
                                                  std::string_view currency_code,
                                                  const DealFilter& in_scope = {});

// The ids of `node_id` and of every node below it in the territory tree. "" means the root. 
// InvalidArgument when no node has that id.
absl::StatusOr<std::vector<std::string>> SubtreeIds(std::span<const v1::TerritoryNode> territories,
                                                    std::string_view node_id);

// A filter keeping the opportunities booked to one of `territory_ids`.
DealFilter TerritoryFilter(std::vector<std::string> territory_ids);

// The fiscal period of `kind` containing `date`, moved `offset` periods on (0: that one, 1: the
// next...).
DateRange PeriodAround(Date date, PeriodKind kind, int offset, int start_month);

// The CRM's opportunities as they stood on (or shortly before) a past date: a stored snapshot or a
// generated view. `as_of` is the date of the snapshot returned (the date asked for, or the latest
// snapshot before it); NotFound when there is none, and that observation date is skipped.
struct OwnedSnapshot {
  Date as_of;
  std::vector<v1::Opportunity> opportunities;
};
using SnapshotSource = std::function<absl::StatusOr<OwnedSnapshot>(Date date)>;

// The current snapshot and what it is about.
struct LandingContext {
  // "Today" and the CRM as it stands today.
  PipelineSnapshot current;
  std::span<const v1::TerritoryNode> territories;
  std::string currency_code;
  // The fiscal calendar's first month, 1..12 (0 means January).
  int fiscal_start_month = 1;
};

struct LandingRequestOptions {
  // The period forecast: the fiscal period of this kind containing the as-of date, moved
  // `period_offset` on (0: the current one, 1: the next one). Past observations use the same
  // relation to their own dates.
  PeriodKind period_kind = PeriodKind::kQuarter;
  int period_offset = 0;
  // History: observation dates every `observation_step_days` back from the as-of date, as far as
  // the start of the fiscal quarter `history_quarters` quarters before the current one; only those
  // whose period ended before the as-of date are used. 0 quarters: no history.
  int history_quarters = 6;
  int observation_step_days = 7;
  // Copied into the request.
  std::optional<int64_t> quota_minor_units;
  int32_t simulations = 0;
  uint64_t seed = 0;
};

// A ForecastLandingRequest for each node (a territory-tree node id; "" for the whole company) as
// of context.current.as_of: the open deals in play that could close in the period, closed-won so
// far in the period, and the history of every observation date, whose snapshots come from
// `past` (asked once per date, shared by the nodes) and whose outcomes are read from the current
// snapshot, so nothing after the as-of date is used. InvalidArgument for a bad option or an
// unknown node; errors other than NotFound from `past` are returned.
absl::StatusOr<std::vector<v1::ForecastLandingRequest>> BuildLandingRequests(
    const LandingContext& context, const SnapshotSource& past,
    std::span<const std::string> node_ids, const LandingRequestOptions& options);

// The same for one node.
absl::StatusOr<v1::ForecastLandingRequest> BuildLandingRequest(
    const LandingContext& context, const SnapshotSource& past, std::string_view node_id,
    const LandingRequestOptions& options);

}  // namespace salesops::salesctl

#endif  // SALESOPS_TOOLS_SALESCTL_LANDING_HISTORY_H_
