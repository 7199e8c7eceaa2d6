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
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/error.h"
#include "tagwise/profile.h"
#include "tagwise/rule.h"
#include "tagwise/rule_text.h"

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

std::string_view View(uintptr_t ptr, size_t len) {
  if (len == 0) return {};
  return {reinterpret_cast<const char*>(ptr), len};
}

// ---------------------------------------------------------------- JSON text out
//
// An iterative serializer (no recursion: a deep value must not exhaust the
// stack) that writes non-finite numbers as null and, when
// asked, records where they were so JS can patch them back in.

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

template <typename T>
void AppendInteger(T v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

const char* NonFiniteName(double d) {
  if (std::isnan(d)) return "NaN";
  return d > 0 ? "Infinity" : "-Infinity";
}

struct NonFinite {
  json path;  // array of keys (strings) and indices (numbers)
  const char* name;
};

class Serializer {
 public:
  // Appends `v` as JSON. Non-finite numbers are written as null; if
  // `non_finite` is given, their locations are appended to it.
  void Append(const json& v, std::string* out, std::vector<NonFinite>* non_finite) {
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

 private:
  struct Frame {
    const json* v;
    size_t index = 0;
    json::const_iterator it;
    const std::string* current_key = nullptr;
  };

  // Writes a scalar, or opens a container and pushes its frame. Returns true
  // when `v` was a scalar (or an empty container, fully written).
  bool WriteScalarOrOpen(const json& v, std::string* out, std::vector<NonFinite>* non_finite) {
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

  // Path of the value being written, from the frames' current positions.
  json CurrentPath() const {
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

  std::vector<Frame> stack_;
};

// Serializes a value to JSON text (non-finite numbers become null).
std::string ToJsonText(const json& v) {
  std::string out;
  Serializer s;
  s.Append(v, &out, nullptr);
  return out;
}

// ---------------------------------------------------------------- JSON text in

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Code unit of a "\uXXXX" escape starting at text[i] (the backslash), or -1.
int EscapedUnit(std::string_view text, size_t i) {
  if (i + 6 > text.size() || text[i] != '\\' || text[i + 1] != 'u') return -1;
  int unit = 0;
  for (size_t k = i + 2; k < i + 6; ++k) {
    const int h = HexValue(text[k]);
    if (h < 0) return -1;
    unit = unit * 16 + h;
  }
  return unit;
}

// JSON.stringify writes a lone UTF-16 surrogate (a string cut in the middle
// of an emoji) as "\ud83d", which is valid JSON grammar but not Unicode, and
// nlohmann rejects it. Replace each lone surrogate escape with "\ufffd", as
// TextEncoder does for raw lone surrogates, so JS strings always get through.
std::string ReplaceLoneSurrogateEscapes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '\\' || i + 1 >= text.size()) {
      out.push_back(text[i++]);
      continue;
    }
    const int unit = EscapedUnit(text, i);
    if (unit < 0) {  // another escape: copy it whole
      out.append(text.substr(i, 2));
      i += 2;
      continue;
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      const int next = EscapedUnit(text, i + 6);
      if (next >= 0xDC00 && next <= 0xDFFF) {
        out.append(text.substr(i, 12));
        i += 12;
        continue;
      }
      out.append("\\ufffd");
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      out.append("\\ufffd");
    } else {
      out.append(text.substr(i, 6));
    }
    i += 6;
  }
  return out;
}

// Deepest nesting of arrays/objects accepted in any JSON input (rules,
// records, profiles). Parsing is iterative, but some operations on values
// (deep copies, JS ToString of nested arrays) recurse, and in wasm every
// level uses the host's native stack (~1 MB in V8): 7,000 levels of a
// copied value already overflow it. 1,000 leaves a wide margin.
constexpr int kMaxNesting = 1000;

// True when `text` nests arrays/objects deeper than `limit` (a linear scan
// that skips string contents; stops at the first level past the limit).
bool NestsDeeperThan(std::string_view text, int limit) {
  int depth = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const char c = *p++;
    if (c == '"') {
      while (p < end) {
        const char d = *p++;
        if (d == '"') break;
        if (d == '\\') ++p;
      }
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

// Parses JSON text. `wrapper_levels` are levels the JS side added around
// the caller's values (the records array) and do not count against the limit.
Result<json> ParseJson(std::string_view text, const char* what, int wrapper_levels = 0,
                       bool retried = false) {
  if (!retried && NestsDeeperThan(text, kMaxNesting + wrapper_levels)) {
    return Error{ErrorCode::kTooDeep, "",
                 std::string("The ") + what + " nests arrays or objects more than " +
                     std::to_string(kMaxNesting) + " levels deep."};
  }
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    const std::string message = e.what();
    if (!retried && message.find("surrogate") != std::string::npos) {
      return ParseJson(ReplaceLoneSurrogateEscapes(text), what, wrapper_levels, true);
    }
    // nlohmann reports ill-formed UTF-8 inside strings as a parse error.
    const bool utf8 = message.find("UTF-8") != std::string::npos;
    return Error{utf8 ? ErrorCode::kInvalidUtf8 : ErrorCode::kInvalidJson, "",
                 std::string("The ") + what + (utf8 ? " is not valid UTF-8 at byte " : " is not valid JSON at byte ") +
                     std::to_string(e.byte) + "."};
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::kTooLarge, "", std::string("The ") + what + " is too large for the available memory."};
  }
}

// FastParser: JSON text -> nlohmann::json for the texts the JS side sends
// (JSON.stringify output, UTF-8 from TextEncoder). About 3x faster than
// nlohmann's lexer in wasm (which copies every byte into a token buffer) and
// able to read a batch one record at a time, so a batch never holds every
// record's DOM at once. Iterative: nesting is bounded by `max_depth`, never by
// the stack. Escaped lone surrogates become U+FFFD. It reports only
// "invalid", with no position: callers re-parse with nlohmann::json (ParseJson)
// for the exact error. Numbers get the same types and values as nlohmann
// gives (non-negative integers unsigned, negative signed, others double).
class FastParser {
 public:
  enum class Status { kOk, kTooDeep, kInvalid };

  explicit FastParser(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  // Skips whitespace; consumes `c` if it is next.
  bool Consume(char c) {
    SkipWs();
    if (p_ < end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }

  // Skips whitespace; true at the end of the text.
  bool AtEnd() {
    SkipWs();
    return p_ == end_;
  }

  // Parses one value at the current position into *out. Arrays/objects may
  // nest at most `max_depth` levels.
  Status ParseValue(json* out, int max_depth) {
    stack_.clear();
    SkipWs();
    json* target = out;
    while (true) {
      if (p_ >= end_) return Status::kInvalid;
      bool opened = false;
      switch (*p_) {
        case '{':
          ++p_;
          *target = json::object();
          if (static_cast<int>(stack_.size()) >= max_depth) return Status::kTooDeep;
          SkipWs();
          if (p_ < end_ && *p_ == '}') {
            ++p_;
            break;
          }
          stack_.push_back(target);
          if (!ReadKeyAndPrepare(&target)) return Status::kInvalid;
          opened = true;
          break;
        case '[': {
          ++p_;
          *target = json::array();
          if (static_cast<int>(stack_.size()) >= max_depth) return Status::kTooDeep;
          SkipWs();
          if (p_ < end_ && *p_ == ']') {
            ++p_;
            break;
          }
          stack_.push_back(target);
          auto& arr = target->get_ref<json::array_t&>();
          arr.emplace_back();
          target = &arr.back();
          opened = true;
          break;
        }
        case '"': {
          ++p_;
          std::string s;
          if (!ReadString(&s)) return Status::kInvalid;
          *target = std::move(s);
          break;
        }
        case 't':
          if (end_ - p_ < 4 || std::memcmp(p_, "true", 4) != 0) return Status::kInvalid;
          p_ += 4;
          *target = true;
          break;
        case 'f':
          if (end_ - p_ < 5 || std::memcmp(p_, "false", 5) != 0) return Status::kInvalid;
          p_ += 5;
          *target = false;
          break;
        case 'n':
          if (end_ - p_ < 4 || std::memcmp(p_, "null", 4) != 0) return Status::kInvalid;
          p_ += 4;
          *target = nullptr;
          break;
        default:
          if (!ReadNumber(target)) return Status::kInvalid;
      }
      if (opened) {
        SkipWs();
        continue;
      }
      // A value is complete: close finished containers, then find the next slot.
      while (true) {
        if (stack_.empty()) return Status::kOk;
        SkipWs();
        if (p_ >= end_) return Status::kInvalid;
        json* container = stack_.back();
        const char d = *p_++;
        if (container->is_array()) {
          if (d == ']') {
            stack_.pop_back();
            continue;
          }
          if (d != ',') return Status::kInvalid;
          SkipWs();
          auto& arr = container->get_ref<json::array_t&>();
          arr.emplace_back();
          target = &arr.back();
          break;
        }
        if (d == '}') {
          stack_.pop_back();
          continue;
        }
        if (d != ',') return Status::kInvalid;
        SkipWs();
        if (!ReadKeyAndPrepare(&target)) return Status::kInvalid;
        SkipWs();
        break;
      }
    }
  }

 private:
  void SkipWs() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  // At a key in the object on top of the stack: reads "key": and points *target at its value.
  bool ReadKeyAndPrepare(json** target) {
    if (p_ >= end_ || *p_ != '"') return false;
    ++p_;
    std::string key;
    if (!ReadString(&key)) return false;
    SkipWs();
    if (p_ >= end_ || *p_ != ':') return false;
    ++p_;
    SkipWs();
    auto& obj = stack_.back()->get_ref<json::object_t&>();
    auto [it, inserted] = obj.try_emplace(std::move(key));
    if (!inserted) it->second = nullptr;  // duplicate key: the last one wins, as JSON.parse
    *target = &it->second;
    return true;
  }

  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool ReadHex4(unsigned* out) {
    if (end_ - p_ < 4) return false;
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = Hex(p_[i]);
      if (h < 0) return false;
      v = v * 16 + static_cast<unsigned>(h);
    }
    p_ += 4;
    *out = v;
    return true;
  }

  static void AppendUtf8(unsigned cp, std::string* s) {
    if (cp < 0x80) {
      s->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      s->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      s->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      s->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      s->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // After the opening quote. Raw bytes >= 0x20 pass through (the text is valid
  // UTF-8 from TextEncoder); escapes are decoded; a lone surrogate becomes U+FFFD.
  bool ReadString(std::string* s) {
    const char* start = p_;
    while (p_ < end_) {
      const unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        s->assign(start, p_);
        ++p_;
        return true;
      }
      if (c == '\\') break;
      if (c < 0x20) return false;
      ++p_;
    }
    s->assign(start, p_);
    while (p_ < end_) {
      const unsigned char c = static_cast<unsigned char>(*p_++);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c != '\\') {
        s->push_back(static_cast<char>(c));
        continue;
      }
      if (p_ >= end_) return false;
      const char e = *p_++;
      switch (e) {
        case '"': s->push_back('"'); break;
        case '\\': s->push_back('\\'); break;
        case '/': s->push_back('/'); break;
        case 'b': s->push_back('\b'); break;
        case 'f': s->push_back('\f'); break;
        case 'n': s->push_back('\n'); break;
        case 'r': s->push_back('\r'); break;
        case 't': s->push_back('\t'); break;
        case 'u': {
          unsigned cp;
          if (!ReadHex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned lo;
            if (end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
              const char* save = p_;
              p_ += 2;
              if (ReadHex4(&lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
              } else {
                p_ = save;
                cp = 0xFFFD;
              }
            } else {
              cp = 0xFFFD;
            }
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            cp = 0xFFFD;
          }
          AppendUtf8(cp, s);
          break;
        }
        default: return false;
      }
    }
    return false;
  }

  bool ReadNumber(json* target) {
    const char* start = p_;
    const bool neg = *p_ == '-';
    if (neg) ++p_;
    uint64_t mant = 0;
    int used = 0;        // digits accumulated into mant (at most 19: fits uint64)
    bool overflow = false;
    int frac = 0;        // fraction digits accumulated
    auto digit = [&](bool fraction) {
      if (used < 19) {
        mant = mant * 10 + static_cast<uint64_t>(*p_ - '0');
        ++used;
        if (fraction) ++frac;
      } else {
        overflow = true;
      }
      ++p_;
    };
    if (p_ >= end_ || *p_ < '0' || *p_ > '9') return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') digit(false);
    }
    bool is_int = true;
    if (p_ < end_ && *p_ == '.') {
      is_int = false;
      ++p_;
      if (p_ >= end_ || *p_ < '0' || *p_ > '9') return false;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') digit(true);
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ >= end_ || *p_ < '0' || *p_ > '9') return false;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
      return Slow(start, target);
    }
    if (overflow) return Slow(start, target);
    if (is_int) {
      if (!neg) {
        *target = mant;  // as nlohmann: non-negative integers are unsigned
      } else if (mant <= static_cast<uint64_t>(INT64_MAX)) {
        *target = -static_cast<int64_t>(mant);
      } else {
        return Slow(start, target);
      }
      return true;
    }
    // Clinger's fast path: exact when mant < 2^53 and 10^frac is exact, so
    // one correctly rounded division gives the same double as strtod.
    static constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19};
    if (mant < (uint64_t{1} << 53)) {
      const double d = static_cast<double>(mant) / kPow10[frac];
      *target = neg ? -d : d;
      return true;
    }
    return Slow(start, target);
  }

  bool Slow(const char* start, json* target) {
    std::string tmp(start, p_);
    char* endp = nullptr;
    const double d = std::strtod(tmp.c_str(), &endp);
    if (endp != tmp.c_str() + tmp.size()) return false;
    *target = d;
    return true;
  }

  const char* p_;
  const char* end_;
  std::vector<json*> stack_;
};

