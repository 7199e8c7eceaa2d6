// The visitor session (tagwise/session.h): catalog, consent, profile and
// tracking. Persistence is in session_store.cpp, the batch in
// session_batch.cpp, experiments/offers/recommendations in session_features.cpp.
#include "tagwise/session.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <utility>

#include "common/json_fingerprint.h"
#include "experiments/activity.h"
#include "recommend/hints_session.h"
#include "tagwise/answer.h"
#include "tagwise/catalog_cache.h"
#include "tagwise/json_text.h"
#include "tagwise/limits.h"
#include "tagwise/utf8.h"
#include "user/profile_text.h"

namespace tagwise {
namespace {

using nlohmann::json;

// Paths of a one-element batch the caller passed on its own: "/0/ts" -> "/ts".
std::string Unbatched(const std::string& path, bool single) {
  if (!single) return path;
  if (path == "/0") return "";
  if (path.rfind("/0/", 0) == 0) return path.substr(2);
  return path;
}

// Warnings for server tag entries the engine would read loosely (an entry
// that is not {"value", "expires_at"}). Profile::FromJson keeps server tags as
// opaque JSON, so the shape is checked here, where SetProfile reports warnings.
void CheckServerTags(const json& tags, std::vector<Error>* warnings) {
  if (!tags.is_object()) return;
  for (const auto& [id, entry] : tags.items()) {
    const std::string path = JoinPointer("/tags", id);
    if (!entry.is_object()) {
      warnings->push_back(Error{ErrorCode::kWrongArgumentType, path,
                                "a server tag is an object like {\"value\": 0.8, \"expires_at\": 1763800000000}; "
                                "this one is held with the value true",
                                Severity::kWarning});
      continue;
    }
    auto e = entry.find("expires_at");
    if (e != entry.end() && !e->is_null() && !e->is_number()) {
      warnings->push_back(Error{ErrorCode::kWrongArgumentType, JoinPointer(path, "expires_at"),
                                "\"expires_at\" must be a time in milliseconds since 1970; it is ignored",
                                Severity::kWarning});
    }
  }
}

// A JSON input of at most `max_bytes`: the fast reader (which falls back to
// nlohmann for an error's position), or nlohmann.
Result<json> ReadInput(std::string_view text, size_t max_bytes, std::string_view what, bool fast,
                       int wrapper_levels = 0) {
  if (auto e = CheckInputBytes(text.size(), max_bytes, what)) return *e;
  return fast ? ParseFast(text, what, wrapper_levels) : ParseJson(text, what, wrapper_levels);
}

// Changes between two evaluations of possibly different catalogs, matched by
// tag id: entered/changed in the new catalog's order, then left in the old one's.
TagChanges DiffById(const Catalog* before_catalog, const Evaluation& before, const Catalog& after_catalog,
                    const Evaluation& after) {
  if (before_catalog == &after_catalog) return Engine::Diff(after_catalog, before, after);
  TagChanges c;
  auto held_before = [&](std::string_view id) -> const TagDecision* {
    if (before_catalog == nullptr) return nullptr;
    const int i = before_catalog->IndexOf(id);
    if (i < 0 || static_cast<size_t>(i) >= before.decisions.size()) return nullptr;
    const TagDecision& d = before.decisions[static_cast<size_t>(i)];
    return d.holds ? &d : nullptr;
  };
  for (size_t i = 0; i < after_catalog.tags().size() && i < after.decisions.size(); ++i) {
    const TagDecision& d = after.decisions[i];
    if (!d.holds) continue;
    const std::string& id = after_catalog.tags()[i].id;
    const TagDecision* was = held_before(id);
    if (was == nullptr) c.entered.push_back(id);
    else if (was->value != d.value) c.changed.push_back(id);
  }
  if (before_catalog != nullptr) {
    for (size_t i = 0; i < before_catalog->tags().size() && i < before.decisions.size(); ++i) {
      if (!before.decisions[i].holds) continue;
      const std::string& id = before_catalog->tags()[i].id;
      const int j = after_catalog.IndexOf(id);
      if (j < 0 || static_cast<size_t>(j) >= after.decisions.size() || !after.decisions[static_cast<size_t>(j)].holds) {
        c.left.push_back(id);
      }
    }
  }
  return c;
}

// The browser's modules (TAGWISE_SMALL_CORE) keep no revision of their
// tags (TagsAt::revision stays 0) and compare no decisions, for their bytes:
// a page's clock moves between calls, so it evaluates each time anyway.
#ifdef TAGWISE_SMALL_CORE
constexpr bool kRevisions = false;
#else
constexpr bool kRevisions = true;
#endif

// Every field of every decision alike: what a tags() answer shows of them.
#ifndef TAGWISE_SMALL_CORE
// The same JSON down to what its text shows: the same kinds of value and
// signs of zero (json's == takes 1 for 1.0 and -0.0 for 0.0, whose texts
// differ); NaN is NaN (both print as null). Lists and objects (rare tag
// values) by their text.
bool SameJson(const json& a, const json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_structured()) return DumpValue(a) == DumpValue(b);
  if (a.is_number_float()) {
    const double x = a.get<double>(), y = b.get<double>();
    return x == y ? std::signbit(x) == std::signbit(y) : x != x && y != y;
  }
  return a == b;
}

bool SameDecisions(const Evaluation& a, const Evaluation& b) {
  if (a.decisions.size() != b.decisions.size()) return false;
  for (size_t i = 0; i < a.decisions.size(); ++i) {
    const TagDecision& x = a.decisions[i];
    const TagDecision& y = b.decisions[i];
    if (x.holds != y.holds || x.source != y.source || x.suppressed_by != y.suppressed_by || x.error != y.error ||
        !SameJson(x.value, y.value)) {
      return false;
    }
  }
  return true;
}
#else
bool SameDecisions(const Evaluation&, const Evaluation&) { return false; }
#endif

}  // namespace

