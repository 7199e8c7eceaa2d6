// The activity ledger: dedupe by id, windowed and lifetime counts across
// compaction, merging two tabs' copies in either order, sticky assignments,
// and reading damaged JSON without losing the intact rest.
#include "tagwise/ledger.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tagwise {
namespace {

using nlohmann::json;

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kT0 = 1'763'800'000'000;  // 2025-11-22, an arbitrary "now"
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

LedgerRecord Rec(std::string id, std::string key, std::string action, int64_t at, std::string kind = "offer") {
  LedgerRecord r;
  r.id = std::move(id);
  r.kind = std::move(kind);
  r.key = std::move(key);
  r.action = std::move(action);
  r.at = at;
  return r;
}

Assignment Assign(std::string experiment, std::string value, int variation, int64_t at) {
  Assignment a;
  a.experiment = std::move(experiment);
  a.hash_attribute = "id";
  a.hash_value = std::move(value);
  a.variation = variation;
  a.at = at;
  return a;
}

bool HasWarning(const std::vector<Error>& w, const std::string& path, ErrorCode code) {
  for (const Error& e : w) {
    if (e.path == path && e.code == code && e.severity == Severity::kWarning) return true;
  }
  return false;
}

TEST(LedgerTest, AddRefusesDuplicateIdsAndMalformedRecords) {
  Ledger l;
  EXPECT_TRUE(l.empty());
  EXPECT_TRUE(l.Add(Rec("r1", "coupon", "shown", kT0)));
  EXPECT_FALSE(l.Add(Rec("r1", "coupon", "clicked", kT0 + 5)));  // same id: re-delivery
  EXPECT_FALSE(l.Add(Rec("", "coupon", "shown", kT0)));
  EXPECT_FALSE(l.Add(Rec("r2", "coupon", "shown", kT0, "")));
  EXPECT_FALSE(l.Add(Rec("r3", "coupon", "shown", kT0, std::string(65, 'k'))));  // kind over 64 bytes
  EXPECT_FALSE(l.Add(Rec(std::string(257, 'i'), "coupon", "shown", kT0)));
  EXPECT_FALSE(l.Add(Rec("r4", "coupon", "shown", kMax)));  // outside Date's range
  LedgerRecord bad_data = Rec("r5", "coupon", "shown", kT0);
  bad_data.data = json::array({1});
  EXPECT_FALSE(l.Add(bad_data));
  bad_data.data = {{"blob", std::string(3000, 'x')}};
  EXPECT_FALSE(l.Add(bad_data));
  ASSERT_EQ(l.records().size(), 1u);
  EXPECT_EQ(l.records()[0].action, "shown");
  EXPECT_FALSE(l.empty());
}

TEST(LedgerTest, RecordsStaySortedByTimeThenId) {
  Ledger l;
  ASSERT_TRUE(l.Add(Rec("b", "x", "shown", kT0 + 10)));
  ASSERT_TRUE(l.Add(Rec("c", "x", "shown", kT0)));
  ASSERT_TRUE(l.Add(Rec("a", "x", "shown", kT0 + 10)));
  std::vector<std::string> ids;
  for (const LedgerRecord& r : l.records()) ids.push_back(r.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"c", "a", "b"}));
}

