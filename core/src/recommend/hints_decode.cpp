// Reads the binary hints file (format: recommend/hints_format.h) and checks
// every number against what a built file can hold.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <tuple>

#include "common/js_value.h"
#include "recommend/hints_format.h"
#include "recommend/hints_internal.h"
#include "tagwise/hints.h"
#include "tagwise/limits.h"
#include "tagwise/store.h"

namespace tagwise {
namespace {

using namespace internal::hints_format;

// Bounds-checked reads over one section; every read fails (false) rather
// than run past the end.
class Reader {
 public:
  explicit Reader(std::string_view bytes)
      : p_(reinterpret_cast<const uint8_t*>(bytes.data())), end_(p_ + bytes.size()) {}

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }

  // Inlined one-byte case: most gaps and counts are below 128, and the
  // decoder reads a few hundred thousand of them on page load.
  bool Varint(uint64_t* v) {
    if (p_ != end_ && *p_ < 0x80) {
      *v = *p_++;
      return true;
    }
    return LongVarint(v);
  }

  bool U32(uint32_t* v) {
    uint64_t x = 0;
    if (!Varint(&x) || x > std::numeric_limits<uint32_t>::max()) return false;
    *v = static_cast<uint32_t>(x);
    return true;
  }

  bool Zigzag(int64_t* v) {
    uint64_t x = 0;
    if (!Varint(&x)) return false;
    *v = static_cast<int64_t>((x >> 1) ^ (~(x & 1) + 1));
    return true;
  }

  bool Fixed64(uint64_t* v) {
    if (remaining() < 8) return false;
    uint64_t x = 0;
    for (int i = 0; i < 8; ++i) x |= uint64_t{p_[i]} << (8 * i);
    p_ += 8;
    *v = x;
    return true;
  }

  bool Bytes(size_t n, std::string_view* out) {
    if (remaining() < n) return false;
    *out = std::string_view(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return true;
  }

  // A length-prefixed string of at most `max` bytes.
  bool String(size_t max, std::string_view* out) {
    uint64_t n = 0;
    return Varint(&n) && n <= max && Bytes(static_cast<size_t>(n), out);
  }

 private:
  bool LongVarint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return false;
      const uint8_t byte = *p_++;
      if (shift == 63 && byte > 1) return false;  // more than 64 bits
      result |= uint64_t{byte & 0x7Fu} << shift;
      if (byte < 0x80) {
        *v = result;
        return true;
      }
    }
    return false;
  }

  const uint8_t* p_;
  const uint8_t* end_;
};

uint32_t ReadU32Le(std::string_view b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v |= uint32_t{static_cast<uint8_t>(b[at + i])} << (8 * i);
  return v;
}

// Reads the payload into a Hints, validating every number against what a
// built file can hold. Each Read* returns false after setting error_.
class Decoder {
 public:
  Decoder(std::string_view payload, std::string_view expected_catalog)
      : outer_(payload), r_(std::string_view()), expected_(expected_catalog) {}

  Result<Hints> Run() {
    if (!Section(kHeader) || !ReadHeader()) return TakeError();
    if (!expected_.empty() && h_.catalog_version != expected_) {
      return Error{ErrorCode::kCatalogMismatch, "",
                   "the hints were built for catalogue \"" + h_.catalog_version + "\", not \"" +
                       std::string(expected_) + "\""};
    }
    if (!Section(kItems) || !ReadItems()) return TakeError();
    std::vector<uint32_t> buyers(n_), baskets(n_);
    for (size_t i = 0; i < n_; ++i) {
      buyers[i] = h_.items[i].buyers;
      baskets[i] = h_.items[i].baskets;
    }
    if (!Section(kNeighbours) ||
        !ReadLinks(buyers, h_.similarity_alpha, &h_.neighbour_offsets, &h_.neighbours)) {
      return TakeError();
    }
    if (!Section(kTogether) || !ReadLinks(baskets, kTogetherAlpha, &h_.together_offsets, &h_.together)) {
      return TakeError();
    }
    if (!Section(kSegments) || !ReadSegments()) return TakeError();
    if (outer_.remaining() != 0) {
      section_ = "";
      Fail("unexpected bytes after the last section");
      return TakeError();
    }
    internal::DeriveRankings(&h_, trending_size_);
    if (h_.trending.size() != trending_size_) {
      section_ = kSectionNames[kHeader];
      Fail("the trending size does not match the items' recent and previous counts");
      return TakeError();
    }
    return std::move(h_);
  }

 private:
  bool Fail(std::string what) {
    error_ = "the hints file is corrupt: " + (section_.empty() ? std::string() : "section \"" + section_ + "\": ") + what;
    return false;
  }
  bool Truncated() { return Fail("data ends early or a number is malformed"); }
  Error TakeError() { return Error{ErrorCode::kCorrupt, "", std::move(error_)}; }

