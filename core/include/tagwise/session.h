// The visitor session: one visitor's tagging runtime, the object behind the
// JS `tw` (createTagwise). It holds the loaded catalog (shared, immutable),
// the Engine for the granted consent purposes, the visitor's Profile with its
// server tags, the activity Ledger (experiments, offers), loaded hints and
// the last Evaluation, and owns the policy every page applies:
//  - track: record events consent allows, re-evaluate only the tags their
//    types can affect, report {entered, left, changed}; compact the profile
//    when CompactionPolicy says so;
//  - consent: switching a purpose off drops its tags and deletes the events,
//    rollups, server tags and activity kept only for it (DESIGN.md section 6);
//  - persistence: merge a stored copy (other tabs, an earlier page), encode
//    this state, shrink it when storage is full, forget everything;
//  - SSR: merge the server's copy of the visitor by event id.
//
// Typical use (times are ms since the epoch, always passed in):
//
//   tagwise::VisitorSession s;                       // every purpose granted
//   s.LoadCatalog(catalog_json, now);                // CatalogLoad: errors with paths
//   s.SetProfile(snapshot_json, ProfileMode::kReplace, now);
//   TrackResult t = s.Track(R"([{"type": "order_paid", "props": {"amount": 30}}])", /*single=*/false, now);
//   for (const std::string& id : t.changes.entered) { ... }
//   TagsAt tags = s.Tags(now);                      // tags.evaluation->decisions
//
// Inputs that come from outside (catalog, profile, events, stored text) are
// JSON/stored text and are checked with located errors; nothing throws on bad
// input. Experiments, offers and recommendations take their JSON options and
// return one JSON answer (tagwise/answer.h), as the JS API passes them.
//
// Not thread-safe: one session per visitor, used from one thread (the page's
// or one SSR request's).
#ifndef TAGWISE_SESSION_H_
#define TAGWISE_SESSION_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/catalog.h"
#include "tagwise/consent.h"
#include "tagwise/engine.h"
#include "tagwise/error.h"
#include "tagwise/ledger.h"
#include "tagwise/profile.h"
#include "tagwise/purposes.h"
#include "tagwise/store.h"

namespace tagwise {

struct CatalogCache;

namespace internal {
class Activity;
class HintsSession;
}  // namespace internal

// The visitor as the session holds them at `now`, tags already evaluated:
// what experiments, offers and recommendations read. Points into the session;
// valid until its next call.
struct UserView {
  const Profile* profile = nullptr;
  const Catalog* catalog = nullptr;       // null before a catalog is loaded
  const Evaluation* evaluation = nullptr;  // null before a catalog is loaded
  const PurposeSet* purposes = nullptr;
  std::vector<std::string> held_tags;     // catalog order
  bool personal = true;                   // the "personalization" purpose is granted
  int64_t now = 0;
  // The session's per-call budget (EngineOptions): a feature call (an
  // experiment, the offers' audiences) evaluates its rules within one copy.
  EvalBudget budget;
};

// When track() folds old events into day rollups, keeping memory bounded
// over long sessions (DESIGN.md section 3).
struct CompactionPolicy {
  RetentionPolicy retention;
  // How far past retention.max_age_ms the oldest kept event may be before a
  // compaction: a day, so events ageing out one by one do not compact on every
  // call (windowed aggregates stay exact either way, rollups are per day).
  int64_t age_slack_ms = 86'400'000;
  // A compaction goes this far below retention.max_events: a session tracking
  // one event at a time past the cap would otherwise fold and reindex 5,000
  // events per event (1-2 ms each, found by tests/js/soak.test.mjs).
  size_t headroom_percent = 10;

