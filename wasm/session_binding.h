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
#include "tagwise/json_text.h"
#include "tagwise/session.h"

namespace tagwise::wasm {

using nlohmann::json;

inline ojson ChangesJson(const TagChanges& c) {
  return {{"entered", c.entered}, {"left", c.left}, {"changed", c.changed}};
}

inline ojson PruneJson(const PruneReport& r) {
  return {{"events", r.events_removed}, {"rollups", r.rollups_removed}, {"serverTags", r.server_tags_removed}};
}

// One tag decision for tags()/tagDecisions().
inline ojson DecisionJson(const TagDef& t, const TagDecision& d, const ServerTags& server, bool all) {
  ojson o = {{"id", t.id}, {"name", t.name}, {"dimension", t.dimension}, {"purpose", t.purpose}};
  if (all) o["holds"] = d.holds;
  o["value"] = d.holds ? ojson(d.value) : ojson(nullptr);
  o["source"] = DecisionSourceName(d.source);
  if (!d.suppressed_by.empty()) o["suppressedBy"] = d.suppressed_by;
  if (!d.error.empty()) o["error"] = d.error;
  if (t.server) {
    if (std::optional<int64_t> at = ServerTagExpiry(t, server)) o["expiresAt"] = *at;
  }
  return o;
}

// Reads a JSON list of purposes ("necessary" is added by the session).
inline Result<PurposeSet> ParsePurposes(std::string_view text) {
  Result<json> parsed = ParseJson(text, "purpose list");
  if (!parsed.ok()) return parsed.error();
  return ReadPurposeList(parsed.value());
}

inline SessionOptions OptionsFrom(const std::string& purposes_text) {
  SessionOptions options;
  if (!purposes_text.empty()) {
    Result<PurposeSet> p = ParsePurposes(purposes_text);
    if (p.ok()) options.purposes = std::move(p).value();
  }
  return options;
}

// Adds "changes" and "changed" in front of a feature's JSON answer ("{...}").
inline std::string WithChanges(const TagChanges& c, bool changed, const std::string& answer) {
  return "{\"changes\":" + Dump(ChangesJson(c)) + ",\"changed\":" + (changed ? "true" : "false") + "," +
         answer.substr(1);
}

class SessionBinding {
 public:
  explicit SessionBinding(const std::string& purposes_text) : s_(OptionsFrom(purposes_text)) {}

  std::string LoadCatalog(uintptr_t ptr, size_t len, double now) {
    return Guard([&] {
      CatalogLoad r = s_.LoadCatalog(View(ptr, len), ToMs(now));
      if (!r.ok()) return FailureText(r.errors, r.warnings);
      return Dump({{"ok", true},
                   {"errors", ojson::array()},
                   {"warnings", ProblemsJson(r.warnings)},
                   {"fingerprint", r.fingerprint},
                   {"changes", ChangesJson(r.changes)}});
    });
  }

  std::string SetPurposes(uintptr_t ptr, size_t len, double now, bool record, double updated_at) {
    return Guard([&] {
      Result<PurposeSet> p = ParsePurposes(View(ptr, len));
      if (!p.ok()) return FailureText({p.error()});
      std::optional<int64_t> recorded;
      if (record) recorded = ToMs(updated_at);
      PurposesUpdate r = s_.SetPurposes(std::move(p).value(), ToMs(now), recorded);
      return Dump({{"ok", true}, {"changes", ChangesJson(r.changes)}, {"pruned", PruneJson(r.pruned)}});
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
      return Dump({{"ok", true}});
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
      return Dump({{"ok", true},
                   {"errors", ojson::array()},
                   {"warnings", ProblemsJson(r.warnings)},
                   {"pruned", PruneJson(r.pruned)},
                   {"changes", ChangesJson(r.changes)}});
    });
  }

