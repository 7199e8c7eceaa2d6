// Text form of rules: a lexer, an iterative operator-precedence parser that
// builds the JSON rule, and a formatter that writes JSON back as text.
//
// Neither direction recurses on the input: the parser keeps its open
// constructs in a heap stack of Frames and the formatter keeps a heap stack of
// pending pieces, because in WebAssembly a deep C++ recursion overflows the
// small stack and kills the whole instance. The nesting limits exist so that
// the JSON produced stays within what the compiler accepts.
//
// Round-trip rule: every choice the formatter makes (parentheses, sugar, when
// to quote a name) is the exact inverse of a parser rule; the comments at each
// pair say which.
#include "tagwise/rule_text.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tagwise/utf8.h"

namespace tagwise {
namespace {

using nlohmann::json;

// Deepest bracket nesting in the text, deepest JSON nesting produced (see
// JsonDepth below) and most open `if`s; the same as the compiler's default
// CompileOptions::max_depth so that text never yields a rule it would reject.
constexpr int kMaxDepth = 128;

struct Pos {
  int line = 1;
  int column = 1;  // in code points
};

std::string PosText(Pos p) { return std::to_string(p.line) + ":" + std::to_string(p.column); }

// ---------------------------------------------------------------- Unicode

// Text is decoded with DecodeUtf8 (tagwise/utf8.h) in its strict mode:
// overlong forms, surrogates and values past U+10FFFF are not UTF-8 here, as
// nlohmann's dump() would reject them later.

// Letters outside ASCII that may appear in names: the scripts operators write
// field and event names in. Punctuation, symbols and emoji are left out so
// that a stray full-width '（' is reported instead of becoming part of a name.
bool IsWideLetter(char32_t c) {
  struct Range {
    char32_t lo, hi;
  };
  static constexpr Range kRanges[] = {
      {0x00AA, 0x00AA},   {0x00B5, 0x00B5},   {0x00BA, 0x00BA},   {0x00C0, 0x00D6},
      {0x00D8, 0x00F6},   {0x00F8, 0x024F},   {0x0370, 0x0373},   {0x0376, 0x0377},
      {0x037B, 0x037D},   {0x0386, 0x0386},   {0x0388, 0x03FF},   {0x0400, 0x0481},
      {0x048A, 0x052F},   {0x3005, 0x3007},   {0x3041, 0x3096},   {0x309D, 0x309F},
      {0x30A1, 0x30FA},   {0x30FC, 0x30FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},
      {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0x20000, 0x3134F},
  };
  for (const Range& r : kRanges) {
    if (c >= r.lo && c <= r.hi) return true;
  }
  return false;
}

bool IsAsciiLetter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char32_t c) { return c >= '0' && c <= '9'; }
bool IsNameStart(char32_t c) { return IsAsciiLetter(c) || c == '_' || (c >= 0x80 && IsWideLetter(c)); }
bool IsNamePart(char32_t c) { return IsNameStart(c) || IsDigit(c); }

bool IsSpace(char32_t c) {
  // U+3000 and U+00A0 come from Chinese input methods and pasted text.
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x00A0 || c == 0x3000 ||
         c == 0xFEFF;
}

// The ASCII character an operator probably meant when typing full-width
// punctuation with a Chinese input method, or 0.
char AsciiLookalike(char32_t c) {
  if (c >= 0xFF10 && c <= 0xFF19) return static_cast<char>('0' + (c - 0xFF10));
  if (c >= 0xFF21 && c <= 0xFF3A) return static_cast<char>('A' + (c - 0xFF21));
  if (c >= 0xFF41 && c <= 0xFF5A) return static_cast<char>('a' + (c - 0xFF41));
  switch (c) {
    case 0xFF08: return '(';
    case 0xFF09: return ')';
    case 0xFF0C: case 0x3001: return ',';
    case 0xFF1A: return ':';
    case 0x201C: case 0x201D: case 0xFF02: return '"';
    case 0x2018: case 0x2019: case 0xFF07: return '\'';
    case 0xFF3B: case 0x3010: return '[';
    case 0xFF3D: case 0x3011: return ']';
    case 0xFF5B: return '{';
    case 0xFF5D: return '}';
    case 0xFF01: return '!';
    case 0xFF1D: return '=';
    case 0xFF1C: return '<';
    case 0xFF1E: return '>';
    case 0xFF0B: return '+';
    case 0xFF0D: return '-';
    case 0xFF0A: return '*';
    case 0xFF0F: return '/';
    case 0xFF05: return '%';
    case 0xFF03: return '#';
    case 0xFF0E: case 0x3002: return '.';
    default: return 0;
  }
}

std::string HexCode(char32_t c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "U+";
  const int digits = c > 0xFFFF ? 6 : 4;
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHex[(c >> shift) & 0xF];
  return out;
}

// How to show one character in a message: 'x', or U+0009 when invisible.
std::string ShowChar(char32_t c) {
  if (c < 0x20 || c == 0x7F || IsSpace(c)) return HexCode(c);
  std::string out = "'";
  AppendUtf8(c, &out);
  return out + "'";
}

// ---------------------------------------------------------------- words

bool IsReserved(std::string_view w) {
  return w == "and" || w == "or" || w == "not" || w == "in" || w == "if" || w == "then" ||
         w == "else" || w == "true" || w == "false" || w == "null";
}

// Keywords that start a clause inside events(...). They are not reserved
// elsewhere, so a field may still be called `field`.
bool IsEventClause(std::string_view w) {
  return w == "within" || w == "where" || w == "agg" || w == "field" || w == "half_life";
}

bool IsDurationUnit(std::string_view u) {
  return u == "ms" || u == "s" || u == "m" || u == "h" || u == "d" || u == "w";
}

// True when `s` is one path token: name segments joined by '.', the first
// segment not starting with a digit (so it cannot be read as a number).
bool IsNameToken(std::string_view s) {
  size_t i = 0;
  bool segment_start = true;
  while (i < s.size()) {
    const bool first = i == 0;
    const std::optional<char32_t> c = DecodeUtf8(s, &i);
    if (!c) return false;
    if (*c == '.') {
      if (segment_start) return false;  // leading or doubled dot
      segment_start = true;
    } else if (first ? IsNameStart(*c) : IsNamePart(*c)) {
      segment_start = false;
    } else {
      return false;
    }
  }
  return !s.empty() && !segment_start;
}

// A var path that may be written bare: `user.age` is {"var": "user.age"}.
bool IsBarePath(std::string_view s) { return IsNameToken(s) && !IsReserved(s); }

// ---------------------------------------------------------------- lexer

enum class TokKind { kEnd, kError, kNumber, kDuration, kString, kName, kSymbol };

struct Token {
  TokKind kind = TokKind::kEnd;
  // Numbers, durations, names, symbols: the characters as written. Strings:
  // the decoded value. Errors: the message.
  std::string text;
  Pos pos;  // where it starts (errors: where the problem is)
  ErrorCode code = ErrorCode::kSyntax;  // errors only
};

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  // The next token. After an error every call returns that error again, so
  // the parser can look ahead past it safely.
  Token Next() {
    if (failed_) return failure_;
    Token t = Lex();
    if (t.kind == TokKind::kError) {
      failed_ = true;
      failure_ = t;
    }
    return t;
  }

