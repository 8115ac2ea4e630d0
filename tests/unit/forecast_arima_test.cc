// ARIMA against R 4.2 with forecast 8.20: the model algebra (arima_model.h), differencing and the
// state-space filter (arima_state_space.h, arima_likelihood.h) at fixed coefficients, estimation of
// given orders (FitArima, R's stats::arima / forecast::Arima), forecasts and intervals (R's
// forecast.Arima), automatic selection (AutoArima, R's auto.arima) and the engine's entry point
// ForecastAutoArima (ModelKind::kArima): R's answers on short, constant, trending, seasonal and
// over-long-period series, and nothing non-finite anywhere.
//
// Tolerances. At fixed coefficients the filters are R's to ~1e-9. Estimated coefficients agree to
// ~1e-3 (both optimisers stop on a tolerance; where the likelihood is flat, e.g. UKgas, the
// coefficients wander a little further at the same likelihood), log-likelihoods to ~1e-4 — except
// that R approximates the diffuse prior of the differencing states with a variance of 1e6
// (kappa) while FitArima computes the exact diffuse likelihood (arima_likelihood.h), and on some
// series the two differ by a few 1e-3 (USAccDeaths, log(AirPassengers)): the wider log-likelihood
// tolerances of those cases. (R with kappa = 1e10 gives our log-likelihoods to 1e-5, e.g.
// arima(USAccDeaths, order = c(0,1,1), seasonal = c(0,1,1), fixed = <our coefficients>,
// transform.pars = FALSE, kappa = 1e10)$loglik -425.4411027 against our -425.441103.) R's own
// log-likelihood at our coefficients is within 3e-5 of R's optimum in every case.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "absl/status/status.h"
#include "services/forecasting/engine/arima.h"
#include "services/forecasting/engine/arima_fit.h"
#include "services/forecasting/engine/arima_likelihood.h"
#include "services/forecasting/engine/arima_model.h"
#include "services/forecasting/engine/arima_state_space.h"
#include "services/forecasting/engine/auto_arima.h"
#include "services/forecasting/engine/forecaster.h"
#include "tests/support/series_data.h"

namespace salesops::forecast {
namespace {

using series_data::kAirPassengers;
using series_data::kUSAccDeaths;
using series_data::kBJsales;
using series_data::kLakeHuron;
using series_data::kUKgas;
using series_data::kWWWusage;
using series_data::kLynx;
using series_data::kAustres;
using series_data::kUspop;
using series_data::kN0156;
using series_data::kWhiteNoise;
using series_data::kRandomWalk;

using arima::ArimaFit;
using arima::ArimaFitOptions;
using arima::ArimaOrder;
using arima::ArimaPrediction;
using arima::AutoArimaModel;
using arima::AutoArimaOptions;
using arima::FitMethod;
using arima::InformationCriterion;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kZ80 = 1.2815515655446004;  // qnorm(0.9)
constexpr double kZ95 = 1.9599639845400540;  // qnorm(0.975)

// R: Nile
const std::vector<double> kNile = {
    1120, 1160, 963, 1210, 1160, 1160, 813, 1230, 1370, 1140, 995, 935, 1110, 994, 1020, 960, 1180,
    799, 958, 1140, 1100, 1210, 1150, 1250, 1260, 1220, 1030, 1100, 774, 840, 874, 694, 940, 833,
    701, 916, 692, 1020, 1050, 969, 831, 726, 456, 824, 702, 1120, 1100, 832, 764, 821, 768, 845,
    864, 862, 698, 845, 744, 796, 1040, 759, 781, 865, 845, 944, 984, 897, 822, 1010, 771, 676,
    649, 846, 812, 742, 801, 1040, 860, 874, 848, 890, 744, 749, 838, 1050, 918, 986, 797, 923,
    975, 815, 1020, 906, 901, 1170, 912, 746, 919, 718, 714, 740};
// R: sunspot.year
const std::vector<double> kSunspotYear = {
    5.0, 11.0, 16.0, 23.0, 36.0, 58.0, 29.0, 20.0, 10.0, 8.0, 3.0, 0.0, 0.0, 2.0, 11.0, 27.0, 47.0,
    63.0, 60.0, 39.0, 28.0, 26.0, 22.0, 11.0, 21.0, 40.0, 78.0, 122.0, 103.0, 73.0, 47.0, 35.0,
    11.0, 5.0, 16.0, 34.0, 70.0, 81.0, 111.0, 101.0, 73.0, 40.0, 20.0, 16.0, 5.0, 11.0, 22.0, 40.0,
    60.0, 80.9, 83.4, 47.7, 47.8, 30.7, 12.2, 9.6, 10.2, 32.4, 47.6, 54.0, 62.9, 85.9, 61.2, 45.1,
    36.4, 20.9, 11.4, 37.8, 69.8, 106.1, 100.8, 81.6, 66.5, 34.8, 30.6, 7.0, 19.8, 92.5, 154.4,
    125.9, 84.8, 68.1, 38.5, 22.8, 10.2, 24.1, 82.9, 132.0, 130.9, 118.1, 89.9, 66.6, 60.0, 46.9,
    41.0, 21.3, 16.0, 6.4, 4.1, 6.8, 14.5, 34.0, 45.0, 43.1, 47.5, 42.2, 28.1, 10.1, 8.1, 2.5, 0.0,
    1.4, 5.0, 12.2, 13.9, 35.4, 45.8, 41.1, 30.1, 23.9, 15.6, 6.6, 4.0, 1.8, 8.5, 16.6, 36.3, 49.6,
    64.2, 67.0, 70.9, 47.8, 27.5, 8.5, 13.2, 56.9, 121.5, 138.3, 103.2, 85.7, 64.6, 36.7, 24.2,
    10.7, 15.0, 40.1, 61.5, 98.5, 124.7, 96.3, 66.6, 64.5, 54.1, 39.0, 20.6, 6.7, 4.3, 22.7, 54.8,
    93.8, 95.8, 77.2, 59.1, 44.0, 47.0, 30.5, 16.3, 7.3, 37.6, 74.0, 139.0, 111.2, 101.6, 66.2,
    44.7, 17.0, 11.3, 12.4, 3.4, 6.0, 32.3, 54.3, 59.7, 63.7, 63.5, 52.2, 25.4, 13.1, 6.8, 6.3,
    7.1, 35.6, 73.0, 85.1, 78.0, 64.0, 41.8, 26.2, 26.7, 12.1, 9.5, 2.7, 5.0, 24.4, 42.0, 63.5,
    53.8, 62.0, 48.5, 43.9, 18.6, 5.7, 3.6, 1.4, 9.6, 47.4, 57.1, 103.9, 80.6, 63.6, 37.6, 26.1,
    14.2, 5.8, 16.7, 44.3, 63.9, 69.0, 77.8, 64.9, 35.7, 21.2, 11.1, 5.7, 8.7, 36.1, 79.7, 114.4,
    109.6, 88.8, 67.8, 47.5, 30.6, 16.3, 9.6, 33.2, 92.6, 151.6, 136.3, 134.7, 83.9, 69.4, 31.5,
    13.9, 4.4, 38.0, 141.7, 190.2, 184.8, 159.0, 112.3, 53.9, 37.5, 27.9, 10.2, 15.1, 47.0, 93.8,
    105.9, 105.5, 104.5, 66.6, 68.9, 38.0, 34.5, 15.5, 12.6, 27.5, 92.5, 155.4, 154.7, 140.5,
    115.9, 66.6, 45.9, 17.9, 13.4, 29.2, 100.2};
// R: lh
const std::vector<double> kLh = {
    2.4, 2.4, 2.4, 2.2, 2.1, 1.5, 2.3, 2.3, 2.5, 2.0, 1.9, 1.7, 2.2, 1.8, 3.2, 3.2, 2.7, 2.2, 2.2,
    1.9, 1.9, 1.8, 2.7, 3.0, 2.3, 2.0, 2.0, 2.9, 2.9, 2.7, 2.7, 2.3, 2.6, 2.4, 1.8, 1.7, 1.5, 1.4,
    2.1, 3.3, 3.5, 3.5, 3.1, 2.6, 2.1, 3.4, 3.0, 2.9};
// R: nottem
const std::vector<double> kNottem = {
    40.6, 40.8, 44.4, 46.7, 54.1, 58.5, 57.7, 56.4, 54.3, 50.5, 42.9, 39.8, 44.2, 39.8, 45.1, 47.0,
    54.1, 58.7, 66.3, 59.9, 57.0, 54.2, 39.7, 42.8, 37.5, 38.7, 39.5, 42.1, 55.7, 57.8, 56.8, 54.3,
    54.3, 47.1, 41.8, 41.7, 41.8, 40.1, 42.9, 45.8, 49.2, 52.7, 64.2, 59.6, 54.4, 49.2, 36.3, 37.6,
    39.3, 37.5, 38.3, 45.5, 53.2, 57.7, 60.8, 58.2, 56.4, 49.8, 44.4, 43.6, 40.0, 40.5, 40.8, 45.1,
    53.8, 59.4, 63.5, 61.0, 53.0, 50.0, 38.1, 36.3, 39.2, 43.4, 43.4, 48.9, 50.6, 56.8, 62.5, 62.0,
    57.5, 46.7, 41.6, 39.8, 39.4, 38.5, 45.3, 47.1, 51.7, 55.0, 60.4, 60.5, 54.7, 50.3, 42.3, 35.2,
    40.8, 41.1, 42.8, 47.3, 50.9, 56.4, 62.2, 60.5, 55.4, 50.2, 43.0, 37.3, 34.8, 31.3, 41.0, 43.9,
    53.1, 56.9, 62.5, 60.3, 59.8, 49.2, 42.9, 41.9, 41.6, 37.1, 41.2, 46.9, 51.2, 60.4, 60.1, 61.6,
    57.0, 50.9, 43.0, 38.8, 37.1, 38.4, 38.4, 46.5, 53.5, 58.4, 60.6, 58.2, 53.8, 46.6, 45.5, 40.6,
    42.4, 38.4, 40.3, 44.6, 50.9, 57.0, 62.1, 63.5, 56.3, 47.3, 43.6, 41.8, 36.2, 39.3, 44.5, 48.7,
    54.2, 60.8, 65.5, 64.9, 60.1, 50.2, 42.1, 35.8, 39.4, 38.2, 40.4, 46.9, 53.4, 59.6, 66.5, 60.4,
    59.2, 51.2, 42.8, 45.8, 40.0, 42.6, 43.5, 47.1, 50.0, 60.5, 64.6, 64.0, 56.8, 48.6, 44.2, 36.4,
    37.3, 35.0, 44.0, 43.9, 52.7, 58.6, 60.0, 61.1, 58.1, 49.6, 41.6, 41.3, 40.8, 41.0, 38.4, 47.4,
    54.1, 58.6, 61.4, 61.8, 56.3, 50.9, 41.4, 37.1, 42.1, 41.2, 47.3, 46.6, 52.4, 59.0, 59.6, 60.4,
    57.0, 50.7, 47.8, 39.2, 39.4, 40.9, 42.4, 47.8, 52.4, 58.0, 60.7, 61.8, 58.2, 46.7, 46.6, 37.8};
// R: set.seed(3); tn <- round(5 + 0.5 * (1:40) + rnorm(40), 2)
const std::vector<double> kTrendNoise = {
    4.54, 5.71, 6.76, 5.85, 7.70, 8.03, 8.59, 10.12, 8.28, 11.27, 9.76, 9.87, 10.78, 12.25, 12.65,
    12.69, 12.55, 13.35, 15.72, 15.20, 14.92, 15.06, 16.30, 15.33, 17.02, 17.26, 19.66, 20.01,
    19.43, 18.86, 21.40, 21.85, 22.23, 22.74, 22.15, 23.71, 24.80, 24.04, 23.52, 25.79};
// R: set.seed(11); wk <- round(100 + 10 * sin(2 * pi * (1:60) / 52) + rnorm(60, 0, 3), 1)
const std::vector<double> kWeekly = {
    99.4, 102.5, 99.0, 100.6, 109.2, 103.8, 111.5, 110.1, 108.7, 106.3, 107.2, 108.9, 105.4, 109.2,
    106.3, 109.4, 108.2, 110.9, 105.7, 104.7, 103.6, 104.6, 102.2, 103.5, 101.4, 100.0, 98.2, 95.3,
    95.8, 92.4, 91.0, 90.6, 94.6, 87.0, 88.5, 92.1, 89.7, 94.7, 88.2, 89.0, 85.4, 90.7, 93.8, 89.2,
    95.2, 92.3, 87.8, 98.0, 98.6, 98.3, 101.2, 99.3, 98.7, 103.9, 104.0, 106.3, 105.2, 107.9,
    111.9, 108.4};
// M3 series (Mcomp, as in bench/data/m3), training part.
const std::vector<double> kN0776 = {
    1575.17, 1184.88, 1227.35, 1524.42, 2040.63, 1556.98, 1684.28, 1813.09, 2265.00, 1705.56,
    1794.49, 1887.58, 2609.02, 1961.94, 1967.67, 2069.48, 2653.73, 2039.95, 2662.62, 3110.71,
    3661.27, 2740.05, 2766.81, 2877.17, 3568.61, 2680.25, 2757.06, 2926.84, 3855.35, 3009.72,
    2962.93, 3076.82, 3905.86, 2955.93, 2926.80, 3104.93};
const std::vector<double> kN1716 = {
    4580, 4040, 3920, 4640, 4740, 4600, 4200, 4620, 5560, 5260, 4860, 4260, 3900, 3980, 4000, 4020,
    4320, 5300, 4100, 5220, 5300, 5440, 4900, 4480, 4040, 3740, 4080, 3800, 4060, 5140, 5660, 4760,
    4920, 5780, 5500, 4460, 4020, 3820, 4040, 3880, 4280, 4160, 4400, 4860, 4760, 5800, 5220, 4180,
    4080, 3700, 4220, 4000, 3760, 4360, 4320, 4700, 5360, 4980, 5560, 4380, 4020, 3900, 3720, 3840,
    3720, 3840, 5080, 4200, 4840, 5920, 5820, 3920, 4040, 3700, 3600, 3660, 3620, 3660, 4040, 3760,
    4520, 5160, 4180, 3760, 3680, 3740, 3640, 3780, 3640, 3840, 3920, 3860, 5040, 4520, 5120, 4040,
    4220, 3700, 3680, 3600, 3660, 3660, 3940, 3920, 4500, 4560, 4960, 5040};

std::vector<double> Log(const std::vector<double>& x) {
  std::vector<double> out;
  for (double v : x) out.push_back(std::log(v));
  return out;
}

std::vector<double> Scaled(const std::vector<double>& x, double factor) {
  std::vector<double> out;
  for (double v : x) out.push_back(v * factor);
  return out;
}

// x_t = a + b t (t = 1..n)
std::vector<double> Line(int n, double a, double b) {
  std::vector<double> out;
  for (int t = 1; t <= n; ++t) out.push_back(a + b * t);
  return out;
}

// pattern repeated to length n, plus slope * t (t = 1..n)
std::vector<double> Periodic(const std::vector<double>& pattern, int n, double slope = 0) {
  std::vector<double> out;
  for (int t = 0; t < n; ++t) out.push_back(pattern[t % pattern.size()] + slope * (t + 1));
  return out;
}

// 15 zeros, then 15 tens.
std::vector<double> LevelShift() {
  std::vector<double> out(30, 0.0);
  for (int t = 15; t < 30; ++t) out[t] = 10;
  return out;
}

std::vector<double> Squares(int n) {
  std::vector<double> out;
  for (int t = 1; t <= n; ++t) out.push_back(static_cast<double>(t) * t);
  return out;
}

void ExpectAllNear(const std::vector<double>& actual, const std::vector<double>& expected,
                   double tolerance, const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], tolerance) << what << " at " << i;
  }
}

