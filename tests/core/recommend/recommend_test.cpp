// The scorer against small hand-made hints, so every expectation can be
// worked out by hand: recency, context, exclusions, the fallback chain,
// consent, business rules and deterministic ties. The offline evaluation
// (offline_eval_test.cpp) checks it on the real retail data.
#include "tagwise/recommend.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tagwise {
namespace {

struct ItemSpec {
  std::string id;
  uint32_t buyers;
  std::string category = "";
  bool available = true;
};

// Hints with the given items (sorted by id here), neighbour and together
// links given by id with their scores, popular derived from buyers.
class HintsMaker {
 public:
  explicit HintsMaker(std::vector<ItemSpec> items) {
    std::sort(items.begin(), items.end(), [](const ItemSpec& a, const ItemSpec& b) { return a.id < b.id; });
    for (const ItemSpec& s : items) {
      HintItem it;
      it.id = s.id;
      it.buyers = s.buyers;
      it.category = s.category;
      it.available = s.available;
      hints_.items.push_back(it);
    }
  }
  HintsMaker& Neighbour(const std::string& from, const std::string& to, double score) {
    neighbours_[from].push_back({Index(to), 1, score});
    return *this;
  }
  HintsMaker& Together(const std::string& from, const std::string& to, double score) {
    together_[from].push_back({Index(to), 1, score});
    return *this;
  }
  HintsMaker& Trending(const std::string& id, uint32_t growth) {
    hints_.trending.push_back({Index(id), growth});
    return *this;
  }
  HintsMaker& Segment(const std::string& key, const std::string& value, std::vector<std::string> ids) {
    SegmentList list{key, value, static_cast<uint32_t>(ids.size()), {}};
    uint32_t count = 100;
    for (const std::string& id : ids) list.items.push_back({Index(id), count--});
    hints_.segments.push_back(std::move(list));
    return *this;
  }
  Hints Build() {
    Hints h = hints_;
    Csr(neighbours_, &h.neighbour_offsets, &h.neighbours);
    Csr(together_, &h.together_offsets, &h.together);
    for (uint32_t i = 0; i < h.items.size(); ++i) h.popular.push_back({i, h.items[i].buyers});
    std::stable_sort(h.popular.begin(), h.popular.end(),
                     [](const RankedEntry& a, const RankedEntry& b) { return a.count > b.count; });
    std::sort(h.segments.begin(), h.segments.end(), [](const SegmentList& a, const SegmentList& b) {
      return std::tie(a.key, a.value) < std::tie(b.key, b.value);
    });
    return h;
  }

 private:
  uint32_t Index(const std::string& id) const {
    for (uint32_t i = 0; i < hints_.items.size(); ++i)
      if (hints_.items[i].id == id) return i;
    ADD_FAILURE() << "no item " << id;
    return 0;
  }
  void Csr(const std::map<std::string, std::vector<ItemLink>>& links, std::vector<uint32_t>* offsets,
           std::vector<ItemLink>* flat) const {
    offsets->assign(1, 0);
    for (const HintItem& it : hints_.items) {
      auto found = links.find(it.id);
      if (found != links.end()) {
        std::vector<ItemLink> sorted = found->second;
        std::sort(sorted.begin(), sorted.end(), [](const ItemLink& a, const ItemLink& b) { return a.score > b.score; });
        flat->insert(flat->end(), sorted.begin(), sorted.end());
      }
      offsets->push_back(static_cast<uint32_t>(flat->size()));
    }
  }

  Hints hints_;
  std::map<std::string, std::vector<ItemLink>> neighbours_;
  std::map<std::string, std::vector<ItemLink>> together_;
};

// The model's mechanics with round numbers, independent of the tuned
// defaults: together links count half as much as neighbour links.
RecommendParams HandParams() {
  RecommendParams p;
  p.together_weight = 0.5;
  p.recency_decay = 0.5;
  p.max_baskets = 20;
  return p;
}

RecommendResult Rec(const Hints& h, std::span<const ItemEvent> history, const RecommendRequest& req) {
  return Recommend(h, history, req, HandParams());
}

std::vector<std::string> Ids(const RecommendResult& r) {
  std::vector<std::string> ids;
  for (const Recommendation& rec : r.items) ids.push_back(rec.item);
  return ids;
}

// A gift-card shop: two card families and a few bestsellers.
Hints ShopHints() {
  return HintsMaker({{"steam-50", 40, "game"},
                     {"steam-100", 30, "game"},
                     {"psn-50", 35, "game"},
                     {"xbox-25", 10, "game"},
                     {"apple-25", 50, "gift"},
                     {"apple-50", 45, "gift"},
                     {"amazon-25", 80, "gift"},
                     {"netflix-1m", 60, "membership"}})
      .Neighbour("steam-50", "steam-100", 0.8)
      .Neighbour("steam-50", "psn-50", 0.4)
      .Neighbour("apple-25", "apple-50", 0.9)
      .Neighbour("apple-25", "amazon-25", 0.3)
      .Neighbour("psn-50", "xbox-25", 0.5)
      .Together("steam-50", "xbox-25", 0.6)
      .Trending("netflix-1m", 12)
      .Trending("xbox-25", 5)
      .Segment("country", "CN", {"psn-50", "apple-50"})
      .Build();
}

TEST(RecommendTest, NewVisitorGetsTheFallbackChainSegmentThenTrendingThenPopular) {
  Hints h = ShopHints();
  RecommendRequest req;
  req.k = 6;
  req.segments = {{"country", "CN"}};
  RecommendResult r = Rec(h, {}, req);
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"psn-50", "apple-50", "netflix-1m", "xbox-25", "amazon-25",
                                              "apple-25"}));
  EXPECT_EQ(r.source, "segment");
  EXPECT_EQ(r.items[0].reasons[0].code, "segment");
  EXPECT_EQ(r.items[0].reasons[0].key, "country");
  EXPECT_EQ(r.items[0].reasons[0].value, "CN");
  EXPECT_EQ(r.items[2].reasons[0].code, "trending");
  EXPECT_EQ(r.items[4].reasons[0].code, "popular");
}

