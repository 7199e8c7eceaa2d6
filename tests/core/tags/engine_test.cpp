#include <string>

#include <gtest/gtest.h>

#include "tagwise/engine.h"

namespace tagwise {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1'763'856'000'000;
constexpr int64_t kDay = 86'400'000;

std::shared_ptr<const Catalog> Load(const char* text) {
  auto r = Catalog::Load(json::parse(text));
  EXPECT_TRUE(r.ok()) << FormatIssues(r.errors);
  return r.catalog;
}

Profile MakeProfile(json attributes, std::vector<Event> events = {}) {
  Profile p;
  p.set_attributes(std::move(attributes));
  for (Event& e : events) (void)p.AddEvent(std::move(e));
  return p;
}

const TagDecision& Decision(const Engine& engine, const Evaluation& e, const char* id) {
  return e.decisions[static_cast<size_t>(engine.catalog().IndexOf(id))];
}

constexpr const char* kLifecycle = R"({"tagwise": 1,
  "groups": [{"id": "lifecycle", "name": "生命周期", "exclusive": true}],
  "tags": [
    {"id": "new_user", "name": "新用户", "group": "lifecycle", "priority": 2,
     "when": {"<=": [{"days_since": [{"var": "signup_at"}]}, 30]}},
    {"id": "active", "name": "活跃用户", "group": "lifecycle", "priority": 1,
     "when": {">=": [{"events": [{"type": "order_paid", "within": "30d"}]}, 2]}},
    {"id": "churning", "name": "流失风险", "group": "lifecycle", "priority": 1,
     "when": {">": [{"days_since": [{"var": "last_login"}]}, 30]}},
    {"id": "buyer", "name": "购买者", "when": {"events": [{"type": "order_paid", "agg": "exists"}]}},
    {"id": "vip", "name": "VIP", "when": {">": [{"var": "spend"}, 1000]}},
    {"id": "vip_games", "name": "VIP-游戏", "parent": "vip",
     "when": {">=": [{"events": [{"type": "order_paid", "where": {"==": [{"var": "category"}, "game"]}}]}, 2]}},
    {"id": "rfm", "name": "RFM 等级", "dimension": "value", "when": {"tag": ["buyer"]},
     "value": {"bucket": [{"events": [{"type": "order_paid", "agg": "sum", "field": "amount"}]}, [50, 200, 1000]]}},
    {"id": "new_buyer", "name": "新买家", "when": {"and": [{"tag": ["new_user"]}, {"tag": ["buyer"]}]}},
    {"id": "ad_target", "name": "广告人群", "purpose": "marketing", "when": {"tag": ["buyer"]}},
    {"id": "uses_ad", "name": "引用广告", "when": {"tag": ["ad_target"]}},
    {"id": "churn_score", "name": "流失分", "source": "server", "ttl": "1d"},
    {"id": "broken", "name": "坏规则", "when": {"throw": "oops"}},
    {"id": "recent_signup", "name": "近期注册", "when": {"<=": [{"days_since": [{"var": "signup_at"}]}, 30]}}
  ]})";

TEST(EngineTest, ExclusiveGroupKeepsTheHighestPriorityAndReportsTheOthers) {
  Engine engine(Load(kLifecycle));
  Profile p = MakeProfile({{"signup_at", kNow - 3 * kDay}},
                          {{"1", "order_paid", kNow - kDay, {{"amount", 30}}}, {"2", "order_paid", kNow - 2 * kDay, {{"amount", 40}}}});
  Evaluation e = engine.EvaluateAll(p, {}, kNow);
  EXPECT_TRUE(Decision(engine, e, "new_user").holds);
  const TagDecision& active = Decision(engine, e, "active");
  EXPECT_FALSE(active.holds);
  EXPECT_EQ(active.source, DecisionSource::kExclusiveLoser);
  EXPECT_EQ(active.suppressed_by, "new_user");
  // References see final membership: new_buyer needs new_user (the winner) and buyer.
  EXPECT_TRUE(Decision(engine, e, "new_buyer").holds);
}

