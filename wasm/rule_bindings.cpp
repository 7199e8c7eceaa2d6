// embind layer for the rule engine: marshal in, call core, marshal out.
//
// Contract with js/ (js/engine.js, js/codec.js are the only callers):
//  - Text crosses as UTF-8 bytes the JS side wrote into a _malloc'd buffer,
//    passed as (ptr, len); nothing here keeps those pointers after returning.
//  - Errors cross as values, never as exceptions: every entry point catches
//    everything (including std::bad_alloc) and returns {ok: false, errors}.
//  - One class handle, RuleSet: an immutable list of compiled rules. A batch
//    (N records x M rules) is ONE call that returns a pointer to a result
//    header in wasm memory (layout below), read by js/codec.js with typed
//    arrays. Results are mostly booleans and numbers, so they travel as one
//    kind byte + one float64 per slot; strings (deduplicated) and complex
//    values travel in a single JSON text per batch. Float64 slots keep NaN,
//    ±Infinity and -0 exactly, which JSON text cannot.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
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

namespace tagwise::wasm {
namespace {

using emscripten::val;
using nlohmann::json;

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
    try {
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
    } catch (const std::bad_alloc&) {
      return InternalErrorResult("out of memory");
    } catch (const std::exception& e) {
      return InternalErrorResult(e.what());
    } catch (...) {
      return InternalErrorResult("unknown error");
    }
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
    try {
      EvaluateOrThrow(View(rec_ptr, rec_len), now, View(prof_ptr, prof_len), max_steps);
    } catch (const std::bad_alloc&) {
      Fail(ErrorCode::kTooLarge, "", "The batch is too large for the available memory.");
    } catch (const std::exception& e) {
      Fail(ErrorCode::kTooLarge, "", std::string("The batch could not be processed: ") + e.what() + ".");
    } catch (...) {
      Fail(ErrorCode::kTooLarge, "", "The batch could not be processed.");
    }
    return reinterpret_cast<uintptr_t>(header_);
  }

 private:
  void Fail(ErrorCode code, std::string path, std::string message) {
    kinds_.clear();
    nums_.clear();
    text_.clear();
    text_ = "[{\"code\":";
    AppendEscaped(ErrorCodeName(code), &text_);
    text_ += ",\"path\":";
    AppendEscaped(path, &text_);
    text_ += ",\"message\":";
    AppendEscaped(message, &text_);
    text_ += "}]";
    FillHeader(1, 0, 0);
  }

