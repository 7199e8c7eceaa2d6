// Catalog lint: the tag catalog's hygiene report (DESIGN.md section 5).
//
//   tagwise::LintReport r = tagwise::LintCatalog(nlohmann::json::parse(text));
//   for (const tagwise::LintFinding& f : r.findings) show(f.severity, f.code, f.path, f.message);
//
//   // With a user sample: per-tag coverage and dead tags as well.
//   tagwise::LintReport s = tagwise::LintCatalogWithSample(catalog_json, profiles, now_ms);
//
// Lint never throws and never aborts: a catalog that Catalog::Load refuses
// (cycles, dangling references, duplicate ids, bad fields) is still linted, and
// every problem becomes a finding. Findings come in a stable order: catalog
// problems Catalog::Load reports, then structure (ids, references, loops,
// groups), then rule analysis, then sample results; inside each, catalog order.
//
// Finding codes (stable snake_case; docs/catalog-and-tags.md lists them too):
//   duplicate_id            error    two tags (or two groups) share an id
//   unknown_parent          error    "parent" names no tag
//   self_parent             error    a tag is its own parent
//   unknown_group           error    "group" names no group
//   unknown_tag_reference   error    {"tag": [id]} / {"tag_value": [id]} names no tag
//   cycle                   error    tags wait on each other in a loop (rule references,
//                                    parent chains, exclusive-group resolution)
//   exclusive_ancestor      error    a tag and one of its ancestors are in the same
//                                    exclusive group (the child always brings the ancestor)
//   same_priority_exclusive warning  two members of an exclusive group have the same
//                                    priority and may both hold: catalog order decides silently
//   never_holds             warning  a rule, a condition inside it, or an `events` filter
//                                    can never be true (interval reasoning, see below)
//   always_holds            warning  ... is true for every user
//   too_many_core_tags      warning  more than LintOptions::max_core_tags tags have "core": true
//   unused_tag              warning  nothing can ever give the tag to a user: no `when`,
//                                    no child tags and not server-sourced
//   unused_group            warning  no tag belongs to the group
//   costly_rule             warning  a shape whose work grows faster than its data: an
//                                    iteration over a list inside another one, or `reduce`
//                                    building a text or list from the accumulator read twice
//                                    (it can double at every item)
//   too_deep                error    a rule nests deeper than LintOptions::max_depth; the
//                                    rest of that rule is not analysed
//   too_many_findings       warning  LintOptions::max_findings reached; later findings dropped
//   lint_failed             error    an unexpected failure (e.g. out of memory) stopped the check
//   With a sample:
//   dead_tag                warning  no user of the sample holds the tag
//   low_coverage            warning  fewer than LintOptions::low_coverage of the sample hold it
//   rule_error              warning  the tag's rule failed for some users of the sample
//   sample_skipped          warning  the catalog has errors, so the sample was not evaluated
//   Anything else Catalog::Load reports keeps its ErrorCodeName ("unknown_operator",
//   "bad_duration", "wrong_argument_type", "invalid_rule" for unknown fields, ...).
//
// never_holds / always_holds are reported only when certain. The analysis
// follows and / or / ! / !! and the comparisons < <= > >= (2 arguments, and the
// 3-argument between of < and <=), == != === !== between one input and a
// number literal. An input is a `var` (same path and default), `days_since` /
// `hours_since` of a `var`, or an `events` aggregate (same spec; count and
// distinct are whole numbers >= 0, a decayed count is >= 0, exists is true or
// false); a literal true/false/0/"" in a condition's place is constant. The
// same input compared twice is one value; anything else (other operators, text
// literals) is unknown and never leads to a finding. Conditions inside other
// operators (an `if` test, an `events` filter, the predicate of
// map/filter/some/all/none, whose `var` reads each element) are checked on
// their own.
// Missing values compare as 0 (null), and null == 0 is false, which the
// analysis respects. An attribute holding non-numeric text compares false
// with every number: conclusions are checked twice, for numbers only and with
// such text allowed, and a finding only the first proves ends its message
// with "(unless an attribute holds non-numeric text, ...)".
//
// Thread-compatible: these functions keep no state.
#ifndef TAGWISE_LINT_H_
#define TAGWISE_LINT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/catalog.h"
#include "tagwise/engine.h"
#include "tagwise/error.h"
#include "tagwise/profile.h"