TEST(LedgerTest, CountsRecordsInHalfOpenWindowsWithWildcards) {
  Ledger l;
  ASSERT_TRUE(l.Add(Rec("1", "coupon", "shown", kT0)));
  ASSERT_TRUE(l.Add(Rec("2", "coupon", "shown", kT0 + 1000)));
  ASSERT_TRUE(l.Add(Rec("3", "coupon", "clicked", kT0 + 2000)));
  ASSERT_TRUE(l.Add(Rec("4", "banner", "shown", kT0 + 3000)));
  ASSERT_TRUE(l.Add(Rec("5", "checkout", "purchase", kT0 + 4000, "conversion")));
  EXPECT_EQ(l.Count("offer", "coupon", "shown", kMin, kMax), 2);
  EXPECT_EQ(l.Count("offer", "coupon", "shown", kT0, kT0 + 1000), 1);  // `to` is exclusive
  EXPECT_EQ(l.Count("offer", "coupon", "shown", kT0 + 1, kT0 + 1001), 1);
  EXPECT_EQ(l.Count("offer", "", "shown", kMin, kMax), 3);               // any key
  EXPECT_EQ(l.Count("offer", "coupon", "", kMin, kMax), 3);              // any action
  EXPECT_EQ(l.Count("conversion", "checkout", "purchase", kMin, kMax), 1);
  EXPECT_EQ(l.Count("offer", "nothing", "shown", kMin, kMax), 0);
  EXPECT_EQ(l.Count("offer", "", "", kT0 + 5000, kT0 + 9000), 0);
}

TEST(LedgerTest, CompactFoldsOldRecordsAndKeepsLifetimeCounts) {
  Ledger l;
  ASSERT_TRUE(l.Add(Rec("old1", "coupon", "shown", kT0 - 40 * kDay)));
  ASSERT_TRUE(l.Add(Rec("old2", "coupon", "shown", kT0 - 36 * kDay)));
  ASSERT_TRUE(l.Add(Rec("old3", "coupon", "redeemed", kT0 - 36 * kDay)));
  ASSERT_TRUE(l.Add(Rec("new1", "coupon", "shown", kT0 - 1 * kDay)));
  l.Compact(kT0);  // default: keep 35 days
  EXPECT_EQ(l.folded_before(), kT0 - 35 * kDay);
  ASSERT_EQ(l.records().size(), 1u);
  EXPECT_EQ(l.records()[0].id, "new1");
  EXPECT_EQ(l.Count("offer", "coupon", "shown", kMin, kMax), 3);      // lifetime: folded + kept
  EXPECT_EQ(l.Count("offer", "coupon", "redeemed", kMin, kMax), 1);
  EXPECT_EQ(l.Count("offer", "coupon", "shown", kT0 - 7 * kDay, kMax), 1);  // recent window: exact
  // A window reaching into folded history takes the whole folded total.
  EXPECT_EQ(l.Count("offer", "coupon", "shown", kT0 - 38 * kDay, kMax), 3);
  // Already summarised: a late copy of an old record (or a new one that old) is refused.
  EXPECT_FALSE(l.Add(Rec("old1", "coupon", "shown", kT0 - 40 * kDay)));
  EXPECT_FALSE(l.Add(Rec("late", "coupon", "shown", kT0 - 35 * kDay - 1)));
  EXPECT_TRUE(l.Add(Rec("edge", "coupon", "shown", kT0 - 35 * kDay)));
  // Compacting again with an earlier clock never moves the boundary back.
  l.Compact(kT0 - 10 * kDay);
  EXPECT_EQ(l.folded_before(), kT0 - 35 * kDay);
}

TEST(LedgerTest, CompactFoldsOldestBeyondMaxRecordsTogetherWithTies) {
  Ledger l;
  ASSERT_TRUE(l.Add(Rec("a", "k", "shown", kT0 + 1)));
  ASSERT_TRUE(l.Add(Rec("b", "k", "shown", kT0 + 2)));
  ASSERT_TRUE(l.Add(Rec("c", "k", "shown", kT0 + 2)));
  ASSERT_TRUE(l.Add(Rec("d", "k", "shown", kT0 + 3)));
  LedgerPolicy p;
  p.max_records = 2;
  l.Compact(kT0 + 10, p);
  // Keeping 2 would split the two records at +2; both fold so no kept record
  // is older than folded_before().
  ASSERT_EQ(l.records().size(), 1u);
  EXPECT_EQ(l.records()[0].id, "d");
  EXPECT_EQ(l.folded_before(), kT0 + 3);
  EXPECT_EQ(l.Count("offer", "k", "shown", kMin, kMax), 4);
  p.max_records = 0;
  l.Compact(kT0 + 10, p);
  EXPECT_TRUE(l.records().empty());
  EXPECT_EQ(l.Count("offer", "k", "shown", kMin, kMax), 4);
}