// forecast's sigma2 for a model Arima() fitted: sum(residuals^2) / (nobs - npar + 1), npar the
// estimated coefficients + 1.
double ForecastSigma2(std::span<const double> x, const ArimaFit& fit) {
  double ss = 0;
  for (double r : arima::ArimaResiduals(x, fit)) ss += r * r;
  return ss / (fit.nobs - (fit.num_estimated + 1) + 1);
}

// R's forecast(fit, h): point forecasts, the lower 80% and the upper 95% bounds (the intervals
// are symmetric, so these two pin down both levels).
struct RForecast {
  std::vector<double> mean;
  std::vector<double> lo80;
  std::vector<double> hi95;
};

void ExpectPredictionNear(const ArimaPrediction& p, double sigma2, const RForecast& r,
                          double tolerance, const std::string& what) {
  const int h = static_cast<int>(r.mean.size());
  ASSERT_GE(static_cast<int>(p.mean.size()), h) << what;
  std::vector<double> mean(h), lo80(h), hi95(h);
  for (int i = 0; i < h; ++i) {
    const double sd = std::sqrt(p.variance[i] * sigma2);
    mean[i] = p.mean[i];
    lo80[i] = p.mean[i] - kZ80 * sd;
    hi95[i] = p.mean[i] + kZ95 * sd;
  }
  ExpectAllNear(mean, r.mean, tolerance, what + " mean");
  ExpectAllNear(lo80, r.lo80, tolerance, what + " lo80");
  ExpectAllNear(hi95, r.hi95, tolerance, what + " hi95");
}

ForecastOptions ArimaOptions(int m, int h) {
  ForecastOptions o;
  o.model = ModelKind::kArima;
  o.season_length = m;
  o.horizon = h;
  o.levels = {80, 95};
  return o;
}

void ExpectResultNear(const ForecastResult& r, const RForecast& ref, double tolerance,
                      const std::string& what) {
  ASSERT_EQ(r.intervals.size(), 2u) << what;
  ExpectAllNear(r.mean, ref.mean, tolerance, what + " mean");
  ExpectAllNear(r.intervals[0].lower, ref.lo80, tolerance, what + " lo80");
  ExpectAllNear(r.intervals[1].upper, ref.hi95, tolerance, what + " hi95");
}

// Every number finite, one value per step and level, lower <= mean <= upper, the 95% interval
// containing the 80% one, and widths that do not shrink with the horizon. Not exactly
// monotone: the forecast variance is the partial sum of squared psi-weights (non-decreasing)
// plus what the filter still does not know about the state at the end of the series, which can
// decrease; R's intervals for auto.arima(ts(wn, frequency = 7)) narrow by 0.1% from step 3 to 4
// (see "white noise, m = 7" below). So: no step narrower than 99% of the one before.
void ExpectWellFormed(const ForecastResult& r, const ForecastOptions& options,
                      const std::string& what) {
  ASSERT_EQ(static_cast<int>(r.mean.size()), options.horizon) << what;
  ASSERT_EQ(r.intervals.size(), options.levels.size()) << what;
  EXPECT_EQ(r.model, ModelKind::kArima) << what;
  EXPECT_TRUE(std::isfinite(r.aicc)) << what;
  for (const auto& [name, value] : r.parameters) EXPECT_TRUE(std::isfinite(value)) << what << name;
  ASSERT_FALSE(r.parameters.empty()) << what;
  EXPECT_EQ(r.parameters.back().first, "sigma") << what;
  EXPECT_GE(r.parameters.back().second, 0.0) << what;
  for (double v : r.mean) ASSERT_TRUE(std::isfinite(v)) << what;
  for (std::size_t k = 0; k < r.intervals.size(); ++k) {
    const Interval& in = r.intervals[k];
    EXPECT_EQ(in.level, options.levels[k]) << what;
    ASSERT_EQ(static_cast<int>(in.lower.size()), options.horizon) << what;
    ASSERT_EQ(static_cast<int>(in.upper.size()), options.horizon) << what;
    for (int i = 0; i < options.horizon; ++i) {
      ASSERT_TRUE(std::isfinite(in.lower[i]) && std::isfinite(in.upper[i])) << what << " " << i;
      EXPECT_LE(in.lower[i], r.mean[i]) << what << " level " << in.level << " step " << i;
      EXPECT_GE(in.upper[i], r.mean[i]) << what << " level " << in.level << " step " << i;
      if (i > 0) {
        const double width = in.upper[i] - in.lower[i];
        const double before = in.upper[i - 1] - in.lower[i - 1];
        EXPECT_GE(width, before * 0.99 - 1e-12) << what << " level " << in.level << " step "
                                                << i;
      }
    }
  }
  for (std::size_t k = 1; k < r.intervals.size(); ++k) {
    if (r.intervals[k].level < r.intervals[k - 1].level) continue;
    for (int i = 0; i < options.horizon; ++i) {
      EXPECT_LE(r.intervals[k].lower[i], r.intervals[k - 1].lower[i] + 1e-9) << what;
      EXPECT_GE(r.intervals[k].upper[i], r.intervals[k - 1].upper[i] - 1e-9) << what;
    }
  }
}

double Parameter(const ForecastResult& r, const std::string& name) {
  for (const auto& [key, value] : r.parameters) {
    if (key == name) return value;
  }
  ADD_FAILURE() << "no parameter " << name << " in " << r.model_name;
  return kNaN;
}

std::vector<std::string> ParameterNames(const ForecastResult& r) {
  std::vector<std::string> names;
  for (const auto& [key, value] : r.parameters) names.push_back(key);
  return names;
}

// ---------------------------------------------------------------------------------------------
// The model algebra.

TEST(ArimaOrderTest, NamesAndSizesAsR) {
  const ArimaOrder airline{0, 1, 1, 0, 1, 1, 12};
  EXPECT_EQ(airline.Name(), "ARIMA(0,1,1)(0,1,1)[12]");
  EXPECT_EQ(airline.NumArma(), 2);
  EXPECT_EQ(airline.FullAr(), 0);
  EXPECT_EQ(airline.FullMa(), 13);
  EXPECT_EQ(airline.NumLost(), 13);
  // R's arima.string leaves out the seasonal part when P = D = Q = 0, whatever the period.
  EXPECT_EQ((ArimaOrder{2, 0, 0, 0, 0, 0, 12}.Name()), "ARIMA(2,0,0)");
  EXPECT_EQ((ArimaOrder{1, 2, 3, 0, 0, 0, 1}.Name()), "ARIMA(1,2,3)");
  const ArimaOrder seasonal{1, 0, 2, 1, 1, 2, 4};
  EXPECT_EQ(seasonal.Name(), "ARIMA(1,0,2)(1,1,2)[4]");
  EXPECT_EQ(seasonal.NumArma(), 6);
  EXPECT_EQ(seasonal.FullAr(), 5);
  EXPECT_EQ(seasonal.FullMa(), 10);
  EXPECT_EQ(seasonal.NumLost(), 4);
}

// phi(B) = (1 - 0.5 B)(1 - 0.2 B^4), theta(B) = (1 + 0.3 B)(1 - 0.4 B^4).
TEST(ArimaModelTest, ExpandsMultiplicativeSeasonalPolynomials) {
  const ArimaOrder order{1, 0, 1, 1, 0, 1, 4};
  std::vector<double> phi(order.FullAr()), theta(order.FullMa());
  arima::ExpandArma(order, std::vector<double>{0.5, 0.3, 0.2, -0.4}, phi, theta);
  ExpectAllNear(phi, {0.5, 0, 0, 0.2, -0.1}, 1e-15, "phi");
  ExpectAllNear(theta, {0.3, 0, 0, -0.4, -0.12}, 1e-15, "theta");
}

// R: .Call(stats:::C_ARIMA_undoPars, c(0.5, -0.3, 0.2, 0.4), c(2L, 0L, 1L, 0L, 1L, 0L, 0L))
//    0.596737713600126 -0.291312612451591 0.197375320224904 0.4
// R: .Call(stats:::C_ARIMA_undoPars, c(1.2, -0.7, 0.3), c(3L, 0L, 0L, 0L, 1L, 0L, 0L))
//    1.513548544769136 -0.993995072025915 0.291312612451591
// R: .Call(stats:::C_ARIMA_Invtrans, c(0.6, -0.3, 0.2, 0.4), c(2L, 0L, 1L, 0L, 1L, 0L, 0L))
//    0.499264415055564 -0.309519604203112 0.202732554054082 0.4
TEST(ArimaModelTest, PacfTransformationIsRs) {
  std::vector<double> ar(2), ar3(3), raw(2), sar(1);
  arima::ArFromUnconstrained(std::vector<double>{0.5, -0.3}, ar);
  ExpectAllNear(ar, {0.596737713600126, -0.291312612451591}, 1e-14, "partrans p=2");
  arima::ArFromUnconstrained(std::vector<double>{0.2}, sar);
  EXPECT_NEAR(sar[0], 0.197375320224904, 1e-14);
  arima::ArFromUnconstrained(std::vector<double>{1.2, -0.7, 0.3}, ar3);
  ExpectAllNear(ar3, {1.513548544769136, -0.993995072025915, 0.291312612451591}, 1e-14,
                "partrans p=3");
  EXPECT_TRUE(arima::ArIsStationary(ar3));
  arima::UnconstrainedFromAr(std::vector<double>{0.6, -0.3}, raw);
  ExpectAllNear(raw, {0.499264415055564, -0.309519604203112}, 1e-14, "invpartrans");
  // Round trip.
  std::vector<double> back(3), again(3);
  arima::UnconstrainedFromAr(ar3, back);
  ExpectAllNear(back, {1.2, -0.7, 0.3}, 1e-12, "round trip");
  arima::ArFromUnconstrained(back, again);
  ExpectAllNear(again, ar3, 1e-12, "round trip 2");
}

