// HintBuilder: reads event lines / interactions and a catalogue into compact
// per-event records (interned user, item and basket numbers), then derives
// every table of hints.h in Build. Nothing here depends on input order except
// warnings: items are numbered by id, and every table is a function of the
// set of events.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "offline/cooccurrence.h"
#include "recommend/hints_internal.h"
#include "common/js_value.h"
#include "tagwise/hints.h"
#include "tagwise/json_text.h"
#include "tagwise/profile.h"

namespace tagwise {
namespace {

using nlohmann::json;

// Longest event or catalogue line. An event is a few hundred bytes; a longer
// line is a concatenation bug and parsing it would only waste memory.
constexpr size_t kMaxLineBytes = 64 * 1024;
// Deepest array/object nesting accepted in a line, checked before parsing:
// copying nlohmann values recurses, and in wasm a stack overflow kills the
// instance. Event lines are nearly flat.
constexpr int kMaxLineNesting = 64;
// Warnings kept for Build; the rest are counted. A broken multi-million-line
// log must not hold a warning per line in memory.
constexpr size_t kMaxWarnings = 1000;

struct RawEvent {
  uint32_t user = 0;
  uint32_t item = 0;  // first-seen number, renumbered by id in Build
  uint32_t basket = 0;
  int64_t ts = 0;
};

// One segment value read for one event.
struct SegmentValue {
  uint32_t key = 0;     // index into State::segment_keys
  std::string value;
  bool element = false;  // from an array field: every element is the user's
};

// The values of one segment key seen on one user's events.
struct UserSegment {
  std::map<std::string, uint32_t> counts;  // scalar values -> events
  std::set<std::string> elements;          // array elements
};

std::string_view Trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

std::string LinePath(std::string_view prefix, size_t line_no) { return std::string(prefix) + std::to_string(line_no); }

// A string, number or boolean as segment/id text; nullopt for other types.
std::optional<std::string> ScalarText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  return std::nullopt;
}

// The value at a dotted path ("props.country") of an event line, or null.
const json* Resolve(const json& line, std::string_view dotted) {
  const json* v = &line;
  while (true) {
    const size_t dot = dotted.find('.');
    const std::string_view token = dotted.substr(0, dot);
    if (!v->is_object()) return nullptr;
    auto it = v->find(token);
    if (it == v->end()) return nullptr;
    v = &*it;
    if (dot == std::string_view::npos) return v;
    dotted.remove_prefix(dot + 1);
  }
}

// The JSON Pointer of a dotted path under `base` ("line 3" + "props.country").
std::string DottedPointer(std::string path, std::string_view dotted) {
  while (true) {
    const size_t dot = dotted.find('.');
    path = JoinPointer(path, dotted.substr(0, dot));
    if (dot == std::string_view::npos) return path;
    dotted.remove_prefix(dot + 1);
  }
}

// FNV-1a 64 of the sorted ids joined by '\n', as 16 hex digits: the default
// catalog_version, so hints built from the same items match the same pages.
std::string Fingerprint(const std::vector<HintItem>& items) {
  uint64_t h = 0xcbf29ce484222325ULL;
  const auto mix = [&h](unsigned char c) {
    h ^= c;
    h *= 0x100000001b3ULL;
  };
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) mix('\n');
    for (char c : items[i].id) mix(static_cast<unsigned char>(c));
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// a - b, clamped to the int64 range (trending windows of any length).
int64_t SaturatingSub(int64_t a, int64_t b) {
  if (b > 0 && a < std::numeric_limits<int64_t>::min() + b) return std::numeric_limits<int64_t>::min();
  return a - b;
}

// RFC 4180 records: quoted fields may hold commas, doubled quotes and line
// breaks; CRLF or LF line ends. Lenient where it costs nothing (text after a
// closing quote is kept), strict only on an unterminated quote.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);  // UTF-8 byte order mark
  }

  // The next record and the 1-based line it starts on; false at the end or
  // on an unterminated quote (then *unterminated is set).
  bool Next(std::vector<std::string>* fields, size_t* line, bool* unterminated) {
    fields->clear();
    *unterminated = false;
    if (pos_ >= text_.size()) return false;
    *line = line_;
    std::string field;
    while (true) {
      if (pos_ < text_.size() && text_[pos_] == '"') {
        if (!ReadQuoted(&field)) {
          *unterminated = true;
          return false;
        }
      }
      while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n') field.push_back(text_[pos_++]);
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        fields->push_back(std::move(field));
        field.clear();
        continue;
      }
      if (!field.empty() && field.back() == '\r') field.pop_back();
      fields->push_back(std::move(field));
      if (pos_ < text_.size()) {
        ++pos_;  // the '\n'
        ++line_;
      }
      return true;
    }
  }

 private:
  // Reads a quoted field's content (pos_ at the opening quote).
  bool ReadQuoted(std::string* field) {
    ++pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') {
        if (pos_ < text_.size() && text_[pos_] == '"') {
          field->push_back('"');
          ++pos_;
          continue;
        }
        return true;
      }
      if (c == '\n') ++line_;
      field->push_back(c);
    }
    return false;
  }

  std::string_view text_;
  size_t pos_ = 0;
  size_t line_ = 1;
};

