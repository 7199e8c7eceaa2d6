// JSON text in: see tagwise/json_text.h.
#include "tagwise/json_text.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

#include "tagwise/utf8.h"

namespace tagwise {

using nlohmann::json;

namespace {

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

// ParseJson; `retried` after replacing lone surrogate escapes.
Result<json> ParseJsonImpl(std::string_view text, std::string_view what, int wrapper_levels,
                           OnBadAlloc on_bad_alloc, int max_nesting, bool retried) {
  if (!retried && NestsDeeperThan(text, max_nesting + wrapper_levels)) {
    return Error{ErrorCode::kTooDeep, "",
                 std::string("The ").append(what) + " nests arrays or objects more than " +
                     std::to_string(max_nesting) + " levels deep."};
  }
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    const std::string message = e.what();
    if (!retried && message.find("surrogate") != std::string::npos) {
      return ParseJsonImpl(ReplaceLoneSurrogateEscapes(text), what, wrapper_levels, on_bad_alloc, max_nesting, true);
    }
    // nlohmann reports ill-formed UTF-8 inside strings as a parse error.
    const bool utf8 = message.find("UTF-8") != std::string::npos;
    return Error{utf8 ? ErrorCode::kInvalidUtf8 : ErrorCode::kInvalidJson, "",
                 std::string("The ").append(what) +
                     (utf8 ? " is not valid UTF-8 at byte " : " is not valid JSON at byte ") +
                     std::to_string(e.byte) + "."};
  } catch (const json::out_of_range& e) {
    // A number too large for a double (1e999). Found by fuzz/profile_fuzzer.
    return Error{ErrorCode::kInvalidJson, "",
                 std::string("The ").append(what) + " has a number out of range: " + e.what() + "."};
  } catch (const std::bad_alloc&) {
    if (on_bad_alloc == OnBadAlloc::kThrow) throw;
    return Error{ErrorCode::kOutOfMemory, "",
                 std::string("The ").append(what) + " is too large for the available memory."};
  }
}

}  // namespace

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

Result<json> ParseJson(std::string_view text, std::string_view what, int wrapper_levels, OnBadAlloc on_bad_alloc,
                       int max_nesting) {
  return ParseJsonImpl(text, what, wrapper_levels, on_bad_alloc, max_nesting, false);
}

Result<json> ParseFast(std::string_view text, std::string_view what, int wrapper_levels, OnBadAlloc on_bad_alloc,
                       int max_nesting) {
  FastParser parser(text);
  json value;
  const FastParser::Status st = parser.ParseValue(&value, max_nesting + wrapper_levels);
  if (st == FastParser::Status::kOk && parser.AtEnd()) return value;
  if (st == FastParser::Status::kTooDeep) {
    return Error{ErrorCode::kTooDeep, "",
                 std::string("The ").append(what) + " nests arrays or objects more than " +
                     std::to_string(max_nesting) + " levels deep."};
  }
  return ParseJson(text, what, wrapper_levels, on_bad_alloc, max_nesting);
}

// ---------------------------------------------------------------- FastParser

// A string, number, true, false or null at the current position into *target.
[[gnu::noinline]] bool FastParser::ParseScalar(json* target) {
  switch (*p_) {
    case '"': {
      ++p_;
      std::string s;
      if (!ReadString(&s)) return false;
      *target = std::move(s);
      return true;
    }
    case 't':
      if (end_ - p_ < 4 || std::memcmp(p_, "true", 4) != 0) return false;
      p_ += 4;
      *target = true;
      return true;
    case 'f':
      if (end_ - p_ < 5 || std::memcmp(p_, "false", 5) != 0) return false;
      p_ += 5;
      *target = false;
      return true;
    case 'n':
      if (end_ - p_ < 4 || std::memcmp(p_, "null", 4) != 0) return false;
      p_ += 4;
      *target = nullptr;
      return true;
    default:
      return ReadNumber(target);
  }
}

// Scalars are read without entering the container loop, whose body is what
// V8's baseline tier charges on every turn: most values a profile holds are
// scalars (an event's id, type and time, its props' values), and with the
// loop small the page's one-off profile read no longer gets the parser
// optimised in the background.
FastParser::Status FastParser::ParseValue(json* out, int max_depth) {
  SkipWs();
  if (p_ >= end_) return Status::kInvalid;
  if (*p_ != '{' && *p_ != '[') return ParseScalar(out) ? Status::kOk : Status::kInvalid;
  return ParseContainer(out, max_depth);
}

FastParser::Status FastParser::ParseContainer(json* out, int max_depth) {
  stack_.clear();
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
      default:
        if (!ParseScalar(target)) return Status::kInvalid;
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

// At a key in the object on top of the stack: reads "key": and points *target at its value.
bool FastParser::ReadKeyAndPrepare(json** target) {
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

bool FastParser::ReadHex4(unsigned* out) {
  if (end_ - p_ < 4) return false;
  unsigned v = 0;
  for (int i = 0; i < 4; ++i) {
    const int h = HexValue(p_[i]);
    if (h < 0) return false;
    v = v * 16 + static_cast<unsigned>(h);
  }
  p_ += 4;
  *out = v;
  return true;
}

// After the opening quote. Raw bytes >= 0x20 pass through (a string holding
// any byte >= 0x80 is checked as UTF-8); escapes are decoded; a lone
// surrogate becomes U+FFFD.
bool FastParser::ReadString(std::string* s) {
  // Text from JavaScript strings is valid UTF-8, but bytes handed over as
  // they were fetched may not be: a string with a byte >= 0x80 is checked,
  // and an ill-formed one sends the text to ParseJson, which says where.
  // The scan is a loop of its own with nothing else in its body: V8's
  // baseline tier charges every turn of a loop by the body's size, and this
  // one runs once per character of every string the page hands over.
  bool high = false;
  const char* start = p_;
  while (p_ < end_) {
    const unsigned char c = static_cast<unsigned char>(*p_);
    if (c == '"' || c == '\\' || c < 0x20) break;
    high |= c >= 0x80;
    ++p_;
  }
  if (p_ < end_ && *p_ == '"') {
    s->assign(start, p_);
    ++p_;
    return !high || IsValidUtf8(*s);
  }
  if (p_ < end_ && static_cast<unsigned char>(*p_) < 0x20) return false;
  s->assign(start, p_);
  while (p_ < end_) {
    const unsigned char c = static_cast<unsigned char>(*p_++);
    if (c == '"') return !high || IsValidUtf8(*s);
    if (c < 0x20) return false;
    if (c != '\\') {
      high |= c >= 0x80;
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

bool FastParser::ReadNumber(json* target) {
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

bool FastParser::Slow(const char* start, json* target) {
  std::string tmp(start, p_);
  char* endp = nullptr;
  const double d = std::strtod(tmp.c_str(), &endp);
  if (endp != tmp.c_str() + tmp.size()) return false;
  // Too large for a double (1e400): nlohmann's reader, which the caller falls
  // back to, reports it as an error, so the fast reader must not accept it.
  if (!std::isfinite(d)) return false;
  *target = d;
  return true;
}


}  // namespace tagwise
