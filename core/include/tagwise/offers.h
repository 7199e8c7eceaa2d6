// Offers (DESIGN.md section 7): coupons, new-user rewards, once-per-user SOP
// messages, group invitations. A shop's offer definitions are compiled once
// into an immutable OfferSet; Eligible() then decides, for one user at one
// instant, which offers may be shown, ranked, and says why for every offer.
//
//   auto compiled = tagwise::CompileOffers(definitions, {.known_tags = &catalog_tag_ids});
//   if (!compiled.ok()) { print(tagwise::FormatIssues(compiled.issues)); }
//   tagwise::OfferContext ctx{.now = now_ms, .tz_offset_minutes = 480, .data = &attributes};
//   auto decisions = tagwise::Eligible(*compiled.offers, ledger, ctx);
//   // show decisions[0] if eligible, then record it:
//   auto rec = tagwise::MakeOfferRecord(*compiled.offers, decisions[0].id, "shown", now_ms, random_id);
//   if (rec.ok()) ledger.Add(rec.value());
//
// Definitions: `[offer, ...]` or `{"offers": [...], "dailyCap": 2,
// "quietHours": {"start": "22:00", "end": "08:00"}}`. The global quietHours
// apply to every offer without its own "quietHours" key; an offer's own
// object replaces them and `"quietHours": null` switches them off for it.
//   {"id": "new_user_coupon", "name": "新人专享券",
//    "audience": <tagwise rule> (absent or null: everyone),
//    "purpose": "marketing" (default; necessary/security/personalization/marketing/analytics),
//    "priority": 10 (default 0; higher ranks first, then definition order),
//    "caps": {"total": 3, "perDay": 1, "perWeek": 2} (each optional; counts "shown" records),
//    "once": true | "shown" | "clicked" | "redeemed" (true = "shown"; never eligible again after it),
//    "group": "welcome" (exclusive: at most one offer of a group is eligible, the best ranked),
//    "start": "2026-11-01T00:00:00+08:00" | ms, "end": ... (half-open [start, end)),
//    "quietHours": {"start": "22:00", "end": "08:00"} (user's local time, [start, end), may span midnight),
//    "payload": <any JSON, returned as is>, "description": "for operators"}
// Every problem is reported with its JSON Pointer; unknown fields are errors
// (a misspelt "priorty" would otherwise silently rank an offer last).
//
// Time: "day" is the user's local calendar day and "week" the local ISO week
// (Monday 00:00 to Monday 00:00), both from a fixed UTC offset
// (OfferContext::tz_offset_minutes), so a "shown" at 23:30 local counts for
// that day. Deterministic: the same set, ledger and context give the same
// decisions; nothing reads a clock.
//
// Thread-safety: an OfferSet is immutable after CompileOffers and may be
// shared by threads (std::shared_ptr<const OfferSet>); Eligible() is a pure
// function of its arguments.
#ifndef TAGWISE_OFFERS_H_
#define TAGWISE_OFFERS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/error.h"
#include "tagwise/ledger.h"
#include "tagwise/rule.h"

namespace tagwise {

// Ledger records of offers have this kind, the offer id as key and one of the
// actions below.
inline constexpr std::string_view kOfferRecordKind = "offer";
inline constexpr std::string_view kOfferActions[] = {"shown", "clicked", "redeemed"};

// Why an offer is not eligible: a closed set, listed again in js/index.d.ts.
//   "consent"        the offer's purpose is not granted
//   "not_started"    now is before `start`
//   "ended"          now is at or after `end`
//   "audience"       the audience rule is false for this user
//   "audience_error" the audience rule failed at run time (details.audienceError)
//   "quiet_hours"    now is inside quiet hours (details.nextAllowedAt)
//   "once"           the user already did the offer's `once` action
//   "cap_total"      "shown" caps.total times in all
//   "cap_day"        "shown" caps.perDay times today (local day)
//   "cap_week"       "shown" caps.perWeek times this week (local ISO week)
//   "daily_cap"      the global dailyCap across offers: today's allowance is
//                    used up, or taken by better-ranked offers
//   "group"          a better-ranked offer of the same exclusive group is
//                    eligible (details.groupWinner)
// The first eight are each offer's own conditions and are all listed when
// they fail. "group" and "daily_cap" rank offers that pass their own
// conditions, so they are added only to those, with one exception: a used-up
// daily allowance is listed on every offer.
inline constexpr std::string_view kOfferReasonCodes[] = {
    "consent", "not_started", "ended",    "audience",  "audience_error", "quiet_hours",
    "once",    "cap_total",   "cap_day",  "cap_week",  "daily_cap",      "group"};

// Quiet hours in minutes after local midnight: [start, end), spanning midnight
// when start > end. start == end is refused at compile time (it would mean
// either never or always).
struct QuietHours {
  int start_minute = 0;
  int end_minute = 0;
};

// Per-offer caps on "shown" records; 0 means no cap.
struct OfferCaps {
  int64_t total = 0;
  int64_t per_day = 0;
  int64_t per_week = 0;
};

// One compiled offer.
struct OfferDef {
  std::string id;
  std::string name;                      // defaults to the id
  std::string purpose = "marketing";
  int priority = 0;
  std::shared_ptr<const Rule> audience;  // null: everyone
  OfferCaps caps;
  std::string once;                      // "" (not once) or the action that ends it
  std::string group;                     // "" (none) or the exclusive group
  std::optional<int64_t> start;          // ms, inclusive
  std::optional<int64_t> end;            // ms, exclusive
  std::optional<QuietHours> quiet_hours; // effective: its own, else the global ones
  nlohmann::json payload;                // as given (null when absent)
};

// Immutable compiled definitions. Create with CompileOffers.
class OfferSet {
 public:
  // In definition order.
  const std::vector<OfferDef>& offers() const { return offers_; }
  // The offer with this id, or null.
  const OfferDef* Find(std::string_view id) const;
  // The global per-user daily cap across offers ("dailyCap"); 0 means none.
  int64_t daily_cap() const { return daily_cap_; }

