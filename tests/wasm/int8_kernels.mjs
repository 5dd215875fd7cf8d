#!/usr/bin/env node
// Which kernels the int8 ops run in a WebAssembly build: with SIMD128
// (--simd 1) every int8 CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED node
// of the given models must run a wasm_simd128 kernel (the SIMD128 int8 GEMM
// tile or depthwise kernel), and so must every int8 ADD / SUB / MUL /
// MAX_POOL_2D / AVERAGE_POOL_2D (the SIMD128 fast-op table), BATCH_MATMUL
// node (its SIMD128 row kernel) and SOFTMAX node (its output step); with {isa: 'portable'} the
// conv family runs the reference kernels and no node a wasm_simd128 one;
// without SIMD128 (--simd 0) the same. compare_native.mjs checks the numbers (bit-exact with the
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
const FAST_OPS = new Set([
  'ADD', 'SUB', 'MUL', 'MAX_POOL_2D', 'AVERAGE_POOL_2D', 'BATCH_MATMUL',
  'SOFTMAX',
]);

// [{op, kernel, int8, conv}] for each node under test, as the interpreter
// prepared it (describe() names each node's kernel variant); int8: for the
// conv family int8 weights (int8 models, and hybrid ones: float
// activations, which run the same tiles with a float epilogue), for the
// other ops int8 data.
function nodeKernels(bytes, isa) {
  const interp = ember.Interpreter.createSync(bytes, {isa});
  try {
    const graph = interp.describe().graphs[0];
    const tensor = (i) => graph.tensors.find((t) => t.index === i);
    return graph.nodes
        .filter((n) => CONV_FAMILY.has(n.op) || FAST_OPS.has(n.op))
        .map((n) => {
          const conv = CONV_FAMILY.has(n.op);
          return {
            op: n.op, kernel: n.kernel, conv,
            int8: tensor(n.inputs[conv ? 1 : 0]).type === 'int8'};
        });
  } finally {
    interp.delete();
  }
}

let failed = 0, checked = 0;
for (const m of list) {
  const bytes = fs.readFileSync(path.join(o.manifest, m.path));
  const problems = [];
  const best = nodeKernels(bytes, '');
  if (!best.some((x) => x.int8)) problems.push('no int8 node under test');
  // Without SIMD128: the conv family's reference kernels, and no SIMD128
  // kernel anywhere (BATCH_MATMUL and MUL have portable loops too).
  const noSimd = (n) => n.conv ? n.kernel === 'ref' :
                                 !n.kernel.startsWith('wasm_simd128_');
  for (const n of best.filter((x) => x.int8)) {
    ++checked;
    const simd = n.kernel.startsWith('wasm_simd128_');
    if (o.simd && !simd) problems.push(`${n.op} ran ${n.kernel}`);
    if (!o.simd && !noSimd(n)) problems.push(`${n.op} ran ${n.kernel}`);
  }
  if (o.simd) {
    for (const n of nodeKernels(bytes, 'portable').filter((x) => x.int8)) {
      if (!noSimd(n))
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
