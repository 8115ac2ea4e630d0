#include "tools/salesctl/report_render.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/calendar.h"
#include "common/money.h"
#include "common/proto_convert.h"

namespace salesops::salesctl {
namespace {

std::string Money(const v1::Money& m) { return FormatMoneyShort(m); }

// "+1,234", "-1,234", "0".
std::string SignedMoney(const v1::Money& m) {
  std::string text = FormatMoneyShort(m);
  return m.minor_units() > 0 && text != "0" ? "+" + text : text;
}

std::string Pct(double fraction) { return absl::StrFormat("%.1f%%", 100 * fraction); }

// A change in percentage points: "+3.2 pts".
std::string Points(double points) { return absl::StrFormat("%+.1f pts", points); }

std::string Days(double days) { return absl::StrFormat("%.1f", days); }
std::string SignedDays(double days) { return absl::StrFormat("%+.1f", days); }

std::string Label(const std::string& id, const std::string& name, int depth) {
  return std::string(2 * std::max(depth, 0), ' ') + (name.empty() ? id : name);
}

std::string Coverage(const v1::PipelineRow& row) {
  return row.remaining_quota().minor_units() > 0 ? absl::StrFormat("%.2fx", row.coverage()) : "met";
}

// The pipeline table with or without the waterfall columns.
Table PipelineColumns(const v1::PipelineReportResponse& report, bool waterfall) {
  const bool plan = !report.plan_id().empty();
  waterfall = waterfall && !report.baseline_snapshot_id().empty();
  std::vector<std::string> headers = {"node / rep", "open #",    "open",     "weighted",
                                      "commit",     "best case", "pipeline"};
  if (plan) headers.insert(headers.end(), {"remaining quota", "coverage"});
  headers.insert(headers.end(), {"created #", "created"});
  if (waterfall)
    headers.insert(headers.end(), {"starting", "new", "pulled in", "pushed out", "increased",
                                   "decreased", "won", "lost", "ending"});
  Table table(headers);
  for (const v1::PipelineRow& row : report.rows()) {
    std::vector<std::string> cells = {Label(row.id(), row.name(), row.depth()),
                                      absl::StrCat(row.open_count()),
                                      Money(row.open_pipeline()),
                                      Money(row.weighted_pipeline()),
                                      Money(row.commit()),
                                      Money(row.best_case()),
                                      Money(row.pipeline_category())};
    if (plan) cells.insert(cells.end(), {Money(row.remaining_quota()), Coverage(row)});
    cells.insert(cells.end(), {absl::StrCat(row.created_count()), Money(row.created_pipeline())});
    if (waterfall) {
      const v1::PipelineWaterfall& w = row.waterfall();
      cells.insert(cells.end(), {Money(w.starting()), Money(w.new_pipeline()), Money(w.pulled_in()),
                                 Money(w.pushed_out()), Money(w.increased()), Money(w.decreased()),
                                 Money(w.won()), Money(w.lost()), Money(w.ending())});
    }
    table.AddRow(std::move(cells));
  }
  return table;
}

// Starting, what added to it (+), what took from it (-), ending.
Table WaterfallTable(const v1::PipelineReportResponse& report) {
  Table table({"node / rep", "starting", "+ new", "+ pulled in", "- pushed out", "+ increased",
               "- decreased", "- won", "- lost", "= ending"});
  for (const v1::PipelineRow& row : report.rows()) {
    const v1::PipelineWaterfall& w = row.waterfall();
    table.AddRow({Label(row.id(), row.name(), row.depth()), Money(w.starting()),
                  Money(w.new_pipeline()), Money(w.pulled_in()), Money(w.pushed_out()),
                  Money(w.increased()), Money(w.decreased()), Money(w.won()), Money(w.lost()),
                  Money(w.ending())});
  }
  return table;
}

std::string ShortId(const std::string& id) { return id.substr(0, 12); }

// A signed error in percent: "+12.3%", "-4.0%".
std::string ErrorPct(double pct) { return absl::StrFormat("%+.1f%%", pct); }

// The point's forecast by `method`, or null.
const v1::MethodForecast* FindForecast(const v1::AccuracyPoint& point, v1::AccuracyMethod method) {
  for (const v1::MethodForecast& f : point.forecasts())
    if (f.method() == method) return &f;
  return nullptr;
}

constexpr v1::AccuracyMethod kMethods[] = {
    v1::ACCURACY_METHOD_LANDING_P50, v1::ACCURACY_METHOD_COMMIT, v1::ACCURACY_METHOD_BEST_CASE,
    v1::ACCURACY_METHOD_WEIGHTED_PIPELINE};

// The forecast and its error, or "-" twice.
void AppendForecast(const v1::AccuracyPoint& point, v1::AccuracyMethod method,
                    std::vector<std::string>& cells) {
  const v1::MethodForecast* f = FindForecast(point, method);
  cells.push_back(f != nullptr ? Money(f->forecast()) : "-");
  cells.push_back(f != nullptr ? ErrorPct(f->error_pct()) : "-");
}

// The cells of a point after the period's: snapshot, as of, days, closed to date, landing P50
// and its error, the interval (one cell, or P10 and P90 apart for CSV), inside it, then commit,
// best case and weighted with their errors.
std::vector<std::string> PointCells(const v1::AccuracyPoint& point, bool interval_apart) {
  std::vector<std::string> cells = {ShortId(point.snapshot_id()), DateText(point.as_of()),
                                    absl::StrCat(point.days_before_end()),
                                    Money(point.closed_won_to_date())};
  AppendForecast(point, v1::ACCURACY_METHOD_LANDING_P50, cells);
  if (interval_apart) {
    cells.insert(cells.end(), {Money(point.landing_p10()), Money(point.landing_p90())});
  } else {
    cells.push_back(absl::StrCat(Money(point.landing_p10()), " .. ", Money(point.landing_p90())));
  }
  cells.push_back(point.actual_within_p10_p90() ? "yes" : "no");
  for (v1::AccuracyMethod method : {v1::ACCURACY_METHOD_COMMIT, v1::ACCURACY_METHOD_BEST_CASE,
                                    v1::ACCURACY_METHOD_WEIGHTED_PIPELINE})
    AppendForecast(point, method, cells);
  return cells;
}

std::string Plural(int n, const char* one, const char* many) {
  return absl::StrCat(n, " ", n == 1 ? one : many);
}

}  // namespace

std::string AttainmentText(const v1::AttainmentReportResponse& report) {
  std::string out = absl::StrCat(
      "Attainment ", PeriodText(report.period()), " (", DateText(report.period_start()), " .. ",
      DateText(report.period_end()), "), as of ", DateText(report.as_of()),
      absl::StrFormat(", %.0f%% of the period elapsed", 100 * report.elapsed_fraction()),
      "; amounts in ", report.currency_code(), "\n",
      "commit = won + open commit, best case = commit + open best case; landing P10 / P50 / P90 "
      "and P(quota): Monte Carlo over the open deals and new business");
  if (report.rows_size() > 0 && report.rows(0).has_landing()) {
    const int n = report.rows(0).landing().history_snapshots();
    absl::StrAppend(&out, n > 0 ? absl::StrCat(", win rates calibrated on ",
                                               Plural(n, "past snapshot", "past snapshots"))
                                : ", the CRM's probabilities");
  }
  absl::StrAppend(&out, "\nsnapshot ", ShortId(report.snapshot_id()), ", plan ", report.plan_id(),
                  " v", report.plan_version(), ", engine ", report.engine_version(), "\n\n",
                  AttainmentTable(report).ToText());
  return out;
}

std::string AccuracyMethodName(v1::AccuracyMethod method) {
  switch (method) {
    case v1::ACCURACY_METHOD_LANDING_P50: return "landing P50";
    case v1::ACCURACY_METHOD_COMMIT: return "commit";
    case v1::ACCURACY_METHOD_BEST_CASE: return "best case";
    case v1::ACCURACY_METHOD_WEIGHTED_PIPELINE: return "weighted pipeline";
    default: return v1::AccuracyMethod_Name(method);
  }
}

Table AccuracyPointsTable(const v1::PeriodAccuracy& period) {
  Table table({"snapshot", "as of", "days to end", "closed to date", "landing P50", "error",
               "P10 .. P90", "in P10-P90", "commit", "error", "best case", "error", "weighted",
               "error"},
              {0, 1});
  for (const v1::AccuracyPoint& point : period.points())
    table.AddRow(PointCells(point, /*interval_apart=*/false));
  return table;
}

Table MethodAccuracyTable(const google::protobuf::RepeatedPtrField<v1::MethodAccuracy>& methods) {
  Table table({"method", "forecasts", "mean abs error", "bias"});
  // The usual order of the methods first, then any other the server sent.
  std::vector<const v1::MethodAccuracy*> ordered;
  for (v1::AccuracyMethod method : kMethods)
    for (const v1::MethodAccuracy& m : methods)
      if (m.method() == method) ordered.push_back(&m);
  for (const v1::MethodAccuracy& m : methods)
    if (std::find(std::begin(kMethods), std::end(kMethods), m.method()) == std::end(kMethods))
      ordered.push_back(&m);
  for (const v1::MethodAccuracy* m : ordered)
    table.AddRow({AccuracyMethodName(m->method()), absl::StrCat(m->forecasts()),
                  absl::StrFormat("%.1f%%", m->mean_absolute_error_pct()),
                  ErrorPct(m->bias_pct())});
  return table;
}

Table AccuracyTable(const v1::ForecastAccuracyResponse& response) {
  Table table({"period", "period start", "period end", "actual", "snapshot", "as of",
               "days to end", "closed to date", "landing P50", "landing P50 error", "P10", "P90",
               "in P10-P90", "commit", "commit error", "best case", "best case error", "weighted",
               "weighted error"},
              {0, 1, 2, 4, 5});
  for (const v1::PeriodAccuracy& period : response.periods()) {
    for (const v1::AccuracyPoint& point : period.points()) {
      std::vector<std::string> cells = {PeriodText(period.period()), DateText(period.period_start()),
                                        DateText(period.period_end()), Money(period.actual())};
      for (std::string& cell : PointCells(point, /*interval_apart=*/true))
        cells.push_back(std::move(cell));
      table.AddRow(std::move(cells));
    }
  }
  return table;
}

std::string AccuracyText(const v1::ForecastAccuracyResponse& response) {
  std::string out = absl::StrCat(
      "Forecast accuracy of ", response.node_id().empty() ? "the whole company" : response.node_id(),
      ", actuals from snapshot ", ShortId(response.snapshot_id()), "; amounts in ",
      response.currency_code(), "; engine ", response.engine_version(), "\n",
      "error = (forecast - actual) / actual: + over-forecast, - under-forecast\n");
  if (response.periods_size() == 0) {
    absl::StrAppend(&out, "\nno past period has a stored snapshot taken during it\n");
    return out;
  }
  int points = 0, within = 0;
  for (const v1::PeriodAccuracy& period : response.periods()) {
    int period_within = 0;
    for (const v1::AccuracyPoint& point : period.points()) period_within += point.actual_within_p10_p90();
    points += period.points_size();
    within += period_within;
    absl::StrAppend(&out, "\n", PeriodText(period.period()), " (", DateText(period.period_start()),
                    " .. ", DateText(period.period_end()), "): actual ", Money(period.actual()),
                    "; the landing's P10-P90 held it at ", period_within, " of ",
                    Plural(period.points_size(), "snapshot", "snapshots"),
                    absl::StrFormat(" (%.0f%%)", 100 * period.landing_interval_hit_rate()),
                    "\n\n", AccuracyPointsTable(period).ToText(), "\n",
                    MethodAccuracyTable(period.methods()).ToText());
  }
  absl::StrAppend(&out, "\nOver ", Plural(response.periods_size(), "period", "periods"), " and ",
                  Plural(points, "snapshot", "snapshots"), "; the landing's P10-P90 held the actual at ",
                  within, " of them", absl::StrFormat(" (%.0f%%)", points > 0 ? 100.0 * within / points : 0.0),
                  "\n\n", MethodAccuracyTable(response.overall()).ToText());
  return out;
}

std::string WroteFileText(const std::string& path, size_t bytes) {
  return absl::StrCat("wrote ", path, " (", (bytes + 1023) / 1024, " KB)");
}

std::string PeriodText(const v1::Period& period) { return PeriodName(FromProto(period)); }

std::string DateText(const v1::Date& date) {
  auto d = FromProto(date);
  return d.ok() ? FormatDate(*d) : "";
}

Table SnapshotsTable(const v1::ListSnapshotsResponse& snapshots) {
  Table table({"snapshot", "as of", "currency", "territories", "reps", "opportunities", "source"},
              {0, 1, 2, 6});
  for (const v1::SnapshotInfo& s : snapshots.snapshots()) {
    table.AddRow({s.snapshot_id(), DateText(s.header().as_of()), s.header().currency_code(),
                  absl::StrCat(s.territory_count()), absl::StrCat(s.rep_count()),
                  absl::StrCat(s.opportunity_count()), s.header().source()});
  }
  return table;
}

std::string SnapshotsText(const v1::ListSnapshotsResponse& snapshots) {
  if (snapshots.snapshots_size() == 0 && snapshots.next_page_token().empty())
    return "no snapshots\n";
  std::string out = SnapshotsTable(snapshots).ToText();
  if (!snapshots.next_page_token().empty())
    absl::StrAppend(&out, "\nmore: salesctl snapshots list --page-token ",
                    snapshots.next_page_token(), "\n");
  return out;
}

Table PipelineTable(const v1::PipelineReportResponse& report) {
  return PipelineColumns(report, /*waterfall=*/true);
}

std::string PipelineText(const v1::PipelineReportResponse& report) {
  std::string out = absl::StrCat("Pipeline ", PeriodText(report.period()), " (",
                                 DateText(report.period_start()), " .. ",
                                 DateText(report.period_end()), "), as of ",
                                 DateText(report.as_of()), "; amounts in ",
                                 report.currency_code(), "; open = not closed, closing in the period\n");
  absl::StrAppend(&out, "snapshot ", ShortId(report.snapshot_id()));
  if (!report.baseline_snapshot_id().empty())
    absl::StrAppend(&out, ", baseline ", ShortId(report.baseline_snapshot_id()));
  if (!report.plan_id().empty())
    absl::StrAppend(&out, ", plan ", report.plan_id(), " v", report.plan_version());
  else
    absl::StrAppend(&out, ", no plan (no coverage)");
  absl::StrAppend(&out, ", engine ", report.engine_version(), "\n\n");
  absl::StrAppend(&out, PipelineColumns(report, /*waterfall=*/false).ToText());
  if (!report.baseline_snapshot_id().empty()) {
    absl::StrAppend(&out, "\nWaterfall from the baseline ", ShortId(report.baseline_snapshot_id()),
                    " to now\n\n", WaterfallTable(report).ToText());
  }
  return out;
}

Table KpiTable(const v1::KpiReportResponse& report) {
  Table table({"node / rep", "win rate", "prior", "change", "avg deal", "prior", "change",
               "cycle days", "prior", "change", "velocity/day", "prior", "change", "won #",
               "lost #", "won"});
  for (const v1::KpiRow& row : report.rows()) {
    const v1::Kpis& now = row.current();
    const v1::Kpis& prior = row.prior();
    table.AddRow({Label(row.id(), row.name(), row.depth()), Pct(now.win_rate()),
                  Pct(prior.win_rate()), Points(100 * (now.win_rate() - prior.win_rate())),
                  Money(now.average_deal_size()), Money(prior.average_deal_size()),
                  SignedMoney(row.average_deal_size_change()), Days(now.sales_cycle_days()),
                  Days(prior.sales_cycle_days()), SignedDays(row.sales_cycle_days_change()),
                  Money(now.sales_velocity_per_day()), Money(prior.sales_velocity_per_day()),
                  SignedMoney(row.sales_velocity_change()), absl::StrCat(now.won_count()),
                  absl::StrCat(now.lost_count()), Money(now.won_amount())});
  }
  return table;
}

std::string KpiText(const v1::KpiReportResponse& report) {
  std::string out = absl::StrCat(
      "KPIs ", PeriodText(report.period()), " against ", PeriodText(report.prior_period()),
      ", as of ", DateText(report.as_of()), "; amounts in ", report.currency_code(),
      "; deals closed in the period; velocity = open deals x win rate x avg deal / cycle days\n",
      "snapshot ", ShortId(report.snapshot_id()), ", engine ", report.engine_version(), "\n\n");
  absl::StrAppend(&out, KpiTable(report).ToText());
  return out;
}

}  // namespace salesops::salesctl
