#include "tagwise/utf8.h"

#include <optional>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "common/js_value.h"
#include "rules/evaluator.h"
#include "tagwise/experiments.h"

namespace tagwise {
namespace {

// Decodes the whole of `s` with `check`, U+FFFD marking each malformed byte
// (so one string shows every code point and every failure).
std::u32string DecodeAll(std::string_view s, Utf8Check check) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) out.push_back(DecodeUtf8OrReplacement(s, &i, check));
  return out;
}

TEST(Utf8Test, DecodesChineseTextOneCharacterAtATime) {
  const std::string_view s = "用户";  // E7 94 A8, E6 88 B7
  size_t pos = 0;
  EXPECT_EQ(DecodeUtf8(s, &pos), std::optional<char32_t>(U'\u7528'));
  EXPECT_EQ(pos, 3u);
  EXPECT_EQ(DecodeUtf8(s, &pos), std::optional<char32_t>(U'\u6237'));
  EXPECT_EQ(pos, 6u);
  EXPECT_EQ(DecodeUtf8(s, &pos), std::nullopt);  // the end
  EXPECT_EQ(pos, 6u);
}

TEST(Utf8Test, DecodesEveryLength) {
  EXPECT_EQ(DecodeAll("a\xC3\xA9\xE4\xBC\x9A\xF0\x9F\x98\x80", Utf8Check::kStrict), U"a\u00E9\u4F1A\U0001F600");
  EXPECT_EQ(DecodeAll("\xF4\x8F\xBF\xBF", Utf8Check::kStrict), U"\U0010FFFF");  // the largest code point
  EXPECT_EQ(DecodeAll(std::string_view("\0", 1), Utf8Check::kStrict), std::u32string(1, U'\0'));
}

TEST(Utf8Test, MalformedInputLeavesThePositionAlone) {
  for (std::string_view bad : {"\x80", "\xBF", "\xFF", "\xF8\x88\x80\x80\x80", "\xE7\x94", "\xC3\x28", "\xC0\xAF",
                               "\xED\xA0\x80", "\xF4\x90\x80\x80"}) {
    size_t pos = 0;
    EXPECT_EQ(DecodeUtf8(bad, &pos), std::nullopt) << testing::PrintToString(bad);
    EXPECT_EQ(pos, 0u);
  }
}

TEST(Utf8Test, ReplacementIsOneU_FFFDPerMalformedByte) {
  EXPECT_EQ(DecodeAll("a\xFF\xE7\x94\xA8", Utf8Check::kStrict), U"a\uFFFD\u7528");
  // A character cut short: its lead byte and each stray continuation byte.
  EXPECT_EQ(DecodeAll("\xE7\x94", Utf8Check::kStrict), U"\uFFFD\uFFFD");
  EXPECT_EQ(DecodeAll("\xE7\x94!", Utf8Check::kStrict), U"\uFFFD\uFFFD!");
}

TEST(Utf8Test, StrictRejectsOverlongFormsSurrogatesAndValuesPastU10FFFF) {
  EXPECT_EQ(DecodeAll("\xC0\xAF", Utf8Check::kStrict), U"\uFFFD\uFFFD");          // overlong '/'
  EXPECT_EQ(DecodeAll("\xE0\x80\xAF", Utf8Check::kStrict), U"\uFFFD\uFFFD\uFFFD");  // overlong '/'
  EXPECT_EQ(DecodeAll("\xED\xA0\x80", Utf8Check::kStrict), U"\uFFFD\uFFFD\uFFFD");  // U+D800
  EXPECT_EQ(DecodeAll("\xED\xBF\xBF", Utf8Check::kStrict), U"\uFFFD\uFFFD\uFFFD");  // U+DFFF
  EXPECT_EQ(DecodeAll("\xED\x9F\xBF", Utf8Check::kStrict), U"\uD7FF");              // just below
  EXPECT_EQ(DecodeAll("\xF4\x90\x80\x80", Utf8Check::kStrict), U"\uFFFD\uFFFD\uFFFD\uFFFD");  // 0x110000
}

