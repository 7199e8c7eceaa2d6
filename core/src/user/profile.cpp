#include "tagwise/profile.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <optional>
#include <type_traits>
#include <utility>

#include "common/fnv.h"
#include "common/js_value.h"
#include "tagwise/utf8.h"
#include "user/profile_text.h"

namespace tagwise {

using nlohmann::json;

namespace {

constexpr int64_t kDayMs = 86'400'000;

// Plausible ms timestamps are 1e11 (March 1973) to 1e14 (year 5138). Smaller
// magnitudes are seconds, larger ones micro- or nanoseconds: exporters and
// languages disagree on the unit, and no real event happens outside that range.
constexpr double kSecondsBelow = 1e11;
// Seconds are repaired only when x1000 lands in the plausible range, so a
// repaired time is never repaired again on the next load (5 stays 5 ms, not
// 5,000 then 5,000,000 across reloads).
constexpr double kSecondsFrom = kSecondsBelow / 1000;
constexpr double kMicrosFrom = 1e14;
constexpr double kNanosFrom = 1e17;
constexpr double kUnusableFrom = 1e20;

// Counts stay exact integers in a JS number (2^53 - 1).
constexpr double kMaxCount = 9007199254740991.0;

// Real UTC offsets run from -12:00 to +14:00.
constexpr int kMinTzOffsetMin = -12 * 60;
constexpr int kMaxTzOffsetMin = 14 * 60;

// Keeps day arithmetic on absurd timestamps (AddEvent takes any int64) free of overflow.
constexpr int64_t kSaneTsLimit = int64_t{1} << 62;

const char* const kTopFields[] = {"tagwise_profile", "user_id",           "attributes", "tz_offset_min", "events",
                                  "rollups",         "compacted_through", "as_of",      "tags"};

class Warner {
 public:
  explicit Warner(std::vector<Error>* out) : out_(out) {}
  void operator()(ErrorCode code, std::string path, std::string message) const {
    if (out_ != nullptr) out_->push_back(Error{code, std::move(path), std::move(message), Severity::kWarning});
  }
  void Add(Error e) const {
    e.severity = Severity::kWarning;
    if (out_ != nullptr) out_->push_back(std::move(e));
  }

 private:
  std::vector<Error>* out_;
};

std::string Num(double d) { return js::NumberToString(d); }

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0))) --q;
  return q;
}

// Finite sums stay finite (and so valid JSON): saturate at the largest double.
double SaturatingAdd(double a, double b) {
  double s = a + b;
  if (std::isinf(s)) return s > 0 ? DBL_MAX : -DBL_MAX;
  return s;
}

int64_t SaturatingCount(int64_t a, int64_t b) {
  const auto max = static_cast<int64_t>(kMaxCount);
  return a > max - b ? max : a + b;
}

// Derived ids were first written with this offset basis (the standard one
// with its last digit missing); stored ids depend on it, so it stays.
constexpr uint64_t kDerivedIdBasis = 1469598103934665603ULL;

// Longest part of the type a derived id spells out. The id must stay within
// ProfileLimits::max_string_bytes (256) with "auto:", the time and the hash
// around it, or the event would be skipped when the profile is read back
// (found by fuzz/profile_fuzzer: a 250-byte type).
constexpr size_t kDerivedIdTypeBytes = 128;

std::string DerivedId(const std::string& type, int64_t ts, const json& props) {
  std::string content = props.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string_view shown = type;
  if (shown.size() > kDerivedIdTypeBytes) {
    // Cut on a character boundary; the hash then covers the whole type, so
    // two long types that share the shown prefix still get different ids.
    shown = shown.substr(0, Utf8CharBoundary(type, kDerivedIdTypeBytes));
    content = type + '\n' + content;
  }
  return "auto:" + std::string(shown) + ":" + std::to_string(ts) + ":" + internal::Fnv1aHex(content, kDerivedIdBasis);
}

// Where a value sits, as a JSON Pointer built only when a warning or an
// error names it: "/events/17" from FromJson's list, the caller's own path
// for a single event. Building it for each of a profile's events cost three
// allocations apiece.
struct LazyPath {
  std::string_view prefix;
  size_t index = std::string::npos;  // npos: `prefix` is the whole path

  std::string operator()(std::string_view suffix = {}) const {
    std::string out(prefix);
    if (index != std::string::npos) out.append("/").append(std::to_string(index));
    return out.append(suffix);
  }
};

// Reads a time in ms at `path` + `suffix`; repairs seconds/micro/nanoseconds
// with a warning. Returns nullopt with `*why` set when the value is not a
// usable time.
std::optional<int64_t> ReadTime(const json& v, const LazyPath& path, std::string_view suffix, const Warner& warn,
                                const char* what, std::string* why) {
  if (!v.is_number()) {
    *why = std::string("\"") + what + "\" must be a number of milliseconds since 1970";
    return std::nullopt;
  }
  double t = v.get<double>();
  if (!std::isfinite(t)) {
    *why = std::string("\"") + what + "\" is not a finite number";
    return std::nullopt;
  }
  if (std::fabs(t) >= kUnusableFrom) {
    *why = std::string("\"") + what + "\" " + Num(t) + " is too large to be a time in milliseconds since 1970";
    return std::nullopt;
  }
  const double mag = std::fabs(t);
  if (mag >= kSecondsFrom && mag < kSecondsBelow) {
    warn(ErrorCode::kWrongArgumentType, path(suffix),
         std::string("\"") + what + "\" " + Num(t) + " looks like seconds since 1970; read as milliseconds (x1000)");
    t *= 1000;
  } else if (mag >= kNanosFrom) {
    warn(ErrorCode::kWrongArgumentType, path(suffix),
         std::string("\"") + what + "\" " + Num(t) +
             " looks like nanoseconds since 1970; read as milliseconds (/1000000)");
    t /= 1e6;
  } else if (mag >= kMicrosFrom) {
    warn(ErrorCode::kWrongArgumentType, path(suffix),
         std::string("\"") + what + "\" " + Num(t) +
             " looks like microseconds since 1970; read as milliseconds (/1000)");
    t /= 1000;
  }
  return static_cast<int64_t>(std::floor(t));
}

