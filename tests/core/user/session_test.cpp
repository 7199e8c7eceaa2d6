// The visitor session (tagwise/session.h): tracking with re-evaluation and
// {entered, left, changed}, consent gating and pruning, compaction policy,
// SSR merge, persistence (merge/encode/shrink/forget), the batch, and the
// features' views (experiments, offers) -- natively, without the wasm layer.
#include "tagwise/session.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tagwise {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kNow = 1'763'800'000'000;

// 新用户/老用户 are exclusive; 高活跃 reads order_paid in 30 days; 高意向 reads
// views (personalization); 风险 (security) reads refunds; 营销 (marketing)
// reads coupon clicks; 高价值 has a value.
constexpr const char* kCatalog = R"({
  "tagwise": 1,
  "groups": [{"id": "life", "name": "生命周期", "exclusive": true}],
  "tags": [
    {"id": "new_user", "name": "新用户", "group": "life", "priority": 1,
     "when": {"<": [{"events": [{"type": "order_paid"}]}, 1]}},
    {"id": "old_user", "name": "老用户", "group": "life", "priority": 2,
     "when": {">=": [{"events": [{"type": "order_paid"}]}, 1]}},
    {"id": "active_high", "name": "高活跃用户",
     "when": {">=": [{"events": [{"type": "order_paid", "within": "30d"}]}, 2]}},
    {"id": "intent", "name": "高意向未转化", "purpose": "personalization",
     "when": {">=": [{"events": [{"type": "view", "within": "7d"}]}, 3]}},
    {"id": "risk", "name": "退款风险", "purpose": "security",
     "when": {">=": [{"events": [{"type": "refund"}]}, 1]}},
    {"id": "coupon_fan", "name": "券敏感", "purpose": "marketing",
     "when": {">=": [{"events": [{"type": "coupon_click"}]}, 1]}},
    {"id": "spend", "name": "高价值",
     "when": {">": [{"events": [{"type": "order_paid", "agg": "sum", "field": "amount"}]}, 100]},
     "value": {"events": [{"type": "order_paid", "agg": "sum", "field": "amount"}]}}
  ]})";

std::string EventJson(const std::string& id, const std::string& type, int64_t ts, const json& props = json::object()) {
  return json{{"id", id}, {"type", type}, {"ts", ts}, {"props", props}}.dump();
}

std::vector<std::string> Held(VisitorSession& s, int64_t now) {
  TagsAt t = s.Tags(now);
  std::vector<std::string> out;
  if (t.catalog == nullptr) return out;
  for (size_t i = 0; i < t.catalog->tags().size(); ++i) {
    if (t.evaluation->decisions[i].holds) out.push_back(t.catalog->tags()[i].id);
  }
  return out;
}

VisitorSession Loaded(PurposeSet purposes = AllPurposes()) {
  SessionOptions o;
  o.purposes = std::move(purposes);
  VisitorSession s(o);
  CatalogLoad r = s.LoadCatalog(kCatalog, kNow);
  EXPECT_TRUE(r.ok());
  return s;
}

TEST(SessionTest, LoadingACatalogReportsTheTagsThatEnterAndAFingerprint) {
  VisitorSession s;
  CatalogLoad r = s.LoadCatalog(kCatalog, kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r.changes.entered, ElementsAre("new_user"));
  EXPECT_EQ(r.fingerprint.size(), 16u);
  // Reformatting the same catalog keeps its fingerprint.
  VisitorSession t;
  EXPECT_EQ(t.LoadCatalog(json::parse(kCatalog).dump(2), kNow).fingerprint, r.fingerprint);
}

TEST(SessionTest, ABadCatalogKeepsThePreviousOneAndSaysWhere) {
  VisitorSession s = Loaded();
  CatalogLoad r = s.LoadCatalog(R"({"tagwise": 1, "tags": [{"id": "x", "when": {"frobnicate": []}}]})", kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors[0].path, "/tags/0/when/frobnicate");
  EXPECT_THAT(Held(s, kNow), ElementsAre("new_user"));
  EXPECT_FALSE(s.LoadCatalog("{not json", kNow).ok());
}

