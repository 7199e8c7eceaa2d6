// Evaluating a catalog for one user: runs the catalog's plan (tags in
// dependency order, exclusive groups resolved once all their members are
// known), answering `tag`/`tag_value` from the decisions made so far.
#include "tagwise/engine.h"

#include <algorithm>
#include <cmath>

#include "common/js_value.h"

namespace tagwise {

using nlohmann::json;

ServerTags ServerTagsOf(const Profile& profile) {
  ServerTags s;
  s.as_of = profile.as_of();
  s.tags = profile.server_tags();
  return s;
}

std::optional<int64_t> ServerTagExpiresAt(const json& entry) {
  if (!entry.is_object()) return std::nullopt;
  auto e = entry.find("expires_at");
  if (e == entry.end() || !e->is_number()) return std::nullopt;
  constexpr int64_t kLimit = 9'000'000'000'000'000;
  if (e->is_number_integer() && !e->is_number_unsigned()) return std::clamp<int64_t>(e->get<int64_t>(), -kLimit, kLimit);
  const double d = e->get<double>();  // unsigned and floating point: any size
  if (std::isnan(d)) return std::nullopt;
  return static_cast<int64_t>(std::clamp(d, -9e15, 9e15));
}

std::string_view DecisionSourceName(DecisionSource s) {
  switch (s) {
    case DecisionSource::kRule: return "rule";
    case DecisionSource::kParentTag: return "parentTag";
    case DecisionSource::kExclusiveLoser: return "exclusiveLoser";
    case DecisionSource::kConsentDenied: return "consentDenied";
    case DecisionSource::kExpired: return "expired";
    case DecisionSource::kServer: return "server";
    case DecisionSource::kError: return "error";
  }
  return "rule";
}

namespace {

bool PurposeOn(const EngineOptions& options, const std::string& purpose) {
  return IsGranted(purpose, &options.purposes);
}

}  // namespace

bool EvaluationTagResolver::HasTag(std::string_view id) const {
  int i = catalog_.IndexOf(id);
  return i >= 0 && static_cast<size_t>(i) < eval_.decisions.size() && eval_.decisions[static_cast<size_t>(i)].holds;
}

json EvaluationTagResolver::TagValue(std::string_view id) const {
  int i = catalog_.IndexOf(id);
  return i >= 0 && static_cast<size_t>(i) < eval_.decisions.size() ? eval_.decisions[static_cast<size_t>(i)].value : json(nullptr);
}

Engine::Engine(std::shared_ptr<const Catalog> catalog, EngineOptions options)
    : catalog_(std::move(catalog)), options_(std::move(options)) {}

void Engine::RunSteps(const Profile& profile, const ServerTags& server, int64_t now, const std::vector<bool>* only,
                      Evaluation* out, WhereVerdicts* verdicts) const {
  const auto& tags = catalog_->tags();
  out->now = now;
  out->decisions.resize(tags.size());
  EvaluationTagResolver resolver(*catalog_, *out);
  AggregateMemo aggregates;  // this pass only: one profile, one `now`
  EvalContext ctx;
  ctx.now = now;
  ctx.profile = &profile;
  ctx.tags = &resolver;
  ctx.aggregates = &aggregates;
  ctx.where_verdicts = verdicts;
  EvalBudget budget{options_.max_pass_steps, options_.max_pass_bytes};
  ctx.budget = &budget;
  // A tag's rule may use a quarter of the pass at most: one runaway tag
  // fails alone (evaluation_limit) instead of starving every tag after it.
  ctx.options.max_steps = std::min(ctx.options.max_steps, std::max<int64_t>(1, options_.max_pass_steps / 4));
  const json& data = profile.attributes();
  auto selected = [&](int i) { return only == nullptr || (*only)[static_cast<size_t>(i)]; };

  for (const Catalog::Step& step : catalog_->plan()) {
    if (step.kind == Catalog::Step::kGroup) {
      const GroupDef& g = catalog_->groups()[static_cast<size_t>(step.index)];
      if (!std::any_of(g.members.begin(), g.members.end(), selected)) continue;
      // Highest priority wins, then catalog order; the others are suppressed.
      int winner = -1;
      for (int m : g.members) {
        if (!out->decisions[static_cast<size_t>(m)].holds) continue;
        if (winner < 0 || tags[static_cast<size_t>(m)].priority > tags[static_cast<size_t>(winner)].priority) winner = m;
      }
      for (int m : g.members) {
        TagDecision& d = out->decisions[static_cast<size_t>(m)];
        if (m == winner || !d.holds) continue;
        d.holds = false;
        d.value = nullptr;
        d.source = DecisionSource::kExclusiveLoser;
        d.suppressed_by = tags[static_cast<size_t>(winner)].id;
      }
      continue;
    }
    const int i = step.index;
    if (!selected(i)) continue;
    const TagDef& t = tags[static_cast<size_t>(i)];
    TagDecision d;
    if (!PurposeOn(options_, t.purpose)) {
      d.source = DecisionSource::kConsentDenied;
      out->decisions[static_cast<size_t>(i)] = std::move(d);
      continue;
    }
    if (t.server) {
      d.source = DecisionSource::kServer;
      auto it = server.tags.find(t.id);
      if (it != server.tags.end()) {
        int64_t expires = INT64_MAX;
        if (std::optional<int64_t> at = ServerTagExpiresAt(*it)) {
          expires = *at;
        } else if (t.ttl_ms) {
          expires = server.as_of + *t.ttl_ms;
        }
        if (now > expires) {
          d.source = DecisionSource::kExpired;
        } else {
          d.holds = true;
          d.value = it->is_object() && it->contains("value") ? (*it)["value"] : json(true);
          if (d.value.is_null()) d.value = true;
        }
      }
    } else if (t.when) {
      Result<json> r = t.when->Evaluate(data, ctx);
      if (!r.ok()) {
        d.source = DecisionSource::kError;
        d.error = r.error().message;
      } else {
        d.holds = js::Truthy(r.value());
      }
    }
    if (!d.holds && d.source != DecisionSource::kConsentDenied) {
      for (int c : t.children) {
        if (out->decisions[static_cast<size_t>(c)].holds) {
          d.holds = true;
          d.source = DecisionSource::kParentTag;
          d.error.clear();
          break;
        }
      }
    }
    if (d.holds && !t.server) {
      if (t.value) {
        Result<json> v = t.value->Evaluate(data, ctx);
        d.value = v.ok() ? v.value() : json(nullptr);
        if (!v.ok()) d.error = v.error().message;
      } else {
        d.value = true;
      }
    }
    out->decisions[static_cast<size_t>(i)] = std::move(d);
  }
}

Evaluation Engine::EvaluateAll(const Profile& profile, const ServerTags& server, int64_t now,
                               WhereVerdicts* verdicts) const {
  Evaluation e;
  RunSteps(profile, server, now, nullptr, &e, verdicts);
  return e;
}

TagChanges Engine::Diff(const Catalog& catalog, const Evaluation& before, const Evaluation& after) {
  TagChanges c;
  for (size_t i = 0; i < catalog.tags().size(); ++i) {
    bool was = i < before.decisions.size() && before.decisions[i].holds;
    bool is = i < after.decisions.size() && after.decisions[i].holds;
    const std::string& id = catalog.tags()[i].id;
    if (is && !was) c.entered.push_back(id);
    else if (was && !is) c.left.push_back(id);
    else if (was && is && before.decisions[i].value != after.decisions[i].value) c.changed.push_back(id);
  }
  return c;
}

TagChanges Engine::Reevaluate(const Profile& profile, const ServerTags& server, int64_t now,
                              const std::vector<std::string>& event_types, Evaluation* previous) const {
  if (previous->decisions.size() != catalog_->tags().size()) {
    Evaluation fresh = EvaluateAll(profile, server, now);
    TagChanges c = Diff(*catalog_, *previous, fresh);
    *previous = std::move(fresh);
    return c;
  }
  std::vector<bool> only(catalog_->tags().size(), false);
  for (const std::string& type : event_types) {
    for (int i : catalog_->AffectedByEventType(type)) only[static_cast<size_t>(i)] = true;
  }
  Evaluation next = *previous;
  RunSteps(profile, server, now, &only, &next);
  TagChanges c = Diff(*catalog_, *previous, next);
  *previous = std::move(next);
  return c;
}

Result<json> Engine::Explain(const Profile& profile, const ServerTags& server, int64_t now,
                             std::string_view tag_id) const {
  int i = catalog_->IndexOf(tag_id);
  if (i < 0) return Error{ErrorCode::kUnknownTag, "", "there is no tag with id \"" + std::string(tag_id) + "\""};
  Evaluation all = EvaluateAll(profile, server, now);
  const TagDef& t = catalog_->tags()[static_cast<size_t>(i)];
  const TagDecision& d = all.decisions[static_cast<size_t>(i)];
  // Filled with operator[]: an initializer list decides at run time whether
  // it is an object, which is much more code for the same (sorted) object.
  json out = json::object();
  out["id"] = t.id;
  out["name"] = t.name;
  out["dimension"] = t.dimension;
  out["holds"] = d.holds;
  out["value"] = d.value;
  out["source"] = DecisionSourceName(d.source);
  out["purpose"] = t.purpose;
  if (!d.suppressed_by.empty()) out["suppressed_by"] = d.suppressed_by;
  if (!d.error.empty()) out["error"] = d.error;
  if (!t.parent.empty()) out["parent"] = t.parent;
  if (!t.group.empty()) out["group"] = t.group;
  json holding = json::array();
  for (int c : t.children) {
    if (all.decisions[static_cast<size_t>(c)].holds) holding.push_back(catalog_->tags()[static_cast<size_t>(c)].id);
  }
  if (!holding.empty()) out["children_holding"] = holding;
  if (d.source == DecisionSource::kConsentDenied || t.server) return out;
  EvaluationTagResolver resolver(*catalog_, all);
  EvalContext ctx;
  ctx.now = now;
  ctx.profile = &profile;
  ctx.tags = &resolver;
  if (t.when) {
    Result<json> tree = t.when->Trace(profile.attributes(), ctx);
    if (tree.ok()) out["when"] = tree.value();
  }
  if (t.value) {
    Result<json> tree = t.value->Trace(profile.attributes(), ctx);
    if (tree.ok()) out["value_rule"] = tree.value();
  }
  return out;
}

}  // namespace tagwise
