// embind layer for the tag catalog runtime: marshal in, call core, marshal out.
//
// Contract with js/catalog.js (its only caller):
//  - Input crosses as UTF-8 JSON text the JS side wrote into its _malloc'd
//    scratch buffer, passed as (ptr, len); nothing here keeps those pointers.
//  - Output crosses as ONE JSON text per call (a std::string, parsed once by
//    JSON.parse). Non-finite numbers become null (JSON has no NaN).
//  - Errors cross as values, never as exceptions: every entry point catches
//    everything (including std::bad_alloc) and returns {"ok": false, "errors"}.
//    Problems are {"code", "path", "message", "severity"} with the core's
//    ErrorCodeName codes and JSON Pointer paths into what the caller passed.
//  - One class handle, Session: the loaded catalog (shared, immutable), the
//    Engine (catalog + consent purposes), one user's Profile with its server
//    tags, and the last Evaluation. `track` re-evaluates only the tags the new
//    events' types can affect (Engine::Reevaluate); `tags` at an unchanged time
//    and state reuses the last Evaluation.
//
// Exactness of the cached Evaluation: `exact_` is true when every decision in
// `eval_` was computed at `eval_.now` against the current state. An
// incremental re-evaluation at another time leaves the tags it did not touch
// as of the earlier time, so it clears `exact_`; the next `tags` call then
// evaluates everything at its time and reports what changed as time passed.
#include <emscripten/bind.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/catalog.h"
#include "tagwise/consent.h"
#include "tagwise/engine.h"
#include "tagwise/error.h"
#include "tagwise/limits.h"
#include "tagwise/lint.h"
#include "tagwise/profile.h"
#include "tagwise/store.h"
#include "activity_session.h"
#include "json_text.h"
#include "recommend_bindings.h"
#include "results.h"

namespace tagwise::wasm {
namespace {

using nlohmann::json;
// JS times arrive as doubles; Date's range is ±8.64e15 ms, so clamping keeps
// the cast defined for any input (the JS side has already refused NaN).
int64_t ToMs(double now) { return static_cast<int64_t>(std::trunc(std::fmax(-9e15, std::fmin(9e15, now)))); }

// ---------------------------------------------------------------- JSON text out

ojson ChangesJson(const TagChanges& c) {
  return {{"entered", c.entered}, {"left", c.left}, {"changed", c.changed}};
}

// Paths of a one-element batch the caller passed on its own: "/0/ts" -> "/ts".
std::string Unbatched(const std::string& path, bool single) {
  if (!single) return path;
  if (path == "/0") return "";
  if (path.rfind("/0/", 0) == 0) return path.substr(2);
  return path;
}

// When a server tag expires: the snapshot's "expires_at", else as_of + ttl.
// Mirrors Engine::RunSteps, for display only.
std::optional<int64_t> ServerExpiry(const TagDef& t, const ServerTags& server) {
  auto it = server.tags.find(t.id);
  if (it == server.tags.end()) return std::nullopt;
  if (it->is_object()) {
    auto e = it->find("expires_at");
    if (e != it->end() && e->is_number()) return e->get<int64_t>();
  }
  if (t.ttl_ms && server.as_of != Profile::kNone) return server.as_of + *t.ttl_ms;
  return std::nullopt;
}

// One tag decision for tags()/tagDecisions() (camelCase: read by JS as is).
ojson DecisionJson(const TagDef& t, const TagDecision& d, const ServerTags& server, bool all) {
  ojson o = {{"id", t.id}, {"name", t.name}, {"dimension", t.dimension}, {"purpose", t.purpose}};
  if (all) o["holds"] = d.holds;
  o["value"] = d.holds ? ojson(d.value) : ojson(nullptr);
  o["source"] = DecisionSourceName(d.source);
  if (!d.suppressed_by.empty()) o["suppressedBy"] = d.suppressed_by;
  if (!d.error.empty()) o["error"] = d.error;
  if (t.server) {
    if (std::optional<int64_t> at = ServerExpiry(t, server)) o["expiresAt"] = *at;
  }
  return o;
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

constexpr std::string_view kPurposes[] = {"necessary", "security", "personalization", "marketing", "analytics"};

// Reads a JSON array of consent purposes (exactly the names listed); errors
// name the offending entry.
Result<std::set<std::string>> ReadPurposeList(const json& list) {
  if (!list.is_array()) {
    return Error{ErrorCode::kWrongArgumentType, "", "Consent purposes are a list such as [\"personalization\"]."};
  }
  std::set<std::string> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const json& p = list[i];
    const bool known = p.is_string() && std::find(std::begin(kPurposes), std::end(kPurposes),
                                                  p.get_ref<const std::string&>()) != std::end(kPurposes);
    if (!known) {
      return Error{ErrorCode::kWrongArgumentType, "/" + std::to_string(i),
                   p.dump(-1, ' ', false, json::error_handler_t::replace) +
                       " is not a consent purpose; use necessary, security, personalization, marketing or analytics."};
    }
    out.insert(p.get<std::string>());
  }
  return out;
}

// Reads the JSON text of the purposes switched on; "necessary" is always on.
Result<std::set<std::string>> ParsePurposes(std::string_view text) {
  Result<json> parsed = ParseJson(text, "purpose list");
  if (!parsed.ok()) return parsed.error();
  Result<std::set<std::string>> out = ReadPurposeList(parsed.value());
  if (out.ok()) out.value().insert("necessary");
  return out;
}

// Warnings for server tag entries the engine would read loosely (an entry
// that is not {"value", "expires_at"}). Profile::FromJson keeps server tags as
// opaque JSON, so the shape is checked here, where setProfile reports warnings.
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

ServerTags ServerTagsOf(const Profile& p) {
  ServerTags s;
  s.as_of = p.as_of();
  s.tags = p.server_tags();
  return s;
}

// Most warnings reported per profile of a tagProfiles batch: a batch job
// wants to know a profile had problems, not 500,000 copies of one warning.
constexpr size_t kMaxBatchWarnings = 20;
// How far past RetentionPolicy::max_age_ms the oldest kept event may be before
// a track() compacts: a day.
constexpr int64_t kCompactSlackMs = 86'400'000;

// A content fingerprint of a catalog (FNV-1a 64 over its canonical JSON):
// equal for the same catalog however it was formatted, so the SSR hand-off can
// tell that server and browser loaded the same one.
std::string Fingerprint(const json& catalog) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : catalog.dump(-1, ' ', false, json::error_handler_t::replace)) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<size_t>(i)] = kHex[h & 0xf];
  return out;
}