bool CompactionPolicy::NeedsCompaction(const Profile& profile, int64_t now) const {
  const std::vector<Event>& kept = profile.events();  // oldest first
  if (kept.size() > retention.max_events) return true;
  return !kept.empty() && kept.front().ts < now - retention.max_age_ms - age_slack_ms;
}

RetentionPolicy CompactionPolicy::Target() const {
  RetentionPolicy target = retention;
  target.max_events -= retention.max_events / 100 * std::min<size_t>(headroom_percent, 100);
  return target;
}

std::optional<int64_t> ServerTagExpiry(const TagDef& t, const ServerTags& server) {
  auto it = server.tags.find(t.id);
  if (it == server.tags.end()) return std::nullopt;
  if (std::optional<int64_t> at = ServerTagExpiresAt(*it)) return at;
  if (t.ttl_ms && server.as_of != Profile::kNone) return server.as_of + *t.ttl_ms;
  return std::nullopt;
}

std::string CatalogFingerprint(const json& catalog) { return internal::DumpFnv1aHex(catalog); }

VisitorSession::VisitorSession(SessionOptions options)
    : options_(std::move(options)),
      activity_(std::make_unique<internal::Activity>()),
      hints_(std::make_unique<internal::HintsSession>()) {
  options_.purposes.insert(std::string(kNecessaryPurpose));
  engine_options_.purposes = options_.purposes;
  RebuildScope();
}

VisitorSession::~VisitorSession() = default;
VisitorSession::VisitorSession(VisitorSession&&) noexcept = default;
VisitorSession& VisitorSession::operator=(VisitorSession&&) noexcept = default;

const Ledger& VisitorSession::ledger() const { return activity_->ledger(); }