  // Enters section `id`: checks its tag and length, and narrows reads to it
  // (each Read* checks that it consumed its whole section).
  bool Section(uint64_t id) {
    section_ = kSectionNames[id];
    uint64_t tag = 0, length = 0;
    std::string_view body;
    if (!outer_.Varint(&tag)) return Truncated();
    if (tag != id) return Fail("missing (found section tag " + std::to_string(tag) + ")");
    if (!outer_.Varint(&length) || length > outer_.remaining() || !outer_.Bytes(static_cast<size_t>(length), &body)) {
      return Truncated();
    }
    r_ = Reader(body);
    return true;
  }

  bool ReadHeader() {
    std::string_view catalog;
    uint64_t alpha_bits = 0, n = 0, trending = 0;
    if (!r_.String(internal::kMaxIdBytes, &catalog) || !r_.Zigzag(&h_.built_at) || !r_.Zigzag(&h_.data_from) ||
        !r_.Zigzag(&h_.data_to) || !r_.U32(&h_.users) || !r_.Varint(&h_.interactions) || !r_.Fixed64(&alpha_bits) ||
        !r_.Zigzag(&h_.trending_window_ms) || !r_.Varint(&n) || !r_.Varint(&trending)) {
      return Truncated();
    }
    if (!js::IsValidUtf8(catalog)) return Fail("the catalogue version is not valid UTF-8");
    h_.catalog_version = std::string(catalog);
    h_.similarity_alpha = DoubleOf(alpha_bits);
    if (!(h_.similarity_alpha >= 0 && h_.similarity_alpha <= 1)) return Fail("similarity_alpha is not in [0, 1]");
    if (h_.data_from > h_.data_to) return Fail("data_from is after data_to");
    if (h_.trending_window_ms < 0) return Fail("trending_window_ms is negative");
    // Every item takes at least 9 bytes in the items section, so a count the
    // payload cannot hold is caught before anything is allocated for it.
    if (n > outer_.remaining() / 9) return Fail("the item count " + std::to_string(n) + " does not fit the file");
    if (trending > n) return Fail("the trending size exceeds the item count");
    n_ = static_cast<size_t>(n);
    trending_size_ = static_cast<size_t>(trending);
    return r_.remaining() == 0 || Fail("unexpected bytes at the end");
  }

  bool ReadText(size_t max, std::string_view what, std::string* out) {
    std::string_view s;
    if (!r_.String(max, &s)) return Truncated();
    if (!js::IsValidUtf8(s)) return Fail(std::string(what) + " is not valid UTF-8");
    out->assign(s);
    return true;
  }

  // A table of distinct, sorted, non-empty UTF-8 names of at most `max`
  // bytes (categories, segment keys).
  bool ReadTable(std::string_view what, size_t max, std::vector<std::string>* table) {
    uint64_t count = 0;
    if (!r_.Varint(&count)) return Truncated();
    if (count > r_.remaining()) return Fail(std::string(what) + " table is longer than the section");
    table->resize(static_cast<size_t>(count));
    for (size_t k = 0; k < table->size(); ++k) {
      std::string_view s;
      if (!r_.String(max, &s)) return Truncated();
      if (s.empty() || !js::IsValidUtf8(s)) return Fail(std::string(what) + " " + std::to_string(k) + " is not usable");
      if (k > 0 && !((*table)[k - 1] < s)) return Fail(std::string(what) + " table is not sorted");
      (*table)[k].assign(s);
    }
    return true;
  }

  bool ReadItemId(const std::string& prev, std::string* id) {
    uint64_t shared = 0;
    std::string_view rest;
    if (!r_.Varint(&shared) || !r_.String(internal::kMaxIdBytes, &rest)) return Truncated();
    if (shared > prev.size()) return Fail("an item id shares more bytes than the previous id has");
    id->reserve(shared + rest.size());
    id->assign(prev, 0, shared);
    id->append(rest);
    if (internal::CheckId(*id, "", "the item id")) return Fail("item id \"" + *id + "\" is not usable");
    if (!(prev < *id)) return Fail("item ids are not sorted");
    return true;
  }

  bool ReadPrice(uint32_t kind, double* price) {
    if (kind == kNoPrice) {
      *price = -1;
    } else if (kind == kCents) {
      uint64_t cents = 0;
      if (!r_.Varint(&cents)) return Truncated();
      *price = static_cast<double>(cents) / 100.0;
    } else {
      uint64_t bits = 0;
      if (!r_.Fixed64(&bits)) return Truncated();
      *price = DoubleOf(bits);
      if (!(*price >= 0 && std::isfinite(*price))) return Fail("a price is negative or not finite");
    }
    return true;
  }

