// Offers: eligibility under an injected clock across local day and ISO-week
// boundaries in UTC+8 and UTC-5, quiet hours spanning midnight, consent,
// caps, the global daily cap, once-per-user, exclusive groups, start/end,
// audiences, and every definition error with its JSON Pointer.
#include "tagwise/offers.h"

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tagwise {
namespace {

using nlohmann::json;

constexpr int kUtc8 = 480;
constexpr int kUtcMinus5 = -300;

int64_t At(const char* iso) {
  auto t = ParseIsoDate(iso);
  EXPECT_TRUE(t.has_value()) << iso;
  return t.value_or(0);
}

std::shared_ptr<const OfferSet> Compile(const json& defs, const OfferCompileOptions& options = {}) {
  OfferSetResult r = CompileOffers(defs, options);
  EXPECT_TRUE(r.ok()) << FormatIssues(r.issues);
  return r.offers;
}

// The ledger records an offer "shown" (or another action) at `at`.
void Record(Ledger* l, const OfferSet& set, const std::string& id, int64_t at, const std::string& action = "shown") {
  static int counter = 0;
  auto r = MakeOfferRecord(set, id, action, at, "rec-" + std::to_string(++counter));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(l->Add(r.value()));
}

const OfferDecision* Find(const std::vector<OfferDecision>& ds, const std::string& id) {
  for (const OfferDecision& d : ds) {
    if (d.id == id) return &d;
  }
  ADD_FAILURE() << "no decision for " << id;
  return nullptr;
}

std::vector<std::string> Reasons(const std::vector<OfferDecision>& ds, const std::string& id) {
  const OfferDecision* d = Find(ds, id);
  return d == nullptr ? std::vector<std::string>{} : d->reasons;
}

std::vector<std::string> EligibleIds(const std::vector<OfferDecision>& ds) {
  std::vector<std::string> ids;
  for (const OfferDecision& d : ds) {
    if (d.eligible) ids.push_back(d.id);
  }
  return ids;
}

std::vector<OfferDecision> Decide(const OfferSet& set, const Ledger& l, int64_t now, int tz,
                                  const json* data = nullptr) {
  OfferContext ctx;
  ctx.now = now;
  ctx.tz_offset_minutes = tz;
  ctx.data = data;
  return Eligible(set, l, ctx);
}

using Codes = std::vector<std::string>;

TEST(OffersTest, CompilesBothFormsWithDefaults) {
  auto list = Compile(json::parse(R"([{"id": "a"}, {"id": "b", "name": "新人专享券", "priority": 10,
      "purpose": "personalization", "once": true, "group": "welcome", "payload": {"coupon": "NEW10"},
      "start": "2026-11-01T00:00:00+08:00", "end": 1800000000000}])"));
  ASSERT_NE(list, nullptr);
  ASSERT_EQ(list->offers().size(), 2u);
  const OfferDef& a = list->offers()[0];
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.purpose, "marketing");
  EXPECT_EQ(a.priority, 0);
  EXPECT_EQ(a.audience, nullptr);
  EXPECT_TRUE(a.payload.is_null());
  const OfferDef* b = list->Find("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->once, "shown");
  EXPECT_EQ(*b->start, At("2026-10-31T16:00:00Z"));
  EXPECT_EQ(*b->end, 1800000000000);
  EXPECT_EQ(list->daily_cap(), 0);

  auto obj = Compile(json::parse(R"({"offers": [{"id": "a"}, {"id": "b", "quietHours": null},
      {"id": "c", "quietHours": {"start": "12:00", "end": "13:30"}}],
      "dailyCap": 2, "quietHours": {"start": "22:00", "end": "08:00"}})"));
  ASSERT_NE(obj, nullptr);
  EXPECT_EQ(obj->daily_cap(), 2);
  EXPECT_EQ(obj->Find("a")->quiet_hours->start_minute, 22 * 60);  // global applies
  EXPECT_FALSE(obj->Find("b")->quiet_hours.has_value());          // null disables
  EXPECT_EQ(obj->Find("c")->quiet_hours->end_minute, 13 * 60 + 30);  // own replaces
  EXPECT_EQ(obj->Find("zzz"), nullptr);
}

// Issue 24: lone surrogates become U+FFFD; two such offer ids would be one.
TEST(OffersTest, RefusesIdsWithLoneSurrogates) {
  OfferSetResult r = CompileOffers(json::parse("[{\"id\": \"a\xEF\xBF\xBD\"}, {\"id\": \"b\"}]"));
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_EQ(r.issues[0].code, ErrorCode::kInvalidUtf8);
  EXPECT_EQ(r.issues[0].path, "/0/id");
}

