// R's Nelder-Mead (optim's nmmin), which our ETS fits follow step by step: the same minima, values
// and evaluation counts as R's optim(method = "Nelder-Mead") with its default settings, and runs
// that can be paused and resumed without changing where they end.
#include "services/forecasting/engine/ets_nelder_mead.h"

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

namespace salesops::forecast::ets {
namespace {

double Rosenbrock(const double* x) {
  return 100 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0]) + (1 - x[0]) * (1 - x[0]);
}

// Infinite outside x[0] >= 0, as ETS's bounds are.
double Bounded(const double* x) {
  if (x[0] < 0) return std::numeric_limits<double>::infinity();
  return (x[0] - 1) * (x[0] - 1) + (x[1] - 2) * (x[1] - 2) + (x[2] - 3) * (x[2] - 3) + x[0] * x[2];
}

struct Counting {
  double (*f)(const double*);
  int calls = 0;
  double operator()(const double* x) {
    ++calls;
    return f(x);
  }
};

// R: fr <- function(x) 100 * (x[2] - x[1]^2)^2 + (1 - x[1])^2
//    optim(c(-1.2, 1), fr, method = "Nelder-Mead")   # par, value, counts
TEST(NelderMeadRTest, MatchesROptimOnRosenbrock) {
  Counting f{Rosenbrock};
  NelderMeadR nm(std::vector<double>{-1.2, 1}, {});
  ASSERT_TRUE(nm.Start(f));
  nm.Run(f, 500);
  EXPECT_TRUE(nm.converged());
  EXPECT_EQ(nm.evaluations(), 195);
  EXPECT_EQ(f.calls, 195);
  EXPECT_DOUBLE_EQ(nm.best()[0], 1.0002601387256695);
  EXPECT_DOUBLE_EQ(nm.best()[1], 1.000505999303765);
  EXPECT_NEAR(nm.best_value(), 8.8252410967227472e-08, 1e-20);
}

// R: optim(c(-1.2, 1), fr, method = "Nelder-Mead", control = list(maxit = 50))
//    stops after 51 evaluations (convergence 1) at par -0.71460362434386515 0.47018069267272222.
TEST(NelderMeadRTest, StopsAfterMaxitEvaluationsLikeR) {
  Counting f{Rosenbrock};
  NelderMeadR nm(std::vector<double>{-1.2, 1}, {});
  ASSERT_TRUE(nm.Start(f));
  nm.Run(f, 50);
  EXPECT_FALSE(nm.finished());
  EXPECT_EQ(nm.evaluations(), 51);
  EXPECT_DOUBLE_EQ(nm.best()[0], -0.71460362434386515);
  EXPECT_DOUBLE_EQ(nm.best()[1], 0.47018069267272222);
  EXPECT_DOUBLE_EQ(nm.best_value(), 3.1037095813242419);
}

// R: g <- function(x) if (x[1] < 0) Inf else sum((x - c(1, 2, 3))^2) + x[1] * x[3]
//    optim(c(0.5, 10, -4), g, method = "Nelder-Mead")
TEST(NelderMeadRTest, TreatsInfiniteValuesLikeR) {
  Counting f{Bounded};
  NelderMeadR nm(std::vector<double>{0.5, 10, -4}, {});
  ASSERT_TRUE(nm.Start(f));
  nm.Run(f, 500);
  EXPECT_EQ(nm.evaluations(), 342);
  EXPECT_NEAR(nm.best()[0], 3.1580932778899834e-07, 1e-15);
  EXPECT_DOUBLE_EQ(nm.best()[1], 2.0027884631201296);
  EXPECT_DOUBLE_EQ(nm.best()[2], 3.0026707079220984);
  EXPECT_DOUBLE_EQ(nm.best_value(), 1.0000152248602394);
}

TEST(NelderMeadRTest, ResumingEndsWhereOneRunEnds) {
  Counting f1{Bounded}, f2{Bounded};
  NelderMeadR once(std::vector<double>{0.5, 10, -4}, {});
  NelderMeadR pieces(std::vector<double>{0.5, 10, -4}, {});
  ASSERT_TRUE(once.Start(f1));
  ASSERT_TRUE(pieces.Start(f2));
  once.Run(f1, 300);
  for (int limit : {7, 20, 21, 100, 150, 299, 300}) pieces.Run(f2, limit);
  EXPECT_EQ(once.evaluations(), pieces.evaluations());
  EXPECT_EQ(once.best_value(), pieces.best_value());
  EXPECT_EQ(once.best()[0], pieces.best()[0]);
  EXPECT_EQ(once.best()[2], pieces.best()[2]);
}

// Units: holding a coordinate in units 2^k times R's (as the ETS fits hold scaled states) follows
// R's path exactly, coordinate scaled.
TEST(NelderMeadRTest, UnitsOnlyRescaleThePath) {
  auto scaled = [](const double* x) {
    const double r[2] = {x[0], x[1] * 1024.0};
    return Rosenbrock(r);
  };
  NelderMeadR nm(std::vector<double>{-1.2, 1.0 / 1024}, std::vector<double>{1.0, 1024.0});
  ASSERT_TRUE(nm.Start(scaled));
  nm.Run(scaled, 500);
  EXPECT_EQ(nm.evaluations(), 195);
  EXPECT_DOUBLE_EQ(nm.best()[0], 1.0002601387256695);
  EXPECT_DOUBLE_EQ(nm.best()[1] * 1024, 1.000505999303765);
}

TEST(NelderMeadRTest, RefusesAnInfiniteStart) {
  Counting f{Bounded};
  NelderMeadR nm(std::vector<double>{-1, 0, 0}, {});
  EXPECT_FALSE(nm.Start(f));
  EXPECT_TRUE(nm.finished());
}

}  // namespace
}  // namespace salesops::forecast::ets
