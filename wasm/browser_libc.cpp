// strtod and snprintf for the browser's modules (the page runtime and the
// lazily fetched full module), in place of musl's.
//
// Why: musl's strtod and printf compute in 128-bit long double, which wasm
// has no hardware for, so they bring soft-float arithmetic along (__multf3,
// __divtf3, scalbnl, fmodl, ...): with printf's float formatting, ~22 KB of
// code, ~11 KB gzipped: 7 % of what a page fetches to hold a visitor's tags
// (bench/size/profile.mjs, docs/benchmarks.md). The browser that runs these
// modules already has correctly rounded decimal conversion, so the rare hard
// cases go to it:
//   strtod    decimal text ([+-]digits[.digits][e[+-]digits], inf, nan):
//             Clinger's fast path in C (at most 19 significant digits,
//             mantissa < 2^53, |exponent| <= 22: one correctly rounded
//             operation, exact), everything else JavaScript's Number(),
//             correctly rounded. Hexadecimal floats are not read (no caller
//             passes them: JSON numbers, durations, JavaScript number text).
//   snprintf  the integer, character and string conversions in C; the
//             digits of %e, %f and %g from JavaScript's BigInt, exact and
//             rounded half to even as musl's printf rounds them.
// Node's module and the native builds keep the C library's: this file is only
// linked into tagwise_page_wasm and tagwise_features_wasm (CMakeLists.txt).
// Defining strtof and strtold here as well keeps musl's strtod.o (which
// defines all three) out of the link; libc++'s std::stof/stold reference them.
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

// In wasm/browser_libc.js (linked with --js-library):
//   tw_js_number   Number() of ASCII decimal text in the module's memory
//   tw_js_format   a finite, non-negative double's %e or %f text, as musl's
//                  printf writes it (exact, ties to even), into out
extern "C" double tw_js_number(const char* text, int length);
extern "C" int tw_js_format(double value, int digits, int exponential, char* out, int capacity);

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Case-insensitive prefix match of an ASCII lower-case word.
bool StartsWithWord(const char* p, const char* word) {
  for (; *word; ++p, ++word) {
    if ((*p | 0x20) != *word) return false;
  }
  return true;
}

constexpr double kExactPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

double ParseDecimal(const char* s, char** end) {
  const char* p = s;
  while (IsSpace(*p)) ++p;
  const char* text = p;  // what Number() gets: sign included
  const bool negative = *p == '-';
  if (*p == '+' || *p == '-') ++p;
  auto finish = [&](const char* stop, double v) {
    if (end) *end = const_cast<char*>(stop);
    return negative ? -v : v;
  };
  if (StartsWithWord(p, "inf")) return finish(p + (StartsWithWord(p + 3, "inity") ? 8 : 3), HUGE_VAL);
  if (StartsWithWord(p, "nan")) {
    const char* q = p + 3;
    if (*q == '(') {  // nan(n-char-sequence)
      const char* r = q + 1;
      while (IsDigit(*r) || ((*r | 0x20) >= 'a' && (*r | 0x20) <= 'z') || *r == '_') ++r;
      if (*r == ')') q = r + 1;
    }
    return finish(q, NAN);
  }

  // The digits: up to 19 significant ones are kept in `mantissa`; `scale` is
  // the power of ten that the kept digits are multiplied by.
  uint64_t mantissa = 0;
  int significant = 0;
  int scale = 0;
  bool dropped_nonzero = false;
  size_t digits = 0;
  const char* q = p;
  for (; IsDigit(*q); ++q, ++digits) {
    if (significant < 19) {
      mantissa = mantissa * 10 + static_cast<uint64_t>(*q - '0');
      if (mantissa != 0) ++significant;
    } else {
      ++scale;
      dropped_nonzero |= *q != '0';
    }
  }
  if (*q == '.' && (digits > 0 || IsDigit(q[1]))) {
    for (++q; IsDigit(*q); ++q, ++digits) {
      if (significant < 19) {
        mantissa = mantissa * 10 + static_cast<uint64_t>(*q - '0');
        if (mantissa != 0) ++significant;
        --scale;
      } else {
        dropped_nonzero |= *q != '0';
      }
    }
  }
  if (digits == 0) {
    if (end) *end = const_cast<char*>(s);
    return 0;
  }
  if ((*q | 0x20) == 'e') {
    const char* r = q + 1;
    const bool exp_negative = *r == '-';
    if (*r == '+' || *r == '-') ++r;
    if (IsDigit(*r)) {
      long exponent = 0;
      for (; IsDigit(*r); ++r) {
        if (exponent < 100000) exponent = exponent * 10 + (*r - '0');
      }
      scale += static_cast<int>(exp_negative ? -exponent : exponent);
      q = r;
    }
  }

  double v;
  if (mantissa == 0 && !dropped_nonzero) {
    v = 0;
  } else if (!dropped_nonzero && mantissa <= (uint64_t{1} << 53) && scale >= -22 && scale <= 22) {
    const double m = static_cast<double>(mantissa);
    v = scale >= 0 ? m * kExactPow10[scale] : m / kExactPow10[-scale];
  } else {
    v = std::fabs(tw_js_number(text, static_cast<int>(q - text)));
    if (v == HUGE_VAL || v == 0) errno = ERANGE;
  }
  return finish(q, v);
}

