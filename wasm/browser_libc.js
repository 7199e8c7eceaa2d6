// JavaScript half of wasm/browser_libc.cpp (an Emscripten --js-library,
// linked into the browser's modules): the hard cases of strtod and the digits
// of printf's %e/%f/%g, done by the browser instead of musl's long-double code.
mergeInto(LibraryManager.library, {
  // Number(text) of ASCII text in the module's memory.
  tw_js_number: function (text, length) {
    var s = "";
    for (var i = 0; i < length; i++) s += String.fromCharCode(HEAPU8[text + i]);
    return Number(s);
  },

  // A finite, non-negative double in fixed (exponential = 0) or exponential
  // notation with `digits` digits after the point, as printf writes it: exact,
  // rounded half to even, the exponent with at least two digits (1.5e+03).
  // Written as ASCII to out (at most capacity bytes); returns the length.
  // JavaScript's toFixed/toExponential would round a tie away from zero
  // (-2223023072337496.25 to 17 digits), so this works on the double's exact
  // value, m * 2^k, in BigInt.
  tw_js_format: function (value, digits, exponential, out, capacity) {
    var big = BigInt;
    // No ** or padStart: the glue goes through Closure Compiler.
    function pow(b, n) { var r = big(1); while (n-- > 0) r *= b; return r; }
    function zeros(n) { var z = ""; while (n-- > 0) z += "0"; return z; }
    var bits = new DataView(new ArrayBuffer(8));
    bits.setFloat64(0, value);
    var hi = bits.getUint32(0);
    var biased = hi >>> 20;
    var m = big(hi & 0xfffff) * big(4294967296) + big(bits.getUint32(4));
    if (biased) m += pow(big(2), 52); else biased = 1;
    var k = biased - 1075;
    var num = k > 0 ? m * pow(big(2), k) : m;
    var den = k < 0 ? pow(big(2), -k) : big(1);
    var ten = big(10);
    // round(num * 10^shift / den), ties to even
    function scaled(shift) {
      var n = shift > 0 ? num * pow(ten, shift) : num;
      var d = shift < 0 ? den * pow(ten, -shift) : den;
      var q = n / d;
      var r2 = (n % d) * big(2);
      if (r2 > d || (r2 == d && q % big(2) == big(1))) q += big(1);
      return q;
    }
    var s;
    if (!exponential) {
      s = scaled(digits).toString();
      if (digits > 0) {
        if (s.length <= digits) s = zeros(digits + 1 - s.length) + s;
        s = s.slice(0, s.length - digits) + "." + s.slice(s.length - digits);
      }
    } else {
      var e = value == 0 ? 0 : Math.floor(Math.log10(value));
      var q = scaled(digits - e);
      var top = pow(ten, digits + 1);
      // log10 can be one off next to a power of ten; rounding up can carry.
      if (value != 0 && q < top / ten) q = scaled(digits - --e);
      if (q >= top) q = scaled(digits - ++e);
      if (q >= top) { q = q / ten; ++e; }
      s = q.toString();
      if (digits > 0) s = s[0] + "." + s.slice(1);
      var x = String(Math.abs(e));
      s += (e < 0 ? "e-" : "e+") + (x.length < 2 ? "0" : "") + x;
    }
    var n = Math.min(s.length, capacity);
    for (var i = 0; i < n; i++) HEAPU8[out + i] = s.charCodeAt(i);
    return n;
  },
});
