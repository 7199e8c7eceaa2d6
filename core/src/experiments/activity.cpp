#include "experiments/activity.h"

#include <cmath>
#include <utility>
#include <vector>

#include "tagwise/answer.h"
#include "tagwise/experiment_run.h"
#include "tagwise/json_text.h"
#include "tagwise/rule.h"

namespace tagwise::internal {
namespace {

using nlohmann::json;

Result<json> ParseObject(std::string_view input, std::string_view what) {
  Result<json> parsed = ParseJson(input, what);
  if (!parsed.ok()) return parsed;
  if (!parsed.value().is_object()) {
    return Error{ErrorCode::kWrongArgumentType, "", std::string(what) + " must be an object"};
  }
  return parsed;
}

const json* Field(const json& j, std::string_view key) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

// Reads the run options; problems get paths into the options object.
std::vector<Error> ReadRunOptions(const json& in, ExperimentRunContext* ctx) {
  std::vector<Error> errors;
  auto bad = [&](std::string path, std::string message) {
    errors.push_back(Error{ErrorCode::kWrongArgumentType, std::move(path), std::move(message)});
  };
  if (const json* f = Field(in, "forcedVariations")) {
    if (!f->is_object()) {
      bad("/forcedVariations", "forcedVariations must map experiment keys to variation indexes");
    } else {
      for (const auto& [k, v] : f->items()) {
        if (!v.is_number_integer() || v.get<int64_t>() < -1 || v.get<int64_t>() > 1'000'000) {
          bad(JoinPointer("/forcedVariations", k), "a forced variation must be a variation index");
        } else {
          ctx->forced_variations[k] = v.get<int>();
        }
      }
    }
  }
  if (const json* q = Field(in, "qaMode")) {
    if (!q->is_boolean()) bad("/qaMode", "qaMode must be true or false");
    else ctx->qa_mode = q->get<bool>();
  }
  if (const json* e = Field(in, "enabled")) {
    if (!e->is_boolean()) bad("/enabled", "enabled must be true or false");
    else ctx->enabled = e->get<bool>();
  }
  if (const json* u = Field(in, "url")) {
    if (!u->is_string()) bad("/url", "url must be text");
    else ctx->url = u->get<std::string>();
  }
  if (const json* a = Field(in, "attributes"); a != nullptr && !a->is_object()) {
    bad("/attributes", "attributes must be an object");
  }
  if (const json* g = Field(in, "savedGroups"); g != nullptr && !g->is_object()) {
    bad("/savedGroups", "savedGroups must map group ids to lists of values");
  }
  return errors;
}

// {"ok": true, "recorded": false, "reason"}: a conversion or offer record
// that was not kept.
std::string NotRecordedText(const char* reason) {
  return ObjectText().Add("ok", true).Add("recorded", false).Add("reason", reason).Close();
}

}  // namespace

json TargetingAttributes(const UserView& user, const json* extra) {
  json a = user.profile != nullptr && user.profile->attributes().is_object() ? user.profile->attributes()
                                                                            : json::object();
  if (!a.contains("id") && user.profile != nullptr && !user.profile->user_id().empty()) {
    a["id"] = user.profile->user_id();
  }
  if (!a.contains("tags")) a["tags"] = user.held_tags;
  if (extra != nullptr && extra->is_object()) {
    for (const auto& [k, v] : extra->items()) a[k] = v;
  }
  return a;
}

std::string Activity::RunExperiment(std::string_view input, const UserView& user, bool* changed) {
  Result<json> parsed = ParseObject(input, "the experiment run");
  if (!parsed.ok()) return FailureText({parsed.error()});
  const json& in = parsed.value();
  const json* definition = Field(in, "definition");
  if (definition == nullptr) {
    return FailureText(ErrorCode::kWrongArgumentType, "", "experiments.run(definition) needs a definition object");
  }
  ExperimentRunContext ctx;
  std::vector<Error> option_errors = ReadRunOptions(in, &ctx);
  if (!option_errors.empty()) return FailureText(option_errors);

  std::vector<std::string> known;
  if (user.catalog != nullptr) {
    for (const TagDef& t : user.catalog->tags()) known.push_back(t.id);
  }
  ExperimentCompileOptions co;
  co.known_tags = &known;
  co.saved_groups = Field(in, "savedGroups");
  co.malformed_condition = MalformedCondition::kLikeGrowthBook;  // payloads from GrowthBook: never break the page
  JsonKeyOrder key_order;  // GrowthBook evaluates a condition's keys in the payload's order
  if (definition->is_object() && definition->contains("condition")) key_order = KeyOrderFromText(in, input);
  co.condition_key_order = &key_order;
  ExperimentCompileResult compiled = CompileExperiment(*definition, co);
  if (!compiled.ok()) {
    std::vector<Error> errors, warnings;
    for (const Error& e : compiled.issues) (e.severity == Severity::kError ? errors : warnings).push_back(e);
    return FailureText(errors, warnings);
  }
  const json attributes = TargetingAttributes(user, Field(in, "attributes"));
  std::optional<EvaluationTagResolver> resolver;
  if (user.catalog != nullptr && user.evaluation != nullptr) resolver.emplace(*user.catalog, *user.evaluation);
  ctx.attributes = &attributes;
  ctx.eval.now = user.now;
  ctx.eval.profile = user.profile;
  ctx.eval.tags = resolver ? &*resolver : nullptr;
  EvalBudget budget = user.budget;  // one for this call's rules (condition, rule)
  ctx.eval.budget = &budget;
  ctx.ledger = &ledger_;
  ctx.purposes = user.purposes;
  ctx.now = user.now;
  ExperimentResult r = tagwise::RunExperiment(*compiled.def, ctx);
  if (r.new_assignment) {
    r.new_assignment->data["purpose"] = compiled.def->purpose;
    *changed = ledger_.SetAssignment(*r.new_assignment) || *changed;
    ledger_.Bound();
  }
  std::vector<Error> warnings;
  for (const Error& e : compiled.issues) warnings.push_back(e);
  return ObjectText()
      .Add("ok", true)
      .Add("result", ExperimentResultToJson(r))
      .AddText("warnings", ProblemsText(warnings))
      .Close();
}

std::string Activity::Convert(std::string_view input, const UserView& user, bool* changed) {
  Result<json> parsed = ParseObject(input, "the conversion");
  if (!parsed.ok()) return FailureText({parsed.error()});
  const json& in = parsed.value();
  const json* key = Field(in, "experiment");
  if (key == nullptr || !key->is_string() || key->get_ref<const std::string&>().empty()) {
    return FailureText(ErrorCode::kWrongArgumentType, "/experiment", "convert() needs the experiment's key");
  }
  std::string metric = "conversion";
  if (const json* m = Field(in, "metric")) {
    if (!m->is_string() || m->get_ref<const std::string&>().empty() || m->get_ref<const std::string&>().size() > 256) {
      return FailureText(ErrorCode::kWrongArgumentType, "/metric", "the metric must be a short name");
    }
    metric = m->get<std::string>();
  }
  const json* value = Field(in, "value");
  if (value != nullptr && (!value->is_number() || !std::isfinite(value->get<double>()))) {
    return FailureText(ErrorCode::kWrongArgumentType, "/value", "the conversion value must be a number");
  }
  const json* id = Field(in, "id");
  if (id == nullptr || !id->is_string()) return FailureText(ErrorCode::kWrongArgumentType, "/id", "a record id is needed");
  // The user's assignment to this experiment (any bucket version: the latest).
  const std::string prefix = key->get<std::string>() + "__";
  const Assignment* found = nullptr;
  for (const Assignment& a : ledger_.assignments()) {
    if (a.experiment.rfind(prefix, 0) == 0 && (found == nullptr || a.at >= found->at)) found = &a;
  }
  if (found == nullptr) return NotRecordedText("not_in_experiment");
  std::string purpose = found->data.value("purpose", std::string("analytics"));
  if (!IsGranted(purpose, user.purposes)) return NotRecordedText("consent");
  LedgerRecord rec;
  rec.id = id->get<std::string>();
  rec.kind = "conversion";
  rec.key = key->get<std::string>();
  rec.action = metric;
  rec.at = user.now;
  rec.data = json::object();
  rec.data["variation"] = found->variation;
  rec.data["purpose"] = purpose;
  if (found->data.contains("key")) rec.data["variationKey"] = found->data["key"];
  if (value != nullptr) rec.data["value"] = *value;
  const bool added = ledger_.Add(rec);
  *changed = added || *changed;
  ledger_.Bound();
  ObjectText out;
  out.Add("ok", true).Add("recorded", added).Add("variation", found->variation);
  if (auto variation_key = found->data.find("key"); variation_key != found->data.end()) {
    out.Add("variationKey", *variation_key);
  }
  if (!added) out.Add("reason", "duplicate");
  return out.Close();
}

std::string Activity::LoadOffers(std::string_view input, const Catalog* catalog) {
  Result<json> parsed = ParseJson(input, "the offers");
  if (!parsed.ok()) return FailureText({parsed.error()});
  std::vector<std::string> known;
  if (catalog != nullptr) {
    for (const TagDef& t : catalog->tags()) known.push_back(t.id);
  }
  OfferCompileOptions options;
  options.known_tags = &known;
  OfferSetResult r = CompileOffers(parsed.value(), options);
  std::vector<Error> errors, warnings;
  for (const Error& e : r.issues) (e.severity == Severity::kError ? errors : warnings).push_back(e);
  if (!r.ok()) return FailureText(errors, warnings);
  offers_ = std::move(r.offers);
  return ObjectText().Add("ok", true).AddText("errors", "[]").AddText("warnings", ProblemsText(warnings)).Close();
}

std::string Activity::EligibleOffers(std::string_view input, const UserView& user) const {
  Result<json> parsed = ParseObject(input, "the offer context");
  if (!parsed.ok()) return FailureText({parsed.error()});
  const json& in = parsed.value();
  if (offers_ == nullptr) {
    return FailureText(ErrorCode::kInvalidRule, "", "no offers are loaded: call offers.load(definitions) first");
  }
  OfferContext ctx;
  ctx.now = user.now;
  ctx.tz_offset_minutes = user.profile != nullptr ? user.profile->tz_offset_min() : 0;
  if (const json* tz = Field(in, "tzOffsetMinutes")) {
    if (!tz->is_number_integer() || std::abs(tz->get<int64_t>()) > 18 * 60) {
      return FailureText(ErrorCode::kWrongArgumentType, "/tzOffsetMinutes",
                         "tzOffsetMinutes must be whole minutes east of UTC, from -1080 to 1080 (UTC+8 is 480)");
    }
    ctx.tz_offset_minutes = tz->get<int>();
  }
  const json* extra = Field(in, "attributes");
  if (extra != nullptr && !extra->is_object()) {
    return FailureText(ErrorCode::kWrongArgumentType, "/attributes", "attributes must be an object");
  }
  const json attributes = TargetingAttributes(user, extra);
  std::optional<EvaluationTagResolver> resolver;
  if (user.catalog != nullptr && user.evaluation != nullptr) resolver.emplace(*user.catalog, *user.evaluation);
  ctx.purposes = user.purposes;
  ctx.data = &attributes;
  ctx.eval.now = user.now;
  ctx.eval.profile = user.profile;
  ctx.eval.tags = resolver ? &*resolver : nullptr;
  EvalBudget budget = user.budget;  // one for every offer's audience in this call
  ctx.eval.budget = &budget;
  const std::vector<OfferDecision> decisions = Eligible(*offers_, ledger_, ctx);
  const json lists = DecisionsToJson(decisions, *offers_);
  return ObjectText()
      .Add("eligible", lists["eligible"])
      .Add("ineligible", lists["ineligible"])
      .Add("ok", true)
      .Close();
}

std::string Activity::RecordOffer(std::string_view input, const UserView& user, bool* changed) {
  Result<json> parsed = ParseObject(input, "the offer record");
  if (!parsed.ok()) return FailureText({parsed.error()});
  const json& in = parsed.value();
  if (offers_ == nullptr) {
    return FailureText(ErrorCode::kInvalidRule, "", "no offers are loaded: call offers.load(definitions) first");
  }
  const json* id = Field(in, "id");
  const json* action = Field(in, "action");
  const json* record_id = Field(in, "recordId");
  if (id == nullptr || !id->is_string()) return FailureText(ErrorCode::kWrongArgumentType, "/id", "the offer id must be text");
  if (action == nullptr || !action->is_string()) {
    return FailureText(ErrorCode::kWrongArgumentType, "/action", "the action must be \"shown\", \"clicked\" or \"redeemed\"");
  }
  if (record_id == nullptr || !record_id->is_string()) {
    return FailureText(ErrorCode::kWrongArgumentType, "/recordId", "a record id is needed");
  }
  Result<LedgerRecord> rec = MakeOfferRecord(*offers_, id->get<std::string>(), action->get<std::string>(), user.now,
                                             record_id->get<std::string>());
  if (!rec.ok()) return FailureText({rec.error()});
  // Records are not kept without the offer's purpose (DESIGN.md section 6:
  // nothing is recorded for a purpose that is off).
  const OfferDef* offer = offers_->Find(rec.value().key);
  if (offer != nullptr && !IsGranted(offer->purpose, user.purposes)) return NotRecordedText("consent");
  const bool added = ledger_.Add(rec.value());
  *changed = added || *changed;
  ledger_.Bound();
  const LedgerRecord& r = rec.value();
  return ObjectText()
      .Add("ok", true)
      .Add("recorded", added)
      .Add("reason", added ? "" : "duplicate")
      .AddText("record", ObjectText().Add("id", r.id).Add("offer", r.key).Add("action", r.action).Add("at", r.at).Close())
      .Close();
}

// Written as text in the keys' alphabetical order (what a plain json object
// printed before): the page runtime links this for exportData(), and building
// the nlohmann tree with initializer lists was 3 KB gz of its code.
std::string Activity::ExportText() const {
  std::vector<std::string> assignments;
  for (const Assignment& a : ledger_.assignments()) {
    assignments.push_back(ObjectText()
                              .Add("at", a.at)
                              .Add("experiment", a.experiment.substr(0, a.experiment.rfind("__")))
                              .Add("hashAttribute", a.hash_attribute)
                              .Add("hashValue", a.hash_value)
                              .Add("variation", a.variation)
                              .Add("variationKey", a.data.value("key", std::to_string(a.variation)))
                              .Close());
  }
  std::vector<std::string> conversions, offers;
  for (const LedgerRecord& r : ledger_.records()) {
    if (r.kind == "conversion") {
      ObjectText c;
      c.Add("at", r.at).Add("experiment", r.key).Add("metric", r.action);
      if (auto value = r.data.find("value"); value != r.data.end()) c.Add("value", *value);
      conversions.push_back(c.Add("variation", r.data.value("variation", 0)).Close());
    } else if (r.kind == "offer") {
      offers.push_back(ObjectText().Add("action", r.action).Add("at", r.at).Add("offer", r.key).Close());
    }
  }
  std::vector<std::string> totals;
  for (const auto& [k, n] : ledger_.totals()) {
    totals.push_back(ObjectText()
                         .Add("action", std::get<2>(k))
                         .Add("count", n)
                         .Add("key", std::get<1>(k))
                         .Add("kind", std::get<0>(k))
                         .Close());
  }
  return ObjectText()
      .AddText("assignments", ArrayText(assignments))
      .AddText("conversions", ArrayText(conversions))
      .AddText("offers", ArrayText(offers))
      .AddText("olderTotals", ArrayText(totals))
      .Close();
}

void Activity::PruneForPurposes(const PurposeSet& purposes) {
  ledger_.PruneForPurposes(purposes, [&](const LedgerRecord& r) -> std::string {
    if (r.kind == kOfferRecordKind) {
      const OfferDef* def = offers_ != nullptr ? offers_->Find(r.key) : nullptr;
      return def != nullptr ? def->purpose : std::string("marketing");
    }
    if (r.kind == "conversion") return r.data.value("purpose", std::string("analytics"));
    return std::string(kNecessaryPurpose);
  });
}

}  // namespace tagwise::internal
