// Batch evaluation over typed columns: the fast path of
// compileRules(...).evaluateMany(records).
//
// A rule set knows which `var` paths it reads. When every rule uses only what
// this evaluator covers (below), the caller sends each record as one cell per
// path — a kind byte and a double (a number, a string id or an array's place
// in a pool) — instead of one JSON text per record, and strings as ids into
// one table per batch: the set's own literal strings first (ids 0..n-1), then
// the batch's strings. Strings compare by text (length first), so the caller
// need not intern them: the same id twice is the same text, which spares
// even that. Nothing is parsed or allocated per record. The results are the same as Rule::Evaluate's on the record's JSON
// (tests/core/rules/column_rules_test.cpp and the json-logic-js differential
// test check it).
//
// Covered: literals (null, booleans, numbers, strings, arrays of those),
// `var` with a fixed path (and a default), `if`, `and`, `or`, `!`, `!!`,
// `==` `!=` `===` `!==` `<` `<=` `>` `>=` (two or three arguments), `+` `-`
// `*` `/` `%`, `min`, `max`, `in`, `cat`, `substr`, `now`, and `some` / `all`
// / `none` whose body reads only the element (`{"var": ""}`). Anything else
// (`events`, `missing`, `reduce`, objects, computed paths, ...) makes Build()
// return null and the caller uses RuleBatch on JSON text.
//
// A cell whose value the columns cannot hold (an object, an array of
// objects, ...) is the caller's to route: it marks the whole record
// kColSkip and evaluates that record through RuleBatch instead.
#ifndef TAGWISE_RULE_COLUMNS_H_
#define TAGWISE_RULE_COLUMNS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/rule.h"
#include "tagwise/rule_batch.h"

namespace tagwise {

// Kind of one cell. Keep in sync with js/rule_columns.js (COL_*).
enum ColumnKind : uint8_t {
  kColMissing = 0,  // no such field (JSON would leave it out): `var` gives its default
  kColNull = 1,     // null (and NaN / ±Infinity, which JSON.stringify writes as null)
  kColFalse = 2,
  kColTrue = 3,
  kColNumber = 4,   // value: the number
  kColString = 5,   // value: the string's id
  kColArray = 6,    // value: offset in the pool: [length, kind, value, kind, value, ...]
  kColSkip = 7,     // (first cell of a record) the caller evaluates this record itself
};

// One batch of records as columns; every pointer is the caller's and is only
// read during Evaluate.
struct ColumnInput {
  size_t records = 0;
  size_t columns = 0;               // == ColumnRules::paths().size()
  const uint8_t* kinds = nullptr;   // records x columns, record-major
  const double* values = nullptr;   // records x columns
  const double* pool = nullptr;     // array cells; elements are never arrays
  size_t pool_size = 0;
  // The batch's strings beyond the set's own: string id strings().size() + i
  // is the UTF-8 text blob[offsets[i], offsets[i + 1]).
  size_t strings = 0;
  const uint32_t* offsets = nullptr;  // strings + 1 entries
  const char* blob = nullptr;
  size_t blob_size = 0;
};

// Buffers an evaluation reuses from the last one (one per caller; not to be
// shared between threads).
class ColumnScratch {
 public:
  ColumnScratch();
  ~ColumnScratch();
  ColumnScratch(const ColumnScratch&) = delete;
  ColumnScratch& operator=(const ColumnScratch&) = delete;
  struct Buffers;

 private:
  friend class ColumnRules;
  std::unique_ptr<Buffers> buffers_;
};

class ColumnRules {
 public:
  ~ColumnRules();
  ColumnRules(const ColumnRules&) = delete;
  ColumnRules& operator=(const ColumnRules&) = delete;

  // The column form of `rules`, or null when some rule uses what it does not cover.
  static std::unique_ptr<ColumnRules> Build(const std::vector<std::shared_ptr<const Rule>>& rules);

  // The `var` paths read, one column each, as written ("profile.segment").
  const std::vector<std::string>& paths() const { return paths_; }
  // The rules' literal strings: string ids 0..size()-1.
  const std::vector<std::string>& strings() const { return strings_; }
  // Whether any rule reads the time (`now`); if not, Evaluate's `now` is not read.
  bool reads_time() const { return reads_time_; }

  // Evaluates every rule on every record into `out` (as RuleBatch::Evaluate
  // does; records marked kColSkip get null slots). Never throws; a malformed
  // input makes out->failed().
  void Evaluate(const ColumnInput& in, double now, double max_steps, RuleBatch* out, ColumnScratch* scratch) const;

  struct Node;  // column plan node (rule_columns.cpp)

 private:
  ColumnRules();
  std::vector<Node> roots_;
  std::vector<std::string> paths_;
  std::vector<std::string> strings_;
  bool reads_time_ = false;
};

// The cells of JSON records, as js/rule_columns.js writes them for JS values:
// for native callers, tests and benchmarks. A record the cells cannot hold as
// its JSON (not an object, an object or nested list where a rule reads a
// value, a string or list on the way down a path) is marked kColSkip, for
// RuleBatch to evaluate instead.
class ColumnRecords {
 public:
  // `unique_strings`: one id per distinct string (the set's own literals
  // keep theirs); otherwise every string gets a new id, which is valid too.
  void Encode(const ColumnRules& rules, const nlohmann::json& records, bool unique_strings = true);
  // Valid until the next Encode.
  const ColumnInput& input() const { return input_; }
  // Per record: marked kColSkip.
  const std::vector<bool>& skipped() const { return skipped_; }

 private:
  std::vector<uint8_t> kinds_;
  std::vector<double> values_;
  std::vector<double> pool_;
  std::vector<uint32_t> offsets_;
  std::string blob_;
  std::vector<bool> skipped_;
  ColumnInput input_;
};

}  // namespace tagwise

#endif  // TAGWISE_RULE_COLUMNS_H_
