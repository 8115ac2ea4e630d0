// NormalQuantile against R's qnorm.
#include "services/forecasting/engine/normal_quantile.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace salesops::forecast {
namespace {

TEST(NormalQuantileTest, MatchesRQnorm) {
  // R: p <- c(1e-300, 1e-20, 1e-10, 1e-5, 0.001, 0.01, 0.02425, 0.05, 0.1, 0.25, 0.4, 0.5, 0.6,
  //           0.9, 0.95, 0.975, 0.995, 0.999999); format(qnorm(p), digits = 17)
  const double p[] = {1e-300, 1e-20, 1e-10, 1e-5, 0.001, 0.01, 0.02425, 0.05, 0.1,
                      0.25,   0.4,   0.5,   0.6,  0.9,   0.95, 0.975,   0.995, 0.999999};
  const double q[] = {-37.04709629936120052, -9.26234008979840517, -6.36134090240405570,
                      -4.26489079392282555,  -3.09023230616781319, -2.32634787404084076,
                      -1.97296105131188448,  -1.64485362695147264, -1.28155156554460081,
                      -0.67448975019608171,  -0.25334710313579978, 0.0,
                      0.25334710313579978,   1.28155156554460081,  1.64485362695147153,
                      1.95996398454005361,   2.57582930354889994,  4.75342430881708911};
  for (int i = 0; i < 18; ++i) {
    // 1e-9 relative is the brief's bar; the Halley refinement gets to ~1e-14 except where
    // 1 - p itself is rounded (p = 0.999999).
    EXPECT_NEAR(NormalQuantile(p[i]), q[i], 1e-9 * std::max(1.0, std::fabs(q[i]))) << "p=" << p[i];
  }
}

TEST(NormalQuantileTest, CommonIntervalMultipliers) {
  EXPECT_NEAR(NormalQuantile(0.9), 1.2815515655446004, 1e-15);
  EXPECT_NEAR(NormalQuantile(0.975), 1.959963984540054, 1e-15);
}

TEST(NormalQuantileTest, IsAntisymmetric) {
  // Exact for dyadic p, where 1 - p is exact.
  for (double p = 1.0 / 1024; p < 0.5; p += 7.0 / 1024) {
    EXPECT_EQ(NormalQuantile(p), -NormalQuantile(1 - p)) << p;
  }
}

TEST(NormalQuantileTest, InvertsTheNormalCdf) {
  for (double p = 0.0005; p < 1; p += 0.0173) {
    const double z = NormalQuantile(p);
    EXPECT_NEAR(0.5 * std::erfc(-z / std::sqrt(2.0)), p, 1e-15) << p;
  }
}

TEST(NormalQuantileTest, EdgesAndInvalidInput) {
  EXPECT_EQ(NormalQuantile(0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(NormalQuantile(1), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(NormalQuantile(-0.1)));
  EXPECT_TRUE(std::isnan(NormalQuantile(1.1)));
  EXPECT_TRUE(std::isnan(NormalQuantile(std::numeric_limits<double>::quiet_NaN())));
}

}  // namespace
}  // namespace salesops::forecast
