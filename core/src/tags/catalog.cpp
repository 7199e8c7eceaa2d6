// Catalog loading: validate every field with a path, compile each tag's rules
// once (with the catalog's ids as the known tags), link parents and groups,
// and order evaluation so every `tag` reference, inheritance and exclusive
// group is resolved before it is read. Cycles are refused with the loop named.
#include "tagwise/catalog.h"
#include "tagwise/json_text.h"
#include "tagwise/limits.h"
#include "tagwise/purposes.h"

#include <algorithm>
#include <functional>
#include <set>

#include "common/suggestions.h"
#include "rules/evaluator.h"

namespace tagwise {

using nlohmann::json;

namespace {

constexpr std::string_view kTagFields[] = {"id", "name", "dimension", "when", "value", "parent", "group", "priority",
                                           "purpose", "source", "ttl", "core", "description"};
constexpr std::string_view kGroupFields[] = {"id", "name", "exclusive", "description"};
constexpr std::string_view kTopFields[] = {"tagwise", "groups", "tags", "name", "description", "version"};

template <size_t N>
bool In(const std::string_view (&list)[N], std::string_view v) {
  return std::find(std::begin(list), std::end(list), v) != std::end(list);
}

}  // namespace

class CatalogLoader {
 public:
  explicit CatalogLoader(const CatalogOptions& options) : options_(options) {}

  CatalogLoadResult Load(const json& j) {
    auto cat = std::shared_ptr<Catalog>(new Catalog());
    cat->source_ = j;
    if (!j.is_object()) {
      Err(ErrorCode::kWrongArgumentType, "", "a catalog is an object like {\"tagwise\": 1, \"tags\": [...]}");
      return Finish(nullptr);
    }
    if (auto v = j.find("tagwise"); v != j.end()) {
      if (!v->is_number_integer() || v->get<int64_t>() < 1) {
        Err(ErrorCode::kWrongArgumentType, "/tagwise", "\"tagwise\" is the format version, a whole number (1)");
      } else if (v->get<int64_t>() > 1) {
        Err(ErrorCode::kUnsupportedVersion, "/tagwise",
            "this catalog uses format version " + v->dump() + "; this tagwise reads version 1 — upgrade tagwise");
      }
    } else {
      Warn("/tagwise", "add \"tagwise\": 1 so later versions know which format this is");
    }
    for (const auto& [key, value] : j.items()) {
      if (!In(kTopFields, key)) Warn("/" + key, "unknown field \"" + key + "\" is ignored");
    }
    LoadGroups(j, cat.get());
    LoadTags(j, cat.get());
    // Link even after field/rule errors so unknown parents and groups are
    // reported in the same pass; only planning needs an error-free catalog.
    Link(cat.get());
    if (!errors_.empty()) return Finish(nullptr);
    Plan(cat.get());
    if (!errors_.empty()) return Finish(nullptr);
    return Finish(std::move(cat));
  }

 private:
  CatalogLoadResult Finish(std::shared_ptr<const Catalog> cat) {
    CatalogLoadResult r;
    r.catalog = std::move(cat);
    r.errors = std::move(errors_);
    r.warnings = std::move(warnings_);
    return r;
  }
  void Err(ErrorCode code, std::string path, std::string msg) {
    if (errors_.size() < 200) errors_.push_back(Error{code, std::move(path), std::move(msg), Severity::kError});
  }
  void Warn(std::string path, std::string msg) {
    if (warnings_.size() < 200) {
      warnings_.push_back(Error{ErrorCode::kInvalidRule, std::move(path), std::move(msg), Severity::kWarning});
    }
  }

  // Reads an optional string field; wrong types are errors.
  // obj[key] as text: the fallback when absent, or (with the error said)
  // when not text or longer than `limit` bytes (0: the text-field limit).
  std::string Str(const json& obj, const char* key, const std::string& path, std::string fallback = {},
                  size_t limit = 0) {
    if (limit == 0) limit = options_.max_text_bytes;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return fallback;
    if (!it->is_string()) {
      Err(ErrorCode::kWrongArgumentType, JoinPointer(path, key), std::string("\"") + key + "\" must be text");
      return fallback;
    }
    const std::string& text = it->get_ref<const std::string&>();
    if (text.size() > limit) {
      Err(ErrorCode::kTooLarge, JoinPointer(path, key),
          std::string("\"") + key + "\" is " + std::to_string(text.size()) + " bytes; the limit is " +
              std::to_string(limit));
      return fallback;
    }
    return text;
  }

