// The profile store: retention and compaction into day rollups, the dedupe
// watermark, snapshot merge, the versioned JSON form, bad input and limits.
#include "tagwise/profile.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tagwise/rule.h"
#include "test_support.h"

namespace tagwise {
namespace {

using nlohmann::json;

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kHour = 3'600'000;
// 2025-11-23T00:00:00Z, a UTC day start.
constexpr int64_t kMidnightUtc = 1'763'856'000'000;

// Evaluates {"events": [spec]} over `p` at `now`.
json Aggregate(const Profile& p, int64_t now, const json& spec) {
  return testing::EvaluateOver(p, now, json{{"events", json::array({spec})}});
}

json Count(const Profile& p, int64_t now, const std::string& type, int64_t within) {
  return Aggregate(p, now, {{"type", type}, {"within", within}});
}

json Sum(const Profile& p, int64_t now, const std::string& type, int64_t within) {
  return Aggregate(p, now, {{"type", type}, {"within", within}, {"agg", "sum"}, {"field", "amount"}});
}

std::vector<std::string> Paths(const std::vector<Error>& issues) {
  std::vector<std::string> out;
  for (const Error& e : issues) out.push_back(e.path);
  return out;
}

const Error* FindPath(const std::vector<Error>& issues, const std::string& path) {
  for (const Error& e : issues) {
    if (e.path == path) return &e;
  }
  return nullptr;
}

// The type index must list exactly the events of each type, ascending.
void ExpectIndexConsistent(const Profile& p) {
  std::set<std::string> types;
  for (const Event& e : p.events()) types.insert(e.type);
  size_t total = 0;
  for (const std::string& type : types) {
    const std::vector<uint32_t>& idx = p.EventsOfType(type);
    total += idx.size();
    for (size_t k = 0; k < idx.size(); ++k) {
      ASSERT_LT(idx[k], p.events().size());
      EXPECT_EQ(p.events()[idx[k]].type, type);
      if (k > 0) {
        EXPECT_LT(idx[k - 1], idx[k]);
      }
    }
  }
  EXPECT_EQ(total, p.events().size());
  EXPECT_TRUE(std::is_sorted(p.events().begin(), p.events().end(),
                             [](const Event& a, const Event& b) { return a.ts < b.ts; }));
}

// ~2,000 events of three types over 200 days, integer amounts so sums are exact.
Profile RandomHistory(int64_t now, int tz_offset_min, unsigned seed) {
  std::mt19937 rng(seed);
  const char* types[] = {"view", "cart_add", "order_paid"};
  Profile p;
  p.set_tz_offset_min(tz_offset_min);
  for (int i = 0; i < 2000; ++i) {
    Event e;
    e.id = "e" + std::to_string(i);
    e.type = types[rng() % 3];
    e.ts = now - static_cast<int64_t>(rng() % (200 * kDay));
    e.props = json{{"amount", static_cast<int>(rng() % 100)}, {"category", "steam"}};
    EXPECT_TRUE(p.AddEvent(e));
  }
  return p;
}

// ---------------------------------------------------------------- retention

TEST(ProfileTest, RetentionPolicyDefaultsAre5000EventsAnd90Days) {
  RetentionPolicy policy;
  EXPECT_EQ(policy.max_events, 5000u);
  EXPECT_EQ(policy.max_age_ms, 90 * kDay);
}

TEST(ProfileTest, CompactionKeepsWindowedCountsAtDayGranularity) {
  const int64_t now = kMidnightUtc;  // windows of whole days start at a day start
  Profile p = RandomHistory(now, 0, 11);
  const char* types[] = {"view", "cart_add", "order_paid"};
  const int64_t windows[] = {kDay, 7 * kDay, 30 * kDay, 60 * kDay, 365 * kDay};
  std::vector<json> before;
  for (const char* type : types) {
    for (int64_t w : windows) {
      before.push_back(Count(p, now, type, w));
      before.push_back(Sum(p, now, type, w));
    }
  }
  const json lifetime_before = Aggregate(p, now, json::object());

  CompactionReport report = p.Compact(now, RetentionPolicy{500, 20 * kDay});
  EXPECT_GE(report.events_folded, 1500u);
  EXPECT_LE(p.events().size(), 500u);
  EXPECT_FALSE(p.rollups().empty());
  for (const Event& e : p.events()) EXPECT_GT(e.ts, p.compacted_through());

  size_t k = 0;
  for (const char* type : types) {
    for (int64_t w : windows) {
      EXPECT_EQ(Count(p, now, type, w), before[k++]) << type << " count within " << w / kDay << "d";
      EXPECT_EQ(Sum(p, now, type, w), before[k++]) << type << " sum within " << w / kDay << "d";
    }
  }
  EXPECT_EQ(Aggregate(p, now, json::object()), lifetime_before);
  // A later, still day-aligned evaluation agrees as well.
  const Profile uncompacted = RandomHistory(now, 0, 11);
  EXPECT_EQ(Count(p, now + 5 * kDay, "order_paid", 60 * kDay), Count(uncompacted, now + 5 * kDay, "order_paid", 60 * kDay));
}

TEST(ProfileTest, CompactionDiffersOnlyByThePartialFirstDayForUnalignedWindows) {
  const int64_t now = kMidnightUtc + 15 * kHour;  // not a day start
  Profile p = RandomHistory(kMidnightUtc, 0, 12);
  // Make sure each window's first, partial day has an event after the window starts.
  ASSERT_TRUE(p.AddEvent(Event{"p30", "order_paid", now - 30 * kDay + kHour, json::object()}));
  ASSERT_TRUE(p.AddEvent(Event{"p60", "order_paid", now - 60 * kDay + kHour, json::object()}));
  const Profile original = p;
  p.Compact(now, RetentionPolicy{100, 10 * kDay});
  for (int64_t w : {30 * kDay, 60 * kDay}) {
    const int64_t lower = now - w;
    // Events of the window's first, partial day that are now in a rollup
    // starting before the window: the only ones an aggregate can lose.
    int64_t partial = 0;
    for (const Event& e : original.events()) {
      if (e.type == "order_paid" && e.ts >= lower && e.ts <= p.compacted_through() && p.DayStart(e.ts) < lower) {
        ++partial;
      }
    }
    const int64_t exact = Count(original, now, "order_paid", w).get<int64_t>();
    const int64_t compacted = Count(p, now, "order_paid", w).get<int64_t>();
    EXPECT_LE(compacted, exact);
    EXPECT_EQ(exact - compacted, partial) << w / kDay << "d";
    EXPECT_GT(partial, 0) << "the test should exercise a partial day";
  }
}

TEST(ProfileTest, CompactionUsesTheProfilesTimeZoneForDays) {
  const int tz = 480;  // UTC+8
  const int64_t local_midnight = kMidnightUtc - 8 * kHour;
  Profile p = RandomHistory(local_midnight, tz, 13);
  const Profile original = p;
  p.Compact(local_midnight, RetentionPolicy{300, 30 * kDay});
  for (const DayRollup& r : p.rollups()) {
    EXPECT_EQ(((r.day_start + 8 * kHour) % kDay + kDay) % kDay, 0) << "not a local midnight: " << r.day_start;
  }
  for (int64_t w : {30 * kDay, 60 * kDay}) {
    EXPECT_EQ(Count(p, local_midnight, "view", w), Count(original, local_midnight, "view", w));
    EXPECT_EQ(Sum(p, local_midnight, "view", w), Sum(original, local_midnight, "view", w));
  }
  // 2025-11-21T20:00Z is 04:00 on the 22nd in UTC+8: its day starts 2025-11-21T16:00Z.
  Profile one;
  one.set_tz_offset_min(tz);
  ASSERT_TRUE(one.AddEvent(Event{"a", "view", kMidnightUtc - 2 * kDay + 20 * kHour, json::object()}));
  one.Compact(kMidnightUtc, RetentionPolicy{0, 0});
  ASSERT_EQ(one.rollups().size(), 1u);
  EXPECT_EQ(one.rollups()[0].day_start, kMidnightUtc - 2 * kDay + 16 * kHour);
}

TEST(ProfileTest, CompactionFoldsTheOldestBeyondMaxEvents) {
  Profile p;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(p.AddEvent(Event{"e" + std::to_string(i), "view", kMidnightUtc + i * kHour, json{{"amount", i}}}));
  }
  CompactionReport r = p.Compact(kMidnightUtc + kDay, RetentionPolicy{3, 90 * kDay});
  EXPECT_EQ(r.events_folded, 2u);
  EXPECT_EQ(r.rollups_created, 1u);
  EXPECT_EQ(r.rollups_extended, 0u);
  ASSERT_EQ(p.events().size(), 3u);
  EXPECT_EQ(p.events()[0].id, "e2");
  EXPECT_EQ(p.compacted_through(), kMidnightUtc + kHour);
  ASSERT_EQ(p.rollups().size(), 1u);
  EXPECT_EQ(p.rollups()[0].day_start, kMidnightUtc);
  EXPECT_EQ(p.rollups()[0].count, 2);
  EXPECT_EQ(p.rollups()[0].sums.at("amount"), 1.0);
}

TEST(ProfileTest, CompactionFoldsEventsWithTheSameTimestampTogether) {
  Profile p;
  ASSERT_TRUE(p.AddEvent(Event{"a", "view", 1'000'000'000'000, json::object()}));
  ASSERT_TRUE(p.AddEvent(Event{"b", "view", 1'000'000'000'000, json::object()}));
  ASSERT_TRUE(p.AddEvent(Event{"c", "view", 1'000'000'000'001, json::object()}));
  // Keeping 2 would split a and b; both go, so the watermark stays exact.
  EXPECT_EQ(p.Compact(1'000'000'000'001, RetentionPolicy{2, 90 * kDay}).events_folded, 2u);
  ASSERT_EQ(p.events().size(), 1u);
  EXPECT_EQ(p.events()[0].id, "c");
}

TEST(ProfileTest, CompactionMergesWithExistingRollupsOfTheSameDayAndType) {
  Profile p;
  p.AddRollup(DayRollup{kMidnightUtc - 100 * kDay, "order_paid", 3, {{"amount", 30}}});
  ASSERT_TRUE(p.AddEvent(Event{"a", "order_paid", kMidnightUtc - 100 * kDay + kHour, json{{"amount", 7}}}));
  ASSERT_TRUE(p.AddEvent(Event{"b", "view", kMidnightUtc - 100 * kDay + kHour, json::object()}));
  CompactionReport r = p.Compact(kMidnightUtc, RetentionPolicy{});
  EXPECT_EQ(r.events_folded, 2u);
  EXPECT_EQ(r.rollups_extended, 1u);
  EXPECT_EQ(r.rollups_created, 1u);
  ASSERT_EQ(p.rollups().size(), 2u);
  EXPECT_EQ(p.rollups()[0].type, "order_paid");
  EXPECT_EQ(p.rollups()[0].count, 4);
  EXPECT_EQ(p.rollups()[0].sums.at("amount"), 37.0);
  EXPECT_EQ(p.rollups()[1].type, "view");
}

TEST(ProfileTest, CompactionSumsTheValuesALiveSumAdds) {
  // Folding a day never changes sum or avg: the same values count (JavaScript's
  // Number(): "30", true, " " as 0, [1] as 1; not objects or null), and avg
  // divides by the events that had a number in the field, not by all of them
  // (found by tests/js/soak.test.mjs).
  Profile p;
  json props = {{"amount", "30"},  {"gift", true},       {"category", "steam"}, {"blank", " "},
                {"sku", {{"price", 5}}}, {"ids", json::array({1})}, {"qty", 2.5}};
  ASSERT_TRUE(p.AddEvent(Event{"a", "order_paid", kMidnightUtc - 100 * kDay, props}));
  ASSERT_TRUE(p.AddEvent(Event{"b", "order_paid", kMidnightUtc - 100 * kDay + 1, json{{"amount", 10}}}));
  ASSERT_TRUE(p.AddEvent(Event{"c", "order_paid", kMidnightUtc - 100 * kDay + 2, json{{"amount", nullptr}}}));
  ASSERT_TRUE(p.AddEvent(Event{"d", "order_paid", kMidnightUtc - 100 * kDay + 3, json::object()}));
  const std::vector<std::string> fields = {"amount", "gift", "category", "blank", "sku", "ids", "qty"};
  std::vector<json> live;
  for (const std::string& f : fields) {
    for (const char* agg : {"sum", "avg", "count"}) {
      live.push_back(Aggregate(p, kMidnightUtc, {{"type", "order_paid"}, {"agg", agg}, {"field", f}}));
    }
  }
  p.Compact(kMidnightUtc, RetentionPolicy{});
  ASSERT_EQ(p.rollups().size(), 1u);
  const DayRollup& r = p.rollups()[0];
  EXPECT_EQ(r.sums, (std::map<std::string, double>{{"amount", 40}, {"blank", 0}, {"gift", 1}, {"ids", 1}, {"qty", 2.5}}));
  EXPECT_EQ(r.NumbersAt("amount"), 2);
  EXPECT_EQ(r.NumbersAt("qty"), 1);
  size_t i = 0;
  for (const std::string& f : fields) {
    for (const char* agg : {"sum", "avg", "count"}) {
      EXPECT_EQ(Aggregate(p, kMidnightUtc, {{"type", "order_paid"}, {"agg", agg}, {"field", f}}), live[i++])
          << agg << " of " << f;
    }
  }
  // The per-field counts survive JSON (written only where they differ from
  // the count) and a merge with another copy of the day.
  Result<Profile> back = Profile::FromJson(p.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value().ToJson(), p.ToJson());
  EXPECT_EQ(p.ToJson()["rollups"][0]["numbers"], (json{{"amount", 2}, {"blank", 1}, {"gift", 1}, {"ids", 1}, {"qty", 1}}));
  EXPECT_EQ(Aggregate(back.value(), kMidnightUtc, {{"type", "order_paid"}, {"agg", "avg"}, {"field", "amount"}}), 20);
  Profile twice = back.value();
  DayRollup same = r;
  twice.AddRollup(same);
  EXPECT_EQ(twice.rollups()[0].count, 8);
  EXPECT_EQ(twice.rollups()[0].NumbersAt("amount"), 4);
  EXPECT_EQ(Aggregate(twice, kMidnightUtc, {{"type", "order_paid"}, {"agg", "avg"}, {"field", "amount"}}), 20);
}

TEST(ProfileTest, RollupsWithoutNumbersCountEveryEventAndBadNumbersAreIgnored) {
  std::vector<Error> warnings;
  const json old_style = {{"rollups",
                           {{{"day", kMidnightUtc - 100 * kDay}, {"type", "order_paid"}, {"count", 4},
                             {"sums", {{"amount", 40}, {"qty", 3}}},
                             {"numbers", {{"amount", 9}, {"qty", 1}, {"nope", 1}}}}}}};
  Result<Profile> p = Profile::FromJson(old_style, &warnings);
  ASSERT_TRUE(p.ok());
  // amount: 9 > count, ignored (all 4 count); nope: not a summed prop.
  EXPECT_EQ(Aggregate(p.value(), kMidnightUtc, {{"type", "order_paid"}, {"agg", "avg"}, {"field", "amount"}}), 10);
  EXPECT_EQ(Aggregate(p.value(), kMidnightUtc, {{"type", "order_paid"}, {"agg", "avg"}, {"field", "qty"}}), 3);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0].path, "/rollups/0/numbers/amount");
  EXPECT_EQ(warnings[1].path, "/rollups/0/numbers/nope");
}