// ---------------------------------------------------------------- printf

// Where formatted text goes: the first `capacity - 1` bytes into `out`, the
// rest only counted, as vsnprintf does.
struct Sink {
  char* out;
  size_t capacity;
  size_t length = 0;

  void Put(char c) {
    if (length + 1 < capacity) out[length] = c;
    ++length;
  }
  void Put(const char* s, size_t n) {
    for (size_t i = 0; i < n; ++i) Put(s[i]);
  }
  void Repeat(char c, int n) {
    for (; n > 0; --n) Put(c);
  }
};

struct Spec {
  bool left = false, plus = false, space = false, alt = false, zero = false;
  int width = 0;
  int precision = -1;
};

// Writes prefix + zeros + body padded to the field width.
void Field(Sink& sink, const Spec& spec, const char* prefix, size_t prefix_len, int zeros, const char* body,
           size_t body_len) {
  const int pad = spec.width - static_cast<int>(prefix_len + body_len) - zeros;
  if (!spec.left && !spec.zero) sink.Repeat(' ', pad);
  sink.Put(prefix, prefix_len);
  if (!spec.left && spec.zero) sink.Repeat('0', pad);
  sink.Repeat('0', zeros);
  sink.Put(body, body_len);
  if (spec.left) sink.Repeat(' ', pad);
}

void FormatInteger(Sink& sink, Spec spec, uintmax_t magnitude, bool negative, char conversion) {
  const int base = conversion == 'o' ? 8 : (conversion == 'x' || conversion == 'X' || conversion == 'p') ? 16 : 10;
  const char* digit_chars = conversion == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
  char digits[24];
  size_t n = 0;
  for (uintmax_t m = magnitude; m != 0; m /= base) digits[sizeof digits - ++n] = digit_chars[m % base];
  if (spec.precision >= 0) spec.zero = false;
  int zeros = spec.precision > static_cast<int>(n) ? spec.precision - static_cast<int>(n) : 0;
  if (magnitude == 0 && spec.precision != 0 && zeros == 0) zeros = 1;  // "0", but %.0d of 0 is ""
  char prefix[2];
  size_t prefix_len = 0;
  if (conversion == 'd' || conversion == 'i') {
    if (negative) prefix[prefix_len++] = '-';
    else if (spec.plus) prefix[prefix_len++] = '+';
    else if (spec.space) prefix[prefix_len++] = ' ';
  } else if ((spec.alt && magnitude != 0 && base == 16) || conversion == 'p') {
    prefix[prefix_len++] = '0';
    prefix[prefix_len++] = conversion == 'X' ? 'X' : 'x';
  } else if (spec.alt && base == 8 && zeros == 0) {
    zeros = 1;
  }
  Field(sink, spec, prefix, prefix_len, zeros, digits + sizeof digits - n, n);
}

void FormatDouble(Sink& sink, Spec spec, double v, char conversion) {
  const bool upper = conversion >= 'A' && conversion <= 'Z';
  const char lower = static_cast<char>(conversion | 0x20);
  const bool negative = std::signbit(v);
  char prefix[1];
  size_t prefix_len = 0;
  if (negative) prefix[prefix_len++] = '-';
  else if (spec.plus) prefix[prefix_len++] = '+';
  else if (spec.space) prefix[prefix_len++] = ' ';
  v = std::fabs(v);
  char body[720];
  size_t n;
  if (!std::isfinite(v)) {
    std::memcpy(body, std::isnan(v) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf"), 3);
    n = 3;
    spec.zero = false;
  } else {
    int precision = spec.precision < 0 ? 6 : spec.precision;
    if (precision > 340) precision = 340;  // the body's room; a double needs no more
    bool exponential = lower == 'e' || lower == 'a';
    bool strip = false;
    if (lower == 'g') {
      // %g: exponential if the exponent X of %.(P-1)e is < -4 or >= P,
      // otherwise fixed with P-1-X decimals; trailing zeros removed unless #.
      const int p = precision == 0 ? 1 : precision;
      n = static_cast<size_t>(tw_js_format(v, p - 1, 1, body, sizeof body));
      const int x = std::atoi(static_cast<char*>(std::memchr(body, 'e', n)) + 1);
      exponential = x < -4 || x >= p;
      precision = exponential ? p - 1 : p - 1 - x;
      strip = !spec.alt;
    }
    n = static_cast<size_t>(tw_js_format(v, precision, exponential ? 1 : 0, body, sizeof body));
    char* e = exponential ? static_cast<char*>(std::memchr(body, 'e', n)) : body + n;
    if (strip && std::memchr(body, '.', e - body)) {
      char* cut = e;
      while (cut[-1] == '0') --cut;
      if (cut[-1] == '.') --cut;
      std::memmove(cut, e, body + n - e);
      n -= e - cut;
    } else if (spec.alt && precision == 0) {  // %#.0f keeps the point
      std::memmove(e + 1, e, body + n - e);
      *e = '.';
      ++n;
    }
    if (upper) {
      for (size_t i = 0; i < n; ++i) {
        if (body[i] == 'e') body[i] = 'E';
      }
    }
  }
  Field(sink, spec, prefix, prefix_len, 0, body, n);
}

}  // namespace

