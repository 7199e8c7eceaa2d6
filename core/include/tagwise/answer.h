// JSON answers: the envelope that the visitor session's JSON-driven entry
// points (experiments, offers, recommendations) and the JS boundary share:
// {"ok": true, ...} or {"ok": false, "errors": [...], "warnings": [...]},
// each problem {"code", "path", "message", "severity"} with the ErrorCodeName
// codes and JSON Pointer paths. Output objects keep their keys in the order
// written: JS reads them through JSON.parse, whose key order follows the text.
//
// Two ways to write one, with the same text: ObjectText, for every answer of
// the browser modules (the page runtime and the full module), so they link no
// second nlohmann type (ordered_json's map, its serializer and the
// tree-building code inlined into every entry point were 8 KB gz of the page
// runtime and 8 KB gz of the full module's features); and ojson, for the CLI
// module's answer trees (wasm/tools_bindings.cpp).
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

// The same for a plain nlohmann::json, whose objects keep their keys sorted:
// the same serializer settings, so a value prints as it would in an ojson.
inline std::string DumpValue(const nlohmann::json& v) {
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Writes one JSON object's text with its keys in the order added, without
// building a tree: for answers whose key order is not alphabetical. Values
// are written by DumpValue, or are JSON text written before (AddText: nested
// answers). Field names are literals that need no escaping.
//
//   std::string text = ObjectText().Add("ok", true).AddText("changes", ChangesText(c)).Close();
class ObjectText {
 public:
  ObjectText& Add(std::string_view name, const nlohmann::json& value) { return AddText(name, DumpValue(value)); }

  ObjectText& AddText(std::string_view name, std::string_view json_text) {
    text_ += text_.size() > 1 ? ",\"" : "\"";
    text_ += name;
    text_ += "\":";
    text_ += json_text;
    return *this;
  }

  // A field whose name is data (a tag id): escaped as a JSON string, as an
  // object with that key prints it. The caller keeps the names unique.
  ObjectText& AddEscaped(const std::string& name, const nlohmann::json& value) {
    if (text_.size() > 1) text_ += ',';
    text_ += DumpValue(name);
    text_ += ':';
    text_ += DumpValue(value);
    return *this;
  }

  // The object's text; the builder is left empty.
  std::string Close() {
    text_ += '}';
    return std::move(text_);
  }

 private:
  std::string text_ = "{";
};

// A JSON array of items already written as JSON text.
inline std::string ArrayText(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const std::string& item : items) {
    if (out.size() > 1) out += ',';
    out += item;
  }
  return out + "]";
}

// A problem's fields, left open for callers that add more (ProblemJson
// writes the same fields in the same order).
inline ObjectText ProblemObject(const Error& e) {
  ObjectText o;
  o.Add("code", ErrorCodeName(e.code))
      .Add("path", e.path)
      .Add("message", e.message)
      .Add("severity", SeverityName(e.severity));
  return o;
}

inline std::string ProblemText(const Error& e) { return ProblemObject(e).Close(); }

inline std::string ProblemsText(const std::vector<Error>& list) {
  std::vector<std::string> items;
  items.reserve(list.size());
  for (const Error& e : list) items.push_back(ProblemText(e));
  return ArrayText(items);
}

// A problem for the CLI module's ojson trees: the fields of ProblemObject, in
// its order.
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
  return ObjectText()
      .Add("ok", false)
      .AddText("errors", ProblemsText(errors))
      .AddText("warnings", ProblemsText(warnings))
      .Close();
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
