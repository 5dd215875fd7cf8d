// --post-js of the WebAssembly build: the JavaScript API, shaped like the
// Python one (ember.Interpreter ~ ai_edge_litert.interpreter.Interpreter).
// Runs inside the module factory, so it sees the wasm exports (_ember_wasm_*)
// and the heap views directly. Types: web/ember.d.ts.
//
//   const ember = await createEmber();
//   const interp = await ember.Interpreter.create(bytes, { numThreads: 1 });
//   interp.setInput(0, new Float32Array(n)); interp.invoke();
//   const y = interp.getOutput(0);   // a typed array of the output's dtype
//   interp.delete();

/** An error from Ember (bad model bytes, wrong input size, ...). */
class EmberError extends Error {
  constructor(message) {
    super(message);
    this.name = 'EmberError';
  }
}

// Typed array per Ember dtype (float16 and bool as raw bits).
const EMBER_TYPED_ARRAYS = {
  float32: Float32Array, float64: Float64Array, float16: Uint16Array,
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array,
  int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array,
  uint64: BigUint64Array, bool: Uint8Array,
};

function emberError(fallback) {
  const message = UTF8ToString(_ember_wasm_last_error());
  return new EmberError(message || fallback);
}

function emberJson(ptr, what) {
  if (!ptr) throw emberError(what + ' failed');
  return JSON.parse(UTF8ToString(ptr));
}

function emberWithString(text, fn) {
  const size = lengthBytesUTF8(text) + 1;
  const ptr = _malloc(size);
  stringToUTF8(text, ptr, size);
  try {
    return fn(ptr);
  } finally {
    _free(ptr);
  }
}

function emberWithBytes(bytes, fn) {
  const ptr = _malloc(Math.max(bytes.byteLength, 1));
  if (!ptr) throw new EmberError(`out of memory copying ${bytes.byteLength} bytes`);
  HEAPU8.set(bytes, ptr);
  try {
    return fn(ptr);
  } finally {
    _free(ptr);
  }
}

function emberModelBytes(model) {
  if (model instanceof Uint8Array) return model;
  if (model instanceof ArrayBuffer) return new Uint8Array(model);
  if (ArrayBuffer.isView(model)) {
    return new Uint8Array(model.buffer, model.byteOffset, model.byteLength);
  }
  throw new EmberError('the model must be a Uint8Array or ArrayBuffer of ' +
                       '.tflite bytes, got ' + emberTypeName(model));
}

function emberTypeName(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  return (value.constructor && value.constructor.name) || typeof value;
}

function emberShapeText(shape) {
  return '[' + shape.join(', ') + ']';
}

function emberElementCount(shape) {
  return shape.reduce((n, d) => n * d, 1);
}

// Reads a tensor out of the heap as a fresh typed array of its dtype.
function emberReadTensor(handle, subgraph, details) {
  const Type = EMBER_TYPED_ARRAYS[details.dtype];
  if (!Type) {
    throw new EmberError(`tensor ${details.index} '${details.name}' has ` +
                         `dtype ${details.dtype}, which JavaScript cannot read`);
  }
  const ptr = _ember_wasm_tensor_data(handle, subgraph, details.index);
  if (!ptr && details.bytes > 0) throw emberError('reading a tensor failed');
  const copy = HEAPU8.slice(ptr, ptr + details.bytes);
  return new Type(copy.buffer, 0, details.bytes / Type.BYTES_PER_ELEMENT);
}

// Checks `data` against the tensor's dtype and element count (naming the
// tensor as `what`), then copies it in.
function emberWriteTensor(handle, subgraph, details, data, what) {
  const Type = EMBER_TYPED_ARRAYS[details.dtype];
  if (!Type) {
    throw new EmberError(`${what} has dtype ${details.dtype}, which ` +
                         'JavaScript cannot write');
  }
  const expected = emberElementCount(details.shape);
  const described = `${what} (${details.dtype} ${emberShapeText(details.shape)})`;
  if (Array.isArray(data)) {
    data = Type === BigInt64Array || Type === BigUint64Array ?
        Type.from(data, (v) => BigInt(v)) : Type.from(data);
  }
  if (!ArrayBuffer.isView(data) || data instanceof DataView) {
    throw new EmberError(`${described} needs a ${Type.name} (or an Array), ` +
                         `got ${emberTypeName(data)}`);
  }
  if (!(data instanceof Type)) {
    throw new EmberError(`${described} needs a ${Type.name}, got a ` +
                         `${emberTypeName(data)}`);
  }
  if (data.length !== expected) {
    throw new EmberError(`${described} takes ${expected} elements, got ` +
                         `${data.length}`);
  }
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  emberWithBytes(bytes, (ptr) => {
    if (!_ember_wasm_set_tensor(handle, subgraph, details.index, ptr,
                                bytes.byteLength)) {
      throw emberError(`setting ${what} failed`);
    }
  });
}

