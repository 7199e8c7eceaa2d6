// One user's data as rules see it: attributes, recent events and per-day
// rollups of compacted older events (DESIGN.md section 3), plus the state a
// client-side store needs to stay bounded and never double count: retention
// with compaction, a dedupe watermark, snapshot merge and a versioned JSON form.
//
// A Profile is built once and then read by many rule evaluations, so it keeps
// its events sorted by time and indexed by type: an `events` aggregate touches
// only the events of the requested types inside the window (binary search on
// time), never the whole history.
//
// Counting contract (what makes aggregates correct after compaction and merge):
//   * every event counts once: in events() or folded into exactly one rollup;
//   * events are deduplicated by id while they are kept, and by time after
//     they are folded or covered by a snapshot: once the profile has counted
//     everything at or before covered_through(), AddEvent ignores any event at
//     or before it whose id it does not know. A genuinely new event that arrives
//     that late is therefore dropped; that is the price of bounded storage and
//     the same rule DESIGN.md section 3 sets for snapshots.
//
// JSON form (ToJson / FromJson), format version 1:
//   {"tagwise_profile": 1, "user_id": "u1", "tz_offset_min": 480,
//    "attributes": {...},
//    "events":  [{"id": "e1", "type": "order_paid", "ts": 1763800000000, "props": {...}}],
//    "rollups": [{"day": 1763740800000, "type": "order_paid", "count": 3, "sums": {"amount": 90}}],
//    "compacted_through": 1763000000000 | null,
//    "as_of": 1763800000000,          (only after a snapshot; the snapshot's time)
//    "tags": {"churn_risk": {...}}}   (only after a snapshot; server-computed tags)
// A snapshot (server -> client) is this same form with "as_of" and "tags", so
// a merged profile written with ToJson is itself a valid snapshot.
//
// Ownership: a Profile is a value (copyable, movable) and owns all its data.
// Thread-compatible: const methods may be called concurrently; mutating
// methods (AddEvent, AddRollup, Compact, MergeSnapshot, setters) need
// exclusive access, and so does evaluating rules against the profile: it
// fills the profile's event memo (event_memo.h) with `where` verdicts.
#ifndef TAGWISE_PROFILE_H_
#define TAGWISE_PROFILE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/error.h"
#include "tagwise/event_memo.h"
#include "tagwise/limits.h"

namespace tagwise {

// A profile's JSON text read with its events split into fields
// (user/profile_text.h, internal).
struct EventFields;
struct ProfileText;

// Current version of the JSON form, written as "tagwise_profile".
inline constexpr int kProfileFormatVersion = 1;

struct Event {
  std::string id;     // unique per user; re-delivery is a no-op
  std::string type;   // e.g. "order_paid"
  int64_t ts = 0;     // ms since the Unix epoch
  nlohmann::json props = nlohmann::json::object();
};

// Count and numeric sums of one event type on one day (compacted history).
// An `events` aggregate counts a rollup when `day_start` lies in its window, so
// windows that start at a day boundary give exactly the pre-compaction result.
struct DayRollup {
  int64_t day_start = 0;  // ms of the day's first instant (in the profile's zone)
  std::string type;
  int64_t count = 0;
  // Per top-level prop name: the sum of the values a live `sum` aggregate would
  // add (numbers, numeric strings such as "30", booleans as 0/1). Nested props
  // are not summed because aggregates over rollups read single-segment fields.
  std::map<std::string, double> sums;
  // Per prop name in `sums`: how many of the day's events had a number there,
  // so `avg` over folded days divides by those events only, as it does over
  // live ones. A name missing here means all `count` events had one (rollups
  // written before this field existed, and JSON, which omits such entries).
  std::map<std::string, int64_t> numbers;

