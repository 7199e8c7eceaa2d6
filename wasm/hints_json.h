// Pieces shared by the page module's recommend bindings and the CLI module's
// hint builder bindings: option errors, id lists, the hints summary.
#ifndef TAGWISE_WASM_HINTS_JSON_H_
#define TAGWISE_WASM_HINTS_JSON_H_

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "results.h"
#include "tagwise/error.h"
#include "tagwise/hints.h"

namespace tagwise::wasm {

inline Error OptionError(std::string path, std::string message) {
  return Error{ErrorCode::kWrongArgumentType, std::move(path), std::move(message), Severity::kError};
}

inline ojson HintsInfo(const Hints& h) {
  size_t links = h.neighbours.size() + h.together.size();
  return {{"catalogVersion", h.catalog_version},
          {"items", h.items.size()},
          {"users", h.users},
          {"interactions", h.interactions},
          {"links", links},
          {"segments", h.segments.size()},
          {"trending", h.trending.size()},
          {"builtAt", h.built_at},
          {"dataFrom", h.data_from},
          {"dataTo", h.data_to}};
}

// Reads a list of non-empty strings at `path`.
inline Result<std::vector<std::string>> StringList(const nlohmann::json& j, const std::string& path) {
  if (!j.is_array()) return OptionError(path, "Expected a list of item ids.");
  std::vector<std::string> out;
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_string()) return OptionError(path + "/" + std::to_string(i), "Expected an item id (a string).");
    out.push_back(j[i].get<std::string>());
  }
  return out;
}

}  // namespace tagwise::wasm

#endif  // TAGWISE_WASM_HINTS_JSON_H_
