// The activity ledger: records kept sorted by (at, id) so a time window is a
// binary search, folded totals for summarised history, and sticky
// assignments sorted by their key. See ledger.h for the counting contract.
#include "tagwise/ledger.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <utility>

#include "common/json_integral.h"

namespace tagwise {

using nlohmann::json;

namespace {

// Times outside JavaScript's Date range (±8.64e15 ms) are refused, so time
// arithmetic (at + 1, now - keep_ms) can never overflow.
constexpr int64_t kMaxAbsTime = 8'640'000'000'000'000;
// Counts above 2^53 cannot round-trip through JavaScript numbers.
constexpr int64_t kMaxCount = int64_t{1} << 53;
// Individual warnings FromJson reports before summarising the rest in one.
constexpr size_t kMaxWarnings = 100;

int64_t SatAdd(int64_t a, int64_t b) { return a > kMaxCount - b ? kMaxCount : a + b; }

// dump() throws on invalid UTF-8 (possible in strings built in C++, never in
// parsed JSON); the replace handler makes it total.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

bool TimeOk(int64_t t) { return t >= -kMaxAbsTime && t <= kMaxAbsTime; }

// True when `j` nests at most `depth` levels and has at most *budget values,
// so dumping it (recursive) is safe and cheap.
bool Shallow(const json& j, int depth, int* budget) {
  if (--*budget < 0) return false;
  if (!j.is_structured()) return true;
  if (depth <= 0) return false;
  for (const json& v : j) {
    if (!Shallow(v, depth - 1, budget)) return false;
  }
  return true;
}

// `data` is an object small enough to keep (see kLedgerMaxDataBytes).
bool DataOk(const json& data) {
  if (!data.is_object()) return false;
  int budget = static_cast<int>(kLedgerMaxDataBytes);  // every value takes at least one byte
  if (!Shallow(data, 16, &budget)) return false;
  return Dump(data).size() <= kLedgerMaxDataBytes;
}

bool RecordOk(const LedgerRecord& r) {
  return !r.id.empty() && r.id.size() <= kLedgerMaxStringBytes && !r.kind.empty() &&
         r.kind.size() <= kLedgerMaxKindBytes && r.key.size() <= kLedgerMaxStringBytes &&
         r.action.size() <= kLedgerMaxStringBytes && TimeOk(r.at) && DataOk(r.data);
}

bool AssignmentOk(const Assignment& a) {
  return !a.experiment.empty() && a.experiment.size() <= kLedgerMaxStringBytes && !a.hash_attribute.empty() &&
         a.hash_attribute.size() <= kLedgerMaxStringBytes && a.hash_value.size() <= kLedgerMaxStringBytes &&
         a.variation >= 0 && TimeOk(a.at) && DataOk(a.data);
}

bool RecordLess(const LedgerRecord& a, const LedgerRecord& b) {
  return std::tie(a.at, a.id) < std::tie(b.at, b.id);
}

// Total order used to pick one of two records sharing an id, so merging in
// either order keeps the same one.
bool RecordContentLess(const LedgerRecord& a, const LedgerRecord& b) {
  if (std::tie(a.at, a.kind, a.key, a.action) != std::tie(b.at, b.kind, b.key, b.action)) {
    return std::tie(a.at, a.kind, a.key, a.action) < std::tie(b.at, b.kind, b.key, b.action);
  }
  return Dump(a.data) < Dump(b.data);
}

auto AssignmentKey(const Assignment& a) { return std::tie(a.experiment, a.hash_attribute, a.hash_value); }

bool AssignmentKeyLess(const Assignment& a, const Assignment& b) { return AssignmentKey(a) < AssignmentKey(b); }

// Which of two assignments for one key both tabs keep: the earlier one (the
// user's real first exposure), then the lower variation, then the smaller data.
bool AssignmentWins(const Assignment& a, const Assignment& b) {
  if (a.at != b.at) return a.at < b.at;
  if (a.variation != b.variation) return a.variation < b.variation;
  return Dump(a.data) < Dump(b.data);
}

// Inserts `a` into the sorted `list`, resolving a same-key conflict with
// AssignmentWins. Returns false when `a` lost (the list is unchanged).
bool UpsertAssignment(std::vector<Assignment>* list, Assignment a) {
  auto it = std::lower_bound(list->begin(), list->end(), a, AssignmentKeyLess);
  if (it != list->end() && AssignmentKey(*it) == AssignmentKey(a)) {
    if (!AssignmentWins(a, *it)) return false;
    *it = std::move(a);
    return true;
  }
  list->insert(it, std::move(a));
  return true;
}

// Drops the oldest assignments (by at, then key) beyond `keep`; returns how many.
size_t DropOldestAssignments(std::vector<Assignment>* list, size_t keep) {
  if (list->size() <= keep) return 0;
  std::vector<size_t> order(list->size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const Assignment& a = (*list)[x];
    const Assignment& b = (*list)[y];
    if (a.at != b.at) return a.at < b.at;
    return AssignmentKeyLess(a, b);
  });
  size_t drop = list->size() - keep;
  std::vector<char> dropped(list->size(), 0);
  for (size_t i = 0; i < drop; ++i) dropped[order[i]] = 1;
  std::vector<Assignment> kept;
  kept.reserve(keep);
  for (size_t i = 0; i < list->size(); ++i) {
    if (!dropped[i]) kept.push_back(std::move((*list)[i]));
  }
  *list = std::move(kept);
  return drop;
}

bool Matches(std::string_view want, const std::string& have) { return want.empty() || want == have; }

// Collects FromJson's warnings; past kMaxWarnings it only counts, and Finish
// adds one warning saying how many more there were.
class Warner {
 public:
  explicit Warner(std::vector<Error>* out) : out_(out) {}
  void operator()(ErrorCode code, std::string path, std::string message) {
    if (out_ == nullptr) return;
    if (count_++ < kMaxWarnings) out_->push_back(Error{code, std::move(path), std::move(message), Severity::kWarning});
  }
  void Finish(const std::string& base) {
    if (out_ != nullptr && count_ > kMaxWarnings) {
      out_->push_back(Error{ErrorCode::kWrongArgumentType, base,
                            std::to_string(count_ - kMaxWarnings) + " more ledger problems were not listed",
                            Severity::kWarning});
    }
  }

