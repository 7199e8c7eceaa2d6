#ifndef TAGWISE_WASM_SESSION_BINDING_H_
#define TAGWISE_WASM_SESSION_BINDING_H_

// The visitor session's wasm entry points (tagwise/session.h): conversion
// only. Shared by the embind registration (session_bindings.cpp: the full and
// Node modules) and the page runtime's C ABI (page_abi.cpp).
//
// Contract with js/ (its only caller):
//  - Input crosses as UTF-8 JSON text the JS side wrote into its _malloc'd
//    scratch buffer, passed as (ptr, len); nothing here keeps those pointers.
//  - Output crosses as ONE JSON text per call (parsed once by JSON.parse).
//    Non-finite numbers become null (JSON has no NaN).
//  - Errors cross as values, never as exceptions: every entry point runs in
//    Guard and returns {"ok": false, "errors"} with the core's codes and paths.
//  - One class handle, VisitorSession, freed by the JS side's
//    FinalizationRegistry. Output field names are camelCase (read by JS as is).
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "results.h"
#include "tagwise/answer.h"
#include "tagwise/catalog_cache.h"
#include "tagwise/json_text.h"
#include "tagwise/session.h"

namespace tagwise::wasm {

using nlohmann::json;

inline std::string ChangesText(const TagChanges& c) {
  return ObjectText().Add("entered", c.entered).Add("left", c.left).Add("changed", c.changed).Close();
}

inline std::string PruneText(const PruneReport& r) {
  return ObjectText()
      .Add("events", r.events_removed)
      .Add("rollups", r.rollups_removed)
      .Add("serverTags", r.server_tags_removed)
      .Close();
}

// One tag decision for tags()/tagDecisions().
inline std::string DecisionText(const TagDef& t, const TagDecision& d, const ServerTags& server, bool all) {
  ObjectText o;
  o.Add("id", t.id).Add("name", t.name).Add("dimension", t.dimension).Add("purpose", t.purpose);
  if (all) o.Add("holds", d.holds);
  o.Add("value", d.holds ? d.value : json()).Add("source", DecisionSourceName(d.source));
  if (!d.suppressed_by.empty()) o.Add("suppressedBy", d.suppressed_by);
  if (!d.error.empty()) o.Add("error", d.error);
  if (t.server) {
    if (std::optional<int64_t> at = ServerTagExpiry(t, server)) o.Add("expiresAt", *at);
  }
  return o.Close();
}

// Reads a JSON list of purposes ("necessary" is added by the session).
inline Result<PurposeSet> ParsePurposes(std::string_view text) {
  Result<json> parsed = ParseJson(text, "purpose list");
  if (!parsed.ok()) return parsed.error();
  return ReadPurposeList(parsed.value());
}

// The module instance's compiled catalogs: every session of this instance
// (a page's second createTagwise(), an SSR server's per-request instances)
// that loads a catalog text already loaded shares its compiled form
// (tagwise/catalog_cache.h). Module-wide state, like page_abi.cpp's answer
// buffer: one per module instance, which runs one call at a time.
inline CatalogCache& ModuleCatalogCache() {
  static CatalogCache cache;
  return cache;
}

inline SessionOptions OptionsFrom(const std::string& purposes_text) {
  SessionOptions options;
  options.catalog_cache = &ModuleCatalogCache();
  if (!purposes_text.empty()) {
    Result<PurposeSet> p = ParsePurposes(purposes_text);
    if (p.ok()) options.purposes = std::move(p).value();
  }
  return options;
}

// Adds "changes" and "changed" in front of a feature's JSON answer ("{...}").
inline std::string WithChanges(const TagChanges& c, bool changed, const std::string& answer) {
  return "{\"changes\":" + ChangesText(c) + ",\"changed\":" + (changed ? "true" : "false") + "," +
         answer.substr(1);
}

class SessionBinding {
 public:
  explicit SessionBinding(const std::string& purposes_text) : s_(OptionsFrom(purposes_text)) {}

