// The pipeline report: for one period and one node of the hierarchy, every node and rep below it
// (rows as in the attainment report, see report_common.h) with its open pipeline, coverage of the
// remaining quota, pipeline created in the period, and the waterfall from a baseline snapshot.
//
// Attribution: a node counts the opportunities booked to its territory subtree; a rep counts the
// opportunities it owns — in the `now` snapshot.
//   open pipeline      deals not closed and not OMITTED with a close date in the period (slipped
//                      ones dated before the as-of date included): count, amount, amount x
//                      probability (weighted, rounded once per row), and the amount by forecast
//                      category (commit, best case, pipeline; an open deal in another category,
//                      e.g. UNSPECIFIED, is in the total but in none of the three).
//   remaining quota    with a plan: the row's quota for the period (the plan's allocation for the
//                      node or rep id, as the attainment report reads it; 0 without one) minus the
//                      closed-won with a close date in the period up to the as-of date, at least 0.
//                      coverage = open pipeline / remaining quota, 0 when the remaining quota is 0.
//                      Without a plan both are left unset.
//   created            deals with a created date in the period up to the as-of date, in any state
//                      (OMITTED and closed included): count and amount now.
//
// Waterfall (with a baseline snapshot; unset without one). A deal is matched across the snapshots
// by its opportunity id (Deal::key). "In the pipeline" means what the open pipeline above means,
// in the snapshot in question, for the same period; a0 is the deal's amount at the baseline, a1
// now. Each deal lands in the row(s) of its CURRENT owner and territory; a deal no longer in the
// `now` snapshot lands in the rows of its BASELINE owner and territory (the rep by id when the rep
// is still in the hierarchy; the territory, or its nearest ancestor still in the hierarchy). So a
// row's `starting` is the baseline pipeline of the deals the row holds now, which differs from
// the row's own pipeline at the baseline when deals changed hands; the top row of a report on the
// root is the whole baseline pipeline.
//   In the pipeline at the baseline (starting += a0), then:
//     in it now                              increased / decreased by a1 - a0, ending += a1
//     now open, close date outside the period pushed_out += a0
//     now closed, close date outside it       pushed_out += a0
//     now closed won / lost in the period     won / lost += a0
//     now OMITTED, still open in the period   decreased += a0 (its pipeline amount fell to 0)
//     gone from the snapshot (deleted in the  lost += a0 (the "deleted" term, folded into lost:
//     CRM)                                    pipeline that went without being won)
//   Not in the baseline snapshot at all ("new", whatever its created date says), then:
//     in the pipeline now                     new_pipeline += a1, ending += a1
//     now closed won / lost in the period     new_pipeline += a1 and won / lost += a1 (a1 stands
//                                             for the amount at creation: there is no snapshot of
//                                             it; the proto's "open now" for new_pipeline is
//                                             widened so that won/lost can include deals created
//                                             since and the identity still holds)
//   In the baseline but not in its pipeline, and in the pipeline now (ending += a1):
//     open and OMITTED in the period then    increased += a1 (back in the forecast)
//     otherwise (dated outside the period,   pulled_in += a1
//     or closed then and reopened since)
//   Anything else is not part of the waterfall; in particular a deal outside the period's pipeline
//   at the baseline that closed in the period since counts in neither won nor lost (the proto's
//   won/lost take deals in the pipeline at the baseline or created since).
// Every deal's terms satisfy starting + new + pulled_in - pushed_out + increased - decreased - won
// - lost = ending on their own, so every row's waterfall does, exactly, and every row's ending is
// its open pipeline. Closed deals count as won/lost/pushed out by their close date against the
// whole period (a closed deal's close date is never after its snapshot's as-of date).
#ifndef SALESOPS_SERVICES_REPORTING_PIPELINE_H_
#define SALESOPS_SERVICES_REPORTING_PIPELINE_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/calendar.h"
#include "salesops/v1/quota.pb.h"
#include "salesops/v1/reporting.pb.h"
#include "services/reporting/snapshot.h"

namespace salesops::reporting {

// NotFound for an unknown node; FailedPrecondition when the plan's fiscal year/currency do not
// match the period/snapshot (plan may be null: no coverage), or when the baseline's currency is not
// the snapshot's. baseline may be null: no waterfall. The period is read with `now`'s fiscal
// calendar for both snapshots.
absl::StatusOr<v1::PipelineReportResponse> BuildPipelineReport(const Snapshot& now,
                                                               const Snapshot* baseline,
                                                               const v1::Plan* plan,
                                                               const FiscalPeriod& period,
                                                               const std::string& node_id);

}  // namespace salesops::reporting

#endif  // SALESOPS_SERVICES_REPORTING_PIPELINE_H_
