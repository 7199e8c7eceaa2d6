// JSON text out: see tagwise/json_writer.h.
#include "tagwise/json_writer.h"

#include <charconv>
#include <cmath>

namespace tagwise {
namespace {

using nlohmann::json;

template <typename T>
void AppendInteger(T v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

}  // namespace

void AppendEscaped(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run = 0;  // start of the current run of bytes that need no escaping
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

// Shortest round-trip digits (nlohmann's Grisu2, as json::dump uses): the
// exact double reaches JSON.parse. libc++ 14 has no floating-point to_chars.
void AppendDouble(double d, std::string* out) {
  char buf[64];
  char* end = nlohmann::detail::to_chars(buf, buf + sizeof buf, d);
  out->append(buf, end);
}

const char* NonFiniteName(double d) {
  if (std::isnan(d)) return "NaN";
  return d > 0 ? "Infinity" : "-Infinity";
}

void JsonWriter::Append(const json& v, std::string* out, std::vector<NonFinite>* non_finite) {
  stack_.clear();
  if (WriteScalarOrOpen(v, out, non_finite)) return;
  while (!stack_.empty()) {
    Frame& f = stack_.back();
    const json* child = nullptr;
    if (f.v->is_array()) {
      if (f.index == f.v->size()) {
        out->push_back(']');
        stack_.pop_back();
        continue;
      }
      if (f.index > 0) out->push_back(',');
      child = &(*f.v)[f.index];
    } else {
      if (f.it == f.v->cend()) {
        out->push_back('}');
        stack_.pop_back();
        continue;
      }
      if (f.index > 0) out->push_back(',');
      AppendEscaped(f.it.key(), out);
      out->push_back(':');
      child = &f.it.value();
    }
    ++f.index;
    // Advance the object iterator before descending: pushing may move `f`.
    if (f.v->is_object()) {
      f.current_key = &f.it.key();
      ++f.it;
    }
    WriteScalarOrOpen(*child, out, non_finite);
  }
}

bool JsonWriter::WriteScalarOrOpen(const json& v, std::string* out, std::vector<NonFinite>* non_finite) {
  switch (v.type()) {
    case json::value_t::null:
    case json::value_t::discarded:
      out->append("null");
      return true;
    case json::value_t::boolean:
      out->append(v.get<bool>() ? "true" : "false");
      return true;
    case json::value_t::number_integer:
      AppendInteger(v.get<int64_t>(), out);
      return true;
    case json::value_t::number_unsigned:
      AppendInteger(v.get<uint64_t>(), out);
      return true;
    case json::value_t::number_float: {
      const double d = v.get<double>();
      if (std::isfinite(d)) {
        AppendDouble(d, out);
      } else {
        out->append("null");
        if (non_finite != nullptr) non_finite->push_back({CurrentPath(), NonFiniteName(d)});
      }
      return true;
    }
    case json::value_t::string:
      AppendEscaped(v.get_ref<const std::string&>(), out);
      return true;
    case json::value_t::binary:
      out->append("null");
      return true;
    case json::value_t::array:
      if (v.empty()) {
        out->append("[]");
        return true;
      }
      out->push_back('[');
      stack_.push_back(Frame{&v, 0, v.cend(), nullptr});
      return false;
    case json::value_t::object:
      if (v.empty()) {
        out->append("{}");
        return true;
      }
      out->push_back('{');
      stack_.push_back(Frame{&v, 0, v.cbegin(), nullptr});
      return false;
  }
  out->append("null");
  return true;
}

json JsonWriter::CurrentPath() const {
  json path = json::array();
  for (const Frame& f : stack_) {
    if (f.v->is_array()) {
      path.push_back(f.index - 1);
    } else {
      path.push_back(f.current_key != nullptr ? *f.current_key : std::string());
    }
  }
  return path;
}

// Serializes a value to JSON text (non-finite numbers become null).
std::string ToJsonText(const json& v) {
  std::string out;
  JsonWriter s;
  s.Append(v, &out, nullptr);
  return out;
}

}  // namespace tagwise
