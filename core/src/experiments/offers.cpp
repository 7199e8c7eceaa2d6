// Offers: compile definitions with a path for every problem, then decide
// eligibility per user from the ledger's offer records. Local days and ISO
// weeks come from a fixed UTC offset, so results never depend on the host's
// time zone (natively, in Node and in the browser alike).
#include "tagwise/purposes.h"
#include "tagwise/offers.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <utility>

#include "common/json_integral.h"
#include "common/suggestions.h"

namespace tagwise {

using nlohmann::json;

namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kMinuteMs = 60'000;
// JavaScript's Date range: times beyond it are refused, so arithmetic on them
// (adding a day or an offset) cannot overflow.
constexpr int64_t kMaxAbsTime = 8'640'000'000'000'000;
constexpr int64_t kMaxPriority = 1'000'000'000;
constexpr int64_t kMaxCapValue = 1'000'000'000;
constexpr size_t kMaxIssues = 200;
// Real offsets are within -12:00..+14:00; ±18 hours is the widest any time
// library accepts, and the clamp keeps a garbage offset from shifting days by years.
constexpr int kMaxTzMinutes = 18 * 60;

constexpr std::string_view kOfferFields[] = {"id",    "name",  "description", "audience", "purpose",
                                             "priority", "caps", "once",       "group",    "start",
                                             "end",   "quietHours", "payload"};
constexpr std::string_view kCapFields[] = {"total", "perDay", "perWeek"};
constexpr std::string_view kQuietFields[] = {"start", "end"};
constexpr std::string_view kTopFields[] = {"offers", "dailyCap", "quietHours", "description"};

template <size_t N>
bool In(const std::string_view (&list)[N], std::string_view v) {
  return std::find(std::begin(list), std::end(list), v) != std::end(list);
}

// The closest candidate within two edits (and less than half the longer of
// the two), ignoring ASCII case: field names differ in case as often as in
// spelling ("quiethours"). "" when none is close.
template <typename Range>
std::string_view Closest(const Range& candidates, std::string_view wanted) {
  if (wanted.empty()) return {};
  return internal::ClosestMatch(wanted, candidates,
                                {.max_distance = [](size_t word, size_t candidate) -> size_t {
                                   const size_t longer = std::max(word, candidate);  // d * 2 < longer
                                   return std::min<size_t>(2, (longer - 1) / 2);
                                 },
                                 .ignore_case = true});
}

using internal::DidYouMean;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

// "HH:MM" -> minutes after midnight.
std::optional<int> ParseClock(const json& j) {
  if (!j.is_string()) return std::nullopt;
  const std::string& s = j.get_ref<const std::string&>();
  auto digit = [&](size_t i) { return s[i] >= '0' && s[i] <= '9'; };
  if (s.size() != 5 || s[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) return std::nullopt;
  int h = (s[0] - '0') * 10 + (s[1] - '0');
  int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::string ClockText(int minutes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

// "2026-11-01 08:00 UTC+08:00": a time in the user's zone, for messages.
std::string LocalTimeText(int64_t ms, int tz_minutes) {
  int64_t local = ms + tz_minutes * kMinuteMs;
  int64_t days = FloorDiv(local, kDayMs);
  int64_t minute_of_day = FloorMod(local, kDayMs) / kMinuteMs;
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  int off = tz_minutes < 0 ? -tz_minutes : tz_minutes;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld UTC%c%02d:%02d", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(minute_of_day / 60),
                static_cast<long long>(minute_of_day % 60), tz_minutes < 0 ? '-' : '+', off / 60, off % 60);
  return buf;
}

std::string Times(int64_t n) { return std::to_string(n) + (n == 1 ? " time" : " times"); }

int ReasonOrder(std::string_view code) {
  auto it = std::find(std::begin(kOfferReasonCodes), std::end(kOfferReasonCodes), code);
  return static_cast<int>(it - std::begin(kOfferReasonCodes));
}

}  // namespace

const OfferDef* OfferSet::Find(std::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &offers_[it->second];
}

// ---------------------------------------------------------------------------
// Compilation

class OfferCompiler {
 public:
  explicit OfferCompiler(const OfferCompileOptions& options) : options_(options) {
    rule_options_ = options.rule_options;
    rule_options_.known_tags = options.known_tags;
  }

  OfferSetResult Compile(const json& defs) {
    auto set = std::shared_ptr<OfferSet>(new OfferSet());
    const json* list = nullptr;
    std::string base;
    std::optional<QuietHours> global_quiet;
    if (defs.is_array()) {
      list = &defs;
    } else if (defs.is_object()) {
      for (const auto& [key, value] : defs.items()) {
        if (!In(kTopFields, key)) {
          Err(ErrorCode::kInvalidRule, JoinPointer("", key),
              "unknown field \"" + key + "\"" + DidYouMean(Closest(kTopFields, key)) +
                  " (offer definitions have \"offers\", \"dailyCap\", \"quietHours\" and \"description\")");
        }
      }
      base = "/offers";
      auto it = defs.find("offers");
      if (it == defs.end() || !it->is_array()) {
        Err(ErrorCode::kWrongArgumentType, "/offers", "\"offers\" must be a list of offer definitions");
      } else {
        list = &*it;
      }
      if (auto cap = defs.find("dailyCap"); cap != defs.end() && !cap->is_null()) {
        if (auto n = Integral(*cap, 1, kMaxCapValue)) {
          set->daily_cap_ = *n;
        } else {
          Err(ErrorCode::kWrongArgumentType, "/dailyCap",
              "\"dailyCap\" must be a positive integer: the most offers one user is shown per day");
        }
      }
      if (auto q = defs.find("quietHours"); q != defs.end() && !q->is_null()) {
        global_quiet = Quiet(*q, "/quietHours");
      }
      if (auto d = defs.find("description"); d != defs.end() && !d->is_null() && !d->is_string()) {
        Err(ErrorCode::kWrongArgumentType, "/description", "\"description\" must be text");
      }
    } else {
      Err(ErrorCode::kWrongArgumentType, "",
          "offer definitions are a list of offers or an object like {\"offers\": [...], \"dailyCap\": 2}");
    }
    if (list != nullptr && list->size() > options_.max_offers) {
      Err(ErrorCode::kTooLarge, base.empty() ? "" : base,
          std::to_string(list->size()) + " offers; the limit is " + std::to_string(options_.max_offers));
      list = nullptr;
    }
    if (list != nullptr) {
      std::set<std::string, std::less<>> seen;
      for (size_t i = 0; i < list->size(); ++i) {
        const json& o = (*list)[i];
        const std::string path = base + "/" + std::to_string(i);
        // Duplicates are checked on the raw id so they are reported even when
        // either offer has other errors.
        if (auto id = o.is_object() ? o.find("id") : o.end(); o.is_object() && id != o.end() && id->is_string()) {
          if (!seen.insert(id->get<std::string>()).second) {
            Err(ErrorCode::kDuplicateId, JoinPointer(path, "id"),
                "another offer already has the id \"" + id->get<std::string>() + "\"");
          }
          // A lone surrogate became U+FFFD: two such ids would be one (as in catalog ids).
          if (id->get_ref<const std::string&>().find("\xEF\xBF\xBD") != std::string::npos) {
            Err(ErrorCode::kInvalidUtf8, JoinPointer(path, "id"),
                "the id holds U+FFFD, what a lone surrogate or a bad byte becomes; ids must stay distinct");
            continue;
          }
        }
        std::optional<OfferDef> def = Offer(o, path, global_quiet);
        if (!def || set->index_.count(def->id)) continue;
        set->index_.emplace(def->id, set->offers_.size());
        set->offers_.push_back(std::move(*def));
      }
    }
    OfferSetResult r;
    r.issues = std::move(issues_);
    if (error_count_ == 0) r.offers = std::move(set);
    return r;
  }

 private:
  void Err(ErrorCode code, std::string path, std::string msg) {
    ++error_count_;
    if (issues_.size() < kMaxIssues) issues_.push_back(Error{code, std::move(path), std::move(msg), Severity::kError});
  }

  // Optional text field: null/absent gives `fallback`; other types are errors.
  std::string Text(const json& obj, const char* key, const std::string& path, std::string fallback = {}) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return fallback;
    if (!it->is_string()) {
      Err(ErrorCode::kWrongArgumentType, JoinPointer(path, key), std::string("\"") + key + "\" must be text");
      return fallback;
    }
    return it->get<std::string>();
  }

  std::optional<QuietHours> Quiet(const json& q, const std::string& path) {
    if (!q.is_object()) {
      Err(ErrorCode::kWrongArgumentType, path,
          "quiet hours are an object like {\"start\": \"22:00\", \"end\": \"08:00\"} (or null for none)");
      return std::nullopt;
    }
    for (const auto& [key, value] : q.items()) {
      if (!In(kQuietFields, key)) {
        Err(ErrorCode::kInvalidRule, JoinPointer(path, key),
            "unknown field \"" + key + "\" in quiet hours" + DidYouMean(Closest(kQuietFields, key)) +
                " (they have \"start\" and \"end\")");
      }
    }
    std::optional<int> bounds[2];
    bool ok = true;
    for (int k = 0; k < 2; ++k) {
      const char* key = kQuietFields[k].data();
      auto it = q.find(key);
      if (it == q.end()) {
        Err(ErrorCode::kInvalidRule, JoinPointer(path, key),
            std::string("quiet hours need \"") + key + "\" as local time \"HH:MM\"");
        ok = false;
        continue;
      }
      bounds[k] = ParseClock(*it);
      if (!bounds[k]) {
        Err(ErrorCode::kBadDate, JoinPointer(path, key),
            (it->is_string() ? "\"" + it->get<std::string>() + "\" is not" : std::string("this is not")) +
                " a local time \"HH:MM\" from 00:00 to 23:59");
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    if (*bounds[0] == *bounds[1]) {
      Err(ErrorCode::kInvalidRule, path,
          "quiet hours start and end at the same time (" + ClockText(*bounds[0]) +
              "), which would mean never or always; remove them or give different times");
      return std::nullopt;
    }
    return QuietHours{*bounds[0], *bounds[1]};
  }

  std::optional<int64_t> Time(const json& obj, const char* key, const std::string& path) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return std::nullopt;
    std::optional<int64_t> t;
    if (it->is_string()) {
      t = ParseIsoDate(it->get_ref<const std::string&>());
      if (t && (*t < -kMaxAbsTime || *t > kMaxAbsTime)) t.reset();
    } else if (it->is_number()) {
      t = Integral(*it, -kMaxAbsTime, kMaxAbsTime);
    }
    if (!t) {
      Err(ErrorCode::kBadDate, JoinPointer(path, key),
          std::string("\"") + key +
              "\" must be an ISO 8601 date such as \"2026-11-01T00:00:00+08:00\" or ms since the Unix epoch");
    }
    return t;
  }

  void Caps(const json& obj, const std::string& path, OfferCaps* caps) {
    auto it = obj.find("caps");
    if (it == obj.end() || it->is_null()) return;
    std::string cpath = JoinPointer(path, "caps");
    if (!it->is_object()) {
      Err(ErrorCode::kWrongArgumentType, cpath, "\"caps\" is an object like {\"total\": 3, \"perDay\": 1, \"perWeek\": 2}");
      return;
    }
    for (const auto& [key, value] : it->items()) {
      std::string p = JoinPointer(cpath, key);
      if (!In(kCapFields, key)) {
        Err(ErrorCode::kInvalidRule, p,
            "unknown cap \"" + key + "\"" + DidYouMean(Closest(kCapFields, key)) +
                " (caps are \"total\", \"perDay\" and \"perWeek\")");
        continue;
      }
      if (value.is_null()) continue;
      std::optional<int64_t> n = Integral(value, 1, kMaxCapValue);
      if (!n) {
        Err(ErrorCode::kWrongArgumentType, p,
            "caps." + key + " must be a positive integer (how many times the offer may be shown)");
        continue;
      }
      (key == "total" ? caps->total : key == "perDay" ? caps->per_day : caps->per_week) = *n;
    }
  }

  std::optional<OfferDef> Offer(const json& o, const std::string& path, const std::optional<QuietHours>& global_quiet) {
    if (!o.is_object()) {
      Err(ErrorCode::kWrongArgumentType, path, "an offer is an object like {\"id\": \"new_user_coupon\", ...}");
      return std::nullopt;
    }
    const size_t errors_before = error_count_;
    OfferDef def;
    for (const auto& [key, value] : o.items()) {
      if (!In(kOfferFields, key)) {
        Err(ErrorCode::kInvalidRule, JoinPointer(path, key),
            "unknown offer field \"" + key + "\"" + DidYouMean(Closest(kOfferFields, key)));
      }
    }
    auto id = o.find("id");
    bool id_ok = false;
    if (id == o.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
      Err(ErrorCode::kInvalidRule, JoinPointer(path, "id"), "every offer needs an \"id\" (non-empty text)");
    } else if (id->get_ref<const std::string&>().size() > kLedgerMaxStringBytes) {
      Err(ErrorCode::kTooLarge, JoinPointer(path, "id"),
          "the id is longer than " + std::to_string(kLedgerMaxStringBytes) + " bytes");
    } else {
      def.id = id->get<std::string>();
      id_ok = true;
    }
    def.name = Text(o, "name", path, def.id);
    Text(o, "description", path);
    def.purpose = Text(o, "purpose", path, "marketing");
    if (!In(kPurposes, def.purpose)) {
      Err(ErrorCode::kWrongArgumentType, JoinPointer(path, "purpose"),
          "\"" + def.purpose + "\" is not a consent purpose" + DidYouMean(Closest(kPurposes, def.purpose)) +
              "; use necessary, security, personalization, marketing or analytics");
    }
    if (auto p = o.find("priority"); p != o.end() && !p->is_null()) {
      if (auto n = Integral(*p, -kMaxPriority, kMaxPriority)) {
        def.priority = static_cast<int>(*n);
      } else {
        Err(ErrorCode::kWrongArgumentType, JoinPointer(path, "priority"),
            "\"priority\" must be a whole number between -1000000000 and 1000000000; higher ranks first");
      }
    }
    Caps(o, path, &def.caps);
    if (auto once = o.find("once"); once != o.end() && !once->is_null()) {
      if (once->is_boolean()) {
        def.once = once->get<bool>() ? "shown" : "";
      } else if (once->is_string() && In(kOfferActions, once->get_ref<const std::string&>())) {
        def.once = once->get<std::string>();
      } else {
        Err(ErrorCode::kWrongArgumentType, JoinPointer(path, "once"),
            "\"once\" is true (= \"shown\"), \"shown\", \"clicked\" or \"redeemed\": the action after which the "
            "offer is never shown again");
      }
    }
    def.group = Text(o, "group", path);
    if (auto g = o.find("group"); g != o.end() && g->is_string() && def.group.empty()) {
      Err(ErrorCode::kWrongArgumentType, JoinPointer(path, "group"), "\"group\" must be a non-empty name (or null)");
    }
    def.start = Time(o, "start", path);
    def.end = Time(o, "end", path);
    if (def.start && def.end && *def.end <= *def.start) {
      Err(ErrorCode::kInvalidRule, JoinPointer(path, "end"),
          "end (" + LocalTimeText(*def.end, 0) + ") is " + (*def.end == *def.start ? "the same as" : "before") +
              " start (" + LocalTimeText(*def.start, 0) + ")");
    }
    if (auto q = o.find("quietHours"); q != o.end()) {
      if (!q->is_null()) def.quiet_hours = Quiet(*q, JoinPointer(path, "quietHours"));
    } else {
      def.quiet_hours = global_quiet;
    }
    if (auto a = o.find("audience"); a != o.end() && !a->is_null()) {
      CompileResult r = CompileRule(*a, rule_options_);
      std::string apath = JoinPointer(path, "audience");
      for (Error e : r.issues) {
        e.path = apath + e.path;
        if (e.severity == Severity::kError) Err(e.code, std::move(e.path), std::move(e.message));
        else if (issues_.size() < kMaxIssues) issues_.push_back(std::move(e));
      }
      def.audience = r.rule;
    }
    if (auto p = o.find("payload"); p != o.end()) def.payload = *p;
    // An offer with any error is left out, but its siblings are still
    // checked so one compile lists every problem.
    if (error_count_ != errors_before || !id_ok) return std::nullopt;
    return def;
  }

  const OfferCompileOptions& options_;
  CompileOptions rule_options_;
  std::vector<Error> issues_;
  size_t error_count_ = 0;  // errors found, including those beyond kMaxIssues
};

OfferSetResult CompileOffers(const json& definitions, const OfferCompileOptions& options) {
  return OfferCompiler(options).Compile(definitions);
}

// ---------------------------------------------------------------------------
// Eligibility

namespace {

struct OfferCounts {
  int64_t shown_total = 0;
  int64_t shown_day = 0;
  int64_t shown_week = 0;
  int64_t once_total = 0;  // records of the offer's `once` action
};

// The objects of the decisions' details are filled with operator[]: an
// initializer list decides at run time whether it is an object, which is much
// more code for the same (sorted) object.
json Usage(int64_t used, int64_t limit) {
  json u = json::object();
  u["used"] = used;
  u["limit"] = limit;
  return u;
}

std::string Message(const std::string& code, const OfferDef& o, const json& d, int tz, int64_t daily_cap,
                    int64_t daily_used) {
  if (code == "consent") return "the visitor has not granted consent for \"" + o.purpose + "\"";
  if (code == "not_started") return "the offer starts at " + LocalTimeText(*o.start, tz);
  if (code == "ended") return "the offer ended at " + LocalTimeText(*o.end, tz);
  if (code == "audience") return "the visitor is not in the offer's audience";
  if (code == "audience_error") {
    return "the audience rule failed for this visitor: " + d["audienceError"]["message"].get<std::string>();
  }
  if (code == "quiet_hours") {
    return "quiet hours " + ClockText(o.quiet_hours->start_minute) + "-" + ClockText(o.quiet_hours->end_minute) +
           " in the visitor's time; allowed again at " + LocalTimeText(d["nextAllowedAt"].get<int64_t>(), tz);
  }
  if (code == "once") {
    return "the visitor has already " + std::string(o.once == "shown" ? "seen" : o.once) +
           " this offer, which is once per visitor";
  }
  if (code == "cap_total") {
    return "shown " + Times(d["caps"]["total"]["used"].get<int64_t>()) + " in all; the limit per visitor is " +
           std::to_string(o.caps.total) + " (caps.total)";
  }
  if (code == "cap_day") {
    return "shown " + Times(d["caps"]["perDay"]["used"].get<int64_t>()) + " today; the daily limit is " +
           std::to_string(o.caps.per_day) + " (caps.perDay)";
  }
  if (code == "cap_week") {
    return "shown " + Times(d["caps"]["perWeek"]["used"].get<int64_t>()) + " this week; the weekly limit is " +
           std::to_string(o.caps.per_week) + " (caps.perWeek)";
  }
  if (code == "daily_cap") {
    if (daily_used >= daily_cap) {
      return "the visitor has been shown " + std::to_string(daily_used) + (daily_used == 1 ? " offer" : " offers") +
             " today, the daily limit of " +
             std::to_string(daily_cap) + " (dailyCap)";
    }
    int64_t left = daily_cap - daily_used;
    return "better-ranked offers take the " + std::to_string(left) + " offer" + (left == 1 ? "" : "s") +
           " left in today's limit of " + std::to_string(daily_cap) + " (dailyCap)";
  }
  if (code == "group") {
    return "\"" + d["groupWinner"].get<std::string>() + "\" ranks higher in the exclusive group \"" + o.group + "\"";
  }
  return code;
}

}  // namespace

std::vector<OfferDecision> Eligible(const OfferSet& set, const Ledger& ledger, const OfferContext& ctx) {
  const auto& offers = set.offers();
  const int tz = std::clamp(ctx.tz_offset_minutes, -kMaxTzMinutes, kMaxTzMinutes);
  const int64_t now = std::clamp<int64_t>(ctx.now, -kMaxAbsTime, kMaxAbsTime);
  const int64_t offset_ms = tz * kMinuteMs;
  const int64_t day_index = FloorDiv(now + offset_ms, kDayMs);
  const int64_t day_start = day_index * kDayMs - offset_ms;
  const int64_t day_end = day_start + kDayMs;
  // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays.
  const int64_t week_start = (day_index - FloorMod(day_index + 3, 7)) * kDayMs - offset_ms;
  const int64_t week_end = week_start + 7 * kDayMs;
  const int64_t ms_of_day = now - day_start;

  // One pass over the ledger for every offer's counts (a per-offer Count()
  // would rescan the whole history once per offer). Folded totals follow
  // Ledger::Count: lifetime counts always include them, and a day or week
  // window includes them when it reaches back before folded_before().
  std::vector<OfferCounts> counts(offers.size());
  int64_t daily_used = 0;
  auto find = [&](const std::string& key) -> OfferCounts* {
    const OfferDef* o = set.Find(key);
    return o == nullptr ? nullptr : &counts[static_cast<size_t>(o - offers.data())];
  };
  auto add = [&](const std::string& key, const std::string& action, int64_t n, bool in_day, bool in_week) {
    if (action == "shown" && in_day) daily_used += n;
    OfferCounts* c = find(key);
    if (c == nullptr) return;
    const OfferDef& o = offers[static_cast<size_t>(c - counts.data())];
    if (action == "shown") {
      c->shown_total += n;
      if (in_day) c->shown_day += n;
      if (in_week) c->shown_week += n;
    }
    if (!o.once.empty() && action == o.once) c->once_total += n;
  };
  const bool day_reaches_folded = day_start < ledger.folded_before();
  const bool week_reaches_folded = week_start < ledger.folded_before();
  for (const auto& [key, n] : ledger.totals()) {
    if (std::get<0>(key) != kOfferRecordKind) continue;
    add(std::get<1>(key), std::get<2>(key), n, day_reaches_folded, week_reaches_folded);
  }
  for (const LedgerRecord& r : ledger.records()) {
    if (r.kind != kOfferRecordKind) continue;
    add(r.key, r.action, 1, r.at >= day_start && r.at < day_end, r.at >= week_start && r.at < week_end);
  }

  const json empty_data = json::object();
  const json& data = ctx.data != nullptr ? *ctx.data : empty_data;
  EvalContext eval = ctx.eval;
  eval.now = now;

  std::vector<OfferDecision> decisions(offers.size());
  for (size_t i = 0; i < offers.size(); ++i) {
    const OfferDef& o = offers[i];
    const OfferCounts& c = counts[i];
    OfferDecision& d = decisions[i];
    d.id = o.id;
    json& det = d.details;
    std::vector<std::string>& why = d.reasons;
    if (!IsGranted(o.purpose, ctx.purposes)) {
      why.push_back("consent");
      det["purpose"] = o.purpose;
    }
    if (o.start) {
      det["startsAt"] = *o.start;
      if (now < *o.start) why.push_back("not_started");
    }
    if (o.end) {
      det["endsAt"] = *o.end;
      if (now >= *o.end) why.push_back("ended");
    }
    if (o.audience) {
      Result<json> r = o.audience->Evaluate(data, eval);
      if (!r.ok()) {
        why.push_back("audience_error");
        json& error = det["audienceError"];
        error["code"] = ErrorCodeName(r.error().code);
        error["path"] = r.error().path;
        error["message"] = r.error().message;
      } else if (!IsTruthy(r.value())) {
        why.push_back("audience");
      }
    }
    if (o.quiet_hours) {
      const int64_t qs = o.quiet_hours->start_minute * kMinuteMs;
      const int64_t qe = o.quiet_hours->end_minute * kMinuteMs;
      json& quiet_hours = det["quietHours"];
      quiet_hours["start"] = ClockText(o.quiet_hours->start_minute);
      quiet_hours["end"] = ClockText(o.quiet_hours->end_minute);
      const bool quiet = qs < qe ? (ms_of_day >= qs && ms_of_day < qe) : (ms_of_day >= qs || ms_of_day < qe);
      if (quiet) {
        why.push_back("quiet_hours");
        // Spanning midnight and already past the start: the end is tomorrow.
        det["nextAllowedAt"] = day_start + qe + (qs > qe && ms_of_day >= qs ? kDayMs : 0);
      }
    }
    if (!o.once.empty()) {
      det["once"] = o.once;
      if (c.once_total > 0) why.push_back("once");
    }
    json caps = json::object();
    if (o.caps.total > 0) {
      caps["total"] = Usage(c.shown_total, o.caps.total);
      if (c.shown_total >= o.caps.total) why.push_back("cap_total");
    }
    if (o.caps.per_day > 0) {
      caps["perDay"] = Usage(c.shown_day, o.caps.per_day);
      if (c.shown_day >= o.caps.per_day) why.push_back("cap_day");
    }
    if (o.caps.per_week > 0) {
      caps["perWeek"] = Usage(c.shown_week, o.caps.per_week);
      if (c.shown_week >= o.caps.per_week) why.push_back("cap_week");
    }
    if (!caps.empty()) det["caps"] = std::move(caps);
    if (!o.group.empty()) det["group"] = o.group;
    if (set.daily_cap() > 0) det["dailyCap"] = Usage(daily_used, set.daily_cap());
  }

  // Rank the offers that pass their own conditions, then apply exclusive
  // groups (the best-ranked member keeps its place) and the global daily cap
  // (only the top `left` survivors stay eligible). Groups go first: a group
  // loser would never be shown, so it must not use up the day's allowance.
  std::vector<size_t> ranked;
  for (size_t i = 0; i < offers.size(); ++i) {
    if (decisions[i].reasons.empty()) ranked.push_back(i);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [&](size_t a, size_t b) { return offers[a].priority > offers[b].priority; });
  std::map<std::string, size_t, std::less<>> group_winner;
  std::vector<size_t> survivors;
  for (size_t i : ranked) {
    const OfferDef& o = offers[i];
    if (!o.group.empty()) {
      auto [it, first] = group_winner.try_emplace(o.group, i);
      if (!first) {
        decisions[i].reasons.push_back("group");
        decisions[i].details["groupWinner"] = offers[it->second].id;
        continue;
      }
    }
    survivors.push_back(i);
  }
  const int64_t cap = set.daily_cap();
  if (cap > 0) {
    const int64_t left = std::max<int64_t>(0, cap - daily_used);
    if (left == 0) {
      for (OfferDecision& d : decisions) d.reasons.push_back("daily_cap");
    } else if (static_cast<int64_t>(survivors.size()) > left) {
      for (size_t k = static_cast<size_t>(left); k < survivors.size(); ++k) {
        decisions[survivors[k]].reasons.push_back("daily_cap");
      }
    }
    if (left == 0) survivors.clear();
    else if (static_cast<int64_t>(survivors.size()) > left) survivors.resize(static_cast<size_t>(left));
  }

  std::vector<OfferDecision> out;
  out.reserve(offers.size());
  int rank = 0;
  for (size_t i : survivors) {
    OfferDecision& d = decisions[i];
    const OfferDef& o = offers[i];
    d.eligible = true;
    d.rank = ++rank;
    d.reasons = {o.audience ? "audience" : "everyone", "priority " + std::to_string(o.priority)};
    if (!o.group.empty()) d.reasons.push_back("group " + o.group);
    out.push_back(std::move(d));
  }
  for (size_t i = 0; i < offers.size(); ++i) {
    OfferDecision& d = decisions[i];
    if (d.eligible) continue;
    std::stable_sort(d.reasons.begin(), d.reasons.end(),
                     [](const std::string& a, const std::string& b) { return ReasonOrder(a) < ReasonOrder(b); });
    d.message = Message(d.reasons.front(), offers[i], d.details, tz, cap, daily_used);
    out.push_back(std::move(d));
  }
  return out;
}

json DecisionsToJson(const std::vector<OfferDecision>& decisions, const OfferSet& set) {
  // Filled field by field: an initializer list decides at run time whether it
  // is an object, which is much more code for the same (sorted) objects.
  json eligible = json::array();
  json ineligible = json::array();
  for (const OfferDecision& d : decisions) {
    const OfferDef* o = set.Find(d.id);
    if (o == nullptr) continue;
    json entry = json::object();
    entry["id"] = o->id;
    entry["name"] = o->name;
    entry["reasons"] = d.reasons;
    if (d.eligible) {
      auto caps = d.details.find("caps");
      entry["priority"] = o->priority;
      entry["payload"] = o->payload;
      entry["caps"] = caps == d.details.end() ? json::object() : *caps;
      entry["rank"] = d.rank;
      eligible.push_back(std::move(entry));
    } else {
      entry["message"] = d.message;
      entry["details"] = d.details;
      ineligible.push_back(std::move(entry));
    }
  }
  json out = json::object();
  out["eligible"] = std::move(eligible);
  out["ineligible"] = std::move(ineligible);
  return out;
}

Result<LedgerRecord> MakeOfferRecord(const OfferSet& set, std::string_view offer_id, std::string_view action,
                                     int64_t now, std::string record_id) {
  const OfferDef* o = set.Find(offer_id);
  if (o == nullptr) {
    std::vector<std::string_view> ids;
    ids.reserve(set.offers().size());
    for (const OfferDef& def : set.offers()) ids.push_back(def.id);
    return Error{ErrorCode::kWrongArgumentType, "/id",
                 "there is no offer \"" + std::string(offer_id) + "\"" + DidYouMean(Closest(ids, offer_id))};
  }
  if (!In(kOfferActions, action)) {
    return Error{ErrorCode::kWrongArgumentType, "/action",
                 "\"" + std::string(action) + "\" is not an offer action; use \"shown\", \"clicked\" or \"redeemed\"" +
                     DidYouMean(Closest(kOfferActions, action))};
  }
  if (record_id.empty() || record_id.size() > kLedgerMaxStringBytes) {
    return Error{ErrorCode::kWrongArgumentType, "/recordId",
                 "the record id must be 1 to " + std::to_string(kLedgerMaxStringBytes) + " bytes"};
  }
  if (now < -kMaxAbsTime || now > kMaxAbsTime) {
    return Error{ErrorCode::kWrongArgumentType, "/now", "the time is outside JavaScript's Date range"};
  }
  LedgerRecord r;
  r.id = std::move(record_id);
  r.kind = std::string(kOfferRecordKind);
  r.key = o->id;
  r.action = std::string(action);
  r.at = now;
  return r;
}

}  // namespace tagwise