TEST(SessionTest, TrackReportsEnteredLeftAndChanged) {
  VisitorSession s = Loaded();
  TrackResult a = s.Track("[" + EventJson("o1", "order_paid", kNow - kDay, {{"amount", 80}}) + "]", false, kNow);
  EXPECT_EQ(a.added, 1u);
  EXPECT_THAT(a.changes.entered, ElementsAre("old_user"));
  EXPECT_THAT(a.changes.left, ElementsAre("new_user"));
  TrackResult b = s.Track("[" + EventJson("o2", "order_paid", kNow, {{"amount", 50}}) + "]", false, kNow);
  EXPECT_THAT(b.changes.entered, ElementsAre("active_high", "spend"));
  TrackResult c = s.Track("[" + EventJson("o3", "order_paid", kNow, {{"amount", 5}}) + "]", false, kNow);
  EXPECT_THAT(c.changes.entered, IsEmpty());
  EXPECT_THAT(c.changes.changed, ElementsAre("spend"));
  TagsAt t = s.Tags(kNow);
  const int spend = t.catalog->IndexOf("spend");
  EXPECT_EQ(t.evaluation->decisions[static_cast<size_t>(spend)].value, json(135));
}

TEST(SessionTest, ReDeliveredEventsAreDuplicatesAndBadOnesAreLocatedErrors) {
  VisitorSession s = Loaded();
  const std::string e = EventJson("o1", "order_paid", kNow);
  s.Track("[" + e + "]", false, kNow);
  TrackResult r = s.Track("[" + e + R"(, {"id": "x", "type": 7}, {"id": "y", "type": "view", "ts": "soon"}])", false,
                          kNow);
  EXPECT_EQ(r.added, 0u);
  EXPECT_EQ(r.duplicates, 1u);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].path, "/1/type");
  EXPECT_EQ(r.errors[1].path, "/2/ts");
  EXPECT_FALSE(r.rejected);
  // One event passed on its own: paths drop the "/0".
  TrackResult one = s.Track(R"([{"id": "z", "type": 7}])", true, kNow);
  ASSERT_EQ(one.errors.size(), 1u);
  EXPECT_EQ(one.errors[0].path, "/type");
  TrackResult text = s.Track("[{", false, kNow);
  EXPECT_TRUE(text.rejected);
  EXPECT_EQ(text.errors[0].code, ErrorCode::kInvalidJson);
}

TEST(SessionTest, AnEventWithoutIdOrTimeGetsOneAndHappensNow) {
  VisitorSession s = Loaded();
  TrackResult r = s.Track(R"([{"type": "order_paid"}])", false, kNow);
  EXPECT_EQ(r.added, 1u);
  EXPECT_THAT(r.warnings, IsEmpty());
  ASSERT_EQ(s.profile().events().size(), 1u);
  EXPECT_EQ(s.profile().events()[0].ts, kNow);
  EXPECT_FALSE(s.profile().events()[0].id.empty());
}

TEST(SessionTest, TimePassingIsReportedByTheNextTagsCall) {
  VisitorSession s = Loaded();
  s.Track("[" + EventJson("o1", "order_paid", kNow) + "," + EventJson("o2", "order_paid", kNow) + "]", false, kNow);
  EXPECT_THAT(Held(s, kNow), ::testing::Contains("active_high"));
  TagsAt later = s.Tags(kNow + 31 * kDay);
  EXPECT_THAT(later.changes.left, ElementsAre("active_high"));
  // Asked again at the same time: nothing new.
  EXPECT_THAT(s.Tags(kNow + 31 * kDay).changes.left, IsEmpty());
}