CatalogLoad VisitorSession::LoadCatalog(std::string_view text, int64_t now) {
  CatalogLoad out;
  CatalogCache* cache = options_.catalog_cache;
  std::shared_ptr<const Catalog> next;
  std::string fingerprint;
  if (cache != nullptr && cache->catalog != nullptr && cache->text == text) {
    next = cache->catalog;
    fingerprint = cache->fingerprint;
    out.warnings = cache->warnings;
  } else {
    // The fast reader decodes valid UTF-8 exactly as nlohmann does (and falls
    // back to it for the error position on bad JSON); nlohmann reports bad UTF-8.
    Result<json> parsed = ReadInput(text, CatalogOptions{}.max_bytes, "catalog", /*fast=*/IsValidUtf8(text));
    CatalogLoadResult loaded;
    if (parsed.ok()) loaded = Catalog::Load(parsed.value());
    else loaded.errors.push_back(parsed.error());
    out.warnings = std::move(loaded.warnings);
    if (!loaded.ok()) {
      out.errors = std::move(loaded.errors);
      return out;  // the session keeps the catalog it had
    }
    next = std::move(loaded.catalog);
    fingerprint = CatalogFingerprint(parsed.value());
    if (cache != nullptr) {
      cache->text.assign(text);
      cache->catalog = next;
      cache->fingerprint = fingerprint;
      cache->warnings = out.warnings;
    }
  }
  std::shared_ptr<const Catalog> old = std::exchange(catalog_, std::move(next));
#ifndef TAGWISE_SMALL_CORE
  batch_verdicts_.reset();  // they point into the old catalog's rules
#endif
  fingerprint_ = std::move(fingerprint);
  engine_.emplace(catalog_, engine_options_);
  RebuildScope();
  Evaluation previous = std::move(eval_);
  out.fingerprint = fingerprint_;
  out.changes = EvaluateFully(old.get(), previous, now);
  return out;
}

PurposesUpdate VisitorSession::SetPurposes(PurposeSet purposes, int64_t now, std::optional<int64_t> recorded_at) {
  purposes.insert(std::string(kNecessaryPurpose));
  if (recorded_at) consent_ = StoredConsent{purposes, *recorded_at};
  PurposesUpdate out;
  out.pruned = ApplyPurposes(std::move(purposes));
  out.changes = Reevaluate(now);
  return out;
}

void VisitorSession::SetEventPurposes(std::map<std::string, PurposeSet, std::less<>> declared,
                                      std::optional<PurposeSet> default_purposes) {
  declared_ = std::move(declared);
  if (default_purposes) default_purposes_ = std::move(*default_purposes);
  RebuildScope();
}

ProfileUpdate VisitorSession::SetProfile(std::string_view text, ProfileMode mode, int64_t now) {
  ProfileUpdate out;
  if (auto e = CheckInputBytes(text.size(), ProfileLimits{}.max_bytes, "profile")) {
    out.errors.push_back(*e);
    return out;
  }
  // A profile that replaces or joins this one is read with its events split
  // into fields (no JSON object per event); anything ReadProfileText does
  // not take, and a snapshot merge, is parsed as a tree.
  ProfileText read;
  const bool split = mode != ProfileMode::kMergeSnapshot && ReadProfileText(text, kMaxNesting, &read);
  Result<json> parsed = split ? Result<json>(json()) : ReadInput(text, ProfileLimits{}.max_bytes, "profile", true);
  if (!parsed.ok()) {
    out.errors.push_back(parsed.error());
    return out;
  }
  const json& doc = split ? read.rest : parsed.value();
  std::vector<Error>& warnings = out.warnings;
  // Server tags are checked after the events are read (FromJson moves the parsed text's parts away).
  std::optional<json> server_tags;
  if (auto t = doc.find("tags"); t != doc.end()) server_tags = *t;
  if (mode == ProfileMode::kMergeSnapshot) {
    Profile next = profile_;
    Result<MergeReport> r = next.MergeSnapshot(std::move(parsed.value()), &warnings);
    if (!r.ok()) {
      out.errors.push_back(r.error());
      return out;
    }
    profile_ = std::move(next);
  } else {
    Result<Profile> p = split ? Profile::FromProfileText(std::move(read), &warnings)
                              : Profile::FromJson(std::move(parsed.value()), &warnings);
    if (!p.ok()) {
      out.errors.push_back(p.error());
      return out;
    }
    if (mode == ProfileMode::kReplace) {
      profile_ = std::move(p).value();
    } else {
      const Profile& incoming = p.value();
      if (!profile_.user_id().empty() && !incoming.user_id().empty() && incoming.user_id() != profile_.user_id()) {
        out.errors.push_back(Error{ErrorCode::kWrongArgumentType, "/user_id",
                                   "this profile belongs to user \"" + incoming.user_id() +
                                       "\", not to the current user \"" + profile_.user_id() +
                                       "\"; replace the profile instead of merging it"});
        return out;
      }
      if (profile_.user_id().empty()) profile_.set_user_id(incoming.user_id());
      profile_.MergeLocal(incoming);
      // As with snapshots, the incoming copy's attributes win key by key: it
      // comes from the server (SSR) or another device, where attributes are
      // set; this copy may be older.
      if (incoming.attributes().is_object() && profile_.attributes().is_object()) {
        json attributes = profile_.attributes();
        for (const auto& [key, value] : incoming.attributes().items()) attributes[key] = value;
        profile_.set_attributes(std::move(attributes));
      }
    }
  }
  if (server_tags) CheckServerTags(*server_tags, &warnings);
  // Data from a snapshot is kept only as far as consent allows; what each
  // purpose needs is known once a catalog is loaded.
  out.pruned = PruneProfileForConsent();
  server_ = ServerTagsOf(profile_);
  out.changes = Reevaluate(now);
  return out;
}

