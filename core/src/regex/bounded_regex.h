// Linear-time regular expressions for MongoDB-style `$regex` conditions
// (GrowthBook compatibility). GrowthBook runs `new RegExp(pattern, flags)
// .test(value)` in the page, and a backtracking engine takes exponential time
// on patterns like (a+)+$; rules are written by operators, not vetted
// engineers, so one bad rule must not hang every visitor's page. This engine
// gives the same answers as JavaScript for the subset below and never
// backtracks: Search is O(len(subject) * program size) time and O(program
// size) memory, with no recursion proportional to the subject.
//
// Semantics are JavaScript RegExp WITHOUT the `u` flag, including its Annex B
// leniencies: pattern and subject are matched as UTF-16 code units (so `.`
// matches one half of an emoji's surrogate pair, as in the browser). UTF-8
// text is converted first; an invalid byte becomes U+FFFD.
//
// Supported: literals; `.` (any code unit except \n \r \u2028 \u2029);
// \d \D \w \W \s \S (JS whitespace, incl. \u00a0 \ufeff and Unicode Zs);
// \b \B; \n \r \t \f \v \0, \xHH, \uHHHH, \cX, legacy octal (\012) and
// identity escapes (\. \- \z); classes [...] with ranges, negation and class
// escapes; ^ and $ (whole subject: there is no multiline flag); groups (...),
// (?:...) and (?<name>...) (captures are not reported, so all three are
// plain groups); | ; * + ? {n} {n,} {n,m} and their lazy forms (laziness
// does not change whether a match exists). Annex B: a `{` that does not
// start a valid quantifier, and a lone `]` or `}`, are literals.
//
// The `i` flag uses JavaScript's non-unicode Canonicalize (toUpperCase when
// that gives one code unit, never mapping non-ASCII to ASCII) over the whole
// BMP, from a table derived from Node 20 (Unicode 17); see bounded_regex.cpp.
// A browser on an older Unicode version may differ for recently added letters.
//
// Rejected at compile time (kInvalidRule, message names the 0-based
// character position): backreferences \1..\9 and \k<name> (they need
// backtracking); lookahead and lookbehind (?= (?! (?<= (?<!; \p{...} \P{...}
// and \u{...}, which without the `u` flag JavaScript silently reads as the
// letters p/P/u (almost never what the author meant); and every syntax
// error JavaScript reports. Limits are kTooLarge / kTooDeep (Options).
#ifndef TAGWISE_CORE_SRC_REGEX_BOUNDED_REGEX_H_
#define TAGWISE_CORE_SRC_REGEX_BOUNDED_REGEX_H_

#include <cstddef>
#include <memory>
#include <string_view>
#include <utility>

#include "tagwise/error.h"

namespace tagwise {

namespace regex_internal {
struct Program;
}  // namespace regex_internal

// A compiled pattern. Immutable after Compile and cheap to copy (copies share
// the compiled program), so it can live in an immutable plan. Search is
// const and thread-safe: each call keeps its own thread lists.
class BoundedRegex {
 public:
  struct Options {
    // JavaScript's "i" flag.
    bool ignore_case = false;
    // Longest pattern accepted, in UTF-8 bytes (kTooLarge beyond): rules are
    // short, and this caps parse time and memory.
    size_t max_pattern_bytes = 1024;
    // Most instructions after expanding counted repeats ({n,m} copies its
    // operand), kTooLarge beyond. Search time is proportional to it.
    size_t max_program_size = 20000;
    // Deepest nesting of groups (kTooDeep beyond). The parser recurses once
    // per level; in wasm the stack is small.
    size_t max_nesting = 200;
  };

  // Matches nothing; only Compile makes a useful BoundedRegex.
  BoundedRegex() = default;

  // Errors have path "" (the caller knows where the pattern came from).
  [[nodiscard]] static Result<BoundedRegex> Compile(std::string_view pattern_utf8, const Options& options);
  [[nodiscard]] static Result<BoundedRegex> Compile(std::string_view pattern_utf8);

  // JavaScript `new RegExp(pattern, flags).test(subject)`: an unanchored
  // search, true when some substring matches.
  bool Search(std::string_view subject_utf8) const;

  // Search with a work budget. Each subject position costs 1 plus the threads
  // alive there (up to program_size()), subtracted from *budget; when that
  // goes below zero the search stops and returns false with *budget < 0. A
  // counted repeat times a long subject (x{0,9000}y over 200,000 characters:
  // 29 s) then ends at the caller's step limit instead.
  bool Search(std::string_view subject_utf8, int64_t* budget) const;

  // Number of compiled instructions (0 for a default-constructed one).
  size_t program_size() const;

 private:
  explicit BoundedRegex(std::shared_ptr<const regex_internal::Program> program) : program_(std::move(program)) {}

  std::shared_ptr<const regex_internal::Program> program_;
};

}  // namespace tagwise

#endif  // TAGWISE_CORE_SRC_REGEX_BOUNDED_REGEX_H_