TEST(SessionTest, TheTagsRevisionChangesWhenTheAnswerMayAndOnlyThen) {
  VisitorSession s = Loaded();
  const uint64_t first = s.Tags(kNow).revision;
  EXPECT_NE(first, 0u);
  EXPECT_EQ(s.Tags(kNow).revision, first);
  // One view of the three 高意向 needs changes no decision: the same answer.
  s.Track("[" + EventJson("v1", "view", kNow) + "]", false, kNow);
  EXPECT_EQ(s.Tags(kNow).revision, first);
  EXPECT_EQ(s.Tags(kNow + kDay).revision, first);  // time passed, nothing changed
  s.Track("[" + EventJson("o1", "order_paid", kNow) + "]", false, kNow + kDay);
  const uint64_t ordered = s.Tags(kNow + kDay).revision;
  EXPECT_NE(ordered, first);
  // A new profile may bring server tags (their expiry shows): always a new revision.
  ASSERT_TRUE(s.SetProfile(R"({"user_id": "u1", "events": []})", ProfileMode::kReplace, kNow).ok());
  const uint64_t replaced = s.Tags(kNow).revision;
  EXPECT_NE(replaced, ordered);
  ASSERT_TRUE(s.SetProfile(R"({"user_id": "u1", "events": []})", ProfileMode::kReplace, kNow).ok());
  EXPECT_NE(s.Tags(kNow).revision, replaced);
}

TEST(SessionTest, TheTagsRevisionSeesWhatChangesDoNotReport) {
  // 浏览 holds by its own rule within a day of a view, then as 常客's parent;
  // 零分's value turns from -0 to 0 when a click arrives. Neither is in
  // {entered, left, changed} (membership and value compare equal), yet a
  // tags() answer shows both (its source; "-0.0" against "0").
  VisitorSession s;
  ASSERT_TRUE(s.LoadCatalog(R"({"tagwise": 1, "tags": [
    {"id": "browser", "name": "浏览", "when": {"events": [{"type": "view", "within": "1d", "agg": "exists"}]}},
    {"id": "regular", "name": "常客", "parent": "browser", "when": {"events": [{"type": "view", "agg": "exists"}]}},
    {"id": "zero", "name": "零分", "when": true,
     "value": {"*": [{"events": [{"type": "order_paid"}]}, {"-": [{"events": [{"type": "click"}]}, 0.5]}]}}
  ]})", kNow).ok());
  s.Track("[" + EventJson("v1", "view", kNow) + "]", false, kNow);
  const TagsAt now = s.Tags(kNow);
  const uint64_t at_first = now.revision;
  EXPECT_EQ(now.evaluation->decisions[0].source, DecisionSource::kRule);
  const TagsAt later = s.Tags(kNow + 2 * kDay);
  EXPECT_TRUE(later.changes.empty());
  EXPECT_EQ(later.evaluation->decisions[0].source, DecisionSource::kParentTag);
  const uint64_t at_later = later.revision;
  EXPECT_NE(at_later, at_first);
  TrackResult click = s.Track("[" + EventJson("c1", "click", kNow) + "]", false, kNow + 2 * kDay);
  EXPECT_TRUE(click.changes.empty());
  EXPECT_EQ(s.Tags(kNow + 2 * kDay).evaluation->decisions[2].value.dump(), "0");
  EXPECT_NE(s.Tags(kNow + 2 * kDay).revision, at_later);
}

TEST(SessionTest, EventsNoGrantedPurposeNeedsAreNotRecorded) {
  VisitorSession s = Loaded({"necessary", "security"});
  TrackResult r = s.Track("[" + EventJson("v1", "view", kNow) + "," + EventJson("r1", "refund", kNow) + "]", false, kNow);
  EXPECT_EQ(r.withheld, 1u);
  EXPECT_EQ(r.added, 1u);
  EXPECT_THAT(r.changes.entered, ElementsAre("risk"));
  // Types no tag reads take the default purposes (personalization): withheld too.
  EXPECT_EQ(s.Track("[" + EventJson("u1", "unknown_type", kNow) + "]", false, kNow).withheld, 1u);
}

TEST(SessionTest, WithdrawingAPurposeDropsItsTagsAndDeletesItsData) {
  VisitorSession s = Loaded();
  s.Track("[" + EventJson("v1", "view", kNow) + "," + EventJson("v2", "view", kNow) + "," + EventJson("v3", "view", kNow) + "," +
              EventJson("c1", "coupon_click", kNow) + "]",
          false, kNow);
  EXPECT_THAT(Held(s, kNow), ElementsAre("new_user", "intent", "coupon_fan"));
  PurposesUpdate u = s.SetPurposes({"security", "marketing"}, kNow, kNow);
  // Tags without a purpose serve personalization (the catalog's default).
  EXPECT_THAT(u.changes.left, ElementsAre("new_user", "intent"));
  EXPECT_EQ(u.pruned.events_removed, 3u);
  EXPECT_EQ(s.profile().events().size(), 1u);
  ASSERT_TRUE(s.consent().has_value());
  EXPECT_EQ(s.consent()->purposes, (PurposeSet{"necessary", "security", "marketing"}));
  // Widening deletes nothing; the deleted views do not come back.
  PurposesUpdate w = s.SetPurposes(AllPurposes(), kNow, std::nullopt);
  EXPECT_EQ(w.pruned.events_removed, 0u);
  EXPECT_THAT(w.changes.entered, ElementsAre("new_user"));
}

