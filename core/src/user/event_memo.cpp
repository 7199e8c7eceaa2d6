// EventMemo (tagwise/event_memo.h): out of line, so the evaluator's hot loop
// calls it rather than carrying a copy of it (the page module's bytes).
#include "tagwise/event_memo.h"

#include <algorithm>
#include <cstring>
#include <iterator>

namespace tagwise {

EventMemo::Column* EventMemo::For(std::string_view key, size_t events) {
  auto it = columns_.find(key);
  Column* c;
  if (it != columns_.end()) {
    c = &it->second;
  } else {
    if (columns_.size() >= kMaxColumns) return nullptr;
    const std::string k(key);
    c = &columns_[k];
  }
  // Fewer events than positions known means the events changed without
  // Clear(): start again rather than trust a position.
  if (c->size() > events) c->clear();
  c->resize(events, kUnknown);
  return c;
}

#ifndef TAGWISE_SMALL_CORE
double EventMemo::Terms::Value(size_t i) const {
  const uint64_t bits = static_cast<uint64_t>((*high)[i]) << 32 | (*low)[i];
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

void EventMemo::Terms::Set(size_t i, double value, uint32_t taken) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  (*low)[i] = static_cast<uint32_t>(bits);
  (*high)[i] = static_cast<uint32_t>(bits >> 32);
  (*steps)[i] = taken + 1;
}

// Columns "<key>\x1e<now>\x1e" + l / h / s. Aggregate keys start with a
// letter other than those JSON text starts with (the `where` columns' keys).
bool EventMemo::TermsFor(std::string_view key, size_t events, int64_t now, Terms* out) {
  const std::string base = std::string(key) + '\x1e';
  const std::string at = base + std::to_string(now) + '\x1e';
  if (columns_.find(at + 's') == columns_.end()) {
    // Terms of another time weigh the events differently: dropped.
    for (auto it = columns_.begin(); it != columns_.end();) {
      it = it->first.compare(0, base.size(), base) == 0 ? columns_.erase(it) : std::next(it);
    }
  }
  out->low = For(at + 'l', events);
  out->high = For(at + 'h', events);
  out->steps = For(at + 's', events);
  return out->low != nullptr && out->high != nullptr && out->steps != nullptr;
}
#endif

// Moves by hand instead of vector::insert/erase, whose instantiations for
// uint32_t (move_range, the reallocating insert) are ~350 bytes of page
// module code it has no other use for.
void EventMemo::InsertAt(size_t at) {
  for (auto& [key, c] : columns_) {
    if (at > c.size()) continue;
    c.push_back(kUnknown);
    std::copy_backward(c.begin() + static_cast<std::ptrdiff_t>(at), c.end() - 1, c.end());
    c[at] = kUnknown;
  }
}

void EventMemo::ErasePrefix(size_t n) {
  for (auto& [key, c] : columns_) {
    const size_t k = std::min(n, c.size());
    std::copy(c.begin() + static_cast<std::ptrdiff_t>(k), c.end(), c.begin());
    c.resize(c.size() - k);
  }
}

}  // namespace tagwise
