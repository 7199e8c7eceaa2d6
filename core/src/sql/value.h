// A compiled JsonLogic value in SQL: an expression and what the compiler
// knows of its JavaScript type, so coercions are written only where the type
// is not known. JsonLogic's semantics (truthiness, loose equality, Number(),
// parseFloat, relational comparison) become CASE expressions over the JSON
// value's type (core/src/common/js_value.h is the reference).
#ifndef TAGWISE_CORE_SRC_SQL_VALUE_H_
#define TAGWISE_CORE_SRC_SQL_VALUE_H_

#include <string>
#include <vector>

#include "sql/dialect.h"

namespace tagwise::sql {

enum class Kind {
  kBool,       // BOOLEAN, never NULL
  kNum,        // DOUBLE; SQL NULL stands for NaN
  kNumOrNull,  // DOUBLE; SQL NULL stands for JSON null (an average of no events),
               // the float NaN for NaN (round of a text that is no number)
  kStr,        // VARCHAR, never NULL
  kJson,       // the dialect's JSON value; SQL NULL stands for null/undefined
  kNull,       // JSON null
};

struct Val {
  Kind kind;
  std::string sql;
};

// Boolean SQL text with constant folding of TRUE/FALSE.
std::string And(const std::string& a, const std::string& b);
std::string Or(const std::string& a, const std::string& b);
std::string Not(const std::string& a);

class Values {
 public:
  explicit Values(const Dialect& d) : d_(d) {}

  Val Bool(bool b) const { return {Kind::kBool, b ? "TRUE" : "FALSE"}; }
  Val Num(double d) const;
  Val Str(const std::string& s) const { return {Kind::kStr, d_.String(s)}; }
  Val Null() const { return {Kind::kNull, "NULL"}; }

  // Type tests ("TRUE"/"FALSE" when the kind decides).
  std::string IsNull(const Val& v) const;
  std::string IsNum(const Val& v) const;
  std::string IsStr(const Val& v) const;
  std::string IsBool(const Val& v) const;
  // Views, meaningful where the matching test holds.
  std::string NumOf(const Val& v) const;
  std::string StrOf(const Val& v) const;
  std::string BoolOf(const Val& v) const;

  // JsonLogic truthiness (JS, except that [] is false).
  std::string Truthy(const Val& v) const;
  // JS Number(v) and parseFloat(String(v)), as kNum.
  Val ToNumber(const Val& v) const;
  Val ParseFloat(const Val& v) const;
  // JS String(v) for primitives, as kStr (refused for arrays by the caller).
  Val ToString(const Val& v) const;
  // JS == and ===, and a < b / a <= b after ToPrimitive.
  std::string LooseEquals(const Val& a, const Val& b) const;
  std::string StrictEquals(const Val& a, const Val& b) const;
  std::string Less(const Val& a, const Val& b, bool or_equal) const;
  // The value in the dialect's JSON type (for mixed `if` branches, defaults).
  Val ToJson(const Val& v) const;
  // The value as JSON text (VARCHAR), as the engine prints it: integers
  // without a fraction, NaN and infinities as null.
  std::string JsonText(const Val& v) const;
  // One kind for several branches: theirs when they agree, else kJson.
  std::vector<Val> Unify(const std::vector<Val>& vs) const;
  // Number(string) and parseFloat(string) of a VARCHAR.
  std::string StringToNumber(const std::string& s) const;
  std::string ParseFloatString(const std::string& s) const;
  const Dialect& dialect() const { return d_; }

 private:
  const Dialect& d_;
};

}  // namespace tagwise::sql

#endif  // TAGWISE_CORE_SRC_SQL_VALUE_H_