TEST(SessionTest, DeclaredEventPurposesDecideTypesNoTagReads) {
  VisitorSession s = Loaded({"necessary", "analytics"});
  EXPECT_EQ(s.Track("[" + EventJson("p1", "page_view", kNow) + "]", false, kNow).withheld, 1u);
  s.SetEventPurposes({{"page_view", {"analytics"}}}, std::nullopt);
  EXPECT_EQ(s.Track("[" + EventJson("p2", "page_view", kNow) + "]", false, kNow).added, 1u);
}

TEST(SessionTest, CompactionPolicyFoldsOldEventsKeepingCounts) {
  CompactionPolicy policy;
  policy.retention.max_events = 100;
  Profile p;
  for (int i = 0; i < 100; ++i) {
    Event e;
    e.id = "e" + std::to_string(i);
    e.type = "order_paid";
    e.ts = kNow - i * 1000;
    p.AddEvent(e);
  }
  EXPECT_FALSE(policy.NeedsCompaction(p, kNow));
  Event e;
  e.id = "last";
  e.type = "order_paid";
  e.ts = kNow;
  p.AddEvent(e);
  EXPECT_TRUE(policy.NeedsCompaction(p, kNow));
  EXPECT_EQ(policy.Target().max_events, 90u);
  // Age: past max_age plus the slack.
  Profile old;
  Event o;
  o.id = "o";
  o.type = "view";
  o.ts = kNow - policy.retention.max_age_ms - policy.age_slack_ms - 1;
  old.AddEvent(o);
  EXPECT_TRUE(policy.NeedsCompaction(old, kNow));
  o.ts += 2;
  Profile fresh;
  fresh.AddEvent(o);
  EXPECT_FALSE(policy.NeedsCompaction(fresh, kNow));

  SessionOptions options;
  options.compaction = policy;
  VisitorSession s(options);
  ASSERT_TRUE(s.LoadCatalog(kCatalog, kNow).ok());
  std::string list = "[";
  for (int i = 0; i < 101; ++i) list += (i ? "," : "") + EventJson("b" + std::to_string(i), "order_paid", kNow - i * kDay / 2);
  TrackResult r = s.Track(list + "]", false, kNow);
  EXPECT_TRUE(r.compacted);
  EXPECT_LE(s.profile().events().size(), 90u);
  // Lifetime counts see the rollups: still 老用户, still 高活跃.
  EXPECT_THAT(Held(s, kNow), ElementsAre("old_user", "active_high"));
}

TEST(SessionTest, ASnapshotMergesWithoutDoubleCountingAndSsrStateMergesById) {
  VisitorSession s = Loaded();
  s.Track("[" + EventJson("o1", "order_paid", kNow - kDay, {{"amount", 60}}) + "]", false, kNow);
  const std::string snapshot = json{{"user_id", "u1"},
                                    {"as_of", kNow - 2 * kDay},
                                    {"events", json::array({json::parse(EventJson("o0", "order_paid", kNow - 3 * kDay,
                                                                              {{"amount", 50}}))})},
                                    {"tags", {{"vip", {{"value", true}}}}}}
                                   .dump();
  ProfileUpdate m = s.SetProfile(snapshot, ProfileMode::kMergeSnapshot, kNow);
  ASSERT_TRUE(m.ok());
  EXPECT_THAT(m.changes.entered, ElementsAre("active_high", "spend"));
  // The browser's copy of the same visitor (SSR state) adds nothing twice.
  ProfileUpdate again = s.SetProfile(s.profile().ToJson().dump(), ProfileMode::kMergeLocal, kNow);
  ASSERT_TRUE(again.ok());
  EXPECT_THAT(again.changes.entered, IsEmpty());
  EXPECT_EQ(s.profile().events().size(), 2u);
  // Another user's state is refused, with the field named.
  ProfileUpdate other = s.SetProfile(R"({"user_id": "u2", "events": []})", ProfileMode::kMergeLocal, kNow);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.errors[0].path, "/user_id");
}

