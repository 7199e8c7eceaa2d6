// GrowthBook-compatible bucketing across the wasm boundary (tw.experiments;
// core/include/tagwise/experiments.h). Conversion only: the JS side has
// checked the argument types, so these take numbers, strings and plain arrays.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "tagwise/json_text.h"
#include "results.h"
#include "tagwise/experiment_report.h"
#include "tagwise/experiments.h"

namespace tagwise::wasm {
namespace {

using emscripten::val;

// NaN stands for GrowthBook's null (an unknown hash version).
double Hash(const std::string& seed, const std::string& value, int version) {
  std::optional<double> h = ExperimentHash(seed, value, version);
  return h ? *h : std::numeric_limits<double>::quiet_NaN();
}

std::vector<BucketRange> RangesFrom(const val& ranges) {
  std::vector<BucketRange> out;
  const unsigned n = ranges["length"].as<unsigned>();
  out.reserve(n);
  for (unsigned i = 0; i < n; ++i) out.push_back({ranges[i][0].as<double>(), ranges[i][1].as<double>()});
  return out;
}

// weights: a JS array of numbers, or null/undefined for equal weights.
val Ranges(int variations, double coverage, const val& weights) {
  std::vector<double> w;
  if (!weights.isNull() && !weights.isUndefined()) w = emscripten::vecFromJSArray<double>(weights);
  val out = val::array();
  // An explicit empty list is not "no weights" in GrowthBook: it has the wrong
  // length, which also gives equal weights, so both read the same here.
  for (const BucketRange& r : BucketRanges(variations, coverage, w)) {
    val pair = val::array();
    pair.call<void>("push", r.start);
    pair.call<void>("push", r.end);
    out.call<void>("push", pair);
  }
  return out;
}

int Choose(double n, const val& ranges) {
  const std::vector<BucketRange> r = RangesFrom(ranges);
  return ChooseVariation(n, r);
}

bool Namespace(const std::string& hash_value, const std::string& id, double start, double end) {
  return InNamespace(hash_value, id, start, end);
}

// The console's comparison report: the input JSON text
// ({"variations": [{"id", "users", "conversions"}, ...], "confidence"?}) in,
// {"ok": true, "value": <ReportToJson>} or the error envelope (results.h) out.
std::string Report(const std::string& input_json) {
  return Guard([&] {
    Result<nlohmann::json> parsed = ParseJson(input_json, "experiment report input");
    if (!parsed.ok()) return FailureText({parsed.error()});
    Result<ExperimentReport> report = ParseAndCompare(parsed.value());
    if (!report.ok()) return FailureText({report.error()});
    return ObjectText().Add("ok", true).Add("value", ReportToJson(report.value())).Close();
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(tagwise_experiments) {
  emscripten::function("experimentHash", &Hash);
  emscripten::function("experimentBucketRanges", &Ranges);
  emscripten::function("experimentChooseVariation", &Choose);
  emscripten::function("experimentInNamespace", &Namespace);
  emscripten::function("experimentReport", &Report);
}

}  // namespace tagwise::wasm
