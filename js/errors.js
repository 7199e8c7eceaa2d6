// TagwiseError: the one error type the package throws for rule and data
// problems. Its code, path and message come from the C++ core (the wasm layer
// hands them over as values); this module only wraps them.

/**
 * A rule, rule text or data problem reported by tagwise.
 * `code` is one of the ErrorCode names (see index.d.ts), `path` a JSON Pointer
 * into what the caller passed (or "line:column" for the text form), `errors`
 * every problem found (the first one gives `code`, `path` and the message).
 */
export class TagwiseError extends Error {
  constructor(errors, options = undefined) {
    const list = Array.isArray(errors) && errors.length > 0 ? errors : [
      { code: 'invalid_rule', path: '', message: 'Unknown tagwise error.', severity: 'error' },
    ];
    const first = list[0];
    super(first.message, options);
    this.name = 'TagwiseError';
    this.code = first.code;
    this.path = first.path;
    this.errors = list;
    if (first.value !== undefined || first.code === 'thrown') this.value = first.value;
  }
}

/** One problem object as the wasm layer reports it, built in JS. */
export function problem(code, path, message) {
  return { code, path, message, severity: 'error' };
}