TEST(ArimaModelTest, StationarityAndRoots) {
  using V = std::vector<double>;
  EXPECT_TRUE(arima::ArIsStationary(V{0.5}));
  EXPECT_TRUE(arima::ArIsStationary(V{}));
  EXPECT_FALSE(arima::ArIsStationary(V{1.0}));
  EXPECT_FALSE(arima::ArIsStationary(V{-1.01}));
  EXPECT_TRUE(arima::ArIsStationary(V{1.2, -0.3}));  // roots 1.18 and 2.82
  EXPECT_FALSE(arima::ArIsStationary(V{0.5, 0.52}));  // a root at 0.98
  EXPECT_TRUE(arima::ArIsStationary(V{0.5, 0, 0}));  // trailing zeros ignored
  // 1 - 0.5 z: root 2. 1 - z + 0.25 z^2 = (1 - 0.5 z)^2: double root 2.
  EXPECT_NEAR(arima::MinRootModulus(V{0.5}, -1), 2.0, 1e-12);
  EXPECT_NEAR(arima::MinRootModulus(V{-1.0, 0.25}, +1), 2.0, 1e-6);
  EXPECT_NEAR(arima::MinRootModulus(V{0.5, 1e-9}, -1), 2.0, 1e-12);  // |c| <= 1e-8 dropped
  EXPECT_EQ(arima::MinRootModulus(V{}, -1), kInf);
  EXPECT_EQ(arima::MinRootModulus(V{0, 0}, +1), kInf);
  // (1 - 0.5 B)(1 - 0.5 B^4): roots 2 and 2^(1/4) in modulus.
  EXPECT_NEAR(arima::MinRootModulusOfModel(ArimaOrder{1, 0, 0, 1, 0, 0, 4}, V{0.5, 0.5}),
              std::pow(2.0, 0.25), 1e-9);
  EXPECT_NEAR(arima::MinRootModulusOfModel(ArimaOrder{0, 1, 1, 0, 1, 1, 12}, V{-0.5, -0.9}),
              std::pow(1 / 0.9, 1.0 / 12), 1e-9);
}

// R's maInvert: roots inside the unit circle reflected outside. 1 + 2 z has its root at -0.5:
// 1 + 0.5 z. 1 - 2.5 z + z^2 = (1 - 2 z)(1 - 0.5 z) -> (1 - 0.5 z)^2 = 1 - z + 0.25 z^2.
TEST(ArimaModelTest, InvertsNonInvertibleMa) {
  std::vector<double> ma1 = {2.0};
  arima::InvertMa(ma1);
  EXPECT_NEAR(ma1[0], 0.5, 1e-12);
  std::vector<double> ma2 = {-2.5, 1.0};
  arima::InvertMa(ma2);
  ExpectAllNear(ma2, {-1.0, 0.25}, 1e-9, "ma2");
  std::vector<double> ok = {0.3, -0.2};
  arima::InvertMa(ok);
  ExpectAllNear(ok, {0.3, -0.2}, 1e-15, "already invertible");
}

// ---------------------------------------------------------------------------------------------
// Differencing and the filters, at fixed coefficients.

// R: arima(x, order = c(0,1,0), seasonal = list(order = c(0,1,0), period = 4))$model$Delta
//    1 0 0 1 -1;  arima(x, order = c(0,2,0))$model$Delta  2 -1
TEST(ArimaStateSpaceTest, DifferencingAsR) {
  ExpectAllNear(arima::DifferencingPolynomial(1, 1, 4), {1, 0, 0, 1, -1}, 0, "Delta (1,1)[4]");
  ExpectAllNear(arima::DifferencingPolynomial(2, 0, 1), {2, -1}, 0, "Delta d=2");
  EXPECT_TRUE(arima::DifferencingPolynomial(0, 0, 12).empty());
  // diff(diff(x, lag = 4)) of 1, 4, 9, ..., 64: 8 everywhere.
  const std::vector<double> w = arima::Difference(Squares(8), 1, 1, 4);
  ExpectAllNear(w, {8, 8, 8}, 0, "diff");
  ExpectAllNear(arima::Difference(std::vector<double>{1, 4, 9, 16}, 2, 0, 1), {2, 2}, 0, "d=2");
  EXPECT_TRUE(arima::Difference(std::vector<double>{1, 2, 3, 4}, 1, 1, 4).empty());
}

// R: makeARIMA(phi, theta, numeric())$Pn (SSinit "Gardner1980" and "Rossignol2011" agree):
//    phi 0.5, theta 0.3: 1.85333333333333 0.3 / 0.3 0.09
//    phi c(0.5, -0.2), theta c(0.4, 0.1, -0.2): first row 2.00672268907563 0.182773109243697
//    -0.08 -0.2, second row 0.182773109243697 0.322268907563025 0.06 -0.08, diagonal ... 0.05 0.04
TEST(ArimaLikelihoodTest, StationaryStateCovarianceIsRs) {
  std::vector<double> q0;
  ASSERT_TRUE(arima::StationaryStateCovariance(std::vector<double>{0.5},
                                               std::vector<double>{0.3}, &q0));
  ExpectAllNear(q0, {1.85333333333333, 0.3, 0.3, 0.09}, 1e-12, "ARMA(1,1)");
  ASSERT_TRUE(arima::StationaryStateCovariance(std::vector<double>{0.5, -0.2},
                                               std::vector<double>{0.4, 0.1, -0.2}, &q0));
  ASSERT_EQ(q0.size(), 16u);
  ExpectAllNear(std::vector<double>(q0.begin(), q0.begin() + 8),
                {2.00672268907563, 0.182773109243697, -0.08, -0.2, 0.182773109243697,
                 0.322268907563025, 0.06, -0.08},
                1e-12, "ARMA(2,3) rows 1-2");
  EXPECT_NEAR(q0[10], 0.05, 1e-12);
  EXPECT_NEAR(q0[15], 0.04, 1e-12);
  EXPECT_FALSE(arima::StationaryStateCovariance(std::vector<double>{1.0}, {}, &q0));
}

// R: f <- arima(LakeHuron, order = c(1,0,1), fixed = c(0.75, 0.3, 579), transform.pars = FALSE)
//    f$loglik -103.275868894817; f$sigma2 0.475330098531812; head(residuals(f), 5)
TEST(ArimaLikelihoodTest, ExactLikelihoodAtFixedCoefficientsIsRs) {
  arima::ArmaKalmanFilter filter;
  arima::ExactLikelihood lik;
  std::vector<double> resid(kLakeHuron.size());
  ASSERT_TRUE(filter.Run(std::vector<double>{0.75}, std::vector<double>{0.3}, kLakeHuron,
                         /*profile_mean=*/false, 579, &lik, resid));
  const int n = static_cast<int>(kLakeHuron.size());
  EXPECT_EQ(lik.nu, n);
  const double loglik = -0.5 * (2 * n * lik.Objective() + n + n * std::log(2 * M_PI));
  EXPECT_NEAR(loglik, -103.275868894817, 1e-9);
  EXPECT_NEAR(lik.ssq / n, 0.475330098531812, 1e-12);
  const std::vector<double> r_resid = {0.735542471426854, 1.654904300301207, -0.654430435301469,
                                       0.518170192694822, -0.715397477801103};
  // std_resid is e_t / sqrt(f_t), R's residuals.
  ExpectAllNear(std::vector<double>(resid.begin(), resid.begin() + 5), r_resid, 1e-9, "resid");
  // The full state-space filter (no differencing) gives the same residuals.
  ArimaFit fit;
  fit.order = ArimaOrder{1, 0, 1, 0, 0, 0, 1};
  fit.constant = true;
  fit.coef = {0.75, 0.3, 579};
  const std::vector<double> full = arima::ArimaResiduals(kLakeHuron, fit);
  ExpectAllNear(std::vector<double>(full.begin(), full.begin() + 5), r_resid, 1e-9, "full");
  // Profiling the mean can only raise the likelihood.
  arima::ExactLikelihood profiled;
  ASSERT_TRUE(filter.Run(std::vector<double>{0.75}, std::vector<double>{0.3}, kLakeHuron, true, 0,
                         &profiled));
  EXPECT_LE(profiled.Objective(), lik.Objective() + 1e-12);
  EXPECT_NEAR(profiled.mean, 579.0, 0.2);
}

// R: f <- arima(lynx, order = c(2,0,0), fixed = c(1.15, -0.6, 1550), transform.pars = FALSE,
//               method = "CSS"); f$loglik -934.845154349971; f$sigma2 776782.071049107;
//    head(residuals(f), 5) 0 0 -320.25 -306.65 126.85
// R: the same with order = c(2,0,1), fixed = c(1.2, -0.6, 0.2, 1550): f$sigma2 820765.988855515,
//    residuals(f)[1:6] 0 0 -258.8 -206.64 202.128 913.1744
TEST(ArimaLikelihoodTest, ConditionalSumOfSquaresIsRs) {
  const int n = static_cast<int>(kLynx.size());
  std::vector<double> resid(n);
  const double ssq = arima::CssResiduals(std::vector<double>{1.15, -0.6}, {}, kLynx, 1550, resid);
  EXPECT_NEAR(ssq / (n - 2), 776782.071049107, 1e-6);
  const double loglik = -0.5 * (n * std::log(ssq / (n - 2)) + n + n * std::log(2 * M_PI));
  EXPECT_NEAR(loglik, -934.845154349971, 1e-9);
  ExpectAllNear(std::vector<double>(resid.begin(), resid.begin() + 5),
                {0, 0, -320.25, -306.65, 126.85}, 1e-9, "AR(2)");
  const double ssq2 = arima::CssResiduals(std::vector<double>{1.2, -0.6},
                                          std::vector<double>{0.2}, kLynx, 1550, resid);
  EXPECT_NEAR(ssq2 / (n - 2), 820765.988855515, 1e-6);
  ExpectAllNear(std::vector<double>(resid.begin(), resid.begin() + 6),
                {0, 0, -258.8, -206.64, 202.128, 913.1744}, 1e-9, "ARMA(2,1)");
}

// The analytic Jacobian of the CSS residuals against central differences, for a seasonal model
// with a mean.
TEST(ArimaLikelihoodTest, CssJacobianMatchesFiniteDifferences) {
  const ArimaOrder order{1, 0, 1, 1, 0, 1, 4};
  const std::vector<double> w = arima::Difference(kUKgas, 0, 1, 4);
  const std::vector<double> coef = {0.3, -0.2, 0.25, -0.5};
  const double mean = 20;
  auto residuals = [&](const std::vector<double>& c, double mu) {
    std::vector<double> phi(order.FullAr()), theta(order.FullMa()), r(w.size());
    arima::ExpandArma(order, c, phi, theta);
    arima::CssResiduals(phi, theta, w, mu, r);
    return std::vector<double>(r.begin() + order.FullAr(), r.end());
  };
  std::vector<double> phi(order.FullAr()), theta(order.FullMa()), resid(w.size());
  arima::ExpandArma(order, coef, phi, theta);
  arima::CssResiduals(phi, theta, w, mean, resid);
  const int rows = static_cast<int>(w.size()) - order.FullAr();
  Eigen::MatrixXd jac(rows, 5);
  arima::CssJacobian(order, coef, phi, theta, w, mean, resid, /*with_mean=*/true, jac);
  for (int j = 0; j < 5; ++j) {
    const double h = 1e-6;
    std::vector<double> up = coef, down = coef;
    double mu_up = mean, mu_down = mean;
    if (j < 4) {
      up[j] += h;
      down[j] -= h;
    } else {
      mu_up += h;
      mu_down -= h;
    }
    const std::vector<double> ru = residuals(up, mu_up), rd = residuals(down, mu_down);
    for (int i = 0; i < rows; ++i) {
      const double numeric = (ru[i] - rd[i]) / (2 * h);
      EXPECT_NEAR(jac(i, j), numeric, 1e-5 * std::max(1.0, std::abs(numeric)))
          << "column " << j << " row " << i;
    }
  }
}

// The full state-space filter with R's diffuse prior (kappa = 1e6), residuals and forecasts.
// R: f <- arima(AirPassengers, order = c(0,1,1), seasonal = c(0,1,1), fixed = c(-0.3, -0.1),
//               transform.pars = FALSE); head(residuals(f), 15); tail(residuals(f), 3);
//    p <- predict(f, n.ahead = 14); p$pred; p$se^2 / f$sigma2
TEST(ArimaStateSpaceTest, ResidualsAndForecastsAtFixedCoefficientsAreRs) {
  ArimaFit fit;
  fit.order = ArimaOrder{0, 1, 1, 0, 1, 1, 12};
  fit.coef = {-0.3, -0.1};
  const ArimaPrediction p = arima::PredictArima(kAirPassengers, fit, 14);
  ASSERT_EQ(p.residuals.size(), kAirPassengers.size());
  // The first 13 carry the diffuse prior's artefact (R's too); they enter forecast's sigma2.
  ExpectAllNear(std::vector<double>(p.residuals.begin(), p.residuals.begin() + 15),
                {0.0646632182846163, 0.0335658435338719, 0.0338061488314526, 0.0225518511921882,
                 0.0107538722501864, 0.0218258731191164, 0.0307928736487817, 0.0269275535791085,
                 0.0125748721970206, -0.0048561695683086, -0.0187467132608795,
                 -0.0777757171138894, -0.4269915139573107, 4.7648639024567210,
                 2.3554605066731584},
                1e-7, "residuals head");
  ExpectAllNear(std::vector<double>(p.residuals.end() - 3, p.residuals.end()),
                {5.42613494940537, -24.04906574257467, -6.65916480758381}, 1e-7,
                "residuals tail");
  ExpectAllNear(p.mean,
                {446.912509371497, 421.681184058048, 453.090636101738, 489.857086689668,
                 502.058851474788, 564.152625057488, 649.839312276409, 636.556232004409,
                 538.745682942709, 490.944601418488, 422.512292041228, 464.456736549709,
                 479.169470976979, 453.938145663529},
                1e-7, "forecasts");
  ExpectAllNear(p.variance,
                {1.0, 1.49, 1.98, 2.47, 2.96, 3.45, 3.94, 4.43, 4.92, 5.41, 5.9, 6.39, 8.95,
                 10.7189},
                1e-7, "variances");
}

