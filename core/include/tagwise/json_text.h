// Reading JSON text: the one reader for every JSON text tagwise takes in
// (rules, catalogs, profiles, events, options from JS, hint files' event
// lines), natively and in wasm.
//
// Input rules for every JSON text: at most kMaxNesting
// levels of arrays/objects, because copying or printing a deeper value
// recurses and in wasm every level uses the host's small native stack; and
// JSON.stringify's escaped lone surrogates become U+FFFD instead of failing.
#ifndef TAGWISE_JSON_TEXT_H_
#define TAGWISE_JSON_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tagwise/error.h"

namespace tagwise {

// Deepest nesting of arrays/objects accepted by default in a JSON input
// (records, catalogs, profiles; rule text and hint file lines pass a smaller
// `max_nesting`). Parsing is iterative, but some operations on
// values (deep copies, JS ToString of nested arrays) recurse, and in wasm every
// level uses the host's native stack (~1 MB in V8): 7,000 levels of a
// copied value already overflow it. 1,000 leaves a wide margin.
inline constexpr int kMaxNesting = 1000;
// Deepest nesting of a rule's or a catalog's JSON text read natively
// (CompileRuleText, Catalog::LoadText); compiling then applies
// CompileOptions::max_depth.
inline constexpr int kMaxRuleTextNesting = 512;

// True when `text` nests arrays/objects deeper than `limit`: a linear scan
// that skips string contents and stops at the first level past the limit, so
// a too-deep input is refused before anything recursive touches it.
bool NestsDeeperThan(std::string_view text, int limit);

// What ParseJson does when memory runs out while parsing: let std::bad_alloc
// propagate (kThrow), or return a kTooLarge error naming `what` (kReport).
enum class OnBadAlloc { kThrow, kReport };

// Parses JSON text with nlohmann::json (exact error positions). `what` names
// the input in messages ("The <what> is not valid JSON at byte N.").
// `wrapper_levels` are levels the JS side added around the caller's values (a
// batch array) and do not count against `max_nesting`.
Result<nlohmann::json> ParseJson(std::string_view text, std::string_view what, int wrapper_levels = 0,
                                 OnBadAlloc on_bad_alloc = OnBadAlloc::kThrow, int max_nesting = kMaxNesting);

// FastParser: JSON text -> nlohmann::json for the texts the JS side sends
// (JSON.stringify output, UTF-8 from TextEncoder). About 3x faster than
// nlohmann's lexer in wasm (which copies every byte into a token buffer) and
// able to read a batch one record at a time, so a batch never holds every
// record's DOM at once. Iterative: nesting is bounded by `max_depth`, never by
// the stack. Escaped lone surrogates become U+FFFD. It reports only
// "invalid", with no position: callers re-parse with nlohmann::json (ParseJson)
// for the exact error. Numbers get the same types and values as nlohmann
// gives (non-negative integers unsigned, negative signed, others double).
class FastParser {
 public:
  enum class Status { kOk, kTooDeep, kInvalid };

  explicit FastParser(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  // Skips whitespace; consumes `c` if it is next.
  bool Consume(char c) {
    SkipWs();
    if (p_ < end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }

  // Skips whitespace; true at the end of the text.
  bool AtEnd() {
    SkipWs();
    return p_ == end_;
  }

  // Parses one value at the current position into *out. Arrays/objects may
  // nest at most `max_depth` levels.
  Status ParseValue(nlohmann::json* out, int max_depth);

  // Skips whitespace; true if `c` is next (not consumed).
  bool Peek(char c) {
    SkipWs();
    return p_ < end_ && *p_ == c;
  }

  // At an object's key (after whitespace): reads "key" and the colon after
  // it, for callers that walk an object themselves (ReadProfileText).
  bool ReadKey(std::string* key) {
    if (!Consume('"') || !ReadString(key)) return false;
    return Consume(':');
  }

 private:
  void SkipWs() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool ParseScalar(nlohmann::json* target);
  Status ParseContainer(nlohmann::json* out, int max_depth);
  bool ReadKeyAndPrepare(nlohmann::json** target);
  bool ReadHex4(unsigned* out);
  bool ReadString(std::string* s);
  bool ReadNumber(nlohmann::json* target);
  bool Slow(const char* start, nlohmann::json* target);

  const char* p_;
  const char* end_;
  std::vector<nlohmann::json*> stack_;
};

// Parses one JSON value with FastParser; on anything it does not accept,
// ParseJson (nlohmann) gives the exact error or the value. `on_bad_alloc`
// applies to that fallback.
Result<nlohmann::json> ParseFast(std::string_view text, std::string_view what, int wrapper_levels = 0,
                                 OnBadAlloc on_bad_alloc = OnBadAlloc::kThrow, int max_nesting = kMaxNesting);

// Streams a JSON array text: parses one element at a time (each at most
// kMaxNesting deep) into one reused value and calls each(json&) on it (it
// may take the value's parts: the next element is parsed over it),
// so a batch never holds every element's DOM at once. Returns kOk when the
// whole text was one array; kTooDeep at the first element nested too deep
// (`each` has seen the elements before it); kInvalid for anything FastParser
// does not read (callers then re-parse the whole text with ParseJson).
template <typename F>
FastParser::Status ForEachArrayElement(std::string_view text, F&& each) {
  FastParser parser(text);
  nlohmann::json element;
  bool ok = parser.Consume('[');
  if (ok && !parser.Consume(']')) {
    do {
      const FastParser::Status st = parser.ParseValue(&element, kMaxNesting);
      if (st == FastParser::Status::kTooDeep) return st;
      if (st != FastParser::Status::kOk) {
        ok = false;
        break;
      }
      each(element);
    } while (parser.Consume(','));
    ok = ok && parser.Consume(']');
  }
  ok = ok && parser.AtEnd();
  return ok ? FastParser::Status::kOk : FastParser::Status::kInvalid;
}

}  // namespace tagwise

#endif  // TAGWISE_JSON_TEXT_H_
