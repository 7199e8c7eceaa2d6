// Profile::MergeLocal (another tab's copy of the same user) and
// Profile::RemoveEventTypes (consent withdrawal).
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tagwise/profile.h"

namespace tagwise {
namespace {

using nlohmann::json;

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kNow = 1'763'856'000'000;  // 2025-11-23T00:00:00Z

Event Ev(std::string id, std::string type, int64_t ts, json props = json::object()) {
  return Event{std::move(id), std::move(type), ts, std::move(props)};
}

Profile Make(std::vector<Event> events, json attributes = json::object()) {
  Profile p;
  p.set_user_id("u1");
  p.set_attributes(std::move(attributes));
  for (Event& e : events) EXPECT_TRUE(p.AddEvent(std::move(e)));
  return p;
}

Profile FromJsonOrDie(const json& j) {
  Result<Profile> p = Profile::FromJson(j);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  return p.ok() ? std::move(p).value() : Profile();
}

std::vector<std::string> Ids(const Profile& p) {
  std::vector<std::string> ids;
  for (const Event& e : p.events()) ids.push_back(e.id);
  return ids;
}

// The type index agrees with events(): every index points at an event of that
// type, ascending, and together they cover every event once.
void ExpectIndexConsistent(const Profile& p) {
  size_t covered = 0;
  std::vector<std::string> types;
  for (const Event& e : p.events()) {
    if (std::find(types.begin(), types.end(), e.type) == types.end()) types.push_back(e.type);
  }
  for (const std::string& type : types) {
    const std::vector<uint32_t>& idx = p.EventsOfType(type);
    EXPECT_TRUE(std::is_sorted(idx.begin(), idx.end())) << type;
    for (uint32_t i : idx) {
      ASSERT_LT(i, p.events().size());
      EXPECT_EQ(p.events()[i].type, type);
    }
    covered += idx.size();
  }
  EXPECT_EQ(covered, p.events().size());
  EXPECT_TRUE(std::is_sorted(p.events().begin(), p.events().end(),
                             [](const Event& a, const Event& b) { return a.ts < b.ts; }));
}

TEST(ProfileMergeTest, MergeLocalAddsTheOtherCopysEventsOnceById) {
  Profile a = Make({Ev("s1", "view", kNow - 500), Ev("a1", "cart_add", kNow - 300), Ev("s2", "view", kNow - 100)});
  const Profile b = Make({Ev("s1", "view", kNow - 500), Ev("b1", "order_paid", kNow - 400), Ev("s2", "view", kNow - 100),
                          Ev("b2", "view", kNow - 50)});
  EXPECT_EQ(a.MergeLocal(b), 2u);
  EXPECT_EQ(Ids(a), (std::vector<std::string>{"s1", "b1", "a1", "s2", "b2"}));
  EXPECT_EQ(a.EventsOfType("view").size(), 3u);
  ExpectIndexConsistent(a);
  // The ids are known afterwards: re-delivery and a second merge are no-ops.
  EXPECT_FALSE(a.AddEvent(Ev("b1", "order_paid", kNow - 400)));
  EXPECT_EQ(a.MergeLocal(b), 0u);
  EXPECT_EQ(a.MergeLocal(a), 0u);
  EXPECT_EQ(a.events().size(), 5u);
}

TEST(ProfileMergeTest, MergeLocalKeepsEqualTimesInInsertionOrderLikeAddEvent) {
  Profile a = Make({Ev("a", "view", kNow), Ev("later", "view", kNow + 10)});
  const Profile b = Make({Ev("b", "view", kNow), Ev("c", "view", kNow)});
  Profile by_add = a;
  for (const Event& e : b.events()) (void)by_add.AddEvent(e);
  EXPECT_EQ(a.MergeLocal(b), 2u);
  EXPECT_EQ(Ids(a), Ids(by_add));
  EXPECT_EQ(Ids(a), (std::vector<std::string>{"a", "b", "c", "later"}));
  ExpectIndexConsistent(a);
}

TEST(ProfileMergeTest, TheCopyWithTheLaterAsOfIsTheBase) {
  // This tab never saw the snapshot; the other tab merged one at kNow - 1000.
  Profile ours = Make({Ev("x1", "view", kNow - 2000), Ev("x2", "view", kNow - 10)}, {{"locale", "zh"}, {"vip", false}});
  const Profile other = FromJsonOrDie({{"user_id", "u1"},
                                       {"as_of", kNow - 1000},
                                       {"attributes", {{"vip", true}}},
                                       {"tz_offset_min", 480},
                                       {"tags", {{"churn", {{"value", 1}}}}},
                                       {"rollups", {{{"day", kNow - 3 * kDay}, {"type", "view"}, {"count", 7}}}},
                                       {"events", {{{"id", "y1"}, {"type", "view"}, {"ts", kNow - 1500}}}}});
  EXPECT_EQ(ours.MergeLocal(other), 1u);  // y1: ours did not have it
  // The base's attributes, zone, rollups, watermark and server tags.
  EXPECT_EQ(ours.attributes(), json({{"vip", true}}));
  EXPECT_EQ(ours.tz_offset_min(), 480);
  EXPECT_EQ(ours.as_of(), kNow - 1000);
  ASSERT_EQ(ours.rollups().size(), 1u);
  EXPECT_EQ(ours.rollups()[0].count, 7);
  EXPECT_EQ(ours.server_tags(), json({{"churn", {{"value", 1}}}}));
  // x1 is at or before the snapshot's as_of: the snapshot counted it. x2 is later.
  EXPECT_EQ(Ids(ours), (std::vector<std::string>{"y1", "x2"}));
  ExpectIndexConsistent(ours);
  EXPECT_FALSE(ours.AddEvent(Ev("x1", "view", kNow - 2000)));
}

TEST(ProfileMergeTest, WhenThisCopyIsAheadTheOthersAttributesAreIgnored) {
  Profile ours = FromJsonOrDie({{"user_id", "u1"}, {"as_of", kNow - 1000}, {"attributes", {{"vip", true}}}});
  const Profile other =
      Make({Ev("old", "view", kNow - 1000), Ev("new", "view", kNow - 999)}, {{"vip", false}, {"locale", "zh"}});
  EXPECT_EQ(ours.MergeLocal(other), 1u);  // "old" is at the watermark: already counted
  EXPECT_EQ(ours.attributes(), json({{"vip", true}}));
  EXPECT_EQ(Ids(ours), (std::vector<std::string>{"new"}));
  ExpectIndexConsistent(ours);
}

TEST(ProfileMergeTest, WithoutSnapshotsTheLaterCompactedThroughIsTheBase) {
  Profile other = Make({Ev("o1", "view", kNow - 10 * kDay, {{"ms", 5}}), Ev("o2", "view", kNow - kDay)}, {{"who", "other"}});
  RetentionPolicy keep_one;
  keep_one.max_events = 1;
  (void)other.Compact(kNow, keep_one);  // folds o1; compacted_through = its ts
  ASSERT_EQ(other.compacted_through(), kNow - 10 * kDay);
  // Ours still has o1 as an event, plus one earlier and one later event.
  Profile ours = Make({Ev("early", "view", kNow - 11 * kDay), Ev("o1", "view", kNow - 10 * kDay, {{"ms", 5}}),
                       Ev("mine", "cart_add", kNow - 2 * kDay)},
                      {{"who", "ours"}});
  EXPECT_EQ(ours.MergeLocal(other), 1u);  // o2
  EXPECT_EQ(ours.attributes()["who"], "other");
  EXPECT_EQ(ours.compacted_through(), kNow - 10 * kDay);
  // o1 is counted once, in the rollup; "early" is before the watermark too.
  ASSERT_EQ(ours.rollups().size(), 1u);
  EXPECT_EQ(ours.rollups()[0].count, 1);
  EXPECT_EQ(Ids(ours), (std::vector<std::string>{"mine", "o2"}));
  ExpectIndexConsistent(ours);
}

TEST(ProfileMergeTest, TiesKeepThisCopyAsTheBase) {
  Profile a = Make({Ev("a1", "view", kNow)}, {{"who", "a"}});
  a.AddRollup(DayRollup{kNow - 5 * kDay, "view", 2, {}});
  Profile b = Make({Ev("b1", "view", kNow + 1)}, {{"who", "b"}});
  b.AddRollup(DayRollup{kNow - 6 * kDay, "view", 3, {}});
  EXPECT_EQ(a.MergeLocal(b), 1u);
  EXPECT_EQ(a.attributes()["who"], "a");
  EXPECT_EQ(a.attributes().size(), 1u);
  ASSERT_EQ(a.rollups().size(), 1u);
  EXPECT_EQ(a.rollups()[0].count, 2);
  EXPECT_EQ(Ids(a), (std::vector<std::string>{"a1", "b1"}));
}

TEST(ProfileMergeTest, TiesKeepTheAttributesOnlyTheOtherCopyHas) {
  Profile a = Make({Ev("a1", "view", kNow)}, {{"who", "a"}});
  const Profile b = Make({Ev("b1", "view", kNow + 1)}, {{"who", "b"}, {"会员等级", "gold"}});
  a.MergeLocal(b);
  EXPECT_EQ(a.attributes()["who"], "a");
  EXPECT_EQ(a.attributes()["会员等级"], "gold");
}

TEST(ProfileMergeTest, ABlankCopyTakesTheWholeOtherCopy) {
  // A fresh tab (empty profile) reading the stored state: nothing of the
  // stored copy may be lost, attributes and zone included.
  Profile fresh;
  Profile stored = Make({Ev("s1", "view", kNow)}, {{"level", "gold"}});
  stored.set_tz_offset_min(480);
  stored.AddRollup(DayRollup{kNow - 5 * kDay, "view", 2, {}});
  EXPECT_EQ(fresh.MergeLocal(stored), 1u);
  EXPECT_EQ(fresh.ToJson(), stored.ToJson());
}

TEST(ProfileMergeTest, AnAnonymousBaseAdoptsTheOthersUserId) {
  Profile anon;
  (void)anon.AddEvent(Ev("a", "view", kNow));
  const Profile named = Make({Ev("b", "view", kNow + 1)});
  EXPECT_EQ(anon.MergeLocal(named), 1u);
  EXPECT_EQ(anon.user_id(), "u1");
}

TEST(ProfileMergeTest, RemoveEventTypesDeletesEventsAndRollupsAndKeepsTheIndex) {
  Profile p = Make({Ev("v1", "view", kNow - 40 * kDay), Ev("o1", "order_paid", kNow - 30 * kDay), Ev("v2", "view", kNow - 3),
                    Ev("o2", "order_paid", kNow - 2), Ev("c1", "cart_add", kNow - 1)});
  RetentionPolicy policy;
  policy.max_events = 3;
  (void)p.Compact(kNow, policy);  // v1 and o1 become rollups
  ASSERT_EQ(p.rollups().size(), 2u);
  const int64_t watermark = p.compacted_through();
  int calls_for_view = 0;
  const auto [events, rollups] = p.RemoveEventTypes([&](std::string_view type) {
    calls_for_view += type == "view" ? 1 : 0;
    return type == "view" || type == "cart_add";
  });
  EXPECT_EQ(events, 2u);
  EXPECT_EQ(rollups, 1u);
  EXPECT_EQ(calls_for_view, 1);  // asked once per type
  EXPECT_EQ(Ids(p), (std::vector<std::string>{"o2"}));
  ASSERT_EQ(p.rollups().size(), 1u);
  EXPECT_EQ(p.rollups()[0].type, "order_paid");
  EXPECT_TRUE(p.EventsOfType("view").empty());
  EXPECT_TRUE(p.EventsOfType("cart_add").empty());
  ASSERT_EQ(p.EventsOfType("order_paid").size(), 1u);
  EXPECT_EQ(p.events()[p.EventsOfType("order_paid")[0]].id, "o2");
  ExpectIndexConsistent(p);
  // The watermark is unchanged: deleted history is not re-added by a late copy.
  EXPECT_EQ(p.compacted_through(), watermark);
  EXPECT_FALSE(p.AddEvent(Ev("v1", "view", kNow - 40 * kDay)));
  // Still consistent for new events.
  EXPECT_TRUE(p.AddEvent(Ev("v3", "view", kNow)));
  EXPECT_EQ(p.EventsOfType("view").size(), 1u);
  ExpectIndexConsistent(p);
}

TEST(ProfileMergeTest, RemoveEventTypesWithNothingToDropChangesNothing) {
  Profile p = Make({Ev("v1", "view", kNow)});
  const json before = p.ToJson();
  EXPECT_EQ(p.RemoveEventTypes([](std::string_view) { return false; }), (std::pair<size_t, size_t>{0, 0}));
  EXPECT_EQ(p.RemoveEventTypes(nullptr), (std::pair<size_t, size_t>{0, 0}));
  EXPECT_EQ(p.ToJson(), before);
  EXPECT_FALSE(p.AddEvent(Ev("v1", "view", kNow)));
}

}  // namespace
}  // namespace tagwise
