// BoundedRegex against JavaScript: every expected value in the match table
// was produced by running `new RegExp(pattern, flags).test(subject)` in
// Node 20 (V8 11.3) while writing this test, so a row fails exactly when
// tagwise and the browser disagree.
#include "regex/bounded_regex.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace tagwise {
namespace {

using namespace std::string_view_literals;  // subjects with a NUL are written "..."sv

struct MatchCase {
  std::string_view pattern;
  std::string_view flags;  // "" or "i", as passed to new RegExp
  std::string_view subject;
  bool expected;           // RegExp.prototype.test in Node 20
};

bool RunCase(const MatchCase& c, std::string* error) {
  BoundedRegex::Options options;
  options.ignore_case = c.flags == "i";
  Result<BoundedRegex> re = BoundedRegex::Compile(c.pattern, options);
  if (!re.ok()) {
    *error = re.error().message;
    return false;
  }
  return re.value().Search(c.subject);
}

TEST(BoundedRegexTest, MatchesLikeJavaScript) {
  const MatchCase cases[] = {
      {"abc", "", "xxabcxx", true},
      {"abc", "", "ab", false},
      {"", "", "", true},
      {"", "", "anything", true},
      {"a", "", "", false},
      {"hello world", "", "say hello world!", true},
      {"a b", "", "ab", false},
      {"^高价值", "", "高价值用户", true},
      {"^高价值", "", "非高价值用户", false},
      {"[一-龥]+", "", "abc中文", true},
      {"[一-龥]+", "", "abc", false},
      {"^[一-龥]+$", "", "游戏玩家", true},
      {"^[一-龥]+$", "", "游戏player", false},
      {"游戏卡.*", "", "购买游戏卡100元", true},
      {"游戏卡.*", "", "游戏", false},
      {"^游戏卡.{3}$", "", "游戏卡100", true},
      {"^游戏卡.{3}$", "", "游戏卡1000", false},
      {"会员|VIP", "", "黄金会员", true},
      {"会员|VIP", "", "svip", false},
      {"(北京|上海)市", "", "上海市浦东", true},
      {"(北京|上海)市", "", "广州市", false},
      {"[^一-龥]", "", "全中文", false},
      {"[^一-龥]", "", "中文1", true},
      {"\\u9ad8", "", "高", true},
      {"^.{2}$", "", "中文", true},
      {"\\w", "", "中文", false},
      {"\\W", "", "中文", true},
      {"\\b", "", "中文", false},
      {"\\B", "", "中文", true},
      {"^.$", "", "😀", false},
      {"^..$", "", "😀", true},
      {"😀", "", "hi😀", true},
      {"^😀+$", "", "😀😀", false},
      {"^😀+$", "", "😀😁", false},
      {"[😀]", "", "😁", true},
      {"^[😀]$", "", "😀", false},
      {"^[😀]{2}$", "", "😀", true},
      {"\\uD83D", "", "😀", true},
      {"\\uDE00$", "", "a😀", true},
      {"^\\uD83D\\uDE00$", "", "😀", true},
      {"^[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]$", "", "𠮷", true},
      {"^.{4}$", "", "😀😀", true},
      {"^\\W\\W$", "", "😀", true},
      {"a.c", "", "abc", true},
      {"a.c", "", "a\012c", false},
      {"a.c", "", "a\015c", false},
      {"a.c", "", "a\u2028c", false},
      {"a.c", "", "a\u2029c", false},
      {"a.c", "", "a\011c", true},
      {"a.c", "", "a\u0085c", true},
      {"^.+$", "", "line1\012line2", false},
      {"[^]", "", "\012", true},
      {"[]", "", "abc", false},
      {"^[]*$", "", "", true},
      {"\\d+", "", "order 42", true},
      {"^\\d+$", "", "12a", false},
      {"\\D", "", "123", false},
      {"\\D", "", "12x", true},
      {"^\\w+$", "", "user_01", true},
      {"^\\w+$", "", "user-01", false},
      {"\\W", "", "abc_9", false},
      {"\\s", "", "a\u00a0b", true},
      {"\\s", "", "a\ufeffb", true},
      {"\\s", "", "a\u3000b", true},
      {"\\s", "", "a\u2003b", true},
      {"\\s", "", "a\u200bb", false},
      {"\\s", "", "a\u1680b", true},
      {"\\s", "", "a\u0085b", false},
      {"\\s", "", "a\013b", true},
      {"\\S", "", " \011\012", false},
      {"^\\S+$", "", "no-space", true},
      {"^\\s+$", "", " \011\015\012\014\013\u2028\u2029\u202f\u205f", true},
      {"a\\nb", "", "a\012b", true},
      {"\\t", "", "a\011b", true},
      {"\\r", "", "x\015y", true},
      {"\\f", "", "\014", true},
      {"\\v", "", "\013", true},
      {"\\0", "", "a\000b"sv, true},
      {"\\x41", "", "A", true},
      {"\\x4", "", "x4", true},
      {"\\u0041", "", "A", true},
      {"\\u004", "", "u004", true},
      {"\\cJ", "", "\012", true},
      {"\\cj", "", "\012", true},
      {"\\c1", "", "\\c1", true},
      {"^\\c", "", "\\c", true},
      {"\\.", "", "a.b", true},
      {"\\.", "", "ab", false},
      {"\\*\\+\\?", "", "*+?", true},
      {"\\(\\)\\[\\]\\{\\}", "", "()[]{}", true},
      {"\\/", "", "/", true},
      {"\\$\\^", "", "$^", true},
      {"\\|", "", "a|b", true},
      {"\\\\", "", "a\\b", true},
      {"\\z\\q", "", "zq", true},
      {"\\-", "", "-", true},
      {"\\012", "", "\012", true},
      {"\\101", "", "A", true},
      {"\\400", "", " 0", true},
      {"\\8", "", "8", true},
      {"\\1", "", "\001", true},
      {"(a)\\2", "", "a\002", true},
      {"\\k<x>", "", "k<x>", true},
      {"\\p", "", "p", true},
      {"[abc]", "", "xbx", true},
      {"[abc]", "", "xyz", false},
      {"[^abc]", "", "abc", false},
      {"[^abc]", "", "abcd", true},
      {"^[a-z0-9_-]+$", "", "user-name_1", true},
      {"^[a-z0-9_-]+$", "", "User", false},
      {"[-a]", "", "-", true},
      {"[a-]", "", "-", true},
      {"[a\\-z]", "", "m", false},
      {"[a\\-z]", "", "-", true},
      {"[--z]", "", ".", true},
      {"[\\d-z]", "", "-", true},
      {"[\\d-z]", "", "m", false},
      {"[\\w]", "", "_", true},
      {"[^\\d\\s]", "", "1 2", false},
      {"[\\b]", "", "\010", true},
      {"[\\B]", "", "B", true},
      {"[\\cA]", "", "\001", true},
      {"[\\c1]", "", "\021", true},
      {"[\\c_]", "", "\037", true},
      {"[\\c*]", "", "\\", true},
      {"[\\c*]", "", "c", true},
      {"[\\8]", "", "8", true},
      {"[\\1]", "", "\001", true},
      {"[.]", "", "a", false},
      {"[.]", "", ".", true},
      {"[$^]", "", "^", true},
      {"[a^]", "", "^", true},
      {"[\\]]", "", "]", true},
      {"[\\x41-\\x43]", "", "B", true},
      {"[\\u4e00-\\u9fa5]", "", "中", true},
      {"^abc$", "", "abc", true},
      {"^abc$", "", "abcd", false},
      {"^abc$", "", "abc\012", false},
      {"^b", "", "a\012b", false},
      {"a$", "", "a\012b", false},
      {"^$", "", "", true},
      {"^$", "", "x", false},
      {"a^b", "", "a^b", false},
      {"a|^b", "", "cb", false},
      {"a|^b", "", "bc", true},
      {"x$|y", "", "xz", false},
      {"(^a|b)c", "", "bc", true},
      {"\\bcat\\b", "", "a cat here", true},
      {"\\bcat\\b", "", "concatenate", false},
      {"\\Bcat\\B", "", "concatenate", true},
      {"\\bcat", "", "cat", true},
      {"\\b", "", "", false},
      {"\\B", "", "", true},
      {"^\\b$", "", "", false},
      {"\\b_", "", " _", true},
      {"\\bé", "", " é", false},
      {"a\\b\\b\\bb", "", "ab", false},
      {"(ab)+", "", "ababab", true},
      {"^(ab)+$", "", "ababa", false},
      {"(?:ab|cd)+$", "", "xabcd", true},
      {"(?<year>\\d{4})-(?<m>\\d{2})", "", "2024-05", true},
      {"(?<年>\\d+)年", "", "2024年", true},
      {"a|b|c", "", "c", true},
      {"a|b|c", "", "d", false},
      {"|a", "", "zzz", true},
      {"(|a)b", "", "b", true},
      {"()", "", "", true},
      {"(a|ab)(c|bcd)(d*)", "", "abcd", true},
      {"^(a|ab)c$", "", "abc", true},
      {"((((((a))))))", "", "a", true},
      {"^a*$", "", "", true},
      {"^a+$", "", "", false},
      {"^a?b$", "", "b", true},
      {"^a?b$", "", "aab", false},
      {"^a{3}$", "", "aaa", true},
      {"^a{3}$", "", "aaaa", false},
      {"^a{2,}$", "", "a", false},
      {"^a{2,}$", "", "aaaaa", true},
      {"^a{2,3}$", "", "aaaa", false},
      {"^a{0}$", "", "", true},
      {"^a{0}b$", "", "ab", false},
      {"^a{0,0}$", "", "a", false},
      {"^(ab){1,2}$", "", "ababab", false},
      {"^a*?$", "", "aa", true},
      {"a+?b", "", "aab", true},
      {"^a??b$", "", "ab", true},
      {"^a{2,3}?$", "", "aaa", true},
      {"^a{2}?$", "", "aa", true},
      {"^(a*)*$", "", "aaa", true},
      {"^(a*)+b$", "", "b", true},
      {"^(a?){3}$", "", "a", true},
      {"^(?:a|b)*c$", "", "ababc", true},
      {"^\\d{3}-\\d{4}$", "", "555-1234", true},
      {"^1[3-9]\\d{9}$", "", "13812345678", true},
      {"^1[3-9]\\d{9}$", "", "12812345678", false},
      {"a{", "", "a{", true},
      {"a{1", "", "a{1", true},
      {"a{,2}", "", "a{,2}", true},
      {"a{1,2,3}", "", "a{1,2,3}", true},
      {"a{x}", "", "a{x}", true},
      {"}", "", "}", true},
      {"]", "", "]", true},
      {"a]", "", "a]", true},
      {"x{1}{", "", "x{", true},
      {"{", "", "{", true},
      {"abc", "i", "ABC", true},
      {"ABC", "i", "abc", true},
      {"[a-z]+", "i", "XYZ", true},
      {"[^a-z]", "i", "ABC", false},
      {"[^a]", "i", "A", false},
      {"é", "i", "É", true},
      {"ÿ", "i", "Ÿ", true},
      {"σ", "i", "Σ", true},
      {"σ", "i", "ς", true},
      {"ς", "i", "Σ", true},
      {"[α-ω]+", "i", "ΑΒΓ", true},
      {"ж", "i", "Ж", true},
      {"[а-я]+", "i", "ПРИВЕТ", true},
      {"ё", "i", "Ё", true},
      {"ſ", "i", "s", false},
      {"s", "i", "ſ", false},
      {"k", "i", "\u212a", false},
      {"\u212a", "i", "K", false},
      {"ı", "i", "I", false},
      {"i", "i", "İ", false},
      {"µ", "i", "Μ", true},
      {"µ", "i", "μ", true},
      {"ß", "i", "SS", false},
      {"ß", "i", "ẞ", false},
      {"ǆ", "i", "ǅ", true},
      {"\\w", "i", "ſ", false},
      {"\\W", "i", "ſ", true},
      {"[\\u0041-\\u005a]", "i", "q", true},
      {"ａ", "i", "Ａ", true},
      {"𐐨", "i", "𐐀", false},
      {"ǰ", "i", "J", false},
      {"高价值", "i", "高价值", true},
      {"VIP", "i", "svip", true},
      {"abc", "", "ABC", false},
      {"[A-z]", "i", "_", true},
  };
  EXPECT_GE(std::size(cases), 150u);
  for (const MatchCase& c : cases) {
    std::string error;
    const bool got = RunCase(c, &error);
    EXPECT_TRUE(error.empty()) << "/" << c.pattern << "/" << c.flags << ": " << error;
    EXPECT_EQ(got, c.expected) << "/" << c.pattern << "/" << c.flags << ".test(\"" << c.subject << "\")";
  }
}

// Invalid UTF-8 reads as U+FFFD, one per bad byte, as TextDecoder gives.
TEST(BoundedRegexTest, InvalidUtf8BecomesReplacementCharacter) {
  Result<BoundedRegex> re = BoundedRegex::Compile("^\\uFFFD.$");
  ASSERT_TRUE(re.ok()) << re.error().message;
  EXPECT_TRUE(re.value().Search("\xff\xfe"));
  EXPECT_TRUE(re.value().Search("\xe9\xab"));   // truncated 3-byte sequence: two bad bytes
  EXPECT_FALSE(re.value().Search("\xe9\xab\x98"));  // 高, valid
  Result<BoundedRegex> in_pattern = BoundedRegex::Compile("a\xff");
  ASSERT_TRUE(in_pattern.ok());
  EXPECT_TRUE(in_pattern.value().Search("xa\xef\xbf\xbd"));  // a + U+FFFD
}

struct ErrorCase {
  const char* pattern;
  ErrorCode code;
};

TEST(BoundedRegexTest, RejectsSyntaxErrorsAndUnsupportedFeatures) {
  const ErrorCase cases[] = {
      // JavaScript syntax errors (each throws in new RegExp as well)
      {"(a", ErrorCode::kInvalidRule},
      {"a)", ErrorCode::kInvalidRule},
      {"(?:a|b", ErrorCode::kInvalidRule},
      {"[a", ErrorCode::kInvalidRule},
      {"[高价值", ErrorCode::kInvalidRule},
      {"*a", ErrorCode::kInvalidRule},
      {"a**", ErrorCode::kInvalidRule},
      {"a|*", ErrorCode::kInvalidRule},
      {"(+)", ErrorCode::kInvalidRule},
      {"{1}", ErrorCode::kInvalidRule},
      {"a{1}{2}", ErrorCode::kInvalidRule},
      {"^*", ErrorCode::kInvalidRule},
      {"$+", ErrorCode::kInvalidRule},
      {"\\b+", ErrorCode::kInvalidRule},
      {"\\B{2}", ErrorCode::kInvalidRule},
      {"a{2,1}", ErrorCode::kInvalidRule},
      {"[z-a]", ErrorCode::kInvalidRule},
      {"[龥-一]", ErrorCode::kInvalidRule},
      {"[😀-😂]", ErrorCode::kInvalidRule},  // without u: \uDE00 > \uD83D
      {"a\\", ErrorCode::kInvalidRule},
      {"[a\\", ErrorCode::kInvalidRule},
      {"(?i:a)", ErrorCode::kInvalidRule},
      {"(?", ErrorCode::kInvalidRule},
      {"(?<>a)", ErrorCode::kInvalidRule},
      {"(?<a-b>a)", ErrorCode::kInvalidRule},
      {"(?<1a>a)", ErrorCode::kInvalidRule},
      {"(?<a>x)(?<a>y)", ErrorCode::kInvalidRule},
      {"(?<a>x)[\\k]", ErrorCode::kInvalidRule},
      // valid JavaScript that this engine refuses (needs backtracking or the u flag)
      {"(a)\\1", ErrorCode::kInvalidRule},
      {"\\2(a)(b)", ErrorCode::kInvalidRule},
      {"(a)(b)(c)(d)(e)(f)(g)(h)(i)\\9", ErrorCode::kInvalidRule},
      {"(?<x>a)\\k<x>", ErrorCode::kInvalidRule},
      {"a(?=b)", ErrorCode::kInvalidRule},
      {"a(?!b)", ErrorCode::kInvalidRule},
      {"(?<=a)b", ErrorCode::kInvalidRule},
      {"(?<!a)b", ErrorCode::kInvalidRule},
      {"\\p{L}", ErrorCode::kInvalidRule},
      {"[\\P{Han}]", ErrorCode::kInvalidRule},
      {"\\u{1F600}", ErrorCode::kInvalidRule},
  };
  for (const ErrorCase& c : cases) {
    Result<BoundedRegex> re = BoundedRegex::Compile(c.pattern);
    ASSERT_FALSE(re.ok()) << c.pattern;
    EXPECT_EQ(re.error().code, c.code) << c.pattern << ": " << re.error().message;
    EXPECT_EQ(re.error().path, "") << c.pattern;
  }
}

// Positions count characters from 0, so a Chinese or emoji prefix counts once.
TEST(BoundedRegexTest, ErrorMessagesNameThePosition) {
  const auto message = [](const char* pattern) {
    Result<BoundedRegex> re = BoundedRegex::Compile(pattern);
    return re.ok() ? std::string("compiled") : re.error().message;
  };
  const auto has = [](const std::string& text, const char* part) { return text.find(part) != std::string::npos; };
  EXPECT_PRED2(has, message("高价值(a"), "position 3:");
  EXPECT_PRED2(has, message("😀a**"), "position 3:");
  EXPECT_PRED2(has, message("ab[z-a]"), "position 3:");
  EXPECT_PRED2(has, message("x\\"), "position 1:");
  EXPECT_PRED2(has, message("(a)\\1"), "position 3: backreference");
  EXPECT_PRED2(has, message("a(?=b)"), "position 1: lookahead");
}

TEST(BoundedRegexTest, PatternLengthLimit) {
  BoundedRegex::Options options;
  options.max_pattern_bytes = 12;
  EXPECT_EQ(BoundedRegex::Compile("高价值用户", options).error().code, ErrorCode::kTooLarge);  // 15 bytes
  EXPECT_TRUE(BoundedRegex::Compile("高价值用", options).ok());  // 12 bytes
  Result<BoundedRegex> too_long = BoundedRegex::Compile(std::string(1025, 'a'));
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::kTooLarge);
  EXPECT_TRUE(BoundedRegex::Compile(std::string(1024, 'a')).ok());
}