TEST(ProfileTest, CompactionRebuildsTheTypeIndex) {
  Profile p = RandomHistory(kMidnightUtc, 0, 14);
  p.Compact(kMidnightUtc, RetentionPolicy{700, 45 * kDay});
  ExpectIndexConsistent(p);
  // Compacted ids are forgotten (their events are in rollups); kept ones are still known.
  EXPECT_FALSE(p.AddEvent(p.events().front()));
}

TEST(ProfileTest, CompactionWithNothingToFoldChangesNothing) {
  Profile p = RandomHistory(kMidnightUtc, 0, 15);
  const json before = p.ToJson();
  CompactionReport r = p.Compact(kMidnightUtc, RetentionPolicy{5000, 365 * kDay});
  EXPECT_EQ(r.events_folded, 0u);
  EXPECT_EQ(p.ToJson(), before);
  EXPECT_EQ(p.compacted_through(), Profile::kNone);
}

TEST(ProfileTest, AgeLimitCanBeDisabledWithTheLargestValue) {
  Profile p;
  ASSERT_TRUE(p.AddEvent(Event{"old", "view", -5'000'000'000'000, json::object()}));
  RetentionPolicy policy;
  policy.max_age_ms = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(p.Compact(kMidnightUtc, policy).events_folded, 0u);
  policy.max_age_ms = -1;  // read as 0: everything before now
  EXPECT_EQ(p.Compact(kMidnightUtc, policy).events_folded, 1u);
}