TEST(OffersTest, DayCapCountsTheUsersLocalDayInUtcPlus8) {
  auto set = Compile(json::parse(R"([{"id": "coupon", "caps": {"perDay": 1}}])"));
  Ledger l;
  Record(&l, *set, "coupon", At("2026-11-02T23:30:00+08:00"));  // 15:30 UTC
  auto same_day = Decide(*set, l, At("2026-11-02T23:59:00+08:00"), kUtc8);
  EXPECT_EQ(Reasons(same_day, "coupon"), Codes{"cap_day"});
  EXPECT_EQ(Find(same_day, "coupon")->details["caps"]["perDay"], json::parse(R"({"used": 1, "limit": 1})"));
  // Local midnight has passed, though it is still 2 Nov in UTC.
  auto next_day = Decide(*set, l, At("2026-11-03T00:10:00+08:00"), kUtc8);
  EXPECT_TRUE(Find(next_day, "coupon")->eligible);
  // The same instants judged in UTC are one day: still capped.
  EXPECT_EQ(Reasons(Decide(*set, l, At("2026-11-03T00:10:00+08:00"), 0), "coupon"), Codes{"cap_day"});
}

TEST(OffersTest, DayCapCountsTheUsersLocalDayInUtcMinus5) {
  auto set = Compile(json::parse(R"([{"id": "coupon", "caps": {"perDay": 1}}])"));
  Ledger l;
  Record(&l, *set, "coupon", At("2026-11-02T23:30:00-05:00"));  // 04:30 UTC on 3 Nov
  EXPECT_EQ(Reasons(Decide(*set, l, At("2026-11-02T23:50:00-05:00"), kUtcMinus5), "coupon"), Codes{"cap_day"});
  EXPECT_TRUE(Find(Decide(*set, l, At("2026-11-03T00:05:00-05:00"), kUtcMinus5), "coupon")->eligible);
  // In UTC both are 3 Nov.
  EXPECT_EQ(Reasons(Decide(*set, l, At("2026-11-03T00:05:00-05:00"), 0), "coupon"), Codes{"cap_day"});
}

TEST(OffersTest, WeekCapCountsTheLocalIsoWeekFromMonday) {
  auto set = Compile(json::parse(R"([{"id": "coupon", "caps": {"perWeek": 2}}])"));
  for (int tz : {kUtc8, kUtcMinus5}) {
    const std::string zone = tz == kUtc8 ? "+08:00" : "-05:00";
    auto at = [&](const std::string& local) { return At((local + zone).c_str()); };
    Ledger l;
    Record(&l, *set, "coupon", at("2026-11-02T00:00:00"));  // Monday 00:00 local: this week
    Record(&l, *set, "coupon", at("2026-11-08T23:30:00"));  // Sunday 23:30 local: this week
    auto sunday = Decide(*set, l, at("2026-11-08T23:59:00"), tz);
    EXPECT_EQ(Reasons(sunday, "coupon"), Codes{"cap_week"}) << zone;
    EXPECT_EQ(Find(sunday, "coupon")->details["caps"]["perWeek"]["used"], 2) << zone;
    auto monday = Decide(*set, l, at("2026-11-09T00:00:00"), tz);
    EXPECT_TRUE(Find(monday, "coupon")->eligible) << zone;
    EXPECT_EQ(Find(monday, "coupon")->details["caps"]["perWeek"]["used"], 0) << zone;
    // The previous Sunday (1 Nov) belongs to the week before.
    Ledger before;
    Record(&before, *set, "coupon", at("2026-11-01T23:59:00"));
    Record(&before, *set, "coupon", at("2026-11-01T12:00:00"));
    EXPECT_TRUE(Find(Decide(*set, before, at("2026-11-02T00:00:00"), tz), "coupon")->eligible) << zone;
  }
}