// Reads "tz_offset_min"; nullopt (with a warning) when unusable.
std::optional<int> ReadTzOffset(const json& v, const Warner& warn) {
  const std::string path = "/tz_offset_min";
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() != std::floor(v.get<double>())) {
    warn(ErrorCode::kWrongArgumentType, path,
         "ignored: \"tz_offset_min\" must be a whole number of minutes east of UTC (480 for China); days stay UTC days");
    return std::nullopt;
  }
  double m = v.get<double>();
  // No zone is 1-14 minutes off UTC, but +1..+14 hours are common: the value is hours.
  if (m != 0 && std::fabs(m) <= 14) {
    warn(ErrorCode::kWrongArgumentType, path,
         "\"tz_offset_min\" " + Num(m) + " looks like hours; read as " + Num(m * 60) + " minutes");
    m *= 60;
  }
  if (m < kMinTzOffsetMin || m > kMaxTzOffsetMin) {
    warn(ErrorCode::kWrongArgumentType, path,
         "ignored: \"tz_offset_min\" " + Num(m) + " is outside -720..840 (UTC-12 to UTC+14); days stay UTC days");
    return std::nullopt;
  }
  return static_cast<int>(m);
}

// The number a live `sum` aggregate would add for this prop value (JS Number()
// of numbers, numeric strings and booleans), if finite. Blank strings, arrays
// and objects are not summed: they would only add zero-valued entries.
std::optional<double> SummableNumber(const json& v) {
  // Exactly what a live sum/avg adds (events_agg.cpp: null is skipped, the
  // rest goes through JavaScript's Number(): "30" is 30, "" and [] are 0,
  // [5] is 5, {} is NaN), so folding a day never changes an aggregate. Non-finite
  // values are left out: a JSON sum cannot hold them.
  if (v.is_null()) return std::nullopt;
  const double d = js::ToNumber(v);
  if (!std::isfinite(d)) return std::nullopt;
  return d;
}

bool ByTs(const Event& a, const Event& b) { return a.ts < b.ts; }

bool RollupLess(const DayRollup& a, const DayRollup& b) {
  return a.day_start != b.day_start ? a.day_start < b.day_start : a.type < b.type;
}

// Gives every name in `sums` its entry in `numbers` (absent means `count`), so
// the count can grow without changing what the entries mean.
void SpellOutNumbers(DayRollup* r) {
  for (const auto& [k, v] : r->sums) r->numbers.try_emplace(k, r->count);
}

void MergeInto(DayRollup* into, const DayRollup& from) {
  SpellOutNumbers(into);
  for (const auto& [k, v] : from.sums) {
    into->sums[k] = SaturatingAdd(into->sums[k], v);
    into->numbers[k] = SaturatingCount(into->numbers[k], from.NumbersAt(k));
  }
  into->count = SaturatingCount(into->count, from.count);
}

