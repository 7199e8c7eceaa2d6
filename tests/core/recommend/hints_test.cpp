// Recommendation hints: every table definition of hints.h on small logs
// computed by hand, bad input as warnings with paths, the binary form's round
// trip and corruption handling, and one build on the real retail data.
#include "tagwise/hints.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tagwise/store.h"
#include "test_support.h"

namespace tagwise {
namespace {

using nlohmann::json;

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kT = 1'763'856'000'000;  // 2025-11-23T00:00:00Z

std::string Ev(std::string_view user, std::string_view item, int64_t ts, json props = json::object(),
               std::string_view type = "purchase") {
  props["item"] = item;
  return json{{"user_id", user}, {"type", type}, {"ts", ts}, {"props", std::move(props)}}.dump();
}

Hints BuildFrom(const std::vector<std::string>& lines, HintBuildOptions options = {},
                std::vector<Error>* warnings = nullptr) {
  HintBuilder b(std::move(options));
  for (size_t i = 0; i < lines.size(); ++i) b.AddEventLine(lines[i], i + 1);
  Result<Hints> h = b.Build(warnings);
  EXPECT_TRUE(h.ok()) << (h.ok() ? "" : h.error().message);
  return h.ok() ? std::move(h).value() : Hints{};
}

const HintItem& ItemOf(const Hints& h, std::string_view id) {
  static const HintItem kMissing;
  std::optional<uint32_t> i = h.Find(id);
  EXPECT_TRUE(i.has_value()) << id;
  return i ? h.items[*i] : kMissing;
}

// A list of links as "id:count" strings, in list order.
std::vector<std::string> Names(const Hints& h, std::span<const ItemLink> links) {
  std::vector<std::string> out;
  for (const ItemLink& l : links) out.push_back(h.items[l.item].id + ":" + std::to_string(l.count));
  return out;
}

std::vector<std::string> Names(const Hints& h, const std::vector<RankedEntry>& entries) {
  std::vector<std::string> out;
  for (const RankedEntry& e : entries) out.push_back(h.items[e.item].id + ":" + std::to_string(e.count));
  return out;
}

bool SameLinks(const std::vector<ItemLink>& a, const std::vector<ItemLink>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const ItemLink& x, const ItemLink& y) {
    return x.item == y.item && x.count == y.count && x.score == y.score;
  });
}

std::span<const ItemLink> NeighboursOf(const Hints& h, std::string_view id) { return h.NeighboursOf(*h.Find(id)); }
std::span<const ItemLink> TogetherWith(const Hints& h, std::string_view id) { return h.TogetherWith(*h.Find(id)); }

// u1 {A,B,C}, u2 {A,B}, u3 {B,C}, u4 {A}: buyers A=3 B=3 C=2;
// co(A,B)=2, co(A,C)=1, co(B,C)=2.
std::vector<std::string> CoLog() {
  return {Ev("u1", "A", kT), Ev("u1", "B", kT + 1), Ev("u1", "C", kT + 2), Ev("u2", "A", kT),
          Ev("u2", "B", kT + 5), Ev("u3", "B", kT), Ev("u3", "C", kT + 9), Ev("u4", "A", kT)};
}

// A log exercising every table, with a catalogue, segments, Chinese ids and prices.
HintBuilder& FillRich(HintBuilder& b) {
  const std::vector<std::string> lines = {
      Ev("u1", "A", kT - 20 * kDay, {{"order", "o1"}, {"country", "CN"}}),
      Ev("u1", "手机", kT - 20 * kDay, {{"order", "o1"}, {"country", "CN"}}),
      Ev("u1", "B", kT - 3 * kDay, {{"country", "CN"}}),
      Ev("u2", "A", kT - 2 * kDay, {{"order", 77}, {"country", "US"}}),
      Ev("u2", "手机", kT - 2 * kDay, {{"order", 77}, {"country", "US"}}),
      Ev("u2", "耳机", kT - kDay, {{"order", 78}}),
      Ev("u3", "耳机", kT, {{"country", "US"}}, "view"),
      Ev("u3", "A", kT, {{"country", "US"}}, "cart_add"),
  };
  for (size_t i = 0; i < lines.size(); ++i) b.AddEventLine(lines[i], i + 1);
  b.AddItemLine(R"({"item": "A", "name": "Mug \"A\"", "category": "kitchen", "price": 0.85})", 1);
  b.AddItemLine(R"({"id": "手机", "name": "手机 Pro", "category": "电子", "price": 2999, "available": false})", 2);
  b.AddItemLine(R"({"item": "Z", "name": "never bought", "price": 0.1})", 3);
  b.AddItem(HintItem{.id = "耳机", .name = "耳机", .category = "电子", .price = 1.0 / 3});
  return b;
}

