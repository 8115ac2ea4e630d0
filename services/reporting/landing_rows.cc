#include "services/reporting/landing_rows.h"

#include <algorithm>
#include <tuple>
#include <unordered_map>

#include "common/proto_convert.h"

namespace salesops::reporting {
namespace {

// In play for a landing: open, and in a category a rep still forecasts.
bool InPlay(const Deal& d) {
  return !d.closed && d.category != v1::FORECAST_CATEGORY_OMITTED &&
         d.category != v1::FORECAST_CATEGORY_CLOSED;
}

// Whether a deal seen open on `observed_day` could close in `range`: expected on or before its end
// (past-due ones included) and, for a period starting after the observation, not before its start.
bool ClosesBy(const Deal& d, int observed_day, int first_day, int last_day) {
  if (!InPlay(d) || d.close_day > last_day) return false;
  return first_day <= observed_day || d.close_day >= first_day;
}

// A past snapshot used as an observation, with the period it is about.
struct Observation {
  const Snapshot* snapshot = nullptr;
  int first_day = 0;  // the observed period
  int last_day = 0;
};

// The usable observations, oldest first, at most one per day (see landing_rows.h).
std::vector<Observation> Observations(const Snapshot& now,
                                      std::span<const std::shared_ptr<const Snapshot>> past,
                                      const FiscalPeriod& period) {
  const int start_month = now.header.calendar().start_month();
  const FiscalPeriod current = PeriodContaining(FromDayNumber(now.as_of_day), period.kind, start_month);
  const int offset = PeriodsBetween(current, period);
  std::vector<Observation> out;
  for (const auto& p : past) {
    if (!p || p->as_of_day >= now.as_of_day) continue;
    if (p->header.currency_code() != now.header.currency_code()) continue;
    if (NormalizeStartMonth(p->header.calendar().start_month()) != NormalizeStartMonth(start_month))
      continue;
    const FiscalPeriod observed =
        ShiftPeriod(PeriodContaining(FromDayNumber(p->as_of_day), period.kind, start_month), offset);
    const DateRange range = RangeOf(observed, start_month);
    // Outcomes are read from `now`: only periods over by then have final ones.
    if (DayNumber(range.last) >= now.as_of_day) continue;
    out.push_back({p.get(), DayNumber(range.first), DayNumber(range.last)});
  }
  // By date, then id: of several taken on one day, the same one is kept whatever the input order.
  std::sort(out.begin(), out.end(), [](const Observation& a, const Observation& b) {
    return std::tie(a.snapshot->as_of_day, a.snapshot->id) < std::tie(b.snapshot->as_of_day, b.snapshot->id);
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const Observation& a, const Observation& b) {
                          return a.snapshot->as_of_day == b.snapshot->as_of_day;
                        }),
            out.end());
  return out;
}

// The deal as the landing forecast sees it. The id, created date and currency-free fields the
// engine does not read are left out: a 100k-deal report sends less.
void FillLandingDeal(const Snapshot& s, const Deal& d, const std::string& currency, v1::LandingDeal* out) {
  *out->mutable_amount() = MakeMoney(currency, d.amount);
  if (d.stage >= 0) out->set_stage(s.stages[d.stage]);
  out->set_forecast_category(d.category);
  out->set_probability(d.probability);
  *out->mutable_close_date() = ToProto(FromDayNumber(d.close_day));
}

// What became of a deal open at an observation of [first_day, last_day], per the current snapshot
// (`later`: the same deal there, or null when it is gone, which counts as lost).
v1::DealOutcome OutcomeOf(const Deal* later, int first_day, int last_day) {
  if (later == nullptr) return v1::DEAL_OUTCOME_LOST;
  if (!later->closed) return v1::DEAL_OUTCOME_STILL_OPEN;
  if (!later->won || later->close_day < first_day) return v1::DEAL_OUTCOME_LOST;
  return later->close_day <= last_day ? v1::DEAL_OUTCOME_WON_IN_PERIOD : v1::DEAL_OUTCOME_WON_LATER;
}

}  // namespace

std::vector<std::string> ObservationIds(const Snapshot& now,
                                        std::span<const std::shared_ptr<const Snapshot>> past,
                                        const FiscalPeriod& period) {
  std::vector<std::string> ids;
  for (const Observation& o : Observations(now, past, period)) ids.push_back(o.snapshot->id);
  return ids;
}

