// FNV-1a 64: a content hash that is the same natively and in wasm (std::hash
// is not, and differs between libstdc++ and libc++), so what it names --
// derived event ids, catalog fingerprints -- persists across both.
#ifndef TAGWISE_CORE_SRC_COMMON_FNV_H_
#define TAGWISE_CORE_SRC_COMMON_FNV_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace tagwise::internal {

// The standard 64-bit offset basis.
inline constexpr uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ULL;

// 16 lowercase hex digits.
inline std::string Fnv1aHex(std::string_view s, uint64_t basis = kFnvOffsetBasis) {
  uint64_t h = basis;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<size_t>(i)] = kHex[h & 15];
  return out;
}

}  // namespace tagwise::internal

#endif  // TAGWISE_CORE_SRC_COMMON_FNV_H_
