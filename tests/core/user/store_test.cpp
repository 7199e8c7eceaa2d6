// The persistent store: line format, CRC-32, round trip, truncation and
// corruption recovery, versions, limits, and merging another tab's store.
#include "tagwise/store.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tagwise {
namespace {

using nlohmann::json;

// Timing bounds only hold in optimized, uninstrumented native builds.
#if defined(__SANITIZE_ADDRESS__)
#define TAGWISE_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TAGWISE_TEST_ASAN 1
#endif
#endif

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kNow = 1'763'856'000'000;  // 2025-11-23T00:00:00Z

Event Ev(std::string id, std::string type, int64_t ts, json props = json::object()) {
  return Event{std::move(id), std::move(type), ts, std::move(props)};
}

// A state with everything the header carries: attributes, time zone, rollups,
// a watermark, server tags, consent and a generation, plus three events.
StoreState SampleState() {
  StoreState s;
  Profile& p = s.profile;
  p.set_user_id("用户-1");
  p.set_tz_offset_min(480);
  p.set_attributes({{"城市", "上海"}, {"vip", true}, {"spend", 1234.5}});
  EXPECT_TRUE(p.AddEvent(Ev("old", "order_paid", kNow - 100 * kDay, {{"amount", 30}})));
  (void)p.Compact(kNow - kDay);  // folds "old" into a rollup; compacted_through set
  p.AddRollup(DayRollup{kNow - 200 * kDay, "page_view", 4, {{"ms", 1500}}});
  EXPECT_TRUE(p.AddEvent(Ev("e1", "order_paid", kNow - 3 * kDay, {{"amount", 99.9}, {"商品", "手机"}})));
  EXPECT_TRUE(p.AddEvent(Ev("e2", "page_view", kNow - 2 * kDay, {{"page", "/首页"}})));
  EXPECT_TRUE(p.AddEvent(Ev("e3", "cart_add", kNow - kDay, {{"item", "SKU-9"}, {"备注", "送给妈妈 😀"}})));
  p.set_server_tags({{"churn_score", {{"value", 0.7}, {"expires_at", kNow + kDay}}}});
  s.consent = StoredConsent{{"necessary", "personalization"}, kNow - 5 * kDay};
  s.generation = "g-01";
  s.generation_at = kNow - 30 * kDay;
  s.saved_at = kNow;
  return s;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

// Byte offset just past the '\n' ending line `n` (1-based).
size_t LineEnd(const std::string& text, size_t n) {
  size_t pos = 0;
  for (size_t i = 0; i < n; ++i) pos = text.find('\n', pos) + 1;
  return pos;
}

std::vector<std::string> Ids(const Profile& p) {
  std::vector<std::string> ids;
  for (const Event& e : p.events()) ids.push_back(e.id);
  return ids;
}

bool HasProblem(const DecodedStore& d, ErrorCode code, const std::string& path) {
  return std::any_of(d.problems.begin(), d.problems.end(),
                     [&](const Error& e) { return e.code == code && e.path == path; });
}

std::string Dump(const DecodedStore& d) { return FormatIssues(d.problems); }

// The reference bitwise CRC-32 (reflected 0xEDB88320).
uint32_t BitwiseCrc32(std::string_view s) {
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : s) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
  }
  return ~c;
}