TEST(BoundedRegexTest, ProgramSizeLimitCountsExpandedRepeats) {
  for (const char* pattern : {"a{20000}", "(a{1000}){1000}", "((a{100}){100}){100}", "(?:(?:x{999999999}){9}){9}",
                              "a{0,99999999999999999999}"}) {
    Result<BoundedRegex> re = BoundedRegex::Compile(pattern);
    ASSERT_FALSE(re.ok()) << pattern;
    EXPECT_EQ(re.error().code, ErrorCode::kTooLarge) << pattern;
  }
  Result<BoundedRegex> fits = BoundedRegex::Compile("^a{19997}$");  // ^, 19997 units, $ and match
  ASSERT_TRUE(fits.ok()) << fits.error().message;
  EXPECT_EQ(fits.value().program_size(), 20000u);
  EXPECT_TRUE(fits.value().Search(std::string(19997, 'a')));
  EXPECT_FALSE(fits.value().Search(std::string(19996, 'a')));
  EXPECT_EQ(BoundedRegex::Compile("^a{19998}$").error().code, ErrorCode::kTooLarge);
  BoundedRegex::Options small;
  small.max_program_size = 10;
  EXPECT_EQ(BoundedRegex::Compile("a{10}", small).error().code, ErrorCode::kTooLarge);
  EXPECT_TRUE(BoundedRegex::Compile("a{9}", small).ok());
}

