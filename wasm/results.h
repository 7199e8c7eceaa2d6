// What every wasm entry point shares: reading the (ptr, len) text the JS side
// wrote, times as doubles, the consent choice as JS reads it, and Guard, which turns anything that escapes the
// core into an error value (tagwise/answer.h has the envelope itself).
#ifndef TAGWISE_WASM_RESULTS_H_
#define TAGWISE_WASM_RESULTS_H_

#include <cmath>
#include <cstdint>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "tagwise/answer.h"
#include "tagwise/purposes.h"
#include "tagwise/store.h"

namespace tagwise::wasm {

// Text the JS side wrote into a _malloc'd buffer, passed as (ptr, len).
inline std::string_view View(uintptr_t ptr, size_t len) {
  if (len == 0) return {};
  return {reinterpret_cast<const char*>(ptr), len};
}

// JS times arrive as doubles; Date's range is ±8.64e15 ms, so clamping keeps
// the cast defined for any input (the JS side has already refused NaN).
inline int64_t ToMs(double ms) { return static_cast<int64_t>(std::trunc(std::fmax(-9e15, std::fmin(9e15, ms)))); }

// A visitor's recorded consent choice as JS reads it: {"purposes" (in
// kPurposes order), "updatedAt"}, or null when none is recorded.
inline std::string ConsentText(const std::optional<StoredConsent>& consent) {
  if (!consent) return "null";
  nlohmann::json purposes = nlohmann::json::array();
  for (std::string_view p : kPurposes) {
    if (consent->purposes.count(std::string(p)) > 0) purposes.push_back(p);
  }
  return ObjectText().Add("purposes", purposes).Add("updatedAt", consent->updated_at).Close();
}

// What every entry point returns when something unexpected escapes the core.
inline std::string InternalFailure(const std::string& what) {
  return FailureText(ErrorCode::kTooLarge, "", "The input could not be processed: " + what + ".");
}

// What an entry point returns when the heap could not grow. Not inlined:
// Guard is instantiated once per entry point.
[[gnu::noinline]] inline std::string OutOfMemoryFailure() {
  return FailureText(ErrorCode::kOutOfMemory, "", "The wasm heap could not grow for this call.");
}

// Runs a binding body, turning any escaping exception into an error value:
// nothing may throw across the boundary or abort the instance.
template <typename F>
std::string Guard(F&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return OutOfMemoryFailure();
  } catch (const std::exception& e) {
    return InternalFailure(e.what());
  } catch (...) {
    return InternalFailure("unknown error");
  }
}

}  // namespace tagwise::wasm

#endif  // TAGWISE_WASM_RESULTS_H_
