#include "common/js_value.h"

#include <cstdio>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <vector>

#include "tagwise/utf8.h"

namespace tagwise::js {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Length of the JS whitespace / line terminator at s[i], or 0 (UTF-8 encoded).
size_t WhitespaceAt(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r') return 1;
  if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0) return 2;
  if (c == 0xE1 && s.substr(i, 3) == "\xE1\x9A\x80") return 3;  // U+1680
  if (c == 0xE2 && i + 2 < s.size()) {
    unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
    unsigned char c2 = static_cast<unsigned char>(s[i + 2]);
    if (c1 == 0x80 && ((c2 >= 0x80 && c2 <= 0x8A) || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF)) return 3;
    if (c1 == 0x81 && c2 == 0x9F) return 3;  // U+205F
  }
  if (c == 0xE3 && s.substr(i, 3) == "\xE3\x80\x80") return 3;  // U+3000 ideographic space
  if (c == 0xEF && s.substr(i, 3) == "\xEF\xBB\xBF") return 3;  // U+FEFF
  return 0;
}

std::string_view TrimJs(std::string_view s) {
  size_t b = 0;
  while (b < s.size()) {
    size_t w = WhitespaceAt(s, b);
    if (!w) break;
    b += w;
  }
  size_t e = s.size();
  // Trailing: scan forward for the last non-whitespace position.
  size_t last = b;
  for (size_t i = b; i < e;) {
    size_t w = WhitespaceAt(s, i);
    if (w) { i += w; continue; }
    ++i;
    last = i;
  }
  return s.substr(b, last - b);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Length of the longest prefix of s that is a StrUnsignedDecimalLiteral
// (digits, optional fraction, optional exponent) or "Infinity"; 0 if none.
size_t DecimalPrefix(std::string_view s) {
  if (s.substr(0, 8) == "Infinity") return 8;
  size_t i = 0, digits = 0;
  while (i < s.size() && IsDigit(s[i])) { ++i; ++digits; }
  if (i < s.size() && s[i] == '.') {
    size_t j = i + 1, frac = 0;
    while (j < s.size() && IsDigit(s[j])) { ++j; ++frac; }
    if (digits + frac == 0) return 0;
    i = j;
    digits += frac;
  }
  if (digits == 0) return 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    size_t exp_digits = 0;
    while (j < s.size() && IsDigit(s[j])) { ++j; ++exp_digits; }
    if (exp_digits) i = j;
  }
  return i;
}

double ParseDecimal(std::string_view s) {
  if (s == "Infinity") return kInf;
  // strtod needs a terminated string; numbers in data are short, so avoid the heap.
  char buf[64];
  if (s.size() < sizeof buf) {
    s.copy(buf, s.size());
    buf[s.size()] = '\0';
    return std::strtod(buf, nullptr);
  }
  std::string tmp(s);
  return std::strtod(tmp.c_str(), nullptr);
}

double ParseRadix(std::string_view digits, int radix) {
  if (digits.empty()) return kNaN;
  double v = 0;
  for (char c : digits) {
    int d;
    if (IsDigit(c)) d = c - '0';
    else if (c >= 'a' && c <= 'z') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'Z') d = c - 'A' + 10;
    else return kNaN;
    if (d >= radix) return kNaN;
    v = v * radix + d;
  }
  return v;
}

// ToPrimitive for JSON values: arrays and objects become their string form.
bool IsObjectLike(const json& v) { return v.is_array() || v.is_object(); }

// Reads UTF-8 the lax way this file always has (Utf8Check::kLeadByte: the
// bytes after a lead byte are not checked); a byte that starts nothing, or a
// sequence cut short by the end, is U+FFFD.
std::u16string ToUtf16(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    char32_t cp = DecodeUtf8OrReplacement(s, &i, Utf8Check::kLeadByte);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

std::string FromUtf16(std::u16string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    uint32_t u = s[i];
    if (u >= 0xD800 && u <= 0xDBFF && i + 1 < s.size() && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
      AppendUtf8(0x10000 + ((u - 0xD800) << 10) + (s[i + 1] - 0xDC00), &out);
      ++i;
    } else if (u >= 0xD800 && u <= 0xDFFF) {
      AppendUtf8(0xFFFD, &out);  // a lone surrogate cannot be UTF-8
    } else {
      AppendUtf8(u, &out);
    }
  }
  return out;
}

bool HasAstral(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0xF0) return true;
  }
  return false;
}

double ToIntegerOrInfinity(double d) {
  if (std::isnan(d)) return 0;
  if (std::isinf(d)) return d;
  return std::trunc(d);
}

}  // namespace