// One rollup from JSON; nullopt (with a warning) when it cannot be used.
std::optional<DayRollup> ParseRollup(const json& rj, const std::string& path, const Warner& warn,
                                     const ProfileLimits& limits) {
  if (!rj.is_object()) {
    warn(ErrorCode::kWrongArgumentType, path,
         "skipped: a rollup must be an object like {\"day\", \"type\", \"count\", \"sums\"}");
    return std::nullopt;
  }
  DayRollup r;
  auto type = rj.find("type");
  if (type == rj.end() || !type->is_string() || type->get_ref<const std::string&>().empty()) {
    warn(ErrorCode::kWrongArgumentType, path + "/type", "skipped: a rollup needs a \"type\" (the event type)");
    return std::nullopt;
  }
  if (type->get_ref<const std::string&>().size() > limits.max_string_bytes) {
    warn(ErrorCode::kTooLarge, path + "/type",
         "skipped: the rollup's \"type\" is longer than " + std::to_string(limits.max_string_bytes) + " bytes");
    return std::nullopt;
  }
  r.type = type->get<std::string>();
  auto day = rj.find("day");
  if (day == rj.end()) {
    warn(ErrorCode::kWrongArgumentType, path + "/day", "skipped: a rollup needs \"day\" (ms of the day's start)");
    return std::nullopt;
  }
  std::string why;
  std::optional<int64_t> d = ReadTime(*day, LazyPath{path}, "/day", warn, "day", &why);
  if (!d) {
    warn(ErrorCode::kWrongArgumentType, path + "/day", "skipped: " + why);
    return std::nullopt;
  }
  r.day_start = *d;
  auto count = rj.find("count");
  if (count == rj.end() || !count->is_number()) {
    warn(ErrorCode::kWrongArgumentType, path + "/count", "skipped: a rollup needs \"count\", a number of events");
    return std::nullopt;
  }
  const double c = count->get<double>();
  if (!std::isfinite(c) || c <= 0 || c > kMaxCount) {
    warn(ErrorCode::kWrongArgumentType, path + "/count",
         "skipped: \"count\" " + (std::isfinite(c) ? Num(c) : std::string("(not finite)")) +
             " is not a number of events between 1 and 2^53-1");
    return std::nullopt;
  }
  if (c != std::floor(c)) {
    warn(ErrorCode::kWrongArgumentType, path + "/count",
         "\"count\" " + Num(c) + " is not a whole number; read as " + Num(std::floor(c)));
  }
  r.count = static_cast<int64_t>(std::floor(c));
  if (r.count == 0) {  // 0 < c < 1: nothing to count
    warn(ErrorCode::kWrongArgumentType, path + "/count", "skipped: the rollup counts no whole event");
    return std::nullopt;
  }
  if (auto s = rj.find("sums"); s != rj.end() && !s->is_null()) {
    if (!s->is_object()) {
      warn(ErrorCode::kWrongArgumentType, path + "/sums",
           "ignored: \"sums\" must be an object like {\"amount\": 90}; the count is kept");
    } else {
      for (const auto& [k, v] : s->items()) {
        if (v.is_number() && std::isfinite(v.get<double>())) {
          r.sums[k] = v.get<double>();
        } else {
          warn(ErrorCode::kWrongArgumentType, JoinPointer(path + "/sums", k),
               "ignored: a sum must be a finite number; the other sums are kept");
        }
      }
    }
  }
  if (auto n = rj.find("numbers"); n != rj.end() && !n->is_null()) {
    if (!n->is_object()) {
      warn(ErrorCode::kWrongArgumentType, path + "/numbers",
           "ignored: \"numbers\" must be an object like {\"amount\": 2}; averages count every event");
    } else {
      for (const auto& [k, v] : n->items()) {
        const bool whole = v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() >= 0 &&
                           v.get<double>() <= static_cast<double>(r.count) &&
                           v.get<double>() == std::floor(v.get<double>());
        if (whole && r.sums.count(k)) {
          r.numbers[k] = static_cast<int64_t>(v.get<double>());
        } else {
          warn(ErrorCode::kWrongArgumentType, JoinPointer(path + "/numbers", k),
               "ignored: a count of numbers must be a whole number from 0 to the rollup's count, for a prop in "
               "\"sums\"");
        }
      }
    }
  }
  SpellOutNumbers(&r);
  return r;
}

}  // namespace

namespace {

// About the size of `j` as JSON text: string bytes (keys too) plus a few per
// value for quotes, separators and numbers. Stops counting once over `limit`
// (the answer is then just "more than limit"). Iterative: props nest up to
// the parser's depth limit, deeper than the wasm stack likes to recurse.
// Adds a scalar's size to *total; false for an object or array.
bool AddScalarBytes(const json& v, size_t* total) {
  if (v.is_string()) {
    *total += v.get_ref<const std::string&>().size() + 3;
  } else if (v.is_object() || v.is_array()) {
    return false;
  } else {
    *total += v.is_number() ? 8 : 5;
  }
  return true;
}

size_t ApproxJsonBytes(const json& j, size_t limit) {
  size_t total = 0;
  // Objects and arrays still to count. Only nested ones are queued, so the
  // flat props most events have need no allocation.
  std::vector<const json*> todo;
  for (const json* v = &j;;) {
    if (v->is_object()) {
      total += 2;
      for (auto it = v->begin(); it != v->end(); ++it) {
        total += it.key().size() + 4;
        if (!AddScalarBytes(it.value(), &total)) todo.push_back(&it.value());
      }
    } else if (v->is_array()) {
      total += 2;
      for (const json& item : *v) {
        if (!AddScalarBytes(item, &total)) todo.push_back(&item);
      }
    } else {
      AddScalarBytes(*v, &total);
    }
    if (todo.empty() || total > limit) return total;
    v = todo.back();
    todo.pop_back();
  }
}

}  // namespace

