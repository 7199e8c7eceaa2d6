// Recommendation hints (DESIGN.md section 8): the tables the scorer reads,
// built offline from an order/event log and shipped to the browser as one
// compact, versioned, checksummed binary file.
//
// Definitions (the SQL in tools/sql/ computes the same tables; a test checks
// that they are equal on ../shared/data/online-retail):
//   * interaction: a (user, item) pair with at least one counted event (types
//     in HintBuildOptions::item_event_types, with a `props.item`).
//   * buyers(i): distinct users with an interaction on i ("popularity").
//   * co(i,j): distinct users with interactions on both i and j (i != j).
//   * sim(i,j) = co(i,j) / (buyers(i)^a * buyers(j)^(1-a)), a = similarity_alpha;
//     for a = 0.5 exactly co / sqrt(double(buyers(i)) * double(buyers(j))),
//     the cosine of the binary user x item matrix.
//   * neighbours(i): the `neighbours_per_item` items j != i with
//     co(i,j) >= min_co_users, ordered by (sim desc, id asc).
//   * basket: the events sharing one `props.order` value of one user; events
//     without it are grouped by (user, ts). baskets(i): baskets containing i;
//     tog(i,j): baskets containing both. together(i): the `together_per_item`
//     items with tog(i,j) >= min_together_baskets, ordered by
//     (tog / sqrt(double(baskets(i)) * double(baskets(j))) desc, id asc).
//   * popular: every item by (buyers desc, id asc).
//   * trending: data_to = the latest event's ts; recent(i) = distinct users
//     with a counted event on i in (data_to - W, data_to], previous(i) the same
//     in (data_to - 2W, data_to - W], W = trending_window_ms. Items with
//     recent > previous, ordered by (recent - previous desc, recent desc, id asc),
//     at most `trending_size`.
//   * segments: for every segment field (HintBuildOptions::segments) a user's
//     value is the most frequent value of that field over the user's events
//     (ties: the smallest in byte order); an array field (e.g. tags) gives the
//     user every element as a value. For each (key, value) with at least
//     `min_segment_users` users: items by (distinct users of the segment with an
//     interaction desc, buyers desc, id asc), at most `segment_list_size`.
// Item ids compare as byte strings everywhere (UTF-8 ids sort by code point).
//
// Binary form (EncodeHints / DecodeHints), format version kHintsFormatVersion:
//   "TWHINTS\n" magic, u32 LE format version, u32 LE payload length,
//   u32 LE CRC-32 (store.h Crc32) of the payload, then the payload: varint-coded
//   sections holding only counts and ids (similarities are recomputed exactly on
//   load from counts, so the file needs no floats). Decoding checks magic,
//   version, length and CRC before reading anything else.
#ifndef TAGWISE_HINTS_H_
#define TAGWISE_HINTS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/error.h"
#include "tagwise/limits.h"

namespace tagwise {

inline constexpr uint32_t kHintsFormatVersion = 1;

struct HintItem {
  std::string id;          // as events name it in props.item
  std::string name;        // display name, "" when unknown
  std::string category;    // "" when unknown
  double price = -1;       // < 0 when unknown
  bool available = true;   // false: out of stock, never recommended
  uint32_t buyers = 0;     // distinct users with an interaction
  uint32_t baskets = 0;    // baskets containing the item
  uint32_t recent = 0;     // trending: distinct users in the last window
  uint32_t previous = 0;   // trending: distinct users in the window before
};

// A link from one item to another; `item` indexes Hints::items.
struct ItemLink {
  uint32_t item = 0;
  uint32_t count = 0;  // co(i,j) for neighbours, tog(i,j) for together
  double score = 0;    // sim(i,j), or the together score
};

// An entry of a ranked list; `item` indexes Hints::items.
struct RankedEntry {
  uint32_t item = 0;
  uint32_t count = 0;  // buyers, segment users, or recent - previous (trending)
};

struct SegmentList {
  std::string key;    // e.g. "country" or "tag"
  std::string value;  // e.g. "United Kingdom" or "高价值用户"
  uint32_t users = 0;
  std::vector<RankedEntry> items;
};

// Immutable once built or decoded; const methods are thread-safe.
struct Hints {
  std::string catalog_version;  // given to the builder, or a fingerprint of the item ids
  int64_t built_at = 0;         // ms; the builder's clock
  int64_t data_from = 0;        // ms; first and last counted event
  int64_t data_to = 0;
  uint32_t users = 0;
  uint64_t interactions = 0;
  double similarity_alpha = 0.5;
  int64_t trending_window_ms = 0;

  std::vector<HintItem> items;  // sorted by id (byte order); index = item number
  // Adjacency lists, CSR: the links of item i are [offsets[i], offsets[i+1]).
  std::vector<uint32_t> neighbour_offsets;
  std::vector<ItemLink> neighbours;
  std::vector<uint32_t> together_offsets;
  std::vector<ItemLink> together;
  std::vector<RankedEntry> popular;   // every item, derived on load
  std::vector<RankedEntry> trending;  // derived on load from recent/previous
  std::vector<SegmentList> segments;  // sorted by (key, value)

