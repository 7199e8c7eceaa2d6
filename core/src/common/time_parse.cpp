// Durations ("30d") and ISO 8601 dates, parsed without any clock or locale so
// results are the same natively, in Node and in the browser.
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

#include "tagwise/rule.h"

namespace tagwise {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly n digits at s[*i].
std::optional<int> Digits(std::string_view s, size_t* i, int n) {
  if (*i + n > s.size()) return std::nullopt;
  int v = 0;
  for (int k = 0; k < n; ++k) {
    char c = s[*i + k];
    if (!IsDigit(c)) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  *i += n;
  return v;
}

}  // namespace

std::optional<int64_t> ParseDuration(const nlohmann::json& d) {
  if (d.is_number()) {
    double v = d.get<double>();
    if (!std::isfinite(v) || v < 0 || v > 9.0e15) return std::nullopt;
    return static_cast<int64_t>(v);
  }
  if (!d.is_string()) return std::nullopt;
  std::string_view s = d.get_ref<const std::string&>();
  if (s.empty() || s.size() > 64) return std::nullopt;
  // One or more <number><unit> parts: "30d", "1.5h", "1d12h".
  double total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && (IsDigit(s[i]) || s[i] == '.')) ++i;
    if (i == start) return std::nullopt;
    std::string num(s.substr(start, i - start));
    if (num.find('.') != num.rfind('.')) return std::nullopt;
    double v = std::strtod(num.c_str(), nullptr);
    size_t u = i;
    while (i < s.size() && ((s[i] >= 'a' && s[i] <= 'z'))) ++i;
    std::string_view unit = s.substr(u, i - u);
    double ms;
    if (unit == "ms") ms = 1;
    else if (unit == "s") ms = 1000;
    else if (unit == "m" || unit == "min") ms = 60'000;
    else if (unit == "h") ms = 3'600'000;
    else if (unit == "d") ms = 86'400'000;
    else if (unit == "w") ms = 7 * 86'400'000.0;
    else return std::nullopt;
    total += v * ms;
  }
  if (!std::isfinite(total) || total > 9.0e15) return std::nullopt;
  return static_cast<int64_t>(std::llround(total));
}

std::optional<int64_t> ParseIsoDate(std::string_view s) {
  size_t i = 0;
  auto y = Digits(s, &i, 4);
  if (!y || i >= s.size() || s[i] != '-') return std::nullopt;
  ++i;
  auto mo = Digits(s, &i, 2);
  if (!mo || i >= s.size() || s[i] != '-') return std::nullopt;
  ++i;
  auto d = Digits(s, &i, 2);
  if (!d || *mo < 1 || *mo > 12 || *d < 1 || static_cast<unsigned>(*d) > DaysInMonth(*y, *mo)) return std::nullopt;
  int64_t ms = DaysFromCivil(*y, *mo, *d) * 86'400'000;
  if (i == s.size()) return ms;
  if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return std::nullopt;
  ++i;
  auto hh = Digits(s, &i, 2);
  if (!hh || i >= s.size() || s[i] != ':') return std::nullopt;
  ++i;
  auto mm = Digits(s, &i, 2);
  if (!mm || *hh > 23 || *mm > 59) return std::nullopt;
  int ss = 0;
  double frac = 0;
  if (i < s.size() && s[i] == ':') {
    ++i;
    auto sec = Digits(s, &i, 2);
    if (!sec || *sec > 59) return std::nullopt;
    ss = *sec;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      ++i;
      double scale = 0.1;
      size_t start = i;
      while (i < s.size() && IsDigit(s[i])) {
        frac += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
      }
      if (i == start) return std::nullopt;
    }
  }
  ms += (*hh * 3600 + *mm * 60 + ss) * 1000LL + static_cast<int64_t>(std::floor(frac * 1000 + 1e-9));
  if (i == s.size()) return ms;  // no zone: UTC, so every runtime agrees
  if (s[i] == 'Z' || s[i] == 'z') return i + 1 == s.size() ? std::optional<int64_t>(ms) : std::nullopt;
  if (s[i] != '+' && s[i] != '-') return std::nullopt;
  int sign = s[i] == '+' ? 1 : -1;
  ++i;
  auto oh = Digits(s, &i, 2);
  if (!oh) return std::nullopt;
  if (i < s.size() && s[i] == ':') ++i;
  auto om = Digits(s, &i, 2);
  if (!om || i != s.size() || *oh > 23 || *om > 59) return std::nullopt;
  return ms - sign * (*oh * 60 + *om) * 60'000LL;
}

}  // namespace tagwise
