// The recommendation scorer; the model is described in recommend.h.
//
// Shape of one call: resolve the visitor's events and context to item
// indexes with weights (the "seeds"), spread each seed's weight over its
// neighbour and together links into a dense score array, rank the touched
// items, then fill what is left from the fallback chain. Work is proportional
// to the links of the seeds (at most max_baskets baskets), not to the
// catalogue, apart from one dense array per call.
#include "tagwise/recommend.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace tagwise {
namespace {

struct Seed {
  uint32_t item = 0;
  double weight = 0;
  bool context = false;  // page/cart item rather than history
};

// The strongest single contribution to a candidate's score, for its reason.
struct Contribution {
  double value = 0;
  uint32_t seed = 0;
  bool together = false;
  bool context = false;
};

struct Candidate {
  uint32_t item = 0;
  double score = 0;
  int stage = 0;  // 0 personal, 1 segment, 2 trending, 3 popular
  size_t segment = 0;
};

constexpr int kPersonal = 0;
constexpr int kSegment = 1;
constexpr int kTrending = 2;
constexpr int kPopular = 3;

// Everything a call needs besides the inputs; one allocation per array.
class Scorer {
 public:
  Scorer(const Hints& hints, const RecommendRequest& request, const RecommendParams& params)
      : hints_(hints), request_(request), params_(params), blocked_(hints.items.size(), 0) {}

  RecommendResult Run(std::span<const ItemEvent> history) {
    BlockRequestedItems();
    if (request_.personal) {
      CollectHistorySeeds(history);
      CollectContextSeeds();
    } else {
      // Without consent the visitor's items are not read at all; the page's
      // own context items still must not be recommended to themselves.
      for (const std::string& id : request_.context_items) Block(id);
    }
    return Select(RankPersonal());
  }

 private:
  void Block(std::string_view id) {
    if (auto i = hints_.Find(id)) blocked_[*i] = 1;
  }

  // Out-of-stock items are checked where candidates are offered, not marked
  // here: a pass over every item would cost more than the rest of the call.
  void BlockRequestedItems() {
    for (const std::string& id : request_.exclude) Block(id);
  }

  bool IsPurchaseType(std::string_view type) const {
    return std::find(params_.purchase_types.begin(), params_.purchase_types.end(), type) !=
           params_.purchase_types.end();
  }

  double TypeWeight(std::string_view type) const {
    auto it = params_.type_weights.find(type);
    return it == params_.type_weights.end() ? 0 : it->second;
  }

  // Newest first; events with the same ts form one basket. A repeated item
  // keeps its strongest weight: viewing a card five times is one interest.
  void CollectHistorySeeds(std::span<const ItemEvent> history) {
    std::vector<uint32_t> order(history.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return history[a].ts > history[b].ts; });
    size_t basket = 0;
    std::optional<int64_t> basket_ts;
    double decay = 1;
    for (uint32_t idx : order) {
      const ItemEvent& e = history[idx];
      std::optional<uint32_t> item = hints_.Find(e.item);
      if (!item) {
        ++unknown_items_;
        continue;
      }
      if (request_.exclude_purchased && IsPurchaseType(e.type)) blocked_[*item] = 1;
      if (!basket_ts || e.ts != *basket_ts) {
        if (basket_ts) {
          ++basket;
          decay *= params_.recency_decay;
        }
        basket_ts = e.ts;
      }
      if (basket >= params_.max_baskets) continue;  // still marks purchases above
      AddSeed(*item, TypeWeight(e.type) * decay, false);
    }
  }

  void CollectContextSeeds() {
    for (const std::string& id : request_.context_items) {
      std::optional<uint32_t> item = hints_.Find(id);
      if (!item) {
        ++unknown_items_;
        continue;
      }
      blocked_[*item] = 1;  // never recommend the page's own item or the cart
      AddSeed(*item, params_.context_weight, true);
    }
  }

  void AddSeed(uint32_t item, double weight, bool context) {
    if (!(weight > 0)) return;
    for (Seed& s : seeds_) {
      if (s.item == item) {
        if (weight > s.weight) s = {item, weight, context};
        return;
      }
    }
    seeds_.push_back({item, weight, context});
  }

  void Spread(const Seed& seed, std::span<const ItemLink> links, double factor, bool together) {
    for (const ItemLink& link : links) {
      const double v = seed.weight * factor * link.score;
      if (!(v > 0)) continue;
      if (scores_[link.item] == 0) touched_.push_back(link.item);
      scores_[link.item] += v;
      Contribution& best = best_[link.item];
      if (v > best.value) best = {v, seed.item, together, seed.context};
    }
  }

