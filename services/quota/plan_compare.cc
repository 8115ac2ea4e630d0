#include "services/quota/plan_compare.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/calendar.h"
#include "common/money.h"
#include "common/proto_convert.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "google/protobuf/util/message_differencer.h"

namespace salesops::quota {
namespace {

using google::protobuf::RepeatedPtrField;
using google::protobuf::util::MessageDifferencer;
using Lines = std::vector<std::string>;

// ---- Text of values -------------------------------------------------------------------------

std::string Quoted(const std::string& s) { return absl::StrCat("\"", s, "\""); }

// An enum value's name without its type prefix ("ALLOCATION_METHOD_BLENDED" -> "BLENDED"); the
// number when the value has no name.
std::string EnumText(const std::string& name, absl::string_view prefix, int value) {
  if (name.empty()) return absl::StrCat(value);
  if (absl::StartsWith(name, prefix)) return name.substr(prefix.size());
  return name;
}

std::string MethodText(v1::AllocationMethod m) {
  return EnumText(v1::AllocationMethod_Name(m), "ALLOCATION_METHOD_", m);
}

std::string StatusText(v1::PlanStatus s) { return EnumText(v1::PlanStatus_Name(s), "PLAN_STATUS_", s); }

// UNSPECIFIED means EVEN.
v1::SeasonalitySource NormalSeasonality(v1::SeasonalitySource s) {
  return s == v1::SEASONALITY_SOURCE_UNSPECIFIED ? v1::SEASONALITY_SOURCE_EVEN : s;
}
std::string SeasonalityText(v1::SeasonalitySource s) {
  return EnumText(v1::SeasonalitySource_Name(s), "SEASONALITY_SOURCE_", s);
}

// A fraction as a percentage with at most four decimals: 0.15 -> "15%", 0.125 -> "12.5%".
std::string Percent(double fraction) {
  std::string s = absl::StrFormat("%.4f", fraction * 100);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s + "%";
}

std::string DateText(const v1::Date& d) {
  if (IsUnset(d)) return "unset";
  auto parsed = FromProto(d);
  if (parsed.ok()) return FormatDate(*parsed);
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

std::string MoneyText(bool has, const v1::Money& m) { return has ? FormatMoney(m) : "none"; }

std::string QuarterText(int q) {
  if (q == 0) return "full year";
  if (q >= 1 && q <= 4) return absl::StrCat("Q", q);
  return absl::StrCat("quarter ", q);
}

std::string RampText(const google::protobuf::RepeatedField<double>& ramp) {
  if (ramp.empty()) return "none";
  std::vector<std::string> parts;
  for (double r : ramp) parts.push_back(Percent(r));
  return absl::StrJoin(parts, " / ");
}

// ---- Collecting lines -----------------------------------------------------------------------

// "what: before -> after" when they differ.
void Changed(Lines& out, absl::string_view what, const std::string& before, const std::string& after) {
  if (before != after) out.push_back(absl::StrCat(what, ": ", before, " -> ", after));
}
// "subject: field before -> after" when they differ, e.g. "rep u7: territory T1 -> T2".
void FieldChanged(Lines& out, absl::string_view subject, absl::string_view field, const std::string& before,
                  const std::string& after) {
  if (before != after) out.push_back(absl::StrCat(subject, ": ", field, " ", before, " -> ", after));
}
// The same as Changed when `differ`, for values whose text may round (doubles).
void ChangedIf(Lines& out, bool differ, absl::string_view what, const std::string& before,
               const std::string& after) {
  if (differ) out.push_back(absl::StrCat(what, ": ", before, " -> ", after));
}

// Items of two lists matched by id: `both` for each id in both and `added` for each only in
// `after` (in after's order), then `removed` for each only in `before` (in before's order). Of an
// id listed twice, the first counts.
template <typename T, typename GetId, typename OnAdded, typename OnRemoved, typename OnBoth>
void DiffById(const RepeatedPtrField<T>& before, const RepeatedPtrField<T>& after, GetId id,
              OnAdded added, OnRemoved removed, OnBoth both) {
  absl::flat_hash_map<std::string, const T*> before_by_id, after_by_id;
  for (const T& x : before) before_by_id.try_emplace(id(x), &x);
  for (const T& x : after) after_by_id.try_emplace(id(x), &x);
  for (const T& x : after) {
    if (after_by_id.at(id(x)) != &x) continue;
    auto it = before_by_id.find(id(x));
    if (it == before_by_id.end()) {
      added(x);
    } else {
      both(*it->second, x);
    }
  }
  for (const T& x : before) {
    if (before_by_id.at(id(x)) != &x) continue;
    if (!after_by_id.contains(id(x))) removed(x);
  }
}

// The fields of a rep (or of a planned hire's rep) that differ, as "<label> <id>: ..." lines.
void DiffRep(Lines& out, absl::string_view label, absl::string_view hire_word, const v1::Rep& a,
             const v1::Rep& b) {
  const std::string who = absl::StrCat(label, " ", b.id());
  FieldChanged(out, who, "territory", a.territory_id(), b.territory_id());
  FieldChanged(out, who, "name", Quoted(a.name()), Quoted(b.name()));
  FieldChanged(out, who, hire_word, DateText(a.hire_date()), DateText(b.hire_date()));
  FieldChanged(out, who, "end date", DateText(a.end_date()), DateText(b.end_date()));
}

void DiffTerritories(Lines& out, const RepeatedPtrField<v1::TerritoryNode>& before,
                     const RepeatedPtrField<v1::TerritoryNode>& after) {
  auto parent = [](const v1::TerritoryNode& n) {
    return n.parent_id().empty() ? std::string("none (root)") : n.parent_id();
  };
  DiffById(
      before, after, [](const v1::TerritoryNode& n) -> const std::string& { return n.id(); },
      [&](const v1::TerritoryNode& n) {
        out.push_back(absl::StrCat("territory ", n.id(), " added (",
                                   n.parent_id().empty() ? "root" : "under " + n.parent_id(), ")"));
      },
      [&](const v1::TerritoryNode& n) {
        out.push_back(absl::StrCat("territory ", n.id(), " removed (was ",
                                   n.parent_id().empty() ? "the root" : "under " + n.parent_id(), ")"));
      },
      [&](const v1::TerritoryNode& a, const v1::TerritoryNode& b) {
        const std::string what = absl::StrCat("territory ", b.id());
        FieldChanged(out, what, "parent", parent(a), parent(b));
        FieldChanged(out, what, "name", Quoted(a.name()), Quoted(b.name()));
        FieldChanged(out, what, "level", Quoted(a.level()), Quoted(b.level()));
      });
}

void DiffReps(Lines& out, const RepeatedPtrField<v1::Rep>& before, const RepeatedPtrField<v1::Rep>& after) {
  DiffById(
      before, after, [](const v1::Rep& r) -> const std::string& { return r.id(); },
      [&](const v1::Rep& r) {
        out.push_back(absl::StrCat("rep ", r.id(), " added (territory ", r.territory_id(), ")"));
      },
      [&](const v1::Rep& r) {
        out.push_back(absl::StrCat("rep ", r.id(), " removed (was in territory ", r.territory_id(), ")"));
      },
      [&](const v1::Rep& a, const v1::Rep& b) { DiffRep(out, "rep", "hire date", a, b); });
}

void DiffOverrides(Lines& out, const RepeatedPtrField<v1::QuotaOverride>& before,
                   const RepeatedPtrField<v1::QuotaOverride>& after) {
  DiffById(
      before, after, [](const v1::QuotaOverride& o) -> const std::string& { return o.id(); },
      [&](const v1::QuotaOverride& o) {
        out.push_back(absl::StrCat("override ", o.id(), " added: ", MoneyText(o.has_quota(), o.quota())));
      },
      [&](const v1::QuotaOverride& o) {
        out.push_back(absl::StrCat("override ", o.id(), " removed (was ",
                                   MoneyText(o.has_quota(), o.quota()), ")"));
      },
      [&](const v1::QuotaOverride& a, const v1::QuotaOverride& b) {
        const std::string what = absl::StrCat("override ", b.id());
        Changed(out, what, MoneyText(a.has_quota(), a.quota()), MoneyText(b.has_quota(), b.quota()));
        FieldChanged(out, what, "note", Quoted(a.note()), Quoted(b.note()));
      });
}

void DiffHistory(Lines& out, const RepeatedPtrField<v1::TimeSeries>& before,
                 const RepeatedPtrField<v1::TimeSeries>& after) {
  auto months = [](const v1::TimeSeries& s) { return absl::StrCat(s.values_size(), " values"); };
  DiffById(
      before, after, [](const v1::TimeSeries& s) -> const std::string& { return s.id(); },
      [&](const v1::TimeSeries& s) {
        out.push_back(absl::StrCat("history series ", s.id(), " added (", months(s), ")"));
      },
      [&](const v1::TimeSeries& s) {
        out.push_back(absl::StrCat("history series ", s.id(), " removed (was ", months(s), ")"));
      },
      [&](const v1::TimeSeries& a, const v1::TimeSeries& b) {
        if (MessageDifferencer::Equals(a, b)) return;
        const std::string what = absl::StrCat("history series ", b.id());
        const size_t before_size = out.size();
        FieldChanged(out, what, "start", DateText(a.start()), DateText(b.start()));
        if (a.values_size() != b.values_size()) {
          Changed(out, what, months(a), months(b));
        } else {
          int differing = 0;
          for (int i = 0; i < a.values_size(); ++i) differing += a.values(i) != b.values(i);
          if (differing > 0) {
            out.push_back(absl::StrCat(what, ": ", differing, " of ", a.values_size(), " values changed"));
          }
        }
        // Labels or granularity.
        if (out.size() == before_size) out.push_back(absl::StrCat(what, ": changed"));
      });
}

void DiffCapacity(Lines& out, const v1::CapacitySettings& a, const v1::CapacitySettings& b) {
  Changed(out, "capacity full annual quota", MoneyText(a.has_full_annual_quota(), a.full_annual_quota()),
          MoneyText(b.has_full_annual_quota(), b.full_annual_quota()));
  const bool ramp_differs =
      a.ramp_size() != b.ramp_size() || !std::equal(a.ramp().begin(), a.ramp().end(), b.ramp().begin());
  ChangedIf(out, ramp_differs, "capacity ramp", RampText(a.ramp()), RampText(b.ramp()));
  ChangedIf(out, a.annual_attrition() != b.annual_attrition(), "capacity annual attrition",
            Percent(a.annual_attrition()), Percent(b.annual_attrition()));
  DiffById(
      a.planned_hires(), b.planned_hires(),
      [](const v1::PlannedHire& h) -> const std::string& { return h.rep().id(); },
      [&](const v1::PlannedHire& h) {
        out.push_back(absl::StrCat("planned hire ", h.rep().id(), " added (territory ", h.rep().territory_id(),
                                   ", starts ", DateText(h.rep().hire_date()), ")"));
      },
      [&](const v1::PlannedHire& h) {
        out.push_back(absl::StrCat("planned hire ", h.rep().id(), " removed (was territory ",
                                   h.rep().territory_id(), ", starting ", DateText(h.rep().hire_date()), ")"));
      },
      [&](const v1::PlannedHire& x, const v1::PlannedHire& y) {
        DiffRep(out, "planned hire", "start", x.rep(), y.rep());
      });
}

// 0 and 1 both mean no rounding.
int64_t NormalRounding(int64_t unit) { return unit <= 1 ? 0 : unit; }
std::string RoundingText(int64_t unit, const std::string& currency) {
  return unit == 0 ? "none" : FormatMoney(MakeMoney(currency, unit));
}

// ---- Inputs ---------------------------------------------------------------------------------

// The plan's inputs; for a plan stored without them, what the plan itself records.
const v1::CreatePlanRequest& InputsOf(const v1::Plan& plan, v1::CreatePlanRequest& fallback) {
  if (plan.has_inputs()) return plan.inputs();
  fallback.set_name(plan.name());
  fallback.set_fiscal_year(plan.fiscal_year());
  if (plan.has_calendar()) *fallback.mutable_calendar() = plan.calendar();
  if (plan.has_target()) *fallback.mutable_target() = plan.target();
  fallback.set_method(plan.method());
  *fallback.mutable_territories() = plan.territories();
  *fallback.mutable_reps() = plan.reps();
  fallback.set_fiscal_quarter(plan.fiscal_quarter());
  return fallback;
}

// The currency of the plan: its target's, else that of its first allocation with one.
std::string PlanCurrency(const v1::Plan& plan, const v1::CreatePlanRequest& inputs) {
  if (!inputs.target().currency_code().empty()) return inputs.target().currency_code();
  if (!plan.target().currency_code().empty()) return plan.target().currency_code();
  for (const v1::Allocation& a : plan.allocations()) {
    if (!a.annual_quota().currency_code().empty()) return a.annual_quota().currency_code();
  }
  return "";
}

void DiffInputs(Lines& out, const v1::CreatePlanRequest& a, const v1::CreatePlanRequest& b,
                const std::string& a_currency, const std::string& b_currency) {
  using R = v1::CreatePlanRequest;
  Changed(out, "name", Quoted(a.name()), Quoted(b.name()));
  Changed(out, "target", MoneyText(a.has_target(), a.target()), MoneyText(b.has_target(), b.target()));
  Changed(out, "method", MethodText(a.method()), MethodText(b.method()));
  Changed(out, "fiscal year", absl::StrCat(a.fiscal_year()), absl::StrCat(b.fiscal_year()));
  Changed(out, "fiscal quarter", QuarterText(a.fiscal_quarter()), QuarterText(b.fiscal_quarter()));
  Changed(out, "fiscal year start month", absl::StrCat(NormalizeStartMonth(a.calendar().start_month())),
          absl::StrCat(NormalizeStartMonth(b.calendar().start_month())));
  const v1::BlendWeights& wa = a.blend();
  const v1::BlendWeights& wb = b.blend();
  auto weights = [](const v1::BlendWeights& w) {
    return absl::StrCat(Percent(w.equal_split()), " / ", Percent(w.historical_share()), " / ",
                        Percent(w.forecast_share()));
  };
  ChangedIf(out,
            wa.equal_split() != wb.equal_split() || wa.historical_share() != wb.historical_share() ||
                wa.forecast_share() != wb.forecast_share(),
            "blend weights (equal / historical / forecast)", weights(wa), weights(wb));
  ChangedIf(out, a.over_assignment() != b.over_assignment(), "over-assignment", Percent(a.over_assignment()),
            Percent(b.over_assignment()));
  Changed(out, "rounding unit", RoundingText(NormalRounding(a.rounding_unit()), a_currency),
          RoundingText(NormalRounding(b.rounding_unit()), b_currency));
  Changed(out, "seasonality", SeasonalityText(NormalSeasonality(a.seasonality())),
          SeasonalityText(NormalSeasonality(b.seasonality())));
  auto window = [](int months) { return absl::StrCat(months == 0 ? 12 : months, " months"); };
  Changed(out, "history window", window(a.history_window_months()), window(b.history_window_months()));
  DiffHistory(out, a.history(), b.history());
  DiffOverrides(out, a.overrides(), b.overrides());
  DiffTerritories(out, a.territories(), b.territories());
  DiffReps(out, a.reps(), b.reps());
  DiffCapacity(out, a.capacity(), b.capacity());

  // A field added to CreatePlanRequest after this was written still shows, by name.
  static const absl::flat_hash_set<int> kCompared = {
      R::kNameFieldNumber,          R::kFiscalYearFieldNumber,    R::kCalendarFieldNumber,
      R::kTargetFieldNumber,        R::kMethodFieldNumber,        R::kTerritoriesFieldNumber,
      R::kRepsFieldNumber,          R::kHistoryFieldNumber,       R::kHistoryWindowMonthsFieldNumber,
      R::kCreatedByFieldNumber,     R::kFiscalQuarterFieldNumber, R::kBlendFieldNumber,
      R::kCapacityFieldNumber,      R::kOverAssignmentFieldNumber, R::kOverridesFieldNumber,
      R::kSeasonalityFieldNumber,   R::kRoundingUnitFieldNumber,  R::kReasonFieldNumber};
  const google::protobuf::Descriptor* descriptor = R::descriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    if (kCompared.contains(field->number())) continue;
    MessageDifferencer differencer;
    if (!differencer.CompareWithFields(a, b, {field}, {field})) {
      out.push_back(absl::StrCat(field->name(), ": changed"));
    }
  }
}

// ---- Rows -----------------------------------------------------------------------------------

using RowKey = std::pair<int, std::string>;  // kind, id
RowKey KeyOf(const v1::Allocation& a) { return {a.kind(), a.id()}; }

int64_t SaturatingDifference(int64_t after, int64_t before) {
  const __int128 d = static_cast<__int128>(after) - before;
  if (d > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (d < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(d);
}

v1::QuotaComparison Row(const v1::Allocation* base, const v1::Allocation* other,
                        const std::string& base_currency, const std::string& other_currency) {
  const v1::Allocation& info = other != nullptr ? *other : *base;
  v1::QuotaComparison row;
  row.set_id(info.id());
  row.set_name(info.name());
  row.set_kind(info.kind());
  row.set_parent_id(info.parent_id());
  row.set_in_base(base != nullptr);
  row.set_in_other(other != nullptr);
  const int64_t b = base != nullptr ? base->annual_quota().minor_units() : 0;
  const int64_t o = other != nullptr ? other->annual_quota().minor_units() : 0;
  const int64_t change = SaturatingDifference(o, b);
  *row.mutable_base_quota() = MakeMoney(base_currency, b);
  *row.mutable_other_quota() = MakeMoney(other_currency, o);
  *row.mutable_change() = MakeMoney(other_currency.empty() ? base_currency : other_currency, change);
  row.set_change_ratio(b != 0 ? static_cast<double>(change) / static_cast<double>(b) : 0.0);
  row.set_base_share_of_parent(base != nullptr ? base->share_of_parent() : 0.0);
  row.set_other_share_of_parent(other != nullptr ? other->share_of_parent() : 0.0);
  return row;
}

}  // namespace

v1::ComparePlansResponse ComparePlans(const v1::Plan& base, const v1::Plan& other) {
  v1::ComparePlansResponse response;
  response.mutable_base()->set_plan_id(base.plan_id());
  response.mutable_base()->set_version(base.version());
  response.mutable_other()->set_plan_id(other.plan_id());
  response.mutable_other()->set_version(other.version());

  v1::CreatePlanRequest base_fallback, other_fallback;
  const v1::CreatePlanRequest& base_inputs = InputsOf(base, base_fallback);
  const v1::CreatePlanRequest& other_inputs = InputsOf(other, other_fallback);
  const std::string base_currency = PlanCurrency(base, base_inputs);
  const std::string other_currency = PlanCurrency(other, other_inputs);

  // Rows: other's order, then what only base has. Of a (kind, id) listed twice, the first counts.
  absl::flat_hash_map<RowKey, const v1::Allocation*> base_rows, other_rows;
  for (const v1::Allocation& a : base.allocations()) base_rows.try_emplace(KeyOf(a), &a);
  for (const v1::Allocation& a : other.allocations()) other_rows.try_emplace(KeyOf(a), &a);
  for (const v1::Allocation& a : other.allocations()) {
    auto it = base_rows.find(KeyOf(a));
    *response.add_rows() = Row(it == base_rows.end() ? nullptr : it->second, &a, base_currency, other_currency);
  }
  for (const v1::Allocation& a : base.allocations()) {
    if (!other_rows.contains(KeyOf(a))) *response.add_rows() = Row(&a, nullptr, base_currency, other_currency);
  }

  Lines lines;
  if (base_currency != other_currency) {
    lines.push_back(absl::StrCat("currency: ", base_currency.empty() ? "none" : base_currency, " -> ",
                                 other_currency.empty() ? "none" : other_currency,
                                 " (amounts in different currencies are not comparable: changes and "
                                 "ratios are raw differences)"));
  }
  DiffInputs(lines, base_inputs, other_inputs, base_currency, other_currency);
  Changed(lines, "status", StatusText(base.status()), StatusText(other.status()));
  for (std::string& line : lines) response.add_input_changes(std::move(line));
  return response;
}

}  // namespace salesops::quota
