// The session's hints and recommend() (see hints_session.h): reads the
// options, runs the scorer (recommend.cpp), writes the answer.
#include "recommend/hints_session.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/answer.h"
#include "tagwise/error.h"
#include "tagwise/hints.h"
#include "tagwise/json_text.h"
#include "tagwise/recommend.h"
#include "tagwise/rule.h"

namespace tagwise::internal {
namespace {

using nlohmann::json;

// Most items one call may return: a page shows tens; thousands would be a bug.
constexpr size_t kMaxK = 1000;

// context: "item" | ["item", ...] | {"item": "...", "cart": [...]}
Result<std::vector<std::string>> ContextItems(const json& j) {
  if (j.is_string()) return std::vector<std::string>{j.get<std::string>()};
  if (j.is_array()) return StringList(j, "/context");
  if (!j.is_object()) return OptionError("/context", "Expected the page item id, a list of ids or {item, cart}.");
  std::vector<std::string> out;
  for (const auto& [key, value] : j.items()) {
    if (key == "item") {
      if (value.is_null()) continue;
      if (!value.is_string()) return OptionError("/context/item", "Expected the page item id (a string).");
      out.push_back(value.get<std::string>());
    } else if (key == "cart") {
      Result<std::vector<std::string>> cart = StringList(value, "/context/cart");
      if (!cart.ok()) return cart.error();
      out.insert(out.end(), cart.value().begin(), cart.value().end());
    } else {
      return OptionError(JoinPointer("/context", key), "Unknown context field (expected item or cart).");
    }
  }
  return out;
}

// boosts: [{"tag"?, "category"?, "items"?, "factor"}]; a tag boost applies
// only while the visitor holds the tag.
Result<std::vector<RecommendBoost>> Boosts(const json& j, const std::vector<std::string>& held) {
  if (!j.is_array()) return OptionError("/boosts", "Expected a list of boosts.");
  std::vector<RecommendBoost> out;
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string path = "/boosts/" + std::to_string(i);
    const json& b = j[i];
    if (!b.is_object()) return OptionError(path, "Expected {tag?, category?, items?, factor}.");
    RecommendBoost boost;
    auto factor = b.find("factor");
    if (factor == b.end() || !factor->is_number() || !(factor->get<double>() > 0) ||
        !std::isfinite(factor->get<double>())) {
      return OptionError(path + "/factor", "A boost needs a factor: a number greater than 0.");
    }
    boost.factor = factor->get<double>();
    bool applies = true;
    if (auto tag = b.find("tag"); tag != b.end()) {
      if (!tag->is_string()) return OptionError(path + "/tag", "Expected a tag id.");
      boost.label = tag->get<std::string>();
      applies = std::find(held.begin(), held.end(), boost.label) != held.end();
    }
    if (auto c = b.find("category"); c != b.end()) {
      if (!c->is_string()) return OptionError(path + "/category", "Expected a category name.");
      boost.category = c->get<std::string>();
      if (boost.label.empty()) boost.label = boost.category;
    }
    if (auto items = b.find("items"); items != b.end()) {
      Result<std::vector<std::string>> ids = StringList(*items, path + "/items");
      if (!ids.ok()) return ids.error();
      boost.items = std::move(ids).value();
    }
    if (boost.category.empty() && boost.items.empty()) {
      return OptionError(path, "A boost names a category or items to boost.");
    }
    if (applies) out.push_back(std::move(boost));
  }
  return out;
}

// The visitor's segments in preference order: explicit ones, else for every
// segment key of the hints the visitor's attribute of that name, and for the
// key "tag" each held tag.
Result<std::vector<std::pair<std::string, std::string>>> Segments(const json* given, const Hints& hints,
                                                                 const UserView& v) {
  std::vector<std::pair<std::string, std::string>> out;
  if (given != nullptr) {
    if (!given->is_object()) return OptionError("/segments", "Expected {key: value}, e.g. {\"country\": \"CN\"}.");
    for (const auto& [key, value] : given->items()) {
      if (!value.is_string()) return OptionError(JoinPointer("/segments", key), "Expected a string value.");
      out.emplace_back(key, value.get<std::string>());
    }
    return out;
  }
  std::set<std::string> keys;
  for (const SegmentList& s : hints.segments) keys.insert(s.key);
  for (const std::string& key : keys) {
    if (key == "tag") {
      for (const std::string& t : v.held_tags) out.emplace_back("tag", t);
      continue;
    }
    if (v.profile == nullptr || !v.profile->attributes().is_object()) continue;
    auto a = v.profile->attributes().find(key);
    if (a == v.profile->attributes().end()) continue;
    if (a->is_string()) out.emplace_back(key, a->get<std::string>());
    else if (a->is_number() || a->is_boolean()) out.emplace_back(key, a->dump());
  }
  return out;
}

// The rule a `filter` option holds, evaluated per candidate item.
struct ItemFilter {
  std::shared_ptr<const Rule> rule;
  EvalContext ctx;
  mutable size_t failures = 0;  // items rejected because the rule failed on them