ojson PurposesJson(const std::set<std::string>& purposes) {
  ojson out = ojson::array();
  for (std::string_view p : kPurposes) {
    if (purposes.count(std::string(p)) > 0) out.push_back(p);
  }
  return out;
}

ojson PruneJson(const PruneReport& r) {
  return {{"events", r.events_removed}, {"rollups", r.rollups_removed}, {"serverTags", r.server_tags_removed}};
}

// The purposes an event type is declared for (paths "/<type>/<index>"). No
// "necessary" is added: a type declared for e.g. marketing only must not
// become always recorded.
Result<PurposeSet> ReadTypePurposes(const std::string& type, const json& list) {
  Result<std::set<std::string>> p = ReadPurposeList(list);
  if (!p.ok()) {
    Error e = p.error();
    e.path = JoinPointer("", type) + e.path;
    return e;
  }
  if (p.value().empty()) {
    return Error{ErrorCode::kWrongArgumentType, JoinPointer("", type), "An event type needs at least one purpose."};
  }
  return p;
}

// The declared purposes of event types: {"view": ["personalization"], ...}.
Result<std::map<std::string, PurposeSet, std::less<>>> ParseEventPurposes(const json& j) {
  std::map<std::string, PurposeSet, std::less<>> out;
  if (!j.is_object()) return Error{ErrorCode::kWrongArgumentType, "", "eventPurposes maps event types to purpose lists."};
  for (const auto& [type, list] : j.items()) {
    Result<PurposeSet> p = ReadTypePurposes(type, list);
    if (!p.ok()) return p.error();
    out[type] = std::move(p).value();
  }
  return out;
}

// ---------------------------------------------------------------- Session

// One user's tagging runtime, owned by one js/catalog.js CatalogRuntime (freed
// by a FinalizationRegistry when the Tagwise instance is collected). Not
// thread-safe (nothing in wasm is).
class Session {
 public:
  explicit Session(std::string purposes_text) {
    if (!purposes_text.empty()) {
      Result<std::set<std::string>> p = ParsePurposes(purposes_text);
      if (p.ok()) options_.purposes = std::move(p).value();
    }
    RebuildScope();
  }

  // {"ok", "errors", "warnings", "changes"?}. On failure nothing changes.
  std::string LoadCatalog(uintptr_t ptr, size_t len, double now) {
    return Guard([&] {
      if (auto e = CheckInputBytes(len, CatalogOptions{}.max_bytes, "catalog")) return FailureText({*e});
      Result<json> parsed = ParseJson(View(ptr, len), "catalog");
      if (!parsed.ok()) return FailureText({parsed.error()});
      CatalogLoadResult loaded = Catalog::Load(parsed.value());
      if (!loaded.ok()) return FailureText(loaded.errors, loaded.warnings);
      std::shared_ptr<const Catalog> old = std::move(catalog_);
      catalog_ = std::move(loaded.catalog);
      fingerprint_ = Fingerprint(parsed.value());
      engine_.emplace(catalog_, options_);
      RebuildScope();
      Evaluation previous = std::move(eval_);
      const TagChanges c = EvaluateFully(old.get(), previous, ToMs(now));
      return Dump({{"ok", true},
                   {"errors", ojson::array()},
                   {"warnings", ProblemsJson(loaded.warnings)},
                   {"fingerprint", fingerprint_},
                   {"changes", ChangesJson(c)}});
    });
  }

  // Switches consent purposes: tags of purposes now off are dropped, and the
  // events, rollups and server tags kept only for them are deleted (DESIGN.md
  // section 6). `record` (a visitor's choice, made at `updated_at`) is
  // persisted with the store; otherwise the purposes are the configured
  // default and the store keeps saying "not decided".
  // {"ok", "errors"?, "changes"?, "pruned"?}. `text` is a JSON array of purposes.
  std::string SetPurposes(uintptr_t ptr, size_t len, double now, bool record, double updated_at) {
    return Guard([&] {
      Result<std::set<std::string>> p = ParsePurposes(View(ptr, len));
      if (!p.ok()) return FailureText({p.error()});
      if (record) consent_ = StoredConsent{p.value(), ToMs(updated_at)};
      PruneReport pruned = ApplyPurposes(std::move(p).value());
      TagChanges c = Reevaluate(ToMs(now));
      return Dump({{"ok", true}, {"changes", ChangesJson(c)}, {"pruned", PruneJson(pruned)}});
    });
  }

