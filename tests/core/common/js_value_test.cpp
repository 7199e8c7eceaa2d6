#include "common/js_value.h"

#include <cmath>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

namespace tagwise::js {
namespace {

TEST(JsValueTest, NumbersPrintLikeJavaScript) {
  EXPECT_EQ(NumberToString(3.14), "3.14");
  EXPECT_EQ(NumberToString(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(NumberToString(1e21), "1e+21");
  EXPECT_EQ(NumberToString(1e20), "100000000000000000000");
  EXPECT_EQ(NumberToString(1e-7), "1e-7");
  EXPECT_EQ(NumberToString(0.000001), "0.000001");
  EXPECT_EQ(NumberToString(-0.0), "0");
  EXPECT_EQ(NumberToString(123456789.125), "123456789.125");
  EXPECT_EQ(NumberToString(std::nan("")), "NaN");
  EXPECT_EQ(NumberToString(-HUGE_VAL), "-Infinity");
}

TEST(JsValueTest, StringToNumberFollowsJsRules) {
  EXPECT_EQ(StringToNumber(""), 0);
  EXPECT_EQ(StringToNumber("  42  "), 42);
  EXPECT_EQ(StringToNumber("0x1F"), 31);
  EXPECT_EQ(StringToNumber("-Infinity"), -HUGE_VAL);
  EXPECT_EQ(StringToNumber("\xE3\x80\x80" "7"), 7);  // ideographic space is whitespace
  EXPECT_TRUE(std::isnan(StringToNumber("12abc")));
  EXPECT_TRUE(std::isnan(StringToNumber("-0x10")));
}

TEST(JsValueTest, ParseFloatReadsTheLeadingNumber) {
  EXPECT_EQ(ParseFloat(json("3.5kg")), 3.5);
  EXPECT_EQ(ParseFloat(json::array({1, 2})), 1);
  EXPECT_TRUE(std::isnan(ParseFloat(json(true))));
  EXPECT_TRUE(std::isnan(ParseFloat(json(nullptr))));
}

TEST(JsValueTest, LooseEqualityCoercesLikeJs) {
  EXPECT_TRUE(LooseEquals(json(1), json("1"), false));
  EXPECT_TRUE(LooseEquals(json(0), json(false), false));
  EXPECT_TRUE(LooseEquals(json::array({1}), json(1), false));
  EXPECT_FALSE(LooseEquals(json(nullptr), json(0), false));
  EXPECT_FALSE(LooseEquals(json::array(), json::array(), false));
  EXPECT_FALSE(StrictEquals(json(1), json("1"), false));
}

TEST(JsValueTest, StringsCompareByUtf16CodeUnits) {
  // U+1F600 (4-byte UTF-8) sorts after U+FF61 (3-byte) by bytes, but before it
  // in UTF-16 (surrogate 0xD83D < 0xFF61), which is what JS compares.
  EXPECT_TRUE(LessThan(json("\xF0\x9F\x98\x80"), json("\xEF\xBD\xA1")));
  EXPECT_TRUE(LessThan(json("a"), json("b")));
  EXPECT_TRUE(LessThan(json("2"), json(12)));
}

TEST(JsValueTest, SubstrIndexesUtf16) {
  EXPECT_EQ(Substr("高价值用户", 1, 2, true), "价值");
  EXPECT_EQ(Substr("jsonlogic", -5, 0, false), "logic");
  EXPECT_EQ(Utf16Length("a\xF0\x9F\x98\x80"), 3u);
}

TEST(JsValueTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("会员"));
  EXPECT_FALSE(IsValidUtf8("\xC3\x28"));
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // an encoded surrogate
}


// `in` on strings: the KMP path for long needles answers as find() does,
// on periodic texts (where a wrong border table shows) and random ones.
TEST(JsContains, LongNeedlesAgreeWithFind) {
  uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1664525u + 1013904223u;
    return seed >> 16;
  };
  for (int round = 0; round < 3000; ++round) {
    const int alphabet = 1 + static_cast<int>(next() % 3);  // "a", "ab" or "abc": many near-matches
    auto text = [&](size_t n) {
      std::string s;
      for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('a' + next() % alphabet));
      return s;
    };
    const std::string hay = text(next() % 400);
    std::string needle = text(60 + next() % 80);
    if (round % 3 == 0 && hay.size() > 70) {  // a needle cut from the text: must be found
      const size_t at = next() % (hay.size() - 65);
      needle = hay.substr(at, 65 + next() % (hay.size() - at - 65 + 1));
    }
    EXPECT_EQ(js::Contains(hay, needle), hay.find(needle) != std::string::npos) << hay << " / " << needle;
  }
}

// The case that took 35 s: a 64 KB needle that almost matches everywhere in
// a 1 MB text. Linear now (a budget, not a timing, is what a test checks:
// this one just has to finish within the suite's time).
TEST(JsContains, LongAlmostMatchingNeedleIsLinear) {
  const std::string hay(1 << 20, 'a');
  std::string needle(64 << 10, 'a');
  needle.back() = 'b';
  EXPECT_FALSE(js::Contains(hay, needle));
  EXPECT_TRUE(js::Contains(hay + "b", needle));
  EXPECT_TRUE(js::Contains("xx中文标签yy", "中文"));
}

}  // namespace
}  // namespace tagwise::js
