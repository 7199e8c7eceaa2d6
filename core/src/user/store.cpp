// The line-oriented store format: see store.h.
#include "tagwise/store.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "tagwise/json_text.h"
#include "tagwise/limits.h"

namespace tagwise {

using nlohmann::json;

namespace {

constexpr std::string_view kMagic = "TAGWISE-STORE ";

// Slicing-by-8 tables for the reflected IEEE polynomial 0xEDB88320.
struct CrcTables {
  std::array<std::array<uint32_t, 256>, 8> t{};
  CrcTables() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i) {
      for (size_t s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
    }
  }
};
// Computed on first use rather than at compile time: as a constant the 8 KB
// of tables are data in the page's .wasm (~7 KB gzip, as they do not
// compress); computing them takes microseconds.
const CrcTables& Crc() {
  static const CrcTables tables;
  return tables;
}

std::string Hex8(uint32_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = kHex[v & 15];
  return out;
}

// Exactly 8 lowercase hex digits, as written.
bool ParseHex8(std::string_view s, uint32_t* out) {
  if (s.size() != 8) return false;
  uint32_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else return false;
    v = (v << 4) | static_cast<uint32_t>(d);
  }
  *out = v;
  return true;
}

// A non-empty run of decimal digits; saturates instead of overflowing.
bool ParseCount(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const auto d = static_cast<uint64_t>(c - '0');
    v = v > (std::numeric_limits<uint64_t>::max() - d) / 10 ? std::numeric_limits<uint64_t>::max() : v * 10 + d;
  }
  *out = v;
  return true;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void AppendLine(std::string* out, std::string_view tag, const std::string& payload) {
  out->append(tag);
  out->push_back(' ');
  out->append(Hex8(Crc32(payload)));
  out->push_back(' ');
  out->append(payload);
  out->push_back('\n');
}

// A JSON integer or integral-valued number that fits int64 (ms times).
std::optional<int64_t> ReadInt64(const json& v) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return std::nullopt;
    }
    return v.get<int64_t>();
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) >= 9.2e18) return std::nullopt;
    return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

std::string LinePath(size_t line) { return "line " + std::to_string(line); }

// One line of the store with the 1-based line number and its byte offset.
struct Line {
  std::string_view text;
  size_t number = 0;
  size_t offset = 0;
  bool terminated = false;  // followed by '\n'
};

// The parts of a "<tag> <crc> <payload>" line; false when the shape is wrong.
bool SplitChecked(std::string_view line, std::string_view tag, uint32_t* crc, std::string_view* payload) {
  if (line.size() < tag.size() + 10 || line.substr(0, tag.size()) != tag || line[tag.size()] != ' ' ||
      line[tag.size() + 9] != ' ') {
    return false;
  }
  if (!ParseHex8(line.substr(tag.size() + 1, 8), crc)) return false;
  *payload = line.substr(tag.size() + 10);
  return true;
}

class Decoder {
 public:
  Decoder(std::string_view text, const ProfileLimits& limits) : text_(text), limits_(limits) {}

  DecodedStore Run() {
    if (text_.empty()) return std::move(out_);
    if (auto too_large = CheckInputBytes(text_.size(), limits_.max_bytes, "stored text")) {
      // Far past what retention lets a store grow to: damaged or not ours.
      too_large->message += "; nothing was loaded";
      out_.problems.push_back(std::move(*too_large));
      return std::move(out_);
    }
    std::vector<Line> lines = SplitLines();
    if (!ReadVersionLine(lines[0])) return std::move(out_);
    bool ended = false;
    for (size_t i = 1; i < lines.size(); ++i) {
      const Line& line = lines[i];
      if (ended) {
        if (line.text.empty()) continue;
        Warn(ErrorCode::kWrongArgumentType, LinePath(line.number),
             "ignored: everything after the END line (" + std::to_string(text_.size() - line.offset) +
                 " bytes) is not part of the store");
        break;
      }
      if (line.text.empty()) continue;  // only a change the END checksum reports
      if (line.text.substr(0, 4) == "END ") {
        ReadEnd(line);
        ended = true;
        continue;
      }
      ReadLine(line, !line.terminated && i + 1 == lines.size());
    }
    if (!ended) {
      out_.truncated = true;
      Warn(ErrorCode::kWrongArgumentType, "",
           "the store has no END line: it was cut short after line " + std::to_string(lines.back().number) +
               "; the intact lines before the cut were kept and anything written after them is lost");
    }
    Build();
    return std::move(out_);
  }

