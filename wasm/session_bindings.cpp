// embind registration of the visitor session (session_binding.h) for the
// full and Node modules; the page runtime exports the same calls through its
// C ABI (page_abi.cpp) instead.
#include <emscripten/bind.h>

#include "session_binding.h"

EMSCRIPTEN_BINDINGS(tagwise_session) {
  using namespace tagwise::wasm;
  emscripten::class_<SessionBinding>("VisitorSession")
      .constructor<std::string>()
      .function("loadCatalog", &SessionBinding::LoadCatalog)
      .function("setPurposes", &SessionBinding::SetPurposes)
      .function("setEventPurposes", &SessionBinding::SetEventPurposes)
      .function("mergeStore", &SessionBinding::MergeStore)
      .function("encodeStore", &SessionBinding::EncodeStore)
      .function("shrink", &SessionBinding::Shrink)
      .function("forget", &SessionBinding::Forget)
      .function("setGeneration", &SessionBinding::SetGeneration)
      .function("setBudget", &SessionBinding::SetBudget)
      .function("storeInfo", &SessionBinding::StoreInfo)
      .function("fingerprint", &SessionBinding::Fingerprint)
      .function("setProfile", &SessionBinding::SetProfile)
      .function("track", &SessionBinding::Track)
      .function("tags", &SessionBinding::Tags)
#ifndef TAGWISE_BROWSER_MODULE
      .function("tagsSince", &SessionBinding::TagsSince)  // js/tags_kept.js
#endif
      .function("explain", &SessionBinding::Explain)
      .function("profileJson", &SessionBinding::ProfileJson)
#ifndef TAGWISE_PAGE_RUNTIME
      .function("tagProfiles", &SessionBinding::TagProfiles)
#endif
#ifndef TAGWISE_PAGE_RUNTIME
      .function("loadHints", &SessionBinding::LoadHints)
      .function("hintsInfo", &SessionBinding::HintsInfo)
      .function("recommend", &SessionBinding::Recommend)
      .function("runExperiment", &SessionBinding::RunExperiment)
      .function("convert", &SessionBinding::Convert)
      .function("loadOffers", &SessionBinding::LoadOffers)
      .function("eligibleOffers", &SessionBinding::EligibleOffers)
      .function("recordOffer", &SessionBinding::RecordOffer)
#endif
      .function("activityJson", &SessionBinding::ActivityJson);
}