TEST(SessionTest, ServerTagEntriesOfTheWrongShapeAreWarnings) {
  VisitorSession s = Loaded();
  ProfileUpdate r = s.SetProfile(R"({"user_id": "u", "tags": {"vip": 1, "x": {"expires_at": "later"}}})",
                                 ProfileMode::kReplace, kNow);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0].path, "/tags/vip");
  EXPECT_EQ(r.warnings[1].path, "/tags/x/expires_at");
}

TEST(SessionTest, StoredStateRoundTripsThroughAnotherTab) {
  VisitorSession a = Loaded();
  a.SetPurposes({"personalization"}, kNow, kNow - 5);
  a.Track("[" + EventJson("o1", "order_paid", kNow) + "]", false, kNow);
  const std::string stored = a.EncodeStore(kNow);
  ASSERT_FALSE(stored.empty());

  VisitorSession b = Loaded();
  b.Track("[" + EventJson("o2", "order_paid", kNow) + "]", false, kNow);
  StoreMerge m = b.MergeStore(stored, kNow);
  EXPECT_THAT(m.decoded.problems, IsEmpty());
  EXPECT_EQ(m.report.events_added, 1u);
  EXPECT_EQ(b.profile().events().size(), 2u);
  // The visitor's stored choice wins over b's default: security and marketing data goes.
  ASSERT_TRUE(b.consent().has_value());
  EXPECT_EQ(b.purposes(), (PurposeSet{"necessary", "personalization"}));
  // Damaged text never fails: the loss is reported.
  VisitorSession c = Loaded();
  StoreMerge bad = c.MergeStore(stored.substr(0, stored.size() / 2) + "garbage", kNow);
  EXPECT_FALSE(bad.decoded.problems.empty());
}

TEST(SessionTest, ForgetErasesEverythingAndStartsANewGeneration) {
  VisitorSession s = Loaded();
  s.SetPurposes(AllPurposes(), kNow, kNow);
  s.Track("[" + EventJson("o1", "order_paid", kNow) + "]", false, kNow);
  TagChanges c = s.Forget("g2", kNow, kNow);
  EXPECT_THAT(c.entered, ElementsAre("new_user"));
  EXPECT_THAT(c.left, ElementsAre("old_user"));
  EXPECT_TRUE(s.profile().events().empty());
  EXPECT_FALSE(s.consent().has_value());
  EXPECT_EQ(s.generation(), "g2");
  EXPECT_TRUE(s.ledger().empty());
}

TEST(SessionTest, ShrinkCompactsFirstThenDropsOldRollups) {
  VisitorSession s = Loaded();
  std::string list = "[";
  for (int i = 0; i < 40; ++i) list += (i ? "," : "") + EventJson("e" + std::to_string(i), "order_paid", kNow - i * kDay);
  s.Track(list + "]", false, kNow);
  ShrinkResult a = s.Shrink(kNow);
  EXPECT_EQ(a.step, ShrinkResult::Step::kCompacted);
  EXPECT_EQ(a.events_removed, 20u);
  while (s.profile().events().size() > 16) s.Shrink(kNow);
  ShrinkResult b = s.Shrink(kNow);
  EXPECT_EQ(b.step, ShrinkResult::Step::kDropped);
}