 private:
  std::vector<Error>* out_;
  size_t count_ = 0;
};

// Reads a required string field of an entry; reports and returns false when
// it is missing, not text, empty (when `nonempty`) or longer than `max`.
bool ReadString(const json& obj, const char* key, const std::string& path, size_t max, bool nonempty, Warner& warn,
                std::string* out) {
  auto it = obj.find(key);
  std::string p = JoinPointer(path, key);
  if (it == obj.end() || !it->is_string()) {
    warn(ErrorCode::kWrongArgumentType, p, std::string("\"") + key + "\" must be text; entry dropped");
    return false;
  }
  const std::string& s = it->get_ref<const std::string&>();
  if (nonempty && s.empty()) {
    warn(ErrorCode::kWrongArgumentType, p, std::string("\"") + key + "\" is empty; entry dropped");
    return false;
  }
  if (s.size() > max) {
    warn(ErrorCode::kTooLarge, p,
         std::string("\"") + key + "\" is " + std::to_string(s.size()) + " bytes, over the limit of " +
             std::to_string(max) + "; entry dropped");
    return false;
  }
  *out = s;
  return true;
}

bool ReadTime(const json& obj, const char* key, const std::string& path, Warner& warn, int64_t* out) {
  auto it = obj.find(key);
  std::optional<int64_t> t = it == obj.end() ? std::nullopt : Integral(*it, -kMaxAbsTime, kMaxAbsTime);
  if (!t) {
    warn(ErrorCode::kWrongArgumentType, JoinPointer(path, key),
         std::string("\"") + key + "\" must be a time in ms since the Unix epoch; entry dropped");
    return false;
  }
  *out = *t;
  return true;
}

// Optional `data`: a bad one is replaced by {} (the entry still counts).
json ReadData(const json& obj, const std::string& path, Warner& warn) {
  auto it = obj.find("data");
  if (it == obj.end() || it->is_null()) return json::object();
  if (!DataOk(*it)) {
    warn(ErrorCode::kWrongArgumentType, JoinPointer(path, "data"),
         "\"data\" must be a small object (at most " + std::to_string(kLedgerMaxDataBytes) +
             " bytes of JSON); replaced by {}");
    return json::object();
  }
  return *it;
}

}  // namespace