  // True when `profile` at `now` holds more events than the retention allows,
  // or its oldest event is past the age limit plus the slack.
  bool NeedsCompaction(const Profile& profile, int64_t now) const;
  // The retention a compaction applies (max_events less the headroom).
  RetentionPolicy Target() const;
};

struct SessionOptions {
  // Purposes granted at start ("necessary" is always added).
  PurposeSet purposes = AllPurposes();
  CompactionPolicy compaction;
  // Most warnings kept per profile of a TagProfiles batch: a batch job wants
  // to know a profile had problems, not 500,000 copies of one warning.
  size_t max_batch_warnings = 20;
  // Where LoadCatalog finds catalogs already compiled from the same text and
  // keeps the ones it compiles (tagwise/catalog_cache.h); not owned, must
  // outlive the session. Null: every load compiles.
  CatalogCache* catalog_cache = nullptr;
};

struct CatalogLoad {
  std::vector<Error> errors;  // non-empty: the previous catalog stays
  std::vector<Error> warnings;
  std::string fingerprint;  // FNV-1a 64 of the canonical JSON, hex
  TagChanges changes;
  bool ok() const { return errors.empty(); }
};

struct PurposesUpdate {
  TagChanges changes;
  PruneReport pruned;
};

// How SetProfile combines the incoming profile with the one held.
enum class ProfileMode {
  kReplace,        // a profile or snapshot replaces the held one
  kMergeSnapshot,  // a server snapshot, merged without double counting (Profile::MergeSnapshot)
  kMergeLocal,     // another copy of this visitor (another device, SSR state), merged by event id
};

struct ProfileUpdate {
  std::vector<Error> errors;  // non-empty: nothing changed
  std::vector<Error> warnings;
  PruneReport pruned;  // what consent did not allow keeping
  TagChanges changes;
  bool ok() const { return errors.empty(); }
};

struct TrackResult {
  size_t added = 0;
  size_t duplicates = 0;  // event ids already held
  size_t withheld = 0;    // types no granted purpose needs: not recorded
  std::vector<Error> errors;  // unusable events (the others are still added)
  std::vector<Error> warnings;
  TagChanges changes;
  bool compacted = false;  // old events were folded into day rollups
  bool rejected = false;   // the text itself was unusable: errors[0] says why, nothing was added
};

// The tags at a time: `evaluation` has one decision per catalog tag.
struct TagsAt {
  TagChanges changes;  // what changed since the last evaluation (time passed)
  const Catalog* catalog = nullptr;         // null before a catalog is loaded
  const Evaluation* evaluation = nullptr;   // null before a catalog is loaded
  const ServerTags* server = nullptr;
  // Changes whenever what these tags show may differ from an earlier call's
  // (a decision's membership, value, source, suppression or error; the server
  // tags; the catalog): a caller that kept the answer of an earlier call with
  // this revision may show it again (the JS tags()), and changes only then.
  // Never 0, except in the browser's modules (built for size), which keep
  // none: 0 there, which no caller may take for a revision.
  uint64_t revision = 0;
};

struct StoreMerge {
  DecodedStore decoded;  // problems, truncation, lost header, kept/dropped events
  StoreMergeReport report;
  PruneReport pruned;
  TagChanges changes;
};

struct ShrinkResult {
  enum class Step { kNone, kCompacted, kDropped } step = Step::kNone;
  size_t events_removed = 0;
  size_t rollups_before = 0;
  TagChanges changes;
};

// One profile of a TagProfiles batch.
struct TaggedProfile {
  std::optional<std::string> user_id;
  std::vector<std::pair<std::string, nlohmann::json>> tags;  // held: id -> value (true when no value)
  std::optional<Error> error;                                 // the profile was unusable
  std::vector<Error> warnings;                                // at most max_batch_warnings
  size_t warning_count = 0;                                   // all of them
};

struct BatchStatus {
  std::optional<Error> error;  // the batch text itself was unusable
  size_t profiles = 0;
};

class VisitorSession {
 public:
  explicit VisitorSession(SessionOptions options = {});
  ~VisitorSession();
  VisitorSession(const VisitorSession&) = delete;
  VisitorSession& operator=(const VisitorSession&) = delete;
  VisitorSession(VisitorSession&&) noexcept;
  VisitorSession& operator=(VisitorSession&&) noexcept;

  // ---- catalog and consent

  // Loads a catalog (JSON text); on errors the previous one stays.
  CatalogLoad LoadCatalog(std::string_view catalog_json, int64_t now);
  // Switches the granted purposes ("necessary" is added). Narrowing deletes
  // what only the withdrawn purposes needed; widening deletes nothing.
  // `recorded_at`: the visitor chose this (persisted with the store);
  // otherwise it is the configured default and the store says "not decided".
  PurposesUpdate SetPurposes(PurposeSet purposes, int64_t now, std::optional<int64_t> recorded_at);
  // Which purposes need event types no tag reads (the scorer's "view"...)
  // and the purposes of types nothing names (default: personalization).
  void SetEventPurposes(std::map<std::string, PurposeSet, std::less<>> declared,
                        std::optional<PurposeSet> default_purposes);

  // ---- the visitor

  ProfileUpdate SetProfile(std::string_view profile_json, ProfileMode mode, int64_t now);
  // Adds events: a JSON array of event objects (`single`: the caller passed
  // one event, so error paths drop the "/0"). An event without "ts" happens
  // at `now`; one without "id" gets the core's content-derived id.
  TrackResult Track(std::string_view events_json, bool single, int64_t now);
  // Every tag at `now` (the last evaluation when nothing changed since).
  TagsAt Tags(int64_t now);
  // The rule tree of one tag with each node's value (Engine::Explain).
  Result<nlohmann::json> Explain(std::string_view tag_id, int64_t now);
  // Evaluates at `now` and returns the view features read, plus the changes.
  UserView View(int64_t now, TagChanges* changes);
  // The work one call may do: steps and bytes of built values shared by the
  // rules of one pass over the catalog, and by the rules of one feature call
  // (EngineOptions::max_pass_steps, max_pass_bytes; createTagwise's limits).
  // Zero or less: the default (kDefaultCallSteps, kDefaultCallBytes).
  void SetBudget(int64_t steps, int64_t bytes);

  // ---- persistence (tagwise/store.h)

