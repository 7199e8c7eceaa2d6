// One user's marketing and experiment activity (DESIGN.md section 7): offer
// impressions/clicks/redemptions, experiment conversions and sticky experiment
// assignments. Offer caps read it (offers.h), experiments read and write the
// assignments (experiment_run.h), and the client store persists it as JSON in
// its header line (store.h).
//
// Why a ledger of records with ids and not plain counters: two browser tabs
// share one store by read-merge-write, so each tab's copy must merge with the
// other's without double counting. Records are merged as a union by id (a
// record written by both tabs' reads counts once) and counters could not be.
//
// Bounded storage: Compact folds records older than a retention window (and
// the oldest beyond a count limit) into per-(kind, key, action) totals, so
// lifetime counts (an offer's "total" cap, "once") stay exact while the list
// stays small. `folded_before()` is the first instant not folded: a record
// older than it is already summarised, so Add refuses it and Merge drops it.
//
// Counting contract: every record counts once, either in records() or in
// exactly one total. Windows that reach back into folded history (`from` before
// folded_before()) add the whole folded total for the (kind, key, action):
// the totals keep no times. That over-counts such a window, which is the safe
// direction for caps; with the default policy (35 days kept) day and week
// windows never reach folded history unless the record limit forced a fold.
//
// JSON form (ToJson / FromJson), version 1; "data" is omitted when empty,
// "folded_before" is null before the first fold:
//   {"tagwise_ledger": 1, "folded_before": 1760000000000 | null,
//    "records": [{"id": "r1", "kind": "offer", "key": "new_user_coupon",
//                 "action": "shown", "at": 1763800000000, "data": {...}}],
//    "totals": [{"kind": "offer", "key": "new_user_coupon", "action": "shown", "count": 4}],
//    "assignments": [{"experiment": "checkout__0", "hash_attribute": "id",
//                     "hash_value": "u1", "variation": 1, "at": 1763800000000, "data": {...}}]}
// Arrays are sorted (records by (at, id), totals and assignments by key), so
// equal ledgers give byte-identical JSON.
//
// Consent: EraseKind/ClearAssignments delete what a withdrawn purpose served.
// Merge cannot know about a withdrawal, so a copy read from another tab can
// bring erased records back: apply the consent state again after merging.
//
// Ownership: a Ledger is a value (copyable, movable) and owns all its data.
// Thread-compatible: const methods may run concurrently; mutating methods need
// exclusive access. Nothing throws; bad input is refused or dropped.
#ifndef TAGWISE_LEDGER_H_
#define TAGWISE_LEDGER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/error.h"
#include "tagwise/purposes.h"

namespace tagwise {

// Current version of the JSON form, written as "tagwise_ledger".
inline constexpr int kLedgerFormatVersion = 1;

// Size limits on one record or assignment. Add/SetAssignment refuse, and
// FromJson drops, entries over them: these strings are short names and ids,
// so a longer one is a bug (a whole payload passed as an id) that would
// otherwise fill the visitor's storage quota.
inline constexpr size_t kLedgerMaxKindBytes = 64;     // "offer", "conversion", ...
inline constexpr size_t kLedgerMaxStringBytes = 256;  // ids, keys, actions, experiment keys, hash values
inline constexpr size_t kLedgerMaxDataBytes = 2048;   // serialized `data`; "small extras"

struct LedgerRecord {
  std::string id;      // unique per record (random, made by the caller); the merge key
  std::string kind;    // "offer" | "conversion" | other short text (<= 64 bytes)
  std::string key;     // offer id / experiment key
  std::string action;  // offer: "shown" | "clicked" | "redeemed"; conversion: the metric/event name
  int64_t at = 0;      // ms since the Unix epoch
  nlohmann::json data = nlohmann::json::object();  // small extras, e.g. {"variation": 1, "value": 12.5}
};

// A sticky experiment assignment; its creation is the user's exposure.
struct Assignment {
  std::string experiment;      // the experiment's sticky key (e.g. "checkout__0")
  std::string hash_attribute;  // e.g. "id"
  std::string hash_value;      // the attribute's value, e.g. the user id
  int variation = 0;
  int64_t at = 0;              // ms; when it was assigned (the exposure)
  nlohmann::json data = nlohmann::json::object();  // e.g. {"variationKey": "...", "bucketVersion": 0}
};

// Retention and limits for Compact and FromJson.
struct LedgerPolicy {
  // Records older than now - keep_ms are folded into totals. Default 35 days:
  // every day and ISO-week window (caps) and a 30-day conversion window stay
  // exact, with a few days to spare for time zones. Negative is read as 0.
  int64_t keep_ms = 35LL * 86'400'000;
  // Most records kept individually; the oldest beyond it are folded. Default
  // 10,000: about 1 MB of JSON at worst, a fifth of a localStorage quota.
  size_t max_records = 10'000;
  // Most sticky assignments kept; the oldest beyond it are dropped (that user
  // is re-bucketed, deterministically, into the same variation unless the
  // experiment changed). Default 1,000: far more experiments than a shop runs.
  size_t max_assignments = 1'000;
  // Most totals FromJson accepts (there is one per (kind, key, action) ever
  // folded; defence against a damaged or hostile store, not a retention rule).
  size_t max_totals = 100'000;
};

class Ledger {
 public:
  // folded_before() before anything was folded.
  static constexpr int64_t kNone = std::numeric_limits<int64_t>::min();