TEST(OffersTest, QuietHoursSpanMidnightInTheUsersZone) {
  auto set = Compile(json::parse(R"({"offers": [{"id": "push"}, {"id": "lunch",
      "quietHours": {"start": "12:00", "end": "13:00"}}, {"id": "always", "quietHours": null}],
      "quietHours": {"start": "22:00", "end": "08:00"}})"));
  Ledger l;
  for (int tz : {kUtc8, kUtcMinus5}) {
    const std::string zone = tz == kUtc8 ? "+08:00" : "-05:00";
    auto at = [&](const std::string& local) { return At((local + zone).c_str()); };
    auto late = Decide(*set, l, at("2026-11-02T23:00:00"), tz);
    EXPECT_EQ(Reasons(late, "push"), Codes{"quiet_hours"}) << zone;
    EXPECT_EQ(Find(late, "push")->details["nextAllowedAt"], at("2026-11-03T08:00:00")) << zone;
    EXPECT_EQ(Find(late, "push")->details["quietHours"], json::parse(R"({"start": "22:00", "end": "08:00"})"));
    EXPECT_TRUE(Find(late, "lunch")->eligible) << zone;  // its own hours replace the global ones
    EXPECT_TRUE(Find(late, "always")->eligible) << zone;
    auto early = Decide(*set, l, at("2026-11-03T07:59:00"), tz);
    EXPECT_EQ(Reasons(early, "push"), Codes{"quiet_hours"}) << zone;
    EXPECT_EQ(Find(early, "push")->details["nextAllowedAt"], at("2026-11-03T08:00:00")) << zone;
    EXPECT_TRUE(Find(Decide(*set, l, at("2026-11-03T08:00:00"), tz), "push")->eligible) << zone;  // end exclusive
    EXPECT_TRUE(Find(Decide(*set, l, at("2026-11-03T21:59:00"), tz), "push")->eligible) << zone;
    EXPECT_EQ(Reasons(Decide(*set, l, at("2026-11-03T22:00:00"), tz), "push"), Codes{"quiet_hours"});
    auto noon = Decide(*set, l, at("2026-11-03T12:30:00"), tz);
    EXPECT_EQ(Reasons(noon, "lunch"), Codes{"quiet_hours"}) << zone;
    EXPECT_EQ(Find(noon, "lunch")->details["nextAllowedAt"], at("2026-11-03T13:00:00")) << zone;
  }
  // 23:00 in UTC+8 is 15:00 UTC: not quiet for a user in UTC.
  EXPECT_TRUE(Find(Decide(*set, l, At("2026-11-02T23:00:00+08:00"), 0), "push")->eligible);
}

TEST(OffersTest, MissingConsentForThePurposeMakesOffersIneligible) {
  auto set = Compile(json::parse(R"([{"id": "coupon"}, {"id": "notice", "purpose": "necessary"},
      {"id": "picks", "purpose": "personalization"}])"));
  Ledger l;
  std::set<std::string> granted = {"necessary", "personalization"};
  OfferContext ctx;
  ctx.now = At("2026-11-02T12:00:00Z");
  ctx.purposes = &granted;
  auto ds = Eligible(*set, l, ctx);
  EXPECT_EQ(Reasons(ds, "coupon"), Codes{"consent"});
  EXPECT_EQ(Find(ds, "coupon")->details["purpose"], "marketing");
  EXPECT_EQ(Find(ds, "coupon")->message, "the visitor has not granted consent for \"marketing\"");
  EXPECT_TRUE(Find(ds, "notice")->eligible);
  EXPECT_TRUE(Find(ds, "picks")->eligible);
  std::set<std::string> none;
  ctx.purposes = &none;
  ds = Eligible(*set, l, ctx);
  EXPECT_EQ(EligibleIds(ds), Codes{"notice"});  // necessary is always granted
  ctx.purposes = nullptr;                         // null: everything granted
  EXPECT_EQ(EligibleIds(Eligible(*set, l, ctx)).size(), 3u);
}

TEST(OffersTest, TotalDayAndWeekCapsCountShownRecordsOnly) {
  auto set = Compile(json::parse(R"([{"id": "c", "caps": {"total": 3, "perDay": 2, "perWeek": 3}}])"));
  Ledger l;
  const int64_t mon = At("2026-11-02T10:00:00+08:00");
  Record(&l, *set, "c", mon);
  Record(&l, *set, "c", mon + 1000, "clicked");  // clicks are not impressions
  Record(&l, *set, "c", mon + 2000, "redeemed");
  auto ds = Decide(*set, l, mon + 3000, kUtc8);
  EXPECT_TRUE(Find(ds, "c")->eligible);
  EXPECT_EQ(Find(ds, "c")->details["caps"], json::parse(R"({"total": {"used": 1, "limit": 3},
      "perDay": {"used": 1, "limit": 2}, "perWeek": {"used": 1, "limit": 3}})"));
  Record(&l, *set, "c", mon + 4000);
  EXPECT_EQ(Reasons(Decide(*set, l, mon + 5000, kUtc8), "c"), Codes{"cap_day"});
  Record(&l, *set, "c", mon + 86'400'000);  // Tuesday: third this week, third in all
  auto tue = Decide(*set, l, mon + 86'400'000 + 1000, kUtc8);
  EXPECT_EQ(Reasons(tue, "c"), (Codes{"cap_total", "cap_week"}));
  EXPECT_EQ(Find(tue, "c")->message, "shown 3 times in all; the limit per visitor is 3 (caps.total)");
  // Next week the weekly cap resets, the total does not.
  EXPECT_EQ(Reasons(Decide(*set, l, mon + 7 * 86'400'000, kUtc8), "c"), Codes{"cap_total"});
}

