// UTF-8 encoding and decoding shared by the core (JS string semantics, the
// text-form parser, conditions, bucketing hashes, the bounded regex) and the
// wasm bindings' JSON reader. Every UTF-8 decoding loop in the core goes
// through DecodeUtf8 below.
#ifndef TAGWISE_UTF8_H_
#define TAGWISE_UTF8_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tagwise {

// Appends the UTF-8 encoding of code point `cp` (callers pass valid scalar
// values; lone surrogates are replaced with U+FFFD before they get here).
void AppendUtf8(char32_t cp, std::string* out);

// How much of a sequence DecodeUtf8 checks. All three read the length from
// the lead byte (0xxxxxxx 1, 110xxxxx 2, 1110xxxx 3, 11110xxx 4; anything
// else is malformed) and need that many bytes to be there. They differ only
// on malformed input; on well-formed UTF-8 they decode the same code points.
// The lax ones exist because two call sites have always decoded that way and
// their output on malformed text must not change (see each call site).
enum class Utf8Check {
  // Well-formed UTF-8 only (Unicode table 3-7): continuation bytes are
  // 10xxxxxx, and overlong forms, surrogates (U+D800..U+DFFF) and values past
  // U+10FFFF are malformed. What nlohmann's dump() and TextDecoder accept.
  kStrict,
  // Continuation bytes must be 10xxxxxx; overlong forms, surrogates and
  // values up to 0x1FFFFF decode as they are (JsToLowerCase).
  kContinuationBytes,
  // Only the lead byte and the length are checked: the bytes after it are
  // taken as continuation bytes whatever they are (js::ToUtf16, which backs
  // JS string comparison and substr).
  kLeadByte,
};

// Decodes the character that starts at byte `*pos` of `s`. On success returns
// its code point and moves `*pos` past it; on malformed input (per `check`) or
// at the end of `s` returns nullopt and leaves `*pos` alone, so the caller
// decides what a bad byte means (an error, U+FFFD, the byte copied through).
[[nodiscard]] std::optional<char32_t> DecodeUtf8(std::string_view s, size_t* pos,
                                                 Utf8Check check = Utf8Check::kStrict);

// DecodeUtf8, but a malformed sequence yields U+FFFD and consumes one byte (a
// lone lead byte, each stray continuation byte: one U+FFFD per byte). This is
// how the core reads UTF-8 as the JavaScript string a page would hold.
// Requires *pos < s.size().
char32_t DecodeUtf8OrReplacement(std::string_view s, size_t* pos, Utf8Check check = Utf8Check::kStrict);

// True when `s` is well-formed UTF-8 (Utf8Check::kStrict throughout).
[[nodiscard]] bool IsValidUtf8(std::string_view s);

// Length of UTF-8 text in UTF-16 code units (JS .length): every byte that is
// not a continuation byte (10xxxxxx) counts one, and two from 0xF0 up (an
// astral character is a surrogate pair). Exact for well-formed UTF-8.
[[nodiscard]] size_t Utf16Length(std::string_view s);

// Where a cut at or before byte `pos` keeps whole characters: `pos` moved back
// over continuation bytes (10xxxxxx), to 0 at worst; `pos` itself when it is
// at or past the end of `s`. s.substr(0, result) then never ends inside a
// character of well-formed text.
[[nodiscard]] size_t Utf8CharBoundary(std::string_view s, size_t pos);

}  // namespace tagwise

#endif  // TAGWISE_UTF8_H_