// R: f <- arima(WWWusage, order = c(1,1,1), fixed = c(0.65, 0.5), transform.pars = FALSE);
//    p <- predict(f, n.ahead = 5); p$pred; p$se^2 / f$sigma2
TEST(ArimaStateSpaceTest, ArimaForecastsAtFixedCoefficientsAreRs) {
  ArimaFit fit;
  fit.order = ArimaOrder{1, 1, 1, 0, 0, 0, 1};
  fit.coef = {0.65, 0.5};
  const ArimaPrediction p = arima::PredictArima(kWWWusage, fit, 5);
  ExpectAllNear(p.mean,
                {218.915830194726, 218.211119821298, 217.753058078569, 217.455317945796,
                 217.261786859493},
                1e-7, "forecasts");
  ExpectAllNear(p.variance, {1.0, 5.6225, 14.01800625, 25.465232640625, 39.1492670406641}, 1e-9,
                "variances");
}

// ---------------------------------------------------------------------------------------------
// FitArima: one order, estimated as forecast::Arima (CSS-ML by default) estimates it.

struct FitCase {
  std::string r;  // the R call
  std::vector<double> x;
  ArimaOrder order;
  bool constant;
  FitMethod method;
  std::vector<double> coef;  // coef(fit)
  double coef_tolerance;     // times max(1, |coef|)
  double loglik;             // fit$loglik
  double loglik_tolerance;
  double sigma2;  // stats::arima's sigma2 (arima(...)$sigma2; Arima() overwrites it)
  double aic;     // NaN for CSS
  int nobs;
};

std::vector<FitCase> FitCases() {
  return {
      // R: fit <- Arima(AirPassengers, order = c(0,1,1), seasonal = c(0,1,1)); coef(fit);
      //    fit$loglik; fit$aic; arima(AirPassengers, order = c(0,1,1), seasonal = c(0,1,1))$sigma2
      {"Arima(AirPassengers, order = c(0,1,1), seasonal = c(0,1,1))", kAirPassengers,
       ArimaOrder{0, 1, 1, 0, 1, 1, 12}, true, FitMethod::kCssMl,
       {-0.308673666076, -0.107447034926}, 1e-3, -507.501443241, 1e-4, 135.423722144,
       1021.00288648, 131},
      // The airline model. Exact diffuse vs R's kappa = 1e6: log-likelihoods 3e-3 apart.
      // R: fit <- Arima(log(AirPassengers), order = c(0,1,1), seasonal = c(0,1,1))
      {"Arima(log(AirPassengers), order = c(0,1,1), seasonal = c(0,1,1))", Log(kAirPassengers),
       ArimaOrder{0, 1, 1, 0, 1, 1, 12}, true, FitMethod::kCssMl,
       {-0.401828016756, -0.556944838448}, 1e-3, 244.699530597, 5e-3, 0.0013480348192,
       -483.399061194, 131},
      // R: fit <- Arima(lynx, order = c(2,0,0))
      {"Arima(lynx, order = c(2,0,0))", kLynx, ArimaOrder{2, 0, 0, 0, 0, 0, 1}, true,
       FitMethod::kCssMl, {1.147436037869, -0.599745211963, 1545.445843875897}, 1e-3,
       -935.0159246, 1e-4, 768159.075895, 1878.0318492, 114},
      // R: fit <- Arima(lynx, order = c(2,0,0), method = "CSS"); arima(..., method = "CSS")$sigma2
      {"Arima(lynx, order = c(2,0,0), method = \"CSS\")", kLynx, ArimaOrder{2, 0, 0, 0, 0, 0, 1},
       true, FitMethod::kCss, {1.152439406538, -0.606245147929, 1565.100465911377}, 1e-3,
       -934.83743468, 1e-5, 776676.876401, kNaN, 114},
      // R: fit <- Arima(WWWusage, order = c(1,1,1))
      {"Arima(WWWusage, order = c(1,1,1))", kWWWusage, ArimaOrder{1, 1, 1, 0, 0, 0, 1}, false,
       FitMethod::kCssMl, {0.650375976232, 0.525595888951}, 1e-3, -254.149735787, 1e-4,
       9.79332121755, 514.299471574, 99},
      // R: fit <- Arima(LakeHuron, order = c(1,0,1))
      {"Arima(LakeHuron, order = c(1,0,1))", kLakeHuron, ArimaOrder{1, 0, 1, 0, 0, 0, 1}, true,
       FitMethod::kCssMl, {0.744899319734, 0.320589068530, 579.055455556031}, 1e-3,
       -103.245260626, 1e-6, 0.474939838602, 214.490521253, 98},
      // R: fit <- Arima(LakeHuron, order = c(1,0,1), method = "ML")
      {"Arima(LakeHuron, order = c(1,0,1), method = \"ML\")", kLakeHuron,
       ArimaOrder{1, 0, 1, 0, 0, 0, 1}, true, FitMethod::kMl,
       {0.744899843216, 0.320587987812, 579.055455191037}, 1e-3, -103.245260626, 1e-6,
       0.47493983884, 214.490521253, 98},
      // A drift (regression on 1..n). R: fit <- Arima(BJsales, order = c(0,1,1),
      //    include.drift = TRUE); arima(BJsales, order = c(0,1,1), xreg = 1:150)$sigma2
      {"Arima(BJsales, order = c(0,1,1), include.drift = TRUE)", kBJsales,
       ArimaOrder{0, 1, 1, 0, 0, 0, 1}, true, FitMethod::kCssMl,
       {0.225590487153, 0.418744876018}, 1e-3, -260.351019918, 1e-4, 1.92787227822,
       526.702039835, 149},
      // Exact diffuse vs kappa = 1e6: 1e-3 apart (R's log-likelihood at our coefficients is
      // R's optimum to 1e-6; with kappa = 1e10, ours).
      // R: fit <- Arima(USAccDeaths, order = c(0,1,1), seasonal = c(0,1,1))
      {"Arima(USAccDeaths, order = c(0,1,1), seasonal = c(0,1,1))", kUSAccDeaths,
       ArimaOrder{0, 1, 1, 0, 1, 1, 12}, false, FitMethod::kCssMl,
       {-0.430269236217, -0.552791270186}, 1e-3, -425.439993553, 5e-3, 99346.8899301,
       856.879987106, 59},
      // A flat likelihood: our estimate is 1e-3 from R's, R's log-likelihood there 2.5e-5 below
      // its optimum. R: fit <- Arima(UKgas, order = c(1,0,0), seasonal = c(1,1,0))
      {"Arima(UKgas, order = c(1,0,0), seasonal = c(1,1,0))", kUKgas,
       ArimaOrder{1, 0, 0, 1, 1, 0, 4}, false, FitMethod::kCssMl,
       {0.127855230548, 0.270245600352}, 2e-3, -530.285839828, 1e-4, 1566.89443461,
       1066.57167966, 104},
  };
}

TEST(FitArimaTest, MatchesRsArima) {
  for (const FitCase& c : FitCases()) {
    ArimaFitOptions options;
    options.method = c.method;
    const absl::StatusOr<ArimaFit> fit = arima::FitArima(c.x, c.order, c.constant, options);
    ASSERT_TRUE(fit.ok()) << c.r << ": " << fit.status();
    EXPECT_EQ(fit->order, c.order) << c.r;
    EXPECT_EQ(fit->nobs, c.nobs) << c.r;
    EXPECT_EQ(fit->n, static_cast<int>(c.x.size())) << c.r;
    EXPECT_EQ(fit->num_estimated, static_cast<int>(c.coef.size())) << c.r;
    EXPECT_EQ(fit->constant, c.order.d + c.order.D <= 1 && c.constant) << c.r;
    ASSERT_EQ(fit->coef.size(), c.coef.size()) << c.r;
    for (std::size_t i = 0; i < c.coef.size(); ++i) {
      EXPECT_NEAR(fit->coef[i], c.coef[i], c.coef_tolerance * std::max(1.0, std::abs(c.coef[i])))
          << c.r << " coefficient " << i;
    }
    EXPECT_NEAR(fit->loglik, c.loglik, c.loglik_tolerance) << c.r;
    EXPECT_NEAR(fit->sigma2, c.sigma2, 2e-4 * c.sigma2) << c.r;
    if (std::isnan(c.aic)) {
      EXPECT_TRUE(std::isnan(fit->aic)) << c.r;
    } else {
      EXPECT_NEAR(fit->aic, c.aic, 2 * c.loglik_tolerance) << c.r;
    }
  }
}

// Point forecasts and 80/95% intervals as forecast(Arima(...), h), with forecast's sigma2
// (sum of squared residuals / (nobs - npar + 1)). Tolerances are absolute, about 1e-4 of the
// level: the forecasts move with the coefficients' last digits.
struct FitForecastCase {
  std::string r;
  const std::vector<double>* x;
  ArimaOrder order;
  bool constant;
  double sigma2;  // Arima()'s fit$sigma2
  RForecast forecast;
  double tolerance;
};