TEST(SessionTest, TagProfilesTagsEachProfileAndLocatesBadOnes) {
  VisitorSession s = Loaded();
  std::vector<TaggedProfile> out;
  const std::string batch = "[" + json{{"user_id", "a"}, {"events", json::array({json::parse(EventJson("o", "order_paid", kNow))})}}.dump() +
                            R"(, {"user_id": 7, "events": 3}, {"user_id": "c", "events": []}])";
  BatchStatus st = s.TagProfiles(batch, kNow, nullptr, [&](const TaggedProfile& p) { out.push_back(p); });
  ASSERT_FALSE(st.error.has_value());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].user_id, "a");
  ASSERT_EQ(out[0].tags.size(), 1u);
  EXPECT_EQ(out[0].tags[0].first, "old_user");
  EXPECT_EQ(out[1].user_id, "7");
  ASSERT_TRUE(out[1].error.has_value());
  EXPECT_EQ(out[1].error->path, "/events");
  EXPECT_EQ(out[2].tags[0].first, "new_user");
  // Under the purposes given, not the session's.
  PurposeSet none = {"necessary"};
  out.clear();
  s.TagProfiles(R"([{"user_id": "d", "events": [{"id": "r", "type": "refund", "ts": 1}]}])", kNow, &none,
                [&](const TaggedProfile& p) { out.push_back(p); });
  ASSERT_EQ(out.size(), 1u);
  for (const auto& [id, value] : out[0].tags) EXPECT_NE(id, "risk");
  EXPECT_TRUE(s.TagProfiles("{}", kNow, nullptr, [](const TaggedProfile&) {}).error.has_value());
}

// TagProfiles keeps `where` verdicts by the text they read across its calls
// (WhereVerdicts): every answer, and every step a budget counts, must be
// what an evaluation without them gives, for rules it may keep (one path)
// and rules it may not (two paths), texts and other values, at any budget.
TEST(SessionTest, TagProfilesKeepsWhereVerdictsByTextWithoutChangingAnswersOrSteps) {
  const json catalog = json::parse(R"({"tagwise": 1, "tags": [
    {"id": "xmas", "when": {">=": [{"events": [{"type": "order_paid", "where": {"in": ["XMAS", {"var": "d"}]}}]}, 2]}},
    {"id": "bag", "when": {"events": [{"type": "order_paid", "agg": "exists",
      "where": {"or": [{"in": ["BAG", {"var": "d"}]}, {"==": [{"var": "d"}, "tote"]}, {"==": [{"var": "d"}, 7]}]}}]}},
    {"id": "nested", "when": {">": [{"events": [{"where": {"in": ["red", {"var": "p.c"}]}}]}, 0]}},
    {"id": "two_paths", "when": {">=": [{"events": [{"type": "order_paid",
      "where": {"and": [{"in": ["XMAS", {"var": "d"}]}, {">": [{"var": "q"}, 1]}]}}]}, 1]}},
    {"id": "spend", "value": {"events": [{"type": "order_paid", "agg": "sum", "field": "q"}]},
     "when": {"events": [{"type": "order_paid", "where": {"!": {"in": ["FREE", {"var": "d"}]}}, "agg": "exists"}]}}
  ]})");
  const char* texts[] = {"XMAS TREE", "BAG OF XMAS", "tote", "LAMP", "FREE XMAS BAG"};
  std::vector<json> profiles;
  for (int u = 0; u < 12; ++u) {
    json events = json::array();
    for (int k = 0; k < 3 + u % 4; ++k) {
      json props = {{"q", (u + k) % 3}};
      const int kind = (u * 7 + k) % 8;
      if (kind < 5) props["d"] = texts[kind];
      else if (kind == 5) props["d"] = 7;            // a number: evaluated, not kept
      else if (kind == 6) props["p"] = {{"c", k % 2 ? "dark red" : "blue"}};
      events.push_back({{"id", "e" + std::to_string(k)}, {"type", k % 5 == 4 ? "view" : "order_paid"},
                        {"ts", kNow - k * kDay}, {"props", props}});
    }
    profiles.push_back({{"user_id", "u" + std::to_string(u)}, {"events", events}});
  }
  CatalogLoadResult loaded = Catalog::Load(catalog);
  ASSERT_TRUE(loaded.ok());
  // Budgets from too small for anything to plenty: the cached and the direct answers agree at each.
  for (int64_t steps : {int64_t{5}, int64_t{20}, int64_t{40}, int64_t{70}, int64_t{110}, int64_t{0}}) {
    VisitorSession s;
    ASSERT_TRUE(s.LoadCatalog(catalog.dump(), kNow).errors.empty());
    s.SetBudget(steps, 0);
    EngineOptions options;
    if (steps > 0) options.max_pass_steps = steps;
    Engine direct(loaded.catalog, options);
    for (int round = 0; round < 2; ++round) {  // the second round finds every text kept
      for (size_t b = 0; b < profiles.size(); b += 4) {
        json batch = json::array();
        for (size_t i = b; i < b + 4; ++i) batch.push_back(profiles[i]);
        std::vector<TaggedProfile> out;
        ASSERT_FALSE(s.TagProfiles(batch.dump(), kNow, nullptr, [&](const TaggedProfile& p) { out.push_back(p); }).error);
        ASSERT_EQ(out.size(), 4u);
        for (size_t i = 0; i < 4; ++i) {
          Result<Profile> p = Profile::FromJson(batch[i]);
          ASSERT_TRUE(p.ok());
          const Evaluation ev = direct.EvaluateAll(p.value(), ServerTags{}, kNow);
          std::vector<std::pair<std::string, json>> expected;
          for (size_t t = 0; t < ev.decisions.size(); ++t) {
            if (ev.decisions[t].holds) {
              expected.emplace_back(loaded.catalog->tags()[t].id,
                                    ev.decisions[t].value.is_null() ? json(true) : ev.decisions[t].value);
            }
          }
          EXPECT_EQ(out[i].tags, expected) << "steps " << steps << ", round " << round << ", user " << out[i].user_id.value_or("?");
        }
      }
    }
  }
}

