// Writes the binary hints file (format: recommend/hints_format.h). Offline
// only: the page module decodes hints (recommend/hints_decode.cpp) but never
// builds them.
#include <algorithm>
#include <cmath>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "recommend/hints_format.h"
#include "tagwise/hints.h"
#include "tagwise/store.h"

namespace tagwise {
namespace {

using namespace internal::hints_format;

// ---- writing ----

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutZigzag(int64_t v, std::string* out) {
  PutVarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63), out);
}

void PutFixed(uint64_t v, int bytes, std::string* out) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void PutString(std::string_view s, std::string* out) {
  PutVarint(s.size(), out);
  out->append(s);
}

void PutSection(Section id, const std::string& body, std::string* out) {
  PutVarint(id, out);
  PutVarint(body.size(), out);
  out->append(body);
}

// Whole cents when the price is exactly cents / 100.0 (the decoder computes
// that same expression); nullopt when only the raw bits reproduce it.
std::optional<uint64_t> WholeCents(double price) {
  if (!(price >= 0 && price < 1e15)) return std::nullopt;
  const auto cents = static_cast<uint64_t>(std::llround(price * 100));
  const double back = static_cast<double>(cents) / 100.0;
  if (BitsOf(back) != BitsOf(price)) return std::nullopt;
  return cents;
}

std::string EncodeHeader(const Hints& h) {
  std::string b;
  PutString(h.catalog_version, &b);
  PutZigzag(h.built_at, &b);
  PutZigzag(h.data_from, &b);
  PutZigzag(h.data_to, &b);
  PutVarint(h.users, &b);
  PutVarint(h.interactions, &b);
  PutFixed(BitsOf(h.similarity_alpha), 8, &b);
  PutZigzag(h.trending_window_ms, &b);
  PutVarint(h.items.size(), &b);
  PutVarint(h.trending.size(), &b);
  return b;
}

std::string EncodeItems(const Hints& h) {
  std::vector<std::string_view> categories;
  for (const HintItem& item : h.items) {
    if (!item.category.empty()) categories.push_back(item.category);
  }
  std::sort(categories.begin(), categories.end());
  categories.erase(std::unique(categories.begin(), categories.end()), categories.end());
  std::string b;
  PutVarint(categories.size(), &b);
  for (std::string_view c : categories) PutString(c, &b);
  std::string_view prev;
  for (const HintItem& item : h.items) {
    const size_t limit = std::min(prev.size(), item.id.size());
    size_t shared = 0;
    while (shared < limit && prev[shared] == item.id[shared]) ++shared;
    PutVarint(shared, &b);
    PutString(std::string_view(item.id).substr(shared), &b);
    prev = item.id;
    PutString(item.name, &b);
    PutVarint(item.category.empty()
                  ? 0
                  : std::lower_bound(categories.begin(), categories.end(), item.category) - categories.begin() + 1,
              &b);
    const std::optional<uint64_t> cents = WholeCents(item.price);
    const uint32_t kind = item.price < 0 ? kNoPrice : cents ? kCents : kBits;
    PutVarint((item.available ? 1u : 0u) | kind << 1, &b);
    if (kind == kCents) PutVarint(*cents, &b);
    if (kind == kBits) PutFixed(BitsOf(item.price), 8, &b);
    PutVarint(item.buyers, &b);
    PutVarint(item.baskets, &b);
    PutVarint(item.recent, &b);
    PutVarint(item.previous, &b);
  }
  return b;
}

// Segment entries sorted by item, as gap-coded (gap, count) pairs.
void PutGapCoded(std::vector<RankedEntry> entries, std::string* b) {
  std::sort(entries.begin(), entries.end(), [](const RankedEntry& x, const RankedEntry& y) { return x.item < y.item; });
  uint64_t next = 0;
  for (const RankedEntry& e : entries) {
    PutVarint(e.item - next, b);
    PutVarint(e.count, b);
    next = uint64_t{e.item} + 1;
  }
}