std::string LowerAscii(std::string_view s) {
  std::string out(Trim(s));
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// "true"/"yes"/"1"/"" -> true, "false"/"no"/"0" -> false, else nullopt.
std::optional<bool> ParseAvailable(std::string_view text) {
  const std::string s = LowerAscii(text);
  if (s.empty() || s == "true" || s == "yes" || s == "1") return true;
  if (s == "false" || s == "no" || s == "0") return false;
  return std::nullopt;
}

// Columns of a catalogue CSV header, by the names AddItemsCsv documents.
struct CsvColumns {
  int id = -1, name = -1, category = -1, price = -1, available = -1;
};

CsvColumns FindColumns(const std::vector<std::string>& header) {
  CsvColumns c;
  for (int i = 0; i < static_cast<int>(header.size()); ++i) {
    const std::string h = LowerAscii(header[i]);
    int* slot = nullptr;
    if (h == "item_id" || h == "item" || h == "id") slot = &c.id;
    if (h == "description" || h == "name") slot = &c.name;
    if (h == "category") slot = &c.category;
    if (h == "price" || h == "median_unit_price_gbp") slot = &c.price;
    if (h == "available" || h == "in_stock") slot = &c.available;
    if (slot != nullptr && *slot < 0) *slot = i;
  }
  return c;
}

}  // namespace

struct HintBuilder::State {
  HintBuildOptions options;
  std::vector<std::string> segment_keys;  // segment key number -> key
  std::vector<uint32_t> field_keys;       // options.segments[i] -> key number

  std::unordered_map<std::string, uint32_t> users;
  std::unordered_map<std::string, uint32_t> items;  // log item id -> first-seen number
  std::vector<std::string> item_ids;                // first-seen number -> id
  std::unordered_map<std::string, uint32_t> baskets;
  std::vector<RawEvent> events;
  std::map<std::pair<uint32_t, uint32_t>, UserSegment> user_segments;  // (user, key number)

  bool has_catalogue = false;
  std::vector<HintItem> catalogue;
  std::unordered_map<std::string, size_t> catalogue_index;

  std::vector<Error> warnings;
  size_t warnings_dropped = 0;
  std::set<std::string> repairs_reported;  // ParseEvent repair kinds ("/ts") already warned
  size_t events_used = 0;
  size_t lines_skipped = 0;
  size_t lines_unusable = 0;  // of lines_skipped: the ones Skip() warned about (not other types)
  size_t interaction_calls = 0;
  size_t direct_items = 0;

  explicit State(HintBuildOptions o) : options(std::move(o)) {
    for (const HintSegmentField& f : options.segments) field_keys.push_back(SegmentKey(f.key));
  }

  void Warn(ErrorCode code, std::string path, std::string message) {
    if (warnings.size() >= kMaxWarnings) {
      ++warnings_dropped;
      return;
    }
    warnings.push_back(Error{code, std::move(path), std::move(message), Severity::kWarning});
  }

  // Warns "skipped: ..." for an input line or call that is not used.
  void Skip(Error e) {
    ++lines_skipped;
    ++lines_unusable;
    Warn(e.code, std::move(e.path), "skipped: " + e.message);
  }

  uint32_t SegmentKey(std::string_view key) {
    auto it = std::find(segment_keys.begin(), segment_keys.end(), key);
    if (it != segment_keys.end()) return static_cast<uint32_t>(it - segment_keys.begin());
    segment_keys.emplace_back(key);
    return static_cast<uint32_t>(segment_keys.size() - 1);
  }

