// The recommendation side of a visitor session (tw.loadHints / tw.recommend):
// the VisitorSession owns one HintsSession and hands it a view of the user
// (profile, held tags, consent) at each call. JSON options in, one JSON
// answer out. The hint builder and the offline evaluation are offline code
// (tagwise_offline), never linked into the page module.
#ifndef TAGWISE_CORE_SRC_RECOMMEND_HINTS_SESSION_H_
#define TAGWISE_CORE_SRC_RECOMMEND_HINTS_SESSION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tagwise/answer.h"
#include "tagwise/engine.h"
#include "tagwise/hints.h"
#include "tagwise/profile.h"
#include "tagwise/session.h"

namespace tagwise::internal {

class HintsSession {
 public:
  // {"ok", "info"} or {"ok": false, "errors"}; on failure the loaded hints stay.
  std::string Load(std::string_view bytes, std::string_view expected_catalog_version);
  // {"ok", "info": {...} | null}.
  std::string Info() const;
  // {"ok", "items": [{item, score, reasons, name?, category?, price?}], "source",
  //  "unknownItems", "warnings", "changes"} or {"ok": false, "errors", "changes"}
  // (bad options, with paths). `changes`: the session's tag changes found
  // while preparing the visitor, passed through for the JS listeners.
  std::string Recommend(std::string_view options_json, const UserView& visitor, const TagChanges& changes) const;
  void Clear() { hints_.reset(); }
  bool loaded() const { return hints_.has_value(); }

 private:
  // The answer's fields before "changes", left open for Recommend to add it.
  ObjectText RecommendAnswer(std::string_view options_json, const UserView& visitor) const;

  std::optional<Hints> hints_;
};

}  // namespace tagwise::internal

#endif  // TAGWISE_CORE_SRC_RECOMMEND_HINTS_SESSION_H_
