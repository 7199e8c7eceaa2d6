// Google Benchmark for the rule language: compile and evaluate measured
// separately. Each benchmark checks its result before timing and skips with an
// error on a mismatch, so a fast wrong answer can never look good.
//
//   build-native/tagwise_bench --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <random>

#include "tagwise/rule.h"
#include "tagwise/rule_batch.h"
#include "tagwise/rule_columns.h"

namespace tagwise {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1'763'856'000'000;
constexpr int64_t kDay = 86'400'000;

const json& SimpleRule() {
  static const json* r = new json(json::parse(R"({">=": [{"var": "orders_30d"}, 5]})"));
  return *r;
}

const json& NestedRule() {  // five levels of and/or/not/comparison
  static const json* r = new json(json::parse(R"(
    {"and": [{"or": [{"!": {"and": [{"<": [{"var": "age"}, 18]}, {"==": [{"var": "region"}, "CN"]}]}},
                     {"in": [{"var": "source"}, ["wechat", "douyin"]]}]},
             {">": [{"+": [{"var": "spend"}, {"*": [{"var": "refunds"}, -1]}]}, 200]}]})"));
  return *r;
}

const json& EventsRule() {
  static const json* r = new json(json::parse(R"(
    {">=": [{"events": [{"type": "order_paid", "within": "30d",
                         "where": {">": [{"var": "amount"}, 20]}}]}, 3]})"));
  return *r;
}

Profile MakeProfile(int n) {
  std::mt19937 rng(42);
  const char* types[] = {"page_view", "cart_add", "order_paid", "login"};
  Profile p;
  for (int i = 0; i < n; ++i) {
    Event e;
    e.id = "e" + std::to_string(i);
    e.type = types[rng() % 4];
    e.ts = kNow - static_cast<int64_t>(rng() % (180 * kDay));
    e.props = json{{"amount", static_cast<int>(rng() % 100)}, {"category", "点卡"}};
    (void)p.AddEvent(std::move(e));
  }
  return p;
}

void BM_Compile_SimpleComparison(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(CompileRule(SimpleRule()));
}
BENCHMARK(BM_Compile_SimpleComparison);

void BM_Compile_Nested5Levels(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(CompileRule(NestedRule()));
}
BENCHMARK(BM_Compile_Nested5Levels);

void BM_Evaluate_SimpleComparison(benchmark::State& state) {
  auto c = CompileRule(SimpleRule());
  json data = {{"orders_30d", 7}};
  if (c.rule->Evaluate(data, EvalContext{}).value() != json(true)) state.SkipWithError("wrong result");
  for (auto _ : state) benchmark::DoNotOptimize(c.rule->Evaluate(data, EvalContext{}));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Evaluate_SimpleComparison);

void BM_Evaluate_Nested5Levels(benchmark::State& state) {
  auto c = CompileRule(NestedRule());
  json data = {{"age", 30}, {"region", "CN"}, {"source", "wechat"}, {"spend", 500}, {"refunds", 20}};
  if (c.rule->Evaluate(data, EvalContext{}).value() != json(true)) state.SkipWithError("wrong result");
  for (auto _ : state) benchmark::DoNotOptimize(c.rule->Evaluate(data, EvalContext{}));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Evaluate_Nested5Levels);

void BM_Evaluate_EventsAggregate(benchmark::State& state) {
  Profile p = MakeProfile(static_cast<int>(state.range(0)));
  auto c = CompileRule(EventsRule());
  EvalContext ctx;
  ctx.now = kNow;
  ctx.profile = &p;
  // Reference: brute-force count of the same condition.
  int expected = 0;
  for (const Event& e : p.events()) {
    if (e.type == "order_paid" && e.ts >= kNow - 30 * kDay && e.ts <= kNow && e.props["amount"].get<int>() > 20) ++expected;
  }
  if (c.rule->Evaluate(json::object(), ctx).value() != json(expected >= 3)) state.SkipWithError("wrong result");
  for (auto _ : state) benchmark::DoNotOptimize(c.rule->Evaluate(json::object(), ctx));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Evaluate_EventsAggregate)->Arg(1000)->Arg(10000);

// A batch like bench/node/rules_vs_peers.mjs's: rules over plain records of
// mixed fields, evaluated from JSON text (RuleBatch) and from cells
// (ColumnRules, the records encoded before timing, as Node's JS does).
const json& BatchRules() {
  static const json* r = new json(json::parse(R"([
    {">=": [{"var": "age"}, 18]},
    {"and": [{">": [{"var": "spend"}, 1000]}, {"<": [{"var": "days"}, 30]}]},
    {"in": [{"var": "city"}, ["上海", "北京", "深圳", "广州"]]},
    {"==": [{"var": "gender"}, "女"]},
    {"or": [{"var": "vip"}, {">=": [{"var": "orders"}, 10]}]},
    {"<": [18, {"var": "age"}, 35]},
    {"*": [{"var": "spend"}, 0.05]},
    {"if": [{">": [{"var": "spend"}, 5000]}, "钻石", {">": [{"var": "spend"}, 1000]}, "黄金", "普通"]},
    {"in": ["游戏", {"var": "tags"}]},
    {"var": "profile.segment"},
    {"some": [{"var": "tags"}, {"in": [{"var": ""}, ["游戏", "数码"]]}]},
    {"cat": [{"var": "city"}, "·", {"var": "level"}]},
    {"substr": [{"var": "city"}, 0, 1]},
    {"max": [{"var": "orders"}, 3]},
    {"!": [{"var": "email"}]}
  ])"));
  return *r;
}

json BatchRecords(int n) {
  std::mt19937 rng(7);
  const char* cities[] = {"上海", "北京", "深圳", "杭州", "Singapore"};
  const char* tags[] = {"游戏", "图书", "数码", "美妆"};
  const char* levels[] = {"青铜", "白银", "黄金"};
  json out = json::array();
  for (int i = 0; i < n; ++i) {
    json r = {{"id", "u" + std::to_string(i)}, {"age", 14 + static_cast<int>(rng() % 56)},
              {"gender", rng() % 2 ? "女" : "男"}, {"city", cities[rng() % 5]}, {"vip", rng() % 10 == 0},
              {"orders", static_cast<int>(rng() % 40)}, {"spend", static_cast<double>(rng() % 800000) / 100},
              {"days", static_cast<int>(rng() % 400)}, {"level", levels[rng() % 3]},
              {"profile", {{"segment", rng() % 2 ? "活跃" : "沉睡"}, {"score", static_cast<double>(rng() % 1000) / 1000}}}};
    json t = json::array();
    for (const char* tag : tags) {
      if (rng() % 3 == 0) t.push_back(tag);
    }
    r["tags"] = t;
    if (rng() % 2) r["email"] = "u" + std::to_string(i) + "@example.com";
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::shared_ptr<const Rule>> CompileAll(const json& rules) {
  std::vector<std::shared_ptr<const Rule>> out;
  for (const json& r : rules) out.push_back(CompileRule(r).rule);
  return out;
}

bool SameColumns(const RuleBatch& a, const RuleBatch& b) {
  if (a.kinds() != b.kinds()) return false;
  for (size_t i = 0; i < a.nums().size(); ++i) {
    if (a.kinds()[i] == kKindNumber && a.nums()[i] != b.nums()[i]) return false;
  }
  return json::parse(a.table()) == json::parse(b.table());
}

void BM_Batch_JsonText(benchmark::State& state) {
  const auto rules = CompileAll(BatchRules());
  const std::string text = BatchRecords(static_cast<int>(state.range(0))).dump();
  RuleBatch batch;
  for (auto _ : state) batch.Evaluate(rules, text, kNow, "", 0);
  state.SetItemsProcessed(state.iterations() * state.range(0) * static_cast<int64_t>(rules.size()));
}
BENCHMARK(BM_Batch_JsonText)->Arg(1000);

void BM_Batch_Columns(benchmark::State& state) {
  const auto rules = CompileAll(BatchRules());
  const json records = BatchRecords(static_cast<int>(state.range(0)));
  auto columns = ColumnRules::Build(rules);
  if (columns == nullptr) return state.SkipWithError("no column form");
  ColumnRecords cells;
  cells.Encode(*columns, records);
  RuleBatch expected, batch;
  ColumnScratch scratch;
  expected.Evaluate(rules, records.dump(), kNow, "", 0);
  columns->Evaluate(cells.input(), kNow, 0, &batch, &scratch);
  if (!SameColumns(expected, batch)) return state.SkipWithError("columns differ from the JSON path");
  for (auto _ : state) columns->Evaluate(cells.input(), kNow, 0, &batch, &scratch);
  state.SetItemsProcessed(state.iterations() * state.range(0) * static_cast<int64_t>(rules.size()));
}
BENCHMARK(BM_Batch_Columns)->Arg(1000);

}  // namespace
}  // namespace tagwise
