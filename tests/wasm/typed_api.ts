// web/ember.d.ts checked two ways: tsc --strict type-checks this program,
// which uses the API as the README shows (and misuses it in the places
// marked as expected errors: tsc fails if the declarations stop rejecting
// them), and the compiled program then runs against the build, so that
// every declared call exists and returns what its type says.
//   tsc -p tests/wasm/tsconfig.json && node build/wasm-ts/typed_api.js WASM_DIR ROOT
import {readFileSync} from 'node:fs';
import {pathToFileURL} from 'node:url';

import type createEmberFn from '../../web/ember';
import type {EmberModule, Interpreter, ModelDescription, Profile,
             TensorData, TensorDetails} from '../../web/ember';

const [wasmDir, root] = process.argv.slice(2);

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`typed_api: ${what}`);
}

async function main(): Promise<void> {
  const url = pathToFileURL(`${wasmDir}/ember.mjs`).href;
  const createEmber: typeof createEmberFn = (await import(url)).default;
  const ember: EmberModule = await createEmber();
  check(/^\d+\.\d+\.\d+$/.test(ember.version), `version '${ember.version}'`);
  const simd: boolean = ember.simd;
  check(typeof simd === 'boolean', 'simd is a boolean');

  const model = readFileSync(`${root}/models/default/digits.tflite`);
  const interp: Interpreter =
      await ember.Interpreter.create(model, {numThreads: 1});
  const input: TensorDetails = interp.inputDetails()[0];
  check(input.dtype === 'float32' && input.shape.length === 2, 'input details');
  const pixels = new Float32Array(input.shape[1]).fill(0.5);
  interp.setInput(0, pixels);
  interp.invoke();
  const out: TensorData = interp.getOutput(0);
  check(out instanceof Float32Array && out.length === 10, 'output');

  const described: ModelDescription = interp.describe();
  check(described.graphs[0].nodes.length > 0, 'describe() has nodes');
  check(described.graphs[0].plan.arena_bytes > 0, 'describe() has a plan');
  const profile: Profile = interp.profile(3);
  check(profile.runs === 3 && profile.profile.by_op.length > 0, 'profile()');
  const signatures = interp.getSignatureList();
  const key = Object.keys(signatures)[0];
  const runner = interp.getSignatureRunner(key);
  const named = runner.invoke({[signatures[key].inputs[0]]: pixels});
  check(named[signatures[key].outputs[0]].length === 10, 'signature runner');
  const inspected = ember.inspectModel(model);
  check(inspected.ops.length > 0, 'inspectModel()');

  let threw: unknown = null;
  try {
    interp.setInput(0, new Float32Array(3));
  } catch (e) {
    threw = e;
  }
  check(threw instanceof ember.EmberError, 'a wrong-sized input throws EmberError');

  // Misuse the declarations must reject (tsc fails on an unused directive).
  // @ts-expect-error: tensor indices are numbers
  (() => interp.setInput('0', pixels));
  // @ts-expect-error: numThreads is a number
  (() => ember.Interpreter.create(model, {numThreads: 'two'}));
  // @ts-expect-error: there is no run(); it is invoke()
  (() => interp.run());
  // @ts-expect-error: details are read-only data, not a string
  const wrong: string = interp.outputDetails()[0].shape;
  void wrong;

  interp.delete();
  console.log('ok    typed API: declarations and module agree');
}

main().catch((e) => {
  console.log(`FAIL  typed API: ${e && e.stack ? e.stack : e}`);
  process.exitCode = 1;
});
