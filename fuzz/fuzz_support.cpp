#include "fuzz_support.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "tagwise/json_text.h"

namespace tagwise::fuzz {

using nlohmann::json;

std::vector<std::string_view> SplitParts(const uint8_t* data, size_t size, size_t max_parts) {
  std::vector<std::string_view> parts;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (parts.size() + 1 < max_parts) {
    const size_t nul = rest.find('\0');
    if (nul == std::string_view::npos) break;
    parts.push_back(rest.substr(0, nul));
    rest.remove_prefix(nul + 1);
  }
  parts.push_back(rest);
  while (parts.size() < max_parts) parts.emplace_back();
  return parts;
}

std::optional<json> ParseStrict(std::string_view text) {
  Result<json> r = ParseJson(text, "input", 0, OnBadAlloc::kReport);
  if (!r.ok()) return std::nullopt;
  return std::move(r).value();
}

std::optional<json> ParseLikeBoundary(std::string_view text) {
  Result<json> r = ParseFast(text, "input", 0, OnBadAlloc::kReport);
  if (!r.ok()) return std::nullopt;
  return std::move(r).value();
}

const json& FixedData() {
  static const json* data = new json(json::parse(R"({
    "age": 34, "name": "张伟", "country": "CN", "vip": true, "score": 12.5, "zero": 0,
    "empty": "", "none": null, "tags": ["a", "b", "高价值"], "nums": [1, 2, 3, 4.5, -1],
    "user": {"id": "u1", "level": 3, "address": {"city": "上海"}, "app": {"version": "2.1.0"}},
    "last_login": "2026-10-01T08:00:00Z", "signup": 1700000000000, "id": "u1",
    "items": [{"sku": "A1", "price": 30, "qty": 2}, {"sku": "B2", "price": 5.5, "qty": 1}]
  })"));
  return *data;
}

const Profile& FixedProfile() {
  static const Profile* profile = [] {
    auto* p = new Profile();
    p->set_user_id("u1");
    p->set_tz_offset_min(480);
    p->set_attributes(FixedData());
    const char* types[] = {"order_paid", "view", "cart_add", "purchase", "login"};
    for (int i = 0; i < 40; ++i) {
      Event e;
      e.id = "e" + std::to_string(i);
      e.type = types[i % 5];
      e.ts = kNow - static_cast<int64_t>(i) * 3 * 86'400'000LL - i * 1000;
      e.props = {{"amount", 10 * (i % 7)}, {"item", "I" + std::to_string(i % 9)}, {"category", i % 2 ? "shoes" : "鞋"},
                 {"order", "o" + std::to_string(i / 3)}};
      p->AddEvent(std::move(e));
    }
    DayRollup r;
    r.day_start = p->DayStart(kNow - 200LL * 86'400'000);
    r.type = "order_paid";
    r.count = 4;
    r.sums["amount"] = 120;
    p->AddRollup(r);
    return p;
  }();
  return *profile;
}

namespace {
class FixedResolver : public TagResolver {
 public:
  bool HasTag(std::string_view id) const override { return id == "vip" || id == "active"; }
  json TagValue(std::string_view id) const override {
    if (id == "vip") return 3;
    if (id == "active") return true;
    return nullptr;
  }
};
}  // namespace

const TagResolver& FixedTags() {
  static const FixedResolver* r = new FixedResolver();
  return *r;
}

EvalContext FixedContext(const Profile* profile) {
  EvalContext ctx;
  ctx.now = kNow;
  ctx.profile = profile;
  ctx.tags = &FixedTags();
  ctx.options.max_steps = kMaxSteps;
  return ctx;
}

bool StrictEqual(const json& a, const json& b) {
  // Signed and unsigned integers are one kind (nlohmann reads "-0" as signed
  // 0 and "0" as unsigned 0); integers and floats are two.
  if (a.is_number_integer() && b.is_number_integer()) return a == b;
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case json::value_t::array: {
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!StrictEqual(a[i], b[i])) return false;
      }
      return true;
    }
    case json::value_t::object: {
      if (a.size() != b.size()) return false;
      for (auto it = a.begin(); it != a.end(); ++it) {
        auto other = b.find(it.key());
        if (other == b.end() || !StrictEqual(*it, *other)) return false;
      }
      return true;
    }
    case json::value_t::number_float: {
      const double x = a.get<double>();
      const double y = b.get<double>();
      if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
      return x == y && std::signbit(x) == std::signbit(y);
    }
    default:
      return a == b;
  }
}

void Fail(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "==tagwise-fuzz== PROPERTY VIOLATED: %.*s\n%.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(detail.size()), detail.data());
  std::fflush(stderr);
  std::abort();
}

std::string SafeDump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace tagwise::fuzz