  void FillHeader(uint32_t status, uint32_t slots, uint32_t records) {
    header_[kStatus] = status;
    header_[kSlots] = slots;
    header_[kKindsPtr] = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(kinds_.data()));
    header_[kNumsPtr] = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(nums_.data()));
    header_[kTextPtr] = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(text_.data()));
    header_[kTextLen] = static_cast<uint32_t>(text_.size());
    header_[kRecords] = records;
  }

  void EvaluateOrThrow(std::string_view records_text, double now, std::string_view profile_text,
                       double max_steps) {
    if (!std::isfinite(now)) {
      Fail(ErrorCode::kWrongArgumentType, "", "`now` must be a finite number of milliseconds.");
      return;
    }
    std::unique_ptr<Profile> profile;
    if (!profile_text.empty()) {
      if (auto e = CheckInputBytes(profile_text.size(), ProfileLimits{}.max_bytes, "profile", "/profile")) {
        Fail(e->code, e->path, e->message);
        return;
      }
      Result<json> pj = ParseFast(profile_text, "profile", 0, OnBadAlloc::kReport);
      if (!pj.ok()) {
        Fail(pj.error().code, "/profile" + pj.error().path, pj.error().message);
        return;
      }
      Result<Profile> p = Profile::FromJson(pj.value());
      if (!p.ok()) {
        Fail(p.error().code, "/profile" + p.error().path, p.error().message);
        return;
      }
      profile = std::make_unique<Profile>(std::move(p).value());
    }
    ctx_ = EvalContext{};
    // Date range is ±8.64e15 ms; clamp so the cast is defined for any input.
    ctx_.now = static_cast<int64_t>(std::trunc(std::fmax(-9e15, std::fmin(9e15, now))));
    ctx_.profile = profile.get();
    if (max_steps >= 1) ctx_.options.max_steps = static_cast<int64_t>(std::fmin(max_steps, 9e18));
    BeginResults();

    // Stream: parse one record, evaluate every rule on it, reuse its storage.
    size_t records = 0;
    const FastParser::Status st = ForEachArrayElement(records_text, [&](const json& record) {
      EvaluateRecord(record);
      ++records;
    });
    if (st == FastParser::Status::kTooDeep) {
      Fail(ErrorCode::kTooDeep, "/" + std::to_string(records),
           "The data nests arrays or objects more than " + std::to_string(kMaxNesting) + " levels deep.");
      return;
    }
    if (st != FastParser::Status::kOk) {
      // Not valid JSON (or nothing the fast parser reads): nlohmann names the byte.
      Result<json> list = ParseJson(records_text, "data", 1, OnBadAlloc::kReport);
      if (!list.ok()) {
        Fail(list.error().code, list.error().path, list.error().message);
        return;
      }
      if (!list.value().is_array()) {
        Fail(ErrorCode::kInvalidJson, "", "The records must be a JSON array.");
        return;
      }
      BeginResults();
      records = list.value().size();
      for (const json& r : list.value()) EvaluateRecord(r);
    }
    text_.push_back(']');
    strings_.clear();
    FillHeader(0, static_cast<uint32_t>(kinds_.size()), static_cast<uint32_t>(records));
  }

  void BeginResults() {
    kinds_.clear();
    nums_.clear();
    text_.clear();
    text_.push_back('[');
    table_size_ = 0;
    strings_.clear();
  }

  void EvaluateRecord(const json& data) {
    for (const auto& rule : rules_) {
      const size_t slot = kinds_.size();
      kinds_.push_back(kKindNull);
      nums_.push_back(0.0);
      Result<json> v = rule->Evaluate(data, ctx_);
      if (v.ok()) {
        Store(slot, v.value());
      } else {
        StoreError(slot, v.error());
      }
    }
  }

  void BeginTableEntry(size_t slot, Kind kind) {
    if (table_size_ > 0) text_.push_back(',');
    kinds_[slot] = kind;
    nums_[slot] = static_cast<double>(table_size_++);
  }

  void Store(size_t slot, const json& v) {
    switch (v.type()) {
      case json::value_t::null:
      case json::value_t::discarded:
      case json::value_t::binary:
        kinds_[slot] = kKindNull;
        return;
      case json::value_t::boolean:
        kinds_[slot] = v.get<bool>() ? kKindTrue : kKindFalse;
        return;
      case json::value_t::number_integer:
        kinds_[slot] = kKindNumber;
        nums_[slot] = static_cast<double>(v.get<int64_t>());
        return;
      case json::value_t::number_unsigned:
        kinds_[slot] = kKindNumber;
        nums_[slot] = static_cast<double>(v.get<uint64_t>());
        return;
      case json::value_t::number_float:
        kinds_[slot] = kKindNumber;
        nums_[slot] = v.get<double>();
        return;
      case json::value_t::string: {
        // Tag rules often return one of a few strings ("gold", "高价值"):
        // send each distinct string once per batch.
        const std::string& s = v.get_ref<const std::string&>();
        auto [it, inserted] = strings_.try_emplace(s, table_size_);
        if (!inserted) {
          kinds_[slot] = kKindTable;
          nums_[slot] = static_cast<double>(it->second);
          return;
        }
        BeginTableEntry(slot, kKindTable);
        AppendEscaped(s, &text_);
        return;
      }
      case json::value_t::array:
      case json::value_t::object: {
        non_finite_.clear();
        const size_t start = text_.size();
        BeginTableEntry(slot, kKindTable);
        serializer_.Append(v, &text_, &non_finite_);
        if (!non_finite_.empty()) {
          // Rare: wrap as [value, [[path, "NaN"], ...]] so JS restores them.
          kinds_[slot] = kKindPatched;
          std::string entry = text_.substr(start + (table_size_ > 1 ? 1 : 0));
          text_.resize(start + (table_size_ > 1 ? 1 : 0));
          text_ += '[';
          text_ += entry;
          text_ += ",[";
          for (size_t i = 0; i < non_finite_.size(); ++i) {
            if (i > 0) text_.push_back(',');
            text_.push_back('[');
            serializer_.Append(non_finite_[i].path, &text_, nullptr);
            text_ += ",\"";
            text_ += non_finite_[i].name;
            text_ += "\"]";
          }
          text_ += "]]";
        }
        return;
      }
    }
  }

  void StoreError(size_t slot, const Error& e) {
    BeginTableEntry(slot, kKindError);
    text_ += "{\"code\":";
    AppendEscaped(ErrorCodeName(e.code), &text_);
    text_ += ",\"path\":";
    AppendEscaped(e.path, &text_);
    if (e.code == ErrorCode::kThrown) {
      // The thrown value arrives as JSON text in `message`.
      json thrown = json::parse(e.message, nullptr, /*allow_exceptions=*/false);
      if (thrown.is_discarded()) thrown = e.message;
      std::string shown = ToJsonText(thrown);
      if (shown.size() > 200) shown = shown.substr(0, 197) + "...";
      text_ += ",\"message\":";
      AppendEscaped("The rule threw " + shown, &text_);
      text_ += ",\"value\":";
      serializer_.Append(thrown, &text_, nullptr);
    } else {
      text_ += ",\"message\":";
      AppendEscaped(e.message, &text_);
    }
    text_ += '}';
  }

  std::vector<std::shared_ptr<const Rule>> rules_;
  EvalContext ctx_;  // of the evaluate() call in progress
  // Result buffers, reused across calls.
  uint32_t header_[kHeaderWords] = {};
  std::vector<uint8_t> kinds_;
  std::vector<double> nums_;
  std::string text_;
  size_t table_size_ = 0;
  std::unordered_map<std::string, size_t> strings_;
  std::vector<NonFinite> non_finite_;
  JsonWriter serializer_;
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
  try {
    if (auto e = CheckInputBytes(len, kDefaultMaxRuleBytes, "rule")) return ErrorsResult({*e});
    Result<json> r = ParseRuleText(View(ptr, len));
    if (!r.ok()) return ErrorsResult({r.error()});
    val o = val::object();
    o.set("ok", true);
    o.set("value", ToJsonText(r.value()));
    return o;
  } catch (const std::bad_alloc&) {
    return InternalErrorResult("out of memory");
  } catch (const std::exception& e) {
    return InternalErrorResult(e.what());
  } catch (...) {
    return InternalErrorResult("unknown error");
  }
}

