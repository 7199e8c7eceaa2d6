// The catalog as one SQL query (tagwise/sql.h):
//
//   ev    the events deduplicated by id (the engine keeps one delivery of an
//         id) and cut at as-of (evaluation at T never sees T+1)
//   agg   one GROUP BY user_id with a column per distinct `events` aggregate
//   s0    every user (users ∪ events) with attributes and aggregates
//   s1..  one step of the catalog's plan each (Catalog::plan(), as
//         Engine::RunSteps runs it): a tag's membership (its rule, or a
//         child's) and value, or an exclusive group's resolution
//   then  one row per held tag: (user_id, tag, value as JSON text)
#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "sql/dialect.h"
#include "sql/rule_sql.h"
#include "sql/value.h"
#include "tagwise/catalog.h"
#include "tagwise/sql.h"

namespace tagwise {

namespace {

// The current column of each tag's membership and value; a step that
// changes them (a group's resolution) adds new columns.
class StepColumns : public sql::TagColumns {
 public:
  StepColumns(const Catalog& catalog, const sql::Dialect& d) : catalog_(catalog), d_(d) {
    held_.resize(catalog.tags().size(), "FALSE");
    value_.resize(catalog.tags().size(), "NULL");
    raw_.resize(catalog.tags().size(), {sql::Kind::kNull, "NULL"});
  }
  std::string Held(const std::string& id) const override { return held_[Index(id)]; }
  // A plain tag's value is `true` while it is held; a number keeps its NaN
  // (the value's own column), anything else is read back from its JSON text.
  sql::Val Value(const std::string& id) const override {
    const size_t i = Index(id);
    const std::string held = held_[i];
    if (value_[i] == "NULL") return {sql::Kind::kJson, d_.ParseJson("CASE WHEN " + held + " THEN 'true' END")};
    const sql::Val& raw = raw_[i];
    if (raw.kind == sql::Kind::kNum) {
      return {sql::Kind::kNumOrNull, "CASE WHEN " + held + " THEN COALESCE(" + raw.sql + ", " + d_.NaN() + ") END"};
    }
    if (raw.kind == sql::Kind::kNumOrNull) return {sql::Kind::kNumOrNull, "CASE WHEN " + held + " THEN " + raw.sql + " END"};
    return {sql::Kind::kJson, d_.ParseJson(value_[i])};
  }
  std::string HeldAt(int i) const { return held_[static_cast<size_t>(i)]; }
  std::string ValueAt(int i) const { return value_[static_cast<size_t>(i)]; }
  void Set(int i, std::string held, std::string value) {
    held_[static_cast<size_t>(i)] = std::move(held);
    value_[static_cast<size_t>(i)] = std::move(value);
  }
  void SetRaw(int i, sql::Val raw) { raw_[static_cast<size_t>(i)] = std::move(raw); }

 private:
  size_t Index(const std::string& id) const { return static_cast<size_t>(catalog_.IndexOf(id)); }
  const Catalog& catalog_;
  const sql::Dialect& d_;
  std::vector<std::string> held_, value_;
  std::vector<sql::Val> raw_;
};

// The plan's steps as CTEs. A column joins the current step while it reads
// none of that step's columns, else it starts the next step: the query is as
// deep as the catalog's chains of references, not as long as the catalog
// (DuckDB stops at an expression depth of 1,000: one step per tag failed at
// about 340 tags with value rules; the retail catalog went from 52 steps to 26).
class Steps {
 public:
  void Add(const std::string& name, const std::string& expr) {
    for (const std::string& word : Words(expr)) {
      if (pending_names_.count(word) > 0) {
        Flush();
        break;
      }
    }
    pending_ += ",\n    " + expr + " AS " + name;
    pending_names_.insert(name);
  }
  std::vector<std::string> Take() {
    Flush();
    return std::move(steps_);
  }

