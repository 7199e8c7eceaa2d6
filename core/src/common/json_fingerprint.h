// A JSON value's content hash without writing its text.
#ifndef TAGWISE_CORE_SRC_COMMON_JSON_FINGERPRINT_H_
#define TAGWISE_CORE_SRC_COMMON_JSON_FINGERPRINT_H_

#include <string>

#include <nlohmann/json.hpp>

namespace tagwise::internal {

// FNV-1a 64 (16 hex digits) of exactly the bytes
// value.dump(-1, ' ', false, json::error_handler_t::replace) writes: the
// compact text, object keys in order, so the same value however it was
// formatted. Catalog fingerprints are this hash; computing it as it walks
// keeps the page from serialising a whole catalog once per load (and V8 from
// optimising the serializer's per-character loop in the background for it).
std::string DumpFnv1aHex(const nlohmann::json& value);

}  // namespace tagwise::internal

#endif  // TAGWISE_CORE_SRC_COMMON_JSON_FINGERPRINT_H_