TEST(EngineTest, SamePriorityFallsBackToCatalogOrder) {
  Engine engine(Load(kLifecycle));
  Profile p = MakeProfile({{"signup_at", kNow - 300 * kDay}, {"last_login", kNow - 40 * kDay}},
                          {{"1", "order_paid", kNow - kDay, {}}, {"2", "order_paid", kNow - 2 * kDay, {}}});
  Evaluation e = engine.EvaluateAll(p, {}, kNow);
  EXPECT_TRUE(Decision(engine, e, "active").holds);
  EXPECT_EQ(Decision(engine, e, "churning").suppressed_by, "active");
}

TEST(EngineTest, ChildTagImpliesItsParent) {
  Engine engine(Load(kLifecycle));
  Profile p = MakeProfile({{"spend", 10}}, {{"1", "order_paid", kNow - kDay, {{"category", "game"}}},
                                            {"2", "order_paid", kNow - kDay, {{"category", "game"}}}});
  Evaluation e = engine.EvaluateAll(p, {}, kNow);
  EXPECT_TRUE(Decision(engine, e, "vip_games").holds);
  EXPECT_TRUE(Decision(engine, e, "vip").holds);
  EXPECT_EQ(Decision(engine, e, "vip").source, DecisionSource::kParentTag);
}

TEST(EngineTest, ValueRulesGiveTagValues) {
  Engine engine(Load(kLifecycle));
  Profile p = MakeProfile(json::object(), {{"1", "order_paid", kNow - kDay, {{"amount", 120}}},
                                           {"2", "order_paid", kNow - kDay, {{"amount", 100}}}});
  Evaluation e = engine.EvaluateAll(p, {}, kNow);
  EXPECT_EQ(Decision(engine, e, "rfm").value, json(2));
  EXPECT_EQ(Decision(engine, e, "buyer").value, json(true));
  EXPECT_TRUE(Decision(engine, e, "vip").value.is_null());
}

// One pass counts an aggregate several tags share once (AggregateMemo), and
// only aggregates that are the same: another window, field, agg or type, or
// any `where`, is its own count.
TEST(EngineTest, TagsSharingAnAggregateAgreeWithTagsThatDoNot) {
  Engine engine(Load(R"({"tagwise": 1, "tags": [
    {"id": "spend_a", "name": "a", "when": true, "value": {"events": [{"type": "order_paid", "agg": "sum", "field": "amount"}]}},
    {"id": "spend_b", "name": "b", "when": true, "value": {"+": [{"events": [{"type": "order_paid", "agg": "sum", "field": "amount"}]}, 0]}},
    {"id": "spend_7d", "name": "c", "when": true, "value": {"events": [{"type": "order_paid", "agg": "sum", "field": "amount", "within": "7d"}]}},
    {"id": "spend_fee", "name": "d", "when": true, "value": {"events": [{"type": "order_paid", "agg": "sum", "field": "fee"}]}},
    {"id": "count", "name": "e", "when": true, "value": {"events": [{"type": "order_paid", "field": "amount", "agg": "count"}]}},
    {"id": "refunds", "name": "f", "when": true, "value": {"events": [{"type": "order_refunded", "agg": "sum", "field": "amount"}]}},
    {"id": "games", "name": "g", "when": true, "value": {"events": [{"type": "order_paid", "agg": "sum", "field": "amount", "where": {"==": [{"var": "category"}, "game"]}}]}},
    {"id": "books", "name": "h", "when": true, "value": {"events": [{"type": "order_paid", "agg": "sum", "field": "amount", "where": {"==": [{"var": "category"}, "book"]}}]}},
    {"id": "decayed", "name": "i", "when": true, "value": {"round": [{"events": [{"type": "order_paid", "agg": "sum", "field": "amount", "half_life": "1d"}]}]}}
  ]})"));
  Profile p = MakeProfile(json::object(),
                          {{"1", "order_paid", kNow - kDay, {{"amount", 120}, {"fee", 1}, {"category", "game"}}},
                           {"2", "order_paid", kNow - 10 * kDay, {{"amount", 100}, {"fee", 2}, {"category", "book"}}},
                           {"3", "order_refunded", kNow - kDay, {{"amount", 30}}}});
  Evaluation e = engine.EvaluateAll(p, {}, kNow);
  EXPECT_EQ(Decision(engine, e, "spend_a").value, json(220));
  EXPECT_EQ(Decision(engine, e, "spend_b").value, json(220));
  EXPECT_EQ(Decision(engine, e, "spend_7d").value, json(120));
  EXPECT_EQ(Decision(engine, e, "spend_fee").value, json(3));
  EXPECT_EQ(Decision(engine, e, "count").value, json(2));
  EXPECT_EQ(Decision(engine, e, "refunds").value, json(30));
  EXPECT_EQ(Decision(engine, e, "games").value, json(120));
  EXPECT_EQ(Decision(engine, e, "books").value, json(100));
  EXPECT_EQ(Decision(engine, e, "decayed").value, json(60));  // 120/2 + 100/1024, rounded
  // A later pass at another time counts again.
  Evaluation later = engine.EvaluateAll(p, {}, kNow + 7 * kDay);
  EXPECT_EQ(Decision(engine, later, "spend_7d").value, json(0));
  EXPECT_EQ(Decision(engine, later, "spend_a").value, json(220));
}