TrackResult VisitorSession::Track(std::string_view text, bool single, int64_t now) {
  TrackResult out;
  const auto reject = [&](Error e) {
    out.errors.push_back(std::move(e));
    out.rejected = true;
    return out;
  };
  Result<json> parsed = ReadInput(text, ProfileLimits{}.max_bytes, single ? "event" : "event list", /*fast=*/true, 1);
  if (!parsed.ok()) return reject(parsed.error());
  json& list = parsed.value();
  if (!list.is_array()) return reject(Error{ErrorCode::kWrongArgumentType, "", "Events are a list of event objects."});
  std::vector<Event> accepted;  // added together: one sort for a batch of late events
  for (size_t i = 0; i < list.size(); ++i) {
    json& ej = list[i];
    const std::string path = Unbatched("/" + std::to_string(i), single);
    bool derived_id = false;
    if (ej.is_object()) {
      auto ts = ej.find("ts");
      if (ts == ej.end() || ts->is_null()) ej["ts"] = now;
      auto id = ej.find("id");
      derived_id = id == ej.end() || id->is_null();
    }
    const size_t before = out.warnings.size();
    Result<Event> e = ParseEvent(std::move(ej), path, &out.warnings);
    if (derived_id && e.ok()) {
      // A missing id is documented behaviour for track(), not a data problem.
      const std::string id_path = path + "/id";
      out.warnings.erase(std::remove_if(out.warnings.begin() + static_cast<std::ptrdiff_t>(before),
                                        out.warnings.end(), [&](const Error& w) { return w.path == id_path; }),
                         out.warnings.end());
    }
    if (!e.ok()) {
      out.errors.push_back(e.error());
      continue;
    }
    if (!scope_->Records(e.value().type, options_.purposes)) {
      ++out.withheld;  // no purpose the visitor granted needs this type
      continue;
    }
    accepted.push_back(std::move(e).value());
  }
  const size_t offered = accepted.size();
  std::set<std::string> types;  // of the events added: the tags that read them are re-evaluated
  out.added = profile_.AddEvents(std::move(accepted), &types);
  out.duplicates = offered - out.added;
  if (out.added > 0) {
    if (options_.compaction.NeedsCompaction(profile_, now)) {
      // Bounded memory for long sessions: fold the oldest events into day
      // rollups. Any tag may read them: re-evaluate all.
      profile_.Compact(now, options_.compaction.Target());
      out.compacted = true;
      out.changes = Reevaluate(now);
    } else {
      out.changes = ReevaluateTypes(now, std::vector<std::string>(types.begin(), types.end()));
    }
  }
  return out;
}

TagsAt VisitorSession::Tags(int64_t now) {
  TagsAt out;
  out.changes = EvaluateAt(now);
  if (catalog_) {
    out.catalog = catalog_.get();
    out.evaluation = &eval_;
  }
  out.server = &server_;
  out.revision = kRevisions ? revision_ : 0;
  return out;
}

Result<json> VisitorSession::Explain(std::string_view id, int64_t now) {
  if (!catalog_) {
    return Error{ErrorCode::kUnknownTag, "",
                 "there is no tag with id \"" + std::string(id) + "\" (no catalog is loaded)"};
  }
  return engine_->Explain(profile_, server_, now, id);
}

