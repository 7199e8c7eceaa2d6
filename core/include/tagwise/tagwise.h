// tagwise: user tags and personalisation rules, compiled once and evaluated
// the same way natively, in Node and in the browser (WebAssembly).
//
// Include this header to get the whole page library (CMake target
// tagwise_core, alias tagwise::core), or include the one header you need; the
// table at the end says which header holds what. The core does no I/O, keeps
// no globals and reads no clock: every time is an input, in ms since the Unix
// epoch (`now` below). Errors are values (error.h): a Result<T>, or lists of
// Error{code, path, message, severity} whose path is a JSON Pointer into the
// input you passed ("/tags/3/when/and/0"). Nothing throws or aborts on bad input.
//
// (a) One rule: compile once, evaluate many times (rule.h, rule_text.h).
//
//   tagwise::CompileResult compiled = tagwise::CompileRule(nlohmann::json::parse(
//       R"({">=": [{"events": [{"type": "order_paid", "within": "30d"}]}, 5]})"));
//   // or the text form: tagwise::ParseRuleText("events(order_paid, within 30d) >= 5")
//   //                   gives a Result<nlohmann::json> holding the same rule.
//   if (!compiled.ok()) {                        // every issue, not just the first
//     std::cerr << tagwise::FormatIssues(compiled.issues);
//     return;
//   }
//   tagwise::Result<tagwise::Profile> profile = tagwise::Profile::FromJson(profile_json);
//   tagwise::EvalContext ctx{.now = now, .profile = &profile.value()};  // after profile.ok()
//   tagwise::Result<nlohmann::json> r = compiled.rule->Evaluate(data, ctx);  // data: what `var` reads
//   bool holds = r.ok() && tagwise::IsTruthy(r.value());
//
// A Rule is immutable: Evaluate() and Trace() are const and may run on many
// threads at once. CompileCondition (condition.h) compiles GrowthBook's
// MongoDB-style conditions into the same kind of Rule.
//
// (b) One visitor: the session behind the JS `tw` (session.h). It owns the
// policy every page applies: consent, incremental re-evaluation, compaction,
// the stored copy. One session per visitor, used from one thread.
//
//   tagwise::VisitorSession s;                   // every purpose granted (SessionOptions)
//   tagwise::CatalogLoad c = s.LoadCatalog(catalog_text, now);
//   if (!c.ok()) std::cerr << tagwise::FormatIssues(c.errors);  // the previous catalog stays
//   s.SetProfile(R"({"user_id": "u1", "attributes": {"signup_at": 1763000000000}})",
//                tagwise::ProfileMode::kReplace, now);
//   tagwise::TrackResult t = s.Track(
//       R"([{"id": "o-1", "type": "order_paid", "props": {"amount": 30}}])", /*single=*/false, now);
//   for (const std::string& id : t.changes.entered) show_new_tag(id);  // also .left, .changed
//   tagwise::TagsAt at = s.Tags(now);            // catalog/evaluation are null before a catalog
//   for (size_t i = 0; i < at.evaluation->decisions.size(); ++i) {     // catalog order
//     const tagwise::TagDecision& d = at.evaluation->decisions[i];
//     if (d.holds) show(at.catalog->tags()[i].id, d.value, tagwise::DecisionSourceName(d.source));
//   }
//   tagwise::Result<nlohmann::json> why = s.Explain("active_high", now);  // rule tree with values
//   s.SetPurposes({"necessary", "security"}, now, /*recorded_at=*/now);   // deletes what only the
//                                                                          // withdrawn purposes needed
//   std::string stored = s.EncodeStore(now);     // the next page: s.MergeStore(stored, now)
//
// Without the session's policy, the same tags come from catalog.h + engine.h:
//
//   tagwise::CatalogLoadResult cat = tagwise::Catalog::LoadText(catalog_text);
//   tagwise::Engine engine(cat.catalog);         // after cat.ok()
//   tagwise::Evaluation e = engine.EvaluateAll(profile.value(), tagwise::ServerTags{}, now);
//
// (c) Many profiles in one call (the periodic refresh; `tagwise tag` does this).
// The profiles are a JSON array text, read one profile at a time:
//
//   tagwise::BatchStatus b = s.TagProfiles(profiles_json, now, /*purposes=*/nullptr,
//       [&](const tagwise::TaggedProfile& p) {
//         if (p.error) return;                     // this profile was unusable
//         for (const auto& [id, value] : p.tags) write(p.user_id.value_or(""), id, value);
//       });
//   if (b.error) std::cerr << b.error->message;  // the text itself was unusable
//
// Many records against many rules, into typed result columns (rule_batch.h;
// the JS compileRules(...).evaluateMany reads these with js/codec.js):
//
//   std::vector<std::shared_ptr<const tagwise::Rule>> rules = {compiled.rule};
//   tagwise::RuleBatch batch;
//   batch.Evaluate(rules, R"([{"spend": 250}, {"spend": 10}])", now, /*profile_json=*/"",
//                  /*max_steps=*/5e7);
//   // slot = record * rules.size() + rule: batch.kinds()[slot] is kKindTrue, kKindNumber
//   // (value in batch.nums()[slot]), ...; batch.failed() when the batch itself was unusable.
//
// (d) Catalog hygiene (lint.h): conflicts, dead and always-true rules, loops,
// and with a sample of users the coverage of every tag.
//
//   tagwise::LintReport report = tagwise::LintCatalog(catalog_json);
//   std::cerr << tagwise::FormatFindings(report.findings);  // code, path, message each
//   std::vector<tagwise::Profile> sample = ...;              // Profile::FromJson per user
//   tagwise::LintReport with_sample = tagwise::LintCatalogWithSample(catalog_json, sample, now);
//   for (const tagwise::TagCoverage& cov : with_sample.coverage) show(cov.tag_id, cov.share);
//
// (e) Recommendations from a hints file (hints.h, recommend.h). Through the
// session, with JSON options and a JSON answer as the JS API passes them:
//
//   std::string loaded = s.LoadHints(hints_file_bytes, /*expected_catalog_version=*/"");
//   tagwise::TagChanges changes;
//   tagwise::UserView visitor = s.View(now, &changes);  // valid until the session's next call
//   std::string answer = s.Recommend(R"({"k": 10, "context": {"item": "steam-50"}})", visitor, changes);
//   // {"ok": true, "items": [{"item", "score", "reasons", ...}], "source", "unknownItems", ...}
//
// or directly, with the scorer's own types:
//
//   tagwise::Result<tagwise::Hints> hints = tagwise::DecodeHints(hints_file_bytes);
//   if (!hints.ok()) return;                     // kCorrupt, kUnsupportedVersion, kTooLarge
//   std::vector<tagwise::ItemEvent> history = {{"steam-50", "view", now - 60'000}};
//   tagwise::RecommendRequest request;
//   request.k = 10;
//   request.context_items = {"steam-100"};      // the page item and the cart
//   tagwise::RecommendResult top = tagwise::Recommend(hints.value(), history, request);
//   for (const tagwise::Recommendation& rec : top.items) show(rec.item, rec.score, rec.reasons);
//
// Offline code lives in a second library, tagwise_offline (tagwise::offline):
// building hints from an order log and writing the hints file (HintBuilder
// and EncodeHints, declared in hints.h but defined there) and the offline
// evaluation (offline_eval.h, not included here). The CLI's tools module and
// the native tools link it; the page's wasm module never does.
//
// Field names: data that is stored or exchanged with a server (catalogs and
// rules, profiles, snapshots, events, the store, hint files) uses snake_case
// (user_id, as_of, expires_at); the JSON options and answers of the session's
// experiments, offers and recommendations use camelCase, as the JS API does.
//
// Which header holds what (all in core/include/tagwise/):
//
//   rule.h               CompileRule / CompileRuleText -> Rule; Evaluate, Trace; EvalContext
//   rule_text.h          ParseRuleText / FormatRule: the readable text form of a rule
//   rule_batch.h         RuleBatch: many rules x many records into typed result columns
//   condition.h          CompileCondition: GrowthBook's MongoDB-style targeting conditions
//   catalog.h            Catalog::Load: tags, groups, parents, priorities, purposes
//   engine.h             Engine: every tag of a catalog for one Profile; TagDecision, Explain
//   session.h            VisitorSession: one visitor's runtime, the object behind the JS `tw`
//   consent.h            ConsentScope: which purposes need which event types; pruning on withdrawal
//   purposes.h           kPurposes, PurposeSet: the one table of consent purposes
//   profile.h            Profile, Event, DayRollup: one user's data, compaction, snapshot merge
//   store.h              EncodeStore / DecodeStore / MergeStores: the client store's line format
//   ledger.h             Ledger: offer and experiment activity, merged between tabs by record id
//   experiments.h        GrowthBook-compatible hashing and bucketing
//   experiment_run.h     CompileExperiment / RunExperiment: one experiment for one user
//   experiment_report.h  CompareVariations: conversion rates, intervals, p-values
//   offers.h             CompileOffers / Eligible / MakeOfferRecord: coupons, caps, quiet hours
//   hints.h              Hints, DecodeHints; HintBuilder, EncodeHints (tagwise_offline)
//   recommend.h          Recommend: the recommendation scorer
//   lint.h               LintCatalog / LintCatalogWithSample: the catalog's hygiene report
//   offline_eval.h       RunOfflineEval: HR@10 / NDCG@10 on the retail log (tagwise_offline)
//   error.h              ErrorCode, Error, Result<T>, FormatIssues
//   answer.h             the {"ok", "errors", "warnings"} JSON envelope of JSON answers
//   json_text.h          ParseJson / ParseFast: the one JSON reader, nesting-checked
//   json_writer.h        JsonWriter: JSON text without recursion, non-finite numbers located
//   limits.h             byte limits on whole inputs, checked before parsing
//   utf8.h               UTF-8 decoding and validation, UTF-16 lengths
#ifndef TAGWISE_TAGWISE_H_
#define TAGWISE_TAGWISE_H_

#include "tagwise/answer.h"
#include "tagwise/catalog.h"
#include "tagwise/condition.h"
#include "tagwise/consent.h"
#include "tagwise/engine.h"
#include "tagwise/error.h"
#include "tagwise/experiment_report.h"
#include "tagwise/experiment_run.h"
#include "tagwise/experiments.h"
#include "tagwise/hints.h"
#include "tagwise/json_text.h"
#include "tagwise/json_writer.h"
#include "tagwise/ledger.h"
#include "tagwise/limits.h"
#include "tagwise/lint.h"
#include "tagwise/offers.h"
#include "tagwise/profile.h"
#include "tagwise/purposes.h"
#include "tagwise/recommend.h"
#include "tagwise/rule.h"
#include "tagwise/rule_batch.h"
#include "tagwise/rule_text.h"
#include "tagwise/session.h"
#include "tagwise/store.h"
#include "tagwise/utf8.h"

#endif  // TAGWISE_TAGWISE_H_
