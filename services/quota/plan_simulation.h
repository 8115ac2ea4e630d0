// How a quota plan is likely to land: the engine behind QuotaService.SimulatePlan (pure C++).
//
// Model, for the plan period:
//   - Company bookings T ~ lognormal(median, log_sd). The caller derives both from the forecast's
//     mean and sd of the period total with LogNormalFromMeanSd (same mean and variance).
//   - Rep r carries quota q_r and an expected share w_r >= 0 of company bookings (normalised here).
//     Each path draws T and independent rep multipliers m_r = exp(sigma z_r - sigma^2 / 2)
//     (mean one), and rep r books B_r = T w_r m_r / sum_j w_j m_j. Reps compete for the same total:
//     the reps' bookings add up to T in every path. A rep with w_r = 0 books 0.
//   - sigma (rep variability) is learned from reps' past years by EstimateRepVariability.
// A rep makes quota when B_r >= q_r and the company its target when T >= target (both up to a
// relative 1e-9, so that a hand-set quota equal to the expected bookings is not lost to rounding).
// Quantiles are nearest-rank over the paths (as in forecasting's landing). Every rep of the plan
// counts in the share at quota, those with w_r = 0 too (they miss).
//
// Monte Carlo: std::mt19937_64 with our own uniform and normal (polar method) transforms, as
// forecasting's landing does, so the same input and seed give the same result on every platform. Per-rep medians are exact order statistics
// without keeping every rep's every path: a first pass counts each rep's bookings in a log-scale
// histogram, a second pass replays the same paths (same seed) and keeps only the values in the bin
// that holds the median.
#ifndef SALESOPS_SERVICES_QUOTA_PLAN_SIMULATION_H_
#define SALESOPS_SERVICES_QUOTA_PLAN_SIMULATION_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace salesops::quota {

// The company's bookings for the period, lognormal: median and sd of the log.
struct CompanyBookings {
  double median = 0;
  double log_sd = 0;
};

// The lognormal with this mean and sd: log_sd^2 = log(1 + (sd / mean)^2), median =
// mean / sqrt(1 + (sd / mean)^2). sd 0 gives log_sd 0 and median = mean. InvalidArgument ("mean",
// "sd") unless mean is finite and > 0 and sd finite and >= 0.
absl::StatusOr<CompanyBookings> LogNormalFromMeanSd(double mean, double sd);

// Rep variability when history cannot tell (too few year pairs): one sd moves a rep's share of
// company bookings by a factor of about 1.4 either way.
inline constexpr double kDefaultRepSigma = 0.35;
// Fewer year pairs than this and the default is used.
inline constexpr int kMinRepVariabilityPairs = 5;
// Estimates are clamped to this range.
inline constexpr double kMinRepSigma = 0.05;
inline constexpr double kMaxRepSigma = 1.5;

struct RepVariability {
  double sigma = kDefaultRepSigma;
  int pairs_observed = 0;     // (rep, consecutive year pair) observations used
  bool from_history = false;  // false: too little history, sigma is kDefaultRepSigma
};

// sigma from complete past years: annual_bookings[rep][year], aligned by the caller (rows may be
// shorter than others; a negative or NaN value marks a missing year). A year's share of a rep is
// its bookings over the total of the reps present (> 0) that year. For each rep and consecutive
// pair of years both > 0, d = log(share_y / share_{y-1}). Within a year pair, each d is centred at
// the median of the other reps' d (and rescaled for that median's own noise): what moves every
// rep's share alike (reps joining or leaving) is not rep variability; a year pair with a single rep
// tells nothing and is skipped. sigma = robust sd of the centred d (MAD x 1.4826; the plain sd when
// the MAD is 0) / sqrt(2), as d is the difference of two independent years' noise; clamped to
// [kMinRepSigma, kMaxRepSigma]. pairs_observed counts the d used.
RepVariability EstimateRepVariability(const std::vector<std::vector<double>>& annual_bookings);

struct RepPlan {
  double quota = 0;           // > 0, in the same unit as the company's bookings
  double expected_share = 0;  // >= 0, any scale (normalised over the reps)
};

struct PlanSimulationInput {
  CompanyBookings company;  // median > 0, log_sd >= 0
  double target = 0;        // the company's target, > 0
  std::vector<RepPlan> reps;  // at least one with expected_share > 0
  double rep_sigma = kDefaultRepSigma;  // 0..kMaxRepSigma; 0: reps book exactly their share
  int paths = 20000;                    // 100..200000
  uint64_t seed = 1;
};

struct RepOutcome {
  double probability_of_quota = 0;
  double median_bookings = 0;
  double median_attainment = 0;  // median of B_r / q_r (= median_bookings / quota)
  double expected_bookings = 0;  // mean over the paths
};

struct PlanSimulationResult {
  double probability_of_target = 0;
  // Share of the plan's reps at or above quota: mean over the paths, and its P10 / P90.
  double expected_share_at_quota = 0;
  double share_at_quota_p10 = 0, share_at_quota_p90 = 0;
  // Company bookings: mean and quantiles over the paths.
  double company_expected = 0;
  double company_p10 = 0, company_p50 = 0, company_p90 = 0;
  std::vector<RepOutcome> reps;  // in input order
};

// InvalidArgument naming the field ("paths", "target", "company.median", "company.log_sd",
// "rep_sigma", "reps", "reps[3].quota", "reps[3].expected_share") for values out of range.
absl::StatusOr<PlanSimulationResult> SimulatePlan(const PlanSimulationInput& input);

}  // namespace salesops::quota

#endif  // SALESOPS_SERVICES_QUOTA_PLAN_SIMULATION_H_