 private:
  friend class OfferCompiler;
  std::vector<OfferDef> offers_;
  std::map<std::string, size_t, std::less<>> index_;
  int64_t daily_cap_ = 0;
};

struct OfferCompileOptions {
  // When set, `{"tag": [...]}` in audiences must name one of these ids.
  const std::vector<std::string>* known_tags = nullptr;
  // Limits for audience rules (its known_tags is replaced by the field above).
  CompileOptions rule_options;
  // Most offers in one set. Default 1,000: eligibility is computed for every
  // offer on every call, and no shop shows a user more than a few dozen.
  size_t max_offers = 1000;
};

struct OfferSetResult {
  std::shared_ptr<const OfferSet> offers;  // null when any error-severity issue exists
  std::vector<Error> issues;               // every problem (errors and audience-rule warnings)
  bool ok() const { return offers != nullptr; }
};

// Checks and compiles offer definitions (see the top of this file). Paths are
// JSON Pointers into `definitions` ("/offers/2/caps/perDay", or "/2/caps/perDay"
// for the list form); audience rule issues are prefixed with the offer's
// audience path ("/offers/1/audience/and/0").
[[nodiscard]] OfferSetResult CompileOffers(const nlohmann::json& definitions, const OfferCompileOptions& options = {});

struct OfferContext {
  int64_t now = 0;                                  // ms since the Unix epoch
  // The user's offset east of UTC: +480 for UTC+8 (China), -300 for UTC-5.
  // Clamped to ±18 hours.
  int tz_offset_minutes = 0;
  const std::set<std::string>* purposes = nullptr;  // granted purposes; null = all ("necessary" always)
  const nlohmann::json* data = nullptr;             // what audience rules' `var` reads (the user's attributes)
  EvalContext eval;                                 // profile + TagResolver; eval.now is replaced by `now`
};

struct OfferDecision {
  std::string id;
  bool eligible = false;
  int rank = 0;                      // 1-based among eligible offers; 0 when not eligible
  // Eligible: why ("audience" or "everyone", "priority 10", "group welcome").
  // Not eligible: every failing code from kOfferReasonCodes, in that order.
  std::vector<std::string> reasons;
  std::string message;               // one English line on the first reason ("" when eligible)
  // camelCase JSON: "caps": {"total"|"perDay"|"perWeek": {"used", "limit"}},
  // "dailyCap": {"used", "limit"}, "purpose", "startsAt", "endsAt",
  // "quietHours": {"start", "end"}, "nextAllowedAt", "once", "group",
  // "groupWinner", "audienceError": {"code", "path", "message"} -- each when it applies.
  nlohmann::json details = nlohmann::json::object();
};

// Decides every offer of `set` for one user: eligible offers first, by rank
// (priority descending, then definition order), then the others in definition
// order. Offer records are read from `ledger` (kind kOfferRecordKind). Never
// fails: an audience rule that errors makes its offer ineligible
// ("audience_error").
[[nodiscard]] std::vector<OfferDecision> Eligible(const OfferSet& set, const Ledger& ledger, const OfferContext& ctx);

// {"eligible": [{"id", "name", "priority", "payload", "reasons", "caps", "rank"}],
//  "ineligible": [{"id", "name", "reasons", "message", "details"}]}
// "caps" is details.caps ({} without caps). Decisions for ids not in `set` are skipped.
nlohmann::json DecisionsToJson(const std::vector<OfferDecision>& decisions, const OfferSet& set);

// The ledger record for an offer action, ready for Ledger::Add. Errors
// (kWrongArgumentType): an unknown offer id (path "/id", with "did you mean"
// when one is close), an action other than shown/clicked/redeemed ("/action"),
// an empty or over-long record id ("/recordId"), a time outside JavaScript's
// Date range ("/now").
[[nodiscard]] Result<LedgerRecord> MakeOfferRecord(const OfferSet& set, std::string_view offer_id,
                                                   std::string_view action, int64_t now, std::string record_id);

}  // namespace tagwise

#endif  // TAGWISE_OFFERS_H_
