// Consent scope: which purposes need each event type (directly, through tag
// references and children, "*" rules, declared and unknown types), and
// pruning a profile when purposes are switched off.
#include "tagwise/consent.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tagwise {
namespace {

using nlohmann::json;

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kNow = 1'763'856'000'000;  // 2025-11-23T00:00:00Z

std::shared_ptr<const Catalog> Load(const char* text) {
  CatalogLoadResult r = Catalog::Load(json::parse(text));
  EXPECT_TRUE(r.ok()) << FormatIssues(r.errors);
  return r.catalog;
}

// A marketing tag reads "order_paid" only through a personalization tag; a
// marketing parent reads "game_paid" only through its child; a chain of
// references carries analytics down two levels; security reads logins.
constexpr const char* kShop = R"({"tagwise": 1,
  "tags": [
    {"id": "buyer", "name": "购买者", "when": {"events": [{"type": "order_paid", "agg": "exists"}]}},
    {"id": "ad_target", "name": "广告人群", "purpose": "marketing", "when": {"tag": ["buyer"]}},
    {"id": "vip", "name": "VIP", "purpose": "marketing"},
    {"id": "vip_games", "name": "VIP-游戏", "parent": "vip",
     "when": {">=": [{"events": [{"type": "game_paid"}]}, 2]}},
    {"id": "reader", "name": "阅读者", "when": {">=": [{"events": [{"type": "page_view", "within": "30d"}]}, 3]}},
    {"id": "engaged", "name": "活跃", "when": {"tag": ["reader"]}},
    {"id": "engaged_report", "name": "活跃报表", "purpose": "analytics", "when": {"tag": ["engaged"]}},
    {"id": "fraud", "name": "风控", "purpose": "security",
     "when": {">=": [{"events": [{"type": "login_failed", "within": "1d"}]}, 5]}},
    {"id": "churn_score", "name": "流失分", "source": "server", "purpose": "analytics", "ttl": "1d"},
    {"id": "risk_score", "name": "风险分", "source": "server", "purpose": "security"}
  ]})";

constexpr const char* kWithAnyType = R"({"tagwise": 1,
  "tags": [
    {"id": "buyer", "when": {"events": [{"type": "order_paid"}]}},
    {"id": "busy", "purpose": "analytics", "when": {">=": [{"events": [{"within": "1d"}]}, 100]}}
  ]})";

PurposeSet P(std::initializer_list<const char*> names) { return PurposeSet(names.begin(), names.end()); }

TEST(ConsentTest, PurposesFollowTagReferencesAndChildren) {
  auto catalog = Load(kShop);
  ConsentScope scope(catalog.get());
  EXPECT_EQ(scope.PurposesOf("order_paid"), P({"personalization", "marketing"}));
  EXPECT_EQ(scope.PurposesOf("game_paid"), P({"personalization", "marketing"}));
  EXPECT_EQ(scope.PurposesOf("page_view"), P({"personalization", "analytics"}));
  EXPECT_EQ(scope.PurposesOf("login_failed"), P({"security"}));
}

TEST(ConsentTest, RecordsWhenAnyNeedingPurposeIsGranted) {
  auto catalog = Load(kShop);
  ConsentScope scope(catalog.get());
  // Marketing alone still needs order_paid (ad_target reads it through buyer).
  EXPECT_TRUE(scope.Records("order_paid", P({"marketing"})));
  EXPECT_TRUE(scope.Records("order_paid", P({"personalization"})));
  EXPECT_FALSE(scope.Records("order_paid", P({"analytics", "security"})));
  EXPECT_TRUE(scope.Records("page_view", P({"analytics"})));
  EXPECT_FALSE(scope.Records("page_view", P({"marketing"})));
  EXPECT_TRUE(scope.Records("login_failed", P({"security"})));
  EXPECT_FALSE(scope.Records("login_failed", P({})));
  EXPECT_FALSE(scope.Records("login_failed", P({"necessary"})));
}

