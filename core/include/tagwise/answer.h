// JSON answers: the envelope that the visitor session's JSON-driven entry
// points (experiments, offers, recommendations) and the JS boundary share:
// {"ok": true, ...} or {"ok": false, "errors": [...], "warnings": [...]},
// each problem {"code", "path", "message", "severity"} with the ErrorCodeName
// codes and JSON Pointer paths. Output objects keep their keys in the order
// written.
#ifndef TAGWISE_ANSWER_H_
#define TAGWISE_ANSWER_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/error.h"

namespace tagwise {

using ojson = nlohmann::ordered_json;

inline const char* SeverityName(Severity s) { return s == Severity::kError ? "error" : "warning"; }

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

inline ojson FailureJson(const std::vector<Error>& errors, const std::vector<Error>& warnings = {}) {
  return {{"ok", false}, {"errors", ProblemsJson(errors)}, {"warnings", ProblemsJson(warnings)}};
}

inline std::string FailureText(const std::vector<Error>& errors, const std::vector<Error>& warnings = {}) {
  return Dump(FailureJson(errors, warnings));
}

inline std::string FailureText(ErrorCode code, std::string path, std::string message) {
  return FailureText({Error{code, std::move(path), std::move(message), Severity::kError}});
}

// A wrong option (kWrongArgumentType) at `path`.
inline Error OptionError(std::string path, std::string message) {
  return Error{ErrorCode::kWrongArgumentType, std::move(path), std::move(message), Severity::kError};
}

// Reads a list of strings at `path` (item ids in options).
inline Result<std::vector<std::string>> StringList(const nlohmann::json& j, const std::string& path) {
  if (!j.is_array()) return OptionError(path, "Expected a list of item ids.");
  std::vector<std::string> out;
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_string()) return OptionError(path + "/" + std::to_string(i), "Expected an item id (a string).");
    out.push_back(j[i].get<std::string>());
  }
  return out;
}

}  // namespace tagwise

#endif  // TAGWISE_ANSWER_H_
