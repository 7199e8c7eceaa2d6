// Google Benchmark: recommendations from hints built on a real shop's log.
//
// Builds hints from ../shared/data/online-retail/interactions.csv (266,221
// first purchases; baskets = same user and time), encodes them, and times:
//   BM_Hints_Build            the builder over the whole log
//   BM_Hints_Decode           loading the binary file (what a page does once)
//   BM_Recommend_Top10_50Events  top-10 for a visitor whose profile holds 50
//                             item events (the 50 most recent purchases of a
//                             real customer with a long history), cycling
//                             through 64 such customers
//   BM_Recommend_Top10_Cold   top-10 with no events (the fallback chain)
// Before timing, the decoded hints must equal the built ones (same JSON form)
// and a warm customer's list must be personal, else SkipWithError.
//
//   bash tools/build.sh native && build-native/tagwise_recommend_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tagwise/hints.h"
#include "tagwise/recommend.h"

#ifndef TAGWISE_SOURCE_DIR
#define TAGWISE_SOURCE_DIR "."
#endif

namespace tagwise {
namespace {

struct Purchase {
  std::string user;
  std::string item;
  int64_t ts_ms = 0;
};

std::vector<Purchase> ReadInteractions() {
  std::ifstream in(TAGWISE_SOURCE_DIR "/../shared/data/online-retail/interactions.csv");
  std::vector<Purchase> out;
  std::string line;
  std::getline(in, line);  // header: user_id,item_id,ts,row
  while (std::getline(in, line)) {
    std::stringstream s(line);
    Purchase p;
    std::string ts;
    std::getline(s, p.user, ',');
    std::getline(s, p.item, ',');
    std::getline(s, ts, ',');
    p.ts_ms = std::stoll(ts) * 1000;
    out.push_back(std::move(p));
  }
  return out;
}

struct Fixture {
  std::vector<Purchase> log;
  std::string file;
  Hints hints;
  std::vector<std::vector<Purchase>> profiles;  // 50 most recent purchases each
  std::string error;
};

Result<Hints> Build(const std::vector<Purchase>& log) {
  HintBuilder builder({});
  for (const Purchase& p : log) builder.AddInteraction(p.user, p.item, p.ts_ms, "");
  return builder.Build();
}

const Fixture& Data() {
  static const Fixture* fixture = [] {
    auto* f = new Fixture;
    f->log = ReadInteractions();
    if (f->log.empty()) {
      f->error = "cannot read ../shared/data/online-retail/interactions.csv";
      return f;
    }
    Result<Hints> built = Build(f->log);
    if (!built.ok()) {
      f->error = built.error().message;
      return f;
    }
    f->file = EncodeHints(built.value());
    Result<Hints> decoded = DecodeHints(f->file);
    if (!decoded.ok() || HintsToJson(decoded.value()) != HintsToJson(built.value())) {
      f->error = "decoded hints differ from the built ones";
      return f;
    }
    f->hints = std::move(decoded).value();
    std::map<std::string, std::vector<Purchase>> by_user;
    for (const Purchase& p : f->log) by_user[p.user].push_back(p);
    for (auto& [user, list] : by_user) {
      if (list.size() < 50) continue;
      f->profiles.emplace_back(list.end() - 50, list.end());
      if (f->profiles.size() == 64) break;
    }
    return f;
  }();
  return *fixture;
}

std::vector<ItemEvent> Events(const std::vector<Purchase>& list) {
  std::vector<ItemEvent> out;
  for (const Purchase& p : list) out.push_back({p.item, "purchase", p.ts_ms});
  return out;
}

void BM_Hints_Build(benchmark::State& state) {
  const Fixture& f = Data();
  if (!f.error.empty()) return state.SkipWithError(f.error.c_str());
  for (auto _ : state) benchmark::DoNotOptimize(Build(f.log));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(f.log.size()));
}
BENCHMARK(BM_Hints_Build)->Unit(benchmark::kMillisecond);

void BM_Hints_Decode(benchmark::State& state) {
  const Fixture& f = Data();
  if (!f.error.empty()) return state.SkipWithError(f.error.c_str());
  for (auto _ : state) benchmark::DoNotOptimize(DecodeHints(f.file));
  state.counters["file_bytes"] = static_cast<double>(f.file.size());
}
BENCHMARK(BM_Hints_Decode)->Unit(benchmark::kMillisecond);

void BM_Recommend_Top10_50Events(benchmark::State& state) {
  const Fixture& f = Data();
  if (!f.error.empty()) return state.SkipWithError(f.error.c_str());
  std::vector<std::vector<ItemEvent>> histories;
  for (const auto& p : f.profiles) histories.push_back(Events(p));
  RecommendRequest req;
  req.k = 10;
  RecommendResult check = Recommend(f.hints, histories.front(), req);
  if (check.items.size() != 10 || check.source != "personal") return state.SkipWithError("expected a personal top-10");
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(Recommend(f.hints, histories[i], req));
    i = (i + 1) % histories.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Recommend_Top10_50Events)->Unit(benchmark::kMicrosecond);

void BM_Recommend_Top10_Cold(benchmark::State& state) {
  const Fixture& f = Data();
  if (!f.error.empty()) return state.SkipWithError(f.error.c_str());
  RecommendRequest req;
  req.k = 10;
  for (auto _ : state) benchmark::DoNotOptimize(Recommend(f.hints, {}, req));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Recommend_Top10_Cold)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tagwise
