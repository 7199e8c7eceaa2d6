// The `events` aggregate: count / sum / avg / min / max / distinct /
// first_ts / last_ts / exists over a profile's events in a time window,
// optionally filtered by a `where` rule and decayed by a half-life.
//
// Cost: the profile keeps per-type indices sorted by time, so a windowed
// aggregate binary-searches its window and touches only matching events.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <string>

#include "rules/evaluator.h"
#include "common/js_value.h"

namespace tagwise {

using nlohmann::json;

namespace {

constexpr int64_t kDayMs = 86'400'000;

const json* PropAt(const json& props, const std::vector<std::string>& path) {
  const json* cur = &props;
  for (const std::string& seg : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(seg);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

struct Accumulator {
  Accumulator(const EventsSpec& s, int64_t n) : spec(s), now(n) {}

  const EventsSpec& spec;
  int64_t now;
  double count = 0;  // decayed when half_life is set
  double sum = 0;
  double plain_count = 0;  // events contributing a number (avg denominator)
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  int64_t first_ts = std::numeric_limits<int64_t>::max();
  int64_t last_ts = std::numeric_limits<int64_t>::min();
  // distinct: strings and other values (as JSON text) apart, so that "1"
  // and 1 are two values without a prefixed copy of every string.
  std::set<std::string> distinct_strings;
  std::set<std::string> distinct_other;
  bool any = false;
  int64_t matched = 0;  // events (and rolled-up events) counted, undecayed

  double Weight(int64_t ts) const {
    if (!spec.half_life_ms) return 1.0;
    // 0.5^x as exp2(-x): equal up to the last bit's rounding, and no pow
    // (with its 4 KB table) in the page module, which has exp's table.
    return std::exp2(-(static_cast<double>(now - ts) / static_cast<double>(*spec.half_life_ms)));
  }

  void AddEvent(const Event& e) {
    any = true;
    ++matched;
    double w = Weight(e.ts);
    count += w;
    first_ts = std::min(first_ts, e.ts);
    last_ts = std::max(last_ts, e.ts);
    if (spec.field.empty()) return;
    const json* v = PropAt(e.props, spec.field);
    if (v == nullptr || v->is_null()) return;
    if (spec.agg == Agg::kDistinct) {
      if (v->is_string()) distinct_strings.insert(v->get_ref<const std::string&>());
      else distinct_other.insert(v->dump(-1, ' ', false, json::error_handler_t::replace));
      return;
    }
    double d = js::ToNumber(*v);
    if (std::isnan(d)) return;
    sum += w * d;
    plain_count += 1;
    min = std::min(min, d);
    max = std::max(max, d);
  }

  // `n` events of one type, in time order from `first` to `last`, that
  // weigh 1 and read no field (CountsWithoutVisiting).
  void AddRange(int64_t n, int64_t first, int64_t last) {
    if (n <= 0) return;
    any = true;
    matched += n;
    count += static_cast<double>(n);
    first_ts = std::min(first_ts, first);
    last_ts = std::max(last_ts, last);
  }

  // A compacted day: counts and sums only (no props, so no min/max/distinct).
  void AddRollup(const DayRollup& r) {
    if (r.count <= 0) return;
    any = true;
    matched += r.count;
    double w = Weight(r.day_start + kDayMs / 2);
    count += w * static_cast<double>(r.count);
    first_ts = std::min(first_ts, r.day_start);
    last_ts = std::max(last_ts, r.day_start);
    if (spec.field.size() == 1) {
      auto it = r.sums.find(spec.field[0]);
      if (it != r.sums.end()) {
        sum += w * it->second;
        plain_count += static_cast<double>(r.NumbersAt(it->first));
      }
    }
  }

  json Result() const {
    switch (spec.agg) {
      case Agg::kCount: return js::MakeNumber(count);
      case Agg::kSum: return js::MakeNumber(sum);
      case Agg::kAvg: return plain_count > 0 ? js::MakeNumber(sum / plain_count) : json(nullptr);
      case Agg::kMin: return plain_count > 0 && std::isfinite(min) ? js::MakeNumber(min) : json(nullptr);
      case Agg::kMax: return plain_count > 0 && std::isfinite(max) ? js::MakeNumber(max) : json(nullptr);
      case Agg::kDistinct: return json(static_cast<int64_t>(distinct_strings.size() + distinct_other.size()));
      case Agg::kFirstTs: return any ? json(first_ts) : json(nullptr);
      case Agg::kLastTs: return any ? json(last_ts) : json(nullptr);
      case Agg::kExists: return json(any);
    }
    return json(nullptr);
  }
};

// An aggregate whose answer is the window's bounds in the time index: no
// filter, no decay, no field — count, exists, first_ts, last_ts.
bool CountsWithoutVisiting(const EventsSpec& s) {
  return !s.where && !s.half_life_ms && s.field.empty() &&
         (s.agg == Agg::kCount || s.agg == Agg::kExists || s.agg == Agg::kFirstTs || s.agg == Agg::kLastTs);
}

#ifndef TAGWISE_SMALL_CORE
// What identifies an aggregate's terms (EventMemo::Terms): count or sum, the
// half-life, the `where` rule's text (JSON text has no raw control
// characters) and the field's path, each segment with its length.
std::string TermsKey(const EventsSpec& s) {
  std::string key = s.agg == Agg::kCount ? "c" : "s";
  if (s.half_life_ms) key += std::to_string(*s.half_life_ms);
  key += '\x1f';
  key += s.where_key;
  key += '\x1f';
  for (const std::string& seg : s.field) key += std::to_string(seg.size()) + ':' + seg;
  return key;
}
#endif

// Two specs that aggregate the same events the same way (no `where`).
bool SameAggregate(const EventsSpec& a, const EventsSpec& b) {
  return a.agg == b.agg && !a.where && !b.where && a.within_ms == b.within_ms && a.half_life_ms == b.half_life_ms &&
         a.types == b.types && a.field == b.field;
}

}  // namespace

// Not inlined into EvalNode: see EvalOther.
[[gnu::noinline]] Val Evaluator::EvalEvents(const Node& n) {
  const EventsSpec& spec = *n.events;
  AggregateMemo* memo = spec.where || trace_node_ != nullptr ? nullptr : ctx_.aggregates;
  if (memo != nullptr) {
    for (size_t i = 0; i < memo->size; ++i) {
      const AggregateMemo::Entry& e = memo->entries[i];
      if (SameAggregate(*e.spec, spec)) {
        Step();
        return Val(json(e.value));
      }
    }
  }
  Val out = CountEvents(spec);
  if (memo != nullptr && memo->size < AggregateMemo::kCapacity) memo->entries[memo->size++] = {&spec, out.get()};
  return out;
}

Val Evaluator::CountEvents(const EventsSpec& spec) {
  Accumulator acc(spec, ctx_.now);
  const Profile* p = ctx_.profile;
  if (p == nullptr) {
    if (trace_node_ != nullptr) (*trace_node_)["matched"] = 0;
    return Val(acc.Result());
  }
  const int64_t upper = ctx_.now;  // later events are ignored: evaluation at T never sees T+1
  const int64_t lower = spec.within_ms ? ctx_.now - *spec.within_ms : std::numeric_limits<int64_t>::min();
  const auto& events = p->events();
  // An explanation shows the aggregate and its count, not one `where` tree per event.
  json* saved_trace = trace_;
  trace_ = nullptr;
#ifndef TAGWISE_SMALL_CORE
  // A batch keeps verdicts by the text the `where` reads (WhereVerdicts),
  // across profiles, instead of per event in each profile's memo.
  WhereVerdicts* verdicts = !spec.where_path.empty() && strict_ == 0 && trace_node_ == nullptr ? ctx_.where_verdicts : nullptr;
  WhereVerdicts::Texts* texts = verdicts != nullptr ? &verdicts->ForPath(spec.where_path, events.size()) : nullptr;
  std::vector<WhereVerdicts::Verdict>* by_text = verdicts != nullptr ? &verdicts->ForWhere(&spec) : nullptr;
#else
  constexpr WhereVerdicts* verdicts = nullptr;
#endif
  // A `where` that reads only the event keeps its verdicts in the profile's
  // memo (not inside `try`, where arithmetic on NaN throws instead).
  EventMemo::Column* memo = spec.where && !spec.where_key.empty() && strict_ == 0 && verdicts == nullptr
                                ? p->memo().For(spec.where_key, events.size())
                                : nullptr;
#ifndef TAGWISE_SMALL_CORE
  // A decayed count or sum keeps each event's term at this time
  // (EventMemo::Terms): the weight (an exp2), the `where` verdict and the
  // field's number are worked out once per event, not at every re-evaluation
  // at the same time (track() with a fixed clock, SSR). Only decayed ones:
  // every kept column is shifted when a late event is inserted, which costs
  // more than it saves for a plain count or sum.
  EventMemo::Terms kept;
  EventMemo::Terms* terms = nullptr;
  if ((spec.agg == Agg::kCount || spec.agg == Agg::kSum) && spec.half_life_ms && !spec.types.empty() &&
      strict_ == 0 && trace_node_ == nullptr && verdicts == nullptr && (!spec.where || memo != nullptr) &&
      p->memo().TermsFor(TermsKey(spec), events.size(), ctx_.now, &kept)) {
    terms = &kept;
  }
#endif
  auto consider = [&](size_t i, Accumulator& acc) {
    const Event& e = events[i];
    if (spec.where) {
      uint32_t* entry = memo != nullptr ? &(*memo)[i] : nullptr;
      bool keep;
#ifndef TAGWISE_SMALL_CORE
      const uint32_t text = texts != nullptr ? texts->Id(i, e.props) : WhereVerdicts::kNoText;
      if (text != WhereVerdicts::kNoText) {
        if (by_text->size() <= text) by_text->resize(static_cast<size_t>(text) + 1);
        if (const WhereVerdicts::Verdict v = (*by_text)[text]; v.state != 0) {
          Steps(v.steps);  // the steps it took when it was evaluated
          keep = v.state == 2;
        } else {
          const int64_t before = steps_;
          keep = js::Truthy(EvalWith(*spec.where, e.props).get());
          if (steps_ - before <= EventMemo::kMaxSteps) {
            (*by_text)[text] = {static_cast<uint8_t>(keep ? 2 : 1), static_cast<uint32_t>(steps_ - before)};
          }
        }
        if (!keep) return;
        acc.AddEvent(e);
        return;
      }
#endif
      if (entry != nullptr && (*entry & EventMemo::kVerdictMask) != EventMemo::kUnknown) {
        Steps(*entry >> 2);  // the steps it took when it was evaluated
        keep = (*entry & EventMemo::kVerdictMask) == EventMemo::kTrue;
      } else {
        const int64_t before = steps_;
        keep = js::Truthy(EvalWith(*spec.where, e.props).get());
        if (entry != nullptr && steps_ - before <= EventMemo::kMaxSteps) {
          *entry = EventMemo::Entry(keep, static_cast<uint32_t>(steps_ - before));
        }
      }
      if (!keep) return;
    } else {
      Step();
    }
    acc.AddEvent(e);
  };
  auto by_ts_lower = [&](uint32_t idx, int64_t t) { return events[idx].ts < t; };
  auto by_ts_upper = [&](int64_t t, uint32_t idx) { return t < events[idx].ts; };
  if (CountsWithoutVisiting(spec)) {
    // Binary searches instead of a visit per event; the steps are counted
    // as if each event had been visited, so limits do not move.
    if (spec.types.empty()) {
      auto by_event_lower = [](const Event& e, int64_t t) { return e.ts < t; };
      auto by_event_upper = [](int64_t t, const Event& e) { return t < e.ts; };
      auto first = std::lower_bound(events.begin(), events.end(), lower, by_event_lower);
      auto end = std::upper_bound(first, events.end(), upper, by_event_upper);
      const int64_t n = end - first;
      Steps(n);
      if (n > 0) acc.AddRange(n, first->ts, (end - 1)->ts);
    } else {
      for (const std::string& type : spec.types) {
        const std::vector<uint32_t>& idx = p->EventsOfType(type);
        auto first = std::lower_bound(idx.begin(), idx.end(), lower, by_ts_lower);
        auto end = std::upper_bound(first, idx.end(), upper, by_ts_upper);
        const int64_t n = end - first;
        Steps(n);
        if (n > 0) acc.AddRange(n, events[*first].ts, events[*(end - 1)].ts);
      }
    }
  } else if (spec.types.empty()) {
    auto first = std::lower_bound(events.begin(), events.end(), lower,
                                  [](const Event& e, int64_t t) { return e.ts < t; });
    for (auto it = first; it != events.end() && it->ts <= upper; ++it) {
      consider(static_cast<size_t>(it - events.begin()), acc);
    }
  } else {
    for (const std::string& type : spec.types) {
      const std::vector<uint32_t>& idx = p->EventsOfType(type);
      auto it = std::lower_bound(idx.begin(), idx.end(), lower, by_ts_lower);
#ifndef TAGWISE_SMALL_CORE
      if (terms != nullptr) {
        // The same additions in the same order as AddEvent's (a rejected
        // event adds 0, which leaves a total that starts at +0 unchanged),
        // and the same steps, charged together between new events.
        double& total = spec.agg == Agg::kCount ? acc.count : acc.sum;
        int64_t known_steps = 0;
        const auto end = std::upper_bound(it, idx.end(), upper, by_ts_upper);
        const uint32_t* known = terms->steps->data();
        const uint32_t* low = terms->low->data();
        const uint32_t* high = terms->high->data();
        for (; it != end; ++it) {
          if (const uint32_t steps = known[*it]; steps != 0) {
            known_steps += steps - 1;
            const uint64_t bits = static_cast<uint64_t>(high[*it]) << 32 | low[*it];
            double term;
            std::memcpy(&term, &bits, sizeof term);
            total += term;
            continue;
          }
          Steps(known_steps);
          known_steps = 0;
          const int64_t before = steps_;
          Accumulator one(spec, ctx_.now);
          consider(*it, one);
          const double term = spec.agg == Agg::kCount ? one.count : one.sum;
          total += term;
          if (steps_ - before <= EventMemo::kMaxSteps) terms->Set(*it, term, static_cast<uint32_t>(steps_ - before));
        }
        Steps(known_steps);
        continue;
      }
#endif
      for (; it != idx.end() && events[*it].ts <= upper; ++it) consider(*it, acc);
    }
  }
  // Compacted history counts when no `where` filter needs the events' props
  // (day granularity: a rolled-up day counts when its start is in the window).
  if (!spec.where) {
    for (const DayRollup& r : p->rollups()) {
      if (r.day_start < lower || r.day_start > upper) continue;
      if (!spec.types.empty() && std::find(spec.types.begin(), spec.types.end(), r.type) == spec.types.end()) continue;
      acc.AddRollup(r);
    }
  }
  trace_ = saved_trace;
  if (trace_node_ != nullptr) (*trace_node_)["matched"] = static_cast<int64_t>(acc.matched);
  return Val(acc.Result());
}

#ifndef TAGWISE_SMALL_CORE
void WhereVerdicts::StartProfile() {
  for (auto& p : paths_) p->of_event_.clear();
}

WhereVerdicts::Texts& WhereVerdicts::ForPath(const std::vector<std::string>& path, size_t events) {
  Texts* texts = nullptr;
  for (auto& p : paths_) {
    if (p->path_ == path) texts = p.get();
  }
  if (texts == nullptr) {
    paths_.push_back(std::make_unique<Texts>());
    texts = paths_.back().get();
    texts->path_ = path;
  }
  if (texts->of_event_.size() != events) texts->of_event_.assign(events, Texts::kUnseen);
  return *texts;
}

uint32_t WhereVerdicts::Texts::Lookup(const json& props) {
  const json* v = PropAt(props, path_);
  if (v == nullptr || !v->is_string()) return kNoText;
  const std::string& s = v->get_ref<const std::string&>();
  auto it = ids_.find(std::string_view(s));
  if (it != ids_.end()) return it->second;
  if (ids_.size() >= kMaxTexts) return kNoText;
  const auto next = static_cast<uint32_t>(ids_.size());
  ids_.emplace(s, next);
  return next;
}

std::vector<WhereVerdicts::Verdict>& WhereVerdicts::ForWhere(const void* where) {
  for (auto& [w, verdicts] : wheres_) {
    if (w == where) return verdicts;
  }
  wheres_.emplace_back(where, std::vector<Verdict>());
  return wheres_.back().second;
}
#endif

}  // namespace tagwise