TEST(OffersTest, GlobalDailyCapOfTwoAcrossThreeOffers) {
  auto set = Compile(json::parse(R"({"dailyCap": 2, "offers": [{"id": "low", "priority": 1},
      {"id": "high", "priority": 3}, {"id": "mid", "priority": 2}]})"));
  Ledger l;
  const int64_t morning = At("2026-11-02T09:00:00+08:00");
  auto fresh = Decide(*set, l, morning, kUtc8);
  EXPECT_EQ(EligibleIds(fresh), (Codes{"high", "mid"}));
  EXPECT_EQ(Reasons(fresh, "low"), Codes{"daily_cap"});
  EXPECT_EQ(Find(fresh, "low")->message, "better-ranked offers take the 2 offers left in today's limit of 2 (dailyCap)");
  EXPECT_EQ(Find(fresh, "high")->rank, 1);
  EXPECT_EQ(Find(fresh, "mid")->rank, 2);
  EXPECT_EQ(Find(fresh, "low")->rank, 0);

  Record(&l, *set, "high", morning + 1000);
  auto one_left = Decide(*set, l, morning + 2000, kUtc8);
  EXPECT_EQ(EligibleIds(one_left), Codes{"high"});  // no per-offer cap: it may repeat
  EXPECT_EQ(Find(one_left, "high")->details["dailyCap"], json::parse(R"({"used": 1, "limit": 2})"));

  Record(&l, *set, "mid", morning + 3000);
  auto used_up = Decide(*set, l, morning + 4000, kUtc8);
  EXPECT_TRUE(EligibleIds(used_up).empty());
  for (const char* id : {"low", "mid", "high"}) EXPECT_EQ(Reasons(used_up, id), Codes{"daily_cap"}) << id;
  EXPECT_EQ(Find(used_up, "high")->message, "the visitor has been shown 2 offers today, the daily limit of 2 (dailyCap)");

  // Shows of offers that are no longer defined count too; yesterday's do not.
  Ledger other;
  ASSERT_TRUE(other.Add(LedgerRecord{"x1", "offer", "retired_offer", "shown", morning - 1000}));
  ASSERT_TRUE(other.Add(LedgerRecord{"x2", "offer", "high", "shown", At("2026-11-01T23:59:00+08:00")}));
  EXPECT_EQ(EligibleIds(Decide(*set, other, morning, kUtc8)), Codes{"high"});
}

TEST(OffersTest, OncePerUserEndsAfterTheChosenAction) {
  auto set = Compile(json::parse(R"([{"id": "sop", "once": true}, {"id": "survey", "once": "clicked"},
      {"id": "reward", "once": "redeemed"}, {"id": "plain", "once": false}])"));
  Ledger l;
  const int64_t t = At("2026-11-02T10:00:00Z");
  for (const char* id : {"sop", "survey", "reward", "plain"}) Record(&l, *set, id, t);
  auto after_shown = Decide(*set, l, t + 1, 0);
  EXPECT_EQ(Reasons(after_shown, "sop"), Codes{"once"});
  EXPECT_EQ(Find(after_shown, "sop")->details["once"], "shown");
  EXPECT_TRUE(Find(after_shown, "survey")->eligible);
  EXPECT_TRUE(Find(after_shown, "reward")->eligible);
  EXPECT_TRUE(Find(after_shown, "plain")->eligible);
  Record(&l, *set, "survey", t + 2, "clicked");
  Record(&l, *set, "reward", t + 3, "clicked");
  auto after_click = Decide(*set, l, t + 4, 0);
  EXPECT_EQ(Reasons(after_click, "survey"), Codes{"once"});
  EXPECT_TRUE(Find(after_click, "reward")->eligible);
  Record(&l, *set, "reward", t + 5, "redeemed");
  auto after_redeem = Decide(*set, l, t + 6, 0);
  EXPECT_EQ(Reasons(after_redeem, "reward"), Codes{"once"});
  EXPECT_EQ(Find(after_redeem, "reward")->message,
            "the visitor has already redeemed this offer, which is once per visitor");
  // Still "once" after the records are folded by compaction, years later.
  l.Compact(t + 400LL * 86'400'000);
  EXPECT_TRUE(l.records().empty());
  EXPECT_EQ(Reasons(Decide(*set, l, t + 400LL * 86'400'000, 0), "sop"), Codes{"once"});
}