 private:
  // The code point at byte `at` (0 and *len == 0 at the end or on bad UTF-8).
  char32_t At(size_t at, size_t* len) const {
    size_t end = at;
    const std::optional<char32_t> c = DecodeUtf8(src_, &end);
    *len = end - at;
    return c.value_or(0);
  }
  bool DigitAt(size_t at) const { return at < src_.size() && IsDigit(src_[at]); }
  bool NamePartAt(size_t at) const {
    size_t len = 0;
    const char32_t c = At(at, &len);
    return len > 0 && IsNamePart(c);
  }

  void Advance(size_t len, char32_t c) {
    i_ += len;
    if (c == '\n') {
      ++pos_.line;
      pos_.column = 1;
    } else {
      ++pos_.column;
    }
  }
  // Advances over ASCII bytes (none of them a newline).
  void AdvanceAscii(size_t n) {
    i_ += n;
    pos_.column += static_cast<int>(n);
  }
  void SkipNameParts() {
    size_t len = 0;
    while (IsNamePart(At(i_, &len)) && len > 0) Advance(len, 0);
  }

  static Token Error(Pos pos, std::string message, ErrorCode code = ErrorCode::kSyntax) {
    Token t;
    t.kind = TokKind::kError;
    t.text = std::move(message);
    t.pos = pos;
    t.code = code;
    return t;
  }
  Token Make(TokKind kind, std::string text, Pos pos) const {
    Token t;
    t.kind = kind;
    t.text = std::move(text);
    t.pos = pos;
    return t;
  }

  Token Lex() {
    SkipSpaceAndComments();
    if (i_ >= src_.size()) return Make(TokKind::kEnd, "", pos_);
    size_t len = 0;
    const char32_t c = At(i_, &len);
    if (len == 0) return Error(pos_, "the text is not valid UTF-8 here", ErrorCode::kInvalidUtf8);
    if (c == '"' || c == '\'') return LexString();
    if (IsDigit(c)) return LexNumber();
    if (IsNameStart(c)) return LexName();
    return LexSymbol();
  }

  void SkipSpaceAndComments() {
    bool in_comment = false;
    while (i_ < src_.size()) {
      size_t len = 0;
      const char32_t c = At(i_, &len);
      if (len == 0) return;  // reported by Lex()
      if (in_comment) {
        if (c == '\n') in_comment = false;
      } else if (c == '#') {
        in_comment = true;
      } else if (!IsSpace(c)) {
        return;
      }
      Advance(len, c);
    }
  }

  // JSON numbers; digits followed directly by a unit make a duration (30d).
  Token LexNumber() {
    const Pos start = pos_;
    const size_t begin = i_;
    if (src_[i_] == '0' && DigitAt(i_ + 1)) {
      return Error(start, "a number cannot start with 0 (write 7, not 07)");
    }
    while (DigitAt(i_)) AdvanceAscii(1);
    if (i_ < src_.size() && src_[i_] == '.') {
      if (!DigitAt(i_ + 1)) {
        const Pos dot = pos_;
        return Error(dot, "expected a digit after '.' in the number " +
                              std::string(src_.substr(begin, i_ - begin + 1)));
      }
      AdvanceAscii(1);
      while (DigitAt(i_)) AdvanceAscii(1);
    }
    bool exponent = false;
    if (i_ < src_.size() && (src_[i_] == 'e' || src_[i_] == 'E')) {
      size_t k = i_ + 1;
      if (k < src_.size() && (src_[k] == '+' || src_[k] == '-')) ++k;
      if (DigitAt(k)) {  // otherwise the 'e' is reported as a unit below
        AdvanceAscii(k - i_);
        while (DigitAt(i_)) AdvanceAscii(1);
        exponent = true;
      }
    }
    std::string number(src_.substr(begin, i_ - begin));
    if (!NamePartAt(i_)) return Make(TokKind::kNumber, std::move(number), start);
    const size_t unit_begin = i_;
    SkipNameParts();
    const std::string unit(src_.substr(unit_begin, i_ - unit_begin));
    if (!exponent && IsDurationUnit(unit)) return Make(TokKind::kDuration, number + unit, start);
    if (exponent) return Error(start, "unexpected '" + unit + "' right after the number " + number);
    return Error(start, "unknown duration unit '" + unit + "' in '" + number + unit +
                            "' (use ms, s, m, h, d or w)");
  }

  // "..." with JSON's escapes; '...' too, for operators used to SQL.
  Token LexString() {
    const Pos start = pos_;
    const char quote = src_[i_];
    AdvanceAscii(1);
    std::string value;
    const std::string unterminated =
        std::string("unterminated string: add the closing ") + quote;
    while (true) {
      if (i_ >= src_.size()) return Error(start, unterminated);
      size_t len = 0;
      const char32_t c = At(i_, &len);
      if (len == 0) return Error(pos_, "the text is not valid UTF-8 here", ErrorCode::kInvalidUtf8);
      if (c == static_cast<unsigned char>(quote)) {
        AdvanceAscii(1);
        return Make(TokKind::kString, std::move(value), start);
      }
      if (c == '\n' || c == '\r') {
        return Error(start, unterminated + " before the end of the line (write \\n for a line break)");
      }
      if (c < 0x20 && c != '\t') {
        return Error(pos_, "control character " + HexCode(c) + " inside a string; write it as \\u00" +
                               HexCode(c).substr(4));
      }
      if (c != '\\') {
        value.append(src_.substr(i_, len));
        Advance(len, c);
        continue;
      }
      const Pos escape = pos_;
      AdvanceAscii(1);
      if (i_ >= src_.size()) return Error(start, unterminated);
      const char e = src_[i_];
      switch (e) {
        case '"': case '\\': case '/': case '\'': value += e; break;
        case 'b': value += '\b'; break;
        case 'f': value += '\f'; break;
        case 'n': value += '\n'; break;
        case 'r': value += '\r'; break;
        case 't': value += '\t'; break;
        case 'u': {
          char32_t cp = 0;
          if (!LexUnicodeEscape(&cp)) return Error(escape, escape_error_);
          AppendUtf8(cp, &value);
          continue;  // LexUnicodeEscape advanced already
        }
        default: {
          size_t elen = 0;
          const char32_t shown = At(i_, &elen);
          std::string escape_text = "\\";
          AppendUtf8(shown, &escape_text);
          return Error(escape, "unknown escape '" + escape_text +
                                   "' in a string (use \\\", \\\\, \\n, \\t or \\uXXXX)");
        }
      }
      AdvanceAscii(1);
    }
  }

  // Reads 4 hex digits at i_ + 1 (i_ is on the 'u').
  bool Hex4(size_t at, char32_t* out) const {
    if (at + 4 > src_.size()) return false;
    char32_t v = 0;
    for (size_t k = at; k < at + 4; ++k) {
      const char h = src_[k];
      int d = -1;
      if (h >= '0' && h <= '9') d = h - '0';
      if (h >= 'a' && h <= 'f') d = h - 'a' + 10;
      if (h >= 'A' && h <= 'F') d = h - 'A' + 10;
      if (d < 0) return false;
      v = v * 16 + static_cast<char32_t>(d);
    }
    *out = v;
    return true;
  }