namespace {

// An event's four fields, each nullptr when absent: from a parsed object
// (find) or from ReadProfileText, which reads them without building one.
template <typename Json>
struct Fields {
  Json* type = nullptr;
  Json* ts = nullptr;
  Json* props = nullptr;
  Json* id = nullptr;
};

// ParseEvent's checks and repairs on an event's fields. Json = json: the
// type, id and props strings and objects are moved, so a profile's 1,000
// events are not copied a second time after parsing; const json copies.
template <typename Json>
Result<Event> EventFromFields(const Fields<Json>& f, const LazyPath& path, std::vector<Error>* warnings,
                              const ProfileLimits& limits) {
  constexpr bool kTake = !std::is_const_v<Json>;
  const Warner warn(warnings);
  Event e;
  Json* type = f.type;
  if (type == nullptr || !type->is_string() || type->template get_ref<const std::string&>().empty()) {
    return Error{ErrorCode::kWrongArgumentType, path("/type"),
                 "an event needs a \"type\", a non-empty string such as \"order_paid\""};
  }
  if (type->template get_ref<const std::string&>().size() > limits.max_string_bytes) {
    return Error{ErrorCode::kTooLarge, path("/type"),
                 "the event's \"type\" is longer than " + std::to_string(limits.max_string_bytes) + " bytes"};
  }
  if constexpr (kTake) e.type = std::move(type->template get_ref<std::string&>());
  else e.type = type->template get<std::string>();
  if (f.ts == nullptr) {
    return Error{ErrorCode::kWrongArgumentType, path("/ts"),
                 "an event needs \"ts\", its time in milliseconds since 1970"};
  }
  std::string why;
  std::optional<int64_t> t = ReadTime(*f.ts, path, "/ts", warn, "ts", &why);
  if (!t) return Error{ErrorCode::kWrongArgumentType, path("/ts"), why};
  e.ts = *t;
  if (Json* props = f.props; props != nullptr && !props->is_null()) {
    if (props->is_object()) {
      if (const size_t size = ApproxJsonBytes(*props, limits.max_props_bytes); size > limits.max_props_bytes) {
        return Error{ErrorCode::kTooLarge, path("/props"),
                     "the event's \"props\" take more than " + std::to_string(limits.max_props_bytes) +
                         " bytes as JSON; keep large documents out of events"};
      }
      if constexpr (kTake) e.props = std::move(*props);
      else e.props = *props;
    } else {
      warn(ErrorCode::kWrongArgumentType, path("/props"),
           "ignored: \"props\" must be an object like {\"amount\": 30}; the event is kept without props");
    }
  }
  Json* id = f.id;
  if (id != nullptr && id->is_string() && !id->template get_ref<const std::string&>().empty()) {
    if constexpr (kTake) e.id = std::move(id->template get_ref<std::string&>());
    else e.id = id->template get<std::string>();
  } else if (id != nullptr && id->is_number()) {
    e.id = id->dump();
  }
  if (e.id.size() > limits.max_string_bytes) {
    return Error{ErrorCode::kTooLarge, path("/id"),
                 "the event's \"id\" is longer than " + std::to_string(limits.max_string_bytes) + " bytes"};
  }
  if (e.id.empty()) {
    // Without an id re-delivery cannot be recognised; an id derived from the
    // content at least makes the same event delivered twice count once.
    e.id = DerivedId(e.type, e.ts, e.props);
    warn(ErrorCode::kWrongArgumentType, path("/id"),
         "the event has no \"id\" (a non-empty string); it is kept with the id \"" + e.id +
             "\", and two identical events without ids count once");
  }
  return e;
}

// ParseEvent on a parsed value: for a const event (copies) and for one the
// caller gives up (moves).
template <typename Json>
Result<Event> ParseEventImpl(Json& ej, const LazyPath& path, std::vector<Error>* warnings,
                             const ProfileLimits& limits) {
  if (!ej.is_object()) {
    return Error{ErrorCode::kWrongArgumentType, path(),
                 "an event must be an object like {\"id\": \"e-1\", \"type\": \"order_paid\", \"ts\": 1763800000000}"};
  }
  const auto field = [&ej](const char* key) -> Json* {
    auto it = ej.find(key);
    return it == ej.end() ? nullptr : &*it;
  };
  return EventFromFields(Fields<Json>{field("type"), field("ts"), field("props"), field("id")}, path, warnings,
                         limits);
}

// An event of a profile's text read by ReadProfileText.
Result<Event> ParseEventFields(EventFields& f, const LazyPath& path, std::vector<Error>* warnings,
                               const ProfileLimits& limits) {
  if (f.whole) return ParseEventImpl(*f.whole, path, warnings, limits);
  const auto field = [&f](int bit, json* value) { return (f.present & bit) != 0 ? value : nullptr; };
  return EventFromFields(Fields<json>{field(EventFields::kType, &f.type), field(EventFields::kTs, &f.ts),
                                      field(EventFields::kProps, &f.props), field(EventFields::kId, &f.id)},
                         path, warnings, limits);
}

}  // namespace

Result<Event> ParseEvent(const json& ej, std::string_view path, std::vector<Error>* warnings,
                         const ProfileLimits& limits) {
  return ParseEventImpl(ej, LazyPath{path}, warnings, limits);
}

Result<Event> ParseEvent(json&& ej, std::string_view path, std::vector<Error>* warnings, const ProfileLimits& limits) {
  return ParseEventImpl(ej, LazyPath{path}, warnings, limits);
}

const std::vector<uint32_t>& Profile::EventsOfType(std::string_view type) const {
  static const std::vector<uint32_t> kEmpty;  // immutable: safe to share
  auto it = by_type_.find(type);
  return it == by_type_.end() ? kEmpty : it->second;
}

int64_t Profile::DayStart(int64_t ts) const {
  const int64_t offset = int64_t{tz_offset_min_} * 60'000;
  ts = std::clamp(ts, -kSaneTsLimit, kSaneTsLimit);
  return FloorDiv(ts + offset, kDayMs) * kDayMs - offset;
}

void Profile::Reindex(size_t from) {
  // Lists usually arrive in time order (a server's, the store's): checking is O(n), sorting is not.
  const auto begin = events_.begin() + static_cast<std::ptrdiff_t>(from);
  if (!std::is_sorted(begin, events_.end(), ByTs)) std::stable_sort(begin, events_.end(), ByTs);
  by_type_.clear();
  for (uint32_t i = 0; i < events_.size(); ++i) by_type_[events_[i].type].push_back(i);
}

bool Profile::AddEvent(Event e) {
  if (e.id.empty()) e.id = DerivedId(e.type, e.ts, e.props);
  if (ids_.count(e.id) != 0) return false;
  const int64_t covered = covered_through();
  if (covered != kNone && e.ts <= covered) return false;  // already counted in rollups or a snapshot
  ids_.insert(e.id);
  if (events_.empty() || events_.back().ts <= e.ts) {
    events_.push_back(std::move(e));
    by_type_[events_.back().type].push_back(static_cast<uint32_t>(events_.size() - 1));
    return true;
  }
  // An earlier event: insert after the events of equal ts (insertion order),
  // shift the indices behind it and insert its own, all in O(n).
  auto pos = std::upper_bound(events_.begin(), events_.end(), e, ByTs);
  const auto at = static_cast<uint32_t>(pos - events_.begin());
  memo_.InsertAt(at);  // the events behind it move
  events_.insert(pos, std::move(e));
  for (auto& [type, idx] : by_type_) {
    for (uint32_t& i : idx) {
      if (i >= at) ++i;
    }
  }
  std::vector<uint32_t>& idx = by_type_[events_[at].type];
  idx.insert(std::lower_bound(idx.begin(), idx.end(), at), at);
  return true;
}