HintBuildOptions RichOptions() {
  HintBuildOptions o;
  o.segments = {{"country", "props.country"}};
  o.min_segment_users = 1;
  o.min_together_baskets = 1;
  o.built_at = kT + 5;
  return o;
}

Hints RichHints() {
  HintBuilder b(RichOptions());
  Result<Hints> h = FillRich(b).Build();
  EXPECT_TRUE(h.ok());
  return h.ok() ? std::move(h).value() : Hints{};
}

std::vector<std::string> Paths(const std::vector<Error>& warnings) {
  std::vector<std::string> out;
  for (const Error& e : warnings) out.push_back(e.path);
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Rewrites the fixed header's length and CRC for a modified payload, so the
// section decoder itself sees the damage.
std::string Reseal(std::string bytes) {
  const std::string_view payload = std::string_view(bytes).substr(20);
  const auto put = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  };
  const uint32_t length = static_cast<uint32_t>(payload.size());
  const uint32_t crc = Crc32(payload);
  put(12, length);
  put(16, crc);
  return bytes;
}

TEST(HintsTest, BuyersCountDistinctUsersWithACountedEvent) {
  HintBuilder b({});
  const std::vector<std::string> lines = {
      Ev("u1", "A", kT, {}, "view"), Ev("u1", "A", kT + 1, {}, "view"), Ev("u1", "A", kT + 2),
      Ev("u2", "A", kT, {}, "cart_add"), Ev("u3", "B", kT), Ev("u4", "C", kT, {}, "search"),
      R"({"user_id": "u5", "type": "purchase", "ts": 1763856000000, "props": {"amount": 3}})"};
  for (size_t i = 0; i < lines.size(); ++i) b.AddEventLine(lines[i], i + 1);
  Result<Hints> h = b.Build();
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(ItemOf(h.value(), "A").buyers, 2u);
  EXPECT_EQ(ItemOf(h.value(), "B").buyers, 1u);
  EXPECT_FALSE(h.value().Find("C").has_value());
  EXPECT_EQ(h.value().users, 3u);
  EXPECT_EQ(h.value().interactions, 3u);
  EXPECT_EQ(b.events_used(), 5u);
  EXPECT_EQ(b.lines_skipped(), 2u);  // "search" and the event without props.item
  EXPECT_EQ(b.lines_unusable(), 0u);  // both are ignored by design, not unusable
  EXPECT_EQ(h.value().data_from, kT);
  EXPECT_EQ(h.value().data_to, kT + 2);
}

TEST(HintsTest, NeighboursAreCosineOfCoBuyersOrderedByScore) {
  const Hints h = BuildFrom(CoLog());
  EXPECT_EQ(Names(h, NeighboursOf(h, "A")), (std::vector<std::string>{"B:2", "C:1"}));
  EXPECT_EQ(Names(h, NeighboursOf(h, "B")), (std::vector<std::string>{"C:2", "A:2"}));
  EXPECT_EQ(Names(h, NeighboursOf(h, "C")), (std::vector<std::string>{"B:2", "A:1"}));
  EXPECT_EQ(NeighboursOf(h, "A")[0].score, 2 / std::sqrt(3.0 * 3.0));
  EXPECT_EQ(NeighboursOf(h, "A")[1].score, 1 / std::sqrt(3.0 * 2.0));
  EXPECT_EQ(NeighboursOf(h, "B")[0].score, 2 / std::sqrt(3.0 * 2.0));
}

TEST(HintsTest, SimilarityAlphaWeighsTheItemsPopularityAsymmetrically) {
  HintBuildOptions o;
  o.similarity_alpha = 0.8;
  const Hints h = BuildFrom(CoLog(), o);
  EXPECT_EQ(h.similarity_alpha, 0.8);
  // sim(C,B) = 2 / (2^a * 3^(1-a)) and sim(B,C) = 2 / (3^a * 2^(1-a)).
  const double a = 0.8;
  EXPECT_EQ(NeighboursOf(h, "C")[0].score, 2 / (std::pow(2.0, a) * std::pow(3.0, 1 - a)));
  EXPECT_EQ(NeighboursOf(h, "B")[0].score, 2 / (std::pow(3.0, a) * std::pow(2.0, 1 - a)));
  EXPECT_EQ(NeighboursOf(h, "A")[1].score, 1 / (std::pow(3.0, a) * std::pow(2.0, 1 - a)));
}

