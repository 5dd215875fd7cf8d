// TypeScript declarations of the Ember WebAssembly module (build/wasm/
// ember.mjs, built by scripts/build_wasm.sh). The API mirrors the Python
// one (ember.Interpreter ~ ai_edge_litert.interpreter.Interpreter).

export type DType =
  | 'float32' | 'float16' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16'
  | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool' | string;

/** float16 and bool tensors are read and written as raw bits/bytes. */
export type TensorData =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array
  | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

export interface TensorDetails {
  /** Tensor index in its subgraph. */
  index: number;
  name: string;
  shape: number[];
  /** -1 marks a dimension that may be resized. */
  shape_signature: number[];
  dtype: DType;
  bytes: number;
  /** [scale, zero_point] of per-tensor quantization ([0, 0] if none). */
  quantization: [number, number];
  quantization_parameters: {
    scales: number[];
    zero_points: number[];
    quantized_dimension: number;
  };
  /** Signature runners only: the name in the SignatureDef. */
  signature_name?: string;
}

export interface InterpreterOptions {
  /** Threads ops may use, the caller's included (default 1; up to the
   * module's maxThreads, which is 1 unless built with --threads). */
  numThreads?: number;
  /** Caps the kernels' instruction sets; 'ref' = reference kernels only. */
  isa?: string;
  /** Split even small ops across the threads (for tests; default false). */
  splitSmallWork?: boolean;
}

export interface ArenaBuffer {
  /** Tensor index, or -1 for the scratch of `node`. */
  tensor: number;
  node: number;
  offset: number;
  bytes: number;
  /** First and last node step (inclusive) the buffer is alive. */
  first_use: number;
  last_use: number;
}

export interface GraphDescription {
  index: number;
  name: string;
  inputs: number[];
  outputs: number[];
  nodes: {
    index: number; op: string; version: number; kernel: string;
    inputs: number[]; outputs: number[]; runs: boolean;
  }[];
  tensors: {
    index: number; name: string; type: DType; shape: number[];
    quantization: unknown; allocation: string; bytes: number;
  }[];
  plan: {
    arena_bytes: number; lower_bound_bytes: number; steps: number;
    buffers: ArenaBuffer[];
  };
}

/** `ember inspect --json`'s object plus the interpreter's graphs. */
export interface ModelDescription {
  file_bytes: number;
  schema_version: number;
  description: string;
  subgraphs: unknown[];
  ops: { name: string; version: number; count: number; supported: boolean }[];
  metadata: { name: string; buffer: number; bytes: number; value?: string }[];
  signatures: unknown[];
  planning: { status: string; message: string };
  graphs: GraphDescription[];
  simd128: boolean;
  allowed_isas: string;
}

export interface Profile {
  runs: number;
  min_ms: number;
  median_ms: number;
  profile: {
    runs: number;
    total_ms_per_run: number;
    nodes: { index: number; op: string; kernel: string; ms_per_run: number;
             calls: number }[];
    by_op: { op: string; ms_per_run: number; share: number; calls: number }[];
  };
}

export class EmberError extends Error {}

export class SignatureRunner {
  readonly key: string;
  inputDetails(): Record<string, TensorDetails>;
  outputDetails(): Record<string, TensorDetails>;
  invoke(inputs: Record<string, TensorData | number[]>):
      Record<string, TensorData>;
}

export class Interpreter {
  static create(model: Uint8Array | ArrayBuffer,
                options?: InterpreterOptions): Promise<Interpreter>;
  static createSync(model: Uint8Array | ArrayBuffer,
                    options?: InterpreterOptions): Interpreter;
  inputDetails(): TensorDetails[];
  outputDetails(): TensorDetails[];
  setInput(index: number, data: TensorData | number[]): void;
  getOutput(index: number): TensorData;
  setTensor(tensorIndex: number, data: TensorData | number[]): void;
  getTensor(tensorIndex: number): TensorData;
  resizeInput(index: number, shape: number[]): void;
  invoke(): void;
  getSignatureList(): Record<string, { inputs: string[]; outputs: string[] }>;
  getSignatureRunner(key?: string): SignatureRunner;
  describe(): ModelDescription;
  profile(runs?: number): Profile;
  delete(): void;
}

export interface EmberModule {
  Interpreter: typeof Interpreter;
  SignatureRunner: typeof SignatureRunner;
  EmberError: typeof EmberError;
  /** `ember inspect --json` of model bytes, also for models Ember cannot
   * run (no `graphs`). Throws an EmberError for invalid bytes. */
  inspectModel(model: Uint8Array | ArrayBuffer): Omit<ModelDescription,
      'graphs' | 'simd128' | 'allowed_isas'>;
  /** Ember's version, "major.minor.patch". */
  version: string;
  /** Whether this build was compiled with WebAssembly SIMD128. */
  simd: boolean;
  /** The most numThreads an interpreter can ask for: 1 without threads
   * (the default build); 1 + the Web Worker pool in a --threads build. */
  maxThreads: number;
}

export interface CreateOptions {
  /** The .wasm bytes (skips fetching/reading ember.wasm). */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Where to find ember.wasm: (file, prefix) => URL. */
  locateFile?: (file: string, prefix: string) => string;
  /** Threads build only: Web Workers made at start-up (default 3), which
   * numThreads - 1 of each live interpreter take. */
  emberWorkers?: number;
}

export default function createEmber(options?: CreateOptions):
    Promise<EmberModule>;
