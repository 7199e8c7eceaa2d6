// tagwise_hints: builds the recommendation hints file (core/include/tagwise/hints.h)
// from a JSON Lines event log and an optional item catalogue.
//
//   tagwise_hints --events log.jsonl --out hints.twh [--items items.csv] ...
//
// The log is streamed line by line, so its size is bounded by the builder's
// compact per-event records, not by the text. Exit status: 0 built, 1 the
// input could not be used (missing file, no usable events, write failure),
// 2 bad command line.
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tagwise/error.h"
#include "tagwise/hints.h"

namespace {

constexpr size_t kWarningsShown = 20;
constexpr int kExitInput = 1;
constexpr int kExitUsage = 2;

constexpr const char* kUsage = R"(usage: tagwise_hints --events FILE.jsonl --out FILE.twh [options]

Builds the recommendation hints file from an event log (JSON Lines, one event
per line: {"user_id", "type", "ts", "props": {"item", "order"?}}).

options:
  --events FILE          the event log (required)
  --out FILE             the binary hints file to write (required)
  --json FILE            also write the debugging JSON form
  --items FILE           item catalogue: .csv (header item_id,description,category,
                         price,available; RFC 4180 quoting) or JSON Lines
                         {"item", "name", "category", "price", "available"}
  --segment KEY=PATH     a segment field, PATH dotted into the event line
                         (props.country, tags); repeatable
  --types A,B,...        counted event types (default view,cart_add,purchase)
  --catalog-version V    catalogue version (default: fingerprint of the item ids)
  --neighbours K         neighbours per item (default 50)
  --together K           bought-together items per item (default 20)
  --alpha A              similarity alpha in [0, 1] (default 0.5)
  --trending-days D      trending window in days (default 14)
  --built-at MS          build time in ms since 1970 (default: now)
  --help                 this text
)";

struct Args {
  std::string events;
  std::string out;
  std::string json;
  std::string items;
  tagwise::HintBuildOptions options;
};

std::vector<std::string> SplitCommas(std::string_view s) {
  std::vector<std::string> out;
  while (true) {
    const size_t comma = s.find(',');
    if (!s.substr(0, comma).empty()) out.emplace_back(s.substr(0, comma));
    if (comma == std::string_view::npos) return out;
    s.remove_prefix(comma + 1);
  }
}

template <typename T>
std::optional<T> ParseInt(std::string_view s) {
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> ParseDouble(const std::string& s) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Applies one option with its value; false (after a message) when the value is unusable.
bool Apply(const std::string& name, const std::string& value, Args* a) {
  const auto bad = [&](const char* what) {
    std::cerr << "tagwise_hints: " << name << " " << value << ": " << what << "\n";
    return false;
  };
  tagwise::HintBuildOptions& o = a->options;
  if (name == "--events") {
    a->events = value;
  } else if (name == "--out") {
    a->out = value;
  } else if (name == "--json") {
    a->json = value;
  } else if (name == "--items") {
    a->items = value;
  } else if (name == "--segment") {
    const size_t eq = value.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == value.size()) return bad("expected KEY=PATH");
    o.segments.push_back({value.substr(0, eq), value.substr(eq + 1)});
  } else if (name == "--types") {
    o.item_event_types = SplitCommas(value);
    if (o.item_event_types.empty()) return bad("expected a comma-separated list of event types");
  } else if (name == "--catalog-version") {
    o.catalog_version = value;
  } else if (name == "--neighbours" || name == "--together") {
    std::optional<size_t> k = ParseInt<size_t>(value);
    if (!k) return bad("expected a whole number");
    (name == "--neighbours" ? o.neighbours_per_item : o.together_per_item) = *k;
  } else if (name == "--alpha") {
    std::optional<double> alpha = ParseDouble(value);
    if (!alpha || *alpha < 0 || *alpha > 1) return bad("expected a number between 0 and 1");
    o.similarity_alpha = *alpha;
  } else if (name == "--trending-days") {
    std::optional<double> days = ParseDouble(value);
    if (!days || *days <= 0 || *days > 100'000) return bad("expected a positive number of days");
    o.trending_window_ms = std::llround(*days * 86'400'000);
  } else if (name == "--built-at") {
    std::optional<int64_t> ms = ParseInt<int64_t>(value);
    if (!ms) return bad("expected milliseconds since 1970");
    o.built_at = *ms;
  } else {
    std::cerr << "tagwise_hints: unknown option " << name << " (see --help)\n";
    return false;
  }
  return true;
}

// Parses the command line; nullopt after printing a message (or the help).
std::optional<Args> ParseArgs(int argc, char** argv, bool* help) {
  Args a;
  a.options.built_at =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (int i = 1; i < argc; ++i) {
    std::string name = argv[i];
    if (name == "--help" || name == "-h") {
      *help = true;
      return std::nullopt;
    }
    std::string value;
    if (const size_t eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      std::cerr << "tagwise_hints: " << name << " needs a value (see --help)\n";
      return std::nullopt;
    }
    if (!Apply(name, value, &a)) return std::nullopt;
  }
  if (a.events.empty() || a.out.empty()) {
    std::cerr << "tagwise_hints: --events and --out are required (see --help)\n";
    return std::nullopt;
  }
  return a;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool ReadItems(const std::string& path, tagwise::HintBuilder* builder) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "tagwise_hints: cannot open the catalogue " << path << "\n";
    return false;
  }
  if (EndsWith(path, ".csv")) {
    std::stringstream text;
    text << in.rdbuf();
    builder->AddItemsCsv(text.str());
    return true;
  }
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) builder->AddItemLine(line, n);
  return true;
}

