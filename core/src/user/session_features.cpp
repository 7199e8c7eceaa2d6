// The visitor session's experiments, offers and recommendations
// (tagwise/session.h): each hands the feature a view of the visitor.
#include "experiments/activity.h"
#include "recommend/hints_session.h"
#include "tagwise/session.h"

namespace tagwise {

std::string VisitorSession::RunExperiment(std::string_view input, const UserView& user, bool* changed) {
  return activity_->RunExperiment(input, user, changed);
}

std::string VisitorSession::Convert(std::string_view input, const UserView& user, bool* changed) {
  return activity_->Convert(input, user, changed);
}

std::string VisitorSession::LoadOffers(std::string_view offers_json) {
  return activity_->LoadOffers(offers_json, catalog_.get());
}

std::string VisitorSession::EligibleOffers(std::string_view input, const UserView& user) {
  return activity_->EligibleOffers(input, user);
}

std::string VisitorSession::RecordOffer(std::string_view input, const UserView& user, bool* changed) {
  return activity_->RecordOffer(input, user, changed);
}

std::string VisitorSession::ActivityText() const { return activity_->ExportText(); }

std::string VisitorSession::LoadHints(std::string_view bytes, std::string_view expected_catalog_version) {
  return hints_->Load(bytes, expected_catalog_version);
}

std::string VisitorSession::HintsInfo() const { return hints_->Info(); }

std::string VisitorSession::Recommend(std::string_view options_json, const UserView& user,
                                      const TagChanges& changes) {
  return hints_->Recommend(options_json, user, changes);
}

}  // namespace tagwise