  bool Counted(std::string_view type) const {
    const auto& t = options.item_event_types;
    return std::find(t.begin(), t.end(), type) != t.end();
  }

  static uint32_t Intern(std::unordered_map<std::string, uint32_t>* ids, std::string key) {
    const auto next = static_cast<uint32_t>(ids->size());
    return ids->try_emplace(std::move(key), next).first->second;
  }

  // Records one counted event whose fields were all checked. `order` "" =
  // the basket is (user, ts).
  void Record(std::string_view user, std::string_view item, int64_t ts, std::string_view order,
              std::vector<SegmentValue>&& segment_values) {
    RawEvent e;
    e.user = Intern(&users, std::string(user));
    const auto next_item = static_cast<uint32_t>(items.size());
    auto [it, fresh] = items.try_emplace(std::string(item), next_item);
    if (fresh) item_ids.emplace_back(item);
    e.item = it->second;
    // Basket key: user number, then 'o' + order or 't' + ts bytes.
    std::string key(reinterpret_cast<const char*>(&e.user), sizeof e.user);
    if (order.empty()) {
      key.push_back('t');
      key.append(reinterpret_cast<const char*>(&ts), sizeof ts);
    } else {
      key.push_back('o');
      key.append(order);
    }
    e.basket = Intern(&baskets, std::move(key));
    e.ts = ts;
    events.push_back(e);
    for (SegmentValue& v : segment_values) {
      UserSegment& us = user_segments[{e.user, v.key}];
      if (v.element) {
        us.elements.insert(std::move(v.value));
      } else {
        ++us.counts[std::move(v.value)];
      }
    }
    ++events_used;
  }

  // Adds `v` (a scalar field value) as a segment value; warns when unusable.
  void AddSegmentValue(const json& v, uint32_t key, bool element, const std::string& path,
                       std::vector<SegmentValue>* out) {
    std::optional<std::string> text = ScalarText(v);
    if (!text) {
      Warn(ErrorCode::kWrongArgumentType, path,
           "ignored: a segment field must be a string, number or boolean, or a list of them");
      return;
    }
    if (text->empty()) return;  // an unset attribute, not a value
    if (std::optional<Error> bad = internal::CheckId(*text, path, "the segment value")) {
      Warn(bad->code, bad->path, "ignored: " + bad->message);
      return;
    }
    out->push_back({key, std::move(*text), element});
  }

  std::vector<SegmentValue> ReadSegments(const json& line, const std::string& line_path) {
    std::vector<SegmentValue> out;
    for (size_t f = 0; f < options.segments.size(); ++f) {
      const json* v = Resolve(line, options.segments[f].path);
      if (v == nullptr || v->is_null()) continue;
      const std::string path = DottedPointer(line_path, options.segments[f].path);
      if (v->is_array()) {
        for (size_t i = 0; i < v->size(); ++i) {
          AddSegmentValue((*v)[i], field_keys[f], true, JoinPointer(path, std::to_string(i)), &out);
        }
      } else {
        AddSegmentValue(*v, field_keys[f], false, path, &out);
      }
    }
    return out;
  }

  // Parses a line that must hold one JSON object; nullopt (after a warning) otherwise.
  std::optional<json> ParseObjectLine(std::string_view line, const std::string& path) {
    if (line.size() > kMaxLineBytes) {
      Skip({ErrorCode::kTooLarge, path, "the line is longer than " + std::to_string(kMaxLineBytes) + " bytes"});
      return std::nullopt;
    }
    if (NestsDeeperThan(line, kMaxLineNesting)) {
      Skip({ErrorCode::kTooDeep, path, "the line nests deeper than " + std::to_string(kMaxLineNesting) + " levels"});
      return std::nullopt;
    }
    json j;
    try {
      j = json::parse(line);
    } catch (const json::parse_error& e) {
      const bool utf8 = std::string_view(e.what()).find("UTF-8") != std::string_view::npos;
      Skip({utf8 ? ErrorCode::kInvalidUtf8 : ErrorCode::kInvalidJson, path,
            std::string(utf8 ? "the line is not valid UTF-8" : "the line is not valid JSON") + " (at byte " +
                std::to_string(e.byte) + ")"});
      return std::nullopt;
    }
    if (!j.is_object()) {
      Skip({ErrorCode::kWrongArgumentType, path, "the line must be a JSON object"});
      return std::nullopt;
    }
    return j;
  }