 private:
  std::vector<Line> SplitLines() const {
    std::vector<Line> lines;
    size_t pos = 0;
    while (pos <= text_.size()) {
      const size_t nl = text_.find('\n', pos);
      Line line;
      line.number = lines.size() + 1;
      line.offset = pos;
      if (nl == std::string_view::npos) {
        line.text = text_.substr(pos);
        if (!line.text.empty() || lines.empty()) lines.push_back(line);
        break;
      }
      line.text = text_.substr(pos, nl - pos);
      line.terminated = true;
      lines.push_back(line);
      pos = nl + 1;
    }
    return lines;
  }

  void Warn(ErrorCode code, std::string path, std::string message) {
    out_.problems.push_back(Error{code, std::move(path), std::move(message), Severity::kWarning});
  }
  void Fail(ErrorCode code, std::string message) {
    out_.problems.push_back(Error{code, LinePath(1), std::move(message), Severity::kError});
  }

  // False when nothing can be loaded.
  bool ReadVersionLine(const Line& line) {
    const std::string_view first = line.text;
    if (!line.terminated && first.size() <= kMagic.size() && kMagic.substr(0, first.size()) == first) {
      out_.truncated = true;
      out_.header_lost = true;
      Fail(ErrorCode::kWrongArgumentType,
           "the store was cut short inside its first line; nothing could be loaded");
      return false;
    }
    uint64_t version = 0;
    if (first.substr(0, kMagic.size()) != kMagic || !ParseCount(first.substr(kMagic.size()), &version)) {
      Fail(ErrorCode::kWrongArgumentType,
           "this is not a tagwise store (its first line is not \"TAGWISE-STORE <version>\"); nothing was loaded");
      return false;
    }
    if (version > static_cast<uint64_t>(kStoreFormatVersion)) {
      Fail(ErrorCode::kUnsupportedVersion,
           "this store was written by a newer tagwise (store format " + std::string(first.substr(kMagic.size())) +
               "); this version reads format " + std::to_string(kStoreFormatVersion) +
               ". Nothing was loaded; upgrade tagwise to read it");
      return false;
    }
    if (version != static_cast<uint64_t>(kStoreFormatVersion)) {
      Fail(ErrorCode::kWrongArgumentType, "store format " + std::string(first.substr(kMagic.size())) +
                                              " does not exist (this version reads format " +
                                              std::to_string(kStoreFormatVersion) + "); nothing was loaded");
      return false;
    }
    return true;
  }

  // Parses a checked payload; an error message when it cannot be used.
  static std::optional<json> ParsePayload(std::string_view payload, ErrorCode* code, std::string* why) {
    // Deeper JSON is refused before parsing (tagwise/json_text.h kMaxNesting,
    // the bound of every JSON text tagwise reads).
    if (NestsDeeperThan(payload, kMaxNesting)) {
      *code = ErrorCode::kTooLarge;
      *why = "it nests arrays or objects more than " + std::to_string(kMaxNesting) + " levels deep";
      return std::nullopt;
    }
    json j = json::parse(payload, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      *code = ErrorCode::kWrongArgumentType;
      *why = "its checksum matches but its JSON does not parse";
      return std::nullopt;
    }
    return j;
  }

  void DropEvent(const Line& line, ErrorCode code, const std::string& why) {
    ++dropped_;
    Warn(code, LinePath(line.number), "an event was dropped: " + why);
  }

