#include "tagwise/experiment_run.h"

#include <cmath>
#include <string_view>
#include <utility>

#include "common/js_value.h"
#include "common/suggestions.h"
#include "tagwise/condition.h"
#include "tagwise/purposes.h"

namespace tagwise {
namespace {

using json = nlohmann::json;

constexpr std::string_view kFields[] = {
    "key", "variations", "weights", "coverage", "hashAttribute", "hashVersion", "seed", "namespace",
    "ranges", "condition", "rule", "force", "active", "status", "meta", "bucketVersion",
    "disableStickyBucketing", "purpose", "name", "phase", "description"};
// GrowthBook fields tagwise does not implement. Ignoring targeting silently
// would put the wrong users in, so they are errors, each saying what to use.
constexpr std::pair<std::string_view, std::string_view> kUnsupported[] = {
    {"filters", "use \"namespace\" for mutually exclusive experiments"},
    {"urlPatterns", "target pages with \"condition\" or \"rule\" on an attribute"},
    {"url", "target pages with \"condition\" or \"rule\" on an attribute"},
    {"include", "functions cannot be given as JSON; use \"rule\""},
    {"groups", "use \"condition\" with $inGroup"},
    {"parentConditions", "use \"condition\" or \"rule\""},
    {"fallbackAttribute", "give the hash attribute in the attributes"},
    {"minBucketVersion", "raise \"bucketVersion\" to re-randomise"},
    {"contextualBandit", "bandits are not supported"},
    {"persistQueryString", "pass the URL in the run options"},
};

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Field names are short: a shared 3-letter prefix, or one or two edits (a
// slip, a swap), is a likely typo.
std::string_view Closest(std::string_view v) {
  if (std::string_view c = internal::PrefixMatch(v, kFields); !c.empty()) return c;
  // Names of four characters or fewer allow one edit, longer ones two. (This
  // used to take the first field within reach, not the closest; for kFields
  // the two agree on every word one edit from a field, the only words where
  // they could differ.)
  return internal::ClosestMatch(
      v, kFields, {.max_distance = [](size_t, size_t candidate) -> size_t { return candidate >= 5 ? 2 : 1; }});
}

class ExperimentCompiler {
 public:
  explicit ExperimentCompiler(const ExperimentCompileOptions& options) : options_(options) {}

  ExperimentCompileResult Compile(const json& j) {
    ExperimentCompileResult out;
    if (!j.is_object()) {
      Fail("", ErrorCode::kWrongArgumentType, "an experiment definition must be a JSON object");
      out.issues = std::move(issues_);
      return out;
    }
    auto def = std::make_shared<ExperimentDef>();
    def->source = j;
    for (const auto& [k, v] : j.items()) {
      bool known = false;
      for (std::string_view f : kFields) known = known || f == k;
      if (known) continue;
      bool unsupported = false;
      for (const auto& [name, hint] : kUnsupported) {
        if (name == k) {
          Fail("/" + k, ErrorCode::kInvalidRule,
               "GrowthBook's \"" + k + "\" is not supported by tagwise: " + std::string(hint));
          unsupported = true;
        }
      }
      if (unsupported) continue;
      Fail(JoinPointer("", k), ErrorCode::kInvalidRule, "unknown field " + Quote(k) + internal::DidYouMean(Closest(k)));
    }
    ReadKey(j, def.get());
    ReadVariations(j, def.get());
    ReadNumbers(j, def.get());
    ReadStrings(j, def.get());
    ReadNamespace(j, def.get());
    ReadRanges(j, def.get());
    ReadMeta(j, def.get());
    ReadTargeting(j, def.get());
    bool any_error = false;
    for (const Error& e : issues_) any_error = any_error || e.severity == Severity::kError;
    if (!any_error) out.def = std::move(def);
    out.issues = std::move(issues_);
    return out;
  }

 private:
  void Fail(std::string path, ErrorCode code, std::string message, Severity severity = Severity::kError) {
    issues_.push_back(Error{code, std::move(path), std::move(message), severity});
  }

  static const json* Get(const json& j, std::string_view key) {
    auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
  }

  void ReadKey(const json& j, ExperimentDef* def) {
    const json* k = Get(j, "key");
    if (k == nullptr) return Fail("/key", ErrorCode::kInvalidRule, "an experiment needs a \"key\" (its id)");
    if (!k->is_string() || k->get_ref<const std::string&>().empty()) {
      return Fail("/key", ErrorCode::kWrongArgumentType, "\"key\" must be non-empty text");
    }
    def->key = k->get<std::string>();
  }

  void ReadVariations(const json& j, ExperimentDef* def) {
    const json* v = Get(j, "variations");
    if (v == nullptr || !v->is_array()) {
      return Fail("/variations", v == nullptr ? ErrorCode::kInvalidRule : ErrorCode::kWrongArgumentType,
                  "\"variations\" must be a list of at least 2 values (the control first)");
    }
    if (v->size() < 2) {
      return Fail("/variations", ErrorCode::kInvalidRule,
                  "an experiment needs at least 2 variations; it has " + std::to_string(v->size()));
    }
    if (v->size() > options_.max_variations) {
      return Fail("/variations", ErrorCode::kTooLarge,
                  "at most " + std::to_string(options_.max_variations) + " variations");
    }
    def->variations.assign(v->begin(), v->end());
  }

  void ReadNumbers(const json& j, ExperimentDef* def) {
    const size_t n = def->variations.size();
    if (const json* w = Get(j, "weights"); w != nullptr && !w->is_null()) {
      if (!w->is_array()) {
        Fail("/weights", ErrorCode::kWrongArgumentType, "\"weights\" must be a list of numbers");
      } else {
        double sum = 0;
        bool ok = true;
        for (size_t i = 0; i < w->size(); ++i) {
          const json& x = (*w)[i];
          if (!x.is_number() || x.get<double>() < 0 || !std::isfinite(x.get<double>())) {
            Fail("/weights/" + std::to_string(i), ErrorCode::kWrongArgumentType,
                 "a weight must be a number from 0 to 1");
            ok = false;
            continue;
          }
          sum += x.get<double>();
          def->weights.push_back(x.get<double>());
        }
        if (ok && n > 0 && w->size() != n) {
          Fail("/weights", ErrorCode::kInvalidRule,
               "there are " + std::to_string(w->size()) + " weights for " + std::to_string(n) + " variations");
        } else if (ok && (sum < 0.99 || sum > 1.01)) {
          Fail("/weights", ErrorCode::kInvalidRule,
               "the weights add up to " + js::NumberToString(sum) + "; they must add up to 1");
        }
      }
    }
    if (const json* c = Get(j, "coverage"); c != nullptr && !c->is_null()) {
      if (!c->is_number() || !(c->get<double>() >= 0 && c->get<double>() <= 1)) {
        Fail("/coverage", ErrorCode::kWrongArgumentType,
             "\"coverage\" must be a number from 0 to 1 (the share of users in the experiment)");
      } else {
        def->coverage = c->get<double>();
      }
    }
    if (const json* h = Get(j, "hashVersion"); h != nullptr && !h->is_null()) {
      if (!h->is_number_integer() || (h->get<int64_t>() != 1 && h->get<int64_t>() != 2)) {
        Fail("/hashVersion", ErrorCode::kWrongArgumentType, "\"hashVersion\" must be 1 or 2");
      } else {
        def->hash_version = h->get<int>();
      }
    }
    if (const json* f = Get(j, "force"); f != nullptr) {
      if (f->is_null()) {
        def->force = -1;  // GrowthBook: `force: undefined` present means "not in"
      } else if (!f->is_number_integer() || f->get<int64_t>() < 0 || static_cast<size_t>(f->get<int64_t>()) >= std::max<size_t>(n, 1)) {
        Fail("/force", ErrorCode::kWrongArgumentType,
             "\"force\" must be a variation index from 0 to " + std::to_string(n == 0 ? 0 : n - 1));
      } else {
        def->force = f->get<int>();
      }
    }
    if (const json* b = Get(j, "bucketVersion"); b != nullptr && !b->is_null()) {
      if (!b->is_number_integer() || b->get<int64_t>() < 0 || b->get<int64_t>() > 1'000'000) {
        Fail("/bucketVersion", ErrorCode::kWrongArgumentType, "\"bucketVersion\" must be a whole number from 0");
      } else {
        def->bucket_version = b->get<int>();
      }
    }
    for (auto [field, target] : {std::pair<const char*, bool*>{"active", &def->active},
                                 std::pair<const char*, bool*>{"disableStickyBucketing", &def->disable_sticky}}) {
      if (const json* a = Get(j, field); a != nullptr && !a->is_null()) {
        if (!a->is_boolean()) {
          Fail(std::string("/") + field, ErrorCode::kWrongArgumentType, Quote(field) + " must be true or false");
        } else {
          *target = a->get<bool>();
        }
      }
    }
  }

  void ReadStrings(const json& j, ExperimentDef* def) {
    if (const json* h = Get(j, "hashAttribute"); h != nullptr && !h->is_null()) {
      if (!h->is_string()) {
        Fail("/hashAttribute", ErrorCode::kWrongArgumentType, "\"hashAttribute\" must be an attribute name");
      } else if (!h->get_ref<const std::string&>().empty()) {
        def->hash_attribute = h->get<std::string>();
      }
    }
    if (const json* s = Get(j, "seed"); s != nullptr && !s->is_null()) {
      if (!s->is_string()) {
        Fail("/seed", ErrorCode::kWrongArgumentType, "\"seed\" must be text");
      } else {
        def->seed = s->get<std::string>();
      }
    }
    if (const json* s = Get(j, "status"); s != nullptr && !s->is_null()) {
      std::string v = s->is_string() ? s->get<std::string>() : "";
      if (v != "draft" && v != "running" && v != "stopped") {
        Fail("/status", ErrorCode::kWrongArgumentType, "\"status\" must be \"draft\", \"running\" or \"stopped\"");
      } else {
        def->status = v;
      }
    }
    if (const json* p = Get(j, "purpose"); p != nullptr && !p->is_null()) {
      std::string v = p->is_string() ? p->get<std::string>() : "";
      bool known = false;
      for (std::string_view k : kPurposes) known = known || k == v;
      if (!known) {
        Fail("/purpose", ErrorCode::kWrongArgumentType,
             "\"purpose\" must be one of necessary, security, personalization, marketing, analytics");
      } else {
        def->purpose = v;
      }
    }
  }

  static bool IsUnit(const json& x) {
    return x.is_number() && x.get<double>() >= 0 && x.get<double>() <= 1;
  }

  void ReadNamespace(const json& j, ExperimentDef* def) {
    const json* ns = Get(j, "namespace");
    if (ns == nullptr || ns->is_null()) return;
    if (!ns->is_array() || ns->size() != 3 || !(*ns)[0].is_string() || !IsUnit((*ns)[1]) || !IsUnit((*ns)[2])) {
      return Fail("/namespace", ErrorCode::kWrongArgumentType,
                  "\"namespace\" must be [id, start, end] with 0 <= start <= end <= 1");
    }
    if ((*ns)[1].get<double>() > (*ns)[2].get<double>()) {
      return Fail("/namespace/2", ErrorCode::kInvalidRule, "the namespace range ends before it starts");
    }
    def->ns = ExperimentDef::Namespace{(*ns)[0].get<std::string>(), (*ns)[1].get<double>(), (*ns)[2].get<double>()};
  }

  void ReadRanges(const json& j, ExperimentDef* def) {
    const json* r = Get(j, "ranges");
    if (r == nullptr || r->is_null()) return;
    if (!r->is_array() || r->size() != def->variations.size()) {
      return Fail("/ranges", ErrorCode::kWrongArgumentType,
                  "\"ranges\" must be one [start, end] pair per variation");
    }
    for (size_t i = 0; i < r->size(); ++i) {
      const json& p = (*r)[i];
      if (!p.is_array() || p.size() != 2 || !IsUnit(p[0]) || !IsUnit(p[1]) || p[0].get<double>() > p[1].get<double>()) {
        Fail("/ranges/" + std::to_string(i), ErrorCode::kWrongArgumentType,
             "a range must be [start, end] with 0 <= start <= end <= 1");
        continue;
      }
      def->ranges.push_back(BucketRange{p[0].get<double>(), p[1].get<double>()});
    }
  }

  void ReadMeta(const json& j, ExperimentDef* def) {
    const json* m = Get(j, "meta");
    if (m == nullptr || m->is_null()) return;
    if (!m->is_array() || m->size() != def->variations.size()) {
      return Fail("/meta", ErrorCode::kWrongArgumentType, "\"meta\" must be one {key, name} object per variation");
    }
    std::set<std::string> keys;
    for (size_t i = 0; i < m->size(); ++i) {
      const json& e = (*m)[i];
      std::string path = "/meta/" + std::to_string(i);
      if (!e.is_object()) {
        Fail(path, ErrorCode::kWrongArgumentType, "a variation's meta must be an object");
        continue;
      }
      ExperimentDef::Meta meta;
      if (auto k = e.find("key"); k != e.end() && !k->is_null()) {
        if (!k->is_string()) Fail(path + "/key", ErrorCode::kWrongArgumentType, "\"key\" must be text");
        else meta.key = k->get<std::string>();
      }
      if (auto n = e.find("name"); n != e.end() && n->is_string()) meta.name = n->get<std::string>();
      if (auto p = e.find("passthrough"); p != e.end()) meta.passthrough = p->is_boolean() && p->get<bool>();
      if (!meta.key.empty() && !keys.insert(meta.key).second) {
        Fail(path + "/key", ErrorCode::kDuplicateId, "two variations have the key " + Quote(meta.key));
      }
      def->meta.push_back(std::move(meta));
    }
  }

  void ReadTargeting(const json& j, ExperimentDef* def) {
    if (const json* c = Get(j, "condition"); c != nullptr && !c->is_null()) {
      ConditionOptions co;
      co.saved_groups = options_.saved_groups;
      co.malformed = options_.malformed_condition;
      co.key_order = options_.condition_key_order;
      co.max_depth = options_.rule_options.max_depth;
      co.max_nodes = options_.rule_options.max_nodes;
      CompileResult r = CompileCondition(*c, co);
      for (Error e : r.issues) {
        e.path = "/condition" + e.path;
        issues_.push_back(std::move(e));
      }
      def->condition = r.rule;
    }
    if (const json* r = Get(j, "rule"); r != nullptr && !r->is_null()) {
      CompileOptions ro = options_.rule_options;
      ro.known_tags = options_.known_tags;
      CompileResult c = CompileRule(*r, ro);
      for (Error e : c.issues) {
        e.path = "/rule" + e.path;
        issues_.push_back(std::move(e));
      }
      def->rule = c.rule;
    }
  }

  const ExperimentCompileOptions& options_;
  std::vector<Error> issues_;
};

// JS parseInt(v) for the query-string override: leading blanks, a sign, digits.
std::optional<long long> ParseIntLikeJs(std::string_view v) {
  size_t i = 0;
  while (i < v.size() && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r')) ++i;
  bool neg = false;
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) neg = v[i++] == '-';
  long long n = 0;
  size_t start = i;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9' && n < 1'000'000'000) n = n * 10 + (v[i++] - '0');
  if (i == start) return std::nullopt;
  return neg ? -n : n;
}

// GrowthBook's getQueryStringOverride: "?key=1" in the URL forces variation 1.
std::optional<int> QueryStringOverride(std::string_view key, std::string_view url, size_t variations) {
  size_t q = url.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view search = url.substr(q + 1);
  search = search.substr(0, search.find('?'));  // split("?")[1]
  search = search.substr(0, search.find('#'));
  while (true) {
    size_t amp = search.find('&');
    std::string_view kv = search.substr(0, amp);
    size_t eq = kv.find('=');
    if (kv.substr(0, eq) == key) {
      std::optional<long long> n = eq == std::string_view::npos ? std::nullopt : ParseIntLikeJs(kv.substr(eq + 1));
      if (n && *n >= 0 && static_cast<size_t>(*n) < variations) return static_cast<int>(*n);
      return std::nullopt;  // GrowthBook uses only the first match
    }
    if (amp == std::string_view::npos) return std::nullopt;
    search = search.substr(amp + 1);
  }
}

ExperimentResult MakeResult(const ExperimentDef& def, int variation, bool hash_used, const std::string& hash_attribute,
                            const json& hash_value, std::string reason) {
  ExperimentResult r;
  r.in_experiment = true;
  if (variation < 0 || static_cast<size_t>(variation) >= def.variations.size()) {
    variation = 0;
    r.in_experiment = false;
  }
  r.variation_id = variation;
  r.value = def.variations[static_cast<size_t>(variation)];
  r.hash_used = hash_used;
  const ExperimentDef::Meta* meta = def.meta.empty() ? nullptr : &def.meta[static_cast<size_t>(variation)];
  r.key = meta != nullptr && !meta->key.empty() ? meta->key : std::to_string(variation);
  if (meta != nullptr) {
    r.name = meta->name;
    r.passthrough = meta->passthrough;
  }
  r.hash_attribute = hash_attribute;
  r.hash_value = hash_value;
  r.reason = std::move(reason);
  return r;
}

}  // namespace

ExperimentCompileResult CompileExperiment(const json& definition, const ExperimentCompileOptions& options) {
  return ExperimentCompiler(options).Compile(definition);
}

std::string StickyExperimentKey(const ExperimentDef& def) {
  return def.key + "__" + std::to_string(def.bucket_version);
}

ExperimentResult RunExperiment(const ExperimentDef& def, const ExperimentRunContext& ctx) {
  static const json kEmptyObject = json::object();
  const json& attrs = ctx.attributes != nullptr && ctx.attributes->is_object() ? *ctx.attributes : kEmptyObject;
  // GrowthBook's getHashAttribute: a falsy attribute counts as missing.
  json hash_value = "";
  // (JavaScript truthiness: unlike JsonLogic's, an empty array is truthy.)
  if (auto it = attrs.find(def.hash_attribute); it != attrs.end() && (js::Truthy(*it) || it->is_array())) {
    hash_value = *it;
  }
  auto out = [&](int variation, bool hash_used, std::string reason) {
    return MakeResult(def, variation, hash_used, def.hash_attribute, hash_value, std::move(reason));
  };

  if (!ctx.enabled) return out(-1, false, "disabled");
  if (!IsGranted(def.purpose, ctx.purposes)) {
    return out(-1, false, "consent");
  }
  if (std::optional<int> qs = QueryStringOverride(def.key, ctx.url, def.variations.size())) {
    return out(*qs, false, "querystring");
  }
  if (auto f = ctx.forced_variations.find(def.key); f != ctx.forced_variations.end()) {
    return out(f->second, false, "forced");
  }
  if (def.status == "draft" || !def.active) return out(-1, false, "inactive");
  if (hash_value == "") return out(-1, false, "no_hash_attribute");
  const std::string hash_text = js::ToString(hash_value);

  int assigned = -1;
  bool sticky = false;
  const std::string sticky_key = StickyExperimentKey(def);
  if (!def.disable_sticky && ctx.ledger != nullptr) {
    if (const Assignment* a = ctx.ledger->FindAssignment(sticky_key, def.hash_attribute, hash_text)) {
      // Stored by variation key, as GrowthBook does, so reordering variations
      // with meta keys keeps users where they were; unknown keys are ignored.
      std::string stored = a->data.is_object() && a->data.contains("key") && a->data["key"].is_string()
                               ? a->data["key"].get<std::string>()
                               : std::to_string(a->variation);
      for (size_t i = 0; i < def.variations.size(); ++i) {
        std::string k = !def.meta.empty() && !def.meta[i].key.empty() ? def.meta[i].key : std::to_string(i);
        if (k == stored) assigned = static_cast<int>(i);
      }
      sticky = assigned >= 0;
    }
  }
  if (!sticky) {
    if (def.ns && !InNamespace(hash_text, def.ns->id, def.ns->start, def.ns->end)) return out(-1, false, "namespace");
    if (def.condition != nullptr) {
      Result<json> c = def.condition->Evaluate(attrs, ctx.eval);
      if (!c.ok() || !IsTruthy(c.value())) return out(-1, false, "condition");
    }
    if (def.rule != nullptr) {
      Result<json> r = def.rule->Evaluate(attrs, ctx.eval);
      if (!r.ok()) {
        ExperimentResult e = out(-1, false, "rule_error");
        e.detail = r.error().message;
        return e;
      }
      if (!IsTruthy(r.value())) return out(-1, false, "rule");
    }
  }
  std::optional<double> n = ExperimentHash(def.seed.empty() ? def.key : def.seed, hash_text, def.hash_version);
  if (!n) return out(-1, false, "no_hash_attribute");  // unreachable: the version is checked at compile time
  if (!sticky) {
    std::vector<BucketRange> computed;
    const std::vector<BucketRange>* ranges = &def.ranges;
    if (def.ranges.empty()) {
      computed = BucketRanges(static_cast<int>(def.variations.size()), def.coverage, def.weights);
      ranges = &computed;
    }
    assigned = ChooseVariation(*n, *ranges);
  }
  if (assigned < 0) return out(-1, false, "coverage");
  if (def.force) return out(*def.force, false, "force");
  if (ctx.qa_mode) return out(-1, false, "qa_mode");
  if (def.status == "stopped") return out(-1, false, "stopped");

  ExperimentResult r = out(assigned, true, sticky ? "sticky" : "assigned");
  r.bucket = *n;
  r.sticky_bucket_used = sticky;
  // The first time this user is in this experiment: the caller stores the
  // assignment (it keeps the user there when weights change later) and
  // reports the exposure once. With sticky bucketing off the assignment is
  // still stored, only to report the exposure once.
  if (ctx.ledger == nullptr || ctx.ledger->FindAssignment(sticky_key, def.hash_attribute, hash_text) == nullptr) {
    Assignment a;
    a.experiment = sticky_key;
    a.hash_attribute = def.hash_attribute;
    a.hash_value = hash_text;
    a.variation = assigned;
    a.at = ctx.now;
    a.data = json::object();
    a.data["key"] = r.key;
    r.new_assignment = std::move(a);
  }
  return r;
}

json ExperimentResultToJson(const ExperimentResult& r) {
  // Filled field by field: an initializer list decides at run time whether it
  // is an object, which is much more code for the same (sorted) object.
  json o = json::object();
  o["inExperiment"] = r.in_experiment;
  o["variationId"] = r.variation_id;
  o["value"] = r.value;
  o["hashUsed"] = r.hash_used;
  o["key"] = r.key;
  o["hashAttribute"] = r.hash_attribute;
  o["hashValue"] = r.hash_value;
  o["stickyBucketUsed"] = r.sticky_bucket_used;
  o["reason"] = r.reason;
  o["exposure"] = r.new_assignment.has_value();
  if (r.bucket) o["bucket"] = *r.bucket;
  if (!r.name.empty()) o["name"] = r.name;
  if (r.passthrough) o["passthrough"] = true;
  if (!r.detail.empty()) o["detail"] = r.detail;
  return o;
}

}  // namespace tagwise