TEST(SessionTest, ExperimentsSeeTheVisitorsTagsAndPersistTheirAssignment) {
  VisitorSession s = Loaded();
  s.SetProfile(R"({"user_id": "u-1", "events": []})", ProfileMode::kReplace, kNow);
  TagChanges c;
  const UserView u = s.View(kNow, &c);
  EXPECT_THAT(u.held_tags, ElementsAre("new_user"));
  bool changed = false;
  const std::string answer = s.RunExperiment(
      R"({"definition": {"key": "banner", "variations": ["a", "b"], "rule": {"tag": ["new_user"]}}})", u, &changed);
  const json r = json::parse(answer);
  ASSERT_TRUE(r["ok"].get<bool>()) << answer;
  EXPECT_TRUE(r["result"]["inExperiment"].get<bool>());
  EXPECT_TRUE(changed);
  EXPECT_EQ(s.ledger().assignments().size(), 1u);
  // Analytics withdrawn: the assignment is deleted.
  s.SetPurposes({"personalization"}, kNow, kNow);
  EXPECT_TRUE(s.ledger().assignments().empty());
}

TEST(SessionTest, OffersAreRecordedAndPrunedWithMarketingConsent) {
  VisitorSession s = Loaded();
  const json loaded = json::parse(s.LoadOffers(R"([{"id": "welcome", "audience": {"tag": ["new_user"]}}])"));
  ASSERT_TRUE(loaded["ok"].get<bool>()) << loaded.dump();
  TagChanges c;
  UserView u = s.View(kNow, &c);
  const json eligible = json::parse(s.EligibleOffers("{}", u));
  ASSERT_EQ(eligible["eligible"].size(), 1u) << eligible.dump();
  bool changed = false;
  const json rec = json::parse(s.RecordOffer(R"({"id": "welcome", "action": "shown", "recordId": "r1"})", u, &changed));
  EXPECT_TRUE(rec["recorded"].get<bool>());
  EXPECT_EQ(s.ledger().records().size(), 1u);
  s.SetPurposes({"personalization"}, kNow, kNow);
  EXPECT_TRUE(s.ledger().records().empty());
}