TEST(BoundedRegexTest, NestingLimit) {
  const auto nested = [](int depth) { return std::string(depth, '(') + "a" + std::string(depth, ')'); };
  EXPECT_TRUE(BoundedRegex::Compile(nested(200)).ok());
  Result<BoundedRegex> deep = BoundedRegex::Compile(nested(201));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().code, ErrorCode::kTooDeep);
  // Far past the limit (and the 1024-byte default): refused before recursing.
  BoundedRegex::Options options;
  options.max_pattern_bytes = 1 << 20;
  EXPECT_EQ(BoundedRegex::Compile(nested(100000), options).error().code, ErrorCode::kTooDeep);
  options.max_nesting = 3;
  EXPECT_TRUE(BoundedRegex::Compile("((?:(a)))", options).ok());
  EXPECT_EQ(BoundedRegex::Compile("((((a))))", options).error().code, ErrorCode::kTooDeep);
}

// Patterns that take exponential time in a backtracking engine run in
// O(subject * program) here. These assert results only; a regression to
// backtracking would hang the test rather than fail a timing check.
TEST(BoundedRegexTest, CatastrophicPatternsStayLinear) {
  const std::string as(50000, 'a');
  struct Case {
    const char* pattern;
    std::string subject;
    bool expected;
  };
  const Case cases[] = {
      {"(a+)+$", as + "b", false},
      {"^(a+)+$", as, true},
      {"(a|aa)*b", as, false},
      {"(a|a)*b", as, false},
      {"(.*a){20}", as, true},
      {"(.*a){20}", "a" + std::string(50000, 'b'), false},
      {"^(\\w+\\s?)+$", as + "!", false},
      {"(x+x+)+y", std::string(50000, 'x'), false},
      {"^(a?){25}a{25}$", std::string(25, 'a'), true},
      {"(?:[一-龥]+)*!", std::string(50000 / 3 * 3, 'x') + "高价值", false},
      {"(a*)*b", as, false},
      {"^(([a-z])+.)+[A-Z]([a-z])+$", as + "1", false},
  };
  for (const Case& c : cases) {
    Result<BoundedRegex> re = BoundedRegex::Compile(c.pattern);
    ASSERT_TRUE(re.ok()) << c.pattern << ": " << re.error().message;
    EXPECT_EQ(re.value().Search(c.subject), c.expected) << c.pattern;
  }
  // A large program with thousands of live threads per position (18,001
  // instructions): the worst case is program x subject, so keep it to 5,000
  // units for the sanitizer and wasm runs (~0.15 s natively).
  Result<BoundedRegex> big = BoundedRegex::Compile("(?:a{1,3000}b){3}");
  ASSERT_TRUE(big.ok()) << big.error().message;
  EXPECT_FALSE(big.value().Search(std::string(5000, 'a')));
  EXPECT_TRUE(big.value().Search(std::string(5000, 'a') + "b" + std::string(3000, 'a') + "bab"));
}

