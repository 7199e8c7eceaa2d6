// DumpFnv1aHex must hash exactly the text json::dump writes: catalog
// fingerprints computed before it existed, and by another build, must not move.
#include "common/json_fingerprint.h"

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "common/fnv.h"
#include "test_support.h"

namespace tagwise {
namespace {

using nlohmann::json;

std::string ViaDump(const json& v) {
  return internal::Fnv1aHex(v.dump(-1, ' ', false, json::error_handler_t::replace));
}

TEST(JsonFingerprintTest, ScalarsHashAsDumpWritesThem) {
  const json values[] = {
      nullptr, true, false, 0, -1, 42, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
      std::numeric_limits<uint64_t>::max(), 0.1, -0.0, 1.5, 1e300, 5e-324, 123456789.0, 1e21, -2.5e-7,
      std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
  };
  for (const json& v : values) EXPECT_EQ(internal::DumpFnv1aHex(v), ViaDump(v)) << v.dump();
}

TEST(JsonFingerprintTest, StringsHashAsDumpWritesThem) {
  const std::string values[] = {
      "", "plain", "高价值流失风险", "emoji 🎮", "quote \" inside", "back\\slash", "tab\tnew\nline\r",
      std::string("nul\0byte", 8), "\x01\x1f control", "del \x7f", "bad utf-8 \xff\xfe", "cut \xe9\xab",
  };
  for (const std::string& s : values) {
    EXPECT_EQ(internal::DumpFnv1aHex(json(s)), ViaDump(json(s))) << s;
    json keyed = json::object();
    keyed[s] = s;
    EXPECT_EQ(internal::DumpFnv1aHex(keyed), ViaDump(keyed)) << s;
  }
}

TEST(JsonFingerprintTest, ContainersHashAsDumpWritesThem) {
  const json v = json::parse(R"({"z": [], "a": {}, "m": [1, [2, {"b": null, "a": [true, 0.25]}], "三"],
                                 "tags": [{"id": "新用户", "rule": {">=": [{"var": "n"}, 3]}}]})");
  EXPECT_EQ(internal::DumpFnv1aHex(v), ViaDump(v));
  EXPECT_EQ(internal::DumpFnv1aHex(json::array()), ViaDump(json::array()));
  EXPECT_EQ(internal::DumpFnv1aHex(json::object()), ViaDump(json::object()));
}

TEST(JsonFingerprintTest, ShippedCatalogsHashAsDumpWritesThem) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(testing::SourceDir() + "/examples")) {
    if (entry.path().extension() != ".json") continue;
    const json v = testing::ReadJsonFile(entry.path().string());
    EXPECT_EQ(internal::DumpFnv1aHex(v), ViaDump(v)) << entry.path();
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

}  // namespace
}  // namespace tagwise