TEST(OffersTest, ExclusiveGroupKeepsOnlyTheBestRankedEligibleMember) {
  auto set = Compile(json::parse(R"([{"id": "welcome_small", "group": "welcome", "priority": 5},
      {"id": "welcome_big", "group": "welcome", "priority": 9, "caps": {"total": 1}},
      {"id": "welcome_tie", "group": "welcome", "priority": 5},
      {"id": "other", "priority": 1}])"));
  Ledger l;
  const int64_t t = At("2026-11-02T10:00:00Z");
  auto ds = Decide(*set, l, t, 0);
  EXPECT_EQ(EligibleIds(ds), (Codes{"welcome_big", "other"}));
  EXPECT_EQ(Reasons(ds, "welcome_small"), Codes{"group"});
  EXPECT_EQ(Find(ds, "welcome_small")->details["groupWinner"], "welcome_big");
  EXPECT_EQ(Find(ds, "welcome_small")->message, "\"welcome_big\" ranks higher in the exclusive group \"welcome\"");
  EXPECT_EQ(Find(ds, "welcome_big")->reasons, (Codes{"everyone", "priority 9", "group welcome"}));
  // Once the winner is capped, the next member (definition order breaks the tie) takes its place.
  Record(&l, *set, "welcome_big", t);
  ds = Decide(*set, l, t + 1, 0);
  EXPECT_EQ(EligibleIds(ds), (Codes{"welcome_small", "other"}));
  EXPECT_EQ(Reasons(ds, "welcome_big"), Codes{"cap_total"});  // not "group": it fails on its own
  EXPECT_EQ(Find(ds, "welcome_tie")->details["groupWinner"], "welcome_small");
}

TEST(OffersTest, StartAndEndAreHalfOpen) {
  auto set = Compile(json::parse(R"([{"id": "double11", "start": "2026-11-11T00:00:00+08:00",
      "end": "2026-11-12T00:00:00+08:00"}])"));
  Ledger l;
  auto before = Decide(*set, l, At("2026-11-10T23:59:59+08:00"), kUtc8);
  EXPECT_EQ(Reasons(before, "double11"), Codes{"not_started"});
  EXPECT_EQ(Find(before, "double11")->message, "the offer starts at 2026-11-11 00:00 UTC+08:00");
  EXPECT_EQ(Find(before, "double11")->details["startsAt"], At("2026-11-11T00:00:00+08:00"));
  EXPECT_TRUE(Find(Decide(*set, l, At("2026-11-11T00:00:00+08:00"), kUtc8), "double11")->eligible);
  auto after = Decide(*set, l, At("2026-11-12T00:00:00+08:00"), kUtcMinus5);
  EXPECT_EQ(Reasons(after, "double11"), Codes{"ended"});
  EXPECT_EQ(Find(after, "double11")->message, "the offer ended at 2026-11-11 11:00 UTC-05:00");
}

class FakeTags : public TagResolver {
 public:
  explicit FakeTags(std::set<std::string> tags) : tags_(std::move(tags)) {}
  bool HasTag(std::string_view id) const override { return tags_.count(std::string(id)) > 0; }
  json TagValue(std::string_view id) const override { return HasTag(id) ? json(true) : json(nullptr); }

 private:
  std::set<std::string> tags_;
};

TEST(OffersTest, AudiencesReadTagsAndAttributes) {
  std::vector<std::string> known = {"new_user", "vip"};
  OfferCompileOptions options;
  options.known_tags = &known;
  auto set = Compile(json::parse(R"([{"id": "newbie", "audience": {"tag": ["new_user"]}},
      {"id": "cn", "audience": {"==": [{"var": "country"}, "CN"]}},
      {"id": "broken", "audience": {"throw": "no audience today"}},
      {"id": "anyone"}])"),
                     options);
  ASSERT_NE(set, nullptr);
  Ledger l;
  FakeTags tags({"new_user"});
  json attrs = {{"country", "CN"}};
  OfferContext ctx;
  ctx.now = At("2026-11-02T10:00:00Z");
  ctx.data = &attrs;
  ctx.eval.tags = &tags;
  auto ds = Eligible(*set, l, ctx);
  EXPECT_EQ(EligibleIds(ds), (Codes{"newbie", "cn", "anyone"}));
  EXPECT_EQ(Find(ds, "newbie")->reasons, (Codes{"audience", "priority 0"}));
  EXPECT_EQ(Find(ds, "anyone")->reasons, (Codes{"everyone", "priority 0"}));
  EXPECT_EQ(Reasons(ds, "broken"), Codes{"audience_error"});
  EXPECT_EQ(Find(ds, "broken")->details["audienceError"]["code"], "thrown");

  FakeTags none({});
  json us = {{"country", "US"}};
  ctx.eval.tags = &none;
  ctx.data = &us;
  ds = Eligible(*set, l, ctx);
  EXPECT_EQ(Reasons(ds, "newbie"), Codes{"audience"});
  EXPECT_EQ(Reasons(ds, "cn"), Codes{"audience"});
  ctx.data = nullptr;  // no attributes: `var` reads nothing
  EXPECT_EQ(Reasons(Eligible(*set, l, ctx), "cn"), Codes{"audience"});

  // Unknown tags are refused at compile time with the audience's path.
  OfferSetResult bad = CompileOffers(json::parse(R"([{"id": "x", "audience": {"tag": ["vipp"]}}])"), options);
  ASSERT_FALSE(bad.ok());
  ASSERT_FALSE(bad.issues.empty());
  EXPECT_EQ(bad.issues[0].code, ErrorCode::kUnknownTag);
  EXPECT_EQ(bad.issues[0].path.rfind("/0/audience/tag", 0), 0u) << bad.issues[0].path;
}

