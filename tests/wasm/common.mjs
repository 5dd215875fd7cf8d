// Shared by the WebAssembly tests: loading the module, seeded inputs, and
// comparing outputs.
import path from 'node:path';
import {pathToFileURL} from 'node:url';

export async function loadEmber(wasmDir) {
  const url = pathToFileURL(path.resolve(wasmDir, 'ember.mjs')).href;
  const createEmber = (await import(url)).default;
  return createEmber();
}

// mulberry32: a small seeded generator (the same inputs on every run).
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hashName(text) {
  let h = 2166136261;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

const INT_RANGES = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767],
  uint16: [0, 65535], int32: [0, 7], uint32: [0, 7], int64: [0, 7],
  uint64: [0, 7], bool: [0, 1],
};
const FLOATS = new Set(['float32', 'float64']);

// Seeded values for one input: floats uniform in `range` (default [-1, 1]),
// integers over their type's range (small non-negative values for int32/64,
// which are usually indices or sizes).
export function makeInput(details, random, range) {
  const n = details.shape.reduce((a, d) => a * d, 1);
  const [lo, hi] = FLOATS.has(details.dtype) ? (range || [-1, 1]) :
                                               INT_RANGES[details.dtype];
  if (lo === undefined) return null;
  const values = new Array(n);
  for (let i = 0; i < n; ++i) {
    const u = random();
    values[i] = FLOATS.has(details.dtype) ? lo + (hi - lo) * u :
                                            lo + Math.floor((hi - lo + 1) * u);
  }
  switch (details.dtype) {
    case 'float32': return Float32Array.from(values);
    case 'float64': return Float64Array.from(values);
    case 'int8': return Int8Array.from(values);
    case 'uint8': case 'bool': return Uint8Array.from(values);
    case 'int16': return Int16Array.from(values);
    case 'uint16': return Uint16Array.from(values);
    case 'int32': return Int32Array.from(values);
    case 'uint32': return Uint32Array.from(values);
    case 'int64': return BigInt64Array.from(values, (v) => BigInt(v));
    case 'uint64': return BigUint64Array.from(values, (v) => BigInt(v));
  }
  return null;
}

// Compares WASM output `got` with the native `want`: integer types must be
// equal element for element; floats within |got - want| <= atol + rtol *
// |want| with atol = 1e-4 * max(1, max|want|), rtol = 1e-3 (the native build
// may use AVX2/AVX-512 kernels whose sums round differently from the
// reference kernels WASM runs).
export function compare(got, want, dtype) {
  if (got.length !== want.length) {
    return {ok: false, detail: `length ${got.length} vs ${want.length}`};
  }
  if (!FLOATS.has(dtype)) {
    let bad = 0, first = -1;
    for (let i = 0; i < got.length; ++i) {
      if (got[i] !== want[i]) {
        if (first < 0) first = i;
        ++bad;
      }
    }
    return {
      ok: bad === 0, maxAbs: bad ? 1 : 0,
      detail: bad ? `${bad} of ${got.length} differ, first at ${first}: ` +
                        `${got[first]} vs ${want[first]}` : 'bit-exact',
    };
  }
  let scale = 1;
  for (const v of want) if (Math.abs(v) > scale) scale = Math.abs(v);
  const atol = 1e-4 * scale, rtol = 1e-3;
  let maxAbs = 0, bad = 0, first = -1;
  for (let i = 0; i < got.length; ++i) {
    const a = got[i], b = want[i];
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    const d = Math.abs(a - b);
    if (!(d <= atol + rtol * Math.abs(b))) {
      if (first < 0) first = i;
      ++bad;
    }
    if (d > maxAbs || Number.isNaN(d)) maxAbs = d;
  }
  return {
    ok: bad === 0, maxAbs,
    detail: bad ? `${bad} of ${got.length} outside tolerance, first at ` +
                      `${first}: ${got[first]} vs ${want[first]}` :
                  `max |diff| ${maxAbs.toExponential(2)}`,
  };
}