  // Runs ParseEvent; forwards its repairs (e.g. ts in seconds) once per kind,
  // since a log tends to repeat the same repair on every line. Missing event
  // ids are not worth a warning here: the builder never needs them.
  std::optional<Event> ReadEvent(const json& j, const std::string& path) {
    std::vector<Error> repairs;
    Result<Event> e = ParseEvent(j, path, &repairs);
    if (!e.ok()) {
      Skip(e.error());
      return std::nullopt;
    }
    for (Error& r : repairs) {
      const std::string kind = r.path.substr(std::min(r.path.size(), path.size()));
      if (kind == "/id" || !repairs_reported.insert(kind).second) continue;
      Warn(r.code, std::move(r.path), r.message + " (reported for the first such line only)");
    }
    return std::move(e).value();
  }

  void AddEventLine(std::string_view raw, size_t line_no) {
    const std::string_view line = Trim(raw);
    if (line.empty()) return;
    const std::string path = LinePath("line ", line_no);
    std::optional<json> j = ParseObjectLine(line, path);
    if (!j) return;
    if (auto type = j->find("type"); type != j->end() && type->is_string() && !Counted(type->get_ref<const std::string&>())) {
      ++lines_skipped;  // another event type: not an item interaction
      return;
    }
    if (auto props = j->find("props"); props != j->end() && !props->is_null() && !props->is_object()) {
      Skip({ErrorCode::kWrongArgumentType, path + "/props", "\"props\" must be an object like {\"item\": \"A1\"}"});
      return;
    }
    std::optional<Event> e = ReadEvent(*j, path);
    if (!e) return;
    auto item = e->props.find("item");
    if (item == e->props.end() || item->is_null()) {
      ++lines_skipped;  // an event of a counted type about no particular item
      return;
    }
    if (!item->is_string()) {
      Skip({ErrorCode::kWrongArgumentType, path + "/props/item", "\"props.item\" must be a string item id"});
      return;
    }
    const std::string& item_id = item->get_ref<const std::string&>();
    if (std::optional<Error> bad = internal::CheckId(item_id, path + "/props/item", "the item id")) {
      Skip(std::move(*bad));
      return;
    }
    auto user = j->find("user_id");
    std::optional<std::string> user_id;
    if (user != j->end() && (user->is_string() || user->is_number())) user_id = ScalarText(*user);
    if (!user_id) {
      Skip({ErrorCode::kWrongArgumentType, path + "/user_id", "the event needs \"user_id\", a string or number"});
      return;
    }
    if (std::optional<Error> bad = internal::CheckId(*user_id, path + "/user_id", "the user id")) {
      Skip(std::move(*bad));
      return;
    }
    std::string order;
    if (auto o = e->props.find("order"); o != e->props.end() && !o->is_null()) {
      if (!o->is_string() && !o->is_number()) {
        Skip({ErrorCode::kWrongArgumentType, path + "/props/order", "\"props.order\" must be a string or number"});
        return;
      }
      order = *ScalarText(*o);
      std::optional<Error> bad;
      if (!order.empty()) bad = internal::CheckId(order, path + "/props/order", "the order id");
      if (bad) {
        Skip(std::move(*bad));
        return;
      }
    }
    Record(*user_id, item_id, e->ts, order, ReadSegments(*j, path));
  }

  void AddInteraction(std::string_view user, std::string_view item, int64_t ts, std::string_view basket,
                      std::span<const std::pair<std::string, std::string>> segments) {
    const std::string path = LinePath("interaction ", ++interaction_calls);
    std::optional<Error> bad = internal::CheckId(user, path + "/user", "the user id");
    if (!bad) bad = internal::CheckId(item, path + "/item", "the item id");
    if (!bad && !basket.empty()) bad = internal::CheckId(basket, path + "/basket", "the basket id");
    if (bad) {
      Skip(std::move(*bad));
      return;
    }
    // Each pair is one occurrence of the value, like a scalar event field;
    // the user's value is then the most frequent one.
    std::vector<SegmentValue> values;
    for (size_t i = 0; i < segments.size(); ++i) {
      const auto& [key, value] = segments[i];
      const std::string seg_path = path + "/segments/" + std::to_string(i);
      if (std::optional<Error> e = internal::CheckId(key, seg_path, "the segment key")) {
        Warn(e->code, e->path, "ignored: " + e->message);
      } else if (!value.empty()) {
        AddSegmentValue(json(value), SegmentKey(key), false, seg_path, &values);
      }
    }
    Record(user, item, ts, basket, std::move(values));
  }

