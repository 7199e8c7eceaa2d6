// The experiment and offer side of a visitor session (tw.experiments.run,
// tw.experiments.convert, tw.offers.*): the VisitorSession owns one Activity
// and hands it a view of the user at each call. The activity itself (sticky
// assignments, offer impressions, conversions) is a Ledger persisted in the
// store's header next to the profile, so caps and exposures hold across
// reloads and tabs (store.h merges it like the events).
#ifndef TAGWISE_CORE_SRC_EXPERIMENTS_ACTIVITY_H_
#define TAGWISE_CORE_SRC_EXPERIMENTS_ACTIVITY_H_

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tagwise/catalog.h"
#include "tagwise/engine.h"
#include "tagwise/ledger.h"
#include "tagwise/offers.h"
#include "tagwise/profile.h"
#include "tagwise/session.h"

namespace tagwise::internal {

class Activity {
 public:
  Ledger& ledger() { return ledger_; }
  const Ledger& ledger() const { return ledger_; }

  // Every entry point returns one JSON text: {"ok": true, ...} or {"ok": false, "errors"}.
  // `*changed` is set when the ledger changed (the caller persists it).

  // Input {"definition", "attributes"?, "forcedVariations"?, "qaMode"?, "url"?,
  // "enabled"?, "savedGroups"?} → {"ok", "result": ExperimentResultToJson}.
  std::string RunExperiment(std::string_view input, const UserView& user, bool* changed);
  // Input {"experiment", "metric"?, "value"?, "id"} → {"ok", "recorded", "variation"?, "variationKey"?, "reason"?}.
  std::string Convert(std::string_view input, const UserView& user, bool* changed);
  // Offer definitions → {"ok", "errors", "warnings", "offers": count}. On failure the previous set stays.
  std::string LoadOffers(std::string_view input, const Catalog* catalog);
  // Input {"tzOffsetMinutes"?, "attributes"?} → {"ok", "eligible", "ineligible"}.
  std::string EligibleOffers(std::string_view input, const UserView& user) const;
  // Input {"id", "action", "recordId"} → {"ok", "record"}.
  std::string RecordOffer(std::string_view input, const UserView& user, bool* changed);
  // Everything kept about the user's activity, for exportData() and
  // experiments.results(): JSON text {"assignments", "conversions", "offers", "olderTotals"}.
  std::string ExportText() const;
  // Deletes what a withdrawn purpose served (Ledger::PruneForPurposes):
  // records of offers whose purpose is off (marketing for offers not loaded),
  // assignments and conversions of experiments whose purpose is off.
  void PruneForPurposes(const PurposeSet& purposes);

 private:
  Ledger ledger_;
  std::shared_ptr<const OfferSet> offers_;
};

// What `var` reads in experiment and offer targeting: the profile's
// attributes, plus "id" (the user id) and "tags" (held tag ids) when the
// attributes do not set them, then `extra` on top.
nlohmann::json TargetingAttributes(const UserView& user, const nlohmann::json* extra);

}  // namespace tagwise::internal

#endif  // TAGWISE_CORE_SRC_EXPERIMENTS_ACTIVITY_H_