// ---------------------------------------------------------------- watermark

TEST(ProfileTest, EventsRedeliveredAfterCompactionAreIgnored) {
  Profile p;
  const Event old{"old", "order_paid", kMidnightUtc - 100 * kDay, json{{"amount", 10}}};
  const Event recent{"recent", "order_paid", kMidnightUtc - kDay, json{{"amount", 20}}};
  ASSERT_TRUE(p.AddEvent(old));
  ASSERT_TRUE(p.AddEvent(recent));
  p.Compact(kMidnightUtc, RetentionPolicy{});
  EXPECT_EQ(p.compacted_through(), old.ts);
  EXPECT_FALSE(p.AddEvent(old));  // its id is gone, the watermark remembers
  EXPECT_FALSE(p.AddEvent(Event{"other", "view", old.ts, json::object()}));
  EXPECT_FALSE(p.AddEvent(recent));
  EXPECT_TRUE(p.AddEvent(Event{"new", "order_paid", old.ts + 1, json::object()}));
  EXPECT_EQ(Count(p, kMidnightUtc, "order_paid", 365 * kDay), json(3));

  // The watermark survives storage.
  Result<Profile> reloaded = Profile::FromJson(p.ToJson());
  ASSERT_TRUE(reloaded.ok());
  EXPECT_EQ(reloaded.value().compacted_through(), old.ts);
  EXPECT_FALSE(reloaded.value().AddEvent(old));
}

TEST(ProfileTest, AddEventWithoutIdDerivesAStableId) {
  Profile p;
  Event e{"", "view", kMidnightUtc, json{{"sku", "A1"}}};
  ASSERT_TRUE(p.AddEvent(e));
  EXPECT_FALSE(p.AddEvent(e));
  EXPECT_TRUE(p.AddEvent(Event{"", "view", kMidnightUtc, json{{"sku", "B2"}}}));
  ASSERT_EQ(p.events().size(), 2u);
  EXPECT_EQ(p.events()[0].id.rfind("auto:view:1763856000000:", 0), 0u) << p.events()[0].id;
  // The same derived id natively and in wasm: it is a content hash, not std::hash.
  Result<Event> parsed = ParseEvent(json{{"type", "view"}, {"ts", kMidnightUtc}, {"props", {{"sku", "A1"}}}}, "");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value().id, p.events()[0].id);
  EXPECT_EQ(parsed.value().id, "auto:view:1763856000000:" + parsed.value().id.substr(24));
  EXPECT_EQ(parsed.value().id.size(), 24u + 16u);
}