TEST(HintsTest, NeighbourTiesGoToTheSmallerIdAndListsStopAtK) {
  HintBuildOptions o;
  o.neighbours_per_item = 2;
  const Hints h = BuildFrom({Ev("u1", "X", kT), Ev("u1", "C", kT), Ev("u1", "B", kT), Ev("u1", "A", kT)}, o);
  EXPECT_EQ(Names(h, NeighboursOf(h, "X")), (std::vector<std::string>{"A:1", "B:1"}));
  EXPECT_EQ(Names(h, NeighboursOf(h, "A")), (std::vector<std::string>{"B:1", "C:1"}));
}

TEST(HintsTest, MinCoUsersDropsRareLinks) {
  HintBuildOptions o;
  o.min_co_users = 2;
  const Hints h = BuildFrom(CoLog(), o);
  EXPECT_EQ(Names(h, NeighboursOf(h, "A")), (std::vector<std::string>{"B:2"}));
  EXPECT_EQ(Names(h, NeighboursOf(h, "C")), (std::vector<std::string>{"B:2"}));
}

TEST(HintsTest, BasketsGroupByOrderOfOneUserElseByUserAndTime) {
  // (u1, o1) = {A,B,C} even across times; (u1, ts 5) = {A,D}; (u2, o1) = {A,B}.
  const std::vector<std::string> log = {
      Ev("u1", "A", kT + 1, {{"order", "o1"}}), Ev("u1", "B", kT + 1, {{"order", "o1"}}),
      Ev("u1", "C", kT + 2, {{"order", "o1"}}), Ev("u1", "A", kT + 5), Ev("u1", "D", kT + 5),
      Ev("u2", "A", kT + 1, {{"order", "o1"}}), Ev("u2", "B", kT + 1, {{"order", "o1"}})};
  const Hints strict = BuildFrom(log);
  EXPECT_EQ(ItemOf(strict, "A").baskets, 3u);
  EXPECT_EQ(ItemOf(strict, "B").baskets, 2u);
  EXPECT_EQ(ItemOf(strict, "D").baskets, 1u);
  // Default min_together_baskets = 2 keeps only tog(A,B) = 2.
  EXPECT_EQ(Names(strict, TogetherWith(strict, "A")), (std::vector<std::string>{"B:2"}));
  EXPECT_EQ(Names(strict, TogetherWith(strict, "B")), (std::vector<std::string>{"A:2"}));
  EXPECT_TRUE(TogetherWith(strict, "C").empty());
  EXPECT_EQ(TogetherWith(strict, "A")[0].score, 2 / std::sqrt(3.0 * 2.0));

  HintBuildOptions o;
  o.min_together_baskets = 1;
  o.together_per_item = 2;
  const Hints all = BuildFrom(log, o);
  // B 2/sqrt(6), then C and D tie at 1/sqrt(3): C by id; the limit 2 drops D.
  EXPECT_EQ(Names(all, TogetherWith(all, "A")), (std::vector<std::string>{"B:2", "C:1"}));
  EXPECT_EQ(Names(all, TogetherWith(all, "D")), (std::vector<std::string>{"A:1"}));
}

TEST(HintsTest, InteractionsWithoutBasketGroupByUserAndTime) {
  HintBuildOptions o;
  o.min_together_baskets = 1;
  HintBuilder b(o);
  b.AddInteraction("u1", "A", kT, "");
  b.AddInteraction("u1", "B", kT, "");
  b.AddInteraction("u1", "C", kT + 1, "");
  b.AddInteraction("u2", "C", kT, "inv-9");
  b.AddInteraction("u2", "D", kT + 7, "inv-9");
  Result<Hints> r = b.Build();
  ASSERT_TRUE(r.ok());
  const Hints& h = r.value();
  EXPECT_EQ(Names(h, TogetherWith(h, "A")), (std::vector<std::string>{"B:1"}));
  EXPECT_EQ(Names(h, TogetherWith(h, "C")), (std::vector<std::string>{"D:1"}));
  EXPECT_EQ(ItemOf(h, "C").baskets, 2u);
  EXPECT_EQ(Names(h, NeighboursOf(h, "C")).size(), 3u);  // A, B (u1) and D (u2)
}

