// Runs tests/fixtures/rules/*.json — the same cases tests/js/fixtures.test.mjs
// runs through the npm package — so native, wasm and JS agree case by case.
#include <cmath>

#include <gtest/gtest.h>

#include "tagwise/rule.h"
#include "test_support.h"

namespace tagwise {
namespace {

using nlohmann::json;

bool Close(const json& got, const json& want, double tolerance) {
  if (got.is_number() && want.is_number()) {
    double g = got.get<double>(), w = want.get<double>();
    return tolerance > 0 ? std::fabs(g - w) <= tolerance : g == w;
  }
  return got == want;
}

TEST(RuleFixturesTest, EveryFixtureCaseGivesItsExpectation) {
  int cases = 0;
  for (const std::string& file : testing::RuleFixtureFiles()) {
    json doc = testing::ReadJsonFile(file);
    ASSERT_EQ(doc.value("specVersion", 0), 1) << file;
    for (const json& c : doc["cases"]) {
      ++cases;
      SCOPED_TRACE(file + ": " + c["description"].get<std::string>());
      CompileResult compiled = CompileRule(c["rule"]);
      const bool expect_error = c.contains("error");
      if (!compiled.ok()) {
        ASSERT_TRUE(expect_error) << FormatIssues(compiled.issues);
        bool found = false;
        for (const Error& e : compiled.issues) {
          found = found || (ErrorCodeName(e.code) == c["error"]["code"].get<std::string>() &&
                            e.path == c["error"]["path"].get<std::string>());
        }
        EXPECT_TRUE(found) << "want " << c["error"].dump() << "\ngot:\n" << FormatIssues(compiled.issues);
        continue;
      }
      Profile profile;
      if (c.contains("profile")) {
        auto p = Profile::FromJson(c["profile"]);
        ASSERT_TRUE(p.ok()) << p.error().message;
        profile = std::move(p).value();
      }
      EvalContext ctx;
      ctx.now = c.value("now", int64_t{0});
      ctx.profile = c.contains("profile") ? &profile : nullptr;
      Result<json> r = compiled.rule->Evaluate(c.value("data", json::object()), ctx);
      if (expect_error) {
        ASSERT_FALSE(r.ok()) << "expected an error, got " << r.value().dump();
        EXPECT_EQ(ErrorCodeName(r.error().code), c["error"]["code"].get<std::string>());
        continue;
      }
      ASSERT_TRUE(r.ok()) << r.error().message;
      EXPECT_TRUE(Close(r.value(), c["expect"], c.value("tolerance", 0.0)))
          << "want " << c["expect"].dump() << " got " << r.value().dump();
    }
  }
  EXPECT_GT(cases, 50);
}

}  // namespace
}  // namespace tagwise