  bool ReadItems() {
    std::vector<std::string> categories;
    if (!ReadTable("category", internal::kMaxTextBytes, &categories)) return false;
    h_.items.resize(n_);
    uint64_t buyers_sum = 0;
    for (size_t i = 0; i < n_; ++i) {
      HintItem& item = h_.items[i];
      uint64_t category = 0, flags = 0;
      if (!ReadItemId(i > 0 ? h_.items[i - 1].id : std::string(), &item.id) ||
          !ReadText(internal::kMaxTextBytes, "a name", &item.name)) {
        return false;
      }
      if (!r_.Varint(&category) || !r_.Varint(&flags)) return Truncated();
      if (category > categories.size()) return Fail("a category index is out of range");
      if (category > 0) item.category = categories[category - 1];
      if (flags > (kBits << 1 | 1)) return Fail("unknown item flags");
      item.available = (flags & 1) != 0;
      if (!ReadPrice(static_cast<uint32_t>(flags >> 1), &item.price)) return false;
      if (!r_.U32(&item.buyers) || !r_.U32(&item.baskets) || !r_.U32(&item.recent) || !r_.U32(&item.previous)) {
        return Truncated();
      }
      if (item.buyers > h_.users || item.baskets < item.buyers || item.recent > item.buyers ||
          item.previous > item.buyers) {
        return Fail("item \"" + item.id + "\" has implausible counts");
      }
      buyers_sum += item.buyers;
    }
    if (buyers_sum != h_.interactions) return Fail("the buyers do not add up to the interactions");
    return r_.remaining() == 0 || Fail("unexpected bytes at the end");
  }

  // One gap-coded item index after `*next` (the smallest index still allowed).
  bool ReadIndex(uint64_t* next, uint32_t* item) {
    uint64_t gap = 0;
    if (!r_.Varint(&gap)) return Truncated();
    if (gap >= n_ || *next + gap >= n_) return Fail("an item index is out of range");
    *item = static_cast<uint32_t>(*next + gap);
    *next = uint64_t{*item} + 1;
    return true;
  }

  // Reads the list sizes, then the pairs, writing each link straight into
  // its list's slot; then scores and orders each list.
  bool ReadLinks(const std::vector<uint32_t>& totals, double alpha, std::vector<uint32_t>* offsets,
                 std::vector<ItemLink>* links) {
    offsets->assign(n_ + 1, 0);
    for (size_t i = 0; i < n_; ++i) {
      uint64_t size = 0;
      if (!r_.Varint(&size)) return Truncated();
      // A pair takes at least 2 bytes and gives at most 2 links.
      if (size > r_.remaining() || (*offsets)[i] + size > r_.remaining()) return Fail("the lists do not fit the section");
      (*offsets)[i + 1] = static_cast<uint32_t>((*offsets)[i] + size);
    }
    links->resize((*offsets)[n_]);
    std::vector<uint32_t> fill(offsets->begin(), offsets->end() - 1);
    const auto put = [&](uint32_t from, uint32_t to, uint32_t count) {
      if (fill[from] == (*offsets)[from + 1]) return Fail("a list has more links than its size");
      (*links)[fill[from]++] = ItemLink{to, count, 0};
      return true;
    };
    for (uint32_t a = 0; a < n_; ++a) {
      uint64_t count = 0;
      if (!r_.Varint(&count)) return Truncated();
      if (count > r_.remaining() / 2) return Fail("a pair list does not fit the section");
      uint64_t next = uint64_t{a} + 1;
      for (uint64_t k = 0; k < count; ++k) {
        uint64_t code = 0;
        uint32_t c = 0;
        if (!r_.Varint(&code) || !r_.U32(&c)) return Truncated();
        const uint64_t gap = code / 3;
        const auto dirs = static_cast<uint32_t>(code % 3 + 1);
        if (gap >= n_ || next + gap >= n_) return Fail("an item index is out of range");
        const auto b = static_cast<uint32_t>(next + gap);
        next = uint64_t{b} + 1;
        if (c == 0 || c > std::min(totals[a], totals[b])) return Fail("a link count is implausible");
        if ((dirs & kForward) != 0 && !put(a, b, c)) return false;
        if ((dirs & kBackward) != 0 && !put(b, a, c)) return false;
      }
    }
    for (size_t i = 0; i < n_; ++i) {
      if (fill[i] != (*offsets)[i + 1]) return Fail("a list has fewer links than its size");
    }
    ItemLink* const out = links->data();
    for (uint32_t i = 0; i < n_; ++i) {
      ItemLink* const begin = out + (*offsets)[i];
      ItemLink* const end = out + (*offsets)[i + 1];
      for (ItemLink* l = begin; l != end; ++l) l->score = internal::CoScore(l->count, totals[i], totals[l->item], alpha);
      // Each list is in index order here (pairs arrive by smaller item, then
      // by larger), so a stable sort by score gives (score desc, index asc)
      // with a cheaper comparison than the two-key one.
      std::stable_sort(begin, end, [](const ItemLink& x, const ItemLink& y) { return x.score > y.score; });
    }
    return r_.remaining() == 0 || Fail("unexpected bytes at the end");
  }

