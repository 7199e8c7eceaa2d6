#include "tagwise/utf8.h"

namespace tagwise {

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::optional<char32_t> DecodeUtf8(std::string_view s, size_t* pos, Utf8Check check) {
  const size_t i = *pos;
  if (i >= s.size()) return std::nullopt;
  const unsigned b0 = static_cast<unsigned char>(s[i]);
  const size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || len > s.size() - i) return std::nullopt;
  char32_t cp = len == 1 ? b0 : b0 & (0x7Fu >> len);
  for (size_t k = 1; k < len; ++k) {
    const unsigned b = static_cast<unsigned char>(s[i + k]);
    if (check != Utf8Check::kLeadByte && (b & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (check == Utf8Check::kStrict) {
    // The shortest form only, and scalar values only.
    static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  }
  *pos = i + len;
  return cp;
}

char32_t DecodeUtf8OrReplacement(std::string_view s, size_t* pos, Utf8Check check) {
  if (std::optional<char32_t> cp = DecodeUtf8(s, pos, check)) return *cp;
  ++*pos;
  return 0xFFFD;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (!DecodeUtf8(s, &i)) return false;
  }
  return true;
}

size_t Utf16Length(std::string_view s) {
  size_t n = 0;
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80) n += (c >= 0xF0) ? 2 : 1;
  }
  return n;
}

size_t Utf8CharBoundary(std::string_view s, size_t pos) {
  if (pos >= s.size()) return pos;
  while (pos > 0 && (static_cast<unsigned char>(s[pos]) & 0xC0) == 0x80) --pos;
  return pos;
}

}  // namespace tagwise
