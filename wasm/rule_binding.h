#ifndef TAGWISE_WASM_RULE_BINDING_H_
#define TAGWISE_WASM_RULE_BINDING_H_

// The rule engine's wasm entry points: marshal in, call core, marshal out.
// Shared by the embind registration (rule_bindings.cpp: the full and Node
// modules) and the page runtime's C ABI (page_abi.cpp).
//
// Contract with js/ (js/tagwise.js, js/codec.js are the only callers):
//  - Text crosses as UTF-8 bytes the JS side wrote into a _malloc'd buffer,
//    passed as (ptr, len); nothing here keeps those pointers after returning.
//  - Answers cross as ONE JSON text per call (JSON.parse on the JS side).
//  - Errors cross as values, never as exceptions: every entry point catches
//    everything (including std::bad_alloc) and returns {ok: false, errors}.
//  - One class handle, RuleSet: an immutable list of compiled rules. A batch
//    (N records x M rules) is ONE call that returns a pointer to a result
//    header in wasm memory (layout below) over the columns of a core
//    RuleBatch (tagwise/rule_batch.h), read by js/codec.js with typed arrays.
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "results.h"
#include "tagwise/answer.h"
#include "tagwise/error.h"
#include "tagwise/json_text.h"
#include "tagwise/limits.h"
#include "tagwise/lint.h"
#include "tagwise/profile.h"
#include "tagwise/rule.h"
#include "tagwise/rule_batch.h"
#ifndef TAGWISE_NO_COLUMNS
#include "tagwise/rule_columns.h"
#endif
#include "tagwise/rule_text.h"

namespace tagwise::wasm {

// Layout of the header evaluate() returns (uint32 words). Keep in sync with js/codec.js.
enum HeaderWord : uint32_t {
  kStatus = 0,      // 0 ok, 1 error (table text is then [{code, path, message}...])
  kSlots = 1,       // records x rules
  kKindsPtr = 2,
  kNumsPtr = 3,
  kTextPtr = 4,
  kTextLen = 5,
  kRecords = 6,
  kHeaderWords = 8,
};

// Layout of the batch description evaluateColumns() reads (uint32 words).
// Keep in sync with js/rule_columns.js.
enum ColumnWord : uint32_t {
  kColRecords = 0,
  kColColumns = 1,
  kColKinds = 2,     // uint8 per cell, record-major
  kColValues = 3,    // float64 per cell
  kColPool = 4,      // float64: arrays
  kColPoolSize = 5,  // float64 count
  kColStrings = 6,   // the batch's own strings
  kColOffsets = 7,   // uint32, strings + 1
  kColBlob = 8,      // their UTF-8 text
  kColBlobSize = 9,  // its bytes
  kColumnWords = 10,
};

// ---------------------------------------------------------------- issues out

// {code, path, message, severity, ruleIndex?}.
inline std::string IssueText(const Error& e, int rule_index) {
  ObjectText o = ProblemObject(e);
  if (rule_index >= 0) o.Add("ruleIndex", rule_index);
  return o.Close();
}

inline CompileOptions MakeCompileOptions(int max_depth, int max_nodes) {
  CompileOptions options;
  if (max_depth > 0) options.max_depth = max_depth;
  if (max_nodes > 0) options.max_nodes = max_nodes;
  return options;
}

// ---------------------------------------------------------------- RuleSet

// An immutable list of compiled rules, owned by one JS wrapper (js/tagwise.js
// frees it with dispose() or a FinalizationRegistry). Also owns the buffers of
// the last evaluate() result, valid until the next call on this handle.
class RuleSet {
 public:
  RuleSet() = default;

