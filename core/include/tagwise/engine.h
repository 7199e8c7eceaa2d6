// The tagging engine: evaluates every tag of a Catalog for one user's Profile
// at a given time, resolving references, inheritance, exclusive groups,
// consent and server-sourced tags; explains any tag; re-evaluates only the
// tags an event can affect.
//
// Thread-compatible: Engine is immutable after construction; each call takes
// its inputs and returns its outputs.
#ifndef TAGWISE_ENGINE_H_
#define TAGWISE_ENGINE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/catalog.h"
#include "tagwise/error.h"
#include "tagwise/profile.h"
#include "tagwise/purposes.h"

namespace tagwise {

// Why a tag holds or not; the closed set shown to users ("why am I tagged").
enum class DecisionSource {
  kRule,            // its own `when` rule decided
  kParentTag,       // held because a child tag holds
  kExclusiveLoser,  // its rule held but another member of its exclusive group won
  kConsentDenied,   // its purpose is switched off: not computed
  kExpired,         // server tag past its expiry
  kServer,          // server tag from the snapshot
  kError,           // its rule failed (e.g. `throw`); treated as not held
};
std::string_view DecisionSourceName(DecisionSource s);

struct TagDecision {
  bool holds = false;
  nlohmann::json value;  // `value` rule result (or true) while held; null otherwise
  DecisionSource source = DecisionSource::kRule;
  std::string suppressed_by;  // kExclusiveLoser: the winning tag's id
  std::string error;          // kError: what failed
};

// Server-computed tags from a snapshot: {"tag_id": {"value": v, "expires_at": ms}}.
struct ServerTags {
  int64_t as_of = 0;
  nlohmann::json tags = nlohmann::json::object();
};

// The server tags a profile carries from its snapshot (as_of and "tags").
ServerTags ServerTagsOf(const Profile& profile);

// The "expires_at" of one server tag entry, if it has a number there. Any
// number counts: one past JS Date's range (±8.64e15 ms) is clamped to it, so a
// far-future time never expires and a huge negative one has expired.
std::optional<int64_t> ServerTagExpiresAt(const nlohmann::json& entry);

struct EngineOptions {
  // Consent purposes switched on; tags of other purposes are not computed.
  // "necessary" is always on.
  PurposeSet purposes = AllPurposes();
  // One budget for every rule evaluated in one pass over the catalog (all
  // tags of one profile at one time: setProfile, track, tags, each profile of
  // tagProfiles), on top of each rule's own EvalOptions. One tag's rule may
  // use a quarter of the steps at most, so a runaway tag fails alone. A catalog of 20
  // rules that each run to the 50M-step limit took 163 s in a page; now the
  // pass stops at this total and the remaining tags fail with
  // budget_exceeded. The heaviest real pass measured (examples/retail-catalog
  // .json on its largest customer, 7,983 events) is far below (see
  // docs/hardening.md).
  int64_t max_pass_steps = kDefaultCallSteps;
  int64_t max_pass_bytes = kDefaultCallBytes;
};

// All tags of one user, in catalog order (decisions[i] is catalog.tags()[i]).
struct Evaluation {
  int64_t now = 0;
  std::vector<TagDecision> decisions;
};

struct TagChanges {
  std::vector<std::string> entered;  // now held, previously not
  std::vector<std::string> left;     // previously held, now not
  std::vector<std::string> changed;  // held before and after, value changed
  bool empty() const { return entered.empty() && left.empty() && changed.empty(); }
};

// Answers `tag`/`tag_value` from an evaluation: inside the engine from the
// decisions made so far (the plan guarantees a referenced tag is final before
// it is read), and for rules evaluated beside the catalog (experiment and
// offer targeting) from the finished evaluation. Holds references only.
class EvaluationTagResolver : public TagResolver {
 public:
  EvaluationTagResolver(const Catalog& catalog, const Evaluation& eval) : catalog_(catalog), eval_(eval) {}
  bool HasTag(std::string_view id) const override;
  nlohmann::json TagValue(std::string_view id) const override;

 private:
  const Catalog& catalog_;
  const Evaluation& eval_;
};

class Engine {
 public:
  explicit Engine(std::shared_ptr<const Catalog> catalog, EngineOptions options = {});

  const Catalog& catalog() const { return *catalog_; }
  const EngineOptions& options() const { return options_; }

  // Evaluates every tag. `data` (what `var` reads) is the profile's attributes.
  // A batch over many profiles passes one `verdicts` to all of them (rule.h).
  Evaluation EvaluateAll(const Profile& profile, const ServerTags& server, int64_t now,
                         WhereVerdicts* verdicts = nullptr) const;

  // Re-evaluates only the tags that events of `event_types` can affect (and
  // their dependents), keeping the others from `previous`. Returns the changes.
  TagChanges Reevaluate(const Profile& profile, const ServerTags& server, int64_t now,
                        const std::vector<std::string>& event_types, Evaluation* previous) const;

  // The rule tree of a tag with each evaluated node's value (for `events`,
  // how many events matched), plus inheritance and suppression:
  // {"id", "name", "holds", "value", "source", "suppressed_by"?, "children_holding"?,
  //  "when": TREE, "value_rule": TREE}; TREE = {"op", "path", "value", "matched"?, "args": [TREE]}.
  Result<nlohmann::json> Explain(const Profile& profile, const ServerTags& server, int64_t now,
                                 std::string_view tag_id) const;

  static TagChanges Diff(const Catalog& catalog, const Evaluation& before, const Evaluation& after);

 private:
  void RunSteps(const Profile& profile, const ServerTags& server, int64_t now, const std::vector<bool>* only,
                Evaluation* out, WhereVerdicts* verdicts = nullptr) const;
  std::shared_ptr<const Catalog> catalog_;
  EngineOptions options_;
};

}  // namespace tagwise

#endif  // TAGWISE_ENGINE_H_
