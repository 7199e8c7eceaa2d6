// The result envelope every catalog/recommendation entry point returns as
// JSON text: {"ok": true, ...} or {"ok": false, "errors": [...], "warnings": [...]}.
// Shared by catalog_bindings.cpp and recommend_bindings.cpp.
#ifndef TAGWISE_WASM_RESULTS_H_
#define TAGWISE_WASM_RESULTS_H_

#include <new>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "json_text.h"
#include "tagwise/error.h"

namespace tagwise::wasm {

// Output objects keep their keys in the order written ({"id", "name", ...}).
using ojson = nlohmann::ordered_json;

// JSON text of a value. nlohmann writes NaN/±Infinity as null; `replace`
// keeps a stray invalid UTF-8 byte from throwing.
inline std::string Dump(const ojson& v) {
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

inline ojson ProblemJson(const Error& e) {
  return {{"code", ErrorCodeName(e.code)},
          {"path", e.path},
          {"message", e.message},
          {"severity", SeverityName(e.severity)}};
}

inline ojson ProblemsJson(const std::vector<Error>& list) {
  ojson out = ojson::array();
  for (const Error& e : list) out.push_back(ProblemJson(e));
  return out;
}

inline std::string FailureText(const std::vector<Error>& errors, const std::vector<Error>& warnings = {}) {
  return Dump({{"ok", false}, {"errors", ProblemsJson(errors)}, {"warnings", ProblemsJson(warnings)}});
}

inline std::string FailureText(ErrorCode code, std::string path, std::string message) {
  return FailureText({Error{code, std::move(path), std::move(message), Severity::kError}});
}

// What every entry point returns when something unexpected escapes the core.
inline std::string InternalFailure(const std::string& what) {
  return FailureText(ErrorCode::kTooLarge, "", "The input could not be processed: " + what + ".");
}

// Runs a binding body, turning any escaping exception into an error value:
// nothing may throw across the boundary or abort the instance.
template <typename F>
std::string Guard(F&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return InternalFailure("out of memory");
  } catch (const std::exception& e) {
    return InternalFailure(e.what());
  } catch (...) {
    return InternalFailure("unknown error");
  }
}

}  // namespace tagwise::wasm

#endif  // TAGWISE_WASM_RESULTS_H_