  // Compiles `text` (a JSON rule, or when `many` a JSON array of rules).
  // Returns {ok: true, warnings} or {ok: false, errors}; on failure the set is
  // left unchanged. For a set, issue paths are prefixed with "/<index>".
  std::string Compile(uintptr_t ptr, size_t len, bool many, int max_depth, int max_nodes) {
    return Guard([&]() -> std::string {
      const CompileOptions options = MakeCompileOptions(max_depth, max_nodes);
      // A set of rules may be as large as a catalog.
      if (auto e = CheckInputBytes(len, many ? kDefaultMaxCatalogBytes : options.max_bytes,
                                   many ? "rule list" : "rule")) {
        return FailureText({*e});
      }
      Result<nlohmann::json> parsed = ParseJson(View(ptr, len), "rule", many ? 1 : 0, OnBadAlloc::kReport);
      if (!parsed.ok()) return FailureText({parsed.error()});
      const nlohmann::json& input = parsed.value();
      std::vector<std::shared_ptr<const Rule>> rules;
      std::vector<std::string> errors;  // issue texts
      std::vector<std::string> warnings;
      bool failed = false;
      auto compile_one = [&](const nlohmann::json& rule, int index) {
        CompileResult r = CompileRule(rule, options);
        for (Error& issue : r.issues) {
          if (index >= 0) issue.path = "/" + std::to_string(index) + issue.path;
          (issue.severity == Severity::kError ? errors : warnings).push_back(IssueText(issue, index));
        }
        if (!r.ok()) failed = true;
        rules.push_back(std::move(r.rule));
      };
      if (many) {
        if (!input.is_array()) {
          return FailureText(ErrorCode::kInvalidRule, "", "A rule set must be an array of rules.");
        }
        for (size_t i = 0; i < input.size(); ++i) compile_one(input[i], static_cast<int>(i));
      } else {
        compile_one(input, -1);
      }
      if (failed) {
        // Report warnings too: `errors` lists every problem found.
        errors.insert(errors.end(), warnings.begin(), warnings.end());
        return ObjectText().Add("ok", false).AddText("errors", ArrayText(errors)).Close();
      }
      rules_ = std::move(rules);
#ifndef TAGWISE_NO_COLUMNS
      columns_ = ColumnRules::Build(rules_);
#endif
      return ObjectText().Add("ok", true).AddText("warnings", ArrayText(warnings)).Close();
    });
  }

  size_t Size() const { return rules_.size(); }

  // Canonical JSON text of rule `i` (as compiled).
  std::string Source(size_t i) const {
    if (i >= rules_.size()) return "null";
    return ToJsonText(rules_[i]->source());
  }

  // Evaluates every rule on every record. `records` is a JSON array text;
  // `profile` a JSON profile text (len 0: none). Returns a pointer to the
  // header (HeaderWord); the buffers stay valid until the next call.
  uintptr_t Evaluate(uintptr_t rec_ptr, size_t rec_len, double now, uintptr_t prof_ptr,
                     size_t prof_len, double max_steps, double max_bytes) {
    batch_.Evaluate(rules_, View(rec_ptr, rec_len), now, View(prof_ptr, prof_len), max_steps, max_bytes);
    return Header();
  }

#ifndef TAGWISE_NO_COLUMNS
  // The column form of the set (tagwise/rule_columns.h) as JSON text:
  // {"paths": [...], "strings": [...], "now": reads the time}, or null when
  // the rules need the JSON path.
  std::string Columns() const {
    if (columns_ == nullptr) return "null";
    nlohmann::json out = nlohmann::json::object();
    out["paths"] = columns_->paths();
    out["strings"] = columns_->strings();
    out["now"] = columns_->reads_time();
    return DumpValue(out);
  }

  // This set's address, for tagwise_rules_evaluate_columns (rule_bindings.cpp).
  uintptr_t Address() { return reinterpret_cast<uintptr_t>(this); }

  // Evaluates a batch sent as columns (js/rule_columns.js). `desc` points at
  // ColumnWord uint32 words describing it. Returns the header, as Evaluate.
  uintptr_t EvaluateColumns(uintptr_t desc, double now, double max_steps) {
    if (columns_ == nullptr) {
      batch_.Fail(ErrorCode::kWrongArgumentType, "", "This rule set has no column form.");
      return Header();
    }
    const auto* w = reinterpret_cast<const uint32_t*>(desc);
    ColumnInput in;
    in.records = w[kColRecords];
    in.columns = w[kColColumns];
    in.kinds = reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(w[kColKinds]));
    in.values = reinterpret_cast<const double*>(static_cast<uintptr_t>(w[kColValues]));
    in.pool = reinterpret_cast<const double*>(static_cast<uintptr_t>(w[kColPool]));
    in.pool_size = w[kColPoolSize];
    in.strings = w[kColStrings];
    in.offsets = reinterpret_cast<const uint32_t*>(static_cast<uintptr_t>(w[kColOffsets]));
    in.blob = reinterpret_cast<const char*>(static_cast<uintptr_t>(w[kColBlob]));
    in.blob_size = w[kColBlobSize];
    columns_->Evaluate(in, now, max_steps, &batch_, &column_scratch_);
    return Header();
  }
#endif