int CompareStrings(std::string_view a, std::string_view b) {
  if (!HasAstral(a) && !HasAstral(b)) return a.compare(b);  // UTF-8 byte order == code point order
  return ToUtf16(a).compare(ToUtf16(b));
}

bool Truthy(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return false;
    case json::value_t::boolean: return v.get<bool>();
    case json::value_t::number_integer: return v.get<int64_t>() != 0;
    case json::value_t::number_unsigned: return v.get<uint64_t>() != 0;
    case json::value_t::number_float: {
      double d = v.get<double>();
      return d != 0 && !std::isnan(d);
    }
    case json::value_t::string: return !v.get_ref<const std::string&>().empty();
    case json::value_t::array: return !v.empty();
    default: return true;
  }
}

double StringToNumber(std::string_view raw) {
  std::string_view s = TrimJs(raw);
  if (s.empty()) return 0;
  if (s.size() > 2 && s[0] == '0') {
    char p = s[1];
    if (p == 'x' || p == 'X') return ParseRadix(s.substr(2), 16);
    if (p == 'o' || p == 'O') return ParseRadix(s.substr(2), 8);
    if (p == 'b' || p == 'B') return ParseRadix(s.substr(2), 2);
  }
  bool neg = false;
  std::string_view body = s;
  if (body[0] == '+' || body[0] == '-') {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  size_t n = DecimalPrefix(body);
  if (n == 0 || n != body.size()) return kNaN;
  double d = ParseDecimal(body);
  return neg ? -d : d;
}

double ToNumber(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return 0;
    case json::value_t::boolean: return v.get<bool>() ? 1 : 0;
    case json::value_t::number_integer: return static_cast<double>(v.get<int64_t>());
    case json::value_t::number_unsigned: return static_cast<double>(v.get<uint64_t>());
    case json::value_t::number_float: return v.get<double>();
    case json::value_t::string: return StringToNumber(v.get_ref<const std::string&>());
    case json::value_t::array: return StringToNumber(ToString(v));
    default: return kNaN;
  }
}

double ParseFloat(const json& v) {
  if (v.is_number()) {
    // parseFloat reads String(v), and String(-0) is "0".
    double d = v.get<double>();
    return d == 0 ? 0.0 : d;
  }
  if (v.is_string()) return ParseFloatString(v.get_ref<const std::string&>());
  return ParseFloatString(ToString(v));
}

double ParseFloatString(std::string_view s) {
  size_t b = 0;
  while (b < s.size()) {
    size_t w = WhitespaceAt(s, b);
    if (!w) break;
    b += w;
  }
  s.remove_prefix(b);
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  size_t n = DecimalPrefix(s);
  if (n == 0) return kNaN;
  double d = ParseDecimal(s.substr(0, n));
  return neg ? -d : d;
}

