// One user's data as rules see it: attributes, recent events and per-day
// rollups of compacted older events (DESIGN.md section 3).
//
// A Profile is built once and then read by many rule evaluations, so it keeps
// its events sorted by time and indexed by type: an `events` aggregate touches
// only the events of the requested types inside the window (binary search on
// time), never the whole history.
//
// Thread-compatible: const methods may be called concurrently.
#ifndef TAGWISE_PROFILE_H_
#define TAGWISE_PROFILE_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/error.h"

namespace tagwise {

struct Event {
  std::string id;     // unique per user; re-delivery is a no-op
  std::string type;   // e.g. "order_paid"
  int64_t ts = 0;     // ms since the Unix epoch
  nlohmann::json props = nlohmann::json::object();
};

// Count and numeric sums of one event type on one day (compacted history).
struct DayRollup {
  int64_t day_start = 0;  // ms of the day's first instant (in the profile's zone)
  std::string type;
  int64_t count = 0;
  std::map<std::string, double> sums;  // per numeric prop name
};

class Profile {
 public:
  Profile() = default;

  // Parses {"user_id", "attributes", "events": [...], "rollups": [...]}.
  // Malformed events are reported (path "/events/3/ts") and skipped; the rest load.
  static Result<Profile> FromJson(const nlohmann::json& j, std::vector<Error>* warnings = nullptr);

  // Adds an event; returns false (and changes nothing) when its id is already known.
  bool AddEvent(Event e);
  void AddRollup(DayRollup r);

  const std::string& user_id() const { return user_id_; }
  void set_user_id(std::string id) { user_id_ = std::move(id); }
  const nlohmann::json& attributes() const { return attributes_; }
  void set_attributes(nlohmann::json a) { attributes_ = std::move(a); }

  // All events, sorted by (ts, insertion order).
  const std::vector<Event>& events() const { return events_; }
  const std::vector<DayRollup>& rollups() const { return rollups_; }

  // Indices into events() of the given type, ascending by time; empty if none.
  const std::vector<uint32_t>& EventsOfType(std::string_view type) const;

 private:
  void Reindex();

  std::string user_id_;
  nlohmann::json attributes_ = nlohmann::json::object();
  std::vector<Event> events_;
  std::vector<DayRollup> rollups_;
  std::unordered_map<std::string, std::vector<uint32_t>> by_type_;
  std::unordered_map<std::string, uint32_t> ids_;  // id -> present
};

}  // namespace tagwise

#endif  // TAGWISE_PROFILE_H_
