// Ember Studio: opens a .tflite in the page, describes it with the
// WebAssembly build (graph, arena plan, op support), runs and profiles it.
// Nothing leaves the page. The views are shared with `ember report`
// (views.js). ?wasm=DIR picks another build (e.g. ../build/wasm-nosimd).
import createEmberSimd from '../build/wasm/ember.mjs';

const $ = (id) => document.getElementById(id);
const t0 = performance.now();
const state = {ember: null, interp: null, name: '', data: null, bytes: null,
               threads: 1};

function setState(s) { document.body.dataset.state = s; }

function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.classList.toggle('shown', Boolean(message));
}

// A cross-origin isolated page (COOP + COEP headers) may share memory with
// Web Workers, so it takes the threads build when one was built
// (scripts/build_wasm.sh --threads); any other page the SIMD128 build.
async function loadEmber() {
  const dir = new URLSearchParams(location.search).get('wasm');
  if (!dir && self.crossOriginIsolated) {
    try {
      const threaded = await import('../build/wasm-threads/ember.mjs');
      return await threaded.default();
    } catch (e) {
      console.info(`Ember Studio: no threads build (${e.message || e}); ` +
                   'using build/wasm');
    }
  }
  if (!dir) return createEmberSimd();
  const mod = await import(new URL(`${dir}/ember.mjs`, location.href).href);
  return mod.default();
}

// Seeded values per dtype (mulberry32), like tests/wasm/common.mjs.
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPED = {float32: Float32Array, float64: Float64Array, int8: Int8Array,
               uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array,
               int32: Int32Array, uint32: Uint32Array, bool: Uint8Array,
               float16: Uint16Array, int64: BigInt64Array, uint64: BigUint64Array};
const RANGES = {int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767],
                uint16: [0, 65535], int32: [0, 7], uint32: [0, 7], bool: [0, 1],
                int64: [0, 7], uint64: [0, 7], float16: [0, 0]};

function makeInput(d, random, zeros) {
  const n = d.shape.reduce((a, b) => a * b, 1);
  const Type = TYPED[d.dtype];
  if (!Type) throw new Error(`input '${d.name}' has dtype ${d.dtype}, which ` +
                             'Studio cannot fill');
  const out = new Type(n);
  if (zeros) return out;
  const big = Type === BigInt64Array || Type === BigUint64Array;
  const float = d.dtype === 'float32' || d.dtype === 'float64';
  const [lo, hi] = float ? [-1, 1] : RANGES[d.dtype];
  for (let i = 0; i < n; ++i) {
    const u = random();
    const v = float ? lo + (hi - lo) * u : lo + Math.floor((hi - lo + 1) * u);
    out[i] = big ? BigInt(v) : v;
  }
  return out;
}

// Decodes an image in the page and fits it to an input [1, H, W, C]:
// float inputs get [0, 1], uint8 the raw values, int8 value - 128.
async function imageInput(file, d) {
  const [, h, w, c] = d.shape;
  const bitmap = await createImageBitmap(file);
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0, w, h);
  const rgba = ctx.getImageData(0, 0, w, h).data;
  const out = new TYPED[d.dtype](h * w * c);
  for (let i = 0; i < h * w; ++i) {
    for (let k = 0; k < c; ++k) {
      const v = c === 1 ? (rgba[4 * i] + rgba[4 * i + 1] + rgba[4 * i + 2]) / 3 :
                          rgba[4 * i + k];
      out[i * c + k] = d.dtype === 'uint8' ? v : d.dtype === 'int8' ? v - 128 :
                                                 v / 255;
    }
  }
  return out;
}

function imageCapable(d) {
  return d && d.shape.length === 4 && d.shape[0] === 1 &&
         (d.shape[3] === 3 || d.shape[3] === 1) &&
         ['float32', 'uint8', 'int8'].includes(d.dtype);
}

async function openBytes(name, bytes) {
  const started = performance.now();
  showError('');
  setState('opening');
  if (state.interp) state.interp.delete();
  state.interp = null;
  state.name = name;
  const views = $('views');
  views.textContent = '';
  $('run').hidden = true;
  let model;
  try {
    model = state.ember.inspectModel(bytes);
  } catch (e) {
    showError(`Cannot open ${name}: ${e.message}`);
    setState('error');
    return;
  }
  try {
    state.threads = chosenThreads();
    state.interp = await state.ember.Interpreter.create(
        bytes, {numThreads: state.threads});
    state.bytes = bytes;
    model = state.interp.describe();
  } catch (e) {
    showError(`${name}: Ember cannot run this model: ${e.message}`);
    state.data = {model, run: {file: name}};
    window.EmberViews.render(views, state.data);
    setState('error');
    return;
  }
  state.data = {model, run: {file: name, engine: engineName()}};
  window.EmberViews.render(views, state.data);
  const first = state.interp.inputDetails()[0];
  $('image-label').hidden = !imageCapable(first);
  $('run').hidden = false;
  $('run-status').textContent =
      `opened in ${(performance.now() - started).toFixed(0)} ms`;
  setState('model');
}