  // Merges a stored copy: same generation -> union of events; a newer
  // generation (forget, user switch elsewhere) replaces this state; a stored
  // consent choice wins over the default. Never fails on damaged text.
  StoreMerge MergeStore(std::string_view stored_text, int64_t now);
  // This state as store text ("" when it cannot be encoded). Folds old
  // activity into totals first (bounded).
  std::string EncodeStore(int64_t now);
  // Smaller state for a full storage: folds the older half of the events
  // into day rollups, or with few events left drops the older half of the
  // rollups (the oldest history is lost; the caller reports it).
  ShrinkResult Shrink(int64_t now);
  // Erases the visitor's data and consent choice and starts generation
  // `generation` (so other tabs' older copies are not merged back).
  TagChanges Forget(std::string generation, int64_t at, int64_t now);
  void SetGeneration(std::string generation, int64_t at);

  // ---- batch: many profiles with this session's catalog

  // Tags each profile of a JSON array (streamed: one profile's DOM at a
  // time) at `now`, under `purposes` or the session's own.
  BatchStatus TagProfiles(std::string_view profiles_json, int64_t now, const PurposeSet* purposes,
                          const std::function<void(const TaggedProfile&)>& each);

  // ---- experiments, offers, recommendations: JSON options in, one JSON answer out

  // Each sets *changed when the activity ledger changed (persist it).
  std::string RunExperiment(std::string_view input_json, const UserView& user, bool* changed);
  std::string Convert(std::string_view input_json, const UserView& user, bool* changed);
  std::string LoadOffers(std::string_view offers_json);
  std::string EligibleOffers(std::string_view input_json, const UserView& user);
  std::string RecordOffer(std::string_view input_json, const UserView& user, bool* changed);
  // JSON text {"assignments", "conversions", "offers", "olderTotals"}.
  std::string ActivityText() const;
  std::string LoadHints(std::string_view bytes, std::string_view expected_catalog_version);
  std::string HintsInfo() const;
  // `changes` are passed through into the answer (for the JS listeners).
  std::string Recommend(std::string_view options_json, const UserView& user, const TagChanges& changes);

  // ---- state

  const Profile& profile() const { return profile_; }
  const Catalog* catalog() const { return catalog_.get(); }
  const PurposeSet& purposes() const { return options_.purposes; }
  const std::optional<StoredConsent>& consent() const { return consent_; }
  const std::string& fingerprint() const { return fingerprint_; }
  const std::string& generation() const { return generation_; }
  int64_t generation_at() const { return generation_at_; }
  const Ledger& ledger() const;

 private:
  PruneReport ApplyPurposes(PurposeSet purposes);
  PruneReport PruneProfileForConsent();
  TagChanges EvaluateFully(const Catalog* previous_catalog, const Evaluation& previous, int64_t now);
  TagChanges EvaluateAt(int64_t now);
  TagChanges Reevaluate(int64_t now);
  TagChanges ReevaluateTypes(int64_t now, const std::vector<std::string>& types);
  void RebuildScope();
  TaggedProfile TagOne(nlohmann::json&& profile_json, const Engine* engine, int64_t now, WhereVerdicts* verdicts) const;

  SessionOptions options_;
  EngineOptions engine_options_;
  std::shared_ptr<const Catalog> catalog_;
  std::string fingerprint_;  // of catalog_
  std::map<std::string, PurposeSet, std::less<>> declared_;
  PurposeSet default_purposes_ = {"personalization"};
  std::optional<ConsentScope> scope_;     // of catalog_, declared_, default_purposes_
  std::optional<StoredConsent> consent_;  // the visitor's recorded choice
  std::string generation_;
  int64_t generation_at_ = 0;
  std::optional<Engine> engine_;  // set whenever catalog_ is
  // TagProfiles' `where` verdicts by text, kept across its calls (a batch job
  // makes thousands) for catalog_; dropped when the catalog changes.
  std::shared_ptr<WhereVerdicts> batch_verdicts_;
  Profile profile_;
  ServerTags server_;
  Evaluation eval_;    // of catalog_; empty before the first evaluation
  // True when every decision in eval_ was computed at eval_.now against the
  // current state. An incremental re-evaluation at another time leaves the
  // tags it did not touch as of the earlier time, so it clears exact_; the
  // next Tags() then evaluates everything and reports what time changed.
  bool exact_ = false;
  uint64_t revision_ = 1;  // TagsAt::revision; 0 is never one (a caller's "none")
  std::unique_ptr<internal::Activity> activity_;
  std::unique_ptr<internal::HintsSession> hints_;
};

// When a server tag expires: the snapshot's "expires_at", else as_of + ttl
// (for display; the engine applies the same rule).
std::optional<int64_t> ServerTagExpiry(const TagDef& tag, const ServerTags& server);

// A content fingerprint of a catalog (FNV-1a 64 over its canonical JSON, 16
// hex digits): equal for the same catalog however it was formatted, so the
// SSR hand-off can tell that server and browser loaded the same one.
std::string CatalogFingerprint(const nlohmann::json& catalog);

}  // namespace tagwise

#endif  // TAGWISE_SESSION_H_