  int64_t NumbersAt(const std::string& key) const {
    auto it = numbers.find(key);
    return it == numbers.end() ? count : it->second;
  }
};

// Limits applied to untrusted input (FromJson, MergeSnapshot, ParseEvent).
// Each one bounds memory and time for data from storage or the network; going
// over a limit is a warning (kTooLarge) and the rest still loads.
struct ProfileLimits {
  // Events accepted from one JSON profile; beyond it only the newest are kept.
  // Default 100,000: twenty times the default retention, so a healthy store
  // never reaches it, while a runaway or hostile one cannot exhaust a tab.
  size_t max_events = 100'000;
  // Rollups accepted from one JSON profile; beyond it only the newest days are
  // kept. Default 100,000: a day per event type for decades.
  size_t max_rollups = 100'000;
  // Longest event id or event type, in bytes; longer events are skipped.
  // Default 256: ids are UUIDs or order numbers and types are short names, so a
  // longer one is a bug (e.g. a whole payload passed as the id).
  size_t max_string_bytes = 256;
  // Largest props of one event, measured as their JSON text would be (about:
  // strings, keys and numbers count their bytes); a larger event is refused
  // (ParseEvent) or skipped (FromJson) with kTooLarge at its "/props". Default
  // kDefaultMaxPropsBytes (64 KiB): an order with a hundred line items is
  // a few KB, while a page that passes a whole document as props would
  // otherwise fill the store with one event.
  size_t max_props_bytes = kDefaultMaxPropsBytes;
  // Longest profile, snapshot, event list or stored text accepted, in bytes;
  // checked before parsing (DecodeStore, the wasm boundary). Default
  // kDefaultMaxProfileBytes (32 MiB).
  size_t max_bytes = kDefaultMaxProfileBytes;
};

// What Compact keeps as individual events. Older events are folded into rollups.
struct RetentionPolicy {
  // Most events kept; the oldest beyond it are folded. Default 5,000: the size
  // the engine is benchmarked at (a 50-tag catalog over 5,000 events), and
  // about 1 MB of JSON, well inside a browser's 5 MB localStorage quota.
  size_t max_events = 5000;
  // Events older than now - max_age_ms are folded. Default 90 days: the longest
  // common behaviour window (30/60/90-day recency and frequency) stays exact
  // with `where` filters, min/max and distinct; older history only needs the
  // day counts and sums that rollups keep. Negative is read as 0;
  // std::numeric_limits<int64_t>::max() disables the age limit.
  int64_t max_age_ms = 90LL * 86'400'000;
};

struct CompactionReport {
  size_t events_folded = 0;     // events moved from events() into rollups
  size_t rollups_created = 0;   // new (day, type) rollups
  size_t rollups_extended = 0;  // existing rollups the folded events were added to
};

struct MergeReport {
  size_t local_events_kept = 0;      // local events added on top of the snapshot
  size_t local_events_listed = 0;    // local events the snapshot lists by id (not re-added)
  size_t local_events_covered = 0;   // local events at or before as_of (counted by the snapshot)
  size_t local_rollups_kept = 0;     // local rollups of days after as_of, added to the snapshot's
  // Local rollups of the day containing as_of when local compaction had gone
  // past as_of: the day mixes events the snapshot counts with events it cannot
  // know, and a rollup cannot be split, so the snapshot's numbers are used.
  size_t local_rollups_dropped = 0;
};

// Reads one event ({"id", "type", "ts", "props"}) the way FromJson does: an
// error (kWrongArgumentType or kTooLarge) when it cannot be used; a warning,
// with `path` + "/field" as the JSON Pointer, for each repair (ts in seconds,
// missing id, non-object props). For `track()`-style single events.
[[nodiscard]] Result<Event> ParseEvent(const nlohmann::json& j, std::string_view path,
                                       std::vector<Error>* warnings = nullptr,
                                       const ProfileLimits& limits = {});
// The same, taking the event's strings and props out of `j` instead of copying.
[[nodiscard]] Result<Event> ParseEvent(nlohmann::json&& j, std::string_view path,
                                       std::vector<Error>* warnings = nullptr,
                                       const ProfileLimits& limits = {});

class Profile {
 public:
  Profile() = default;