// Issue 24: SetBudget bounds what one call's rules do together: a pass over
// the catalog, one experiment, one offers call (each offer's audience), and
// each call has it afresh.
TEST(SessionTest, OneBudgetPerCallForTagsExperimentsAndOffers) {
  std::string tags, offers;
  for (int i = 0; i < 5; ++i) {
    const std::string sum = R"({"reduce": [{"var": "list"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, )" +
                            std::to_string(i) + "]}";
    tags += std::string(i ? "," : "") + R"({"id": "t)" + std::to_string(i) + R"(", "name": "t", "when": {">": [)" +
            sum + ", 0]}}";
    offers += std::string(i ? "," : "") + R"({"id": "o)" + std::to_string(i) + R"(", "audience": {">": [)" + sum +
              ", 0]}}";
  }
  json list = json::array();
  for (int i = 0; i < 2000; ++i) list.push_back(i);
  const std::string profile = json{{"user_id", "u-1"}, {"attributes", {{"list", list}}}, {"events", json::array()}}.dump();
  // What one of these rules costs, measured: the budget fits four and a half
  // (a tag may use a quarter of a pass: 1.125 rules).
  EvalBudget probe{1'000'000, 1 << 20};
  EvalContext ctx;
  ctx.budget = &probe;
  ASSERT_TRUE(CompileRule(json::parse(R"({"reduce": [{"var": "list"}, {"+": [{"var": "current"},
      {"var": "accumulator"}]}, 0]})")).rule->Evaluate(json{{"list", list}}, ctx).ok());
  const int64_t one_rule = 1'000'000 - probe.steps;
  for (const bool tight : {false, true}) {
    VisitorSession s{SessionOptions{}};
    if (tight) s.SetBudget(one_rule * 9 / 2, 0);
    ASSERT_TRUE(s.LoadCatalog(R"({"tagwise": 1, "tags": [)" + tags + "]}", kNow).ok());
    s.SetProfile(profile, ProfileMode::kReplace, kNow);
    for (int call = 0; call < 2; ++call) {
      const std::vector<std::string> want = tight ? std::vector<std::string>{"t0", "t1", "t2", "t3"}
                                                  : std::vector<std::string>{"t0", "t1", "t2", "t3", "t4"};
      EXPECT_EQ(Held(s, kNow + call), want);
    }
    TagChanges c;
    const UserView u = s.View(kNow, &c);
    ASSERT_TRUE(json::parse(s.LoadOffers("[" + offers + "]"))["ok"].get<bool>());
    for (int call = 0; call < 2; ++call) {
      const json e = json::parse(s.EligibleOffers("{}", u));
      ASSERT_EQ(e["eligible"].size(), tight ? 4u : 5u) << e.dump();
      if (tight) EXPECT_EQ(e["ineligible"][0]["reasons"], json::array({"audience_error"})) << e.dump();
    }
    bool changed = false;
    const json r = json::parse(s.RunExperiment(
        R"({"definition": {"key": "x", "variations": ["a", "b"], "rule": {"and": [
               {">": [{"reduce": [{"var": "list"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]}, 0]},
               {">": [{"reduce": [{"var": "list"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]}, 0]},
               {">": [{"reduce": [{"var": "list"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]}, 0]},
               {">": [{"reduce": [{"var": "list"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]}, 0]},
               {">": [{"reduce": [{"var": "list"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]}, 0]}
             ]}}, "attributes": {"list": )" + list.dump() + "}}",
        u, &changed));
    ASSERT_TRUE(r["ok"].get<bool>()) << r.dump();
    EXPECT_EQ(r["result"]["inExperiment"].get<bool>(), !tight) << r.dump();
  }
}

TEST(SessionTest, RecommendWithoutHintsIsALocatedError) {
  VisitorSession s = Loaded();
  TagChanges c;
  const UserView u = s.View(kNow, &c);
  const json r = json::parse(s.Recommend(R"({"k": 3})", u, c));
  EXPECT_FALSE(r["ok"].get<bool>());
  EXPECT_FALSE(json::parse(s.LoadHints("not hints", ""))["ok"].get<bool>());
  EXPECT_TRUE(json::parse(s.HintsInfo())["info"].is_null());
}

TEST(SessionTest, ExplainNamesUnknownTags) {
  VisitorSession s;
  EXPECT_EQ(s.Explain("x", kNow).error().code, ErrorCode::kUnknownTag);
  VisitorSession t = Loaded();
  Result<json> e = t.Explain("new_user", kNow);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e.value()["holds"].get<bool>());
  EXPECT_EQ(t.Explain("nope", kNow).error().code, ErrorCode::kUnknownTag);
}

}  // namespace
}  // namespace tagwise
