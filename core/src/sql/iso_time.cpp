// ISO 8601 text to ms since 1970 in SQL, by the grammar and arithmetic of
// ParseIsoDate (core/src/common/time_parse.cpp): YYYY-MM-DD, then optionally
// THH:MM[:SS[.fff]] and Z or +HH[:]MM. No zone means UTC. Written with
// substr/floor/regex only, so DuckDB, PostgreSQL and Spark give the same
// number whatever their session time zone, and impossible dates (02-30) are
// NULL rather than an error.
#include "sql/dialect.h"

namespace tagwise::sql {

namespace {

constexpr std::string_view kIso =
    R"([0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?(?:[Zz]|[+-][0-9]{2}:?[0-9]{2})?)?)";

}  // namespace

std::string Dialect::IsoToMs(const std::string& s) const {
  auto part = [&](int start, int length) { return ToDouble("substr(" + s + ", " + std::to_string(start) + ", " + std::to_string(length) + ")"); };
  const std::string y = part(1, 4), m = part(6, 2), d = part(9, 2);
  auto divisible = [&](const std::string& x, int k) {
    return "(" + x + " - " + std::to_string(k) + " * floor(" + x + " / " + std::to_string(k) + ") = 0)";
  };
  const std::string leap = "((" + divisible(y, 4) + " AND NOT " + divisible(y, 100) + ") OR " + divisible(y, 400) + ")";
  const std::string days_in_month = "CASE WHEN " + m + " = 2 THEN CASE WHEN " + leap + " THEN 29 ELSE 28 END WHEN " + m +
                                    " IN (4, 6, 9, 11) THEN 30 ELSE 31 END";
  // Days since 1970-01-01 (Howard Hinnant's days_from_civil, with floor on
  // DOUBLEs: every intermediate is a small whole number, so exact).
  const std::string yy = "(" + y + " - CASE WHEN " + m + " <= 2 THEN 1 ELSE 0 END)";
  const std::string era = "floor(" + yy + " / 400)";
  const std::string yoe = "(" + yy + " - " + era + " * 400)";
  const std::string doy = "floor((153 * (" + m + " + CASE WHEN " + m + " > 2 THEN -3 ELSE 9 END) + 2) / 5) + " + d + " - 1";
  const std::string doe = "(" + yoe + " * 365 + floor(" + yoe + " / 4) - floor(" + yoe + " / 100) + " + doy + ")";
  const std::string days = "(" + era + " * 146097 + " + doe + " - 719468)";
  // The time of day, when there is one (a 'T' at 11), and its zone.
  const std::string has_time = "length(" + s + ") > 10";
  const std::string hh = part(12, 2), mi = part(15, 2);
  const std::string has_seconds = "substr(" + s + ", 17, 1) = ':'";
  const std::string ss = "CASE WHEN " + has_seconds + " THEN " + part(18, 2) + " ELSE 0 END";
  const std::string fraction = "CASE WHEN " + FullMatch(s, R"(.{19}[.,][0-9]+.*)") + " THEN floor(" +
                               ToDouble("'0.' || " + Capture(s, R"(^.{20}([0-9]+))")) + " * 1000 + 1e-9) ELSE 0 END";
  const std::string zone = Capture(s, R"(([+-][0-9]{2}:?[0-9]{2})$)");
  const std::string has_offset = FullMatch(s, R"(.{16}.*[+-][0-9]{2}:?[0-9]{2})");
  const std::string oh = ToDouble("substr(" + zone + ", 2, 2)");
  const std::string om = ToDouble("substr(" + zone + ", length(" + zone + ") - 1, 2)");
  const std::string offset = "CASE WHEN " + has_offset + " THEN (CASE WHEN substr(" + zone + ", 1, 1) = '-' THEN -1 ELSE 1 END) * (" +
                             oh + " * 60 + " + om + ") * 60000 ELSE 0 END";
  const std::string valid = "(" + m + " BETWEEN 1 AND 12 AND " + d + " BETWEEN 1 AND " + days_in_month + " AND (NOT (" + has_time +
                            ") OR (" + hh + " <= 23 AND " + mi + " <= 59 AND " + ss + " <= 59 AND (NOT " + has_offset + " OR (" +
                            oh + " <= 23 AND " + om + " <= 59)))))";
  const std::string ms = days + " * 86400000 + CASE WHEN " + has_time + " THEN (" + hh + " * 3600 + " + mi + " * 60 + " + ss +
                         ") * 1000 + " + fraction + " - " + offset + " ELSE 0 END";
  return "CASE WHEN " + FullMatch(s, kIso) + " THEN CASE WHEN " + valid + " THEN " + ms + " END END";
}

}  // namespace tagwise::sql