size_t Profile::AddEvents(std::vector<Event> events, std::set<std::string>* added_types) {
  size_t added = 0;
#ifndef TAGWISE_SMALL_CORE
  // A few events (a track() call) are placed one by one: a late one shifts
  // the events and `where` verdicts behind it instead of sorting them again
  // and dropping their verdicts, which the next tags() would recompute. The
  // browser's modules sort (TAGWISE_SMALL_CORE: fewer bytes, same answers).
  if (events.size() <= kPlacedOneByOne) {
    for (Event& e : events) {
      std::string type = e.type;
      if (!AddEvent(std::move(e))) continue;
      ++added;
      if (added_types != nullptr) added_types->insert(std::move(type));
    }
    return added;
  }
#endif
  const int64_t covered = covered_through();
  const size_t stored = events_.size();
  bool late = false;
  int64_t earliest = INT64_MAX;
  for (Event& e : events) {
    if (e.id.empty()) e.id = DerivedId(e.type, e.ts, e.props);
    if (covered != kNone && e.ts <= covered) continue;
    if (!ids_.insert(e.id).second) continue;
    ++added;
    if (added_types != nullptr) added_types->insert(e.type);
    late = late || (!events_.empty() && e.ts < events_.back().ts);
    earliest = std::min(earliest, e.ts);
    events_.push_back(std::move(e));
    if (!late) by_type_[events_.back().type].push_back(static_cast<uint32_t>(events_.size() - 1));
  }
  if (late) {
    // The stored events up to the earliest new one keep their places (a
    // stable sort puts equal times in arrival order) and their verdicts.
    Event probe;
    probe.ts = earliest;
    const auto keep = static_cast<size_t>(
        std::upper_bound(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(stored), probe, ByTs) -
        events_.begin());
    memo_.KeepPrefix(keep);
    Reindex(keep);
  }
  return added;
}

void Profile::InsertSortedRollup(DayRollup r) {
  SpellOutNumbers(&r);
  auto pos = std::lower_bound(rollups_.begin(), rollups_.end(), r, RollupLess);
  if (pos != rollups_.end() && pos->day_start == r.day_start && pos->type == r.type) {
    MergeInto(&*pos, r);
  } else {
    rollups_.insert(pos, std::move(r));
  }
}

void Profile::AddRollup(DayRollup r) { InsertSortedRollup(std::move(r)); }

CompactionReport Profile::Compact(int64_t now, const RetentionPolicy& policy) {
  CompactionReport report;
  const int64_t age = std::max<int64_t>(policy.max_age_ms, 0);
  const int64_t cutoff = now < std::numeric_limits<int64_t>::min() + age ? std::numeric_limits<int64_t>::min()
                                                                         : now - age;
  size_t fold = static_cast<size_t>(
      std::lower_bound(events_.begin(), events_.end(), cutoff, [](const Event& e, int64_t t) { return e.ts < t; }) -
      events_.begin());
  if (events_.size() > policy.max_events) fold = std::max(fold, events_.size() - policy.max_events);
  if (fold == 0) return report;
  // Fold ties together so every kept event is later than the watermark.
  const int64_t last = events_[fold - 1].ts;
  while (fold < events_.size() && events_[fold].ts == last) ++fold;

  std::map<std::pair<int64_t, std::string>, size_t> slot;  // (day, type) -> index in rollups_
  for (size_t i = 0; i < rollups_.size(); ++i) slot.emplace(std::make_pair(rollups_[i].day_start, rollups_[i].type), i);
  const size_t existing = rollups_.size();
  std::vector<bool> extended(existing, false);
  for (size_t i = 0; i < fold; ++i) {
    const Event& e = events_[i];
    auto [it, fresh] = slot.emplace(std::make_pair(DayStart(e.ts), e.type), rollups_.size());
    if (fresh) {
      DayRollup r;
      r.day_start = it->first.first;
      r.type = e.type;
      rollups_.push_back(std::move(r));
      ++report.rollups_created;
    } else if (it->second < existing && !extended[it->second]) {
      extended[it->second] = true;
      ++report.rollups_extended;
    }
    DayRollup& r = rollups_[it->second];
    SpellOutNumbers(&r);
    r.count = SaturatingCount(r.count, 1);
    if (e.props.is_object()) {
      for (const auto& [k, v] : e.props.items()) {
        if (std::optional<double> d = SummableNumber(v)) {
          r.sums[k] = SaturatingAdd(r.sums[k], *d);
          r.numbers[k] = SaturatingCount(r.numbers[k], 1);
        }
      }
    }
    ids_.erase(e.id);
  }
  std::sort(rollups_.begin(), rollups_.end(), RollupLess);
  events_.erase(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(fold));
  memo_.ErasePrefix(fold);
  compacted_through_ = std::max(compacted_through_, last);
  report.events_folded = fold;
  Reindex();
  return report;
}

