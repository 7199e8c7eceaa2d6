// Google Benchmark: batch tagging of a real shop's order log, natively.
//
// Reads ../shared/data/online-retail/online_retail.csv (541,909 lines, 4,372
// customers), maps each line with a customer id to an event exactly as
// examples/retail-csv-map.json tells the CLI to (documented in
// examples/README.md), builds one Profile per customer, loads
// examples/retail-catalog.json and evaluates every tag for every customer as
// of 2011-12-10T00:00:00Z. Stages are timed separately (parse + group,
// catalog compile, evaluate), plus the whole path end to end.
//
// Before timing, the engine's answers for several tags are compared user by
// user with a direct computation over the parsed lines in this file (no
// tagwise code), and a benchmark whose reference does not match stops with
// SkipWithError, so a fast wrong answer never looks good.
//
//   bash tools/build.sh native && build-native/tagwise_tag_retail_bench
//   TAGWISE_RETAIL_CSV=/path/to/online_retail.csv build-native/tagwise_tag_retail_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tagwise/catalog.h"
#include "tagwise/engine.h"
#include "tagwise/profile.h"

#ifndef TAGWISE_SOURCE_DIR
#define TAGWISE_SOURCE_DIR "."
#endif

namespace tagwise {
namespace {

using nlohmann::json;

constexpr int64_t kDayMs = 86'400'000;
// --as-of 2011-12-10T00:00:00Z: the day after the last invoice.
constexpr int64_t kAsOf = 1'323'475'200'000;
constexpr size_t kExpectedUsers = 4372;
constexpr size_t kExpectedEvents = 406'829;

std::string CsvPath() {
  if (const char* env = std::getenv("TAGWISE_RETAIL_CSV")) return env;
  return TAGWISE_SOURCE_DIR "/../shared/data/online-retail/online_retail.csv";
}

std::string CatalogPath() { return TAGWISE_SOURCE_DIR "/examples/retail-catalog.json"; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// ------------------------------------------------------------------ CSV → events

// Splits one RFC-4180 record starting at `pos` into `fields`; returns the
// position after its line end. Quoted fields may hold commas, "" and newlines.
size_t NextRecord(std::string_view text, size_t pos, std::vector<std::string>* fields) {
  fields->clear();
  std::string cur;
  bool quoted = false;
  size_t i = pos;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cur.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields->push_back(std::move(cur));
      cur.clear();
    } else if (c == '\n') {
      break;
    } else if (c != '\r') {
      cur.push_back(c);
    }
  }
  fields->push_back(std::move(cur));
  return i + 1;
}

// "2010-12-01 08:26:00" read as UTC → ms.
int64_t ParseInvoiceDate(std::string_view s) {
  auto num = [&](size_t at, size_t len) {
    int v = 0;
    for (size_t k = at; k < at + len; ++k) v = v * 10 + (s[k] - '0');
    return v;
  };
  int y = num(0, 4), m = num(5, 2), d = num(8, 2), hh = num(11, 2), mm = num(14, 2), ss = num(17, 2);
  // days_from_civil (H. Hinnant).
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468;
  return days * kDayMs + (hh * 3600 + mm * 60 + ss) * 1000LL;
}

std::string Trim(std::string s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::string Upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

// What the reference computation needs of one line.
struct Line {
  bool refund;
  std::string invoice;
  int64_t ts;
  double amount;
};

struct RetailData {
  std::vector<Profile> profiles;  // first-appearance order
  std::vector<std::vector<Line>> lines;  // per profile, for the reference
  size_t events = 0;
  size_t skipped_no_customer = 0;
};

// The mapping of examples/retail-csv-map.json:
//   user_id = CustomerID as an integer string; lines without one are skipped
//   id = "<InvoiceNo>/<line number>" (line 1 is the header)
//   type = order_refunded if InvoiceNo starts with "C", else order_paid
//   ts = InvoiceDate read as UTC
//   props = invoice, item (StockCode trimmed, upper-cased), description
//           (trimmed), quantity, unit_price, amount (= Quantity x UnitPrice
//           rounded half away from zero to pence), country
//   attributes.country = Country of the user's latest line (ties: later line)
RetailData ParseRetail(std::string_view text, bool keep_lines) {
  RetailData out;
  std::unordered_map<std::string, size_t> index;
  std::vector<int64_t> country_ts;
  std::vector<std::string> f;
  size_t pos = NextRecord(text, 0, &f);  // header
  size_t line_no = 1;
  while (pos < text.size()) {
    ++line_no;
    size_t start_line = line_no;
    size_t next = NextRecord(text, pos, &f);
    for (size_t k = pos; k + 1 < next && k < text.size(); ++k) line_no += text[k] == '\n';
    pos = next;
    if (f.size() < 8) continue;
    if (f[6].empty()) {
      ++out.skipped_no_customer;
      continue;
    }
    std::string user = std::to_string(static_cast<int64_t>(std::strtod(f[6].c_str(), nullptr)));
    auto [it, inserted] = index.emplace(user, out.profiles.size());
    if (inserted) {
      out.profiles.emplace_back();
      out.profiles.back().set_user_id(user);
      out.lines.emplace_back();
      country_ts.push_back(INT64_MIN);
    }
    const size_t u = it->second;
    const double quantity = std::strtod(f[3].c_str(), nullptr);
    const double unit_price = std::strtod(f[5].c_str(), nullptr);
    const double amount = std::round(quantity * unit_price * 100) / 100;
    Event e;
    e.id = f[0] + "/" + std::to_string(start_line);
    e.type = !f[0].empty() && f[0][0] == 'C' ? "order_refunded" : "order_paid";
    e.ts = ParseInvoiceDate(f[4]);
    if (e.ts >= country_ts[u]) {
      country_ts[u] = e.ts;
      out.profiles[u].set_attributes(json{{"country", f[7]}});
    }
    if (keep_lines) out.lines[u].push_back(Line{e.type == "order_refunded", f[0], e.ts, amount});
    e.props = json::object();
    e.props["invoice"] = std::move(f[0]);
    e.props["item"] = Upper(Trim(std::move(f[1])));
    e.props["description"] = Trim(std::move(f[2]));
    e.props["quantity"] = quantity;
    e.props["unit_price"] = unit_price;
    e.props["amount"] = amount;
    e.props["country"] = std::move(f[7]);
    (void)out.profiles[u].AddEvent(std::move(e));
    ++out.events;
  }
  return out;
}

// ------------------------------------------------------------------ reference

// Expected membership of a few tags, computed from the lines directly.
struct Expected {
  bool customer = false, country_uk = false, frequent_buyer = false, refund_heavy = false;
  std::string lifecycle;  // winning member or ""
  int rfm_r = 0;
};

Expected Reference(const Profile& p, const std::vector<Line>& lines) {
  Expected x;
  std::set<std::string> paid_invoices, recent_invoices, refund_invoices;
  double paid = 0, refunded = 0;
  int64_t first = INT64_MAX, last = INT64_MIN;
  for (const Line& l : lines) {
    if (l.refund) {
      refund_invoices.insert(l.invoice);
      refunded += l.amount;
      continue;
    }
    paid_invoices.insert(l.invoice);
    if (l.ts >= kAsOf - 90 * kDayMs) recent_invoices.insert(l.invoice);
    paid += l.amount;
    first = std::min(first, l.ts);
    last = std::max(last, l.ts);
  }
  x.customer = !paid_invoices.empty();
  x.country_uk = p.attributes().value("country", "") == "United Kingdom";
  x.frequent_buyer = recent_invoices.size() >= 5;
  x.refund_heavy = refund_invoices.size() >= 2 && -refunded >= 0.1 * paid;
  if (x.customer) {
    const double since_last = static_cast<double>(kAsOf - last) / kDayMs;
    const double since_first = static_cast<double>(kAsOf - first) / kDayMs;
    x.lifecycle = since_first < 30 ? "lc_new" : since_last <= 60 ? "lc_active" : since_last > 180 ? "lc_lost" : "lc_churning";
    x.rfm_r = since_last < 14 ? 5 : since_last < 30 ? 4 : since_last < 60 ? 3 : since_last < 120 ? 2 : 1;
  }
  return x;
}

// Compares the engine with the reference for every user; "" when equal.
std::string Verify(const Engine& engine, const RetailData& data) {
  if (data.profiles.size() != kExpectedUsers || data.events != kExpectedEvents) {
    return "parsed " + std::to_string(data.profiles.size()) + " users / " + std::to_string(data.events) +
           " events; expected 4372 / 406829";
  }
  const Catalog& cat = engine.catalog();
  auto idx = [&](const char* id) { return cat.IndexOf(id); };
  const int customer = idx("customer"), uk = idx("country_uk"), freq = idx("frequent_buyer"),
            refund = idx("refund_heavy"), rfm_r = idx("rfm_r");
  const char* lifecycle[] = {"lc_new", "lc_active", "lc_churning", "lc_lost"};
  if (customer < 0 || uk < 0 || freq < 0 || refund < 0 || rfm_r < 0) return "the example catalog lacks a checked tag";
  for (size_t u = 0; u < data.profiles.size(); ++u) {
    const Profile& p = data.profiles[u];
    Evaluation ev = engine.EvaluateAll(p, ServerTags{}, kAsOf);
    Expected x = Reference(p, data.lines[u]);
    auto holds = [&](int i) { return ev.decisions[static_cast<size_t>(i)].holds; };
    std::string who = "user " + p.user_id() + ": ";
    if (holds(customer) != x.customer) return who + "customer differs";
    if (holds(uk) != x.country_uk) return who + "country_uk differs";
    if (holds(freq) != x.frequent_buyer) return who + "frequent_buyer differs";
    if (holds(refund) != x.refund_heavy) return who + "refund_heavy differs";
    std::string winner;
    for (const char* id : lifecycle) {
      if (holds(idx(id))) winner = winner.empty() ? id : "several";
    }
    if (winner != x.lifecycle) return who + "lifecycle " + winner + " != " + x.lifecycle;
    const json& r = ev.decisions[static_cast<size_t>(rfm_r)].value;
    if (x.customer && (!r.is_number() || r.get<double>() != x.rfm_r)) return who + "rfm_r " + r.dump();
  }
  return "";
}

// ------------------------------------------------------------------ shared state

struct Fixture {
  std::string text;
  std::string catalog_text;
  RetailData data;
  std::shared_ptr<const Catalog> catalog;
  std::string error;  // why the benchmarks cannot run
};

const Fixture& Shared() {
  static const Fixture* f = [] {
    auto* fx = new Fixture();
    fx->text = ReadFile(CsvPath());
    fx->catalog_text = ReadFile(CatalogPath());
    if (fx->text.empty()) {
      fx->error = "cannot read " + CsvPath();
      return fx;
    }
    CatalogLoadResult loaded = Catalog::LoadText(fx->catalog_text);
    if (!loaded.ok()) {
      fx->error = "examples/retail-catalog.json does not load: " + (loaded.errors.empty() ? "" : loaded.errors[0].message);
      return fx;
    }
    fx->catalog = loaded.catalog;
    fx->data = ParseRetail(fx->text, true);
    fx->error = Verify(Engine(fx->catalog), fx->data);
    if (fx->error.empty()) {
      // Coverage per tag, printed once so a run shows what was tagged.
      Engine engine(fx->catalog);
      std::vector<size_t> counts(fx->catalog->tags().size());
      for (const Profile& p : fx->data.profiles) {
        Evaluation ev = engine.EvaluateAll(p, ServerTags{}, kAsOf);
        for (size_t i = 0; i < counts.size(); ++i) counts[i] += ev.decisions[i].holds;
      }
      std::fprintf(stderr, "tag coverage over %zu users (%zu events):\n", fx->data.profiles.size(), fx->data.events);
      for (size_t i = 0; i < counts.size(); ++i) {
        std::fprintf(stderr, "  %-22s %5zu\n", fx->catalog->tags()[i].id.c_str(), counts[i]);
      }
    }
    return fx;
  }();
  return *f;
}

// ------------------------------------------------------------------ benchmarks

void SetRates(benchmark::State& state, size_t users, size_t events) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * users));  // items = users
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events),
                                                  benchmark::Counter::kIsIterationInvariantRate);
  state.counters["users"] = static_cast<double>(users);
}