TEST(StoreTest, Crc32MatchesKnownVectors) {
  EXPECT_EQ(Crc32(""), 0u);
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(Crc32("a"), 0xE8B7BE43u);
  EXPECT_EQ(Crc32("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
  // Every length 0..64 of random bytes (the 8-byte fast path and the tail).
  std::mt19937 rng(7);
  std::string bytes;
  for (int n = 0; n <= 64; ++n) {
    EXPECT_EQ(Crc32(bytes), BitwiseCrc32(bytes)) << "length " << n;
    bytes.push_back(static_cast<char>(rng() & 0xFF));
  }
}

TEST(StoreTest, RoundTripKeepsProfileConsentAndGeneration) {
  const StoreState s = SampleState();
  const DecodedStore d = DecodeStore(EncodeStore(s));
  EXPECT_TRUE(d.problems.empty()) << Dump(d);
  EXPECT_FALSE(d.truncated);
  EXPECT_FALSE(d.header_lost);
  EXPECT_EQ(d.events_kept, 3u);
  EXPECT_EQ(d.events_dropped, 0u);
  EXPECT_EQ(d.state.profile.ToJson(), s.profile.ToJson());
  ASSERT_TRUE(d.state.consent.has_value());
  EXPECT_EQ(d.state.consent->purposes, s.consent->purposes);
  EXPECT_EQ(d.state.consent->updated_at, s.consent->updated_at);
  EXPECT_EQ(d.state.generation, "g-01");
  EXPECT_EQ(d.state.generation_at, s.generation_at);
  EXPECT_EQ(d.state.saved_at, s.saved_at);
  // The watermark survives, so re-delivered folded events still count once.
  EXPECT_EQ(d.state.profile.compacted_through(), s.profile.compacted_through());
  Profile again = d.state.profile;
  EXPECT_FALSE(again.AddEvent(Ev("old", "order_paid", kNow - 100 * kDay)));
  EXPECT_FALSE(again.AddEvent(Ev("e2", "page_view", kNow - 2 * kDay)));
  EXPECT_EQ(again.EventsOfType("page_view").size(), 1u);
}

TEST(StoreTest, RoundTripWithoutConsentOrGenerationStaysUnset) {
  StoreState s;
  (void)s.profile.AddEvent(Ev("e1", "view", kNow));
  const DecodedStore d = DecodeStore(EncodeStore(s));
  EXPECT_TRUE(d.problems.empty()) << Dump(d);
  EXPECT_FALSE(d.state.consent.has_value());
  EXPECT_EQ(d.state.generation, "");
  EXPECT_EQ(d.state.profile.ToJson(), s.profile.ToJson());
}

TEST(StoreTest, DecodedConsentAlwaysIncludesNecessary) {
  StoreState s;
  s.consent = StoredConsent{{"marketing"}, kNow};
  const DecodedStore d = DecodeStore(EncodeStore(s));
  ASSERT_TRUE(d.state.consent.has_value());
  EXPECT_EQ(d.state.consent->purposes, (std::set<std::string>{"marketing", "necessary"}));
}

TEST(StoreTest, EncodingIsDeterministic) {
  const std::string a = EncodeStore(SampleState());
  EXPECT_EQ(a, EncodeStore(SampleState()));
  // Decoding and re-encoding writes the same bytes.
  EXPECT_EQ(EncodeStore(DecodeStore(a).state), a);
}

TEST(StoreTest, WritesTheDocumentedLineFormat) {
  const std::string text = EncodeStore(SampleState());
  ASSERT_EQ(text.back(), '\n');
  const std::vector<std::string> lines = Lines(text);
  ASSERT_EQ(lines.size(), 6u);  // version, header, 3 events, END
  EXPECT_EQ(lines[0], "TAGWISE-STORE 1");
  for (size_t i = 1; i <= 4; ++i) {
    const std::string& l = lines[i];
    ASSERT_EQ(l.substr(0, 2), i == 1 ? "H " : "E ") << l;
    ASSERT_EQ(l[10], ' ');
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", Crc32(l.substr(11)));
    EXPECT_EQ(l.substr(2, 8), hex) << "line " << i + 1;
  }
  const json header = json::parse(lines[1].substr(11));
  EXPECT_EQ(header["generation"], "g-01");
  EXPECT_EQ(header["consent"]["purposes"], json({"necessary", "personalization"}));
  EXPECT_FALSE(header["profile"].contains("events"));
  EXPECT_EQ(header["profile"]["tagwise_profile"], 1);
  EXPECT_EQ(header["profile"]["tags"]["churn_score"]["value"], 0.7);
  EXPECT_EQ(json::parse(lines[2].substr(11))["id"], "e1");  // time order
  const size_t end_at = text.size() - lines[5].size() - 1;
  char end[40];
  std::snprintf(end, sizeof end, "END %08x 3", Crc32(std::string_view(text).substr(0, end_at)));
  EXPECT_EQ(lines[5], end);
  // UTF-8 is written as is, not as \u escapes.
  EXPECT_NE(text.find("手机"), std::string::npos);
}

TEST(StoreTest, EmptyTextIsAnEmptyStateWithoutProblems) {
  const DecodedStore d = DecodeStore("");
  EXPECT_TRUE(d.problems.empty());
  EXPECT_FALSE(d.truncated);
  EXPECT_FALSE(d.header_lost);
  EXPECT_TRUE(d.state.profile.events().empty());
  EXPECT_FALSE(d.state.consent.has_value());
}

TEST(StoreTest, TruncationAtEveryByteKeepsExactlyTheIntactEventLinesBeforeTheCut) {
  const StoreState s = SampleState();
  const std::string text = EncodeStore(s);
  const size_t header_end = LineEnd(text, 2);
  const std::vector<std::string> all_ids = Ids(s.profile);
  for (size_t cut = 1; cut < text.size(); ++cut) {
    SCOPED_TRACE("cut at byte " + std::to_string(cut) + " of " + std::to_string(text.size()));
    const DecodedStore d = DecodeStore(std::string_view(text).substr(0, cut));
    // An event line is intact when all its bytes before the '\n' are present.
    size_t intact = 0;
    for (size_t k = 0; k < all_ids.size(); ++k) intact += LineEnd(text, 3 + k) - 1 <= cut ? 1 : 0;
    EXPECT_EQ(d.events_kept, intact) << Dump(d);
    EXPECT_EQ(Ids(d.state.profile), std::vector<std::string>(all_ids.begin(), all_ids.begin() + intact));
    EXPECT_LE(d.events_dropped, 1u);
    if (cut == text.size() - 1) {
      // Only the final '\n' is missing: the END line is whole and matches.
      EXPECT_FALSE(d.truncated) << Dump(d);
      EXPECT_TRUE(d.problems.empty()) << Dump(d);
      EXPECT_EQ(d.state.profile.ToJson(), s.profile.ToJson());
      continue;
    }
    EXPECT_TRUE(d.truncated) << Dump(d);
    EXPECT_FALSE(d.problems.empty());
    const bool header_whole = cut >= header_end - 1;
    EXPECT_EQ(d.header_lost, !header_whole) << Dump(d);
    EXPECT_EQ(d.state.consent.has_value(), header_whole);
    EXPECT_EQ(d.state.generation, header_whole ? "g-01" : "");
    EXPECT_EQ(d.state.profile.rollups().size(), header_whole ? 2u : 0u);
  }
  EXPECT_FALSE(DecodeStore(text).truncated);
}

TEST(StoreTest, CutInsideTheFirstLineLoadsNothingAndSaysSo) {
  const DecodedStore d = DecodeStore("TAGWISE-ST");
  EXPECT_TRUE(d.truncated);
  ASSERT_EQ(d.problems.size(), 1u);
  EXPECT_EQ(d.problems[0].severity, Severity::kError);
  EXPECT_EQ(d.problems[0].code, ErrorCode::kWrongArgumentType);
}

TEST(StoreTest, CorruptingAnyByteOfAnEventLineDropsOnlyThatEvent) {
  const std::string text = EncodeStore(SampleState());
  const size_t start = LineEnd(text, 3);    // line 4: event "e2"
  const size_t end = LineEnd(text, 4) - 1;  // its '\n'
  for (size_t i = start; i < end; ++i) {
    SCOPED_TRACE("byte " + std::to_string(i));
    std::string bad = text;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    const DecodedStore d = DecodeStore(bad);
    EXPECT_EQ(Ids(d.state.profile), (std::vector<std::string>{"e1", "e3"})) << Dump(d);
    EXPECT_EQ(d.events_kept, 2u);
    EXPECT_EQ(d.events_dropped, 1u);
    EXPECT_TRUE(HasProblem(d, ErrorCode::kWrongArgumentType, "line 4")) << Dump(d);
    EXPECT_FALSE(d.header_lost);
    EXPECT_TRUE(d.truncated);  // the END checksum no longer matches
    EXPECT_EQ(d.state.generation, "g-01");
    for (const Error& e : d.problems) EXPECT_EQ(e.severity, Severity::kWarning);
  }
}

TEST(StoreTest, DamagedHeaderKeepsTheEventsAndReportsTheHeaderLost) {
  const std::string text = EncodeStore(SampleState());
  std::string bad = text;
  bad[LineEnd(text, 1) + 20] ^= 0x01;  // inside the header JSON
  const DecodedStore d = DecodeStore(bad);
  EXPECT_TRUE(d.header_lost);
  EXPECT_TRUE(HasProblem(d, ErrorCode::kWrongArgumentType, "line 2")) << Dump(d);
  EXPECT_EQ(Ids(d.state.profile), (std::vector<std::string>{"e1", "e2", "e3"}));
  EXPECT_EQ(d.events_kept, 3u);
  EXPECT_FALSE(d.state.consent.has_value());
  EXPECT_EQ(d.state.generation, "");
  EXPECT_TRUE(d.state.profile.attributes().empty());
  EXPECT_TRUE(d.state.profile.rollups().empty());
  EXPECT_EQ(d.state.profile.user_id(), "");
}

TEST(StoreTest, ReorderedDuplicatedOrMissingLinesAreCaughtByTheEndChecksum) {
  const std::string text = EncodeStore(SampleState());
  std::vector<std::string> lines = Lines(text);
  auto join = [](const std::vector<std::string>& ls) {
    std::string out;
    for (const std::string& l : ls) out += l + "\n";
    return out;
  };
  std::vector<std::string> swapped = lines;
  std::swap(swapped[2], swapped[3]);
  std::vector<std::string> duplicated = lines;
  duplicated.insert(duplicated.begin() + 3, lines[3]);
  std::vector<std::string> missing = lines;
  missing.erase(missing.begin() + 3);
  const struct {
    const char* name;
    std::string text;
    std::vector<std::string> ids;
  } cases[] = {
      {"swapped", join(swapped), {"e1", "e2", "e3"}},
      {"duplicated", join(duplicated), {"e1", "e2", "e3"}},
      {"missing", join(missing), {"e1", "e3"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const DecodedStore d = DecodeStore(c.text);
    EXPECT_TRUE(d.truncated) << Dump(d);
    EXPECT_EQ(Ids(d.state.profile), c.ids);
    EXPECT_FALSE(d.header_lost);
    EXPECT_FALSE(d.problems.empty());
    EXPECT_EQ(d.events_dropped, 0u);  // a duplicate counts once and loses nothing
  }
  // The intact original is complete.
  EXPECT_FALSE(DecodeStore(text).truncated);
}

TEST(StoreTest, WrongEventCountOnTheEndLineIsTruncation) {
  std::string text = EncodeStore(SampleState());
  text.replace(text.size() - 2, 1, "4");  // "... 3\n" -> "... 4\n"
  const DecodedStore d = DecodeStore(text);
  EXPECT_TRUE(d.truncated);
  EXPECT_TRUE(HasProblem(d, ErrorCode::kWrongArgumentType, "line 6")) << Dump(d);
  EXPECT_EQ(d.events_kept, 3u);
}

TEST(StoreTest, NewerFormatVersionLoadsNothing) {
  const std::string text = EncodeStore(SampleState());
  for (const std::string version : {"2", "99999999999999999999999"}) {
    SCOPED_TRACE(version);
    const std::string newer = "TAGWISE-STORE " + version + text.substr(text.find('\n'));
    const DecodedStore d = DecodeStore(newer);
    ASSERT_EQ(d.problems.size(), 1u) << Dump(d);
    EXPECT_EQ(d.problems[0].code, ErrorCode::kUnsupportedVersion);
    EXPECT_EQ(d.problems[0].severity, Severity::kError);
    EXPECT_EQ(d.problems[0].path, "line 1");
    EXPECT_TRUE(d.state.profile.events().empty());
    EXPECT_FALSE(d.state.consent.has_value());
    EXPECT_EQ(d.events_kept, 0u);
  }
}

TEST(StoreTest, GarbageIsAnErrorNeverAThrow) {
  const std::string cases[] = {"hello",
                               "{\"tagwise_profile\": 1}",
                               "\n\n\n",
                               std::string("\0\xff\xfe", 3),
                               "TAGWISE-STORE x\n",
                               "TAGWISE-STORE 0\nE 00000000 {}\n",
                               "TAGWISE-STORE -1\n",
                               "TAGWISE-STORE \n",
                               "tagwise-store 1\n",
                               "TAGWISE-STORE 1 \n"};
  for (const std::string& text : cases) {
    SCOPED_TRACE(text);
    const DecodedStore d = DecodeStore(text);
    ASSERT_EQ(d.problems.size(), 1u) << Dump(d);
    EXPECT_EQ(d.problems[0].code, ErrorCode::kWrongArgumentType);
    EXPECT_EQ(d.problems[0].severity, Severity::kError);
    EXPECT_TRUE(d.state.profile.events().empty());
  }
}

TEST(StoreTest, RandomDamageNeverCrashesAndNeverInventsEvents) {
  const std::string text = EncodeStore(SampleState());
  const json original = SampleState().profile.ToJson();
  std::mt19937 rng(2024);
  for (int round = 0; round < 2000; ++round) {
    std::string bad = text;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      const size_t at = rng() % bad.size();
      switch (rng() % 3) {
        case 0: bad[at] = static_cast<char>(rng() & 0xFF); break;
        case 1: bad.erase(at, 1 + rng() % 20); break;
        default: bad.insert(at, 1, "\n{}[]\"E 0"[rng() % 9]); break;
      }
      if (bad.empty()) bad = "x";
    }
    const DecodedStore d = DecodeStore(bad);
    EXPECT_LE(d.events_kept, 3u);
    for (const Event& e : d.state.profile.events()) {
      EXPECT_TRUE(e.id == "e1" || e.id == "e2" || e.id == "e3") << e.id;
    }
    // Damage is either reported or harmless (e.g. a blank line after END).
    if (d.problems.empty()) EXPECT_EQ(d.state.profile.ToJson(), original);
  }
}

TEST(StoreTest, ChineseTextInPropsAndAttributesRoundTrips) {
  StoreState s;
  s.profile.set_user_id("张三");
  s.profile.set_attributes({{"城市", "北京"}, {"标签", {"高价值", "游戏"}}});
  (void)s.profile.AddEvent(Ev("订单-1", "order_paid", kNow, {{"商品", "耳机"}, {"emoji", "🎧"}, {"引号", "\"\n\\"}}));
  const std::string text = EncodeStore(s);
  EXPECT_NE(text.find("北京"), std::string::npos);
  EXPECT_EQ(Lines(text).size(), 4u);  // the "\n" inside a prop is escaped, not a line break
  const DecodedStore d = DecodeStore(text);
  EXPECT_TRUE(d.problems.empty()) << Dump(d);
  EXPECT_EQ(d.state.profile.ToJson(), s.profile.ToJson());
  EXPECT_EQ(d.state.profile.events()[0].props["商品"], "耳机");
  EXPECT_EQ(d.state.profile.attributes()["城市"], "北京");
}

TEST(StoreTest, InvalidUtf8IsReplacedWhenEncodingNotThrown) {
  StoreState s;
  (void)s.profile.AddEvent(Ev("e1", "view", kNow, {{"name", std::string("ab\xff", 3)}}));
  const std::string text = EncodeStore(s);
  const DecodedStore d = DecodeStore(text);
  EXPECT_TRUE(d.problems.empty()) << Dump(d);
  ASSERT_EQ(d.events_kept, 1u);
  EXPECT_EQ(d.state.profile.events()[0].props["name"], "ab\xEF\xBF\xBD");  // U+FFFD
}

// Writes a line with a correct checksum around arbitrary JSON text.
std::string Line(const std::string& tag, const std::string& payload) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", Crc32(payload));
  return tag + " " + hex + " " + payload + "\n";
}

TEST(StoreTest, IntactLinesWithUnusableEventsAreDroppedWithTheirLine) {
  std::string text = "TAGWISE-STORE 1\n";
  text += Line("H", R"({"generation": "g", "generation_at": 1, "saved_at": 2, "consent": null, "profile": {}})");
  text += Line("E", R"({"id": "ok1", "type": "view", "ts": 1763856000000})");
  text += Line("E", R"({"id": "bad", "type": "view", "ts": 17638)");  // not JSON
  text += Line("E", R"({"id": "no-type", "ts": 1763856000000})");
  text += Line("E", std::string(5000, '[') + std::string(5000, ']'));
  text += Line("E", R"({"id": "ok1", "type": "view", "ts": 1763856000001})");  // duplicate id
  text += Line("E", R"({"id": "ok2", "type": "view", "ts": 1763856000002})");
  text += "END " + [&] {
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", Crc32(text));
    return std::string(hex);
  }() + " 6\n";
  const DecodedStore d = DecodeStore(text);
  EXPECT_FALSE(d.truncated) << Dump(d);
  EXPECT_EQ(Ids(d.state.profile), (std::vector<std::string>{"ok1", "ok2"}));
  EXPECT_EQ(d.events_kept, 2u);
  EXPECT_EQ(d.events_dropped, 3u);
  EXPECT_TRUE(HasProblem(d, ErrorCode::kWrongArgumentType, "line 4")) << Dump(d);
  EXPECT_TRUE(HasProblem(d, ErrorCode::kWrongArgumentType, "line 5")) << Dump(d);
  EXPECT_TRUE(HasProblem(d, ErrorCode::kTooLarge, "line 6")) << Dump(d);
  EXPECT_TRUE(HasProblem(d, ErrorCode::kDuplicateId, "line 7")) << Dump(d);
  EXPECT_EQ(d.state.generation, "g");
}

TEST(StoreTest, HeaderWithANewerProfileFormatKeepsTheEvents) {
  std::string text = "TAGWISE-STORE 1\n";
  text += Line("H", R"({"generation": "g", "profile": {"tagwise_profile": 2, "attributes": {"a": 1}}})");
  text += Line("E", R"({"id": "e1", "type": "view", "ts": 1763856000000})");
  const DecodedStore d = DecodeStore(text);
  EXPECT_TRUE(d.header_lost);
  EXPECT_TRUE(HasProblem(d, ErrorCode::kUnsupportedVersion, "line 2")) << Dump(d);
  EXPECT_EQ(Ids(d.state.profile), (std::vector<std::string>{"e1"}));
  EXPECT_TRUE(d.state.profile.attributes().empty());
  EXPECT_TRUE(d.truncated);  // no END line
}

TEST(StoreTest, WrongTypedHeaderFieldsAreWarnedAndDefaulted) {
  std::string text = "TAGWISE-STORE 1\n";
  text += Line("H", R"({"generation": 5, "generation_at": "x", "saved_at": 1e300, "consent": "yes", "profile": []})");
  text += Line("E", R"({"id": "e1", "type": "view", "ts": 1763856000000})");
  const DecodedStore d = DecodeStore(text);
  EXPECT_FALSE(d.header_lost);
  EXPECT_EQ(d.state.generation, "");
  EXPECT_EQ(d.state.generation_at, 0);
  EXPECT_EQ(d.state.saved_at, 0);
  EXPECT_FALSE(d.state.consent.has_value());
  EXPECT_EQ(Ids(d.state.profile), (std::vector<std::string>{"e1"}));
  size_t on_header = 0;
  for (const Error& e : d.problems) on_header += e.path == "line 2" ? 1 : 0;
  EXPECT_EQ(on_header, 5u) << Dump(d);
}

TEST(StoreTest, TextAfterTheEndLineIsIgnoredWithAWarning) {
  const std::string text = EncodeStore(SampleState());
  const DecodedStore d = DecodeStore(text + Line("E", R"({"id": "late", "type": "view", "ts": 1763856000000})"));
  EXPECT_EQ(Ids(d.state.profile), (std::vector<std::string>{"e1", "e2", "e3"}));
  EXPECT_FALSE(d.truncated);
  EXPECT_TRUE(HasProblem(d, ErrorCode::kWrongArgumentType, "line 7")) << Dump(d);
}

TEST(StoreTest, ProfileLimitsApplyAndReportTooLarge) {
  const std::string text = EncodeStore(SampleState());
  ProfileLimits limits;
  limits.max_events = 2;
  const DecodedStore d = DecodeStore(text, limits);
  EXPECT_EQ(Ids(d.state.profile), (std::vector<std::string>{"e2", "e3"}));  // the newest
  EXPECT_EQ(d.events_kept, 2u);
  EXPECT_EQ(d.events_dropped, 1u);
  EXPECT_TRUE(HasProblem(d, ErrorCode::kTooLarge, "")) << Dump(d);
  EXPECT_FALSE(d.truncated);
}

TEST(StoreTest, FiveThousandEventsEncodeAndDecodeQuickly) {
  StoreState s;
  s.profile.set_user_id("u1");
  for (int i = 0; i < 5000; ++i) {
    (void)s.profile.AddEvent(Ev("e" + std::to_string(i), i % 3 == 0 ? "order_paid" : "page_view",
                                kNow - (5000 - i) * 60'000, {{"amount", i % 97}, {"item", "SKU-" + std::to_string(i % 50)}}));
  }
  const auto t0 = std::chrono::steady_clock::now();
  const std::string text = EncodeStore(s);
  const DecodedStore d = DecodeStore(text);
  const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(d.events_kept, 5000u);
  EXPECT_TRUE(d.problems.empty()) << Dump(d);
  EXPECT_EQ(d.state.profile.ToJson(), s.profile.ToJson());
  std::printf("[ info ] 5000 events: %zu bytes, encode+decode %.2f ms\n", text.size(), ms);
  // Natively a few ms; the bound leaves room for a loaded machine. Debug,
  // sanitizer and wasm builds only have to finish.
#if defined(NDEBUG) && !defined(TAGWISE_TEST_ASAN) && !defined(__EMSCRIPTEN__)
  EXPECT_LT(ms, 250.0);
#endif
}

// --- MergeStores ---

StoreState TabState(const std::string& generation, int64_t generation_at, std::vector<Event> events) {
  StoreState s;
  s.generation = generation;
  s.generation_at = generation_at;
  s.profile.set_user_id("u1");
  for (Event& e : events) (void)s.profile.AddEvent(std::move(e));
  return s;
}

TEST(StoreTest, SameGenerationMergesEventsBothWaysWithoutDoubleCounting) {
  const Event shared1 = Ev("s1", "view", kNow - 3000), shared2 = Ev("s2", "view", kNow - 2000);
  StoreState a = TabState("g", kNow - kDay, {shared1, shared2, Ev("a1", "cart_add", kNow - 1500)});
  StoreState b = TabState("g", kNow - kDay, {shared1, shared2, Ev("b1", "order_paid", kNow - 1000)});
  // Tab A reads B's store (through its text, as it would from localStorage).
  const DecodedStore from_b = DecodeStore(EncodeStore(b));
  StoreMergeReport r = MergeStores(from_b.state, &a);
  EXPECT_EQ(r.outcome, StoreMergeReport::Outcome::kSame);
  EXPECT_EQ(r.events_added, 1u);
  EXPECT_EQ(Ids(a.profile), (std::vector<std::string>{"s1", "s2", "a1", "b1"}));
  // And B reads A's merged store: it gains a1 only.
  r = MergeStores(a, &b);
  EXPECT_EQ(r.events_added, 1u);
  EXPECT_EQ(Ids(b.profile), (std::vector<std::string>{"s1", "s2", "a1", "b1"}));
  EXPECT_EQ(b.profile.EventsOfType("view").size(), 2u);
  // Merging again adds nothing.
  EXPECT_EQ(MergeStores(b, &a).events_added, 0u);
  EXPECT_EQ(a.profile.ToJson(), b.profile.ToJson());
}

TEST(StoreTest, EmptyGenerationsMergeAndANamedGenerationBeatsTheEmptyOne) {
  // Two tabs that never replaced the profile: one generation, merged.
  StoreState a = TabState("", 0, {Ev("x", "view", kNow)});
  const StoreState b = TabState("", 0, {Ev("y", "view", kNow - 5)});
  StoreMergeReport r = MergeStores(b, &a);
  EXPECT_EQ(r.outcome, StoreMergeReport::Outcome::kSame);
  EXPECT_EQ(r.events_added, 1u);
  EXPECT_EQ(Ids(a.profile), (std::vector<std::string>{"y", "x"}));

  // Another tab replaced the profile (or called forget()): its named
  // generation wins over this tab's older, unnamed copy.
  StoreState stale = TabState("", 0, {Ev("x", "view", kNow)});
  const StoreState replaced = TabState("g-7", kNow - kDay, {Ev("z", "view", kNow - 5)});
  r = MergeStores(replaced, &stale);
  EXPECT_EQ(r.outcome, StoreMergeReport::Outcome::kStoredWon);
  EXPECT_EQ(stale.generation, "g-7");
  EXPECT_EQ(stale.generation_at, kNow - kDay);
  EXPECT_EQ(Ids(stale.profile), (std::vector<std::string>{"z"}));

  // And a stale unnamed store never undoes this tab's named generation.
  StoreState named = replaced;
  EXPECT_EQ(MergeStores(TabState("", 0, {Ev("x", "view", kNow)}), &named).outcome, StoreMergeReport::Outcome::kOursWon);
  EXPECT_EQ(Ids(named.profile), (std::vector<std::string>{"z"}));
}

TEST(StoreTest, DifferentGenerationsAreNeverMergedTheLaterWins) {
  const StoreState older = TabState("g-old", kNow - 10 * kDay, {Ev("o1", "view", kNow - 100), Ev("o2", "view", kNow - 90)});
  const StoreState newer = TabState("g-new", kNow - kDay, {Ev("n1", "view", kNow - 50), Ev("o1", "view", kNow - 100)});

  StoreState ours = older;  // another tab called forget(): its newer generation wins wholesale
  StoreMergeReport r = MergeStores(newer, &ours);
  EXPECT_EQ(r.outcome, StoreMergeReport::Outcome::kStoredWon);
  EXPECT_EQ(r.events_added, 1u);  // n1; o1 was known
  EXPECT_EQ(ours.generation, "g-new");
  EXPECT_EQ(Ids(ours.profile), (std::vector<std::string>{"o1", "n1"}));

  ours = newer;  // an old tab's stale store never undoes it
  r = MergeStores(older, &ours);
  EXPECT_EQ(r.outcome, StoreMergeReport::Outcome::kOursWon);
  EXPECT_EQ(r.events_added, 0u);
  EXPECT_EQ(ours.generation, "g-new");
  EXPECT_EQ(Ids(ours.profile), (std::vector<std::string>{"o1", "n1"}));

  // Same generation_at: the lexicographically greater generation wins.
  StoreState a = TabState("g-a", kNow, {Ev("a", "view", kNow)});
  const StoreState b = TabState("g-b", kNow, {Ev("b", "view", kNow)});
  EXPECT_EQ(MergeStores(b, &a).outcome, StoreMergeReport::Outcome::kStoredWon);
  EXPECT_EQ(a.generation, "g-b");
  StoreState b2 = b;
  EXPECT_EQ(MergeStores(TabState("g-a", kNow, {}), &b2).outcome, StoreMergeReport::Outcome::kOursWon);
}

TEST(StoreTest, SameGenerationKeepsTheLaterConsent) {
  StoreState ours = TabState("g", kNow - kDay, {});
  StoreState stored = TabState("g", kNow - kDay, {});
  // Only the other tab has a choice: it is taken.
  stored.consent = StoredConsent{{"necessary", "marketing"}, kNow - 100};
  (void)MergeStores(stored, &ours);
  ASSERT_TRUE(ours.consent.has_value());
  EXPECT_EQ(ours.consent->purposes, (std::set<std::string>{"necessary", "marketing"}));
  // Ours is later: kept.
  ours.consent = StoredConsent{{"necessary"}, kNow - 50};
  (void)MergeStores(stored, &ours);
  EXPECT_EQ(ours.consent->purposes, (std::set<std::string>{"necessary"}));
  EXPECT_EQ(ours.consent->updated_at, kNow - 50);
  // Theirs is later: taken.
  stored.consent = StoredConsent{{"necessary", "analytics"}, kNow - 10};
  (void)MergeStores(stored, &ours);
  EXPECT_EQ(ours.consent->purposes, (std::set<std::string>{"necessary", "analytics"}));
  // No choice in the stored copy never erases ours.
  stored.consent.reset();
  (void)MergeStores(stored, &ours);
  EXPECT_TRUE(ours.consent.has_value());
}

}  // namespace
}  // namespace tagwise
