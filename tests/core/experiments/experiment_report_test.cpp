// Experiment report statistics. Reference values were computed independently
// while writing this test with Python 3's statistics.NormalDist (inv_cdf is
// Wichura's AS241) and the closed form of the Wilson interval,
//   (2x + z² ± z·sqrt(z² + 4x(1 - x/n))) / (2(n + z²)),
// then rounded to 9 decimals. Chances to beat the control are checked
// against Evan Miller's closed form for Beta posteriors (Posterior below),
// an independent computation from the integration the report uses.
#include "tagwise/experiment_report.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tagwise {
namespace {

using json = nlohmann::json;

constexpr double kTol = 1e-8;  // references carry 9 decimals

// P(X > Y), X ~ Beta(xa, xb), Y ~ Beta(ya, yb), whole-number parameters:
// Evan Miller's "Formulas for Bayesian A/B testing", a sum of xa terms,
// computed by the terms' ratio (ya + i)(xb + i) / ((ya + xb + yb + i)(i + 1))
// from the first, B(ya, xb + yb) / B(ya, yb) = prod over k < xb of
// (yb + k) / (ya + yb + k): no lgamma, whose rounding at 10^7 (1.7e-8 in
// a double; wasm's long double lgamma is a double's) would exceed the error
// under test.
double ClosedForm(double xa, double xb, double ya, double yb) {
  double log_term = 0;
  for (double k = 0; k < xb; ++k) log_term += std::log1p(-ya / (ya + yb + k));
  long double sum = 0;
  for (double i = 0; i < xa; ++i) {
    sum += std::exp(static_cast<long double>(log_term));
    log_term += std::log((ya + i) / (ya + xb + yb + i)) + std::log((xb + i) / (i + 1));
  }
  return static_cast<double>(sum);
}

// The variation's chance to beat the control under uniform priors.
double Posterior(int64_t users, int64_t conversions, int64_t control_users, int64_t control_conversions) {
  return ClosedForm(1.0 + conversions, 1.0 + users - conversions, 1.0 + control_conversions,
                    1.0 + control_users - control_conversions);
}

ExperimentReport Compare(const std::vector<VariationCounts>& counts, double confidence = 0.95) {
  Result<ExperimentReport> r = CompareVariations(counts, confidence);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : ExperimentReport{};
}

TEST(ExperimentReportTest, NormalQuantileMatchesReference) {
  struct Case {
    double p;
    double x;
  };
  const Case cases[] = {{0.975, 1.9599639845400536},   {0.995, 2.5758293035489},     {0.5, 0.0},
                        {1e-10, -6.361340902404056},   {0.02, -2.0537489106318225},  {0.98, 2.053748910631822},
                        {0.3, -0.5244005127080407},    {1 - 1e-12, 7.0344869100478356}};
  for (const Case& c : cases) EXPECT_NEAR(NormalQuantile(c.p), c.x, 1e-9) << c.p;
  // Round trip over the whole range, including both tails and the
  // old boundaries of Acklam's approximation (0.02425), which it replaced.
  for (double p = 1e-12; p < 1; p = p < 0.01 ? p * 3 : p + 0.00731) {
    EXPECT_NEAR(NormalCdf(NormalQuantile(p)), p, 1e-12 + 1e-9 * p) << p;
  }
  EXPECT_EQ(NormalQuantile(0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(NormalQuantile(1), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(NormalQuantile(-0.1)));
  EXPECT_TRUE(std::isnan(NormalQuantile(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_NEAR(NormalCdf(1.959963984540054), 0.975, 1e-15);
}

TEST(ExperimentReportTest, TwoVariationsKnownValues) {
  const ExperimentReport r = Compare({{"control", 1000, 50}, {"新版", 1000, 70}});
  ASSERT_EQ(r.variations.size(), 2u);
  const VariationResult& c = r.variations[0];
  EXPECT_EQ(c.id, "control");
  EXPECT_DOUBLE_EQ(c.rate, 0.05);
  EXPECT_NEAR(c.ci_low, 0.038130262, kTol);
  EXPECT_NEAR(c.ci_high, 0.06531382, kTol);
  EXPECT_FALSE(c.uplift || c.diff || c.diff_ci_low || c.diff_ci_high || c.p_value || c.chance_to_beat_control);
  EXPECT_FALSE(c.significant);

  const VariationResult& v = r.variations[1];
  EXPECT_EQ(v.id, "新版");
  EXPECT_EQ(v.users, 1000);
  EXPECT_EQ(v.conversions, 70);
  EXPECT_NEAR(v.ci_low, 0.055776364, kTol);
  EXPECT_NEAR(v.ci_high, 0.087514648, kTol);
  ASSERT_TRUE(v.uplift && v.diff && v.diff_ci_low && v.diff_ci_high && v.p_value && v.chance_to_beat_control);
  EXPECT_NEAR(*v.uplift, 0.4, kTol);
  EXPECT_NEAR(*v.diff, 0.02, kTol);
  EXPECT_NEAR(*v.diff_ci_low, -0.000900357, kTol);
  EXPECT_NEAR(*v.diff_ci_high, 0.041157825, kTol);
  EXPECT_NEAR(*v.p_value, 0.059685606, kTol);
  EXPECT_NEAR(*v.chance_to_beat_control, Posterior(1000, 70, 1000, 50), 1e-9);
  // p = 0.0597 > 0.05, and the difference interval includes 0.
  EXPECT_FALSE(v.significant);
  EXPECT_EQ(r.winner, "");
  EXPECT_DOUBLE_EQ(r.confidence, 0.95);
}

TEST(ExperimentReportTest, ConfidenceWidensIntervalsButNotPValues) {
  const ExperimentReport r = Compare({{"control", 1000, 50}, {"v", 1000, 70}}, 0.99);
  EXPECT_NEAR(r.variations[0].ci_low, 0.035025076, kTol);
  EXPECT_NEAR(r.variations[0].ci_high, 0.070906973, kTol);
  EXPECT_NEAR(r.variations[1].ci_low, 0.051926845, kTol);
  EXPECT_NEAR(r.variations[1].ci_high, 0.093741557, kTol);
  EXPECT_NEAR(*r.variations[1].diff_ci_low, -0.007635854, kTol);
  EXPECT_NEAR(*r.variations[1].diff_ci_high, 0.048069732, kTol);
  EXPECT_NEAR(*r.variations[1].p_value, 0.059685606, kTol);
}

TEST(ExperimentReportTest, ClassicSignificantDifference) {
  // 10% vs 11% on 10,000 users each: z = 2.307, p = 0.0211.
  const ExperimentReport r = Compare({{"a", 10000, 1000}, {"b", 10000, 1100}});
  const VariationResult& b = r.variations[1];
  EXPECT_NEAR(r.variations[0].ci_low, 0.09427283, kTol);
  EXPECT_NEAR(r.variations[0].ci_high, 0.106034369, kTol);
  EXPECT_NEAR(*b.diff_ci_low, 0.001502065, kTol);
  EXPECT_NEAR(*b.diff_ci_high, 0.018501516, kTol);
  EXPECT_NEAR(*b.p_value, 0.021075189, kTol);
  EXPECT_NEAR(*b.chance_to_beat_control, Posterior(10000, 1100, 10000, 1000), 1e-9);
  EXPECT_TRUE(b.significant);
  EXPECT_EQ(r.winner, "b");
  // The same data at 99% is not significant.
  EXPECT_EQ(Compare({{"a", 10000, 1000}, {"b", 10000, 1100}}, 0.99).winner, "");
}

TEST(ExperimentReportTest, WinnerIsTheBestSignificantlyBetterVariation) {
  const ExperimentReport r =
      Compare({{"control", 2000, 200}, {"b", 2000, 240}, {"c", 2000, 180}, {"d", 2000, 260}});
  ASSERT_EQ(r.variations.size(), 4u);
  const VariationResult& b = r.variations[1];
  const VariationResult& c = r.variations[2];
  const VariationResult& d = r.variations[3];
  EXPECT_NEAR(*b.p_value, 0.043244928, kTol);
  EXPECT_NEAR(*b.diff_ci_low, 0.000592943, kTol);
  EXPECT_NEAR(*b.diff_ci_high, 0.039436815, kTol);
  EXPECT_NEAR(*b.chance_to_beat_control, Posterior(2000, 240, 2000, 200), 1e-9);
  EXPECT_TRUE(b.significant);
  EXPECT_NEAR(*c.uplift, -0.1, kTol);
  EXPECT_NEAR(*c.p_value, 0.280817595, kTol);
  EXPECT_NEAR(*c.diff_ci_low, -0.028231705, kTol);
  EXPECT_NEAR(*c.diff_ci_high, 0.008207388, kTol);
  EXPECT_NEAR(*c.chance_to_beat_control, Posterior(2000, 180, 2000, 200), 1e-9);
  EXPECT_FALSE(c.significant);
  EXPECT_NEAR(*d.p_value, 0.002942093, kTol);
  EXPECT_NEAR(d.ci_low, 0.115967491, kTol);
  EXPECT_NEAR(d.ci_high, 0.145451124, kTol);
  EXPECT_NEAR(*d.chance_to_beat_control, Posterior(2000, 260, 2000, 200), 1e-9);
  EXPECT_TRUE(d.significant);
  EXPECT_EQ(r.winner, "d");  // b and d both beat the control; d converts more
}

TEST(ExperimentReportTest, SignificantlyWorseIsNotAWinner) {
  const ExperimentReport r = Compare({{"control", 10000, 1100}, {"b", 10000, 1000}});
  EXPECT_TRUE(r.variations[1].significant);
  EXPECT_EQ(r.winner, "");
}

TEST(ExperimentReportTest, ZeroConversions) {
  const ExperimentReport r = Compare({{"control", 100, 0}, {"v", 100, 5}, {"w", 100, 0}});
  const VariationResult& c = r.variations[0];
  EXPECT_EQ(c.rate, 0.0);
  EXPECT_EQ(c.ci_low, 0.0);
  EXPECT_NEAR(c.ci_high, 0.036993498, kTol);
  const VariationResult& v = r.variations[1];
  EXPECT_FALSE(v.uplift.has_value());  // relative to a 0% control: undefined
  EXPECT_NEAR(*v.diff, 0.05, kTol);
  EXPECT_NEAR(*v.diff_ci_low, 0.003327941, kTol);
  EXPECT_NEAR(*v.diff_ci_high, 0.111750469, kTol);
  EXPECT_NEAR(*v.p_value, 0.023540058, kTol);
  EXPECT_NEAR(*v.chance_to_beat_control, Posterior(100, 5, 100, 0), 1e-9);
  EXPECT_TRUE(v.significant);
  const VariationResult& w = r.variations[2];
  EXPECT_EQ(*w.diff, 0.0);
  EXPECT_EQ(*w.p_value, 1.0);  // both 0%: no evidence of any difference
  EXPECT_NEAR(*w.chance_to_beat_control, 0.5, 1e-10);  // the same posterior on both sides
  EXPECT_NEAR(*w.diff_ci_low, -0.036993498, kTol);
  EXPECT_NEAR(*w.diff_ci_high, 0.036993498, kTol);
  EXPECT_FALSE(w.significant);
  // 5 conversions in all: significant, but too few to name a winner.
  EXPECT_EQ(v.enough_data, false);
  EXPECT_EQ(r.winner, "");
  Result<ExperimentReport> lower = CompareVariations(std::vector<VariationCounts>{{"control", 100, 0}, {"v", 100, 5}},
                                                     0.95, 5);
  ASSERT_TRUE(lower.ok());
  EXPECT_EQ(lower.value().variations[1].enough_data, true);
  EXPECT_EQ(lower.value().winner, "v");
}

TEST(ExperimentReportTest, AllConversions) {
  const ExperimentReport r = Compare({{"control", 100, 100}, {"v", 100, 95}, {"w", 100, 100}});
  EXPECT_EQ(r.variations[0].ci_high, 1.0);
  EXPECT_NEAR(r.variations[0].ci_low, 0.963006502, kTol);
  const VariationResult& v = r.variations[1];
  EXPECT_NEAR(*v.uplift, -0.05, kTol);
  EXPECT_NEAR(*v.diff_ci_low, -0.111750469, kTol);
  EXPECT_NEAR(*v.diff_ci_high, -0.003327941, kTol);
  EXPECT_NEAR(*v.p_value, 0.023540058, kTol);
  EXPECT_NEAR(*v.chance_to_beat_control, Posterior(100, 95, 100, 100), 1e-9);
  const VariationResult& w = r.variations[2];
  EXPECT_EQ(*w.uplift, 0.0);
  EXPECT_EQ(*w.p_value, 1.0);
  EXPECT_NEAR(*w.chance_to_beat_control, 0.5, 1e-10);  // the same posterior on both sides
  EXPECT_EQ(r.winner, "");
}

TEST(ExperimentReportTest, OneUserEachIsFarFromCertain) {
  // Beta(1, 2) against Beta(2, 1): P = ∫ 2a (1 - a)² da = 1/6, where the
  // normal approximation (standard error 0) said 0.
  const ExperimentReport r = Compare({{"control", 1, 1}, {"v", 1, 0}});
  const VariationResult& v = r.variations[1];
  EXPECT_NEAR(r.variations[0].ci_low, 0.206549314, kTol);
  EXPECT_NEAR(v.ci_high, 0.793450686, kTol);
  EXPECT_NEAR(*v.chance_to_beat_control, 1.0 / 6, 1e-12);
  EXPECT_NEAR(*v.diff_ci_low, -1.0, kTol);
  EXPECT_NEAR(*v.diff_ci_high, 0.122108721, kTol);
  EXPECT_NEAR(*v.p_value, 0.157299207, kTol);
}

TEST(ExperimentReportTest, SmallSamplesGetThePosteriorNotTheNormalApproximation) {
  // The cases an operator met in the console: 3/3 against a 2/5 control
  // (normal approximation 99.7 %), 1/4 against 0/4 (87.6 %).
  const ExperimentReport a = Compare({{"control", 5, 2}, {"v", 3, 3}});
  EXPECT_NEAR(*a.variations[1].chance_to_beat_control, Posterior(3, 3, 5, 2), 1e-12);
  EXPECT_NEAR(*a.variations[1].chance_to_beat_control, 0.929, 0.0005);
  const ExperimentReport b = Compare({{"control", 4, 0}, {"v", 4, 1}});
  EXPECT_NEAR(*b.variations[1].chance_to_beat_control, Posterior(4, 1, 4, 0), 1e-12);
  EXPECT_NEAR(*b.variations[1].chance_to_beat_control, 0.778, 0.0005);
  EXPECT_EQ(a.variations[1].enough_data, false);
  EXPECT_EQ(b.variations[1].enough_data, false);
  EXPECT_FALSE(a.variations[0].enough_data.has_value());  // the control has no comparison
}

TEST(ExperimentReportTest, BetaChanceMatchesTheClosedFormAtEverySize) {
  // Every pair of small posteriors (the closed form is exact there) ...
  for (double xa = 1; xa <= 13; xa += 3) {
    for (double xb = 1; xb <= 13; xb += 4) {
      for (double ya = 1; ya <= 13; ya += 2) {
        for (double yb = 1; yb <= 13; yb += 5) {
          EXPECT_NEAR(BetaChanceToBeat(xa, xb, ya, yb), ClosedForm(xa, xb, ya, yb), 1e-10)
              << xa << " " << xb << " " << ya << " " << yb;
        }
      }
    }
  }
  // ... skewed ones near 0 and 1, unequal sizes, and large counts.
  // (The closed form sums as many terms as the first parameter: kept to
  // thousands, since the wasm build of this test computes in software quads.)
  const double cases[][4] = {{1, 1000, 1, 1},        {2, 5000, 1, 9000},       {3, 1, 400, 2},
                             {5, 100000, 9, 300000}, {1001, 9001, 1101, 8901}, {50, 1e6, 500, 1e7},
                             {2001, 1e6, 2101, 1e6}};
  for (const auto& c : cases) {
    EXPECT_NEAR(BetaChanceToBeat(c[0], c[1], c[2], c[3]), ClosedForm(c[0], c[1], c[2], c[3]), 1e-9)
        << c[0] << " " << c[1] << " " << c[2] << " " << c[3];
  }
}

TEST(ExperimentReportTest, BetaChanceAtMillionsAndBillions) {
  // Too many terms for the closed form: the two orders agree (P(X > Y) +
  // P(Y > X) = 1), and at 10^9 users the posteriors are normal to within
  // 1e-6, so the normal approximation is a fair reference.
  const double x[2] = {1e8 + 40000, 9e8 - 40000};
  const double y[2] = {1e8, 9e8};
  const double p = BetaChanceToBeat(x[0], x[1], y[0], y[1]);
  EXPECT_NEAR(p + BetaChanceToBeat(y[0], y[1], x[0], x[1]), 1.0, 1e-12);
  const auto var = [](const double* v) {
    const double n = v[0] + v[1];
    return v[0] * v[1] / (n * n * (n + 1));
  };
  const double mean_diff = x[0] / (x[0] + x[1]) - y[0] / (y[0] + y[1]);
  EXPECT_NEAR(p, NormalCdf(mean_diff / std::sqrt(var(x) + var(y))), 1e-5);
  EXPECT_GT(p, 0.99);
  // No overlap at all: exactly certain.
  EXPECT_EQ(BetaChanceToBeat(2e6, 8e6, 1e6, 9e6), 1.0);
  EXPECT_EQ(BetaChanceToBeat(1e6, 9e6, 2e6, 8e6), 0.0);
  EXPECT_NEAR(BetaChanceToBeat(4e12, 4e12, 4e12, 4e12), 0.5, 1e-9);
  // At 10^15 a posterior is 1e-8 wide, near the resolution of a double at 0.5.
  EXPECT_NEAR(BetaChanceToBeat(4e15, 4e15, 4e15, 4e15), 0.5, 1e-8);
}

TEST(ExperimentReportTest, MinimumConversionsGuardTheWinner) {
  // Significant (p = 0.0005) with 29 conversions in all: no winner until 30.
  const std::vector<VariationCounts> counts{{"control", 400, 5}, {"v", 400, 24}};
  Result<ExperimentReport> below = CompareVariations(counts, 0.95, 30);
  ASSERT_TRUE(below.ok());
  EXPECT_TRUE(below.value().variations[1].significant);
  EXPECT_EQ(below.value().variations[1].enough_data, false);
  EXPECT_EQ(below.value().winner, "");
  Result<ExperimentReport> at = CompareVariations(counts, 0.95, 29);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at.value().variations[1].enough_data, true);
  EXPECT_EQ(at.value().winner, "v");
  EXPECT_EQ(at.value().min_conversions, 29);
  Result<ExperimentReport> parsed = ParseAndCompare(json::parse(R"({"variations": [
      {"id": "control", "users": 400, "conversions": 5}, {"id": "v", "users": 400, "conversions": 24}],
      "minConversions": 0})"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value().winner, "v");
  EXPECT_EQ(ReportToJson(parsed.value()).at("minConversions"), 0);
  EXPECT_EQ(Compare({{"a", 10, 1}, {"b", 10, 2}}).min_conversions, kDefaultMinConversions);
  Result<ExperimentReport> negative = CompareVariations(counts, 0.95, -1);
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.error().path, "/minConversions");
}

TEST(ExperimentReportTest, ZeroUsersHaveNoComparison) {
  const ExperimentReport r = Compare({{"control", 0, 0}, {"v", 100, 5}, {"w", 0, 0}});
  const VariationResult& c = r.variations[0];
  EXPECT_EQ(c.rate, 0.0);
  EXPECT_EQ(c.ci_low, 0.0);
  EXPECT_EQ(c.ci_high, 1.0);
  const VariationResult& v = r.variations[1];
  EXPECT_NEAR(v.ci_low, 0.021543679, kTol);
  EXPECT_NEAR(v.ci_high, 0.111750469, kTol);
  EXPECT_FALSE(v.uplift || v.diff || v.diff_ci_low || v.diff_ci_high || v.p_value || v.chance_to_beat_control);
  EXPECT_FALSE(v.significant);
  EXPECT_FALSE(r.variations[2].diff.has_value());
  EXPECT_EQ(r.winner, "");
  // A variation with no users next to a live control: also no comparison.
  const ExperimentReport r2 = Compare({{"control", 100, 5}, {"v", 0, 0}});
  EXPECT_FALSE(r2.variations[1].p_value.has_value());
}

TEST(ExperimentReportTest, CompareVariationsErrors) {
  struct Case {
    std::vector<VariationCounts> counts;
    double confidence;
    ErrorCode code;
    const char* path;
  };
  const Case cases[] = {
      {{{"control", 100, 5}}, 0.95, ErrorCode::kWrongArgumentCount, "/variations"},
      {{}, 0.95, ErrorCode::kWrongArgumentCount, "/variations"},
      {{{"control", 100, 5}, {"control", 100, 6}}, 0.95, ErrorCode::kDuplicateId, "/variations/1/id"},
      {{{"control", 100, 5}, {"", 100, 6}}, 0.95, ErrorCode::kWrongArgumentType, "/variations/1/id"},
      {{{"control", 100, 5}, {"v", 100, 120}}, 0.95, ErrorCode::kWrongArgumentType, "/variations/1/conversions"},
      {{{"control", -1, 0}, {"v", 100, 1}}, 0.95, ErrorCode::kWrongArgumentType, "/variations/0/users"},
      {{{"control", 10, -1}, {"v", 100, 1}}, 0.95, ErrorCode::kWrongArgumentType, "/variations/0/conversions"},
      {{{"a", 1, 0}, {"b", 1, 0}}, 0.5, ErrorCode::kWrongArgumentType, "/confidence"},
      {{{"a", 1, 0}, {"b", 1, 0}}, 0.9991, ErrorCode::kWrongArgumentType, "/confidence"},
      {{{"a", 1, 0}, {"b", 1, 0}}, 95, ErrorCode::kWrongArgumentType, "/confidence"},
      {{{"a", 1, 0}, {"b", 1, 0}}, std::numeric_limits<double>::quiet_NaN(), ErrorCode::kWrongArgumentType,
       "/confidence"},
  };
  for (const Case& c : cases) {
    Result<ExperimentReport> r = CompareVariations(c.counts, c.confidence);
    ASSERT_FALSE(r.ok()) << c.path;
    EXPECT_EQ(r.error().code, c.code) << c.path << ": " << r.error().message;
    EXPECT_EQ(r.error().path, c.path) << r.error().message;
  }
  EXPECT_TRUE(CompareVariations(std::vector<VariationCounts>{{"a", 1, 0}, {"b", 1, 0}}, 0.999).ok());
}

// Only this test compares a message's text: the example from the API doc.
TEST(ExperimentReportTest, ConversionsAboveUsersMessage) {
  Result<ExperimentReport> r = ParseAndCompare(json::parse(
      R"({"variations":[{"id":"control","users":1000,"conversions":50},{"id":"b","users":100,"conversions":120}]})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().path, "/variations/1/conversions");
  EXPECT_EQ(r.error().message, "conversions (120) cannot exceed users (100).");
}

TEST(ExperimentReportTest, ParseAndCompareReadsJson) {
  Result<ExperimentReport> r = ParseAndCompare(json::parse(R"({
    "variations": [{"id": "对照组", "users": 1000, "conversions": 50},
                   {"id": "实验组", "users": 1000.0, "conversions": 70}],
    "confidence": 0.99})"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_DOUBLE_EQ(r.value().confidence, 0.99);
  EXPECT_EQ(r.value().variations[1].id, "实验组");
  EXPECT_EQ(r.value().variations[1].users, 1000);
  EXPECT_NEAR(r.value().variations[1].ci_high, 0.093741557, kTol);
  // Confidence defaults to 0.95.
  Result<ExperimentReport> d = ParseAndCompare(json::parse(
      R"({"variations":[{"id":"a","users":1000,"conversions":50},{"id":"b","users":1000,"conversions":70}]})"));
  ASSERT_TRUE(d.ok());
  EXPECT_DOUBLE_EQ(d.value().confidence, 0.95);
  EXPECT_NEAR(d.value().variations[0].ci_low, 0.038130262, kTol);
}

TEST(ExperimentReportTest, ParseAndCompareErrorsHavePaths) {
  struct Case {
    const char* input;
    ErrorCode code;
    const char* path;
  };
  const Case cases[] = {
      {R"([])", ErrorCode::kInvalidRule, ""},
      {R"("report")", ErrorCode::kInvalidRule, ""},
      {R"({})", ErrorCode::kInvalidRule, "/variations"},
      {R"({"variations":{}})", ErrorCode::kWrongArgumentType, "/variations"},
      {R"({"variations":[], "confidance":0.9})", ErrorCode::kInvalidRule, "/confidance"},
      {R"({"variations":[]})", ErrorCode::kWrongArgumentCount, "/variations"},
      {R"({"variations":[{"id":"a","users":1,"conversions":0}]})", ErrorCode::kWrongArgumentCount, "/variations"},
      {R"({"variations":[1,2]})", ErrorCode::kInvalidRule, "/variations/0"},
      {R"({"variations":[{"id":"a","users":1,"conversions":0},{"id":"b","users":1}]})", ErrorCode::kInvalidRule,
       "/variations/1/conversions"},
      {R"({"variations":[{"id":"a","users":1,"conversions":0,"name":"A"}]})", ErrorCode::kInvalidRule,
       "/variations/0/name"},
      {R"({"variations":[{"id":"a","users":1,"conversions":0,"a/b":1}]})", ErrorCode::kInvalidRule,
       "/variations/0/a~1b"},
      {R"({"variations":[{"id":7,"users":1,"conversions":0}]})", ErrorCode::kWrongArgumentType, "/variations/0/id"},
      {R"({"variations":[{"id":"a","users":"100","conversions":0}]})", ErrorCode::kWrongArgumentType,
       "/variations/0/users"},
      {R"({"variations":[{"id":"a","users":true,"conversions":0}]})", ErrorCode::kWrongArgumentType,
       "/variations/0/users"},
      {R"({"variations":[{"id":"a","users":null,"conversions":0}]})", ErrorCode::kWrongArgumentType,
       "/variations/0/users"},
      {R"({"variations":[{"id":"a","users":100.5,"conversions":0}]})", ErrorCode::kWrongArgumentType,
       "/variations/0/users"},
      {R"({"variations":[{"id":"a","users":-5,"conversions":0}]})", ErrorCode::kWrongArgumentType,
       "/variations/0/users"},
      {R"({"variations":[{"id":"a","users":-5.0,"conversions":0}]})", ErrorCode::kWrongArgumentType,
       "/variations/0/users"},
      {R"({"variations":[{"id":"a","users":10,"conversions":-1}]})", ErrorCode::kWrongArgumentType,
       "/variations/0/conversions"},
      {R"({"variations":[{"id":"a","users":9007199254740992,"conversions":0}]})", ErrorCode::kWrongArgumentType,
       "/variations/0/users"},
      {R"({"variations":[{"id":"a","users":1e300,"conversions":0}]})", ErrorCode::kWrongArgumentType,
       "/variations/0/users"},
      {R"({"variations":[{"id":"a","users":1,"conversions":0},{"id":"a","users":1,"conversions":0}]})",
       ErrorCode::kDuplicateId, "/variations/1/id"},
      {R"({"variations":[{"id":"a","users":1,"conversions":0},{"id":"","users":1,"conversions":0}]})",
       ErrorCode::kWrongArgumentType, "/variations/1/id"},
      {R"({"variations":[{"id":"a","users":10,"conversions":11},{"id":"b","users":1,"conversions":0}]})",
       ErrorCode::kWrongArgumentType, "/variations/0/conversions"},
      {R"({"variations":[{"id":"a","users":1,"conversions":0},{"id":"b","users":1,"conversions":0}],
           "confidence":"95%"})",
       ErrorCode::kWrongArgumentType, "/confidence"},
      {R"({"variations":[{"id":"a","users":1,"conversions":0},{"id":"b","users":1,"conversions":0}],
           "confidence":0.3})",
       ErrorCode::kWrongArgumentType, "/confidence"},
      {R"({"variations":[{"id":"a","users":1,"conversions":0},{"id":"b","users":1,"conversions":0}],
           "confidence":1})",
       ErrorCode::kWrongArgumentType, "/confidence"},
      {R"({"variations":[{"id":"a","users":1,"conversions":0},{"id":"b","users":1,"conversions":0}],
           "minConversions":"30"})",
       ErrorCode::kWrongArgumentType, "/minConversions"},
      {R"({"variations":[{"id":"a","users":1,"conversions":0},{"id":"b","users":1,"conversions":0}],
           "minConversions":-3})",
       ErrorCode::kWrongArgumentType, "/minConversions"},
  };
  for (const Case& c : cases) {
    Result<ExperimentReport> r = ParseAndCompare(json::parse(c.input));
    ASSERT_FALSE(r.ok()) << c.input;
    EXPECT_EQ(r.error().code, c.code) << c.input << ": " << r.error().message;
    EXPECT_EQ(r.error().path, c.path) << c.input << ": " << r.error().message;
  }
}