// ---------------------------------------------------------------- issues out

const char* SeverityName(Severity s) { return s == Severity::kError ? "error" : "warning"; }

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
      Result<json> parsed = ParseJson(View(ptr, len), "rule", many ? 1 : 0);
      if (!parsed.ok()) return ErrorsResult({parsed.error()});
      const json& input = parsed.value();
      const CompileOptions options = MakeCompileOptions(max_depth, max_nodes);
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
      Result<json> pj = ParseOne(profile_text, "profile");
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
    FastParser parser(records_text);
    json record;
    size_t records = 0;
    bool ok = parser.Consume('[');
    if (ok && !parser.Consume(']')) {
      do {
        const FastParser::Status st = parser.ParseValue(&record, kMaxNesting);
        if (st == FastParser::Status::kTooDeep) {
          Fail(ErrorCode::kTooDeep, "/" + std::to_string(records),
               "The data nests arrays or objects more than " + std::to_string(kMaxNesting) + " levels deep.");
          return;
        }
        if (st != FastParser::Status::kOk) {
          ok = false;
          break;
        }
        EvaluateRecord(record);
        ++records;
      } while (parser.Consume(','));
      ok = ok && parser.Consume(']');
    }
    ok = ok && parser.AtEnd();
    if (!ok) {
      // Not valid JSON (or nothing the fast parser reads): nlohmann names the byte.
      Result<json> list = ParseJson(records_text, "data", 1);
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

  // Parses one JSON value (a profile) with the fast parser, else nlohmann.
  static Result<json> ParseOne(std::string_view text, const char* what) {
    FastParser parser(text);
    json value;
    const FastParser::Status st = parser.ParseValue(&value, kMaxNesting);
    if (st == FastParser::Status::kOk && parser.AtEnd()) return value;
    if (st == FastParser::Status::kTooDeep) {
      return Error{ErrorCode::kTooDeep, "",
                   std::string("The ") + what + " nests arrays or objects more than " +
                       std::to_string(kMaxNesting) + " levels deep."};
    }
    return ParseJson(text, what);
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
  Serializer serializer_;
};

// ---------------------------------------------------------------- free functions

// Every problem of one rule (JSON text), without keeping a handle.
val Validate(uintptr_t ptr, size_t len, int max_depth, int max_nodes) {
  try {
    val list = val::array();
    Result<json> parsed = ParseJson(View(ptr, len), "rule");
    if (!parsed.ok()) {
      list.call<void>("push", IssueToVal(parsed.error(), -1));
      return list;
    }
    CompileResult r = CompileRule(parsed.value(), MakeCompileOptions(max_depth, max_nodes));
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
    Result<json> parsed = ParseJson(View(ptr, len), "rule");
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
