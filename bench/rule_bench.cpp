// Google Benchmark for the rule language: compile and evaluate measured
// separately. Each benchmark checks its result before timing and skips with an
// error on a mismatch, so a fast wrong answer can never look good.
//
//   build-native/tagwise_bench --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <random>

#include "tagwise/rule.h"

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

}  // namespace
}  // namespace tagwise
