// The visitor session's persistence (tagwise/session.h, tagwise/store.h):
// merging a stored copy, encoding this state, shrinking it, forgetting.
#include <utility>

#include "experiments/activity.h"
#include "tagwise/session.h"

namespace tagwise {

StoreMerge VisitorSession::MergeStore(std::string_view text, int64_t now) {
  StoreMerge out;
  out.decoded = DecodeStore(text);
  StoreState mine;
  mine.profile = std::move(profile_);
  mine.consent = consent_;
  mine.generation = generation_;
  mine.generation_at = generation_at_;
  mine.ledger = std::move(activity_->ledger());
  out.report = MergeStores(out.decoded.state, &mine);
  profile_ = std::move(mine.profile);
  activity_->ledger() = std::move(mine.ledger);
  generation_ = std::move(mine.generation);
  generation_at_ = mine.generation_at;
  if (mine.consent && (!consent_ || mine.consent->purposes != consent_->purposes ||
                       mine.consent->updated_at != consent_->updated_at)) {
    consent_ = mine.consent;
    out.pruned = ApplyPurposes(consent_->purposes);
  } else if (out.report.outcome == StoreMergeReport::Outcome::kStoredWon && !mine.consent && consent_) {
    // The stored generation (a forget() elsewhere) has no choice: back to the default.
    consent_.reset();
  }
  // Another tab's copy may still hold data of a purpose withdrawn here (it
  // had not heard yet); likewise for offer and experiment activity.
  const PruneReport more = PruneProfileForConsent();
  out.pruned.events_removed += more.events_removed;
  out.pruned.rollups_removed += more.rollups_removed;
  out.pruned.server_tags_removed += more.server_tags_removed;
  activity_->PruneForPurposes(options_.purposes);
  server_ = ServerTagsOf(profile_);
  out.changes = Reevaluate(now);
  return out;
}

std::string VisitorSession::EncodeStore(int64_t now) {
  StoreState state;
  state.profile = std::move(profile_);
  state.consent = consent_;
  state.generation = generation_;
  state.generation_at = generation_at_;
  state.saved_at = now;
  activity_->ledger().Compact(now);  // bounded: old activity folds into totals
  state.ledger = std::move(activity_->ledger());
  std::string text;
  try {
    text = tagwise::EncodeStore(state);
  } catch (...) {
    text.clear();  // the caller keeps the previous stored copy
  }
  profile_ = std::move(state.profile);
  activity_->ledger() = std::move(state.ledger);
  return text;
}

ShrinkResult VisitorSession::Shrink(int64_t now) {
  ShrinkResult out;
  const size_t events = profile_.events().size();
  out.rollups_before = profile_.rollups().size();
  if (events > 16) {
    RetentionPolicy policy;
    policy.max_events = events / 2;
    profile_.Compact(now, policy);
    out.step = ShrinkResult::Step::kCompacted;
  } else if (out.rollups_before > 0) {
    nlohmann::json j = profile_.ToJson();
    nlohmann::json& list = j["rollups"];
    list.erase(list.begin(), list.begin() + static_cast<std::ptrdiff_t>((out.rollups_before + 1) / 2));
    Result<Profile> p = Profile::FromJson(std::move(j));
    if (p.ok()) {
      profile_ = std::move(p).value();
      out.step = ShrinkResult::Step::kDropped;
    }
  } else if (events > 0) {
    RetentionPolicy policy;
    policy.max_events = 0;
    profile_.Compact(now, policy);
    out.step = ShrinkResult::Step::kCompacted;
  }
  out.events_removed = events - profile_.events().size();
  if (out.step != ShrinkResult::Step::kNone) out.changes = Reevaluate(now);
  return out;
}

TagChanges VisitorSession::Forget(std::string generation, int64_t at, int64_t now) {
  profile_ = Profile();
  activity_->ledger() = Ledger();
  consent_.reset();
  server_ = ServerTags();
  generation_ = std::move(generation);
  generation_at_ = at;
  return Reevaluate(now);
}

void VisitorSession::SetGeneration(std::string generation, int64_t at) {
  generation_ = std::move(generation);
  generation_at_ = at;
}

}  // namespace tagwise
