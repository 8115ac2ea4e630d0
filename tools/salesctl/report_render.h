// How salesctl prints snapshots and the attainment, pipeline, KPI and accuracy reports. Pure
// functions of the messages. Amounts are whole major units with thousands separators
// (FormatMoneyShort); changes carry a sign.
//
// The *Table functions give one row per snapshot or report row, for --format table and csv (the
// CSV has the same columns); the *Text functions add a header naming the period, the dates and
// where the numbers came from (snapshot, plan version, engine version).
#ifndef SALESOPS_TOOLS_SALESCTL_REPORT_RENDER_H_
#define SALESOPS_TOOLS_SALESCTL_REPORT_RENDER_H_

#include <cstddef>
#include <string>

#include "salesops/v1/reporting.pb.h"
#include "salesops/v1/types.pb.h"
#include "tools/salesctl/render.h"

namespace salesops::salesctl {

// "FY2027 Q4", "FY2027 M05", "FY2027".
std::string PeriodText(const v1::Period& period);
// "2026-11-28"; "" when unset.
std::string DateText(const v1::Date& date);

// One row per snapshot, as listed: id, as of, currency, territories, reps, opportunities, source.
Table SnapshotsTable(const v1::ListSnapshotsResponse& snapshots);
// The table, and how to get the next page when there is one.
std::string SnapshotsText(const v1::ListSnapshotsResponse& snapshots);

// One row per node and rep (names indented by depth): open deals, open and weighted pipeline,
// commit / best case / pipeline categories, created in the period; with a plan the remaining quota
// and the coverage ("met" when nothing remains); with a baseline the waterfall columns (starting,
// new, pulled in, pushed out, increased, decreased, won, lost, ending).
Table PipelineTable(const v1::PipelineReportResponse& report);
// The header, the pipeline (without the waterfall columns), then with a baseline the waterfall as
// its own table.
std::string PipelineText(const v1::PipelineReportResponse& report);

// One row per node and rep: win rate, average deal size, sales cycle and sales velocity per day,
// each now, in the prior period and the change; won and lost counts and won amount now.
Table KpiTable(const v1::KpiReportResponse& report);
// The header (period and prior period), then the table.
std::string KpiText(const v1::KpiReportResponse& report);

// The attainment report: a header naming the period, its dates, the share elapsed and where the
// numbers came from (snapshot, plan version, engine, what the landing was calibrated on), then
// AttainmentTable (tools/salesctl/render.h).
std::string AttainmentText(const v1::AttainmentReportResponse& report);

// "landing P50", "commit", "best case", "weighted pipeline".
std::string AccuracyMethodName(v1::AccuracyMethod method);

// One row per snapshot of one period, oldest first: as of, days before the period's end, closed
// won to date, the landing P50 and its error, the P10–P90 interval and whether the actual fell in
// it, then commit, best case and weighted pipeline, each with its error ("-" for a method the
// point has no forecast of). Errors are signed percents of the actual (+ = over-forecast).
Table AccuracyPointsTable(const v1::PeriodAccuracy& period);
// One row per method: forecasts scored, mean absolute error and bias, in percent.
Table MethodAccuracyTable(const google::protobuf::RepeatedPtrField<v1::MethodAccuracy>& methods);
// For --format csv: one row per period and snapshot with the period, its actual and every
// column of AccuracyPointsTable.
Table AccuracyTable(const v1::ForecastAccuracyResponse& response);
// The header, then per period (oldest first) its dates and actual, the points and the methods'
// accuracy over the period, then the methods' accuracy over every period.
std::string AccuracyText(const v1::ForecastAccuracyResponse& response);

// "wrote report.html (37 KB)" (kilobytes of 1,024 bytes, rounded up).
std::string WroteFileText(const std::string& path, size_t bytes);

}  // namespace salesops::salesctl

#endif  // SALESOPS_TOOLS_SALESCTL_REPORT_RENDER_H_