  // A tag's or group's "id"; empty (with the error said) when missing, not
  // text or longer than the id limit.
  std::string Id(const json& obj, const std::string& path, const char* what) {
    auto it = obj.find("id");
    if (it == obj.end() || it->is_null() || (it->is_string() && it->get_ref<const std::string&>().empty())) {
      Err(ErrorCode::kInvalidRule, JoinPointer(path, "id"), std::string("every ") + what + " needs an \"id\"");
      return {};
    }
    std::string id = Str(obj, "id", path, {}, options_.max_id_bytes);
    // The parser turns a lone surrogate (JS "\ud800") into U+FFFD, so two
    // ids that differ only there would collide as duplicate_id, or worse,
    // one tag would answer for another: refused where they are written.
    if (id.find("\xEF\xBF\xBD") != std::string::npos) {
      Err(ErrorCode::kInvalidUtf8, JoinPointer(path, "id"),
          "the id holds U+FFFD, what a lone surrogate or a bad byte becomes; ids must stay distinct");
      return {};
    }
    return id;
  }

  void LoadGroups(const json& j, Catalog* cat) {
    auto it = j.find("groups");
    if (it == j.end() || it->is_null()) return;
    if (!it->is_array()) {
      Err(ErrorCode::kWrongArgumentType, "/groups", "\"groups\" must be a list");
      return;
    }
    for (size_t i = 0; i < it->size(); ++i) {
      const json& g = (*it)[i];
      std::string path = "/groups/" + std::to_string(i);
      if (!g.is_object()) {
        Err(ErrorCode::kWrongArgumentType, path, "a group is an object like {\"id\": \"lifecycle\", \"exclusive\": true}");
        continue;
      }
      GroupDef def;
      def.id = Id(g, path, "group");
      if (def.id.empty()) continue;
      def.name = Str(g, "name", path, def.id);
      if (auto e = g.find("exclusive"); e != g.end() && !e->is_null()) {
        if (!e->is_boolean()) Err(ErrorCode::kWrongArgumentType, JoinPointer(path, "exclusive"), "\"exclusive\" is true or false");
        else def.exclusive = e->get<bool>();
      }
      for (const auto& [key, value] : g.items()) {
        if (!In(kGroupFields, key)) Warn(JoinPointer(path, key), "unknown group field \"" + key + "\" is ignored");
      }
      if (cat->group_index_.count(def.id)) {
        Err(ErrorCode::kDuplicateId, JoinPointer(path, "id"), "another group already has the id \"" + def.id + "\"");
        continue;
      }
      cat->group_index_[def.id] = static_cast<int>(cat->groups_.size());
      cat->groups_.push_back(std::move(def));
    }
  }

  void LoadTags(const json& j, Catalog* cat) {
    auto it = j.find("tags");
    if (it == j.end() || !it->is_array()) {
      Err(ErrorCode::kWrongArgumentType, "/tags", "\"tags\" must be a list of tag definitions");
      return;
    }
    if (static_cast<int>(it->size()) > options_.max_tags) {
      Err(ErrorCode::kTooLarge, "/tags",
          "the catalog has " + std::to_string(it->size()) + " tags; the limit is " + std::to_string(options_.max_tags));
      return;
    }
    // First pass: ids, so rules can be checked against the full set.
    std::vector<std::string> ids;
    for (const json& t : *it) ids.push_back(t.is_object() && t.contains("id") && t["id"].is_string() ? t["id"].get<std::string>() : "");
    CompileOptions rule_options = options_.rule_options;
    rule_options.known_tags = &ids;
    for (size_t i = 0; i < it->size(); ++i) LoadTag((*it)[i], i, rule_options, cat);
  }

