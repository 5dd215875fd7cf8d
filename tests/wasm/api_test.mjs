#!/usr/bin/env node
// The JavaScript API of the WebAssembly build, on the repository's own
// digits model (models/default): details, inputs/outputs, resizing,
// signature runners, describe() (graph and arena plan), profile(), and
// errors: every bad call must throw an EmberError naming what is wrong,
// and mutated model bytes must never crash the module.
//
// usage: node tests/wasm/api_test.mjs [--wasm build/wasm] [--simd 0|1]
//          [--threads 0|1]
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {loadEmber, rng} from './common.mjs';
import {readNpy} from './npy.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const ember = await loadEmber(opt('--wasm', path.join(root, 'build/wasm')));
const modelBytes = fs.readFileSync(path.join(root, 'models/default/digits.tflite'));
const samples = readNpy(path.join(root, 'models/default/samples.npy'));
const labels = readNpy(path.join(root, 'models/default/labels.npy'));

let failures = 0, count = 0;
async function test(name, fn) {
  ++count;
  try {
    await fn();
    console.log(`ok    ${name}`);
  } catch (e) {
    ++failures;
    console.log(`FAIL  ${name}: ${e.stack || e}`);
  }
}
// Expects fn to throw an EmberError whose message matches `pattern`.
async function throwsEmber(fn, pattern) {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof ember.EmberError,
              `expected an EmberError, got ${e && e.constructor.name}: ${e}`);
    assert.match(e.message, pattern);
    return e.message;
  }
  assert.fail(`expected an EmberError matching ${pattern}, nothing thrown`);
}

await test('module', () => {
  assert.match(ember.version, /^\d+\.\d+\.\d+$/);
  const simd = opt('--simd', null);
  if (simd !== null) assert.equal(ember.simd, simd === '1');
});

await test('details', async () => {
  const interp = await ember.Interpreter.create(modelBytes, {numThreads: 1});
  const [input] = interp.inputDetails();
  assert.equal(input.name, 'pixels');
  assert.deepEqual(input.shape, [1, 64]);
  assert.deepEqual(input.shape_signature, [-1, 64]);
  assert.equal(input.dtype, 'float32');
  assert.deepEqual(input.quantization, [0, 0]);
  const [output] = interp.outputDetails();
  assert.equal(output.name, 'probabilities');
  assert.deepEqual(output.shape, [1, 10]);
  interp.delete();
});

await test('classifies the digits samples (batch resize)', async () => {
  const interp = await ember.Interpreter.create(modelBytes);
  const n = samples.shape[0];
  interp.resizeInput(0, [n, 64]);
  assert.deepEqual(interp.inputDetails()[0].shape, [n, 64]);
  interp.setInput(0, samples.data);
  interp.invoke();
  const probs = interp.getOutput(0);
  assert.ok(probs instanceof Float32Array);
  assert.equal(probs.length, n * 10);
  let correct = 0;
  for (let i = 0; i < n; ++i) {
    const row = probs.subarray(i * 10, i * 10 + 10);
    const sum = row.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-4, `softmax row ${i} sums to ${sum}`);
    const best = row.indexOf(Math.max(...row));
    if (BigInt(best) === BigInt(labels.data[i])) ++correct;
  }
  assert.ok(correct / n > 0.9, `accuracy ${correct}/${n}`);
  interp.delete();
});

await test('signature runner', async () => {
  const interp = await ember.Interpreter.create(modelBytes);
  assert.deepEqual(interp.getSignatureList(), {
    serving_default: {inputs: ['pixels'], outputs: ['probabilities']}});
  const runner = interp.getSignatureRunner('serving_default');
  assert.deepEqual(Object.keys(runner.inputDetails()), ['pixels']);
  const x = samples.data.subarray(0, 64);
  const out = runner.invoke({pixels: x});
  interp.setInput(0, x);
  interp.invoke();
  assert.deepEqual(Array.from(out.probabilities), Array.from(interp.getOutput(0)));
  assert.deepEqual(Object.keys(interp.getSignatureRunner().outputDetails()),
                   ['probabilities']);
  await throwsEmber(() => interp.getSignatureRunner('nope'),
                    /no signature 'nope'.*'serving_default'/);
  await throwsEmber(() => runner.invoke({}), /input 'pixels' is missing/);
  await throwsEmber(() => runner.invoke({pixels: x, extra: x}),
                    /no input 'extra' \(inputs: pixels\)/);
  await throwsEmber(() => runner.invoke({pixels: new Float32Array(3)}),
                    /'pixels' \(float32 \[1, 64\]\) takes 64 elements, got 3/);
  interp.delete();
});

