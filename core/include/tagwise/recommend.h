// The recommendation scorer (DESIGN.md section 8): the top-k items for one
// visitor from the hints, the visitor's item events, the page/cart context,
// segments (attributes and tags) and consent, with reasons for every item.
//
// Model (defaults tuned on a validation split carved from the training data,
// never on test targets: see docs/recommendations.md):
//   * history: the visitor's item events, newest first, grouped into baskets
//     (same ts); basket r (0 = newest) weighs type_weight * recency_decay^r.
//     Context items (page item, cart) weigh context_weight, above any history.
//   * score(j) = sum over weighted items h of w(h) * (sim(h,j) + together_weight * tog_score(h,j))
//              + popularity_weight * log1p(buyers(j)) / log1p(max buyers)
//              + trending_weight * trend(j) (normalised to [0,1]).
//     Only items with a personal signal (neighbour or together link) take the
//     first slots; the rest is the fallback chain.
//   * fallback chain, filling the slots left: segment lists (in the order the
//     request gives segments) -> trending -> popular. With no events and no
//     context, or with personalisation off, only this chain is used; every
//     item's reasons say which list it came from.
//   * business rules: never the excluded items, the purchased items (unless
//     exclude_purchased is false), out-of-stock items or items the filter
//     rejects; boosts multiply scores; diversity caps items per category.
//   * ties: (score desc, buyers desc, id asc) -- deterministic.
#ifndef TAGWISE_RECOMMEND_H_
#define TAGWISE_RECOMMEND_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tagwise/hints.h"

namespace tagwise {

// One item event of the visitor (from the profile's events with props.item).
struct ItemEvent {
  std::string_view item;
  std::string_view type;
  int64_t ts = 0;  // ms
};

// Model parameters; the defaults are the tuned ones.
struct RecommendParams {
  std::map<std::string, double, std::less<>> type_weights = {
      {"purchase", 1.0}, {"order_paid", 1.0}, {"cart_add", 1.0}, {"view", 0.5}};
  // Event types that mark an item as bought (excluded by default).
  std::vector<std::string> purchase_types = {"purchase", "order_paid"};
  // Tuned with `tagwise_eval --tune` on the validation splits (docs/recommendations.md,
  // "How it was tuned"): decay 0.4-0.6, together weight 4-16 and 5-20 baskets
  // all came within 1 % of the best; popularity and trending weights above 0
  // did not help on this log (trending still leads the cold-start chain).
  double recency_decay = 0.5;     // weight factor per older basket
  size_t max_baskets = 10;        // older baskets are ignored (weight < 0.002)
  double context_weight = 2.0;    // page/cart items outweigh any history item
  double together_weight = 8.0;   // same-basket links, times their score
  double popularity_weight = 0.0;
  double trending_weight = 0.0;
};

// A boost: multiplies the score of matching items by `factor` (> 0).
struct RecommendBoost {
  std::vector<std::string> items;  // item ids; empty = not by id
  std::string category;            // "" = not by category
  double factor = 1.0;
  std::string label;               // shown in the reason, e.g. the tag that caused it
};

struct RecommendRequest {
  size_t k = 10;
  std::vector<std::string> context_items;  // page item, cart items
  std::vector<std::string> exclude;
  bool exclude_purchased = true;
  bool personal = true;  // false: consent withheld, non-personal lists only
  double diversity = 0;  // 0 off; else at most max(1, round(k * (1 - diversity))) per category
  std::vector<std::pair<std::string, std::string>> segments;  // (key, value), in preference order
  std::vector<RecommendBoost> boosts;
  // Extra business filter (e.g. a compiled rule over the item); false = drop.
  std::function<bool(const HintItem&)> filter;
};

// Why an item is in the list. `code`: "similar" (item = the history/context
// item it is similar to), "bought_together" (item), "context" (it links to the
// page/cart item), "segment" (key, value), "trending", "popular", "boost"
// (label), "personalization_off".
struct RecommendReason {
  std::string code;
  std::string item;
  std::string key;
  std::string value;
  double weight = 0;  // its share of the score, when it has one
};

struct Recommendation {
  std::string item;
  double score = 0;
  std::vector<RecommendReason> reasons;
};

struct RecommendResult {
  std::vector<Recommendation> items;
  // Where the list came from first: "personal", "segment", "trending" or "popular".
  std::string source;
  size_t unknown_items = 0;  // history/context items the hints do not know (ignored)
};

// Deterministic; never throws for any input.
RecommendResult Recommend(const Hints& hints, std::span<const ItemEvent> history, const RecommendRequest& request,
                          const RecommendParams& params = {});

}  // namespace tagwise

#endif  // TAGWISE_RECOMMEND_H_
