// Evaluating many records with many compiled rules in one call, into typed
// result columns: one kind byte and one double per (record, rule) slot, plus
// one JSON text table for strings (each distinct string once per batch) and
// complex values. Results are mostly booleans and numbers, so they cross to
// JS as typed arrays (js/codec.js reads them); doubles keep NaN, ±Infinity and
// -0 exactly, which JSON text cannot. The compiled-rule handle of the JS API
// (compileRules(...).evaluateMany) is a thin wrapper around this.
#ifndef TAGWISE_RULE_BATCH_H_
#define TAGWISE_RULE_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/error.h"
#include "tagwise/json_writer.h"
#include "tagwise/rule.h"

namespace tagwise {

// Kind of one result slot. Keep in sync with js/codec.js (KIND_*).
enum Kind : uint8_t {
  kKindNull = 0,
  kKindFalse = 1,
  kKindTrue = 2,
  kKindNumber = 3,   // value in nums[slot]
  kKindTable = 4,    // string or complex value: table[nums[slot]]
  kKindPatched = 5,  // table[nums[slot]] is [value, [[path...], "NaN"|"Infinity"|"-Infinity"]...]
  kKindError = 6,    // table[nums[slot]] is {code, path, message, value?}
};

// Reusable buffers of one batch evaluation. Not thread-safe; the columns are
// valid until the next Evaluate.
class RuleBatch {
 public:
  // Evaluates every rule on every record of `records_json` (a JSON array)
  // at `now`, with `profile_json` (a profile, or "" for none) as what
  // `events` reads. The rules of one record share one budget: `max_steps`
  // steps and `max_bytes` bytes of built values (each >= 1; otherwise
  // kDefaultCallSteps/Bytes), so a batch of 3 costly rules costs one budget
  // per record, not three; a record past it gets evaluation_limit or
  // budget_exceeded in its slots and the next record starts afresh. Never
  // throws: a problem with the batch itself makes failed() true, with the
  // problem as the table text `[{"code", "path", "message"}]`.
  void Evaluate(const std::vector<std::shared_ptr<const Rule>>& rules, std::string_view records_json, double now,
                std::string_view profile_json, double max_steps, double max_bytes = 0);

  bool failed() const { return failed_; }
  size_t records() const { return records_; }
  // One per slot, record-major: slot = record * rules + rule.
  const std::vector<uint8_t>& kinds() const { return kinds_; }
  const std::vector<double>& nums() const { return nums_; }
  // The JSON array text of table entries (strings, complex values, errors).
  const std::string& table() const { return text_; }

  // For an evaluator that fills the columns itself (ColumnRules,
  // tagwise/rule_columns.h): Begin(), then per slot AddSlot() and one Set*,
  // then Finish(records) — or Fail() at any point.
  void Begin();
  size_t AddSlot() {
    kinds_.push_back(kKindNull);
    nums_.push_back(0.0);
    return kinds_.size() - 1;
  }
  void SetBool(size_t slot, bool b) { kinds_[slot] = b ? kKindTrue : kKindFalse; }
  void SetNumber(size_t slot, double d) {
    kinds_[slot] = kKindNumber;
    nums_[slot] = d;
  }
  // Returns the string's table index, which SetTableEntry reuses for the same string.
  size_t SetString(size_t slot, std::string_view s);
  void SetTableEntry(size_t slot, size_t index) {
    kinds_[slot] = kKindTable;
    nums_[slot] = static_cast<double>(index);
  }
  void SetValue(size_t slot, const nlohmann::json& v) { Store(slot, v); }
  void SetError(size_t slot, const Error& e) { StoreError(slot, e); }
  void Finish(size_t records);
  void Fail(ErrorCode code, std::string path, std::string message);

 private:
  // Strings looked up by view, without a copy.
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  void EvaluateOrThrow(std::string_view records_text, double now, std::string_view profile_text);
  void BeginResults();
  void EvaluateRecord(const nlohmann::json& data);
  void BeginTableEntry(size_t slot, Kind kind);
  void Store(size_t slot, const nlohmann::json& v);
  void StoreError(size_t slot, const Error& e);

  const std::vector<std::shared_ptr<const Rule>>* rules_ = nullptr;  // of the call in progress
  EvalContext ctx_;  // of the call in progress
  EvalBudget per_record_;  // what each record's rules may use together
  EvalBudget budget_;      // what the current record's rules have left
  std::vector<uint8_t> kinds_;
  std::vector<double> nums_;
  std::string text_;
  size_t table_size_ = 0;
  size_t records_ = 0;
  bool failed_ = false;
  std::unordered_map<std::string, size_t, StringHash, std::equal_to<>> strings_;
  std::vector<NonFinite> non_finite_;
  JsonWriter serializer_;
};

}  // namespace tagwise

#endif  // TAGWISE_RULE_BATCH_H_
