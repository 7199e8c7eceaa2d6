// Rules: JsonLogic-compatible JSON plus tagwise's behaviour operators
// (DESIGN.md section 4), compiled once into an immutable plan.
//
//   auto compiled = tagwise::CompileRule(nlohmann::json::parse(R"(
//       {">=": [{"events": [{"type": "order_paid", "within": "30d"}]}, 5]})"));
//   if (!compiled.ok()) { print(tagwise::FormatIssues(compiled.issues)); }
//   tagwise::EvalContext ctx{.now = now_ms, .profile = &profile};
//   tagwise::Result<nlohmann::json> r = compiled.rule->Evaluate(data, ctx);
//
// A Rule is immutable after compilation: Evaluate() is const and may be called
// from several threads at once. Evaluation never throws and never aborts; a
// `throw` operator (or a limit) yields an Error value.
#ifndef TAGWISE_RULE_H_
#define TAGWISE_RULE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/error.h"
#include "tagwise/limits.h"
#include "tagwise/profile.h"

namespace tagwise {

// Limits are options; each has a test. Defaults suit rules written by people.
struct CompileOptions {
  // Deepest nesting of operations. 10,000-level rules are rejected cleanly
  // instead of overflowing the (small) WebAssembly stack.
  int max_depth = 128;
  // Most nodes (operations + literals) in one rule.
  int max_nodes = 100000;
  // Longest rule text CompileRuleText (and the wasm boundary) accepts, in
  // bytes; checked before parsing. Default kDefaultMaxRuleBytes (16 MiB).
  size_t max_bytes = kDefaultMaxRuleBytes;
  // When set, `tag`/`tag_value` must name one of these ids (catalog compile).
  const std::vector<std::string>* known_tags = nullptr;
};

struct EvalOptions {
  // Upper bound on evaluation steps (iterations + operations) per Evaluate();
  // guards against rules such as nested map/reduce over huge arrays.
  int64_t max_steps = 50'000'000;
  // Upper bound on the bytes of values one Evaluate() builds (strings from
  // `cat`, lists from `merge`/`map`/`filter`, copies `reduce` makes), counted
  // as they are built. A rule that doubles a list in `reduce` reaches
  // gigabytes in 30 steps, which the step bound never sees, and a page's
  // wasm heap never shrinks. 32 MiB is 2x the largest rule and far above
  // what the example catalogs and conformance suites build (under 1 MiB).
  int64_t max_built_bytes = int64_t{32} << 20;
};

// Work shared by the evaluations of one call: the catalog engine gives all
// tags of one profile in one pass a single budget (EngineOptions), so a
// catalog of expensive rules costs one budget, not one per rule. Each
// Evaluate() may use what is left (and at most its own EvalOptions) and
// subtracts what it used, whether it succeeded or not.
struct EvalBudget {
  int64_t steps = 0;
  int64_t bytes = 0;
};

// The default budget of one call (one pass over a catalog, one record of a
// rule batch, one experiment or offers call; createTagwise's limits.maxSteps
// and limits.maxBuiltBytes). 20M steps take about 0.2 s in V8, so a call
// that hits it leaves a page responsive (tests/browser/budget.test.mjs); the
// heaviest real pass measured needs 412,187 steps (docs/hardening.md).
inline constexpr int64_t kDefaultCallSteps = 20'000'000;
inline constexpr int64_t kDefaultCallBytes = int64_t{64} << 20;

// A limit passed from JS as a double: `fallback` unless it is at least 1.
inline int64_t CallLimit(double v, int64_t fallback) {
  return v >= 1 ? static_cast<int64_t>(v < 9e18 ? v : 9e18) : fallback;
}

// Answers `tag`/`tag_value` during evaluation (the catalog engine implements it).
class TagResolver {
 public:
  virtual ~TagResolver() = default;
  virtual bool HasTag(std::string_view id) const = 0;
  // The tag's value: its `value` rule result, `true` for a plain tag, null if absent.
  virtual nlohmann::json TagValue(std::string_view id) const = 0;
};

struct EventsSpec;  // an `events` aggregate's arguments (core/src/rules/plan.h)

// `events` aggregates already computed in one evaluation pass (one profile,
// one `now`): a catalog's tags often count the same thing (orders in 90
// days, spend), and each is then counted once. Aggregates with a `where`
// rule are not kept (their rule could read more than the event).
struct AggregateMemo {
  struct Entry {
    const EventsSpec* spec = nullptr;
    nlohmann::json value;
  };
  // A fixed number (no growth code in the page module): aggregates past it
  // are counted each time, as without a memo.
  static constexpr size_t kCapacity = 64;
  Entry entries[kCapacity];
  size_t size = 0;
};

// `where` verdicts by the text they read, shared by the profiles of one
// batch (VisitorSession::TagProfiles; the Node module only, see
// ReadsOnePath in core/src/rules/compiler.cpp). A `where` that reads one
// prop path and nothing else, such as
// {"in": ["CHRISTMAS", {"var": "description"}]}, gives the same verdict for
// the same text, and a shop's order lines repeat a few thousand product
// names hundreds of thousands of times. Each event's text is looked up once
// per path (an id shared by every `where` reading that path), each verdict
// is computed once per text. A kept verdict is charged the steps it took,
// as the profile's EventMemo does, so budgets do not move.
class WhereVerdicts {
 public:
  struct Verdict {
    uint8_t state = 0;  // 0 not known yet, 1 false, 2 true
    uint32_t steps = 0;
  };
  static constexpr uint32_t kNoText = UINT32_MAX;
  // Texts kept per path; past it the verdicts of new texts are computed each time.
  static constexpr size_t kMaxTexts = 200'000;

