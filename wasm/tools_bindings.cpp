// The Node CLI's wasm module (js/dist/tagwise_tools.*): the hint builder
// behind `tagwise hints`, the offline evaluation behind `tagwise eval`, and
// the core's ISO 8601 parser for every date the CLI reads (--as-of,
// --built-at, event times in JSON Lines and CSV).
// Kept out of the page module (tagwise_wasm) so shop pages never download
// them. Conversion only; the work is core/src/offline/hint_builder.cpp and
// core/src/offline_eval*.cpp.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "results.h"
#include "tagwise/answer.h"
#include "tagwise/json_text.h"
#include "tagwise/error.h"
#include "tagwise/hints.h"
#include "tagwise/offline_eval.h"
#include "tagwise/rule.h"

namespace tagwise::wasm {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------- hint builder (CLI)

Result<HintBuildOptions> ReadBuildOptions(const json& o) {
  HintBuildOptions opt;
  if (!o.is_object()) return OptionError("", "Expected an options object.");
  const auto count = [](const json& v, const std::string& path, size_t* out) -> std::optional<Error> {
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 100000)
      return OptionError(path, "Expected a whole number from 0 to 100000.");
    *out = v.get<size_t>();
    return std::nullopt;
  };
  for (const auto& [key, v] : o.items()) {
    const std::string path = JoinPointer("", key);
    std::optional<Error> err;
    size_t n = 0;
    if (key == "types") {
      Result<std::vector<std::string>> t = StringList(v, path);
      if (!t.ok()) return t.error();
      opt.item_event_types = std::move(t).value();
    } else if (key == "segments") {
      if (!v.is_object()) return OptionError(path, "Expected {key: \"path.in.event\"}.");
      for (const auto& [name, p] : v.items()) {
        if (!p.is_string()) return OptionError(JoinPointer(path, name), "Expected a dotted path such as props.country.");
        opt.segments.push_back({name, p.get<std::string>()});
      }
    } else if (key == "catalogVersion") {
      if (!v.is_string()) return OptionError(path, "Expected a string.");
      opt.catalog_version = v.get<std::string>();
    } else if (key == "builtAt") {
      if (!v.is_number()) return OptionError(path, "Expected milliseconds since 1970.");
      opt.built_at = v.get<int64_t>();
    } else if (key == "alpha") {
      if (!v.is_number() || !(v.get<double>() >= 0 && v.get<double>() <= 1))
        return OptionError(path, "alpha is a number from 0 to 1 (0.5 = cosine).");
      opt.similarity_alpha = v.get<double>();
    } else if (key == "neighbours") {
      err = count(v, path, &opt.neighbours_per_item);
    } else if (key == "together") {
      err = count(v, path, &opt.together_per_item);
    } else if (key == "trendingDays") {
      if (!v.is_number() || !(v.get<double>() > 0 && v.get<double>() <= 3650))
        return OptionError(path, "trendingDays is a number of days from 1 to 3650.");
      opt.trending_window_ms = static_cast<int64_t>(v.get<double>() * 86'400'000);
    } else if (key == "minSegmentUsers") {
      err = count(v, path, &n);
      opt.min_segment_users = static_cast<uint32_t>(n);
    } else {
      return OptionError(path, "Unknown option.");
    }
    if (err) return *err;
  }
  return opt;
}

// `tagwise hints`: the JS side streams the log in chunks of whole lines.
class HintBuilderHandle {
 public:
  // {"ok"} or {"ok": false, "errors"}; must be called first.
  std::string Configure(const std::string& options_json) {
    return Guard([&] {
      Result<json> parsed = ParseJson(options_json, "hint options");
      if (!parsed.ok()) return FailureText({parsed.error()});
      Result<HintBuildOptions> opt = ReadBuildOptions(parsed.value());
      if (!opt.ok()) return FailureText({opt.error()});
      builder_ = std::make_unique<HintBuilder>(std::move(opt).value());
      return Dump({{"ok", true}});
    });
  }

  // Lines of the event log; `first_line` numbers the first one (1-based).
  void AddEvents(uintptr_t ptr, size_t len, double first_line) {
    if (!builder_) return;
    std::string_view text = View(ptr, len);
    size_t line_no = static_cast<size_t>(first_line);
    while (!text.empty()) {
      size_t end = text.find('\n');
      std::string_view line = text.substr(0, end);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      builder_->AddEventLine(line, line_no++);
      if (end == std::string_view::npos) break;
      text.remove_prefix(end + 1);
    }
  }