// CSV text (in memory) → events grouped into one Profile per customer.
void BM_Parse_RetailCsv(benchmark::State& state) {
  const Fixture& fx = Shared();
  if (!fx.error.empty()) return state.SkipWithError(fx.error.c_str());
  for (auto _ : state) benchmark::DoNotOptimize(ParseRetail(fx.text, false));
  SetRates(state, fx.data.profiles.size(), fx.data.events);
}
BENCHMARK(BM_Parse_RetailCsv)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_Compile_RetailCatalog(benchmark::State& state) {
  const Fixture& fx = Shared();
  if (!fx.error.empty()) return state.SkipWithError(fx.error.c_str());
  for (auto _ : state) benchmark::DoNotOptimize(Catalog::LoadText(fx.catalog_text));
  state.counters["tags"] = static_cast<double>(fx.catalog->tags().size());
}
BENCHMARK(BM_Compile_RetailCatalog)->Unit(benchmark::kMicrosecond);

// Every tag of the example catalog for all 4,372 customers.
void BM_Evaluate_RetailCatalog_AllUsers(benchmark::State& state) {
  const Fixture& fx = Shared();
  if (!fx.error.empty()) return state.SkipWithError(fx.error.c_str());
  Engine engine(fx.catalog);
  for (auto _ : state) {
    for (const Profile& p : fx.data.profiles) benchmark::DoNotOptimize(engine.EvaluateAll(p, ServerTags{}, kAsOf));
  }
  SetRates(state, fx.data.profiles.size(), fx.data.events);
}
BENCHMARK(BM_Evaluate_RetailCatalog_AllUsers)->Unit(benchmark::kMillisecond)->Iterations(5);

// The CLI's whole job natively: read the file, parse, group, compile, tag.
void BM_EndToEnd_RetailFile(benchmark::State& state) {
  const Fixture& fx = Shared();
  if (!fx.error.empty()) return state.SkipWithError(fx.error.c_str());
  for (auto _ : state) {
    std::string text = ReadFile(CsvPath());
    RetailData data = ParseRetail(text, false);
    Engine engine(Catalog::LoadText(ReadFile(CatalogPath())).catalog);
    for (const Profile& p : data.profiles) benchmark::DoNotOptimize(engine.EvaluateAll(p, ServerTags{}, kAsOf));
  }
  SetRates(state, fx.data.profiles.size(), fx.data.events);
}
BENCHMARK(BM_EndToEnd_RetailFile)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace tagwise
