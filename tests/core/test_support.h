// Shared helpers for the core GoogleTest suite (native and wasm builds).
#ifndef TAGWISE_TESTS_CORE_TEST_SUPPORT_H_
#define TAGWISE_TESTS_CORE_TEST_SUPPORT_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tagwise::testing {

// The repository root (compile-time TAGWISE_SOURCE_DIR).
std::string SourceDir();
// ../shared next to the repository, where conformance suites and data live.
std::string SharedDir();
// Reads and parses a JSON file; fails the current test (and returns null) on error.
nlohmann::json ReadJsonFile(const std::string& path);
// Lists the rule-fixture files in tests/fixtures/rules (sorted).
std::vector<std::string> RuleFixtureFiles();

}  // namespace tagwise::testing

#endif  // TAGWISE_TESTS_CORE_TEST_SUPPORT_H_
