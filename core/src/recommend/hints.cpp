// Lookups on Hints, the derived rankings, and the debugging JSON form.
#include "tagwise/hints.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <utility>

#include "common/js_value.h"
#include "recommend/hints_internal.h"
#include "tagwise/answer.h"

namespace tagwise {
namespace {

using nlohmann::json;

// The links of `item` in a CSR table; empty for an unknown item or a table
// whose offsets do not fit (a Hints assembled by hand), never out of bounds.
std::span<const ItemLink> LinksOf(const std::vector<uint32_t>& offsets, const std::vector<ItemLink>& links,
                                  uint32_t item) {
  if (static_cast<size_t>(item) + 1 >= offsets.size()) return {};
  const uint32_t begin = offsets[item];
  const uint32_t end = offsets[item + 1];
  if (begin > end || end > links.size()) return {};
  return {links.data() + begin, end - begin};
}

const std::string& IdOf(const Hints& hints, uint32_t item) {
  static const std::string kUnknown;  // immutable: safe to share
  return item < hints.items.size() ? hints.items[item].id : kUnknown;
}

json LinksJson(const Hints& hints, const std::vector<uint32_t>& offsets, const std::vector<ItemLink>& links) {
  json out = json::object();
  for (uint32_t i = 0; i < hints.items.size(); ++i) {
    std::span<const ItemLink> list = LinksOf(offsets, links, i);
    if (list.empty()) continue;
    json arr = json::array();
    for (const ItemLink& l : list) arr.push_back({{"item", IdOf(hints, l.item)}, {"count", l.count}, {"score", l.score}});
    out[hints.items[i].id] = std::move(arr);
  }
  return out;
}

json RankedJson(const Hints& hints, const std::vector<RankedEntry>& entries) {
  json arr = json::array();
  for (const RankedEntry& e : entries) arr.push_back({{"item", IdOf(hints, e.item)}, {"count", e.count}});
  return arr;
}

json ItemJson(const HintItem& item) {
  return {{"id", item.id},
          {"name", item.name},
          {"category", item.category},
          {"price", item.price < 0 ? json(nullptr) : json(item.price)},
          {"available", item.available},
          {"buyers", item.buyers},
          {"baskets", item.baskets},
          {"recent", item.recent},
          {"previous", item.previous}};
}

}  // namespace

std::optional<uint32_t> Hints::Find(std::string_view id) const {
  auto it = std::lower_bound(items.begin(), items.end(), id,
                             [](const HintItem& a, std::string_view b) { return std::string_view(a.id) < b; });
  if (it == items.end() || it->id != id) return std::nullopt;
  return static_cast<uint32_t>(it - items.begin());
}

std::span<const ItemLink> Hints::NeighboursOf(uint32_t item) const {
  return LinksOf(neighbour_offsets, neighbours, item);
}

std::span<const ItemLink> Hints::TogetherWith(uint32_t item) const { return LinksOf(together_offsets, together, item); }

const SegmentList* Hints::Segment(std::string_view key, std::string_view value) const {
  const auto before = [](const SegmentList& s, std::pair<std::string_view, std::string_view> kv) {
    const int c = std::string_view(s.key).compare(kv.first);
    return c != 0 ? c < 0 : std::string_view(s.value) < kv.second;
  };
  auto it = std::lower_bound(segments.begin(), segments.end(), std::make_pair(key, value), before);
  if (it == segments.end() || it->key != key || it->value != value) return nullptr;
  return &*it;
}

json HintsToJson(const Hints& hints) {
  json items = json::array();
  for (const HintItem& item : hints.items) items.push_back(ItemJson(item));
  json segments = json::array();
  for (const SegmentList& s : hints.segments) {
    segments.push_back({{"key", s.key}, {"value", s.value}, {"users", s.users}, {"items", RankedJson(hints, s.items)}});
  }
  return {{"tagwise_hints", kHintsFormatVersion},
          {"catalog_version", hints.catalog_version},
          {"built_at", hints.built_at},
          {"data_from", hints.data_from},
          {"data_to", hints.data_to},
          {"users", hints.users},
          {"interactions", hints.interactions},
          {"similarity_alpha", hints.similarity_alpha},
          {"trending_window_ms", hints.trending_window_ms},
          {"items", std::move(items)},
          {"neighbours", LinksJson(hints, hints.neighbour_offsets, hints.neighbours)},
          {"together", LinksJson(hints, hints.together_offsets, hints.together)},
          {"popular", RankedJson(hints, hints.popular)},
          {"trending", RankedJson(hints, hints.trending)},
          {"segments", std::move(segments)}};
}

std::string HintsInfoText(const Hints& h) {
  return ObjectText()
      .Add("catalogVersion", h.catalog_version)
      .Add("items", h.items.size())
      .Add("users", h.users)
      .Add("interactions", h.interactions)
      .Add("links", h.neighbours.size() + h.together.size())
      .Add("segments", h.segments.size())
      .Add("trending", h.trending.size())
      .Add("builtAt", h.built_at)
      .Add("dataFrom", h.data_from)
      .Add("dataTo", h.data_to)
      .Close();
}

nlohmann::ordered_json HintsInfoJson(const Hints& h) {
  const size_t links = h.neighbours.size() + h.together.size();
  return {{"catalogVersion", h.catalog_version},
          {"items", h.items.size()},
          {"users", h.users},
          {"interactions", h.interactions},
          {"links", links},
          {"segments", h.segments.size()},
          {"trending", h.trending.size()},
          {"builtAt", h.built_at},
          {"dataFrom", h.data_from},
          {"dataTo", h.data_to}};
}

namespace internal {

double CoScore(uint32_t count, uint32_t total_i, uint32_t total_j, double alpha) {
  if (total_i == 0 || total_j == 0) return 0;
  if (alpha == 0.5) return count / std::sqrt(static_cast<double>(total_i) * static_cast<double>(total_j));
  return count / (std::pow(static_cast<double>(total_i), alpha) * std::pow(static_cast<double>(total_j), 1 - alpha));
}

void DeriveRankings(Hints* hints, size_t trending_size) {
  const std::vector<HintItem>& items = hints->items;
  std::vector<uint32_t> order(items.size());
  std::iota(order.begin(), order.end(), 0u);
  // Indexes follow the id order, so "id asc" is "index asc".
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return items[a].buyers != items[b].buyers ? items[a].buyers > items[b].buyers : a < b;
  });
  hints->popular.clear();
  hints->popular.reserve(order.size());
  for (uint32_t i : order) hints->popular.push_back({i, items[i].buyers});

