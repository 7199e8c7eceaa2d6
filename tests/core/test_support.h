// Shared helpers for the core GoogleTest suite (native and wasm builds).
#ifndef TAGWISE_TESTS_CORE_TEST_SUPPORT_H_
#define TAGWISE_TESTS_CORE_TEST_SUPPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/profile.h"

namespace tagwise::testing {

// The repository root (compile-time TAGWISE_SOURCE_DIR).
std::string SourceDir();
// ../shared next to the repository, where conformance suites and data live.
std::string SharedDir();
// Reads and parses a JSON file; fails the current test (and returns null) on error.
nlohmann::json ReadJsonFile(const std::string& path);
// Lists the rule-fixture files in tests/fixtures/rules (sorted).
std::vector<std::string> RuleFixtureFiles();
// `rule` compiled and evaluated over `profile` at `now` (no data); fails the
// current test (and returns null) when either fails.
nlohmann::json EvaluateOver(const Profile& profile, int64_t now, const nlohmann::json& rule);

}  // namespace tagwise::testing

#endif  // TAGWISE_TESTS_CORE_TEST_SUPPORT_H_
