// The browser page: picks a zoo automaton, T, seed and method, runs the testbeds library
// (dist/browser/testbeds.js) and shows the final state, the timing and the first states.
// `window.runDemo(options)` is the same computation without the form (used by test/browser/).
let lib;
try {
  lib = await import('../dist/browser/testbeds.js');
} catch (e) {
  // e.g. no WebAssembly SIMD (KernelLoadError), or the bundle was not built (npm run build).
  const status = document.getElementById('status');
  status.textContent = `could not load testbeds: ${e.message}`;
  status.className = 'error';
  throw e;
}

const FIRST = 32;

/** Methods this build offers: the library's simulate() when present, else the loop and the kernel. */
function methods() {
  if (typeof lib.simulate === 'function') {
    const m = Array.isArray(lib.METHODS) ? lib.METHODS : Array.isArray(lib.SIMULATE_METHODS) ? lib.SIMULATE_METHODS : null;
    return m ?? ['reference', 'sequential', 'scan', 'hillis-steele', 'brent-kung'];
  }
  return ['reference', 'sequential'];
}

/** The plain loop q_t = δ(q_{t-1}, σ_t) (states as uint16 so any |Q| ≤ 65,536 fits). */
function referenceLoop(a, letters) {
  const n = a.delta[0].length;
  const k = a.delta.length;
  const flat = new Uint16Array(k * n);
  a.delta.forEach((row, l) => flat.set(row, l * n));
  const out = new Uint16Array(letters.length);
  let q = a.start;
  for (let t = 0; t < letters.length; t++) {
    q = flat[letters[t] * n + q];
    out[t] = q;
  }
  return out;
}

/** The sequential wasm kernel of the skeleton (uint8 path: |Q|, |Σ| ≤ 256). */
function sequentialKernel(a, letters) {
  const n = a.delta[0].length;
  const k = a.delta.length;
  if (n > 256 || k > 256) throw new Error(`method sequential: this build's kernel takes |Q|, |Σ| ≤ 256, ${a.name} has |Q| = ${n}, |Σ| = ${k}`);
  const { exports: x, arena } = lib.simulateKernel;
  const T = letters.length;
  const mark = arena.mark();
  try {
    const d = arena.alloc(k * n);
    const l = arena.alloc(T);
    const o = arena.alloc(T);
    const dv = arena.u8(d, k * n);
    a.delta.forEach((row, i) => dv.set(row, i * n));
    arena.u8(l, T).set(letters);
    const t0 = performance.now();
    x.sequentialU8(d, n, l, T, a.start, o);
    const seconds = (performance.now() - t0) / 1000;
    return { states: arena.u8(o, T).slice(), seconds };
  } finally {
    arena.reset(mark);
  }
}

/**
 * Samples T seeded letters for the zoo automaton `name` and simulates them with `method`.
 * Returns { name, T, seed, method, final, finalName, depth, seconds, sampleSeconds, letters, states }
 * where letters/states are the first `first` positions (all of them with first = Infinity).
 */
function runDemo({ name, T, seed, method = 'reference', first = FIRST }) {
  const a = lib.zoo(name);
  let t0 = performance.now();
  const letters = lib.sampleLetters(a, T, { seed });
  const sampleSeconds = (performance.now() - t0) / 1000;
  let states;
  let seconds;
  let depth = T;
  let final = a.start;
  let chunks;
  if (typeof lib.simulate === 'function') {
    t0 = performance.now();
    const r = lib.simulate(a, letters, { method });
    seconds = (performance.now() - t0) / 1000;
    states = r.states ?? r;
    if (typeof r.depth === 'number') depth = r.depth;
    if (r.chunks) chunks = r.chunks;
    if (typeof r.seconds === 'number') seconds = r.seconds;
  } else if (method === 'reference') {
    t0 = performance.now();
    states = referenceLoop(a, letters);
    seconds = (performance.now() - t0) / 1000;
  } else if (method === 'sequential') {
    ({ states, seconds } = sequentialKernel(a, letters));
  } else {
    throw new Error(`method "${method}" is not in this build (available: ${methods().join(', ')})`);
  }
  if (T > 0) final = states[T - 1];
  const m = Math.min(T, first);
  return {
    name: a.name,
    T,
    seed,
    method,
    final,
    finalName: a.states?.[final] ?? String(final),
    depth,
    chunks,
    seconds,
    sampleSeconds,
    letters: Array.from(letters.subarray(0, m)),
    states: Array.from(states.subarray(0, m)),
  };
}

// ---- the form ---------------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);

function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

function show(r, a) {
  const letter = (l) => a.alphabet?.[l] ?? String(l);
  const state = (q) => a.states?.[q] ?? String(q);
  const rate = r.seconds > 0 ? `${(r.T / r.seconds / 1e6).toFixed(1)} M steps/s` : '—';
  const rows = r.states.map((q, t) => `<tr><td>${t + 1}</td><td>${esc(letter(r.letters[t]))}</td><td>${esc(state(q))}</td></tr>`).join('');
  $('result').innerHTML = `
    <dl>
      <dt>automaton</dt><dd id="r-name">${esc(r.name)} (|Q| = ${a.delta[0].length}, |Σ| = ${a.delta.length})</dd>
      <dt>final state q<sub>T</sub></dt><dd id="r-final" data-state="${r.final}">${esc(r.finalName)} (${r.final})</dd>
      <dt>method</dt><dd id="r-method">${esc(r.method)}, depth ${r.depth} sequential rounds${r.chunks ? ` (${r.chunks.count} chunks of ${r.chunks.length})` : ''}</dd>
      <dt>simulation time</dt><dd id="r-time">${(r.seconds * 1000).toFixed(2)} ms (${rate})</dd>
      <dt>sampling time</dt><dd>${(r.sampleSeconds * 1000).toFixed(2)} ms</dd>
    </dl>
    <table id="r-first"><thead><tr><th>t</th><th>σ<sub>t</sub></th><th>q<sub>t</sub></th></tr></thead><tbody>${rows}</tbody></table>`;
}

function setStatus(text, error = false) {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}

function init() {
  const names = [];
  for (const e of lib.zooEntries()) names.push(e.example);
  for (const extra of ['cyclic:16', 'dihedral:8', 'symmetric:4', 'alternating:4', 'gridworld:4', 'dyck:1,4', 'cyclic:300']) {
    if (!names.includes(extra)) names.push(extra);
  }
  $('automaton').innerHTML = names.map((n) => `<option${n === 'dihedral:4' ? ' selected' : ''}>${esc(n)}</option>`).join('');
  $('method').innerHTML = methods().map((m) => `<option${m === 'scan' ? ' selected' : ''}>${esc(m)}</option>`).join('');
  $('form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = $('custom').value.trim() || $('automaton').value;
    const T = Number($('length').value);
    const seed = Number($('seed').value);
    const method = $('method').value;
    setStatus('running…');
    // Let the status paint before the (synchronous) run.
    setTimeout(() => {
      try {
        const r = runDemo({ name, T, seed, method });
        show(r, lib.zoo(name));
        setStatus('done');
      } catch (e) {
        $('result').innerHTML = '';
        setStatus(e.message, true);
      }
    }, 0);
  });
  $('run').disabled = false;
  setStatus(lib.hasWasmSimd() ? 'ready (WebAssembly SIMD available)' : 'ready');
}

window.testbeds = lib;
window.runDemo = runDemo;
init();
window.testbedsReady = true;