  // \uXXXX, joining a surrogate pair into one code point as JSON does.
  bool LexUnicodeEscape(char32_t* cp) {
    char32_t high = 0;
    if (!Hex4(i_ + 1, &high)) {
      escape_error_ = "\\u must be followed by four hex digits, as in \\u00e9";
      return false;
    }
    AdvanceAscii(5);
    if (high >= 0xDC00 && high <= 0xDFFF) {
      escape_error_ = "\\u" + HexCode(high).substr(2) + " is half of a surrogate pair and cannot stand alone";
      return false;
    }
    if (high < 0xD800 || high > 0xDBFF) {
      *cp = high;
      return true;
    }
    char32_t low = 0;
    if (i_ + 1 < src_.size() && src_[i_] == '\\' && src_[i_ + 1] == 'u' && Hex4(i_ + 2, &low) &&
        low >= 0xDC00 && low <= 0xDFFF) {
      AdvanceAscii(6);
      *cp = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
      return true;
    }
    escape_error_ = "\\u" + HexCode(high).substr(2) +
                    " starts a surrogate pair and must be followed by \\uDC00..\\uDFFF";
    return false;
  }

  // A path: name segments joined by '.', e.g. user.age, items.0.price, 用户.城市.
  Token LexName() {
    const Pos start = pos_;
    const size_t begin = i_;
    SkipNameParts();
    while (i_ < src_.size() && src_[i_] == '.' && NamePartAt(i_ + 1)) {
      AdvanceAscii(1);
      SkipNameParts();
    }
    return Make(TokKind::kName, std::string(src_.substr(begin, i_ - begin)), start);
  }

  Token LexSymbol() {
    // Longest first, so "===" is not read as "==" "=".
    static constexpr std::string_view kSymbols[] = {
        "===", "!==", "==", "!=", "<=", ">=", "!!", "&&", "||", "(", ")", "[", "]",
        "{",   "}",   ",",  ":",  "+",  "-",  "*",  "/",  "%",  "<", ">", "!"};
    const std::string_view rest = src_.substr(i_);
    for (std::string_view s : kSymbols) {
      if (rest.substr(0, s.size()) == s) {
        const Pos start = pos_;
        AdvanceAscii(s.size());
        return Make(TokKind::kSymbol, std::string(s), start);
      }
    }
    size_t len = 0;
    const char32_t c = At(i_, &len);
    if (c == '=') return Error(pos_, "a single '=' is not an operator; use '==' to compare");
    if (c == '&') return Error(pos_, "use 'and' to require both conditions");
    if (c == '|') return Error(pos_, "use 'or' to accept either condition");
    if (const char ascii = AsciiLookalike(c)) {
      return Error(pos_, "full-width " + ShowChar(c) + " cannot be used here; type the ASCII '" +
                             std::string(1, ascii) + "' instead");
    }
    return Error(pos_, "unexpected character " + ShowChar(c));
  }

  std::string_view src_;
  size_t i_ = 0;
  Pos pos_;
  bool failed_ = false;
  Token failure_;
  std::string escape_error_;
};

// True when `s` is written as a bare duration token (30d) by the formatter,
// i.e. the lexer reads exactly `s` back as one duration.
bool IsDurationToken(std::string_view s) {
  Lexer lexer(s);
  const Token t = lexer.Next();
  return t.kind == TokKind::kDuration && t.text == s && lexer.Next().kind == TokKind::kEnd;
}

// ---------------------------------------------------------------- operators

enum OpId : int {
  // Binary (infix) operators.
  kOr, kAnd, kEq, kNe, kStrictEq, kStrictNe, kLt, kLe, kGt, kGe, kIn,
  kAdd, kSub, kMul, kDiv, kMod,
  // Prefix operators.
  kNot, kNeg, kPlus, kBang, kBangBang,
};
constexpr int kFirstPrefix = kNot;

// Binding strength, loosest first. Python's order: `not` binds looser than
// comparisons, so `not a == b` reads as "not (a == b)".
enum Prec : int {
  kPrecIf, kPrecOr, kPrecAnd, kPrecNot, kPrecCompare, kPrecSum, kPrecProduct, kPrecUnary,
  kPrecPrimary,
};

struct OpInfo {
  std::string_view json_name;  // the operation's key in JSON
  std::string_view text;       // how it is written
  int prec;
  // `a op b op c` builds one operation with three arguments (and, or, +, *,
  // and comparison chains such as the 3-argument "between" a < b < c).
  bool nary;
};

constexpr OpInfo kOps[] = {
    {"or", "or", kPrecOr, true},         {"and", "and", kPrecAnd, true},
    {"==", "==", kPrecCompare, true},    {"!=", "!=", kPrecCompare, true},
    {"===", "===", kPrecCompare, true},  {"!==", "!==", kPrecCompare, true},
    {"<", "<", kPrecCompare, true},      {"<=", "<=", kPrecCompare, true},
    {">", ">", kPrecCompare, true},      {">=", ">=", kPrecCompare, true},
    {"in", "in", kPrecCompare, true},    {"+", "+", kPrecSum, true},
    {"-", "-", kPrecSum, false},         {"*", "*", kPrecProduct, true},
    {"/", "/", kPrecProduct, false},     {"%", "%", kPrecProduct, false},
    {"!", "not ", kPrecNot, false},      {"-", "-", kPrecUnary, false},
    {"+", "+", kPrecUnary, false},       {"!", "!", kPrecUnary, false},
    {"!!", "!!", kPrecUnary, false},
};

// The binary operator a token spells, or -1.
int BinaryOpOf(const Token& t) {
  if (t.kind == TokKind::kName) {
    if (t.text == "and") return kAnd;
    if (t.text == "or") return kOr;
    if (t.text == "in") return kIn;
    return -1;
  }
  if (t.kind != TokKind::kSymbol) return -1;
  if (t.text == "&&") return kAnd;
  if (t.text == "||") return kOr;
  for (int op = kEq; op < kFirstPrefix; ++op) {
    if (op != kIn && kOps[op].text == t.text) return op;
  }
  return -1;
}

json MakeOp(std::string_view name, json args) {
  json op = json::object();
  op[std::string(name)] = std::move(args);
  return op;
}

// Nesting of a JSON value, counted the way rules nest: an operation with its
// argument list is one level, as are an array and an object.
//   scalar 0; array 1 + deepest element; object with one key whose value is an
//   array (an operation) = that array's depth; other one-key object
//   1 + the value's; any other object 1 + deepest value.
// Parser and formatter both enforce JsonDepth(rule) <= kMaxDepth.
int ObjectDepth(const json& obj, int deepest_member) {
  if (obj.size() == 1 && obj.begin()->is_array()) return deepest_member;
  return deepest_member + 1;
}

// ---------------------------------------------------------------- parser

// A value on the operand stack.
struct Operand {
  json value;
  int depth = 0;   // JsonDepth(value)
  int chain = -1;  // binary OpId that built `value` without parentheses, for a op b op c
};

struct PendingOp {
  int op;
  Pos pos;
};

// Shunting-yard state for one expression.
struct Expr {
  std::vector<Operand> operands;
  std::vector<PendingOp> ops;
  bool want_operand = true;
};

enum class FrameKind { kTop, kParen, kCall, kArray, kObject, kIf, kEvents };
enum class Stage { kExpr, kObjectKey, kEventItem };

