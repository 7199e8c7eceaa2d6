// Storage blob decode (store.h DecodeStore, the browser persistence format),
// then MergeStores and EncodeStore over what decodes.
//
// Input: store text ("TAGWISE-STORE 1\nH <crc> {...}\nE <crc> {...}\nEND <crc> n\n").
// It is decoded as given and, when any line checksum is wrong, once more with
// every "H"/"E" line's CRC-32 and the END line's CRC-32 recomputed, so the
// fuzzer reaches the JSON readers behind the checksums. Properties: nothing
// throws or aborts; the encoding of a decoded state decodes with no problems,
// and encoding that again gives the same bytes (EncodeStore is deterministic).
#include <cstdio>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "tagwise/store.h"

using nlohmann::json;
namespace fz = tagwise::fuzz;

namespace {

std::string Hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

// Rewrites the checksums of "H"/"E" lines and of the first END line.
std::string FixChecksums(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    const bool terminated = nl != std::string_view::npos;
    if (!terminated) nl = text.size();
    std::string line(text.substr(pos, nl - pos));
    if ((line.rfind("H ", 0) == 0 || line.rfind("E ", 0) == 0) && line.size() >= 11 && line[10] == ' ') {
      line.replace(2, 8, Hex8(tagwise::Crc32(std::string_view(line).substr(11))));
    } else if (line.rfind("END ", 0) == 0 && line.size() >= 13 && line[12] == ' ') {
      line.replace(4, 8, Hex8(tagwise::Crc32(out)));
      out += line;
      if (terminated) out += '\n';
      out.append(text.substr(std::min(text.size(), nl + 1)));
      return out;
    }
    out += line;
    if (terminated) out += '\n';
    pos = nl + 1;
  }
  return out;
}

const tagwise::StoreState& FixedState() {
  static const tagwise::StoreState* s = [] {
    auto* st = new tagwise::StoreState();
    st->profile = fz::FixedProfile();
    st->consent = tagwise::StoredConsent{{"necessary", "analytics"}, fz::kNow - 1000};
    st->generation = "g1";
    st->generation_at = fz::kNow - 86'400'000;
    st->saved_at = fz::kNow;
    return st;
  }();
  return *s;
}

void Decode(std::string_view text) {
  tagwise::DecodedStore d = tagwise::DecodeStore(text);
  (void)tagwise::FormatIssues(d.problems);
  tagwise::ProfileLimits small;
  small.max_events = 8;
  small.max_rollups = 4;
  small.max_string_bytes = 8;
  (void)tagwise::DecodeStore(text, small);

  tagwise::StoreState mine = FixedState();
  (void)tagwise::MergeStores(d.state, &mine);
  tagwise::StoreState same_generation = FixedState();
  same_generation.generation = d.state.generation;
  (void)tagwise::MergeStores(d.state, &same_generation);
  tagwise::StoreState empty;
  (void)tagwise::MergeStores(d.state, &empty);

  const std::string encoded = tagwise::EncodeStore(d.state);
  tagwise::DecodedStore again = tagwise::DecodeStore(encoded);
  if (!again.problems.empty()) {
    fz::Fail("DecodeStore reports problems in EncodeStore's output",
             tagwise::FormatIssues(again.problems) + "\nencoded:\n" + encoded);
  }
  const std::string re_encoded = tagwise::EncodeStore(again.state);
  if (re_encoded != encoded) {
    fz::Fail("EncodeStore(DecodeStore(EncodeStore(s))) differs", "first:\n" + encoded + "\nsecond:\n" + re_encoded);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);
  Decode(input);
  const std::string fixed = FixChecksums(input);
  if (fixed != input) Decode(fixed);
  return 0;
}