  void AddItems(uintptr_t ptr, size_t len, bool csv) {
    if (!builder_) return;
    std::string_view text = View(ptr, len);
    if (csv) {
      builder_->AddItemsCsv(text);
      return;
    }
    size_t line_no = 1;
    while (!text.empty()) {
      size_t end = text.find('\n');
      builder_->AddItemLine(text.substr(0, end), line_no++);
      if (end == std::string_view::npos) break;
      text.remove_prefix(end + 1);
    }
  }

  // {"ok", "info", "eventsUsed", "linesSkipped", "warnings", "bytes"} and keeps
  // the file for bytes() / json().
  std::string Build() {
    return Guard([&] {
      if (!builder_) return FailureText(ErrorCode::kWrongArgumentType, "", "configure() was not called.");
      std::vector<Error> warnings;
      Result<Hints> h = builder_->Build(&warnings);
      if (!h.ok()) return FailureText({h.error()}, warnings);
      bytes_ = EncodeHints(h.value());
      hints_ = std::move(h).value();
      return Dump({{"ok", true},
                   {"info", HintsInfoJson(*hints_)},
                   {"eventsUsed", builder_->events_used()},
                   {"linesSkipped", builder_->lines_skipped()},
                   {"linesUnusable", builder_->lines_unusable()},
                   {"bytes", bytes_.size()},
                   {"warnings", ProblemsJson(warnings)}});
    });
  }

  // A view of the built file; the JS side copies it before the next call.
  emscripten::val Bytes() const {
    return emscripten::val(emscripten::typed_memory_view(bytes_.size(), reinterpret_cast<const uint8_t*>(bytes_.data())));
  }

  std::string JsonText() const {
    return Guard([&] { return hints_ ? Dump(ojson(HintsToJson(*hints_))) : std::string("null"); });
  }

 private:
  std::unique_ptr<HintBuilder> builder_;
  std::optional<Hints> hints_;
  std::string bytes_;
};

// ---------------------------------------------------------------- offline evaluation (CLI)

std::string RunEval(uintptr_t raw, size_t raw_len, uintptr_t inter, size_t inter_len, uintptr_t p1, size_t p1_len,
                    uintptr_t p2, size_t p2_len, const std::string& options_json) {
  return Guard([&] {
    Result<json> parsed = ParseJson(options_json, "eval options");
    if (!parsed.ok()) return FailureText({parsed.error()});
    const json& o = parsed.value();
    OfflineEvalOptions opt;
    opt.validation = o.value("validation", false);
    opt.p1_sim = o.value("sim", true);
    opt.baselines = o.value("baselines", true);
    opt.tagwise = o.value("tagwise", true);
    OfflineEvalInputs in{View(raw, raw_len), View(inter, inter_len), View(p1, p1_len), View(p2, p2_len)};
    Result<OfflineEvalReport> r = RunOfflineEval(in, opt);
    if (!r.ok()) return FailureText({r.error()});
    return Dump({{"ok", true},
                 {"report", ojson(OfflineEvalReportToJson(r.value()))},
                 {"table", FormatOfflineEvalTable(r.value())}});
  });
}

// ---------------------------------------------------------------- ISO 8601 dates (CLI)

// ms since 1970 of an ISO 8601 date or date-time (ParseIsoDate: no zone =
// UTC), or NaN when the text is not one. The CLI caches answers per
// distinct text, so a log repeating the same times crosses once per time.
double ParseIsoDateMs(const std::string& text) {
  std::optional<int64_t> ms = ParseIsoDate(text);
  return ms ? static_cast<double>(*ms) : std::nan("");
}

}  // namespace

EMSCRIPTEN_BINDINGS(tagwise_tools) {
  emscripten::class_<HintBuilderHandle>("HintBuilder")
      .constructor<>()
      .function("configure", &HintBuilderHandle::Configure)
      .function("addEvents", &HintBuilderHandle::AddEvents)
      .function("addItems", &HintBuilderHandle::AddItems)
      .function("build", &HintBuilderHandle::Build)
      .function("bytes", &HintBuilderHandle::Bytes)
      .function("json", &HintBuilderHandle::JsonText);
  emscripten::function("runOfflineEval", &RunEval);
  emscripten::function("parseIsoDate", &ParseIsoDateMs);
}

}  // namespace tagwise::wasm
