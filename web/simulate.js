// The Simulate panel: a zoo automaton, T, seed and method → sampleLetters + simulate in a Web Worker
// (page-worker.js; Stop terminates it), the final state, the timing and the first states as a
// compact grid. "Measure scaling" times the sequential loop and the three scans against T (2^10 up
// to the T field) in the same worker and plots depth and time (O(T) against O(log T) rounds).
// `window.runDemo(options)` is the same computation on the main thread (tests compare it with Node);
// `window.runInWorker(options)` and `window.scalingInWorker(options)` go through the worker.
import { $, esc, options, setLine, zooNames } from './ui.js';
import { FIRST, runDemo, SCALING_METHODS } from './simulate-core.js';
import { logLogChart } from './plot.js';
import { PageWorker } from './worker-client.js';

let lib;
const worker = new PageWorker();
const inWorker = (type, opts, onPoint) => worker.run(type, opts, onPoint);

function show(r, a) {
  const letter = (l) => a.alphabet?.[l] ?? String(l);
  const state = (q) => a.states?.[q] ?? String(q);
  const rate = r.seconds > 0 ? `${(r.T / r.seconds / 1e6).toFixed(1)} M steps/s` : '—';
  const cells = r.states.map((q, t) => `<div class="pos"><span class="t">${t + 1}</span><span class="s">${esc(letter(r.letters[t]))}</span><span class="q">${esc(state(q))}</span></div>`).join('');
  $('result').innerHTML = `
    <dl>
      <dt>automaton</dt><dd id="r-name">${esc(r.name)} (|Q| = ${a.delta[0].length}, |Σ| = ${a.delta.length})</dd>
      <dt>final state q<sub>T</sub></dt><dd id="r-final" data-state="${r.final}">${esc(r.finalName)} (${r.final})</dd>
      <dt>method</dt><dd id="r-method">${esc(r.method)}, depth ${r.depth.toLocaleString('en-US')} sequential rounds${r.chunks ? ` (${r.chunks.count} chunks of ${r.chunks.length})` : ''}</dd>
      <dt>simulation time</dt><dd id="r-time">${(r.seconds * 1000).toFixed(2)} ms (${rate})</dd>
      <dt>sampling time</dt><dd>${(r.sampleSeconds * 1000).toFixed(2)} ms</dd>
    </dl>
    <p class="caption">first ${r.states.length} positions: t, letter σ<sub>t</sub>, state q<sub>t</sub></p>
    <div id="r-first" class="positions">${cells}</div>`;
}

/** The two scaling charts from the points measured so far. */
function showScaling(points, name) {
  const series = (key) => SCALING_METHODS.map((m) => ({ name: m, points: points.filter((p) => p.method === m).map((p) => [p.T, p[key]]) })).filter((s) => s.points.length);
  const depth = series('depth');
  const time = series('seconds');
  $('scaling').innerHTML = `<div class="grid2">
    ${logLogChart(depth, { title: `depth (sequential rounds) against T — ${name}`, xLabel: 'T (letters)', yLabel: 'depth', id: 'scaling-depth' })}
    ${logLogChart(time, { title: 'time per run in this browser, seconds', xLabel: 'T (letters)', yLabel: 'seconds', id: 'scaling-time' })}
  </div>
  <p class="caption">The sequential loop needs T rounds; Hillis–Steele ⌈log₂T⌉ and Brent–Kung ≈ 2⌈log₂T⌉ rounds (at T log T and 2T map compositions of work);
  the chunked scan 2·len + chunks ≈ 2√(2T). On one core the work decides the time; the depth is what a parallel machine — or a Transformer layer — pays.
  A method stops at the first T where one run takes over 1.5 s.</p>`;
}

export function init(library) {
  lib = library;
  $('automaton').innerHTML = options(zooNames(lib, ['cyclic:16', 'dihedral:8', 'symmetric:4', 'alternating:4', 'gridworld:4', 'dyck:1,4', 'cyclic:300']), 'dihedral:4');
  $('method').innerHTML = options(lib.METHODS, 'scan');
  const busy = (on) => {
    $('run').disabled = on;
    $('scale').disabled = on;
    $('sim-stop').disabled = !on;
  };
  const ticking = (label) => {
    const t0 = performance.now();
    setLine('sim-status', `${label}…`);
    const id = setInterval(() => setLine('sim-status', `${label}… ${((performance.now() - t0) / 1000).toFixed(1)} s (Stop cancels)`), 250);
    return () => clearInterval(id);
  };
  const automatonName = () => $('custom').value.trim() || $('automaton').value;
  $('form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = automatonName();
    const T = Number($('length').value);
    const seed = Number($('seed').value);
    const method = $('method').value;
    let a;
    try {
      a = lib.zoo(name); // a bad name is reported here, before a worker starts
    } catch (e) {
      $('result').innerHTML = '';
      setLine('sim-status', e.message, true);
      return;
    }
    busy(true);
    const stopTicking = ticking(`running ${method} on T = ${T.toLocaleString('en-US')} in a worker`);
    try {
      show(await inWorker('run', { name, T, seed, method, first: FIRST }), a);
      setLine('sim-status', 'done');
    } catch (e) {
      if (!worker.stopped) $('result').innerHTML = '';
      setLine('sim-status', worker.stopped ? 'stopped' : e.message, !worker.stopped);
    } finally {
      stopTicking();
      busy(false);
    }
  });
  $('scale').addEventListener('click', async () => {
    const name = automatonName();
    const seed = Number($('seed').value);
    // Up to the T field (at least 2^12, at most 2^24): T = 2^10, 2^12, … ≤ that.
    const maxT = Math.min(2 ** 24, Math.max(2 ** 12, Number($('length').value) || 0));
    try {
      lib.zoo(name);
    } catch (e) {
      setLine('sim-status', e.message, true);
      return;
    }
    busy(true);
    const stopTicking = ticking(`measuring depth and time against T for ${name}`);
    const points = [];
    showScaling(points, name);
    try {
      await inWorker('scaling', { name, seed, maxT }, (p) => {
        points.push(p);
        showScaling(points, name);
      });
      setLine('sim-status', 'done');
    } catch (e) {
      setLine('sim-status', worker.stopped ? `stopped (${points.length} points measured)` : e.message, !worker.stopped);
    } finally {
      stopTicking();
      busy(false);
    }
  });
  $('sim-stop').addEventListener('click', () => worker.stop());
  $('run').disabled = false;
  $('scale').disabled = false;
  window.runDemo = (o) => runDemo(lib, o);
  window.runInWorker = (o) => inWorker('run', o);
  window.scalingInWorker = (o) => inWorker('scaling', o);
}