bool Ledger::Add(LedgerRecord r) {
  if (!RecordOk(r) || r.at < folded_before_ || ids_.count(r.id)) return false;
  InsertSorted(std::move(r));
  return true;
}

void Ledger::InsertSorted(LedgerRecord r) {
  ids_.insert(r.id);
  // Records mostly arrive in time order: appending is the common case.
  if (records_.empty() || !RecordLess(r, records_.back())) {
    records_.push_back(std::move(r));
    return;
  }
  auto it = std::upper_bound(records_.begin(), records_.end(), r, RecordLess);
  records_.insert(it, std::move(r));
}

int64_t Ledger::Count(std::string_view kind, std::string_view key, std::string_view action, int64_t from,
                      int64_t to) const {
  int64_t n = 0;
  if (from < folded_before_) {
    for (const auto& [k, count] : totals_) {
      if (Matches(kind, std::get<0>(k)) && Matches(key, std::get<1>(k)) && Matches(action, std::get<2>(k))) {
        n = SatAdd(n, count);
      }
    }
  }
  auto first = std::lower_bound(records_.begin(), records_.end(), from,
                                [](const LedgerRecord& r, int64_t t) { return r.at < t; });
  for (auto it = first; it != records_.end() && it->at < to; ++it) {
    if (Matches(kind, it->kind) && Matches(key, it->key) && Matches(action, it->action)) n = SatAdd(n, 1);
  }
  return n;
}

const Assignment* Ledger::FindAssignment(std::string_view experiment, std::string_view hash_attribute,
                                         std::string_view hash_value) const {
  auto want = std::make_tuple(experiment, hash_attribute, hash_value);
  auto it = std::lower_bound(assignments_.begin(), assignments_.end(), want, [](const Assignment& a, const auto& w) {
    return std::make_tuple(std::string_view(a.experiment), std::string_view(a.hash_attribute),
                           std::string_view(a.hash_value)) < w;
  });
  if (it == assignments_.end() || it->experiment != experiment || it->hash_attribute != hash_attribute ||
      it->hash_value != hash_value) {
    return nullptr;
  }
  return &*it;
}

bool Ledger::SetAssignment(Assignment a) {
  if (!AssignmentOk(a) || FindAssignment(a.experiment, a.hash_attribute, a.hash_value) != nullptr) return false;
  return UpsertAssignment(&assignments_, std::move(a));
}

void Ledger::FoldBefore(int64_t boundary) {
  if (boundary <= folded_before_) return;
  auto end = std::lower_bound(records_.begin(), records_.end(), boundary,
                              [](const LedgerRecord& r, int64_t t) { return r.at < t; });
  for (auto it = records_.begin(); it != end; ++it) {
    int64_t& total = totals_[TotalKey{it->kind, it->key, it->action}];
    total = SatAdd(total, 1);
    ids_.erase(it->id);
  }
  records_.erase(records_.begin(), end);
  folded_before_ = boundary;
}

void Ledger::FoldOldest(size_t keep) {
  if (records_.size() <= keep) return;
  // Fold through the newest record that has to go, and every record sharing
  // its time, so no kept record is older than folded_before().
  FoldBefore(records_[records_.size() - keep - 1].at + 1);
}

void Ledger::Compact(int64_t now, const LedgerPolicy& policy) {
  int64_t keep = std::clamp<int64_t>(policy.keep_ms, 0, 2 * kMaxAbsTime);
  int64_t clamped_now = std::clamp<int64_t>(now, -kMaxAbsTime, kMaxAbsTime);
  FoldBefore(clamped_now - keep);  // at least -3 * 8.64e15: no overflow
  FoldOldest(policy.max_records);
  DropOldestAssignments(&assignments_, policy.max_assignments);
}