UserView VisitorSession::View(int64_t now, TagChanges* changes) {
  *changes = EvaluateAt(now);
  UserView u;
  u.profile = &profile_;
  u.catalog = catalog_.get();
  u.evaluation = catalog_ ? &eval_ : nullptr;
  u.purposes = &options_.purposes;
  u.personal = options_.purposes.count("personalization") > 0;
  u.now = now;
  u.budget = EvalBudget{engine_options_.max_pass_steps, engine_options_.max_pass_bytes};
  if (catalog_) {
    const auto& defs = catalog_->tags();
    for (size_t i = 0; i < defs.size() && i < eval_.decisions.size(); ++i) {
      if (eval_.decisions[i].holds) u.held_tags.push_back(defs[i].id);
    }
  }
  return u;
}

void VisitorSession::SetBudget(int64_t steps, int64_t bytes) {
  engine_options_.max_pass_steps = steps > 0 ? steps : kDefaultCallSteps;
  engine_options_.max_pass_bytes = bytes > 0 ? bytes : kDefaultCallBytes;
  if (catalog_) engine_.emplace(catalog_, engine_options_);
  // The held tags stay as they are until the next evaluation recomputes them.
}

// ---------------------------------------------------------------- private

void VisitorSession::RebuildScope() { scope_.emplace(catalog_.get(), declared_, default_purposes_); }

PruneReport VisitorSession::PruneProfileForConsent() {
  if (!catalog_) return {};
  return PruneForConsent(*scope_, options_.purposes, &profile_);
}

// Switches the engine to `purposes`. When a purpose was switched off, the
// data kept only for it is deleted. Widening deletes nothing: the kept data
// was recorded under the narrower consent already.
PruneReport VisitorSession::ApplyPurposes(PurposeSet purposes) {
  purposes.insert(std::string(kNecessaryPurpose));
  const bool narrowed = !std::includes(purposes.begin(), purposes.end(), options_.purposes.begin(),
                                       options_.purposes.end());
  options_.purposes = std::move(purposes);
  engine_options_.purposes = options_.purposes;
  if (catalog_) engine_.emplace(catalog_, engine_options_);
  PruneReport pruned;
  if (narrowed) {
    pruned = PruneForConsent(*scope_, options_.purposes, &profile_);
    activity_->PruneForPurposes(options_.purposes);
  }
  server_ = ServerTagsOf(profile_);
  return pruned;
}

// Evaluates every tag at `now` into eval_; returns the changes against
// `previous` (an evaluation of `previous_catalog`, or nothing).
TagChanges VisitorSession::EvaluateFully(const Catalog* previous_catalog, const Evaluation& previous, int64_t now) {
  eval_ = engine_->EvaluateAll(profile_, server_, now);
  exact_ = true;
  if (kRevisions && (previous_catalog != catalog_.get() || !SameDecisions(previous, eval_))) ++revision_;
  return DiffById(previous_catalog, previous, *catalog_, eval_);
}

TagChanges VisitorSession::EvaluateAt(int64_t now) {
  if (!catalog_ || (exact_ && eval_.now == now)) return {};
  Evaluation previous = std::move(eval_);
  return EvaluateFully(catalog_.get(), previous, now);
}

// After a change of state (profile, consent, server tags, compaction): the
// answer may differ even where the decisions do not (a server tag's expiry).
TagChanges VisitorSession::Reevaluate(int64_t now) {
  if (!catalog_) return {};
  if (kRevisions) ++revision_;
  Evaluation previous = std::move(eval_);
  return EvaluateFully(catalog_.get(), previous, now);
}

TagChanges VisitorSession::ReevaluateTypes(int64_t now, const std::vector<std::string>& types) {
  if (!catalog_) return {};
  if (eval_.decisions.size() != catalog_->tags().size()) return Reevaluate(now);
  const bool same_time = exact_ && eval_.now == now;
#ifndef TAGWISE_SMALL_CORE
  const Evaluation previous = eval_;
#else
  const Evaluation& previous = eval_;  // unread: the browser's modules keep no revision
#endif
  TagChanges c = engine_->Reevaluate(profile_, server_, now, types, &eval_);
  exact_ = same_time;
  if (kRevisions && !SameDecisions(previous, eval_)) ++revision_;
  return c;
}

}  // namespace tagwise
