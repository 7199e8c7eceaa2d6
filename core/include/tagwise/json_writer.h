// Writing JSON text fast and without recursion: what the rule engine's
// batch results (wasm/rule_bindings.cpp) and anything else that must print a
// possibly deep value use. Non-finite numbers are written as null and, when
// asked, their locations are recorded so a JS reader can patch them back.
#ifndef TAGWISE_JSON_WRITER_H_
#define TAGWISE_JSON_WRITER_H_

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace tagwise {

// Appends `s` as a JSON string (quotes and escapes; UTF-8 passes through).
void AppendEscaped(std::string_view s, std::string* out);
// Shortest round-trip digits of a finite double (as json::dump writes them).
void AppendDouble(double d, std::string* out);
// "NaN", "Infinity" or "-Infinity".
const char* NonFiniteName(double d);

// A non-finite number met while writing: where it was and what it was.
struct NonFinite {
  nlohmann::json path;  // array of keys (strings) and indices (numbers)
  const char* name;
};

// An iterative serializer (no recursion: a deep value must not exhaust the
// stack). Reusable; not thread-safe.
class JsonWriter {
 public:
  // Appends `v` as JSON. Non-finite numbers are written as null; if
  // `non_finite` is given, their locations are appended to it.
  void Append(const nlohmann::json& v, std::string* out, std::vector<NonFinite>* non_finite);

 private:
  struct Frame {
    const nlohmann::json* v;
    size_t index = 0;
    nlohmann::json::const_iterator it;
    const std::string* current_key = nullptr;
  };
  bool WriteScalarOrOpen(const nlohmann::json& v, std::string* out, std::vector<NonFinite>* non_finite);
  nlohmann::json CurrentPath() const;

  std::vector<Frame> stack_;
};

// `v` as JSON text (non-finite numbers become null).
std::string ToJsonText(const nlohmann::json& v);

}  // namespace tagwise

#endif  // TAGWISE_JSON_WRITER_H_