  // Declares which purposes need event types no tag reads (the scorer's
  // "view" etc.) and the purposes of types nothing names. `ptr/len`: JSON
  // {"declared": {type: [purposes]}, "default": [purposes]}. {"ok", "errors"?}.
  std::string SetEventPurposes(uintptr_t ptr, size_t len) {
    return Guard([&] {
      Result<json> parsed = ParseJson(View(ptr, len), "eventPurposes");
      if (!parsed.ok()) return FailureText({parsed.error()});
      const json& j = parsed.value();
      if (auto d = j.find("declared"); d != j.end()) {
        auto declared = ParseEventPurposes(*d);
        if (!declared.ok()) return FailureText({declared.error()});
        declared_ = std::move(declared).value();
      }
      if (auto d = j.find("default"); d != j.end()) {
        // JS passes the "*" entry of options.eventPurposes here.
        Result<PurposeSet> fallback = ReadTypePurposes("*", *d);
        if (!fallback.ok()) return FailureText({fallback.error()});
        default_purposes_ = std::move(fallback).value();
      }
      RebuildScope();
      return Dump({{"ok", true}});
    });
  }

  // Replaces the profile with a profile/snapshot (mode 0), merges a server
  // snapshot into it without double counting (mode 1, Profile::MergeSnapshot),
  // or merges another copy of this user's profile by event id (mode 2,
  // Profile::MergeLocal: another device, an SSR state). What consent does not
  // allow keeping is pruned. {"ok", "errors", "warnings", "changes"?,
  // "pruned"?}. On failure nothing changes.
  std::string SetProfile(uintptr_t ptr, size_t len, int mode, double now) {
    return Guard([&] {
      if (auto e = CheckInputBytes(len, ProfileLimits{}.max_bytes, "profile")) return FailureText({*e});
      Result<json> parsed = ParseFast(View(ptr, len), "profile");
      if (!parsed.ok()) return FailureText({parsed.error()});
      std::vector<Error> warnings;
      if (mode == 1) {
        Profile next = profile_;
        Result<MergeReport> r = next.MergeSnapshot(parsed.value(), &warnings);
        if (!r.ok()) return FailureText({r.error()}, warnings);
        profile_ = std::move(next);
      } else if (mode == 2) {
        Result<Profile> p = Profile::FromJson(parsed.value(), &warnings);
        if (!p.ok()) return FailureText({p.error()}, warnings);
        if (!profile_.user_id().empty() && !p.value().user_id().empty() &&
            p.value().user_id() != profile_.user_id()) {
          return FailureText({Error{ErrorCode::kWrongArgumentType, "/user_id",
                                    "this profile belongs to user \"" + p.value().user_id() +
                                        "\", not to the current user \"" + profile_.user_id() +
                                        "\"; replace the profile instead of merging it"}},
                             warnings);
        }
        if (profile_.user_id().empty()) profile_.set_user_id(p.value().user_id());
        profile_.MergeLocal(p.value());
        // As with snapshots, the incoming copy's attributes win key by key:
        // it comes from the server (SSR) or another device, where attributes
        // are set; this copy may be older.
        if (p.value().attributes().is_object() && profile_.attributes().is_object()) {
          json attributes = profile_.attributes();
          for (const auto& [key, value] : p.value().attributes().items()) attributes[key] = value;
          profile_.set_attributes(std::move(attributes));
        }
      } else {
        Result<Profile> p = Profile::FromJson(parsed.value(), &warnings);
        if (!p.ok()) return FailureText({p.error()}, warnings);
        profile_ = std::move(p).value();
      }
      if (auto t = parsed.value().find("tags"); t != parsed.value().end()) CheckServerTags(*t, &warnings);
      // Data from a snapshot is recorded only as far as consent allows; what
      // each purpose needs is known once a catalog is loaded.
      PruneReport pruned;
      if (catalog_) pruned = PruneForConsent(*scope_, options_.purposes, &profile_);
      server_ = ServerTagsOf(profile_);
      TagChanges c = Reevaluate(ToMs(now));
      return Dump({{"ok", true},
                   {"errors", ojson::array()},
                   {"warnings", ProblemsJson(warnings)},
                   {"pruned", PruneJson(pruned)},
                   {"changes", ChangesJson(c)}});
    });
  }