  // Adds a record; false (and no change) when a record with this id exists,
  // when r.at is before folded_before() (already summarised), or when the
  // record is malformed: empty id or kind, a string over the limits above,
  // `data` not an object or over kLedgerMaxDataBytes.
  bool Add(LedgerRecord r);

  // Records of kind/key/action with from <= at < to; "" for kind, key or
  // action matches any. Folded totals are added when `from` is before
  // folded_before() (the window reaches back into summarised history), so
  // Count(k, key, a, INT64_MIN, INT64_MAX) is the lifetime count.
  int64_t Count(std::string_view kind, std::string_view key, std::string_view action, int64_t from,
                int64_t to) const;

  // Sorted by (at, id).
  const std::vector<LedgerRecord>& records() const { return records_; }

  // Folded counts per (kind, key, action).
  using TotalKey = std::tuple<std::string, std::string, std::string>;
  const std::map<TotalKey, int64_t, std::less<>>& totals() const { return totals_; }

  // The assignment for (experiment, attribute, value), or null.
  const Assignment* FindAssignment(std::string_view experiment, std::string_view hash_attribute,
                                   std::string_view hash_value) const;
  // Stores a new assignment; false (no change) when one exists for the same
  // (experiment, attribute, value) -- assignments are sticky -- or when it is
  // malformed (empty experiment or attribute, strings or data over the limits,
  // negative variation).
  bool SetAssignment(Assignment a);
  // Sorted by (experiment, hash_attribute, hash_value).
  const std::vector<Assignment>& assignments() const { return assignments_; }

  // Folds records older than now - policy.keep_ms, and the oldest beyond
  // policy.max_records, into per-(kind, key, action) totals; records with the
  // same `at` fold together, so afterwards every kept record is at or after
  // folded_before(), the first instant not folded. Drops the oldest
  // assignments (by `at`) beyond policy.max_assignments.
  void Compact(int64_t now, const LedgerPolicy& policy = {});
  int64_t folded_before() const { return folded_before_; }

  // The count caps of Compact between compactions: a Node server keeps
  // ledgers in memory and may never store them, so without this they grew
  // without bound. Past a cap plus a tenth, the oldest records are folded
  // (assignments dropped) down to the cap: the cost is spread over a tenth
  // of the cap's additions, and a stored ledger is within the caps anyway.
  void Bound(const LedgerPolicy& policy = {});

  // Merges another copy of this user's ledger (another tab's). Both copies are
  // first brought to the later folded_before (each side's records before it
  // are counted into that side's totals), then: totals per key take the
  // maximum, records are the union by id (for one id with different contents,
  // which callers never produce, the smaller by (at, kind, key, action, data)
  // is kept), and assignments the union where, for the same (experiment,
  // attribute, value), the earlier `at` wins (ties: the lower variation, then
  // the smaller data) so both tabs converge on one variation.
  //
  // Commutative and idempotent. The one approximation: totals take the
  // maximum, not the sum, because folded records have no ids left to tell a
  // shared record from two distinct ones. If each copy folded records of the
  // same (kind, key, action) that the other never saw (both tabs wrote while
  // unable to read each other's writes, then both compacted past them), the
  // merged total is the larger copy's, a lower bound on the true count.
  void Merge(const Ledger& other);

  // Deletes every record and total of `kind` (consent withdrawn for what that
  // kind serves). folded_before() is unchanged.
  void EraseKind(std::string_view kind);
  void ClearAssignments();

  // Deletes what served a purpose that is no longer granted (consent
  // withdrawn, DESIGN.md section 6): every record whose purpose_of(record) is
  // not in `granted`, and every assignment whose data "purpose" (default
  // "analytics") is not. When a kind loses any record, its folded totals go
  // too (totals keep no purpose). "necessary" is always granted.
  void PruneForPurposes(const PurposeSet& granted,
                        const std::function<std::string(const LedgerRecord&)>& purpose_of);

  // No records, totals or assignments (folded_before() may still be set).
  bool empty() const { return records_.empty() && totals_.empty() && assignments_.empty(); }

  // The JSON form above. Compact and deterministic.
  nlohmann::json ToJson() const;

  // Reads the JSON form. Never fails as a whole: each bad entry is dropped
  // (or, for a bad `data`, repaired to {}) with a warning whose path is a JSON
  // Pointer under `path` ("/ledger/records/3/at"); duplicate record ids keep
  // the first; records before folded_before are dropped (already counted);
  // duplicate assignments resolve as in Merge; over policy.max_records the
  // oldest records are folded into totals, over policy.max_assignments the
  // oldest assignments and over policy.max_totals the last totals are dropped
  // (kTooLarge warnings). A non-object, or a newer format version
  // (kUnsupportedVersion), gives an empty ledger and a warning. `warnings` may
  // be null.
  static Ledger FromJson(const nlohmann::json& j, std::string_view path, std::vector<Error>* warnings,
                         const LedgerPolicy& policy = {});

 private:
  void FoldBefore(int64_t boundary);
  void FoldOldest(size_t keep);
  void InsertSorted(LedgerRecord r);

  std::vector<LedgerRecord> records_;
  std::unordered_set<std::string> ids_;  // ids of records_
  std::map<TotalKey, int64_t, std::less<>> totals_;
  int64_t folded_before_ = kNone;
  std::vector<Assignment> assignments_;
};

}  // namespace tagwise

#endif  // TAGWISE_LEDGER_H_