TEST(OffersTest, IneligibleOffersListEveryFailingReasonInOrder) {
  auto set = Compile(json::parse(R"({"dailyCap": 1, "offers": [{"id": "all_wrong", "audience": {"var": "vip"},
      "start": "2026-12-01T00:00:00Z", "once": true, "caps": {"total": 1, "perDay": 1, "perWeek": 1},
      "quietHours": {"start": "09:00", "end": "11:00"}}]})"));
  Ledger l;
  const int64_t t = At("2026-11-02T10:00:00Z");
  Record(&l, *set, "all_wrong", t - 1000);
  std::set<std::string> granted;
  OfferContext ctx;
  ctx.now = t;
  ctx.purposes = &granted;
  auto ds = Eligible(*set, l, ctx);
  EXPECT_EQ(Reasons(ds, "all_wrong"), (Codes{"consent", "not_started", "audience", "quiet_hours", "once", "cap_total",
                                              "cap_day", "cap_week", "daily_cap"}));
  EXPECT_EQ(Find(ds, "all_wrong")->message, "the visitor has not granted consent for \"marketing\"");
}

TEST(OffersTest, RanksByPriorityThenDefinitionOrderAndConvertsToJson) {
  auto set = Compile(json::parse(R"([{"id": "a", "priority": 1}, {"id": "b", "priority": 5, "name": "满减券",
      "payload": {"coupon": "B5"}, "caps": {"perDay": 3}}, {"id": "c", "priority": 1},
      {"id": "d", "end": 1000}])"));
  Ledger l;
  auto ds = Decide(*set, l, At("2026-11-02T10:00:00Z"), 0);
  std::vector<std::string> order;
  for (const OfferDecision& d : ds) order.push_back(d.id);
  EXPECT_EQ(order, (Codes{"b", "a", "c", "d"}));
  json j = DecisionsToJson(ds, *set);
  EXPECT_EQ(j["eligible"][0], json::parse(R"({"id": "b", "name": "满减券", "priority": 5,
      "payload": {"coupon": "B5"}, "reasons": ["everyone", "priority 5"],
      "caps": {"perDay": {"used": 0, "limit": 3}}, "rank": 1})"));
  EXPECT_EQ(j["eligible"][1]["caps"], json::object());
  EXPECT_EQ(j["eligible"][2]["rank"], 3);
  ASSERT_EQ(j["ineligible"].size(), 1u);
  EXPECT_EQ(j["ineligible"][0], json::parse(R"({"id": "d", "name": "d", "reasons": ["ended"],
      "message": "the offer ended at 1970-01-01 00:00 UTC+00:00", "details": {"endsAt": 1000}})"));
  // Deterministic: the same inputs give the same JSON.
  EXPECT_EQ(DecisionsToJson(Decide(*set, l, At("2026-11-02T10:00:00Z"), 0), *set).dump(), j.dump());
}

TEST(OffersTest, MakeOfferRecordChecksTheOfferAndTheAction) {
  auto set = Compile(json::parse(R"([{"id": "new_user_coupon"}])"));
  auto ok = MakeOfferRecord(*set, "new_user_coupon", "clicked", 1234, "r-1");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value().kind, "offer");
  EXPECT_EQ(ok.value().key, "new_user_coupon");
  EXPECT_EQ(ok.value().action, "clicked");
  EXPECT_EQ(ok.value().at, 1234);
  EXPECT_EQ(ok.value().id, "r-1");

  auto unknown = MakeOfferRecord(*set, "new_user_copon", "shown", 1, "r-2");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kWrongArgumentType);
  EXPECT_EQ(unknown.error().path, "/id");
  EXPECT_NE(unknown.error().message.find("did you mean \"new_user_coupon\""), std::string::npos);
  auto far = MakeOfferRecord(*set, "zzz", "shown", 1, "r-3");
  ASSERT_FALSE(far.ok());
  EXPECT_EQ(far.error().message.find("did you mean"), std::string::npos);
  auto action = MakeOfferRecord(*set, "new_user_coupon", "viewed", 1, "r-4");
  ASSERT_FALSE(action.ok());
  EXPECT_EQ(action.error().path, "/action");
  EXPECT_EQ(MakeOfferRecord(*set, "new_user_coupon", "shown", 1, "").error().path, "/recordId");
  EXPECT_EQ(MakeOfferRecord(*set, "new_user_coupon", "shown", INT64_MAX, "r-5").error().path, "/now");
}