  std::vector<Candidate> RankPersonal() {
    std::vector<Candidate> ranked;
    if (seeds_.empty()) return ranked;
    scores_.assign(hints_.items.size(), 0);
    best_.assign(hints_.items.size(), {});
    for (const Seed& s : seeds_) {
      Spread(s, hints_.NeighboursOf(s.item), 1.0, false);
      if (params_.together_weight > 0) Spread(s, hints_.TogetherWith(s.item), params_.together_weight, true);
    }
    const double max_log_buyers = MaxLogBuyers();
    const std::vector<double> trend = TrendScores();
    ranked.reserve(touched_.size());
    for (uint32_t j : touched_) {
      if (blocked_[j]) continue;
      double score = scores_[j];
      if (params_.popularity_weight > 0 && max_log_buyers > 0)
        score += params_.popularity_weight * std::log1p(hints_.items[j].buyers) / max_log_buyers;
      if (params_.trending_weight > 0 && !trend.empty()) score += params_.trending_weight * trend[j];
      ranked.push_back({j, score * BoostFactor(j), kPersonal, 0});
    }
    return ranked;
  }

  double MaxLogBuyers() const {
    return hints_.popular.empty() ? 0 : std::log1p(hints_.items[hints_.popular.front().item].buyers);
  }

  // Trending growth scaled to (0, 1]; empty when there is no trending list.
  std::vector<double> TrendScores() const {
    std::vector<double> trend;
    if (params_.trending_weight <= 0 || hints_.trending.empty() || hints_.trending.front().count == 0) return trend;
    trend.assign(hints_.items.size(), 0);
    const double top = hints_.trending.front().count;
    for (const RankedEntry& e : hints_.trending) trend[e.item] = e.count / top;
    return trend;
  }

  double BoostFactor(uint32_t item) const {
    double factor = 1;
    for (const RecommendBoost& b : request_.boosts) {
      if (BoostMatches(b, item) && b.factor > 0 && std::isfinite(b.factor)) factor *= b.factor;
    }
    return factor;
  }

  bool BoostMatches(const RecommendBoost& b, uint32_t item) const {
    const HintItem& it = hints_.items[item];
    if (!b.category.empty() && it.category == b.category) return true;
    return std::find(b.items.begin(), b.items.end(), it.id) != b.items.end();
  }

  bool Before(const Candidate& a, const Candidate& b) const {
    if (a.score != b.score) return a.score > b.score;
    // Items are read only on a tie: touching every candidate's HintItem
    // (strings and all) would cost more than the scoring itself.
    const uint32_t ba = hints_.items[a.item].buyers, bb = hints_.items[b.item].buyers;
    if (ba != bb) return ba > bb;
    return a.item < b.item;  // items are sorted by id
  }

  void PartialSort(std::vector<Candidate>* list, size_t prefix) const {
    std::partial_sort(list->begin(), list->begin() + prefix, list->end(),
                      [&](const Candidate& a, const Candidate& b) { return Before(a, b); });
  }

  void SortTail(std::vector<Candidate>* list, size_t from) const {
    std::sort(list->begin() + from, list->end(), [&](const Candidate& a, const Candidate& b) { return Before(a, b); });
  }

  // The fallback lists in chain order: segment lists in the request's order,
  // trending, popular. Each list's entries score count / top count (times
  // boosts), so a boost can reorder a list but never move an item ahead of an
  // earlier stage. Lists are already ranked: without boosts they are walked
  // as they are, never copied or sorted (popular covers the whole catalogue).
  std::vector<Candidate> FallbackList(std::span<const RankedEntry> list, int stage, size_t segment) const {
    std::vector<Candidate> out;
    if (list.empty() || request_.boosts.empty()) return out;
    const double top = std::max<uint32_t>(list.front().count, 1);
    out.reserve(list.size());
    for (const RankedEntry& e : list) out.push_back({e.item, e.count / top * BoostFactor(e.item), stage, segment});
    std::stable_sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
    return out;
  }

  size_t CategoryCap() const {
    if (!(request_.diversity > 0)) return SIZE_MAX;
    const double d = std::min(request_.diversity, 1.0);
    return std::max<size_t>(1, static_cast<size_t>(std::lround(request_.k * (1 - d))));
  }

  // Picks items in ranking order until k are chosen. The filter runs only on
  // items that could be picked; items held back by the category cap fill any
  // slots left at the end.
  class Picker {
   public:
    Picker(const Scorer& scorer, RecommendResult* result)
        : scorer_(scorer), result_(result), cap_(scorer.CategoryCap()), chosen_(scorer.hints_.items.size(), 0) {}

    bool full() const { return result_->items.size() >= scorer_.request_.k; }