void Ledger::Bound(const LedgerPolicy& policy) {
  if (records_.size() > policy.max_records + policy.max_records / 10) FoldOldest(policy.max_records);
  if (assignments_.size() > policy.max_assignments + policy.max_assignments / 10) {
    DropOldestAssignments(&assignments_, policy.max_assignments);
  }
}

void Ledger::Merge(const Ledger& other) {
  if (this == &other) return;
  Ledger theirs = other;
  const int64_t boundary = std::max(folded_before_, theirs.folded_before_);
  FoldBefore(boundary);
  theirs.FoldBefore(boundary);
  for (const auto& [key, count] : theirs.totals_) {
    int64_t& mine = totals_[key];
    mine = std::max(mine, count);
  }
  for (LedgerRecord& r : theirs.records_) {
    if (!ids_.count(r.id)) {
      InsertSorted(std::move(r));
      continue;
    }
    // Copies of one record share its time, so a binary search finds it; the
    // linear search is for ids reused with another time (callers never do).
    auto it = std::lower_bound(records_.begin(), records_.end(), r, RecordLess);
    if (it == records_.end() || it->id != r.id) {
      it = std::find_if(records_.begin(), records_.end(), [&](const LedgerRecord& m) { return m.id == r.id; });
    }
    if (RecordContentLess(r, *it)) {
      records_.erase(it);
      ids_.erase(r.id);
      InsertSorted(std::move(r));
    }
  }
  for (Assignment& a : theirs.assignments_) UpsertAssignment(&assignments_, std::move(a));
}

void Ledger::EraseKind(std::string_view kind) {
  std::erase_if(records_, [&](const LedgerRecord& r) {
    if (r.kind != kind) return false;
    ids_.erase(r.id);
    return true;
  });
  std::erase_if(totals_, [&](const auto& entry) { return std::get<0>(entry.first) == kind; });
}

void Ledger::ClearAssignments() { assignments_.clear(); }

// Filled with operator[], not initializer lists: the same objects with less
// code (the page runtime writes ledgers into the store).
json Ledger::ToJson() const {
  json records = json::array();
  for (const LedgerRecord& r : records_) {
    json& e = records.emplace_back(json::object());
    e["id"] = r.id;
    e["kind"] = r.kind;
    e["key"] = r.key;
    e["action"] = r.action;
    e["at"] = r.at;
    if (!r.data.empty()) e["data"] = r.data;
  }
  json totals = json::array();
  for (const auto& [k, count] : totals_) {
    json& e = totals.emplace_back(json::object());
    e["kind"] = std::get<0>(k);
    e["key"] = std::get<1>(k);
    e["action"] = std::get<2>(k);
    e["count"] = count;
  }
  json assignments = json::array();
  for (const Assignment& a : assignments_) {
    json& e = assignments.emplace_back(json::object());
    e["experiment"] = a.experiment;
    e["hash_attribute"] = a.hash_attribute;
    e["hash_value"] = a.hash_value;
    e["variation"] = a.variation;
    e["at"] = a.at;
    if (!a.data.empty()) e["data"] = a.data;
  }
  json out = json::object();
  out["tagwise_ledger"] = kLedgerFormatVersion;
  out["folded_before"] = folded_before_ == kNone ? json(nullptr) : json(folded_before_);
  out["records"] = std::move(records);
  out["totals"] = std::move(totals);
  out["assignments"] = std::move(assignments);
  return out;
}