  // One tag of "tags". Not inlined into LoadTags: V8's baseline tier charges a
  // call's budget by how far into its function it returns, and a loop that
  // ran every tag inside one huge function had it optimised in the background
  // (~180 ms of a page's second core) for a call that does not come again.
  [[gnu::noinline]] void LoadTag(const json& t, size_t i, const CompileOptions& rule_options, Catalog* cat) {
    std::string path = "/tags/" + std::to_string(i);
    if (!t.is_object()) {
      Err(ErrorCode::kWrongArgumentType, path, "a tag is an object like {\"id\": \"active_high\", \"when\": {...}}");
      return;
    }
    TagDef def;
    def.id = Id(t, path, "tag");
    if (def.id.empty()) return;
    if (cat->tag_index_.count(def.id)) {
      Err(ErrorCode::kDuplicateId, JoinPointer(path, "id"), "another tag already has the id \"" + def.id + "\"");
      return;
    }
    def.name = Str(t, "name", path, def.id);
    def.dimension = Str(t, "dimension", path);
    def.parent = Str(t, "parent", path);
    def.group = Str(t, "group", path);
    def.description = Str(t, "description", path);
    def.purpose = Str(t, "purpose", path, "personalization");
    if (!In(kPurposes, def.purpose)) {
      Err(ErrorCode::kWrongArgumentType, JoinPointer(path, "purpose"),
          "\"" + def.purpose + "\" is not a consent purpose; use necessary, security, personalization, marketing or analytics");
    }
    std::string source = Str(t, "source", path, "client");
    if (source != "client" && source != "server") {
      Err(ErrorCode::kWrongArgumentType, JoinPointer(path, "source"), "\"source\" is \"client\" or \"server\"");
    }
    def.server = source == "server";
    if (auto p = t.find("priority"); p != t.end() && !p->is_null()) {
      if (!p->is_number() || p->get<double>() != static_cast<double>(static_cast<int>(p->get<double>()))) {
        Err(ErrorCode::kWrongArgumentType, JoinPointer(path, "priority"), "\"priority\" is a whole number; higher wins");
      } else {
        def.priority = static_cast<int>(p->get<double>());
      }
    }
    if (auto c = t.find("core"); c != t.end() && !c->is_null()) {
      if (!c->is_boolean()) Err(ErrorCode::kWrongArgumentType, JoinPointer(path, "core"), "\"core\" is true or false");
      else def.core = c->get<bool>();
    }
    if (auto ttl = t.find("ttl"); ttl != t.end() && !ttl->is_null()) {
      auto ms = ParseDuration(*ttl);
      if (!ms || *ms <= 0) Err(ErrorCode::kBadDuration, JoinPointer(path, "ttl"), "\"ttl\" is a duration such as \"7d\"");
      else def.ttl_ms = ms;
    }
    for (const auto& [key, value] : t.items()) {
      if (In(kTagFields, key)) continue;
      // A shared prefix of 3+ characters is good enough for field names.
      Warn(JoinPointer(path, key), "unknown tag field \"" + key + "\" is ignored" +
                                       internal::DidYouMean(internal::PrefixMatch(key, kTagFields)));
    }
    CompileTagRule(t, "when", path, rule_options, &def.when_json, &def.when);
    CompileTagRule(t, "value", path, rule_options, &def.value_json, &def.value);
    if (def.server && def.when) Warn(JoinPointer(path, "when"), "server tags come from the snapshot; this rule is ignored");
    cat->tag_index_[def.id] = static_cast<int>(cat->tags_.size());
    cat->tags_.push_back(std::move(def));
  }

  void CompileTagRule(const json& t, const char* key, const std::string& path, const CompileOptions& options,
                      json* out_json, std::shared_ptr<const Rule>* out_rule) {
    auto it = t.find(key);
    if (it == t.end() || it->is_null()) return;
    *out_json = *it;
    CompileResult r = CompileRule(*it, options);
    std::string base = JoinPointer(path, key);
    for (Error e : r.issues) {
      e.path = base + e.path;
      if (e.severity == Severity::kError) Err(e.code, e.path, e.message);
      else if (warnings_.size() < 200) warnings_.push_back(std::move(e));
    }
    *out_rule = r.rule;
  }