bool IsBracket(FrameKind k) { return k != FrameKind::kTop && k != FrameKind::kIf; }

// One open construct. Frames live on a heap stack, never the C++ stack.
struct Frame {
  FrameKind kind = FrameKind::kTop;
  Stage stage = Stage::kExpr;
  Pos open;           // where it was opened, for "opened at"
  std::string label;  // how it opened: "(", "days_since(", "[", "{", "events(", "if"
  json items;         // call/array/if: the parts so far; object/events: the members
  int depth = 0;      // deepest JsonDepth among `items`
  bool in_else = false;  // if: parsing the final else branch
  std::string key;       // object: the key whose value is being parsed
  Expr expr;             // the expression being parsed inside this construct
};

std::string Describe(const Token& t) {
  switch (t.kind) {
    case TokKind::kEnd: return "the end of the rule";
    case TokKind::kString: {
      std::string shown = json(t.text).dump(-1, ' ', false, json::error_handler_t::replace);
      if (shown.size() > 40) shown = shown.substr(0, 36) + "...\"";
      return "the text " + shown;
    }
    default: return "'" + t.text + "'";
  }
}

// " (keywords are lowercase: write 'and')" when a name looks like a keyword.
std::string CaseHint(const Token& t) {
  if (t.kind != TokKind::kName) return "";
  std::string lower = t.text;
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (lower == t.text || !(IsReserved(lower) || IsEventClause(lower))) return "";
  return " (keywords are lowercase: write '" + lower + "')";
}

class Parser {
 public:
  explicit Parser(std::string_view text) : lexer_(text) {}

  Result<json> Run() {
    frames_.emplace_back();
    if (Peek().kind == TokKind::kEnd) {
      return Error{ErrorCode::kSyntax, PosText(Peek().pos),
                   "the rule is empty; write a condition such as age >= 18"};
    }
    bool done = false;
    while (!done) {
      const Token& t = Peek();
      if (t.kind == TokKind::kError) return Error{t.code, PosText(t.pos), t.text};
      Frame& f = frames_.back();
      bool ok = false;
      switch (f.stage) {
        case Stage::kObjectKey: ok = StepObjectKey(); break;
        case Stage::kEventItem: ok = StepEventItem(); break;
        case Stage::kExpr: ok = f.expr.want_operand ? StepOperand() : StepOperator(&done); break;
      }
      if (!ok) return *error_;
    }
    return std::move(result_);
  }

 private:
  const Token& Peek(size_t n = 0) {
    while (ahead_.size() <= n) ahead_.push_back(lexer_.Next());
    return ahead_[n];
  }
  Token Take() {
    Peek();
    Token t = std::move(ahead_.front());
    ahead_.pop_front();
    return t;
  }
  static bool IsSymbol(const Token& t, std::string_view s) {
    return t.kind == TokKind::kSymbol && t.text == s;
  }
  static bool IsWord(const Token& t, std::string_view w) {
    return t.kind == TokKind::kName && t.text == w;
  }

  bool Fail(Pos pos, std::string message, ErrorCode code = ErrorCode::kSyntax) {
    error_ = Error{code, PosText(pos), std::move(message)};
    return false;
  }
  // "expected X, found Y", or the lexer's own message when Y is a bad token.
  bool FailAt(const Token& t, const std::string& expected) {
    if (t.kind == TokKind::kError) return Fail(t.pos, t.text, t.code);
    return Fail(t.pos, "expected " + expected + ", found " + Describe(t) + CaseHint(t));
  }
  // The current construct did not get its closing bracket.
  bool FailUnclosed(const Token& t, std::string_view closer) {
    if (t.kind == TokKind::kError) return Fail(t.pos, t.text, t.code);
    const Frame& f = frames_.back();
    std::string message = "expected ";
    if (f.kind != FrameKind::kParen && t.kind != TokKind::kEnd) message += "',' or ";
    message += "'" + std::string(closer) + "' to close '" + f.label + "' opened at " + PosText(f.open);
    if (t.kind != TokKind::kEnd) message += ", found " + Describe(t) + CaseHint(t);
    return Fail(t.pos, std::move(message));
  }
  bool TooDeep(Pos pos) {
    return Fail(pos, "the rule is nested more than 128 levels deep here; split it into simpler parts",
                ErrorCode::kTooDeep);
  }
  bool CheckDepth(int depth, Pos pos) { return depth <= kMaxDepth || TooDeep(pos); }

  bool Open(FrameKind kind, Stage stage, Pos pos, std::string label) {
    int& count = IsBracket(kind) ? brackets_ : ifs_;
    if (count + 1 > kMaxDepth) return TooDeep(pos);
    ++count;
    frames_.emplace_back();
    Frame& f = frames_.back();
    f.kind = kind;
    f.stage = stage;
    f.open = pos;
    f.label = std::move(label);
    f.items = kind == FrameKind::kObject || kind == FrameKind::kEvents ? json::object() : json::array();
    return true;
  }

  // Pops the finished top frame; its value becomes an operand of the parent.
  bool Close() {
    Frame& f = frames_.back();
    json value;
    int depth = 0;
    switch (f.kind) {
      case FrameKind::kCall:
        depth = f.depth + 1;
        value = MakeOp(std::string_view(f.label).substr(0, f.label.size() - 1), std::move(f.items));
        break;
      case FrameKind::kArray:
        depth = f.depth + 1;
        value = std::move(f.items);
        break;
      case FrameKind::kObject:
        depth = ObjectDepth(f.items, f.depth);
        value = std::move(f.items);
        break;
      case FrameKind::kIf:
        depth = f.depth + 1;
        value = MakeOp("if", std::move(f.items));
        break;
      case FrameKind::kEvents: {
        depth = ObjectDepth(f.items, f.depth) + 1;
        json args = json::array();
        args.push_back(std::move(f.items));
        value = MakeOp("events", std::move(args));
        break;
      }
      case FrameKind::kTop:
      case FrameKind::kParen:
        break;  // never closed this way
    }
    if (!CheckDepth(depth, f.open)) return false;
    --(IsBracket(f.kind) ? brackets_ : ifs_);
    frames_.pop_back();
    return Push(Operand{std::move(value), depth, -1});
  }

  // f(), [], {}, events() and trailing commas: close at once if `closer` follows.
  bool CloseIfEmpty(std::string_view closer) {
    if (!IsSymbol(Peek(), closer)) return true;
    Take();
    return Close();
  }

  bool Push(Operand v) {
    Expr& e = frames_.back().expr;
    e.operands.push_back(std::move(v));
    e.want_operand = false;
    return true;
  }

  bool PushNumber(const std::string& text, Pos pos) {
    // nlohmann's own parser decides int / unsigned / float exactly as it does
    // for JSON text, which is what makes numbers round-trip.
    try {
      return Push(Operand{json::parse(text), 0, -1});
    } catch (const json::exception&) {
      return Fail(pos, "the number " + text + " is too large");
    }
  }