  // Adds a catalogue entry after checking it; `path` names it in warnings.
  void AddItem(HintItem item, const std::string& path) {
    has_catalogue = true;
    if (std::optional<Error> bad = internal::CheckId(item.id, path + "/id", "the item id")) {
      Warn(bad->code, bad->path, "skipped: " + bad->message);
      return;
    }
    for (auto [text, field] : {std::pair{&item.name, "name"}, std::pair{&item.category, "category"}}) {
      if (text->size() > internal::kMaxTextBytes || !js::IsValidUtf8(*text)) {
        Warn(text->size() > internal::kMaxTextBytes ? ErrorCode::kTooLarge : ErrorCode::kInvalidUtf8,
             path + "/" + field,
             std::string("ignored: the ") + field + " is not valid UTF-8 of at most " +
                 std::to_string(internal::kMaxTextBytes) + " bytes");
        text->clear();
      }
    }
    if (!std::isfinite(item.price)) {
      Warn(ErrorCode::kWrongArgumentType, path + "/price", "ignored: the price is not a finite number");
      item.price = -1;
    }
    if (item.price < 0) item.price = -1;
    if (item.price == 0) item.price = 0;  // -0.0 prints as "-0"; a price is never negative zero
    item.buyers = item.baskets = item.recent = item.previous = 0;  // computed from the log
    auto [it, fresh] = catalogue_index.try_emplace(item.id, catalogue.size());
    if (!fresh) {
      Warn(ErrorCode::kDuplicateId, path + "/id", "ignored: item \"" + item.id + "\" is already in the catalogue");
      return;
    }
    catalogue.push_back(std::move(item));
  }

  void AddItemLine(std::string_view raw, size_t line_no) {
    const std::string_view line = Trim(raw);
    if (line.empty()) return;
    const std::string path = LinePath("items line ", line_no);
    std::optional<json> j = ParseObjectLine(line, path);
    if (!j) return;
    HintItem item;
    auto id = j->find("item");
    if (id == j->end()) id = j->find("id");
    if (id != j->end()) item.id = ScalarText(*id).value_or("");
    const auto text = [&](const char* field, std::string* out) {
      auto it = j->find(field);
      if (it == j->end() || it->is_null()) return;
      if (it->is_string()) {
        *out = it->get<std::string>();
      } else {
        Warn(ErrorCode::kWrongArgumentType, path + "/" + field, std::string("ignored: \"") + field + "\" must be a string");
      }
    };
    text("name", &item.name);
    text("category", &item.category);
    if (auto price = j->find("price"); price != j->end() && !price->is_null()) {
      if (price->is_number()) {
        item.price = price->get<double>();
      } else {
        Warn(ErrorCode::kWrongArgumentType, path + "/price", "ignored: \"price\" must be a number");
      }
    }
    if (auto available = j->find("available"); available != j->end() && !available->is_null()) {
      if (available->is_boolean()) {
        item.available = available->get<bool>();
      } else {
        Warn(ErrorCode::kWrongArgumentType, path + "/available", "ignored: \"available\" must be true or false");
      }
    }
    AddItem(std::move(item), path);
  }

  void AddItemsCsv(std::string_view text) {
    has_catalogue = true;
    CsvReader reader(text);
    std::vector<std::string> fields;
    size_t line = 0;
    bool unterminated = false;
    if (!reader.Next(&fields, &line, &unterminated)) {
      if (unterminated) Warn(ErrorCode::kSyntax, "items line 1", "the CSV header has an unterminated quote");
      return;
    }
    const CsvColumns col = FindColumns(fields);
    if (col.id < 0) {
      Warn(ErrorCode::kWrongArgumentType, "items line 1",
           "the CSV header has no item id column (item_id, item or id); the catalogue is ignored");
      return;
    }
    while (reader.Next(&fields, &line, &unterminated)) {
      if (fields.size() == 1 && Trim(fields[0]).empty()) continue;  // blank line
      AddCsvRecord(fields, col, LinePath("items line ", line));
    }
    if (unterminated) {
      Warn(ErrorCode::kSyntax, LinePath("items line ", line),
           "a quoted CSV field is not closed; the rest of the catalogue is ignored");
    }
  }

