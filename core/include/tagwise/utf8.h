// UTF-8 encoding shared by the core (JS string semantics, the text-form
// parser) and the wasm bindings' JSON reader.
#ifndef TAGWISE_UTF8_H_
#define TAGWISE_UTF8_H_

#include <string>

namespace tagwise {

// Appends the UTF-8 encoding of code point `cp` (callers pass valid scalar
// values; lone surrogates are replaced with U+FFFD before they get here).
void AppendUtf8(char32_t cp, std::string* out);

}  // namespace tagwise

#endif  // TAGWISE_UTF8_H_