TEST(RecommendTest, UnknownSegmentSkipsToTrending) {
  Hints h = ShopHints();
  RecommendRequest req;
  req.k = 1;
  req.segments = {{"country", "Atlantis"}};
  RecommendResult r = Rec(h, {}, req);
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"netflix-1m"}));
  EXPECT_EQ(r.source, "trending");
}

TEST(RecommendTest, SimilarItemsOfThePurchaseComeFirstAndThePurchaseIsExcluded) {
  Hints h = ShopHints();
  std::vector<ItemEvent> history = {{"steam-50", "purchase", 1000}};
  RecommendRequest req;
  req.k = 3;
  RecommendResult r = Rec(h, history, req);
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"steam-100", "psn-50", "xbox-25"}));
  EXPECT_EQ(r.source, "personal");
  EXPECT_EQ(r.items[0].reasons[0].code, "similar");
  EXPECT_EQ(r.items[0].reasons[0].item, "steam-50");
  EXPECT_EQ(r.items[0].reasons[0].key, "history");
  EXPECT_EQ(r.items[2].reasons[0].code, "bought_together");
}

TEST(RecommendTest, PurchasedItemsComeBackWhenExclusionIsOff) {
  Hints h = ShopHints();
  std::vector<ItemEvent> history = {{"apple-25", "purchase", 1000}, {"steam-50", "purchase", 2000}};
  RecommendRequest req;
  req.k = 8;
  req.exclude_purchased = false;
  RecommendResult r = Rec(h, history, req);
  std::vector<std::string> ids = Ids(r);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "apple-25"), ids.end());
  req.exclude_purchased = true;
  ids = Ids(Rec(h, history, req));
  EXPECT_EQ(std::find(ids.begin(), ids.end(), "apple-25"), ids.end());
  EXPECT_EQ(std::find(ids.begin(), ids.end(), "steam-50"), ids.end());
}

TEST(RecommendTest, TheNewestBasketOutweighsOlderOnes) {
  Hints h = ShopHints();
  // apple-25 long ago (weight 0.5), steam-50 just now (1): steam-100 0.8 > apple-50 0.45.
  std::vector<ItemEvent> history = {{"apple-25", "purchase", 1000}, {"steam-50", "purchase", 5000}};
  RecommendRequest req;
  req.k = 2;
  EXPECT_EQ(Ids(Rec(h, history, req)), (std::vector<std::string>{"steam-100", "apple-50"}));
  // The other way round: apple-50 0.9 > steam-100 0.4.
  history = {{"steam-50", "purchase", 1000}, {"apple-25", "purchase", 5000}};
  EXPECT_EQ(Ids(Rec(h, history, req)), (std::vector<std::string>{"apple-50", "steam-100"}));
}

TEST(RecommendTest, ViewsCountLessThanPurchasesAndAreNotExcluded) {
  Hints h = ShopHints();
  std::vector<ItemEvent> history = {{"apple-25", "view", 1000}};
  RecommendRequest req;
  req.k = 8;
  std::vector<std::string> ids = Ids(Rec(h, history, req));
  EXPECT_EQ(ids.front(), "apple-50");
  EXPECT_NE(std::find(ids.begin(), ids.end(), "apple-25"), ids.end());  // viewed, not bought
}

TEST(RecommendTest, ThePageItemDrivesTheListAndIsNeverRecommendedItself) {
  Hints h = ShopHints();
  std::vector<ItemEvent> history = {{"apple-25", "purchase", 1000}};
  RecommendRequest req;
  req.k = 2;
  req.context_items = {"psn-50"};
  RecommendResult r = Rec(h, history, req);
  EXPECT_EQ(Ids(r).front(), "xbox-25");
  EXPECT_EQ(r.items[0].reasons[0].key, "context");
  for (const Recommendation& rec : r.items) EXPECT_NE(rec.item, "psn-50");
}