bool WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::cerr << "tagwise_hints: cannot write " << path << "\n";
    return false;
  }
  return true;
}

void PrintWarnings(const std::vector<tagwise::Error>& warnings) {
  for (size_t i = 0; i < warnings.size() && i < kWarningsShown; ++i) {
    const tagwise::Error& w = warnings[i];
    std::cerr << "warning " << tagwise::ErrorCodeName(w.code) << (w.path.empty() ? "" : " at " + w.path) << ": "
              << w.message << "\n";
  }
  if (warnings.size() > kWarningsShown) {
    std::cerr << "... and " << warnings.size() - kWarningsShown << " more warnings\n";
  }
}

int Run(const Args& a) {
  tagwise::HintBuilder builder(a.options);
  if (!a.items.empty() && !ReadItems(a.items, &builder)) return kExitInput;
  std::ifstream events(a.events, std::ios::binary);
  if (!events) {
    std::cerr << "tagwise_hints: cannot open the event log " << a.events << "\n";
    return kExitInput;
  }
  std::string line;
  size_t lines = 0;
  while (std::getline(events, line)) builder.AddEventLine(line, ++lines);

  std::vector<tagwise::Error> warnings;
  tagwise::Result<tagwise::Hints> hints = builder.Build(&warnings);
  PrintWarnings(warnings);
  if (!hints.ok()) {
    std::cerr << "tagwise_hints: error: " << hints.error().message << " (" << a.events << ", " << lines
              << " lines, " << builder.lines_skipped() << " skipped)\n";
    return kExitInput;
  }
  const tagwise::Hints& h = hints.value();
  const std::string bytes = tagwise::EncodeHints(h);
  if (!WriteFile(a.out, bytes)) return kExitInput;
  if (!a.json.empty() &&
      !WriteFile(a.json, tagwise::HintsToJson(h).dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n")) {
    return kExitInput;
  }
  std::cout << "events used:   " << builder.events_used() << "\n"
            << "lines skipped: " << builder.lines_skipped() << " (" << warnings.size() << " warnings)\n"
            << "users:         " << h.users << "\n"
            << "items:         " << h.items.size() << "\n"
            << "interactions:  " << h.interactions << "\n"
            << "links:         " << h.neighbours.size() << " neighbours, " << h.together.size() << " together\n"
            << "segments:      " << h.segments.size() << "\n"
            << "catalogue:     " << h.catalog_version << "\n"
            << "wrote:         " << a.out << " (" << bytes.size() << " bytes)\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool help = false;
  std::optional<Args> args = ParseArgs(argc, argv, &help);
  if (help) {
    std::cout << kUsage;
    return 0;
  }
  if (!args) return kExitUsage;
  return Run(*args);
}
