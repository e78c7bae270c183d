// The Simulate panel: a zoo automaton, T, seed and method → sampleLetters + simulate, the final
// state, the timing and the first states. `runDemo(options)` is the same computation without the form.
import { $, esc, later, options, setLine, zooNames } from './ui.js';

const FIRST = 32;
let lib;

/**
 * Samples T seeded letters for the zoo automaton `name` and simulates them with `method`.
 * Returns { name, T, seed, method, final, finalName, depth, chunks, seconds, sampleSeconds, letters, states }
 * where letters/states are the first `first` positions (all of them with first = Infinity).
 */
export function runDemo({ name, T, seed, method = 'scan', first = FIRST }) {
  const a = lib.zoo(name);
  let t0 = performance.now();
  const letters = lib.sampleLetters(a, T, { seed });
  const sampleSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const r = lib.simulate(a, letters, { method });
  const seconds = (performance.now() - t0) / 1000;
  const m = Math.min(T, first);
  return {
    name: a.name,
    T,
    seed,
    method,
    final: r.final,
    finalName: a.states?.[r.final] ?? String(r.final),
    depth: r.depth,
    chunks: r.chunks,
    seconds,
    sampleSeconds,
    letters: Array.from(letters.subarray(0, m)),
    states: Array.from(r.states.subarray(0, m)),
  };
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
    <p class="caption">first ${r.states.length} positions</p>
    <table id="r-first"><thead><tr><th>t</th><th>σ<sub>t</sub></th><th>q<sub>t</sub></th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function init(library) {
  lib = library;
  $('automaton').innerHTML = options(zooNames(lib, ['cyclic:16', 'dihedral:8', 'symmetric:4', 'alternating:4', 'gridworld:4', 'dyck:1,4', 'cyclic:300']), 'dihedral:4');
  $('method').innerHTML = options(lib.METHODS, 'scan');
  $('form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = $('custom').value.trim() || $('automaton').value;
    const T = Number($('length').value);
    const seed = Number($('seed').value);
    const method = $('method').value;
    setLine('sim-status', 'running…');
    await later(() => {
      try {
        const r = runDemo({ name, T, seed, method });
        show(r, lib.zoo(name));
        setLine('sim-status', 'done');
      } catch (e) {
        $('result').innerHTML = '';
        setLine('sim-status', e.message, true);
      }
    });
  });
  $('run').disabled = false;
  window.runDemo = runDemo;
}