/** Named inputs/outputs of one SignatureDef (Python: get_signature_runner). */
class SignatureRunner {
  constructor(interpreter, signature) {
    this._interp = interpreter;
    this._sig = signature;
  }
  get key() { return this._sig.key; }
  _byName(list) {
    const out = {};
    for (const d of list) out[d.signature_name] = Object.assign({}, d);
    return out;
  }
  /** {name: details} of the signature's inputs. */
  inputDetails() { return this._byName(this._sig.inputs); }
  /** {name: details} of the signature's outputs. */
  outputDetails() { return this._byName(this._sig.outputs); }
  /** Sets every named input, runs, returns {name: typed array}. */
  invoke(inputs = {}) {
    const handle = this._interp._live();
    const names = this._sig.inputs.map((d) => d.signature_name);
    for (const name of Object.keys(inputs)) {
      if (!names.includes(name)) {
        throw new EmberError(`signature '${this._sig.key}' has no input ` +
                             `'${name}' (inputs: ${names.join(', ')})`);
      }
    }
    for (const d of this._sig.inputs) {
      if (!(d.signature_name in inputs)) {
        throw new EmberError(`signature '${this._sig.key}': input ` +
                             `'${d.signature_name}' is missing`);
      }
      emberWriteTensor(handle, this._sig.subgraph, d, inputs[d.signature_name],
                       `signature '${this._sig.key}' input '${d.signature_name}'`);
    }
    if (!_ember_wasm_invoke(handle, this._sig.subgraph)) {
      throw emberError('invoke failed');
    }
    const out = {};
    for (const d of this._sig.outputs) {
      const now = emberJson(_ember_wasm_tensor(handle, this._sig.subgraph,
                                               d.index), 'reading an output');
      out[d.signature_name] = emberReadTensor(handle, this._sig.subgraph, now);
    }
    return out;
  }
}

/** A model ready to run (Python: ai_edge_litert.interpreter.Interpreter). */
class Interpreter {
  constructor(handle) {
    this._handle = handle;
    this._refresh();
  }

  /**
   * Verifies the model bytes, builds the interpreter and plans memory.
   * options: {numThreads (1; above 1 only in a --threads build, up to
   * maxThreads), isa ('' = best available, 'ref' = reference kernels only),
   * splitSmallWork (false; threads split even small ops, for tests)}.
   * Rejects with an EmberError naming what is wrong.
   */
  static async create(model, options = {}) {
    return Interpreter.createSync(model, options);
  }

  static createSync(model, options = {}) {
    const bytes = emberModelBytes(model);
    const threads = options.numThreads === undefined ? 1 : options.numThreads;
    if (!Number.isInteger(threads)) {
      throw new EmberError(`numThreads must be an integer, got ${threads}`);
    }
    const isa = options.isa === undefined ? '' : String(options.isa);
    const split = options.splitSmallWork ? 1 : 0;
    const handle = emberWithBytes(bytes, (data) => emberWithString(
        isa, (isaPtr) => _ember_wasm_create(data, bytes.byteLength, threads,
                                            isaPtr, split)));
    if (!handle) throw emberError('creating the interpreter failed');
    return new Interpreter(handle);
  }

  _live() {
    if (!this._handle) throw new EmberError('the interpreter was deleted');
    return this._handle;
  }

  _refresh() {
    const io = emberJson(_ember_wasm_io(this._live()), 'describing tensors');
    this._inputs = io.inputs;
    this._outputs = io.outputs;
    this._signatures = io.signatures;
  }

  _position(list, i, kind) {
    if (!Number.isInteger(i) || i < 0 || i >= list.length) {
      throw new EmberError(`no ${kind} ${i}: the model has ${list.length} ` +
                           `${kind}s`);
    }
    return list[i];
  }

  /** [{index, name, shape, shape_signature, dtype, quantization, ...}] */
  inputDetails() { return this._inputs.map((d) => Object.assign({}, d)); }
  outputDetails() { return this._outputs.map((d) => Object.assign({}, d)); }

  /** Copies `data` (a typed array of the input's dtype) into input i. */
  setInput(i, data) {
    const d = this._position(this._inputs, i, 'input');
    emberWriteTensor(this._live(), 0, d, data, `input ${i} '${d.name}'`);
  }