  // Adds events (a JSON array; `single`: the caller passed one event, so
  // paths drop the "/0"). An event without "ts" happens at `now`; one without
  // "id" gets the core's content-derived id. Unusable events are errors (the
  // others are still added). {"ok", "added", "duplicates", "errors",
  // "warnings", "changes"}.
  std::string Track(uintptr_t ptr, size_t len, bool single, double now_ms) {
    return Guard([&] {
      if (auto e = CheckInputBytes(len, ProfileLimits{}.max_bytes, single ? "event" : "event list")) {
        return FailureText({*e});
      }
      Result<json> parsed = ParseFast(View(ptr, len), single ? "event" : "event list", 1);
      if (!parsed.ok()) return FailureText({parsed.error()});
      json& list = parsed.value();
      if (!list.is_array()) {
        return FailureText(ErrorCode::kWrongArgumentType, "", "Events are a list of event objects.");
      }
      const int64_t now = ToMs(now_ms);
      std::vector<Error> errors;
      std::vector<Error> warnings;
      std::set<std::string> types;
      size_t added = 0;
      size_t duplicates = 0;
      size_t withheld = 0;
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
        const size_t before = warnings.size();
        Result<Event> e = ParseEvent(ej, path, &warnings);
        if (derived_id && e.ok()) {
          // A missing id is documented behaviour for track(), not a data problem.
          const std::string id_path = path + "/id";
          warnings.erase(std::remove_if(warnings.begin() + static_cast<std::ptrdiff_t>(before), warnings.end(),
                                        [&](const Error& w) { return w.path == id_path; }),
                         warnings.end());
        }
        if (!e.ok()) {
          errors.push_back(e.error());
          continue;
        }
        std::string type = e.value().type;
        if (!scope_->Records(type, options_.purposes)) {
          // No purpose the visitor granted needs this type: not recorded.
          ++withheld;
          continue;
        }
        if (profile_.AddEvent(std::move(e).value())) {
          ++added;
          types.insert(std::move(type));
        } else {
          ++duplicates;
        }
      }
      TagChanges c;
      if (added > 0) {
        const RetentionPolicy retention;
        const std::vector<Event>& kept = profile_.events();  // oldest first
        const bool over_count = kept.size() > retention.max_events;
        // A day of slack past the age limit, so events ageing out one by one
        // do not compact on every call (windows stay exact either way).
        const bool over_age = !kept.empty() && kept.front().ts < now - retention.max_age_ms - kCompactSlackMs;
        if (over_count || over_age) {
          // Bounded memory for long sessions: fold the oldest events into day
          // rollups (DESIGN.md section 3). Any tag may read them: re-evaluate all.
          // Down to 90% of the cap: a session tracking one event at a time past
          // the cap would otherwise fold and reindex 5,000 events per event
          // (1-2 ms each, found by tests/js/soak.test.mjs).
          RetentionPolicy target = retention;
          target.max_events -= retention.max_events / 10;
          profile_.Compact(now, target);
          c = Reevaluate(now);
        } else {
          c = ReevaluateTypes(now, std::vector<std::string>(types.begin(), types.end()));
        }
      }
      return Dump({{"ok", errors.empty()},
                   {"added", added},
                   {"duplicates", duplicates},
                   {"withheld", withheld},
                   {"errors", ProblemsJson(errors)},
                   {"warnings", ProblemsJson(warnings)},
                   {"changes", ChangesJson(c)}});
    });
  }

  // {"changes", "tags": [...]}: held tags (or, with `all`, every tag's
  // decision) in catalog order, evaluated at `now` (reused when unchanged).
  std::string Tags(double now_ms, bool all) {
    return Guard([&] {
      const TagChanges c = EvaluateAt(ToMs(now_ms));
      ojson tags = ojson::array();
      if (catalog_) {
        const auto& defs = catalog_->tags();
        for (size_t i = 0; i < defs.size() && i < eval_.decisions.size(); ++i) {
          const TagDecision& d = eval_.decisions[i];
          if (all || d.holds) tags.push_back(DecisionJson(defs[i], d, server_, all));
        }
      }
      return Dump({{"ok", true}, {"changes", ChangesJson(c)}, {"tags", std::move(tags)}});
    });
  }

  // {"ok": true, "value": Engine::Explain JSON} or {"ok": false, "errors"}.
  std::string Explain(const std::string& id, double now) {
    return Guard([&] {
      if (!catalog_) {
        return FailureText(ErrorCode::kUnknownTag, "", "there is no tag with id \"" + id + "\" (no catalog is loaded)");
      }
      Result<json> r = engine_->Explain(profile_, server_, ToMs(now), id);
      if (!r.ok()) return FailureText({r.error()});
      return Dump({{"ok", true}, {"value", ojson(r.value())}});
    });
  }

  // The profile as the core holds it (Profile::ToJson: events, rollups, as_of, server tags).
  std::string ProfileJson() const {
    try {
      return Dump(ojson(profile_.ToJson()));
    } catch (...) {
      return "null";
    }
  }

  // ---- persistence (js/runtime.js): the store text of tagwise/store.h

  // Merges a store read from storage (another tab's or an earlier page's
  // writes) into this session: same generation -> union of events; a newer
  // generation (forget, user switch elsewhere) replaces this state. Consent
  // stored by the visitor wins over the configured default. Never fails on
  // damaged text: what was lost is listed in "problems".
  // {"ok", "problems", "truncated", "headerLost", "eventsKept", "eventsDropped",
  //  "outcome", "eventsAdded", "consent", "pruned", "changes"}.
  std::string MergeStore(uintptr_t ptr, size_t len, double now) {
    return Guard([&] {
      DecodedStore decoded = DecodeStore(View(ptr, len));
      StoreState mine;
      mine.profile = std::move(profile_);
      mine.consent = consent_;
      mine.generation = generation_;
      mine.generation_at = generation_at_;
      mine.ledger = std::move(activity_.ledger());
      const StoreMergeReport r = MergeStores(decoded.state, &mine);
      profile_ = std::move(mine.profile);
      activity_.ledger() = std::move(mine.ledger);
      generation_ = std::move(mine.generation);
      generation_at_ = mine.generation_at;
      PruneReport pruned;
      if (mine.consent && (!consent_ || mine.consent->purposes != consent_->purposes ||
                           mine.consent->updated_at != consent_->updated_at)) {
        consent_ = mine.consent;
        pruned = ApplyPurposes(consent_->purposes);
      } else if (r.outcome == StoreMergeReport::Outcome::kStoredWon && !mine.consent && consent_) {
        // The stored generation (a forget() elsewhere) has no choice: back to the default.
        consent_.reset();
      }
      // Another tab's copy may still hold data of a purpose withdrawn here
      // (it had not heard yet); what each purpose needs is known from the catalog.
      if (catalog_) {
        const PruneReport more = PruneForConsent(*scope_, options_.purposes, &profile_);
        pruned.events_removed += more.events_removed;
        pruned.rollups_removed += more.rollups_removed;
        pruned.server_tags_removed += more.server_tags_removed;
      }
      // Likewise for offer and experiment activity of purposes now off.
      activity_.PruneForPurposes(options_.purposes);
      server_ = ServerTagsOf(profile_);
      TagChanges c = Reevaluate(ToMs(now));
      const char* outcome = r.outcome == StoreMergeReport::Outcome::kSame        ? "same"
                            : r.outcome == StoreMergeReport::Outcome::kStoredWon ? "stored"
                                                                                 : "ours";
      return Dump({{"ok", true},
                   {"problems", ProblemsJson(decoded.problems)},
                   {"truncated", decoded.truncated},
                   {"headerLost", decoded.header_lost},
                   {"eventsKept", decoded.events_kept},
                   {"eventsDropped", decoded.events_dropped},
                   {"outcome", outcome},
                   {"eventsAdded", r.events_added},
                   {"consent", ConsentJson()},
                   {"pruned", PruneJson(pruned)},
                   {"changes", ChangesJson(c)}});
    });
  }

  // The store text of this session's state (tagwise/store.h), "" on failure.
  std::string EncodeStoreText(double now) {
    try {
      StoreState state;
      state.profile = std::move(profile_);
      state.consent = consent_;
      state.generation = generation_;
      state.generation_at = generation_at_;
      state.saved_at = ToMs(now);
      activity_.ledger().Compact(ToMs(now));  // bounded: old activity folds into totals
      state.ledger = std::move(activity_.ledger());
      std::string text;
      try {
        text = EncodeStore(state);
      } catch (...) {
        text.clear();
      }
      profile_ = std::move(state.profile);
      activity_.ledger() = std::move(state.ledger);
      return text;
    } catch (...) {
      return "";
    }
  }

  // Makes the stored state smaller when storage is full: first folds the
  // older half of the kept events into day rollups (windowed counts stay
  // right), then, with few events left, drops the older half of the rollups
  // (the oldest history is lost; the caller reports it).
  // {"ok", "step": "compacted" | "dropped" | "none", "events", "rollups", "changes"}.
  std::string Shrink(double now_ms) {
    return Guard([&] {
      const int64_t now = ToMs(now_ms);
      const size_t events = profile_.events().size();
      const size_t rollups = profile_.rollups().size();
      std::string step = "none";
      if (events > 16) {
        RetentionPolicy policy;
        policy.max_events = events / 2;
        profile_.Compact(now, policy);
        step = "compacted";
      } else if (rollups > 0) {
        json j = profile_.ToJson();
        json& list = j["rollups"];
        list.erase(list.begin(), list.begin() + static_cast<std::ptrdiff_t>((rollups + 1) / 2));
        Result<Profile> p = Profile::FromJson(j);
        if (p.ok()) {
          profile_ = std::move(p).value();
          step = "dropped";
        }
      } else if (events > 0) {
        RetentionPolicy policy;
        policy.max_events = 0;
        profile_.Compact(now, policy);
        step = "compacted";
      }
      TagChanges c = step == "none" ? TagChanges{} : Reevaluate(now);
      return Dump({{"ok", true},
                   {"step", step},
                   {"events", events - profile_.events().size()},
                   {"rollups", rollups},
                   {"changes", ChangesJson(c)}});
    });
  }

  // Erases the user's data and consent choice in memory and starts a new
  // generation (so other tabs' older copies are not merged back).
  // {"ok", "changes"}.
  std::string Forget(const std::string& generation, double at, double now) {
    return Guard([&] {
      profile_ = Profile();
      activity_.ledger() = Ledger();
      consent_.reset();
      server_ = ServerTags();
      generation_ = generation;
      generation_at_ = ToMs(at);
      TagChanges c = Reevaluate(ToMs(now));
      return Dump({{"ok", true}, {"changes", ChangesJson(c)}});
    });
  }

  // Starts a new generation (the profile was replaced, e.g. another user).
  void SetGeneration(const std::string& generation, double at) {
    generation_ = generation;
    generation_at_ = ToMs(at);
  }

  // {"generation", "generationAt", "consent": {"purposes", "updatedAt"} | null}.
  std::string StoreInfo() const {
    try {
      return Dump({{"generation", generation_}, {"generationAt", generation_at_}, {"consent", ConsentJson()}});
    } catch (...) {
      return "null";
    }
  }

  std::string CatalogFingerprint() const { return fingerprint_; }

  // ---- recommendations (tw.loadHints / tw.recommend; recommend_bindings.cpp)

  std::string LoadHints(uintptr_t ptr, size_t len, const std::string& expected_catalog_version) {
    return hints_.Load(View(ptr, len), expected_catalog_version);
  }

  std::string HintsInfo() const { return hints_.Info(); }

  // Reads the profile, the tags held at `now` and the consent state.
  std::string Recommend(uintptr_t ptr, size_t len, double now_ms) {
    return Guard([&] {
      const int64_t now = ToMs(now_ms);
      VisitorView visitor;
      visitor.profile = &profile_;
      visitor.now = now;
      visitor.personal = options_.purposes.count("personalization") > 0;
      // Tags that change because time moved on are reported like tags() does,
      // so onTagsChanged listeners see them whichever call noticed first.
      const TagChanges c = EvaluateAt(now);
      if (catalog_) {
        const auto& defs = catalog_->tags();
        for (size_t i = 0; i < defs.size() && i < eval_.decisions.size(); ++i)
          if (eval_.decisions[i].holds) visitor.held_tags.push_back(defs[i].id);
      }
      return hints_.Recommend(View(ptr, len), visitor, ChangesJson(c));
    });
  }

  // ---- experiments and offers (tw.experiments.run/convert, tw.offers; activity_session.h)
  // Each answer also carries "changes" (tag changes found evaluating at
  // `now`, for the listeners) and "changed" (the activity changed: persist it).

  std::string RunExperiment(uintptr_t ptr, size_t len, double now_ms) {
    return WithUser(now_ms, [&](const UserView& u, bool* changed) { return activity_.RunExperiment(View(ptr, len), u, changed); });
  }

  std::string Convert(uintptr_t ptr, size_t len, double now_ms) {
    return WithUser(now_ms, [&](const UserView& u, bool* changed) { return activity_.Convert(View(ptr, len), u, changed); });
  }

  std::string LoadOffers(uintptr_t ptr, size_t len) {
    return Guard([&] { return activity_.LoadOffers(View(ptr, len), catalog_.get()); });
  }

  std::string EligibleOffers(uintptr_t ptr, size_t len, double now_ms) {
    return WithUser(now_ms, [&](const UserView& u, bool*) { return activity_.EligibleOffers(View(ptr, len), u); });
  }

  std::string RecordOffer(uintptr_t ptr, size_t len, double now_ms) {
    return WithUser(now_ms, [&](const UserView& u, bool* changed) { return activity_.RecordOffer(View(ptr, len), u, changed); });
  }

  // {"assignments", "conversions", "offers", "olderTotals"} (exportData, experiments.exposures()).
  std::string ActivityJson() const {
    try {
      return Dump(ojson(activity_.ExportJson()));
    } catch (...) {
      return "null";
    }
  }

  // Tags many profiles with the loaded catalog, one profile at a time.
  // `profiles`: a JSON array of profiles/snapshots; `purposes`: a JSON array
  // (len 0: the session's purposes). Returns {"ok": true, "results": [{"user_id",
  // "tags": {id: value-or-true}, "errors"?, "warnings"?}]} or {"ok": false, "errors"}.
  std::string TagProfiles(uintptr_t ptr, size_t len, double now_ms, uintptr_t purposes_ptr, size_t purposes_len) {
    return Guard([&] {
      std::optional<Engine> custom;
      if (purposes_len > 0) {
        Result<std::set<std::string>> p = ParsePurposes(View(purposes_ptr, purposes_len));
        if (!p.ok()) {
          Error e = p.error();
          e.path = "/purposes" + e.path;
          return FailureText({e});
        }
        if (catalog_) {
          EngineOptions options = options_;
          options.purposes = std::move(p).value();
          custom.emplace(catalog_, std::move(options));
        }
      }
      const Engine* engine = custom ? &*custom : (engine_ ? &*engine_ : nullptr);
      const int64_t now = ToMs(now_ms);
      const std::string_view text = View(ptr, len);
      std::string out = "{\"ok\":true,\"results\":[";
      size_t count = 0;
      auto tag_one = [&](const json& profile_json) {
        if (count++ > 0) out.push_back(',');
        TagOne(profile_json, engine, now, &out);
      };
      // Stream: parse one profile, tag it, reuse its storage for the next.
      const FastParser::Status st = ForEachArrayElement(text, tag_one);
      if (st == FastParser::Status::kTooDeep) {
        return FailureText(ErrorCode::kTooDeep, "/" + std::to_string(count),
                           "The profile nests arrays or objects more than " + std::to_string(kMaxNesting) +
                               " levels deep.");
      }
      if (st != FastParser::Status::kOk) {
        // Not JSON the fast parser reads: nlohmann names the byte, or reads it.
        Result<json> parsed = ParseJson(text, "profile list", 1);
        if (!parsed.ok()) return FailureText({parsed.error()});
        if (!parsed.value().is_array()) return FailureText(ErrorCode::kWrongArgumentType, "", "Profiles are a list.");
        out.resize(out.find('[') + 1);
        count = 0;
        for (const json& p : parsed.value()) tag_one(p);
      }
      out += "]}";
      return out;
    });
  }

 private:
  // Appends {"user_id", "tags", "errors"?, "warnings"?, "warningCount"?} for one profile.
  void TagOne(const json& profile_json, const Engine* engine, int64_t now, std::string* out) {
    batch_warnings_.clear();
    Result<Profile> p = Profile::FromJson(profile_json, &batch_warnings_);
    ojson entry = ojson::object();
    ojson tags = ojson::object();
    if (p.ok()) {
      const Profile& profile = p.value();
      entry["user_id"] = profile.user_id().empty() ? ojson(nullptr) : ojson(profile.user_id());
      if (engine != nullptr) {
        const Evaluation ev = engine->EvaluateAll(profile, ServerTagsOf(profile), now);
        const auto& defs = catalog_->tags();
        for (size_t t = 0; t < defs.size(); ++t) {
          const TagDecision& d = ev.decisions[t];
          if (d.holds) tags[defs[t].id] = d.value.is_null() ? ojson(true) : ojson(d.value);
        }
      }
    } else {
      entry["user_id"] = nullptr;
      if (profile_json.is_object()) {
        auto u = profile_json.find("user_id");
        if (u != profile_json.end() && u->is_string()) entry["user_id"] = u->get<std::string>();
        else if (u != profile_json.end() && u->is_number()) entry["user_id"] = u->dump();
      }
      entry["errors"] = ojson::array({ProblemJson(p.error())});
    }
    entry["tags"] = std::move(tags);
    if (!batch_warnings_.empty()) {
      ojson w = ojson::array();
      for (size_t k = 0; k < batch_warnings_.size() && k < kMaxBatchWarnings; ++k) {
        w.push_back(ProblemJson(batch_warnings_[k]));
      }
      entry["warnings"] = std::move(w);
      if (batch_warnings_.size() > kMaxBatchWarnings) entry["warningCount"] = batch_warnings_.size();
    }
    *out += Dump(entry);
  }

  // Evaluates the tags at `now`, runs `body` on a view of the user and adds
  // "changes" and "changed" to its JSON object.
  template <typename F>
  std::string WithUser(double now_ms, F&& body) {
    return Guard([&] {
      const int64_t now = ToMs(now_ms);
      const TagChanges c = EvaluateAt(now);
      UserView u;
      u.profile = &profile_;
      u.catalog = catalog_.get();
      u.evaluation = catalog_ ? &eval_ : nullptr;
      u.purposes = &options_.purposes;
      u.now = now;
      bool changed = false;
      std::string out = body(u, &changed);
      // `out` is a JSON object's text ("{...}"): splice the two fields in front.
      return "{\"changes\":" + Dump(ChangesJson(c)) + ",\"changed\":" + (changed ? "true" : "false") + "," +
             out.substr(1);
    });
  }

  ojson ConsentJson() const {
    if (!consent_) return nullptr;
    return {{"purposes", PurposesJson(consent_->purposes)}, {"updatedAt", consent_->updated_at}};
  }

  // Which purposes need which event types, for the loaded catalog.
  void RebuildScope() { scope_.emplace(catalog_.get(), declared_, default_purposes_); }

  // Switches the engine to `purposes`. When a purpose was switched off, the
  // data kept only for it is deleted. Widening deletes nothing: the kept data
  // was recorded under the narrower consent already.
  PruneReport ApplyPurposes(std::set<std::string> purposes) {
    purposes.insert("necessary");
    const bool narrowed = !std::includes(purposes.begin(), purposes.end(), options_.purposes.begin(),
                                         options_.purposes.end());
    options_.purposes = std::move(purposes);
    if (catalog_) engine_.emplace(catalog_, options_);
    PruneReport pruned;
    if (narrowed) {
      pruned = PruneForConsent(*scope_, options_.purposes, &profile_);
      activity_.PruneForPurposes(options_.purposes);
    }
    server_ = ServerTagsOf(profile_);
    return pruned;
  }

  // Evaluates every tag at `now` into eval_; returns the changes against
  // `previous` (an evaluation of `previous_catalog`, or nothing).
  TagChanges EvaluateFully(const Catalog* previous_catalog, const Evaluation& previous, int64_t now) {
    eval_ = engine_->EvaluateAll(profile_, server_, now);
    exact_ = true;
    return DiffById(previous_catalog, previous, *catalog_, eval_);
  }

  // The evaluation at `now`, reused when it is exact and of the same time;
  // the changes against the previous one otherwise.
  TagChanges EvaluateAt(int64_t now) {
    if (!catalog_ || (exact_ && eval_.now == now)) return {};
    Evaluation previous = std::move(eval_);
    return EvaluateFully(catalog_.get(), previous, now);
  }

  // After a change any tag may depend on (profile, server tags).
  TagChanges Reevaluate(int64_t now) {
    if (!catalog_) return {};
    Evaluation previous = std::move(eval_);
    return EvaluateFully(catalog_.get(), previous, now);
  }

  // After new events of `types`: only the tags those types can affect.
  TagChanges ReevaluateTypes(int64_t now, const std::vector<std::string>& types) {
    if (!catalog_) return {};
    if (eval_.decisions.size() != catalog_->tags().size()) return Reevaluate(now);
    const bool same_time = exact_ && eval_.now == now;
    TagChanges c = engine_->Reevaluate(profile_, server_, now, types, &eval_);
    exact_ = same_time;
    return c;
  }

  EngineOptions options_;
  std::shared_ptr<const Catalog> catalog_;
  std::string fingerprint_;  // of catalog_
  std::map<std::string, PurposeSet, std::less<>> declared_;
  PurposeSet default_purposes_ = {"personalization"};
  std::optional<ConsentScope> scope_;  // of catalog_, declared_, default_purposes_
  std::optional<StoredConsent> consent_;  // the visitor's recorded choice
  std::string generation_;
  int64_t generation_at_ = 0;
  std::optional<Engine> engine_;  // set whenever catalog_ is
  Profile profile_;
  ServerTags server_;
  Evaluation eval_;     // of catalog_; empty before the first evaluation
  std::vector<Error> batch_warnings_;  // TagProfiles' per-profile scratch
  bool exact_ = false;  // see the file comment
  HintsSession hints_;
  ActivitySession activity_;
};

