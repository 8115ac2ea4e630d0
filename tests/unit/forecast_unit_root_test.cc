// How many differences auto.arima takes (unit_root.h) and the STL decomposition its seasonal test
// rests on (arima_stl.h), against R 4.2 with forecast 8.20 and urca: forecast's is.constant,
// urca::ur.kpss as ndiffs calls it, ndiffs, the "seas" heuristic (seasonal strength of mstl) and
// nsdiffs, stats::stl; R's edge cases (constant, very short series, fewer than two seasons).
//
// unit_root.h exposes the KPSS test and the seasonal-strength heuristic only (forecast's defaults
// for auto.arima); OCSB, ADF and PP are not implemented, so they are not tested here.
#include "services/forecasting/engine/unit_root.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "services/forecasting/engine/arima_stl.h"
#include "tests/support/series_data.h"

namespace salesops::forecast::arima {
namespace {

using series_data::kAirPassengers;
using series_data::kUSAccDeaths;
using series_data::kLakeHuron;
using series_data::kUKgas;
using series_data::kWWWusage;
using series_data::kLynx;
using series_data::kAustres;
using series_data::kUspop;
using series_data::kWhiteNoise;
using series_data::kRandomWalk;

std::vector<double> Head(const std::vector<double>& x, int n) {
  return std::vector<double>(x.begin(), x.begin() + n);
}

std::vector<double> Diff(const std::vector<double>& x, int lag = 1) {
  std::vector<double> out;
  for (std::size_t t = lag; t < x.size(); ++t) out.push_back(x[t] - x[t - lag]);
  return out;
}

std::vector<double> Polynomial(int n, int power, double a = 0, double b = 1) {
  std::vector<double> out;
  for (int t = 1; t <= n; ++t) out.push_back(a + b * std::pow(static_cast<double>(t), power));
  return out;
}

// ---------------------------------------------------------------------------------------------
// IsConstant: forecast's is.constant, i.e. all.equal(x, rep(x[1], n)) with tolerance 1.5e-8
// (relative to the mean |x| of the differing elements, absolute when that mean is below it).

// R: ic <- function(x) isTRUE(all.equal(x, rep(x[1], length(x)), check.attributes = FALSE))
//    ic(c(1,1,1)) TRUE; ic(c(1, 1+1e-10)) TRUE; ic(c(1, 1.001)) FALSE; ic(c(0, 0, 1e-9)) TRUE;
//    ic(c(0, 0, 1e-7)) FALSE; ic(c(1e-20, 2e-20)) TRUE; ic(c(1e6, 1e6 + 0.01)) TRUE;
//    ic(c(1e6, 1e6 + 1)) FALSE; ic(c(5, 5, 5, 5.0000001)) FALSE; ic(c(5, 5, 5, 5.00000001)) TRUE
TEST(IsConstantTest, MatchesRsAllEqual) {
  EXPECT_TRUE(IsConstant(std::vector<double>{1, 1, 1}));
  EXPECT_TRUE(IsConstant(std::vector<double>{1, 1 + 1e-10}));
  EXPECT_FALSE(IsConstant(std::vector<double>{1, 1.001}));
  EXPECT_TRUE(IsConstant(std::vector<double>{0, 0, 1e-9}));
  EXPECT_FALSE(IsConstant(std::vector<double>{0, 0, 1e-7}));
  EXPECT_TRUE(IsConstant(std::vector<double>{1e-20, 2e-20}));
  EXPECT_TRUE(IsConstant(std::vector<double>{1e6, 1e6 + 0.01}));
  EXPECT_FALSE(IsConstant(std::vector<double>{1e6, 1e6 + 1}));
  EXPECT_FALSE(IsConstant(std::vector<double>{5, 5, 5, 5.0000001}));
  EXPECT_TRUE(IsConstant(std::vector<double>{5, 5, 5, 5.00000001}));
}

TEST(IsConstantTest, EmptyAndSingleValuesAreConstant) {
  EXPECT_TRUE(IsConstant(std::vector<double>{}));
  EXPECT_TRUE(IsConstant(std::vector<double>{42}));
  EXPECT_TRUE(IsConstant(std::vector<double>(50, -3.25)));
  EXPECT_FALSE(IsConstant(kWhiteNoise));
}

// ---------------------------------------------------------------------------------------------
// KPSS statistic: urca::ur.kpss(x, type = "mu", use.lag = trunc(3 * sqrt(n) / 13))@teststat, the
// call forecast::ndiffs makes.

struct KpssCase {
  const char* r;  // the R expression for x
  std::vector<double> x;
  double statistic;
};

// R: kp <- function(x) ur.kpss(x, type = "mu", use.lag = trunc(3 * sqrt(length(x)) / 13))@teststat
TEST(KpssTest, MatchesUrca) {
  const std::vector<KpssCase> cases = {
      {"kp(AirPassengers)", kAirPassengers, 4.34228679711413},
      {"kp(lynx)", kLynx, 0.0694650820944017},
      {"kp(WWWusage)", kWWWusage, 0.721974318081584},
      {"kp(diff(WWWusage))", Diff(kWWWusage), 0.263519398750716},
      {"kp(LakeHuron)", kLakeHuron, 1.22121856939499},
      {"kp(wn)", kWhiteNoise, 0.191083977857649},
      {"kp(rw)", kRandomWalk, 2.12122274809864},
      {"kp(c(5, 7, 6, 8, 7))", {5, 7, 6, 8, 7}, 0.284615384615384},
      {"kp(c(5, 7))", {5, 7}, 0.25},
  };
  for (const KpssCase& c : cases) {
    EXPECT_NEAR(KpssStatistic(c.x), c.statistic, 1e-10 * c.statistic) << c.r;
  }
}

TEST(KpssTest, UndefinedForEmptyOrConstantSeries) {
  EXPECT_TRUE(std::isnan(KpssStatistic(std::vector<double>{})));
  // The long-run variance of a constant series is zero: 0 / 0. (ndiffs never asks: it checks
  // is.constant first.)
  EXPECT_TRUE(std::isnan(KpssStatistic(std::vector<double>(10, 7.5))));
}

// ---------------------------------------------------------------------------------------------
// NumDifferences: forecast::ndiffs(x) (KPSS, alpha = 0.05, max.d = 2).

struct NdiffsCase {
  const char* r;
  std::vector<double> x;
  int max_d;
  int d;
};

TEST(NumDifferencesTest, MatchesRsNdiffs) {
  const std::vector<NdiffsCase> cases = {
      // R: ndiffs(AirPassengers) 1; ndiffs(lynx) 0; ndiffs(WWWusage) 1; ndiffs(LakeHuron) 1;
      //    ndiffs(uspop) 2; ndiffs(wn) 0; ndiffs(rw) 1; ndiffs(diff(AirPassengers, 12)) 1
      {"ndiffs(AirPassengers)", kAirPassengers, 2, 1},
      {"ndiffs(lynx)", kLynx, 2, 0},
      {"ndiffs(WWWusage)", kWWWusage, 2, 1},
      {"ndiffs(LakeHuron)", kLakeHuron, 2, 1},
      {"ndiffs(uspop)", kUspop, 2, 2},
      {"ndiffs(wn)", kWhiteNoise, 2, 0},
      {"ndiffs(rw)", kRandomWalk, 2, 1},
      {"ndiffs(diff(AirPassengers, 12))", Diff(kAirPassengers, 12), 2, 1},
      // R: ndiffs((1:15)^2) 2 (the second difference is constant); ndiffs(3 + 2 * (1:20)) 1
      //    (the first is); ndiffs(rep(7.5, 10)) 0
      {"ndiffs((1:15)^2)", Polynomial(15, 2), 2, 2},
      {"ndiffs(3 + 2 * (1:20))", Polynomial(20, 1, 3, 2), 2, 1},
      {"ndiffs(rep(7.5, 10))", std::vector<double>(10, 7.5), 2, 0},
      // R: ndiffs(uspop, max.d = 1) 1; ndiffs((1:20)^3) 2; ndiffs((1:20)^3, max.d = 3) 3
      {"ndiffs(uspop, max.d = 1)", kUspop, 1, 1},
      {"ndiffs((1:20)^3)", Polynomial(20, 3), 2, 2},
      {"ndiffs((1:20)^3, max.d = 3)", Polynomial(20, 3), 3, 3},
      // Very short series. R: ndiffs(c(5, 7, 6, 8, 7)) 0; ndiffs(c(5, 7, 6)) 0;
      //    ndiffs(c(5, 7)) 0; ndiffs(42) 0
      {"ndiffs(c(5, 7, 6, 8, 7))", {5, 7, 6, 8, 7}, 2, 0},
      {"ndiffs(c(5, 7, 6))", {5, 7, 6}, 2, 0},
      {"ndiffs(c(5, 7))", {5, 7}, 2, 0},
      {"ndiffs(42)", {42}, 2, 0},
  };
  for (const NdiffsCase& c : cases) {
    EXPECT_EQ(NumDifferences(c.x, c.max_d), c.d) << c.r;
  }
}

TEST(NumDifferencesTest, NeverExceedsMaxDOrTheData) {
  const std::vector<double> cubic = Polynomial(20, 3);
  EXPECT_EQ(NumDifferences(cubic, 0), 0);
  EXPECT_EQ(NumDifferences(cubic, 1), 1);
  EXPECT_EQ(NumDifferences(std::vector<double>{}, 2), 0);
  // Whatever the input, the differenced series keeps at least one value.
  for (int n = 1; n <= 6; ++n) {
    const std::vector<double> x = Polynomial(n, 4);
    const int d = NumDifferences(x, 2);
    EXPECT_GE(d, 0) << n;
    EXPECT_LT(d, std::max(1, n)) << n;
  }
}

// ---------------------------------------------------------------------------------------------
// Seasonal strength: forecast:::seas.heuristic(ts(x, frequency = m)), from mstl (for one
// seasonal period, stl(x, s.window = 11) once).

struct StrengthCase {
  const char* r;
  std::vector<double> x;
  int m;
  double strength;
  int nsdiffs;  // R: nsdiffs(ts(x, frequency = m))
};

TEST(SeasonalStrengthTest, MatchesRsHeuristicAndNsdiffs) {
  const std::vector<StrengthCase> cases = {
      // R: forecast:::seas.heuristic(AirPassengers); nsdiffs(AirPassengers)
      {"AirPassengers", kAirPassengers, 12, 0.940672490310218, 1},
      // R: forecast:::seas.heuristic(USAccDeaths); nsdiffs(USAccDeaths)
      {"USAccDeaths", kUSAccDeaths, 12, 0.944794464889156, 1},
      // R: forecast:::seas.heuristic(UKgas); nsdiffs(UKgas)
      {"UKgas", kUKgas, 4, 0.983094782557458, 1},
      // R: forecast:::seas.heuristic(austres); nsdiffs(austres)
      {"austres", kAustres, 4, 0.32480028790296, 0},
      // R: forecast:::seas.heuristic(ts(wn, frequency = 12)); nsdiffs(ts(wn, frequency = 12))
      {"ts(wn, frequency = 12)", kWhiteNoise, 12, 0.224345336587818, 0},
      // R: forecast:::seas.heuristic(ts(WWWusage, frequency = 4)); nsdiffs(...)
      {"ts(WWWusage, frequency = 4)", kWWWusage, 4, 0.110664907037781, 0},
      // Just over two seasons. R: x25 <- ts(wn[1:25], frequency = 12);
      //    forecast:::seas.heuristic(x25); nsdiffs(x25)
      {"ts(wn[1:25], frequency = 12)", Head(kWhiteNoise, 25), 12, 0.508858347520185, 0},
  };
  for (const StrengthCase& c : cases) {
    EXPECT_NEAR(SeasonalStrength(c.x, c.m), c.strength, 1e-9) << c.r;
    EXPECT_EQ(NumSeasonalDifferences(c.x, c.m), c.nsdiffs) << c.r;
  }
}

// R: se <- ts(rep(c(10, 20, 15, 5), 6), frequency = 4); forecast:::seas.heuristic(se) 1;
//    nsdiffs(se) 1
TEST(SeasonalStrengthTest, PurelySeasonalSeriesHasStrengthOne) {
  std::vector<double> x;
  for (int i = 0; i < 24; ++i) x.push_back(std::vector<double>{10, 20, 15, 5}[i % 4]);
  EXPECT_NEAR(SeasonalStrength(x, 4), 1.0, 1e-9);
  EXPECT_EQ(NumSeasonalDifferences(x, 4), 1);
}

// R's stl stops on two seasons or fewer ("series is not periodic or has less than two periods"),
// and nsdiffs then warns and answers 0; it answers 0 without testing for frequency >= length
// and for constant series.
// R: nsdiffs(ts(wn[1:24], frequency = 12)) 0 (warning); nsdiffs(ts(wn[1:20], frequency = 12)) 0
//    (warning); nsdiffs(ts(wn[1:10], frequency = 12)) 0; nsdiffs(ts(rep(3, 30), frequency = 4)) 0
TEST(SeasonalStrengthTest, TooShortOrConstantSeriesGetNoSeasonalDifference) {
  EXPECT_TRUE(std::isnan(SeasonalStrength(Head(kWhiteNoise, 24), 12)));
  EXPECT_TRUE(std::isnan(SeasonalStrength(Head(kWhiteNoise, 20), 12)));
  EXPECT_TRUE(std::isnan(SeasonalStrength(kWhiteNoise, 1)));
  EXPECT_EQ(NumSeasonalDifferences(Head(kWhiteNoise, 24), 12), 0);
  EXPECT_EQ(NumSeasonalDifferences(Head(kWhiteNoise, 20), 12), 0);
  EXPECT_EQ(NumSeasonalDifferences(Head(kWhiteNoise, 10), 12), 0);
  EXPECT_EQ(NumSeasonalDifferences(Head(kWhiteNoise, 12), 12), 0);
  EXPECT_EQ(NumSeasonalDifferences(std::vector<double>(30, 3.0), 4), 0);
  EXPECT_EQ(NumSeasonalDifferences(kAirPassengers, 1), 0);
  EXPECT_EQ(NumSeasonalDifferences(std::vector<double>{}, 4), 0);
}

TEST(SeasonalStrengthTest, StaysWithinZeroAndOne) {
  for (int m : {2, 3, 4, 6, 7, 12}) {
    for (const std::vector<double>* x : {&kAirPassengers, &kLynx, &kWWWusage, &kWhiteNoise,
                                         &kRandomWalk, &kLakeHuron}) {
      if (static_cast<int>(x->size()) <= 2 * m) continue;
      const double s = SeasonalStrength(*x, m);
      EXPECT_GE(s, 0.0) << m;
      EXPECT_LE(s, 1.0) << m;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// STL: stats::stl(x, s.window = 11), non-robust.

void ExpectAllNear(const std::vector<double>& actual, const std::vector<double>& expected,
                   double tolerance, const char* what) {
  ASSERT_GE(actual.size(), expected.size()) << what;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], tolerance * std::max(1.0, std::abs(expected[i])))
        << what << " at " << i;
  }
}

// R: s <- stl(USAccDeaths, s.window = 11); s$time.series[, "seasonal"], s$time.series[, "trend"]
TEST(StlTest, MatchesRsStlOnUSAccDeaths) {
  const StlDecomposition stl = Stl(kUSAccDeaths, 12, 11);
  ASSERT_EQ(stl.seasonal.size(), kUSAccDeaths.size());
  ASSERT_EQ(stl.trend.size(), kUSAccDeaths.size());
  ASSERT_EQ(stl.remainder.size(), kUSAccDeaths.size());
  const std::vector<double> seasonal_head = {
      -860.44950334020484, -1572.22365993246785, -757.59074259193858, -550.04787780538004,
      316.92211441915703,  855.84093777021462,   1650.73868862979248, 1023.60517481070133,
      -61.85548078320174,  266.37841301227587,   -246.61642887040108, -81.90046377106255};
  const std::vector<double> seasonal_tail = {
      -771.22611567474178, -1502.68797121950774, -747.26908439074475, -520.59231263740503,
      352.40322181880606,  752.93710248150956,   1708.92503186132922, 931.00188206759140,
      -106.34087535171919, 182.75252647820557,   -325.78342161357477, 39.49063360559427};
  const std::vector<double> trend_head = {
      9988.94900712822, 9920.48169995028, 9852.01439277234, 9783.54708559439,
      9708.03504293259, 9632.52300027078, 9557.01095760897, 9480.42659527209,
      9403.84223293522, 9327.25787059834, 9237.87574127245, 9148.49361194657};
  const std::vector<double> trend_tail = {
      8626.53608639929, 8660.72713477431, 8694.91818314932, 8729.10923152434,
      8769.67257722772, 8810.23592293110, 8850.79926863448, 8893.98285863231,
      8937.16644863013, 8980.35003862796, 9025.96316872060, 9071.57629881324};
  ExpectAllNear(stl.seasonal, seasonal_head, 1e-9, "seasonal");
  ExpectAllNear(std::vector<double>(stl.seasonal.end() - 12, stl.seasonal.end()), seasonal_tail,
                1e-9, "seasonal tail");
  ExpectAllNear(stl.trend, trend_head, 1e-9, "trend");
  ExpectAllNear(std::vector<double>(stl.trend.end() - 12, stl.trend.end()), trend_tail, 1e-9,
                "trend tail");
  for (std::size_t t = 0; t < kUSAccDeaths.size(); ++t) {
    EXPECT_NEAR(stl.seasonal[t] + stl.trend[t] + stl.remainder[t], kUSAccDeaths[t], 1e-8) << t;
  }
}

// Quarterly, and a series barely longer than two seasons (loess windows wider than the data).
// R: s <- stl(UKgas, s.window = 11); head(s$time.series[, 1], 8); head(s$time.series[, 2], 8);
//    tail(s$time.series[, 2], 4)
// R: s <- stl(ts(wn[1:25], frequency = 12), s.window = 11); s$time.series[, 1:2]
TEST(StlTest, MatchesRsStlOnQuarterlyAndShortSeries) {
  const StlDecomposition gas = Stl(kUKgas, 4, 11);
  ASSERT_EQ(gas.trend.size(), kUKgas.size());
  ExpectAllNear(gas.seasonal,
                {44.5688832783978, 10.2933314087635, -42.8357245997452, -12.3207514506112,
                 44.8838053098950, 10.5936806983381, -43.1201905321355, -12.6984308107906},
                1e-9, "UKgas seasonal");
  ExpectAllNear(gas.trend,
                {118.355809625797, 120.822599625567, 122.511477661623, 123.668407920852,
                 121.907624429520, 121.372455773076, 123.246455942564, 126.373426769247},
                1e-9, "UKgas trend");
  ExpectAllNear(std::vector<double>(gas.trend.end() - 4, gas.trend.end()),
                {724.702786152357, 719.879723207181, 710.745986117978, 697.544679924438}, 1e-9,
                "UKgas trend tail");

  const StlDecomposition shortstl = Stl(Head(kWhiteNoise, 25), 12, 11);
  ASSERT_EQ(shortstl.seasonal.size(), 25u);
  ExpectAllNear(
      shortstl.seasonal,
      {0.691659323402310,  -1.652835440469717, -0.426595234495048, 0.749151920454331,
       -0.324023035618801, -3.113110016787015, -1.197738928272459, 0.950015425545848,
       1.542463856621507,  -1.967631267340644, 1.103196438490330,  3.556912060269271,
       0.758373891030237,  -1.621170544991592, -0.412471842301094, 0.776674248193131,
       -0.314260627456501, -3.149250385592711, -1.268698213411690, 1.007159739085781,
       1.508323614325892,  -1.988085800845376, 1.086015047161841,  3.547121159451877,
       0.821695865345345},
      1e-9, "short seasonal");
  ExpectAllNear(
      shortstl.trend,
      {11.82295442089861, 11.73326425422642, 11.64357408755422, 11.55388392088203,
       11.44195560698574, 11.33002729308946, 11.21809897919317, 11.10596366650028,
       10.99382835380740, 10.88169304111451, 10.68450293004385, 10.48731281897319,
       10.29012270790253, 10.06632192684332, 9.84252114578410,  9.61872036472489,
       9.56361722057665,  9.50851407642841,  9.45341093228018,  9.42074153667405,
       9.38807214106792,  9.35540274546180,  9.34380958611290,  9.33221642676400,
       9.32062326741510},
      1e-9, "short trend");
}

// R's stl refuses period < 2 and series of two periods or fewer; Stl returns empty vectors.
TEST(StlTest, RefusesWhatRRefuses) {
  EXPECT_TRUE(Stl(Head(kWhiteNoise, 24), 12, 11).trend.empty());
  EXPECT_TRUE(Stl(Head(kWhiteNoise, 5), 12, 11).trend.empty());
  EXPECT_TRUE(Stl(kWhiteNoise, 1, 11).trend.empty());
  EXPECT_TRUE(Stl(std::vector<double>{}, 4, 11).trend.empty());
  EXPECT_FALSE(Stl(Head(kWhiteNoise, 25), 12, 11).trend.empty());
}

}  // namespace
}  // namespace salesops::forecast::arima
