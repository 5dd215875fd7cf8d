#!/usr/bin/env node
// Runs .tflite models in the WebAssembly build (Node) and in the native
// `ember` CLI on the same seeded inputs, and compares every output:
// integer outputs bit-exact, float outputs within the tolerance in
// common.mjs. The WebAssembly outputs are also compared, with the same
// rules, with the WebAssembly build's reference kernels ({isa: 'ref'}),
// the oracle of its SIMD128 kernels. A model both builds reject counts as
// agreement; one that only one of them rejects is a failure.
//
// usage: node tests/wasm/compare_native.mjs --wasm build/wasm
//          --ember build/release/ember [--manifest CACHE_DIR [--only REGEX]]
//          [--min-models N] [--threads N] [MODEL.tflite ...]
// (--threads: the WebAssembly run uses N threads, small ops split too; the
// reference run stays on one.)
// (--min-models: fail when fewer models, counting only the manifest's
// matches when --manifest is given.)
// (--manifest: a tests/conformance cache; its input ranges are used.)
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {compare, hashName, loadEmber, makeInput, rng} from './common.mjs';
import {readNpy, writeNpy} from './npy.mjs';

function parseArgs(argv) {
  const o = {wasm: 'build/wasm', ember: 'build/release/ember', models: [],
             manifest: null, only: null, minModels: 1, threads: 1};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--wasm') o.wasm = argv[++i];
    else if (a === '--ember') o.ember = argv[++i];
    else if (a === '--manifest') o.manifest = argv[++i];
    else if (a === '--only') o.only = new RegExp(argv[++i]);
    else if (a === '--min-models') o.minModels = Number(argv[++i]);
    else if (a === '--threads') o.threads = Number(argv[++i]);
    else if (a.startsWith('-')) {
      console.error(`compare_native: unknown option ${a}`);
      process.exit(2);
    } else o.models.push({path: a, name: path.basename(a), ranges: null});
  }
  return o;
}

function manifestModels(dir, only) {
  const list = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json')));
  return list.filter((m) => !only || only.test(m.name))
      .map((m) => ({path: path.join(dir, m.path), name: m.name,
                    ranges: m.ranges || null}));
}

// Native run: writes the inputs as .npy, returns {outputs: [typed arrays]}
// or {error}.
// Outputs of `bytes` in this module, or {error}.
function runWasm(ember, bytes, inputs, options) {
  let interp;
  try {
    interp = ember.Interpreter.createSync(bytes, options);
    inputs.forEach((data, i) => interp.setInput(i, data));
    interp.invoke();
    return interp.outputDetails().map((d, i) => ({
      data: interp.getOutput(i), dtype: d.dtype}));
  } catch (e) {
    return {error: e.message};
  } finally {
    if (interp) interp.delete();
  }
}

function runNative(ember, model, inputs, details, dir) {
  const args = ['run', model, '--json', '--output-dir', path.join(dir, 'out')];
  inputs.forEach((data, i) => {
    const file = path.join(dir, `in${i}.npy`);
    writeNpy(file, details[i].dtype, details[i].shape, data);
    args.push('--input', `${i}=${file}`);
  });
  try {
    const text = execFileSync(ember, args, {stdio: ['ignore', 'pipe', 'pipe']});
    const report = JSON.parse(text);
    return {outputs: report.outputs.map((o) => readNpy(o.file).data)};
  } catch (e) {
    return {error: (e.stderr ? e.stderr.toString() : String(e)).trim()};
  }
}

const o = parseArgs(process.argv.slice(2));
const fromManifest = o.manifest ? manifestModels(o.manifest, o.only) : [];
o.models.push(...fromManifest);
// --min-models counts the manifest's matches when there is a manifest (a
// half-generated cache must not pass as a small one).
const counted = o.manifest ? fromManifest.length : o.models.length;
if (counted < o.minModels || o.models.length === 0) {
  console.error(`compare_native: ${counted} ${o.manifest ? 'manifest ' : ''}` +
                `models, expected at least ${o.minModels}`);
  process.exit(1);
}
const ember = await loadEmber(o.wasm);
if (o.threads > ember.maxThreads) {
  console.error(`compare_native: --threads ${o.threads}, but ${o.wasm} runs ` +
                `at most ${ember.maxThreads} (build it with --threads)`);
  process.exit(1);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ember-wasm-'));
let passed = 0, failed = 0, rejected = 0;
const start = Date.now();
for (const m of o.models) {
  let bytes;
  try {
    bytes = fs.readFileSync(m.path);
  } catch (e) {  // a manifest entry whose file is gone: a failure, named
    ++failed;
    console.log(`FAIL   ${m.name}: cannot read ${m.path}: ${e.message}`);
    continue;
  }
  const dir = fs.mkdtempSync(path.join(tmp, 'm'));
  let interp;
  try {
    interp = ember.Interpreter.createSync(bytes);
  } catch (e) {
    // Both must reject it (an unsupported op, say).
    const native = runNative(o.ember, m.path, [], [], dir);
    if (native.error) {
      ++rejected;
      console.log(`agree  ${m.name}: both reject (${e.message.slice(0, 100)})`);
    } else {
      ++failed;
      console.log(`FAIL   ${m.name}: wasm rejects it, native runs it: ` +
                  e.message);
    }
    continue;
  }
  const details = interp.inputDetails();
  const random = rng(hashName(m.name));
  const inputs = details.map((d, i) =>
      makeInput(d, random, m.ranges ? m.ranges[i] : null));
  if (inputs.some((x) => x === null)) {
    console.log(`skip   ${m.name}: an input dtype the test cannot fill`);
    interp.delete();
    continue;
  }
  interp.delete();
  const outputs = runWasm(ember, bytes, inputs, o.threads > 1 ?
      {numThreads: o.threads, splitSmallWork: true} : {});
  const reference = runWasm(ember, bytes, inputs, {isa: 'ref'});
  const native = runNative(o.ember, m.path, inputs, details, dir);
  if (outputs.error || native.error) {
    if (outputs.error && native.error) {
      ++rejected;
      console.log(`agree  ${m.name}: both fail to run`);
    } else {
      ++failed;
      console.log(`FAIL   ${m.name}: wasm ${outputs.error || 'ok'}; native ` +
                  `${native.error || 'ok'}`);
    }
    continue;
  }
  const results = outputs.map((out, i) =>
      compare(out.data, native.outputs[i], out.dtype));
  const vsRef = reference.error ? [{ok: false, detail: reference.error}] :
      outputs.map((out, i) => compare(out.data, reference[i].data, out.dtype));
  const ok = results.every((r) => r.ok) && vsRef.every((r) => r.ok);
  ok ? ++passed : ++failed;
  console.log(`${ok ? 'ok    ' : 'FAIL  '} ${m.name}: ` +
              results.map((r, i) => `out${i} ${outputs[i].dtype} ${r.detail}`)
                  .join('; ') +
              ` | vs wasm ref: ${vsRef.map((r) => r.detail).join('; ')}`);
}
fs.rmSync(tmp, {recursive: true, force: true});
console.log(`compare_native: ${passed} match, ${rejected} rejected by both, ` +
            `${failed} failed, ${o.models.length} models, ` +
            `${((Date.now() - start) / 1000).toFixed(1)} s`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