  /** A copy of output i as a typed array of its dtype. */
  getOutput(i) {
    const d = this._position(this._outputs, i, 'output');
    const now = emberJson(_ember_wasm_tensor(this._live(), 0, d.index),
                          'reading an output');
    return emberReadTensor(this._handle, 0, now);
  }

  /** Python's set_tensor / get_tensor, by tensor index (primary subgraph). */
  setTensor(tensorIndex, data) {
    const d = emberJson(_ember_wasm_tensor(this._live(), 0, tensorIndex),
                        'finding the tensor');
    emberWriteTensor(this._handle, 0, d, data, `tensor ${tensorIndex} '${d.name}'`);
  }
  getTensor(tensorIndex) {
    const d = emberJson(_ember_wasm_tensor(this._live(), 0, tensorIndex),
                        'finding the tensor');
    return emberReadTensor(this._handle, 0, d);
  }

  /** Gives input i a new shape and plans memory again. */
  resizeInput(i, shape) {
    this._position(this._inputs, i, 'input');
    const dims = Int32Array.from(shape);
    const ok = emberWithBytes(new Uint8Array(dims.buffer), (ptr) =>
        _ember_wasm_resize_input(this._live(), 0, i, ptr, dims.length));
    if (!ok) throw emberError('resizing the input failed');  // (unchanged)
    this._refresh();
  }

  invoke() {
    if (!_ember_wasm_invoke(this._live(), 0)) throw emberError('invoke failed');
  }

  /** {key: {inputs: [names], outputs: [names]}} as Python's. */
  getSignatureList() {
    const out = {};
    for (const s of this._signatures) {
      out[s.key] = {
        inputs: s.inputs.map((d) => d.signature_name),
        outputs: s.outputs.map((d) => d.signature_name),
      };
    }
    return out;
  }

  /** The runner of signature `key` (the only one when key is omitted). */
  getSignatureRunner(key) {
    if (key === undefined && this._signatures.length === 1) {
      return new SignatureRunner(this, this._signatures[0]);
    }
    const sig = this._signatures.find((s) => s.key === key);
    if (!sig) {
      const keys = this._signatures.map((s) => `'${s.key}'`).join(', ');
      throw new EmberError(`no signature '${key}' (the model has ` +
                           `${keys || 'none'})`);
    }
    return new SignatureRunner(this, sig);
  }

  /**
   * The model as `ember inspect --json` describes it, plus `graphs`: per
   * subgraph the nodes this interpreter runs (op, kernel), tensors, and the
   * arena plan (each buffer's offset and lifetime, peak, lower bound).
   */
  describe() {
    return emberJson(_ember_wasm_describe(this._live()), 'describing the model');
  }

  /** Times `runs` invokes per node on the current inputs (after one warm-up). */
  profile(runs = 10) {
    return emberJson(_ember_wasm_profile(this._live(), runs), 'profiling');
  }

  /** Frees the interpreter; later calls throw. */
  delete() {
    if (this._handle) _ember_wasm_destroy(this._handle);
    this._handle = 0;
  }
}

/**
 * `ember inspect --json` of model bytes (ops with their support, tensors of
 * each subgraph's inputs/outputs, metadata, signatures, planned arena), also
 * for models Ember cannot run. Throws an EmberError for invalid bytes.
 */
function inspectModel(model) {
  const bytes = emberModelBytes(model);
  return emberJson(emberWithBytes(bytes, (ptr) =>
                       _ember_wasm_inspect(ptr, bytes.byteLength)),
                   'inspecting the model');
}

Module['inspectModel'] = inspectModel;
Module['EmberError'] = EmberError;
Module['Interpreter'] = Interpreter;
Module['SignatureRunner'] = SignatureRunner;
// The wasm is not instantiated yet while this runs: ask it once it is.
addOnInit(function() {
  Module['version'] = UTF8ToString(_ember_wasm_version());
  Module['simd'] = _ember_wasm_simd() !== 0;
  Module['maxThreads'] = _ember_wasm_max_threads();
  // Threads build under Node: the pool's workers must not keep the process
  // alive once the caller's work is done (their threads only ever wait for
  // the next job). Only now: listening to a worker refs it again, and the
  // glue starts listening when it hands the workers the compiled module.
  if (typeof PThread !== 'undefined' && ENVIRONMENT_IS_NODE) {
    PThread.unusedWorkers.forEach((worker) => worker.unref());
  }
});