extern "C" {

double strtod(const char* s, char** end) { return ParseDecimal(s, end); }
float strtof(const char* s, char** end) { return static_cast<float>(ParseDecimal(s, end)); }
long double strtold(const char* s, char** end) { return ParseDecimal(s, end); }

int vsnprintf(char* out, size_t capacity, const char* format, va_list args) {
  Sink sink{out, capacity};
  for (const char* f = format; *f; ++f) {
    if (*f != '%') {
      sink.Put(*f);
      continue;
    }
    Spec spec;
    for (++f;; ++f) {
      if (*f == '-') spec.left = true;
      else if (*f == '+') spec.plus = true;
      else if (*f == ' ') spec.space = true;
      else if (*f == '#') spec.alt = true;
      else if (*f == '0') spec.zero = true;
      else break;
    }
    if (*f == '*') {
      spec.width = va_arg(args, int);
      if (spec.width < 0) spec.left = true, spec.width = -spec.width;
      ++f;
    } else {
      for (; IsDigit(*f); ++f) spec.width = spec.width * 10 + (*f - '0');
    }
    if (*f == '.') {
      ++f;
      spec.precision = 0;
      if (*f == '*') {
        spec.precision = va_arg(args, int);
        if (spec.precision < 0) spec.precision = -1;
        ++f;
      } else {
        for (; IsDigit(*f); ++f) spec.precision = spec.precision * 10 + (*f - '0');
      }
    }
    if (spec.left) spec.zero = false;
    int longs = 0;  // h: -1, hh: -2, l: 1, ll/j/z/t: 2
    for (;; ++f) {
      if (*f == 'h') --longs;
      else if (*f == 'l') ++longs;
      else if (*f == 'j' || *f == 'z' || *f == 't') longs = 2;
      else if (*f == 'L') continue;
      else break;
    }
    const char c = *f;
    if (c == '\0') break;
    switch (c) {
      case 'd':
      case 'i': {
        intmax_t v = longs >= 2 ? va_arg(args, long long) : longs == 1 ? va_arg(args, long) : va_arg(args, int);
        if (longs == -1) v = static_cast<short>(v);
        if (longs <= -2) v = static_cast<signed char>(v);
        const uintmax_t magnitude = v < 0 ? uintmax_t{0} - static_cast<uintmax_t>(v) : static_cast<uintmax_t>(v);
        FormatInteger(sink, spec, magnitude, v < 0, c);
        break;
      }
      case 'u':
      case 'o':
      case 'x':
      case 'X': {
        uintmax_t v = longs >= 2   ? va_arg(args, unsigned long long)
                      : longs == 1 ? va_arg(args, unsigned long)
                                   : va_arg(args, unsigned);
        if (longs == -1) v = static_cast<unsigned short>(v);
        if (longs <= -2) v = static_cast<unsigned char>(v);
        FormatInteger(sink, spec, v, false, c);
        break;
      }
      case 'p':
        FormatInteger(sink, spec, reinterpret_cast<uintptr_t>(va_arg(args, void*)), false, 'p');
        break;
      case 'c': {
        const char ch = static_cast<char>(va_arg(args, int));
        spec.zero = false;
        Field(sink, spec, nullptr, 0, 0, &ch, 1);
        break;
      }
      case 's': {
        const char* s = va_arg(args, const char*);
        if (!s) s = "(null)";
        size_t n = 0;
        while (s[n] && (spec.precision < 0 || n < static_cast<size_t>(spec.precision))) ++n;
        spec.zero = false;
        Field(sink, spec, nullptr, 0, 0, s, n);
        break;
      }
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G':
      case 'a':
      case 'A':
        FormatDouble(sink, spec, va_arg(args, double), c);
        break;
      case 'n':
        *va_arg(args, int*) = static_cast<int>(sink.length);
        break;
      default:  // %% and anything unknown: the character itself
        sink.Put(c);
        break;
    }
  }
  if (capacity > 0) out[sink.length < capacity ? sink.length : capacity - 1] = '\0';
  return static_cast<int>(sink.length);
}

int snprintf(char* out, size_t capacity, const char* format, ...) {
  va_list args;
  va_start(args, format);
  const int n = vsnprintf(out, capacity, format, args);
  va_end(args);
  return n;
}

}  // extern "C"