  std::string LoadCatalog(uintptr_t ptr, size_t len, double now) {
    return Guard([&] {
      CatalogLoad r = s_.LoadCatalog(View(ptr, len), ToMs(now));
      if (!r.ok()) return FailureText(r.errors, r.warnings);
      return ObjectText()
          .Add("ok", true)
          .AddText("errors", "[]")
          .AddText("warnings", ProblemsText(r.warnings))
          .Add("fingerprint", r.fingerprint)
          .AddText("changes", ChangesText(r.changes))
          .Close();
    });
  }

  std::string SetPurposes(uintptr_t ptr, size_t len, double now, bool record, double updated_at) {
    return Guard([&] {
      Result<PurposeSet> p = ParsePurposes(View(ptr, len));
      if (!p.ok()) return FailureText({p.error()});
      std::optional<int64_t> recorded;
      if (record) recorded = ToMs(updated_at);
      PurposesUpdate r = s_.SetPurposes(std::move(p).value(), ToMs(now), recorded);
      return ObjectText()
          .Add("ok", true)
          .AddText("changes", ChangesText(r.changes))
          .AddText("pruned", PruneText(r.pruned))
          .Close();
    });
  }

  // {"declared": {type: [purposes]}, "default": [purposes]}.
  std::string SetEventPurposes(uintptr_t ptr, size_t len) {
    return Guard([&] {
      Result<json> parsed = ParseJson(View(ptr, len), "eventPurposes");
      if (!parsed.ok()) return FailureText({parsed.error()});
      const json& j = parsed.value();
      std::map<std::string, PurposeSet, std::less<>> declared;
      std::optional<PurposeSet> fallback;
      if (auto d = j.find("declared"); d != j.end()) {
        auto r = ReadEventPurposes(*d);
        if (!r.ok()) return FailureText({r.error()});
        declared = std::move(r).value();
      }
      if (auto d = j.find("default"); d != j.end()) {
        // JS passes the "*" entry of options.eventPurposes here.
        Result<PurposeSet> r = ReadTypePurposes("*", *d);
        if (!r.ok()) return FailureText({r.error()});
        fallback = std::move(r).value();
      }
      s_.SetEventPurposes(std::move(declared), std::move(fallback));
      return std::string("{\"ok\":true}");
    });
  }

  // mode 0 replace, 1 merge a server snapshot, 2 merge another copy (SSR state).
  std::string SetProfile(uintptr_t ptr, size_t len, int mode, double now) {
    return Guard([&] {
      const ProfileMode m = mode == 1 ? ProfileMode::kMergeSnapshot
                            : mode == 2 ? ProfileMode::kMergeLocal
                                        : ProfileMode::kReplace;
      ProfileUpdate r = s_.SetProfile(View(ptr, len), m, ToMs(now));
      if (!r.ok()) return FailureText(r.errors, r.warnings);
      return ObjectText()
          .Add("ok", true)
          .AddText("errors", "[]")
          .AddText("warnings", ProblemsText(r.warnings))
          .AddText("pruned", PruneText(r.pruned))
          .AddText("changes", ChangesText(r.changes))
          .Close();
    });
  }

  std::string Track(uintptr_t ptr, size_t len, bool single, double now) {
    return Guard([&] {
      TrackResult r = s_.Track(View(ptr, len), single, ToMs(now));
      if (r.rejected) return FailureText(r.errors);
      return ObjectText()
          .Add("ok", r.errors.empty())
          .Add("added", r.added)
          .Add("duplicates", r.duplicates)
          .Add("withheld", r.withheld)
          .AddText("errors", ProblemsText(r.errors))
          .AddText("warnings", ProblemsText(r.warnings))
          .AddText("changes", ChangesText(r.changes))
          .Close();
    });
  }

  // Held tags (or, with `all`, every tag's decision) in catalog order.
  std::string Tags(double now, bool all) { return TagsSince(now, all, -1); }

