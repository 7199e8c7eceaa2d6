// The rule text form (rule_text.h ParseRuleText / FormatRule).
//
// Input: rule text ("events(order_paid, within 30d) >= 5 and ..."). What
// parses is compiled and evaluated on a fixed record and profile. Properties:
// nothing throws or aborts; the parsed JSON formats back to text, and that
// text parses to exactly the same JSON (the header's inverse contract).
#include <string>

#include "fuzz_support.h"
#include "tagwise/rule.h"
#include "tagwise/rule_text.h"

using nlohmann::json;
namespace fz = tagwise::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);
  tagwise::Result<json> parsed = tagwise::ParseRuleText(input);
  if (!parsed.ok()) return 0;
  const json& rule = parsed.value();

  tagwise::CompileResult c = tagwise::CompileRule(rule);
  if (c.ok()) {
    const tagwise::EvalContext ctx = fz::FixedContext();
    (void)c.rule->Evaluate(fz::FixedData(), ctx);
    (void)c.rule->Trace(fz::FixedData(), ctx);
  }

  tagwise::Result<std::string> text = tagwise::FormatRule(rule);
  if (!text.ok()) {
    // The parser only builds what the text can hold, except past the nesting limits.
    if (text.error().code != tagwise::ErrorCode::kTooDeep) {
      fz::Fail("FormatRule refuses what ParseRuleText produced",
               fz::SafeDump(rule) + "\n" + text.error().path + ": " + text.error().message);
    }
    return 0;
  }
  tagwise::Result<json> back = tagwise::ParseRuleText(text.value());
  if (!back.ok()) {
    fz::Fail("FormatRule output does not parse", text.value() + "\n" + back.error().path + ": " + back.error().message);
  }
  if (!fz::StrictEqual(back.value(), rule)) {
    fz::Fail("ParseRuleText(FormatRule(r)) != r",
             "r:    " + fz::SafeDump(rule) + "\ntext: " + text.value() + "\nback: " + fz::SafeDump(back.value()));
  }
  return 0;
}