function engineName() {
  return `Ember ${state.ember.version} WebAssembly` +
         `${state.ember.simd ? ' + SIMD128' : ''}` +
         `${state.threads > 1 ? `, ${state.threads} threads` : ''}`;
}

// The threads control, within what the module's Web Worker pool allows.
function chosenThreads() {
  const max = state.ember.maxThreads || 1;
  return Math.max(1, Math.min(max, Math.round(Number($('threads').value)) || 1));
}

// A new thread count takes a new interpreter (its pool is made with it).
async function applyThreads() {
  const threads = chosenThreads();
  if (threads === state.threads) return;
  state.interp.delete();
  state.interp = null;
  state.interp = await state.ember.Interpreter.create(state.bytes,
                                                      {numThreads: threads});
  state.threads = threads;
  state.data.run.engine = engineName();
}

async function run() {
  if (!state.interp) return;
  showError('');
  setState('running');
  $('run-status').textContent = 'running…';
  await new Promise((r) => setTimeout(r, 0));  // let the status paint
  try {
    await applyThreads();
    const interp = state.interp;
    const random = seeded(1);
    const zeros = $('input-source').value === 'zeros';
    const details = interp.inputDetails();
    for (let i = 0; i < details.length; ++i) {
      const image = $('image').files[0];
      const data = i === 0 && image && imageCapable(details[0]) ?
          await imageInput(image, details[0]) : makeInput(details[i], random, zeros);
      interp.setInput(i, data);
    }
    interp.invoke();
    const outputs = interp.outputDetails().map((d, i) => ({
      name: d.name, dtype: d.dtype, shape: d.shape, values: interp.getOutput(i)}));
    const runs = Math.max(1, Math.min(1000, Number($('runs').value) || 10));
    const profile = interp.profile(runs);
    profile.timer_resolution_ms = timerResolution();
    state.data.profile = profile;
    state.data.outputs = outputs;
    const views = $('views');
    window.EmberViews.replace(views, 'profile',
        window.EmberViews.renderProfile(profile, state.data.run.engine));
    window.EmberViews.replace(views, 'outputs', window.EmberViews.renderOutputs(outputs));
    $('run-status').textContent = `median ${profile.median_ms.toFixed(3)} ms ` +
                                  `over ${runs} runs`;
    setState('ran');
  } catch (e) {
    showError(`Running ${state.name} failed: ${e.message}`);
    $('run-status').textContent = '';
    setState('error');
  }
}

// The smallest step performance.now() takes (Ember's per-op clock in the
// browser).
function timerResolution() {
  let best = Infinity;
  for (let i = 0; i < 20; ++i) {
    const t0 = performance.now();
    let t1 = t0;
    while (t1 === t0) t1 = performance.now();
    best = Math.min(best, t1 - t0);
  }
  return best;
}

async function openFile(file) {
  if (!file) return;
  try {
    await openBytes(file.name, new Uint8Array(await file.arrayBuffer()));
  } catch (e) {
    showError(`Cannot open ${file.name}: ${e.message}`);
    setState('error');
  }
}

function wire() {
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    openFile(e.dataTransfer.files[0]);
  });
  $('file').addEventListener('change', (e) => openFile(e.target.files[0]));
  $('run-button').addEventListener('click', run);
}

wire();
setState('loading');
try {
  state.ember = await loadEmber();
  const ms = performance.now() - t0;
  document.body.dataset.loadMs = ms.toFixed(1);
  const threads = state.ember.maxThreads || 1;
  $('status').textContent = `Ember ${state.ember.version} ` +
      `(WebAssembly${state.ember.simd ? ' + SIMD128' : ''}` +
      `${threads > 1 ? `, up to ${threads} threads` : ''}) ready in ` +
      `${ms.toFixed(0)} ms`;
  $('threads').max = String(threads);
  $('threads-label').hidden = threads <= 1;
  setState('ready');
} catch (e) {
  showError(`Ember failed to load: ${e.message || e}. Build it with ` +
            '`bash scripts/build_wasm.sh` and serve the repository root.');
  setState('error');
}
// For scripted use (tests, the console).
window.emberStudio = {openBytes, run, state};
