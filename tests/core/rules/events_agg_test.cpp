// The indexed `events` aggregate must equal a brute-force scan of the same
// profile for every window, type and aggregation.
#include <algorithm>
#include <climits>
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "tagwise/rule.h"
#include "test_support.h"

namespace tagwise {
namespace {

using nlohmann::json;

constexpr int64_t kDay = 86'400'000;

using testing::EvaluateOver;

// distinct counts values as JSON tells them apart: the text "1" and the
// number 1 are two values, equal strings and equal numbers one each; events
// without the field (or with null) do not count.
TEST(EventsAggregateTest, DistinctCountsValuesNotTheirText) {
  const int64_t now = 1'763'856'000'000;
  Profile p;
  const json values[] = {"a", "a", "b", "1", 1, 1, 2, true, false, true, json::object(), json::array({1}),
                         "中文", "中文", nullptr};
  int i = 0;
  for (const json& v : values) {
    Event e;
    e.id = "e" + std::to_string(i);
    e.type = "view";
    e.ts = now - 1000 + i++;
    e.props = json{{"sku", v}, {"nested", {{"sku", v}}}};
    ASSERT_TRUE(p.AddEvent(e));
  }
  Event bare;  // no field at all
  bare.id = "bare";
  bare.type = "view";
  bare.ts = now - 5;
  ASSERT_TRUE(p.AddEvent(bare));
  for (const char* field : {"sku", "nested.sku"}) {
    const json rule = {{"events", json::array({{{"type", "view"}, {"agg", "distinct"}, {"field", field}}})}};
    // "a" "b" "1" 1 2 true false {} [1] "中文".
    EXPECT_EQ(EvaluateOver(p, now, rule), json(10)) << field;
  }
}

TEST(EventsAggregateTest, IndexedWindowsMatchABruteForceScan) {
  std::mt19937 rng(7);
  const int64_t now = 1'763'856'000'000;
  const char* types[] = {"view", "cart_add", "order_paid"};
  Profile p;
  std::vector<Event> all;
  for (int i = 0; i < 3000; ++i) {
    Event e;
    e.id = "e" + std::to_string(i);
    e.type = types[rng() % 3];
    e.ts = now - static_cast<int64_t>(rng() % (90 * kDay)) + kDay;  // some in the future
    e.props = json{{"amount", static_cast<int>(rng() % 100)}};
    all.push_back(e);
    ASSERT_TRUE(p.AddEvent(e));  // out of order on purpose: the index must stay sorted
  }
  for (const char* type : types) {
    for (int days : {1, 7, 30, 60}) {
      int64_t lower = now - days * kDay;
      double count = 0, sum = 0;
      for (const Event& e : all) {
        if (e.type == type && e.ts >= lower && e.ts <= now) {
          ++count;
          sum += e.props["amount"].get<double>();
        }
      }
      json rule = {{"cat", json::array({
                               {{"events", json::array({{{"type", type}, {"within", std::to_string(days) + "d"}}})}},
                               "/",
                               {{"events", json::array({{{"type", type}, {"within", std::to_string(days) + "d"},
                                                         {"agg", "sum"}, {"field", "amount"}}})}},
                           })}};
      EXPECT_EQ(EvaluateOver(p, now, rule),
                json(std::to_string(static_cast<int64_t>(count)) + "/" + std::to_string(static_cast<int64_t>(sum))))
          << type << " " << days;
    }
  }
}

// count / exists / first_ts / last_ts without a filter, decay or field are
// answered from the index's bounds without visiting the events
// (CountsWithoutVisiting): the same answers as a scan, and the same steps.
TEST(EventsAggregateTest, CountsFromTheIndexBoundsMatchAScan) {
  std::mt19937 rng(11);
  const int64_t now = 1'763'856'000'000;
  const char* types[] = {"view", "cart_add", "order_paid"};
  Profile p;
  std::vector<Event> all;
  for (int i = 0; i < 2000; ++i) {
    Event e;
    e.id = "e" + std::to_string(i);
    e.type = types[rng() % 3];
    e.ts = now - static_cast<int64_t>(rng() % (40 * kDay)) + (i % 50 == 0 ? kDay : 0);  // some in the future
    all.push_back(e);
    ASSERT_TRUE(p.AddEvent(e));
  }
  for (const json& type : {json("view"), json::array({"view", "order_paid"}), json::array(), json("nothing")}) {
    for (int days : {1, 7, 30, 90}) {
      const int64_t lower = now - days * kDay;
      int64_t count = 0, first = INT64_MAX, last = INT64_MIN;
      for (const Event& e : all) {
        const bool typed = type.is_string() ? e.type == type.get<std::string>()
                                            : type.empty() || std::find(type.begin(), type.end(), e.type) != type.end();
        if (typed && e.ts >= lower && e.ts <= now) {
          ++count;
          first = std::min(first, e.ts);
          last = std::max(last, e.ts);
        }
      }
      json spec = {{"within", std::to_string(days) + "d"}};
      if (!(type.is_array() && type.empty())) spec["type"] = type;
      for (const char* agg : {"count", "exists", "first_ts", "last_ts"}) {
        spec["agg"] = agg;
        const json want = std::string(agg) == "count" ? json(count)
                          : std::string(agg) == "exists" ? json(count > 0)
                          : count == 0 ? json(nullptr)
                          : json(std::string(agg) == "first_ts" ? first : last);
        EXPECT_EQ(EvaluateOver(p, now, {{"events", json::array({spec})}}), want) << spec.dump();
      }
    }
  }
  // The step budget runs out exactly where a visiting aggregate (`where`:
  // true, one step more per event for the filter) would have let it.
  const json counted = {{"events", json::array({{{"type", "view"}}})}};
  int64_t views = 0;
  for (const Event& e : all) views += e.type == "view" && e.ts <= now ? 1 : 0;
  CompileResult rule = CompileRule(counted);
  ASSERT_TRUE(rule.ok());
  for (int64_t budget : {views, views + 1, views + 2}) {
    EvalContext ctx;
    ctx.now = now;
    ctx.profile = &p;
    ctx.options.max_steps = budget;
    Result<json> r = rule.rule->Evaluate(json::object(), ctx);
    // One step for the `events` node, one per event.
    EXPECT_EQ(r.ok(), budget >= views + 1) << budget;
    if (!r.ok()) EXPECT_EQ(r.error().code, ErrorCode::kEvaluationLimit);
  }
}

TEST(EventsAggregateTest, DuplicateEventIdsCountOnce) {
  Profile p;
  Event e{"same", "order_paid", 1000, json::object()};
  EXPECT_TRUE(p.AddEvent(e));
  EXPECT_FALSE(p.AddEvent(e));
  EXPECT_EQ(p.events().size(), 1u);
}

TEST(EventsAggregateTest, ProfileLoadWarnsAndRepairsBadEvents) {
  std::vector<Error> warnings;
  auto p = Profile::FromJson(json::parse(R"({"events": [
      {"id": "a", "type": "view", "ts": 1763856000},
      {"id": "b", "ts": 1763856000000},
      {"id": "c", "type": "view"},
      {"type": "view", "ts": 1763856000001},
      "not an event"]})"),
                              &warnings);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p.value().events().size(), 2u);
  EXPECT_EQ(p.value().events()[0].ts, 1763856000000);  // seconds detected and scaled
  std::vector<std::string> paths;
  for (const Error& w : warnings) paths.push_back(w.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/events/0/ts", "/events/1/type", "/events/2/ts", "/events/3/id", "/events/4"}));
}

TEST(EventsAggregateTest, WhereSeesEventProps) {
  Profile p;
  ASSERT_TRUE(p.AddEvent(Event{"1", "order_paid", 10, json{{"amount", 30}, {"sku", {{"brand", "Steam"}}}}}));
  ASSERT_TRUE(p.AddEvent(Event{"2", "order_paid", 20, json{{"amount", 5}, {"sku", {{"brand", "PSN"}}}}}));
  EXPECT_EQ(EvaluateOver(p, 100, json::parse(
      R"({"events": [{"type": "order_paid", "where": {"==": [{"var": "sku.brand"}, "Steam"]}, "agg": "sum", "field": "amount"}]})")),
            json(30));
}

}  // namespace
}  // namespace tagwise