 private:
  uintptr_t Header() {
    header_[kStatus] = batch_.failed() ? 1 : 0;
    header_[kSlots] = static_cast<uint32_t>(batch_.kinds().size());
    header_[kKindsPtr] = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(batch_.kinds().data()));
    header_[kNumsPtr] = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(batch_.nums().data()));
    header_[kTextPtr] = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(batch_.table().data()));
    header_[kTextLen] = static_cast<uint32_t>(batch_.table().size());
    header_[kRecords] = static_cast<uint32_t>(batch_.records());
    return reinterpret_cast<uintptr_t>(header_);
  }

  std::vector<std::shared_ptr<const Rule>> rules_;
#ifndef TAGWISE_NO_COLUMNS
  std::unique_ptr<ColumnRules> columns_;  // null when some rule needs the JSON path
  ColumnScratch column_scratch_;
#endif
  RuleBatch batch_;  // the last evaluate()'s columns
  uint32_t header_[kHeaderWords] = {};
};

// ---------------------------------------------------------------- free functions

// Every problem of one rule (JSON text), without keeping a handle: a JSON
// array of issues.
inline std::string Validate(uintptr_t ptr, size_t len, int max_depth, int max_nodes) {
  try {
    const CompileOptions options = MakeCompileOptions(max_depth, max_nodes);
    if (auto e = CheckInputBytes(len, options.max_bytes, "rule")) return ProblemsText({*e});
    Result<nlohmann::json> parsed = ParseJson(View(ptr, len), "rule", 0, OnBadAlloc::kReport);
    if (!parsed.ok()) return ProblemsText({parsed.error()});
    CompileResult compiled = CompileRule(parsed.value(), options);
    std::vector<Error>& issues = compiled.issues;
#ifndef TAGWISE_PAGE_RUNTIME  // the static cost estimate is lint's: the full module only
    if (compiled.rule != nullptr) {
      for (RuleCost& c : RuleCostWarnings(parsed.value(), options.max_depth)) {
        issues.push_back(Error{ErrorCode::kCostlyRule, std::move(c.path), std::move(c.message), Severity::kWarning});
      }
    }
#endif
    return ProblemsText(issues);
  } catch (...) {
    return ProblemsText({Error{ErrorCode::kTooLarge, "", "The rule could not be processed."}});
  }
}

#ifndef TAGWISE_PAGE_RUNTIME  // the text form: the full module only
// Text form -> {ok: true, value: JSON text} or {ok: false, errors}.
inline std::string ParseText(uintptr_t ptr, size_t len) {
  return Guard([&]() -> std::string {
    if (auto e = CheckInputBytes(len, kDefaultMaxRuleBytes, "rule")) return FailureText({*e});
    Result<nlohmann::json> r = ParseRuleText(View(ptr, len));
    if (!r.ok()) return FailureText({r.error()});
    return ObjectText().Add("ok", true).Add("value", ToJsonText(r.value())).Close();
  });
}

// JSON rule text -> {ok: true, value: text form} or {ok: false, errors}.
inline std::string FormatText(uintptr_t ptr, size_t len) {
  return Guard([&]() -> std::string {
    if (auto e = CheckInputBytes(len, kDefaultMaxRuleBytes, "rule")) return FailureText({*e});
    Result<nlohmann::json> parsed = ParseJson(View(ptr, len), "rule", 0, OnBadAlloc::kReport);
    if (!parsed.ok()) return FailureText({parsed.error()});
    Result<std::string> r = FormatRule(parsed.value());
    if (!r.ok()) return FailureText({r.error()});
    return ObjectText().Add("ok", true).Add("value", r.value()).Close();
  });
}
#endif

// Every ErrorCode name in declaration order (tests compare it with index.d.ts).
inline std::string ErrorCodes() {
  nlohmann::json list = nlohmann::json::array();
  for (int i = 0; i < 256; ++i) {
    std::string_view name = ErrorCodeName(static_cast<ErrorCode>(i));
    if (name == "unknown") break;
    list.push_back(name);
  }
  return DumpValue(list);
}

}  // namespace tagwise::wasm

#endif  // TAGWISE_WASM_RULE_BINDING_H_