// One stored pair {a < b} of a link table: which directions exist, and the
// count both directions share (co and tog are symmetric).
struct LinkPair {
  uint32_t item = 0;  // b
  uint32_t count = 0;
  uint32_t dirs = 0;  // kForward: a -> b, kBackward: b -> a
};

// Every link, stored once per pair: on the retail data 49% of the neighbour
// links and 66% of the together links are mutual, and a mutual link then
// costs one gap and one count instead of two of each.
std::string EncodeLinks(const Hints& h, std::span<const ItemLink> (Hints::*links_of)(uint32_t) const) {
  const auto n = static_cast<uint32_t>(h.items.size());
  std::vector<std::vector<LinkPair>> pairs(n);  // by the smaller item
  for (uint32_t i = 0; i < n; ++i) {
    for (const ItemLink& l : (h.*links_of)(i)) {
      if (l.item >= n || l.item == i) continue;
      if (l.item > i) {
        pairs[i].push_back({l.item, l.count, kForward});
      } else {
        pairs[l.item].push_back({i, l.count, kBackward});
      }
    }
  }
  for (std::vector<LinkPair>& list : pairs) {
    std::sort(list.begin(), list.end(), [](const LinkPair& x, const LinkPair& y) { return x.item < y.item; });
    size_t out = 0;
    for (size_t k = 0; k < list.size(); ++k) {
      if (out > 0 && list[out - 1].item == list[k].item) {
        list[out - 1].dirs |= list[k].dirs;
      } else {
        list[out++] = list[k];
      }
    }
    list.resize(out);
  }
  std::vector<uint32_t> sizes(n, 0);
  for (uint32_t a = 0; a < n; ++a) {
    for (const LinkPair& p : pairs[a]) {
      if ((p.dirs & kForward) != 0) ++sizes[a];
      if ((p.dirs & kBackward) != 0) ++sizes[p.item];
    }
  }
  std::string b;
  for (uint32_t size : sizes) PutVarint(size, &b);
  for (uint32_t a = 0; a < n; ++a) {
    PutVarint(pairs[a].size(), &b);
    uint64_t next = uint64_t{a} + 1;
    for (const LinkPair& p : pairs[a]) {
      PutVarint((p.item - next) * 3 + (p.dirs - 1), &b);
      PutVarint(p.count, &b);
      next = uint64_t{p.item} + 1;
    }
  }
  return b;
}

std::string EncodeSegments(const Hints& h) {
  std::vector<std::string_view> keys;
  for (const SegmentList& s : h.segments) keys.push_back(s.key);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::string b;
  PutVarint(keys.size(), &b);
  for (std::string_view k : keys) PutString(k, &b);
  PutVarint(h.segments.size(), &b);
  for (const SegmentList& s : h.segments) {
    PutVarint(std::lower_bound(keys.begin(), keys.end(), s.key) - keys.begin(), &b);
    PutString(s.value, &b);
    PutVarint(s.users, &b);
    PutVarint(s.items.size(), &b);
    PutGapCoded(s.items, &b);
  }
  return b;
}


}  // namespace

std::string EncodeHints(const Hints& hints) {
  std::string payload;
  PutSection(kHeader, EncodeHeader(hints), &payload);
  PutSection(kItems, EncodeItems(hints), &payload);
  PutSection(kNeighbours, EncodeLinks(hints, &Hints::NeighboursOf), &payload);
  PutSection(kTogether, EncodeLinks(hints, &Hints::TogetherWith), &payload);
  PutSection(kSegments, EncodeSegments(hints), &payload);
  std::string out(kMagic);
  PutFixed(kHintsFormatVersion, 4, &out);
  PutFixed(payload.size(), 4, &out);
  PutFixed(Crc32(payload), 4, &out);
  return out + payload;
}

}  // namespace tagwise