TEST(ExperimentReportTest, ReportToJsonUsesCamelCaseAndNulls) {
  Result<ExperimentReport> five = CompareVariations(std::vector<VariationCounts>{{"control", 100, 0}, {"v", 100, 5}},
                                                    0.95, 5);
  ASSERT_TRUE(five.ok());
  const json j = ReportToJson(five.value());
  EXPECT_EQ(j.at("confidence"), 0.95);
  EXPECT_EQ(j.at("minConversions"), 5);
  EXPECT_EQ(j.at("winner"), "v");
  ASSERT_EQ(j.at("variations").size(), 2u);
  const json& c = j.at("variations")[0];
  EXPECT_EQ(c.size(), 14u);
  EXPECT_EQ(c.at("id"), "control");
  EXPECT_EQ(c.at("users"), 100);
  EXPECT_EQ(c.at("conversions"), 0);
  EXPECT_EQ(c.at("rate"), 0.0);
  EXPECT_EQ(c.at("ciLow"), 0.0);
  for (const char* key : {"uplift", "diff", "diffCiLow", "diffCiHigh", "pValue", "chanceToBeatControl", "enoughData"}) {
    EXPECT_TRUE(c.at(key).is_null()) << key;
  }
  EXPECT_EQ(c.at("significant"), false);
  const json& v = j.at("variations")[1];
  EXPECT_TRUE(v.at("uplift").is_null());  // control rate 0
  EXPECT_NEAR(v.at("diff").get<double>(), 0.05, kTol);
  EXPECT_NEAR(v.at("diffCiLow").get<double>(), 0.003327941, kTol);
  EXPECT_NEAR(v.at("diffCiHigh").get<double>(), 0.111750469, kTol);
  EXPECT_NEAR(v.at("pValue").get<double>(), 0.023540058, kTol);
  EXPECT_NEAR(v.at("chanceToBeatControl").get<double>(), Posterior(100, 5, 100, 0), 1e-9);
  EXPECT_NEAR(v.at("ciHigh").get<double>(), 0.111750469, kTol);
  EXPECT_EQ(v.at("significant"), true);
  EXPECT_EQ(v.at("enoughData"), true);
}

}  // namespace
}  // namespace tagwise