TEST(LedgerTest, MergeOfTwoTabsGivesTheSameLedgerInEitherOrder) {
  Ledger tab1, tab2;
  // Both tabs read r1 from the shared store, then each wrote its own records.
  ASSERT_TRUE(tab1.Add(Rec("r1", "coupon", "shown", kT0)));
  ASSERT_TRUE(tab2.Add(Rec("r1", "coupon", "shown", kT0)));
  ASSERT_TRUE(tab1.Add(Rec("r2", "coupon", "clicked", kT0 + 10)));
  ASSERT_TRUE(tab2.Add(Rec("r3", "banner", "shown", kT0 + 5)));
  ASSERT_TRUE(tab1.SetAssignment(Assign("exp__0", "u1", 1, kT0)));
  ASSERT_TRUE(tab2.SetAssignment(Assign("exp2__0", "u1", 0, kT0 + 1)));

  Ledger a = tab1;
  a.Merge(tab2);
  Ledger b = tab2;
  b.Merge(tab1);
  EXPECT_EQ(a.ToJson(), b.ToJson());
  EXPECT_EQ(a.records().size(), 3u);
  EXPECT_EQ(a.Count("offer", "coupon", "shown", kMin, kMax), 1);  // r1 counted once
  EXPECT_EQ(a.assignments().size(), 2u);

  Ledger again = a;
  again.Merge(a);  // idempotent
  EXPECT_EQ(again.ToJson(), a.ToJson());
  again.Merge(tab2);
  EXPECT_EQ(again.ToJson(), a.ToJson());
  // Adding after a merge still dedupes ids that came from the other tab.
  EXPECT_FALSE(a.Add(Rec("r3", "banner", "shown", kT0 + 5)));
}

TEST(LedgerTest, MergeAfterOneTabCompactedNeverDoubleCounts) {
  Ledger tab1, tab2;
  for (Ledger* l : {&tab1, &tab2}) {
    ASSERT_TRUE(l->Add(Rec("old", "coupon", "shown", kT0 - 50 * kDay)));
    ASSERT_TRUE(l->Add(Rec("mid", "coupon", "shown", kT0 - 40 * kDay)));
    ASSERT_TRUE(l->Add(Rec("new", "coupon", "shown", kT0 - 2 * kDay)));
  }
  ASSERT_TRUE(tab2.Add(Rec("tab2", "coupon", "shown", kT0 - kDay)));
  tab1.Compact(kT0);  // tab1 folded "old" and "mid"; tab2 still lists them

  Ledger a = tab1;
  a.Merge(tab2);
  Ledger b = tab2;
  b.Merge(tab1);
  EXPECT_EQ(a.ToJson(), b.ToJson());
  EXPECT_EQ(a.folded_before(), kT0 - 35 * kDay);
  EXPECT_EQ(a.Count("offer", "coupon", "shown", kMin, kMax), 4);
  EXPECT_EQ(a.records().size(), 2u);  // "new" and "tab2"

  // A record only the uncompacted tab has, older than the other's fold, is
  // folded into that tab's side and survives through the maximum.
  Ledger tab3 = tab2;
  ASSERT_TRUE(tab3.Add(Rec("only3", "coupon", "shown", kT0 - 45 * kDay)));
  Ledger c = tab1;
  c.Merge(tab3);
  EXPECT_EQ(c.Count("offer", "coupon", "shown", kMin, kMax), 5);
}