// ---------------------------------------------------------------- snapshots

json Snapshot() {
  return json::parse(R"({
    "user_id": "u1",
    "as_of": 1763856000000,
    "attributes": {"vip": true, "country": "CN"},
    "events": [{"id": "e1", "type": "order_paid", "ts": 1763800000000, "props": {"amount": 10}}],
    "rollups": [{"day": 1763251200000, "type": "order_paid", "count": 4, "sums": {"amount": 40}}],
    "tags": {"churn_risk": {"value": 0.82, "expires_at": 1764460800000}}
  })");
}

Profile LocalProfile() {
  Profile p;
  p.set_user_id("u1");
  p.set_attributes(json{{"vip", false}, {"locale", "zh-CN"}});
  EXPECT_TRUE(p.AddEvent(Event{"e1", "order_paid", 1'763'800'000'000, json{{"amount", 10}}}));  // listed
  EXPECT_TRUE(p.AddEvent(Event{"e2", "order_paid", 1'763'850'000'000, json{{"amount", 99}}}));  // covered by as_of
  EXPECT_TRUE(p.AddEvent(Event{"e3", "order_paid", 1'763'856'000'001, json{{"amount", 5}}}));   // after as_of
  return p;
}

TEST(ProfileTest, SnapshotMergeNeverDoubleCounts) {
  Profile p = LocalProfile();
  std::vector<Error> warnings;
  Result<MergeReport> r = p.MergeSnapshot(Snapshot(), &warnings);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(warnings.empty()) << FormatIssues(warnings);
  EXPECT_EQ(r.value().local_events_listed, 1u);
  EXPECT_EQ(r.value().local_events_covered, 1u);
  EXPECT_EQ(r.value().local_events_kept, 1u);
  const int64_t now = 1'763'900'000'000;
  // Snapshot: e1 + 4 rolled up; local: e3.
  EXPECT_EQ(Count(p, now, "order_paid", 30 * kDay), json(6));
  EXPECT_EQ(Sum(p, now, "order_paid", 30 * kDay), json(55));
  ASSERT_EQ(p.events().size(), 2u);
  EXPECT_EQ(p.events()[1].id, "e3");
  ExpectIndexConsistent(p);
}

TEST(ProfileTest, SnapshotMergeIsIdempotent) {
  Profile p = LocalProfile();
  ASSERT_TRUE(p.MergeSnapshot(Snapshot()).ok());
  const json once = p.ToJson();
  Result<MergeReport> again = p.MergeSnapshot(Snapshot());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(p.ToJson(), once);
  EXPECT_EQ(again.value().local_events_kept, 1u);
}

TEST(ProfileTest, SnapshotAttributesWinOverLocalOnes) {
  Profile p = LocalProfile();
  ASSERT_TRUE(p.MergeSnapshot(Snapshot()).ok());
  EXPECT_EQ(p.attributes(), (json{{"vip", true}, {"country", "CN"}, {"locale", "zh-CN"}}));
}

TEST(ProfileTest, SnapshotMergeIgnoresRedeliveredEventsAtOrBeforeAsOf) {
  Profile p = LocalProfile();
  ASSERT_TRUE(p.MergeSnapshot(Snapshot()).ok());
  EXPECT_EQ(p.as_of(), 1'763'856'000'000);
  EXPECT_EQ(p.covered_through(), 1'763'856'000'000);
  EXPECT_FALSE(p.AddEvent(Event{"e2", "order_paid", 1'763'850'000'000, json::object()}));
  EXPECT_FALSE(p.AddEvent(Event{"e9", "order_paid", 1'763'856'000'000, json::object()}));  // exactly as_of
  EXPECT_FALSE(p.AddEvent(Event{"e3", "order_paid", 1'763'856'000'001, json::object()}));
  EXPECT_TRUE(p.AddEvent(Event{"e4", "order_paid", 1'763'856'000'002, json::object()}));
}

TEST(ProfileTest, SnapshotTagsAndAsOfArePersisted) {
  Profile p = LocalProfile();
  ASSERT_TRUE(p.MergeSnapshot(Snapshot()).ok());
  EXPECT_EQ(p.server_tags(), Snapshot()["tags"]);
  json stored = p.ToJson();
  EXPECT_EQ(stored["as_of"], json(1'763'856'000'000));
  EXPECT_EQ(stored["tags"], Snapshot()["tags"]);
  Result<Profile> reloaded = Profile::FromJson(stored);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_EQ(reloaded.value().server_tags(), Snapshot()["tags"]);
  EXPECT_FALSE(reloaded.value().AddEvent(Event{"e2", "order_paid", 1'763'850'000'000, json::object()}));
}

TEST(ProfileTest, SnapshotForAnotherUserIsRejectedAndChangesNothing) {
  Profile p = LocalProfile();
  const json before = p.ToJson();
  json snap = Snapshot();
  snap["user_id"] = "张三";
  Result<MergeReport> r = p.MergeSnapshot(snap);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kWrongArgumentType);
  EXPECT_EQ(r.error().path, "/user_id");
  EXPECT_EQ(p.ToJson(), before);
}

TEST(ProfileTest, AnonymousLocalProfileAdoptsTheSnapshotsUser) {
  Profile p;
  ASSERT_TRUE(p.AddEvent(Event{"x", "view", 1'763'856'000'005, json::object()}));
  ASSERT_TRUE(p.MergeSnapshot(Snapshot()).ok());
  EXPECT_EQ(p.user_id(), "u1");
  EXPECT_EQ(p.events().size(), 2u);
}

TEST(ProfileTest, SnapshotWithoutAsOfIsRejected) {
  Profile p = LocalProfile();
  const json before = p.ToJson();
  json snap = Snapshot();
  snap.erase("as_of");
  Result<MergeReport> r = p.MergeSnapshot(snap);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().path, "/as_of");
  EXPECT_EQ(p.ToJson(), before);
}

TEST(ProfileTest, SnapshotFromANewerFormatIsRejectedAndChangesNothing) {
  Profile p = LocalProfile();
  const json before = p.ToJson();
  json snap = Snapshot();
  snap["tagwise_profile"] = 2;
  Result<MergeReport> r = p.MergeSnapshot(snap);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupportedVersion);
  EXPECT_EQ(r.error().path, "/tagwise_profile");
  EXPECT_EQ(p.ToJson(), before);
}