struct DefinitionErrorCase {
  const char* description;
  const char* definitions;
  ErrorCode code;
  const char* path;
};

TEST(OffersTest, DefinitionErrorsHaveCodesAndPaths) {
  const DefinitionErrorCase cases[] = {
      {"not a list or object", R"("offers")", ErrorCode::kWrongArgumentType, ""},
      {"offers not a list", R"({"offers": {}})", ErrorCode::kWrongArgumentType, "/offers"},
      {"unknown top-level field", R"({"offers": [], "dailycap": 2})", ErrorCode::kInvalidRule, "/dailycap"},
      {"daily cap zero", R"({"offers": [], "dailyCap": 0})", ErrorCode::kWrongArgumentType, "/dailyCap"},
      {"offer not an object", R"({"offers": [3]})", ErrorCode::kWrongArgumentType, "/offers/0"},
      {"missing id", R"({"offers": [{"name": "券"}]})", ErrorCode::kInvalidRule, "/offers/0/id"},
      {"empty id", R"([{"id": ""}])", ErrorCode::kInvalidRule, "/0/id"},
      {"duplicate id", R"({"offers": [{"id": "a"}, {"id": "b"}, {"id": "c"}, {"id": "a"}]})",
       ErrorCode::kDuplicateId, "/offers/3/id"},
      {"misspelt priority", R"({"offers": [{"id": "a", "priorty": 3}]})", ErrorCode::kInvalidRule,
       "/offers/0/priorty"},
      {"fractional priority", R"({"offers": [{"id": "a", "priority": 1.5}]})", ErrorCode::kWrongArgumentType,
       "/offers/0/priority"},
      {"bad purpose", R"({"offers": [{"id": "a", "purpose": "marketting"}]})", ErrorCode::kWrongArgumentType,
       "/offers/0/purpose"},
      {"name not text", R"({"offers": [{"id": "a", "name": 7}]})", ErrorCode::kWrongArgumentType, "/offers/0/name"},
      {"cap not positive", R"({"offers": [{"id": "a"}, {"id": "b"}, {"id": "c", "caps": {"perDay": 0}}]})",
       ErrorCode::kWrongArgumentType, "/offers/2/caps/perDay"},
      {"cap fractional", R"({"offers": [{"id": "a", "caps": {"total": 2.5}}]})", ErrorCode::kWrongArgumentType,
       "/offers/0/caps/total"},
      {"cap unknown", R"({"offers": [{"id": "a", "caps": {"per_day": 1}}]})", ErrorCode::kInvalidRule,
       "/offers/0/caps/per_day"},
      {"caps not an object", R"({"offers": [{"id": "a", "caps": 3}]})", ErrorCode::kWrongArgumentType,
       "/offers/0/caps"},
      {"bad once", R"({"offers": [{"id": "a", "once": "viewed"}]})", ErrorCode::kWrongArgumentType,
       "/offers/0/once"},
      {"empty group", R"({"offers": [{"id": "a", "group": ""}]})", ErrorCode::kWrongArgumentType, "/offers/0/group"},
      {"bad start", R"({"offers": [{"id": "a", "start": "next Monday"}]})", ErrorCode::kBadDate, "/offers/0/start"},
      {"bad end type", R"({"offers": [{"id": "a", "end": true}]})", ErrorCode::kBadDate, "/offers/0/end"},
      {"end before start",
       R"({"offers": [{"id": "a", "start": "2026-11-02T00:00:00Z", "end": "2026-11-01T00:00:00Z"}]})",
       ErrorCode::kInvalidRule, "/offers/0/end"},
      {"end equals start", R"({"offers": [{"id": "a", "start": 5000, "end": 5000}]})", ErrorCode::kInvalidRule,
       "/offers/0/end"},
      {"hour 25", R"({"offers": [{"id": "a", "quietHours": {"start": "25:00", "end": "08:00"}}]})",
       ErrorCode::kBadDate, "/offers/0/quietHours/start"},
      {"minute 60", R"({"offers": [{"id": "a", "quietHours": {"start": "22:00", "end": "8:60"}}]})",
       ErrorCode::kBadDate, "/offers/0/quietHours/end"},
      {"quiet start == end", R"({"offers": [{"id": "a", "quietHours": {"start": "22:00", "end": "22:00"}}]})",
       ErrorCode::kInvalidRule, "/offers/0/quietHours"},
      {"quiet missing end", R"({"offers": [{"id": "a", "quietHours": {"start": "22:00"}}]})",
       ErrorCode::kInvalidRule, "/offers/0/quietHours/end"},
      {"quiet unknown field", R"({"offers": [{"id": "a", "quietHours": {"start": "22:00", "end": "08:00",
       "tz": 8}}]})", ErrorCode::kInvalidRule, "/offers/0/quietHours/tz"},
      {"global quiet hours", R"({"offers": [], "quietHours": "22-8"})", ErrorCode::kWrongArgumentType,
       "/quietHours"},
      {"audience unknown operator",
       R"({"offers": [{"id": "a"}, {"id": "b", "audience": {"and": [{"nope": [1]}, true]}}]})",
       ErrorCode::kUnknownOperator, "/offers/1/audience/and/0/nope"},
  };
  for (const DefinitionErrorCase& c : cases) {
    OfferSetResult r = CompileOffers(json::parse(c.definitions));
    EXPECT_FALSE(r.ok()) << c.description;
    bool found = false;
    for (const Error& e : r.issues) {
      if (e.code == c.code && e.path == c.path && e.severity == Severity::kError) found = true;
    }
    EXPECT_TRUE(found) << c.description << ": " << FormatIssues(r.issues);
  }
}

