#include "services/forecasting/landing_request.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/calendar.h"
#include "common/money.h"
#include "common/proto_convert.h"
#include "services/forecasting/engine/landing.h"

namespace salesops::forecast {
namespace {

constexpr int kDefaultSimulations = 20000;
constexpr uint64_t kDefaultSeed = 20240229;

absl::StatusOr<int> Day(const v1::Date& date, const std::string& field) {
  auto d = FromProto(date);
  if (!d.ok()) return absl::InvalidArgumentError(absl::StrCat(field, ": ", d.status().message()));
  return DayNumber(*d);
}

// Checks the currency, the sign and the amount limit; amounts that the landing adds up (closed won
// to date and the open deals) are also counted in `total`, so their sum cannot overflow.
absl::Status CheckMoney(const v1::Money& money, const std::string& currency, const std::string& field,
                        AmountTotal* total = nullptr) {
  if (money.currency_code() != currency)
    return absl::InvalidArgumentError(absl::StrCat(field, ".currency_code: \"", money.currency_code(),
                                                   "\" differs from the request's \"", currency, "\""));
  if (money.minor_units() < 0) return absl::InvalidArgumentError(absl::StrCat(field, ": negative"));
  if (total != nullptr) return total->Add(money.minor_units(), field);
  return CheckAmountLimit(money.minor_units(), field);
}

absl::StatusOr<landing::Deal> ToDeal(const v1::LandingDeal& d, const std::string& currency,
                                     const std::string& field, AmountTotal* total = nullptr) {
  if (auto s = CheckMoney(d.amount(), currency, field + ".amount", total); !s.ok()) return s;
  if (!std::isfinite(d.probability()) || d.probability() < 0 || d.probability() > 1)
    return absl::InvalidArgumentError(absl::StrCat(field, ".probability: must be 0..1"));
  if (!v1::ForecastCategory_IsValid(d.forecast_category()))
    return absl::InvalidArgumentError(absl::StrCat(field, ".forecast_category: unknown"));
  auto close = Day(d.close_date(), field + ".close_date");
  if (!close.ok()) return close.status();
  landing::Deal deal;
  deal.amount = d.amount().minor_units();
  deal.stage = d.stage();
  deal.category = d.forecast_category();
  deal.crm_probability = d.probability();
  deal.close_day = *close;
  return deal;
}

landing::Outcome OutcomeOf(v1::DealOutcome outcome) {
  switch (outcome) {
    case v1::DEAL_OUTCOME_WON_IN_PERIOD: return landing::Outcome::kWonInPeriod;
    case v1::DEAL_OUTCOME_WON_LATER: return landing::Outcome::kWonLater;
    case v1::DEAL_OUTCOME_STILL_OPEN: return landing::Outcome::kStillOpen;
    default: return landing::Outcome::kLost;
  }
}

v1::Money Money(const std::string& currency, double minor) {
  return MakeMoney(currency, static_cast<int64_t>(std::llround(minor)));
}

}  // namespace

absl::Status ValidateLandingSize(const v1::ForecastLandingRequest& request,
                                 const ForecastLimits& limits) {
  if (request.open_deals_size() > limits.max_landing_deals)
    return absl::InvalidArgumentError(
        absl::StrCat("open_deals: ", request.open_deals_size(), " deals exceed the limit of ",
                     limits.max_landing_deals, " (max_landing_deals)"));
  if (request.history_size() > limits.max_landing_history)
    return absl::InvalidArgumentError(
        absl::StrCat("history: ", request.history_size(), " examples exceed the limit of ",
                     limits.max_landing_history, " (max_landing_history)"));
  return absl::OkStatus();
}

absl::StatusOr<v1::ForecastLandingResponse> ComputeLanding(const v1::ForecastLandingRequest& request) {
  const std::string& currency = request.currency_code();
  if (auto s = ValidateCurrencyCode(currency, "currency_code"); !s.ok()) return s;
  landing::LandingInput in;
  auto as_of = Day(request.as_of(), "as_of");
  auto start = Day(request.period_start(), "period_start");
  auto end = Day(request.period_end(), "period_end");
  if (!as_of.ok()) return as_of.status();
  if (!start.ok()) return start.status();
  if (!end.ok()) return end.status();
  in.as_of_day = *as_of;
  in.period_start_day = *start;
  in.period_end_day = *end;
  AmountTotal landed_total;  // closed won to date + every open deal
  if (request.has_closed_won_to_date()) {
    if (auto s = CheckMoney(request.closed_won_to_date(), currency, "closed_won_to_date", &landed_total);
        !s.ok())
      return s;
    in.closed_won_to_date = request.closed_won_to_date().minor_units();
  }
  in.open_deals.reserve(request.open_deals_size());
  for (int i = 0; i < request.open_deals_size(); ++i) {
    auto deal = ToDeal(request.open_deals(i), currency, absl::StrCat("open_deals[", i, "]"), &landed_total);
    if (!deal.ok()) return deal.status();
    in.open_deals.push_back(std::move(*deal));
  }
  in.history.reserve(request.history_size());
  for (int i = 0; i < request.history_size(); ++i) {
    const auto& e = request.history(i);
    const std::string field = absl::StrCat("history[", i, "]");
    auto deal = ToDeal(e.deal(), currency, field + ".deal");
    if (!deal.ok()) return deal.status();
    auto observed = Day(e.observed_on(), field + ".observed_on");
    auto period_end = Day(e.period_end(), field + ".period_end");
    if (!observed.ok()) return observed.status();
    if (!period_end.ok()) return period_end.status();
    if (e.outcome() == v1::DEAL_OUTCOME_UNSPECIFIED || !v1::DealOutcome_IsValid(e.outcome()))
      return absl::InvalidArgumentError(absl::StrCat(field, ".outcome: required"));
    in.history.push_back({std::move(*deal), *observed, *period_end, OutcomeOf(e.outcome())});
  }
  for (int i = 0; i < request.new_business_history_size(); ++i) {
    const auto& e = request.new_business_history(i);
    const std::string field = absl::StrCat("new_business_history[", i, "]");
    auto observed = Day(e.observed_on(), field + ".observed_on");
    auto period_end = Day(e.period_end(), field + ".period_end");
    if (!observed.ok()) return observed.status();
    if (!period_end.ok()) return period_end.status();
    if (auto s = CheckMoney(e.won_from_new_deals(), currency, field + ".won_from_new_deals"); !s.ok()) return s;
    in.new_business.push_back({*observed, *period_end, e.won_from_new_deals().minor_units()});
  }
  if (request.has_quota()) {
    if (auto s = CheckMoney(request.quota(), currency, "quota"); !s.ok()) return s;
    in.quota = request.quota().minor_units();
  }
  in.simulations = request.simulations() ? request.simulations() : kDefaultSimulations;
  in.seed = request.seed() ? request.seed() : kDefaultSeed;

  auto result = landing::ForecastLanding(in);
  if (!result.ok()) return result.status();
  v1::ForecastLandingResponse response;
  *response.mutable_closed_won_to_date() = MakeMoney(currency, in.closed_won_to_date);
  *response.mutable_expected() = Money(currency, result->expected);
  *response.mutable_p10() = Money(currency, result->p10);
  *response.mutable_p50() = Money(currency, result->p50);
  *response.mutable_p90() = Money(currency, result->p90);
  response.set_probability_of_quota(result->probability_of_quota);
  *response.mutable_expected_from_pipeline() = Money(currency, result->expected_from_pipeline);
  *response.mutable_expected_from_new_business() = Money(currency, result->expected_from_new_business);
  for (const auto& c : result->categories) {
    auto* out = response.add_categories();
    out->set_forecast_category(static_cast<v1::ForecastCategory>(c.category));
    *out->mutable_open_amount() = MakeMoney(currency, c.open_amount);
    *out->mutable_expected() = Money(currency, c.expected);
    out->set_deals(c.deals);
  }
  for (const auto& r : result->rates) {
    auto* out = response.add_rates();
    out->set_forecast_category(static_cast<v1::ForecastCategory>(r.category));
    out->set_stage(r.stage);
    out->set_win_in_period(r.win_in_period);
    out->set_slip(r.slip);
    out->set_examples(r.examples);
  }
  response.set_simulations(in.simulations);
  response.set_seed(in.seed);
  response.set_engine_version(SALESOPS_ENGINE_VERSION);
  return response;
}

}  // namespace salesops::forecast
