#include "tools/salesctl/report_render.h"

#include <cstdint>
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

}  // namespace

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
