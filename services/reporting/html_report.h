// The reports as one self-contained HTML page: inline CSS and inline SVG, no scripts, no external
// URLs, so the page can be mailed, archived or opened offline and looks the same everywhere. Pure:
// the same input gives the same bytes (no clock, no locale).
//
// The page, top to bottom:
//   - the title, then the facts (which snapshot, plan version, engine...) as small print;
//   - headline figures of the report's top row (quota, closed won, attainment against pace, gap,
//     open pipeline and coverage, landing), when there is an attainment report;
//   - the charts, each an <svg class="chart"> with a fixed id:
//       #fan-chart         cumulative bookings through the period: the history line, the P50 line,
//                          the P10–P90 band, a horizontal quota line, axis labels;
//       #attainment-chart  attainment by rep (rep rows of the attainment report), best first, as
//                          horizontal bars with a 100% marker and the period's pace marker;
//       #waterfall-chart   the pipeline waterfall of the pipeline report's top row: starting,
//                          +new, +pulled in, −pushed out, +increased, −decreased, −won, −lost,
//                          ending, as floating bars;
//       #coverage-chart    coverage of the remaining quota by territory (node rows of the pipeline
//                          report, or of the attainment report without one), with a 3x guideline;
//   - tables: #attainment-table, #pipeline-table (every row, indented by depth) and
//     #waterfall-table.
// A chart or table whose input is absent is left out; one whose input holds nothing to show (no
// reps, no baseline snapshot, no plan) says so in its place. Amounts in tables are whole units of
// the report's currency, rounded, with thousands separators; chart labels are compact (12.4M).
#ifndef SALESOPS_SERVICES_REPORTING_HTML_REPORT_H_
#define SALESOPS_SERVICES_REPORTING_HTML_REPORT_H_

#include <optional>
#include <string>
#include <vector>

#include "salesops/v1/reporting.pb.h"

namespace salesops::reporting {

// The forecast fan chart: bookings accumulated from the start of the period (e.g. the fiscal
// year), month by month, the months so far and then the forecast of the rest. All amounts are in
// minor units of `currency`, like Money. Non-finite values are left out of the lines.
struct FanChart {
  // Shown above the chart, e.g. "FY2026 bookings, cumulative".
  std::string title;
  // One x-axis label per month: the history months, then the forecast months ("Jan", "2026-02"...).
  // Missing labels are blank; extra ones extend the axis.
  std::vector<std::string> labels;
  // Cumulative closed-won at the end of each history month.
  std::vector<double> history;
  // Cumulative bookings (the history included) at the end of each forecast month: the 10th, 50th
  // and 90th percentiles. The band and the P50 line start from the last history point.
  std::vector<double> p10;
  std::vector<double> p50;
  std::vector<double> p90;
  // The quota for the whole chart's period; no quota line when it is 0 or less.
  double quota = 0;
  // ISO 4217 code of the amounts (minor digits and labels); empty means two minor digits.
  std::string currency;
};

// What one page shows. The pointers are borrowed for the call; null leaves that part out.
struct ReportPage {
  // The page's <title> and heading.
  std::string title;
  // One line each, under the heading: "snapshot 73dc83…", "plan EMEA-2026 v3", "engine 0.1.0".
  std::vector<std::string> facts;
  // Headline figures, #attainment-chart, coverage (without a pipeline report), #attainment-table.
  const v1::AttainmentReportResponse* attainment = nullptr;
  // #waterfall-chart, #coverage-chart, #pipeline-table, #waterfall-table.
  const v1::PipelineReportResponse* pipeline = nullptr;
  // #fan-chart.
  std::optional<FanChart> fan;
};

// The whole page, "<!DOCTYPE html>" to "</html>", UTF-8. Every text from the input is escaped.
std::string RenderHtmlReport(const ReportPage& page);

}  // namespace salesops::reporting

#endif  // SALESOPS_SERVICES_REPORTING_HTML_REPORT_H_