  void AddCsvRecord(const std::vector<std::string>& fields, const CsvColumns& col, const std::string& path) {
    const auto field = [&](int c) -> std::string_view {
      return c >= 0 && static_cast<size_t>(c) < fields.size() ? std::string_view(fields[c]) : std::string_view();
    };
    HintItem item;
    item.id = std::string(Trim(field(col.id)));
    item.name = std::string(field(col.name));
    item.category = std::string(field(col.category));
    if (const std::string_view price = Trim(field(col.price)); !price.empty()) {
      const double p = js::StringToNumber(price);
      if (std::isnan(p)) {
        Warn(ErrorCode::kWrongArgumentType, path + "/price", "ignored: the price is not a number");
      } else {
        item.price = p;
      }
    }
    if (std::optional<bool> available = ParseAvailable(field(col.available))) {
      item.available = *available;
    } else {
      Warn(ErrorCode::kWrongArgumentType, path + "/available", "ignored: \"available\" must be true/false, yes/no or 1/0");
    }
    AddItem(std::move(item), path);
  }

  Result<Hints> Build(std::vector<Error>* out_warnings) const;
  std::optional<Error> CheckOptions() const;
  void CountEvents(const std::vector<uint32_t>& renumber, Hints* h, std::vector<std::vector<uint32_t>>* user_items,
                   std::vector<std::vector<uint32_t>>* basket_items) const;
  std::vector<HintItem> ItemTable(std::vector<uint32_t>* renumber, std::vector<Error>* warns) const;
  void AddSegments(const std::vector<std::vector<uint32_t>>& user_items, Hints* hints) const;
};

