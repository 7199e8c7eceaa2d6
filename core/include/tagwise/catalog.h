// A tag catalog (DESIGN.md section 5): tag definitions with rules, parents,
// exclusive groups, priorities, purposes and server-sourced tags, compiled
// once into an immutable Catalog that the Engine evaluates per user.
//
//   auto loaded = tagwise::Catalog::Load(nlohmann::json::parse(text));
//   if (!loaded.ok()) { print(tagwise::FormatIssues(loaded.errors)); }
//   tagwise::Engine engine(loaded.catalog);
//
// Thread-compatible: a Catalog is immutable after Load.
#ifndef TAGWISE_CATALOG_H_
#define TAGWISE_CATALOG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/error.h"
#include "tagwise/limits.h"
#include "tagwise/rule.h"

namespace tagwise {

struct CatalogOptions {
  // Most tags in one catalog; more is refused with kTooLarge.
  int max_tags = 5000;
  // Longest catalog JSON LoadText (and the wasm boundary) accepts, in bytes;
  // checked before parsing. Default kDefaultMaxCatalogBytes (16 MiB).
  size_t max_bytes = kDefaultMaxCatalogBytes;
  // Longest tag or group id, in bytes (ids are keys in profiles, stores and
  // events' server tags). Longer is an error at the id's path.
  size_t max_id_bytes = 256;
  // Longest text field (name, description, dimension, ...), in bytes.
  size_t max_text_bytes = 4096;
  CompileOptions rule_options;
};

struct TagDef {
  std::string id;
  std::string name;        // display name, often Chinese (高活跃用户)
  std::string dimension;   // basic, behavior, preference, value, lifecycle, risk, or free text
  std::string parent;      // "" when none; holding this tag implies holding the parent
  std::string group;       // "" when none
  int priority = 0;        // higher wins inside an exclusive group
  std::string purpose = "personalization";  // consent purpose (DESIGN.md section 6)
  bool server = false;     // source "server": membership comes from the snapshot
  std::optional<int64_t> ttl_ms;  // server tags: lifetime after the snapshot's as_of
  bool core = false;
  std::string description;
  nlohmann::json when_json;   // null when absent
  nlohmann::json value_json;  // null when absent
  std::shared_ptr<const Rule> when;   // null: held only through children or the server
  std::shared_ptr<const Rule> value;  // null: value is `true` while held
  // Derived at load time.
  int parent_index = -1;
  int group_index = -1;
  std::vector<int> children;       // tags whose parent is this one
  std::vector<int> references;     // tags named by `tag`/`tag_value` in when/value
  std::vector<std::string> event_types;  // event types the rules read ("*" = any)
};

struct GroupDef {
  std::string id;
  std::string name;
  bool exclusive = false;
  std::vector<int> members;  // catalog order
};

class Catalog;

struct CatalogLoadResult {
  std::shared_ptr<const Catalog> catalog;  // null when any error exists
  std::vector<Error> errors;    // paths like "/tags/3/when/and/0"
  std::vector<Error> warnings;  // unknown fields, suspicious settings
  bool ok() const { return catalog != nullptr; }
};

class Catalog {
 public:
  // Loads the catalog JSON; every problem is reported with its JSON Pointer.
  [[nodiscard]] static CatalogLoadResult Load(const nlohmann::json& j, const CatalogOptions& options = {});
  [[nodiscard]] static CatalogLoadResult LoadText(std::string_view text, const CatalogOptions& options = {});

  const std::vector<TagDef>& tags() const { return tags_; }
  const std::vector<GroupDef>& groups() const { return groups_; }
  // Index of a tag id, or -1.
  int IndexOf(std::string_view id) const;
  int GroupIndexOf(std::string_view id) const;
  // Evaluation steps in dependency order. Each step computes either a tag's
  // pre-group membership (rule, then inheritance from children) or resolves
  // one exclusive group.
  struct Step {
    enum Kind { kTag, kGroup } kind;
    int index;
  };
  const std::vector<Step>& plan() const { return plan_; }
  // Tags whose result can change when an event of `type` arrives, including
  // everything that depends on them (tag references, parents, groups).
  std::vector<int> AffectedByEventType(std::string_view type) const;
  // Tags that (transitively) depend on tag `index`, including itself.
  const std::vector<int>& Dependents(int index) const { return dependents_[static_cast<size_t>(index)]; }
  const nlohmann::json& source() const { return source_; }

 private:
  friend class CatalogLoader;
  std::vector<TagDef> tags_;
  std::vector<GroupDef> groups_;
  std::unordered_map<std::string, int> tag_index_;
  std::unordered_map<std::string, int> group_index_;
  std::vector<Step> plan_;
  std::vector<std::vector<int>> dependents_;
  nlohmann::json source_;
};

}  // namespace tagwise

#endif  // TAGWISE_CATALOG_H_