  // Index of an item id; nullopt when the hints do not know it. O(log n).
  std::optional<uint32_t> Find(std::string_view id) const;
  std::span<const ItemLink> NeighboursOf(uint32_t item) const;
  std::span<const ItemLink> TogetherWith(uint32_t item) const;
  const SegmentList* Segment(std::string_view key, std::string_view value) const;
};

// One segment field: a user's value for `key` is read from `path`, a dotted
// path into the event line ("props.country", "tags").
struct HintSegmentField {
  std::string key;
  std::string path;
};

struct HintBuildOptions {
  std::vector<std::string> item_event_types = {"view", "cart_add", "purchase"};
  std::vector<HintSegmentField> segments;
  std::string catalog_version;  // "" = fingerprint of the sorted item ids
  int64_t built_at = 0;         // ms, recorded in the file (injected clock)
  double similarity_alpha = 0.5;
  size_t neighbours_per_item = 50;
  uint32_t min_co_users = 1;
  size_t together_per_item = 20;
  uint32_t min_together_baskets = 2;
  int64_t trending_window_ms = 14LL * 86'400'000;
  size_t trending_size = 100;
  size_t segment_list_size = 100;
  uint32_t min_segment_users = 20;
};

// Streams an event log (JSON Lines, one event per line:
// {"user_id": "u1", "type": "purchase", "ts": ms|s|ISO, "props": {"item": "A1",
// "order": "o9", ...}, ...}) and an optional item catalogue, then builds Hints.
// Bad lines never stop the build: each is a warning with path "line N" plus a
// JSON Pointer ("line 12/props/item") and the line is skipped. Lines of other
// event types, or without props.item, are skipped silently (counted).
class HintBuilder {
 public:
  explicit HintBuilder(HintBuildOptions options);
  ~HintBuilder();
  HintBuilder(const HintBuilder&) = delete;
  HintBuilder& operator=(const HintBuilder&) = delete;

  // One line of the event log; `line_no` is 1-based, for messages. Blank lines are ignored.
  void AddEventLine(std::string_view line, size_t line_no);
  // One interaction without JSON (batch jobs and the offline evaluation).
  // `basket` "" = group by (user, ts). `segments` are (key, value) pairs of the user.
  void AddInteraction(std::string_view user, std::string_view item, int64_t ts, std::string_view basket,
                      std::span<const std::pair<std::string, std::string>> segments = {});
  // One item of the catalogue: JSON Lines {"item"|"id", "name", "category",
  // "price", "available"} or, for CSV text, see AddItemsCsv.
  void AddItemLine(std::string_view line, size_t line_no);
  // A whole CSV catalogue with a header; columns by name: item_id|item|id,
  // description|name, category, price|median_unit_price_gbp, available|in_stock.
  void AddItemsCsv(std::string_view csv_text);
  void AddItem(HintItem item);

  size_t events_used() const;
  // Lines not used: other event types, events about no item, and unusable ones.
  size_t lines_skipped() const;
  // Of lines_skipped(), the unusable ones (each warned about): bad JSON, a
  // missing user, a bad id or time. What `tagwise hints --max-skipped` limits.
  size_t lines_unusable() const;
  // Builds the tables. Error (kInvalidRule path "") only when nothing usable
  // was read: an empty log gives kWrongArgumentType "the event log has no item events".
  // Items of the catalogue never seen in the log are kept (buyers 0); items
  // seen in the log but missing from a given catalogue are kept and warned once.
  [[nodiscard]] Result<Hints> Build(std::vector<Error>* warnings = nullptr);

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// The binary form described above. Deterministic.
std::string EncodeHints(const Hints& hints);

// Decodes and validates. Errors: kCorrupt (bad magic, truncated, CRC mismatch,
// malformed section; the message says which), kUnsupportedVersion (a newer
// format), kCatalogMismatch (expected_catalog_version given and different).
// Never reads past `bytes`. A file over `max_bytes` is refused (kTooLarge)
// before it is read.
[[nodiscard]] Result<Hints> DecodeHints(std::string_view bytes, std::string_view expected_catalog_version = {},
                                        size_t max_bytes = kDefaultMaxHintBytes);

// The debugging JSON form:
// {"tagwise_hints": 1, "catalog_version", "built_at", "data_from", "data_to",
//  "users", "interactions", "similarity_alpha", "trending_window_ms",
//  "items": [{"id","name","category","price"|null,"available","buyers","baskets","recent","previous"}],
//  "neighbours": {"<id>": [{"item","count","score"}]},
//  "together":   {"<id>": [{"item","count","score"}]},
//  "popular":  [{"item","count"}], "trending": [{"item","count"}],
//  "segments": [{"key","value","users","items":[{"item","count"}]}]}
nlohmann::json HintsToJson(const Hints& hints);

// The summary shown for loaded or built hints (camelCase, read by JS as is),
// as JSON text with its keys in this order:
// {"catalogVersion", "items", "users", "interactions", "links", "segments",
//  "trending", "builtAt", "dataFrom", "dataTo"}.
std::string HintsInfoText(const Hints& hints);

// The same summary as an ordered_json, for the CLI module's answer trees
// (wasm/tools_bindings.cpp); the browser modules use HintsInfoText and so link
// no second nlohmann type.
nlohmann::ordered_json HintsInfoJson(const Hints& hints);

}  // namespace tagwise

#endif  // TAGWISE_HINTS_H_