 private:
  // The identifiers an expression names (runs of letters, digits and _).
  static std::unordered_set<std::string> Words(const std::string& expr) {
    std::unordered_set<std::string> out;
    size_t i = 0;
    while (i < expr.size()) {
      const auto word = [&](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
      if (!word(expr[i])) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < expr.size() && word(expr[j])) ++j;
      out.insert(expr.substr(i, j - i));
      i = j;
    }
    return out;
  }
  void Flush() {
    if (pending_.empty()) return;
    steps_.push_back("SELECT p.*" + pending_ + "\n  FROM %PREV% AS p");
    pending_.clear();
    pending_names_.clear();
  }
  std::vector<std::string> steps_;
  std::string pending_;
  std::unordered_set<std::string> pending_names_;
};

}  // namespace

bool ParseSqlDialect(std::string_view name, SqlDialect* out) {
  if (name == "duckdb") *out = SqlDialect::kDuckDb;
  else if (name == "postgres") *out = SqlDialect::kPostgres;
  else if (name == "spark") *out = SqlDialect::kSpark;
  else return false;
  return true;
}

SqlQuery CatalogToSql(const Catalog& catalog, const SqlOptions& options) {
  SqlQuery out;
  std::unique_ptr<sql::Dialect> d = sql::MakeDialect(options.dialect);
  sql::Values values(*d);
  sql::Aggregates aggregates;
  StepColumns columns(catalog, *d);
  SqlRules rules(values, options.as_of, &aggregates, &columns, &out.errors);
  const auto& tags = catalog.tags();

  Steps plan;
  int version = 0;
  for (const Catalog::Step& step : catalog.plan()) {
    if (step.kind == Catalog::Step::kGroup) {
      // Highest priority wins, then catalog order (Engine::RunSteps); the
      // others are suppressed, values and all.
      const GroupDef& g = catalog.groups()[static_cast<size_t>(step.index)];
      std::vector<std::pair<int, std::string>> next;
      for (int m : g.members) {
        std::string wins = columns.HeldAt(m);
        for (int o : g.members) {
          if (o == m) continue;
          const int po = tags[static_cast<size_t>(o)].priority, pm = tags[static_cast<size_t>(m)].priority;
          const bool before = std::find(g.members.begin(), g.members.end(), o) < std::find(g.members.begin(), g.members.end(), m);
          if (po > pm || (po == pm && before)) wins = sql::And(wins, sql::Not(columns.HeldAt(o)));
        }
        next.emplace_back(m, wins);
      }
      ++version;
      for (const auto& [m, wins] : next) {
        const std::string h = "h" + std::to_string(m) + "_" + std::to_string(version);
        plan.Add(h, wins);
        std::string v = columns.ValueAt(m);
        if (v != "NULL") {
          const std::string suppressed = "v" + std::to_string(m) + "_" + std::to_string(version);
          plan.Add(suppressed, "CASE WHEN " + wins + " THEN " + v + " END");
          v = suppressed;
        }
        columns.Set(m, h, v);
      }
      continue;
    }
    const int i = step.index;
    const TagDef& t = tags[static_cast<size_t>(i)];
    const std::string base = "/tags/" + std::to_string(i);
    if (t.server) {
      out.errors.push_back({base + "/source", "a server tag's membership comes from the snapshot, not the event log: it has no SQL form"});
      continue;
    }
    auto helpers = [&]() {
      for (const auto& [name, expr] : rules.TakeHelpers()) plan.Add(name, expr);
    };
    std::string held = t.when ? rules.Condition(*t.when, base + "/when") : "FALSE";
    helpers();
    for (int c : t.children) held = sql::Or(held, columns.HeldAt(c));
    ++version;
    const std::string h = "h" + std::to_string(i) + "_" + std::to_string(version);
    plan.Add(h, held);
    std::string v = "NULL";
    if (t.value) {
      // The value rule's raw result, then its JSON text while held. The
      // engine reports a held tag whose value is null as `true`, but a NaN
      // or infinite number as null: `q` remembers which.
      const sql::Val raw = rules.Value(*t.value, base + "/value");
      helpers();
      const std::string r = "r" + std::to_string(i);
      plan.Add(r, raw.sql);
      columns.SetRaw(i, {raw.kind, r});
      v = "v" + std::to_string(i) + "_" + std::to_string(version);
      std::string not_a_number = "FALSE";
      if (raw.kind == sql::Kind::kNum || raw.kind == sql::Kind::kNumOrNull) {
        not_a_number = "abs(" + r + ") = " + d->Infinity(false);
        if (raw.kind == sql::Kind::kNum) not_a_number = "(" + r + " IS NULL OR " + d->IsNaN(r) + " OR " + not_a_number + ")";
        else not_a_number = "(" + d->IsNaN(r) + " OR " + not_a_number + ")";
      }
      plan.Add(v, "CASE WHEN " + h + " THEN " + values.JsonText({raw.kind, r}) + " END");
      plan.Add("q" + std::to_string(i), "COALESCE(" + not_a_number + ", FALSE)");
    }
    columns.Set(i, h, v);
  }
  if (!out.errors.empty()) return out;
  const std::vector<std::string> steps = plan.Take();

  const std::string events = d->Ident(options.events_table), users = d->Ident(options.users_table);
  std::string props;
  for (size_t k = 0; k < aggregates.props().size(); ++k) {
    props += ", " + d->JsonAt("props", aggregates.props()[k]) + " AS p" + std::to_string(k);
  }
  // The deduplicated events are `ev`, or `ev0` under an `ev` that adds what
  // several aggregates read of each event, computed once.
  const bool derived = !aggregates.event_exprs().empty();
  std::string q = "WITH " + std::string(derived ? "ev0" : "ev") + " AS (\n  SELECT user_id, type, ts" + props + " FROM (\n    SELECT e.user_id, e.type, e.ts, e.props,\n"
                  "      row_number() OVER (PARTITION BY e.user_id, coalesce(nullif(e.id, ''), e.type || ':' || " +
                  d->BigintText("e.ts") + " || ':' || " + d->JsonRaw("e.props") +
                  ") ORDER BY e.ts, e.type) AS delivery\n    FROM " + events +
                  " AS e\n  ) AS d\n  WHERE delivery = 1 AND ts <= " + std::to_string(options.as_of) + "\n)";
  if (derived) {
    std::string columns;
    for (size_t k = 0; k < aggregates.event_exprs().size(); ++k) {
      columns += ",\n    " + aggregates.event_exprs()[k] + " AS c" + std::to_string(k);
    }
    q += ",\nev AS (\n  SELECT ev0.*" + columns + "\n  FROM ev0\n)";
  }
  std::string agg_columns;
  for (size_t k = 0; k < aggregates.exprs().size(); ++k) {
    agg_columns += ",\n    " + aggregates.exprs()[k] + " AS a" + std::to_string(k);
  }
  q += ",\nagg AS (\n  SELECT user_id" + agg_columns + "\n  FROM ev\n  GROUP BY user_id\n)";
  std::string pick;
  for (size_t k = 0; k < aggregates.exprs().size(); ++k) pick += ", agg.a" + std::to_string(k);
  q += ",\ns0 AS (\n  SELECT k.user_id, u.attributes" + pick + "\n  FROM (SELECT user_id FROM " + users +
       " UNION SELECT user_id FROM " + events + ") AS k\n  LEFT JOIN " + users +
       " AS u ON u.user_id = k.user_id\n  LEFT JOIN agg ON agg.user_id = k.user_id\n)";
  for (size_t k = 0; k < steps.size(); ++k) {
    std::string body = steps[k];
    body.replace(body.find("%PREV%"), 6, "s" + std::to_string(k));
    q += ",\ns" + std::to_string(k + 1) + " " + d->StepAs() + "\n  " + body + "\n)";
  }
  std::vector<sql::Dialect::Column> unpivot;
  for (size_t i = 0; i < tags.size(); ++i) {
    const std::string v = columns.ValueAt(static_cast<int>(i));
    // A held tag whose value is null is reported as `true` (TaggedProfile).
    unpivot.push_back({d->String(tags[i].id), columns.HeldAt(static_cast<int>(i)),
                       v == "NULL" ? "'true'"
                                   : "CASE WHEN f.q" + std::to_string(i) + " THEN 'null' ELSE coalesce(nullif(f." + v +
                                         ", 'null'), 'true') END"});
    unpivot.back().held = unpivot.back().held == "FALSE" || unpivot.back().held == "TRUE" ? unpivot.back().held : "f." + unpivot.back().held;
  }
  if (unpivot.empty()) {
    q += "\nSELECT user_id, CAST(NULL AS VARCHAR) AS tag, CAST(NULL AS VARCHAR) AS value FROM s0 WHERE FALSE";
  } else {
    q += "\n" + d->Unpivot("s" + std::to_string(steps.size()), unpivot);
  }
  out.sql = std::move(q);
  return out;
}

}  // namespace tagwise
