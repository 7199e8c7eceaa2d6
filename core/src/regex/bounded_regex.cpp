#include "regex/bounded_regex.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tagwise/utf8.h"

namespace tagwise {
namespace regex_internal {

// Instructions of a Thompson NFA (Pike VM without captures: test() only needs
// to know whether some thread reaches kMatch).
enum class Op : uint8_t {
  kUnit,             // consume the code unit `x`
  kClass,            // consume a code unit in sets[x]
  kSplit,            // continue at both `x` and `y`
  kJmp,              // continue at `x`
  kBol,              // position 0 (^ without the multiline flag)
  kEol,              // end of subject ($)
  kWordBoundary,     // \b
  kNotWordBoundary,  // \B
  kMatch,
};

struct Inst {
  Op op = Op::kMatch;
  uint32_t x = 0;
  uint32_t y = 0;
};

// Inclusive range of UTF-16 code units.
struct Range {
  char16_t lo = 0;
  char16_t hi = 0;
};

// Sorted, disjoint and non-adjacent ranges (see Normalize).
using CharSet = std::vector<Range>;

struct Program {
  std::vector<Inst> insts;
  std::vector<CharSet> sets;
  // Every path starts with ^, so a match can only start at position 0.
  bool anchored = false;
};

}  // namespace regex_internal

namespace {

using regex_internal::CharSet;
using regex_internal::Inst;
using regex_internal::Op;
using regex_internal::Program;
using regex_internal::Range;

// ---------------------------------------------------------------------------
// UTF-8 -> UTF-16 code units

// Reads UTF-8 as the UTF-16 code units a JavaScript string would hold (what
// TextDecoder makes of it): astral characters become surrogate pairs and each
// malformed byte becomes U+FFFD.
class Utf16Reader {
 public:
  explicit Utf16Reader(std::string_view s) : s_(s) {}

