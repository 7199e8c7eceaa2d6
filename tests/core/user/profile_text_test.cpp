// ReadProfileText (user/profile_text.h): a profile's text read with its
// events split into fields must load exactly as the same text parsed into a
// tree does: the same profile, the same error, the same warnings in the same
// order, and the same texts refused (which then take the tree's path).
#include "user/profile_text.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tagwise/json_text.h"
#include "tagwise/profile.h"

namespace tagwise {
namespace {

using nlohmann::json;

std::string Describe(const Error& e) {
  return std::to_string(static_cast<int>(e.code)) + " " + e.path + " " + e.message;
}

// The outcome of loading a profile: the profile's JSON form or the error, then every warning.
std::vector<std::string> Outcome(const Result<Profile>& p, const std::vector<Error>& warnings) {
  std::vector<std::string> out{p.ok() ? p.value().ToJson().dump() : "error " + Describe(p.error())};
  for (const Error& w : warnings) out.push_back(Describe(w));
  return out;
}

std::vector<std::string> ThroughTree(const std::string& text) {
  Result<json> parsed = ParseFast(text, "profile");
  if (!parsed.ok()) return {"parse error " + Describe(parsed.error())};
  std::vector<Error> warnings;
  Result<Profile> p = Profile::FromJson(std::move(parsed.value()), &warnings);
  return Outcome(p, warnings);
}

std::vector<std::string> ThroughFields(const std::string& text) {
  ProfileText read;
  if (!ReadProfileText(text, kMaxNesting, &read)) return {"not read"};
  std::vector<Error> warnings;
  Result<Profile> p = Profile::FromProfileText(std::move(read), &warnings);
  return Outcome(p, warnings);
}

void ExpectSame(const std::string& text) {
  SCOPED_TRACE(text.substr(0, 200));
  EXPECT_EQ(ThroughFields(text), ThroughTree(text));
}

TEST(ProfileTextTest, LoadsLikeTheTreeForEveryShapeOfEvent) {
  const std::vector<std::string> texts = {
      R"({"user_id": "u-1", "attributes": {"country": "中国"}, "events": [
           {"id": "e-1", "type": "order_paid", "ts": 1763800000000, "props": {"amount": 30, "sku": "点卡-100"}},
           {"id": "e-2", "type": "view_item", "ts": 1763800001000, "props": {"category": "GAME_CARD"}}]})",
      // Repeated keys in an event: the last one wins.
      R"({"events": [{"id": "e-1", "type": "a", "type": "b", "ts": 1, "ts": 1763800000000, "props": {"x": 1}, "props": null}]})",
      // Entries that are not events, and events missing or repairing fields.
      R"({"events": [1, "x", null, [1, {"a": 2}], {}, {"type": "t"}, {"ts": 1763800000000},
           {"type": "", "ts": 1763800000000}, {"type": "t", "ts": "soon"}, {"type": "t", "ts": 1763800000},
           {"type": "t", "ts": 1763800000000, "props": [1, 2]}, {"type": "t", "ts": 1763800000000, "id": 42},
           {"type": "t", "ts": 1763800000000, "id": ""}, {"type": "t", "ts": 1763800000000, "id": null}]})",
      // Unknown fields: in the profile (a warning), in an event (ignored).
      R"({"events": [{"id": "e", "type": "t", "ts": 1763800000000, "extra": {"deep": [1, {"x": null}]}}], "color": "red"})",
      // "events" more than once: the last one wins, list or not.
      R"({"events": [{"id": "a", "type": "t", "ts": 1763800000000}], "events": [{"id": "b", "type": "t", "ts": 1763800000001}]})",
      R"({"events": [{"id": "a", "type": "t", "ts": 1763800000000}], "events": 5})",
      R"({"events": 5, "events": [{"id": "b", "type": "t", "ts": 1763800000001}]})",
      R"({"events": null})",
      R"({"events": {"id": "a"}})",
      R"({"events": []})",
      R"({})",
      // Escaped keys and strings, duplicate ids, out-of-order times.
      R"({"events": [{"i\u0064": "e\u00e9", "t\u0079pe": "t", "ts": 1763800000002},
                     {"id": "e\u00e9", "type": "t", "ts": 1763800000001},
                     {"id": "f", "type": "t", "ts": 1763800000000}]})",
      // Everything else a profile holds, around the events.
      R"({"tagwise_profile": 1, "tz_offset_min": 480, "as_of": 1763800000000, "tags": {"vip": {"value": true}},
          "rollups": [{"day": 1763769600000, "type": "t", "count": 2}], "events": [
          {"id": "e", "type": "t", "ts": 1763900000000}], "user_id": 7})",
      R"({"tagwise_profile": 9, "events": []})",
  };
  for (const std::string& text : texts) ExpectSame(text);
}

TEST(ProfileTextTest, RefusesWhatTheTreeMustReport) {
  for (const std::string& text : {std::string("[]"), std::string("5"), std::string("{"), std::string("{} x"),
                                  std::string(R"({"events": [1,]})"), std::string(R"({"events": [{"type": }]})"),
                                  std::string("{\"events\": [{\"type\": \"\xff\"}]}")}) {
    SCOPED_TRACE(text);
    ProfileText read;
    EXPECT_FALSE(ReadProfileText(text, kMaxNesting, &read));
  }
}

// Nesting counts as in the whole tree: a text the tree reads at the limit is
// read, one level more is refused (and the tree path reports it).
TEST(ProfileTextTest, CountsNestingAsTheTreeDoes) {
  auto nested = [](int levels) {  // props at levels 4..: profile, events, event, props, then arrays
    return R"({"events": [{"id": "e", "type": "t", "ts": 1763800000000, "props": {"x": )" +
           std::string(static_cast<size_t>(levels), '[') + std::string(static_cast<size_t>(levels), ']') + "}}]}";
  };
  const int inside = kMaxNesting - 4;
  for (int levels : {inside, inside + 1}) {
    const std::string text = nested(levels);
    ProfileText read;
    const bool tree_ok = ParseFast(text, "profile").ok();
    EXPECT_EQ(ReadProfileText(text, kMaxNesting, &read), tree_ok) << levels;
    EXPECT_EQ(tree_ok, levels == inside);
    if (tree_ok) ExpectSame(text);
  }
  for (int depth = 0; depth <= 4; ++depth) {
    ProfileText read;
    const std::string text = R"({"events": [{"type": "t", "ts": 1, "props": {}}], "a": [[]]})";
    FastParser tree(text);
    json ignored;
    EXPECT_EQ(ReadProfileText(text, depth, &read), tree.ParseValue(&ignored, depth) == FastParser::Status::kOk)
        << depth;
  }
}

}  // namespace
}  // namespace tagwise
