#include "absl/strings/string_view.h"
#include "services/quota/plan_builder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/calendar.h"
#include "common/hierarchy.h"
#include "common/proto_convert.h"
#include "services/quota/allocation.h"
#include "services/quota/capacity.h"
#include "services/quota/plan_history.h"

namespace salesops::quota {
namespace {

constexpr int64_t kMaxTarget = int64_t{1} << 53;  // far above any company, exact in a double

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

// The plan period's first day and the first day after it.
std::pair<Date, Date> PeriodDays(const v1::CreatePlanRequest& request) {
  const int fy_first =
      FirstMonthNumberOfFiscalYear(request.fiscal_year(), request.calendar().start_month());
  const int quarter = request.fiscal_quarter();
  return {FirstDayOfMonthNumber(fy_first + (quarter == 0 ? 0 : 3 * (quarter - 1))),
          FirstDayOfMonthNumber(fy_first + (quarter == 0 ? 12 : 3 * quarter))};
}

// Whether the rep is employed at some point of [first, end).
bool EmployedDuring(const v1::Rep& rep, Date first, Date end) {
  const auto left = OptionalDate(rep.end_date());
  const auto hired = OptionalDate(rep.hire_date());
  return !(left && *left < first) && !(hired && !(*hired < end));
}

CapacityModel CapacityModelOf(const v1::CapacitySettings& c) {
  CapacityModel model;
  model.full_annual_quota = static_cast<double>(c.full_annual_quota().minor_units());
  model.ramp.assign(c.ramp().begin(), c.ramp().end());
  model.annual_attrition = c.annual_attrition();
  return model;
}

void FillAllocation(v1::Allocation* out, const std::string& id, const std::string& name,
                    v1::AllocationKind kind, const std::string& parent_id, const Quota& q,
                    const std::string& currency) {
  out->set_id(id);
  out->set_name(name);
  out->set_kind(kind);
  out->set_parent_id(parent_id);
  *out->mutable_annual_quota() = MakeMoney(currency, q.annual);
  for (int quarter = 1; quarter <= 4; ++quarter)
    *out->add_quarterly_quota() = MakeMoney(currency, q.Quarter(quarter));
  for (int m = 0; m < 12; ++m) *out->add_monthly_quota() = MakeMoney(currency, q.monthly[m]);
  out->set_share_of_parent(q.share_of_parent);
}

}  // namespace

absl::Status ValidateCreatePlanRequest(const v1::CreatePlanRequest& request,
                                       const HierarchyLimits& limits) {
  if (request.name().empty()) return Invalid("name", "required");
  if (request.name().size() > 200) return Invalid("name", "at most 200 characters");
  if (request.fiscal_year() < 1900 || request.fiscal_year() > 2200)
    return Invalid("fiscal_year", absl::StrCat("must be 1900..2200, got ", request.fiscal_year()));
  if (request.fiscal_quarter() < 0 || request.fiscal_quarter() > 4)
    return Invalid("fiscal_quarter",
                   absl::StrCat("must be 0 (the year) or 1..4, got ", request.fiscal_quarter()));
  if (auto s = ValidateCalendar(request.calendar(), "calendar"); !s.ok()) return s;
  if (!request.has_target()) return Invalid("target", "required");
  const std::string& currency = request.target().currency_code();
  if (auto s = ValidateCurrencyCode(currency, "target.currency_code"); !s.ok()) return s;
  if (request.target().minor_units() <= 0)
    return Invalid("target.minor_units",
                   absl::StrCat("must be positive, got ", request.target().minor_units()));
  if (request.target().minor_units() > kMaxTarget)
    return Invalid("target.minor_units", "too large");
  switch (request.method()) {
    case v1::ALLOCATION_METHOD_EQUAL_SPLIT:
    case v1::ALLOCATION_METHOD_HISTORICAL_SHARE:
    case v1::ALLOCATION_METHOD_FORECAST_SHARE:
    case v1::ALLOCATION_METHOD_BLENDED:
    case v1::ALLOCATION_METHOD_CAPACITY: break;
    default:
      return Invalid("method", absl::StrCat("must be EQUAL_SPLIT, HISTORICAL_SHARE, FORECAST_SHARE, "
                                            "BLENDED or CAPACITY, got ", request.method()));
  }
  if (request.method() == v1::ALLOCATION_METHOD_BLENDED) {
    const v1::BlendWeights& b = request.blend();
    const std::pair<const char*, double> weights[] = {{"blend.equal_split", b.equal_split()},
                                                      {"blend.historical_share", b.historical_share()},
                                                      {"blend.forecast_share", b.forecast_share()}};
    double total = 0;
    for (auto [field, w] : weights) {
      if (!std::isfinite(w) || w < 0 || w > 1)
        return Invalid(field, absl::StrFormat("must be in [0, 1], got %g", w));
      total += w;
    }
    if (std::fabs(total - 1) > 1e-6)
      return Invalid("blend", absl::StrFormat("weights must sum to 1, got %g", total));
  }
  if (!std::isfinite(request.over_assignment()) || request.over_assignment() < 0 ||
      request.over_assignment() >= 1)
    return Invalid("over_assignment",
                   absl::StrFormat("must be in [0, 1), e.g. 0.15, got %g", request.over_assignment()));
  if (request.rounding_unit() < 0 || request.rounding_unit() > request.target().minor_units())
    return Invalid("rounding_unit", absl::StrCat("must be 0..target, got ", request.rounding_unit()));
  switch (request.seasonality()) {
    case v1::SEASONALITY_SOURCE_UNSPECIFIED:
    case v1::SEASONALITY_SOURCE_EVEN:
    case v1::SEASONALITY_SOURCE_LAST_YEAR:
    case v1::SEASONALITY_SOURCE_FORECAST: break;
    default:
      return Invalid("seasonality", absl::StrCat("must be EVEN, LAST_YEAR or FORECAST, got ",
                                                 request.seasonality()));
  }
  auto hierarchy = Hierarchy::Build(request.territories(), request.reps(), "territories", "reps", limits);
  if (!hierarchy.ok()) return hierarchy.status();
  for (int i = 0; i < request.reps_size(); ++i) {
    const v1::Rep& rep = request.reps(i);
    if (rep.has_hire_date() && !IsUnset(rep.hire_date())) {
      if (auto s = ValidateDate(rep.hire_date(), absl::StrCat("reps[", i, "].hire_date")); !s.ok())
        return s;
    }
    if (rep.has_end_date() && !IsUnset(rep.end_date())) {
      if (auto s = ValidateDate(rep.end_date(), absl::StrCat("reps[", i, "].end_date")); !s.ok())
        return s;
    }
  }
  // Capacity: required for CAPACITY, optional otherwise (then only reported).
  const bool has_capacity = request.has_capacity();
  if (request.method() == v1::ALLOCATION_METHOD_CAPACITY && !has_capacity)
    return Invalid("capacity", "required for CAPACITY");
  if (has_capacity) {
    const v1::CapacitySettings& c = request.capacity();
    if (!c.has_full_annual_quota()) return Invalid("capacity.full_annual_quota", "required");
    if (c.full_annual_quota().currency_code() != currency)
      return Invalid("capacity.full_annual_quota.currency_code",
                     absl::StrCat("must be the target's currency ", currency));
    if (auto s = ValidateCapacityModel(CapacityModelOf(c), "capacity"); !s.ok()) return s;
    std::set<std::string> ids;
    for (const v1::Rep& rep : request.reps()) ids.insert(rep.id());
    if (c.planned_hires_size() > limits.max_reps)
      return Invalid("capacity.planned_hires",
                     absl::StrCat(c.planned_hires_size(), " hires exceed the limit of ", limits.max_reps,
                                  " (max_hierarchy_reps)"));
    for (int i = 0; i < c.planned_hires_size(); ++i) {
      const v1::Rep& hire = c.planned_hires(i).rep();
      const std::string field = absl::StrCat("capacity.planned_hires[", i, "].rep");
      if (hire.id().empty()) return Invalid(field + ".id", "required");
      if (!ids.insert(hire.id()).second)
        return Invalid(field + ".id", absl::StrCat("\"", hire.id(), "\" is already a rep"));
      if (hierarchy->FindNode(hire.id()) >= 0)
        return Invalid(field + ".id", absl::StrCat("\"", hire.id(), "\" is also a territory id; ids must be distinct"));
      if (hierarchy->FindNode(hire.territory_id()) < 0)
        return Invalid(field + ".territory_id",
                       absl::StrCat("unknown territory \"", hire.territory_id(), "\""));
      if (!hire.has_hire_date() || IsUnset(hire.hire_date()))
        return Invalid(field + ".hire_date", "required (the planned start)");
      if (auto s = ValidateDate(hire.hire_date(), field + ".hire_date"); !s.ok()) return s;
    }
  } else if (request.method() == v1::ALLOCATION_METHOD_CAPACITY) {
    return Invalid("capacity", "required for CAPACITY");
  }
  // Overrides: known ids, not the root, one each, non-negative, in the target's currency.
  std::set<std::string> overridden;
  for (int i = 0; i < request.overrides_size(); ++i) {
    const v1::QuotaOverride& o = request.overrides(i);
    const std::string field = absl::StrCat("overrides[", i, "]");
    const int node = hierarchy->FindNode(o.id());
    bool is_rep = hierarchy->FindRep(o.id()) >= 0;
    if (has_capacity) {
      for (const auto& hire : request.capacity().planned_hires()) is_rep = is_rep || hire.rep().id() == o.id();
    }
    if (node < 0 && !is_rep)
      return Invalid(field + ".id", absl::StrCat("unknown node or rep \"", o.id(), "\""));
    if (node == hierarchy->root())
      return Invalid(field + ".id", "the root's quota is the target: change the target instead");
    if (!overridden.insert(o.id()).second)
      return Invalid(field + ".id", absl::StrCat("a second override for \"", o.id(), "\""));
    if (!o.has_quota()) return Invalid(field + ".quota", "required");
    if (o.quota().currency_code() != currency)
      return Invalid(field + ".quota.currency_code", absl::StrCat("must be the target's currency ", currency));
    if (int r = hierarchy->FindRep(o.id()); r >= 0) {
      const auto [first, end] = PeriodDays(request);
      if (!EmployedDuring(request.reps(r), first, end))
        return Invalid(field + ".id", absl::StrCat("rep \"", o.id(), "\" is not employed during "
                                                   "the plan period and carries no quota"));
    }
    if (o.quota().minor_units() < 0 || o.quota().minor_units() > kMaxTarget)
      return Invalid(field + ".quota.minor_units",
                     absl::StrCat("must be 0..", kMaxTarget, ", got ", o.quota().minor_units()));
  }
  if (request.history_window_months() < 0 || request.history_window_months() > 120)
    return Invalid("history_window_months",
                   absl::StrCat("must be 0..120, got ", request.history_window_months()));
  std::vector<bool> seen(hierarchy->rep_count(), false);
  for (int i = 0; i < request.history_size(); ++i) {
    const v1::TimeSeries& s = request.history(i);
    std::string field = absl::StrCat("history[", i, "]");
    int r = hierarchy->FindRep(s.id());
    if (r < 0) return Invalid(field + ".id", absl::StrCat("unknown rep \"", s.id(), "\""));
    if (seen[r]) return Invalid(field + ".id", absl::StrCat("a second series for rep \"", s.id(), "\""));
    seen[r] = true;
    if (s.granularity() != v1::GRANULARITY_MONTH)
      return Invalid(field + ".granularity", "must be MONTH");
    if (!s.has_start()) return Invalid(field + ".start", "required");
    if (auto st = ValidateDate(s.start(), field + ".start"); !st.ok()) return st;
    if (s.start().day() != 1) return Invalid(field + ".start", "must be the first day of a month");
    if (s.values_size() > 1200) return Invalid(field + ".values", "at most 1200 months");
    for (int k = 0; k < s.values_size(); ++k) {
      if (!std::isfinite(s.values(k)))
        return Invalid(absl::StrCat(field, ".values[", k, "]"), "not a finite number");
    }
  }
  bool any_history = false;
  for (const auto& s : request.history()) any_history = any_history || s.values_size() > 0;
  const bool needs_history =
      request.method() == v1::ALLOCATION_METHOD_HISTORICAL_SHARE ||
      request.method() == v1::ALLOCATION_METHOD_FORECAST_SHARE ||
      (request.method() == v1::ALLOCATION_METHOD_BLENDED &&
       (request.blend().historical_share() > 0 || request.blend().forecast_share() > 0));
  if (needs_history && !any_history)
    return Invalid("history", absl::StrCat("required for ", v1::AllocationMethod_Name(request.method())));
  if ((request.seasonality() == v1::SEASONALITY_SOURCE_LAST_YEAR ||
       request.seasonality() == v1::SEASONALITY_SOURCE_FORECAST) && !any_history)
    return Invalid("history", absl::StrCat("required for seasonality ",
                                           v1::SeasonalitySource_Name(request.seasonality())));
  return absl::OkStatus();
}

absl::StatusOr<v1::Plan> BuildPlan(const v1::CreatePlanRequest& request, const ForecastFn& forecast,
                                   const HierarchyLimits& limits) {
  if (auto s = ValidateCreatePlanRequest(request, limits); !s.ok()) return s;
  // Planned hires join the reps.
  google::protobuf::RepeatedPtrField<v1::Rep> all_reps = request.reps();
  for (const auto& hire : request.capacity().planned_hires()) *all_reps.Add() = hire.rep();
  auto built = Hierarchy::Build(request.territories(), all_reps, "territories",
                                "reps and capacity.planned_hires", limits);
  if (!built.ok()) return built.status();
  const Hierarchy& h = *built;
  const int start_month = request.calendar().start_month();
  const int fy_first = FirstMonthNumberOfFiscalYear(request.fiscal_year(), start_month);
  // The plan period: the year, or one quarter of it.
  const int quarter = request.fiscal_quarter();
  const std::array<bool, 12> period = PeriodMonths(quarter);
  const auto [period_first_day, period_end_day] = PeriodDays(request);

  AllocationInput input;
  input.target = request.target().minor_units();
  input.over_assignment = request.over_assignment();
  input.rounding_unit = std::max<int64_t>(1, request.rounding_unit());
  input.period_months = period;
  input.rep_active.assign(h.rep_count(), true);
  for (int r = 0; r < h.rep_count(); ++r) {
    // Only reps employed during the period carry quota.
    input.rep_active[r] = EmployedDuring(h.rep(r), period_first_day, period_end_day);
  }

  // Capacity of every rep, month by month.
  std::vector<MonthProfile> capacity;
  double capacity_total = 0;
  if (request.has_capacity()) {
    const CapacityModel model = CapacityModelOf(request.capacity());
    capacity.resize(h.rep_count());
    for (int r = 0; r < h.rep_count(); ++r) {
      if (!input.rep_active[r]) continue;
      capacity[r] = RepMonthlyCapacity(model, OptionalDate(h.rep(r).hire_date()),
                                       OptionalDate(h.rep(r).end_date()), fy_first);
      capacity_total += SumPeriod(capacity[r], period);
    }
  }

  const History history = AlignHistory(request, h);
  const auto node_histories = NodeHistories(h, history);
  const bool wants_forecast =
      request.method() == v1::ALLOCATION_METHOD_FORECAST_SHARE ||
      (request.method() == v1::ALLOCATION_METHOD_BLENDED && request.blend().forecast_share() > 0) ||
      request.seasonality() == v1::SEASONALITY_SOURCE_FORECAST;
  YearExpectation expected;
  if (wants_forecast) {
    auto year = ExpectedYear(request, h, history, forecast);
    if (!year.ok()) return year.status();
    expected = std::move(*year);
  }

  auto historical_basis = [&](double blend_weight) {
    ShareBasis b{blend_weight, false, {}, {}};
    const int window = request.history_window_months() > 0 ? request.history_window_months() : 12;
    b.node_weight.resize(h.node_count());
    b.rep_weight.assign(h.rep_count(), 0.0);
    for (int v = 0; v < h.node_count(); ++v) b.node_weight[v] = SumLast(node_histories[v], window);
    for (int r = 0; r < h.rep_count(); ++r) b.rep_weight[r] = SumLast(history.by_rep[r], window);
    return b;
  };
  auto forecast_basis = [&](double blend_weight) {
    ShareBasis b{blend_weight, false, {}, {}};
    b.node_weight.assign(h.node_count(), 0.0);
    b.rep_weight.assign(h.rep_count(), 0.0);
    for (int v = 0; v < h.node_count(); ++v)
      if (expected.nodes[v]) b.node_weight[v] = SumPeriod(*expected.nodes[v], period);
    for (int r = 0; r < h.rep_count(); ++r)
      if (expected.reps[r]) b.rep_weight[r] = SumPeriod(*expected.reps[r], period);
    return b;
  };
  switch (request.method()) {
    case v1::ALLOCATION_METHOD_HISTORICAL_SHARE: input.bases.push_back(historical_basis(1)); break;
    case v1::ALLOCATION_METHOD_FORECAST_SHARE: input.bases.push_back(forecast_basis(1)); break;
    case v1::ALLOCATION_METHOD_BLENDED: {
      const v1::BlendWeights& blend = request.blend();
      if (blend.equal_split() > 0) input.bases.push_back(ShareBasis{blend.equal_split(), true, {}, {}});
      if (blend.historical_share() > 0) input.bases.push_back(historical_basis(blend.historical_share()));
      if (blend.forecast_share() > 0) input.bases.push_back(forecast_basis(blend.forecast_share()));
      break;
    }
    case v1::ALLOCATION_METHOD_CAPACITY: {
      ShareBasis b{1, false, std::vector<double>(h.node_count(), 0.0), std::vector<double>(h.rep_count(), 0.0)};
      for (int r = 0; r < h.rep_count(); ++r) {
        if (!input.rep_active[r]) continue;
        b.rep_weight[r] = SumPeriod(capacity[r], period);
        for (int v = h.node_of_rep(r); v >= 0; v = h.parent(v)) b.node_weight[v] += b.rep_weight[r];
      }
      input.bases.push_back(std::move(b));
      break;
    }
    default: break;  // EQUAL_SPLIT: the default basis
  }

  // Seasonality: per node from last year's bookings or the forecast; reps follow their node,
  // except under CAPACITY, where a rep's months also follow its capacity (ramp, attrition).
  input.node_profile.resize(h.node_count());
  if (request.seasonality() == v1::SEASONALITY_SOURCE_LAST_YEAR) {
    for (int v = 0; v < h.node_count(); ++v) {
      if (!history.empty())
        input.node_profile[v] = LastYearProfile(node_histories[v], history.first_month, fy_first);
    }
  } else if (request.seasonality() == v1::SEASONALITY_SOURCE_FORECAST) {
    input.node_profile = expected.nodes;
  }
  if (request.method() == v1::ALLOCATION_METHOD_CAPACITY) {
    input.rep_profile.resize(h.rep_count());
    for (int r = 0; r < h.rep_count(); ++r) {
      if (!input.rep_active[r]) continue;
      const int v = h.node_of_rep(r);
      MonthProfile seasonal = input.node_profile[v].value_or(input.month_profile);
      if (SumPeriod(seasonal, period) <= 0) seasonal.fill(1);
      MonthProfile p;
      for (int i = 0; i < 12; ++i) p[i] = capacity[r][i] * seasonal[i];
      input.rep_profile[r] = p;
    }
  }

  // Overrides lock their node or rep.
  input.node_lock.resize(h.node_count());
  input.rep_lock.resize(h.rep_count());
  for (const v1::QuotaOverride& o : request.overrides()) {
    if (int v = h.FindNode(o.id()); v >= 0) input.node_lock[v] = o.quota().minor_units();
    if (int r = h.FindRep(o.id()); r >= 0) input.rep_lock[r] = o.quota().minor_units();
  }

  auto result = AllocateTopDown(h, input);
  if (!result.ok()) return result.status();

  v1::Plan plan;
  plan.set_name(request.name());
  plan.set_fiscal_year(request.fiscal_year());
  plan.set_fiscal_quarter(quarter);
  *plan.mutable_calendar() = request.calendar();
  *plan.mutable_target() = request.target();
  plan.set_method(request.method());
  *plan.mutable_territories() = request.territories();
  *plan.mutable_reps() = all_reps;
  plan.set_created_by(request.created_by());
  plan.set_engine_version(SALESOPS_ENGINE_VERSION);
  *plan.mutable_inputs() = request;
  const std::string& currency = request.target().currency_code();
  *plan.mutable_rep_quota_total() = MakeMoney(currency, result->rep_total);
  if (request.has_capacity()) {
    *plan.mutable_capacity_total() = MakeMoney(currency, std::llround(capacity_total));
    plan.set_capacity_coverage(capacity_total / static_cast<double>(input.target));
  }
  for (int v : h.Subtree(h.root())) {
    const v1::TerritoryNode& node = h.node(v);
    FillAllocation(plan.add_allocations(), node.id(), node.name(), v1::ALLOCATION_KIND_NODE,
                   node.parent_id(), result->nodes[v], currency);
    for (int r : h.reps_of(v)) {
      if (!input.rep_active[r]) continue;
      FillAllocation(plan.add_allocations(), h.rep(r).id(), h.rep(r).name(),
                     v1::ALLOCATION_KIND_REP, node.id(), result->reps[r], currency);
    }
  }
  return plan;
}

}  // namespace salesops::quota