TEST(HintsTest, PopularListsEveryItemByBuyersThenId) {
  HintBuilder b({});
  for (const std::string& l : CoLog()) b.AddEventLine(l, 1);
  b.AddItem(HintItem{.id = "0-unsold"});
  Result<Hints> h = b.Build();
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(Names(h.value(), h.value().popular), (std::vector<std::string>{"A:3", "B:3", "C:2", "0-unsold:0"}));
}

TEST(HintsTest, TrendingComparesTheLastTwoWindowsOfDistinctUsers) {
  const int64_t w = kDay;
  std::vector<std::string> log = {
      // G: recent 3, previous 0.
      Ev("u1", "G", kT), Ev("u2", "G", kT), Ev("u3", "G", kT),
      // B: recent 3, previous 2 -> +1.
      Ev("u1", "B", kT - 1), Ev("u2", "B", kT), Ev("u3", "B", kT), Ev("u4", "B", kT - 2 * w + 1),
      Ev("u5", "B", kT - 2 * w + 1),
      // A: recent 2 (window start is exclusive), previous 1 (its end is inclusive) -> +1.
      Ev("u1", "A", kT), Ev("u2", "A", kT - w + 1), Ev("u3", "A", kT - w),
      // C and D: +1 with recent 1; D's event at exactly T - 2W is in neither window.
      Ev("u1", "C", kT - 5), Ev("u6", "D", kT - 2 * w), Ev("u6", "D", kT),
      // E: recent 1, previous 1 -> not rising.
      Ev("u1", "E", kT), Ev("u2", "E", kT - w - 1),
      // F: one user twice in the recent window -> recent 1.
      Ev("u7", "F", kT - 3), Ev("u7", "F", kT - 4)};
  HintBuildOptions o;
  o.trending_window_ms = w;
  const Hints h = BuildFrom(log, o);
  EXPECT_EQ(h.data_to, kT);
  EXPECT_EQ(h.data_from, kT - 2 * w);
  EXPECT_EQ(Names(h, h.trending), (std::vector<std::string>{"G:3", "B:1", "A:1", "C:1", "D:1", "F:1"}));
  EXPECT_EQ(ItemOf(h, "A").recent, 2u);
  EXPECT_EQ(ItemOf(h, "A").previous, 1u);
  EXPECT_EQ(ItemOf(h, "D").previous, 0u);
  EXPECT_EQ(ItemOf(h, "F").recent, 1u);
  o.trending_size = 3;
  const Hints top3 = BuildFrom(log, o);
  EXPECT_EQ(Names(top3, top3.trending), (std::vector<std::string>{"G:3", "B:1", "A:1"}));
}

TEST(HintsTest, SegmentsUseTheMostFrequentValueAndEveryArrayElement) {
  const std::vector<std::string> log = {
      // u1: CN twice, US once -> CN; tags vip and 新客.
      Ev("u1", "A", kT, {{"country", "CN"}}), Ev("u1", "B", kT, {{"country", "CN"}}),
      Ev("u1", "A", kT + 1, {{"country", "US"}}),
      // u2: US once, CN once -> the tie goes to "CN"; tag vip.
      Ev("u2", "A", kT, {{"country", "US"}}), Ev("u2", "E", kT, {{"country", "CN"}}),
      // u3, u4: US.
      Ev("u3", "B", kT, {{"country", "US"}}), Ev("u3", "C", kT), Ev("u3", "H", kT), Ev("u4", "C", kT, {{"country", "US"}}),
      Ev("u4", "D", kT)};
  std::vector<std::string> lines = log;
  const auto with_tags = [](const std::string& line, json tags) {
    json j = json::parse(line);
    j["tags"] = std::move(tags);
    return j.dump();
  };
  lines[0] = with_tags(lines[0], {"vip", "新客"});
  lines[3] = with_tags(lines[3], {"vip"});
  HintBuildOptions o;
  o.segments = {{"country", "props.country"}, {"tag", "tags"}};
  o.min_segment_users = 2;
  const Hints h = BuildFrom(lines, o);
  ASSERT_EQ(h.segments.size(), 3u);
  EXPECT_EQ(h.segments[0].key + "=" + h.segments[0].value, "country=CN");
  EXPECT_EQ(h.segments[1].key + "=" + h.segments[1].value, "country=US");
  EXPECT_EQ(h.segments[2].key + "=" + h.segments[2].value, "tag=vip");
  // CN {u1,u2}: A 2, then B and E 1 each: B has more buyers.
  EXPECT_EQ(h.segments[0].users, 2u);
  EXPECT_EQ(Names(h, h.segments[0].items), (std::vector<std::string>{"A:2", "B:1", "E:1"}));
  // US {u3,u4}: C 2, B 1 (2 buyers), then D and H (1 buyer each) by id.
  EXPECT_EQ(Names(h, h.segments[1].items), (std::vector<std::string>{"C:2", "B:1", "D:1", "H:1"}));
  EXPECT_EQ(h.Segment("tag", "vip"), &h.segments[2]);
  EXPECT_EQ(h.Segment("tag", "新客"), nullptr);  // one user only
  EXPECT_EQ(h.Segment("country", "FR"), nullptr);

  o.min_segment_users = 1;
  o.segment_list_size = 1;
  const Hints all = BuildFrom(lines, o);
  ASSERT_NE(all.Segment("tag", "新客"), nullptr);
  EXPECT_EQ(Names(all, all.Segment("tag", "新客")->items), (std::vector<std::string>{"A:1"}));
}

