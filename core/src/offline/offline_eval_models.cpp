// The models of the offline evaluation -- the README's baselines, defined
// exactly so that their hit counts match the reference script, and the
// tagwise scorer on hints built from the same training data -- and the
// per-bucket HR@k / NDCG@k.
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "offline/offline_eval_internal.h"

namespace tagwise::internal {

namespace {

// 1-based position of the first entry of `top` that `same` accepts, 0 when none does.
template <typename List, typename Same>
size_t RankIn(const List& top, Same same) {
  for (size_t i = 0; i < top.size(); ++i)
    if (same(top[i])) return i + 1;
  return 0;
}

std::vector<uint32_t> ItemsOf(const Dataset& data, std::span<const uint32_t> interactions) {
  std::vector<uint32_t> out;
  out.reserve(interactions.size());
  for (uint32_t i : interactions) out.push_back(data.interactions[i].item);
  return out;
}

// The distinct training items of every user (interactions are already distinct).
std::vector<std::vector<uint32_t>> UserItemSets(const Dataset& data, const Split& split) {
  std::vector<std::vector<uint32_t>> sets(data.users.size());
  for (uint32_t i : split.train) sets[data.interactions[i].user].push_back(data.interactions[i].item);
  return sets;
}

// Items by (count desc, pop desc, id asc).
std::vector<uint32_t> OrderBy(const std::vector<uint32_t>& count, const std::vector<uint32_t>& pop) {
  std::vector<uint32_t> order(count.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (count[a] != count[b]) return count[a] > count[b];
    if (pop[a] != pop[b]) return pop[a] > pop[b];
    return a < b;
  });
  return order;
}

}  // namespace

double NdcgOfRank(size_t rank) { return rank == 0 ? 0.0 : 1.0 / std::log2(static_cast<double>(rank) + 1.0); }

void BucketTally::Add(size_t rank) {
  ++users_;
  if (rank == 0) return;
  ++hits_;
  ndcg_sum_ += NdcgOfRank(rank);
}

BucketMetrics BucketTally::Finish() const {
  BucketMetrics m;
  m.bucket = bucket_;
  m.users = users_;
  m.hits = hits_;
  if (users_ > 0) {
    m.hr = static_cast<double>(hits_) / static_cast<double>(users_);
    m.ndcg = ndcg_sum_ / static_cast<double>(users_);
  }
  return m;
}

ModelMetrics EvaluateModel(const Split& split, std::string model, HistoryView view, const RankTarget& rank) {
  std::vector<BucketTally> tallies;
  if (view == HistoryView::kFull) {
    for (const char* name : {"all", "cold<=3", "hist=0", "hist=1", "hist=2", "hist=3", "warm>3"})
      tallies.emplace_back(name);
    for (const TestCase& c : split.cases) {
      const size_t r = rank(c, c.history);
      const size_t n = c.history.size();
      tallies[0].Add(r);
      if (n <= kColdMaxHistory) {
        tallies[1].Add(r);
        tallies[2 + n].Add(r);
      } else {
        tallies[6].Add(r);
      }
    }
  } else {
    for (size_t v = 1; v <= kMaxVisible; ++v) {
      tallies.emplace_back("visible=" + std::to_string(v));
      for (const TestCase& c : split.cases) {
        if (c.history.size() < v) continue;
        tallies.back().Add(rank(c, std::span<const uint32_t>(c.history).last(v)));
      }
    }
  }
  ModelMetrics out;
  out.model = std::move(model);
  for (const BucketTally& t : tallies) out.buckets.push_back(t.Finish());
  return out;
}

Baselines::Baselines(const Dataset& data, const Split& split, size_t k)
    : data_(data),
      k_(k),
      pop_(data.items.size(), 0),
      country_buyers_(data.countries.size()),
      country_order_(data.countries.size()),
      mark_(data.items.size(), 0),
      score_(data.items.size(), 0.0) {
  for (uint32_t i : split.train) {
    const Interaction& x = data.interactions[i];
    ++pop_[x.item];
    auto& buyers = country_buyers_[data.user_country[x.user]];
    if (buyers.empty()) buyers.assign(data.items.size(), 0);
    ++buyers[x.item];
  }
  pop_order_ = OrderBy(pop_, pop_);
  // The README's item-kNN: cosine (alpha 0.5), top 50, any co-occurrence.
  neighbours_ = TopCooccurring(UserItemSets(data, split), data.items.size(), pop_, 50, 1, 0.5);
}

void Baselines::MarkVisible(std::span<const uint32_t> visible) {
  if (++stamp_ == 0) {  // wrapped: clear the stale marks once
    std::fill(mark_.begin(), mark_.end(), 0);
    stamp_ = 1;
  }
  for (uint32_t item : visible) mark_[item] = stamp_;
}

void Baselines::FillFrom(const std::vector<uint32_t>& order, std::vector<uint32_t>* top) {
  for (size_t p = 0; p < order.size() && top->size() < k_; ++p) {
    if (Marked(order[p])) continue;
    mark_[order[p]] = stamp_;
    top->push_back(order[p]);
  }
}

