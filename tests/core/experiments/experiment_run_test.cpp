// RunExperiment follows GrowthBook's runExperiment steps; CompileExperiment
// refuses bad definitions with paths. The differential test against the real
// GrowthBook package is tests/js/experiments_growthbook.test.mjs.
#include "tagwise/experiment_run.h"

#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tagwise {
namespace {

using nlohmann::json;

std::shared_ptr<const ExperimentDef> Compile(const json& j, const std::vector<std::string>* tags = nullptr) {
  ExperimentCompileOptions o;
  o.known_tags = tags;
  ExperimentCompileResult r = CompileExperiment(j, o);
  EXPECT_TRUE(r.ok()) << FormatIssues(r.issues);
  return r.def;
}

// The first error's path and whether its message contains `needle`.
std::string FirstErrorPath(const json& j, const std::string& needle = "") {
  ExperimentCompileResult r = CompileExperiment(j);
  EXPECT_FALSE(r.ok()) << j.dump();
  if (r.issues.empty()) return "<none>";
  if (!needle.empty()) EXPECT_NE(r.issues[0].message.find(needle), std::string::npos) << r.issues[0].message;
  return r.issues[0].path;
}

class HoldsTags : public TagResolver {
 public:
  explicit HoldsTags(std::set<std::string> held) : held_(std::move(held)) {}
  bool HasTag(std::string_view id) const override { return held_.count(std::string(id)) > 0; }
  json TagValue(std::string_view id) const override { return HasTag(id) ? json(true) : json(nullptr); }