TEST(Utf8Test, LaxChecksDifferOnlyOnMalformedInput) {
  // kContinuationBytes (JsToLowerCase) takes overlong forms, surrogates and
  // values past U+10FFFF as they are, but not a bad continuation byte.
  EXPECT_EQ(DecodeAll("\xC0\xAF", Utf8Check::kContinuationBytes), U"/");
  EXPECT_EQ(DecodeAll("\xED\xA0\x80", Utf8Check::kContinuationBytes), std::u32string(1, char32_t{0xD800}));
  EXPECT_EQ(DecodeAll("\xF4\x90\x80\x80", Utf8Check::kContinuationBytes), std::u32string(1, char32_t{0x110000}));
  EXPECT_EQ(DecodeAll("\xC3\x28", Utf8Check::kContinuationBytes), U"\uFFFD(");
  // kLeadByte (js::ToUtf16) does not look at the bytes after the lead byte.
  EXPECT_EQ(DecodeAll("\xC3\x28", Utf8Check::kLeadByte), U"\u00E8");
  EXPECT_EQ(DecodeAll("\xE7\x94", Utf8Check::kLeadByte), U"\uFFFD\uFFFD");  // still needs the bytes
  EXPECT_EQ(DecodeAll("\x80\xFF", Utf8Check::kLeadByte), U"\uFFFD\uFFFD");
  // Well-formed text decodes the same whichever the check.
  const std::string_view good = "会员 a\xC3\xA9\xF0\x9F\x98\x80";
  EXPECT_EQ(DecodeAll(good, Utf8Check::kContinuationBytes), DecodeAll(good, Utf8Check::kStrict));
  EXPECT_EQ(DecodeAll(good, Utf8Check::kLeadByte), DecodeAll(good, Utf8Check::kStrict));
}

TEST(Utf8Test, IsValidUtf8) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("会员等级 VIP"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC3\x28"));
  EXPECT_FALSE(IsValidUtf8("用\xE6\x88"));  // cut short at the end
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // an encoded surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("ok\xFF"));
}

TEST(Utf8Test, Utf16LengthCountsSurrogatePairsAsTwo) {
  EXPECT_EQ(Utf16Length(""), 0u);
  EXPECT_EQ(Utf16Length("用户"), 2u);
  EXPECT_EQ(Utf16Length("a\xF0\x9F\x98\x80"), 3u);
  EXPECT_EQ(Utf16Length("\xE7\x94"), 1u);  // lead bytes count, continuation bytes do not
}

TEST(Utf8Test, CharBoundaryBacksUpToTheStartOfACharacter) {
  const std::string_view s = "用户ab";  // bytes 0-2, 3-5, 6, 7
  EXPECT_EQ(Utf8CharBoundary(s, 0), 0u);
  EXPECT_EQ(Utf8CharBoundary(s, 1), 0u);
  EXPECT_EQ(Utf8CharBoundary(s, 2), 0u);
  EXPECT_EQ(Utf8CharBoundary(s, 3), 3u);
  EXPECT_EQ(Utf8CharBoundary(s, 5), 3u);
  EXPECT_EQ(Utf8CharBoundary(s, 7), 7u);
  EXPECT_EQ(Utf8CharBoundary(s, 8), 8u);  // the end
  EXPECT_EQ(Utf8CharBoundary(s, 100), 100u);
  EXPECT_EQ(Utf8CharBoundary("\x80\x80", 1), 0u);
}

TEST(Utf8Test, AppendUtf8RoundTrips) {
  std::string out;
  for (char32_t cp : {U'a', U'\u00E9', U'\u7528', U'\U0001F600'}) AppendUtf8(cp, &out);
  EXPECT_EQ(out, "a\xC3\xA9\xE7\x94\xA8\xF0\x9F\x98\x80");
  EXPECT_EQ(DecodeAll(out, Utf8Check::kStrict), U"a\u00E9\u7528\U0001F600");
}

// Each caller keeps what it did with malformed bytes.
TEST(Utf8Test, CallersKeepTheirHandlingOfMalformedBytes) {
  // Bucketing hashes a malformed byte as U+FFFD.
  EXPECT_EQ(Fnv1a32Utf16("a\xFF"), Fnv1a32Utf16("a\xEF\xBF\xBD"));
  EXPECT_NE(Fnv1a32Utf16("a\xFF"), Fnv1a32Utf16("a"));
  // JS substr reads the bytes after a lead byte unchecked.
  EXPECT_EQ(js::Substr("\xC0\xAF" "x", 0, 1, true), "/");
  EXPECT_EQ(js::Substr("用户", 1, 1, true), "户");
  // toLowerCase copies a byte that starts nothing through unchanged.
  EXPECT_EQ(cond::JsToLowerCase("\xC3\x84\xFF" "B"), "\xC3\xA4\xFF" "b");
  EXPECT_EQ(cond::JsToLowerCase("\xC3\x84\xC0\xAF"), "\xC3\xA4/");
}

}  // namespace
}  // namespace tagwise