  // The expression wants a value (or a prefix operator).
  bool StepOperand() {
    const Token& t = Peek();
    const Pos pos = t.pos;
    switch (t.kind) {
      case TokKind::kNumber: return PushNumber(Take().text, pos);
      case TokKind::kString: return Push(Operand{json(Take().text), 0, -1});
      case TokKind::kDuration:
        return Fail(pos, "'" + t.text +
                             "' is a duration, which can only follow 'within' or 'half_life' in "
                             "events(...); write \"" + t.text + "\" for the text");
      case TokKind::kName: return StepWord();
      case TokKind::kSymbol: break;
      default: return FailAt(t, "a value");
    }
    const std::string symbol = t.text;
    // "-5" is the number -5, matching JSON; "-(5)" or "-x" is the operation.
    if (symbol == "-" && Peek(1).kind == TokKind::kNumber) {
      Take();
      return PushNumber("-" + Take().text, pos);
    }
    const int prefix = symbol == "-"    ? kNeg
                       : symbol == "+"  ? kPlus
                       : symbol == "!"  ? kBang
                       : symbol == "!!" ? kBangBang
                                        : -1;
    if (prefix >= 0) {
      Take();
      frames_.back().expr.ops.push_back({prefix, pos});
      return true;
    }
    if (symbol == "(") {
      Take();
      return Open(FrameKind::kParen, Stage::kExpr, pos, "(");
    }
    if (symbol == "[") {
      Take();
      if (!Open(FrameKind::kArray, Stage::kExpr, pos, "[")) return false;
      return CloseIfEmpty("]");
    }
    if (symbol == "{") {
      Take();
      if (!Open(FrameKind::kObject, Stage::kObjectKey, pos, "{")) return false;
      return CloseIfEmpty("}");
    }
    return FailAt(t, "a value");
  }

  // A name where a value is wanted: keyword, call, events(...) or var path.
  bool StepWord() {
    const std::string word = Peek().text;
    const Pos pos = Peek().pos;
    if (word == "true" || word == "false" || word == "null") {
      Take();
      return Push(Operand{word == "null" ? json(nullptr) : json(word == "true"), 0, -1});
    }
    if (word == "not") {
      // Like Python, `a == not b` is rejected rather than guessed at.
      const Expr& e = frames_.back().expr;
      if (!e.ops.empty() && kOps[e.ops.back().op].prec > kPrecNot) {
        return Fail(pos, "put 'not ...' in parentheses here, e.g. a == (not b)");
      }
      Take();
      frames_.back().expr.ops.push_back({kNot, pos});
      return true;
    }
    if (word == "if") {
      Take();
      return Open(FrameKind::kIf, Stage::kExpr, pos, "if");
    }
    if (IsReserved(word)) return FailAt(Peek(), "a value");
    if (IsSymbol(Peek(1), "(")) {
      Take();
      Take();
      if (word == "events") {
        if (!Open(FrameKind::kEvents, Stage::kEventItem, pos, "events(")) return false;
      } else if (!Open(FrameKind::kCall, Stage::kExpr, pos, word + "(")) {
        return false;
      }
      return CloseIfEmpty(")");
    }
    Take();
    return Push(Operand{MakeOp("var", word), 1, -1});
  }

  // The expression has a value: a binary operator continues it, anything
  // else ends it and goes to the enclosing construct.
  bool StepOperator(bool* done) {
    Expr& e = frames_.back().expr;
    const Token& t = Peek();
    const int op = BinaryOpOf(t);
    if (op >= 0) {
      while (!e.ops.empty() && kOps[e.ops.back().op].prec >= kOps[op].prec) {
        if (!Reduce(e)) return false;
      }
      e.ops.push_back({op, t.pos});
      e.want_operand = true;
      Take();
      return true;
    }
    while (!e.ops.empty()) {
      if (!Reduce(e)) return false;
    }
    Operand v = std::move(e.operands.back());
    e.operands.clear();
    e.want_operand = true;
    return EndExpr(std::move(v), done);
  }

  // Applies the operator on top of the stack to its operands.
  bool Reduce(Expr& e) {
    const PendingOp p = e.ops.back();
    e.ops.pop_back();
    const OpInfo& info = kOps[p.op];
    if (p.op >= kFirstPrefix) {
      Operand& x = e.operands.back();
      json args = json::array();
      args.push_back(std::move(x.value));
      x = Operand{MakeOp(info.json_name, std::move(args)), x.depth + 1, -1};
      return CheckDepth(x.depth, p.pos);
    }
    Operand right = std::move(e.operands.back());
    e.operands.pop_back();
    Operand& left = e.operands.back();
    if (info.nary && left.chain == p.op) {  // a + b + c: one "+" with three arguments
      left.value.begin()->push_back(std::move(right.value));
      left.depth = std::max(left.depth, right.depth + 1);
      return CheckDepth(left.depth, p.pos);
    }
    if (info.prec == kPrecCompare && left.chain >= 0 && kOps[left.chain].prec == kPrecCompare) {
      return Fail(p.pos, "'" + std::string(kOps[left.chain].text) + "' and '" +
                             std::string(info.text) +
                             "' cannot be chained; add parentheses, e.g. (a < b) == c");
    }
    json args = json::array();
    args.push_back(std::move(left.value));
    args.push_back(std::move(right.value));
    const int depth = 1 + std::max(left.depth, right.depth);
    left = Operand{MakeOp(info.json_name, std::move(args)), depth, p.op};
    return CheckDepth(depth, p.pos);
  }

  // An expression ended at the current token; hand its value to the frame.
  bool EndExpr(Operand v, bool* done) {
    switch (frames_.back().kind) {
      case FrameKind::kTop: return EndRule(std::move(v), done);
      case FrameKind::kParen: return EndParen(std::move(v));
      case FrameKind::kCall:
      case FrameKind::kArray:
      case FrameKind::kObject: return EndListItem(std::move(v));
      case FrameKind::kIf: return EndIfPart(std::move(v));
      case FrameKind::kEvents: {  // the expression after `where`
        Frame& f = frames_.back();
        f.depth = std::max(f.depth, v.depth);
        f.items["where"] = std::move(v.value);
        return AfterEventItem();
      }
    }
    return true;
  }

  bool EndRule(Operand v, bool* done) {
    const Token& t = Peek();
    if (t.kind == TokKind::kEnd) {
      result_ = std::move(v.value);
      *done = true;
      return true;
    }
    if (IsSymbol(t, ")") || IsSymbol(t, "]") || IsSymbol(t, "}")) {
      return Fail(t.pos, "'" + t.text + "' has no matching opening bracket");
    }
    return Fail(t.pos, "expected an operator such as 'and', '==' or '+' before " + Describe(t) +
                           CaseHint(t));
  }

  bool EndParen(Operand v) {
    const Token& t = Peek();
    if (!IsSymbol(t, ")")) return FailUnclosed(t, ")");
    Take();
    --brackets_;
    frames_.pop_back();
    return Push(Operand{std::move(v.value), v.depth, -1});  // (a + b) + c stays nested
  }

  // An argument, array element or object value ended: ',' or the closer.
  bool EndListItem(Operand v) {
    Frame& f = frames_.back();
    const Token& t = Peek();
    const std::string_view closer =
        f.kind == FrameKind::kCall ? ")" : f.kind == FrameKind::kArray ? "]" : "}";
    const bool comma = IsSymbol(t, ",");
    if (!comma && !IsSymbol(t, closer)) return FailUnclosed(t, closer);
    Take();
    f.depth = std::max(f.depth, v.depth);
    if (f.kind == FrameKind::kObject) {
      f.items[f.key] = std::move(v.value);
      f.stage = Stage::kObjectKey;
    } else {
      f.items.push_back(std::move(v.value));
    }
    return comma ? CloseIfEmpty(closer) : Close();  // after a comma: a trailing comma?
  }