  std::string Track(uintptr_t ptr, size_t len, bool single, double now) {
    return Guard([&] {
      TrackResult r = s_.Track(View(ptr, len), single, ToMs(now));
      if (r.rejected) return FailureText(r.errors);
      return Dump({{"ok", r.errors.empty()},
                   {"added", r.added},
                   {"duplicates", r.duplicates},
                   {"withheld", r.withheld},
                   {"errors", ProblemsJson(r.errors)},
                   {"warnings", ProblemsJson(r.warnings)},
                   {"changes", ChangesJson(r.changes)}});
    });
  }

  // Held tags (or, with `all`, every tag's decision) in catalog order.
  std::string Tags(double now, bool all) {
    return Guard([&] {
      TagsAt t = s_.Tags(ToMs(now));
      ojson tags = ojson::array();
      if (t.catalog != nullptr) {
        const auto& defs = t.catalog->tags();
        for (size_t i = 0; i < defs.size() && i < t.evaluation->decisions.size(); ++i) {
          const TagDecision& d = t.evaluation->decisions[i];
          if (all || d.holds) tags.push_back(DecisionJson(defs[i], d, *t.server, all));
        }
      }
      return Dump({{"ok", true}, {"changes", ChangesJson(t.changes)}, {"tags", std::move(tags)}});
    });
  }

  std::string Explain(const std::string& id, double now) {
    return Guard([&] {
      Result<json> r = s_.Explain(id, ToMs(now));
      if (!r.ok()) return FailureText({r.error()});
      return Dump({{"ok", true}, {"value", ojson(r.value())}});
    });
  }

  std::string ProfileJson() const {
    try {
      return Dump(ojson(s_.profile().ToJson()));
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
      return Dump({{"ok", true},
                   {"problems", ProblemsJson(r.decoded.problems)},
                   {"truncated", r.decoded.truncated},
                   {"headerLost", r.decoded.header_lost},
                   {"eventsKept", r.decoded.events_kept},
                   {"eventsDropped", r.decoded.events_dropped},
                   {"outcome", outcome},
                   {"eventsAdded", r.report.events_added},
                   {"consent", ConsentJson(s_.consent())},
                   {"pruned", PruneJson(r.pruned)},
                   {"changes", ChangesJson(r.changes)}});
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
      return Dump({{"ok", true},
                   {"step", step},
                   {"events", r.events_removed},
                   {"rollups", r.rollups_before},
                   {"changes", ChangesJson(r.changes)}});
    });
  }

  std::string Forget(const std::string& generation, double at, double now) {
    return Guard([&] {
      TagChanges c = s_.Forget(generation, ToMs(at), ToMs(now));
      return Dump({{"ok", true}, {"changes", ChangesJson(c)}});
    });
  }

  void SetGeneration(const std::string& generation, double at) { s_.SetGeneration(generation, ToMs(at)); }

  std::string StoreInfo() const {
    try {
      return Dump({{"generation", s_.generation()},
                   {"generationAt", s_.generation_at()},
                   {"consent", ConsentJson(s_.consent())}});
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
                                        out += Dump(TaggedJson(p));
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

#endif
  // {"assignments", "conversions", "offers", "olderTotals"}; "null" on failure.
  std::string ActivityJson() const {
    try {
      return Dump(ojson(s_.ActivityJson()));
    } catch (...) {
      return "null";
    }
  }

 private:
#ifndef TAGWISE_PAGE_RUNTIME
  static ojson TaggedJson(const TaggedProfile& p) {
    ojson entry = ojson::object();
    entry["user_id"] = p.user_id ? ojson(*p.user_id) : ojson(nullptr);
    if (p.error) entry["errors"] = ojson::array({ProblemJson(*p.error)});
    ojson tags = ojson::object();
    for (const auto& [id, value] : p.tags) tags[id] = ojson(value);
    entry["tags"] = std::move(tags);
    if (!p.warnings.empty()) {
      entry["warnings"] = ProblemsJson(p.warnings);
      if (p.warning_count > p.warnings.size()) entry["warningCount"] = p.warning_count;
    }
    return entry;
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