TEST(EngineTest, ConsentOffMeansNotComputedAndNotHeld) {
  EngineOptions options;
  options.purposes = {"personalization"};
  Engine engine(Load(kLifecycle), options);
  Profile p = MakeProfile(json::object(), {{"1", "order_paid", kNow - kDay, {}}});
  Evaluation e = engine.EvaluateAll(p, {}, kNow);
  EXPECT_EQ(Decision(engine, e, "ad_target").source, DecisionSource::kConsentDenied);
  EXPECT_FALSE(Decision(engine, e, "ad_target").holds);
  EXPECT_FALSE(Decision(engine, e, "uses_ad").holds);
}

TEST(EngineTest, ServerTagsComeFromTheSnapshotAndExpire) {
  Engine engine(Load(kLifecycle));
  Profile p;
  ServerTags server;
  server.as_of = kNow - 2 * 3'600'000;
  server.tags = {{"churn_score", {{"value", 0.82}}}};
  Evaluation e = engine.EvaluateAll(p, server, kNow);
  EXPECT_TRUE(Decision(engine, e, "churn_score").holds);
  EXPECT_EQ(Decision(engine, e, "churn_score").value, json(0.82));
  Evaluation later = engine.EvaluateAll(p, server, kNow + 2 * kDay);  // ttl 1d after as_of
  EXPECT_FALSE(Decision(engine, later, "churn_score").holds);
  EXPECT_EQ(Decision(engine, later, "churn_score").source, DecisionSource::kExpired);
  server.tags = {{"churn_score", {{"value", 0.5}, {"expires_at", kNow - 1}}}};
  EXPECT_EQ(Decision(engine, engine.EvaluateAll(p, server, kNow), "churn_score").source, DecisionSource::kExpired);
}