Result<Profile> Profile::FromJson(const json& j, std::vector<Error>* warnings, const ProfileLimits& limits) {
  // One reader, which takes the events' parts: a second one that copies them
  // cost the page module 1 KB gz. Callers that own their JSON move it in.
  json copy = j;
  return FromJsonImpl(copy, nullptr, warnings, limits);
}

Result<Profile> Profile::FromJson(json&& j, std::vector<Error>* warnings, const ProfileLimits& limits) {
  return FromJsonImpl(j, nullptr, warnings, limits);
}

Result<Profile> Profile::FromProfileText(ProfileText&& text, std::vector<Error>* warnings, const ProfileLimits& limits) {
  return FromJsonImpl(text.rest, text.events_listed ? &text.events : nullptr, warnings, limits);
}

Result<Profile> Profile::FromJsonImpl(json& j, std::vector<EventFields>* listed, std::vector<Error>* warnings,
                                      const ProfileLimits& limits) {
  const Warner warn(warnings);
  if (!j.is_object()) {
    return Error{ErrorCode::kWrongArgumentType, "",
                 "a profile is an object like {\"user_id\": ..., \"events\": [...]}"};
  }
  if (auto it = j.find("tagwise_profile"); it != j.end()) {
    const bool is_int = it->is_number() && std::isfinite(it->get<double>()) &&
                        it->get<double>() == std::floor(it->get<double>());
    if (is_int && it->get<double>() > kProfileFormatVersion) {
      return Error{ErrorCode::kUnsupportedVersion, "/tagwise_profile",
                   "this profile was written by a newer tagwise (profile format " + Num(it->get<double>()) +
                       "); this version reads format " + std::to_string(kProfileFormatVersion) +
                       ". Upgrade tagwise, or have the server send format " +
                       std::to_string(kProfileFormatVersion) + "; the stored profile was not changed"};
    }
    if (!is_int || it->get<double>() != kProfileFormatVersion) {
      return Error{ErrorCode::kUnsupportedVersion, "/tagwise_profile",
                   "\"tagwise_profile\" must be the profile format version (" +
                       std::to_string(kProfileFormatVersion) + "), not " +
                       it->dump(-1, ' ', false, json::error_handler_t::replace)};
    }
  }
  for (const auto& [key, value] : j.items()) {
    if (std::find(std::begin(kTopFields), std::end(kTopFields), key) == std::end(kTopFields)) {
      warn(ErrorCode::kInvalidRule, JoinPointer("", key), "unknown field \"" + key + "\" is ignored");
    }
  }
  Profile p;
  if (auto it = j.find("user_id"); it != j.end() && !it->is_null()) {
    if (it->is_string()) p.user_id_ = it->get<std::string>();
    else if (it->is_number()) p.user_id_ = it->dump();
    else warn(ErrorCode::kWrongArgumentType, "/user_id", "ignored: \"user_id\" must be a string");
  }
  if (auto it = j.find("attributes"); it != j.end() && !it->is_null()) {
    if (it->is_object()) p.attributes_ = std::move(*it);
    else warn(ErrorCode::kWrongArgumentType, "/attributes", "ignored: \"attributes\" must be an object");
  }
  if (auto it = j.find("tz_offset_min"); it != j.end() && !it->is_null()) {
    if (std::optional<int> tz = ReadTzOffset(*it, warn)) p.tz_offset_min_ = *tz;
  }
  for (const char* field : {"compacted_through", "as_of"}) {
    auto it = j.find(field);
    if (it == j.end() || it->is_null()) continue;
    std::string why;
    const std::string path = std::string("/") + field;
    if (std::optional<int64_t> t = ReadTime(*it, LazyPath{path}, "", warn, field, &why)) {
      (field[0] == 'a' ? p.as_of_ : p.compacted_through_) = *t;
    } else {
      warn(ErrorCode::kWrongArgumentType, path, "ignored: " + why);
    }
  }
  if (auto it = j.find("tags"); it != j.end() && !it->is_null()) {
    if (it->is_object()) p.server_tags_ = std::move(*it);
    else warn(ErrorCode::kWrongArgumentType, "/tags", "ignored: server \"tags\" must be an object {\"tag_id\": {...}}");
  }

  // The events: a parsed list, or the fields ReadProfileText read from one.
  json* list = nullptr;
  if (auto it = j.find("events"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Error{ErrorCode::kWrongArgumentType, "/events", "\"events\" must be a list"};
    list = &*it;
  }
  if (list != nullptr || listed != nullptr) {
    const size_t count = list != nullptr ? list->size() : listed->size();
    std::vector<Event> events;
    events.reserve(std::min(count, limits.max_events));
    // The list position of each kept event, and (built at the first
    // duplicate, which is rare) of each id, for the duplicate's warning.
    std::vector<size_t> listed_at;
    std::unordered_map<std::string, size_t> first_at;
    listed_at.reserve(events.capacity());
    p.ids_.reserve(events.capacity());
    // One entry per call, not inlined: V8's baseline tier charges every turn
    // of a loop by the size of its body, and wasm has no on-stack
    // replacement, so a large loop body here made the whole reader hot enough
    // to be optimised in the background for a call that does not come again.
    auto add = [&](size_t i) __attribute__((noinline)) {
      const LazyPath path{"/events", i};
      Result<Event> e = list == nullptr ? ParseEventFields((*listed)[i], path, warnings, limits)
                                        : ParseEventImpl((*list)[i], path, warnings, limits);
      if (!e.ok()) {
        Error err = e.error();
        err.message = "skipped: " + err.message;
        warn.Add(std::move(err));
        return;
      }
      if (!p.ids_.insert(e.value().id).second) {
        if (first_at.empty()) {
          for (size_t k = 0; k < events.size(); ++k) first_at.emplace(events[k].id, listed_at[k]);
        }
        warn(ErrorCode::kDuplicateId, path("/id"),
             "ignored: event id \"" + e.value().id + "\" already appears at /events/" +
                 std::to_string(first_at.at(e.value().id)) + " (an event counts once)");
        return;
      }
      if (!first_at.empty()) first_at.emplace(e.value().id, i);
      events.push_back(std::move(e).value());
      listed_at.push_back(i);
    };
    for (size_t i = 0; i < count; ++i) add(i);
    if (!std::is_sorted(events.begin(), events.end(), ByTs)) std::stable_sort(events.begin(), events.end(), ByTs);
    if (events.size() > limits.max_events) {
      const size_t drop = events.size() - limits.max_events;
      warn(ErrorCode::kTooLarge, "/events",
           "the profile has " + std::to_string(events.size()) + " events, more than the limit of " +
               std::to_string(limits.max_events) + "; the oldest " + std::to_string(drop) + " were not loaded");
      for (size_t k = 0; k < drop; ++k) p.ids_.erase(events[k].id);
      events.erase(events.begin(), events.begin() + static_cast<std::ptrdiff_t>(drop));
    }
    p.events_ = std::move(events);
    p.Reindex();
  }

  if (auto it = j.find("rollups"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) {
      warn(ErrorCode::kWrongArgumentType, "/rollups",
           "ignored: \"rollups\" must be a list like [{\"day\", \"type\", \"count\", \"sums\"}]");
    } else {
      std::map<std::pair<int64_t, std::string>, size_t> first_at;  // (day, type) -> index into p.rollups_
      std::vector<size_t> source;                                  // list position of each p.rollups_ entry
      for (size_t i = 0; i < it->size(); ++i) {
        const std::string path = "/rollups/" + std::to_string(i);
        std::optional<DayRollup> r = ParseRollup((*it)[i], path, warn, limits);
        if (!r) continue;
        auto [seen, fresh] = first_at.emplace(std::make_pair(r->day_start, r->type), p.rollups_.size());
        if (!fresh) {
          // Nothing is lost: both entries count, as if the list had been compacted in two steps.
          warn(ErrorCode::kDuplicateId, path,
               "added to /rollups/" + std::to_string(source[seen->second]) + ", which has the same day and type");
          MergeInto(&p.rollups_[seen->second], *r);
          continue;
        }
        p.rollups_.push_back(std::move(*r));
        source.push_back(i);
      }
      std::sort(p.rollups_.begin(), p.rollups_.end(), RollupLess);
      if (p.rollups_.size() > limits.max_rollups) {
        const size_t drop = p.rollups_.size() - limits.max_rollups;
        warn(ErrorCode::kTooLarge, "/rollups",
             "the profile has " + std::to_string(p.rollups_.size()) + " rollups, more than the limit of " +
                 std::to_string(limits.max_rollups) + "; the oldest " + std::to_string(drop) + " were not loaded");
        p.rollups_.erase(p.rollups_.begin(), p.rollups_.begin() + static_cast<std::ptrdiff_t>(drop));
      }
    }
  }
  return p;
}

// Objects are filled with operator[] rather than initializer lists: the same
// (sorted) objects, and far less code, which the page runtime downloads
// (an initializer list checks at run time whether it is an object).
json Profile::ToJson() const {
  json events = json::array();
  for (const Event& e : events_) {
    json& out = events.emplace_back(json::object());
    out["id"] = e.id;
    out["type"] = e.type;
    out["ts"] = e.ts;
    out["props"] = e.props;
  }
  json rollups = json::array();
  for (const DayRollup& r : rollups_) {
    json sums = json::object();
    json numbers = json::object();
    for (const auto& [k, v] : r.sums) {
      sums[k] = js::MakeNumber(v);  // 90, not 90.0
      if (const int64_t n = r.NumbersAt(k); n != r.count) numbers[k] = n;
    }
    json rollup = json::object();
    rollup["day"] = r.day_start;
    rollup["type"] = r.type;
    rollup["count"] = r.count;
    rollup["sums"] = std::move(sums);
    if (!numbers.empty()) rollup["numbers"] = std::move(numbers);
    rollups.push_back(std::move(rollup));
  }
  json out = json::object();
  out["tagwise_profile"] = kProfileFormatVersion;
  out["user_id"] = user_id_;
  out["attributes"] = attributes_;
  out["tz_offset_min"] = tz_offset_min_;
  out["events"] = std::move(events);
  out["rollups"] = std::move(rollups);
  out["compacted_through"] = compacted_through_ == kNone ? json(nullptr) : json(compacted_through_);
  if (as_of_ != kNone) out["as_of"] = as_of_;
  if (!server_tags_.empty()) out["tags"] = server_tags_;
  return out;
}

size_t Profile::MergeLocal(const Profile& other) {
  // Events are added as AddEvent one by one would (AddEvents: known ids and
  // events at or before the watermark skipped; equal times keep the base's
  // first, then insertion order), with one sort instead of an O(n) insert each.
  const bool blank = events_.empty() && rollups_.empty() && server_tags_.empty() &&
                     (!attributes_.is_object() || attributes_.empty()) && as_of_ == kNone &&
                     compacted_through_ == kNone;
  if (blank) {
    // A fresh tab's empty copy: the other copy is the whole state.
    const std::string id = user_id_;
    *this = Profile(other);  // copy, then move: no copy-assignment in the page runtime
    if (user_id_.empty()) user_id_ = id;
    return events_.size();
  }
  const bool tie = other.as_of_ == as_of_ && other.compacted_through_ == compacted_through_;
  const bool other_ahead =
      other.as_of_ != as_of_ ? other.as_of_ > as_of_ : other.compacted_through_ > compacted_through_;
  if (!other_ahead) {
    if (user_id_.empty()) user_id_ = other.user_id_;
    if (tie && attributes_.is_object() && other.attributes_.is_object()) {
      // Neither copy is newer: keep the attributes only the other copy has.
      for (const auto& [key, value] : other.attributes_.items()) {
        if (!attributes_.contains(key)) attributes_[key] = value;
      }
    }
    return AddEvents(other.events_);
  }
  // `other` is the base and this copy's events go on top of it; the events of
  // `other` this copy did not know are the ones added.
  size_t added = 0;
  for (const Event& e : other.events_) added += ids_.count(e.id) == 0 ? 1 : 0;
  Profile base = other;
  if (base.user_id_.empty()) base.user_id_ = user_id_;
  base.AddEvents(std::move(events_));
  *this = std::move(base);
  return added;
}

std::pair<size_t, size_t> Profile::RemoveEventTypes(const std::function<bool(std::string_view type)>& drop) {
  if (!drop) return {0, 0};
  std::unordered_map<std::string, bool> dropped;  // one call of `drop` per distinct type
  auto drops = [&](const std::string& type) {
    auto [it, fresh] = dropped.emplace(type, false);
    if (fresh) it->second = drop(type);
    return it->second;
  };
  const size_t events_before = events_.size();
  std::vector<Event> kept;
  kept.reserve(events_.size());
  for (Event& e : events_) {
    if (drops(e.type)) {
      ids_.erase(e.id);
    } else {
      kept.push_back(std::move(e));
    }
  }
  events_ = std::move(kept);
  const size_t rollups_before = rollups_.size();
  rollups_.erase(std::remove_if(rollups_.begin(), rollups_.end(), [&](const DayRollup& r) { return drops(r.type); }),
                 rollups_.end());
  const std::pair<size_t, size_t> removed{events_before - events_.size(), rollups_before - rollups_.size()};
  if (removed.first > 0) {
    memo_.Clear();  // positions move
    Reindex();
  }
  return removed;
}

Result<MergeReport> Profile::MergeSnapshot(json snapshot, std::vector<Error>* warnings,
                                           const ProfileLimits& limits) {
  Result<Profile> parsed = FromJson(std::move(snapshot), warnings, limits);
  if (!parsed.ok()) return parsed.error();
  Profile snap = std::move(parsed).value();
  if (snap.as_of_ == kNone) {
    return Error{ErrorCode::kWrongArgumentType, "/as_of",
                 "a snapshot needs \"as_of\" (ms: the server counted events up to it) to merge local events "
                 "without double counting; the local profile was not changed"};
  }
  if (!user_id_.empty() && !snap.user_id_.empty() && snap.user_id_ != user_id_) {
    return Error{ErrorCode::kWrongArgumentType, "/user_id",
                 "the snapshot is for user \"" + snap.user_id_ + "\" but this profile is user \"" + user_id_ +
                     "\"; one user's data is never merged into another's. The local profile was not changed"};
  }
  // Everything at or before this the snapshot has counted, listed or not.
  const int64_t covered = std::max(snap.as_of_, snap.compacted_through_);
  MergeReport report;
  std::vector<Event> kept;
  for (Event& e : events_) {
    if (snap.ids_.count(e.id) != 0) {
      ++report.local_events_listed;
    } else if (e.ts <= covered) {
      ++report.local_events_covered;
    } else {
      kept.push_back(std::move(e));
    }
  }
  report.local_events_kept = kept.size();
  for (DayRollup& r : rollups_) {
    if (r.day_start > covered) {
      ++report.local_rollups_kept;
      snap.InsertSortedRollup(std::move(r));
    } else if (r.day_start + kDayMs - 1 > covered && compacted_through_ > covered) {
      ++report.local_rollups_dropped;
    }
  }
  if (report.local_rollups_dropped > 0) {
    const Warner warn(warnings);
    warn(ErrorCode::kWrongArgumentType, "/as_of",
                     std::to_string(report.local_rollups_dropped) +
                         " local rollup(s) of the day of \"as_of\" were replaced by the snapshot's numbers (they "
                         "mix events it counts with later ones)");
  }
  // Local rollups past the snapshot keep their watermark, or their events could be re-added.
  if (report.local_rollups_kept > 0 && compacted_through_ > snap.compacted_through_) {
    snap.compacted_through_ = compacted_through_;
  }
  json attributes = attributes_.is_object() ? attributes_ : json::object();
  for (const auto& [k, v] : snap.attributes_.items()) attributes[k] = v;
  snap.attributes_ = std::move(attributes);
  auto tz = snapshot.find("tz_offset_min");
  if (tz == snapshot.end() || tz->is_null() || !ReadTzOffset(*tz, Warner(nullptr))) {
    snap.tz_offset_min_ = tz_offset_min_;
  }
  if (snap.user_id_.empty()) snap.user_id_ = user_id_;
  for (Event& e : kept) {
    snap.ids_.insert(e.id);
    snap.events_.push_back(std::move(e));
  }
  snap.Reindex();
  *this = std::move(snap);
  return report;
}

}  // namespace tagwise
