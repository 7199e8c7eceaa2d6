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
// - chance to beat control: P(rate > control rate) under the normal
//   approximation with unpooled standard errors.
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
  std::optional<double> chance_to_beat_control;  // 0.5 when both rates are equal and certain (e.g. both 0)
  bool significant = false;            // p_value < 1 - confidence
};

struct ExperimentReport {
  double confidence = 0.95;
  std::vector<VariationResult> variations;  // in input order; the first is the control
  // Id of the variation with the highest rate among those significantly
  // better than the control; "" when there is none (also when the control
  // is significantly better than everything).
  std::string winner;
};

// Confidence must be in (0.5, 0.999]; at least 2 variations with distinct,
// non-empty ids and 0 <= conversions <= users. Errors carry the JSON Pointer
// the same data has in ParseAndCompare's input (/variations/1/conversions).
[[nodiscard]] Result<ExperimentReport> CompareVariations(std::span<const VariationCounts> variations,
                                                         double confidence = 0.95);

// JSON form of the same, for the wasm binding:
//   {"variations": [{"id": "control", "users": 1000, "conversions": 50}, ...],
//    "confidence": 0.95}   // optional, default 0.95
// Counts must be whole numbers from 0 to 2^53 - 1 (what JavaScript holds
// exactly). Unknown keys are errors, so a typo such as "conversion" is
// reported instead of read as 0.
[[nodiscard]] Result<ExperimentReport> ParseAndCompare(const nlohmann::json& input);

// camelCase keys: {confidence, variations: [{id, users, conversions, rate,
// ciLow, ciHigh, uplift, diff, diffCiLow, diffCiHigh, pValue,
// chanceToBeatControl, significant}], winner}; absent optionals are null.
nlohmann::json ReportToJson(const ExperimentReport& report);

// Standard normal quantile: x with P(Z <= x) = p, for 0 < p < 1 (Acklam's
// rational approximation refined by one Halley step; absolute error below
// 1e-9 for p in [1e-300, 1 - 1e-16]). ±infinity at 0 and 1, NaN outside.
double NormalQuantile(double p);

// Standard normal CDF P(Z <= x).
double NormalCdf(double x);

}  // namespace tagwise

#endif  // TAGWISE_EXPERIMENT_REPORT_H_