// The item table (log items and catalogue items, sorted by id) and, for every
// first-seen item number, its index in that table.
std::vector<HintItem> HintBuilder::State::ItemTable(std::vector<uint32_t>* renumber, std::vector<Error>* warns) const {
  std::vector<std::string_view> ids(item_ids.begin(), item_ids.end());
  for (const HintItem& c : catalogue) ids.push_back(c.id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<HintItem> table(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    auto c = catalogue_index.find(std::string(ids[i]));
    if (c != catalogue_index.end()) table[i] = catalogue[c->second];
    table[i].id = std::string(ids[i]);
  }
  renumber->resize(item_ids.size());
  std::vector<std::string> missing;
  for (size_t k = 0; k < item_ids.size(); ++k) {
    (*renumber)[k] = static_cast<uint32_t>(std::lower_bound(ids.begin(), ids.end(), item_ids[k]) - ids.begin());
    if (has_catalogue && catalogue_index.count(item_ids[k]) == 0) missing.push_back(item_ids[k]);
  }
  if (!missing.empty()) {
    std::sort(missing.begin(), missing.end());
    std::string examples;
    for (size_t i = 0; i < std::min<size_t>(missing.size(), 5); ++i) examples += (i ? ", \"" : "\"") + missing[i] + "\"";
    warns->push_back(Error{ErrorCode::kWrongArgumentType, "items",
                           std::to_string(missing.size()) + " items of the event log are not in the catalogue (" +
                               examples + (missing.size() > 5 ? ", ..." : "") +
                               "); they are kept without name, category or price",
                           Severity::kWarning});
  }
  return table;
}

// Segment lists: each user's values per key, then for each (key, value) with
// enough users the items those users interacted with.
void HintBuilder::State::AddSegments(const std::vector<std::vector<uint32_t>>& user_items, Hints* hints) const {
  std::map<std::pair<std::string, std::string>, std::vector<uint32_t>> members;
  for (const auto& [user_key, us] : user_segments) {
    std::set<std::string_view> values(us.elements.begin(), us.elements.end());
    const std::pair<const std::string, uint32_t>* top = nullptr;
    for (const auto& entry : us.counts) {
      if (top == nullptr || entry.second > top->second) top = &entry;  // ascending: ties keep the smallest
    }
    if (top != nullptr) values.insert(top->first);
    for (std::string_view v : values) members[{segment_keys[user_key.second], std::string(v)}].push_back(user_key.first);
  }
  std::vector<uint32_t> counts(hints->items.size(), 0);
  std::vector<uint32_t> touched;
  const size_t min_users = std::max<uint32_t>(options.min_segment_users, 1);
  for (const auto& [kv, users] : members) {
    if (users.size() < min_users) continue;
    touched.clear();
    for (uint32_t u : users) {
      for (uint32_t i : user_items[u]) {
        if (counts[i]++ == 0) touched.push_back(i);
      }
    }
    SegmentList s{kv.first, kv.second, static_cast<uint32_t>(users.size()), {}};
    for (uint32_t i : touched) {
      s.items.push_back({i, counts[i]});
      counts[i] = 0;
    }
    internal::SortSegmentItems(hints->items, s.items);
    if (s.items.size() > options.segment_list_size) s.items.resize(options.segment_list_size);
    hints->segments.push_back(std::move(s));
  }
}

namespace {

// Distinct (a, b) pairs of 32-bit numbers, sorted.
std::vector<uint64_t> DistinctPairs(std::vector<uint64_t> pairs) {
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  return pairs;
}

uint64_t Pair(uint32_t a, uint32_t b) { return uint64_t{a} << 32 | b; }

// Groups sorted distinct (set, item) pairs into item sets, counting per item
// the sets containing it.
std::vector<std::vector<uint32_t>> SetsOf(const std::vector<uint64_t>& pairs, size_t n_sets,
                                          std::vector<uint32_t>* totals) {
  std::vector<std::vector<uint32_t>> sets(n_sets);
  for (uint64_t p : pairs) {
    const auto item = static_cast<uint32_t>(p);
    sets[p >> 32].push_back(item);
    ++(*totals)[item];
  }
  return sets;
}

void ToCsr(const std::vector<std::vector<internal::CoLink>>& lists, std::vector<uint32_t>* offsets,
           std::vector<ItemLink>* links) {
  offsets->assign(1, 0);
  for (const auto& list : lists) {
    for (const internal::CoLink& l : list) links->push_back({l.item, l.count, l.score});
    offsets->push_back(static_cast<uint32_t>(links->size()));
  }
}

// Distinct users per item among `pairs` (item, user), into counts[item].
void CountUsers(std::vector<uint64_t> pairs, std::vector<HintItem>* items, uint32_t HintItem::*field) {
  for (uint64_t p : DistinctPairs(std::move(pairs))) ++((*items)[p >> 32].*field);
}

}  // namespace

std::optional<Error> HintBuilder::State::CheckOptions() const {
  const double alpha = options.similarity_alpha;
  if (!(alpha >= 0 && alpha <= 1)) {
    return Error{ErrorCode::kWrongArgumentType, "similarity_alpha", "similarity_alpha must be between 0 and 1"};
  }
  if (options.trending_window_ms <= 0) {
    return Error{ErrorCode::kWrongArgumentType, "trending_window_ms", "trending_window_ms must be positive"};
  }
  for (size_t f = 0; f < options.segments.size(); ++f) {
    const std::string path = "segments/" + std::to_string(f);
    if (std::optional<Error> bad = internal::CheckId(options.segments[f].key, path + "/key", "the segment key")) {
      return bad;
    }
    if (options.segments[f].path.empty()) {
      return Error{ErrorCode::kWrongArgumentType, path + "/path", "the segment path is empty"};
    }
  }
  if (options.catalog_version.empty()) return std::nullopt;
  return internal::CheckId(options.catalog_version, "catalog_version", "catalog_version");
}

// Fills the per-item counts, the time span, users and interactions, and
// returns each user's and each basket's distinct items.
void HintBuilder::State::CountEvents(const std::vector<uint32_t>& renumber, Hints* h,
                                     std::vector<std::vector<uint32_t>>* user_items,
                                     std::vector<std::vector<uint32_t>>* basket_items) const {
  h->data_from = h->data_to = events.front().ts;
  for (const RawEvent& e : events) {
    h->data_from = std::min(h->data_from, e.ts);
    h->data_to = std::max(h->data_to, e.ts);
  }
  const int64_t recent_after = SaturatingSub(h->data_to, options.trending_window_ms);
  const int64_t previous_after = SaturatingSub(recent_after, options.trending_window_ms);
  std::vector<uint64_t> user_item, basket_item, recent, previous;
  user_item.reserve(events.size());
  basket_item.reserve(events.size());
  for (const RawEvent& e : events) {
    const uint32_t item = renumber[e.item];
    user_item.push_back(Pair(e.user, item));
    basket_item.push_back(Pair(e.basket, item));
    if (e.ts > recent_after) {
      recent.push_back(Pair(item, e.user));
    } else if (e.ts > previous_after) {
      previous.push_back(Pair(item, e.user));
    }
  }
  user_item = DistinctPairs(std::move(user_item));
  std::vector<uint32_t> buyers(h->items.size(), 0), in_baskets(h->items.size(), 0);
  *user_items = SetsOf(user_item, users.size(), &buyers);
  *basket_items = SetsOf(DistinctPairs(std::move(basket_item)), baskets.size(), &in_baskets);
  for (size_t i = 0; i < h->items.size(); ++i) {
    h->items[i].buyers = buyers[i];
    h->items[i].baskets = in_baskets[i];
  }
  CountUsers(std::move(recent), &h->items, &HintItem::recent);
  CountUsers(std::move(previous), &h->items, &HintItem::previous);
  h->users = static_cast<uint32_t>(users.size());
  h->interactions = user_item.size();
}

Result<Hints> HintBuilder::State::Build(std::vector<Error>* out_warnings) const {
  std::vector<Error> ignored;
  std::vector<Error>& warns = out_warnings != nullptr ? *out_warnings : ignored;
  warns.insert(warns.end(), warnings.begin(), warnings.end());
  if (warnings_dropped > 0) {
    warns.push_back(Error{ErrorCode::kTooLarge, "",
                          std::to_string(warnings_dropped) + " more warnings were not kept (the first " +
                              std::to_string(kMaxWarnings) + " are listed)",
                          Severity::kWarning});
  }
  if (std::optional<Error> bad = CheckOptions()) return *bad;
  if (events.empty()) return Error{ErrorCode::kWrongArgumentType, "", "the event log has no item events"};

  Hints h;
  std::vector<uint32_t> renumber;
  h.items = ItemTable(&renumber, &warns);
  std::vector<std::vector<uint32_t>> user_items, basket_items;
  CountEvents(renumber, &h, &user_items, &basket_items);
  h.similarity_alpha = options.similarity_alpha;
  h.trending_window_ms = options.trending_window_ms;
  h.built_at = options.built_at;
  h.catalog_version = options.catalog_version.empty() ? Fingerprint(h.items) : options.catalog_version;
  std::vector<uint32_t> buyers, in_baskets;
  for (const HintItem& item : h.items) {
    buyers.push_back(item.buyers);
    in_baskets.push_back(item.baskets);
  }
  ToCsr(internal::TopCooccurring(user_items, h.items.size(), buyers, options.neighbours_per_item,
                                 std::max<uint32_t>(options.min_co_users, 1), options.similarity_alpha),
        &h.neighbour_offsets, &h.neighbours);
  ToCsr(internal::TopCooccurring(basket_items, h.items.size(), in_baskets, options.together_per_item,
                                 std::max<uint32_t>(options.min_together_baskets, 1), 0.5),
        &h.together_offsets, &h.together);
  AddSegments(user_items, &h);
  internal::DeriveRankings(&h, options.trending_size);
  return h;
}

HintBuilder::HintBuilder(HintBuildOptions options) : s_(std::make_unique<State>(std::move(options))) {}
HintBuilder::~HintBuilder() = default;

void HintBuilder::AddEventLine(std::string_view line, size_t line_no) { s_->AddEventLine(line, line_no); }

void HintBuilder::AddInteraction(std::string_view user, std::string_view item, int64_t ts, std::string_view basket,
                                 std::span<const std::pair<std::string, std::string>> segments) {
  s_->AddInteraction(user, item, ts, basket, segments);
}

void HintBuilder::AddItemLine(std::string_view line, size_t line_no) { s_->AddItemLine(line, line_no); }

void HintBuilder::AddItemsCsv(std::string_view csv_text) { s_->AddItemsCsv(csv_text); }

void HintBuilder::AddItem(HintItem item) { s_->AddItem(std::move(item), LinePath("item ", ++s_->direct_items)); }

size_t HintBuilder::events_used() const { return s_->events_used; }

size_t HintBuilder::lines_skipped() const { return s_->lines_skipped; }

size_t HintBuilder::lines_unusable() const { return s_->lines_unusable; }

Result<Hints> HintBuilder::Build(std::vector<Error>* warnings) { return s_->Build(warnings); }

}  // namespace tagwise
