// embind layer for the rule engine: marshal in, call core, marshal out.
//
// Contract with js/ (js/engine.js, js/codec.js are the only callers):
//  - Text crosses as UTF-8 bytes the JS side wrote into a _malloc'd buffer,
//    passed as (ptr, len); nothing here keeps those pointers after returning.
//  - Errors cross as values, never as exceptions: every entry point catches
//    everything (including std::bad_alloc) and returns {ok: false, errors}.
//  - One class handle, RuleSet: an immutable list of compiled rules. A batch
//    (N records x M rules) is ONE call that returns a pointer to a result
//    header in wasm memory (layout below) over the columns of a core
//    RuleBatch (tagwise/rule_batch.h), read by js/codec.js with typed arrays.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/error.h"
#include "tagwise/limits.h"
#include "tagwise/profile.h"
#include "tagwise/rule.h"
#include "tagwise/rule_text.h"
#include "results.h"
#include "tagwise/answer.h"
#include "tagwise/json_text.h"
#include "tagwise/json_writer.h"
#include "tagwise/rule_batch.h"

namespace tagwise::wasm {
namespace {

using emscripten::val;
using nlohmann::json;

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

// ---------------------------------------------------------------- issues out

val IssueToVal(const Error& e, int rule_index) {
  val o = val::object();
  o.set("code", std::string(ErrorCodeName(e.code)));
  o.set("path", e.path);
  o.set("message", e.message);
  o.set("severity", std::string(SeverityName(e.severity)));
  if (rule_index >= 0) o.set("ruleIndex", rule_index);
  return o;
}

val ErrorsResult(const std::vector<Error>& errors) {
  val list = val::array();
  for (const Error& e : errors) list.call<void>("push", IssueToVal(e, -1));
  val r = val::object();
  r.set("ok", false);
  r.set("errors", list);
  return r;
}

val ErrorResult(ErrorCode code, std::string path, std::string message) {
  return ErrorsResult({Error{code, std::move(path), std::move(message), Severity::kError}});
}

val InternalErrorResult(const char* what) {
  return ErrorResult(ErrorCode::kTooLarge, "",
                     std::string("The input could not be processed: ") + what + ".");
}

// Runs an entry point's body; anything that escapes the core becomes an
// {ok: false, errors} value (nothing may throw across the boundary).
template <typename F>
val GuardVal(F&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return InternalErrorResult("out of memory");
  } catch (const std::exception& e) {
    return InternalErrorResult(e.what());
  } catch (...) {
    return InternalErrorResult("unknown error");
  }
}

CompileOptions MakeCompileOptions(int max_depth, int max_nodes) {
  CompileOptions options;
  if (max_depth > 0) options.max_depth = max_depth;
  if (max_nodes > 0) options.max_nodes = max_nodes;
  return options;
}

// ---------------------------------------------------------------- RuleSet

// An immutable list of compiled rules, owned by one JS wrapper (js/engine.js
// frees it with dispose() or a FinalizationRegistry). Also owns the buffers of
// the last evaluate() result, valid until the next call on this handle.
class RuleSet {
 public:
  RuleSet() = default;

  // Compiles `text` (a JSON rule, or when `many` a JSON array of rules).
  // Returns {ok: true, warnings} or {ok: false, errors}; on failure the set is
  // left unchanged. For a set, issue paths are prefixed with "/<index>".
  val Compile(uintptr_t ptr, size_t len, bool many, int max_depth, int max_nodes) {
    return GuardVal([&]() -> val {
      const CompileOptions options = MakeCompileOptions(max_depth, max_nodes);
      // A set of rules may be as large as a catalog.
      if (auto e = CheckInputBytes(len, many ? kDefaultMaxCatalogBytes : options.max_bytes,
                                   many ? "rule list" : "rule")) {
        return ErrorsResult({*e});
      }
      Result<json> parsed = ParseJson(View(ptr, len), "rule", many ? 1 : 0, OnBadAlloc::kReport);
      if (!parsed.ok()) return ErrorsResult({parsed.error()});
      const json& input = parsed.value();
      std::vector<std::shared_ptr<const Rule>> rules;
      val errors = val::array();
      val warnings = val::array();
      bool failed = false;
      auto compile_one = [&](const json& rule, int index) {
        CompileResult r = CompileRule(rule, options);
        for (Error& issue : r.issues) {
          if (index >= 0) issue.path = "/" + std::to_string(index) + issue.path;
          (issue.severity == Severity::kError ? errors : warnings)
              .call<void>("push", IssueToVal(issue, index));
        }
        if (!r.ok()) failed = true;
        rules.push_back(std::move(r.rule));
      };
      if (many) {
        if (!input.is_array()) {
          return ErrorResult(ErrorCode::kInvalidRule, "", "A rule set must be an array of rules.");
        }
        for (size_t i = 0; i < input.size(); ++i) compile_one(input[i], static_cast<int>(i));
      } else {
        compile_one(input, -1);
      }
      val r = val::object();
      if (failed) {
        // Report warnings too: `errors` lists every problem found.
        const int n = warnings["length"].as<int>();
        for (int i = 0; i < n; ++i) errors.call<void>("push", warnings[i]);
        r.set("ok", false);
        r.set("errors", errors);
        return r;
      }
      rules_ = std::move(rules);
      r.set("ok", true);
      r.set("warnings", warnings);
      return r;
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
                     size_t prof_len, double max_steps) {
    batch_.Evaluate(rules_, View(rec_ptr, rec_len), now, View(prof_ptr, prof_len), max_steps);
    header_[kStatus] = batch_.failed() ? 1 : 0;
    header_[kSlots] = static_cast<uint32_t>(batch_.kinds().size());
    header_[kKindsPtr] = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(batch_.kinds().data()));
    header_[kNumsPtr] = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(batch_.nums().data()));
    header_[kTextPtr] = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(batch_.table().data()));
    header_[kTextLen] = static_cast<uint32_t>(batch_.table().size());
    header_[kRecords] = static_cast<uint32_t>(batch_.records());
    return reinterpret_cast<uintptr_t>(header_);
  }