TEST(ProfileTest, SnapshotMergeKeepsLocalRollupsOfDaysAfterAsOf) {
  const int64_t as_of = kMidnightUtc + 10 * kHour + 30 * 60'000;
  Profile p;
  p.set_user_id("u1");
  for (int i = 0; i < 6; ++i) {  // 3 on the as_of day (2 before, 1 after as_of), 3 the next day
    const int64_t ts = kMidnightUtc + (i < 3 ? (9 + i) * kHour : kDay + i * kHour);
    ASSERT_TRUE(p.AddEvent(Event{"l" + std::to_string(i), "view", ts, json::object()}));
  }
  ASSERT_TRUE(p.AddEvent(Event{"l9", "view", kMidnightUtc + 3 * kDay, json::object()}));
  p.Compact(kMidnightUtc + 3 * kDay, RetentionPolicy{1, 90 * kDay});
  ASSERT_EQ(p.rollups().size(), 2u);
  json snap = {{"user_id", "u1"}, {"as_of", as_of},
               {"rollups", json::array({{{"day", kMidnightUtc}, {"type", "view"}, {"count", 2}}})}};
  std::vector<Error> warnings;
  Result<MergeReport> r = p.MergeSnapshot(snap, &warnings);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().local_rollups_kept, 1u);
  EXPECT_EQ(r.value().local_rollups_dropped, 1u);
  ASSERT_NE(FindPath(warnings, "/as_of"), nullptr) << FormatIssues(warnings);
  // The snapshot's 2 for the as_of day, the local 3 of the next day, and l9.
  EXPECT_EQ(Aggregate(p, kMidnightUtc + 4 * kDay, json::object()), json(6));
  // Local compaction went past as_of: its watermark still guards the next day.
  EXPECT_FALSE(p.AddEvent(Event{"l4", "view", kMidnightUtc + kDay + 4 * kHour, json::object()}));
}

TEST(ProfileTest, SnapshotWithoutTimeZoneKeepsTheLocalOne) {
  Profile p = LocalProfile();
  p.set_tz_offset_min(480);
  ASSERT_TRUE(p.MergeSnapshot(Snapshot()).ok());
  EXPECT_EQ(p.tz_offset_min(), 480);
  json snap = Snapshot();
  snap["tz_offset_min"] = -300;
  ASSERT_TRUE(p.MergeSnapshot(snap).ok());
  EXPECT_EQ(p.tz_offset_min(), -300);
}

// ------------------------------------------------------------ serialization

TEST(ProfileTest, ToJsonThenFromJsonIsIdentity) {
  Profile p = RandomHistory(kMidnightUtc, 480, 16);
  p.set_user_id("用户-42");
  p.set_attributes(json{{"城市", "上海"}, {"age", 31}, {"score", 0.1}});
  p.Compact(kMidnightUtc, RetentionPolicy{400, 60 * kDay});
  ASSERT_TRUE(p.AddEvent(Event{"x", "order_paid", kMidnightUtc + 1, json{{"amount", 0.3}, {"sku", {{"brand", "Steam"}}}}}));
  p.AddRollup(DayRollup{kMidnightUtc - 400 * kDay, "refund", 1, {{"amount", 1.0 / 3}}});
  json with_snapshot_fields = p.ToJson();
  with_snapshot_fields["as_of"] = kMidnightUtc - 61 * kDay;
  with_snapshot_fields["tags"] = {{"vip", {{"value", true}}}};
  p = Profile::FromJson(with_snapshot_fields).value();

  const json written = p.ToJson();
  EXPECT_EQ(written, with_snapshot_fields);
  EXPECT_EQ(written["tagwise_profile"], json(1));
  std::vector<Error> warnings;
  Result<Profile> back = Profile::FromJson(written, &warnings);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(warnings.empty()) << FormatIssues(warnings);
  const Profile& q = back.value();
  EXPECT_EQ(q.ToJson(), written);
  // Through text too, as storage does it.
  Result<Profile> from_text = Profile::FromJson(json::parse(written.dump()));
  ASSERT_TRUE(from_text.ok());
  EXPECT_EQ(from_text.value().ToJson(), written);

  EXPECT_EQ(q.user_id(), p.user_id());
  EXPECT_EQ(q.tz_offset_min(), 480);
  EXPECT_EQ(q.compacted_through(), p.compacted_through());
  EXPECT_EQ(q.as_of(), p.as_of());
  ASSERT_EQ(q.events().size(), p.events().size());
  for (size_t i = 0; i < q.events().size(); ++i) {
    EXPECT_EQ(q.events()[i].id, p.events()[i].id);
    EXPECT_EQ(q.events()[i].ts, p.events()[i].ts);
    EXPECT_EQ(q.events()[i].props, p.events()[i].props);
  }
  ASSERT_EQ(q.rollups().size(), p.rollups().size());
  for (size_t i = 0; i < q.rollups().size(); ++i) {
    EXPECT_EQ(q.rollups()[i].day_start, p.rollups()[i].day_start);
    EXPECT_EQ(q.rollups()[i].count, p.rollups()[i].count);
    EXPECT_EQ(q.rollups()[i].sums, p.rollups()[i].sums);
  }
  for (const char* type : {"view", "cart_add", "order_paid"}) EXPECT_EQ(q.EventsOfType(type), p.EventsOfType(type));
}

TEST(ProfileTest, MissingFormatVersionMeansVersion1) {
  std::vector<Error> warnings;
  Result<Profile> p = Profile::FromJson(json::parse(R"({"user_id": "u1", "events": []})"), &warnings);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(p.value().user_id(), "u1");
}