  // A condition or branch of if ... then ... else ended.
  bool EndIfPart(Operand v) {
    Frame& f = frames_.back();
    const Token& t = Peek();
    f.depth = std::max(f.depth, v.depth);
    f.items.push_back(std::move(v.value));
    if (f.in_else) return Close();
    if (f.items.size() % 2 == 1) {  // a condition just ended
      if (!IsWord(t, "then")) {
        return Fail(t.pos, "expected 'then' after the condition of 'if' at " + PosText(f.open) +
                               ", found " + Describe(t) + CaseHint(t));
      }
      Take();
      return true;
    }
    if (!IsWord(t, "else")) return Close();  // if c then a, without else
    Take();
    if (IsWord(Peek(), "if")) {
      Take();  // else if: the chain continues in this same "if"
    } else {
      f.in_else = true;
    }
    return true;
  }

  bool StepObjectKey() {
    Frame& f = frames_.back();
    const Token& t = Peek();
    if (t.kind != TokKind::kString && t.kind != TokKind::kName) {
      return FailAt(t, "a key in quotes, such as \"type\"");
    }
    Token key = Take();
    if (f.items.contains(key.text)) {
      return Fail(key.pos, "the key " + json(key.text).dump(-1, ' ', false, json::error_handler_t::replace) +
                               " appears twice in this object");
    }
    if (!IsSymbol(Peek(), ":")) return FailAt(Peek(), "':' after the key");
    Take();
    f.key = std::move(key.text);
    f.stage = Stage::kExpr;
    return true;
  }

  // An event type or a string after a clause keyword: a path token or a string.
  bool TakeName(const std::string& expected, std::string* out) {
    const Token& t = Peek();
    if (t.kind != TokKind::kName && t.kind != TokKind::kString) return FailAt(t, expected);
    *out = Take().text;
    return true;
  }

  // One item of events(...): the event type, or a clause such as within 30d.
  bool StepEventItem() {
    Frame& f = frames_.back();
    const Token& t = Peek();
    const bool has_type = f.items.contains("type");
    // A clause keyword followed by ',' or ')' is an event type named "within"
    // etc.; the formatter quotes such names, so this is only for people.
    const bool next_ends = IsSymbol(Peek(1), ",") || IsSymbol(Peek(1), ")");
    if (t.kind == TokKind::kName && IsEventClause(t.text) && (has_type || !next_ends)) {
      const Token keyword = Take();
      if (f.items.contains(keyword.text)) {
        return Fail(keyword.pos, "'" + keyword.text + "' is given twice in '" + f.label + "' opened at " +
                                     PosText(f.open));
      }
      if (keyword.text == "where") {
        f.stage = Stage::kExpr;
        return true;
      }
      std::string value;
      if (keyword.text == "within" || keyword.text == "half_life") {
        const Token& d = Peek();
        if (d.kind != TokKind::kDuration && d.kind != TokKind::kString) {
          return FailAt(d, "a duration such as 30d, 12h or 2w after '" + keyword.text + "'");
        }
        f.items[keyword.text] = Take().text;
      } else if (keyword.text == "agg") {
        if (!TakeName("count, sum, avg, min, max, distinct, first_ts, last_ts or exists after 'agg'",
                      &value)) {
          return false;
        }
        f.items["agg"] = value;
        if (IsWord(Peek(), "of")) {
          const Pos of = Take().pos;
          if (f.items.contains("field")) return Fail(of, "'field' is given twice in '" + f.label + "'");
          if (!TakeName("a field name after 'of'", &value)) return false;
          f.items["field"] = value;
        }
      } else {  // field
        if (!TakeName("a field name after 'field'", &value)) return false;
        f.items["field"] = value;
      }
      return AfterEventItem();
    }
    if (!has_type && (t.kind == TokKind::kName || t.kind == TokKind::kString || IsSymbol(t, "["))) {
      return TakeEventType() && AfterEventItem();
    }
    return FailAt(t, std::string(has_type ? "" : "an event type or ") +
                         "one of within, where, agg, field, half_life in '" + f.label + "' opened at " +
                         PosText(f.open));
  }

  // order_paid, "order paid" or [order_paid, refund].
  bool TakeEventType() {
    Frame& f = frames_.back();
    std::string name;
    if (!IsSymbol(Peek(), "[")) {
      if (!TakeName("an event type", &name)) return false;
      f.items["type"] = name;
      return true;
    }
    const Pos open = Take().pos;
    json types = json::array();
    while (!IsSymbol(Peek(), "]")) {
      if (!TakeName("an event type", &name)) return false;
      types.push_back(name);
      if (IsSymbol(Peek(), ",")) {
        Take();
      } else if (!IsSymbol(Peek(), "]")) {
        return FailAt(Peek(), "',' or ']' to close the list of event types opened at " + PosText(open));
      }
    }
    Take();
    f.items["type"] = std::move(types);
    f.depth = std::max(f.depth, 1);
    return true;
  }

  // After an events(...) item: ',' and the next item, or ')'.
  bool AfterEventItem() {
    Frame& f = frames_.back();
    f.stage = Stage::kEventItem;
    const Token& t = Peek();
    if (IsSymbol(t, ",")) {
      Take();
      return CloseIfEmpty(")");  // a trailing comma
    }
    if (IsSymbol(t, ")")) {
      Take();
      return Close();
    }
    return FailUnclosed(t, ")");
  }

  Lexer lexer_;
  std::deque<Token> ahead_;
  std::deque<Frame> frames_;  // deque: a reference to a frame survives pushes
  int brackets_ = 0;          // open (, f(, [, {, events(
  int ifs_ = 0;               // open if ... then ... else
  std::optional<Error> error_;
  json result_;
};