 private:
  std::vector<std::shared_ptr<const Rule>> rules_;
  RuleBatch batch_;  // the last evaluate()'s columns
  uint32_t header_[kHeaderWords] = {};
};

// ---------------------------------------------------------------- free functions

// Every problem of one rule (JSON text), without keeping a handle.
val Validate(uintptr_t ptr, size_t len, int max_depth, int max_nodes) {
  try {
    val list = val::array();
    const CompileOptions options = MakeCompileOptions(max_depth, max_nodes);
    if (auto e = CheckInputBytes(len, options.max_bytes, "rule")) {
      list.call<void>("push", IssueToVal(*e, -1));
      return list;
    }
    Result<json> parsed = ParseJson(View(ptr, len), "rule", 0, OnBadAlloc::kReport);
    if (!parsed.ok()) {
      list.call<void>("push", IssueToVal(parsed.error(), -1));
      return list;
    }
    CompileResult r = CompileRule(parsed.value(), options);
    for (const Error& issue : r.issues) list.call<void>("push", IssueToVal(issue, -1));
    return list;
  } catch (...) {
    val list = val::array();
    list.call<void>("push", IssueToVal(Error{ErrorCode::kTooLarge, "", "The rule could not be processed."}, -1));
    return list;
  }
}

// Text form -> {ok: true, value: JSON text} or {ok: false, errors}.
val ParseText(uintptr_t ptr, size_t len) {
  return GuardVal([&]() -> val {
    if (auto e = CheckInputBytes(len, kDefaultMaxRuleBytes, "rule")) return ErrorsResult({*e});
    Result<json> r = ParseRuleText(View(ptr, len));
    if (!r.ok()) return ErrorsResult({r.error()});
    val o = val::object();
    o.set("ok", true);
    o.set("value", ToJsonText(r.value()));
    return o;
  });
}

// JSON rule text -> {ok: true, value: text form} or {ok: false, errors}.
val FormatText(uintptr_t ptr, size_t len) {
  return GuardVal([&]() -> val {
    if (auto e = CheckInputBytes(len, kDefaultMaxRuleBytes, "rule")) return ErrorsResult({*e});
    Result<json> parsed = ParseJson(View(ptr, len), "rule", 0, OnBadAlloc::kReport);
    if (!parsed.ok()) return ErrorsResult({parsed.error()});
    Result<std::string> r = FormatRule(parsed.value());
    if (!r.ok()) return ErrorsResult({r.error()});
    val o = val::object();
    o.set("ok", true);
    o.set("value", r.value());
    return o;
  });
}

// Every ErrorCode name in declaration order (tests compare it with index.d.ts).
val ErrorCodes() {
  val list = val::array();
  for (int i = 0; i < 256; ++i) {
    std::string_view name = ErrorCodeName(static_cast<ErrorCode>(i));
    if (name == "unknown") break;
    list.call<void>("push", std::string(name));
  }
  return list;
}

}  // namespace
}  // namespace tagwise::wasm

EMSCRIPTEN_BINDINGS(tagwise_rules) {
  using namespace tagwise::wasm;
  emscripten::class_<RuleSet>("RuleSet")
      .constructor<>()
      .function("compile", &RuleSet::Compile)
      .function("size", &RuleSet::Size)
      .function("source", &RuleSet::Source)
      .function("evaluate", &RuleSet::Evaluate);
  emscripten::function("validate", &Validate);
#ifndef TAGWISE_PAGE_RUNTIME
  emscripten::function("parseText", &ParseText);
  emscripten::function("formatText", &FormatText);
#endif
  emscripten::function("errorCodes", &ErrorCodes);
}