TEST(LedgerTest, MergeTakesTheLargerFoldedTotalTheDocumentedApproximation) {
  // Each tab folded a record the other never saw: the totals have no ids, so
  // the merge keeps the larger count (a lower bound), in either order.
  Ledger tab1, tab2;
  ASSERT_TRUE(tab1.Add(Rec("x1", "coupon", "shown", kT0 - 50 * kDay)));
  ASSERT_TRUE(tab1.Add(Rec("x2", "coupon", "shown", kT0 - 49 * kDay)));
  ASSERT_TRUE(tab2.Add(Rec("y1", "coupon", "shown", kT0 - 48 * kDay)));
  tab1.Compact(kT0);
  tab2.Compact(kT0);
  Ledger a = tab1;
  a.Merge(tab2);
  Ledger b = tab2;
  b.Merge(tab1);
  EXPECT_EQ(a.ToJson(), b.ToJson());
  EXPECT_EQ(a.Count("offer", "coupon", "shown", kMin, kMax), 2);  // true count 3
}

TEST(LedgerTest, AssignmentsAreStickyAndConflictsConvergeOnTheEarliest) {
  Ledger l;
  ASSERT_TRUE(l.SetAssignment(Assign("exp__0", "u1", 1, kT0)));
  EXPECT_FALSE(l.SetAssignment(Assign("exp__0", "u1", 0, kT0 - 100)));  // sticky: first one stays
  const Assignment* found = l.FindAssignment("exp__0", "id", "u1");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->variation, 1);
  EXPECT_EQ(l.FindAssignment("exp__0", "id", "u2"), nullptr);
  EXPECT_EQ(l.FindAssignment("exp__0", "deviceId", "u1"), nullptr);
  EXPECT_FALSE(l.SetAssignment(Assign("", "u1", 0, kT0)));
  EXPECT_FALSE(l.SetAssignment(Assign("exp__1", "u1", -1, kT0)));

  // Two tabs exposed the user before seeing each other's write.
  Ledger tab1, tab2;
  ASSERT_TRUE(tab1.SetAssignment(Assign("exp__0", "u1", 1, kT0 + 50)));
  ASSERT_TRUE(tab2.SetAssignment(Assign("exp__0", "u1", 2, kT0 + 20)));
  Ledger a = tab1, b = tab2;
  a.Merge(tab2);
  b.Merge(tab1);
  EXPECT_EQ(a.ToJson(), b.ToJson());
  EXPECT_EQ(a.FindAssignment("exp__0", "id", "u1")->variation, 2);  // the earlier exposure

  // Same instant: the lower variation wins.
  Ledger tab3, tab4;
  ASSERT_TRUE(tab3.SetAssignment(Assign("exp__0", "u1", 3, kT0)));
  ASSERT_TRUE(tab4.SetAssignment(Assign("exp__0", "u1", 1, kT0)));
  Ledger c = tab3, d = tab4;
  c.Merge(tab4);
  d.Merge(tab3);
  EXPECT_EQ(c.ToJson(), d.ToJson());
  EXPECT_EQ(c.FindAssignment("exp__0", "id", "u1")->variation, 1);
}

TEST(LedgerTest, CompactDropsTheOldestAssignmentsBeyondTheLimit) {
  Ledger l;
  ASSERT_TRUE(l.SetAssignment(Assign("c", "u1", 0, kT0 + 3)));
  ASSERT_TRUE(l.SetAssignment(Assign("a", "u1", 0, kT0 + 1)));
  ASSERT_TRUE(l.SetAssignment(Assign("b", "u1", 0, kT0 + 2)));
  LedgerPolicy p;
  p.max_assignments = 2;
  l.Compact(kT0, p);
  ASSERT_EQ(l.assignments().size(), 2u);
  EXPECT_EQ(l.assignments()[0].experiment, "b");  // sorted by key; "a" (oldest) dropped
  EXPECT_EQ(l.assignments()[1].experiment, "c");
}