  void Link(Catalog* cat) {
    auto& tags = cat->tags_;
    for (size_t i = 0; i < tags.size(); ++i) {
      TagDef& t = tags[i];
      std::string path = "/tags/" + std::to_string(i);
      if (!t.parent.empty()) {
        auto p = cat->tag_index_.find(t.parent);
        if (p == cat->tag_index_.end()) {
          Err(ErrorCode::kUnknownTag, JoinPointer(path, "parent"), "there is no tag with id \"" + t.parent + "\" to be the parent");
        } else if (p->second == static_cast<int>(i)) {
          Err(ErrorCode::kCycle, JoinPointer(path, "parent"), "a tag cannot be its own parent");
        } else {
          t.parent_index = p->second;
          tags[static_cast<size_t>(p->second)].children.push_back(static_cast<int>(i));
        }
      }
      if (!t.group.empty()) {
        auto g = cat->group_index_.find(t.group);
        if (g == cat->group_index_.end()) {
          Err(ErrorCode::kUnknownTag, JoinPointer(path, "group"), "there is no group with id \"" + t.group + "\"");
        } else {
          t.group_index = g->second;
          cat->groups_[static_cast<size_t>(g->second)].members.push_back(static_cast<int>(i));
        }
      }
      std::set<std::string> types;
      for (const auto* rule : {t.when.get(), t.value.get()}) {
        if (rule == nullptr) continue;
        for (const std::string& ref : rule->referenced_tags()) {
          auto r = cat->tag_index_.find(ref);
          if (r != cat->tag_index_.end()) t.references.push_back(r->second);
        }
        types.insert(rule->referenced_event_types().begin(), rule->referenced_event_types().end());
      }
      std::sort(t.references.begin(), t.references.end());
      t.references.erase(std::unique(t.references.begin(), t.references.end()), t.references.end());
      t.event_types.assign(types.begin(), types.end());
    }
  }

  // Nodes 0..n-1: a tag's pre-group membership; n..n+g-1: an exclusive group's
  // resolution. A tag's *final* state is its group's node when it belongs to an
  // exclusive group, else its own node.
  void Plan(Catalog* cat) {
    const auto& tags = cat->tags_;
    const int n = static_cast<int>(tags.size());
    const int total = n + static_cast<int>(cat->groups_.size());
    auto final_node = [&](int tag) {
      int g = tags[static_cast<size_t>(tag)].group_index;
      return g >= 0 && cat->groups_[static_cast<size_t>(g)].exclusive ? n + g : tag;
    };
    std::vector<std::vector<int>> out(static_cast<size_t>(total));  // edges: before -> after
    std::vector<int> indegree(static_cast<size_t>(total), 0);
    auto edge = [&](int from, int to) {
      out[static_cast<size_t>(from)].push_back(to);
      ++indegree[static_cast<size_t>(to)];
    };
    for (int i = 0; i < n; ++i) {
      const TagDef& t = tags[static_cast<size_t>(i)];
      for (int ref : t.references) edge(final_node(ref), i);
      for (int child : t.children) edge(final_node(child), i);
      if (final_node(i) != i) edge(i, final_node(i));
    }
    // Kahn's algorithm, smallest index first so the plan follows catalog order.
    std::set<int> ready;
    for (int v = 0; v < total; ++v) {
      if (indegree[static_cast<size_t>(v)] == 0) ready.insert(v);
    }
    while (!ready.empty()) {
      int v = *ready.begin();
      ready.erase(ready.begin());
      if (v < n) cat->plan_.push_back({Catalog::Step::kTag, v});
      else if (cat->groups_[static_cast<size_t>(v - n)].exclusive) cat->plan_.push_back({Catalog::Step::kGroup, v - n});
      for (int w : out[static_cast<size_t>(v)]) {
        if (--indegree[static_cast<size_t>(w)] == 0) ready.insert(w);
      }
    }
    if (static_cast<int>(cat->plan_.size()) < n + ExclusiveGroups(*cat)) {
      ReportCycle(*cat, out, indegree, n);
      return;
    }
    // Dependents: reverse reachability over the same edges, per tag.
    std::vector<std::vector<int>> back(static_cast<size_t>(total));
    for (int v = 0; v < total; ++v) {
      for (int w : out[static_cast<size_t>(v)]) back[static_cast<size_t>(w)].push_back(v);
    }
    cat->dependents_.assign(static_cast<size_t>(n), {});
    for (int i = 0; i < n; ++i) {
      std::vector<char> seen(static_cast<size_t>(total), 0);
      std::vector<int> stack = {i};
      seen[static_cast<size_t>(i)] = 1;
      while (!stack.empty()) {
        int v = stack.back();
        stack.pop_back();
        if (v < n) cat->dependents_[static_cast<size_t>(i)].push_back(v);
        else for (int m : cat->groups_[static_cast<size_t>(v - n)].members) {
          if (!seen[static_cast<size_t>(m)]) { seen[static_cast<size_t>(m)] = 1; cat->dependents_[static_cast<size_t>(i)].push_back(m); }
        }
        for (int w : out[static_cast<size_t>(v)]) {
          if (!seen[static_cast<size_t>(w)]) {
            seen[static_cast<size_t>(w)] = 1;
            stack.push_back(w);
          }
        }
      }
      auto& d = cat->dependents_[static_cast<size_t>(i)];
      std::sort(d.begin(), d.end());
      d.erase(std::unique(d.begin(), d.end()), d.end());
    }
  }