std::vector<uint32_t> Baselines::Popularity(std::span<const uint32_t> visible) {
  MarkVisible(visible);
  std::vector<uint32_t> top;
  FillFrom(pop_order_, &top);
  return top;
}

std::vector<uint32_t> Baselines::ItemKnn(std::span<const uint32_t> visible) {
  MarkVisible(visible);
  // Summed in the history's chronological order, like the reference.
  for (uint32_t h : visible) {
    for (const CoLink& link : neighbours_[h]) {
      if (Marked(link.item)) continue;
      if (score_[link.item] == 0) scored_.push_back(link.item);
      score_[link.item] += link.score;
    }
  }
  const auto better = [&](uint32_t a, uint32_t b) {
    if (score_[a] != score_[b]) return score_[a] > score_[b];
    if (pop_[a] != pop_[b]) return pop_[a] > pop_[b];
    return a < b;
  };
  const size_t keep = std::min(k_, scored_.size());
  std::partial_sort(scored_.begin(), scored_.begin() + static_cast<std::ptrdiff_t>(keep), scored_.end(), better);
  std::vector<uint32_t> top(scored_.begin(), scored_.begin() + static_cast<std::ptrdiff_t>(keep));
  for (uint32_t item : scored_) score_[item] = 0;
  scored_.clear();
  for (uint32_t item : top) mark_[item] = stamp_;
  FillFrom(pop_order_, &top);
  return top;
}

const std::vector<uint32_t>& Baselines::CountryOrder(uint32_t country) {
  std::vector<uint32_t>& order = country_order_[country];
  if (order.empty()) {
    const std::vector<uint32_t>& buyers = country_buyers_[country];
    order = buyers.empty() ? pop_order_ : OrderBy(buyers, pop_);
  }
  return order;
}

std::vector<uint32_t> Baselines::CountryPopularity(uint32_t user, std::span<const uint32_t> visible) {
  const std::vector<uint32_t>& order = CountryOrder(data_.user_country[user]);
  MarkVisible(visible);
  std::vector<uint32_t> top;
  FillFrom(order, &top);
  return top;
}

std::vector<ModelMetrics> EvaluateBaselines(const Dataset& data, const Split& split, Baselines& models,
                                            HistoryView view) {
  std::vector<uint32_t> items;
  // Each model sees the visible history as item indexes.
  const auto evaluate = [&](std::string name, auto top_of) {
    return EvaluateModel(split, std::move(name), view, [&](const TestCase& c, std::span<const uint32_t> visible) {
      items = ItemsOf(data, visible);
      return RankIn(top_of(c, items), [&](uint32_t item) { return item == c.target; });
    });
  };
  std::vector<ModelMetrics> out;
  out.push_back(evaluate("popularity", [&](const TestCase&, std::span<const uint32_t> v) {
    return models.Popularity(v);
  }));
  out.push_back(evaluate("item-knn", [&](const TestCase&, std::span<const uint32_t> v) { return models.ItemKnn(v); }));
  out.push_back(evaluate("country-popularity", [&](const TestCase& c, std::span<const uint32_t> v) {
    return models.CountryPopularity(c.user, v);
  }));
  return out;
}

Result<Hints> BuildSplitHints(const Dataset& data, const Split& split, HintBuildOptions options) {
  options.segments = {HintSegmentField{"country", "props.country"}};
  HintBuilder builder(std::move(options));
  std::pair<std::string, std::string> segment[1] = {{"country", ""}};
  for (uint32_t i : split.train) {
    const Interaction& x = data.interactions[i];
    segment[0].second = data.countries[data.user_country[x.user]];
    builder.AddInteraction(data.users[x.user], data.items[x.item], x.ts * 1000, data.invoices[x.invoice], segment);
  }
  auto built = builder.Build();
  if (!built.ok()) return built.error();
  // Through the file format, so the evaluation measures what ships.
  return DecodeHints(EncodeHints(built.value()));
}

std::vector<ModelMetrics> EvaluateTagwise(const Dataset& data, const Split& split, const Hints& hints,
                                          std::span<const RecommendParams> params, size_t k, HistoryView view) {
  std::vector<ItemEvent> events;
  RecommendRequest request;
  request.k = k;
  request.segments = {{"country", ""}};
  std::vector<ModelMetrics> out;
  for (const RecommendParams& p : params) {
    out.push_back(EvaluateModel(split, "tagwise", view, [&](const TestCase& c, std::span<const uint32_t> visible) {
      events.clear();
      for (uint32_t i : visible) {
        const Interaction& x = data.interactions[i];
        events.push_back(ItemEvent{data.items[x.item], "purchase", x.ts * 1000});
      }
      request.segments[0].second = data.countries[data.user_country[c.user]];
      const RecommendResult result = Recommend(hints, events, request, p);
      const std::string& target = data.items[c.target];
      const size_t rank = RankIn(result.items, [&](const Recommendation& r) { return r.item == target; });
      return rank <= k ? rank : 0;
    }));
  }
  return out;
}

}  // namespace tagwise::internal
