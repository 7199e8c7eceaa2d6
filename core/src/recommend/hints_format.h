// The binary hints file (hints.h): a fixed header, then a CRC-checked payload
// of five sections in a fixed order, each `varint id, varint length, bytes`:
//   1 header:     catalog_version, built_at, data_from, data_to (zigzag),
//                 users, interactions, similarity_alpha (IEEE-754 bits, u64
//                 LE), trending_window_ms (zigzag), item count, trending size
//   2 items:      category table; per item (in id order): id as (bytes shared
//                 with the previous id, rest), name, category (0 = none, else
//                 table index + 1), flags (bit 0 available, bits 1-2 price
//                 kind: none / whole cents / IEEE bits), price, buyers,
//                 baskets, recent, previous
//   3 neighbours: per item its list size; then per item a, the pairs {a, b}
//                 with b > a and a link in either direction, in index order:
//                 (gap * 3 + directions - 1, count), gap = b - previous b - 1
//                 (the first previous b is a), directions 1 = a -> b,
//                 2 = b -> a, 3 = both (co and tog are symmetric)
//   4 together:   the same
//   5 segments:   key table; segment count; per segment: key index, value,
//                 users, entry count, then (gap, count) pairs in index order
// Strings are `varint length, bytes`; numbers unsigned LEB128 varints. Scores
// are not stored: they are recomputed from the counts with the builder's own
// function (CoScore), so decoded hints equal the built ones exactly, and lists
// stored in index order compress better than lists in score order.
//
// This header holds what the writer (offline/hints_encode.cpp, linked only by
// the hint builder's programs) and the reader (hints_decode.cpp, in the page
// module) must agree on.
#ifndef TAGWISE_CORE_SRC_RECOMMEND_HINTS_FORMAT_H_
#define TAGWISE_CORE_SRC_RECOMMEND_HINTS_FORMAT_H_

#include <cstdint>
#include <cstddef>
#include <cstring>
#include <string_view>

namespace tagwise::internal::hints_format {

inline constexpr std::string_view kMagic = "TWHINTS\n";
inline constexpr size_t kFixedHeaderBytes = 8 + 4 + 4 + 4;  // magic, version, length, CRC
inline constexpr double kTogetherAlpha = 0.5;               // the together score is a plain cosine

enum Section : uint64_t { kHeader = 1, kItems = 2, kNeighbours = 3, kTogether = 4, kSegments = 5 };
inline constexpr const char* kSectionNames[] = {"", "header", "items", "neighbours", "together", "segments"};

// IEEE-754 bits of a double and back (std::bit_cast is missing from
// Emscripten 3.1.6's libc++).
inline uint64_t BitsOf(double d) {
  uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  return bits;
}

inline double DoubleOf(uint64_t bits) {
  double d = 0;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

enum PriceKind : uint32_t { kNoPrice = 0, kCents = 1, kBits = 2 };

// The directions a stored pair {a < b} of a link table has.
inline constexpr uint32_t kForward = 1;   // a -> b
inline constexpr uint32_t kBackward = 2;  // b -> a

}  // namespace tagwise::internal::hints_format

#endif  // TAGWISE_CORE_SRC_RECOMMEND_HINTS_FORMAT_H_
