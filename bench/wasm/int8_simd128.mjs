#!/usr/bin/env node
// What the SIMD128 int8 kernels buy: per model, in one process and one
// WebAssembly build, the int8 kernels the build picks ({isa: ''}, the
// SIMD128 tiles) against the scalar int8 path ({isa: 'portable'}: no
// SIMD128 kernel, the reference int8 kernels, as before these kernels
// existed), and the native CLI (`ember bench --threads 1`, its best ISA)
// for context. One thread. The machine may be shared, so the three are
// interleaved round by round (the order of the two WebAssembly runs
// alternates) and the result is the median over rounds of each round's
// ratio; absolute times are printed too but are only as steady as the
// machine.
//
// usage: node bench/wasm/int8_simd128.mjs [--wasm build/wasm]
//          [--ember build/release/ember] [--rounds 5] [--min-ms 300]
//          MODEL.tflite ...
// Prints a Markdown table, and one JSON line per model with --json.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

const o = {wasm: 'build/wasm', ember: 'build/release/ember', rounds: 5,
           minMs: 300, json: false, models: []};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; ++i) {
  const a = argv[i];
  if (a === '--wasm') o.wasm = argv[++i];
  else if (a === '--ember') o.ember = argv[++i];
  else if (a === '--rounds') o.rounds = Number(argv[++i]);
  else if (a === '--min-ms') o.minMs = Number(argv[++i]);
  else if (a === '--json') o.json = true;
  else if (a.startsWith('-')) {
    console.error(`int8_simd128: unknown option ${a}`);
    process.exit(2);
  } else o.models.push(a);
}
if (o.models.length === 0 || !(o.rounds >= 1)) {
  console.error('int8_simd128: give at least one model (and --rounds >= 1)');
  process.exit(2);
}
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname),
                          '..', '..');
const {loadEmber, makeInput, rng} = await import(
    pathToFileURL(path.join(repo, 'tests/wasm/common.mjs')).href);
const ember = await loadEmber(o.wasm);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

// Median ms of invokes run for at least minMs (at least 3).
function timeWasm(interp, minMs) {
  const times = [];
  const start = performance.now();
  while (times.length < 3 || performance.now() - start < minMs) {
    const t = performance.now();
    interp.invoke();
    times.push(performance.now() - t);
  }
  return median(times);
}

function timeNative(model) {
  const text = execFileSync(o.ember, [
    'bench', model, '--threads', '1', '--json', '--warmup-ms', '100',
    '--min-ms', String(o.minMs), '--runs', '3',
  ], {stdio: ['ignore', 'pipe', 'pipe']});
  return JSON.parse(text).median_ms;
}

const rows = [];
for (const model of o.models) {
  const bytes = fs.readFileSync(model);
  const make = (isa) => {
    const interp = ember.Interpreter.createSync(bytes, {isa});
    const random = rng(1);
    interp.inputDetails().forEach(
        (d, i) => interp.setInput(i, makeInput(d, random)));
    interp.invoke();  // warm-up (and the first run's one-time work)
    return interp;
  };
  const simd = make(''), scalar = make('portable');
  const kernels = simd.describe().graphs[0].nodes
      .filter((n) => n.kernel.startsWith('wasm_simd128_s8') ||
                     n.kernel === 'wasm_simd128_dwconv_s8').length;
  const haveNative = fs.existsSync(o.ember);
  const r = {simd: [], scalar: [], native: [], speedup: [], vsNative: []};
  for (let round = 0; round < o.rounds; ++round) {
    let a, b;
    if (round % 2 === 0) {
      a = timeWasm(simd, o.minMs);
      b = timeWasm(scalar, o.minMs);
    } else {
      b = timeWasm(scalar, o.minMs);
      a = timeWasm(simd, o.minMs);
    }
    r.simd.push(a);
    r.scalar.push(b);
    r.speedup.push(b / a);
    if (haveNative) {
      const n = timeNative(model);
      r.native.push(n);
      r.vsNative.push(a / n);
    }
  }
  simd.delete();
  scalar.delete();
  const row = {
    model: path.basename(model), simd128_int8_nodes: kernels,
    rounds: o.rounds, wasm_simd128_ms: median(r.simd),
    wasm_scalar_ms: median(r.scalar), speedup: median(r.speedup),
    native_ms: haveNative ? median(r.native) : null,
    wasm_over_native: haveNative ? median(r.vsNative) : null,
    speedup_per_round: r.speedup.map((x) => Number(x.toFixed(2))),
  };
  rows.push(row);
  if (o.json) console.log(JSON.stringify(row));
}

const f = (x, d = 2) => (x === null ? '-' : x.toFixed(d));
console.log('\n| model | SIMD128 int8 nodes | WASM scalar int8 (ms) | ' +
            'WASM SIMD128 (ms) | speed-up (scalar / SIMD128) | native (ms) | ' +
            'WASM SIMD128 / native |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.model} | ${r.simd128_int8_nodes} | ` +
              `${f(r.wasm_scalar_ms)} | ${f(r.wasm_simd128_ms)} | ` +
              `${f(r.speedup)}x | ${f(r.native_ms, 3)} | ` +
              `${f(r.wasm_over_native, 1)}x |`);
}
