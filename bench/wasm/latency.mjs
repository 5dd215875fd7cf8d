#!/usr/bin/env node
// Median latency of models in the WebAssembly build under Node (one thread
// unless --threads N, which needs a build_wasm.sh --threads build):
// seeded inputs, `--warmup` untimed runs, then `--runs` timed invokes.
// Prints one JSON object per model (bench/wasm/measure.py collects them).
//
// usage: node bench/wasm/latency.mjs --wasm build/wasm [--runs 30]
//          [--warmup 5] [--threads N] MODEL.tflite ...
import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

const args = process.argv.slice(2);
let wasm = 'build/wasm', runs = 30, warmup = 5, threads = 1;
const models = [];
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--wasm') wasm = args[++i];
  else if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '--warmup') warmup = Number(args[++i]);
  else if (args[i] === '--threads') threads = Number(args[++i]);
  else models.push(args[i]);
}
const createEmber = (await import(pathToFileURL(path.resolve(wasm, 'ember.mjs')).href)).default;
const ember = await createEmber();
const {makeInput, rng} = await import(
    pathToFileURL(path.resolve('tests/wasm/common.mjs')).href);
for (const model of models) {
  const interp = ember.Interpreter.createSync(fs.readFileSync(model),
                                              {numThreads: threads});
  const random = rng(1);
  interp.inputDetails().forEach((d, i) => interp.setInput(i, makeInput(d, random)));
  for (let i = 0; i < warmup; ++i) interp.invoke();
  const times = [];
  for (let i = 0; i < runs; ++i) {
    const t = performance.now();
    interp.invoke();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({model: path.basename(model), simd: ember.simd,
                              threads,
                              median_ms: times[times.length >> 1],
                              min_ms: times[0], runs}));
  interp.delete();
}
