// The recommendation side of a catalog session (tw.loadHints / tw.recommend):
// the session owns one HintsSession and hands it the profile, the held tags
// and the consent state at each call. The hint builder and the offline
// evaluation (for the `tagwise hints` / `tagwise eval` commands) are free
// bindings in recommend_bindings.cpp.
#ifndef TAGWISE_WASM_RECOMMEND_BINDINGS_H_
#define TAGWISE_WASM_RECOMMEND_BINDINGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/hints.h"
#include "tagwise/profile.h"

namespace tagwise::wasm {

// What the scorer needs to know about the visitor besides the profile.
struct VisitorView {
  const Profile* profile = nullptr;
  std::vector<std::string> held_tags;  // catalog order
  bool personal = true;                // the "personalization" purpose is on
  int64_t now = 0;
};

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
  std::string Recommend(std::string_view options_json, const VisitorView& visitor,
                        const nlohmann::ordered_json& changes) const;
  void Clear() { hints_.reset(); }
  bool loaded() const { return hints_.has_value(); }

 private:
  nlohmann::ordered_json RecommendJson(std::string_view options_json, const VisitorView& visitor) const;

  std::optional<Hints> hints_;
};

}  // namespace tagwise::wasm

#endif  // TAGWISE_WASM_RECOMMEND_BINDINGS_H_
