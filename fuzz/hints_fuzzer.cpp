// Hint file load (hints.h DecodeHints), then recommendations from what decodes
// (recommend.h Recommend) and the debugging JSON form.
//
// Input: a hints file. It is decoded as given (magic, version, length and
// CRC checks) and, when it starts with the magic, once more with the header's
// payload length and CRC-32 recomputed, so the fuzzer reaches the payload
// decoder without having to forge checksums. Properties: nothing throws or
// aborts; decoded hints re-encode to a file that decodes again and encodes to
// the same bytes (EncodeHints is deterministic).
#include <array>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "tagwise/hints.h"
#include "tagwise/recommend.h"
#include "tagwise/store.h"

using nlohmann::json;
namespace fz = tagwise::fuzz;

namespace {

constexpr std::string_view kMagic = "TWHINTS\n";
constexpr size_t kHeaderBytes = 20;  // magic, version, length, CRC-32

void PutU32Le(uint32_t v, std::string* s, size_t at) {
  for (int i = 0; i < 4; ++i) (*s)[at + static_cast<size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
}

void Exercise(const tagwise::Hints& h) {
  (void)tagwise::HintsToJson(h).dump(-1, ' ', false, json::error_handler_t::replace);
  std::vector<tagwise::ItemEvent> history;
  for (size_t i = 0; i < h.items.size() && i < 4; ++i) {
    history.push_back({h.items[i].id, i % 2 ? "view" : "purchase", fz::kNow - static_cast<int64_t>(i) * 60'000});
  }
  history.push_back({"unknown-item", "view", fz::kNow});
  tagwise::RecommendRequest req;
  req.k = 5;
  if (!h.items.empty()) req.context_items.push_back(h.items.back().id);
  if (!h.segments.empty()) req.segments.push_back({h.segments[0].key, h.segments[0].value});
  req.diversity = 0.5;
  req.boosts.push_back({{}, h.items.empty() ? "" : h.items[0].category, 2.0, "boost"});
  (void)tagwise::Recommend(h, history, req);
  req.personal = false;
  (void)tagwise::Recommend(h, history, req);
  (void)tagwise::Recommend(h, {}, tagwise::RecommendRequest{});
  for (size_t i = 0; i < h.items.size() && i < 16; ++i) {
    (void)h.NeighboursOf(static_cast<uint32_t>(i));
    (void)h.TogetherWith(static_cast<uint32_t>(i));
    (void)h.Find(h.items[i].id);
  }

  const std::string encoded = tagwise::EncodeHints(h);
  tagwise::Result<tagwise::Hints> again = tagwise::DecodeHints(encoded);
  if (!again.ok()) fz::Fail("DecodeHints refuses EncodeHints' output", again.error().message);
  if (tagwise::EncodeHints(again.value()) != encoded) fz::Fail("EncodeHints(DecodeHints(EncodeHints(h))) changed the bytes");
}

void Decode(std::string_view bytes) {
  tagwise::Result<tagwise::Hints> h = tagwise::DecodeHints(bytes);
  if (h.ok()) {
    Exercise(h.value());
    (void)tagwise::DecodeHints(bytes, h.value().catalog_version + "x");  // kCatalogMismatch path
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);
  Decode(input);
  if (size >= kHeaderBytes && input.substr(0, kMagic.size()) == kMagic) {
    std::string fixed(input);
    const std::string_view payload = std::string_view(fixed).substr(kHeaderBytes);
    const uint32_t crc = tagwise::Crc32(payload);
    PutU32Le(static_cast<uint32_t>(payload.size()), &fixed, 12);
    PutU32Le(crc, &fixed, 16);
    if (fixed != input) Decode(fixed);
  }
  return 0;
}