TEST(LedgerTest, EraseKindRemovesRecordsAndTotalsOfThatKindOnly) {
  Ledger l;
  ASSERT_TRUE(l.Add(Rec("o1", "coupon", "shown", kT0 - 40 * kDay)));
  ASSERT_TRUE(l.Add(Rec("o2", "coupon", "shown", kT0)));
  ASSERT_TRUE(l.Add(Rec("c1", "exp", "purchase", kT0 - 40 * kDay, "conversion")));
  ASSERT_TRUE(l.Add(Rec("c2", "exp", "purchase", kT0, "conversion")));
  ASSERT_TRUE(l.SetAssignment(Assign("exp__0", "u1", 0, kT0)));
  l.Compact(kT0);
  l.EraseKind("offer");
  EXPECT_EQ(l.Count("offer", "", "", kMin, kMax), 0);
  EXPECT_EQ(l.Count("conversion", "", "", kMin, kMax), 2);
  EXPECT_TRUE(l.Add(Rec("o2", "coupon", "shown", kT0)));  // its id is forgotten too
  l.EraseKind("offer");
  l.EraseKind("conversion");
  EXPECT_FALSE(l.empty());  // the assignment remains
  l.ClearAssignments();
  EXPECT_TRUE(l.empty());
}

TEST(LedgerTest, JsonRoundTripIsIdenticalAndDeterministic) {
  Ledger l;
  LedgerRecord r = Rec("r1", "新人券", "shown", kT0 - 40 * kDay);
  ASSERT_TRUE(l.Add(r));
  r = Rec("r2", "新人券", "redeemed", kT0);
  r.data = {{"value", 12.5}, {"variation", 1}};
  ASSERT_TRUE(l.Add(r));
  Assignment a = Assign("exp__0", "用户1", 1, kT0);
  a.data = {{"variationKey", "treatment"}, {"bucketVersion", 0}};
  ASSERT_TRUE(l.SetAssignment(a));
  l.Compact(kT0);

  json j = l.ToJson();
  EXPECT_EQ(j, json::parse(R"({"tagwise_ledger": 1, "folded_before": 1760776000000,
    "records": [{"id": "r2", "kind": "offer", "key": "新人券", "action": "redeemed", "at": 1763800000000,
                 "data": {"value": 12.5, "variation": 1}}],
    "totals": [{"kind": "offer", "key": "新人券", "action": "shown", "count": 1}],
    "assignments": [{"experiment": "exp__0", "hash_attribute": "id", "hash_value": "用户1", "variation": 1,
                     "at": 1763800000000, "data": {"bucketVersion": 0, "variationKey": "treatment"}}]})"));
  std::vector<Error> warnings;
  Ledger back = Ledger::FromJson(j, "/ledger", &warnings);
  EXPECT_TRUE(warnings.empty()) << FormatIssues(warnings);
  EXPECT_EQ(back.ToJson().dump(), j.dump());
  EXPECT_EQ(back.folded_before(), l.folded_before());
  EXPECT_FALSE(back.Add(Rec("r2", "x", "shown", kT0 + 1)));  // ids are restored for dedupe
  EXPECT_EQ(Ledger().ToJson()["folded_before"], nullptr);
}