  bool operator()(const HintItem& item) const {
    // Filled with operator[]: an initializer list decides at run time whether
    // it is an object, which is much more code for the same object.
    json data = json::object();
    data["id"] = item.id;
    data["name"] = item.name;
    data["category"] = item.category;
    data["price"] = item.price < 0 ? json(nullptr) : json(item.price);
    data["available"] = item.available;
    data["buyers"] = item.buyers;
    Result<json> r = rule->Evaluate(data, ctx);
    if (!r.ok()) {
      ++failures;
      return false;
    }
    return IsTruthy(r.value());
  }
};

std::string ReasonText(const RecommendReason& r) {
  ObjectText o;
  o.Add("code", r.code);
  if (!r.item.empty()) o.Add("item", r.item);
  if (r.code == "segment") {
    o.Add("key", r.key).Add("value", r.value);
  } else if (r.code == "boost") {
    o.Add("label", r.key).Add("factor", r.weight);
  } else if (r.code == "similar" || r.code == "bought_together") {
    o.Add("from", r.key).Add("share", r.weight);  // from: "history" or "context"
  }
  return o.Close();
}

std::string RecommendationText(const Recommendation& rec, const Hints& hints) {
  ObjectText o;
  o.Add("item", rec.item).Add("score", rec.score);
  if (std::optional<uint32_t> i = hints.Find(rec.item)) {
    const HintItem& it = hints.items[*i];
    if (!it.name.empty()) o.Add("name", it.name);
    if (!it.category.empty()) o.Add("category", it.category);
    if (it.price >= 0) o.Add("price", it.price);
  }
  std::vector<std::string> reasons;
  reasons.reserve(rec.reasons.size());
  for (const RecommendReason& r : rec.reasons) reasons.push_back(ReasonText(r));
  return o.AddText("reasons", ArrayText(reasons)).Close();
}

// The item events of the profile: events whose props name an item.
std::vector<ItemEvent> ItemEvents(const Profile* profile) {
  std::vector<ItemEvent> out;
  if (profile == nullptr) return out;
  for (const Event& e : profile->events()) {
    if (!e.props.is_object()) continue;
    auto item = e.props.find("item");
    if (item == e.props.end() || !item->is_string()) continue;
    out.push_back({item->get_ref<const std::string&>(), e.type, e.ts});
  }
  return out;
}

Result<RecommendRequest> ReadRequest(const json& o, const Hints& hints, const UserView& v,
                                     std::shared_ptr<ItemFilter>* filter, RecommendParams* params) {
  RecommendRequest req;
  req.personal = v.personal;
  const json* segments = nullptr;
  for (const auto& [key, value] : o.items()) {
    const std::string path = JoinPointer("", key);
    if (key == "k") {
      if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > int64_t{kMaxK})
        return OptionError(path, "k is the number of items: an integer from 1 to 1000.");
      req.k = value.get<size_t>();
    } else if (key == "context") {
      Result<std::vector<std::string>> c = ContextItems(value);
      if (!c.ok()) return c.error();
      req.context_items = std::move(c).value();
    } else if (key == "exclude") {
      Result<std::vector<std::string>> e = StringList(value, path);
      if (!e.ok()) return e.error();
      req.exclude = std::move(e).value();
    } else if (key == "excludePurchased") {
      if (!value.is_boolean()) return OptionError(path, "Expected true or false.");
      req.exclude_purchased = value.get<bool>();
    } else if (key == "diversity") {
      if (!value.is_number() || !(value.get<double>() >= 0 && value.get<double>() <= 1))
        return OptionError(path, "diversity is a number from 0 (off) to 1 (one item per category).");
      req.diversity = value.get<double>();
    } else if (key == "boosts") {
      Result<std::vector<RecommendBoost>> b = Boosts(value, v.held_tags);
      if (!b.ok()) return b.error();
      req.boosts = std::move(b).value();
    } else if (key == "segments") {
      segments = &value;
    } else if (key == "weights") {
      if (!value.is_object()) return OptionError(path, "Expected {eventType: weight}.");
      for (const auto& [type, w] : value.items()) {
        if (!w.is_number() || !(w.get<double>() >= 0) || !std::isfinite(w.get<double>()))
          return OptionError(JoinPointer(path, type), "A weight is a number >= 0.");
        params->type_weights[type] = w.get<double>();
      }
    } else if (key == "filter") {
      CompileResult c = CompileRule(value);
      if (!c.ok()) {
        for (const Error& e : c.issues) {
          if (e.severity == Severity::kError) return Error{e.code, "/filter" + e.path, e.message, Severity::kError};
        }
      }
      auto f = std::make_shared<ItemFilter>();
      f->rule = c.rule;
      f->ctx.now = v.now;
      *filter = f;
      req.filter = [f](const HintItem& item) { return (*f)(item); };
    } else {
      return OptionError(path,
                         "Unknown option (expected k, context, exclude, excludePurchased, diversity, filter, boosts, "
                         "segments or weights).");
    }
  }
  Result<std::vector<std::pair<std::string, std::string>>> s = Segments(segments, hints, v);
  if (!s.ok()) return s.error();
  req.segments = std::move(s).value();
  return req;
}

}  // namespace