// Found by fuzz/profile_fuzzer: an expires_at past int64 (1.7e75) was cast
// to int64 (undefined behaviour); times past JS Date's range clamp to it.
TEST(EngineTest, ServerTagExpiryTimesOfAnySizeAreClamped) {
  Engine engine(Load(kLifecycle));
  ServerTags server;
  server.as_of = kNow;
  server.tags = json::parse(R"({"churn_score": {"value": 0.5, "expires_at": 17e64}})");
  EXPECT_TRUE(Decision(engine, engine.EvaluateAll(Profile(), server, kNow), "churn_score").holds);
  EXPECT_EQ(ServerTagExpiresAt(server.tags["churn_score"]), 9'000'000'000'000'000);
  server.tags = json::parse(R"({"churn_score": {"value": 0.5, "expires_at": -1e300}})");
  EXPECT_EQ(Decision(engine, engine.EvaluateAll(Profile(), server, kNow), "churn_score").source,
            DecisionSource::kExpired);
  EXPECT_EQ(ServerTagExpiresAt(json::parse(R"({"expires_at": 18446744073709551615})")), 9'000'000'000'000'000);
  EXPECT_EQ(ServerTagExpiresAt(json::parse(R"({"expires_at": "soon"})")), std::nullopt);
}

TEST(EngineTest, AFailingRuleIsReportedNotFatal) {
  Engine engine(Load(kLifecycle));
  Evaluation e = engine.EvaluateAll(Profile(), {}, kNow);
  EXPECT_EQ(Decision(engine, e, "broken").source, DecisionSource::kError);
  EXPECT_FALSE(Decision(engine, e, "broken").error.empty());
}

TEST(EngineTest, ReevaluateTouchesOnlyTagsTheEventCanAffect) {
  Engine engine(Load(kLifecycle));
  Profile p = MakeProfile({{"signup_at", kNow - 29 * kDay}});
  Evaluation e = engine.EvaluateAll(p, {}, kNow);
  EXPECT_TRUE(Decision(engine, e, "new_user").holds);
  EXPECT_FALSE(Decision(engine, e, "buyer").holds);
  ASSERT_TRUE(p.AddEvent({"1", "order_paid", kNow + 2 * kDay, {{"amount", 60}}}));
  // Two days later neither new_user nor recent_signup would hold. new_user shares
  // an exclusive group with `active`, which reads orders, so it is re-decided;
  // recent_signup depends on no order and is left untouched, as promised.
  TagChanges c = engine.Reevaluate(p, {}, kNow + 2 * kDay, {"order_paid"}, &e);
  EXPECT_EQ(c.entered, (std::vector<std::string>{"buyer", "rfm", "ad_target", "uses_ad"}));
  EXPECT_EQ(c.left, std::vector<std::string>{"new_user"});
  EXPECT_TRUE(Decision(engine, e, "recent_signup").holds);
  // A full evaluation at the same time agrees on every tag the event affects.
  Evaluation full = engine.EvaluateAll(p, {}, kNow + 2 * kDay);
  for (const char* id : {"buyer", "rfm", "ad_target"}) {
    EXPECT_EQ(Decision(engine, full, id).holds, Decision(engine, e, id).holds) << id;
  }
}

TEST(EngineTest, ReevaluateReportsValueChanges) {
  Engine engine(Load(kLifecycle));
  Profile p = MakeProfile(json::object(), {{"1", "order_paid", kNow - kDay, {{"amount", 60}}}});
  Evaluation e = engine.EvaluateAll(p, {}, kNow);
  ASSERT_TRUE(p.AddEvent({"2", "order_paid", kNow, {{"amount", 500}}}));
  TagChanges c = engine.Reevaluate(p, {}, kNow, {"order_paid"}, &e);
  EXPECT_EQ(c.changed, std::vector<std::string>{"rfm"});
}

TEST(EngineTest, ExplainShowsTheRuleTreeWithValuesAndMatchedEvents) {
  Engine engine(Load(kLifecycle));
  Profile p = MakeProfile({{"signup_at", kNow - 3 * kDay}},
                          {{"1", "order_paid", kNow - kDay, {}}, {"2", "order_paid", kNow - 2 * kDay, {}}, {"3", "order_paid", kNow - 90 * kDay, {}}});
  auto r = engine.Explain(p, {}, kNow, "active");
  ASSERT_TRUE(r.ok());
  const json& x = r.value();
  EXPECT_EQ(x["source"], "exclusiveLoser");
  EXPECT_EQ(x["suppressed_by"], "new_user");
  EXPECT_EQ(x["when"]["op"], ">=");
  EXPECT_EQ(x["when"]["value"], true);
  EXPECT_EQ(x["when"]["args"][0]["op"], "events");
  EXPECT_EQ(x["when"]["args"][0]["matched"], 2);
  EXPECT_EQ(x["when"]["args"][0]["path"], "/>=/0");
  auto parent = engine.Explain(MakeProfile({{"spend", 5}}, {{"1", "order_paid", kNow, {{"category", "game"}}},
                                                            {"2", "order_paid", kNow, {{"category", "game"}}}}),
                               {}, kNow, "vip");
  ASSERT_TRUE(parent.ok());
  EXPECT_EQ(parent.value()["source"], "parentTag");
  EXPECT_EQ(parent.value()["children_holding"], json::array({"vip_games"}));
  EXPECT_FALSE(engine.Explain(p, {}, kNow, "nope").ok());
}


// Issue 24: one budget per pass over the catalog, not one per rule. Five
// tags that each walk 20,000 items fit the default budget; with a pass
// budget of 90,000 steps (a quarter of it, 22,500, per tag) the first four
// hold and the last fails with budget_exceeded instead of spending its own
// limit. A later pass has its budget again.
TEST(EngineTest, OnePassSharesOneBudget) {
  std::string tags;
  for (int i = 0; i < 5; ++i) {
    tags += std::string(i ? "," : "") + R"({"id": "t)" + std::to_string(i) + R"(", "name": "t", "when":
        {">": [{"reduce": [{"var": "items"}, {"var": "current"}, 0]}, 0]}})";
  }
  const std::string catalog = R"({"tagwise": 1, "tags": [)" + tags + "]}";
  json items = json::array();
  for (int i = 0; i < 20000; ++i) items.push_back(i);
  Profile p = MakeProfile(json{{"items", items}});

  Engine roomy(Load(catalog.c_str()));
  Evaluation all = roomy.EvaluateAll(p, {}, kNow);
  for (const TagDecision& d : all.decisions) EXPECT_TRUE(d.holds) << d.error;

  EngineOptions tight;
  tight.max_pass_steps = 90'000;  // each tag takes a little over 20,000 steps (one per item)
  Engine engine(Load(catalog.c_str()), tight);
  for (int pass = 0; pass < 2; ++pass) {
    Evaluation e = engine.EvaluateAll(p, {}, kNow);
    for (const char* id : {"t0", "t1", "t2", "t3"}) EXPECT_TRUE(Decision(engine, e, id).holds) << id;
    const TagDecision& d = Decision(engine, e, "t4");
    EXPECT_FALSE(d.holds);
    EXPECT_EQ(d.source, DecisionSource::kError);
    EXPECT_NE(d.error.find("budget"), std::string::npos) << d.error;
  }
}