std::vector<v1::ForecastLandingRequest> BuildRowLandingRequests(
    const Snapshot& now, std::span<const std::shared_ptr<const Snapshot>> past,
    const ReportRows& rows, const FiscalPeriod& period, const std::vector<int64_t>& quotas,
    const LandingRowsOptions& options) {
  const std::string& currency = now.header.currency_code();
  const DateRange range = RangeOf(period, now.header.calendar().start_month());
  const PeriodDays days(range, now.as_of_day);
  const int n = options.top_row_only ? std::min(1, rows.size()) : rows.size();
  // Calls f(request) for every request a deal of (rep, node) counts in.
  auto for_each_request = [&](int rep, int node, auto&& f) {
    rows.ForEachRowOf(rep, node, [&](int row) {
      if (row < n) f(row);
    });
  };

  std::vector<v1::ForecastLandingRequest> requests(n);
  std::vector<int64_t> closed_won(n, 0);
  for (int i = 0; i < n; ++i) {
    v1::ForecastLandingRequest& r = requests[i];
    *r.mutable_as_of() = now.header.as_of();
    *r.mutable_period_start() = ToProto(range.first);
    *r.mutable_period_end() = ToProto(range.last);
    r.set_currency_code(currency);
    if (i < static_cast<int>(quotas.size()) && quotas[i] > 0) *r.mutable_quota() = MakeMoney(currency, quotas[i]);
    r.set_simulations(options.simulations);
    r.set_seed(options.seed);
  }
  for (const Deal& d : now.deals) {
    if (days.WonIn(d)) {
      for_each_request(d.rep, d.node, [&](int row) { closed_won[row] += d.amount; });
    } else if (ClosesBy(d, now.as_of_day, days.first, days.last)) {
      for_each_request(d.rep, d.node, [&](int row) {
        FillLandingDeal(now, d, currency, requests[row].add_open_deals());
      });
    }
  }
  for (int i = 0; i < n; ++i) *requests[i].mutable_closed_won_to_date() = MakeMoney(currency, closed_won[i]);

  const std::vector<Observation> observations = Observations(now, past, period);
  if (observations.empty()) return requests;
  std::unordered_map<uint64_t, int> now_index;
  now_index.reserve(now.deals.size());
  for (size_t i = 0; i < now.deals.size(); ++i) now_index.emplace(now.deals[i].key, static_cast<int>(i));

  std::vector<int64_t> won_from_new(n);
  for (const Observation& o : observations) {
    const Snapshot& p = *o.snapshot;
    // The past snapshot's reps and territories in the current hierarchy (-1: gone since).
    std::vector<int> rep_now(p.hierarchy.rep_count()), node_now(p.hierarchy.node_count());
    for (int r = 0; r < p.hierarchy.rep_count(); ++r) rep_now[r] = now.hierarchy.FindRep(p.hierarchy.rep(r).id());
    for (int v = 0; v < p.hierarchy.node_count(); ++v) node_now[v] = now.hierarchy.FindNode(p.hierarchy.node(v).id());
    const v1::Date observed_on = ToProto(FromDayNumber(p.as_of_day));
    const v1::Date period_end = ToProto(FromDayNumber(o.last_day));
    for (const Deal& d : p.deals) {
      if (!ClosesBy(d, p.as_of_day, o.first_day, o.last_day)) continue;
      auto it = now_index.find(d.key);
      const v1::DealOutcome outcome =
          OutcomeOf(it == now_index.end() ? nullptr : &now.deals[it->second], o.first_day, o.last_day);
      for_each_request(d.rep < 0 ? -1 : rep_now[d.rep], d.node < 0 ? -1 : node_now[d.node], [&](int row) {
        v1::LandingExample* e = requests[row].add_history();
        FillLandingDeal(p, d, currency, e->mutable_deal());
        *e->mutable_observed_on() = observed_on;
        *e->mutable_period_end() = period_end;
        e->set_outcome(outcome);
      });
    }
    // New business: won in the observed period by deals created after the observation.
    std::fill(won_from_new.begin(), won_from_new.end(), 0);
    for (const Deal& d : now.deals) {
      if (d.won && d.close_day >= o.first_day && d.close_day <= o.last_day && d.created_day > p.as_of_day)
        for_each_request(d.rep, d.node, [&](int row) { won_from_new[row] += d.amount; });
    }
    for (int i = 0; i < n; ++i) {
      v1::NewBusinessExample* e = requests[i].add_new_business_history();
      *e->mutable_observed_on() = observed_on;
      *e->mutable_period_start() = ToProto(FromDayNumber(o.first_day));
      *e->mutable_period_end() = period_end;
      *e->mutable_won_from_new_deals() = MakeMoney(currency, won_from_new[i]);
    }
  }
  return requests;
}

std::vector<CategoryTotals> RowCategoryTotals(const Snapshot& snapshot, const ReportRows& rows,
                                              const FiscalPeriod& period) {
  const DateRange range = RangeOf(period, snapshot.header.calendar().start_month());
  const PeriodDays days(range, snapshot.as_of_day);
  // Per row: won, then the open amount of each category, made cumulative below.
  std::vector<CategoryTotals> totals(rows.size());
  for (const Deal& d : snapshot.deals) {
    int64_t CategoryTotals::*field = nullptr;
    if (days.WonIn(d)) {
      field = &CategoryTotals::closed;
    } else if (days.OpenIn(d)) {
      field = d.category == v1::FORECAST_CATEGORY_COMMIT      ? &CategoryTotals::commit
              : d.category == v1::FORECAST_CATEGORY_BEST_CASE ? &CategoryTotals::best_case
                                                              : &CategoryTotals::pipeline;
    }
    if (field == nullptr) continue;
    rows.ForEachRowOf(d, [&](int row) { totals[row].*field += d.amount; });
  }
  for (CategoryTotals& t : totals) {
    t.commit += t.closed;
    t.best_case += t.commit;
    t.pipeline += t.best_case;
  }
  return totals;
}

v1::LandingForecast ToLandingForecast(const v1::ForecastLandingResponse& response, int64_t quota,
                                      int history_snapshots) {
  v1::LandingForecast out;
  *out.mutable_expected() = response.expected();
  *out.mutable_p10() = response.p10();
  *out.mutable_p50() = response.p50();
  *out.mutable_p90() = response.p90();
  out.set_probability_of_quota(quota > 0 ? response.probability_of_quota() : 0.0);
  out.set_p50_attainment_pct(quota > 0 ? 100.0 * response.p50().minor_units() / quota : 0.0);
  *out.mutable_expected_from_pipeline() = response.expected_from_pipeline();
  *out.mutable_expected_from_new_business() = response.expected_from_new_business();
  out.set_history_snapshots(history_snapshots);
  return out;
}

}  // namespace salesops::reporting
