// JavaScript value semantics over nlohmann::json, so rules give exactly what
// json-logic-js (the JsonLogic reference implementation) gives: truthiness,
// ToNumber/parseFloat/ToString coercions, loose and strict equality and
// relational comparison (strings compare by UTF-16 code units, as in JS).
#ifndef TAGWISE_CORE_SRC_COMMON_JS_VALUE_H_
#define TAGWISE_CORE_SRC_COMMON_JS_VALUE_H_

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tagwise/utf8.h"

namespace tagwise::js {

using json = nlohmann::json;

// JsonLogic truthiness: JS truthiness except that [] is falsy.
bool Truthy(const json& v);
// JS Number(v).
double ToNumber(const json& v);
// JS Number(string) (StringToNumber): trims whitespace, "" -> 0, hex/oct/bin, Infinity.
double StringToNumber(std::string_view s);
// JS parseFloat(String(v)), and parseFloat(s) of a string.
double ParseFloat(const json& v);
double ParseFloatString(std::string_view s);
// JS String(v) for JSON values (arrays join with ",", objects "[object Object]").
std::string ToString(const json& v);
void AppendString(const json& v, std::string* out);
// JS Number.prototype.toString() (shortest round-trip digits, JS exponent rules).
std::string NumberToString(double d);
// A JSON number from a double: integral values in the safe range become integers,
// so results print as JS prints them (2, not 2.0).
json MakeNumber(double d);
// JS == and === (objects/arrays compare by identity, passed as same_ref).
bool LooseEquals(const json& a, const json& b, bool same_ref);
bool StrictEquals(const json& a, const json& b, bool same_ref);
// JS a < b and a <= b after ToPrimitive.
bool LessThan(const json& a, const json& b);
bool LessOrEqual(const json& a, const json& b);
// JS comparison of two strings (UTF-16 code unit order): <0, 0 or >0.
int CompareStrings(std::string_view a, std::string_view b);
// Length of a UTF-8 string in UTF-16 code units (JS .length); see tagwise/utf8.h.
using ::tagwise::Utf16Length;
// JS String.prototype.substr on UTF-8 input, indexing UTF-16 code units.
std::string Substr(std::string_view s, double start, double length, bool has_length);
// JS String.prototype.indexOf(needle) != -1, in time linear in the two
// lengths: a rule's `in` may search an operator's or a shopper's long text.
bool Contains(std::string_view hay, std::string_view needle);
// True when s is well-formed UTF-8; see tagwise/utf8.h.
using ::tagwise::IsValidUtf8;

}  // namespace tagwise::js

#endif  // TAGWISE_CORE_SRC_COMMON_JS_VALUE_H_