TEST(HintsTest, InteractionSegmentsCountAsOccurrencesOfAValue) {
  HintBuildOptions o;
  o.min_segment_users = 1;
  HintBuilder b(o);
  const std::vector<std::pair<std::string, std::string>> uk = {{"country", "United Kingdom"}};
  const std::vector<std::pair<std::string, std::string>> fr = {{"country", "France"}};
  b.AddInteraction("u1", "A", kT, "", uk);
  b.AddInteraction("u1", "B", kT, "", uk);
  b.AddInteraction("u1", "C", kT, "", fr);
  Result<Hints> h = b.Build();
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h.value().segments.size(), 1u);
  EXPECT_EQ(h.value().segments[0].value, "United Kingdom");
  EXPECT_EQ(h.value().segments[0].items.size(), 3u);
}

TEST(HintsTest, ChineseIdsSortByBytesAndKeepTheirNames) {
  const Hints h = RichHints();
  std::vector<std::string> ids;
  for (const HintItem& i : h.items) ids.push_back(i.id);
  // "手" is U+624B (E6 89 8B) and "耳" U+8033 (E8 80 B3).
  EXPECT_EQ(ids, (std::vector<std::string>{"A", "B", "Z", "手机", "耳机"}));
  EXPECT_EQ(ItemOf(h, "手机").name, "手机 Pro");
  EXPECT_EQ(ItemOf(h, "手机").category, "电子");
  EXPECT_FALSE(ItemOf(h, "手机").available);
  EXPECT_EQ(ItemOf(h, "Z").buyers, 0u);
  EXPECT_EQ(ItemOf(h, "B").price, -1);
  EXPECT_EQ(Names(h, NeighboursOf(h, "手机")), (std::vector<std::string>{"A:2", "B:1", "耳机:1"}));
  ASSERT_NE(h.Segment("country", "US"), nullptr);
  EXPECT_EQ(HintsToJson(h)["neighbours"]["耳机"][1]["item"], "手机");
}

TEST(HintsTest, EncodeDecodeRoundTripsEveryTable) {
  const Hints h = RichHints();
  const std::string bytes = EncodeHints(h);
  EXPECT_EQ(bytes.substr(0, 8), "TWHINTS\n");
  Result<Hints> back = DecodeHints(bytes, h.catalog_version);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(HintsToJson(back.value()), HintsToJson(h));
  EXPECT_EQ(ItemOf(back.value(), "耳机").price, 1.0 / 3);  // not a whole number of cents
  EXPECT_EQ(EncodeHints(back.value()), bytes);
  const json j = HintsToJson(h);
  EXPECT_EQ(j["tagwise_hints"], 1);
  EXPECT_EQ(j["items"][2]["price"], 0.1);
  EXPECT_TRUE(j["items"][1]["price"].is_null());
}

TEST(HintsTest, TheFileDoesNotDependOnLineOrder) {
  std::vector<std::string> log = CoLog();
  const std::string forward = EncodeHints(BuildFrom(log));
  std::reverse(log.begin(), log.end());
  EXPECT_EQ(EncodeHints(BuildFrom(log)), forward);
}