await test('describe: graph and a valid arena plan', async () => {
  const interp = await ember.Interpreter.create(modelBytes);
  const d = interp.describe();
  assert.equal(d.ops.length, 2);  // FULLY_CONNECTED, SOFTMAX
  assert.equal(d.planning.status, 'ok');
  const g = d.graphs[0];
  assert.deepEqual(g.nodes.map((n) => n.op),
                   ['FULLY_CONNECTED', 'FULLY_CONNECTED', 'SOFTMAX']);
  assert.equal(g.tensors.length, 8);
  assert.equal(g.plan.arena_bytes, d.subgraphs[0].arena_bytes);
  assert.ok(g.plan.lower_bound_bytes <= g.plan.arena_bytes);
  assert.ok(g.plan.buffers.length > 0);
  // No two buffers alive at the same step may overlap in the arena, and
  // the peak of live bytes is the lower bound.
  const bufs = g.plan.buffers;
  for (const a of bufs) {
    assert.ok(a.offset + a.bytes <= g.plan.arena_bytes);
    for (const b of bufs) {
      if (a === b || a.offset === b.offset && a.tensor >= 0 && b.tensor >= 0) {
        continue;  // itself, or tensors sharing one buffer (aliases)
      }
      const live = a.first_use <= b.last_use && b.first_use <= a.last_use;
      const overlap = a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
      assert.ok(!(live && overlap && a.bytes > 0 && b.bytes > 0),
                `buffers ${JSON.stringify(a)} and ${JSON.stringify(b)} overlap`);
    }
  }
  interp.delete();
});

await test('profile', async () => {
  const interp = await ember.Interpreter.create(modelBytes);
  interp.setInput(0, samples.data.subarray(0, 64));
  const p = interp.profile(5);
  assert.equal(p.runs, 5);
  assert.ok(p.min_ms >= 0 && p.median_ms >= p.min_ms);
  assert.equal(p.profile.nodes.length, 3);
  for (const n of p.profile.nodes) assert.equal(n.calls, 5);
  const shares = p.profile.by_op.reduce((a, o) => a + o.share, 0);
  assert.ok(Math.abs(shares - 1) < 1e-6 || p.profile.total_ms_per_run === 0);
  interp.delete();
});

