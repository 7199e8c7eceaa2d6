// FNV-1a 64: a content hash that is the same natively and in wasm (std::hash
// is not, and differs between libstdc++ and libc++), so what it names --
// derived event ids, catalog fingerprints -- persists across both.
#ifndef TAGWISE_CORE_SRC_COMMON_FNV_H_
#define TAGWISE_CORE_SRC_COMMON_FNV_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace tagwise::internal {

// The standard 64-bit offset basis and prime.
inline constexpr uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ULL;
inline constexpr uint64_t kFnvPrime = 1099511628211ULL;

// FNV-1a fed piece by piece: the same hash as over the concatenated text.
struct Fnv1a {
  uint64_t h = kFnvOffsetBasis;

  void Add(std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= kFnvPrime;
    }
  }
  void Add(char c) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnvPrime;
  }
  // 16 lowercase hex digits.
  std::string Hex() const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(16, '0');
    uint64_t v = h;
    for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = kHex[v & 15];
    return out;
  }
};

// 16 lowercase hex digits.
inline std::string Fnv1aHex(std::string_view s, uint64_t basis = kFnvOffsetBasis) {
  Fnv1a f{basis};
  f.Add(s);
  return f.Hex();
}

}  // namespace tagwise::internal

#endif  // TAGWISE_CORE_SRC_COMMON_FNV_H_