TEST(LedgerTest, DamagedEntriesAreDroppedWithTheirPaths) {
  json j = json::parse(R"({"tagwise_ledger": 1, "folded_before": 1000,
    "records": [
      {"id": "ok", "kind": "offer", "key": "c", "action": "shown", "at": 5000},
      {"id": "no-at", "kind": "offer", "key": "c", "action": "shown"},
      {"id": "str-at", "kind": "offer", "key": "c", "action": "shown", "at": "yesterday"},
      "not an object",
      {"id": "ok", "kind": "offer", "key": "c", "action": "shown", "at": 6000},
      {"id": "old", "kind": "offer", "key": "c", "action": "shown", "at": 999},
      {"id": "bad-data", "kind": "offer", "key": "c", "action": "shown", "at": 7000, "data": [1, 2]},
      {"kind": "offer", "key": "c", "action": "shown", "at": 8000},
      {"id": "float-at", "kind": "offer", "key": "c", "action": "shown", "at": 9000.0}
    ],
    "totals": [{"kind": "offer", "key": "c", "action": "shown", "count": -1},
               {"kind": "offer", "key": "c", "action": "shown", "count": 2}],
    "assignments": [{"experiment": "e", "hash_attribute": "id", "hash_value": "u", "variation": 1.5, "at": 1},
                    {"experiment": "e", "hash_attribute": "id", "hash_value": "u", "variation": 1, "at": 10},
                    {"experiment": "e", "hash_attribute": "id", "hash_value": "u", "variation": 0, "at": 5}]})");
  std::vector<Error> w;
  Ledger l = Ledger::FromJson(j, "/ledger", &w);
  EXPECT_TRUE(HasWarning(w, "/ledger/records/1/at", ErrorCode::kWrongArgumentType)) << FormatIssues(w);
  EXPECT_TRUE(HasWarning(w, "/ledger/records/2/at", ErrorCode::kWrongArgumentType));
  EXPECT_TRUE(HasWarning(w, "/ledger/records/3", ErrorCode::kWrongArgumentType));
  EXPECT_TRUE(HasWarning(w, "/ledger/records/4/id", ErrorCode::kDuplicateId));
  EXPECT_TRUE(HasWarning(w, "/ledger/records/5/at", ErrorCode::kWrongArgumentType));
  EXPECT_TRUE(HasWarning(w, "/ledger/records/6/data", ErrorCode::kWrongArgumentType));
  EXPECT_TRUE(HasWarning(w, "/ledger/records/7/id", ErrorCode::kWrongArgumentType));
  EXPECT_TRUE(HasWarning(w, "/ledger/totals/0/count", ErrorCode::kWrongArgumentType));
  EXPECT_TRUE(HasWarning(w, "/ledger/assignments/0/variation", ErrorCode::kWrongArgumentType));
  EXPECT_TRUE(HasWarning(w, "/ledger/assignments/2", ErrorCode::kDuplicateId));
  std::vector<std::string> ids;
  for (const LedgerRecord& r : l.records()) ids.push_back(r.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"ok", "bad-data", "float-at"}));  // bad data repaired to {}
  EXPECT_EQ(l.Count("offer", "c", "shown", kMin, kMax), 5);
  ASSERT_EQ(l.assignments().size(), 1u);
  EXPECT_EQ(l.assignments()[0].variation, 0);  // the earlier of the duplicates
  for (const Error& e : w) EXPECT_EQ(e.severity, Severity::kWarning);
}

TEST(LedgerTest, UnusableWholesGiveAnEmptyLedgerWithAWarning) {
  for (const json& j : {json("ledger"), json::array(), json(nullptr),
                        json::parse(R"({"tagwise_ledger": 2, "records": []})")}) {
    std::vector<Error> w;
    Ledger l = Ledger::FromJson(j, "/ledger", &w);
    EXPECT_TRUE(l.empty());
    ASSERT_EQ(w.size(), 1u) << j.dump();
    EXPECT_EQ(w[0].path, j.is_object() ? "/ledger/tagwise_ledger" : "/ledger");
    EXPECT_EQ(w[0].code, j.is_object() ? ErrorCode::kUnsupportedVersion : ErrorCode::kWrongArgumentType);
  }
  // Lists of the wrong type are ignored, the rest still loads; null warnings are fine.
  Ledger l = Ledger::FromJson(json::parse(R"({"records": {}, "totals": 3,
      "assignments": [{"experiment": "e", "hash_attribute": "id", "hash_value": "u", "variation": 0, "at": 1}]})"),
                              "", nullptr);
  EXPECT_EQ(l.assignments().size(), 1u);
}

