// Reading whole numbers from untrusted JSON: shared by the ledger and the
// offer definitions, which both take times and counts as JSON numbers.
#ifndef TAGWISE_CORE_SRC_COMMON_JSON_INTEGRAL_H_
#define TAGWISE_CORE_SRC_COMMON_JSON_INTEGRAL_H_

#include <cmath>
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

namespace tagwise {

// Reads an integral JSON number (integers, or floats with no fraction such as
// 3.0 or 1.7638e12, never 3.5) within [lo, hi].
inline std::optional<int64_t> Integral(const nlohmann::json& j, int64_t lo, int64_t hi) {
  if (j.is_number_unsigned()) {
    uint64_t u = j.get<uint64_t>();
    // nlohmann stores non-negative literals (0 too) as unsigned.
    if (u > static_cast<uint64_t>(hi) || static_cast<int64_t>(u) < lo) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (j.is_number_integer()) {
    int64_t v = j.get<int64_t>();
    if (v < lo || v > hi) return std::nullopt;
    return v;
  }
  if (j.is_number_float()) {
    double d = j.get<double>();
    if (!std::isfinite(d) || d != std::floor(d) || d < static_cast<double>(lo) || d > static_cast<double>(hi)) {
      return std::nullopt;
    }
    return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

}  // namespace tagwise

#endif  // TAGWISE_CORE_SRC_COMMON_JSON_INTEGRAL_H_
