// What RenderReport draws, from a snapshot and the reports built from it: the page's title and
// facts, and the forecast fan chart of the report's top row. Pure: no clock, no I/O.
//
// The fan chart (BuildFanChart), for the attainment report's period and its top row (the report's
// node, rows(0)); days are DayNumbers, "as-of" A is the snapshot's as-of day, the period runs from
// its first day F to its last day L, and "so far" S = min(A, L):
//   - one label per calendar month of the period ("Oct", "Nov", "Dec"), every month, so the axis
//     always spans the whole period (plus the end date's, see below);
//   - history: one point per month that has started by the as-of date (first day <= A), the
//     closed-won bookings of the top row accumulated from F to the end of that month, or to A for
//     the month containing A ("as of today"). A deal counts when it is won, its close date lies in
//     [F, S], and its territory lies in the top row's subtree (ReportRows::ForEachRowOf reaches
//     row 0) — the same deals as the row's closed_won;
//   - forecast: one point per month ending after the as-of date (the months after A's month, or
//     every month for a period not started yet), from the top row's landing. With C the
//     closed-won to date (the last history point; 0 before the period; the row's closed_won when
//     the snapshot's hierarchy does not know the row), D0 = max(A, F - 1) the last day
//     already known (the day before the period when it has not started) and E the month's last
//     day, the point is
//         C + (Pxx - C) * (E - D0) / (L - D0)        for Pxx = P10, P50, P90,
//     i.e. the rest of the landing accrues evenly over the period's remaining days, and the last
//     month ends exactly on the landing's percentile. When the as-of date lies in the period's last
//     month before its end (as in a one-month period under way), that month is history, so one more
//     point is added at L (share 1) with a label of its own, the date ("Jan 31"), after the months;
//   - a period entirely in the past (L <= A) has only history (no forecast points); one entirely
//     in the future (A < F) only forecast points; a top row without a landing only history;
//   - quota: the top row's quota; currency: the report's; title "FY2027 Q4 bookings, cumulative".
// Amounts are minor units, as doubles (FanChart's convention).
#ifndef SALESOPS_SERVICES_REPORTING_RENDER_PAGE_H_
#define SALESOPS_SERVICES_REPORTING_RENDER_PAGE_H_

#include "salesops/v1/reporting.pb.h"
#include "services/reporting/html_report.h"
#include "services/reporting/snapshot.h"

namespace salesops::reporting {

// The fan chart of the attainment report's top row, as described above. `attainment` must have
// been built from `snapshot`. Without rows, or with a top row the snapshot's hierarchy does not
// know, the chart has its labels but no history.
FanChart BuildFanChart(const Snapshot& snapshot, const v1::AttainmentReportResponse& attainment);

// The page of RenderReport: the title "<top row name> — FY2027 Q4 attainment and pipeline" (
// "... attainment" without a pipeline report); the facts, one line each:
//   "snapshot 73dc83aa12bc… as of 2026-11-28"   (ids shortened to 12 characters)
//   "plan plan-2026 v3"
//   "baseline snapshot 0a1b2c3d4e5f…"            (only when the pipeline report has one)
//   "landing calibrated on 12 past snapshots"   (or "landing from the CRM's probabilities"; only
//                                                when the top row has a landing)
//   "engine 0.1.0"
//   "amounts in USD"
// the two reports (borrowed: they must outlive the page) and the fan chart. `pipeline` may be null.
ReportPage BuildReportPage(const Snapshot& snapshot, const v1::AttainmentReportResponse& attainment,
                           const v1::PipelineReportResponse* pipeline);

}  // namespace salesops::reporting

#endif  // SALESOPS_SERVICES_REPORTING_RENDER_PAGE_H_