  // The same with the answer's revision (TagsAt::revision) before "tags".
  // `known`: the revision of an answer the caller kept (Node's module,
  // js/tags_kept.js), 0 for none; while it is current, "tags" is left out;
  // negative: no revision (Tags()). The browser's
  // modules (TAGWISE_BROWSER_MODULE, built for size) keep no revisions and
  // always answer as Tags() does.
  std::string TagsSince(double now, bool all, double known) {
    return Guard([&] {
      TagsAt t = s_.Tags(ToMs(now));
      ObjectText o;
      o.Add("ok", true).AddText("changes", ChangesText(t.changes));
#ifndef TAGWISE_BROWSER_MODULE
      if (known >= 0) {
        o.Add("revision", t.revision);
        if (t.revision == known) return o.Close();
      }
#else
      (void)known;
#endif
      std::vector<std::string> tags;
      if (t.catalog != nullptr) {
        const auto& defs = t.catalog->tags();
        for (size_t i = 0; i < defs.size() && i < t.evaluation->decisions.size(); ++i) {
          const TagDecision& d = t.evaluation->decisions[i];
          if (all || d.holds) tags.push_back(DecisionText(defs[i], d, *t.server, all));
        }
      }
      return o.AddText("tags", ArrayText(tags)).Close();
    });
  }

  std::string Explain(const std::string& id, double now) {
    return Guard([&] {
      Result<json> r = s_.Explain(id, ToMs(now));
      if (!r.ok()) return FailureText({r.error()});
      return ObjectText().Add("ok", true).Add("value", r.value()).Close();
    });
  }

  std::string ProfileJson() const {
    try {
      return DumpValue(s_.profile().ToJson());
    } catch (...) {
      return "null";
    }
  }

  std::string MergeStore(uintptr_t ptr, size_t len, double now) {
    return Guard([&] {
      StoreMerge r = s_.MergeStore(View(ptr, len), ToMs(now));
      const char* outcome = r.report.outcome == StoreMergeReport::Outcome::kSame        ? "same"
                            : r.report.outcome == StoreMergeReport::Outcome::kStoredWon ? "stored"
                                                                                        : "ours";
      return ObjectText()
          .Add("ok", true)
          .AddText("problems", ProblemsText(r.decoded.problems))
          .Add("truncated", r.decoded.truncated)
          .Add("headerLost", r.decoded.header_lost)
          .Add("eventsKept", r.decoded.events_kept)
          .Add("eventsDropped", r.decoded.events_dropped)
          .Add("outcome", outcome)
          .Add("eventsAdded", r.report.events_added)
          .AddText("consent", ConsentText(s_.consent()))
          .AddText("pruned", PruneText(r.pruned))
          .AddText("changes", ChangesText(r.changes))
          .Close();
    });
  }

  std::string EncodeStore(double now) {
    try {
      return s_.EncodeStore(ToMs(now));
    } catch (...) {
      return "";
    }
  }

  std::string Shrink(double now) {
    return Guard([&] {
      ShrinkResult r = s_.Shrink(ToMs(now));
      const char* step = r.step == ShrinkResult::Step::kCompacted ? "compacted"
                         : r.step == ShrinkResult::Step::kDropped ? "dropped"
                                                                  : "none";
      return ObjectText()
          .Add("ok", true)
          .Add("step", step)
          .Add("events", r.events_removed)
          .Add("rollups", r.rollups_before)
          .AddText("changes", ChangesText(r.changes))
          .Close();
    });
  }

  std::string Forget(const std::string& generation, double at, double now) {
    return Guard([&] {
      TagChanges c = s_.Forget(generation, ToMs(at), ToMs(now));
      return ObjectText().Add("ok", true).AddText("changes", ChangesText(c)).Close();
    });
  }

  void SetGeneration(const std::string& generation, double at) { s_.SetGeneration(generation, ToMs(at)); }
  // createTagwise's limits.maxSteps / maxBuiltBytes (JS checks them: positive integers).
  void SetBudget(double steps, double bytes) { s_.SetBudget(ToMs(steps), ToMs(bytes)); }

  std::string StoreInfo() const {
    try {
      return ObjectText()
          .Add("generation", s_.generation())
          .Add("generationAt", s_.generation_at())
          .AddText("consent", ConsentText(s_.consent()))
          .Close();
    } catch (...) {
      return "null";
    }
  }

