// Ember Studio's views, shared by the Studio page (studio/index.html, data
// from the WebAssembly API) and `ember report` (data from a native run,
// embedded as JSON; this file is inlined there). A classic script: it
// defines window.EmberViews and needs no network, module loader or server.
//
// Data: {model: Interpreter.describe() / describe::DescribeModel + graphs,
//        profile?: Interpreter.profile(), outputs?: [{name, dtype, shape,
//        values}], run?: {engine, threads, ...}}.
(function() {
  'use strict';

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') node.textContent = v;
      else if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children || []) if (c) node.appendChild(c);
    return node;
  }

  function formatBytes(n) {
    if (n === null || n === undefined) return '-';
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
    return `${(n / 1024 / 1024).toFixed(2)} MiB`;
  }

  function shapeText(shape) {
    return '[' + (shape || []).join(', ') + ']';
  }

  function quantText(q) {
    if (!q) return '';
    if (q.per_channel) {
      return `per-channel dim=${q.quantized_dimension} n=${q.count} ` +
             `scale=[${q.scale_min.toPrecision(3)}, ${q.scale_max.toPrecision(3)}]`;
    }
    return `scale=${Number(q.scale).toPrecision(4)} zp=${q.zero_point}`;
  }

  function table(headers, rows, attrs) {
    return el('table', attrs, [
      el('thead', {}, [el('tr', {}, headers.map((h) => el('th', {text: h})))]),
      el('tbody', {}, rows.map((r) => el('tr', r.attrs || {},
          r.cells.map((c) => c instanceof Node ? el('td', {}, [c]) :
                                                 el('td', {text: String(c)}))))),
    ]);
  }

  function section(id, title, children) {
    return el('section', {id, class: 'card'}, [el('h2', {text: title}), ...children]);
  }

  // Stable colour per op name.
  function opColor(name) {
    let h = 0;
    for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return `hsl(${h % 360}, 55%, 62%)`;
  }

  // ---- summary ---------------------------------------------------------
  function renderSummary(model, run) {
    const g = model.graphs && model.graphs[0];
    const facts = [
      ['size', formatBytes(model.file_bytes)],
      ['schema version', model.schema_version],
      ['description', model.description || '-'],
      ['subgraphs', model.subgraphs.length],
      ['ops (subgraph 0)', model.subgraphs[0] ? model.subgraphs[0].ops : 0],
      ['planning', model.planning.status +
                   (model.planning.message ? ': ' + model.planning.message : '')],
    ];
    if (model.allowed_isas !== undefined) facts.push(['kernels', model.allowed_isas]);
    if (run) for (const [k, v] of Object.entries(run)) facts.push([k, v]);
    const io = [];
    for (const sg of model.subgraphs) {
      for (const side of ['inputs', 'outputs']) {
        for (const t of sg[side]) {
          io.push({cells: [sg.index, side.slice(0, -1), t.index, t.name, t.type,
                           shapeText(t.shape), shapeText(t.shape_signature),
                           quantText(t.quantization)]});
        }
      }
    }
    const ops = model.ops.map((o) => ({
      attrs: o.supported ? {} : {class: 'unsupported'},
      cells: [o.name, o.version, o.count, o.supported ? 'yes' : 'NO'],
    }));
    const sigs = [];
    for (const s of model.signatures) {
      for (const side of ['inputs', 'outputs']) {
        for (const m of s[side]) {
          sigs.push({cells: [s.key, s.subgraph, side.slice(0, -1), m.name,
                             m.tensor, m.tensor_name]});
        }
      }
    }
    const meta = model.metadata.map((m) => ({cells: [m.name, m.bytes, m.value || '']}));
    return section('summary', 'Model', [
      table(['', ''], facts.map(([k, v]) => ({cells: [k, v]})), {class: 'facts'}),
      el('h3', {text: 'Inputs and outputs'}),
      table(['subgraph', 'side', 'tensor', 'name', 'type', 'shape', 'signature',
             'quantization'], io, {id: 'io-table'}),
      el('h3', {text: 'Ops (version, support in Ember)'}),
      table(['op', 'version', 'count', 'ember'], ops, {id: 'ops-table'}),
      sigs.length ? el('h3', {text: 'Signatures'}) : null,
      sigs.length ? table(['key', 'subgraph', 'side', 'name', 'tensor',
                           'tensor name'], sigs, {id: 'signatures-table'}) : null,
      meta.length ? el('h3', {text: 'Metadata'}) : null,
      meta.length ? table(['name', 'bytes', 'value'], meta) : null,
    ]);
  }

  // ---- graph (canvas, draws only what is visible) ------------------------
  const NODE_W = 150, NODE_H = 34, GAP_X = 24, GAP_Y = 26, PAD = 20;

  // Layers by longest path from the inputs (nodes in one layer side by
  // side). Nodes that do not run (constants folded at plan time, ops fused
  // into another) are left out unless `all`.
  function layoutGraph(graph, all) {
    const shown = graph.nodes.filter((n) => all || n.runs);
    const producer = new Map();
    shown.forEach((n) => n.outputs.forEach((t) => producer.set(t, n.index)));
    const level = new Map(shown.map((n) => [n.index, 0]));
    const edges = [];
    for (const n of shown) {
      for (const t of n.inputs) {
        const p = producer.get(t);
        if (p === undefined || p === n.index) continue;
        edges.push([p, n.index]);
        if (p < n.index) level.set(n.index, Math.max(level.get(n.index), level.get(p) + 1));
      }
    }
    const columns = [];
    const pos = new Array(graph.nodes.length).fill(null);
    for (const n of shown) {
      const l = level.get(n.index);
      const col = columns[l] = (columns[l] || 0) + 1;
      pos[n.index] = {x: PAD + (col - 1) * (NODE_W + GAP_X),
                      y: PAD + l * (NODE_H + GAP_Y)};
    }
    const width = PAD * 2 + Math.max(1, ...columns) * (NODE_W + GAP_X);
    const height = PAD * 2 + columns.length * (NODE_H + GAP_Y);
    return {pos, edges, width, height, shown};
  }

  function renderGraph(model, onSelect) {
    const graph = model.graphs && model.graphs[0];
    if (!graph) {
      return section('graph', 'Graph', [el('p', {
        class: 'note', text: 'No runnable graph (see the planning status above).'})]);
    }
    let layout;
    const scroller = el('div', {class: 'graph-scroller'});
    const spacer = el('div', {class: 'graph-spacer'});
    function relayout(all) {
      layout = layoutGraph(graph, all);
      spacer.style.width = layout.width + 'px';
      spacer.style.height = layout.height + 'px';
    }
    relayout(false);
    const canvas = el('canvas', {class: 'graph-canvas'});
    scroller.appendChild(canvas);
    scroller.appendChild(spacer);
    const details = el('div', {id: 'node-details', class: 'node-details',
                               text: 'Click a node to see its tensors.'});
    const search = el('input', {type: 'search', placeholder: 'find op or tensor',
                                id: 'graph-search'});
    let selected = -1, matches = new Set();
    const tensors = graph.tensors;

    function draw() {
      const dpr = window.devicePixelRatio || 1;
      const w = scroller.clientWidth, h = scroller.clientHeight;
      if (canvas.width !== w * dpr || canvas.height !== h * dpr) {
        canvas.width = w * dpr;
        canvas.height = h * dpr;
        canvas.style.width = w + 'px';
        canvas.style.height = h + 'px';
      }
      const sx = scroller.scrollLeft, sy = scroller.scrollTop;
      canvas.style.transform = `translate(${sx}px, ${sy}px)`;
      const ctx = canvas.getContext('2d');
      ctx.setTransform(dpr, 0, 0, dpr, -sx * dpr, -sy * dpr);
      ctx.clearRect(sx, sy, w, h);
      const visible = (p) => p.x + NODE_W >= sx && p.x <= sx + w &&
                             p.y + NODE_H >= sy && p.y <= sy + h;
      ctx.strokeStyle = '#8a94a6';
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (const [a, b] of layout.edges) {
        const pa = layout.pos[a], pb = layout.pos[b];
        const top = Math.min(pa.y, pb.y), bottom = Math.max(pa.y, pb.y) + NODE_H;
        if (bottom < sy || top > sy + h) continue;
        const x1 = pa.x + NODE_W / 2, y1 = pa.y + NODE_H;
        const x2 = pb.x + NODE_W / 2, y2 = pb.y;
        ctx.moveTo(x1, y1);
        ctx.bezierCurveTo(x1, y1 + GAP_Y, x2, y2 - GAP_Y, x2, y2);
      }
      ctx.stroke();
      ctx.font = '12px system-ui, sans-serif';
      ctx.textBaseline = 'middle';
      for (const n of layout.shown) {
        const p = layout.pos[n.index];
        if (!visible(p)) continue;
        ctx.globalAlpha = n.runs ? 1 : 0.4;
        ctx.fillStyle = opColor(n.op);
        ctx.fillRect(p.x, p.y, NODE_W, NODE_H);
        ctx.lineWidth = n.index === selected ? 3 : matches.has(n.index) ? 2 : 1;
        ctx.strokeStyle = n.index === selected ? '#111' :
                          matches.has(n.index) ? '#d03030' : '#445';
        ctx.strokeRect(p.x, p.y, NODE_W, NODE_H);
        ctx.fillStyle = '#111';
        ctx.fillText(`${n.index} ${n.op}`, p.x + 6, p.y + 11, NODE_W - 10);
        const out = tensors[n.outputs[0]];
        ctx.fillStyle = '#333';
        ctx.fillText(out ? `${out.type} ${shapeText(out.shape)}` : '',
                     p.x + 6, p.y + 25, NODE_W - 10);
      }
      ctx.globalAlpha = 1;
    }
    let pending = false;
    function schedule() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; draw(); });
    }
    function tensorRow(t, role) {
      const x = tensors[t];
      if (!x) return {cells: [role, t, '(absent)', '', '', '', '', '']};
      return {cells: [role, t, x.name, x.type, shapeText(x.shape),
                      quantText(x.quantization), x.allocation, formatBytes(x.bytes)]};
    }
    function select(i) {
      selected = i;
      const n = graph.nodes[i];
      details.textContent = '';
      details.appendChild(el('h3', {
        text: `#${n.index} ${n.op} v${n.version} — kernel ${n.kernel}` +
              (n.runs ? '' : ' (folded, does not run)')}));
      details.appendChild(table(['', 'tensor', 'name', 'type', 'shape',
                                 'quantization', 'memory', 'bytes'],
          n.inputs.filter((t) => t >= 0).map((t) => tensorRow(t, 'in')).concat(
              n.outputs.map((t) => tensorRow(t, 'out')))));
      if (onSelect) onSelect(n);
      schedule();
    }
    function centerOn(i) {
      const p = layout.pos[i];
      if (!p) return;
      scroller.scrollLeft = Math.max(0, p.x - scroller.clientWidth / 2);
      scroller.scrollTop = Math.max(0, p.y - scroller.clientHeight / 2);
    }
    scroller.addEventListener('scroll', schedule, {passive: true});
    window.addEventListener('resize', schedule);
    scroller.addEventListener('click', (e) => {
      const r = scroller.getBoundingClientRect();
      const x = e.clientX - r.left + scroller.scrollLeft;
      const y = e.clientY - r.top + scroller.scrollTop;
      const hit = layout.shown.find((n) => {
        const p = layout.pos[n.index];
        return x >= p.x && x <= p.x + NODE_W && y >= p.y && y <= p.y + NODE_H;
      });
      if (hit) select(hit.index);
    });
    search.addEventListener('input', () => {
      const q = search.value.trim().toLowerCase();
      matches = new Set();
      if (q) {
        for (const n of graph.nodes) {
          const names = n.inputs.concat(n.outputs).map((t) => tensors[t] ?
              tensors[t].name.toLowerCase() : '');
          if (n.op.toLowerCase().includes(q) || names.some((s) => s.includes(q))) {
            matches.add(n.index);
          }
        }
        const first = matches.values().next();
        if (!first.done) centerOn(first.value);
      }
      count.textContent = q ? `${matches.size} match` : '';
      schedule();
    });
    const count = el('span', {class: 'note'});
    const running = graph.nodes.filter((n) => n.runs).length;
    const folded = el('input', {type: 'checkbox', id: 'graph-show-folded'});
    folded.addEventListener('change', () => {
      relayout(folded.checked);
      schedule();
    });
    const sec = section('graph', 'Graph', [
      el('p', {}, [
        el('span', {id: 'graph-node-count', 'data-count': graph.nodes.length,
                    text: String(graph.nodes.length)}),
        el('span', {text: ` nodes (${running} run, the rest folded by graph ` +
                          `passes), ${graph.tensors.length} tensors, subgraph ` +
                          `${graph.index}. `}),
        search, count, el('label', {class: 'note'}, [
          folded, document.createTextNode(' show nodes that do not run')]),
      ]),
      el('div', {class: 'graph-wrap'}, [scroller, details]),
    ]);
    // Drawn once attached (sizes are known then).
    requestAnimationFrame(draw);
    setTimeout(draw, 50);
    return sec;
  }

  // ---- memory plan timeline ----------------------------------------------
  function renderPlan(model) {
    const graph = model.graphs && model.graphs[0];
    if (!graph) return null;
    const plan = graph.plan;
    const canvas = el('canvas', {class: 'plan-canvas', height: '320'});
    const tip = el('div', {id: 'plan-tip', class: 'note',
                           text: 'Hover a buffer to see which tensor it holds.'});
    const steps = Math.max(1, plan.steps + 1);
    const peak = Math.max(1, plan.arena_bytes);
    let rects = [];
    function draw() {
      const dpr = window.devicePixelRatio || 1;
      const w = canvas.clientWidth || 800, h = 320;
      canvas.width = w * dpr;
      canvas.height = h * dpr;
      const ctx = canvas.getContext('2d');
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      const left = 60, right = 10, top = 16, bottom = 24;
      const xs = (w - left - right) / steps, ys = (h - top - bottom) / peak;
      rects = [];
      for (const b of plan.buffers) {
        const x = left + b.first_use * xs;
        const rw = Math.max(1, (b.last_use - b.first_use + 1) * xs);
        const y = top + (peak - b.offset - b.bytes) * ys;
        const rh = Math.max(1, b.bytes * ys);
        ctx.fillStyle = b.tensor < 0 ? 'rgba(200,120,40,0.7)' : 'rgba(60,120,200,0.6)';
        ctx.fillRect(x, y, rw, rh);
        ctx.strokeStyle = 'rgba(20,30,60,0.5)';
        ctx.strokeRect(x, y, rw, rh);
        rects.push({x, y, w: rw, h: rh, b});
      }
      ctx.strokeStyle = '#c0392b';
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.moveTo(left, top);
      ctx.lineTo(w - right, top);
      ctx.stroke();
      const lb = top + (peak - plan.lower_bound_bytes) * ys;
      ctx.setLineDash([5, 4]);
      ctx.strokeStyle = '#27ae60';
      ctx.beginPath();
      ctx.moveTo(left, lb);
      ctx.lineTo(w - right, lb);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = '#222';
      ctx.font = '11px system-ui, sans-serif';
      ctx.fillText(formatBytes(plan.arena_bytes), 2, top + 4);
      ctx.fillText('0', 2, h - bottom);
      ctx.fillText('node step →', left, h - 6);
    }
    canvas.addEventListener('mousemove', (e) => {
      const r = canvas.getBoundingClientRect();
      const x = e.clientX - r.left, y = e.clientY - r.top;
      const hit = rects.find((q) => x >= q.x && x <= q.x + q.w && y >= q.y &&
                                    y <= q.y + q.h);
      if (!hit) return;
      const b = hit.b, t = graph.tensors[b.tensor];
      tip.textContent = (b.tensor >= 0 ?
          `tensor ${b.tensor} '${t ? t.name : ''}' ${t ? t.type + ' ' + shapeText(t.shape) : ''}` :
          `scratch of node ${b.node}`) +
          `: offset ${b.offset}, ${formatBytes(b.bytes)}, alive at steps ` +
          `${b.first_use}..${b.last_use}`;
    });
    window.addEventListener('resize', draw);
    requestAnimationFrame(draw);
    setTimeout(draw, 50);
    const live = plan.buffers.reduce((a, b) => a + b.bytes, 0);
    return section('plan', 'Memory plan', [
      el('p', {}, [
        el('span', {text: 'Arena (peak): '}),
        el('b', {id: 'plan-peak', 'data-bytes': plan.arena_bytes,
                 text: formatBytes(plan.arena_bytes)}),
        el('span', {text: ' — lower bound (most bytes alive at once): '}),
        el('b', {id: 'plan-lower-bound', 'data-bytes': plan.lower_bound_bytes,
                 text: formatBytes(plan.lower_bound_bytes)}),
        el('span', {text: ` — ${plan.buffers.length} buffers, ` +
                          `${formatBytes(live)} if none shared memory.`}),
      ]),
      el('p', {class: 'note', text: 'x: node step (lifetime), y: arena offset. ' +
          'Blue: tensors, orange: op scratch. Red: arena size, green dashed: ' +
          'lower bound.'}),
      canvas, tip,
    ]);
  }

  // ---- profile ----------------------------------------------------------
  function bars(rows, total, id) {
    return el('div', {class: 'bars', id}, rows.map((r) => el('div', {class: 'bar-row'}, [
      el('span', {class: 'bar-label', text: r.label}),
      el('span', {class: 'bar-track'}, [(() => {
        const b = el('span', {class: 'bar'});
        b.style.width = (total > 0 ? 100 * r.value / total : 0).toFixed(2) + '%';
        b.style.background = opColor(r.label.split(':')[0].replace(/^#\d+ /, ''));
        return b;
      })()]),
      el('span', {class: 'bar-value', text: `${r.value.toFixed(3)} ms`}),
    ])));
  }

  function renderProfile(profile, engine) {
    if (!profile) return null;
    const p = profile.profile;
    const byOp = p.by_op.map((o) => ({label: `${o.op} ×${o.calls / p.runs}`,
                                      value: o.ms_per_run}));
    const nodes = p.nodes.slice().sort((a, b) => b.ms_per_run - a.ms_per_run)
                      .slice(0, 40)
                      .map((n) => ({label: `#${n.index} ${n.op}:${n.kernel}`,
                                    value: n.ms_per_run}));
    const maxOp = Math.max(0, ...byOp.map((r) => r.value));
    const maxNode = Math.max(0, ...nodes.map((r) => r.value));
    return section('profile', 'Profile', [
      el('p', {}, [
        el('span', {text: `${engine || ''} ${profile.runs} runs: median `}),
        el('b', {id: 'profile-median', text: `${profile.median_ms.toFixed(3)} ms`}),
        el('span', {text: `, min ${profile.min_ms.toFixed(3)} ms; ops sum to `}),
        el('b', {id: 'profile-total', text: `${p.total_ms_per_run.toFixed(3)} ms`}),
        el('span', {text: ' per run.'}),
      ]),
      profile.timer_resolution_ms > 0.001 ? el('p', {class: 'note', text:
          `This clock ticks every ${profile.timer_resolution_ms.toFixed(3)} ms ` +
          '(browsers coarsen timers unless the page is cross-origin isolated): ' +
          'ops faster than that are timed coarsely, and their sum can exceed ' +
          'the whole run.'}) : null,
      el('h3', {text: 'Per op type (kernel), ms per run'}),
      bars(byOp, maxOp, 'profile-by-op'),
      el('h3', {text: 'Slowest nodes'}),
      bars(nodes, maxNode, 'profile-nodes'),
    ]);
  }

  // ---- outputs ----------------------------------------------------------
  function stats(values) {
    let min = Infinity, max = -Infinity, sum = 0, n = 0;
    for (const v0 of values) {
      const v = Number(v0);
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      ++n;
    }
    return {min, max, mean: n ? sum / n : 0};
  }

  function renderOutputs(outputs) {
    if (!outputs) return null;
    const rows = outputs.map((o, i) => {
      const s = stats(o.values);
      const top = Array.from(o.values, (v, k) => [Number(v), k])
                      .sort((a, b) => b[0] - a[0]).slice(0, 5)
                      .map(([v, k]) => `${k}:${+v.toPrecision(4)}`).join(' ');
      const first = Array.from(o.values.slice(0, 8), (v) => +Number(v).toPrecision(5))
                        .join(', ');
      return {attrs: {'data-output': i},
              cells: [i, o.name, o.dtype, shapeText(o.shape), +s.min.toPrecision(5),
                      +s.max.toPrecision(5), +s.mean.toPrecision(5), top, first]};
    });
    return section('outputs', 'Outputs', [table(
        ['#', 'name', 'type', 'shape', 'min', 'max', 'mean', 'top 5 (index:value)',
         'first values'], rows, {id: 'outputs-table'})]);
  }

  function replace(root, id, node) {
    const old = root.querySelector('#' + id);
    if (!node) {
      if (old) old.remove();
      return;
    }
    if (old) old.replaceWith(node);
    else root.appendChild(node);
  }

  // Renders everything `data` has into `root` (replacing earlier views).
  function render(root, data) {
    replace(root, 'summary', renderSummary(data.model, data.run));
    replace(root, 'graph', renderGraph(data.model));
    replace(root, 'plan', renderPlan(data.model));
    replace(root, 'profile', renderProfile(data.profile, data.run && data.run.engine));
    replace(root, 'outputs', renderOutputs(data.outputs));
  }

  window.EmberViews = {render, renderProfile, renderOutputs, replace, formatBytes,
                       shapeText};
})();
