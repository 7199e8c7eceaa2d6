#include "common/suggestions.h"

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "rules/operators.h"

namespace tagwise::internal {
namespace {

size_t UpToTwo(size_t, size_t) { return 2; }
size_t UpToOne(size_t, size_t) { return 1; }

TEST(SuggestionsTest, EditDistanceCountsBytes) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("events", "events"), 0u);
  // One Chinese character is three bytes: 户 (E6 88 B7) -> 品 (E5 93 81).
  EXPECT_EQ(EditDistance("用户", "用品"), 3u);
  EXPECT_EQ(EditDistance("用户", "用户名"), 3u);
}

TEST(SuggestionsTest, TranspositionsAreOneEditUnlessLevenshtein) {
  EXPECT_EQ(EditDistance("evnets", "events"), 1u);
  EXPECT_EQ(EditDistance("evnets", "events", EditMetric::kLevenshtein), 2u);
  EXPECT_EQ(EditDistance("ab", "ba"), 1u);
  EXPECT_EQ(EditDistance("ab", "ba", EditMetric::kLevenshtein), 2u);
  // Optimal string alignment edits no substring twice: "ca" -> "abc" is 3.
  EXPECT_EQ(EditDistance("ca", "abc"), 3u);
  EXPECT_EQ(EditDistance("ca", "abc", EditMetric::kLevenshtein), 3u);
}

TEST(SuggestionsTest, ClosestMatchPicksTheClosestNotTheFirst) {
  const std::vector<std::string> candidates = {"types", "type", "tape"};
  EXPECT_EQ(ClosestMatch("tyep", candidates, {.max_distance = UpToTwo}), "type");
  EXPECT_EQ(ClosestMatch("typez", candidates, {.max_distance = UpToTwo}), "types");
}

TEST(SuggestionsTest, ClosestMatchBreaksTiesByOrder) {
  const std::string_view candidates[] = {"cat", "bat", "hit"};
  EXPECT_EQ(ClosestMatch("hat", candidates, {.max_distance = UpToOne}), "cat");
  const std::string_view reversed[] = {"hit", "bat", "cat"};
  EXPECT_EQ(ClosestMatch("hat", reversed, {.max_distance = UpToOne}), "hit");
}

TEST(SuggestionsTest, ClosestMatchRespectsMaxDistance) {
  const std::string_view candidates[] = {"within", "where"};
  EXPECT_EQ(ClosestMatch("wihtin", candidates, {.max_distance = UpToOne}), "within");
  EXPECT_EQ(ClosestMatch("wthn", candidates, {.max_distance = UpToOne}), "");
  EXPECT_EQ(ClosestMatch("wthn", candidates, {.max_distance = UpToTwo}), "within");
  // The limit may depend on both sizes.
  const SuggestOptions by_word = {.max_distance = [](size_t word, size_t) -> size_t { return word >= 6 ? 2 : 0; }};
  EXPECT_EQ(ClosestMatch("wthin", candidates, by_word), "");
  EXPECT_EQ(ClosestMatch("wthinn", candidates, by_word), "within");
}

TEST(SuggestionsTest, ClosestMatchCanIgnoreAsciiCase) {
  const std::string_view candidates[] = {"offers", "quietHours", "dailyCap"};
  EXPECT_EQ(ClosestMatch("QUIETHOURS", candidates, {.max_distance = UpToTwo}), "");
  EXPECT_EQ(ClosestMatch("QUIETHOURS", candidates, {.max_distance = UpToTwo, .ignore_case = true}), "quietHours");
  EXPECT_EQ(ClosestMatch("dailycapp", candidates, {.max_distance = UpToOne, .ignore_case = true}), "dailyCap");
}

TEST(SuggestionsTest, ClosestMatchMetricChangesTheChoice) {
  const std::string_view candidates[] = {"ba", "xy"};
  EXPECT_EQ(ClosestMatch("ab", candidates, {.max_distance = UpToOne}), "ba");
  EXPECT_EQ(ClosestMatch("ab", candidates, {.max_distance = UpToOne, .metric = EditMetric::kLevenshtein}), "");
}

