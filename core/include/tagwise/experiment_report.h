// Experiment comparison for the operator console: conversion counts per
// variation in, rates with confidence intervals and tests against the
// control (the first variation) out.
//
//   tagwise::VariationCounts counts[] = {{"control", 1000, 50}, {"新版", 1000, 70}};
//   auto report = tagwise::CompareVariations(counts, 0.95);
//   if (report.ok()) show(tagwise::ReportToJson(report.value()));
//
// Methods (standard frequentist ones, chosen so that the console's numbers
// can be checked with any statistics package):
// - rate interval: Wilson score interval (good coverage for small counts
//   and rates near 0 or 1, unlike the Wald interval);
// - difference interval: Newcombe's hybrid score interval (method 10 of
//   Newcombe 1998), built from the two Wilson intervals;
// - p-value: two-sided two-proportion z-test with the pooled rate;
// - chance to beat control: P(rate > control rate) for the Beta-Binomial
//   posteriors under a uniform prior, Beta(1 + conversions, 1 + users -
//   conversions) per side, by numerical integration (BetaChanceToBeat) —
//   not a normal approximation, which overstates small samples (3/3 against
//   2/5: 99.7 % by the normal, 92.9 % by the posterior);
// - a minimum sample: a comparison whose two sides have fewer than
//   `min_conversions` conversions together has `enough_data` false and is
//   never the winner, whatever its p-value (GrowthBook's minimum sample size
//   does the same): the console says "not enough data" instead.
// Each variation is compared with the control separately; p-values are not
// corrected for multiple comparisons, so with many variations some
// "significant" results are expected by chance.
//
// Pure functions: no state, no I/O, thread-safe.
#ifndef TAGWISE_EXPERIMENT_REPORT_H_
#define TAGWISE_EXPERIMENT_REPORT_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/error.h"

namespace tagwise {

struct VariationCounts {
  std::string id;
  int64_t users = 0;        // users exposed to the variation
  int64_t conversions = 0;  // of those, users who converted (at most `users`)
};

struct VariationResult {
  std::string id;
  int64_t users = 0;
  int64_t conversions = 0;
  double rate = 0;     // conversions / users; 0 when users == 0
  double ci_low = 0;   // Wilson score interval at the report's confidence;
  double ci_high = 1;  // [0, 1] (no information) when users == 0
  // Against the control. Absent for the control itself and when either side
  // has 0 users.
  std::optional<double> uplift;        // (rate - control) / control; also absent when the control rate is 0
  std::optional<double> diff;          // rate - control rate
  std::optional<double> diff_ci_low;   // Newcombe hybrid score interval of diff
  std::optional<double> diff_ci_high;
  std::optional<double> p_value;       // two-sided pooled two-proportion z-test; 1 when both rates are 0 or both 1
  std::optional<double> chance_to_beat_control;  // P(rate > control rate) under the Beta posteriors
  bool significant = false;            // p_value < 1 - confidence
  // Whether the comparison has the report's minimum of conversions (control
  // and variation together). Absent for the control and when either side has
  // 0 users.
  std::optional<bool> enough_data;
};

// Conversions (control + variation) a comparison needs before it may name a
// winner.
inline constexpr int64_t kDefaultMinConversions = 30;

struct ExperimentReport {
  double confidence = 0.95;
  int64_t min_conversions = kDefaultMinConversions;
  std::vector<VariationResult> variations;  // in input order; the first is the control
  // Id of the variation with the highest rate among those significantly
  // better than the control with enough data; "" when there is none (also
  // when the control is significantly better than everything).
  std::string winner;
};

// Confidence must be in (0.5, 0.999]; at least 2 variations with distinct,
// non-empty ids and 0 <= conversions <= users. Errors carry the JSON Pointer
// the same data has in ParseAndCompare's input (/variations/1/conversions).
[[nodiscard]] Result<ExperimentReport> CompareVariations(std::span<const VariationCounts> variations,
                                                         double confidence = 0.95,
                                                         int64_t min_conversions = kDefaultMinConversions);

// JSON form of the same, for the wasm binding:
//   {"variations": [{"id": "control", "users": 1000, "conversions": 50}, ...],
//    "confidence": 0.95,   // optional, default 0.95
//    "minConversions": 30} // optional, default kDefaultMinConversions
// Counts must be whole numbers from 0 to 2^53 - 1 (what JavaScript holds
// exactly). Unknown keys are errors, so a typo such as "conversion" is
// reported instead of read as 0.
[[nodiscard]] Result<ExperimentReport> ParseAndCompare(const nlohmann::json& input);

// camelCase keys: {confidence, variations: [{id, users, conversions, rate,
// ciLow, ciHigh, uplift, diff, diffCiLow, diffCiHigh, pValue,
// chanceToBeatControl, significant, enoughData}], minConversions, winner};
// absent optionals are null.
nlohmann::json ReportToJson(const ExperimentReport& report);

// Standard normal quantile: x with P(Z <= x) = p, for 0 < p < 1, by
// bisection on NormalCdf to adjacent doubles (as exact as erfc; at most 200
// evaluations). ±infinity at 0 and 1, NaN outside.
double NormalQuantile(double p);

// Standard normal CDF P(Z <= x).
double NormalCdf(double x);

// P(X > Y) for independent X ~ Beta(x_alpha, x_beta) and Y ~ Beta(y_alpha,
// y_beta), all parameters >= 1: Simpson's rule over the narrower
// distribution (±40 standard deviations, clamped to [0, 1]) of its density
// times the other's CDF, both densities normalised numerically. Absolute
// error below 1e-9 from Beta(1, 1) to parameters of 10^12, 1e-8 at 10^15,
// where a posterior is as narrow as a double's resolution (checked against
// Evan Miller's closed form); exactly 0 or 1 when the two do not overlap.
double BetaChanceToBeat(double x_alpha, double x_beta, double y_alpha, double y_beta);

}  // namespace tagwise

#endif  // TAGWISE_EXPERIMENT_REPORT_H_