  // Parses the JSON form above (fields other than "tagwise_profile" optional;
  // a missing version means version 1). Errors: not an object, "events" not a
  // list (kWrongArgumentType), a version other than 1 (kUnsupportedVersion).
  // Everything else is a warning with a JSON Pointer ("/events/3/ts") and the
  // valid rest still loads: unusable events and rollups are skipped, repairable
  // ones (ts in seconds, missing id) are repaired, duplicate event ids keep the
  // first in list order, out-of-order events are sorted. Listed events are kept
  // even at or before covered_through(): they are known by id, so they count
  // once; the watermark only guards later AddEvent calls.
  [[nodiscard]] static Result<Profile> FromJson(const nlohmann::json& j, std::vector<Error>* warnings = nullptr,
                                                const ProfileLimits& limits = {});
  // The same, moving the events' strings and props out of `j` (a parsed text
  // the caller no longer needs) instead of copying them.
  [[nodiscard]] static Result<Profile> FromJson(nlohmann::json&& j, std::vector<Error>* warnings = nullptr,
                                                const ProfileLimits& limits = {});
  // The same for a profile's JSON text read by ReadProfileText
  // (user/profile_text.h), whose events were read field by field.
  [[nodiscard]] static Result<Profile> FromProfileText(ProfileText&& text, std::vector<Error>* warnings = nullptr,
                                                const ProfileLimits& limits = {});

  // The JSON form above, version kProfileFormatVersion; FromJson(ToJson()) is
  // an identical profile.
  nlohmann::json ToJson() const;

  // Adds an event; returns false (and changes nothing) when it is already
  // counted: its id is known, or its ts is at or before covered_through().
  // An empty id is replaced by one derived from type, ts and props, so the
  // same id-less event delivered twice still counts once.
  // O(1) amortized for events in time order; O(n) for an earlier one.
  bool AddEvent(Event e);

  // Adds a batch as AddEvent one by one would (the same events counted, equal
  // times in arrival order after the stored ones), but sorts once when some
  // arrive before the latest stored event: only the events from the earliest
  // new one on move, and only their `where` verdicts are recomputed (20,000
  // late events one by one took seconds; one slightly late event used to
  // re-sort everything and drop every verdict).
  // Returns how many were added; `added_types` (if given) gets their types.
  // In Node's module, batches of at most kPlacedOneByOne are placed one by
  // one (AddEvent), keeping every verdict (profile.cpp).
  size_t AddEvents(std::vector<Event> events, std::set<std::string>* added_types = nullptr);
  static constexpr size_t kPlacedOneByOne = 16;

  // Adds compacted history; merges into the rollup of the same day and type
  // if there is one. Rollups stay sorted by (day_start, type).
  void AddRollup(DayRollup r);

  // Folds events older than now - policy.max_age_ms, and the oldest beyond
  // policy.max_events, into per-day, per-type rollups (days in the profile's
  // zone), merged with existing rollups of the same day and type. Events with
  // the same ts are folded together, so that afterwards every kept event is
  // later than compacted_through() and the watermark dedupes exactly.
  CompactionReport Compact(int64_t now, const RetentionPolicy& policy = {});

  // Merges a server snapshot (the JSON form above, with "as_of" and usually
  // "tags") into this local profile without double counting:
  //   * the snapshot's events, rollups, compacted_through and tags are taken;
  //   * a local event is kept only if the snapshot does not list its id and it
  //     is later than as_of (the snapshot has counted everything up to as_of,
  //     or up to its compacted_through if that is later);
  //   * local rollups are kept only for days that start after that point; a
  //     local rollup of the day containing it is dropped (MergeReport says so)
  //     when local compaction had gone past it, since it cannot be split;
  //   * attributes: the snapshot's keys win over local ones (the server is the
  //     source of truth for e.g. "vip" or "country"); local-only keys are kept
  //     (client-side facts such as a chosen locale). Top level only.
  //   * tz_offset_min: the snapshot's if it has the field, else the local one.
  // Afterwards AddEvent ignores unknown ids at or before as_of.
  // Errors leave this profile unchanged: the snapshot fails FromJson (not an
  // object, newer version), has no numeric "as_of" (kWrongArgumentType, path
  // "/as_of": without it nothing tells which local events it has counted), or
  // belongs to another user (kWrongArgumentType, path "/user_id") while this
  // profile has a user id (an anonymous local profile adopts the snapshot's).
  // Warnings have paths into the snapshot.
  [[nodiscard]] Result<MergeReport> MergeSnapshot(nlohmann::json snapshot,
                                                  std::vector<Error>* warnings = nullptr,
                                                  const ProfileLimits& limits = {});

