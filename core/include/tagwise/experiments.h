// Experiment bucketing compatible with GrowthBook (DESIGN.md section 7), so a
// shop can move an experiment between GrowthBook and tagwise and every user
// stays in the same variation. Each function reproduces its namesake in
// GrowthBook's JavaScript SDK (src/util.ts) bit for bit, including how it
// treats out-of-range input, and tests/js/experiments_growthbook.test.mjs
// checks that against the real @growthbook/growthbook package.
//
// Strings are hashed as JavaScript sees them: as UTF-16 code units
// (String.prototype.charCodeAt), so Chinese ids and emoji hash alike in the
// browser, in Node and natively. Text arrives here as UTF-8; invalid UTF-8
// bytes count as U+FFFD (what TextEncoder makes of a lone surrogate).
#ifndef TAGWISE_EXPERIMENTS_H_
#define TAGWISE_EXPERIMENTS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace tagwise {

// 32-bit FNV-1a over the UTF-16 code units of `utf8` (GrowthBook's hashFnv32a).
uint32_t Fnv1a32Utf16(std::string_view utf8);

// GrowthBook's hash(seed, value, version): version 1 = (fnv(value + seed) %
// 1000) / 1000 (the original, biased one); version 2 = (fnv(decimal text of
// fnv(seed + value)) % 10000) / 10000. Any other version: nullopt.
std::optional<double> ExperimentHash(std::string_view seed, std::string_view value, int version);

// A variation's share of the hash space: [start, end).
struct BucketRange {
  double start = 0;
  double end = 0;
};

// GrowthBook's getBucketRanges: coverage is clamped to [0, 1]; weights of the
// wrong length, or summing outside [0.99, 1.01], are replaced by equal
// weights; range i starts where the weights before it end and covers
// coverage * weights[i]. Fewer than one variation gives no ranges.
std::vector<BucketRange> BucketRanges(int variations, double coverage, std::span<const double> weights);

// The first range with start <= n < end, or -1 (GrowthBook's chooseVariation).
int ChooseVariation(double n, std::span<const BucketRange> ranges);

// GrowthBook's inNamespace: hash("__" + id, hash_value, 1) in [start, end).
bool InNamespace(std::string_view hash_value, std::string_view namespace_id, double start, double end);

}  // namespace tagwise

#endif  // TAGWISE_EXPERIMENTS_H_