std::string HintsSession::Load(std::string_view bytes, std::string_view expected_catalog_version) {
  Result<Hints> h = DecodeHints(bytes, expected_catalog_version);
  if (!h.ok()) return FailureText({h.error()});
  hints_ = std::move(h).value();
  return ObjectText().Add("ok", true).AddText("info", HintsInfoText(*hints_)).Close();
}

std::string HintsSession::Info() const {
  return ObjectText().Add("ok", true).AddText("info", hints_ ? HintsInfoText(*hints_) : "null").Close();
}

// The recommendation itself, as the JSON object Recommend() returns (before
// the session's tag changes are added to it).
ObjectText HintsSession::RecommendAnswer(std::string_view options_json, const UserView& visitor) const {
  const auto failure = [](const Error& e) {
    ObjectText o;
    o.Add("ok", false).AddText("errors", ProblemsText({e})).AddText("warnings", "[]");
    return o;
  };
  if (!hints_) {
    return failure(OptionError("", "No hints are loaded: call loadHints(bytes) before recommend()."));
  }
  Result<json> parsed = ParseJson(options_json, "recommend options");
  if (!parsed.ok()) return failure(parsed.error());
  if (!parsed.value().is_object()) return failure(OptionError("", "recommend() takes an options object."));
  RecommendParams params;
  std::shared_ptr<ItemFilter> filter;
  Result<RecommendRequest> req = ReadRequest(parsed.value(), *hints_, visitor, &filter, &params);
  if (!req.ok()) return failure(req.error());
  const std::vector<ItemEvent> history = visitor.personal ? ItemEvents(visitor.profile) : std::vector<ItemEvent>{};
  RecommendResult r = tagwise::Recommend(*hints_, history, req.value(), params);
  std::vector<std::string> items;
  items.reserve(r.items.size());
  for (const Recommendation& rec : r.items) items.push_back(RecommendationText(rec, *hints_));
  std::vector<Error> warnings;
  if (filter && filter->failures > 0) {
    warnings.push_back(Error{ErrorCode::kWrongArgumentType, "/filter",
                             "The filter failed on " + std::to_string(filter->failures) +
                                 " item(s); they were left out.",
                             Severity::kWarning});
  }
  ObjectText o;
  o.Add("ok", true)
      .AddText("items", ArrayText(items))
      .Add("source", r.source)
      .Add("unknownItems", r.unknown_items)
      .AddText("warnings", ProblemsText(warnings));
  return o;
}

std::string HintsSession::Recommend(std::string_view options_json, const UserView& visitor,
                                    const TagChanges& changes) const {
  // The fields of the visitor session's other answers' "changes" (wasm ChangesText).
  const std::string changes_text =
      ObjectText().Add("entered", changes.entered).Add("left", changes.left).Add("changed", changes.changed).Close();
  return RecommendAnswer(options_json, visitor).AddText("changes", changes_text).Close();
}

}  // namespace tagwise::internal
