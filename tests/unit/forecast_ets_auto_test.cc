// The ETS family with automatic selection (ForecastEtsFamily, SelectEts) against R's
// forecast::ets (forecast 8.20): with R's settings (EtsFamilyOptions::R()) the same model, AICc and
// forecasts as R; with the default (cheaper) search, sensible answers; R's rules for specs, short,
// constant and non-positive series; determinism; nothing non-finite on any input.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/status/status.h"
#include "services/forecasting/engine/ets_auto.h"
#include "services/forecasting/engine/ets_forecast.h"
#include "tests/support/series_data.h"

namespace salesops::forecast {
namespace {

using series_data::kAirPassengers;
using series_data::kUSAccDeaths;
using series_data::kBJsales;
using series_data::kLakeHuron;
using series_data::kUKgas;
using series_data::kWWWusage;
using series_data::kN0156;

using ets::EtsFamilyOptions;
using ets::EtsSpecPattern;
using ets::ParseEtsSpec;

// M3 series (Mcomp, as in ../shared/data/m3), training part.
const std::vector<double> kN1698 = {
    3000, 2230, 2380, 7490, 2410, 4510, 2530, 4280, 3000, 3160, 3090, 3060, 2770, 2410, 2770,
    2580, 1630, 1890, 2450, 2510, 4630, 3440, 3650, 3730, 2760, 3030, 1870, 2190, 1320, 2750,
    1740, 2880, 3510, 2700, 4860, 2710, 2220, 1410, 2140, 1560, 1220, 990, 1470, 2630, 1550, 1700,
    2620, 1380, 1950, 1170, 1810, 1100, 1050, 2160, 2280, 1190, 1290, 1410, 690, 2840, 770, 390,
    1790, 920, 940, 390, 1630, 1140, 1230, 1860, 2060, 910, 1390, 1670, 1740, 410, 890, 950, 1130,
    640, 1280, 1260, 1100, 770, 1210, 1280, 1040, 660, 580, 570, 1410, 570, 1370, 1020, 1270, 950,
    1410, 1040, 570, 910, 400, 730, 1050, 770, 860, 1490, 1770, 1590};
const std::vector<double> kN0653 = {
    4019.5, 4542.5, 4939, 4544.5, 4631.5, 4942.5, 5232.5, 4636.5, 4900, 5415, 6090, 6175, 6643,
    6933, 7202, 6865, 6930.5, 6667, 7082.5, 5826, 5728, 6212, 6176, 4591.5, 4038, 3985.5, 3965,
    3618.5, 3486.5, 3496, 3655.5, 3434.5, 3392, 3391, 3427};
const std::vector<double> kN2880 = {
    2300.23, 2330.01, 2354.52, 2302.28, 2241.12, 2224.1, 2234.68, 2343, 2345.72, 2256.1, 2172.33,
    2229.16, 2208.32, 2174.54, 2133.54, 2177.91, 2223.46, 2137.15, 2221.1, 2106.37, 2179.16,
    2149.99, 2108.31, 2136.88, 2086.8, 2162.12, 2119.98, 2116.95, 2153.12, 2111.54, 2130.91,
    2186.51, 2126.27, 2077.31, 2114.26, 2142.06, 2148.86, 2115.84, 2150.64, 2170.69, 2096.6,
    2137.21, 2226.69, 2211.25, 2132.45, 2148.21, 2153.1, 2160.93, 2069.38, 2128.46, 2152.93,
    2175.18, 2114.11, 2150.78, 2102.13, 2048.1, 2247.35, 2148.85, 2194.54, 2221.66, 2196.74,
    2134.3, 2136.36, 2178.48, 2172.9, 2136.34, 2065.5, 2164.13};

ForecastOptions Options(int m, int h, std::string spec = "ZZZ") {
  ForecastOptions o;
  o.model = ModelKind::kEts;
  o.season_length = m;
  o.horizon = h;
  o.ets_spec = std::move(spec);
  return o;
}

bool AllFinite(const ForecastResult& r) {
  for (double v : r.mean) {
    if (!std::isfinite(v)) return false;
  }
  for (const Interval& i : r.intervals) {
    for (double v : i.lower) {
      if (!std::isfinite(v)) return false;
    }
    for (double v : i.upper) {
      if (!std::isfinite(v)) return false;
    }
  }
  for (const auto& [name, v] : r.parameters) {
    if (!std::isfinite(v)) return false;
  }
  return std::isfinite(r.aicc);
}

double Parameter(const ForecastResult& r, const std::string& name) {
  for (const auto& [key, v] : r.parameters) {
    if (key == name) return v;
  }
  ADD_FAILURE() << "no parameter " << name;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The spec parser.

TEST(EtsSpecTest, ParsesRsModelStrings) {
  const absl::StatusOr<EtsSpecPattern> zzz = ParseEtsSpec("ZZZ");
  ASSERT_TRUE(zzz.ok());
  EXPECT_TRUE(zzz->IsAutomatic());
  const absl::StatusOr<EtsSpecPattern> mam = ParseEtsSpec("MAM");
  ASSERT_TRUE(mam.ok());
  EXPECT_EQ(mam->error, 'M');
  EXPECT_EQ(mam->trend, 'A');
  EXPECT_EQ(mam->season, 'M');
  EXPECT_FALSE(mam->damped);
  EXPECT_FALSE(mam->IsAutomatic());
  const absl::StatusOr<EtsSpecPattern> madm = ParseEtsSpec("MAdM");
  ASSERT_TRUE(madm.ok());
  EXPECT_TRUE(madm->damped);
  EXPECT_EQ(madm->season, 'M');
  EXPECT_TRUE(ParseEtsSpec("AZN").ok());
  EXPECT_TRUE(ParseEtsSpec("ZZdZ").ok());
  EXPECT_TRUE(ParseEtsSpec("MMdN").ok());
}

TEST(EtsSpecTest, RejectsMalformedSpecsNamingTheField) {
  for (const char* bad : {"", "Z", "ZZ", "ZZZZ", "XAM", "MXM", "MAX", "mam", "NNN", "MNdM", "MAdd",
                          "MA M", "MAdMM", "MdAM"}) {
    const absl::StatusOr<EtsSpecPattern> p = ParseEtsSpec(bad);
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(p.status().message().find("ets_spec"), std::string::npos) << p.status();
    const absl::StatusOr<ForecastResult> r = ForecastEtsFamily(kUSAccDeaths, Options(12, 4, bad));
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

// R: ets(USAccDeaths, "ANM") etc. stop with "Forbidden model combination" (restrict = TRUE).
TEST(EtsSpecTest, ForbiddenCombinationsAreInvalid) {
  for (const char* spec : {"ANM", "AMN", "AAdM", "MMA", "AMA"}) {
    const absl::StatusOr<ForecastResult> r = ForecastEtsFamily(kUSAccDeaths, Options(12, 4, spec));
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << spec;
    EXPECT_NE(r.status().message().find("ets_spec"), std::string::npos) << r.status();
  }
}

// ---------------------------------------------------------------------------------------------
// Selection with R's settings: R's model and AICc.

struct RSelection {
  std::string call;
  const std::vector<double>* y;
  int m;
  std::string spec;
  std::string method;  // fit$method
  double aicc;         // fit$aicc
};

// R: fit <- ets(y, model = spec); fit$method; fit$aicc
const std::vector<RSelection>& RSelections() {
  static const std::vector<RSelection> selections = {
      {"ets(AirPassengers)", &kAirPassengers, 12, "ZZZ", "ETS(M,Ad,M)", 1400.6384324739},
      {"ets(USAccDeaths)", &kUSAccDeaths, 12, "ZZZ", "ETS(A,N,A)", 1148.7160985967},
      {"ets(UKgas)", &kUKgas, 4, "ZZZ", "ETS(M,A,M)", 1256.5582941601},
      {"ets(WWWusage)", &kWWWusage, 1, "ZZZ", "ETS(A,Ad,N)", 718.6342062020},
      {"ets(LakeHuron)", &kLakeHuron, 1, "ZZZ", "ETS(A,N,N)", 396.9330538613},
      {"ets(BJsales)", &kBJsales, 1, "ZZZ", "ETS(A,Ad,N)", 849.1109582155},
      {"ets(USAccDeaths, 'MAM')", &kUSAccDeaths, 12, "MAM", "ETS(M,Ad,M)", 1153.0313896269},
      {"ets(AirPassengers, 'ZZN')", &kAirPassengers, 12, "ZZN", "ETS(M,N,N)", 1674.0716897636},
      {"ets(UKgas, 'AZN')", &kUKgas, 4, "AZN", "ETS(A,A,N)", 1620.4101549898},
      {"ets(AirPassengers, 'MMN')", &kAirPassengers, 12, "MMN", "ETS(M,M,N)", 1676.0671504025},
      {"ets(WWWusage, damped = TRUE)", &kWWWusage, 1, "ZZdZ", "ETS(A,Ad,N)", 718.6342062020},
      {"ets(USAccDeaths, 'ZNZ')", &kUSAccDeaths, 12, "ZNZ", "ETS(A,N,A)", 1148.7160985967},
      // M3 series (ts(train, frequency = period)).
      {"ets(M3 N1698)", &kN1698, 12, "ZZZ", "ETS(M,Ad,M)", 1917.051393},
      {"ets(M3 N0653)", &kN0653, 4, "ZZZ", "ETS(M,A,M)", 547.2049075},
      {"ets(M3 N0156)", &kN0156, 1, "ZZZ", "ETS(M,Ad,N)", 539.5059795},
      {"ets(M3 N2880)", &kN2880, 1, "ZZZ", "ETS(A,Ad,N)", 817.8201745},
  };
  return selections;
}

TEST(EtsAutoTest, RSettingsSelectRsModel) {
  for (const RSelection& r : RSelections()) {
    const absl::StatusOr<ForecastResult> f =
        ForecastEtsFamily(*r.y, Options(r.m, 8, r.spec), EtsFamilyOptions::R());
    ASSERT_TRUE(f.ok()) << r.call << ": " << f.status();
    EXPECT_EQ(f->model_name, r.method) << r.call;
    EXPECT_NEAR(f->aicc, r.aicc, 1e-3) << r.call;
    EXPECT_EQ(f->model, ModelKind::kEts);
    EXPECT_TRUE(AllFinite(*f)) << r.call;
  }
}

// The default search spends far fewer evaluations than R's; its choice may differ where R's
// candidates are close, but it is a valid, finite model of the requested family.
TEST(EtsAutoTest, DefaultSettingsGiveSensibleFits) {
  int same = 0;
  for (const RSelection& r : RSelections()) {
    const absl::StatusOr<ForecastResult> f = ForecastEtsFamily(*r.y, Options(r.m, 8, r.spec));
    ASSERT_TRUE(f.ok()) << r.call << ": " << f.status();
    EXPECT_TRUE(AllFinite(*f)) << r.call;
    EXPECT_EQ(f->model_name.substr(0, 4), "ETS(");
    if (f->model_name == r.method) ++same;
    // Within a few AICc units of R's choice: the winner is refined to R's standard.
    EXPECT_LT(f->aicc, r.aicc + 10) << r.call;
    std::printf("  %-32s R %-12s %10.3f   default %-12s %10.3f\n", r.call.c_str(),
                r.method.c_str(), r.aicc, f->model_name.c_str(), f->aicc);
  }
  EXPECT_GE(same, 12);
}

// R: f <- forecast(ets(ts(train, frequency = period)), h = 3, level = c(80, 95))
//    f$mean; f$upper[, 2]
TEST(EtsAutoTest, RSettingsForecastLikeR) {
  struct Case {
    const std::vector<double>* y;
    int m;
    std::vector<double> mean, upper95;
  };
  const std::vector<Case> cases = {
      {&kN1698, 12, {887.5452634, 889.9375825, 907.1946601}, {1536.120136, 1541.051153, 1571.879089}},
      {&kN0653, 4, {2972.909771, 2849.106215, 2883.892446}, {3366.91062, 3429.566494, 3666.346329}},
      {&kN0156, 1, {8693.827087, 9178.850148, 9566.963987}, {9897.480809, 11683.58476, 13514.64269}},
      {&kN2880, 1, {2139.384404, 2139.406902, 2139.427033}, {2230.888315, 2230.910854, 2230.931067}},
  };
  for (const Case& c : cases) {
    const absl::StatusOr<ForecastResult> f =
        ForecastEtsFamily(*c.y, Options(c.m, 3), EtsFamilyOptions::R());
    ASSERT_TRUE(f.ok()) << f.status();
    ASSERT_EQ(f->intervals.size(), 2u);
    for (int i = 0; i < 3; ++i) {
      EXPECT_NEAR(f->mean[i], c.mean[i], 1e-6 * c.mean[i]) << f->model_name << " h=" << i + 1;
      EXPECT_NEAR(f->intervals[1].upper[i], c.upper95[i], 1e-6 * c.upper95[i])
          << f->model_name << " h=" << i + 1;
    }
  }
}

TEST(EtsAutoTest, ResultCarriesRsParametersInOrder) {
  const absl::StatusOr<ForecastResult> f =
      ForecastEtsFamily(kAirPassengers, Options(12, 24), EtsFamilyOptions::R());
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->model_name, "ETS(M,Ad,M)");
  EXPECT_EQ(f->season_length, 12);
  std::vector<std::string> names;
  for (const auto& [name, v] : f->parameters) names.push_back(name);
  const std::vector<std::string> expected = {"alpha", "beta", "gamma", "phi", "l0", "b0", "s0",
                                             "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8",
                                             "s9", "s10", "s11", "sigma"};
  EXPECT_EQ(names, expected);
  double seasonal_sum = 0;
  for (int j = 0; j < 12; ++j) seasonal_sum += Parameter(*f, "s" + std::to_string(j));
  EXPECT_NEAR(seasonal_sum, 12, 1e-9);  // multiplicative seasonal states sum to m
  EXPECT_GT(Parameter(*f, "phi"), 0.8 - 1e-12);
  EXPECT_LT(Parameter(*f, "phi"), 0.98 + 1e-12);
  EXPECT_EQ(f->mean.size(), 24u);
  // Non-seasonal: season_length 1, no gamma.
  const absl::StatusOr<ForecastResult> g = ForecastEtsFamily(kLakeHuron, Options(1, 5));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->season_length, 1);
  for (const auto& [name, v] : g->parameters) EXPECT_NE(name, "gamma");
}

// ---------------------------------------------------------------------------------------------
// R's rules for awkward data.

// R: ets(y) for y = c(3, 5, 4, 6, 8, 7, 9)[1:n]; forecast(fit, h = 3)$mean, $upper[, 2]
// n <= 6 falls back to least-squares Holt-Winters (HoltWintersZZ); n = 1 is "constant".
TEST(EtsAutoTest, ShortSeriesFollowR) {
  const std::vector<double> all = {3, 5, 4, 6, 8, 7, 9};
  struct Case {
    int n;
    std::string method;
    double alpha;
    std::vector<double> mean, upper95;
  };
  const std::vector<Case> cases = {
      {1, "ETS(A,N,N)", 0.99999, {3, 3, 3}, {3, 3, 3}},
      {2, "ETS(A,N,N)", 0.2, {3.4, 3.4, 3.4}, {6.1718076, 6.2267003, 6.2805470}},
      {3, "ETS(A,N,N)", 0.5, {4, 4, 4}, {6.2631715, 6.5303026, 6.7718076}},
      {4, "ETS(A,N,N)", 0.663494, {5.3640146, 5.3640146, 5.3640146},
       {8.0796250, 8.6230006, 9.0879158}},
      {5, "ETS(A,A,N)", 0.773711, {9.0753379, 10.3824003, 11.6894627},
       {12.080293, 14.770493, 17.674829}},
      {6, "ETS(A,N,N)", 0.86913, {7.0923498, 7.0923498, 7.0923498},
       {10.056617, 11.019738, 11.789357}},
      {7, "ETS(A,N,N)", 0.82214, {8.6627764, 8.6627764, 8.6627764},
       {12.302500, 13.374657, 14.244537}},
  };
  for (const Case& c : cases) {
    const std::vector<double> y(all.begin(), all.begin() + c.n);
    const absl::StatusOr<ForecastResult> f = ForecastEtsFamily(y, Options(1, 3), EtsFamilyOptions::R());
    ASSERT_TRUE(f.ok()) << "n=" << c.n << ": " << f.status();
    EXPECT_EQ(f->model_name, c.method) << "n=" << c.n;
    EXPECT_NEAR(Parameter(*f, "alpha"), c.alpha, 2e-4) << "n=" << c.n;
    for (int i = 0; i < 3; ++i) {
      EXPECT_NEAR(f->mean[i], c.mean[i], 2e-4 * std::fabs(c.mean[i])) << "n=" << c.n;
      EXPECT_NEAR(f->intervals[1].upper[i], c.upper95[i], 2e-4 * std::fabs(c.upper95[i]))
          << "n=" << c.n;
    }
    if (c.n <= 6) EXPECT_EQ(f->aicc, 0) << "n=" << c.n;  // no likelihood
  }
}

// R: ets(c(1, 1, 1, 1)) is ses(y, alpha = 0.99999, initial = "simple"): forecasts 1, zero width.
TEST(EtsAutoTest, ConstantSeriesIsRsSes) {
  for (const std::vector<double>& y :
       {std::vector<double>{1, 1, 1, 1}, std::vector<double>(40, 7.5), std::vector<double>(30, 0.0),
        std::vector<double>(50, -3.0)}) {
    const absl::StatusOr<ForecastResult> f = ForecastEtsFamily(y, Options(12, 6));
    ASSERT_TRUE(f.ok()) << f.status();
    EXPECT_EQ(f->model_name, "ETS(A,N,N)");
    EXPECT_DOUBLE_EQ(Parameter(*f, "alpha"), 0.99999);
    for (int i = 0; i < 6; ++i) {
      EXPECT_DOUBLE_EQ(f->mean[i], y[0]);
      EXPECT_DOUBLE_EQ(f->intervals[1].upper[i], y[0]);
      EXPECT_DOUBLE_EQ(f->intervals[1].lower[i], y[0]);
    }
  }
}

// R: ets(y) with a negative value considers additive errors only; ets(y, "MNN") stops.
TEST(EtsAutoTest, NonPositiveDataFollowR) {
  const std::vector<double> y = {-5, 3, 2, 8, 4, 6, 9, 7, 12, 10, 11, 15};
  const absl::StatusOr<ForecastResult> f = ForecastEtsFamily(y, Options(1, 4), EtsFamilyOptions::R());
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->model_name, "ETS(A,A,N)");  // R: aicc 69.3820693461
  EXPECT_NEAR(f->aicc, 69.3820693461, 1e-3);
  for (const char* spec : {"MNN", "MAN", "MZZ"}) {
    const absl::StatusOr<ForecastResult> m = ForecastEtsFamily(y, Options(1, 4, spec));
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument) << spec;
    EXPECT_NE(m.status().message().find("ets_spec"), std::string::npos);
  }
  // All zero: constant, hence SES; asking for a multiplicative error is an error.
  const std::vector<double> zeros(24, 0.0);
  EXPECT_TRUE(ForecastEtsFamily(zeros, Options(12, 4)).ok());
  EXPECT_EQ(ForecastEtsFamily(zeros, Options(12, 4, "MNN")).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A multiplicative season with Z error on data with a zero: no model can be fitted (R stops).
  std::vector<double> with_zero = kUSAccDeaths;
  with_zero[3] = 0;
  EXPECT_EQ(ForecastEtsFamily(with_zero, Options(12, 4, "ZZM")).status().code(),
            absl::StatusCode::kInvalidArgument);
  // ... while ZZZ falls back to the additive models.
  const absl::StatusOr<ForecastResult> z = ForecastEtsFamily(with_zero, Options(12, 4));
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->model_name.substr(0, 5), "ETS(A");
}

// R's seasonal rules: A/M season letters need 2 <= m <= 24; Z drops the season silently; with
// n <= m the season is dropped even when asked for.
TEST(EtsAutoTest, SeasonalRulesFollowR) {
  EXPECT_EQ(ForecastEtsFamily(kLakeHuron, Options(1, 4, "ANA")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ForecastEtsFamily(kUSAccDeaths, Options(30, 4, "ANA")).status().code(),
            absl::StatusCode::kInvalidArgument);
  const absl::StatusOr<ForecastResult> high = ForecastEtsFamily(kUSAccDeaths, Options(30, 4));
  ASSERT_TRUE(high.ok());
  EXPECT_EQ(high->season_length, 1);
  EXPECT_EQ(high->model_name.back(), ')');
  EXPECT_NE(high->model_name.find(",N)"), std::string::npos);
  const std::vector<double> eleven(kUSAccDeaths.begin(), kUSAccDeaths.begin() + 11);
  const absl::StatusOr<ForecastResult> few = ForecastEtsFamily(eleven, Options(12, 4, "ANA"));
  ASSERT_TRUE(few.ok()) << few.status();
  EXPECT_EQ(few->season_length, 1);
}

// R: y <- ts(c(100,120,90,80, 110,130,95,85, 115,140,100,90), frequency = 4); ets(y, "MAM")
// has too few observations for ML (n <= npars + 4) and falls back to multiplicative Holt-Winters
// by least squares: ETS(M,A,M), forecasts 122.0473 147.6783 105.8707 95.1246.
TEST(EtsAutoTest, ShortSeasonalSeriesFallBackToHoltWinters) {
  const std::vector<double> y = {100, 120, 90, 80, 110, 130, 95, 85, 115, 140, 100, 90};
  const absl::StatusOr<ForecastResult> f = ForecastEtsFamily(y, Options(4, 4, "MAM"));
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->model_name, "ETS(M,A,M)");
  EXPECT_EQ(f->aicc, 0);
  const std::vector<double> r = {122.0473, 147.6783, 105.8707, 95.1246};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(f->mean[i], r[i], 0.01 * r[i]) << i;
  EXPECT_TRUE(AllFinite(*f));
}

// ---------------------------------------------------------------------------------------------
// Determinism and robustness.

TEST(EtsAutoTest, IsDeterministic) {
  for (const char* spec : {"ZZZ", "MMN", "MMdM"}) {
    const absl::StatusOr<ForecastResult> a = ForecastEtsFamily(kAirPassengers, Options(12, 18, spec));
    const absl::StatusOr<ForecastResult> b = ForecastEtsFamily(kAirPassengers, Options(12, 18, spec));
    ASSERT_TRUE(a.ok() && b.ok()) << spec;
    EXPECT_EQ(a->model_name, b->model_name);
    EXPECT_EQ(a->mean, b->mean);
    EXPECT_EQ(a->aicc, b->aicc);
    for (std::size_t k = 0; k < a->intervals.size(); ++k) {
      EXPECT_EQ(a->intervals[k].lower, b->intervals[k].lower) << spec;
      EXPECT_EQ(a->intervals[k].upper, b->intervals[k].upper) << spec;
    }
  }
}

TEST(EtsAutoTest, ValidatesInput) {
  EXPECT_EQ(ForecastEtsFamily({}, Options(1, 3)).status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<double> bad = kLakeHuron;
  bad[5] = std::nan("");
  EXPECT_EQ(ForecastEtsFamily(bad, Options(1, 3)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ForecastEtsFamily(kLakeHuron, Options(1, 0)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ForecastEtsFamily(kLakeHuron, Options(0, 3)).status().code(),
            absl::StatusCode::kInvalidArgument);
  ForecastOptions o = Options(1, 3);
  o.levels = {80, 100};
  EXPECT_EQ(ForecastEtsFamily(kLakeHuron, o).status().code(), absl::StatusCode::kInvalidArgument);
}

// A sweep of awkward series (short, seasonal, spiky, trending to zero, huge and tiny scales,
// steps, intermittent) through every spec that parses: either an InvalidArgument or a result
// whose every number is finite, with intervals ordered around the mean.
TEST(EtsAutoTest, NeverProducesNonFiniteNumbers) {
  std::vector<std::vector<double>> series;
  std::uint64_t state = 12345;
  auto uniform = [&]() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) * 0x1.0p-53;
  };
  for (int n : {1, 2, 3, 5, 8, 13, 16, 25, 40, 73}) {
    std::vector<double> noise(n), trend(n), seasonal(n), spiky(n), decay(n), steps(n), sparse(n);
    for (int t = 0; t < n; ++t) {
      noise[t] = 100 + 10 * (uniform() - 0.5);
      trend[t] = 5 + 3.0 * t + uniform();
      seasonal[t] = (50 + t) * (1 + 0.4 * std::sin(2 * 3.14159265 * t / 12)) + uniform();
      spiky[t] = (t % 7 == 3) ? 1e6 : 1 + uniform();
      decay[t] = 1000 * std::pow(0.5, t) + 1e-9;
      steps[t] = t < n / 2 ? 10 : 1000;
      sparse[t] = uniform() < 0.7 ? 0 : 1 + std::floor(5 * uniform());
    }
    for (auto* v : {&noise, &trend, &seasonal, &spiky, &decay, &steps, &sparse}) series.push_back(*v);
    std::vector<double> huge = seasonal, tiny = seasonal, negative = trend;
    for (double& v : huge) v *= 1e300;
    for (double& v : tiny) v *= 1e-300;
    for (double& v : negative) v -= 60;
    series.push_back(huge);
    series.push_back(tiny);
    series.push_back(negative);
  }
  int ok = 0, invalid = 0;
  for (const std::vector<double>& y : series) {
    for (int m : {1, 4, 12}) {
      for (const char* spec : {"ZZZ", "MAM", "MMN", "MMdM", "AAdA", "ZZN", "MNM"}) {
        const absl::StatusOr<ForecastResult> f = ForecastEtsFamily(y, Options(m, 13, spec));
        if (!f.ok()) {
          EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument)
              << spec << " n=" << y.size() << " m=" << m << ": " << f.status();
          ++invalid;
          continue;
        }
        ++ok;
        EXPECT_TRUE(AllFinite(*f)) << spec << " n=" << y.size() << " m=" << m << " "
                                   << f->model_name;
        ASSERT_EQ(f->mean.size(), 13u);
        for (const Interval& i : f->intervals) {
          for (int h = 0; h < 13; ++h) {
            EXPECT_LE(i.lower[h], i.upper[h]) << spec << " " << f->model_name;
          }
        }
      }
    }
  }
  EXPECT_GT(ok, invalid);
}

// The brief's budget: the whole family on a monthly series in a few milliseconds (R: ~0.5 s).
// The assertion is loose (shared, sanitised or debug builds are slower); the time is printed.
TEST(EtsAutoTest, SelectsQuickly) {
  constexpr int kRepeats = 5;
  const auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < kRepeats; ++r) ASSERT_TRUE(ForecastEtsFamily(kN1698, Options(12, 18)).ok());
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() /
      kRepeats;
  std::printf("  ETS family on a 108-point monthly series: %.2f ms\n", ms);
  EXPECT_LT(ms, 200);
}

}  // namespace
}  // namespace salesops::forecast