  static int ExclusiveGroups(const Catalog& cat) {
    return static_cast<int>(std::count_if(cat.groups_.begin(), cat.groups_.end(), [](const GroupDef& g) { return g.exclusive; }));
  }

  void ReportCycle(const Catalog& cat, const std::vector<std::vector<int>>& out, const std::vector<int>& indegree, int n) {
    // Walk from any node left over until a node repeats: that loop is the cycle.
    int start = -1;
    for (int v = 0; v < static_cast<int>(indegree.size()); ++v) {
      if (indegree[static_cast<size_t>(v)] > 0 && v < n) { start = v; break; }
    }
    if (start < 0) {
      Err(ErrorCode::kCycle, "/groups", "exclusive groups and the tags they contain depend on each other in a loop");
      return;
    }
    std::vector<int> path;
    std::vector<int> pos(indegree.size(), -1);
    int v = start;
    while (pos[static_cast<size_t>(v)] < 0) {
      pos[static_cast<size_t>(v)] = static_cast<int>(path.size());
      path.push_back(v);
      int next = -1;
      for (int w : out[static_cast<size_t>(v)]) {
        if (indegree[static_cast<size_t>(w)] > 0) { next = w; break; }
      }
      if (next < 0) break;
      v = next;
    }
    std::string loop;
    int first_tag = -1;
    for (size_t k = static_cast<size_t>(std::max(pos[static_cast<size_t>(v)], 0)); k < path.size(); ++k) {
      int node = path[k];
      if (!loop.empty()) loop += " → ";
      if (node < n) {
        loop += cat.tags_[static_cast<size_t>(node)].name + " (" + cat.tags_[static_cast<size_t>(node)].id + ")";
        if (first_tag < 0) first_tag = node;
      } else {
        loop += "group " + cat.groups_[static_cast<size_t>(node - n)].id;
      }
    }
    if (first_tag < 0) first_tag = start;
    const TagDef& t = cat.tags_[static_cast<size_t>(first_tag)];
    std::string field = t.when ? "when" : (t.value ? "value" : "parent");
    Err(ErrorCode::kCycle, JoinPointer("/tags/" + std::to_string(first_tag), field),
        "these tags depend on each other in a loop, so none can be decided: " + loop);
  }

  const CatalogOptions& options_;
  std::vector<Error> errors_;
  std::vector<Error> warnings_;
};

CatalogLoadResult Catalog::Load(const json& j, const CatalogOptions& options) {
  try {
    return CatalogLoader(options).Load(j);
  } catch (const std::exception& e) {
    CatalogLoadResult r;
    r.errors.push_back(Error{ErrorCode::kTooLarge, "", std::string("the catalog could not be loaded: ") + e.what()});
    return r;
  }
}

CatalogLoadResult Catalog::LoadText(std::string_view text, const CatalogOptions& options) {
  if (auto too_large = CheckInputBytes(text.size(), options.max_bytes, "catalog")) {
    CatalogLoadResult r;
    r.errors.push_back(std::move(*too_large));
    return r;
  }
  // Rule text nests at most 512 levels (CompileOptions::max_depth is lower still).
  Result<json> parsed = ParseJson(text, "catalog", 0, OnBadAlloc::kThrow, kMaxRuleTextNesting);
  if (!parsed.ok()) {
    CatalogLoadResult r;
    r.errors.push_back(parsed.error());
    return r;
  }
  return Load(parsed.value(), options);
}

int Catalog::IndexOf(std::string_view id) const {
  auto it = tag_index_.find(std::string(id));
  return it == tag_index_.end() ? -1 : it->second;
}

int Catalog::GroupIndexOf(std::string_view id) const {
  auto it = group_index_.find(std::string(id));
  return it == group_index_.end() ? -1 : it->second;
}

std::vector<int> Catalog::AffectedByEventType(std::string_view type) const {
  std::set<int> out;
  for (size_t i = 0; i < tags_.size(); ++i) {
    const auto& types = tags_[i].event_types;
    bool reads = std::find(types.begin(), types.end(), type) != types.end() ||
                 std::find(types.begin(), types.end(), "*") != types.end();
    if (reads) out.insert(dependents_[i].begin(), dependents_[i].end());
  }
  return {out.begin(), out.end()};
}

}  // namespace tagwise
