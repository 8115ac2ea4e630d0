// Maximum-likelihood fitting against R's forecast::ets: the optimum we find must be at least as
// good as R's (R's Nelder-Mead often stops early; a different optimiser may land elsewhere but
// not worse), and where R's optimum is the global one the forecasts must agree.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "services/forecasting/engine/ets_fit.h"
#include "services/forecasting/engine/ets_forecast.h"
#include "tests/support/series_data.h"

namespace salesops::forecast::ets {
namespace {

using series_data::kAirPassengers;
using series_data::kUSAccDeaths;
using series_data::kBJsales;
using series_data::kLakeHuron;

constexpr auto A = ErrorType::kAdditive;
constexpr auto M = ErrorType::kMultiplicative;
constexpr auto N = TrendType::kNone;
constexpr auto TA = TrendType::kAdditive;
constexpr auto TM = TrendType::kMultiplicative;
constexpr auto SN = SeasonType::kNone;
constexpr auto SA = SeasonType::kAdditive;
constexpr auto SM = SeasonType::kMultiplicative;

struct RFit {
  std::string call;
  const std::vector<double>* y;
  EtsSpec spec;
  double lik;                 // -2 * fit$loglik
  std::vector<double> mean;   // forecast(fit, h)$mean; empty when not compared
};

// R: fit <- ets(y, model = ..., damped = ...); -2 * fit$loglik; forecast(fit, h = 8)$mean.
// A mean is listed only where R's optimiser reaches (nearly) the optimum we find: for the damped
// fits we end slightly higher (by 0.2-0.3 in lik) by moving the initial states along a flat
// ridge, which leaves the forecasts unchanged.
const std::vector<RFit>& RFits() {
  static const std::vector<RFit> fits = {
      {"ets(USAccDeaths, 'ANN')", &kUSAccDeaths, {A, N, false, SN, 1}, 1256.342759112383,
       std::vector<double>(8, 9239.938853874188)},
      {"ets(USAccDeaths, 'AAN', damped = FALSE)", &kUSAccDeaths, {A, TA, false, SN, 1},
       1260.258495929799, {}},
      {"ets(USAccDeaths, 'AAN', damped = TRUE)", &kUSAccDeaths, {A, TA, true, SN, 1},
       1256.5524941994038,
       {9239.952479703621, 9239.966997801595, 9239.978612453959, 9239.98790431504,
        9239.995337915256, 9240.001284884515, 9240.006042531188, 9240.009848705542}},
      {"ets(USAccDeaths, 'AAA', damped = FALSE)", &kUSAccDeaths, {A, TA, false, SA, 12},
       1111.849867466912, {}},
      {"ets(BJsales, 'AAN', damped = FALSE)", &kBJsales, {A, TA, false, SN, 1}, 843.12946291032006,
       {262.98721477250047, 263.2744577062643, 263.5617006400281, 263.84894357379193,
        264.13618650755575, 264.4234294413195, 264.71067237508333, 264.99791530884715}},
      {"ets(LakeHuron, 'AAN', damped = TRUE)", &kLakeHuron, {A, TA, true, SN, 1},
       390.69649837298476,
       {579.960132631458, 579.9602605511188, 579.9603777457792, 579.9604851146412,
        579.9605834815162, 579.9606736011464, 579.9607561649943, 579.9608318065498}},
      {"ets(AirPassengers, 'AAA', damped = FALSE)", &kAirPassengers, {A, TA, false, SA, 12},
       1531.8716950233406, {}},
      {"ets(AirPassengers, 'ANN')", &kAirPassengers, {A, N, false, SN, 1}, 1727.7867551985025,
       std::vector<double>(8, 431.9957926360464)},
      {"ets(AirPassengers, 'ANA')", &kAirPassengers, {A, N, false, SA, 12}, 1534.8590779296451,
       {}},
      // Multiplicative models (not yet exposed by ForecastSeries): likelihood only.
      {"ets(USAccDeaths, 'MNN')", &kUSAccDeaths, {M, N, false, SN, 1}, 1257.9953523503707, {}},
      {"ets(USAccDeaths, 'MAN', damped = FALSE)", &kUSAccDeaths, {M, TA, false, SN, 1},
       1257.024151764841, {}},
      {"ets(USAccDeaths, 'MAN', damped = TRUE)", &kUSAccDeaths, {M, TA, true, SN, 1},
       1256.8102623018758, {}},
      {"ets(USAccDeaths, 'MNM')", &kUSAccDeaths, {M, N, false, SM, 12}, 1113.8399660337645, {}},
      {"ets(USAccDeaths, 'MAM', damped = FALSE)", &kUSAccDeaths, {M, TA, false, SM, 12},
       1124.4640882453336, {}},
      {"ets(USAccDeaths, 'MAM', damped = TRUE)", &kUSAccDeaths, {M, TA, true, SM, 12},
       1104.1257292495093, {}},
      {"ets(AirPassengers, 'MMN', damped = FALSE)", &kAirPassengers, {M, TM, false, SN, 1},
       1665.6323677937985, {}},
      {"ets(AirPassengers, 'MMN', damped = TRUE)", &kAirPassengers, {M, TM, true, SN, 1},
       1666.65595840789, {}},
      {"ets(AirPassengers, 'MAA', damped = FALSE)", &kAirPassengers, {M, TA, false, SA, 12},
       1536.4668201081979, {}},
      {"ets(AirPassengers, 'MMM', damped = FALSE)", &kAirPassengers, {M, TM, false, SM, 12},
       1363.8274490091433, {}},
  };
  return fits;
}

TEST(EtsFitTest, LikelihoodAtLeastAsGoodAsR) {
  for (const RFit& r : RFits()) {
    const absl::StatusOr<EtsFit> fit = FitEts(*r.y, r.spec);
    ASSERT_TRUE(fit.ok()) << r.call << ": " << fit.status();
    EXPECT_LE(fit->lik, r.lik + 1e-3) << r.call;
    std::printf("  %-44s lik %10.4f   R %10.4f   evaluations %d\n", r.call.c_str(), fit->lik,
                r.lik, fit->evaluations);
  }
}

TEST(EtsFitTest, ForecastsMatchRWhereTheOptimaAgree) {
  for (const RFit& r : RFits()) {
    if (r.mean.empty()) continue;
    const absl::StatusOr<EtsFit> fit = FitEts(*r.y, r.spec);
    ASSERT_TRUE(fit.ok()) << r.call;
    EXPECT_LE(fit->lik, r.lik + 1e-3) << r.call;
    EXPECT_GE(fit->lik, r.lik - 0.5) << r.call;
    const EtsForecast f = ForecastEts(*fit, static_cast<int>(r.mean.size()));
    for (std::size_t i = 0; i < r.mean.size(); ++i) {
      EXPECT_NEAR(f.mean[i], r.mean[i], 1e-3 * std::fabs(r.mean[i])) << r.call << " h=" << i + 1;
    }
  }
}

TEST(EtsFitTest, InformationCriteriaFollowR) {
  const absl::StatusOr<EtsFit> fit = FitEts(kUSAccDeaths, EtsSpec{A, TA, true, SN, 1});
  ASSERT_TRUE(fit.ok());
  // k = alpha, beta, phi, l0, b0 and sigma.
  EXPECT_EQ(fit->num_parameters, 6);
  const double n = 72, k = 6;
  EXPECT_DOUBLE_EQ(fit->aic, fit->lik + 2 * k);
  EXPECT_DOUBLE_EQ(fit->aicc, fit->aic + 2 * k * (k + 1) / (n - k - 1));
  EXPECT_DOUBLE_EQ(fit->bic, fit->lik + std::log(n) * k);
  EXPECT_DOUBLE_EQ(fit->loglik, -0.5 * fit->lik);
  double sse = 0;
  for (double e : fit->residuals) sse += e * e;
  EXPECT_NEAR(fit->sigma2, sse / (n - 5), 1e-9 * fit->sigma2);
  EXPECT_NEAR(fit->lik, n * std::log(sse), 1e-9 * fit->lik);
  // Seasonal: m - 1 free seasonal states.
  const absl::StatusOr<EtsFit> hw = FitEts(kUSAccDeaths, EtsSpec{A, TA, false, SA, 12});
  ASSERT_TRUE(hw.ok());
  EXPECT_EQ(hw->num_parameters, 3 + 2 + 11 + 1);
  double seasonal_sum = 0;
  for (int j = 2; j < 14; ++j) seasonal_sum += hw->initial_state[j];
  EXPECT_NEAR(seasonal_sum, 0, 1e-6);
}

TEST(EtsFitTest, EstimatesRespectTheBounds) {
  const EtsBounds b;
  for (const RFit& r : RFits()) {
    const absl::StatusOr<EtsFit> fit = FitEts(*r.y, r.spec);
    ASSERT_TRUE(fit.ok());
    EXPECT_TRUE(WithinUsualBounds(fit->spec, fit->params, b)) << r.call;
    EXPECT_TRUE(Admissible(fit->spec, fit->params)) << r.call;
  }
}

TEST(EtsFitTest, IsDeterministic) {
  const EtsSpec spec{A, TA, false, SA, 12};
  const absl::StatusOr<EtsFit> a = FitEts(kAirPassengers, spec);
  const absl::StatusOr<EtsFit> b = FitEts(kAirPassengers, spec);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->lik, b->lik);
  EXPECT_EQ(a->params.alpha, b->params.alpha);
  EXPECT_EQ(a->initial_state, b->initial_state);
  EXPECT_EQ(a->residuals, b->residuals);
}

// Scaling the data by a power of two scales states and forecasts exactly and shifts the
// likelihood by 2 n log(scale); huge and tiny magnitudes fit like ordinary ones.
TEST(EtsFitTest, ScaleEquivariance) {
  for (double scale : {0x1p-900, 0x1p-20, 0x1p30, 0x1p900}) {
    std::vector<double> y = kUSAccDeaths;
    for (double& v : y) v *= scale;
    for (const EtsSpec& spec : {EtsSpec{A, N, false, SN, 1}, EtsSpec{A, TA, true, SN, 1},
                                EtsSpec{A, TA, false, SA, 12}}) {
      const absl::StatusOr<EtsFit> base = FitEts(kUSAccDeaths, spec);
      const absl::StatusOr<EtsFit> scaled = FitEts(y, spec);
      ASSERT_TRUE(base.ok() && scaled.ok()) << spec.Name() << " scale " << scale;
      EXPECT_EQ(scaled->params.alpha, base->params.alpha) << spec.Name() << " scale " << scale;
      EXPECT_EQ(scaled->initial_state[0], base->initial_state[0] * scale);
      EXPECT_NEAR(scaled->lik, base->lik + 2 * 72 * std::log(scale), 1e-9 * std::fabs(base->lik));
      const EtsForecast f = ForecastEts(*scaled, 6);
      for (double v : f.mean) EXPECT_TRUE(std::isfinite(v));
      for (double v : f.sd) EXPECT_TRUE(std::isfinite(v) && v > 0);
    }
  }
}

TEST(EtsFitTest, RefusesModelsTheDataCannotSupport) {
  const std::vector<double> short_y(kUSAccDeaths.begin(), kUSAccDeaths.begin() + 14);
  // ETS(A,A,A) with m = 12 has 16 free parameters.
  EXPECT_EQ(FitEts(short_y, EtsSpec{A, TA, false, SA, 12}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Seasonal period out of R's range.
  EXPECT_FALSE(FitEts(kUSAccDeaths, EtsSpec{A, N, false, SA, 25}).ok());
  EXPECT_FALSE(FitEts(kUSAccDeaths, EtsSpec{A, N, false, SA, 1}).ok());
  // Multiplicative models need positive data.
  std::vector<double> with_zero = kUSAccDeaths;
  with_zero[5] = 0;
  EXPECT_FALSE(FitEts(with_zero, EtsSpec{M, N, false, SN, 1}).ok());
  // SES on 4 points: 2 parameters, n - 1 = 3 > 2: estimable (AICc infinite).
  EXPECT_TRUE(FitEts(std::vector<double>{1, 3, 2, 4}, EtsSpec{A, N, false, SN, 1}).ok());
  EXPECT_FALSE(FitEts(std::vector<double>{1, 3, 2}, EtsSpec{A, N, false, SN, 1}).ok());
}

TEST(EtsFitTest, DataRequirementsFollowR) {
  // R's ets: a named model is estimated only when n > npars + 4.
  EXPECT_EQ(MinObservationsForNamedModel(EtsSpec{A, N, false, SN, 1}), 7);
  EXPECT_EQ(MinObservationsForNamedModel(EtsSpec{A, TA, false, SN, 1}), 9);
  EXPECT_EQ(MinObservationsForNamedModel(EtsSpec{A, TA, true, SN, 1}), 10);
  EXPECT_EQ(MinObservationsForNamedModel(EtsSpec{A, TA, false, SA, 12}), 21);
  EXPECT_EQ(MinObservationsForNamedModel(EtsSpec{A, TA, false, SA, 4}), 13);
  // Finite AICc: fewer free parameters than n - 2.
  EXPECT_FALSE(HasFiniteAicc(EtsSpec{A, N, false, SN, 1}, 4));
  EXPECT_TRUE(HasFiniteAicc(EtsSpec{A, N, false, SN, 1}, 5));
  EXPECT_FALSE(HasFiniteAicc(EtsSpec{A, TA, true, SN, 1}, 7));
  EXPECT_TRUE(HasFiniteAicc(EtsSpec{A, TA, true, SN, 1}, 8));
  EXPECT_TRUE(HasFiniteAicc(EtsSpec{A, TA, false, SA, 12}, 19));
  EXPECT_FALSE(HasFiniteAicc(EtsSpec{A, TA, false, SA, 12}, 18));
}

// The brief's rough target: all additive fits for a 144-point monthly series well under 10 ms on
// one core. The assertion is loose (shared, sanitised or debug builds are slower); the measured
// time is printed.
TEST(EtsFitTest, FitsAMonthlySeriesQuickly) {
  const std::vector<EtsSpec> specs = {{A, N, false, SN, 1}, {A, TA, false, SN, 1},
                                      {A, TA, true, SN, 1}, {A, TA, false, SA, 12}};
  constexpr int kRepeats = 5;
  const auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < kRepeats; ++r) {
    for (const EtsSpec& spec : specs) ASSERT_TRUE(FitEts(kAirPassengers, spec).ok());
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                              start)
                        .count() /
                    kRepeats;
  std::printf("  SES + Holt + damped Holt + Holt-Winters on AirPassengers: %.2f ms\n", ms);
  EXPECT_LT(ms, 250);
}

}  // namespace
}  // namespace salesops::forecast::ets