  bool ReadSegment(const std::vector<std::string>& keys, const SegmentList* prev, SegmentList* s) {
    uint64_t key = 0, count = 0;
    std::string_view value;
    if (!r_.Varint(&key) || !r_.String(internal::kMaxIdBytes, &value) || !r_.U32(&s->users) || !r_.Varint(&count)) {
      return Truncated();
    }
    if (key >= keys.size()) return Fail("a key index is out of range");
    if (internal::CheckId(value, "", "the value")) return Fail("a segment value is not usable");
    s->key = keys[key];
    s->value.assign(value);
    if (prev != nullptr && !(std::tie(prev->key, prev->value) < std::tie(s->key, s->value))) {
      return Fail("segments are not sorted by (key, value)");
    }
    if (s->users == 0 || s->users > h_.users) return Fail("a segment's user count is implausible");
    if (count > std::min<uint64_t>(n_, r_.remaining() / 2)) return Fail("a segment's item count does not fit");
    s->items.resize(static_cast<size_t>(count));
    uint64_t next = 0;
    for (RankedEntry& e : s->items) {
      if (!ReadIndex(&next, &e.item)) return false;
      if (!r_.U32(&e.count)) return Truncated();
      if (e.count == 0 || e.count > std::min(s->users, h_.items[e.item].buyers)) {
        return Fail("a segment item count is implausible");
      }
    }
    internal::SortSegmentItems(h_.items, s->items);
    return true;
  }

  bool ReadSegments() {
    std::vector<std::string> keys;
    if (!ReadTable("key", internal::kMaxIdBytes, &keys)) return false;
    uint64_t count = 0;
    if (!r_.Varint(&count)) return Truncated();
    if (count > r_.remaining() / 4) return Fail("the segment count does not fit the section");  // 4 bytes each at least
    h_.segments.resize(static_cast<size_t>(count));
    for (size_t k = 0; k < h_.segments.size(); ++k) {
      if (!ReadSegment(keys, k > 0 ? &h_.segments[k - 1] : nullptr, &h_.segments[k])) return false;
    }
    return r_.remaining() == 0 || Fail("unexpected bytes at the end");
  }

  Reader outer_;  // the whole payload, section by section
  Reader r_;      // the current section
  std::string_view expected_;
  std::string section_;
  std::string error_;
  Hints h_;
  size_t n_ = 0;
  size_t trending_size_ = 0;
};

}  // namespace

Result<Hints> DecodeHints(std::string_view bytes, std::string_view expected_catalog_version, size_t max_bytes) {
  if (auto too_large = CheckInputBytes(bytes.size(), max_bytes, "hints file")) return std::move(*too_large);
  const auto corrupt = [](std::string what) {
    return Error{ErrorCode::kCorrupt, "", "the hints file is corrupt: " + std::move(what)};
  };
  if (bytes.size() < kMagic.size() || bytes.substr(0, kMagic.size()) != kMagic) {
    return corrupt("it does not start with \"TWHINTS\" (not a tagwise hints file)");
  }
  if (bytes.size() < kFixedHeaderBytes) return corrupt("the file header is truncated");
  const uint32_t version = ReadU32Le(bytes, 8);
  if (version > kHintsFormatVersion) {
    return Error{ErrorCode::kUnsupportedVersion, "",
                 "the hints file has format version " + std::to_string(version) + "; this tagwise reads up to " +
                     std::to_string(kHintsFormatVersion)};
  }
  if (version == 0) return corrupt("format version 0 does not exist");
  const std::string_view payload = bytes.substr(kFixedHeaderBytes);
  const uint32_t length = ReadU32Le(bytes, 12);
  if (length != payload.size()) {
    return corrupt("the header says " + std::to_string(length) + " payload bytes but the file has " +
                   std::to_string(payload.size()) + (length > payload.size() ? " (truncated)" : ""));
  }
  if (Crc32(payload) != ReadU32Le(bytes, 16)) return corrupt("the CRC-32 of the payload does not match");
  return Decoder(payload, expected_catalog_version).Run();
}

}  // namespace tagwise
