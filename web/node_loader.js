// --pre-js of the WebAssembly build. Emscripten 3.1.6's ES-module output
// cannot load its .wasm under Node (it calls fetch() on a file path and
// uses __dirname, which ES modules lack), and the build emits browser code
// only (-sENVIRONMENT=web,worker). Under Node, read ember.wasm beside this
// module ourselves, unless the caller passed wasmBinary or instantiateWasm.
// Emscripten's JS optimizer here predates import.meta and import(): this
// uses the glue's _scriptDir (= import.meta.url), and either
// process.getBuiltinModule (Node >= 20.16, synchronous) or an import()
// built at run time (older Node, e.g. Debian 12's 18).
if (typeof process === 'object' && process.versions && process.versions.node &&
    !Module['wasmBinary'] && !Module['instantiateWasm']) {
  const emberWasmUrl = Module['locateFile'] ?
      Module['locateFile']('ember.wasm', '') :
      new URL('ember.wasm', _scriptDir).href;
  const emberWasmPath = (url) =>
      url.startsWith('file:') ? new URL(url) : url;
  if (typeof process.getBuiltinModule === 'function') {
    Module['wasmBinary'] =
        process.getBuiltinModule('fs').readFileSync(emberWasmPath(emberWasmUrl));
  } else {
    Module['instantiateWasm'] = function(imports, receiveInstance) {
      const dynamicImport = new Function('m', 'return import(m)');
      dynamicImport('fs')
          .then((fs) => fs.promises.readFile(emberWasmPath(emberWasmUrl)))
          .then((bytes) => WebAssembly.instantiate(bytes, imports))
          .then((result) => receiveInstance(result.instance, result.module))
          .catch((e) => readyPromiseReject(e));
      return {};
    };
  }
}