  void ReadLine(const Line& line, bool cut) {
    uint32_t crc = 0;
    std::string_view payload;
    const bool is_header = SplitChecked(line.text, "H", &crc, &payload);
    const bool is_event = !is_header && SplitChecked(line.text, "E", &crc, &payload);
    const bool intact = (is_header || is_event) && Crc32(payload) == crc;
    if (!intact) {
      if (cut && line.text.size() < 4 && std::string_view("END").substr(0, line.text.size()) == line.text) {
        return;  // the END line itself was cut; the missing END is reported once
      }
      const std::string why = cut ? "the line was cut short" : "the line is damaged (its checksum does not match)";
      if (line.number == 2 && !have_header_) {
        Warn(ErrorCode::kWrongArgumentType, LinePath(line.number),
             "the header was dropped: " + why + "; attributes, rollups, server tags and consent were lost");
      } else {
        DropEvent(line, ErrorCode::kWrongArgumentType, why);
      }
      return;
    }
    ErrorCode code = ErrorCode::kWrongArgumentType;
    std::string why;
    std::optional<json> j = ParsePayload(payload, &code, &why);
    if (is_header) {
      if (have_header_) {
        Warn(ErrorCode::kWrongArgumentType, LinePath(line.number),
             "ignored: a second header line (the first, on line " + std::to_string(header_line_) + ", is used)");
        return;
      }
      if (!j) {
        Warn(code, LinePath(line.number),
             "the header was dropped: " + why + "; attributes, rollups, server tags and consent were lost");
        return;
      }
      ReadHeader(std::move(*j), line.number);
      return;
    }
    if (!j) {
      DropEvent(line, code, why);
      return;
    }
    events_.push_back(std::move(*j));
    event_lines_.push_back(line.number);
  }

  void ReadHeader(json h, size_t number) {
    const std::string path = LinePath(number);
    if (!h.is_object()) {
      Warn(ErrorCode::kWrongArgumentType, path,
           "the header was dropped: it is not a JSON object; attributes, rollups, server tags and consent were lost");
      return;
    }
    have_header_ = true;
    header_line_ = number;
    StoreState& st = out_.state;
    if (auto it = h.find("generation"); it != h.end() && !it->is_null()) {
      if (it->is_string()) st.generation = it->get<std::string>();
      else Warn(ErrorCode::kWrongArgumentType, path, "ignored: the header's \"generation\" is not a string");
    }
    for (const char* field : {"generation_at", "saved_at"}) {
      auto it = h.find(field);
      if (it == h.end() || it->is_null()) continue;
      if (std::optional<int64_t> t = ReadInt64(*it)) {
        (field[0] == 'g' ? st.generation_at : st.saved_at) = *t;
      } else {
        Warn(ErrorCode::kWrongArgumentType, path,
             std::string("ignored: the header's \"") + field + "\" is not a time in milliseconds");
      }
    }
    if (auto it = h.find("consent"); it != h.end() && !it->is_null()) {
      ReadConsent(*it, path);
    }
    if (auto it = h.find("ledger"); it != h.end() && !it->is_null()) {
      // Damaged entries are dropped one by one; the rest of the header stays.
      std::vector<Error> warnings;
      st.ledger = Ledger::FromJson(*it, "", &warnings);
      for (Error& w : warnings) {
        Warn(w.code, path, "ledger" + w.path + ": " + w.message);
      }
    }
    if (auto it = h.find("profile"); it != h.end() && !it->is_null()) {
      if (it->is_object()) {
        profile_ = std::move(*it);
      } else {
        Warn(ErrorCode::kWrongArgumentType, path,
             "ignored: the header's \"profile\" is not an object; attributes, rollups and server tags were lost");
      }
    }
  }

  void ReadConsent(const json& c, const std::string& path) {
    auto purposes = c.is_object() ? c.find("purposes") : c.end();
    if (!c.is_object() || purposes == c.end() || !purposes->is_array()) {
      Warn(ErrorCode::kWrongArgumentType, path,
           "the stored consent was dropped: it must be {\"purposes\": [...], \"updated_at\": ms}; the visitor will "
           "be asked again");
      return;
    }
    StoredConsent consent;
    consent.purposes.insert(std::string(kNecessaryPurpose));
    for (const json& p : *purposes) {
      if (p.is_string()) {
        consent.purposes.insert(p.get<std::string>());
      } else {
        Warn(ErrorCode::kWrongArgumentType, path, "ignored: a consent purpose that is not a string");
      }
    }
    if (auto u = c.find("updated_at"); u != c.end() && !u->is_null()) {
      if (std::optional<int64_t> t = ReadInt64(*u)) {
        consent.updated_at = *t;
      } else {
        Warn(ErrorCode::kWrongArgumentType, path, "ignored: the consent's \"updated_at\" is not a time in milliseconds");
      }
    }
    out_.state.consent = std::move(consent);
  }