TEST(ProfileTest, NewerFormatVersionIsUnsupportedWithAnOperatorMessage) {
  Result<Profile> p = Profile::FromJson(json::parse(R"({"tagwise_profile": 2, "events": []})"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kUnsupportedVersion);
  EXPECT_EQ(p.error().path, "/tagwise_profile");
  // The formatted form an operator reads (the only exact-message check).
  EXPECT_EQ(FormatIssues({p.error()}),
            "error unsupported_version at /tagwise_profile: this profile was written by a newer tagwise (profile "
            "format 2); this version reads format 1. Upgrade tagwise, or have the server send format 1; the stored "
            "profile was not changed\n");
}

TEST(ProfileTest, MalformedFormatVersionIsRejected) {
  for (const json& v : {json("1"), json(0), json(1.5), json(nullptr)}) {
    Result<Profile> p = Profile::FromJson(json{{"tagwise_profile", v}});
    ASSERT_FALSE(p.ok()) << v.dump();
    EXPECT_EQ(p.error().code, ErrorCode::kUnsupportedVersion);
  }
  EXPECT_TRUE(Profile::FromJson(json{{"tagwise_profile", 1.0}}).ok());
}

// ---------------------------------------------------------------- bad input

TEST(ProfileTest, EventsMissingIdTypeOrTsAreReportedWithPaths) {
  std::vector<Error> warnings;
  Result<Profile> p = Profile::FromJson(json::parse(R"({"events": [
      {"id": "no-type", "ts": 1763856000000},
      {"id": "no-ts", "type": "view"},
      {"type": "view", "ts": 1763856000001, "props": {"sku": "A"}},
      {"type": "view", "ts": 1763856000001, "props": {"sku": "A"}},
      {"id": "", "type": "view", "ts": 1763856000002},
      {"id": true, "type": "view", "ts": 1763856000003},
      {"id": "ok", "type": "view", "ts": 1763856000004}]})"),
                                        &warnings);
  ASSERT_TRUE(p.ok());
  // Unusable events are skipped; id-less ones are kept with a derived id, so
  // the identical pair at 2 and 3 counts once.
  EXPECT_EQ(p.value().events().size(), 4u);
  EXPECT_EQ(Paths(warnings), (std::vector<std::string>{"/events/0/type", "/events/1/ts", "/events/2/id", "/events/3/id",
                                                       "/events/3/id", "/events/4/id", "/events/5/id"}));
  EXPECT_EQ(warnings[0].code, ErrorCode::kWrongArgumentType);
  EXPECT_EQ(warnings[4].code, ErrorCode::kDuplicateId);
  for (const Error& w : warnings) EXPECT_EQ(w.severity, Severity::kWarning);
}

TEST(ProfileTest, TimestampsInOtherUnitsAreRescaledWithAWarning) {
  std::vector<Error> warnings;
  Result<Profile> p = Profile::FromJson(json::parse(R"({"events": [
      {"id": "s", "type": "view", "ts": 1763856000},
      {"id": "us", "type": "view", "ts": 1763856000000000},
      {"id": "ns", "type": "view", "ts": 1763856000000000000},
      {"id": "ms", "type": "view", "ts": 1763856000000}]})"),
                                        &warnings);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p.value().events().size(), 4u);
  for (const Event& e : p.value().events()) EXPECT_EQ(e.ts, kMidnightUtc) << e.id;
  EXPECT_EQ(Paths(warnings), (std::vector<std::string>{"/events/0/ts", "/events/1/ts", "/events/2/ts"}));
}

TEST(ProfileTest, OutOfOrderEventsAreSortedAndIndexed) {
  Result<Profile> p = Profile::FromJson(json::parse(R"({"events": [
      {"id": "c", "type": "view", "ts": 1763856000300},
      {"id": "a", "type": "order_paid", "ts": 1763856000100},
      {"id": "b", "type": "view", "ts": 1763856000200}]})"));
  ASSERT_TRUE(p.ok());
  std::vector<std::string> ids;
  for (const Event& e : p.value().events()) ids.push_back(e.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(p.value().EventsOfType("view"), (std::vector<uint32_t>{1, 2}));
  ExpectIndexConsistent(p.value());
}

TEST(ProfileTest, DuplicateEventIdsKeepTheFirstInListOrder) {
  std::vector<Error> warnings;
  Result<Profile> p = Profile::FromJson(json::parse(R"({"events": [
      {"id": "x", "type": "order_paid", "ts": 1763856000500, "props": {"amount": 1}},
      {"id": "x", "type": "order_paid", "ts": 1763856000100, "props": {"amount": 2}}]})"),
                                        &warnings);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p.value().events().size(), 1u);
  EXPECT_EQ(p.value().events()[0].props["amount"], json(1));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].code, ErrorCode::kDuplicateId);
  EXPECT_EQ(warnings[0].path, "/events/1/id");
}

TEST(ProfileTest, NonObjectPropsAreDroppedButTheEventIsKept) {
  std::vector<Error> warnings;
  Result<Profile> p = Profile::FromJson(
      json::parse(R"({"events": [{"id": "a", "type": "view", "ts": 1763856000000, "props": [1, 2]},
                                 {"id": "b", "type": "view", "ts": 1763856000000, "props": null}]})"),
      &warnings);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p.value().events().size(), 2u);
  EXPECT_EQ(p.value().events()[0].props, json::object());
  EXPECT_EQ(Paths(warnings), (std::vector<std::string>{"/events/0/props"}));
}

TEST(ProfileTest, BadRollupsAreSkippedWithPathsAndGoodOnesKept) {
  json j = json::parse(R"({"rollups": [
      {"day": 1763856000000, "type": "view", "count": -3},
      {"day": 1763856000000, "type": "view", "count": "7"},
      {"day": 1763856000000, "type": "view", "count": 1e300},
      {"day": 1763856000000, "type": "view", "count": 0},
      {"day": 1763856000000, "type": "view", "count": 0},
      {"day": "monday", "type": "view", "count": 1},
      {"type": "view", "count": 1},
      {"day": 1763856000000, "count": 1},
      {"day": 1763856000000, "type": "order_paid", "count": 2.5, "sums": {"amount": 20, "bad": "x", "a/b": 0}},
      {"day": 1763856000000, "type": "cart_add", "count": 1, "sums": [1]},
      7]})");
  // JSON text cannot say NaN or Infinity; a C++ caller can.
  j["rollups"][4]["count"] = std::nan("");
  j["rollups"][8]["sums"]["a/b"] = std::numeric_limits<double>::infinity();
  std::vector<Error> warnings;
  Result<Profile> p = Profile::FromJson(j, &warnings);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p.value().rollups().size(), 2u);
  EXPECT_EQ(p.value().rollups()[0].type, "cart_add");
  EXPECT_EQ(p.value().rollups()[1].type, "order_paid");
  EXPECT_EQ(p.value().rollups()[1].count, 2);
  EXPECT_EQ(p.value().rollups()[1].sums, (std::map<std::string, double>{{"amount", 20}}));
  EXPECT_EQ(Paths(warnings),
            (std::vector<std::string>{"/rollups/0/count", "/rollups/1/count", "/rollups/2/count", "/rollups/3/count",
                                      "/rollups/4/count", "/rollups/5/day", "/rollups/6/day", "/rollups/7/type",
                                      "/rollups/8/count", "/rollups/8/sums/a~1b", "/rollups/8/sums/bad",
                                      "/rollups/9/sums", "/rollups/10"}));
}