// numThreads > 1: a threads build (build_wasm.sh --threads) gives the same
// outputs on every thread count (small ops split too, so the workers run
// chunks of the digits model) and hands its Web Workers out until none is
// left; a build without threads refuses with a message naming the way out.
await test('threads', async () => {
  const n = samples.shape[0];
  const run = async (numThreads) => {
    const interp = await ember.Interpreter.create(
        modelBytes, {numThreads, splitSmallWork: true});
    interp.resizeInput(0, [n, 64]);
    interp.setInput(0, samples.data);
    interp.invoke();
    const out = interp.getOutput(0);
    interp.delete();
    return out;
  };
  const threadsBuild = opt('--threads', null);
  if (threadsBuild !== null) assert.equal(ember.maxThreads > 1, threadsBuild === '1');
  if (ember.maxThreads === 1) {
    await throwsEmber(() => ember.Interpreter.create(modelBytes, {numThreads: 2}),
                      /numThreads 2: this WebAssembly build runs on one thread.*--threads/);
    return;
  }
  const one = await run(1);
  for (let t = 2; t <= ember.maxThreads; ++t) {
    assert.deepEqual(await run(t), one, `numThreads ${t} vs 1`);
  }
  const all = await ember.Interpreter.create(modelBytes,
                                             {numThreads: ember.maxThreads});
  await throwsEmber(() => ember.Interpreter.create(modelBytes, {numThreads: 2}),
                    /numThreads 2 needs 1 Web Workers besides the caller, but 0 of the module's \d+ are free/);
  const single = await ember.Interpreter.create(modelBytes, {numThreads: 1});
  single.delete();
  all.delete();
  (await ember.Interpreter.create(modelBytes, {numThreads: 2})).delete();
  await throwsEmber(
      () => ember.Interpreter.create(modelBytes, {numThreads: ember.maxThreads + 1}),
      /needs \d+ Web Workers besides the caller.*emberWorkers/);
});

await test('errors: model bytes', async () => {
  await throwsEmber(() => ember.Interpreter.create(new Uint8Array([1, 2, 3])),
                    /not a valid model/);
  await throwsEmber(
      () => ember.Interpreter.create(modelBytes.subarray(0, modelBytes.length / 2)),
      /not a valid model/);
  await throwsEmber(() => ember.Interpreter.create('digits.tflite'),
                    /Uint8Array or ArrayBuffer.*got String/);
  await throwsEmber(() => ember.Interpreter.create(modelBytes, {numThreads: 0}),
                    /numThreads must be >= 1/);
  await throwsEmber(() => ember.Interpreter.create(modelBytes, {isa: 'bogus'}),
                    /bogus/);
});

await test('errors: inputs, outputs, lifetime', async () => {
  const interp = await ember.Interpreter.create(modelBytes);
  await throwsEmber(() => interp.setInput(0, new Float32Array(10)),
                    /input 0 'pixels' \(float32 \[1, 64\]\) takes 64 elements, got 10/);
  await throwsEmber(() => interp.setInput(0, new Int8Array(64)),
                    /needs a Float32Array, got a Int8Array/);
  await throwsEmber(() => interp.setInput(0, 'abc'), /needs a Float32Array/);
  await throwsEmber(() => interp.setInput(3, new Float32Array(64)),
                    /no input 3: the model has 1 input/);
  await throwsEmber(() => interp.getOutput(-1), /no output -1/);
  await throwsEmber(() => interp.getTensor(99), /no tensor 99/);
  await throwsEmber(() => interp.setTensor(1, new Float32Array(1)),
                    /constant|takes/);
  // A shape the model cannot take: an error, and the interpreter is left
  // as it was.
  const why = await throwsEmber(() => interp.resizeInput(0, [1, 65]),
                                /FULLY_CONNECTED|65|64/);
  assert.ok(why.length > 10, why);
  assert.deepEqual(interp.inputDetails()[0].shape, [1, 64]);
  await throwsEmber(() => interp.resizeInput(2, [1, 64]), /no input 2/);
  interp.setInput(0, Array.from({length: 64}, () => 0.5));  // plain arrays too
  interp.invoke();
  interp.delete();
  await throwsEmber(() => interp.invoke(), /deleted/);
});

await test('mutated model bytes never crash the module', async () => {
  const random = rng(7);
  let accepted = 0, rejected = 0;
  for (let i = 0; i < 200; ++i) {
    const bytes = Uint8Array.from(modelBytes);
    const flips = 1 + Math.floor(random() * 8);
    for (let k = 0; k < flips; ++k) {
      bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
    }
    try {
      const interp = ember.Interpreter.createSync(bytes);
      interp.setInput(0, new Float32Array(64).fill(0.25));
      interp.invoke();
      interp.getOutput(0);
      interp.delete();
      ++accepted;
    } catch (e) {
      assert.ok(e instanceof ember.EmberError,
                `mutation ${i}: ${e && e.constructor.name}: ${e}`);
      assert.ok(e.message.length > 0);
      ++rejected;
    }
  }
  console.log(`      (${accepted} mutated models ran, ${rejected} rejected)`);
  // The module still works afterwards.
  const interp = await ember.Interpreter.create(modelBytes);
  interp.invoke();
  interp.delete();
});

console.log(`api_test: ${count - failures} of ${count} passed`);
process.exit(failures === 0 ? 0 : 1);
