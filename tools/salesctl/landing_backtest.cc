#include "tools/salesctl/landing_backtest.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/proto_convert.h"

namespace salesops::salesctl {
namespace {

// What each node actually booked in the period: won deals closing in it, booked to the subtree.
absl::StatusOr<double> Booked(const DemoCompany& company, const std::string& node_id, const DateRange& period) {
  auto subtree = SubtreeIds(company.territories, node_id);
  if (!subtree.ok()) return subtree.status();
  DealFilter in_scope = TerritoryFilter(*subtree);
  double total = 0;
  for (const v1::Opportunity& o : company.opportunities) {
    if (!o.closed() || !o.won() || !in_scope(o)) continue;
    if (period.Contains(FromProtoDate(o.close_date()))) total += static_cast<double>(o.amount().minor_units());
  }
  return total;
}

}  // namespace

absl::StatusOr<LandingBacktestResult> BacktestLanding(const DemoCompany& company,
                                                      const LandingBacktestOptions& options,
                                                      const LandingFn& landing) {
  const Date today = FromProtoDate(company.header.as_of());
  const int start_month = company.header.calendar().start_month();
  const SnapshotSource past = DemoSnapshotSource(company);
  LandingBacktestResult result;
  double error_sum = 0;
  int error_count = 0;
  for (int q = options.quarters; q >= 1; --q) {
    const DateRange period = PeriodAround(today, PeriodKind::kQuarter, -q, start_month);
    for (int day = DayNumber(period.first); DayNumber(period.last) - day >= options.min_days_left;
         day += options.step_days) {
      const Date observed = FromDayNumber(day);
      auto view = CompanyAsOf(company, observed);
      if (!view.ok()) return view.status();
      LandingContext context;
      context.current = {observed, view->opportunities};
      context.territories = view->territories;
      context.currency_code = view->header.currency_code();
      context.fiscal_start_month = start_month;
      auto requests = BuildLandingRequests(context, past, options.node_ids, options.request);
      if (!requests.ok()) return requests.status();
      for (size_t k = 0; k < requests->size(); ++k) {
        auto response = landing((*requests)[k]);
        if (!response.ok()) return response.status();
        auto actual = Booked(company, options.node_ids[k], period);
        if (!actual.ok()) return actual.status();
        LandingBacktestOutcome outcome{observed,
                                       options.node_ids[k],
                                       static_cast<double>(response->p10().minor_units()),
                                       static_cast<double>(response->p50().minor_units()),
                                       static_cast<double>(response->p90().minor_units()),
                                       *actual};
        if (outcome.actual > 0) {
          error_sum += std::fabs(outcome.p50 - outcome.actual) / outcome.actual;
          ++error_count;
        }
        result.outcomes.push_back(outcome);
      }
    }
  }
  const double n = static_cast<double>(result.outcomes.size());
  for (const auto& o : result.outcomes) {
    if (o.actual < o.p10) {
      result.below += 1 / n;
    } else if (o.actual > o.p90) {
      result.above += 1 / n;
    } else {
      result.inside += 1 / n;
    }
  }
  result.p50_error_pct = error_count ? 100 * error_sum / error_count : 0;
  return result;
}

}  // namespace salesops::salesctl