TEST(ProfileTest, DuplicateRollupsOfOneDayAreAddedTogether) {
  std::vector<Error> warnings;
  Result<Profile> p = Profile::FromJson(json::parse(R"({"rollups": [
      {"day": 1763856000000, "type": "view", "count": 2, "sums": {"amount": 5}},
      {"day": 1763856000000, "type": "view", "count": 3, "sums": {"amount": 1, "qty": 4}}]})"),
                                        &warnings);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p.value().rollups().size(), 1u);
  EXPECT_EQ(p.value().rollups()[0].count, 5);
  EXPECT_EQ(p.value().rollups()[0].sums, (std::map<std::string, double>{{"amount", 6}, {"qty", 4}}));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].path, "/rollups/1");
}

TEST(ProfileTest, HugeNumbersAreReportedNotCrashedOn) {
  json j = json::parse(R"({
      "tz_offset_min": 1e30,
      "compacted_through": -1e300,
      "events": [
        {"id": "huge", "type": "view", "ts": 1e300},
        {"id": "neg", "type": "view", "ts": -1e300},
        {"id": 18446744073709551615, "type": "view", "ts": 1763856000000,
         "props": {"amount": 1.7e308}},
        {"id": "big2", "type": "view", "ts": 1763856000001, "props": {"amount": 1.7e308}}],
      "rollups": [{"day": 1e300, "type": "view", "count": 1}]})");
  std::vector<Error> warnings;
  Result<Profile> p = Profile::FromJson(j, &warnings);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.value().events().size(), 2u);
  EXPECT_EQ(p.value().events()[0].id, "18446744073709551615");
  EXPECT_EQ(p.value().tz_offset_min(), 0);
  EXPECT_EQ(p.value().compacted_through(), Profile::kNone);
  EXPECT_EQ(Paths(warnings), (std::vector<std::string>{"/tz_offset_min", "/compacted_through", "/events/0/ts",
                                                       "/events/1/ts", "/rollups/0/day"}));
  // Sums saturate instead of becoming Infinity (which JSON cannot hold).
  Profile q = p.value();
  q.Compact(kMidnightUtc + kDay, RetentionPolicy{0, 0});
  ASSERT_EQ(q.rollups().size(), 1u);
  EXPECT_TRUE(std::isfinite(q.rollups()[0].sums.at("amount")));
  EXPECT_TRUE(Profile::FromJson(json::parse(q.ToJson().dump())).ok());
  // Extreme timestamps from C++ callers stay defined behaviour (run under UBSan).
  Profile r;
  r.set_tz_offset_min(840);
  ASSERT_TRUE(r.AddEvent(Event{"max", "view", std::numeric_limits<int64_t>::max(), json::object()}));
  ASSERT_TRUE(r.AddEvent(Event{"min", "view", std::numeric_limits<int64_t>::min() + 1, json::object()}));
  r.Compact(std::numeric_limits<int64_t>::max(), RetentionPolicy{0, 0});
  r.Compact(std::numeric_limits<int64_t>::min(), RetentionPolicy{0, std::numeric_limits<int64_t>::max()});
  EXPECT_EQ(r.events().size(), 0u);
  EXPECT_EQ(r.rollups().size(), 2u);
}

TEST(ProfileTest, WrongTypedFieldsAreWarnedAndIgnored) {
  std::vector<Error> warnings;
  Result<Profile> p = Profile::FromJson(json::parse(R"({
      "user_id": {"id": 1}, "attributes": [1], "tz_offset_min": "+08:00",
      "rollups": {"2025-11-22": 3}, "tags": [], "as_of": "yesterday", "rollup": []})"),
                                        &warnings);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(Paths(warnings), (std::vector<std::string>{"/rollup", "/user_id", "/attributes", "/tz_offset_min",
                                                       "/as_of", "/tags", "/rollups"}));
  EXPECT_EQ(warnings[0].code, ErrorCode::kInvalidRule);  // unknown field, as in catalogs
  EXPECT_EQ(p.value().attributes(), json::object());
  EXPECT_EQ(p.value().as_of(), Profile::kNone);
}

TEST(ProfileTest, NonObjectProfileOrNonListEventsIsAnError) {
  EXPECT_EQ(Profile::FromJson(json::array()).error().code, ErrorCode::kWrongArgumentType);
  Result<Profile> p = Profile::FromJson(json{{"events", "many"}});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().path, "/events");
}

TEST(ProfileTest, TimeZoneOffsetInHoursIsRepairedAndOutOfRangeIgnored) {
  std::vector<Error> warnings;
  EXPECT_EQ(Profile::FromJson(json{{"tz_offset_min", 8}}, &warnings).value().tz_offset_min(), 480);
  EXPECT_EQ(Profile::FromJson(json{{"tz_offset_min", -330}}, &warnings).value().tz_offset_min(), -330);
  EXPECT_EQ(Profile::FromJson(json{{"tz_offset_min", 900}}, &warnings).value().tz_offset_min(), 0);
  EXPECT_EQ(Profile::FromJson(json{{"tz_offset_min", 7.5}}, &warnings).value().tz_offset_min(), 0);
  EXPECT_EQ(Paths(warnings), (std::vector<std::string>{"/tz_offset_min", "/tz_offset_min", "/tz_offset_min"}));
}

TEST(ProfileTest, ParseEventReportsWhyASingleEventCannotBeTracked) {
  Result<Event> e = ParseEvent(json{{"id", "a"}, {"ts", 1}}, "/event");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().path, "/event/type");
  std::vector<Error> warnings;
  Result<Event> ok = ParseEvent(json{{"id", 7}, {"type", "view"}, {"ts", 1763856000}}, "", &warnings);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value().id, "7");
  EXPECT_EQ(ok.value().ts, kMidnightUtc);
  EXPECT_EQ(Paths(warnings), (std::vector<std::string>{"/ts"}));
}

// ------------------------------------------------------------------- limits

TEST(ProfileTest, MaxEventsPerLoadKeepsTheNewest) {
  json events = json::array();
  for (int i = 0; i < 10; ++i) {
    events.push_back({{"id", "e" + std::to_string(i)}, {"type", "view"}, {"ts", kMidnightUtc - i * kHour}});
  }
  ProfileLimits limits;
  limits.max_events = 4;
  std::vector<Error> warnings;
  Result<Profile> p = Profile::FromJson(json{{"events", events}}, &warnings, limits);
  ASSERT_TRUE(p.ok());
  std::vector<std::string> ids;
  for (const Event& e : p.value().events()) ids.push_back(e.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"e3", "e2", "e1", "e0"}));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].code, ErrorCode::kTooLarge);
  EXPECT_EQ(warnings[0].path, "/events");
  EXPECT_EQ(ProfileLimits{}.max_events, 100'000u);
}

