#include "common/json_fingerprint.h"

#include <charconv>
#include <string_view>

#include "common/fnv.h"
#include "tagwise/utf8.h"

namespace tagwise::internal {
namespace {

using nlohmann::json;

std::string Dumped(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

class DumpHasher {
 public:
  void Value(const json& v) {
    switch (v.type()) {
      case json::value_t::string:
        String(v.get_ref<const std::string&>());
        return;
      case json::value_t::array: {
        f_.Add('[');
        bool first = true;
        for (const json& e : v) {
          if (!first) f_.Add(',');
          first = false;
          Value(e);
        }
        f_.Add(']');
        return;
      }
      case json::value_t::object: {
        f_.Add('{');
        bool first = true;
        for (auto it = v.cbegin(); it != v.cend(); ++it) {
          if (!first) f_.Add(',');
          first = false;
          String(it.key());
          f_.Add(':');
          Value(it.value());
        }
        f_.Add('}');
        return;
      }
      case json::value_t::number_integer:
        Integer(v.get<int64_t>());
        return;
      case json::value_t::number_unsigned:
        Integer(v.get<uint64_t>());
        return;
      case json::value_t::boolean:
        f_.Add(v.get<bool>() ? "true" : "false");
        return;
      case json::value_t::null:
        f_.Add("null");
        return;
      default:  // floats (nlohmann's own shortest digits), binary, discarded
        f_.Add(Dumped(v));
        return;
    }
  }

  const Fnv1a& hash() const { return f_; }

 private:
  template <typename T>
  void Integer(T v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    f_.Add(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
  }

  // dump writes a string unchanged between quotes unless it has a control
  // character, a quote or a backslash (escaped) or invalid UTF-8 (replaced).
  void String(const std::string& s) {
    if (WrittenAsIs(s)) {
      f_.Add('"');
      f_.Add(s);
      f_.Add('"');
    } else {
      f_.Add(Dumped(json(s)));
    }
  }

  static bool WrittenAsIs(const std::string& s) {
    bool ascii = true;
    for (unsigned char c : s) {
      if (c < 0x20 || c == '"' || c == '\\') return false;
      ascii = ascii && c < 0x80;
    }
    return ascii || IsValidUtf8(s);
  }

  Fnv1a f_;
};

}  // namespace

std::string DumpFnv1aHex(const json& value) {
  DumpHasher h;
  h.Value(value);
  return h.hash().Hex();
}

}  // namespace tagwise::internal
