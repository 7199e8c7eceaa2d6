// Instantiating a wasm module (the glue's factory) so that every way loading
// can fail is a TagwiseError with a code a program can act on, instead of
// whatever Emscripten prints and throws ("Aborted(...)", a bare RuntimeError,
// or a promise that never settles):
//   wasm_fetch_failed    the .wasm could not be fetched or read (network,
//                        HTTP 404, a missing file)
//   wasm_compile_failed  it did not compile or link: not this version's
//                        module, or an engine without WebAssembly exception
//                        handling (the modules use it)
//   csp_blocked          the page's Content-Security-Policy forbids compiling
//                        WebAssembly (script-src needs 'wasm-unsafe-eval')
// The glue keeps finding its .wasm where it always did (next to itself, or
// options.wasmUrl); only the fetch and the compilation are done here, through
// Emscripten's instantiateWasm hook. Streaming compilation is kept (it is
// what lets Chromium cache the compiled code), and a WebAssembly.Module
// compiled elsewhere (options.wasmModule: edge runtimes that cannot compile
// from bytes, workers handed a module) is instantiated as is.
import { TagwiseError, problem } from './errors.js';

/** Minimum engines, for messages: the modules are built with -fwasm-exceptions. */
export const MINIMUM_BROWSERS = 'Chrome 95, Edge 95, Firefox 100, Safari 15.2';

const CSP_MESSAGE = /Content.Security.Policy|unsafe-eval|wasm-unsafe-eval|wasm-eval/i;

/** A load failure as a TagwiseError; `cause` keeps the engine's own error. */
export function loadError(code, message, cause) {
  return new TagwiseError([problem(code, '', message)], cause === undefined ? undefined : { cause });
}

/** What a failed compile or instantiate means, from the engine's error. */
function compileFailure(e, what) {
  const detail = String(e?.message ?? e);
  if (CSP_MESSAGE.test(detail)) {
    return loadError('csp_blocked',
      `tagwise: the page's Content-Security-Policy does not allow compiling WebAssembly (${what}); ` +
      `add 'wasm-unsafe-eval' to script-src. (${detail})`, e);
  }
  return loadError('wasm_compile_failed',
    `tagwise: ${what} did not compile or link: ${detail}. tagwise needs its own .wasm files of the same ` +
    `version and an engine with WebAssembly exception handling (${MINIMUM_BROWSERS} or later; Node 20).`, e);
}

async function fetchFailure(url, run) {
  try {
    return await run();
  } catch (e) {
    throw loadError('wasm_fetch_failed', `tagwise: could not fetch ${url}: ${e?.message ?? e}`, e);
  }
}

/** { instance, module } from a source: { url }, { bytes } or { module }. */
async function instantiate(source, imports) {
  if (source.module !== undefined) {
    try {
      return { instance: await WebAssembly.instantiate(source.module, imports), module: source.module };
    } catch (e) {
      throw compileFailure(e, 'the given WebAssembly.Module');
    }
  }
  if (source.bytes !== undefined) {
    try {
      return await WebAssembly.instantiate(source.bytes, imports);
    } catch (e) {
      throw compileFailure(e, source.what ?? 'the given wasm bytes');
    }
  }
  const { url } = source;
  const response = await fetchFailure(url, () => fetch(url, { credentials: 'same-origin' }));
  if (!response.ok) {
    throw loadError('wasm_fetch_failed', `tagwise: could not fetch ${url}: HTTP ${response.status} ${response.statusText}`.trim());
  }
  const type = response.headers.get('content-type') ?? '';
  if (typeof WebAssembly.instantiateStreaming === 'function' && type.startsWith('application/wasm')) {
    try {
      return await WebAssembly.instantiateStreaming(response, imports);
    } catch (e) {
      throw compileFailure(e, url);
    }
  }
  // Served without application/wasm: streaming would refuse it; compile the bytes.
  const bytes = await fetchFailure(url, () => response.arrayBuffer());
  try {
    return await WebAssembly.instantiate(bytes, imports);
  } catch (e) {
    throw compileFailure(e, url);
  }
}

/**
 * Runs the glue's `factory` with this module's instantiation.
 * source: { bytes, what? } | { module } | { url? } (url: the .wasm's URL;
 * omitted, the glue's own — next to it). Resolves to the Emscripten module;
 * rejects with the TagwiseErrors above.
 */
export function instantiateModule(factory, source) {
  if (typeof WebAssembly !== 'object' || WebAssembly === null) {
    return Promise.reject(loadError('wasm_compile_failed',
      `tagwise: this JavaScript engine has no WebAssembly (tagwise needs ${MINIMUM_BROWSERS} or later).`));
  }
  let wasmUrl;
  let fail;
  const failed = new Promise((_, reject) => { fail = reject; });
  const args = {
    // Called by the glue before instantiateWasm: where its .wasm is. The
    // browser glues define tagwiseWasmUrl (wasm/locate_*.js), whose literal
    // new URL(..., import.meta.url) bundlers rewrite to the emitted asset.
    locateFile(file, prefix) {
      if (!file.endsWith('.wasm')) return prefix + file;
      if (source.bytes !== undefined || source.module !== undefined) return file; // nothing to fetch
      if (source.url !== undefined) wasmUrl = String(source.url);
      else if (typeof args.tagwiseWasmUrl === 'function') wasmUrl = args.tagwiseWasmUrl();
      else wasmUrl = prefix + file;
      return wasmUrl;
    },
    instantiateWasm(imports, receive) {
      const from = source.bytes !== undefined || source.module !== undefined ? source : { url: wasmUrl };
      instantiate(from, imports).then(({ instance, module }) => {
        try {
          receive(instance, module);
        } catch (e) {
          // It compiled and linked but is not this glue's module (other exports).
          throw loadError('wasm_compile_failed',
            `tagwise: the wasm module does not match this version's JS (${e?.message ?? e}); use the .wasm files of the same tagwise package.`, e);
        }
      }).catch(fail);
      return {}; // asynchronous: the glue waits for receive()
    },
  };
  // The glue never settles its promise when instantiateWasm fails: race it.
  return Promise.race([factory(args), failed]);
}