// A runaway tag first in the catalog fails at its quarter of the pass; the
// tags after it still get their answers.
TEST(EngineTest, ARunawayTagDoesNotStarveTheTagsAfterIt) {
  json inner = json::array();  // inside `some`, var reads the item: the inner list is in the rule
  for (int i = 0; i < 1000; ++i) inner.push_back(i);
  const std::string catalog = R"({"tagwise": 1, "tags": [
    {"id": "runaway", "name": "r", "when": {"some": [{"var": "items"}, {"some": [)" + inner.dump() +
                              R"(, {"==": [{"var": ""}, -1]}]}]}},
    {"id": "a", "name": "a", "when": {">": [{"reduce": [{"var": "items"}, {"var": "current"}, 0]}, 0]}},
    {"id": "b", "name": "b", "when": {">": [{"reduce": [{"var": "items"}, {"var": "current"}, 0]}, 0]}}]})";
  json items = json::array();
  for (int i = 0; i < 20000; ++i) items.push_back(i);
  EngineOptions options;
  options.max_pass_steps = 200'000;
  Engine engine(Load(catalog.c_str()), options);
  Evaluation e = engine.EvaluateAll(MakeProfile(json{{"items", items}}), {}, kNow);
  const TagDecision& r = Decision(engine, e, "runaway");
  EXPECT_EQ(r.source, DecisionSource::kError);
  EXPECT_NE(r.error.find("50000 steps"), std::string::npos) << r.error;
  EXPECT_TRUE(Decision(engine, e, "a").holds);
  EXPECT_TRUE(Decision(engine, e, "b").holds);
}

}  // namespace
}  // namespace tagwise