std::string NumberToString(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";
  // Shortest scientific form that reads back as the same double (what JS
  // prints). Emscripten's libc++ 14 has no floating-point std::to_chars.
  char buf[64];
  int len = 0;
  for (int precision = 1; precision <= 17; ++precision) {
    len = std::snprintf(buf, sizeof buf, "%.*e", precision - 1, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  std::string_view sci(buf, static_cast<size_t>(len));  // "-d.ddde+XX"
  std::string out;
  if (sci[0] == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int exp = std::atoi(std::string(sci.substr(e + 1)).c_str());
  int k = static_cast<int>(digits.size());
  int n = exp + 1;
  if (k <= n && n <= 21) {
    out += digits;
    out.append(n - k, '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, n);
    out += '.';
    out += digits.substr(n);
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(-n, '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    out += (n - 1 >= 0) ? '+' : '-';
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

void AppendString(const json& v, std::string* out) {
  switch (v.type()) {
    case json::value_t::null: *out += "null"; break;
    case json::value_t::boolean: *out += v.get<bool>() ? "true" : "false"; break;
    case json::value_t::number_integer: *out += std::to_string(v.get<int64_t>()); break;
    case json::value_t::number_unsigned: *out += NumberToString(static_cast<double>(v.get<uint64_t>())); break;
    case json::value_t::number_float: *out += NumberToString(v.get<double>()); break;
    case json::value_t::string: *out += v.get_ref<const std::string&>(); break;
    case json::value_t::array: {
      // Array.prototype.join(","): null elements become "".
      bool first = true;
      for (const json& e : v) {
        if (!first) *out += ',';
        first = false;
        if (!e.is_null()) AppendString(e, out);
      }
      break;
    }
    default: *out += "[object Object]"; break;
  }
}

std::string ToString(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  std::string out;
  AppendString(v, &out);
  return out;
}

json MakeNumber(double d) {
  if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9007199254740992.0 && !(d == 0 && std::signbit(d))) {
    return json(static_cast<int64_t>(d));
  }
  return json(d);
}

bool StrictEquals(const json& a, const json& b, bool same_ref) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case json::value_t::null: return true;
    case json::value_t::boolean: return a.get<bool>() == b.get<bool>();
    case json::value_t::string: return a.get_ref<const std::string&>() == b.get_ref<const std::string&>();
    default: return same_ref;
  }
}

bool LooseEquals(const json& a, const json& b, bool same_ref) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  if (a.type() == b.type()) return StrictEquals(a, b, same_ref);
  if (IsObjectLike(a) && IsObjectLike(b)) return same_ref;
  // Booleans compare as numbers.
  if (a.is_boolean()) return LooseEquals(json(a.get<bool>() ? 1 : 0), b, false);
  if (b.is_boolean()) return LooseEquals(a, json(b.get<bool>() ? 1 : 0), false);
  // Objects and arrays compare through their primitive (string) form.
  if (IsObjectLike(a)) return LooseEquals(json(ToString(a)), b, false);
  if (IsObjectLike(b)) return LooseEquals(a, json(ToString(b)), false);
  // number vs string
  return ToNumber(a) == ToNumber(b);
}

namespace {
// Shared by < and <=: returns -2 when undefined (NaN), else the sign of a - b.
int RelationalCompare(const json& a, const json& b) {
  std::string sa, sb;
  bool a_str = a.is_string() || IsObjectLike(a);
  bool b_str = b.is_string() || IsObjectLike(b);
  if (a_str && b_str) {
    const std::string& ra = a.is_string() ? a.get_ref<const std::string&>() : (sa = ToString(a));
    const std::string& rb = b.is_string() ? b.get_ref<const std::string&>() : (sb = ToString(b));
    int c = CompareStrings(ra, rb);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  double x = a.is_number() ? a.get<double>() : ToNumber(a);
  double y = b.is_number() ? b.get<double>() : ToNumber(b);
  if (std::isnan(x) || std::isnan(y)) return -2;
  return x < y ? -1 : (x > y ? 1 : 0);
}
}  // namespace

bool LessThan(const json& a, const json& b) { return RelationalCompare(a, b) == -1; }

bool LessOrEqual(const json& a, const json& b) {
  int c = RelationalCompare(a, b);
  return c == -1 || c == 0;
}

std::string Substr(std::string_view s, double start, double length, bool has_length) {
  std::u16string u = ToUtf16(s);
  double size = static_cast<double>(u.size());
  double st = ToIntegerOrInfinity(start);
  if (st == -kInf) st = 0;
  else if (st < 0) st = std::max(size + st, 0.0);
  else st = std::min(st, size);
  double len = has_length ? ToIntegerOrInfinity(length) : size;
  len = std::min(std::max(len, 0.0), size);
  double end = std::min(st + len, size);
  if (end <= st) return std::string();
  return FromUtf16(std::u16string_view(u).substr(static_cast<size_t>(st), static_cast<size_t>(end - st)));
}

// Needles up to this many bytes use string_view::find, whose first-byte scan
// (memchr) is fastest on the short words rules look for ("CHRISTMAS") and
// costs at most this many byte compares per haystack byte. Longer needles
// would make that quadratic (a 64 KB needle in a 1 MB text took 35 s), so
// they go through Knuth-Morris-Pratt: linear, and a few dozen bytes of code
// where a two-way search (memmem) would add a kilobyte to the page module.
constexpr size_t kShortNeedle = 64;

bool Contains(std::string_view hay, std::string_view needle) {
  if (needle.size() <= kShortNeedle) return hay.find(needle) != std::string_view::npos;
  if (needle.size() > hay.size()) return false;
  // fail[i]: length of the longest proper border of needle[0..i].
  std::vector<uint32_t> fail(needle.size());
  for (size_t i = 1, k = 0; i < needle.size(); ++i) {
    while (k > 0 && needle[i] != needle[k]) k = fail[k - 1];
    if (needle[i] == needle[k]) ++k;
    fail[i] = static_cast<uint32_t>(k);
  }
  for (size_t i = 0, k = 0; i < hay.size(); ++i) {
    while (k > 0 && hay[i] != needle[k]) k = fail[k - 1];
    if (hay[i] == needle[k] && ++k == needle.size()) return true;
  }
  return false;
}

}  // namespace tagwise::js

namespace tagwise {

bool IsTruthy(const nlohmann::json& value) { return js::Truthy(value); }

}  // namespace tagwise