TEST(OffersTest, DefinitionErrorMessagesSuggestAndCompareDates) {
  OfferSetResult r = CompileOffers(json::parse(R"({"offers": [{"id": "a", "priorty": 3,
      "start": "2026-11-02T00:00:00Z", "end": "2026-11-01T00:00:00Z"}, {"id": "b", "purpose": "marketting"},
      {"id": "c", "quietHours": {"start": "25:00", "end": "08:00"}}]})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.offers, nullptr);
  EXPECT_EQ(FormatIssues(r.issues),
            "error invalid_rule at /offers/0/priorty: unknown offer field \"priorty\"; did you mean \"priority\"?\n"
            "error invalid_rule at /offers/0/end: end (2026-11-01 00:00 UTC+00:00) is before start "
            "(2026-11-02 00:00 UTC+00:00)\n"
            "error wrong_argument_type at /offers/1/purpose: \"marketting\" is not a consent purpose; did you mean "
            "\"marketing\"?; use necessary, security, personalization, marketing or analytics\n"
            "error bad_date at /offers/2/quietHours/start: \"25:00\" is not a local time \"HH:MM\" from 00:00 to "
            "23:59\n");
}

TEST(OffersTest, AnInvalidSetCompilesToNothingAndListsEveryIssue) {
  OfferSetResult r = CompileOffers(json::parse(R"([{"id": "ok"}, {"id": "bad", "caps": {"total": -1}},
      {"id": "worse", "once": 3, "group": 4}])"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.issues.size(), 3u) << FormatIssues(r.issues);
}

TEST(OffersTest, TooManyOffersIsRefusedByTheLimit) {
  json defs = json::array();
  for (int i = 0; i < 6; ++i) defs.push_back({{"id", "o" + std::to_string(i)}});
  OfferCompileOptions options;
  options.max_offers = 5;
  OfferSetResult r = CompileOffers({{"offers", defs}}, options);
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_EQ(r.issues[0].code, ErrorCode::kTooLarge);
  EXPECT_EQ(r.issues[0].path, "/offers");
  options.max_offers = 6;
  EXPECT_TRUE(CompileOffers(defs, options).ok());
}

TEST(OffersTest, GarbageContextNeverCrashes) {
  auto set = Compile(json::parse(R"([{"id": "a", "caps": {"perDay": 1, "perWeek": 1},
      "quietHours": {"start": "22:00", "end": "08:00"}}])"));
  Ledger l;
  for (int64_t now : {INT64_MIN, INT64_MAX, int64_t{0}, int64_t{-1}}) {
    for (int tz : {INT32_MIN, INT32_MAX, 0, -1}) {
      auto ds = Decide(*set, l, now, tz);
      ASSERT_EQ(ds.size(), 1u);
      EXPECT_FALSE(DecisionsToJson(ds, *set).dump().empty());
    }
  }
}

}  // namespace
}  // namespace tagwise
