#include "tools/salesctl/landing_history.h"

#include <algorithm>
#include <map>
#include <memory>
#include <numeric>
#include <unordered_set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/proto_convert.h"

namespace salesops::salesctl {
namespace {

// The proto date as a calendar date; invalid (!ok()) when unset or malformed.
Date ToDate(const v1::Date& date) {
  absl::StatusOr<Date> d = FromProto(date);
  return d.ok() ? *d : Date{};
}

std::string Name(Date date) { return date.ok() ? FormatDate(date) : std::string("an invalid date"); }

absl::Status CheckCurrency(std::string_view code) {
  if (code.size() != 3 || !std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return absl::InvalidArgumentError(
        absl::StrCat("currency_code: \"", std::string(code), "\" is not an ISO 4217 code like \"USD\""));
  }
  return absl::OkStatus();
}

}  // namespace

bool InPlay(const v1::Opportunity& opportunity) {
  return !opportunity.closed() &&
         opportunity.forecast_category() != v1::FORECAST_CATEGORY_OMITTED &&
         opportunity.forecast_category() != v1::FORECAST_CATEGORY_CLOSED;
}

v1::LandingDeal ToLandingDeal(const v1::Opportunity& opportunity) {
  v1::LandingDeal deal;
  deal.set_id(opportunity.id());
  *deal.mutable_amount() = opportunity.amount();
  deal.set_stage(opportunity.stage());
  deal.set_forecast_category(opportunity.forecast_category());
  deal.set_probability(opportunity.probability());
  *deal.mutable_created_date() = opportunity.created_date();
  *deal.mutable_close_date() = opportunity.close_date();
  return deal;
}

v1::DealOutcome OutcomeOf(const v1::Opportunity* later, const DateRange& period) {
  if (later == nullptr) return v1::DEAL_OUTCOME_LOST;
  if (!later->closed()) return v1::DEAL_OUTCOME_STILL_OPEN;
  if (!later->won()) return v1::DEAL_OUTCOME_LOST;
  Date closed_on = ToDate(later->close_date());
  if (!closed_on.ok() || closed_on < period.first) return v1::DEAL_OUTCOME_LOST;
  return closed_on <= period.last ? v1::DEAL_OUTCOME_WON_IN_PERIOD : v1::DEAL_OUTCOME_WON_LATER;
}

bool ClosesBy(const v1::Opportunity& opportunity, Date observed_on, const DateRange& period) {
  if (!InPlay(opportunity)) return false;
  Date expected = ToDate(opportunity.close_date());
  if (!expected.ok() || expected > period.last) return false;
  return period.first <= observed_on || expected >= period.first;
}

LatestSnapshot::LatestSnapshot(const PipelineSnapshot& snapshot) : snapshot_(snapshot) {
  by_id_.resize(snapshot_.opportunities.size());
  std::iota(by_id_.begin(), by_id_.end(), 0);
  const auto& opps = snapshot_.opportunities;
  if (!std::is_sorted(opps.begin(), opps.end(), [](const v1::Opportunity& a, const v1::Opportunity& b) {
        return a.id() < b.id();
      })) {
    std::stable_sort(by_id_.begin(), by_id_.end(),
                     [&](int32_t a, int32_t b) { return opps[a].id() < opps[b].id(); });
  }
}

const v1::Opportunity* LatestSnapshot::Find(std::string_view id) const {
  const auto& opps = snapshot_.opportunities;
  auto it = std::lower_bound(by_id_.begin(), by_id_.end(), id, [&](int32_t i, std::string_view key) {
    return std::string_view(opps[i].id()) < key;
  });
  if (it == by_id_.end() || std::string_view(opps[*it].id()) != id) return nullptr;
  return &opps[*it];
}

absl::StatusOr<LandingObservation> ObserveLanding(const PipelineSnapshot& past,
                                                  const LatestSnapshot& latest,
                                                  const DateRange& period,
                                                  std::string_view currency_code,
                                                  const DealFilter& in_scope) {
  if (!past.as_of.ok()) return absl::InvalidArgumentError("past.as_of: not a valid date");
  if (!latest.as_of().ok()) return absl::InvalidArgumentError("latest.as_of: not a valid date");
  if (latest.as_of() < past.as_of) {
    return absl::InvalidArgumentError(absl::StrCat("latest.as_of: ", Name(latest.as_of()),
                                                   " is before the past snapshot's ",
                                                   Name(past.as_of)));
  }
  if (!period.first.ok() || !period.last.ok() || period.last < period.first) {
    return absl::InvalidArgumentError("period: not a valid date range");
  }
  if (period.last < past.as_of) {
    return absl::InvalidArgumentError(absl::StrCat("period: it ended on ", Name(period.last),
                                                   ", before the observation date ",
                                                   Name(past.as_of)));
  }
  if (absl::Status s = CheckCurrency(currency_code); !s.ok()) return s;

  LandingObservation out;
  const v1::Date observed_on = ToProto(past.as_of);
  const v1::Date period_end = ToProto(period.last);
  for (const v1::Opportunity& o : past.opportunities) {
    if (!ClosesBy(o, past.as_of, period)) continue;
    if (in_scope && !in_scope(o)) continue;
    v1::LandingExample& example = out.examples.emplace_back();
    *example.mutable_deal() = ToLandingDeal(o);
    *example.mutable_observed_on() = observed_on;
    *example.mutable_period_end() = period_end;
    example.set_outcome(OutcomeOf(latest.Find(o.id()), period));
  }

  int64_t won_from_new = 0;
  for (const v1::Opportunity& o : latest.opportunities()) {
    if (!o.closed() || !o.won()) continue;
    Date closed_on = ToDate(o.close_date()), created = ToDate(o.created_date());
    if (!closed_on.ok() || !period.Contains(closed_on)) continue;
    if (!created.ok() || created <= past.as_of) continue;
    if (in_scope && !in_scope(o)) continue;
    won_from_new += o.amount().minor_units();
  }
  std::string currency(currency_code);
  *out.new_business.mutable_observed_on() = observed_on;
  *out.new_business.mutable_period_start() = ToProto(period.first);
  *out.new_business.mutable_period_end() = period_end;
  *out.new_business.mutable_won_from_new_deals() = MakeMoney(currency, won_from_new);
  return out;
}

absl::StatusOr<LandingObservation> ObserveLanding(const PipelineSnapshot& past,
                                                  const PipelineSnapshot& latest,
                                                  const DateRange& period,
                                                  std::string_view currency_code,
                                                  const DealFilter& in_scope) {
  return ObserveLanding(past, LatestSnapshot(latest), period, currency_code, in_scope);
}

absl::StatusOr<std::vector<std::string>> SubtreeIds(std::span<const v1::TerritoryNode> territories,
                                                    std::string_view node_id) {
  std::vector<std::string> ids;
  if (node_id.empty()) {
    for (const v1::TerritoryNode& t : territories) ids.push_back(t.id());
    return ids;
  }
  std::multimap<std::string_view, std::string_view> children;
  bool found = false;
  for (const v1::TerritoryNode& t : territories) {
    children.emplace(t.parent_id(), t.id());
    found = found || t.id() == node_id;
  }
  if (!found) {
    return absl::InvalidArgumentError(
        absl::StrCat("node_id: no territory node \"", std::string(node_id), "\""));
  }
  // Breadth first; a node already seen is not expanded again (guards against cycles).
  std::unordered_set<std::string> seen;
  ids.emplace_back(node_id);
  seen.emplace(node_id);
  for (size_t i = 0; i < ids.size(); ++i) {
    auto [begin, end] = children.equal_range(ids[i]);
    for (auto it = begin; it != end; ++it) {
      if (seen.emplace(it->second).second) ids.emplace_back(it->second);
    }
  }
  return ids;
}

DealFilter TerritoryFilter(std::vector<std::string> territory_ids) {
  auto ids = std::make_shared<const std::unordered_set<std::string>>(territory_ids.begin(),
                                                                     territory_ids.end());
  return [ids](const v1::Opportunity& o) { return ids->count(o.territory_id()) > 0; };
}

DateRange PeriodAround(Date date, PeriodKind kind, int offset, int start_month) {
  start_month = NormalizeStartMonth(start_month);
  FiscalPeriod p = PeriodContaining(date, kind, start_month);
  auto floor_div = [](int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
  switch (kind) {
    case PeriodKind::kYear:
      p.fiscal_year += offset;
      break;
    case PeriodKind::kQuarter:
    case PeriodKind::kMonth: {
      const int per_year = kind == PeriodKind::kQuarter ? 4 : 12;
      const int n = p.fiscal_year * per_year + (p.index - 1) + offset;
      p.fiscal_year = floor_div(n, per_year);
      p.index = n - p.fiscal_year * per_year + 1;
      break;
    }
  }
  return RangeOf(p, start_month);
}

absl::StatusOr<std::vector<v1::ForecastLandingRequest>> BuildLandingRequests(
    const LandingContext& context, const SnapshotSource& past,
    std::span<const std::string> node_ids, const LandingRequestOptions& options) {
  const Date as_of = context.current.as_of;
  if (!as_of.ok()) return absl::InvalidArgumentError("current.as_of: not a valid date");
  if (absl::Status s = CheckCurrency(context.currency_code); !s.ok()) return s;
  if (context.fiscal_start_month < 0 || context.fiscal_start_month > 12) {
    return absl::InvalidArgumentError(absl::StrCat("fiscal_start_month: ",
                                                   context.fiscal_start_month, " is not in 0..12"));
  }
  if (options.period_offset < 0 || options.period_offset > 8) {
    return absl::InvalidArgumentError(
        absl::StrCat("period_offset: ", options.period_offset, " is not in 0..8"));
  }
  if (options.history_quarters < 0 || options.history_quarters > 40) {
    return absl::InvalidArgumentError(
        absl::StrCat("history_quarters: ", options.history_quarters, " is not in 0..40"));
  }
  if (options.observation_step_days < 1 || options.observation_step_days > 366) {
    return absl::InvalidArgumentError(absl::StrCat(
        "observation_step_days: ", options.observation_step_days, " is not in 1..366"));
  }
  if (options.history_quarters > 0 && !past) {
    return absl::InvalidArgumentError("past: a snapshot source is required for history");
  }
  const int start_month = NormalizeStartMonth(context.fiscal_start_month);
  const std::string& currency = context.currency_code;
  const DateRange period = PeriodAround(as_of, options.period_kind, options.period_offset, start_month);

  std::vector<DealFilter> filters;
  for (const std::string& node : node_ids) {
    if (node.empty()) {
      filters.emplace_back();
      continue;
    }
    absl::StatusOr<std::vector<std::string>> ids = SubtreeIds(context.territories, node);
    if (!ids.ok()) return ids.status();
    filters.push_back(TerritoryFilter(std::move(*ids)));
  }

  std::vector<v1::ForecastLandingRequest> requests(node_ids.size());
  for (size_t n = 0; n < requests.size(); ++n) {
    v1::ForecastLandingRequest& r = requests[n];
    const DealFilter& in_scope = filters[n];
    *r.mutable_as_of() = ToProto(as_of);
    *r.mutable_period_start() = ToProto(period.first);
    *r.mutable_period_end() = ToProto(period.last);
    r.set_currency_code(currency);
    int64_t won = 0;
    for (const v1::Opportunity& o : context.current.opportunities) {
      if (in_scope && !in_scope(o)) continue;
      if (o.closed()) {
        Date closed_on = ToDate(o.close_date());
        if (o.won() && closed_on.ok() && period.first <= closed_on && closed_on <= as_of) {
          won += o.amount().minor_units();
        }
      } else if (ClosesBy(o, as_of, period)) {
        *r.add_open_deals() = ToLandingDeal(o);
      }
    }
    *r.mutable_closed_won_to_date() = MakeMoney(currency, won);
    if (options.quota_minor_units) *r.mutable_quota() = MakeMoney(currency, *options.quota_minor_units);
    r.set_simulations(options.simulations);
    r.set_seed(options.seed);
  }
  if (options.history_quarters == 0) return requests;

  // Observation dates: every step back from as_of to the start of the earliest quarter, oldest
  // first, keeping only those whose period had ended by as_of (so every outcome is known then).
  const Date earliest = PeriodAround(as_of, PeriodKind::kQuarter, -options.history_quarters, start_month).first;
  std::vector<Date> dates;
  for (int day = DayNumber(as_of) - options.observation_step_days; day >= DayNumber(earliest);
       day -= options.observation_step_days) {
    Date d = FromDayNumber(day);
    if (PeriodAround(d, options.period_kind, options.period_offset, start_month).last < as_of) {
      dates.push_back(d);
    }
  }
  std::reverse(dates.begin(), dates.end());

  // Outcomes are read from the current snapshot: what was known on as_of, nothing later.
  const LatestSnapshot latest(context.current);
  Date previous{};
  for (Date date : dates) {
    absl::StatusOr<OwnedSnapshot> snapshot = past(date);
    if (absl::IsNotFound(snapshot.status())) continue;
    if (!snapshot.ok()) return snapshot.status();
    const Date observed = snapshot->as_of.ok() ? snapshot->as_of : date;
    if (observed > date) {
      return absl::FailedPreconditionError(absl::StrCat("the snapshot source returned a snapshot of ",
                                                        Name(observed), " for ", Name(date)));
    }
    if (previous.ok() && observed <= previous) continue;  // the same stored snapshot again
    const DateRange observed_period =
        PeriodAround(observed, options.period_kind, options.period_offset, start_month);
    if (observed_period.last >= as_of) continue;
    previous = observed;
    const PipelineSnapshot view{observed, snapshot->opportunities};
    for (size_t n = 0; n < requests.size(); ++n) {
      absl::StatusOr<LandingObservation> observation =
          ObserveLanding(view, latest, observed_period, currency, filters[n]);
      if (!observation.ok()) return observation.status();
      auto* history = requests[n].mutable_history();
      history->Reserve(history->size() + static_cast<int>(observation->examples.size()));
      for (v1::LandingExample& e : observation->examples) *history->Add() = std::move(e);
      *requests[n].add_new_business_history() = std::move(observation->new_business);
    }
  }
  return requests;
}

absl::StatusOr<v1::ForecastLandingRequest> BuildLandingRequest(
    const LandingContext& context, const SnapshotSource& past, std::string_view node_id,
    const LandingRequestOptions& options) {
  const std::string node(node_id);
  absl::StatusOr<std::vector<v1::ForecastLandingRequest>> requests =
      BuildLandingRequests(context, past, std::span<const std::string>(&node, 1), options);
  if (!requests.ok()) return requests.status();
  return std::move(requests->front());
}

}  // namespace salesops::salesctl
