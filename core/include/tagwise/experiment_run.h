// Running one experiment for one user (DESIGN.md section 7): GrowthBook's
// runExperiment() steps in GrowthBook's order, so a user lands in the same
// variation in tagwise and in GrowthBook, plus what tagwise adds: targeting
// by a tagwise rule (tags included), a consent purpose, and a sticky
// assignment whose creation is the user's one exposure.
//
// Unlike GrowthBook, which falls back silently (equal weights, clamped
// coverage, "not in experiment" for a bad definition), a definition is
// checked when it is compiled and every problem is reported with its JSON
// Pointer: an operator who types weights that add up to 1.1 must hear about
// it, not run an unequal test by accident. The bucketing functions in
// experiments.h keep GrowthBook's fallbacks for code that needs them.
#ifndef TAGWISE_EXPERIMENT_RUN_H_
#define TAGWISE_EXPERIMENT_RUN_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/condition.h"
#include "tagwise/error.h"
#include "tagwise/experiments.h"
#include "tagwise/ledger.h"
#include "tagwise/rule.h"

namespace tagwise {

// A checked experiment definition (GrowthBook's Experiment fields in
// camelCase JSON, plus `rule` and `purpose`). Immutable once compiled.
struct ExperimentDef {
  std::string key;
  std::vector<nlohmann::json> variations;  // the values handed out
  std::vector<double> weights;             // empty: equal
  double coverage = 1;
  std::string hash_attribute = "id";
  int hash_version = 1;
  std::string seed;                        // empty: the key
  struct Namespace {
    std::string id;
    double start = 0, end = 1;
  };
  std::optional<Namespace> ns;
  std::vector<BucketRange> ranges;         // explicit ranges (GrowthBook `ranges`); empty: computed
  std::shared_ptr<const Rule> condition;   // MongoDB-style targeting on the attributes
  std::shared_ptr<const Rule> rule;        // tagwise rule targeting (tags, events, attributes)
  std::optional<int> force;                // `force`: everyone in coverage gets it, no exposure
  bool active = true;
  std::string status;                      // "", "draft", "running" or "stopped"
  struct Meta {
    std::string key, name;
    bool passthrough = false;
  };
  std::vector<Meta> meta;                  // per variation; empty: keys "0", "1", …
  int bucket_version = 0;
  bool disable_sticky = false;
  std::string purpose = "analytics";       // consent purpose the experiment needs
  nlohmann::json source;                   // the definition as given
};

struct ExperimentCompileOptions {
  const std::vector<std::string>* known_tags = nullptr;  // for `rule` ({"tag": [...]})
  const nlohmann::json* saved_groups = nullptr;          // for `condition` ($inGroup)
  // How a malformed `condition` is handled (condition.h): kReject makes it
  // an error of the definition; kLikeGrowthBook (experiments.run) evaluates
  // it as GrowthBook does and lists each problem as a warning.
  MalformedCondition malformed_condition = MalformedCondition::kReject;
  const JsonKeyOrder* condition_key_order = nullptr;  // for `condition` and saved groups (condition.h)
  CompileOptions rule_options;
  size_t max_variations = 10'000;
};

struct ExperimentCompileResult {
  std::shared_ptr<const ExperimentDef> def;  // null when any error exists
  std::vector<Error> issues;
  bool ok() const { return def != nullptr; }
};

[[nodiscard]] ExperimentCompileResult CompileExperiment(const nlohmann::json& definition,
                                                         const ExperimentCompileOptions& options = {});

// What one run may see and override (GrowthBook's context and user options).
struct ExperimentRunContext {
  const nlohmann::json* attributes = nullptr;    // what hashAttribute and `condition` read
  EvalContext eval;                              // for `rule`: events and tags
  const Ledger* ledger = nullptr;                // sticky assignments; null: none kept
  const std::set<std::string>* purposes = nullptr;  // granted purposes; null: all
  std::map<std::string, int, std::less<>> forced_variations;  // QA / dev tools: key → variation
  std::string url;                               // ?key=N query-string override
  bool qa_mode = false;                          // nobody enters (forced variations still apply)
  bool enabled = true;                           // false: nobody enters
  int64_t now = 0;
};

// GrowthBook's Result, plus `reason` (why the user is or is not in) and the
// assignment to store when this run is the user's first exposure.
struct ExperimentResult {
  bool in_experiment = false;
  int variation_id = 0;
  nlohmann::json value;
  bool hash_used = false;
  std::string key;  // the variation's meta key, or its index as text
  std::string name;
  bool passthrough = false;
  std::string hash_attribute;
  nlohmann::json hash_value;  // as the attributes hold it ("" when missing)
  std::optional<double> bucket;
  bool sticky_bucket_used = false;
  // "assigned", "sticky", "forced", "querystring", "force" (the definition's),
  // or why not in: "disabled", "consent", "inactive", "no_hash_attribute",
  // "namespace", "condition", "rule", "rule_error", "coverage", "qa_mode", "stopped".
  std::string reason;
  std::string detail;                     // e.g. the rule's evaluation error
  std::optional<Assignment> new_assignment;  // first exposure: the caller stores it and reports it once
};

// Deterministic: the same definition, context and ledger give the same result.
ExperimentResult RunExperiment(const ExperimentDef& def, const ExperimentRunContext& ctx);

// {inExperiment, variationId, value, hashUsed, key, hashAttribute, hashValue,
//  stickyBucketUsed, reason, bucket?, name?, passthrough?, detail?, exposure}
nlohmann::json ExperimentResultToJson(const ExperimentResult& r);

// The ledger key of a sticky assignment: "<key>__<bucketVersion>" (GrowthBook's).
std::string StickyExperimentKey(const ExperimentDef& def);

}  // namespace tagwise

#endif  // TAGWISE_EXPERIMENT_RUN_H_
