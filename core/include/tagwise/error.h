// Errors as values: every fallible tagwise function returns a Result<T> or a
// list of Issues. Nothing in the core throws across its public API or aborts on
// bad input, because in WebAssembly an abort kills the whole page's instance.
#ifndef TAGWISE_ERROR_H_
#define TAGWISE_ERROR_H_

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace tagwise {

// Closed set of error codes. The snake_case names (ErrorCodeName) are the
// contract seen by JavaScript (`TagwiseError.code`) and listed again in
// js/index.d.ts; tests/js/core_tables.test.mjs keeps the two in sync.
enum class ErrorCode {
  kInvalidJson,         // input text is not JSON (message names the byte offset)
  kInvalidUtf8,         // a string is not valid UTF-8
  kInvalidRule,         // a rule has the wrong shape (e.g. an object with two keys)
  kUnknownOperator,     // operator name not known; message suggests the closest
  kWrongArgumentCount,  // too few or too many arguments for an operator
  kWrongArgumentType,   // an argument that must be a literal of some type is not
  kBadDuration,         // a duration is not "90s", "15m", "12h", "30d", "2w" or ms
  kBadDate,             // a date is not ISO 8601
  kUnknownTag,          // `tag`/`tag_value` names a tag the catalog lacks
  kTooDeep,             // nesting deeper than the configured limit
  kTooLarge,            // rule, string, array or input larger than the limit
  kSyntax,              // text-form rule does not parse (path is "line:column")
  kThrown,              // the rule executed `throw` (evaluation-time)
  kEvaluationLimit,     // evaluation exceeded its step budget
  kBudgetExceeded,      // one call's rules did more work or built more than its budget
  kOutOfMemory,         // an allocation failed (the wasm heap could not grow)
  kCostlyRule,          // warning: the rule's work grows faster than its data (RuleCostWarnings)
  kUnsupportedVersion,  // data written by a newer tagwise format version
  kDuplicateId,         // two catalog entries share an id
  kCycle,               // tags depend on each other in a loop
  kCorrupt,             // binary data failed its checksum or is truncated/malformed
  kCatalogMismatch,     // data built for another catalogue version
  kNotLoaded,           // the module holding a feature is not loaded yet (the
                        // browser's page runtime: js/ raises it until tw.ready)
  // Loading the module itself failed (js/ raises these before any wasm runs;
  // listed here so the package's codes stay one table):
  kWasmFetchFailed,     // the .wasm could not be fetched or read (network, 404)
  kWasmCompileFailed,   // it did not compile or link: not a tagwise module, or a
                        // browser without WebAssembly exception handling
  kCspBlocked,          // the page's Content-Security-Policy forbids compiling
                        // WebAssembly (script-src needs 'wasm-unsafe-eval')
};

// Stable snake_case name of a code, e.g. "unknown_operator".
std::string_view ErrorCodeName(ErrorCode code);

enum class Severity { kError, kWarning };

// One problem. `path` is a JSON Pointer into the input the caller passed
// ("/and/1/>=/0"), or "line:column" for text-form rules. `message` is UTF-8
// written for an operator, not a programmer.
struct Error {
  ErrorCode code = ErrorCode::kInvalidRule;
  std::string path;
  std::string message;
  Severity severity = Severity::kError;
};

// A value or an Error. Deliberately small: has_value()/value()/error().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT: implicit
  Result(Error error) : v_(std::move(error)) {}        // NOLINT: implicit
  bool ok() const { return v_.index() == 0; }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Formats issues one per line: "error unknown_operator at /and/0: ...".
std::string FormatIssues(const std::vector<Error>& issues);

// Appends a reference token to a JSON Pointer, escaping "~" and "/" (RFC 6901).
std::string JoinPointer(std::string_view base, std::string_view token);

}  // namespace tagwise

#endif  // TAGWISE_ERROR_H_
