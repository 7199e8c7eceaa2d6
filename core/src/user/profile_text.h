// Reading a profile's JSON text without building its events as JSON objects.
//
// A page's setProfile hands over ~1,000 events. Parsed as a JSON tree, each
// event is a std::map of four entries that Profile::FromJson then takes
// apart again; ReadProfileText reads each event's "id", "type", "ts" and
// "props" straight into their own slots (props still as a JSON value: rules
// read them), and everything else into the tree as before. FromJson on the
// result applies exactly the checks, repairs and warnings it applies to the
// tree, in the same order.
#ifndef TAGWISE_USER_PROFILE_TEXT_H_
#define TAGWISE_USER_PROFILE_TEXT_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace tagwise {

// One entry of a profile's "events" list.
struct EventFields {
  enum : uint8_t { kId = 1, kType = 2, kTs = 4, kProps = 8 };
  nlohmann::json id, type, ts, props;
  uint8_t present = 0;                  // which fields the object had
  std::optional<nlohmann::json> whole;  // an entry that is not an object, as it was
};

struct ProfileText {
  nlohmann::json rest;               // the profile object; without "events" when events_listed
  std::vector<EventFields> events;   // when events_listed
  bool events_listed = false;        // "events" was a list, read into `events`
};

// Reads `text` (a JSON object, at most `max_depth` levels deep) into *out.
// False when the text is anything else or not valid JSON: the caller then
// parses it as a tree (ParseFast / ParseJson), which also says what is wrong.
bool ReadProfileText(std::string_view text, int max_depth, ProfileText* out);

}  // namespace tagwise

#endif  // TAGWISE_USER_PROFILE_TEXT_H_
