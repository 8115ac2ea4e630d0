#include "services/reporting/kpi.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "common/proto_convert.h"
#include "services/reporting/report_common.h"

namespace salesops::reporting {
namespace {

// What one row counts in one period.
struct Counts {
  int64_t won_count = 0;
  int64_t lost_count = 0;
  int64_t won_amount = 0;
  int64_t won_cycle_days = 0;  // sum over the won deals
  int64_t open_count = 0;      // open now, closing in the period
};

// Fills `out` with the figures of one period (see kpi.h).
void FillKpis(const Counts& c, const std::string& currency, v1::Kpis* out) {
  const int64_t closed = c.won_count + c.lost_count;
  const double win_rate = closed > 0 ? static_cast<double>(c.won_count) / closed : 0.0;
  const double average = c.won_count > 0 ? static_cast<double>(c.won_amount) / c.won_count : 0.0;
  const double cycle = c.won_count > 0 ? static_cast<double>(c.won_cycle_days) / c.won_count : 0.0;
  const double velocity = cycle > 0 ? c.open_count * win_rate * average / cycle : 0.0;
  out->set_win_rate(win_rate);
  *out->mutable_average_deal_size() = MakeMoney(currency, RoundMinor(average));
  out->set_sales_cycle_days(cycle);
  *out->mutable_sales_velocity_per_day() = MakeMoney(currency, RoundMinor(velocity));
  out->set_won_count(c.won_count);
  out->set_lost_count(c.lost_count);
  *out->mutable_won_amount() = MakeMoney(currency, c.won_amount);
}

void Count(const Deal& d, const PeriodDays& days, Counts& c) {
  if (days.ClosedIn(d)) {
    if (d.won) {
      ++c.won_count;
      c.won_amount += d.amount;
      c.won_cycle_days += std::max(0, d.close_day - d.created_day);
    } else {
      ++c.lost_count;
    }
  } else if (days.OpenIn(d)) {
    ++c.open_count;
  }
}

}  // namespace

FiscalPeriod PriorPeriod(const FiscalPeriod& period) { return ShiftPeriod(period, -1); }

absl::StatusOr<v1::KpiReportResponse> BuildKpiReport(const Snapshot& snapshot,
                                                     const FiscalPeriod& period,
                                                     const std::string& node_id) {
  const std::string& currency = snapshot.header.currency_code();
  const int start_month = snapshot.header.calendar().start_month();
  auto layout = ReportRows::Build(snapshot.hierarchy, node_id);
  if (!layout.ok()) return layout.status();
  const FiscalPeriod prior = PriorPeriod(period);
  const PeriodDays current_days(RangeOf(period, start_month), snapshot.as_of_day);
  const PeriodDays prior_days(RangeOf(prior, start_month), snapshot.as_of_day);

  std::vector<Counts> current(layout->size()), before(layout->size());
  for (const Deal& d : snapshot.deals) {
    const bool in_current = current_days.ClosedIn(d) || current_days.OpenIn(d);
    const bool in_prior = prior_days.ClosedIn(d) || prior_days.OpenIn(d);
    if (!in_current && !in_prior) continue;
    layout->ForEachRowOf(d, [&](int i) {
      if (in_current) Count(d, current_days, current[i]);
      if (in_prior) Count(d, prior_days, before[i]);
    });
  }

  v1::KpiReportResponse report;
  report.set_snapshot_id(snapshot.id);
  report.set_engine_version(SALESOPS_ENGINE_VERSION);
  *report.mutable_period() = ToProto(period);
  *report.mutable_prior_period() = ToProto(prior);
  *report.mutable_as_of() = snapshot.header.as_of();
  report.set_currency_code(currency);
  for (int i = 0; i < layout->size(); ++i) {
    v1::KpiRow* out = report.add_rows();
    layout->Describe(i, out);
    FillKpis(current[i], currency, out->mutable_current());
    FillKpis(before[i], currency, out->mutable_prior());
    const v1::Kpis& now = out->current();
    const v1::Kpis& then = out->prior();
    out->set_win_rate_change(now.win_rate() - then.win_rate());
    *out->mutable_average_deal_size_change() = MakeMoney(
        currency, now.average_deal_size().minor_units() - then.average_deal_size().minor_units());
    out->set_sales_cycle_days_change(now.sales_cycle_days() - then.sales_cycle_days());
    *out->mutable_sales_velocity_change() =
        MakeMoney(currency, now.sales_velocity_per_day().minor_units() -
                                then.sales_velocity_per_day().minor_units());
  }
  return report;
}

}  // namespace salesops::reporting
