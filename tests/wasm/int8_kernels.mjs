#!/usr/bin/env node
// Which kernels the int8 conv family runs in a WebAssembly build: with
// SIMD128 (--simd 1) every int8 CONV_2D / DEPTHWISE_CONV_2D /
// FULLY_CONNECTED node of the given models must run a wasm_simd128 kernel
// (the SIMD128 int8 GEMM tile or depthwise kernel), and with {isa:
// 'portable'} the reference one; without SIMD128 (--simd 0) always the
// reference one. compare_native.mjs checks the numbers (bit-exact with the
// native CLI and with {isa: 'ref'}); this checks that the numbers it
// compared came from the kernels under test, so a dispatch regression
// (the SIMD128 entries missing from the kernel lists, a prepare path that
// falls back) fails instead of passing on the reference kernels.
//
// (int8 here: nodes with int8 weights, hybrid ones included.)
//
// usage: node tests/wasm/int8_kernels.mjs --wasm build/wasm --simd 1
//          --manifest DIR   (a make_int8_models.py output folder)
import fs from 'node:fs';
import path from 'node:path';

import {loadEmber} from './common.mjs';

const o = {wasm: 'build/wasm', simd: 1, manifest: null};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; ++i) {
  if (argv[i] === '--wasm') o.wasm = argv[++i];
  else if (argv[i] === '--simd') o.simd = Number(argv[++i]);
  else if (argv[i] === '--manifest') o.manifest = argv[++i];
  else {
    console.error(`int8_kernels: unknown argument ${argv[i]}`);
    process.exit(2);
  }
}
if (!o.manifest) {
  console.error('int8_kernels: --manifest DIR is required');
  process.exit(2);
}
const ember = await loadEmber(o.wasm);
const list = JSON.parse(
    fs.readFileSync(path.join(o.manifest, 'manifest.json')));
const CONV_FAMILY =
    new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED']);

// [{op, kernel, int8}] for each conv-family node, as the interpreter
// prepared it (describe() names each node's kernel variant); int8: int8
// weights (int8 models, and hybrid ones: float activations, which run the
// same tiles with a float epilogue).
function convKernels(bytes, isa) {
  const interp = ember.Interpreter.createSync(bytes, {isa});
  try {
    const graph = interp.describe().graphs[0];
    const tensor = (i) => graph.tensors.find((t) => t.index === i);
    return graph.nodes.filter((n) => CONV_FAMILY.has(n.op)).map((n) => ({
      op: n.op, kernel: n.kernel, int8: tensor(n.inputs[1]).type === 'int8'}));
  } finally {
    interp.delete();
  }
}

let failed = 0, checked = 0;
for (const m of list) {
  const bytes = fs.readFileSync(path.join(o.manifest, m.path));
  const problems = [];
  const best = convKernels(bytes, '');
  if (best.length === 0) problems.push('no conv-family node');
  for (const n of best.filter((x) => x.int8)) {
    ++checked;
    const simd = n.kernel.startsWith('wasm_simd128_');
    if (o.simd && !simd) problems.push(`${n.op} ran ${n.kernel}`);
    if (!o.simd && n.kernel !== 'ref') problems.push(`${n.op} ran ${n.kernel}`);
  }
  if (o.simd) {
    for (const n of convKernels(bytes, 'portable').filter((x) => x.int8)) {
      if (n.kernel !== 'ref')
        problems.push(`${n.op} ran ${n.kernel} with isa 'portable'`);
    }
  }
  if (problems.length) ++failed;
  console.log(`${problems.length ? 'FAIL ' : 'ok   '} ${m.name}: ` +
              (problems.join('; ') ||
               best.map((n) => `${n.op}:${n.kernel}`).join(' ')));
}
console.log(`int8_kernels: ${list.length} models, ${checked} int8 nodes, ` +
            `${failed} failed`);
process.exit(failed === 0 && checked > 0 ? 0 : 1);