TEST(BoundedRegexTest, CopiesShareTheProgramAndDefaultMatchesNothing) {
  Result<BoundedRegex> re = BoundedRegex::Compile("^会员\\d+$");
  ASSERT_TRUE(re.ok());
  const BoundedRegex copy = re.value();
  BoundedRegex moved = std::move(re).value();
  EXPECT_TRUE(copy.Search("会员42"));
  EXPECT_TRUE(moved.Search("会员42"));
  EXPECT_FALSE(copy.Search("会员"));
  const BoundedRegex empty;
  EXPECT_FALSE(empty.Search(""));
  EXPECT_FALSE(empty.Search("anything"));
  EXPECT_EQ(empty.program_size(), 0u);
}


// A work budget: ample, the answers are Search's; short, the search stops
// with the budget below zero instead of spending subject x program size.
TEST(BoundedRegexTest, SearchWithABudgetStopsWhenItRunsOut) {
  for (const auto& [pattern, subject] : std::vector<std::pair<std::string, std::string>>{
           {"ab+c", "xxabbbcxx"}, {"^a{2,4}$", "aaa"}, {"x{0,50}y", std::string(300, 'x')}, {"[0-9]+", "abc"}}) {
    Result<BoundedRegex> re = BoundedRegex::Compile(pattern);
    ASSERT_TRUE(re.ok()) << pattern;
    int64_t budget = int64_t{1} << 40;
    EXPECT_EQ(re.value().Search(subject, &budget), re.value().Search(subject)) << pattern;
    EXPECT_GE(budget, 0);
  }
  Result<BoundedRegex> slow = BoundedRegex::Compile("x{0,9000}y");
  ASSERT_TRUE(slow.ok());
  const std::string xs(200000, 'x');
  int64_t budget = 1'000'000;
  EXPECT_FALSE(slow.value().Search(xs, &budget));
  EXPECT_LT(budget, 0);
}

}  // namespace
}  // namespace tagwise