 private:
  std::set<std::string> held_;
};

ExperimentResult RunFor(const ExperimentDef& def, const json& attrs, const Ledger* ledger = nullptr) {
  ExperimentRunContext ctx;
  ctx.attributes = &attrs;
  ctx.ledger = ledger;
  return RunExperiment(def, ctx);
}

TEST(ExperimentRunTest, BadDefinitionsAreErrorsWithPaths) {
  const json base = {{"key", "checkout"}, {"variations", {"a", "b"}}};
  auto with = [&](const char* k, json v) {
    json j = base;
    j[k] = std::move(v);
    return j;
  };
  EXPECT_EQ(FirstErrorPath(with("weights", {0.6, 0.5}), "add up to 1.1"), "/weights");
  EXPECT_EQ(FirstErrorPath(with("weights", {1.0}), "1 weights for 2 variations"), "/weights");
  EXPECT_EQ(FirstErrorPath(with("weights", {0.5, "x"})), "/weights/1");
  EXPECT_EQ(FirstErrorPath(with("coverage", 1.5), "from 0 to 1"), "/coverage");
  EXPECT_EQ(FirstErrorPath(with("coverage", -0.1)), "/coverage");
  EXPECT_EQ(FirstErrorPath(with("variations", json::array()), "at least 2 variations"), "/variations");
  EXPECT_EQ(FirstErrorPath(with("variations", {"only"})), "/variations");
  EXPECT_EQ(FirstErrorPath(with("hashVersion", 3)), "/hashVersion");
  EXPECT_EQ(FirstErrorPath(with("force", 2)), "/force");
  EXPECT_EQ(FirstErrorPath(with("namespace", {"ns", 0.5, 0.2})), "/namespace/2");
  EXPECT_EQ(FirstErrorPath(with("status", "paused")), "/status");
  EXPECT_EQ(FirstErrorPath(with("purpose", "ads")), "/purpose");
  EXPECT_EQ(FirstErrorPath(with("wieghts", {0.5, 0.5}), "did you mean \"weights\""), "/wieghts");
  EXPECT_EQ(FirstErrorPath(with("filters", json::array()), "not supported"), "/filters");
  EXPECT_EQ(FirstErrorPath(json::array()), "");
  EXPECT_EQ(FirstErrorPath(json{{"variations", {1, 2}}}, "\"key\""), "/key");
  const std::vector<std::string> tags = {"vip"};
  ExperimentCompileOptions o;
  o.known_tags = &tags;
  ExperimentCompileResult r = CompileExperiment(with("rule", {{"tag", {"viip"}}}), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.issues[0].code, ErrorCode::kUnknownTag);
  EXPECT_EQ(r.issues[0].path.rfind("/rule", 0), 0u) << r.issues[0].path;
  r = CompileExperiment(with("condition", {{"age", {{"$gtt", 3}}}}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.issues[0].path.rfind("/condition/age", 0), 0u) << r.issues[0].path;
  // Every problem is listed, not just the first.
  r = CompileExperiment(json{{"key", ""}, {"variations", {1}}, {"coverage", 2}});
  EXPECT_EQ(r.issues.size(), 3u) << FormatIssues(r.issues);
}

TEST(ExperimentRunTest, AssignsAsGrowthBookBuckets) {
  auto def = Compile({{"key", "checkout"}, {"variations", {"a", "b", "c"}}, {"weights", {0.2, 0.3, 0.5}},
                      {"coverage", 0.8}, {"hashVersion", 2}});
  const std::vector<BucketRange> ranges = BucketRanges(3, 0.8, std::vector<double>{0.2, 0.3, 0.5});
  int in = 0;
  for (int i = 0; i < 500; ++i) {
    const std::string id = (i % 2 ? "用户" : "user-") + std::to_string(i);
    const ExperimentResult r = RunFor(*def, json{{"id", id}});
    const double n = *ExperimentHash("checkout", id, 2);
    const int want = ChooseVariation(n, ranges);
    EXPECT_EQ(r.in_experiment, want >= 0) << id;
    EXPECT_EQ(r.variation_id, want < 0 ? 0 : want) << id;
    EXPECT_EQ(r.value, def->variations[static_cast<size_t>(r.variation_id)]);
    EXPECT_EQ(r.hash_used, want >= 0);
    EXPECT_EQ(r.reason, want >= 0 ? "assigned" : "coverage");
    EXPECT_EQ(r.new_assignment.has_value(), want >= 0);
    in += want >= 0;
  }
  EXPECT_GT(in, 350);  // 80 % coverage of 500
  EXPECT_LT(in, 450);
}

TEST(ExperimentRunTest, SeedHashAttributeAndNamespace) {
  auto def = Compile({{"key", "k"}, {"seed", "s1"}, {"hashAttribute", "device"}, {"variations", {0, 1}},
                      {"namespace", {"pricing", 0, 0.5}}});
  const ExperimentResult missing = RunFor(*def, json{{"id", "u1"}});
  EXPECT_FALSE(missing.in_experiment);
  EXPECT_EQ(missing.reason, "no_hash_attribute");
  for (int i = 0; i < 200; ++i) {
    const std::string device = "d" + std::to_string(i);
    const ExperimentResult r = RunFor(*def, json{{"device", device}});
    if (!InNamespace(device, "pricing", 0, 0.5)) {
      EXPECT_EQ(r.reason, "namespace");
      continue;
    }
    EXPECT_EQ(r.variation_id, ChooseVariation(*ExperimentHash("s1", device, 1), BucketRanges(2, 1, {})));
    EXPECT_EQ(r.hash_attribute, "device");
  }
  // A number is hashed as JavaScript's String(n).
  auto by_number = Compile({{"key", "k"}, {"variations", {0, 1}}, {"hashAttribute", "n"}});
  EXPECT_EQ(RunFor(*by_number, json{{"n", 42}}).variation_id,
            ChooseVariation(*ExperimentHash("k", "42", 1), BucketRanges(2, 1, {})));
  EXPECT_EQ(RunFor(*by_number, json{{"n", 0}}).reason, "no_hash_attribute");  // falsy, as in GrowthBook
}

TEST(ExperimentRunTest, OverridesAndStates) {
  auto def = Compile({{"key", "k"}, {"variations", {"a", "b", "c"}}});
  const json attrs = {{"id", "u1"}};
  ExperimentRunContext ctx;
  ctx.attributes = &attrs;
  ctx.forced_variations["k"] = 2;
  ExperimentResult r = RunExperiment(*def, ctx);
  EXPECT_TRUE(r.in_experiment);
  EXPECT_EQ(r.variation_id, 2);
  EXPECT_FALSE(r.hash_used);
  EXPECT_EQ(r.reason, "forced");
  EXPECT_FALSE(r.new_assignment);  // forced users are not exposed

  ctx.forced_variations.clear();
  ctx.url = "https://shop.example/p/1?utm=x&k=1#top";
  EXPECT_EQ(RunExperiment(*def, ctx).variation_id, 1);
  EXPECT_EQ(RunExperiment(*def, ctx).reason, "querystring");
  ctx.url = "https://shop.example/?k=9";  // out of range: ignored
  EXPECT_EQ(RunExperiment(*def, ctx).reason, "assigned");

  ctx.url.clear();
  ctx.qa_mode = true;
  EXPECT_EQ(RunExperiment(*def, ctx).reason, "qa_mode");
  ctx.qa_mode = false;
  ctx.enabled = false;
  EXPECT_EQ(RunExperiment(*def, ctx).reason, "disabled");
  ctx.enabled = true;

  auto inactive = Compile({{"key", "k"}, {"variations", {"a", "b"}}, {"active", false}});
  EXPECT_EQ(RunExperiment(*inactive, ctx).reason, "inactive");
  auto stopped = Compile({{"key", "k"}, {"variations", {"a", "b"}}, {"status", "stopped"}});
  EXPECT_EQ(RunExperiment(*stopped, ctx).reason, "stopped");
  auto forced = Compile({{"key", "k"}, {"variations", {"a", "b"}}, {"force", 1}});
  r = RunExperiment(*forced, ctx);
  EXPECT_EQ(r.variation_id, 1);
  EXPECT_EQ(r.reason, "force");
  EXPECT_FALSE(r.hash_used);

  const std::set<std::string> no_analytics = {"necessary", "personalization"};
  ctx.purposes = &no_analytics;
  r = RunExperiment(*def, ctx);
  EXPECT_FALSE(r.in_experiment);
  EXPECT_EQ(r.reason, "consent");
  EXPECT_EQ(r.value, "a");  // the control's value
}

TEST(ExperimentRunTest, TargetingByRuleTagsAndCondition) {
  const std::vector<std::string> tags = {"vip", "new_user"};
  auto def = Compile({{"key", "k"},
                      {"variations", {0, 1}},
                      {"rule", {{"and", {{{"tag", {"vip"}}}, {{">=", {{{"var", "age"}}, 18}}}}}}},
                      {"condition", {{"country", {{"$in", {"CN", "US"}}}}}}},
                     &tags);
  ASSERT_TRUE(def);
  HoldsTags vip({"vip"}), none({});
  auto run = [&](const TagResolver& t, const json& attrs) {
    ExperimentRunContext ctx;
    ctx.attributes = &attrs;
    ctx.eval.tags = &t;
    return RunExperiment(*def, ctx);
  };
  EXPECT_EQ(run(vip, json{{"id", "u"}, {"age", 30}, {"country", "CN"}}).reason, "assigned");
  EXPECT_EQ(run(none, json{{"id", "u"}, {"age", 30}, {"country", "CN"}}).reason, "rule");
  EXPECT_EQ(run(vip, json{{"id", "u"}, {"age", 12}, {"country", "CN"}}).reason, "rule");
  EXPECT_EQ(run(vip, json{{"id", "u"}, {"age", 30}, {"country", "DE"}}).reason, "condition");

  auto throws = Compile({{"key", "k"}, {"variations", {0, 1}}, {"rule", {{"throw", "boom"}}}});
  const ExperimentResult e = RunFor(*throws, json{{"id", "u"}});
  EXPECT_EQ(e.reason, "rule_error");
  EXPECT_FALSE(e.in_experiment);
}

TEST(ExperimentRunTest, StickyAssignmentSurvivesChangedWeights) {
  auto before = Compile({{"key", "k"}, {"variations", {"a", "b"}}, {"weights", {0.5, 0.5}}});
  auto after = Compile({{"key", "k"}, {"variations", {"a", "b"}}, {"weights", {0.99, 0.01}}});
  Ledger ledger;
  int moved_without_sticky = 0;
  for (int i = 0; i < 200; ++i) {
    const json attrs = {{"id", "u" + std::to_string(i)}};
    const ExperimentResult first = RunFor(*before, attrs, &ledger);
    ASSERT_TRUE(first.new_assignment);
    ASSERT_TRUE(ledger.SetAssignment(*first.new_assignment));
    const ExperimentResult again = RunFor(*after, attrs, &ledger);
    EXPECT_EQ(again.variation_id, first.variation_id);
    EXPECT_TRUE(again.sticky_bucket_used);
    EXPECT_EQ(again.reason, "sticky");
    EXPECT_FALSE(again.new_assignment);  // exposed once
    moved_without_sticky += RunFor(*after, attrs).variation_id != first.variation_id;
  }
  EXPECT_GT(moved_without_sticky, 50);  // the sticky ledger is what kept them
  // A new bucket version re-randomises.
  auto v1 = Compile({{"key", "k"}, {"variations", {"a", "b"}}, {"bucketVersion", 1}});
  EXPECT_TRUE(RunFor(*v1, json{{"id", "u1"}}, &ledger).new_assignment);
  // Sticky bucketing off: the assignment still marks the exposure.
  auto off = Compile({{"key", "k"}, {"variations", {"a", "b"}}, {"weights", {0.01, 0.99}}, {"disableStickyBucketing", true}});
  const ExperimentResult r = RunFor(*off, json{{"id", "u1"}}, &ledger);
  EXPECT_FALSE(r.sticky_bucket_used);
  EXPECT_FALSE(r.new_assignment);
}

TEST(ExperimentRunTest, ResultJsonHasGrowthBookFields) {
  auto def = Compile({{"key", "k"}, {"variations", {{{"color", "红"}}, {{"color", "蓝"}}}},
                      {"meta", {{{"key", "control"}, {"name", "对照组"}}, {{"key", "blue"}}}}});
  const json j = ExperimentResultToJson(RunFor(*def, json{{"id", "用户1"}}));
  for (const char* k : {"inExperiment", "variationId", "value", "hashUsed", "key", "hashAttribute", "hashValue",
                        "stickyBucketUsed", "reason", "bucket", "exposure"}) {
    EXPECT_TRUE(j.contains(k)) << k;
  }
  EXPECT_EQ(j["hashValue"], "用户1");
  EXPECT_TRUE(j["key"] == "control" || j["key"] == "blue");
}

}  // namespace
}  // namespace tagwise
