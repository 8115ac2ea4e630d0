// The KPI report: for one period and one node of the hierarchy, every node and rep below it (rows
// as in the attainment report, see report_common.h) with the period's win rate, average deal size,
// sales cycle and sales velocity, the same figures for the prior period, and the change.
//
// Attribution: a node counts the opportunities booked to its territory subtree; a rep counts the
// opportunities it owns (as the snapshot has them now, also for the prior period).
//
// The figures of a period, per row:
//   closed deals   closed (won or lost, any forecast category) with a close date in the period up
//                  to the snapshot's as-of date
//   win_rate       won / closed by count, 0..1; 0 without closed deals
//   average deal   won amount / won count, rounded to a minor unit; 0 without won deals
//   sales cycle    mean of (close date - created date) in days over the won deals (a deal dated
//                  as closed before it was created counts 0 days); 0 without won deals
//   velocity       open deals now (not closed, not OMITTED) with a close date in the period, by
//                  count, x win_rate x (won amount / won count) / sales cycle, rounded to a minor
//                  unit per day; 0 when the sales cycle is 0. For the prior period that is the
//                  deals still open now with a close date in the prior period (slipped ones), as
//                  for any period: the snapshot does not say what was open back then.
// The prior period is the period of the same type just before (the quarter before a quarter —
// Q4 of the previous fiscal year before Q1 —, the month before a month, the year before a year).
// Changes are current - prior: win rate as a fraction (0.1 = ten points), average deal size and
// velocity in minor units of the rounded figures, cycle in days.
#ifndef SALESOPS_SERVICES_REPORTING_KPI_H_
#define SALESOPS_SERVICES_REPORTING_KPI_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/calendar.h"
#include "salesops/v1/reporting.pb.h"
#include "services/reporting/snapshot.h"

namespace salesops::reporting {

// NotFound for an unknown node.
absl::StatusOr<v1::KpiReportResponse> BuildKpiReport(const Snapshot& snapshot,
                                                     const FiscalPeriod& period,
                                                     const std::string& node_id);

// The period of the same type just before `period`.
FiscalPeriod PriorPeriod(const FiscalPeriod& period);

}  // namespace salesops::reporting

#endif  // SALESOPS_SERVICES_REPORTING_KPI_H_