// Reports the first byte that is not UTF-8, at its line:column.
std::optional<Error> CheckUtf8(std::string_view text) {
  Pos pos;
  size_t i = 0;
  while (i < text.size()) {
    const std::optional<char32_t> c = DecodeUtf8(text, &i);
    if (!c) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      const unsigned b = static_cast<unsigned char>(text[i]);
      return Error{ErrorCode::kInvalidUtf8, PosText(pos),
                   std::string("the text is not valid UTF-8 here (byte 0x") + kHex[b >> 4] + kHex[b & 15] +
                       "); save it as UTF-8"};
    }
    if (*c == '\n') {
      ++pos.line;
      pos.column = 1;
    } else {
      ++pos.column;
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- formatter

// How a JSON value will be written, decided from that node alone.
struct Shape {
  enum Kind { kLiteral, kVar, kInfix, kPrefix, kIf, kEvents, kCall, kBrace };
  Kind kind = kLiteral;
  int op = -1;             // kInfix, kPrefix: the OpId
  int prec = kPrecPrimary;
};

// events(...) sugar covers exactly the documented members with string values
// (any rule for `where`); anything else is written as its JSON object.
bool IsEventsSugar(const json& args) {
  if (args.size() != 1 || !args[0].is_object()) return false;
  for (const auto& [key, value] : args[0].items()) {
    if (key == "where") continue;
    if (key == "type") {
      if (value.is_string()) continue;
      if (!value.is_array()) return false;
      for (const json& t : value) {
        if (!t.is_string()) return false;
      }
      continue;
    }
    if (!(key == "within" || key == "half_life" || key == "agg" || key == "field")) return false;
    if (!value.is_string()) return false;
  }
  return true;
}

Shape ShapeOf(const json& j) {
  if (!j.is_object() || j.size() != 1) return {};
  const auto it = j.begin();
  const std::string& name = it.key();
  const json& args = it.value();
  if (!args.is_array()) {  // {"op": x}: only {"var": "path"} has a short form
    if (name == "var" && args.is_string() && IsBarePath(args.get_ref<const std::string&>())) {
      return {Shape::kVar, -1, kPrecPrimary};
    }
    return {Shape::kBrace, -1, kPrecPrimary};
  }
  const size_t n = args.size();
  for (int op = 0; op < kFirstPrefix; ++op) {
    if (kOps[op].json_name == name && (kOps[op].nary ? n >= 2 : n == 2)) {
      return {Shape::kInfix, op, kOps[op].prec};
    }
  }
  if (n == 1) {
    const int prefix = name == "!" ? kNot : name == "!!" ? kBangBang : name == "-" ? kNeg
                                                       : name == "+"  ? kPlus
                                                                      : -1;
    if (prefix >= 0) return {Shape::kPrefix, prefix, kOps[prefix].prec};
  }
  if (name == "if" && n >= 2) return {Shape::kIf, -1, kPrecIf};
  if (name == "events") return {IsEventsSugar(args) ? Shape::kEvents : Shape::kBrace, -1, kPrecPrimary};
  if (IsBarePath(name)) return {Shape::kCall, -1, kPrecPrimary};
  return {Shape::kBrace, -1, kPrecPrimary};
}

// Inverse of the parser's reductions: the first operand of `op` needs
// parentheses if it binds looser, or if it is the same n-ary operator (which
// the parser would merge: (a + b) + c is not a + b + c), or if both are
// comparisons (which may not be chained unparenthesized).
bool LeftNeedsParens(int op, const Shape& child) {
  const OpInfo& info = kOps[op];
  if (info.prec == kPrecCompare) return child.prec <= kPrecCompare;
  if (child.prec < info.prec) return true;
  return child.kind == Shape::kInfix && child.op == op && info.nary;
}

class Formatter {
 public:
  Result<std::string> Run(const json& rule) {
    std::vector<Item> stack;
    stack.push_back(Item{&rule, "", 1, 0, -1});
    std::string out;
    std::vector<Item> pieces;
    while (!stack.empty()) {
      Item item = std::move(stack.back());
      stack.pop_back();
      if (item.node == nullptr) {
        out += item.text;
        continue;
      }
      pieces.clear();
      if (!Expand(item, &pieces)) return *error_;
      for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) stack.push_back(std::move(*it));
    }
    return out;
  }

 private:
  struct Item {
    const json* node = nullptr;  // the value to write, or null to write `text`
    std::string text;
    int level = 0;     // the node's level in the sense of JsonDepth (root 1)
    int brackets = 0;  // brackets open around the node in the output
    int path = -1;     // index into segments_ (-1: the root)
  };

  int Segment(int parent, std::string token) {
    segments_.emplace_back(parent, std::move(token));
    return static_cast<int>(segments_.size()) - 1;
  }
  std::string PathOf(int index) const {
    std::vector<const std::string*> tokens;
    for (int i = index; i >= 0; i = segments_[i].first) tokens.push_back(&segments_[i].second);
    std::string path;
    for (auto it = tokens.rbegin(); it != tokens.rend(); ++it) path = JoinPointer(path, **it);
    return path;
  }
  bool Fail(ErrorCode code, int path, std::string message) {
    error_ = Error{code, PathOf(path), std::move(message)};
    return false;
  }
  bool TooDeep(int path) {
    return Fail(ErrorCode::kTooDeep, path,
                "the rule is nested more than 128 levels deep here, more than the text form allows");
  }

  static void Text(std::vector<Item>* out, std::string text) {
    Item item;
    item.text = std::move(text);
    out->push_back(std::move(item));
  }
  static void Child(std::vector<Item>* out, const json& node, int level, int brackets, int path) {
    out->push_back(Item{&node, "", level, brackets, path});
  }
  // A child operand, in parentheses when `parens`.
  bool Operand(std::vector<Item>* out, const json& node, int level, int brackets, int path, bool parens) {
    if (!parens) {
      Child(out, node, level, brackets, path);
      return true;
    }
    if (brackets + 1 > kMaxDepth) return TooDeep(path);
    Text(out, "(");
    Child(out, node, level, brackets + 1, path);
    Text(out, ")");
    return true;
  }
  // Elements separated by ", "; `brackets` already counts the enclosing ones.
  void List(std::vector<Item>* out, const json& array, int level, int brackets, int path) {
    for (size_t i = 0; i < array.size(); ++i) {
      if (i > 0) Text(out, ", ");
      Child(out, array[i], level, brackets, Segment(path, std::to_string(i)));
    }
  }

  bool Quote(const std::string& s, int path, std::string* out) {
    try {
      *out = json(s).dump(-1, ' ', false, json::error_handler_t::strict);
      return true;
    } catch (const json::exception&) {
      return Fail(ErrorCode::kInvalidUtf8, path, "this text is not valid UTF-8");
    }
  }
  // A name inside events(...): bare when the parser reads it back as a name.
  bool EventName(const std::string& s, int path, std::string* out) {
    if (IsBarePath(s) && !IsEventClause(s) && s != "of") {
      *out = s;
      return true;
    }
    return Quote(s, path, out);
  }
  bool Duration(const std::string& s, int path, std::string* out) {
    if (IsDurationToken(s)) {
      *out = s;
      return true;
    }
    return Quote(s, path, out);
  }

  bool Expand(const Item& item, std::vector<Item>* out) {
    const json& j = *item.node;
    switch (j.type()) {
      case json::value_t::null: Text(out, "null"); return true;
      case json::value_t::boolean: Text(out, j.get<bool>() ? "true" : "false"); return true;
      case json::value_t::number_integer:
      case json::value_t::number_unsigned: Text(out, j.dump()); return true;
      case json::value_t::number_float:
        if (!std::isfinite(j.get<double>())) {
          return Fail(ErrorCode::kInvalidRule, item.path, "NaN and infinity cannot be written in a rule");
        }
        Text(out, j.dump());  // shortest form that reads back as the same double, "1.0" stays float
        return true;
      case json::value_t::string: {
        std::string quoted;
        if (!Quote(j.get_ref<const std::string&>(), item.path, &quoted)) return false;
        Text(out, std::move(quoted));
        return true;
      }
      case json::value_t::array:
        if (item.level > kMaxDepth) return TooDeep(item.path);
        if (item.brackets + 1 > kMaxDepth) return TooDeep(item.path);
        Text(out, "[");
        List(out, j, item.level + 1, item.brackets + 1, item.path);
        Text(out, "]");
        return true;
      case json::value_t::object:
        if (item.level > kMaxDepth) return TooDeep(item.path);
        return j.size() == 1 ? Operation(item, out) : Object(item, out);
      default:
        return Fail(ErrorCode::kInvalidRule, item.path, "binary data cannot be written in a rule");
    }
  }

  // An object that is data (zero or several keys): {"a": 1, "b": x}.
  bool Object(const Item& item, std::vector<Item>* out) {
    if (item.brackets + 1 > kMaxDepth) return TooDeep(item.path);
    Text(out, "{");
    bool first = true;
    for (const auto& [key, value] : item.node->items()) {
      const int path = Segment(item.path, key);
      std::string quoted;
      if (!Quote(key, path, &quoted)) return false;
      Text(out, (first ? "" : ", ") + quoted + ": ");
      Child(out, value, item.level + 1, item.brackets + 1, path);
      first = false;
    }
    Text(out, "}");
    return true;
  }

  bool Operation(const Item& item, std::vector<Item>* out) {
    const json& j = *item.node;
    const std::string& name = j.begin().key();
    const json& args = j.begin().value();
    const Shape shape = ShapeOf(j);
    const int path = Segment(item.path, name);
    const int level = item.level + 1;  // of the arguments
    const int b = item.brackets;
    switch (shape.kind) {
      case Shape::kVar:
        Text(out, args.get<std::string>());
        return true;
      case Shape::kInfix: {
        const OpInfo& info = kOps[shape.op];
        for (size_t i = 0; i < args.size(); ++i) {
          if (i > 0) Text(out, " " + std::string(info.text) + " ");
          const Shape c = ShapeOf(args[i]);
          // Later operands group to the left, so they need parentheses at the same level.
          const bool parens = i == 0 ? LeftNeedsParens(shape.op, c) : c.prec <= info.prec;
          if (!Operand(out, args[i], level, b, Segment(path, std::to_string(i)), parens)) return false;
        }
        return true;
      }
      case Shape::kPrefix: {
        const Shape c = ShapeOf(args[0]);
        bool parens = c.prec < shape.prec;
        // -(5) is the operation; -5 would read back as the number.
        if (shape.op == kNeg && args[0].is_number()) parens = true;
        Text(out, std::string(kOps[shape.op].text));
        return Operand(out, args[0], level, b, Segment(path, "0"), parens);
      }
      case Shape::kIf:
        for (size_t i = 0; i < args.size(); ++i) {
          const bool last = i + 1 == args.size();
          Text(out, i == 0 ? "if " : i % 2 == 1 ? " then " : last ? " else " : " else if ");
          // A nested if always gets parentheses: unparenthesized it would take
          // the next `else`, or merge into an else-if chain.
          const bool parens = ShapeOf(args[i]).kind == Shape::kIf;
          if (!Operand(out, args[i], level, b, Segment(path, std::to_string(i)), parens)) return false;
        }
        return true;
      case Shape::kEvents:
        return Events(item, args[0], Segment(path, "0"), out);
      case Shape::kCall:
        if (b + 1 > kMaxDepth) return TooDeep(item.path);
        Text(out, name + "(");
        List(out, args, level, b + 1, path);
        Text(out, ")");
        return true;
      case Shape::kBrace: {
        // The universal form: the operation's own JSON object, whose value is
        // read as a rule (so [a, b] inside is an argument list of rules).
        std::string quoted;
        if (!Quote(name, item.path, &quoted)) return false;
        if (b + 1 > kMaxDepth) return TooDeep(item.path);
        Text(out, "{" + quoted + ": ");
        if (args.is_array()) {
          if (b + 2 > kMaxDepth) return TooDeep(item.path);
          Text(out, "[");
          List(out, args, level, b + 2, path);
          Text(out, "]");
        } else {
          Child(out, args, level, b + 1, path);
        }
        Text(out, "}");
        return true;
      }
      case Shape::kLiteral:
        break;
    }
    return Fail(ErrorCode::kInvalidRule, item.path, "internal error: unexpected operation shape");
  }

  // events(order_paid, within 30d, where amount > 20, agg sum of amount, half_life 7d)
  bool Events(const Item& item, const json& spec, int spec_path, std::vector<Item>* out) {
    const int b = item.brackets + 1;
    const int spec_level = item.level + 1;
    if (b > kMaxDepth || spec_level > kMaxDepth) return TooDeep(spec_path);
    // Level of a member, following JsonDepth for the spec object.
    const auto member_level = [&](const json& v) {
      return spec.size() == 1 && v.is_array() ? spec_level : spec_level + 1;
    };
    std::string text = "events(";
    bool first = true;
    const auto separate = [&]() {
      if (!first) text += ", ";
      first = false;
    };
    std::string word;
    if (const auto it = spec.find("type"); it != spec.end()) {
      const int path = Segment(spec_path, "type");
      separate();
      if (it->is_string()) {
        if (!EventName(it->get<std::string>(), path, &word)) return false;
        text += word;
      } else {
        if (member_level(*it) > kMaxDepth) return TooDeep(path);
        text += "[";
        for (size_t i = 0; i < it->size(); ++i) {
          if (!EventName((*it)[i].get<std::string>(), Segment(path, std::to_string(i)), &word)) return false;
          text += (i > 0 ? ", " : "") + word;
        }
        text += "]";
      }
    }
    if (const auto it = spec.find("within"); it != spec.end()) {
      if (!Duration(it->get<std::string>(), Segment(spec_path, "within"), &word)) return false;
      separate();
      text += "within " + word;
    }
    if (const auto it = spec.find("where"); it != spec.end()) {
      separate();
      Text(out, text + "where ");
      text.clear();
      Child(out, *it, member_level(*it), b, Segment(spec_path, "where"));
    }
    const auto agg = spec.find("agg");
    const auto field = spec.find("field");
    if (agg != spec.end()) {
      if (!EventName(agg->get<std::string>(), Segment(spec_path, "agg"), &word)) return false;
      separate();
      text += "agg " + word;
    }
    if (field != spec.end()) {  // agg sum of amount, or field amount alone
      if (!EventName(field->get<std::string>(), Segment(spec_path, "field"), &word)) return false;
      if (agg == spec.end()) separate();
      text += (agg != spec.end() ? " of " : "field ") + word;
    }
    if (const auto it = spec.find("half_life"); it != spec.end()) {
      if (!Duration(it->get<std::string>(), Segment(spec_path, "half_life"), &word)) return false;
      separate();
      text += "half_life " + word;
    }
    Text(out, text + ")");
    return true;
  }

  std::vector<std::pair<int, std::string>> segments_;  // JSON Pointer tokens, for error paths
  std::optional<Error> error_;
};

}  // namespace

Result<nlohmann::json> ParseRuleText(std::string_view text) {
  try {
    if (std::optional<Error> bad = CheckUtf8(text)) return *bad;
    Parser parser(text);
    return parser.Run();
  } catch (const std::exception&) {  // e.g. std::bad_alloc: report, never throw
    return Error{ErrorCode::kTooLarge, "1:1", "the rule could not be read: it is too large"};
  }
}

Result<std::string> FormatRule(const nlohmann::json& rule) {
  try {
    Formatter formatter;
    return formatter.Run(rule);
  } catch (const std::exception&) {
    return Error{ErrorCode::kTooLarge, "", "the rule could not be written as text: it is too large"};
  }
}

}  // namespace tagwise
