#include "services/quota/plan_history.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/calendar.h"
#include "common/proto_convert.h"

namespace salesops::quota {

History AlignHistory(const v1::CreatePlanRequest& request, const Hierarchy& h) {
  History out;
  int first = std::numeric_limits<int>::max(), end = std::numeric_limits<int>::min();
  for (const v1::TimeSeries& s : request.history()) {
    if (s.values_size() == 0) continue;
    int start = MonthNumber(*FromProto(s.start()));
    first = std::min(first, start);
    end = std::max(end, start + s.values_size());
  }
  out.by_rep.resize(h.rep_count());
  if (first >= end) return out;
  out.first_month = first;
  out.months = end - first;
  for (const v1::TimeSeries& s : request.history()) {
    int r = h.FindRep(s.id());
    int offset = MonthNumber(*FromProto(s.start())) - first;
    auto& row = out.by_rep[r];
    row.assign(out.months, 0.0);
    for (int i = 0; i < s.values_size(); ++i) row[offset + i] += s.values(i);
  }
  return out;
}

std::vector<std::vector<double>> NodeHistories(const Hierarchy& h, const History& history) {
  std::vector<std::vector<double>> nodes(h.node_count(), std::vector<double>(history.months, 0.0));
  for (int r = 0; r < h.rep_count(); ++r) {
    if (history.by_rep[r].empty()) continue;
    for (int v = h.node_of_rep(r); v >= 0; v = h.parent(v)) {
      for (int m = 0; m < history.months; ++m) nodes[v][m] += history.by_rep[r][m];
    }
  }
  return nodes;
}

double SumLast(const std::vector<double>& values, int window) {
  double total = 0;
  int from = std::max(0, static_cast<int>(values.size()) - window);
  for (int i = from; i < static_cast<int>(values.size()); ++i) total += values[i];
  return std::max(0.0, total);
}

v1::TimeSeries MonthlySeries(std::string id, int first_month, const std::vector<double>& values) {
  v1::TimeSeries s;
  s.set_id(std::move(id));
  *s.mutable_start() = ToProto(FirstDayOfMonthNumber(first_month));
  s.set_granularity(v1::GRANULARITY_MONTH);
  s.mutable_values()->Assign(values.begin(), values.end());
  return s;
}

absl::StatusOr<YearExpectation> ExpectedYear(const v1::CreatePlanRequest& request,
                                             const Hierarchy& h, const History& history,
                                             const ForecastFn& forecast) {
  YearExpectation out;
  out.nodes.resize(h.node_count());
  out.reps.resize(h.rep_count());
  out.node_sd.assign(h.node_count(), MonthProfile{});
  if (history.empty()) return out;
  const int fy_first = FirstMonthNumberOfFiscalYear(request.fiscal_year(),
                                                    request.calendar().start_month());
  const int history_end = history.first_month + history.months;  // first month after history
  auto actuals = [&](const std::vector<double>& values) {
    MonthProfile year{};
    for (int i = 0; i < 12; ++i) {
      const int m = fy_first + i;
      if (m >= history.first_month && m < history_end) year[i] = values[m - history.first_month];
    }
    return year;
  };
  const auto nodes = NodeHistories(h, history);
  std::vector<int> reps_with_history;
  for (int r = 0; r < h.rep_count(); ++r) {
    if (!history.by_rep[r].empty()) reps_with_history.push_back(r);
  }
  for (int v = 0; v < h.node_count(); ++v) out.nodes[v] = actuals(nodes[v]);
  for (int r : reps_with_history) out.reps[r] = actuals(history.by_rep[r]);

  const int horizon = fy_first + 12 - history_end;
  if (horizon < 1) return out;  // the year is all history
  if (horizon > 1000) return absl::InvalidArgumentError("history: ends more than 1000 months before the plan year");
  v1::ForecastRequest forecast_request;
  forecast_request.set_horizon(horizon);
  forecast_request.set_model(v1::MODEL_TYPE_AUTO);
  for (int v = 0; v < h.node_count(); ++v)
    *forecast_request.add_series() = MonthlySeries("node:" + h.node(v).id(), history.first_month, nodes[v]);
  for (int r : reps_with_history)
    *forecast_request.add_series() = MonthlySeries("rep:" + h.rep(r).id(), history.first_month, history.by_rep[r]);
  auto response = forecast(forecast_request);
  if (!response.ok()) return response.status();
  if (response->forecasts_size() != forecast_request.series_size())
    return absl::InternalError("forecast service returned the wrong number of forecasts");
  auto add_forecast = [&](const v1::SeriesForecast& f, MonthProfile& year) {
    for (int step = 0; step < f.mean_size(); ++step) {
      const int i = history_end + step - fy_first;
      if (i >= 0 && i < 12) year[i] = std::max(0.0, f.mean(step));
    }
  };
  for (int v = 0; v < h.node_count(); ++v) {
    const v1::SeriesForecast& f = response->forecasts(v);
    add_forecast(f, *out.nodes[v]);
    // The sd of each month's forecast, from its 80% interval (the service's default levels).
    for (const v1::PredictionInterval& interval : f.intervals()) {
      if (interval.level() != 80) continue;
      for (int step = 0; step < interval.lower_size() && step < interval.upper_size(); ++step) {
        const int i = history_end + step - fy_first;
        if (i >= 0 && i < 12) out.node_sd[v][i] = (interval.upper(step) - interval.lower(step)) / (2 * 1.2815516);
      }
    }
  }
  for (size_t k = 0; k < reps_with_history.size(); ++k)
    add_forecast(response->forecasts(h.node_count() + static_cast<int>(k)), *out.reps[reps_with_history[k]]);
  return out;
}

MonthProfile LastYearProfile(const std::vector<double>& values, int first_month, int fy_first) {
  MonthProfile profile{};
  const int n = static_cast<int>(values.size());
  for (int i = std::max(0, n - 12); i < n; ++i) {
    const int fiscal_index = (((first_month + i - fy_first) % 12) + 12) % 12;
    profile[fiscal_index] += std::max(0.0, values[i]);
  }
  return profile;
}

double SumPeriod(const MonthProfile& months, const std::array<bool, 12>& period) {
  double total = 0;
  for (int i = 0; i < 12; ++i) total += period[i] ? months[i] : 0.0;
  return total;
}

std::array<bool, 12> PeriodMonths(int fiscal_quarter) {
  std::array<bool, 12> period{};
  for (int i = 0; i < 12; ++i) period[i] = fiscal_quarter == 0 || i / 3 == fiscal_quarter - 1;
  return period;
}

}  // namespace salesops::quota