  std::vector<RankedEntry> rising;
  for (uint32_t i = 0; i < items.size(); ++i) {
    if (items[i].recent > items[i].previous) rising.push_back({i, items[i].recent - items[i].previous});
  }
  const auto better = [&](const RankedEntry& a, const RankedEntry& b) {
    if (a.count != b.count) return a.count > b.count;
    if (items[a.item].recent != items[b.item].recent) return items[a.item].recent > items[b.item].recent;
    return a.item < b.item;
  };
  const size_t keep = std::min(trending_size, rising.size());
  std::partial_sort(rising.begin(), rising.begin() + static_cast<std::ptrdiff_t>(keep), rising.end(), better);
  rising.resize(keep);
  hints->trending = std::move(rising);
}

void SortSegmentItems(const std::vector<HintItem>& items, std::span<RankedEntry> entries) {
  std::sort(entries.begin(), entries.end(), [&](const RankedEntry& a, const RankedEntry& b) {
    if (a.count != b.count) return a.count > b.count;
    if (items[a.item].buyers != items[b.item].buyers) return items[a.item].buyers > items[b.item].buyers;
    return a.item < b.item;
  });
}

std::optional<Error> CheckId(std::string_view id, std::string_view path, std::string_view what) {
  if (id.empty()) return Error{ErrorCode::kWrongArgumentType, std::string(path), std::string(what) + " is empty"};
  if (id.size() > kMaxIdBytes) {
    return Error{ErrorCode::kTooLarge, std::string(path),
                 std::string(what) + " is longer than " + std::to_string(kMaxIdBytes) + " bytes"};
  }
  if (!js::IsValidUtf8(id)) {
    return Error{ErrorCode::kInvalidUtf8, std::string(path), std::string(what) + " is not valid UTF-8"};
  }
  return std::nullopt;
}

}  // namespace internal
}  // namespace tagwise
