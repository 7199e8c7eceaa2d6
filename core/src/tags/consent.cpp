// Which purposes need which event types: see consent.h.
#include "tagwise/consent.h"

#include <utility>
#include <vector>

namespace tagwise {

namespace {

bool Grants(const PurposeSet& needed, const PurposeSet& granted) {
  if (needed.count(std::string(kNecessaryPurpose)) != 0) return true;
  for (const std::string& p : needed) {
    if (granted.count(p) != 0) return true;
  }
  return false;
}

}  // namespace

ConsentScope::ConsentScope(const Catalog* catalog, std::map<std::string, PurposeSet, std::less<>> declared,
                           PurposeSet default_purposes)
    : catalog_(catalog), default_purposes_(std::move(default_purposes)) {
  // An empty default would leave types no purpose needs; keep the documented default.
  if (default_purposes_.empty()) default_purposes_ = {"personalization"};
  std::map<std::string, PurposeSet, std::less<>> read_by;  // type -> purposes of the tags that read it
  if (catalog_ != nullptr) {
    const std::vector<TagDef>& tags = catalog_->tags();
    std::vector<int> stack;
    std::vector<size_t> seen_in(tags.size(), 0);  // 1 + the tag whose walk last visited it
    for (size_t i = 0; i < tags.size(); ++i) {
      const PurposeSet purposes =
          tags[i].purpose.empty() ? default_purposes_ : PurposeSet{tags[i].purpose};
      // Every tag this one depends on: its references and children, transitively.
      stack.assign(1, static_cast<int>(i));
      seen_in[i] = i + 1;
      while (!stack.empty()) {
        const TagDef& t = tags[static_cast<size_t>(stack.back())];
        stack.pop_back();
        for (const std::string& type : t.event_types) {
          PurposeSet& into = type == "*" ? any_type_ : read_by[type];
          into.insert(purposes.begin(), purposes.end());
        }
        for (const std::vector<int>* next : {&t.references, &t.children}) {
          for (int j : *next) {
            if (j < 0 || static_cast<size_t>(j) >= tags.size() || seen_in[static_cast<size_t>(j)] == i + 1) continue;
            seen_in[static_cast<size_t>(j)] = i + 1;
            stack.push_back(j);
          }
        }
      }
    }
  }
  for (auto& [type, purposes] : read_by) {
    if (auto d = declared.find(type); d != declared.end()) purposes.insert(d->second.begin(), d->second.end());
    purposes.insert(any_type_.begin(), any_type_.end());
    by_type_.emplace(type, std::move(purposes));
  }
  unknown_type_ = default_purposes_;
  unknown_type_.insert(any_type_.begin(), any_type_.end());
  for (auto& [type, purposes] : declared) {
    if (by_type_.count(type) != 0) continue;
    PurposeSet set = std::move(purposes);
    set.insert(any_type_.begin(), any_type_.end());
    by_type_.emplace(type, set.empty() ? unknown_type_ : std::move(set));
  }
}

const PurposeSet& ConsentScope::PurposesOf(std::string_view type) const {
  auto it = by_type_.find(type);
  return it == by_type_.end() ? unknown_type_ : it->second;
}

bool ConsentScope::Records(std::string_view type, const PurposeSet& granted) const {
  return Grants(PurposesOf(type), granted);
}

PurposeSet ConsentScope::ServerTagPurposes(std::string_view tag_id) const {
  if (catalog_ != nullptr) {
    const int i = catalog_->IndexOf(tag_id);
    if (i >= 0) {
      const std::string& purpose = catalog_->tags()[static_cast<size_t>(i)].purpose;
      if (!purpose.empty()) return {purpose};
    }
  }
  return default_purposes_;
}

PruneReport PruneForConsent(const ConsentScope& scope, const PurposeSet& granted, Profile* profile) {
  PruneReport report;
  if (profile == nullptr) return report;
  const auto [events, rollups] =
      profile->RemoveEventTypes([&](std::string_view type) { return !scope.Records(type, granted); });
  report.events_removed = events;
  report.rollups_removed = rollups;
  const nlohmann::json& tags = profile->server_tags();
  if (tags.is_object()) {
    nlohmann::json kept = nlohmann::json::object();
    for (const auto& [id, value] : tags.items()) {
      if (Grants(scope.ServerTagPurposes(id), granted)) {
        kept[id] = value;
      } else {
        ++report.server_tags_removed;
      }
    }
    if (report.server_tags_removed > 0) profile->set_server_tags(std::move(kept));
  }
  return report;
}

Result<PurposeSet> ReadPurposeList(const nlohmann::json& list) {
  if (!list.is_array()) {
    return Error{ErrorCode::kWrongArgumentType, "", "Consent purposes are a list such as [\"personalization\"]."};
  }
  PurposeSet out;
  for (size_t i = 0; i < list.size(); ++i) {
    const nlohmann::json& p = list[i];
    if (!p.is_string() || !IsPurpose(p.get_ref<const std::string&>())) {
      return Error{ErrorCode::kWrongArgumentType, "/" + std::to_string(i),
                   p.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                       " is not a consent purpose; use necessary, security, personalization, marketing or analytics."};
    }
    out.insert(p.get<std::string>());
  }
  return out;
}

Result<PurposeSet> ReadTypePurposes(const std::string& type, const nlohmann::json& list) {
  // No "necessary" is added: a type declared for e.g. marketing only must not
  // become always recorded.
  Result<PurposeSet> p = ReadPurposeList(list);
  if (!p.ok()) {
    Error e = p.error();
    e.path = JoinPointer("", type) + e.path;
    return e;
  }
  if (p.value().empty()) {
    return Error{ErrorCode::kWrongArgumentType, JoinPointer("", type), "An event type needs at least one purpose."};
  }
  return p;
}

Result<std::map<std::string, PurposeSet, std::less<>>> ReadEventPurposes(const nlohmann::json& j) {
  std::map<std::string, PurposeSet, std::less<>> out;
  if (!j.is_object()) return Error{ErrorCode::kWrongArgumentType, "", "eventPurposes maps event types to purpose lists."};
  for (const auto& [type, list] : j.items()) {
    Result<PurposeSet> p = ReadTypePurposes(type, list);
    if (!p.ok()) return p.error();
    out[type] = std::move(p).value();
  }
  return out;
}

}  // namespace tagwise
