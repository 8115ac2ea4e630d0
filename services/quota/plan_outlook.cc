#include "services/quota/plan_outlook.h"

#include <cmath>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/calendar.h"
#include "common/hierarchy.h"
#include "common/proto_convert.h"
#include "services/quota/plan_simulation.h"

namespace salesops::quota {
namespace {

// annual[rep][year] over the complete fiscal years of the history; -1 where the rep was not
// employed for the whole year (or has no history).
std::vector<std::vector<double>> AnnualBookings(const Hierarchy& h, const History& history,
                                                int start_month) {
  std::vector<std::vector<double>> annual(h.rep_count());
  if (history.empty()) return annual;
  const int history_end = history.first_month + history.months;
  const Date first_day = FirstDayOfMonthNumber(history.first_month);
  int year = FiscalYearOf(first_day, start_month);
  if (FirstMonthNumberOfFiscalYear(year, start_month) < history.first_month) ++year;
  for (; FirstMonthNumberOfFiscalYear(year, start_month) + 12 <= history_end; ++year) {
    const int first = FirstMonthNumberOfFiscalYear(year, start_month);
    const Date year_start = FirstDayOfMonthNumber(first);
    const Date year_end = FirstDayOfMonthNumber(first + 12);
    for (int r = 0; r < h.rep_count(); ++r) {
      const auto& months = history.by_rep[r];
      const auto hire = OptionalDate(h.rep(r).hire_date());
      const auto end = OptionalDate(h.rep(r).end_date());
      const bool whole_year = (!hire || !(year_start < *hire)) && (!end || !(*end < year_end));
      double total = -1;
      if (!months.empty() && whole_year) {
        total = 0;
        for (int m = first; m < first + 12; ++m) total += months[m - history.first_month];
      }
      annual[r].push_back(total);
    }
  }
  return annual;
}

}  // namespace

absl::StatusOr<v1::SimulatePlanResponse> SimulatePlanOutlook(const v1::Plan& plan,
                                                             const ForecastFn& forecast, int paths,
                                                             uint64_t seed) {
  const v1::CreatePlanRequest& inputs = plan.inputs();
  auto built = Hierarchy::Build(plan.territories(), plan.reps());
  if (!built.ok()) return absl::DataLossError(absl::StrCat("plan: ", built.status().message()));
  const Hierarchy& h = *built;
  const History history = AlignHistory(inputs, h);
  if (history.empty())
    return absl::FailedPreconditionError(
        "plan: has no bookings history; SimulatePlan needs it (create the plan with history)");
  auto expected = ExpectedYear(inputs, h, history, forecast);
  if (!expected.ok()) return expected.status();
  const std::array<bool, 12> period = PeriodMonths(plan.fiscal_quarter());

  // The company.
  const double company_mean = SumPeriod(*expected->nodes[h.root()], period);
  double variance = 0;
  for (int i = 0; i < 12; ++i) {
    if (period[i]) variance += expected->node_sd[h.root()][i] * expected->node_sd[h.root()][i];
  }
  if (!(company_mean > 0))
    return absl::FailedPreconditionError("plan: the history forecasts no bookings for the period");
  auto company = LogNormalFromMeanSd(company_mean, std::sqrt(variance));
  if (!company.ok()) return company.status();

  // The reps with quota, and what each is expected to book.
  PlanSimulationInput input;
  input.company = *company;
  input.target = static_cast<double>(plan.target().minor_units());
  input.paths = paths;
  input.seed = seed;
  std::vector<const v1::Allocation*> rows;
  std::vector<std::optional<double>> expected_bookings;
  double known_expected = 0, known_quota = 0;
  for (const v1::Allocation& a : plan.allocations()) {
    if (a.kind() != v1::ALLOCATION_KIND_REP || a.annual_quota().minor_units() <= 0) continue;
    rows.push_back(&a);
    const int r = h.FindRep(a.id());
    std::optional<double> e;
    if (r >= 0 && expected->reps[r]) {
      e = SumPeriod(*expected->reps[r], period);
      known_expected += *e;
      known_quota += static_cast<double>(a.annual_quota().minor_units());
    }
    expected_bookings.push_back(e);
  }
  if (rows.empty()) return absl::FailedPreconditionError("plan: no rep carries quota");
  const double per_quota = known_quota > 0 ? known_expected / known_quota : 1.0;
  for (size_t k = 0; k < rows.size(); ++k) {
    const double quota = static_cast<double>(rows[k]->annual_quota().minor_units());
    input.reps.push_back({quota, expected_bookings[k].value_or(quota * per_quota)});
  }
  const RepVariability variability =
      EstimateRepVariability(AnnualBookings(h, history, inputs.calendar().start_month()));
  input.rep_sigma = variability.sigma;

  auto result = SimulatePlan(input);
  if (!result.ok()) return result.status();

  v1::SimulatePlanResponse response;
  response.mutable_plan()->set_plan_id(plan.plan_id());
  response.mutable_plan()->set_version(plan.version());
  response.set_paths(paths);
  const std::string& currency = plan.target().currency_code();
  auto money = [&](double v) { return MakeMoney(currency, std::llround(v)); };
  response.set_probability_target_reached(result->probability_of_target);
  *response.mutable_company_p10() = money(result->company_p10);
  *response.mutable_company_p50() = money(result->company_p50);
  *response.mutable_company_p90() = money(result->company_p90);
  response.set_expected_share_of_reps_at_quota(result->expected_share_at_quota);
  response.set_share_of_reps_at_quota_p10(result->share_at_quota_p10);
  response.set_share_of_reps_at_quota_p90(result->share_at_quota_p90);
  response.set_rep_variability(variability.sigma);
  response.set_rep_years_observed(variability.pairs_observed);
  for (size_t k = 0; k < rows.size(); ++k) {
    v1::RepOutlook* out = response.add_reps();
    out->set_rep_id(rows[k]->id());
    out->set_name(rows[k]->name());
    out->set_territory_id(rows[k]->parent_id());
    *out->mutable_quota() = rows[k]->annual_quota();
    *out->mutable_expected_bookings() = money(result->reps[k].median_bookings);
    out->set_probability_of_quota(result->reps[k].probability_of_quota);
    out->set_median_attainment(result->reps[k].median_attainment);
  }
  return response;
}

}  // namespace salesops::quota