  void ReadEnd(const Line& line) {
    const std::string path = LinePath(line.number);
    uint32_t crc = 0;
    std::string_view count_text;
    uint64_t count = 0;
    if (!SplitChecked(line.text, "END", &crc, &count_text) || !ParseCount(count_text, &count)) {
      out_.truncated = true;
      Warn(ErrorCode::kWrongArgumentType, path,
           std::string(line.terminated ? "the END line is damaged" : "the END line was cut short") +
               ", so the store cannot be shown complete; the intact lines before it were kept");
      return;
    }
    const size_t event_lines = events_.size() + dropped_;
    if (Crc32(text_.substr(0, line.offset)) != crc) {
      out_.truncated = true;
      Warn(ErrorCode::kWrongArgumentType, path,
           "the END checksum does not match (lines damaged, lost, added or reordered); the intact lines were kept");
    } else if (count != event_lines) {
      out_.truncated = true;
      Warn(ErrorCode::kWrongArgumentType, path,
           "the END line counts " + std::string(count_text) + " events but the store has " +
               std::to_string(event_lines) + "; the intact lines were kept");
    }
  }

  // "/events/<i>..." -> "line N"; other profile paths -> the header's line.
  std::string MapPath(const std::string& p) const {
    static constexpr std::string_view kEvents = "/events/";
    if (p.compare(0, kEvents.size(), kEvents) == 0) {
      size_t end = kEvents.size();
      while (end < p.size() && p[end] >= '0' && p[end] <= '9') ++end;
      uint64_t i = 0;
      if (ParseCount(std::string_view(p).substr(kEvents.size(), end - kEvents.size()), &i) &&
          i < event_lines_.size()) {
        return LinePath(event_lines_[i]);
      }
    }
    if (p == "/events") return "";
    return have_header_ ? LinePath(header_line_) : "";
  }

  // Rewrites "/events/<i>" inside a message as "line N".
  std::string MapMessage(std::string m) const {
    static constexpr std::string_view kEvents = "/events/";
    size_t at = m.find(kEvents);
    while (at != std::string::npos) {
      size_t end = at + kEvents.size();
      while (end < m.size() && m[end] >= '0' && m[end] <= '9') ++end;
      uint64_t i = 0;
      if (ParseCount(std::string_view(m).substr(at + kEvents.size(), end - at - kEvents.size()), &i) &&
          i < event_lines_.size()) {
        const std::string line = LinePath(event_lines_[i]);
        m.replace(at, end - at, line);
        at = m.find(kEvents, at + line.size());
      } else {
        at = m.find(kEvents, end);
      }
    }
    return m;
  }

  void Build() {
    if (!have_header_) out_.header_lost = true;
    const size_t listed = events_.size();
    json pj = profile_.is_object() ? std::move(profile_) : json::object();
    pj["events"] = std::move(events_);
    std::vector<Error> warnings;
    // Moved in: FromJson returns its errors before it takes any event, so
    // the fallback below still finds them in pj.
    Result<Profile> p = Profile::FromJson(std::move(pj), &warnings, limits_);
    if (!p.ok() && have_header_) {
      // The header's profile is unusable (e.g. a newer profile format): keep the events.
      Error e = p.error();
      e.path = LinePath(header_line_);
      e.message = "the header's profile was dropped (attributes, rollups, server tags): " + e.message;
      e.severity = Severity::kWarning;
      out_.problems.push_back(std::move(e));
      out_.header_lost = true;
      json events_only = json::object();
      events_only["events"] = std::move(pj["events"]);
      warnings.clear();
      p = Profile::FromJson(std::move(events_only), &warnings, limits_);
    }
    size_t duplicates = 0;
    for (Error& w : warnings) {
      if (w.code == ErrorCode::kDuplicateId && w.path.compare(0, 8, "/events/") == 0) ++duplicates;
      w.path = MapPath(w.path);
      w.message = MapMessage(std::move(w.message));
      w.severity = Severity::kWarning;
      out_.problems.push_back(std::move(w));
    }
    if (p.ok()) {
      out_.state.profile = std::move(p).value();
    } else {  // cannot happen with an object holding a list, but never lose the decode over it
      Error e = p.error();
      e.severity = Severity::kWarning;
      out_.problems.push_back(std::move(e));
    }
    out_.events_kept = out_.state.profile.events().size();
    // Dropped: damaged lines, plus listed events the profile could not use or
    // keep (limits); duplicates of a kept id count once and are not lost.
    const size_t unused = listed - std::min(listed, out_.events_kept + duplicates);
    out_.events_dropped = dropped_ + unused;
  }