  // Call before evaluating each profile: event ids are per profile.
  void StartProfile();

  // The texts at one path: Id(i, props) is the id of the text in event `i`
  // of the current profile, or kNoText when the value there is not a text.
  class Texts {
   public:
    uint32_t Id(size_t i, const nlohmann::json& props) {
      uint32_t& id = of_event_[i];
      return id != kUnseen ? id : (id = Lookup(props));
    }

   private:
    friend class WhereVerdicts;
    static constexpr uint32_t kUnseen = UINT32_MAX - 1;
    uint32_t Lookup(const nlohmann::json& props);
    struct Hash {
      using is_transparent = void;
      size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::vector<std::string> path_;
    std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> ids_;
    std::vector<uint32_t> of_event_;  // per event of the current profile
  };
  // The texts at `path` for a profile of `events` events.
  Texts& ForPath(const std::vector<std::string>& path, size_t events);
  // The verdicts of one `where` (keyed by its spec), by text id; state 0 until set.
  std::vector<Verdict>& ForWhere(const void* where);

 private:
  std::vector<std::unique_ptr<Texts>> paths_;  // one per distinct path: few
  std::vector<std::pair<const void*, std::vector<Verdict>>> wheres_;  // one per `where`: few
};

struct EvalContext {
  int64_t now = 0;                       // evaluation time, ms since epoch
  const Profile* profile = nullptr;      // for `events`; none means no events
  const TagResolver* tags = nullptr;     // for `tag`/`tag_value`; none means no tags
  EvalOptions options;
  // Set by the catalog engine for one pass over its tags; must not outlive
  // that pass (a different profile or `now` would read stale counts).
  AggregateMemo* aggregates = nullptr;
  // Set by the catalog engine for one pass (see EvalBudget); none: only EvalOptions bound the work.
  EvalBudget* budget = nullptr;
  // Set by a batch over many profiles (see WhereVerdicts); none: not kept.
  WhereVerdicts* where_verdicts = nullptr;
};

class Node;  // internal plan node (core/src/rules/plan.h)

class Rule {
 public:
  ~Rule();
  Rule(const Rule&) = delete;
  Rule& operator=(const Rule&) = delete;

  // Evaluates against `data` (what `var`/`val` read). Deterministic given ctx.
  Result<nlohmann::json> Evaluate(const nlohmann::json& data, const EvalContext& ctx) const;

  // Evaluates like Evaluate() and also returns the rule tree with each
  // evaluated node's value: {"op", "path", "value", "matched"? (events),
  // "args": [...]}. Nodes a short-circuit skipped are absent. For "why?" UIs.
  Result<nlohmann::json> Trace(const nlohmann::json& data, const EvalContext& ctx) const;

  // Tag ids referenced by `tag`/`tag_value`, sorted and unique (for dependency order).
  const std::vector<std::string>& referenced_tags() const { return referenced_tags_; }
  // Event types an `events` aggregate reads ("*" when a type is computed at run time).
  const std::vector<std::string>& referenced_event_types() const { return event_types_; }
  // Top-level `var` paths read (first segment), for column marshalling.
  const std::vector<std::string>& referenced_vars() const { return vars_; }
  // The rule exactly as compiled (canonical JSON form).
  const nlohmann::json& source() const { return source_; }

 private:
  friend class Compiler;
  friend class ConditionCompiler;  // condition.h: MongoDB-style conditions
  friend class ColumnRules;        // rule_columns.h: the batch evaluator over columns
  friend class SqlRules;           // sql.h: the catalog compiled to SQL
  Rule();
  std::unique_ptr<Node> root_;
  nlohmann::json source_;
  std::vector<std::string> referenced_tags_;
  std::vector<std::string> event_types_;
  std::vector<std::string> vars_;
};

struct CompileResult {
  std::shared_ptr<const Rule> rule;  // null when any error-severity issue exists
  std::vector<Error> issues;         // every problem found, errors and warnings
  bool ok() const { return rule != nullptr; }
};

[[nodiscard]] CompileResult CompileRule(const nlohmann::json& rule, const CompileOptions& options = {});

// Parses then compiles; invalid JSON gives one kInvalidJson issue naming the byte.
[[nodiscard]] CompileResult CompileRuleText(std::string_view json_text, const CompileOptions& options = {});

// Whether a rule's result counts as true, by JsonLogic's rules (JavaScript
// truthiness, except that an empty array is false). For callers that use a
// rule as a filter, e.g. the recommendation `filter`.
bool IsTruthy(const nlohmann::json& value);

// Parses a duration: "90s", "15m", "12h", "30d", "2w", "500ms" or a number of ms.
[[nodiscard]] std::optional<int64_t> ParseDuration(const nlohmann::json& d);
// Parses ISO 8601 ("2026-11-01", "2026-11-01T08:00:00Z", "...+08:00", fractions) to ms.
[[nodiscard]] std::optional<int64_t> ParseIsoDate(std::string_view s);

}  // namespace tagwise

#endif  // TAGWISE_RULE_H_
