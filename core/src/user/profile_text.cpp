#include "user/profile_text.h"

#include <cstring>
#include <string>

#include "tagwise/json_text.h"

namespace tagwise {

using nlohmann::json;

namespace {

// key == name, without strlen: most keys differ in length.
template <size_t N>
bool Is(const std::string& key, const char (&name)[N]) {
  return key.size() == N - 1 && std::memcmp(key.data(), name, N - 1) == 0;
}

// One entry of the list (at its first character). A function of its own, not
// inlined into the loop: V8 has no on-stack replacement for wasm, so a loop
// that parsed every event in one call would keep running baseline code after
// the optimizing tier had compiled it; a call per event picks the optimised
// code up mid-list. (wasm-opt still inlines it into the browser modules: it
// is under their one-caller inlining limit, CMakeLists.txt.)
[[gnu::noinline]] bool ReadEvent(FastParser& in, int max_depth, EventFields& f, json& ignored, std::string& key) {
  if (!in.Consume('{')) {
    f.whole.emplace();
    return in.ParseValue(&*f.whole, max_depth - 2) == FastParser::Status::kOk;
  }
  if (max_depth < 3) return false;
  if (in.Consume('}')) return true;
  do {
    if (!in.ReadKey(&key)) return false;
    json* slot = &ignored;
    if (Is(key, "id")) {
      slot = &f.id;
      f.present |= EventFields::kId;
    } else if (Is(key, "type")) {
      slot = &f.type;
      f.present |= EventFields::kType;
    } else if (Is(key, "ts")) {
      slot = &f.ts;
      f.present |= EventFields::kTs;
    } else if (Is(key, "props")) {
      slot = &f.props;
      f.present |= EventFields::kProps;
    }
    // A repeated key: the last one wins, as in JSON.parse and the tree.
    if (in.ParseValue(slot, max_depth - 3) != FastParser::Status::kOk) return false;
  } while (in.Consume(','));
  return in.Consume('}');
}

// The list after "events": at the '['. Each entry sits two levels below the
// profile object (profile, list), each entry's value three (profile, list,
// event object), so nesting is counted as if the whole text were one tree.
bool ReadEvents(FastParser& in, int max_depth, std::vector<EventFields>* events) {
  if (max_depth < 2) return false;
  in.Consume('[');
  if (in.Consume(']')) return true;
  json ignored;  // an event's other fields: parsed (they must be valid JSON), then dropped
  std::string key;
  do {
    if (!ReadEvent(in, max_depth, events->emplace_back(), ignored, key)) return false;
  } while (in.Consume(','));
  return in.Consume(']');
}

}  // namespace

// Not inlined into its one caller (VisitorSession::SetProfile, once per
// profile): inlined, its per-event loop made V8's baseline tier optimise all
// of SetProfile in the background for a call that does not come again (wasm
// has no on-stack replacement). wasm-opt keeps it apart too: it is over the
// browser modules' one-caller inlining limit (CMakeLists.txt).
[[gnu::noinline]] bool ReadProfileText(std::string_view text, int max_depth, ProfileText* out) {
  FastParser in(text);
  if (max_depth < 1 || !in.Consume('{')) return false;
  out->rest = json::object();
  auto& fields = out->rest.get_ref<json::object_t&>();
  if (in.Consume('}')) return in.AtEnd();
  std::string key;
  do {
    if (!in.ReadKey(&key)) return false;
    if (Is(key, "events")) {
      // A repeated "events": the last one wins, list or not.
      out->events.clear();
      out->events_listed = false;
      fields.erase(key);
      if (in.Peek('[')) {
        out->events_listed = true;
        if (!ReadEvents(in, max_depth, &out->events)) return false;
        continue;
      }
    }
    json& slot = fields[key];
    if (in.ParseValue(&slot, max_depth - 1) != FastParser::Status::kOk) return false;
  } while (in.Consume(','));
  return in.Consume('}') && in.AtEnd();
}

}  // namespace tagwise