TEST(FitArimaTest, ForecastsAndIntervalsMatchRsForecastArima) {
  const std::vector<FitForecastCase> cases = {
      // R: fit <- Arima(AirPassengers, order = c(0,1,1), seasonal = c(0,1,1));
      //    fc <- forecast(fit, h = 12); fc$mean; fc$lower[, 1]; fc$upper[, 2]; fit$sigma2
      {"AirPassengers airline", &kAirPassengers, ArimaOrder{0, 1, 1, 0, 1, 1, 12}, true,
       137.524850618,
       {{447.053211074, 421.877427958, 453.526202194, 489.900824318, 502.183491675,
         564.224620230, 649.795269734, 636.714642175, 538.920898407, 491.067219979,
         422.824267321, 464.752553525},
        {432.024329010, 403.606781356, 432.507977759, 466.454822750, 476.538526854,
         536.554899382, 620.239175896, 605.385551635, 505.913912097, 456.463602013,
         386.694506630, 427.158553490},
        {470.037902729, 449.819970635, 485.670802551, 525.758389390, 541.404080831,
         606.541806509, 694.997414543, 684.628351447, 589.400727814, 543.988886788,
         478.079968009, 522.247615047}},
       0.05},
      // R: fit <- Arima(lynx, order = c(2,0,0)); forecast(fit, h = 10)
      {"lynx AR(2)", &kLynx, ArimaOrder{2, 0, 0, 0, 0, 0, 1}, true, 788920.132,
       {{3002.189089669, 2107.104547408, 1316.238494568, 945.592952935, 994.619029684,
         1273.166205872, 1563.378119284, 1729.320392128, 1745.675330672, 1664.918492954},
        {1863.899917097, 374.581511851, -598.830729080, -975.576014633, -952.019815147,
         -725.234091206, -462.129716156, -299.061866349, -284.064185166, -370.348555690},
        {4743.05215146, 4756.76987760, 4245.08412760, 3883.76733927, 3971.74623186,
         4329.45571795, 4661.12503373, 4831.46335725, 4849.89404180, 4777.59083600}},
       0.3},
      // R: fit <- Arima(WWWusage, order = c(1,1,1)); forecast(fit, h = 10)
      {"WWWusage (1,1,1)", &kWWWusage, ArimaOrder{1, 1, 1, 0, 0, 0, 1}, false, 9.99532520114,
       {{218.880496735, 218.152398706, 217.678861239, 217.370883847, 217.170582750,
         217.040311729, 216.955586586, 216.900483388, 216.864645592, 216.841337551},
        {214.828822219, 208.449629168, 202.312844643, 196.630235233, 191.432051383,
         186.684383737, 182.334116357, 178.326572865, 174.612073789, 171.147831427},
        {225.076998180, 232.991504173, 241.179155666, 249.090968620, 256.534269589,
         263.465697317, 269.904556073, 275.894188676, 281.484377811, 286.723524688}},
       0.01},
      // R: fit <- Arima(LakeHuron, order = c(1,0,1)); forecast(fit, h = 8)
      {"LakeHuron (1,0,1)", &kLakeHuron, ArimaOrder{1, 0, 1, 0, 0, 0, 1}, true, 0.489937938768,
       {{579.733372817, 579.560435663, 579.431614894, 579.335656391, 579.264176967,
         579.210931993, 579.171269848, 579.141725544},
        {578.836343533, 578.249647342, 577.939955811, 577.752525853, 577.632501775,
         577.552933612, 577.498844105, 577.461347853},
        {581.105260719, 581.565113405, 581.712910596, 581.756845612, 581.759608831,
         581.746621700, 581.729024301, 581.711641451}},
       1e-3},
      // R: fit <- Arima(BJsales, order = c(0,1,1), include.drift = TRUE); forecast(fit, h = 8)
      {"BJsales drift", &kBJsales, ArimaOrder{0, 1, 1, 0, 0, 0, 1}, true, 1.95437307494,
       {{263.123948519, 263.542693395, 263.961438271, 264.380183147, 264.798928023,
         265.217672899, 265.636417775, 266.055162651},
        {261.332353605, 260.708759432, 260.376392793, 260.176146938, 260.056008056,
         259.991138752, 259.967376537, 259.975738507},
        {265.863956491, 267.876821378, 269.444292187, 270.809701694, 272.052598158,
         273.210967096, 274.306468167, 275.352839538}},
       3e-3},
      // R: fit <- Arima(USAccDeaths, order = c(0,1,1), seasonal = c(0,1,1)); forecast(fit, h = 12)
      {"USAccDeaths airline", &kUSAccDeaths, ArimaOrder{0, 1, 1, 0, 1, 1, 12}, false,
       102860.268052,
       {{8336.06126630, 7531.82914119, 8314.64376019, 8616.86875619, 9488.91252224, 9859.75735985,
         10907.47020178, 10086.50827027, 9164.95920258, 9384.25940328, 8884.97393596,
         9376.57370691},
        {7924.71204460, 7058.46418960, 7786.49551160, 8039.10862649, 8865.47610821, 9193.77000482,
         10201.49190776, 9342.68601595, 8385.12733594, 8570.00886798, 8037.70176715,
         8497.51948676},
        {8965.16561237, 8255.77836149, 9122.37680313, 9500.47662369, 10442.37623840,
         10878.29712454, 11987.17082978, 11224.08624103, 10357.60912296, 10629.54813492,
         10180.76489797, 10720.97112196}},
       1.0},
      // R: fit <- Arima(UKgas, order = c(1,0,0), seasonal = c(1,1,0)); forecast(fit, h = 8)
      {"UKgas (1,0,0)(1,1,0)[4]", &kUKgas, ArimaOrder{1, 0, 0, 1, 1, 0, 4}, false, 1597.61848302,
       {{1182.077968301, 633.954330485, 365.085545234, 781.497378813, 1186.989788430,
         639.590032581, 369.864974648, 781.145349715},
        {1130.854070346, 582.313452207, 313.437878562, 729.849601179, 1103.905614652,
         556.090228576, 286.358393537, 697.638657823},
        {1260.418159861, 712.932238417, 444.073835120, 860.485838401, 1314.056067048,
         767.291962778, 497.577269534, 908.857814024}},
       0.3},
  };
  for (const FitForecastCase& c : cases) {
    const absl::StatusOr<ArimaFit> fit = arima::FitArima(*c.x, c.order, c.constant);
    ASSERT_TRUE(fit.ok()) << c.r << ": " << fit.status();
    const double sigma2 = ForecastSigma2(*c.x, *fit);
    EXPECT_NEAR(sigma2, c.sigma2, 2e-4 * c.sigma2) << c.r;
    const int h = static_cast<int>(c.forecast.mean.size());
    const ArimaPrediction p = arima::PredictArima(*c.x, *fit, h);
    ASSERT_EQ(static_cast<int>(p.mean.size()), h) << c.r;
    ASSERT_EQ(static_cast<int>(p.variance.size()), h) << c.r;
    ExpectPredictionNear(p, sigma2, c.forecast, c.tolerance, c.r);
    for (int i = 1; i < h; ++i) EXPECT_GE(p.variance[i], p.variance[i - 1]) << c.r;
  }
}