// ---------------------------------------------------------------- lint

ojson FindingJson(const LintFinding& f) {
  return {{"severity", SeverityName(f.severity)},
          {"code", f.code},
          {"tagId", f.tag_id},
          {"path", f.path},
          {"message", f.message}};
}

// The catalog hygiene report. `sample` (has_sample) is a JSON array of
// profiles/snapshots evaluated at `now`; unusable ones are skipped and listed
// in "warnings" (paths into the sample). Options <= 0 keep the core defaults.
// {"ok": true, "findings", "coverage", "sampleSize", "warnings"} or {"ok": false, "errors"}.
std::string Lint(uintptr_t cat_ptr, size_t cat_len, uintptr_t sample_ptr, size_t sample_len, bool has_sample,
                 double now, int max_core_tags, double low_coverage) {
  return Guard([&]() -> std::string {
    LintOptions options;
    if (max_core_tags > 0) options.max_core_tags = max_core_tags;
    if (low_coverage > 0) options.low_coverage = low_coverage;
    LintReport report;
    std::vector<Error> warnings;
    std::optional<Error> too_large = CheckInputBytes(cat_len, CatalogOptions{}.max_bytes, "catalog");
    Result<json> catalog = too_large ? Result<json>(std::move(*too_large)) : ParseJson(View(cat_ptr, cat_len), "catalog");
    if (!catalog.ok()) {
      // Unreadable text is the catalog's first finding, as lint reports everything else.
      const Error& e = catalog.error();
      report.findings.push_back(
          LintFinding{Severity::kError, std::string(ErrorCodeName(e.code)), "", e.path, e.message});
    } else if (has_sample) {
      Result<json> sample = ParseFast(View(sample_ptr, sample_len), "sample", 1);
      if (!sample.ok()) {
        Error e = sample.error();
        e.path = "/sample" + e.path;
        return FailureText({e});
      }
      if (!sample.value().is_array()) {
        return FailureText(ErrorCode::kWrongArgumentType, "/sample", "The sample is a list of profiles.");
      }
      std::vector<Profile> profiles;
      profiles.reserve(sample.value().size());
      for (size_t i = 0; i < sample.value().size(); ++i) {
        std::vector<Error> ignored;  // per-event repairs do not make a sample unusable
        Result<Profile> p = Profile::FromJson(sample.value()[i], &ignored);
        if (!p.ok()) {
          Error e = p.error();
          e.path = "/sample/" + std::to_string(i) + e.path;
          e.severity = Severity::kWarning;
          e.message = "skipped: " + e.message;
          warnings.push_back(std::move(e));
          continue;
        }
        profiles.push_back(std::move(p).value());
      }
      report = LintCatalogWithSample(catalog.value(), profiles, ToMs(now), options);
    } else {
      report = LintCatalog(catalog.value(), options);
    }
    ojson findings = ojson::array();
    for (const LintFinding& f : report.findings) findings.push_back(FindingJson(f));
    ojson coverage = ojson::array();
    for (const TagCoverage& c : report.coverage) {
      coverage.push_back({{"tagId", c.tag_id}, {"users", c.users}, {"share", c.share}});
    }
    return Dump({{"ok", true},
                 {"findings", std::move(findings)},
                 {"coverage", std::move(coverage)},
                 {"sampleSize", report.sample_size},
                 {"warnings", ProblemsJson(warnings)}});
  });
}