  std::string_view text_;
  const ProfileLimits& limits_;
  DecodedStore out_;
  json events_ = json::array();
  std::vector<size_t> event_lines_;  // line number of each entry of events_
  json profile_;
  bool have_header_ = false;
  size_t header_line_ = 0;
  size_t dropped_ = 0;  // damaged event lines
};

}  // namespace

uint32_t Crc32(std::string_view bytes) {
  uint32_t c = 0xFFFFFFFFu;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  const auto& t = Crc().t;
  while (n >= 8) {
    const uint32_t lo = c ^ (uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24);
    c = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^ t[3][p[4]] ^
        t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) c = t[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string EncodeStore(const StoreState& state) {
  json profile = state.profile.ToJson();
  json events = std::move(profile["events"]);
  profile.erase("events");
  json consent = nullptr;
  if (state.consent) {
    consent = json::object();
    consent["purposes"] = state.consent->purposes;
    consent["updated_at"] = state.consent->updated_at;
  }
  // operator[] rather than an initializer list: the same object, less code.
  json header = json::object();
  header["generation"] = state.generation;
  header["generation_at"] = state.generation_at;
  header["saved_at"] = state.saved_at;
  header["consent"] = std::move(consent);
  header["profile"] = std::move(profile);
  // Only when there is activity, so stores of users without offers or
  // experiments stay byte-identical to what earlier versions wrote.
  if (!state.ledger.empty()) header["ledger"] = state.ledger.ToJson();
  std::string out;
  out.reserve(64 + events.size() * 128);
  out.append(kMagic);
  out.append(std::to_string(kStoreFormatVersion));
  out.push_back('\n');
  AppendLine(&out, "H", Dump(header));
  for (const json& e : events) AppendLine(&out, "E", Dump(e));
  const uint32_t crc = Crc32(out);
  out.append("END ");
  out.append(Hex8(crc));
  out.push_back(' ');
  out.append(std::to_string(events.size()));
  out.push_back('\n');
  return out;
}

DecodedStore DecodeStore(std::string_view text, const ProfileLimits& limits) {
  return Decoder(text, limits).Run();
}

StoreMergeReport MergeStores(const StoreState& stored, StoreState* into) {
  StoreMergeReport report;
  if (into == nullptr) return report;
  // An empty generation is the state before any replacement or forget():
  // it merges with another empty one, and loses to any named generation (a
  // user switch or forget() elsewhere must not be undone by an older copy).
  const bool same = stored.generation == into->generation;
  if (!same) {
    const bool stored_wins = into->generation.empty()     ? true
                             : stored.generation.empty()  ? false
                             : stored.generation_at != into->generation_at ? stored.generation_at > into->generation_at
                                                                           : stored.generation > into->generation;
    if (!stored_wins) {
      report.outcome = StoreMergeReport::Outcome::kOursWon;
      return report;
    }
    std::unordered_set<std::string_view> ours;
    ours.reserve(into->profile.events().size());
    for (const Event& e : into->profile.events()) ours.insert(e.id);
    for (const Event& e : stored.profile.events()) report.events_added += ours.count(e.id) == 0 ? 1 : 0;
    *into = StoreState(stored);  // copy, then move: no copy-assignment of a Profile in the page runtime
    report.outcome = StoreMergeReport::Outcome::kStoredWon;
    return report;
  }
  report.outcome = StoreMergeReport::Outcome::kSame;
  report.events_added = into->profile.MergeLocal(stored.profile);
  into->ledger.Merge(stored.ledger);
  if (stored.consent && (!into->consent || stored.consent->updated_at > into->consent->updated_at)) {
    into->consent = stored.consent;
  }
  if (into->generation.empty()) {
    into->generation = stored.generation;
    into->generation_at = stored.generation_at;
  }
  into->saved_at = std::max(into->saved_at, stored.saved_at);
  return report;
}

}  // namespace tagwise