TEST(ConsentTest, TypesNoTagReadsTakeDeclaredOrDefaultPurposes) {
  auto catalog = Load(kShop);
  ConsentScope scope(catalog.get(),
                     {{"view", P({"personalization"})},
                      {"cart_add", P({"personalization", "marketing"})},
                      {"page_view", P({"security"})}});
  EXPECT_EQ(scope.PurposesOf("view"), P({"personalization"}));
  EXPECT_EQ(scope.PurposesOf("cart_add"), P({"personalization", "marketing"}));
  // Declared purposes add to those of the tags that read the type.
  EXPECT_EQ(scope.PurposesOf("page_view"), P({"personalization", "analytics", "security"}));
  // Nothing names it: the default purposes.
  EXPECT_EQ(scope.PurposesOf("newsletter_open"), P({"personalization"}));
  EXPECT_FALSE(scope.Records("newsletter_open", P({"marketing"})));

  ConsentScope analytics_default(catalog.get(), {}, P({"analytics"}));
  EXPECT_EQ(analytics_default.PurposesOf("newsletter_open"), P({"analytics"}));
  EXPECT_TRUE(analytics_default.Records("newsletter_open", P({"analytics"})));
}

TEST(ConsentTest, AnyTypeRulesNeedEveryType) {
  auto catalog = Load(kWithAnyType);
  ConsentScope scope(catalog.get(), {{"view", P({"marketing"})}});
  EXPECT_EQ(scope.PurposesOf("order_paid"), P({"personalization", "analytics"}));
  EXPECT_EQ(scope.PurposesOf("view"), P({"marketing", "analytics"}));
  EXPECT_EQ(scope.PurposesOf("anything_else"), P({"personalization", "analytics"}));
  EXPECT_TRUE(scope.Records("anything_else", P({"analytics"})));
  EXPECT_FALSE(scope.Records("anything_else", P({"marketing"})));
  EXPECT_EQ(scope.PurposesOf("*"), P({"personalization", "analytics"}));
}

TEST(ConsentTest, NecessaryIsAlwaysGranted) {
  ConsentScope scope(nullptr, {{"consent_change", P({"necessary"})}, {"checkout", P({"necessary", "marketing"})}});
  EXPECT_TRUE(scope.Records("consent_change", P({})));
  EXPECT_TRUE(scope.Records("checkout", P({})));
  EXPECT_FALSE(scope.Records("view", P({})));
  EXPECT_FALSE(scope.Records("view", P({"necessary"})));  // view needs personalization
}

TEST(ConsentTest, WithoutACatalogOnlyDeclaredAndDefaultApply) {
  ConsentScope scope(nullptr, {{"purchase", P({"personalization"})}});
  EXPECT_EQ(scope.PurposesOf("purchase"), P({"personalization"}));
  EXPECT_EQ(scope.PurposesOf("order_paid"), P({"personalization"}));
  EXPECT_EQ(scope.ServerTagPurposes("churn_score"), P({"personalization"}));
  // Never empty, even with an empty default.
  ConsentScope empty_default(nullptr, {}, {});
  EXPECT_FALSE(empty_default.PurposesOf("x").empty());
}

TEST(ConsentTest, ServerTagPurposesComeFromTheCatalog) {
  auto catalog = Load(kShop);
  ConsentScope scope(catalog.get(), {}, P({"analytics"}));
  EXPECT_EQ(scope.ServerTagPurposes("churn_score"), P({"analytics"}));
  EXPECT_EQ(scope.ServerTagPurposes("risk_score"), P({"security"}));
  EXPECT_EQ(scope.ServerTagPurposes("ad_target"), P({"marketing"}));
  EXPECT_EQ(scope.ServerTagPurposes("not_in_catalog"), P({"analytics"}));
}