// The stored state as JSON, for exportData(): {"ok", "problems", "truncated",
// "generation", "generationAt", "savedAt", "consent", "profile"}.
std::string DecodeStoreJson(uintptr_t ptr, size_t len) {
  return Guard([&] {
    DecodedStore d = DecodeStore(View(ptr, len));
    ojson consent = nullptr;
    if (d.state.consent) {
      consent = {{"purposes", PurposesJson(d.state.consent->purposes)}, {"updatedAt", d.state.consent->updated_at}};
    }
    return Dump({{"ok", true},
                 {"problems", ProblemsJson(d.problems)},
                 {"truncated", d.truncated},
                 {"generation", d.state.generation},
                 {"generationAt", d.state.generation_at},
                 {"savedAt", d.state.saved_at},
                 {"consent", std::move(consent)},
                 {"profile", ojson(d.state.profile.ToJson())}});
  });
}

}  // namespace
}  // namespace tagwise::wasm

EMSCRIPTEN_BINDINGS(tagwise_catalog) {
  using namespace tagwise::wasm;
  emscripten::class_<Session>("CatalogSession")
      .constructor<std::string>()
      .function("loadCatalog", &Session::LoadCatalog)
      .function("setPurposes", &Session::SetPurposes)
      .function("setEventPurposes", &Session::SetEventPurposes)
      .function("mergeStore", &Session::MergeStore)
      .function("encodeStore", &Session::EncodeStoreText)
      .function("shrink", &Session::Shrink)
      .function("forget", &Session::Forget)
      .function("setGeneration", &Session::SetGeneration)
      .function("storeInfo", &Session::StoreInfo)
      .function("fingerprint", &Session::CatalogFingerprint)
      .function("setProfile", &Session::SetProfile)
      .function("track", &Session::Track)
      .function("tags", &Session::Tags)
      .function("explain", &Session::Explain)
      .function("profileJson", &Session::ProfileJson)
      .function("tagProfiles", &Session::TagProfiles)
      .function("loadHints", &Session::LoadHints)
      .function("hintsInfo", &Session::HintsInfo)
      .function("recommend", &Session::Recommend)
      .function("runExperiment", &Session::RunExperiment)
      .function("convert", &Session::Convert)
      .function("loadOffers", &Session::LoadOffers)
      .function("eligibleOffers", &Session::EligibleOffers)
      .function("recordOffer", &Session::RecordOffer)
      .function("activityJson", &Session::ActivityJson);
  emscripten::function("lintCatalog", &Lint);
  emscripten::function("decodeStore", &DecodeStoreJson);
}