namespace tagwise {

// The finding codes lint itself reports (listed above), in that order; other
// findings carry an ErrorCodeName. js/index.d.ts's LintCode union is checked
// against this list (tests/js/core_tables.test.mjs).
inline constexpr std::string_view kLintCodes[] = {
    "duplicate_id",  "unknown_parent",  "self_parent",       "unknown_group",      "unknown_tag_reference",
    "cycle",         "exclusive_ancestor", "same_priority_exclusive", "never_holds", "always_holds",
    "too_many_core_tags", "unused_tag", "unused_group",     "costly_rule",        "too_deep",
    "too_many_findings",
    "lint_failed",   "dead_tag",        "low_coverage",      "rule_error",         "sample_skipped"};

struct LintFinding {
  Severity severity = Severity::kWarning;
  std::string code;     // stable snake_case id, listed above
  std::string tag_id;   // the tag the path points into; "" for catalog-wide findings
  std::string path;     // JSON Pointer into the catalog JSON, e.g. "/tags/3/when/and/1"
  std::string message;  // one sentence for an operator, naming tags by their "name"
};

struct LintOptions {
  // More tags than this with "core": true gives too_many_core_tags (seed
  // guidance: keep the core set small).
  int max_core_tags = 50;
  // With a sample: tags held by some users but a share below this give
  // low_coverage (0.001 = fewer than 1 user in 1,000).
  double low_coverage = 0.001;
  // Deepest rule nesting lint walks (as CompileOptions::max_depth); deeper
  // parts are reported as too_deep instead of recursed into.
  int max_depth = 128;
  // Most findings in one report; a catalog with thousands of broken tags
  // still gives a bounded report.
  size_t max_findings = 1000;
  // Passed to Catalog::Load (tag count limit, rule limits).
  CatalogOptions catalog;
  // With a sample: consent purposes switched on while evaluating it.
  EngineOptions engine;
};

struct TagCoverage {
  std::string tag_id;
  int64_t users = 0;   // sample users holding the tag (after inheritance and groups)
  double share = 0.0;  // users / sample size (0 for an empty sample)
};

struct LintReport {
  std::vector<LintFinding> findings;
  std::vector<TagCoverage> coverage;  // catalog order; only with a sample and a loadable catalog
  int64_t sample_size = 0;
  bool has_errors() const;
};

// Static hygiene of a catalog JSON (DESIGN.md section 5 format).
[[nodiscard]] LintReport LintCatalog(const nlohmann::json& catalog_json, const LintOptions& options = {});

// LintCatalog plus each tag's coverage over `sample` evaluated at `now` (ms),
// dead tags, low coverage and rule failures. Server-sourced tags have no
// snapshot here, so they are listed in coverage but never reported dead.
[[nodiscard]] LintReport LintCatalogWithSample(const nlohmann::json& catalog_json, const std::vector<Profile>& sample,
                                               int64_t now, const LintOptions& options = {});

// Issue 24's static cost estimate of one rule: shapes whose work grows faster
// than their data (an iteration over data inside another iteration; `reduce`
// building a text or list from the accumulator read twice). `path` is a JSON
// Pointer into `rule`; `message` a sentence ("The rule runs ..."), which lint
// prefixes with the tag. A literal list of up to 1,000 items counts as small.
struct RuleCost {
  std::string path;
  std::string message;
};
std::vector<RuleCost> RuleCostWarnings(const nlohmann::json& rule, int max_depth = 128);

// One finding per line: "warning never_holds at /tags/0/when [高活跃用户 (active_high)]: ...".
std::string FormatFindings(const std::vector<LintFinding>& findings);

// {"findings": [{"severity": "error"|"warning", "code", "tag_id", "path", "message"}],
//  "coverage": [{"tag_id", "users", "share"}], "sample_size"} for bindings and tools.
nlohmann::json LintReportToJson(const LintReport& report);

}  // namespace tagwise

#endif  // TAGWISE_LINT_H_
