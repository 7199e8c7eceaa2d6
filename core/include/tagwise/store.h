// The persistent form of one user's client-side state (DESIGN.md sections 3,
// 6 and 9): what js/ writes to localStorage / IndexedDB / a custom adapter.
//
// Why a line format and not one JSON document: a browser store can be cut
// short (tab closed mid-write, quota) or damaged (extensions, manual edits).
// Every line carries its own CRC-32, so a damaged or truncated store keeps
// every intact line and drops only the rest, and the loss is reported.
//
//   TAGWISE-STORE 1
//   H <crc32 8 hex> <header JSON>
//   E <crc32 8 hex> <event JSON>          (one line per kept event, time order)
//   END <crc32 8 hex> <event count>
//
// Header JSON: {"generation", "generation_at", "saved_at", "consent":
// {"purposes": [...], "updated_at"} | null, "profile": <Profile::ToJson()
// without "events">, "ledger"?: <Ledger::ToJson(), present when there is
// activity>}. The END line's CRC covers every byte before it, so a
// store whose lines are each intact but which lost lines (or gained some) is
// still detected. Each line's CRC is over the JSON text after the second
// space, exactly as written.
//
// Generations: replacing the profile (another user, setProfile without
// merge) or forget() starts a new generation; two stores of different
// generations are never merged, the later one wins (see MergeStores).
#ifndef TAGWISE_STORE_H_
#define TAGWISE_STORE_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tagwise/error.h"
#include "tagwise/ledger.h"
#include "tagwise/profile.h"

namespace tagwise {

// Written on the first line; DecodeStore refuses other versions.
inline constexpr int kStoreFormatVersion = 1;

// CRC-32 (IEEE 802.3, the zlib/PNG polynomial) of `bytes`.
uint32_t Crc32(std::string_view bytes);

// The visitor's consent choice as persisted. `purposes` always includes
// "necessary" once decoded.
struct StoredConsent {
  std::set<std::string> purposes;
  int64_t updated_at = 0;  // ms; when the visitor made this choice
};

struct StoreState {
  Profile profile;
  std::optional<StoredConsent> consent;  // nullopt: the visitor has not chosen
  Ledger ledger;                         // offer, experiment and conversion activity (ledger.h)
  std::string generation;                // "" before the first write
  int64_t generation_at = 0;             // ms when the generation started
  int64_t saved_at = 0;                  // ms of the write (informational)
};

// The store text of `state`. Deterministic: the same state gives the same bytes.
std::string EncodeStore(const StoreState& state);

struct DecodedStore {
  StoreState state;
  // One entry per problem, each with a path "line N" (1-based) or "" for the
  // whole store, and a message saying what was dropped: kUnsupportedVersion
  // (newer format: nothing loaded), kWrongArgumentType (a damaged line, a bad
  // checksum, unparseable JSON), kTooLarge (over a ProfileLimits bound; a
  // text over ProfileLimits::max_bytes loads nothing).
  // Severity is kWarning for losses of part of the store, kError when nothing
  // could be used.
  std::vector<Error> problems;
  bool truncated = false;      // the END line is missing or does not match
  size_t events_kept = 0;
  size_t events_dropped = 0;   // damaged event lines
  bool header_lost = false;    // the header line was damaged: attributes, rollups, consent lost
};

// Decodes a store. Never fails: empty text is an empty state with no problems;
// anything unusable is an empty (or partial) state plus problems. Intact
// event lines are kept even when the header or other lines are damaged.
DecodedStore DecodeStore(std::string_view text, const ProfileLimits& limits = {});

struct StoreMergeReport {
  // "same": same generation, merged; "stored": the stored generation was
  // newer and replaced `into`; "ours": `into` was newer, stored ignored.
  enum class Outcome { kSame, kStoredWon, kOursWon } outcome = Outcome::kSame;
  size_t events_added = 0;  // events of `stored` that `into` did not have
};

// Merges a decoded store (another tab's writes) into `into` (this tab's
// state). Same generation: the profiles are merged with Profile::MergeLocal,
// the ledgers with Ledger::Merge, and the later consent (by updated_at) is kept. Different generations: a
// named generation beats the empty one (the state before any replacement or
// forget()), else the later generation_at wins wholesale (ties: the
// lexicographically greater generation), so a forget() or a user switch in
// one tab is never undone by another tab's older data.
StoreMergeReport MergeStores(const StoreState& stored, StoreState* into);

}  // namespace tagwise

#endif  // TAGWISE_STORE_H_
