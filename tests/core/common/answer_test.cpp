// The answer writers of tagwise/answer.h: ObjectText writes an object's JSON
// text with its keys in the order added, and must print every value, and a
// tag id used as a key, exactly as an ordered_json tree printed them (the JS
// side parses the text; its key order is the text's).
#include "tagwise/answer.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tagwise {
namespace {

using nlohmann::json;

TEST(ObjectTextTest, KeepsTheOrderKeysWereAddedIn) {
  const std::string text = ObjectText().Add("ok", true).Add("b", 1).Add("a", "x").Close();
  EXPECT_EQ(text, R"({"ok":true,"b":1,"a":"x"})");
  EXPECT_EQ(ObjectText().Close(), "{}");
}

TEST(ObjectTextTest, PrintsValuesAsAnOrderedJsonTreeDid) {
  const json values = json::array({1.5, -0.0, 1e300, "标签", json::object({{"z", 1}, {"a", nullptr}}), json::array()});
  ojson tree;
  ObjectText text;
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string key = "k" + std::to_string(i);
    tree[key] = values[i];
    text.Add(key, values[i]);
  }
  EXPECT_EQ(text.Close(), Dump(tree));
}

TEST(ObjectTextTest, EscapesTagIdsUsedAsKeys) {
  const std::vector<std::string> ids = {"plain", "quote\"d", "back\\slash", std::string("ctl\x01", 4), "高价值"};
  ojson tree;
  ObjectText text;
  for (const std::string& id : ids) {
    tree[id] = true;
    text.AddEscaped(id, true);
  }
  EXPECT_EQ(text.Close(), Dump(tree));
}

TEST(ObjectTextTest, NestsTextAndWritesProblemsInTheirFieldOrder) {
  const Error e{ErrorCode::kUnknownTag, "/tags/0", "there is no tag with id \"x\"", Severity::kWarning};
  EXPECT_EQ(ProblemText(e), Dump(ProblemJson(e)));
  const std::string failure = FailureText({e}, {});
  EXPECT_EQ(failure, R"({"ok":false,"errors":[)" + ProblemText(e) + R"(],"warnings":[]})");
  EXPECT_EQ(ArrayText({}), "[]");
  EXPECT_EQ(ArrayText({"1", "{}"}), "[1,{}]");
}

}  // namespace
}  // namespace tagwise
