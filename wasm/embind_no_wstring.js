// An Emscripten --js-library for the browser's full module: embind registers
// std::wstring, std::u16string and std::u32string at start-up whether or not
// a binding uses them, and that pulls UTF-16/UTF-32 converters into the glue.
// No tagwise binding takes or returns a wide string (text crosses as UTF-8
// std::string), so registration is a no-op here: -0.5 KB gz of glue in a
// page's features. A binding that did use one would fail at start-up with
// embind's "unbound type" error, not silently.
mergeInto(LibraryManager.library, {
  _embind_register_std_wstring: function (rawType, charSize, name) {},
});
