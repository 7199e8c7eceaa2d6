// GrowthBook-compatible bucketing on vectors produced by the real
// @growthbook/growthbook 1.8.0 (src/util.ts hash, getBucketRanges,
// chooseVariation, inNamespace). tests/js/experiments_growthbook.test.mjs
// compares thousands of generated cases through the npm package.
#include "tagwise/experiments.h"

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

namespace tagwise {
namespace {

TEST(ExperimentsTest, HashMatchesGrowthBookForBothVersions) {
  struct Case {
    const char* seed;
    const char* value;
    int version;
    double expected;
  };
  const Case cases[] = {
      {"", "a", 1, 0.22},          {"", "b", 1, 0.077},         {"b", "a", 1, 0.946},
      {"ef", "d", 1, 0.652},       {"asdf", "123", 1, 0.805},   {"", "a", 2, 0.0216},
      {"", "b", 2, 0.9054},        {"b", "a", 2, 0.665},        {"ef", "d", 2, 0.8601},
      {"实验", "用户-42", 1, 0.435}, {"实验", "用户-42", 2, 0.7816}, {"seed", "😀user", 2, 0.4915},
  };
  for (const Case& c : cases) {
    std::optional<double> h = ExperimentHash(c.seed, c.value, c.version);
    ASSERT_TRUE(h.has_value()) << c.seed << "/" << c.value;
    EXPECT_EQ(*h, c.expected) << c.seed << "/" << c.value << " v" << c.version;
  }
}

TEST(ExperimentsTest, UnknownHashVersionIsNull) {
  EXPECT_FALSE(ExperimentHash("seed", "x", 3).has_value());
  EXPECT_FALSE(ExperimentHash("seed", "x", 0).has_value());
}

TEST(ExperimentsTest, HashesUtf16CodeUnitsLikeJavaScript) {
  // "😀" is two UTF-16 units (a surrogate pair); FNV-1a of "a" is 0xe40c292c.
  EXPECT_EQ(Fnv1a32Utf16("a"), 0xe40c292cu);
  EXPECT_NE(Fnv1a32Utf16("😀"), Fnv1a32Utf16("\xF0\x9F\x98"));  // a cut sequence is U+FFFD, not the emoji
  EXPECT_EQ(Fnv1a32Utf16("\xFF"), Fnv1a32Utf16("\xEF\xBF\xBD"));  // invalid byte = U+FFFD
}

TEST(ExperimentsTest, BucketRangesFollowWeightsAndCoverage) {
  const std::vector<double> weights = {0.2, 0.3, 0.5};
  std::vector<BucketRange> r = BucketRanges(3, 0.5, weights);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].start, 0);
  EXPECT_EQ(r[0].end, 0.1);
  EXPECT_EQ(r[1].start, 0.2);
  EXPECT_EQ(r[1].end, 0.35);
  EXPECT_EQ(r[2].start, 0.5);
  EXPECT_EQ(r[2].end, 0.75);
}

TEST(ExperimentsTest, BadWeightsAndCoverageFallBackAsGrowthBookDoes) {
  const std::vector<double> not_one = {0.4, 0.4};
  std::vector<BucketRange> r = BucketRanges(2, 1.5, not_one);  // coverage clamped, equal weights
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].end, 0.5);
  EXPECT_EQ(r[1].start, 0.5);
  EXPECT_EQ(r[1].end, 1);
  r = BucketRanges(3, -1, {});  // coverage 0: empty ranges
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[1].start, 1.0 / 3);
  EXPECT_EQ(r[1].end, 1.0 / 3);
  const std::vector<double> wrong_length = {1.0};
  EXPECT_EQ(BucketRanges(2, 1, wrong_length)[0].end, 0.5);
  EXPECT_TRUE(BucketRanges(0, 1, {}).empty());
  EXPECT_TRUE(BucketRanges(-2, 1, {}).empty());
}

TEST(ExperimentsTest, ChooseVariationFindsTheRangeOrMinusOne) {
  const std::vector<BucketRange> ranges = BucketRanges(3, 0.5, std::vector<double>{0.2, 0.3, 0.5});
  EXPECT_EQ(ChooseVariation(0.05, ranges), 0);
  EXPECT_EQ(ChooseVariation(0.1, ranges), -1);  // end is exclusive
  EXPECT_EQ(ChooseVariation(0.2, ranges), 1);
  EXPECT_EQ(ChooseVariation(0.74, ranges), 2);
  EXPECT_EQ(ChooseVariation(0.9, ranges), -1);
  EXPECT_EQ(ChooseVariation(std::numeric_limits<double>::quiet_NaN(), ranges), -1);
}

TEST(ExperimentsTest, NamespacesSplitUsersByTheirHash) {
  // hash("__pricing", "4242", 1) = 0.855 in GrowthBook.
  EXPECT_FALSE(InNamespace("4242", "pricing", 0, 0.4));
  EXPECT_TRUE(InNamespace("4242", "pricing", 0.4, 1));
  EXPECT_FALSE(InNamespace("4242", "pricing", 0.855, 0.855));
}

}  // namespace
}  // namespace tagwise
