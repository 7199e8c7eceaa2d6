// Type-level test of js/wasm-inline.d.ts (the "tagwise/wasm-inline" export),
// checked with types.check.ts by `tsc --noEmit -p tests/js` (tests/js/types.test.mjs).
// Never executed.
import { createTagwise } from 'tagwise';
import { wasmBinary } from 'tagwise/wasm-inline';

async function singleFile(): Promise<void> {
  const bytes: Uint8Array = wasmBinary;
  const tw = await createTagwise({ wasmBinary: bytes });
  tw.evaluate({ '==': [1, 1] });
  // @ts-expect-error the export is bytes, not a URL
  await createTagwise({ wasmUrl: wasmBinary });
}
void singleFile;