    void Offer(const Candidate& c) {
      if (full() || chosen_[c.item] || scorer_.blocked_[c.item]) return;
      chosen_[c.item] = 1;  // rejected once is rejected for the later lists too
      const HintItem& item = scorer_.hints_.items[c.item];
      if (!item.available) return;
      if (scorer_.request_.filter && !scorer_.request_.filter(item)) return;
      if (!item.category.empty() && cap_ != SIZE_MAX) {
        size_t& n = CategoryCount(item.category);
        if (n >= cap_) {
          held_back_.push_back(c);
          return;
        }
        ++n;
      }
      scorer_.Emit(c, result_);
    }

    void FillFromHeldBack() {
      for (const Candidate& c : held_back_) {
        if (full()) break;
        scorer_.Emit(c, result_);
      }
    }

   private:
    size_t& CategoryCount(std::string_view c) {
      for (auto& [name, n] : per_category_)
        if (name == c) return n;
      per_category_.emplace_back(c, 0);
      return per_category_.back().second;
    }

    const Scorer& scorer_;
    RecommendResult* result_;
    size_t cap_;
    std::vector<uint8_t> chosen_;
    std::vector<Candidate> held_back_;
    std::vector<std::pair<std::string_view, size_t>> per_category_;
  };

  RecommendResult Select(std::vector<Candidate> personal) {
    RecommendResult result;
    result.unknown_items = unknown_items_;
    Picker picker(*this, &result);
    // Usually only the first few personal candidates are looked at: sort a
    // prefix, and the rest only if filters or caps consume the prefix.
    const size_t prefix = std::min(personal.size(), std::max<size_t>(4 * request_.k, 64));
    PartialSort(&personal, prefix);
    for (size_t i = 0; i < personal.size() && !picker.full(); ++i) {
      if (i == prefix) SortTail(&personal, prefix);
      picker.Offer(personal[i]);
    }
    const auto walk = [&](std::span<const RankedEntry> list, int stage, size_t segment) {
      if (picker.full() || list.empty()) return;
      if (!request_.boosts.empty()) {
        for (const Candidate& c : FallbackList(list, stage, segment)) {
          if (picker.full()) return;
          picker.Offer(c);
        }
        return;
      }
      const double top = std::max<uint32_t>(list.front().count, 1);
      for (const RankedEntry& e : list) {
        if (picker.full()) return;
        picker.Offer({e.item, e.count / top, stage, segment});
      }
    };
    for (size_t s = 0; s < request_.segments.size(); ++s) {
      const auto& [key, value] = request_.segments[s];
      if (const SegmentList* list = hints_.Segment(key, value)) walk(list->items, kSegment, s);
    }
    walk(hints_.trending, kTrending, 0);
    walk(hints_.popular, kPopular, 0);
    picker.FillFromHeldBack();
    return result;
  }

  static std::string SourceName(int stage) {
    switch (stage) {
      case kSegment: return "segment";
      case kTrending: return "trending";
      case kPopular: return "popular";
      default: return "personal";
    }
  }

  void Emit(const Candidate& c, RecommendResult* result) const {
    if (result->items.empty()) result->source = SourceName(c.stage);
    Recommendation rec;
    rec.item = hints_.items[c.item].id;
    rec.score = c.score;
    if (!request_.personal) rec.reasons.push_back({"personalization_off", "", "", "", 0});
    switch (c.stage) {
      case kPersonal: {
        const Contribution& best = best_[c.item];
        RecommendReason r;
        r.code = best.together ? "bought_together" : "similar";
        r.item = hints_.items[best.seed].id;
        r.key = best.context ? "context" : "history";
        r.weight = scores_[c.item] > 0 ? best.value / scores_[c.item] : 0;
        rec.reasons.push_back(std::move(r));
        break;
      }
      case kSegment: {
        const auto& [key, value] = request_.segments[c.segment];
        rec.reasons.push_back({"segment", "", key, value, 0});
        break;
      }
      case kTrending: rec.reasons.push_back({"trending", "", "", "", 0}); break;
      default: rec.reasons.push_back({"popular", "", "", "", 0}); break;
    }
    for (const RecommendBoost& b : request_.boosts) {
      if (BoostMatches(b, c.item) && b.factor != 1) rec.reasons.push_back({"boost", "", b.label, "", b.factor});
    }
    result->items.push_back(std::move(rec));
  }

  const Hints& hints_;
  const RecommendRequest& request_;
  const RecommendParams& params_;
  std::vector<uint8_t> blocked_;
  std::vector<Seed> seeds_;
  std::vector<double> scores_;
  std::vector<Contribution> best_;
  std::vector<uint32_t> touched_;
  size_t unknown_items_ = 0;
};

}  // namespace

RecommendResult Recommend(const Hints& hints, std::span<const ItemEvent> history, const RecommendRequest& request,
                          const RecommendParams& params) {
  if (hints.items.empty() || request.k == 0) {
    RecommendResult empty;
    return empty;
  }
  return Scorer(hints, request, params).Run(history);
}

}  // namespace tagwise
