// `where` verdicts kept in the profile's EventMemo must never change an
// answer: after every way a profile's events change (appended, inserted
// earlier, compacted, removed by type, merged), an evaluation over the
// memoized profile equals one over a fresh copy read back from JSON (no
// memo), step limits included; rules whose `where` reads more than the event
// are evaluated each time.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "tagwise/profile.h"
#include "tagwise/rule.h"
#include "test_support.h"

namespace tagwise {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1'763'856'000'000;
constexpr int64_t kDay = 86'400'000;

const char* const kWords[] = {"CHRISTMAS TREE", "EASTER EGG", "RED BAG", "CHRISTMAS BAG", "MUG", "高价值 礼品卡"};

Event MakeEvent(int i, int64_t ts, std::mt19937* rng) {
  Event e;
  e.id = "e" + std::to_string(i);
  e.type = (*rng)() % 4 == 0 ? "refund" : "order_paid";
  e.ts = ts;
  e.props = json{{"description", kWords[(*rng)() % 6]}, {"amount", static_cast<int>((*rng)() % 50)}};
  return e;
}

// The rules a catalog of retail tags uses, over pure and impure `where`s.
json Rules() {
  return json::array({
      {{"events", {{"type", "order_paid"}, {"where", {{"in", {"CHRISTMAS", {{"var", "description"}}}}}}}}},
      {{"events", {{"type", "order_paid"}, {"within", "30d"}, {"where", {{"in", {"BAG", {{"var", "description"}}}}}}}}},
      {{"events", {{"where", {{"or", {{{"in", {"MUG", {{"var", "description"}}}}}, {{">", {{{"var", "amount"}}, 40}}}}}}}}}},
      {{"events", {{"type", "order_paid"}, {"agg", "sum"}, {"field", "amount"},
                   {"where", {{"in", {"CHRISTMAS", {{"var", "description"}}}}}}}}},
      {{"events", {{"type", "order_paid"}, {"where", {{"in", {"高价值", {{"var", "description"}}}}}}}}},
      // Reads `now` and a tag: evaluated each time.
      {{"events", {{"where", {{"<", {{{"var", "amount"}}, {{"days_since", {kNow - 3 * kDay}}}}}}}}}},
      // Counts and sums whose terms are kept at one time (EventMemo::Terms):
      // decayed, filtered, over two types, and a plain sum.
      {{"events", {{"type", "order_paid"}, {"half_life", "7d"}, {"where", {{"in", {"BAG", {{"var", "description"}}}}}}}}},
      {{"events", {{"type", "order_paid"}, {"agg", "sum"}, {"field", "amount"}, {"half_life", "3d"}, {"within", "40d"}}}},
      {{"events", {{"type", {"refund", "order_paid"}}, {"half_life", "1d"}}}},
      {{"events", {{"type", "order_paid"}, {"agg", "sum"}, {"field", "amount"}}}},
  });
}

// Every rule over `p` as is and over a fresh copy of it (no memo): equal.
void ExpectSameAsFresh(const Profile& p, int64_t now, const std::string& when) {
  Result<Profile> fresh = Profile::FromJson(p.ToJson());
  ASSERT_TRUE(fresh.ok());
  for (const json& rule : Rules()) {
    // As text: the same double to the last bit (json's == takes 1 for 1.0).
    EXPECT_EQ(testing::EvaluateOver(p, now, rule).dump(), testing::EvaluateOver(fresh.value(), now, rule).dump())
        << when << ": " << rule.dump();
  }
}

TEST(EventMemoTest, VerdictsKeptAcrossEveryWayEventsChange) {
  std::mt19937 rng(11);
  Profile p;
  int n = 0;
  for (; n < 300; ++n) ASSERT_TRUE(p.AddEvent(MakeEvent(n, kNow - 60 * kDay + n * 3'600'000, &rng)));
  ExpectSameAsFresh(p, kNow, "loaded");
  ExpectSameAsFresh(p, kNow + kDay, "again, a day later");

  // Appended in time order: the memo keeps its verdicts, new ones start unknown.
  for (int k = 0; k < 20; ++k, ++n) ASSERT_TRUE(p.AddEvent(MakeEvent(n, kNow - 1000 + k, &rng)));
  ExpectSameAsFresh(p, kNow, "appended");

  // An earlier event moves the ones behind it.
  ASSERT_TRUE(p.AddEvent(MakeEvent(n++, kNow - 50 * kDay, &rng)));
  ExpectSameAsFresh(p, kNow, "inserted earlier");

  // Batches with late events (track, trackMany): the events from the earliest
  // new one on are sorted again and lose their verdicts, the ones before keep
  // theirs. One slightly late event, then a batch reaching far back.
  ASSERT_EQ(p.AddEvents({MakeEvent(n++, kNow - 1500, &rng)}), 1u);
  ExpectSameAsFresh(p, kNow, "one late event in a batch");
  std::vector<Event> batch;
  for (int k = 0; k < 40; ++k, ++n) batch.push_back(MakeEvent(n, kNow - (k * 7 % 40) * kDay - k, &rng));
  ASSERT_EQ(p.AddEvents(batch), 40u);
  ExpectSameAsFresh(p, kNow, "a batch of late events");

  RetentionPolicy policy;
  policy.max_events = 200;
  p.Compact(kNow, policy);
  ExpectSameAsFresh(p, kNow, "compacted");

  p.RemoveEventTypes([](std::string_view type) { return type == "refund"; });
  ExpectSameAsFresh(p, kNow, "refunds removed");

  Profile other = p;
  for (int k = 0; k < 5; ++k, ++n) ASSERT_TRUE(other.AddEvent(MakeEvent(n, kNow - 500 + k, &rng)));
  p.MergeLocal(other);
  ExpectSameAsFresh(p, kNow, "merged with another tab");
}

TEST(EventMemoTest, ACopyKeepsItsOwnVerdicts) {
  std::mt19937 rng(3);
  Profile a;
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(a.AddEvent(MakeEvent(i, kNow - kDay + i, &rng)));
  ExpectSameAsFresh(a, kNow, "a");
  Profile b = a;
  // Different events at the same positions afterwards.
  Event x = MakeEvent(100, kNow - 10, &rng);
  x.props["description"] = "CHRISTMAS";
  Event y = MakeEvent(101, kNow - 10, &rng);
  y.props["description"] = "plain";
  ASSERT_TRUE(a.AddEvent(x));
  ASSERT_TRUE(b.AddEvent(y));
  ExpectSameAsFresh(a, kNow, "a after its own event");
  ExpectSameAsFresh(b, kNow, "b after its own event");
}

// The steps a memoized verdict took are counted again, so the smallest
// step limit an evaluation passes is the same with and without the memo.
TEST(EventMemoTest, StepLimitsDoNotMove) {
  std::mt19937 rng(5);
  Profile p;
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(p.AddEvent(MakeEvent(i, kNow - kDay + i, &rng)));
  for (const size_t r : {2, 6}) {  // a `where` verdict; a decayed count's terms
  const json rule = Rules()[r];
  CompileResult c = CompileRule(rule);
  ASSERT_TRUE(c.ok());
  auto passes = [&](const Profile& profile, int64_t limit) {
    EvalContext ctx;
    ctx.now = kNow;
    ctx.profile = &profile;
    ctx.options.max_steps = limit;
    return c.rule->Evaluate(json::object(), ctx).ok();
  };
  auto smallest = [&](const Profile& profile) {
    int64_t lo = 1, hi = 1'000'000;  // passes(hi)
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (passes(profile, mid)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  Result<Profile> fresh = Profile::FromJson(p.ToJson());
  ASSERT_TRUE(fresh.ok());
  const int64_t without = smallest(fresh.value());
  EXPECT_GT(without, 100);  // one visit per event at least
  ASSERT_TRUE(passes(p, 1'000'000));  // fills the memo
  EXPECT_EQ(smallest(p), without) << rule.dump();
  }
}

// Inside `try`, NaN arithmetic throws: a verdict kept from outside a `try`
// (where it was just false) must not hide that.
TEST(EventMemoTest, NotUsedInsideTry) {
  Profile p;
  Event e;
  e.id = "a";
  e.type = "order_paid";
  e.ts = kNow - 10;
  e.props = json{{"description", "x"}};
  ASSERT_TRUE(p.AddEvent(e));
  const json where = {{"+", {{{"var", "missing"}}, 1}}};  // NaN
  const json plain = {{"events", {{"where", where}}}};
  const json guarded = {{"try", {{{"events", {{"where", where}}}}, "caught"}}};
  EXPECT_EQ(testing::EvaluateOver(p, kNow, plain), json(0));
  Result<Profile> fresh = Profile::FromJson(p.ToJson());
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(testing::EvaluateOver(p, kNow, guarded), testing::EvaluateOver(fresh.value(), kNow, guarded));
}

// Two catalogs' rules with different `where` texts never share verdicts,
// and the memo's size is bounded.
TEST(EventMemoTest, KeyedByTheRuleText) {
  EventMemo memo;
  EventMemo::Column* a = memo.For(R"({"in":["A",{"var":"d"}]})", 3);
  ASSERT_NE(a, nullptr);
  (*a)[0] = EventMemo::Entry(true, 7);
  EventMemo::Column* b = memo.For(R"({"in":["B",{"var":"d"}]})", 3);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ((*b)[0], EventMemo::kUnknown);
  a = memo.For(R"({"in":["A",{"var":"d"}]})", 3);
  EXPECT_EQ((*a)[0] & EventMemo::kVerdictMask, EventMemo::kTrue);
  EXPECT_EQ((*a)[0] >> 2, 7u);
  // A late event moves the verdicts behind it; compaction drops the oldest.
  memo.InsertAt(0);
  EXPECT_EQ((*memo.For(R"({"in":["A",{"var":"d"}]})", 4))[1] >> 2, 7u);
  memo.ErasePrefix(1);
  EXPECT_EQ((*memo.For(R"({"in":["A",{"var":"d"}]})", 3))[0] >> 2, 7u);
  // Fewer events than positions known: start again.
  EXPECT_EQ((*memo.For(R"({"in":["A",{"var":"d"}]})", 2))[0], EventMemo::kUnknown);
  for (size_t i = 0; i < EventMemo::kMaxColumns; ++i) memo.For("k" + std::to_string(i), 1);
  EXPECT_EQ(memo.For("one more", 1), nullptr);
}

// A count's or sum's terms hold for one time and follow the events' positions.
TEST(EventMemoTest, TermsAreKeptForOneTimeAndMoveWithTheEvents) {
  EventMemo memo;
  EventMemo::Terms t;
  auto steps = [&](int64_t now, size_t events) {
    EXPECT_TRUE(memo.TermsFor("c", events, now, &t));
    return *t.steps;  // steps + 1, 0 unknown
  };
  EXPECT_EQ(steps(kNow, 3), EventMemo::Column(3, 0));
  t.Set(0, 0.5, 1);
  t.Set(1, -0.0, 2);
  t.Set(2, 0.1 + 0.2, 3);
  ASSERT_TRUE(memo.TermsFor("s", 3, kNow, &t));  // another aggregate: its own
  EXPECT_EQ(*t.steps, EventMemo::Column(3, 0));
  EXPECT_EQ(steps(kNow, 4), (EventMemo::Column{2, 3, 4, 0}));  // an event appended: unknown
  memo.InsertAt(1);  // a late event moves the ones behind it
  EXPECT_EQ(steps(kNow, 5), (EventMemo::Column{2, 0, 3, 4, 0}));
  EXPECT_EQ(t.Value(3), 0.1 + 0.2);  // the same bits
  EXPECT_TRUE(std::signbit(t.Value(2)));
  memo.ErasePrefix(2);  // compaction folds the oldest
  EXPECT_EQ(steps(kNow, 3), (EventMemo::Column{3, 4, 0}));
  // Another time weighs every event again; so does a reordering.
  EXPECT_EQ(steps(kNow + 1, 3), EventMemo::Column(3, 0));
  t.Set(0, 1.0, 7);
  EXPECT_EQ(steps(kNow, 3), EventMemo::Column(3, 0));  // the earlier time's terms were dropped
  t.Set(0, 1.0, 7);
  memo.KeepPrefix(0);
  EXPECT_EQ(steps(kNow, 3), EventMemo::Column(3, 0));
}

}  // namespace
}  // namespace tagwise