TEST(ProfileTest, MaxRollupsPerLoadKeepsTheNewestDays) {
  json rollups = json::array();
  for (int i = 0; i < 5; ++i) rollups.push_back({{"day", kMidnightUtc - i * kDay}, {"type", "view"}, {"count", 1}});
  ProfileLimits limits;
  limits.max_rollups = 2;
  std::vector<Error> warnings;
  Result<Profile> p = Profile::FromJson(json{{"rollups", rollups}}, &warnings, limits);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p.value().rollups().size(), 2u);
  EXPECT_EQ(p.value().rollups()[0].day_start, kMidnightUtc - kDay);
  EXPECT_EQ(Paths(warnings), (std::vector<std::string>{"/rollups"}));
  EXPECT_EQ(warnings[0].code, ErrorCode::kTooLarge);
}

TEST(ProfileTest, MaxStringBytesSkipsOverlongIdsAndTypes) {
  ProfileLimits limits;
  EXPECT_EQ(limits.max_string_bytes, 256u);
  limits.max_string_bytes = 8;
  std::vector<Error> warnings;
  Result<Profile> p = Profile::FromJson(json::parse(R"({"events": [
      {"id": "123456789", "type": "view", "ts": 1763856000000},
      {"id": "a", "type": "订单已支付", "ts": 1763856000000},
      {"id": "12345678", "type": "view", "ts": 1763856000000}]})"),
                                        &warnings, limits);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p.value().events().size(), 1u);
  EXPECT_EQ(p.value().events()[0].id, "12345678");
  EXPECT_EQ(Paths(warnings), (std::vector<std::string>{"/events/0/id", "/events/1/type"}));  // 15 bytes of UTF-8
  for (const Error& w : warnings) EXPECT_EQ(w.code, ErrorCode::kTooLarge);
}

// -------------------------------------------------------------------- index

TEST(ProfileTest, OutOfOrderAddEventKeepsTheTypeIndexSorted) {
  std::mt19937 rng(5);
  Profile p;
  const char* types[] = {"a", "b", "c", "d"};
  for (int i = 0; i < 400; ++i) {
    ASSERT_TRUE(p.AddEvent(Event{"e" + std::to_string(i), types[rng() % 4], static_cast<int64_t>(rng() % 1000) * 1000,
                                 json::object()}));
    if (i % 50 == 0) ExpectIndexConsistent(p);
  }
  ExpectIndexConsistent(p);
  // Equal timestamps keep insertion order.
  Profile q;
  ASSERT_TRUE(q.AddEvent(Event{"late", "a", 10, json::object()}));
  ASSERT_TRUE(q.AddEvent(Event{"first", "a", 5, json::object()}));
  ASSERT_TRUE(q.AddEvent(Event{"second", "b", 5, json::object()}));
  EXPECT_EQ(q.events()[0].id, "first");
  EXPECT_EQ(q.events()[1].id, "second");
  EXPECT_EQ(q.EventsOfType("a"), (std::vector<uint32_t>{0, 2}));
}

TEST(ProfileTest, InOrderAddEventIsConstantTimeSoLongHistoriesBuildFast) {
  // 200,000 appends: quadratic work here would take minutes, not milliseconds.
  Profile p;
  for (int i = 0; i < 200'000; ++i) {
    ASSERT_TRUE(p.AddEvent(Event{std::to_string(i), i % 2 == 0 ? "view" : "order_paid", int64_t{i}, json::object()}));
  }
  EXPECT_EQ(p.EventsOfType("view").size(), 100'000u);
  EXPECT_EQ(p.EventsOfType("order_paid").back(), 199'999u);
}

TEST(ProfileTest, AddRollupMergesTheSameDayAndTypeAndKeepsOrder) {
  Profile p;
  p.AddRollup(DayRollup{2 * kDay, "view", 1, {}});
  p.AddRollup(DayRollup{kDay, "view", 1, {{"amount", 2}}});
  p.AddRollup(DayRollup{kDay, "view", 2, {{"amount", 3}}});
  ASSERT_EQ(p.rollups().size(), 2u);
  EXPECT_EQ(p.rollups()[0].day_start, kDay);
  EXPECT_EQ(p.rollups()[0].count, 3);
  EXPECT_EQ(p.rollups()[0].sums.at("amount"), 5.0);
}


// A batch added at once holds what AddEvent one by one gives: the same events
// (duplicate ids and events at or before the compaction watermark skipped),
// in the same order (equal times in arrival order after the stored ones),
// with the same per-type index; on random batches full of late events.
TEST(ProfileTest, AddEventsEqualsAddEventOneByOne) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    Profile one;
    Profile batch;
    // Some stored history, compacted half the time so the watermark matters.
    for (int i = 0; i < 20; ++i) {
      Event e{"s" + std::to_string(i), "t" + std::to_string(i % 3), 1000 + 10 * i, json::object()};
      one.AddEvent(e);
      batch.AddEvent(e);
    }
    if (round % 2 == 0) {
      RetentionPolicy keep10;
      keep10.max_events = 10;
      one.Compact(2000, keep10);
      batch.Compact(2000, keep10);
    }
    std::vector<Event> events;
    const int n = 1 + static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) {
      Event e;
      e.id = rng() % 4 == 0 ? "" : (rng() % 3 == 0 ? "s" : "n") + std::to_string(rng() % 30);
      e.type = "t" + std::to_string(rng() % 4);
      e.ts = 900 + static_cast<int64_t>(rng() % 40) * 10;  // ties, late and covered events
      if (rng() % 2 == 0) e.props = json{{"k", static_cast<int>(rng() % 3)}};
      events.push_back(e);
    }
    size_t expected = 0;
    std::set<std::string> expected_types;
    for (const Event& e : events) {
      if (one.AddEvent(e)) {
        ++expected;
        expected_types.insert(e.type);
      }
    }
    std::set<std::string> types;
    EXPECT_EQ(batch.AddEvents(events, &types), expected) << "round " << round;
    EXPECT_EQ(types, expected_types) << "round " << round;
    ASSERT_EQ(batch.events().size(), one.events().size()) << "round " << round;
    for (size_t i = 0; i < one.events().size(); ++i) {
      EXPECT_EQ(batch.events()[i].id, one.events()[i].id) << "round " << round << " event " << i;
    }
    for (const char* type : {"t0", "t1", "t2", "t3"}) {
      EXPECT_EQ(batch.EventsOfType(type), one.EventsOfType(type)) << "round " << round << " " << type;
    }
  }
}

}  // namespace
}  // namespace tagwise
