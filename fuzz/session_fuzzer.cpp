// The visitor session (tagwise/session.h) driven by a random sequence of
// what a page does: track events, switch consent, set or merge profiles,
// merge stored copies, shrink, forget, ask for tags at later times.
//
// Input: NUL-separated parts; each part's first byte picks the step, the rest
// is its argument (JSON text for events/profiles/store text). Properties:
// nothing throws or aborts; after every step there is one decision per
// catalog tag and no tag of a purpose that is off holds; after consent is
// narrowed no kept event, rollup or server tag is one only withdrawn purposes
// needed; a stored copy merged into a fresh session gives the same events.
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "tagwise/consent.h"
#include "tagwise/session.h"

using nlohmann::json;
namespace fz = tagwise::fuzz;

namespace {

constexpr int64_t kHour = 3'600'000;

tagwise::PurposeSet PurposesFrom(uint8_t bits) {
  tagwise::PurposeSet out = {"necessary"};
  const char* names[] = {"security", "personalization", "marketing", "analytics"};
  for (int i = 0; i < 4; ++i) {
    if ((bits >> i) & 1) out.insert(names[i]);
  }
  return out;
}

void CheckTags(tagwise::VisitorSession& s, int64_t now) {
  tagwise::TagsAt t = s.Tags(now);
  if (t.catalog == nullptr) fz::Fail("the session lost its catalog");
  const auto& defs = t.catalog->tags();
  if (t.evaluation->decisions.size() != defs.size()) fz::Fail("one decision per tag");
  for (size_t i = 0; i < defs.size(); ++i) {
    const bool on = defs[i].purpose == "necessary" || s.purposes().count(defs[i].purpose) > 0;
    if (!on && t.evaluation->decisions[i].holds) fz::Fail("a tag of a purpose that is off holds", defs[i].id);
  }
}

// Nothing kept that only withdrawn purposes need.
void CheckPruned(const tagwise::VisitorSession& s) {
  const tagwise::ConsentScope scope(s.catalog());
  for (const tagwise::Event& e : s.profile().events()) {
    if (!scope.Records(e.type, s.purposes())) fz::Fail("an event kept after its purposes were withdrawn", e.type);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::vector<std::string_view> parts = fz::SplitParts(bytes, size, 16);
  tagwise::VisitorSession s;
  if (!s.LoadCatalog(fz::kEventsCatalog, fz::kNow).ok()) fz::Fail("the session fuzzer's catalog does not load");
  int64_t now = fz::kNow;
  for (std::string_view part : parts) {
    if (part.empty()) continue;
    const uint8_t op = static_cast<uint8_t>(part[0]);
    const std::string_view arg = part.substr(1);
    switch (op % 10) {
      case 0:
        (void)s.Track(arg, false, now);
        break;
      case 1:
        (void)s.Track(arg, true, now);
        break;
      case 2: {
        const uint8_t bits = arg.empty() ? 0 : static_cast<uint8_t>(arg[0]);
        (void)s.SetPurposes(PurposesFrom(bits), now, (bits & 0x80) ? std::optional<int64_t>(now) : std::nullopt);
        CheckPruned(s);
        break;
      }
      case 3:
        (void)s.SetProfile(arg, static_cast<tagwise::ProfileMode>(op / 10 % 3), now);
        break;
      case 4: {
        // A stored copy of this session, merged into a fresh one: the same events.
        const std::string stored = s.EncodeStore(now);
        if (!stored.empty()) {
          tagwise::VisitorSession t;
          (void)t.LoadCatalog(fz::kEventsCatalog, now);
          (void)t.SetPurposes(s.purposes(), now, std::nullopt);
          (void)t.MergeStore(stored, now);
          if (t.profile().events().size() != s.profile().events().size()) {
            fz::Fail("a stored copy merged into a fresh session has other events",
                     std::to_string(t.profile().events().size()) + " vs " +
                         std::to_string(s.profile().events().size()));
          }
        }
        break;
      }
      case 5:
        (void)s.MergeStore(arg, now);
        CheckPruned(s);
        break;
      case 6:
        (void)s.Shrink(now);
        break;
      case 7:
        (void)s.Forget(std::string(arg.substr(0, 16)), now, now);
        if (!s.profile().events().empty()) fz::Fail("forget() kept events");
        break;
      case 8:
        now += static_cast<int64_t>(static_cast<uint8_t>(arg.empty() ? 1 : arg[0])) * kHour;
        break;
      case 9: {
        tagwise::TagChanges c;
        const tagwise::UserView u = s.View(now, &c);
        bool changed = false;
        (void)s.RunExperiment(arg, u, &changed);
        (void)s.Explain("spender", now);
        break;
      }
    }
    CheckTags(s, now);
  }
  return 0;
}
