#include "tagwise/experiment_report.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>

namespace tagwise {
namespace {

using json = nlohmann::json;

constexpr double kSqrt2 = 1.41421356237309504880;
// Largest integer a JavaScript number holds exactly (Number.MAX_SAFE_INTEGER).
constexpr double kMaxSafeInteger = 9007199254740991.0;

struct Interval {
  double low = 0;
  double high = 1;
};

// Wilson score interval for x successes in n trials at normal quantile z.
Interval Wilson(int64_t x, int64_t n, double z) {
  if (n <= 0) return {0, 1};
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(x) / nn;
  const double z2 = z * z;
  const double denom = 1 + z2 / nn;
  const double center = (p + z2 / (2 * nn)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denom;
  // At x = 0 (x = n) the bound is exactly 0 (1); rounding would leave ±1e-17.
  return {x == 0 ? 0.0 : std::max(0.0, center - half), x == n ? 1.0 : std::min(1.0, center + half)};
}

std::string Pointer(size_t index, const char* field) {
  std::string p = "/variations/" + std::to_string(index);
  if (field != nullptr) p += std::string("/") + field;
  return p;
}

Error Problem(ErrorCode code, std::string path, std::string message) {
  return Error{code, std::move(path), std::move(message), Severity::kError};
}

std::optional<Error> CheckConfidence(double confidence) {
  if (!(confidence > 0.5 && confidence <= 0.999)) {
    return Problem(ErrorCode::kWrongArgumentType, "/confidence",
                   "confidence (" + json(confidence).dump() + ") must be greater than 0.5 and at most 0.999.");
  }
  return std::nullopt;
}

// A count from JSON: a whole number from 0 to 2^53 - 1. Read as a double,
// which holds every such count exactly (and JSON.stringify writes 1e21 and up
// in exponent form, which nlohmann reads as a double anyway); an integer
// above 2^53 rounds to at least 2^53 and is refused as too large.
Result<int64_t> ReadCount(const json& v, const std::string& path, const char* field) {
  const std::string shown = v.dump(-1, ' ', false, json::error_handler_t::replace);
  const char* problem = nullptr;
  const double d = v.is_number() ? v.get<double>() : 0;
  if (!v.is_number()) {
    problem = " must be a number (a count), not ";
  } else if (d < 0) {
    problem = " cannot be negative: ";
  } else if (!std::isfinite(d) || d != std::floor(d)) {
    problem = " must be a whole number, not ";
  } else if (d > kMaxSafeInteger) {
    problem = " is larger than 9007199254740991: ";
  }
  if (problem != nullptr) return Problem(ErrorCode::kWrongArgumentType, path, field + (problem + shown) + ".");
  return static_cast<int64_t>(d);
}

Result<VariationCounts> ReadVariation(const json& v, size_t index) {
  if (!v.is_object()) {
    return Problem(ErrorCode::kInvalidRule, Pointer(index, nullptr),
                   "Each variation must be an object {\"id\", \"users\", \"conversions\"}.");
  }
  for (const auto& [key, value] : v.items()) {
    if (key != "id" && key != "users" && key != "conversions") {
      return Problem(ErrorCode::kInvalidRule, JoinPointer(Pointer(index, nullptr), key),
                     "Unknown variation field \"" + key + "\" (expected id, users and conversions).");
    }
  }
  VariationCounts out;
  for (const char* field : {"id", "users", "conversions"}) {
    if (!v.contains(field)) {
      return Problem(ErrorCode::kInvalidRule, Pointer(index, field),
                     std::string("The variation has no \"") + field + "\".");
    }
  }
  if (!v.at("id").is_string()) {
    return Problem(ErrorCode::kWrongArgumentType, Pointer(index, "id"), "id must be a string.");
  }
  out.id = v.at("id").get<std::string>();
  Result<int64_t> users = ReadCount(v.at("users"), Pointer(index, "users"), "users");
  if (!users.ok()) return users.error();
  Result<int64_t> conversions = ReadCount(v.at("conversions"), Pointer(index, "conversions"), "conversions");
  if (!conversions.ok()) return conversions.error();
  out.users = users.value();
  out.conversions = conversions.value();
  return out;
}

}  // namespace

double NormalCdf(double x) { return 0.5 * std::erfc(-x / kSqrt2); }

double NormalQuantile(double p) {
  if (std::isnan(p) || p < 0 || p > 1) return std::numeric_limits<double>::quiet_NaN();
  if (p == 0) return -std::numeric_limits<double>::infinity();
  if (p == 1) return std::numeric_limits<double>::infinity();
  if (p == 0.5) return 0;
  // Symmetry keeps the search in the lower tail, where NormalCdf has full
  // relative precision (1 - p is exact for p >= 0.5).
  if (p > 0.5) return -NormalQuantile(1 - p);
  // Bisection on NormalCdf (increasing) until the bracket is two adjacent
  // doubles: as exact as erfc, and a few lines instead of a rational
  // approximation's tables (the browser downloads this code). The quantile
  // of the smallest subnormal is -38.5, so [-40, 0] brackets them all.
  double low = -40;
  double high = 0;
  for (int i = 0; i < 200; ++i) {
    const double mid = (low + high) / 2;
    if (mid == low || mid == high) break;
    (NormalCdf(mid) < p ? low : high) = mid;
  }
  return high;
}

Result<ExperimentReport> CompareVariations(std::span<const VariationCounts> variations, double confidence,
                                           int64_t min_conversions) {
  if (std::optional<Error> e = CheckConfidence(confidence)) return *e;
  if (min_conversions < 0) {
    return Problem(ErrorCode::kWrongArgumentType, "/minConversions",
                   "minConversions (" + std::to_string(min_conversions) + ") cannot be negative.");
  }
  std::unordered_map<std::string, size_t> seen;
  for (size_t i = 0; i < variations.size(); ++i) {
    const VariationCounts& v = variations[i];
    if (v.id.empty()) return Problem(ErrorCode::kWrongArgumentType, Pointer(i, "id"), "id cannot be empty.");
    auto [it, inserted] = seen.emplace(v.id, i);
    if (!inserted) {
      return Problem(ErrorCode::kDuplicateId, Pointer(i, "id"),
                     "Variation id \"" + v.id + "\" is already used by variation " + std::to_string(it->second) +
                         ".");
    }
    if (v.users < 0) {
      return Problem(ErrorCode::kWrongArgumentType, Pointer(i, "users"),
                     "users (" + std::to_string(v.users) + ") cannot be negative.");
    }
    if (v.conversions < 0) {
      return Problem(ErrorCode::kWrongArgumentType, Pointer(i, "conversions"),
                     "conversions (" + std::to_string(v.conversions) + ") cannot be negative.");
    }
    if (v.conversions > v.users) {
      return Problem(ErrorCode::kWrongArgumentType, Pointer(i, "conversions"),
                     "conversions (" + std::to_string(v.conversions) + ") cannot exceed users (" +
                         std::to_string(v.users) + ").");
    }
  }
  if (variations.size() < 2) {
    return Problem(ErrorCode::kWrongArgumentCount, "/variations",
                   "A comparison needs at least 2 variations (the first is the control); got " +
                       std::to_string(variations.size()) + ".");
  }

  ExperimentReport report;
  report.confidence = confidence;
  report.min_conversions = min_conversions;
  const double z = NormalQuantile((1 + confidence) / 2);
  const double alpha = 1 - confidence;
  for (const VariationCounts& v : variations) {
    VariationResult r;
    r.id = v.id;
    r.users = v.users;
    r.conversions = v.conversions;
    r.rate = v.users > 0 ? static_cast<double>(v.conversions) / static_cast<double>(v.users) : 0;
    const Interval ci = Wilson(v.conversions, v.users, z);
    r.ci_low = ci.low;
    r.ci_high = ci.high;
    report.variations.push_back(std::move(r));
  }

  const VariationResult& control = report.variations[0];
  const Interval control_ci{control.ci_low, control.ci_high};
  const double p1 = control.rate;
  const double n1 = static_cast<double>(control.users);
  const VariationResult* best = nullptr;
  for (size_t i = 1; i < report.variations.size(); ++i) {
    VariationResult& r = report.variations[i];
    if (control.users == 0 || r.users == 0) continue;
    const double p2 = r.rate;
    const double n2 = static_cast<double>(r.users);
    const double diff = p2 - p1;
    r.diff = diff;
    if (p1 > 0) r.uplift = diff / p1;
    // Newcombe's hybrid score interval: each side's distance to its own
    // Wilson bound, combined in quadrature.
    r.diff_ci_low = diff - std::sqrt((p2 - r.ci_low) * (p2 - r.ci_low) +
                                     (control_ci.high - p1) * (control_ci.high - p1));
    r.diff_ci_high = diff + std::sqrt((r.ci_high - p2) * (r.ci_high - p2) +
                                      (p1 - control_ci.low) * (p1 - control_ci.low));
    // Pooled z-test. The pooled standard error is 0 only when both rates are
    // 0 or both are 1: no difference at all.
    const double pooled = static_cast<double>(control.conversions + r.conversions) / (n1 + n2);
    const double se_pooled = std::sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
    r.p_value = se_pooled > 0 ? std::erfc(std::fabs(diff / se_pooled) / kSqrt2) : 1.0;
    // Uniform prior: Beta(1 + conversions, 1 + non-conversions) per side.
    const auto alpha_of = [](const VariationResult& v) { return 1 + static_cast<double>(v.conversions); };
    const auto beta_of = [](const VariationResult& v) {
      return 1 + static_cast<double>(v.users - v.conversions);
    };
    r.chance_to_beat_control = BetaChanceToBeat(alpha_of(r), beta_of(r), alpha_of(control), beta_of(control));
    r.significant = *r.p_value < alpha;
    r.enough_data = control.conversions + r.conversions >= min_conversions;
    if (r.significant && *r.enough_data && diff > 0 && (best == nullptr || p2 > best->rate)) best = &r;
  }
  if (best != nullptr) report.winner = best->id;
  return report;
}

Result<ExperimentReport> ParseAndCompare(const json& input) {
  if (!input.is_object()) {
    return Problem(ErrorCode::kInvalidRule, "",
                   "The input must be an object {\"variations\": [...], \"confidence\": 0.95}.");
  }
  for (const auto& [key, value] : input.items()) {
    if (key != "variations" && key != "confidence" && key != "minConversions") {
      return Problem(ErrorCode::kInvalidRule, JoinPointer("", key),
                     "Unknown field \"" + key + "\" (expected variations, confidence and minConversions).");
    }
  }
  double confidence = 0.95;
  if (input.contains("confidence")) {
    const json& c = input.at("confidence");
    if (!c.is_number()) {
      return Problem(ErrorCode::kWrongArgumentType, "/confidence",
                     "confidence must be a number such as 0.95, not " +
                         c.dump(-1, ' ', false, json::error_handler_t::replace) + ".");
    }
    confidence = c.get<double>();
    if (std::optional<Error> e = CheckConfidence(confidence)) return *e;
  }
  int64_t min_conversions = kDefaultMinConversions;
  if (input.contains("minConversions")) {
    Result<int64_t> n = ReadCount(input.at("minConversions"), "/minConversions", "minConversions");
    if (!n.ok()) return n.error();
    min_conversions = n.value();
  }
  if (!input.contains("variations")) {
    return Problem(ErrorCode::kInvalidRule, "/variations", "The input has no \"variations\" array.");
  }
  const json& list = input.at("variations");
  if (!list.is_array()) {
    return Problem(ErrorCode::kWrongArgumentType, "/variations",
                   "variations must be an array of {\"id\", \"users\", \"conversions\"}.");
  }
  std::vector<VariationCounts> counts;
  counts.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    Result<VariationCounts> v = ReadVariation(list[i], i);
    if (!v.ok()) return v.error();
    counts.push_back(std::move(v).value());
  }
  return CompareVariations(counts, confidence, min_conversions);
}

json ReportToJson(const ExperimentReport& report) {
  // Filled field by field: an initializer list decides at run time whether it
  // is an object, which is much more code for the same (sorted) object.
  const auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  json variations = json::array();
  for (const VariationResult& r : report.variations) {
    json v = json::object();
    v["id"] = r.id;
    v["users"] = r.users;
    v["conversions"] = r.conversions;
    v["rate"] = r.rate;
    v["ciLow"] = r.ci_low;
    v["ciHigh"] = r.ci_high;
    v["uplift"] = opt(r.uplift);
    v["diff"] = opt(r.diff);
    v["diffCiLow"] = opt(r.diff_ci_low);
    v["diffCiHigh"] = opt(r.diff_ci_high);
    v["pValue"] = opt(r.p_value);
    v["chanceToBeatControl"] = opt(r.chance_to_beat_control);
    v["significant"] = r.significant;
    v["enoughData"] = r.enough_data ? json(*r.enough_data) : json(nullptr);
    variations.push_back(std::move(v));
  }
  json out = json::object();
  out["confidence"] = report.confidence;
  out["minConversions"] = report.min_conversions;
  out["variations"] = std::move(variations);
  out["winner"] = report.winner;
  return out;
}

}  // namespace tagwise
