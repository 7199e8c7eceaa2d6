// Catalog load + lint (catalog.h Catalog::LoadText / Load, lint.h) and the
// engine over what loads (engine.h EvaluateAll, Reevaluate, Explain).
//
// Input: catalog JSON text. It goes through Catalog::LoadText (the core's text
// entry) and, read like the wasm boundary reads catalogs (ParseJson, 1,000
// levels), through LintCatalog and LintCatalogWithSample. A catalog that
// loads is evaluated for a fixed profile and explained tag by tag.
// Properties: nothing throws or aborts; a catalog Catalog::Load refuses
// gives lint errors (lint.h: Load's problems are findings).
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "tagwise/catalog.h"
#include "tagwise/engine.h"
#include "tagwise/lint.h"

using nlohmann::json;
namespace fz = tagwise::fuzz;

namespace {

const tagwise::ServerTags& FixedServerTags() {
  static const tagwise::ServerTags* s = [] {
    auto* t = new tagwise::ServerTags();
    t->as_of = fz::kNow - 3'600'000;
    t->tags = json::parse(R"({"churn_risk": {"value": 0.8, "expires_at": 1763900000000},
                              "vip": {"value": true, "expires_at": 1700000000000}})");
    return t;
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(bytes), size);
  tagwise::CatalogLoadResult loaded = tagwise::Catalog::LoadText(text);
  (void)tagwise::FormatIssues(loaded.errors);
  (void)tagwise::FormatIssues(loaded.warnings);

  if (loaded.ok()) {
    tagwise::Engine engine(loaded.catalog);
    const tagwise::Profile& profile = fz::FixedProfile();
    tagwise::Evaluation eval = engine.EvaluateAll(profile, FixedServerTags(), fz::kNow);
    tagwise::Evaluation before = engine.EvaluateAll(tagwise::Profile(), tagwise::ServerTags(), fz::kNow);
    (void)tagwise::Engine::Diff(*loaded.catalog, before, eval);
    (void)engine.Reevaluate(profile, FixedServerTags(), fz::kNow + 60'000, {"order_paid", "view"}, &before);
    const auto& tags = loaded.catalog->tags();
    for (size_t i = 0; i < tags.size() && i < 8; ++i) {
      (void)engine.Explain(profile, FixedServerTags(), fz::kNow, tags[i].id);
    }
    (void)engine.Explain(profile, FixedServerTags(), fz::kNow, "no_such_tag");
    (void)loaded.catalog->AffectedByEventType("order_paid");
  }

  std::optional<json> parsed = fz::ParseStrict(text);
  if (!parsed) return 0;
  tagwise::LintReport report = tagwise::LintCatalog(*parsed);
  (void)tagwise::FormatFindings(report.findings);
  (void)tagwise::LintReportToJson(report).dump(-1, ' ', false, json::error_handler_t::replace);
  tagwise::CatalogLoadResult reloaded = tagwise::Catalog::Load(*parsed);
  if (!reloaded.ok() && !report.has_errors()) {
    fz::Fail("Catalog::Load refuses the catalog but LintCatalog reports no error",
             tagwise::FormatIssues(reloaded.errors) + "\nlint:\n" + tagwise::FormatFindings(report.findings));
  }
  if (reloaded.ok()) {
    static const std::vector<tagwise::Profile> kSample = {fz::FixedProfile(), tagwise::Profile()};
    tagwise::LintReport with_sample = tagwise::LintCatalogWithSample(*parsed, kSample, fz::kNow);
    (void)tagwise::FormatFindings(with_sample.findings);
  }
  return 0;
}