TEST(SuggestionsTest, ClosestMatchNeverSuggestsTheWordAnEmptyNameOrALongOne) {
  const std::string_view candidates[] = {"type", "typo"};
  EXPECT_EQ(ClosestMatch("type", candidates, {.max_distance = UpToOne}), "typo");
  const std::string_view with_empty[] = {"", "b"};
  EXPECT_EQ(ClosestMatch("a", with_empty, {.max_distance = UpToOne}), "b");
  const std::string long_name(kMaxSuggestBytes + 1, 'a');
  const std::vector<std::string> with_long = {long_name};
  EXPECT_EQ(ClosestMatch(std::string(kMaxSuggestBytes, 'a'), with_long, {.max_distance = UpToOne}), "");
  const std::string_view short_names[] = {"aaa"};
  EXPECT_EQ(ClosestMatch(long_name, short_names, {.max_distance = [](size_t, size_t) -> size_t { return 1000; }}),
            "");
}

TEST(SuggestionsTest, ClosestMatchReadsNamesThroughAProjection) {
  struct Named {
    std::string_view name;
    int value;
  };
  const Named named[] = {{"$regex", 1}, {"$regexi", 2}, {"$elemMatch", 3}};
  EXPECT_EQ(ClosestMatch("$elemmatch", named, {.max_distance = UpToOne, .ignore_case = true}, &Named::name),
            "$elemMatch");
  EXPECT_EQ(ClosestMatch("$regx", named, {.max_distance = UpToOne}, &Named::name), "$regex");
}

TEST(SuggestionsTest, ClosestMatchOnChineseNames) {
  const std::string_view candidates[] = {"会员等级", "用户标签"};
  // 签 (E7 AD BE) -> 鉴 (E9 89 B4): one character, three byte edits.
  EXPECT_EQ(ClosestMatch("用户标鉴", candidates, {.max_distance = [](size_t, size_t) -> size_t { return 3; }}),
            "用户标签");
  EXPECT_EQ(ClosestMatch("用户标鉴", candidates, {.max_distance = UpToOne}), "");
}

TEST(SuggestionsTest, PrefixMatchTakesTheFirstSharingThreeBytes) {
  const std::string_view candidates[] = {"type", "within", "half_life", "halt"};
  EXPECT_EQ(PrefixMatch("typo", candidates), "type");
  EXPECT_EQ(PrefixMatch("hal", candidates), "half_life");
  EXPECT_EQ(PrefixMatch("ty", candidates), "");  // too short to tell
  EXPECT_EQ(PrefixMatch("", candidates), "");
  EXPECT_EQ(PrefixMatch("tpye", candidates), "");
  const std::string_view chinese[] = {"会员", "用户"};
  EXPECT_EQ(PrefixMatch("用户名", chinese), "用户");  // the first three bytes are 用
}

TEST(SuggestionsTest, DidYouMeanWording) {
  EXPECT_EQ(DidYouMean("events"), "; did you mean \"events\"?");
  EXPECT_EQ(DidYouMean(""), "");
  EXPECT_EQ(DidYouMeanInParentheses("vip"), " (did you mean \"vip\"?)");
  EXPECT_EQ(DidYouMeanInParentheses(""), "");
}

TEST(SuggestionsTest, OperatorSuggestionsIgnoreCaseAndAllowOneEditOnShortNames) {
  EXPECT_EQ(SuggestOperator("evnets"), "events");
  EXPECT_EQ(SuggestOperator("EVENTS"), "events");
  EXPECT_EQ(SuggestOperator("vr"), "var");
  EXPECT_EQ(SuggestOperator("vxx"), "");  // two edits from a three-letter name
  EXPECT_EQ(SuggestOperator("dayz_since"), "days_since");
}

}  // namespace
}  // namespace tagwise::internal