  // Merges another copy of the same user's local profile (another browser
  // tab's, read back from shared storage) without double counting or losing
  // events. The copy that is ahead -- the later as_of, then the later
  // compacted_through; ties: this one -- is the base: its attributes,
  // tz_offset_min, rollups, watermark and server tags are kept. The other
  // copy's events are then added with AddEvent (known ids are skipped, and
  // events at or before the base's covered_through() are taken as already
  // counted by the base's rollups or snapshot). Returns how many events of
  // `other` were added.
  size_t MergeLocal(const Profile& other);

  // Deletes every event and rollup whose type `drop` returns true for
  // (consent withdrawal). Returns {events removed, rollups removed}. The
  // watermark is unchanged, so deleted history is not re-added by a late copy.
  std::pair<size_t, size_t> RemoveEventTypes(const std::function<bool(std::string_view type)>& drop);

  void set_server_tags(nlohmann::json tags) { server_tags_ = std::move(tags); }

  const std::string& user_id() const { return user_id_; }
  void set_user_id(std::string id) { user_id_ = std::move(id); }
  const nlohmann::json& attributes() const { return attributes_; }
  void set_attributes(nlohmann::json a) { attributes_ = std::move(a); }

  // Minutes east of UTC of the user's zone (480 for China); days of rollups
  // start at local midnight. A fixed offset: no daylight-saving rules, so a
  // rollup day can be an hour off for part of the year in DST zones. Changing
  // it does not move existing rollups.
  int tz_offset_min() const { return tz_offset_min_; }
  void set_tz_offset_min(int minutes) { tz_offset_min_ = minutes; }
  // Start (ms) of the day containing ts in the profile's zone.
  int64_t DayStart(int64_t ts) const;

  // All events at or before this were folded into rollups; kNone if never compacted.
  static constexpr int64_t kNone = std::numeric_limits<int64_t>::min();
  int64_t compacted_through() const { return compacted_through_; }
  // Time of the last merged snapshot; kNone if none.
  int64_t as_of() const { return as_of_; }
  // The later of compacted_through() and as_of(): the dedupe watermark.
  int64_t covered_through() const { return compacted_through_ > as_of_ ? compacted_through_ : as_of_; }
  // Server-computed tags of the last snapshot ({"tag_id": {"value", "expires_at"}}); {} if none.
  const nlohmann::json& server_tags() const { return server_tags_; }

  // All events, sorted by (ts, insertion order).
  const std::vector<Event>& events() const { return events_; }
  // Sorted by (day_start, type); at most one per day and type.
  const std::vector<DayRollup>& rollups() const { return rollups_; }

  // Indices into events() of the given type, ascending by time; empty if none.
  const std::vector<uint32_t>& EventsOfType(std::string_view type) const;

  // Results of pure per-event functions by position in events(), filled by
  // rule evaluation (event_memo.h); shifted or cleared here whenever events move.
  EventMemo& memo() const { return memo_; }

 private:
  // Event indices by type; EventsOfType looks up a string_view without
  // allocating a std::string.
  using TypeIndex = TextTable;

  // Moves the events' parts out of `j`; returns every error before it
  // touches "events" (the store's reader relies on it). `listed`: the
  // events, when ReadProfileText took them out of `j`.
  static Result<Profile> FromJsonImpl(nlohmann::json& j, std::vector<EventFields>* listed,
                                      std::vector<Error>* warnings, const ProfileLimits& limits);
  // Sorts events_[from, end) by time (stable; the events before `from` are
  // sorted and no later than any after) and rebuilds the per-type index.
  void Reindex(size_t from = 0);
  void InsertSortedRollup(DayRollup r);

  std::string user_id_;
  nlohmann::json attributes_ = nlohmann::json::object();
  int tz_offset_min_ = 0;
  std::vector<Event> events_;
  std::vector<DayRollup> rollups_;
  int64_t compacted_through_ = kNone;
  int64_t as_of_ = kNone;
  nlohmann::json server_tags_ = nlohmann::json::object();
  TypeIndex by_type_;
  std::unordered_set<std::string> ids_;  // ids of events()
  mutable EventMemo memo_;
};

}  // namespace tagwise

#endif  // TAGWISE_PROFILE_H_