TEST(HintsTest, CatalogVersionDefaultsToAFingerprintOfTheItemIds) {
  const Hints h = BuildFrom(CoLog());
  EXPECT_EQ(h.catalog_version.size(), 16u);
  EXPECT_EQ(h.catalog_version.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(BuildFrom({Ev("u1", "A", kT)}).catalog_version, h.catalog_version);
  HintBuildOptions o;
  o.catalog_version = "cat-2025-11";
  EXPECT_EQ(BuildFrom(CoLog(), o).catalog_version, "cat-2025-11");
}

TEST(HintsTest, DecodeRejectsAnotherCatalogVersion) {
  const Hints h = RichHints();
  const std::string bytes = EncodeHints(h);
  Result<Hints> other = DecodeHints(bytes, "another-version");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kCatalogMismatch);
  EXPECT_TRUE(DecodeHints(bytes).ok());
}

TEST(HintsTest, DecodeReportsANewerFormatVersion) {
  std::string bytes = EncodeHints(RichHints());
  bytes[8] = static_cast<char>(kHintsFormatVersion + 1);
  Result<Hints> h = DecodeHints(bytes);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code, ErrorCode::kUnsupportedVersion);
}

TEST(HintsTest, DecodeRejectsEveryTruncation) {
  const std::string bytes = EncodeHints(RichHints());
  for (size_t n = 0; n < bytes.size(); ++n) {
    Result<Hints> h = DecodeHints(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(h.ok()) << n;
    EXPECT_EQ(h.error().code, ErrorCode::kCorrupt) << n;
  }
  // With length and CRC rewritten, the sections themselves must notice.
  for (size_t n = 20; n < bytes.size(); ++n) {
    Result<Hints> h = DecodeHints(Reseal(bytes.substr(0, n)));
    ASSERT_FALSE(h.ok()) << n;
    EXPECT_EQ(h.error().code, ErrorCode::kCorrupt) << n;
    EXPECT_NE(h.error().message.find("corrupt"), std::string::npos);
  }
}

TEST(HintsTest, DecodeRejectsEverySingleByteFlip) {
  const std::string bytes = EncodeHints(RichHints());
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int mask : {0x01, 0x80, 0xFF}) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      Result<Hints> h = DecodeHints(bad);
      ASSERT_FALSE(h.ok()) << i;
      // A flip in the version field may read as a newer version.
      const bool version_byte = i >= 8 && i < 12;
      if (!(version_byte && h.error().code == ErrorCode::kUnsupportedVersion)) {
        EXPECT_EQ(h.error().code, ErrorCode::kCorrupt) << i;
      }
    }
  }
}

TEST(HintsTest, DecodeNeverCrashesOnResealedDamage) {
  // Flips behind a valid CRC reach the section checks: each must decode
  // cleanly (a changed name is still a valid file) or fail as kCorrupt.
  const std::string bytes = EncodeHints(RichHints());
  size_t rejected = 0;
  for (size_t i = 20; i < bytes.size(); ++i) {
    for (int mask : {0x01, 0x02, 0x10, 0x80, 0xFF}) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      Result<Hints> h = DecodeHints(Reseal(bad));
      if (h.ok()) {
        (void)HintsToJson(h.value()).dump();
      } else {
        EXPECT_EQ(h.error().code, ErrorCode::kCorrupt) << i;
        ++rejected;
      }
    }
  }
  EXPECT_GT(rejected, bytes.size());
}

TEST(HintsTest, DecodeNamesTheDamagedSection) {
  const std::string bytes = EncodeHints(RichHints());
  std::string bad = bytes;
  bad[20] = 9;  // the first section tag
  Result<Hints> h = DecodeHints(Reseal(bad));
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().message.find("section \"header\""), std::string::npos) << h.error().message;
  Result<Hints> junk = DecodeHints("GIF89a...");
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.error().code, ErrorCode::kCorrupt);
}

TEST(HintsTest, AnEmptyLogIsAnError) {
  HintBuilder empty({});
  Result<Hints> h = empty.Build();
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code, ErrorCode::kWrongArgumentType);

  HintBuilder only_bad({});
  only_bad.AddEventLine("{", 1);
  only_bad.AddEventLine(Ev("u1", "A", kT, {}, "page_view"), 2);
  only_bad.AddItem(HintItem{.id = "A"});
  std::vector<Error> w;
  EXPECT_FALSE(only_bad.Build(&w).ok());
  EXPECT_EQ(Paths(w), (std::vector<std::string>{"line 1"}));  // why nothing was usable
}

