#include "tagwise/experiments.h"

#include <string>

#include "tagwise/utf8.h"

namespace tagwise {

uint32_t Fnv1a32Utf16(std::string_view utf8) {
  uint32_t h = 0x811c9dc5u;
  const auto mix = [&h](uint32_t unit) {
    h ^= unit;
    h *= 0x01000193u;  // the FNV prime; GrowthBook adds the shifted copies, the same mod 2^32
  };
  for (size_t i = 0; i < utf8.size();) {
    // A malformed byte is U+FFFD, as in a JavaScript string built by TextDecoder.
    const uint32_t cp = DecodeUtf8OrReplacement(utf8, &i);
    if (cp < 0x10000) {
      mix(cp);
    } else {
      mix(0xD800 + ((cp - 0x10000) >> 10));
      mix(0xDC00 + ((cp - 0x10000) & 0x3FF));
    }
  }
  return h;
}

std::optional<double> ExperimentHash(std::string_view seed, std::string_view value, int version) {
  if (version == 2) {
    const uint32_t inner = Fnv1a32Utf16(std::string(seed) + std::string(value));
    return static_cast<double>(Fnv1a32Utf16(std::to_string(inner)) % 10000) / 10000;
  }
  if (version == 1) return static_cast<double>(Fnv1a32Utf16(std::string(value) + std::string(seed)) % 1000) / 1000;
  return std::nullopt;
}

std::vector<BucketRange> BucketRanges(int variations, double coverage, std::span<const double> weights) {
  if (coverage < 0) coverage = 0;
  else if (coverage > 1) coverage = 1;
  std::vector<double> equal(variations > 0 ? static_cast<size_t>(variations) : 0, variations > 0 ? 1.0 / variations : 0);
  std::span<const double> w = weights.empty() ? std::span<const double>(equal) : weights;
  if (w.size() != equal.size()) w = equal;
  double total = 0;
  for (double x : w) total += x;
  if (total < 0.99 || total > 1.01) w = equal;
  std::vector<BucketRange> out;
  out.reserve(w.size());
  double cumulative = 0;
  for (double x : w) {
    const double start = cumulative;
    cumulative += x;
    out.push_back({start, start + coverage * x});
  }
  return out;
}

int ChooseVariation(double n, std::span<const BucketRange> ranges) {
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (n >= ranges[i].start && n < ranges[i].end) return static_cast<int>(i);
  }
  return -1;
}

bool InNamespace(std::string_view hash_value, std::string_view namespace_id, double start, double end) {
  const std::optional<double> n = ExperimentHash("__" + std::string(namespace_id), hash_value, 1);
  return n && *n >= start && *n < end;
}

}  // namespace tagwise
