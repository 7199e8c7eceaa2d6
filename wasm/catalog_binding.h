#ifndef TAGWISE_WASM_CATALOG_BINDING_H_
#define TAGWISE_WASM_CATALOG_BINDING_H_

// The catalog tools that need no visitor: lint (the
// console's hygiene report), reading a stored state (exportData), and the
// core's closed name lists the JS types are checked against. Conversion only.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "results.h"
#include "tagwise/answer.h"
#include "tagwise/engine.h"
#include "tagwise/json_text.h"
#include "tagwise/limits.h"
#include "tagwise/lint.h"
#include "tagwise/profile.h"
#include "tagwise/purposes.h"
#include "tagwise/store.h"

namespace tagwise::wasm {

using nlohmann::json;

// ---------------------------------------------------------------- lint

inline std::string FindingText(const LintFinding& f) {
  return ObjectText()
      .Add("severity", SeverityName(f.severity))
      .Add("code", f.code)
      .Add("tagId", f.tag_id)
      .Add("path", f.path)
      .Add("message", f.message)
      .Close();
}

inline std::string CoverageText(const TagCoverage& c) {
  return ObjectText().Add("tagId", c.tag_id).Add("users", c.users).Add("share", c.share).Close();
}

// The catalog hygiene report. `sample` (has_sample) is a JSON array of
// profiles/snapshots evaluated at `now`; unusable ones are skipped and listed
// in "warnings" (paths into the sample). Options <= 0 keep the core defaults.
// {"ok": true, "findings", "coverage", "sampleSize", "warnings"} or {"ok": false, "errors"}.
inline std::string Lint(uintptr_t cat_ptr, size_t cat_len, uintptr_t sample_ptr, size_t sample_len, bool has_sample,
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
    std::vector<std::string> findings;
    for (const LintFinding& f : report.findings) findings.push_back(FindingText(f));
    std::vector<std::string> coverage;
    for (const TagCoverage& c : report.coverage) coverage.push_back(CoverageText(c));
    return ObjectText()
        .Add("ok", true)
        .AddText("findings", ArrayText(findings))
        .AddText("coverage", ArrayText(coverage))
        .Add("sampleSize", report.sample_size)
        .AddText("warnings", ProblemsText(warnings))
        .Close();
  });
}

// The stored state as JSON, for exportData(): {"ok", "problems", "truncated",
// "generation", "generationAt", "savedAt", "consent", "profile"}.
inline std::string DecodeStoreJson(uintptr_t ptr, size_t len) {
  return Guard([&] {
    DecodedStore d = DecodeStore(View(ptr, len));
    return ObjectText()
        .Add("ok", true)
        .AddText("problems", ProblemsText(d.problems))
        .Add("truncated", d.truncated)
        .Add("generation", d.state.generation)
        .Add("generationAt", d.state.generation_at)
        .Add("savedAt", d.state.saved_at)
        .AddText("consent", ConsentText(d.state.consent))
        .Add("profile", d.state.profile.ToJson())
        .Close();
  });
}

// A closed name list as a JSON array of strings.
template <typename List>
std::string NameList(const List& names) {
  json list = json::array();
  for (std::string_view name : names) list.push_back(name);
  return DumpValue(list);
}

inline std::string ConsentPurposes() { return NameList(kPurposes); }

inline std::string DecisionSources() {
  std::vector<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(DecisionSource::kError); ++i) {
    names.push_back(DecisionSourceName(static_cast<DecisionSource>(i)));
  }
  return NameList(names);
}

inline std::string LintCodes() { return NameList(kLintCodes); }

}  // namespace tagwise::wasm

#endif  // TAGWISE_WASM_CATALOG_BINDING_H_
