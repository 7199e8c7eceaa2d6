// Snapshot / profile load and event ingest (profile.h Profile::FromJson,
// MergeSnapshot, ParseEvent, AddEvent, Compact, MergeLocal, RemoveEventTypes)
// and a fixed catalog evaluated over the result (events aggregates read the
// fuzzed events and rollups).
//
// Input: "<profile or snapshot JSON>" or "<profile JSON>\0<event or event
// list JSON>", read the way the wasm boundary reads them (ParseFast,
// wasm/session_bindings.cpp). Properties: nothing throws or aborts;
// FromJson(ToJson()) gives an identical profile (profile.h), also after
// ingest and compaction.
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "tagwise/catalog.h"
#include "tagwise/engine.h"
#include "tagwise/profile.h"

using nlohmann::json;
namespace fz = tagwise::fuzz;

namespace {

const tagwise::Engine& FixedEngine() {
  static const tagwise::Engine* engine = [] {
    tagwise::CatalogLoadResult r = tagwise::Catalog::LoadText(fz::kEventsCatalog);
    if (!r.ok()) fz::Fail("the profile fuzzer's catalog does not load", tagwise::FormatIssues(r.errors));
    return new tagwise::Engine(r.catalog);
  }();
  return *engine;
}

void Evaluate(const tagwise::Profile& p) {
  tagwise::ServerTags server;
  if (p.as_of() != tagwise::Profile::kNone) server.as_of = p.as_of();
  server.tags = p.server_tags();
  (void)FixedEngine().EvaluateAll(p, server, fz::kNow);
  (void)FixedEngine().Explain(p, server, fz::kNow, "spender");
}

// FromJson(ToJson(p)) must be p again.
void CheckRoundTrip(const tagwise::Profile& p, const char* when) {
  const json first = p.ToJson();
  std::vector<tagwise::Error> warnings;
  tagwise::Result<tagwise::Profile> again = tagwise::Profile::FromJson(first, &warnings);
  if (!again.ok()) {
    fz::Fail(std::string("FromJson refuses ToJson's output ") + when,
             again.error().path + ": " + again.error().message + "\n" + fz::SafeDump(first));
  }
  const json second = again.value().ToJson();
  if (!fz::StrictEqual(first, second)) {
    fz::Fail(std::string("FromJson(ToJson(p)) differs from p ") + when,
             "first:  " + fz::SafeDump(first) + "\nsecond: " + fz::SafeDump(second) + "\nwarnings:\n" +
                 tagwise::FormatIssues(warnings));
  }
}

void Ingest(tagwise::Profile* p, const json& events) {
  std::vector<tagwise::Error> warnings;
  if (events.is_array()) {
    for (size_t i = 0; i < events.size() && i < 2000; ++i) {
      tagwise::Result<tagwise::Event> e = tagwise::ParseEvent(events[i], "/" + std::to_string(i), &warnings);
      if (e.ok()) (void)p->AddEvent(std::move(e).value());
    }
  } else {
    tagwise::Result<tagwise::Event> e = tagwise::ParseEvent(events, "", &warnings);
    if (e.ok()) (void)p->AddEvent(std::move(e).value());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::vector<std::string_view> parts = fz::SplitParts(bytes, size, 2);
  std::optional<json> doc = fz::ParseLikeBoundary(parts[0]);
  std::optional<json> events;
  if (!parts[1].empty()) events = fz::ParseLikeBoundary(parts[1]);
  if (!doc && !events) return 0;

  tagwise::Profile loaded;
  if (doc) {
    std::vector<tagwise::Error> warnings;
    tagwise::ProfileLimits small;
    small.max_events = 50;
    small.max_rollups = 20;
    small.max_string_bytes = 16;
    (void)tagwise::Profile::FromJson(*doc, &warnings, small);  // limits reached early
    warnings.clear();
    tagwise::Result<tagwise::Profile> p = tagwise::Profile::FromJson(*doc, &warnings);
    (void)tagwise::FormatIssues(warnings);
    if (p.ok()) {
      loaded = std::move(p).value();
      CheckRoundTrip(loaded, "after FromJson");
      Evaluate(loaded);
    }
    // The same document as a server snapshot over a local profile.
    tagwise::Profile local = fz::FixedProfile();
    warnings.clear();
    tagwise::Result<tagwise::MergeReport> merged = local.MergeSnapshot(*doc, &warnings);
    if (merged.ok()) {
      CheckRoundTrip(local, "after MergeSnapshot");
      Evaluate(local);
    }
    tagwise::Profile anonymous;
    (void)anonymous.MergeSnapshot(*doc, &warnings);
  }
  if (events) {
    Ingest(&loaded, *events);
    CheckRoundTrip(loaded, "after AddEvent");
    Evaluate(loaded);
    tagwise::Profile other = fz::FixedProfile();
    (void)other.MergeLocal(loaded);
    (void)loaded.MergeLocal(fz::FixedProfile());
    tagwise::RetentionPolicy tight;
    tight.max_events = 5;
    tight.max_age_ms = 30LL * 86'400'000;
    (void)loaded.Compact(fz::kNow, tight);
    CheckRoundTrip(loaded, "after Compact");
    Evaluate(loaded);
    Ingest(&loaded, *events);  // re-delivery after compaction: must be deduplicated, never double counted
    (void)loaded.RemoveEventTypes([](std::string_view t) { return t == "view"; });
    CheckRoundTrip(loaded, "after RemoveEventTypes");
    Evaluate(loaded);
  }
  return 0;
}