Profile ShopProfile() {
  Profile p;
  p.set_user_id("u1");
  const struct {
    const char* id;
    const char* type;
    int64_t ts;
  } events[] = {
      {"o-old", "order_paid", kNow - 120 * kDay}, {"v-old", "page_view", kNow - 100 * kDay},
      {"o1", "order_paid", kNow - 5 * kDay},      {"v1", "page_view", kNow - 4 * kDay},
      {"g1", "game_paid", kNow - 3 * kDay},       {"l1", "login_failed", kNow - 2 * kDay},
      {"u1", "newsletter_open", kNow - kDay},     {"c1", "consent_change", kNow - kDay + 1},
  };
  for (const auto& e : events) EXPECT_TRUE(p.AddEvent(Event{e.id, e.type, e.ts, json::object()}));
  (void)p.Compact(kNow);  // o-old and v-old become rollups (older than 90 days)
  p.AddRollup(DayRollup{kNow - 200 * kDay, "login_failed", 3, {}});
  p.set_server_tags({{"churn_score", {{"value", 0.4}}},
                     {"risk_score", {{"value", 0.9}}},
                     {"ad_target", {{"value", true}}},
                     {"unknown_server_tag", {{"value", 1}}}});
  return p;
}

std::vector<std::string> Ids(const Profile& p) {
  std::vector<std::string> ids;
  for (const Event& e : p.events()) ids.push_back(e.id);
  return ids;
}

TEST(ConsentTest, PruneForConsentDeletesEventsRollupsAndServerTagsOfWithdrawnPurposes) {
  auto catalog = Load(kShop);
  ConsentScope scope(catalog.get(), {{"consent_change", P({"necessary"})}});
  Profile p = ShopProfile();
  ASSERT_EQ(p.rollups().size(), 3u);
  // Only security is left on.
  const PruneReport r = PruneForConsent(scope, P({"security"}), &p);
  EXPECT_EQ(r.events_removed, 4u);  // o1, v1, g1, u1
  EXPECT_EQ(r.rollups_removed, 2u);  // order_paid and page_view days
  EXPECT_EQ(r.server_tags_removed, 3u);
  EXPECT_EQ(Ids(p), (std::vector<std::string>{"l1", "c1"}));
  ASSERT_EQ(p.rollups().size(), 1u);
  EXPECT_EQ(p.rollups()[0].type, "login_failed");
  EXPECT_TRUE(p.EventsOfType("order_paid").empty());
  ASSERT_EQ(p.EventsOfType("login_failed").size(), 1u);
  EXPECT_EQ(p.events()[p.EventsOfType("login_failed")[0]].id, "l1");
  EXPECT_EQ(p.server_tags(), json({{"risk_score", {{"value", 0.9}}}}));
  // Pruning again finds nothing.
  EXPECT_TRUE(PruneForConsent(scope, P({"security"}), &p).empty());
}

TEST(ConsentTest, PruneKeepsWhatAnyGrantedPurposeNeeds) {
  auto catalog = Load(kShop);
  ConsentScope scope(catalog.get(), {{"consent_change", P({"necessary"})}});
  Profile p = ShopProfile();
  // Marketing only: order_paid and game_paid stay (marketing tags read them
  // through buyer and vip_games); page_view, logins and unknown types go.
  const PruneReport r = PruneForConsent(scope, P({"marketing"}), &p);
  EXPECT_EQ(Ids(p), (std::vector<std::string>{"o1", "g1", "c1"}));
  EXPECT_EQ(r.events_removed, 3u);
  EXPECT_EQ(r.rollups_removed, 2u);  // page_view and login_failed days
  EXPECT_EQ(p.server_tags(), json({{"ad_target", {{"value", true}}}}));

  Profile all = ShopProfile();
  const json before = all.ToJson();
  EXPECT_TRUE(PruneForConsent(scope, P({"personalization", "marketing", "analytics", "security"}), &all).empty());
  EXPECT_EQ(all.ToJson(), before);
}

}  // namespace
}  // namespace tagwise