TEST(FitArimaTest, RejectsSeriesShorterThanTheDifferencing) {
  const std::vector<double> x = Line(13, 0, 1);  // 13 observations, 13 lost to differencing
  const absl::StatusOr<ArimaFit> fit = arima::FitArima(x, {0, 1, 1, 0, 1, 1, 12}, false);
  EXPECT_EQ(fit.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(fit.status().message().find("y"), std::string::npos);
  const absl::StatusOr<ArimaFit> empty = arima::FitArima({}, {0, 0, 0, 0, 0, 0, 1}, true);
  EXPECT_FALSE(empty.ok());
}

// auto.arima's special cases fit models with nothing to estimate: a constant series (its mean
// fixed) and series that differencing makes constant (the drift fixed). Their residuals are
// exactly zero; R's loglik is +Inf and its sigma2 0.
// R: Arima(rep(7.5, 10), order = c(0,0,0), fixed = 7.5)$sigma2 0;
//    Arima(3 + 2 * (1:20), order = c(0,1,0), include.constant = TRUE, fixed = 2)$coef 2
TEST(FitArimaTest, PerfectFitsWithNothingToEstimate) {
  for (FitMethod method : {FitMethod::kCssMl, FitMethod::kCss, FitMethod::kMl}) {
    ArimaFitOptions options;
    options.method = method;
    options.fixed_constant = 7.5;
    const absl::StatusOr<ArimaFit> flat =
        arima::FitArima(std::vector<double>(10, 7.5), {0, 0, 0, 0, 0, 0, 1}, true, options);
    ASSERT_TRUE(flat.ok()) << flat.status();
    EXPECT_TRUE(flat->constant_fixed);
    EXPECT_EQ(flat->num_estimated, 0);
    ASSERT_EQ(flat->coef.size(), 1u);
    EXPECT_EQ(flat->coef[0], 7.5);
    EXPECT_EQ(flat->sigma2, 0.0);
    EXPECT_GT(flat->loglik, 1e100);

    options.fixed_constant = 2.0;
    const absl::StatusOr<ArimaFit> line =
        arima::FitArima(Line(20, 3, 2), {0, 1, 0, 0, 0, 0, 1}, true, options);
    ASSERT_TRUE(line.ok()) << line.status();
    EXPECT_EQ(line->coef, std::vector<double>{2.0});
    EXPECT_EQ(line->sigma2, 0.0);
    const ArimaPrediction p = arima::PredictArima(Line(20, 3, 2), *line, 3);
    ExpectAllNear(p.mean, {45, 47, 49}, 1e-9, "line forecasts");
  }
}

// The coefficient covariance of a well-determined fit is valid (forecast's checkarima keeps it).
TEST(FitArimaTest, CovarianceCheckPassesWellDeterminedFits) {
  const absl::StatusOr<ArimaFit> airline =
      arima::FitArima(kAirPassengers, {0, 1, 1, 0, 1, 1, 12}, false);
  ASSERT_TRUE(airline.ok());
  EXPECT_FALSE(arima::CoefficientCovarianceInvalid(kAirPassengers, *airline));
  const absl::StatusOr<ArimaFit> ar2 = arima::FitArima(kLynx, {2, 0, 0, 0, 0, 0, 1}, true);
  ASSERT_TRUE(ar2.ok());
  EXPECT_FALSE(arima::CoefficientCovarianceInvalid(kLynx, *ar2));
  const absl::StatusOr<ArimaFit> rw = arima::FitArima(kRandomWalk, {0, 1, 0, 0, 0, 0, 1}, false);
  ASSERT_TRUE(rw.ok());
  EXPECT_FALSE(arima::CoefficientCovarianceInvalid(kRandomWalk, *rw));  // nothing estimated
}

// A neighbour's estimates as a further ML start never lower the likelihood.
TEST(FitArimaTest, ExtraStartNeverHurts) {
  const ArimaOrder order{2, 0, 2, 0, 0, 0, 1};
  const absl::StatusOr<ArimaFit> plain = arima::FitArima(kLynx, order, true);
  ASSERT_TRUE(plain.ok());
  ArimaFitOptions options;
  options.start = {1.1, -0.5, 0.0, 0.0};
  const absl::StatusOr<ArimaFit> started = arima::FitArima(kLynx, order, true, options);
  ASSERT_TRUE(started.ok());
  // R: Arima(lynx, order = c(2,0,2))$loglik -932.083725073
  EXPECT_NEAR(plain->loglik, -932.083725073, 1e-3);
  EXPECT_GE(started->loglik, plain->loglik - 1e-4);
}

// ---------------------------------------------------------------------------------------------
// AutoArima: the order auto.arima chooses, its AICc and coefficients.

struct AutoCase {
  std::string r;
  const std::vector<double>* x;
  int m;
  ArimaOrder order;
  bool constant;
  double aicc;
  std::vector<double> coef;
  double coef_tolerance = 2e-3;  // times max(1, |coef|)
  AutoArimaOptions options = {};
};

AutoArimaOptions With(void (*set)(AutoArimaOptions&)) {
  AutoArimaOptions o;
  set(o);
  return o;
}

std::vector<AutoCase> AutoCases() {
  return {
      // R: fit <- auto.arima(lynx); fit$aicc; coef(fit)
      {"auto.arima(lynx)", &kLynx, 1, {2, 0, 2, 0, 0, 0, 1}, true, 1876.95249687,
       {1.342075986563, -0.673808433800, -0.202742590387, -0.256396759159, 1544.403946409853}},
      // R: auto.arima(WWWusage)
      {"auto.arima(WWWusage)", &kWWWusage, 1, {1, 1, 1, 0, 0, 0, 1}, false, 514.552103153,
       {0.650375976232, 0.525595888951}},
      // A random walk: nothing estimated. R: auto.arima(LakeHuron)
      {"auto.arima(LakeHuron)", &kLakeHuron, 1, {0, 1, 0, 0, 0, 0, 1}, false, 220.257864676, {}},
      // R: auto.arima(USAccDeaths)
      {"auto.arima(USAccDeaths)", &kUSAccDeaths, 12, {0, 1, 1, 0, 1, 1, 12}, false,
       857.316350743, {-0.430269236217, -0.552791270186}},
      // R: auto.arima(BJsales)
      {"auto.arima(BJsales)", &kBJsales, 1, {1, 1, 1, 0, 0, 0, 1}, false, 514.901560538,
       {0.880027026136, -0.641489727336}},
      // R: auto.arima(UKgas)
      {"auto.arima(UKgas)", &kUKgas, 4, {0, 1, 1, 0, 1, 0, 4}, false, 1030.79478027,
       {-0.929676299866}},
      // R: auto.arima(Nile)
      {"auto.arima(Nile)", &kNile, 1, {1, 1, 1, 0, 0, 0, 1}, false, 1267.50739513,
       {0.254371370057, -0.874136371156}},
      // d = 2 and a seasonal AR. R: auto.arima(austres)
      {"auto.arima(austres)", &kAustres, 4, {0, 2, 1, 1, 0, 0, 4}, false, 652.153704839,
       {-0.605060709319, 0.192126070349}},
      // R: auto.arima(lh)
      {"auto.arima(lh)", &kLh, 1, {1, 0, 0, 0, 0, 0, 1}, true, 65.3037793202,
       {0.573929601443, 2.413287957712}},
      // 19 observations, d = 2. R: auto.arima(uspop)
      {"auto.arima(uspop)", &kUspop, 1, {0, 2, 0, 0, 0, 0, 1}, false, 100.08652941, {}},
      // n > 150: the search by CSS with R's offset, the winner refitted by ML.
      // R: auto.arima(sunspot.year)
      {"auto.arima(sunspot.year)", &kSunspotYear, 1, {2, 1, 3, 0, 0, 0, 1}, false,
       2406.49540803,
       {1.613535264798, -0.934621216919, -1.421619064661, 0.426690588881, 0.137321180236}},
      // Approximation with seasonal terms and a drift. A flat likelihood in the ARMA(1,2)
      // directions (ar1 and ma1 nearly cancel): equal log-likelihoods to 1e-5, coefficients
      // 2e-3 apart. R: auto.arima(nottem)
      {"auto.arima(nottem)", &kNottem, 12, {1, 0, 2, 1, 1, 2, 12}, true, 1049.6210607,
       {0.15615373140734, 0.08977618697550, 0.11125684047083, -0.53237476508890,
        -0.49252843588240, -0.23912418301811, 0.00398521276031},
       5e-3},
      // M3: R: auto.arima(ts(N0776, frequency = 4)) etc.
      {"auto.arima(M3 N0776)", &kN0776, 4, {2, 0, 0, 0, 1, 0, 4}, true, 422.075610351,
       {1.20123965313, -0.62300835430, 59.47332037612}},
      {"auto.arima(M3 N1716)", &kN1716, 12, {0, 0, 0, 0, 1, 1, 12}, true, 1432.40039839,
       {-0.695911609915, -6.612220652531}},
      {"auto.arima(M3 N0156)", &kN0156, 1, {2, 2, 1, 0, 0, 0, 1}, false, 518.891923475,
       {0.570634084353, -0.337590602395, -0.756456630920}},
      // Options. R: auto.arima(WWWusage, stepwise = FALSE)
      {"auto.arima(WWWusage, stepwise = FALSE)", &kWWWusage, 1, {3, 1, 0, 0, 0, 0, 1}, false,
       512.419515952, {1.1513401325, -0.6612265340, 0.3407127645}, 2e-3,
       With([](AutoArimaOptions& o) { o.stepwise = false; })},
      // R: auto.arima(lynx, stepwise = FALSE)
      {"auto.arima(lynx, stepwise = FALSE)", &kLynx, 1, {4, 0, 0, 0, 0, 0, 1}, true,
       1875.00684186, {1.1246055410, -0.7173740379, 0.2633740836, -0.2543279149, 1547.3859151537},
       2e-3, With([](AutoArimaOptions& o) { o.stepwise = false; })},
      // R: auto.arima(lynx, ic = "bic")$bic 1892.58464084 (aicc reported below either way)
      {"auto.arima(lynx, ic = \"bic\")", &kLynx, 1, {2, 0, 2, 0, 0, 0, 1}, true, 1876.95249687,
       {1.3420759866, -0.6738084338, -0.2027425904, -0.2563967592, 1544.4039464099}, 2e-3,
       With([](AutoArimaOptions& o) { o.ic = InformationCriterion::kBic; })},
      // R: auto.arima(USAccDeaths, D = 0)
      {"auto.arima(USAccDeaths, D = 0)", &kUSAccDeaths, 12, {1, 0, 0, 1, 0, 0, 12}, true,
       1075.48731437, {0.757883499, 0.850120980, 9214.710206287}, 2e-3,
       With([](AutoArimaOptions& o) { o.D = 0; })},
      // R: auto.arima(BJsales, allowdrift = FALSE)
      {"auto.arima(BJsales, allowdrift = FALSE)", &kBJsales, 1, {1, 1, 1, 0, 0, 0, 1}, false,
       514.901560538, {0.8800270261, -0.6414897273}, 2e-3,
       With([](AutoArimaOptions& o) { o.allow_drift = false; })},
      // R: auto.arima(lh, allowmean = FALSE)
      {"auto.arima(lh, allowmean = FALSE)", &kLh, 1, {1, 0, 0, 0, 0, 0, 1}, false, 77.3547486305,
       {0.9807744162}, 2e-3, With([](AutoArimaOptions& o) { o.allow_mean = false; })},
      // R: auto.arima(WWWusage, approximation = TRUE)
      {"auto.arima(WWWusage, approximation = TRUE)", &kWWWusage, 1, {1, 1, 1, 0, 0, 0, 1}, false,
       514.552103153, {0.6503759762, 0.5255958890}, 2e-3,
       With([](AutoArimaOptions& o) { o.approximation = true; })},
      // R: auto.arima(WWWusage, d = 2)
      {"auto.arima(WWWusage, d = 2)", &kWWWusage, 1, {2, 2, 0, 0, 0, 0, 1}, false, 511.719851496,
       {0.2578805140, -0.4407014921}, 2e-3, With([](AutoArimaOptions& o) { o.d = 2; })},
      // R: auto.arima(LakeHuron, d = 0)
      {"auto.arima(LakeHuron, d = 0)", &kLakeHuron, 1, {1, 0, 1, 0, 0, 0, 1}, true, 214.92062878,
       {0.7448993197, 0.3205890685, 579.0554555560}, 2e-3,
       With([](AutoArimaOptions& o) { o.d = 0; })},
  };
}

TEST(AutoArimaTest, ChoosesRsModel) {
  for (const AutoCase& c : AutoCases()) {
    const absl::StatusOr<AutoArimaModel> model = arima::AutoArima(*c.x, c.m, c.options);
    ASSERT_TRUE(model.ok()) << c.r << ": " << model.status();
    EXPECT_EQ(model->fit.order.Name(), c.order.Name()) << c.r;
    EXPECT_EQ(model->fit.order, c.order) << c.r;
    EXPECT_EQ(model->fit.constant, c.constant) << c.r;
    // 5e-3: R's kappa = 1e6 approximation of the diffuse likelihood (see the top).
    EXPECT_NEAR(model->aicc, c.aicc, 5e-3) << c.r;
    ASSERT_EQ(model->fit.coef.size(), c.coef.size()) << c.r;
    for (std::size_t i = 0; i < c.coef.size(); ++i) {
      EXPECT_NEAR(model->fit.coef[i], c.coef[i],
                  c.coef_tolerance * std::max(1.0, std::abs(c.coef[i])))
          << c.r << " coefficient " << i;
    }
    EXPECT_GE(model->models_fitted, 1) << c.r;
    EXPECT_EQ(static_cast<int>(model->search.size()), model->models_fitted) << c.r;
    EXPECT_LE(model->models_fitted, 94 + 30) << c.r;  // nmodels, plus the refits
    EXPECT_TRUE(std::isfinite(model->sigma2) && model->sigma2 > 0) << c.r;
  }
}

// R: auto.arima(lynx, ic = "bic")$bic 1892.58464084; auto.arima(lynx, ic = "aic")$aic
//    1876.16745015
TEST(AutoArimaTest, ReportsRsInformationCriteria) {
  const absl::StatusOr<AutoArimaModel> model = arima::AutoArima(kLynx, 1);
  ASSERT_TRUE(model.ok());
  EXPECT_NEAR(model->aic, 1876.16745015, 5e-3);
  EXPECT_NEAR(model->bic, 1892.58464084, 5e-3);
  // forecast's sigma2. R: auto.arima(lynx)$sigma2 761965.151488
  EXPECT_NEAR(model->sigma2, 761965.151488, 1e-4 * 761965.151488);
}

// AirPassengers: the stepwise search makes R's moves and scores R's candidates as R does up to
// ARIMA(2,1,1)(0,1,0)[12]. R's trace (auto.arima(AirPassengers, trace = TRUE)), then
// Arima(AirPassengers, order = ..., seasonal = ...)$aicc for the digits:
//   ARIMA(2,1,2)(1,1,1)[12] Inf        (R's fit has an MA root at 1.000001; ours is elsewhere)
//   ARIMA(0,1,0)(0,1,0)[12] 1031.53911592
//   ARIMA(1,1,0)(1,1,0)[12] 1020.58226096
//   ARIMA(0,1,1)(0,1,1)[12] 1021.19186286
//   ARIMA(1,1,0)(0,1,0)[12] 1020.48756205
//   ARIMA(1,1,0)(0,1,1)[12] 1021.10299486
//   ARIMA(1,1,0)(1,1,1)[12] Inf
//   ARIMA(2,1,0)(0,1,0)[12] 1022.58271261
//   ARIMA(1,1,1)(0,1,0)[12] 1022.58267027
//   ARIMA(0,1,1)(0,1,0)[12] 1020.7329001
//   ARIMA(2,1,1)(0,1,0)[12] 1018.165       <- R's choice
TEST(AutoArimaTest, AirPassengersSearchFollowsR) {
  const absl::StatusOr<AutoArimaModel> model = arima::AutoArima(kAirPassengers, 12);
  ASSERT_TRUE(model.ok());
  const std::vector<std::pair<ArimaOrder, double>> r_trace = {
      {{0, 1, 0, 0, 1, 0, 12}, 1031.53911592}, {{1, 1, 0, 1, 1, 0, 12}, 1020.58226096},
      {{0, 1, 1, 0, 1, 1, 12}, 1021.19186286}, {{1, 1, 0, 0, 1, 0, 12}, 1020.48756205},
      {{1, 1, 0, 0, 1, 1, 12}, 1021.10299486}, {{1, 1, 0, 1, 1, 1, 12}, kInf},
      {{2, 1, 0, 0, 1, 0, 12}, 1022.58271261}, {{1, 1, 1, 0, 1, 0, 12}, 1022.58267027},
      {{0, 1, 1, 0, 1, 0, 12}, 1020.7329001}};
  ASSERT_GE(model->search.size(), r_trace.size() + 1);
  EXPECT_EQ(model->search[0].order, (ArimaOrder{2, 1, 2, 1, 1, 1, 12}));
  for (std::size_t i = 0; i < r_trace.size(); ++i) {
    const arima::SearchStep& step = model->search[i + 1];
    EXPECT_EQ(step.order, r_trace[i].first) << "step " << i + 1;
    EXPECT_FALSE(step.constant) << "step " << i + 1;
    if (std::isinf(r_trace[i].second)) {
      EXPECT_EQ(step.ic, kInf) << "step " << i + 1;
    } else {
      EXPECT_NEAR(step.ic, r_trace[i].second, 5e-3) << "step " << i + 1;
    }
  }
  // Whatever it ends on, no worse than R's best model on that path before the divergence.
  EXPECT_LE(model->aicc, 1020.48756205 + 5e-3);
}

// KNOWN DIFFERENCE, not tested: R's auto.arima(AirPassengers) chooses ARIMA(2,1,1)(0,1,0)[12]
// (AICc 1018.16516544); ours ends on ARIMA(1,1,0)(0,1,0)[12] (AICc 1020.4876, R's 1020.48756205),
// which the test above accepts. The ARIMA(2,1,1)(0,1,0)[12] likelihood has two local optima. Our
// CSS stage (Levenberg-Marquardt in the admissible region, from zero and from Hannan-Rissanen)
// lands in the basin of the poorer one (ar -0.53, -0.06, ma 0.23: loglik -508.19, AICc 1024.70),
// and ML started there stays; R's unconstrained BFGS CSS ends at (0.58, 0.31, -1.06), its MA
// root inverted, and ML reaches the better optimum (0.596, 0.214, -0.982: loglik -504.92).
// R: fit <- Arima(AirPassengers, order = c(2,1,1), seasonal = c(0,1,0)); coef(fit)
//    0.595980706587 0.214274553578 -0.981877169669; fit$loglik -504.923852561
// A second ML run from zero coefficients for every model with both AR and MA terms, keeping the
// higher likelihood, reaches R's optimum and R's choice here, but was tried and rejected on M3
// (bench/m3_accuracy --models arima): overall sMAPE 13.537 -> 13.585 (yearly 17.164 -> 17.164,
// quarterly 9.982 -> 9.941, monthly 14.894 -> 15.014, other 4.410 -> 4.420) for about 70% more
// CPU time (30 s -> 52 s). The higher likelihoods did not give better forecasts there, so ML
// still starts from CSS alone, and this difference from R stays.

// A seasonal period longer than the series: no seasonal terms (max.P = max.Q = 0, D = 0 for
// n <= 2m). R: auto.arima(ts(c(12, 15, 14, 18, 17, 20, 19, 23, 21, 25), frequency = 12))
// -> ARIMA(0,1,0), AICc 46.9514359434, after scoring ARIMA(1,1,0) with drift as Inf: R's
// stats::arima stops with "non-stationary AR part from CSS" on it. FitArima searches CSS in the
// stationary region and fits it (arima_fit.h): ar1 -0.98, AICc 26.4, which wins. So: R's
// candidates R could fit get R's AICc, and the chosen model is better than R's by AICc.
// R: Arima(x, order = c(0,1,0))$aicc 46.9514359434; Arima(x, order = c(0,1,0),
//    include.drift = TRUE)$aicc 47.7036898583
TEST(AutoArimaTest, PeriodLongerThanTheSeries) {
  const std::vector<double> x = {12, 15, 14, 18, 17, 20, 19, 23, 21, 25};
  const absl::StatusOr<AutoArimaModel> model = arima::AutoArima(x, 12);
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->fit.order.P + model->fit.order.D + model->fit.order.Q, 0);
  EXPECT_EQ(model->fit.order.d, 1);
  EXPECT_LT(model->aicc, 46.9514359434);
  bool saw_rw = false, saw_rw_drift = false;
  for (const arima::SearchStep& s : model->search) {
    if (s.order.p + s.order.q != 0) continue;
    if (s.constant) {
      saw_rw_drift = true;
      EXPECT_NEAR(s.ic, 47.7036898583, 1e-6);
    } else {
      saw_rw = true;
      EXPECT_NEAR(s.ic, 46.9514359434, 1e-6);
    }
  }
  EXPECT_TRUE(saw_rw && saw_rw_drift);
}

// Scale: the same model and coefficients for WWWusage * 1e6, forecasts scaled.
// R: auto.arima(WWWusage * 1e6): ARIMA(1,1,1), aicc 3250.02319363
TEST(AutoArimaTest, InvariantToScale) {
  const absl::StatusOr<AutoArimaModel> base = arima::AutoArima(kWWWusage, 1);
  const std::vector<double> big = Scaled(kWWWusage, 1e6);
  const absl::StatusOr<AutoArimaModel> scaled = arima::AutoArima(big, 1);
  ASSERT_TRUE(base.ok() && scaled.ok());
  EXPECT_EQ(scaled->fit.order, base->fit.order);
  EXPECT_NEAR(scaled->aicc, 3250.02319363, 5e-3);
  ExpectAllNear(scaled->fit.coef, base->fit.coef, 1e-4, "coef");
  EXPECT_NEAR(scaled->sigma2 / 1e12, base->sigma2, 1e-4 * base->sigma2);
}