TEST(HintsTest, InvalidOptionsAreErrors) {
  HintBuildOptions o;
  o.similarity_alpha = 1.5;
  HintBuilder b(o);
  b.AddEventLine(Ev("u1", "A", kT), 1);
  Result<Hints> h = b.Build();
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().path, "similarity_alpha");
  o.similarity_alpha = 0.5;
  o.trending_window_ms = 0;
  HintBuilder c(o);
  c.AddEventLine(Ev("u1", "A", kT), 1);
  EXPECT_FALSE(c.Build().ok());
}

TEST(HintsTest, BadLinesAreSkippedWithWarningsNamingLineAndField) {
  const std::string nested = std::string(100, '[') + std::string(100, ']');
  const std::vector<std::string> lines = {
      "not json",                                                                  // 1
      R"({"type": "view", "ts": 1763856000000, "props": {"item": "A"}})",         // 2
      Ev("", "A", kT),                                                             // 3
      R"({"user_id": "u1", "type": "view", "ts": 1763856000000, "props": {"item": 42}})",  // 4
      "[1, 2]",                                                                    // 5
      R"({"user_id": "u1", "type": "view", "props": {"item": "A"}})",              // 6
      Ev("u1", std::string(300, 'x'), kT),                                         // 7
      R"({"user_id": "u1", "type": "view", "ts": 1763856000000, "x": )" + nested + "}",  // 8
      R"({"user_id": "u1", "type": "view", "ts": 1763856000000, "props": "A"})",  // 9
      Ev("u1", "A", kT),                                                           // 10
      "   ",                                                                       // 11
      Ev("u1", "A", kT, {}, "page_view"),                                          // 12
      "{\"user_id\": \"u\xff\", \"type\": \"view\", \"ts\": 1763856000000, \"props\": {\"item\": \"A\"}}",  // 13
      R"({"user_id": 17850, "type": "purchase", "ts": 1763856000, "props": {"item": "B"}})",  // 14
      R"({"user_id": 17850, "type": "purchase", "ts": 1763856001, "props": {"item": "C"}})",  // 15
      Ev("u2", "A", kT, {{"order", {{"no", 1}}}}),                                 // 16
  };
  HintBuilder b({});
  for (size_t i = 0; i < lines.size(); ++i) b.AddEventLine(lines[i], i + 1);
  b.AddInteraction("", "A", kT, "");
  std::vector<Error> w;
  Result<Hints> h = b.Build(&w);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(Paths(w), (std::vector<std::string>{"line 1", "line 2/user_id", "line 3/user_id", "line 4/props/item",
                                                "line 5", "line 6/ts", "line 7/props/item", "line 8", "line 9/props",
                                                "line 13", "line 14/ts", "line 16/props/order", "interaction 1/user"}));
  EXPECT_EQ(w[0].code, ErrorCode::kInvalidJson);
  EXPECT_EQ(w[3].code, ErrorCode::kWrongArgumentType);
  EXPECT_EQ(w[6].code, ErrorCode::kTooLarge);
  EXPECT_EQ(w[7].code, ErrorCode::kTooDeep);
  EXPECT_EQ(w[9].code, ErrorCode::kInvalidUtf8);
  for (const Error& e : w) EXPECT_EQ(e.severity, Severity::kWarning);
  EXPECT_EQ(b.events_used(), 3u);     // lines 10, 14, 15
  EXPECT_EQ(b.lines_skipped(), 13u);  // 1-9, 12, 13, 16 and the interaction
  EXPECT_EQ(b.lines_unusable(), 12u);  // all but line 12 (another event type): what --max-skipped limits
  EXPECT_EQ(ItemOf(h.value(), "B").buyers, 1u);
  EXPECT_EQ(h.value().data_to, 1763856001000);  // seconds read as seconds
}

