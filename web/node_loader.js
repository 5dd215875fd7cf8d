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

// The threads build's glue also runs under Node (it needs worker_threads
// there), and its Node code uses CommonJS's require and __dirname, which an
// ES module lacks: give this module function its own. A pthread's worker
// (ember.worker.js, CommonJS) puts its require on globalThis first.
var require = globalThis.require;
var __dirname;
if (typeof process === 'object' && process.versions && process.versions.node) {
  if (typeof require !== 'function') {
    require = typeof process.getBuiltinModule === 'function' ?
        process.getBuiltinModule('module').createRequire(_scriptDir) :
        (name) => {
          throw new Error(`Ember's WebAssembly threads build needs Node ` +
                          `>= 20.16 (process.getBuiltinModule) to load ` +
                          `'${name}'; this is Node ${process.versions.node}`);
        };
  }
  if (_scriptDir && _scriptDir.startsWith('file:')) {
    __dirname = new URL('.', _scriptDir).pathname;
  }
}