  // The next code unit, or -1 at the end.
  int32_t Next() {
    if (pending_ >= 0) {
      const int32_t u = pending_;
      pending_ = -1;
      return u;
    }
    if (i_ >= s_.size()) return -1;
    const uint32_t cp = DecodeUtf8OrReplacement(s_, &i_);
    if (cp < 0x10000) return static_cast<int32_t>(cp);
    pending_ = static_cast<int32_t>(0xDC00 + ((cp - 0x10000) & 0x3FF));
    return static_cast<int32_t>(0xD800 + ((cp - 0x10000) >> 10));
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
  int32_t pending_ = -1;
};

std::u16string ToUtf16(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  Utf16Reader reader(s);
  for (int32_t u = reader.Next(); u >= 0; u = reader.Next()) out.push_back(static_cast<char16_t>(u));
  return out;
}

// ---------------------------------------------------------------------------
// Character sets

CharSet Normalize(CharSet set) {
  std::sort(set.begin(), set.end(), [](const Range& a, const Range& b) { return a.lo < b.lo; });
  CharSet out;
  for (const Range& r : set) {
    if (!out.empty() && static_cast<uint32_t>(r.lo) <= static_cast<uint32_t>(out.back().hi) + 1) {
      out.back().hi = std::max(out.back().hi, r.hi);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

// The complement within [0, 0xFFFF] of a normalized set.
CharSet Negate(const CharSet& set) {
  CharSet out;
  uint32_t next = 0;
  for (const Range& r : set) {
    if (r.lo > next) out.push_back({static_cast<char16_t>(next), static_cast<char16_t>(r.lo - 1)});
    next = static_cast<uint32_t>(r.hi) + 1;
  }
  if (next <= 0xFFFF) out.push_back({static_cast<char16_t>(next), u'\xFFFF'});
  return out;
}

bool Contains(const CharSet& set, uint32_t unit) {
  // Binary search for the first range ending at or after `unit`.
  auto it = std::lower_bound(set.begin(), set.end(), unit,
                             [](const Range& r, uint32_t u) { return static_cast<uint32_t>(r.hi) < u; });
  return it != set.end() && static_cast<uint32_t>(it->lo) <= unit;
}

CharSet DigitSet() { return {{u'0', u'9'}}; }
CharSet WordSet() { return {{u'0', u'9'}, {u'A', u'Z'}, {u'_', u'_'}, {u'a', u'z'}}; }
// JavaScript's WhiteSpace and LineTerminator: \t \n \v \f \r, space, NBSP,
// the Unicode Zs characters, LS/PS and the BOM.
CharSet SpaceSet() {
  return {{0x09, 0x0D}, {0x20, 0x20},     {0xA0, 0xA0},     {0x1680, 0x1680}, {0x2000, 0x200A},
          {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};
}
// `.`: everything but the line terminators.
CharSet DotSet() { return Negate({{0x0A, 0x0A}, {0x0D, 0x0D}, {0x2028, 0x2029}}); }

bool IsWordUnit(int32_t u) {
  return (u >= '0' && u <= '9') || (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || u == '_';
}

// ---------------------------------------------------------------------------
// Case folding for the `i` flag

// JavaScript (ES2024 22.2.2.7.3 Canonicalize, non-unicode mode) compares
// code units after mapping each with toUpperCase, keeping the original when
// the result is not one code unit or would map non-ASCII to ASCII. These runs
// list every BMP code unit that the mapping changes, as {first, last, delta,
// stride}: each unit first, first+stride, ... <= last maps to unit + delta.
// Derived from Node 20 (V8 11.3, Unicode 17) with
//   canon = c => { const u = String.fromCharCode(c).toUpperCase();
//                  return u.length !== 1 || (c >= 128 && u.charCodeAt(0) < 128) ? c : u.charCodeAt(0); }
// over 0..0xFFFF, grouping consecutive changes with equal delta. Every target
// maps to itself. Surrogates never change, so astral letters (e.g. Deseret)
// are case-sensitive here, exactly as in JavaScript without the `u` flag.
struct CaseRun {
  uint16_t first;
  uint16_t last;
  int32_t delta;
  uint16_t stride;
};

constexpr CaseRun kCaseRuns[] = {
    {0x0061, 0x007A, -32, 1}, {0x00B5, 0x00B5, 743, 1}, {0x00E0, 0x00F6, -32, 1}, {0x00F8, 0x00FE, -32, 1},
    {0x00FF, 0x00FF, 121, 1}, {0x0101, 0x012F, -1, 2}, {0x0133, 0x0137, -1, 2}, {0x013A, 0x0148, -1, 2},
    {0x014B, 0x0177, -1, 2}, {0x017A, 0x017E, -1, 2}, {0x0180, 0x0180, 195, 1}, {0x0183, 0x0185, -1, 2},
    {0x0188, 0x0188, -1, 1}, {0x018C, 0x018C, -1, 1}, {0x0192, 0x0192, -1, 1}, {0x0195, 0x0195, 97, 1},
    {0x0199, 0x0199, -1, 1}, {0x019A, 0x019A, 163, 1}, {0x019B, 0x019B, 42561, 1}, {0x019E, 0x019E, 130, 1},
    {0x01A1, 0x01A5, -1, 2}, {0x01A8, 0x01A8, -1, 1}, {0x01AD, 0x01AD, -1, 1}, {0x01B0, 0x01B0, -1, 1},
    {0x01B4, 0x01B6, -1, 2}, {0x01B9, 0x01B9, -1, 1}, {0x01BD, 0x01BD, -1, 1}, {0x01BF, 0x01BF, 56, 1},
    {0x01C5, 0x01C5, -1, 1}, {0x01C6, 0x01C6, -2, 1}, {0x01C8, 0x01C8, -1, 1}, {0x01C9, 0x01C9, -2, 1},
    {0x01CB, 0x01CB, -1, 1}, {0x01CC, 0x01CC, -2, 1}, {0x01CE, 0x01DC, -1, 2}, {0x01DD, 0x01DD, -79, 1},
    {0x01DF, 0x01EF, -1, 2}, {0x01F2, 0x01F2, -1, 1}, {0x01F3, 0x01F3, -2, 1}, {0x01F5, 0x01F5, -1, 1},
    {0x01F9, 0x021F, -1, 2}, {0x0223, 0x0233, -1, 2}, {0x023C, 0x023C, -1, 1}, {0x023F, 0x0240, 10815, 1},
    {0x0242, 0x0242, -1, 1}, {0x0247, 0x024F, -1, 2}, {0x0250, 0x0250, 10783, 1}, {0x0251, 0x0251, 10780, 1},
    {0x0252, 0x0252, 10782, 1}, {0x0253, 0x0253, -210, 1}, {0x0254, 0x0254, -206, 1}, {0x0256, 0x0257, -205, 1},
    {0x0259, 0x0259, -202, 1}, {0x025B, 0x025B, -203, 1}, {0x025C, 0x025C, 42319, 1}, {0x0260, 0x0260, -205, 1},
    {0x0261, 0x0261, 42315, 1}, {0x0263, 0x0263, -207, 1}, {0x0264, 0x0264, 42343, 1}, {0x0265, 0x0265, 42280, 1},
    {0x0266, 0x0266, 42308, 1}, {0x0268, 0x0268, -209, 1}, {0x0269, 0x0269, -211, 1}, {0x026A, 0x026A, 42308, 1},
    {0x026B, 0x026B, 10743, 1}, {0x026C, 0x026C, 42305, 1}, {0x026F, 0x026F, -211, 1}, {0x0271, 0x0271, 10749, 1},
    {0x0272, 0x0272, -213, 1}, {0x0275, 0x0275, -214, 1}, {0x027D, 0x027D, 10727, 1}, {0x0280, 0x0280, -218, 1},
    {0x0282, 0x0282, 42307, 1}, {0x0283, 0x0283, -218, 1}, {0x0287, 0x0287, 42282, 1}, {0x0288, 0x0288, -218, 1},
    {0x0289, 0x0289, -69, 1}, {0x028A, 0x028B, -217, 1}, {0x028C, 0x028C, -71, 1}, {0x0292, 0x0292, -219, 1},
    {0x029D, 0x029D, 42261, 1}, {0x029E, 0x029E, 42258, 1}, {0x0345, 0x0345, 84, 1}, {0x0371, 0x0373, -1, 2},
    {0x0377, 0x0377, -1, 1}, {0x037B, 0x037D, 130, 1}, {0x03AC, 0x03AC, -38, 1}, {0x03AD, 0x03AF, -37, 1},
    {0x03B1, 0x03C1, -32, 1}, {0x03C2, 0x03C2, -31, 1}, {0x03C3, 0x03CB, -32, 1}, {0x03CC, 0x03CC, -64, 1},
    {0x03CD, 0x03CE, -63, 1}, {0x03D0, 0x03D0, -62, 1}, {0x03D1, 0x03D1, -57, 1}, {0x03D5, 0x03D5, -47, 1},
    {0x03D6, 0x03D6, -54, 1}, {0x03D7, 0x03D7, -8, 1}, {0x03D9, 0x03EF, -1, 2}, {0x03F0, 0x03F0, -86, 1},
    {0x03F1, 0x03F1, -80, 1}, {0x03F2, 0x03F2, 7, 1}, {0x03F3, 0x03F3, -116, 1}, {0x03F5, 0x03F5, -96, 1},
    {0x03F8, 0x03F8, -1, 1}, {0x03FB, 0x03FB, -1, 1}, {0x0430, 0x044F, -32, 1}, {0x0450, 0x045F, -80, 1},
    {0x0461, 0x0481, -1, 2}, {0x048B, 0x04BF, -1, 2}, {0x04C2, 0x04CE, -1, 2}, {0x04CF, 0x04CF, -15, 1},
    {0x04D1, 0x052F, -1, 2}, {0x0561, 0x0586, -48, 1}, {0x10D0, 0x10FA, 3008, 1}, {0x10FD, 0x10FF, 3008, 1},
    {0x13F8, 0x13FD, -8, 1}, {0x1C80, 0x1C80, -6254, 1}, {0x1C81, 0x1C81, -6253, 1}, {0x1C82, 0x1C82, -6244, 1},
    {0x1C83, 0x1C84, -6242, 1}, {0x1C85, 0x1C85, -6243, 1}, {0x1C86, 0x1C86, -6236, 1}, {0x1C87, 0x1C87, -6181, 1},
    {0x1C88, 0x1C88, 35266, 1}, {0x1C8A, 0x1C8A, -1, 1}, {0x1D79, 0x1D79, 35332, 1}, {0x1D7D, 0x1D7D, 3814, 1},
    {0x1D8E, 0x1D8E, 35384, 1}, {0x1E01, 0x1E95, -1, 2}, {0x1E9B, 0x1E9B, -59, 1}, {0x1EA1, 0x1EFF, -1, 2},
    {0x1F00, 0x1F07, 8, 1}, {0x1F10, 0x1F15, 8, 1}, {0x1F20, 0x1F27, 8, 1}, {0x1F30, 0x1F37, 8, 1},
    {0x1F40, 0x1F45, 8, 1}, {0x1F51, 0x1F57, 8, 2}, {0x1F60, 0x1F67, 8, 1}, {0x1F70, 0x1F71, 74, 1},
    {0x1F72, 0x1F75, 86, 1}, {0x1F76, 0x1F77, 100, 1}, {0x1F78, 0x1F79, 128, 1}, {0x1F7A, 0x1F7B, 112, 1},
    {0x1F7C, 0x1F7D, 126, 1}, {0x1FB0, 0x1FB1, 8, 1}, {0x1FBE, 0x1FBE, -7205, 1}, {0x1FD0, 0x1FD1, 8, 1},
    {0x1FE0, 0x1FE1, 8, 1}, {0x1FE5, 0x1FE5, 7, 1}, {0x214E, 0x214E, -28, 1}, {0x2170, 0x217F, -16, 1},
    {0x2184, 0x2184, -1, 1}, {0x24D0, 0x24E9, -26, 1}, {0x2C30, 0x2C5F, -48, 1}, {0x2C61, 0x2C61, -1, 1},
    {0x2C65, 0x2C65, -10795, 1}, {0x2C66, 0x2C66, -10792, 1}, {0x2C68, 0x2C6C, -1, 2}, {0x2C73, 0x2C73, -1, 1},
    {0x2C76, 0x2C76, -1, 1}, {0x2C81, 0x2CE3, -1, 2}, {0x2CEC, 0x2CEE, -1, 2}, {0x2CF3, 0x2CF3, -1, 1},
    {0x2D00, 0x2D25, -7264, 1}, {0x2D27, 0x2D27, -7264, 1}, {0x2D2D, 0x2D2D, -7264, 1}, {0xA641, 0xA66D, -1, 2},
    {0xA681, 0xA69B, -1, 2}, {0xA723, 0xA72F, -1, 2}, {0xA733, 0xA76F, -1, 2}, {0xA77A, 0xA77C, -1, 2},
    {0xA77F, 0xA787, -1, 2}, {0xA78C, 0xA78C, -1, 1}, {0xA791, 0xA793, -1, 2}, {0xA794, 0xA794, 48, 1},
    {0xA797, 0xA7A9, -1, 2}, {0xA7B5, 0xA7C3, -1, 2}, {0xA7C8, 0xA7CA, -1, 2}, {0xA7CD, 0xA7DB, -1, 2},
    {0xA7F6, 0xA7F6, -1, 1}, {0xAB53, 0xAB53, -928, 1}, {0xAB70, 0xABBF, -38864, 1}, {0xFF41, 0xFF5A, -32, 1},
};

// Calls f(unit, canonical) for every unit whose canonical form differs.
template <typename F>
void ForEachCaseMapping(F&& f) {
  for (const CaseRun& run : kCaseRuns) {
    for (uint32_t c = run.first; c <= run.last; c += run.stride) {
      f(c, static_cast<uint32_t>(static_cast<int32_t>(c) + run.delta));
    }
  }
}

// The set of every code unit whose canonical form is the canonical form of
// some member: what JavaScript's CharacterSetMatcher accepts under `i`
// (a unit matches when some member canonicalizes to the same value).
CharSet CaseClose(const CharSet& set) {
  // Canonical forms of the members: the members that are canonical already
  // (all of `set`, harmlessly including ones that are not) plus the targets.
  CharSet canon = set;
  ForEachCaseMapping([&](uint32_t c, uint32_t target) {
    if (Contains(set, c)) canon.push_back({static_cast<char16_t>(target), static_cast<char16_t>(target)});
  });
  canon = Normalize(std::move(canon));
  // Every unit mapping into those canonical forms.
  CharSet out = canon;
  ForEachCaseMapping([&](uint32_t c, uint32_t target) {
    if (Contains(canon, target)) out.push_back({static_cast<char16_t>(c), static_cast<char16_t>(c)});
  });
  return Normalize(std::move(out));
}

// ---------------------------------------------------------------------------
// Parser: pattern code units -> AST

constexpr uint32_t kInfinite = UINT32_MAX;
// Repeat counts saturate here. A count this large exceeds any program-size
// limit anyway, so the exact value never matters.
constexpr uint32_t kCountCap = 1u << 30;

struct Node {
  enum class Kind : uint8_t { kEmpty, kUnit, kSet, kAssert, kConcat, kAlt, kRepeat };
  Kind kind = Kind::kEmpty;
  char16_t unit = 0;          // kUnit
  uint32_t set = 0;           // kSet: index into Parser::sets
  Op assertion = Op::kBol;    // kAssert
  uint32_t min = 0;           // kRepeat
  uint32_t max = 0;           // kRepeat; kInfinite for no upper bound
  std::vector<uint32_t> kids;  // kConcat, kAlt, kRepeat (one kid)
};

// A class atom: one code unit or a class escape such as \d.
struct ClassAtom {
  bool is_set = false;
  char16_t unit = 0;
  CharSet set;
};

bool IsDigit(char16_t c) { return c >= u'0' && c <= u'9'; }
bool IsOctal(char16_t c) { return c >= u'0' && c <= u'7'; }
bool IsAsciiLetter(char16_t c) { return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z'); }
int HexValue(char16_t c) {
  if (c >= u'0' && c <= u'9') return c - u'0';
  if (c >= u'a' && c <= u'f') return c - u'a' + 10;
  if (c >= u'A' && c <= u'F') return c - u'A' + 10;
  return -1;
}

// Recursive descent over the ECMAScript Pattern grammar with the Annex B
// (web compatibility) extensions that apply without the `u` flag. Recursion
// is one frame group per nested group, bounded by Options::max_nesting.
class Parser {
 public:
  Parser(std::u16string_view pattern, const BoundedRegex::Options& options)
      : p_(pattern), options_(options) {
    CountGroups();
  }

  bool Parse(uint32_t* root) {
    if (!ParseDisjunction(0, root)) return false;
    // ParseDisjunction stops only at the end or at a ')' it did not open.
    if (!AtEnd()) return Fail(pos_, "unmatched \")\"");
    return true;
  }

  Error TakeError() { return std::move(error_); }

  std::vector<Node> nodes;
  std::vector<CharSet> sets;

 private:
  bool AtEnd() const { return pos_ >= p_.size(); }
  // True when the unit `ahead` places on is `c` (false past the end).
  bool Is(char16_t c, size_t ahead = 0) const { return pos_ + ahead < p_.size() && p_[pos_ + ahead] == c; }
  bool Has(size_t ahead) const { return pos_ + ahead < p_.size(); }
  char16_t At(size_t ahead) const { return p_[pos_ + ahead]; }

  // Position for messages: characters (code points) before code unit `i`,
  // so an emoji earlier in the pattern counts once.
  size_t CharPosition(size_t i) const {
    size_t n = 0;
    for (size_t k = 0; k < i && k < p_.size(); ++k) {
      const bool low_after_high = k > 0 && p_[k] >= 0xDC00 && p_[k] <= 0xDFFF && p_[k - 1] >= 0xD800 &&
                                  p_[k - 1] <= 0xDBFF;
      if (!low_after_high) ++n;
    }
    return n;
  }

  bool Fail(size_t at, const std::string& what, ErrorCode code = ErrorCode::kInvalidRule) {
    error_ = Error{code, "",
                   "Invalid regular expression at position " + std::to_string(CharPosition(at)) + ": " + what + "."};
    return false;
  }

  // Capturing groups in the whole pattern, counted before parsing because
  // JavaScript decides between a backreference (\2 with two or more groups,
  // even ones opened later) and a legacy octal escape (\2 with fewer) from the
  // total; and whether any group is named, which turns \k into a reference.
  void CountGroups() {
    bool in_class = false;
    for (size_t i = 0; i < p_.size(); ++i) {
      const char16_t c = p_[i];
      if (c == u'\\') {
        ++i;
      } else if (in_class) {
        if (c == u']') in_class = false;
      } else if (c == u'[') {
        in_class = true;
      } else if (c == u'(') {
        if (i + 1 >= p_.size() || p_[i + 1] != u'?') {
          ++groups_;
        } else if (i + 3 < p_.size() && p_[i + 2] == u'<' && p_[i + 3] != u'=' && p_[i + 3] != u'!') {
          ++groups_;
          named_groups_ = true;
        }
      }
    }
  }

  uint32_t Add(Node node) {
    nodes.push_back(std::move(node));
    return static_cast<uint32_t>(nodes.size() - 1);
  }

  uint32_t AddUnit(char16_t unit) {
    if (options_.ignore_case) {
      CharSet folded = CaseClose({{unit, unit}});
      if (folded.size() != 1 || folded[0].lo != folded[0].hi) return AddSet(std::move(folded), false);
    }
    Node n;
    n.kind = Node::Kind::kUnit;
    n.unit = unit;
    return Add(std::move(n));
  }

  // `set` need not be normalized. Under `i` the set is closed over case
  // before negation, as JavaScript's [^...] rejects every case variant.
  uint32_t AddSet(CharSet set, bool negate) {
    set = Normalize(std::move(set));
    if (options_.ignore_case) set = CaseClose(set);
    if (negate) set = Negate(set);
    sets.push_back(std::move(set));
    Node n;
    n.kind = Node::Kind::kSet;
    n.set = static_cast<uint32_t>(sets.size() - 1);
    return Add(std::move(n));
  }

  bool ParseDisjunction(size_t depth, uint32_t* out) {
    std::vector<uint32_t> alternatives(1);
    if (!ParseAlternative(depth, &alternatives[0])) return false;
    while (Is(u'|')) {
      ++pos_;
      alternatives.emplace_back();
      if (!ParseAlternative(depth, &alternatives.back())) return false;
    }
    if (alternatives.size() == 1) {
      *out = alternatives[0];
      return true;
    }
    Node n;
    n.kind = Node::Kind::kAlt;
    n.kids = std::move(alternatives);
    *out = Add(std::move(n));
    return true;
  }

  bool ParseAlternative(size_t depth, uint32_t* out) {
    std::vector<uint32_t> terms;
    while (!AtEnd() && !Is(u'|') && !Is(u')')) {
      if (!ParseTerm(depth, &terms)) return false;
    }
    if (terms.size() == 1) {
      *out = terms[0];
      return true;
    }
    Node n;
    n.kind = terms.empty() ? Node::Kind::kEmpty : Node::Kind::kConcat;
    n.kids = std::move(terms);
    *out = Add(std::move(n));
    return true;
  }

  // {n}, {n,} or {n,m} at `at`: sets *min, *max and *end (one past '}').
  // Anything else is not a quantifier (Annex B: then '{' is a literal).
  bool BraceQuantifier(size_t at, uint32_t* min, uint32_t* max, size_t* end) const {
    size_t i = at + 1;
    const auto digits = [&](uint32_t* value) {
      const size_t start = i;
      uint64_t v = 0;
      while (i < p_.size() && IsDigit(p_[i])) {
        v = std::min<uint64_t>(v * 10 + (p_[i] - u'0'), kCountCap);
        ++i;
      }
      *value = static_cast<uint32_t>(v);
      return i > start;
    };
    if (!digits(min)) return false;
    *max = *min;
    if (i < p_.size() && p_[i] == u',') {
      ++i;
      if (!digits(max)) *max = kInfinite;
    }
    if (i >= p_.size() || p_[i] != u'}') return false;
    *end = i + 1;
    return true;
  }

  bool IsQuantifierHere() const {
    if (AtEnd()) return false;
    const char16_t c = p_[pos_];
    uint32_t lo = 0;
    uint32_t hi = 0;
    size_t end = 0;
    return c == u'*' || c == u'+' || c == u'?' || (c == u'{' && BraceQuantifier(pos_, &lo, &hi, &end));
  }

  bool ParseTerm(size_t depth, std::vector<uint32_t>* terms) {
    const char16_t c = p_[pos_];
    uint32_t atom = 0;
    bool quantifiable = true;
    switch (c) {
      case u'^':
      case u'$': {
        ++pos_;
        Node n;
        n.kind = Node::Kind::kAssert;
        n.assertion = c == u'^' ? Op::kBol : Op::kEol;
        atom = Add(std::move(n));
        quantifiable = false;
        break;
      }
      case u'\\':
        if (Is(u'b', 1) || Is(u'B', 1)) {
          Node n;
          n.kind = Node::Kind::kAssert;
          n.assertion = Is(u'b', 1) ? Op::kWordBoundary : Op::kNotWordBoundary;
          pos_ += 2;
          atom = Add(std::move(n));
          quantifiable = false;
        } else if (!ParseAtomEscape(&atom)) {
          return false;
        }
        break;
      case u'(':
        if (!ParseGroup(depth, &atom)) return false;
        break;
      case u'.':
        ++pos_;
        atom = AddSet(DotSet(), false);
        break;
      case u'[':
        if (!ParseClass(&atom)) return false;
        break;
      case u'*':
      case u'+':
      case u'?':
        return Fail(pos_, std::string("nothing to repeat before \"") + static_cast<char>(c) + "\"");
      case u'{':
        if (IsQuantifierHere()) return Fail(pos_, "nothing to repeat before \"{\"");
        ++pos_;  // Annex B: not a quantifier, so a literal '{'
        atom = AddUnit(c);
        break;
      default:  // includes a lone ']' or '}' (Annex B literals)
        ++pos_;
        atom = AddUnit(c);
        break;
    }
    if (IsQuantifierHere()) {
      if (!quantifiable) return Fail(pos_, "nothing to repeat (an assertion such as ^, $ or \\b cannot repeat)");
      const size_t at = pos_;
      uint32_t min = 0;
      uint32_t max = kInfinite;
      switch (p_[pos_]) {
        case u'*':
          ++pos_;
          break;
        case u'+':
          min = 1;
          ++pos_;
          break;
        case u'?':
          max = 1;
          ++pos_;
          break;
        default: {
          size_t end = pos_;
          BraceQuantifier(pos_, &min, &max, &end);
          pos_ = end;
          if (max < min) return Fail(at, "numbers out of order in {} quantifier");
        }
      }
      // A lazy quantifier finds a match exactly when the greedy one does.
      if (Is(u'?')) ++pos_;
      Node n;
      n.kind = Node::Kind::kRepeat;
      n.min = min;
      n.max = max;
      n.kids = {atom};
      atom = Add(std::move(n));
    }
    terms->push_back(atom);
    return true;
  }

  bool ParseGroup(size_t depth, uint32_t* out) {
    const size_t open = pos_;
    if (depth + 1 > options_.max_nesting) {
      return Fail(open, "groups are nested more than " + std::to_string(options_.max_nesting) + " levels deep",
                  ErrorCode::kTooDeep);
    }
    ++pos_;
    if (Is(u'?')) {
      if (Is(u':', 1)) {
        pos_ += 2;
      } else if (Is(u'=', 1) || Is(u'!', 1)) {
        return Fail(open, "lookahead (?= and (?! is not supported");
      } else if (Is(u'<', 1) && (Is(u'=', 2) || Is(u'!', 2))) {
        return Fail(open, "lookbehind (?<= and (?<! is not supported");
      } else if (Is(u'<', 1)) {
        pos_ += 2;
        if (!ParseGroupName(open)) return false;
      } else {
        return Fail(open, "invalid group \"(?\"");
      }
    }
    if (!ParseDisjunction(depth + 1, out)) return false;
    if (!Is(u')')) return Fail(open, "missing \")\" for this \"(\"");
    ++pos_;
    return true;
  }

  // After "(?<": an identifier and '>'. Names are checked only because
  // JavaScript rejects bad or repeated ones; captures are not reported.
  // ASCII follows IdentifierName; any non-ASCII character is accepted (a
  // superset of ID_Start/ID_Continue, e.g. Chinese names).
  bool ParseGroupName(size_t open) {
    const size_t start = pos_;
    while (!AtEnd() && !Is(u'>')) {
      const char16_t c = p_[pos_];
      const bool ascii_ok = IsAsciiLetter(c) || c == u'_' || c == u'$' || (IsDigit(c) && pos_ > start);
      if (c < 0x80 && !ascii_ok) return Fail(open, "invalid capture group name");
      ++pos_;
    }
    if (AtEnd() || pos_ == start) return Fail(open, "invalid capture group name");
    std::u16string name(p_.substr(start, pos_ - start));
    ++pos_;  // '>'
    if (std::find(names_.begin(), names_.end(), name) != names_.end()) {
      return Fail(open, "duplicate capture group name");
    }
    names_.push_back(std::move(name));
    return true;
  }

  // Exactly `n` hex digits at `ahead`, or -1.
  int32_t Hex(size_t ahead, int n) const {
    int32_t v = 0;
    for (int k = 0; k < n; ++k) {
      if (!Has(ahead + k)) return -1;
      const int h = HexValue(At(ahead + k));
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  }

  // Annex B LegacyOctalEscapeSequence at pos_ (an octal digit): up to three
  // digits, at most \377.
  char16_t LegacyOctal() {
    uint32_t v = p_[pos_++] - u'0';
    const int more = v <= 3 ? 2 : 1;
    for (int k = 0; k < more && !AtEnd() && IsOctal(p_[pos_]); ++k) v = v * 8 + (p_[pos_++] - u'0');
    return static_cast<char16_t>(v);
  }

  // Escapes that mean the same inside and outside classes. pos_ is just past
  // the backslash at `esc` and not at the end. Sets *handled = false (and
  // consumes nothing) for the escapes whose meaning depends on the context.
  bool ParseCommonEscape(size_t esc, ClassAtom* atom, bool* handled) {
    *handled = true;
    const char16_t e = p_[pos_];
    switch (e) {
      case u'd':
      case u'D':
      case u'w':
      case u'W':
      case u's':
      case u'S': {
        ++pos_;
        CharSet set = e == u'd' || e == u'D' ? DigitSet() : e == u'w' || e == u'W' ? WordSet() : SpaceSet();
        // No non-ASCII unit canonicalizes to ASCII, so \w and its complement
        // are already closed over case and the `i` flag changes neither.
        atom->is_set = true;
        atom->set = e == u'D' || e == u'W' || e == u'S' ? Negate(Normalize(std::move(set))) : std::move(set);
        return true;
      }
      case u'f': atom->unit = 0x0C; break;
      case u'n': atom->unit = 0x0A; break;
      case u'r': atom->unit = 0x0D; break;
      case u't': atom->unit = 0x09; break;
      case u'v': atom->unit = 0x0B; break;
      case u'x': {
        const int32_t v = Hex(1, 2);
        if (v < 0) {
          atom->unit = u'x';  // Annex B: \x without two hex digits is "x"
          break;
        }
        atom->unit = static_cast<char16_t>(v);
        pos_ += 3;
        return true;
      }
      case u'u': {
        const int32_t v = Hex(1, 4);
        if (v >= 0) {
          atom->unit = static_cast<char16_t>(v);
          pos_ += 5;
          return true;
        }
        if (Is(u'{', 1)) {
          return Fail(esc, "\\u{...} needs the u flag, which is not supported; without it JavaScript reads "
                           "\"u\" repeated. Write \\uHHHH (a surrogate pair for characters above U+FFFF)");
        }
        atom->unit = u'u';
        break;
      }
      case u'p':
      case u'P':
        if (Is(u'{', 1)) {
          return Fail(esc, "Unicode property escapes (\\p{...}) need the u flag, which is not supported; "
                           "without it JavaScript reads the letter \"p\". Use a class such as [一-龥]");
        }
        atom->unit = e;
        break;
      case u'k':
        if (named_groups_) {
          return Fail(esc, "backreferences (\\k<name>) are not supported: matching them needs backtracking, "
                           "which can take exponential time");
        }
        atom->unit = u'k';  // Annex B: without named groups, \k is "k"
        break;
      case u'b':
      case u'c':
      case u'-':
      case u'B':
        *handled = false;
        return true;
      default:
        if (IsDigit(e)) {
          *handled = false;
          return true;
        }
        atom->unit = e;  // Annex B identity escape: \. \/ \z ... stand for themselves
        break;
    }
    ++pos_;
    return true;
  }

  // At '\\' outside a class (not \b or \B, which ParseTerm handles).
  bool ParseAtomEscape(uint32_t* out) {
    const size_t esc = pos_++;
    if (AtEnd()) return Fail(esc, "\\ at end of pattern");
    ClassAtom atom;
    bool handled = false;
    if (!ParseCommonEscape(esc, &atom, &handled)) return false;
    if (!handled) {
      const char16_t e = p_[pos_];
      if (e == u'c') {
        if (Has(1) && IsAsciiLetter(At(1))) {
          atom.unit = At(1) % 32;
          pos_ += 2;
        } else {
          atom.unit = u'\\';  // Annex B: "\c" not before a letter is a backslash; 'c' is read next
        }
      } else if (e == u'0' && !(Has(1) && IsDigit(At(1)))) {
        atom.unit = 0;
        ++pos_;
      } else if (IsDigit(e)) {
        size_t i = pos_;
        uint64_t n = 0;
        while (i < p_.size() && IsDigit(p_[i])) n = std::min<uint64_t>(n * 10 + (p_[i++] - u'0'), kCountCap);
        if (e != u'0' && n <= groups_) {
          return Fail(esc, "backreferences (\\" + std::to_string(n) +
                               ") are not supported: matching them needs backtracking, which can take "
                               "exponential time");
        }
        // Annex B: with fewer groups, \8 and \9 are "8"/"9" and others octal.
        if (e == u'8' || e == u'9') {
          atom.unit = e;
          ++pos_;
        } else {
          atom.unit = LegacyOctal();
        }
      } else {
        atom.unit = e;  // '-' and 'B' (\B itself never gets here)
        ++pos_;
      }
    }
    *out = atom.is_set ? AddSet(std::move(atom.set), false) : AddUnit(atom.unit);
    return true;
  }

  // One class atom at pos_ (not at the end, not the closing ']').
  bool ParseClassAtom(ClassAtom* atom) {
    if (!Is(u'\\')) {
      atom->unit = p_[pos_++];
      return true;
    }
    const size_t esc = pos_++;
    if (AtEnd()) return Fail(esc, "\\ at end of pattern");
    bool handled = false;
    if (!ParseCommonEscape(esc, atom, &handled)) return false;
    if (handled) return true;
    const char16_t e = p_[pos_];
    if (e == u'b') {
      atom->unit = 0x08;  // [\b] is backspace
      ++pos_;
    } else if (e == u'c') {
      // Annex B ClassControlLetter also takes digits and '_'.
      if (Has(1) && (IsAsciiLetter(At(1)) || IsDigit(At(1)) || At(1) == u'_')) {
        atom->unit = At(1) % 32;
        pos_ += 2;
      } else {
        atom->unit = u'\\';
      }
    } else if (IsOctal(e)) {
      atom->unit = LegacyOctal();  // no backreferences inside a class
    } else {
      atom->unit = e;  // \- \B \8 \9
      ++pos_;
    }
    return true;
  }

  bool ParseClass(uint32_t* out) {
    const size_t open = pos_++;
    const bool negate = Is(u'^');
    if (negate) ++pos_;
    CharSet set;
    const auto add = [&set](const ClassAtom& a) {
      if (a.is_set) {
        set.insert(set.end(), a.set.begin(), a.set.end());
      } else {
        set.push_back({a.unit, a.unit});
      }
    };
    for (;;) {
      if (AtEnd()) return Fail(open, "missing \"]\" for this \"[\"");
      if (Is(u']')) {
        ++pos_;
        break;
      }
      const size_t start = pos_;
      ClassAtom from;
      if (!ParseClassAtom(&from)) return false;
      if (Is(u'-') && Has(1) && At(1) != u']') {
        ++pos_;
        ClassAtom to;
        if (!ParseClassAtom(&to)) return false;
        if (from.is_set || to.is_set) {
          // Annex B: [\d-z] is \d, '-' and 'z'.
          add(from);
          set.push_back({u'-', u'-'});
          add(to);
        } else if (from.unit > to.unit) {
          return Fail(start, "range out of order in character class");
        } else {
          set.push_back({from.unit, to.unit});
        }
      } else {
        add(from);
      }
    }
    *out = AddSet(std::move(set), negate);
    return true;
  }

  std::u16string_view p_;
  const BoundedRegex::Options& options_;
  size_t pos_ = 0;
  uint64_t groups_ = 0;
  bool named_groups_ = false;
  std::vector<std::u16string> names_;
  Error error_;
};

// ---------------------------------------------------------------------------
// Compiler: AST -> program

class Compiler {
 public:
  Compiler(const std::vector<Node>& nodes, uint64_t cap) : nodes_(nodes), cap_(cap) {}

  // Instructions `node` compiles to, saturating at the cap so that nested
  // counted repeats ((a{1000}){1000}){1000} are refused before anything is
  // emitted. Recursion follows the AST, whose depth the parser bounds.
  uint64_t Size(uint32_t node) const {
    const Node& n = nodes_[node];
    switch (n.kind) {
      case Node::Kind::kEmpty:
        return 0;
      case Node::Kind::kUnit:
      case Node::Kind::kSet:
      case Node::Kind::kAssert:
        return 1;
      case Node::Kind::kConcat: {
        uint64_t total = 0;
        for (uint32_t k : n.kids) total = Add(total, Size(k));
        return total;
      }
      case Node::Kind::kAlt: {
        uint64_t total = 2 * (n.kids.size() - 1);  // a split and a jump per extra alternative
        for (uint32_t k : n.kids) total = Add(total, Size(k));
        return total;
      }
      case Node::Kind::kRepeat: {
        const uint64_t s = Size(n.kids[0]);
        if (n.max == kInfinite) return n.min == 0 ? Add(s, 2) : Add(Mul(n.min, s), 1);
        return Add(Mul(n.min, s), Mul(n.max - n.min, Add(s, 1)));
      }
    }
    return 0;
  }

  void Emit(uint32_t node, std::vector<Inst>* out) const {
    const Node& n = nodes_[node];
    const auto here = [out] { return static_cast<uint32_t>(out->size()); };
    switch (n.kind) {
      case Node::Kind::kEmpty:
        return;
      case Node::Kind::kUnit:
        out->push_back({Op::kUnit, n.unit, 0});
        return;
      case Node::Kind::kSet:
        out->push_back({Op::kClass, n.set, 0});
        return;
      case Node::Kind::kAssert:
        out->push_back({n.assertion, 0, 0});
        return;
      case Node::Kind::kConcat:
        for (uint32_t k : n.kids) Emit(k, out);
        return;
      case Node::Kind::kAlt: {
        // split L1, next; L1: a; jmp end; next: split L2, next2; ... last
        std::vector<uint32_t> jumps;
        for (size_t i = 0; i < n.kids.size(); ++i) {
          if (i + 1 == n.kids.size()) {
            Emit(n.kids[i], out);
            break;
          }
          const uint32_t split = here();
          out->push_back({Op::kSplit, split + 1, 0});
          Emit(n.kids[i], out);
          jumps.push_back(here());
          out->push_back({Op::kJmp, 0, 0});
          (*out)[split].y = here();
        }
        for (uint32_t j : jumps) (*out)[j].x = here();
        return;
      }
      case Node::Kind::kRepeat: {
        const uint32_t kid = n.kids[0];
        if (n.max == kInfinite && n.min > 0) {
          // e{n,} = e{n-1} L: e; split L, end
          for (uint32_t i = 1; i < n.min; ++i) Emit(kid, out);
          const uint32_t loop = here();
          Emit(kid, out);
          out->push_back({Op::kSplit, loop, here() + 1});
          return;
        }
        for (uint32_t i = 0; i < n.min; ++i) Emit(kid, out);
        if (n.max == kInfinite) {
          // L: split body, end; body: e; jmp L
          const uint32_t loop = here();
          out->push_back({Op::kSplit, loop + 1, 0});
          Emit(kid, out);
          out->push_back({Op::kJmp, loop, 0});
          (*out)[loop].y = here();
          return;
        }
        // e{0,k}: k times "split body, end; body: e", all exits to the end.
        std::vector<uint32_t> splits;
        for (uint32_t i = n.min; i < n.max; ++i) {
          splits.push_back(here());
          out->push_back({Op::kSplit, here() + 1, 0});
          Emit(kid, out);
        }
        for (uint32_t s : splits) (*out)[s].y = here();
        return;
      }
    }
  }

 private:
  uint64_t Add(uint64_t a, uint64_t b) const { return std::min(a + b, cap_); }
  uint64_t Mul(uint64_t a, uint64_t b) const {
    if (a == 0 || b == 0) return 0;
    return a > cap_ / b ? cap_ : std::min(a * b, cap_);
  }

  const std::vector<Node>& nodes_;
  uint64_t cap_;
};

// ---------------------------------------------------------------------------
// Search: Thompson simulation

// Sparse set of instruction indices (Briggs & Torczon): O(1) insert, test
// and clear, iteration in insertion order.
class ThreadSet {
 public:
  explicit ThreadSet(size_t n) : dense_(n), sparse_(n) {}
  bool Contains(uint32_t pc) const { return sparse_[pc] < size_ && dense_[sparse_[pc]] == pc; }
  void Insert(uint32_t pc) {
    sparse_[pc] = size_;
    dense_[size_++] = pc;
  }
  void Clear() { size_ = 0; }
  bool Empty() const { return size_ == 0; }
  uint32_t size() const { return size_; }
  uint32_t operator[](uint32_t i) const { return dense_[i]; }

 private:
  std::vector<uint32_t> dense_;
  std::vector<uint32_t> sparse_;
  uint32_t size_ = 0;
};

// Adds `pc` and everything reachable from it without consuming input to
// `set`, at the position between code units `prev` and `next` (-1 past
// either end). True when kMatch is reachable. Iterative (explicit stack);
// each instruction enters the set at most once per position, which also
// ends empty loops such as (a*)*.
bool AddThread(const Program& prog, ThreadSet* set, uint32_t pc, int32_t prev, int32_t next,
               std::vector<uint32_t>* stack) {
  stack->clear();
  stack->push_back(pc);
  while (!stack->empty()) {
    const uint32_t at = stack->back();
    stack->pop_back();
    if (set->Contains(at)) continue;
    set->Insert(at);
    const Inst& in = prog.insts[at];
    switch (in.op) {
      case Op::kMatch:
        return true;
      case Op::kJmp:
        stack->push_back(in.x);
        break;
      case Op::kSplit:
        stack->push_back(in.y);
        stack->push_back(in.x);
        break;
      case Op::kBol:
        if (prev < 0) stack->push_back(at + 1);
        break;
      case Op::kEol:
        if (next < 0) stack->push_back(at + 1);
        break;
      case Op::kWordBoundary:
      case Op::kNotWordBoundary:
        if ((IsWordUnit(prev) != IsWordUnit(next)) == (in.op == Op::kWordBoundary)) stack->push_back(at + 1);
        break;
      case Op::kUnit:
      case Op::kClass:
        break;  // waits for the next code unit
    }
  }
  return false;
}

}  // namespace

Result<BoundedRegex> BoundedRegex::Compile(std::string_view pattern_utf8) { return Compile(pattern_utf8, Options{}); }

Result<BoundedRegex> BoundedRegex::Compile(std::string_view pattern_utf8, const Options& options) {
  if (pattern_utf8.size() > options.max_pattern_bytes) {
    return Error{ErrorCode::kTooLarge, "",
                 "The regular expression is " + std::to_string(pattern_utf8.size()) + " bytes long; the limit is " +
                     std::to_string(options.max_pattern_bytes) + "."};
  }
  const std::u16string pattern = ToUtf16(pattern_utf8);
  Parser parser(pattern, options);
  uint32_t root = 0;
  if (!parser.Parse(&root)) return parser.TakeError();

  // One more than the limit, so "too large" is distinguishable from "at the limit".
  const uint64_t cap = static_cast<uint64_t>(std::min<size_t>(options.max_program_size, UINT32_MAX - 1)) + 1;
  Compiler compiler(parser.nodes, cap);
  const uint64_t size = std::min(compiler.Size(root) + 1, cap);  // + kMatch
  if (size > options.max_program_size) {
    return Error{ErrorCode::kTooLarge, "",
                 "The regular expression needs more than " + std::to_string(options.max_program_size) +
                     " instructions after expanding its {n,m} repeats; use smaller counts."};
  }
  auto program = std::make_shared<Program>();
  program->insts.reserve(static_cast<size_t>(size));
  compiler.Emit(root, &program->insts);
  program->insts.push_back({Op::kMatch, 0, 0});
  program->sets = std::move(parser.sets);
  program->anchored = program->insts[0].op == Op::kBol;
  return BoundedRegex(std::move(program));
}

size_t BoundedRegex::program_size() const { return program_ ? program_->insts.size() : 0; }

bool BoundedRegex::Search(std::string_view subject_utf8) const { return Search(subject_utf8, nullptr); }

bool BoundedRegex::Search(std::string_view subject_utf8, int64_t* budget) const {
  if (!program_) return false;
  const Program& prog = *program_;
  const size_t n = prog.insts.size();
  ThreadSet current(n);
  ThreadSet next(n);
  std::vector<uint32_t> stack;
  stack.reserve(2 * n);
  Utf16Reader reader(subject_utf8);
  int32_t prev = -1;
  int32_t unit = reader.Next();
  for (bool first = true;; first = false) {
    // A new attempt starts at every position (unanchored search), joining
    // the threads still alive from earlier starts.
    if ((first || !prog.anchored) && AddThread(prog, &current, 0, prev, unit, &stack)) return true;
    if (unit < 0 || (prog.anchored && current.Empty())) return false;
    if (budget != nullptr && (*budget -= 1 + static_cast<int64_t>(current.size())) < 0) return false;
    const int32_t after = reader.Next();
    next.Clear();
    for (uint32_t i = 0; i < current.size(); ++i) {
      const uint32_t pc = current[i];
      const Inst& in = prog.insts[pc];
      const bool step = (in.op == Op::kUnit && static_cast<uint32_t>(unit) == in.x) ||
                        (in.op == Op::kClass && Contains(prog.sets[in.x], static_cast<uint32_t>(unit)));
      if (step && AddThread(prog, &next, pc + 1, unit, after, &stack)) return true;
    }
    std::swap(current, next);
    prev = unit;
    unit = after;
  }
}

}  // namespace tagwise