  std::string Fingerprint() const { return s_.fingerprint(); }

#ifndef TAGWISE_PAGE_RUNTIME  // a server's batch API: the full module only
  // {"ok": true, "results": [{"user_id", "tags", "errors"?, "warnings"?, "warningCount"?}]}.
  // `purposes` (len 0: the session's) is a JSON array.
  std::string TagProfiles(uintptr_t ptr, size_t len, double now, uintptr_t purposes_ptr, size_t purposes_len) {
    return Guard([&] {
      std::optional<PurposeSet> purposes;
      if (purposes_len > 0) {
        Result<PurposeSet> p = ParsePurposes(View(purposes_ptr, purposes_len));
        if (!p.ok()) {
          Error e = p.error();
          e.path = "/purposes" + e.path;
          return FailureText({e});
        }
        purposes = std::move(p).value();
      }
      std::string out = "{\"ok\":true,\"results\":[";
      bool first = true;
      BatchStatus st = s_.TagProfiles(View(ptr, len), ToMs(now), purposes ? &*purposes : nullptr,
                                      [&](const TaggedProfile& p) {
                                        if (!first) out.push_back(',');
                                        first = false;
                                        out += TaggedText(p);
                                      });
      if (st.error) return FailureText({*st.error});
      return out + "]}";
    });
  }
#endif

#ifndef TAGWISE_PAGE_RUNTIME
  std::string LoadHints(uintptr_t ptr, size_t len, const std::string& expected_catalog_version) {
    return Guard([&] { return s_.LoadHints(View(ptr, len), expected_catalog_version); });
  }

  std::string HintsInfo() const {
    return Guard([&] { return s_.HintsInfo(); });
  }

  std::string Recommend(uintptr_t ptr, size_t len, double now) {
    return Guard([&] {
      TagChanges c;
      const UserView u = s_.View(ToMs(now), &c);
      return s_.Recommend(View(ptr, len), u, c);
    });
  }

  std::string RunExperiment(uintptr_t ptr, size_t len, double now) {
    return WithUser(now, [&](const UserView& u, bool* changed) { return s_.RunExperiment(View(ptr, len), u, changed); });
  }

  std::string Convert(uintptr_t ptr, size_t len, double now) {
    return WithUser(now, [&](const UserView& u, bool* changed) { return s_.Convert(View(ptr, len), u, changed); });
  }

  std::string LoadOffers(uintptr_t ptr, size_t len) {
    return Guard([&] { return s_.LoadOffers(View(ptr, len)); });
  }

  std::string EligibleOffers(uintptr_t ptr, size_t len, double now) {
    return WithUser(now, [&](const UserView& u, bool*) { return s_.EligibleOffers(View(ptr, len), u); });
  }

  std::string RecordOffer(uintptr_t ptr, size_t len, double now) {
    return WithUser(now, [&](const UserView& u, bool* changed) { return s_.RecordOffer(View(ptr, len), u, changed); });
  }

  // {"assignments", "conversions", "offers", "olderTotals"}; "null" on failure.
  // Not in the page runtime: exportData() loads the full module first.
  std::string ActivityJson() const {
    try {
      return s_.ActivityText();
    } catch (...) {
      return "null";
    }
  }
#endif

 private:
#ifndef TAGWISE_PAGE_RUNTIME
  // Tag ids are keys here: AddEscaped writes them (a catalog's ids are unique).
  static std::string TaggedText(const TaggedProfile& p) {
    ObjectText entry;
    entry.Add("user_id", p.user_id ? json(*p.user_id) : json(nullptr));
    if (p.error) entry.AddText("errors", ProblemsText({*p.error}));
    ObjectText tags;
    for (const auto& [id, value] : p.tags) tags.AddEscaped(id, value);
    entry.AddText("tags", tags.Close());
    if (!p.warnings.empty()) {
      entry.AddText("warnings", ProblemsText(p.warnings));
      if (p.warning_count > p.warnings.size()) entry.Add("warningCount", p.warning_count);
    }
    return entry.Close();
  }
#endif

  // Evaluates the tags at `now`, runs `body` on a view of the visitor and adds
  // "changes" and "changed" (the activity changed: persist it) to its answer.
  template <typename F>
  std::string WithUser(double now, F&& body) {
    return Guard([&] {
      TagChanges c;
      const UserView u = s_.View(ToMs(now), &c);
      bool changed = false;
      std::string answer = body(u, &changed);
      return WithChanges(c, changed, answer);
    });
  }

  VisitorSession s_;
};

}  // namespace tagwise::wasm

#endif  // TAGWISE_WASM_SESSION_BINDING_H_