TEST(LedgerTest, FromJsonAppliesItsLimitsWithTooLargeWarnings) {
  json j = {{"records", json::array()}, {"totals", json::array()}, {"assignments", json::array()}};
  for (int i = 0; i < 10; ++i) {
    j["records"].push_back({{"id", "r" + std::to_string(i)}, {"kind", "offer"}, {"key", "c"},
                            {"action", "shown"}, {"at", kT0 + i}});
    j["totals"].push_back({{"kind", "offer"}, {"key", "k" + std::to_string(i)}, {"action", "shown"}, {"count", 1}});
    j["assignments"].push_back({{"experiment", "e" + std::to_string(i)}, {"hash_attribute", "id"},
                                {"hash_value", "u"}, {"variation", 0}, {"at", kT0 + i}});
  }
  LedgerPolicy p;
  p.max_records = 4;
  p.max_assignments = 3;
  p.max_totals = 5;
  std::vector<Error> w;
  Ledger l = Ledger::FromJson(j, "/ledger", &w, p);
  EXPECT_EQ(l.records().size(), 4u);
  EXPECT_EQ(l.records().front().id, "r6");  // the newest are kept individually
  EXPECT_EQ(l.Count("offer", "c", "shown", kMin, kMax), 10);  // the oldest were folded, not lost
  EXPECT_EQ(l.totals().size(), 6u);         // 5 read + the folded one
  EXPECT_EQ(l.assignments().size(), 3u);
  EXPECT_EQ(l.assignments()[0].experiment, "e7");
  EXPECT_TRUE(HasWarning(w, "/ledger/records", ErrorCode::kTooLarge)) << FormatIssues(w);
  EXPECT_TRUE(HasWarning(w, "/ledger/totals/5", ErrorCode::kTooLarge));
  EXPECT_TRUE(HasWarning(w, "/ledger/assignments", ErrorCode::kTooLarge));

  // Long strings are refused per entry.
  json big = {{"records", {{{"id", std::string(300, 'x')}, {"kind", "offer"}, {"key", "c"}, {"action", "shown"},
                            {"at", kT0}}}}};
  w.clear();
  EXPECT_TRUE(Ledger::FromJson(big, "/ledger", &w).empty());
  EXPECT_TRUE(HasWarning(w, "/ledger/records/0/id", ErrorCode::kTooLarge));

  // A flood of damaged entries is reported in bounded space.
  json flood = {{"records", json::array()}};
  for (int i = 0; i < 1000; ++i) flood["records"].push_back(i);
  w.clear();
  Ledger::FromJson(flood, "/ledger", &w);
  EXPECT_LE(w.size(), 101u);
}


// Bound keeps an in-memory ledger (Node, never stored) within Compact's
// count caps: at most a tenth over, every record still counted once.
TEST(LedgerTest, BoundKeepsRecordsAndAssignmentsWithinTheCaps) {
  LedgerPolicy policy;
  policy.max_records = 100;
  policy.max_assignments = 20;
  Ledger l;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(l.Add(Rec("r" + std::to_string(i), "coupon", "shown", kT0 + i)));
    ASSERT_TRUE(l.SetAssignment(Assign("exp" + std::to_string(i) + "__0", "u1", i % 2, kT0 + i)));
    l.Bound(policy);
    ASSERT_LE(l.records().size(), 110u);
    ASSERT_LE(l.assignments().size(), 22u);
  }
  EXPECT_GE(l.records().size(), 100u);
  EXPECT_EQ(l.Count("offer", "coupon", "shown", kMin, kMax), 1000);  // folded ones are in the totals
  // The newest assignments are the ones kept.
  EXPECT_NE(l.FindAssignment("exp999__0", "id", "u1"), nullptr);
  EXPECT_EQ(l.FindAssignment("exp0__0", "id", "u1"), nullptr);
}

}  // namespace
}  // namespace tagwise