TEST(HintsTest, CsvCatalogueFollowsRfc4180Quoting) {
  HintBuilder b({});
  b.AddEventLine(Ev("u1", "21228", kT), 1);
  b.AddEventLine(Ev("u1", "NOT-LISTED", kT), 2);
  b.AddEventLine(Ev("u1", "NOT-LISTED-2", kT), 3);
  b.AddItemsCsv(
      "\xEF\xBB\xBFitem_id,description,median_unit_price_gbp,buyers,category,in_stock\r\n"
      "21228,\"POCKET MIRROR \"\"GLAMOROUS\"\"\",1.25,2,gifts,yes\r\n"
      "21462,\"NURSERY A,B,C\nPAINTED LETTERS\",6.75,57,,no\r\n"
      "\r\n"
      "猫,招き猫,,1,置物,\r\n"
      "21228,duplicate,9,9,,\r\n"
      "BAD,x,cheap,1,,maybe\r\n");
  std::vector<Error> w;
  Result<Hints> r = b.Build(&w);
  ASSERT_TRUE(r.ok());
  const Hints& h = r.value();
  EXPECT_EQ(ItemOf(h, "21228").name, "POCKET MIRROR \"GLAMOROUS\"");
  EXPECT_EQ(ItemOf(h, "21228").price, 1.25);
  EXPECT_EQ(ItemOf(h, "21228").category, "gifts");
  EXPECT_EQ(ItemOf(h, "21462").name, "NURSERY A,B,C\nPAINTED LETTERS");
  EXPECT_FALSE(ItemOf(h, "21462").available);
  EXPECT_EQ(ItemOf(h, "21462").buyers, 0u);
  EXPECT_EQ(ItemOf(h, "猫").name, "招き猫");
  EXPECT_EQ(ItemOf(h, "猫").price, -1);
  EXPECT_EQ(ItemOf(h, "NOT-LISTED").name, "");
  EXPECT_EQ(Paths(w), (std::vector<std::string>{"items line 7/id", "items line 8/price", "items line 8/available",
                                                "items"}));
  EXPECT_EQ(w[0].code, ErrorCode::kDuplicateId);
  EXPECT_NE(w[3].message.find("2 items"), std::string::npos) << w[3].message;
}

TEST(HintsTest, RetailDataBuildsAndRoundTrips) {
  const std::string dir = testing::SharedDir() + "/data/online-retail/";
  const std::string interactions = ReadFile(dir + "interactions.csv");
  const std::string items = ReadFile(dir + "items.csv");
  ASSERT_FALSE(interactions.empty());
  ASSERT_FALSE(items.empty());
  HintBuilder b({});
  b.AddItemsCsv(items);
  std::istringstream in(interactions);
  std::string line;
  std::getline(in, line);  // header: user_id,item_id,ts,row
  while (std::getline(in, line)) {
    const size_t c1 = line.find(',');
    const size_t c2 = line.find(',', c1 + 1);
    const size_t c3 = line.find(',', c2 + 1);
    const int64_t ts = std::stoll(line.substr(c2 + 1, c3 - c2 - 1)) * 1000;
    b.AddInteraction(std::string_view(line).substr(0, c1), std::string_view(line).substr(c1 + 1, c2 - c1 - 1), ts, "");
  }
  std::vector<Error> warnings;
  Result<Hints> r = b.Build(&warnings);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(warnings.empty()) << FormatIssues(warnings);
  const Hints& h = r.value();
  EXPECT_EQ(h.users, 4334u);
  EXPECT_EQ(h.items.size(), 3659u);
  EXPECT_EQ(h.interactions, 266221u);
  ASSERT_FALSE(h.popular.empty());
  EXPECT_EQ(h.items[h.popular[0].item].id, "22423");
  EXPECT_EQ(h.popular[0].count, 881u);
  EXPECT_EQ(h.items[h.popular[0].item].name, "REGENCY CAKESTAND 3 TIER");
  EXPECT_EQ(h.items[h.popular[0].item].price, 12.75);
  EXPECT_EQ(h.NeighboursOf(0).size(), 50u);

  // The JSON forms are compared on the small logs; here (256k links) the
  // cheaper checks: the canonical bytes and the ranked lists.
  const std::string bytes = EncodeHints(h);
  Result<Hints> back = DecodeHints(bytes, h.catalog_version);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(EncodeHints(back.value()), bytes);
  EXPECT_TRUE(SameLinks(back.value().neighbours, h.neighbours));
  EXPECT_TRUE(SameLinks(back.value().together, h.together));
  EXPECT_EQ(back.value().neighbour_offsets, h.neighbour_offsets);
  EXPECT_EQ(Names(back.value(), back.value().popular), Names(h, h.popular));
  EXPECT_EQ(Names(back.value(), back.value().trending), Names(h, h.trending));
}

}  // namespace
}  // namespace tagwise
