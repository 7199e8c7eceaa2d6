// The visitor session's batch: many profiles tagged with its catalog
// (tagwise/session.h, tw.tagProfiles, `tagwise tag`).
#include <optional>
#include <utility>

#include "tagwise/json_text.h"
#include "tagwise/session.h"

namespace tagwise {

BatchStatus VisitorSession::TagProfiles(std::string_view text, int64_t now, const PurposeSet* purposes,
                                        const std::function<void(const TaggedProfile&)>& each) {
  std::optional<Engine> custom;
  if (purposes != nullptr && catalog_) {
    EngineOptions options = engine_options_;
    options.purposes = *purposes;
    options.purposes.insert(std::string(kNecessaryPurpose));
    custom.emplace(catalog_, std::move(options));
  }
  const Engine* engine = custom ? &*custom : (engine_ ? &*engine_ : nullptr);
  BatchStatus status;
  // Results are handed out once the whole text has been read: when the fast
  // parser gives up half-way (a lone surrogate escape, a huge number), the
  // text is read again from the start.
  std::vector<TaggedProfile> results;
  // The batches share `where` verdicts (rule.h; not in the browser's modules).
#ifndef TAGWISE_SMALL_CORE
  if (!batch_verdicts_) batch_verdicts_ = std::make_shared<WhereVerdicts>();
  WhereVerdicts* verdicts = batch_verdicts_.get();
#else
  WhereVerdicts* verdicts = nullptr;
#endif
  auto tag_one = [&](nlohmann::json& profile_json) {
    ++status.profiles;
    results.push_back(TagOne(std::move(profile_json), engine, now, verdicts));
  };
  // Stream: parse one profile, tag it, reuse its storage for the next.
  const FastParser::Status st = ForEachArrayElement(text, tag_one);
  if (st == FastParser::Status::kTooDeep) {
    status.error = Error{ErrorCode::kTooDeep, "/" + std::to_string(status.profiles),
                         "The profile nests arrays or objects more than " + std::to_string(kMaxNesting) +
                             " levels deep."};
    return status;
  }
  if (st != FastParser::Status::kOk) {
    // Not JSON the fast parser reads: nlohmann names the byte, or reads it.
    Result<nlohmann::json> parsed = ParseJson(text, "profile list", 1);
    if (!parsed.ok()) {
      status.error = parsed.error();
      return status;
    }
    if (!parsed.value().is_array()) {
      status.error = Error{ErrorCode::kWrongArgumentType, "", "Profiles are a list."};
      return status;
    }
    status.profiles = 0;
    results.clear();
    for (nlohmann::json& p : parsed.value()) tag_one(p);
  }
  for (const TaggedProfile& r : results) each(r);
  return status;
}

TaggedProfile VisitorSession::TagOne(nlohmann::json&& profile_json, const Engine* engine, int64_t now,
                                     WhereVerdicts* verdicts) const {
  std::vector<Error> warnings;
  Result<Profile> p = Profile::FromJson(std::move(profile_json), &warnings);
  TaggedProfile out;
  if (p.ok()) {
    const Profile& profile = p.value();
    if (!profile.user_id().empty()) out.user_id = profile.user_id();
    if (engine != nullptr) {
#ifndef TAGWISE_SMALL_CORE
      if (verdicts != nullptr) verdicts->StartProfile();
#endif
      const Evaluation ev = engine->EvaluateAll(profile, ServerTagsOf(profile), now, verdicts);
      const auto& defs = catalog_->tags();
      for (size_t t = 0; t < defs.size(); ++t) {
        const TagDecision& d = ev.decisions[t];
        if (d.holds) out.tags.emplace_back(defs[t].id, d.value.is_null() ? nlohmann::json(true) : d.value);
      }
    }
  } else {
    if (profile_json.is_object()) {
      auto u = profile_json.find("user_id");
      if (u != profile_json.end() && u->is_string()) out.user_id = u->get<std::string>();
      else if (u != profile_json.end() && u->is_number()) out.user_id = u->dump();
    }
    out.error = p.error();
  }
  out.warning_count = warnings.size();
  if (warnings.size() > options_.max_batch_warnings) warnings.resize(options_.max_batch_warnings);
  out.warnings = std::move(warnings);
  return out;
}

}  // namespace tagwise
