// The page runtime's C ABI: the same entry points as the embind registration
// (session_bindings.cpp, rule_bindings.cpp, catalog_bindings.cpp), exported as
// plain functions that js/page_abi.js wraps into the same JS shape. Without
// embind the page runtime carries no type registry, invoker templates or RTTI
// names, and its glue no embind runtime (docs/benchmarks.md, "Who owns the
// page runtime's bytes").
//
// Conventions:
//  - Handles are the C++ objects' addresses; 0 means the allocation failed.
//  - Text in is (ptr, len) in a buffer the JS side owns; text out is the
//    answer buffer below: a call returns its data pointer and
//    tw_answer_len() its length, valid until the next call that answers.
//  - Booleans cross as int, times as double (ms), sizes and pointers as i32.
#include <emscripten/emscripten.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <string>

#include "catalog_binding.h"
#include "rule_binding.h"
#include "session_binding.h"

namespace {

using tagwise::wasm::SessionBinding;
using tagwise::wasm::View;

// The last answer. One module instance runs one call at a time (wasm has no
// threads here), and the JS side copies the text out before the next call.
std::string& Answer() {
  static std::string answer;
  return answer;
}

const char* Out(std::string text) {
  Answer() = std::move(text);
  return Answer().data();
}

SessionBinding* S(uintptr_t h) { return reinterpret_cast<SessionBinding*>(h); }

}  // namespace

#define TW_EXPORT extern "C" EMSCRIPTEN_KEEPALIVE

TW_EXPORT size_t tw_answer_len() { return Answer().size(); }

// ---------------------------------------------------------------- VisitorSession

TW_EXPORT uintptr_t tw_session_new(uintptr_t ptr, size_t len) {
  try {
    return reinterpret_cast<uintptr_t>(new SessionBinding(std::string(View(ptr, len))));
  } catch (...) {
    return 0;
  }
}
TW_EXPORT void tw_session_delete(uintptr_t h) { delete S(h); }
TW_EXPORT const char* tw_session_load_catalog(uintptr_t h, uintptr_t ptr, size_t len, double now) {
  return Out(S(h)->LoadCatalog(ptr, len, now));
}
TW_EXPORT const char* tw_session_set_purposes(uintptr_t h, uintptr_t ptr, size_t len, double now, int record,
                                              double updated_at) {
  return Out(S(h)->SetPurposes(ptr, len, now, record != 0, updated_at));
}
TW_EXPORT const char* tw_session_set_event_purposes(uintptr_t h, uintptr_t ptr, size_t len) {
  return Out(S(h)->SetEventPurposes(ptr, len));
}
TW_EXPORT const char* tw_session_merge_store(uintptr_t h, uintptr_t ptr, size_t len, double now) {
  return Out(S(h)->MergeStore(ptr, len, now));
}
TW_EXPORT const char* tw_session_encode_store(uintptr_t h, double now) { return Out(S(h)->EncodeStore(now)); }
TW_EXPORT const char* tw_session_shrink(uintptr_t h, double now) { return Out(S(h)->Shrink(now)); }
TW_EXPORT const char* tw_session_forget(uintptr_t h, uintptr_t gen, size_t gen_len, double at, double now) {
  return Out(S(h)->Forget(std::string(View(gen, gen_len)), at, now));
}
TW_EXPORT void tw_session_set_generation(uintptr_t h, uintptr_t gen, size_t gen_len, double at) {
  S(h)->SetGeneration(std::string(View(gen, gen_len)), at);
}
TW_EXPORT void tw_session_set_budget(uintptr_t h, double steps, double bytes) { S(h)->SetBudget(steps, bytes); }
TW_EXPORT const char* tw_session_store_info(uintptr_t h) { return Out(S(h)->StoreInfo()); }
TW_EXPORT const char* tw_session_fingerprint(uintptr_t h) { return Out(S(h)->Fingerprint()); }
TW_EXPORT const char* tw_session_set_profile(uintptr_t h, uintptr_t ptr, size_t len, int mode, double now) {
  return Out(S(h)->SetProfile(ptr, len, mode, now));
}
TW_EXPORT const char* tw_session_track(uintptr_t h, uintptr_t ptr, size_t len, int single, double now) {
  return Out(S(h)->Track(ptr, len, single != 0, now));
}
TW_EXPORT const char* tw_session_tags(uintptr_t h, double now, int all) { return Out(S(h)->Tags(now, all != 0)); }
TW_EXPORT const char* tw_session_profile_json(uintptr_t h) { return Out(S(h)->ProfileJson()); }

// No explain (the rule tree with values, for a "why?" panel) and no
// RuleSet: ad-hoc rules (compileRule, compileRules, evaluate) and their
// batch evaluator (RuleBatch: 7 KB gz) come with the full module, on
// tw.ready('explain') and tw.ready('rules'); the page evaluates its
// catalog's rules in the session.

// ---------------------------------------------------------------- free functions

TW_EXPORT const char* tw_validate(uintptr_t ptr, size_t len, int max_depth, int max_nodes) {
  return Out(tagwise::wasm::Validate(ptr, len, max_depth, max_nodes));
}
TW_EXPORT const char* tw_error_codes() { return Out(tagwise::wasm::ErrorCodes()); }
TW_EXPORT const char* tw_decode_store(uintptr_t ptr, size_t len) { return Out(tagwise::wasm::DecodeStoreJson(ptr, len)); }
TW_EXPORT const char* tw_consent_purposes() { return Out(tagwise::wasm::ConsentPurposes()); }
TW_EXPORT const char* tw_decision_sources() { return Out(tagwise::wasm::DecisionSources()); }
