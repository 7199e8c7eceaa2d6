#include "test_support.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tagwise/rule.h"

namespace tagwise::testing {

std::string SourceDir() { return TAGWISE_SOURCE_DIR; }

std::string SharedDir() { return SourceDir() + "/../shared"; }

nlohmann::json EvaluateOver(const Profile& profile, int64_t now, const nlohmann::json& rule) {
  CompileResult c = CompileRule(rule);
  EXPECT_TRUE(c.ok()) << FormatIssues(c.issues);
  if (!c.ok()) return nullptr;
  EvalContext ctx;
  ctx.now = now;
  ctx.profile = &profile;
  Result<nlohmann::json> r = c.rule->Evaluate(nlohmann::json::object(), ctx);
  EXPECT_TRUE(r.ok());
  return r.ok() ? r.value() : nlohmann::json(nullptr);
}

nlohmann::json ReadJsonFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot open " << path;
    return nullptr;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::exception& e) {
    ADD_FAILURE() << "cannot parse " << path << ": " << e.what();
    return nullptr;
  }
}

std::vector<std::string> RuleFixtureFiles() {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(SourceDir() + "/tests/fixtures/rules")) {
    if (entry.path().extension() == ".json") out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace tagwise::testing
