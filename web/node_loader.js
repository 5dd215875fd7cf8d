// --pre-js of the WebAssembly build. Emscripten 3.1.6's ES-module output
// cannot load its .wasm under Node (it calls fetch() on a file path and
// uses __dirname, which ES modules lack), and the build emits browser code
// only (-sENVIRONMENT=web,worker). Under Node, read ember.wasm beside this
// module ourselves, unless the caller passed wasmBinary or instantiateWasm.
// (Emscripten's JS optimizer here predates import.meta and import(), so
// this uses the glue's _scriptDir (= import.meta.url) and
// process.getBuiltinModule, Node >= 20.16.)
if (typeof process === 'object' && process.versions && process.versions.node &&
    !Module['wasmBinary'] && !Module['instantiateWasm']) {
  if (typeof process.getBuiltinModule !== 'function') {
    throw new Error('Ember: this Node (' + process.version + ') cannot ' +
                    'read ember.wasm by itself; pass {wasmBinary} to ' +
                    'createEmber() or use Node >= 20.16');
  }
  const fs = process.getBuiltinModule('fs');
  const url = process.getBuiltinModule('url');
  const file = Module['locateFile'] ?
      Module['locateFile']('ember.wasm', '') :
      url.fileURLToPath(new URL('ember.wasm', _scriptDir));
  Module['wasmBinary'] = fs.readFileSync(file);
}