// JSON rule text -> {ok: true, value: text form} or {ok: false, errors}.
val FormatText(uintptr_t ptr, size_t len) {
  try {
    if (auto e = CheckInputBytes(len, kDefaultMaxRuleBytes, "rule")) return ErrorsResult({*e});
    Result<json> parsed = ParseJson(View(ptr, len), "rule", 0, OnBadAlloc::kReport);
    if (!parsed.ok()) return ErrorsResult({parsed.error()});
    Result<std::string> r = FormatRule(parsed.value());
    if (!r.ok()) return ErrorsResult({r.error()});
    val o = val::object();
    o.set("ok", true);
    o.set("value", r.value());
    return o;
  } catch (const std::bad_alloc&) {
    return InternalErrorResult("out of memory");
  } catch (const std::exception& e) {
    return InternalErrorResult(e.what());
  } catch (...) {
    return InternalErrorResult("unknown error");
  }
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

EMSCRIPTEN_BINDINGS(tagwise_engine) {
  using namespace tagwise::wasm;
  emscripten::class_<RuleSet>("RuleSet")
      .constructor<>()
      .function("compile", &RuleSet::Compile)
      .function("size", &RuleSet::Size)
      .function("source", &RuleSet::Source)
      .function("evaluate", &RuleSet::Evaluate);
  emscripten::function("validate", &Validate);
  emscripten::function("parseText", &ParseText);
  emscripten::function("formatText", &FormatText);
  emscripten::function("errorCodes", &ErrorCodes);
}