TEST(AutoArimaTest, RejectsEmptyAndNonFiniteSeries) {
  EXPECT_EQ(arima::AutoArima({}, 1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(arima::AutoArima(std::vector<double>{1, 2, kNaN, 4}, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(arima::AutoArima(std::vector<double>{1, 2, kInf, 4}, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// ForecastAutoArima (ModelKind::kArima): R's forecast(auto.arima(y), h).

struct EngineCase {
  std::string r;
  std::vector<double> y;
  int m;
  std::string model_name;  // as.character(fit)
  RForecast forecast;
  double tolerance;  // absolute
  int season_length = 1;
};

std::vector<EngineCase> EngineCases() {
  return {
      // R: fc <- forecast(auto.arima(WWWusage), h = 10); fc$mean; fc$lower[, 1]; fc$upper[, 2]
      {"WWWusage", kWWWusage, 1, "ARIMA(1,1,1)",
       {{218.880496735, 218.152398706, 217.678861239, 217.370883847, 217.170582750,
         217.040311729, 216.955586586, 216.900483388, 216.864645592, 216.841337551},
        {214.828822219, 208.449629168, 202.312844643, 196.630235233, 191.432051383,
         186.684383737, 182.334116357, 178.326572865, 174.612073789, 171.147831427},
        {225.076998180, 232.991504173, 241.179155666, 249.090968620, 256.534269589,
         263.465697317, 269.904556073, 275.894188676, 281.484377811, 286.723524688}},
       0.01},
      // R: forecast(auto.arima(lynx), h = 10)
      {"lynx", kLynx, 1, "ARIMA(2,0,2) with non-zero mean",
       {{2989.910260072, 2093.478030128, 1307.308743756, 856.233420009, 780.583555428,
         982.994046208, 1305.617822081, 1602.217548599, 1782.890298052, 1825.515459328},
        {1871.236013457, 397.632592917, -516.069206605, -967.590013695, -1086.014654223,
         -965.907767004, -702.572251815, -424.371593859, -244.079812867, -205.673609383},
        {4700.77488132, 4687.04981424, 4095.92467541, 3645.53065964, 3635.29916960,
         3963.58215986, 4376.87950579, 4701.61817942, 4882.87356985, 4931.95107027}},
       1.0},
      // R: forecast(auto.arima(USAccDeaths), h = 12)
      {"USAccDeaths", kUSAccDeaths, 12, "ARIMA(0,1,1)(0,1,1)[12]",
       {{8336.06126630, 7531.82914119, 8314.64376019, 8616.86875619, 9488.91252224,
         9859.75735985, 10907.47020178, 10086.50827027, 9164.95920258, 9384.25940328,
         8884.97393596, 9376.57370691},
        {7924.71204460, 7058.46418960, 7786.49551160, 8039.10862649, 8865.47610821,
         9193.77000482, 10201.49190776, 9342.68601595, 8385.12733594, 8570.00886798,
         8037.70176715, 8497.51948676},
        {8965.16561237, 8255.77836149, 9122.37680313, 9500.47662369, 10442.37623840,
         10878.29712454, 11987.17082978, 11224.08624103, 10357.60912296, 10629.54813492,
         10180.76489797, 10720.97112196}},
       1.0, 12},
      // R: forecast(auto.arima(LakeHuron), h = 5)
      {"LakeHuron", kLakeHuron, 1, "ARIMA(0,1,0)",
       {{579.96, 579.96, 579.96, 579.96, 579.96},
        {579.002018250, 578.605209216, 578.300726936, 578.044036500, 577.817887685},
        {581.425106656, 582.031973703, 582.497639166, 582.890213311, 583.236078076}},
       1e-6},
      // R: forecast(auto.arima(uspop), h = 5)
      {"uspop", kUspop, 1, "ARIMA(0,2,0)",
       {{227.1, 251.0, 274.9, 298.8, 322.7},
        {221.592076068, 238.683907673, 254.291235734, 268.631858174, 281.852142868},
        {235.523642736, 269.835837777, 306.418385068, 344.938191431, 385.171406517}},
       1e-6},
      // R: forecast(auto.arima(nottem), h = 5)
      {"nottem", kNottem, 12, "ARIMA(1,0,2)(1,1,2)[12] with drift",
       {{40.3589280439, 39.4486986764, 43.4591109203, 46.6163107633, 52.8129736717},
        {37.4309125605, 36.4334395970, 40.4121768462, 43.5686084379, 49.7652526157},
        {44.8369412959, 44.0601394943, 48.1189944623, 51.2773692441, 57.4740607985}},
       0.02, 12},
      // R: forecast(auto.arima(ts(N0776, frequency = 4)), h = 6)
      {"M3 N0776", kN0776, 4, "ARIMA(2,0,0)(0,1,0)[4] with drift",
       {{4062.47207885, 3226.88181479, 3255.04337086, 3430.75964909, 4349.70915156,
         3469.26372328},
        {3862.65769589, 2914.57144177, 2902.36533589, 3074.92717198, 3961.77115406,
         3051.07005319},
        {4368.06180673, 3704.51931262, 3794.41788006, 3974.95846123, 4943.00911997,
         4108.83574986}},
       0.5, 4},
      // R: forecast(auto.arima(ts(N1716, frequency = 12)), h = 6)
      {"M3 N1716", kN1716, 12, "ARIMA(0,0,0)(0,1,1)[12] with drift",
       {{3784.32656070, 3511.52136552, 3511.71270178, 3523.50681831, 3520.13500085,
         3690.28141124},
        {3278.31469703, 3005.50950185, 3005.70083811, 3017.49495464, 3014.12313718,
         3184.26954757},
        {4558.20492440, 4285.39972922, 4285.59106548, 4297.38518201, 4294.01336455,
         4464.15977493}},
       0.5, 12},
      // Twice integrated: the forecasts amplify coefficient differences of 5e-4 (at equal
      // log-likelihoods, to 1e-5) into 3e-4 of the level by h = 6. R: forecast(auto.arima(N0156),
      // h = 6)
      {"M3 N0156", kN0156, 1, "ARIMA(2,2,1)",
       {{8708.75505741, 9199.68065773, 9664.26029833, 10157.16261411, 10675.12096213,
         11197.81566718},
        {8488.58753664, 8743.59685850, 9001.40340093, 9314.26766672, 9657.93853592,
         9997.42329413},
        {9045.47222344, 9897.20063621, 10678.01244124, 11446.25919364, 12230.76723861,
         13033.65737790}},
       5.0},
      // Synthetic and edge cases. R: fc <- forecast(auto.arima(ts(y, frequency = m)), h)
      // R: auto.arima(wn): ARIMA(0,0,0) with non-zero mean
      {"white noise", kWhiteNoise, 1, "ARIMA(0,0,0) with non-zero mean",
       {std::vector<double>(6, 9.94683333333), std::vector<double>(6, 6.99599090519),
        std::vector<double>(6, 14.4597573847)},
       1e-6},
      // Interval widths that narrow slightly at step 4 (R's do too).
      // R: fc <- forecast(auto.arima(ts(wn, frequency = 7)), h = 10)
      {"white noise, m = 7", kWhiteNoise, 7, "ARIMA(0,0,0)(0,0,2)[7] with non-zero mean",
       {{9.66238129601, 8.24606449198, 10.29639827255, 9.15015664102, 9.90597312024,
         13.20126733694, 8.29945229440, 9.35861211472, 9.30314142144, 9.90496673910},
        {6.89689123804, 5.48057443402, 7.53090821458, 6.38753918771, 7.14335566692,
         10.43864988363, 5.53683484109, 6.41975828249, 6.36428758922, 6.96611290687},
        {13.8918333594, 12.4755165554, 14.5258503359, 13.3752154347, 14.1310319139,
         17.4263261306, 12.5245110881, 13.8532011908, 13.7977304976, 14.3995558152}},
       2e-3, 7},
      // R: auto.arima(rw): ARIMA(0,1,0)
      {"random walk", kRandomWalk, 1, "ARIMA(0,1,0)",
       {std::vector<double>(6, 62.96),
        {61.7258673847, 61.2146729177, 60.8224196071, 60.4917347695, 60.2003955790,
         59.9370048177},
        {64.8474429583, 65.6292474298, 66.2291471002, 66.7348859166, 67.1804507584,
         67.5832721664}},
       1e-6},
      // R: auto.arima(tn): ARIMA(4,1,0) with drift
      {"noisy trend", kTrendNoise, 1, "ARIMA(4,1,0) with drift",
       {{26.2081489140, 26.5952814940, 26.5851930668, 27.1561248081, 28.1218608556,
         28.6041375546},
        {25.0350173080, 25.4012329658, 25.3791595852, 25.9357507665, 26.8340286391,
         27.2075151506},
        {28.0022988793, 28.4214211313, 28.4296621086, 29.0225258438, 30.0914302667,
         30.7400872000}},
       1e-3},
      // An exact line: the first difference is constant, so R fits ARIMA(0,1,0) with the drift
      // fixed at 2; the intervals' tiny width is the diffuse prior's artefact in the first
      // residual (sigma2 = 9e-6 / 19). R: auto.arima(3 + 2 * (1:20))
      {"exact line", Line(20, 3, 2), 1, "ARIMA(0,1,0) with drift",
       {{45, 47, 49, 51, 53, 55},
        {44.9991179762, 46.9987526299, 48.9984722899, 50.9982359523, 52.9980277347,
         54.9978394917},
        {45.0013489391, 47.0019076879, 49.0023364310, 51.0026978781, 53.0030163194,
         55.0033042124}},
       1e-6},
      // R: auto.arima((1:15)^2): ARIMA(0,2,0)
      {"exact quadratic", Squares(15), 1, "ARIMA(0,2,0)",
       {{254, 283, 312, 341, 370, 399},
        {251.436896154, 277.268725567, 302.409743562, 326.961302064, 350.991513137,
         374.549547642},
        {257.919929062, 291.765227850, 326.667031531, 362.470335711, 399.070971980,
         436.393739991}},
       1e-6},
      // The seasonal difference is constant: ARIMA(0,0,0)(0,1,0)[4] with the drift fixed at
      // mean(dx) / m. R: auto.arima(ts(rep(c(10, 20, 15, 5), 6), frequency = 4))
      {"exact seasonal", Periodic({10, 20, 15, 5}, 24), 4, "ARIMA(0,0,0)(0,1,0)[4] with drift",
       {{10, 20, 15, 5, 10, 20, 15, 5},
        {9.99215213539, 19.99215213539, 14.99215213539, 4.99215213539, 9.98890144343,
         19.98890144343, 14.98890144343, 4.98890144343},
        {10.01200227319, 20.01200227319, 15.01200227319, 5.01200227319, 10.01697377752,
         20.01697377752, 15.01697377752, 5.01697377752}},
       1e-6, 4},
      // R: auto.arima(ts(rep(c(10, 20, 15, 5), 6) + 1:24, frequency = 4)): drift 1
      {"exact seasonal + trend", Periodic({10, 20, 15, 5}, 24, 1), 4,
       "ARIMA(0,0,0)(0,1,0)[4] with drift",
       {{35, 46, 42, 33, 39, 50, 46, 37},
        {34.9921521354, 45.9921521354, 41.9921521354, 32.9921521354, 38.9889014434,
         49.9889014434, 45.9889014434, 36.9889014434},
        {35.0120022732, 46.0120022732, 42.0120022732, 33.0120022732, 39.0169737775,
         50.0169737775, 46.0169737775, 37.0169737775}},
       1e-6, 4},
      // R: auto.arima(rep(7.5, 10)): ARIMA(0,0,0) with non-zero mean, sigma2 0
      {"constant", std::vector<double>(10, 7.5), 1, "ARIMA(0,0,0) with non-zero mean",
       {std::vector<double>(6, 7.5), std::vector<double>(6, 7.5), std::vector<double>(6, 7.5)},
       0},
      // R: auto.arima(42)
      {"one value", {42}, 1, "ARIMA(0,0,0) with non-zero mean",
       {std::vector<double>(6, 42), std::vector<double>(6, 42), std::vector<double>(6, 42)}, 0},
      // R: auto.arima(c(5, 7)), auto.arima(c(5, 7, 6)), ... : the mean, forecast's sigma2
      {"two values", {5, 7}, 1, "ARIMA(0,0,0) with non-zero mean",
       {std::vector<double>(6, 6), std::vector<double>(6, 4.18761239513),
        std::vector<double>(6, 8.7718076487)},
       1e-6},
      {"three values", {5, 7, 6}, 1, "ARIMA(0,0,0) with non-zero mean",
       {std::vector<double>(6, 6), std::vector<double>(6, 4.71844843447),
        std::vector<double>(6, 7.95996398455)},
       1e-6},
      {"four values", {5, 7, 6, 8}, 1, "ARIMA(0,0,0) with non-zero mean",
       {std::vector<double>(6, 6.5), std::vector<double>(6, 4.84552404311),
        std::vector<double>(6, 9.03030262376)},
       1e-6},
      {"five values", {5, 7, 6, 8, 7}, 1, "ARIMA(0,0,0) with non-zero mean",
       {std::vector<double>(6, 6.6), std::vector<double>(6, 5.13880639898),
        std::vector<double>(6, 8.83470276926)},
       1e-6},
      // Fewer than two seasons: no seasonal model. R: auto.arima(ts(c(12, 15, 14, 18, 13, 16,
      //    15), frequency = 4))
      {"7 quarters", {12, 15, 14, 18, 13, 16, 15}, 4, "ARIMA(0,0,0) with non-zero mean",
       {std::vector<double>(4, 14.7142857143), std::vector<double>(4, 12.1818795364),
        std::vector<double>(4, 18.5872667447)},
       1e-6},
      // m = 52 with 60 observations: R's approximation (m > 12), no seasonal differencing
      // (n <= 2m), P = Q = 0 (n / 3 / m < 1). R: auto.arima(ts(wk, frequency = 52))
      {"weekly, 60 weeks", kWeekly, 52, "ARIMA(1,1,0)",
       {{109.937950068, 109.262152808, 109.559107791, 109.428621523, 109.485959056,
         109.460764124, 109.471835138, 109.466970376},
        {105.643692111, 104.339171731, 103.667555308, 102.874277702, 102.264205575,
         101.655231108, 101.112227474, 100.592365284},
        {116.505450872, 116.791202645, 118.569459767, 119.452625377, 120.530677901,
         121.398296724, 122.256751786, 123.039507622}},
       1e-4},
      // R: auto.arima(c(1, 2, 1, 2, 1, 2, 1, 2, 1, 2))
      {"alternating", {1, 2, 1, 2, 1, 2, 1, 2, 1, 2}, 1, "ARIMA(0,0,0) with non-zero mean",
       {std::vector<double>(6, 1.5), std::vector<double>(6, 0.824563018987),
        std::vector<double>(6, 2.53299172051)},
       1e-6},
      // R: auto.arima(c(0,0,3,0,0,0,2,0,1,0,0,4,0,0,2,0,0,0,1,3))
      {"intermittent", {0, 0, 3, 0, 0, 0, 2, 0, 1, 0, 0, 4, 0, 0, 2, 0, 0, 0, 1, 3}, 1,
       "ARIMA(0,0,0) with non-zero mean",
       {std::vector<double>(6, 0.8), std::vector<double>(6, -0.84223983364),
        std::vector<double>(6, 3.31158908814)},
       1e-6},
  };
}

TEST(ForecastAutoArimaTest, MatchesRsForecastOfAutoArima) {
  for (const EngineCase& c : EngineCases()) {
    const int h = static_cast<int>(c.forecast.mean.size());
    const ForecastOptions options = ArimaOptions(c.m, h);
    const absl::StatusOr<ForecastResult> r = ForecastAutoArima(c.y, options);
    ASSERT_TRUE(r.ok()) << c.r << ": " << r.status();
    EXPECT_EQ(r->model_name, c.model_name) << c.r;
    EXPECT_EQ(r->season_length, c.season_length) << c.r;
    ExpectWellFormed(*r, options, c.r);
    ExpectResultNear(*r, c.forecast, c.tolerance, c.r);
  }
}

// The parameters: R's coef() names and order, then sigma = sqrt(forecast's sigma2).
// R: fit <- auto.arima(nottem); names(coef(fit)); fit$sigma2 5.21983044261; coef(fit)["drift"]
// R: fit <- auto.arima(lynx); fit$sigma2 761965.151488
TEST(ForecastAutoArimaTest, ParametersAreRsCoefficientsAndSigma) {
  const absl::StatusOr<ForecastResult> nottem = ForecastAutoArima(kNottem, ArimaOptions(12, 3));
  ASSERT_TRUE(nottem.ok());
  EXPECT_EQ(ParameterNames(*nottem), (std::vector<std::string>{"ar1", "ma1", "ma2", "sar1", "sma1",
                                                               "sma2", "drift", "sigma"}));
  EXPECT_NEAR(Parameter(*nottem, "sigma"), std::sqrt(5.21983044261), 1e-4);
  EXPECT_NEAR(Parameter(*nottem, "drift"), 0.00398521276031, 1e-5);
  EXPECT_NEAR(nottem->aicc, 1049.6210607, 5e-3);

  const absl::StatusOr<ForecastResult> lynx = ForecastAutoArima(kLynx, ArimaOptions(1, 3));
  ASSERT_TRUE(lynx.ok());
  EXPECT_EQ(ParameterNames(*lynx),
            (std::vector<std::string>{"ar1", "ar2", "ma1", "ma2", "intercept", "sigma"}));
  EXPECT_NEAR(Parameter(*lynx, "intercept"), 1544.403946409853, 0.1);
  EXPECT_NEAR(Parameter(*lynx, "sigma"), std::sqrt(761965.151488), 0.05);

  const absl::StatusOr<ForecastResult> constant =
      ForecastAutoArima(std::vector<double>(10, 7.5), ArimaOptions(1, 3));
  ASSERT_TRUE(constant.ok()) << constant.status();
  EXPECT_EQ(ParameterNames(*constant), (std::vector<std::string>{"intercept", "sigma"}));
  EXPECT_EQ(Parameter(*constant, "intercept"), 7.5);
  EXPECT_EQ(Parameter(*constant, "sigma"), 0.0);

  // R: auto.arima(lh, allowmean = FALSE) would say "with zero mean"; with the defaults:
  const absl::StatusOr<ForecastResult> lh = ForecastAutoArima(kLh, ArimaOptions(1, 3));
  ASSERT_TRUE(lh.ok());
  EXPECT_EQ(lh->model_name, "ARIMA(1,0,0) with non-zero mean");
}

// The series where R and this implementation differ on purpose (see AutoArimaTest above) still
// give well-formed results.
TEST(ForecastAutoArimaTest, LegitimateDifferencesStillWellFormed) {
  const std::vector<double> short_monthly = {12, 15, 14, 18, 17, 20, 19, 23, 21, 25};
  const ForecastOptions options = ArimaOptions(12, 6);
  const absl::StatusOr<ForecastResult> r = ForecastAutoArima(short_monthly, options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->season_length, 1);
  ExpectWellFormed(*r, options, "10 months, m = 12");
  const absl::StatusOr<ForecastResult> air =
      ForecastAutoArima(kAirPassengers, ArimaOptions(12, 24));
  ASSERT_TRUE(air.ok());
  EXPECT_EQ(air->season_length, 12);
  ExpectWellFormed(*air, ArimaOptions(12, 24), "AirPassengers");
}

// Every series, every period, every horizon: a result (never an error for a valid series), all
// finite, intervals ordered and not narrowing.
TEST(ForecastAutoArimaTest, RobustOnEveryEdgeCase) {
  std::vector<std::pair<std::string, std::vector<double>>> series = {
      {"one", {3}},
      {"two", {3, 4}},
      {"two equal", {3, 3}},
      {"three", {1, 10, 2}},
      {"four", {-5, 5, -5, 5}},
      {"five zeros and a one", {0, 0, 0, 0, 0, 1}},
      {"constant", std::vector<double>(30, -2.5)},
      {"constant huge", std::vector<double>(12, 1e12)},
      {"line", Line(12, 0, 1)},
      {"steep line", Line(40, -1e6, 1e5)},
      {"quadratic", Squares(9)},
      {"tiny values", Scaled(kWhiteNoise, 1e-9)},
      {"huge values", Scaled(kRandomWalk, 1e9)},
      {"negative", Scaled(kWWWusage, -1)},
      {"level shift", LevelShift()},
      {"seasonal exact", Periodic({1, 5, 3}, 13)},
      {"white noise", kWhiteNoise},
      {"random walk", kRandomWalk},
      {"lynx", kLynx},
      {"air short", std::vector<double>(kAirPassengers.begin(), kAirPassengers.begin() + 25)},
      {"air 13", std::vector<double>(kAirPassengers.begin(), kAirPassengers.begin() + 13)},
      {"spike", {0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0}},
  };
  int failures = 0;
  for (const auto& [name, y] : series) {
    for (int m : {1, 2, 4, 7, 12, 52}) {
      for (int h : {1, 24}) {
        ForecastOptions options = ArimaOptions(m, h);
        options.levels = {50, 80, 95, 99.5};
        const absl::StatusOr<ForecastResult> r = ForecastAutoArima(y, options);
        const std::string what = name + " m=" + std::to_string(m) + " h=" + std::to_string(h);
        if (!r.ok()) {
          ++failures;
          ADD_FAILURE() << what << ": " << r.status();
          continue;
        }
        ExpectWellFormed(*r, options, what);
        EXPECT_TRUE(r->season_length == 1 || r->season_length == m) << what;
      }
    }
  }
  EXPECT_EQ(failures, 0);
}

// A random walk's intervals widen strictly (variance h sigma2).
TEST(ForecastAutoArimaTest, RandomWalkIntervalsWidenWithHorizon) {
  const absl::StatusOr<ForecastResult> r = ForecastAutoArima(kRandomWalk, ArimaOptions(1, 20));
  ASSERT_TRUE(r.ok());
  for (const Interval& in : r->intervals) {
    for (int i = 1; i < 20; ++i) {
      EXPECT_GT(in.upper[i] - in.lower[i], in.upper[i - 1] - in.lower[i - 1]);
      const double ratio = (in.upper[i] - in.lower[i]) / (in.upper[0] - in.lower[0]);
      EXPECT_NEAR(ratio, std::sqrt(i + 1.0), 1e-9);
    }
  }
}

TEST(ForecastAutoArimaTest, RejectsInvalidOptionsNamingTheField) {
  ForecastOptions options = ArimaOptions(1, 0);
  absl::StatusOr<ForecastResult> r = ForecastAutoArima(kWWWusage, options);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("horizon"), std::string::npos) << r.status();
  options = ArimaOptions(1, 3);
  options.levels = {80, 100};
  r = ForecastAutoArima(kWWWusage, options);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("levels[1]"), std::string::npos) << r.status();
  options.levels = {0};
  EXPECT_EQ(ForecastAutoArima(kWWWusage, options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = ArimaOptions(0, 3);
  r = ForecastAutoArima(kWWWusage, options);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("season_length"), std::string::npos) << r.status();
  // No observations at all: an error naming y (ForecastSeries says so before dispatching).
  r = ForecastAutoArima({}, ArimaOptions(1, 3));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("y"), std::string::npos) << r.status();
  EXPECT_EQ(ForecastSeries({}, ArimaOptions(1, 3)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// The engine's dispatch: ModelKind::kArima is ForecastAutoArima, bit for bit, including on short
// and constant series.
TEST(ForecastAutoArimaTest, ForecastSeriesDispatchesToIt) {
  for (const std::vector<double>& y :
       {kUSAccDeaths, kLynx, std::vector<double>(5, 3.0), std::vector<double>{4},
        std::vector<double>{4, 6, 5}}) {
    const ForecastOptions options = ArimaOptions(12, 7);
    const absl::StatusOr<ForecastResult> direct = ForecastAutoArima(y, options);
    const absl::StatusOr<ForecastResult> dispatched = ForecastSeries(y, options);
    ASSERT_TRUE(direct.ok()) << direct.status();
    ASSERT_TRUE(dispatched.ok()) << dispatched.status();
    EXPECT_EQ(dispatched->model, ModelKind::kArima);
    EXPECT_EQ(dispatched->model_name, direct->model_name);
    EXPECT_EQ(dispatched->mean, direct->mean);
    EXPECT_EQ(dispatched->aicc, direct->aicc);
    ASSERT_EQ(dispatched->intervals.size(), direct->intervals.size());
    for (std::size_t k = 0; k < direct->intervals.size(); ++k) {
      EXPECT_EQ(dispatched->intervals[k].lower, direct->intervals[k].lower);
      EXPECT_EQ(dispatched->intervals[k].upper, direct->intervals[k].upper);
    }
  }
}

TEST(ForecastAutoArimaTest, Deterministic) {
  const ForecastOptions options = ArimaOptions(12, 12);
  const absl::StatusOr<ForecastResult> a = ForecastAutoArima(kNottem, options);
  const absl::StatusOr<ForecastResult> b = ForecastAutoArima(kNottem, options);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->model_name, b->model_name);
  EXPECT_EQ(a->mean, b->mean);
  EXPECT_EQ(a->parameters, b->parameters);
  EXPECT_EQ(a->intervals[1].upper, b->intervals[1].upper);
}

// auto.arima is meant to be cheap: the longest series here (sunspot.year, 289 values, by R's
// approximation) in well under a second.
TEST(ForecastAutoArimaTest, Fast) {
  const auto start = std::chrono::steady_clock::now();
  const absl::StatusOr<ForecastResult> r = ForecastAutoArima(kSunspotYear, ArimaOptions(1, 10));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->model_name, "ARIMA(2,1,3)");
  EXPECT_LT(seconds, 1.0);
}

}  // namespace
}  // namespace salesops::forecast