Ledger Ledger::FromJson(const json& j, std::string_view path, std::vector<Error>* warnings,
                        const LedgerPolicy& policy) {
  Ledger l;
  const std::string base(path);
  Warner warn(warnings);
  if (!j.is_object()) {
    warn(ErrorCode::kWrongArgumentType, base, "the ledger is not an object; starting with an empty ledger");
    return l;
  }
  if (auto v = j.find("tagwise_ledger"); v != j.end()) {
    std::optional<int64_t> version = Integral(*v, 1, 1'000'000);
    if (!version) {
      warn(ErrorCode::kWrongArgumentType, JoinPointer(base, "tagwise_ledger"),
           "\"tagwise_ledger\" is the format version, a whole number (1); read as 1");
    } else if (*version > kLedgerFormatVersion) {
      warn(ErrorCode::kUnsupportedVersion, JoinPointer(base, "tagwise_ledger"),
           "the ledger was written in format version " + std::to_string(*version) + " by a newer tagwise; this one reads " +
               std::to_string(kLedgerFormatVersion) + ", so it starts with an empty ledger");
      return l;
    }
  }
  if (auto f = j.find("folded_before"); f != j.end() && !f->is_null()) {
    if (auto t = Integral(*f, -3 * kMaxAbsTime, kMaxAbsTime)) {
      l.folded_before_ = *t;
    } else {
      warn(ErrorCode::kWrongArgumentType, JoinPointer(base, "folded_before"),
           "\"folded_before\" must be a time in ms or null; read as null");
    }
  }
  auto list = [&](const char* key) -> const json* {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return nullptr;
    if (!it->is_array()) {
      warn(ErrorCode::kWrongArgumentType, JoinPointer(base, key), std::string("\"") + key + "\" must be a list; ignored");
      return nullptr;
    }
    return &*it;
  };

  if (const json* records = list("records")) {
    const std::string rbase = JoinPointer(base, "records");
    std::vector<LedgerRecord> kept;
    for (size_t i = 0; i < records->size(); ++i) {
      const json& e = (*records)[i];
      const std::string p = rbase + "/" + std::to_string(i);
      if (!e.is_object()) {
        warn(ErrorCode::kWrongArgumentType, p, "a record is an object {id, kind, key, action, at}; dropped");
        continue;
      }
      LedgerRecord r;
      if (!ReadString(e, "id", p, kLedgerMaxStringBytes, true, warn, &r.id) ||
          !ReadString(e, "kind", p, kLedgerMaxKindBytes, true, warn, &r.kind) ||
          !ReadString(e, "key", p, kLedgerMaxStringBytes, false, warn, &r.key) ||
          !ReadString(e, "action", p, kLedgerMaxStringBytes, false, warn, &r.action) ||
          !ReadTime(e, "at", p, warn, &r.at)) {
        continue;
      }
      if (r.at < l.folded_before_) {
        warn(ErrorCode::kWrongArgumentType, JoinPointer(p, "at"),
             "the record is older than folded_before, so the totals already count it; dropped");
        continue;
      }
      if (l.ids_.count(r.id)) {
        warn(ErrorCode::kDuplicateId, JoinPointer(p, "id"), "another record has the id \"" + r.id + "\"; dropped");
        continue;
      }
      r.data = ReadData(e, p, warn);
      l.ids_.insert(r.id);
      kept.push_back(std::move(r));
    }
    std::sort(kept.begin(), kept.end(), RecordLess);
    l.records_ = std::move(kept);
  }

  if (const json* totals = list("totals")) {
    const std::string tbase = JoinPointer(base, "totals");
    for (size_t i = 0; i < totals->size(); ++i) {
      const json& e = (*totals)[i];
      const std::string p = tbase + "/" + std::to_string(i);
      if (l.totals_.size() >= policy.max_totals) {
        warn(ErrorCode::kTooLarge, p,
             "more than " + std::to_string(policy.max_totals) + " totals; this one and the " +
                 std::to_string(totals->size() - i - 1) + " after it were dropped");
        break;
      }
      if (!e.is_object()) {
        warn(ErrorCode::kWrongArgumentType, p, "a total is an object {kind, key, action, count}; dropped");
        continue;
      }
      std::string kind, key, action;
      if (!ReadString(e, "kind", p, kLedgerMaxKindBytes, true, warn, &kind) ||
          !ReadString(e, "key", p, kLedgerMaxStringBytes, false, warn, &key) ||
          !ReadString(e, "action", p, kLedgerMaxStringBytes, false, warn, &action)) {
        continue;
      }
      auto c = e.find("count");
      std::optional<int64_t> count = c == e.end() ? std::nullopt : Integral(*c, 0, kMaxCount);
      if (!count) {
        warn(ErrorCode::kWrongArgumentType, JoinPointer(p, "count"),
             "\"count\" must be a whole number from 0 to 2^53; entry dropped");
        continue;
      }
      auto [it, inserted] = l.totals_.try_emplace(TotalKey{kind, key, action}, *count);
      if (!inserted) {
        warn(ErrorCode::kDuplicateId, p, "another total has the same kind, key and action; the larger count is kept");
        it->second = std::max(it->second, *count);
      }
    }
  }

  if (const json* assignments = list("assignments")) {
    const std::string abase = JoinPointer(base, "assignments");
    for (size_t i = 0; i < assignments->size(); ++i) {
      const json& e = (*assignments)[i];
      const std::string p = abase + "/" + std::to_string(i);
      if (!e.is_object()) {
        warn(ErrorCode::kWrongArgumentType, p,
             "an assignment is an object {experiment, hash_attribute, hash_value, variation, at}; dropped");
        continue;
      }
      Assignment a;
      if (!ReadString(e, "experiment", p, kLedgerMaxStringBytes, true, warn, &a.experiment) ||
          !ReadString(e, "hash_attribute", p, kLedgerMaxStringBytes, true, warn, &a.hash_attribute) ||
          !ReadString(e, "hash_value", p, kLedgerMaxStringBytes, false, warn, &a.hash_value)) {
        continue;
      }
      auto v = e.find("variation");
      std::optional<int64_t> variation = v == e.end() ? std::nullopt : Integral(*v, 0, 1'000'000'000);
      if (!variation) {
        warn(ErrorCode::kWrongArgumentType, JoinPointer(p, "variation"),
             "\"variation\" must be a whole number from 0; entry dropped");
        continue;
      }
      a.variation = static_cast<int>(*variation);
      if (!ReadTime(e, "at", p, warn, &a.at)) continue;
      a.data = ReadData(e, p, warn);
      if (l.FindAssignment(a.experiment, a.hash_attribute, a.hash_value) != nullptr) {
        warn(ErrorCode::kDuplicateId, p,
             "another assignment has the same experiment, attribute and value; the earlier one is kept");
      }
      UpsertAssignment(&l.assignments_, std::move(a));
    }
    if (size_t dropped = DropOldestAssignments(&l.assignments_, policy.max_assignments)) {
      warn(ErrorCode::kTooLarge, abase,
           "more than " + std::to_string(policy.max_assignments) + " assignments; the " + std::to_string(dropped) +
               " oldest were dropped");
    }
  }

  if (l.records_.size() > policy.max_records) {
    size_t before = l.records_.size();
    l.FoldOldest(policy.max_records);
    warn(ErrorCode::kTooLarge, JoinPointer(base, "records"),
         "more than " + std::to_string(policy.max_records) + " records; the " +
             std::to_string(before - l.records_.size()) + " oldest were folded into totals");
  }
  warn.Finish(base);
  return l;
}

void Ledger::PruneForPurposes(const PurposeSet& granted,
                              const std::function<std::string(const LedgerRecord&)>& purpose_of) {
  auto on = [&](const std::string& p) { return p == kNecessaryPurpose || granted.count(p) > 0; };
  std::set<std::string> kinds_losing;
  for (const LedgerRecord& r : records_) {
    if (!on(purpose_of(r))) kinds_losing.insert(r.kind);
  }
  for (const std::string& kind : kinds_losing) {
    std::vector<LedgerRecord> keep;
    for (const LedgerRecord& r : records_) {
      if (r.kind == kind && on(purpose_of(r))) keep.push_back(r);
    }
    EraseKind(kind);
    for (LedgerRecord& r : keep) Add(std::move(r));
  }
  const auto off = [&](const Assignment& a) { return !on(a.data.value("purpose", std::string("analytics"))); };
  if (std::any_of(assignments_.begin(), assignments_.end(), off)) {
    assignments_.erase(std::remove_if(assignments_.begin(), assignments_.end(), off), assignments_.end());
  }
}

}  // namespace tagwise
