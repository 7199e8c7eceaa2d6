#include "tagwise/profile.h"

#include <algorithm>
#include <cmath>

namespace tagwise {

using nlohmann::json;

namespace {

// Timestamps below this are taken to be seconds, not milliseconds
// (1e11 ms is March 1973; 1e11 s is the year 5138).
constexpr double kSecondsThreshold = 1e11;

const std::vector<uint32_t>& EmptyIndex() {
  static const std::vector<uint32_t> kEmpty;
  return kEmpty;
}

}  // namespace

const std::vector<uint32_t>& Profile::EventsOfType(std::string_view type) const {
  auto it = by_type_.find(std::string(type));
  return it == by_type_.end() ? EmptyIndex() : it->second;
}

void Profile::Reindex() {
  std::stable_sort(events_.begin(), events_.end(), [](const Event& a, const Event& b) { return a.ts < b.ts; });
  by_type_.clear();
  for (uint32_t i = 0; i < events_.size(); ++i) by_type_[events_[i].type].push_back(i);
}

bool Profile::AddEvent(Event e) {
  if (!ids_.emplace(e.id, 1).second) return false;
  bool in_order = events_.empty() || events_.back().ts <= e.ts;
  events_.push_back(std::move(e));
  if (in_order) {
    by_type_[events_.back().type].push_back(static_cast<uint32_t>(events_.size() - 1));
  } else {
    Reindex();
  }
  return true;
}

void Profile::AddRollup(DayRollup r) { rollups_.push_back(std::move(r)); }

Result<Profile> Profile::FromJson(const json& j, std::vector<Error>* warnings) {
  auto warn = [&](std::string path, std::string msg) {
    if (warnings != nullptr) warnings->push_back(Error{ErrorCode::kInvalidRule, std::move(path), std::move(msg), Severity::kWarning});
  };
  if (!j.is_object()) {
    return Error{ErrorCode::kWrongArgumentType, "", "a profile is an object like {\"user_id\": ..., \"events\": [...]}"};
  }
  Profile p;
  if (auto it = j.find("user_id"); it != j.end()) {
    if (it->is_string()) p.user_id_ = it->get<std::string>();
    else if (it->is_number()) p.user_id_ = it->dump();
  }
  if (auto it = j.find("attributes"); it != j.end() && it->is_object()) p.attributes_ = *it;
  std::vector<Event> events;
  if (auto it = j.find("events"); it != j.end()) {
    if (!it->is_array()) return Error{ErrorCode::kWrongArgumentType, "/events", "\"events\" must be a list"};
    events.reserve(it->size());
    for (size_t i = 0; i < it->size(); ++i) {
      const json& ej = (*it)[i];
      std::string path = "/events/" + std::to_string(i);
      if (!ej.is_object()) {
        warn(path, "skipped: an event must be an object");
        continue;
      }
      Event e;
      auto type = ej.find("type");
      if (type == ej.end() || !type->is_string() || type->get_ref<const std::string&>().empty()) {
        warn(path + "/type", "skipped: the event has no \"type\"");
        continue;
      }
      e.type = type->get<std::string>();
      auto ts = ej.find("ts");
      if (ts == ej.end() || !ts->is_number() || !std::isfinite(ts->get<double>())) {
        warn(path + "/ts", "skipped: the event has no numeric \"ts\" (milliseconds since 1970)");
        continue;
      }
      double t = ts->get<double>();
      if (std::fabs(t) < kSecondsThreshold && t != 0) {
        warn(path + "/ts", "\"ts\" looks like seconds; read as milliseconds (x1000)");
        t *= 1000;
      }
      e.ts = static_cast<int64_t>(t);
      auto id = ej.find("id");
      if (id != ej.end() && id->is_string()) {
        e.id = id->get<std::string>();
      } else if (id != ej.end() && id->is_number()) {
        e.id = id->dump();
      } else {
        // Without an id re-delivery cannot be detected; derive a stable one from the content.
        e.id = "auto:" + e.type + ":" + std::to_string(e.ts) + ":" +
               std::to_string(std::hash<std::string>{}(ej.value("props", json::object()).dump(-1, ' ', false, json::error_handler_t::replace)));
        warn(path + "/id", "the event has no \"id\"; duplicates of it cannot be detected");
      }
      if (auto props = ej.find("props"); props != ej.end()) {
        if (props->is_object()) e.props = *props;
        else warn(path + "/props", "ignored: \"props\" must be an object");
      }
      events.push_back(std::move(e));
    }
  }
  // Sort once, then add (dedupe by id keeps the first delivery).
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.ts < b.ts; });
  p.events_.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    if (!p.AddEvent(std::move(events[i]))) warn("/events", "a duplicate event id was ignored");
  }
  if (auto it = j.find("rollups"); it != j.end() && it->is_array()) {
    for (size_t i = 0; i < it->size(); ++i) {
      const json& rj = (*it)[i];
      std::string path = "/rollups/" + std::to_string(i);
      if (!rj.is_object() || !rj.contains("day") || !rj.contains("type") || !rj["type"].is_string()) {
        warn(path, "skipped: a rollup needs \"day\" (ms) and \"type\"");
        continue;
      }
      DayRollup r;
      r.type = rj["type"].get<std::string>();
      if (rj["day"].is_number()) r.day_start = rj["day"].get<int64_t>();
      else { warn(path + "/day", "skipped: \"day\" must be ms since 1970"); continue; }
      if (auto c = rj.find("count"); c != rj.end() && c->is_number()) r.count = c->get<int64_t>();
      if (auto s = rj.find("sums"); s != rj.end() && s->is_object()) {
        for (const auto& [k, v] : s->items()) {
          if (v.is_number()) r.sums[k] = v.get<double>();
        }
      }
      p.rollups_.push_back(std::move(r));
    }
  }
  return p;
}

}  // namespace tagwise