TEST(RecommendTest, PersonalizationOffUsesOnlyNonPersonalListsAndSaysSo) {
  Hints h = ShopHints();
  std::vector<ItemEvent> history = {{"steam-50", "purchase", 1000}};
  RecommendRequest req;
  req.k = 2;
  req.personal = false;
  RecommendResult r = Rec(h, history, req);
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"netflix-1m", "xbox-25"}));
  EXPECT_EQ(r.source, "trending");
  for (const Recommendation& rec : r.items) EXPECT_EQ(rec.reasons.front().code, "personalization_off");
}

TEST(RecommendTest, OutOfStockExcludedAndFilteredItemsAreNeverShown) {
  Hints h = HintsMaker({{"a", 9}, {"b", 8, "", false}, {"c", 7}, {"d", 6}, {"e", 5}}).Build();
  RecommendRequest req;
  req.k = 5;
  req.exclude = {"c"};
  req.filter = [](const HintItem& item) { return item.id != "d"; };
  EXPECT_EQ(Ids(Rec(h, {}, req)), (std::vector<std::string>{"a", "e"}));
}

TEST(RecommendTest, DiversityCapsItemsPerCategoryAndFillsWhenShort) {
  Hints h = HintsMaker({{"g1", 9, "game"}, {"g2", 8, "game"}, {"g3", 7, "game"}, {"m1", 1, "membership"}}).Build();
  RecommendRequest req;
  req.k = 2;
  req.diversity = 1;  // at most one per category
  EXPECT_EQ(Ids(Rec(h, {}, req)), (std::vector<std::string>{"g1", "m1"}));
  req.k = 4;  // not enough categories: the held-back games fill the rest
  EXPECT_EQ(Ids(Rec(h, {}, req)), (std::vector<std::string>{"g1", "m1", "g2", "g3"}));
}

TEST(RecommendTest, BoostsReorderWithinAListAndAreExplained) {
  Hints h = ShopHints();
  RecommendRequest req;
  req.k = 2;
  RecommendBoost boost;
  boost.category = "membership";
  boost.factor = 3;
  boost.label = "会员用户";
  req.boosts = {boost};
  std::vector<ItemEvent> history = {{"apple-25", "purchase", 1000}};
  RecommendResult r = Rec(h, history, req);
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"apple-50", "amazon-25"}));  // no link to the boosted item
  req.personal = false;
  r = Rec(h, history, req);
  ASSERT_EQ(r.items.size(), 2u);
  EXPECT_EQ(r.items[0].item, "netflix-1m");
  EXPECT_EQ(r.items[0].reasons.back().code, "boost");
  EXPECT_EQ(r.items[0].reasons.back().key, "会员用户");
}

TEST(RecommendTest, TiesBreakByBuyersThenIdSoResultsAreDeterministic) {
  Hints h = HintsMaker({{"b", 5}, {"a", 5}, {"c", 6}, {"src", 1}})
                .Neighbour("src", "a", 0.5)
                .Neighbour("src", "b", 0.5)
                .Neighbour("src", "c", 0.5)
                .Build();
  std::vector<ItemEvent> history = {{"src", "purchase", 1}};
  RecommendRequest req;
  req.k = 3;
  EXPECT_EQ(Ids(Rec(h, history, req)), (std::vector<std::string>{"c", "a", "b"}));
}

TEST(RecommendTest, UnknownItemsAreCountedAndIgnored) {
  Hints h = ShopHints();
  std::vector<ItemEvent> history = {{"no-such-card", "purchase", 1000}, {"游戏点卡", "view", 2000}};
  RecommendRequest req;
  req.k = 1;
  req.context_items = {"gone"};
  RecommendResult r = Rec(h, history, req);
  EXPECT_EQ(r.unknown_items, 3u);
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"netflix-1m"}));
}

TEST(RecommendTest, ChineseItemIdsWork) {
  Hints h = HintsMaker({{"王者荣耀点券", 9, "游戏"}, {"原神月卡", 8, "游戏"}, {"京东E卡", 7, "礼品卡"}})
                .Neighbour("原神月卡", "王者荣耀点券", 0.7)
                .Build();
  std::vector<ItemEvent> history = {{"原神月卡", "purchase", 1}};
  RecommendRequest req;
  req.k = 2;
  EXPECT_EQ(Ids(Rec(h, history, req)), (std::vector<std::string>{"王者荣耀点券", "京东E卡"}));
}

TEST(RecommendTest, EmptyHintsOrZeroKGiveAnEmptyList) {
  Hints empty;
  RecommendRequest req;
  EXPECT_TRUE(Rec(empty, {}, req).items.empty());
  Hints h = ShopHints();
  req.k = 0;
  EXPECT_TRUE(Rec(h, {}, req).items.empty());
}

TEST(RecommendTest, TunedDefaultsLetSameBasketLinksLead) {
  // With the tuned together weight (8), an item bought in the same basket
  // outranks a merely similar one: what the retail data rewards.
  Hints h = ShopHints();
  std::vector<ItemEvent> history = {{"steam-50", "purchase", 1000}};
  RecommendRequest req;
  req.k = 1;
  RecommendResult r = Recommend(h, history, req);
  EXPECT_EQ(Ids(r), (std::vector<std::string>{"xbox-25"}));
  EXPECT_EQ(r.items[0].reasons[0].code, "bought_together");
}

}  // namespace
}  // namespace tagwise
