// The NCE panel: the landscape testbed of Liu, Rosenfeld, Ravikumar & Risteski (2022). Data
// N(R·e₁, I), noise N(0, I): steps of GD / normalised GD on the NCE and eNCE losses until the
// parameters are within `target` of the truth, for each distance R — the same runNceExperiment
// as `testbeds nce`, in a Web Worker with Stop. The table and the log plot are the CLI's own
// (nceMarkdown's numbers, nceSvg's picture). `window.nceRun(options)` runs on the page's thread (tests).
import { $, esc, setLine } from './ui.js';
import { PageWorker } from './worker-client.js';

const worker = new PageWorker();

function listOf(text, what) {
  const xs = String(text).split(',').map((s) => s.trim()).filter(Boolean);
  if (!xs.length) throw new Error(`${what}: give a comma-separated list, got ${JSON.stringify(text)}`);
  return xs;
}

/** Form values → runNceExperiment options; bad values are errors naming the field. */
export function nceOptions({ distances, methods, target, maxSteps, dims = 1 }) {
  const R = listOf(distances, 'distances R').map((s) => {
    const x = Number(s);
    if (!Number.isFinite(x) || x <= 0 || x > 30) throw new Error(`distances R: ${JSON.stringify(s)} is not a number in (0, 30]`);
    return x;
  });
  return { dims, distances: R, methods, target: Number(target), maxSteps: Number(maxSteps) };
}

/** The experiment and its pictures; used by the worker and by window.nceRun. */
export function nceWith(library, options) {
  const t0 = performance.now();
  const e = library.runNceExperiment(options);
  return { e, svg: library.nceSvg(e), seconds: (performance.now() - t0) / 1000 };
}

function show({ e, svg, seconds }) {
  const Rs = [...new Set(e.runs.map((r) => r.distance))];
  const methods = [...new Set(e.runs.map((r) => r.method))];
  const cell = (m, R) => {
    const r = e.runs.find((x) => x.method === m && x.distance === R);
    return r.converged ? String(r.steps) : r.stopped === 'diverged' ? `diverged at ${r.steps}` : `≥ ${r.steps}`;
  };
  const local = (m) => e.growth[m].local.map((l) => l.factorPerUnitR.toFixed(2)).join(', ') || '—';
  $('n-result').innerHTML = `
    <p>Steps until ‖τ − τ*‖ ≤ ${e.target} (exact population gradients, D = ${e.dims}); ${(seconds * 1000).toFixed(0)} ms.</p>
    <table id="n-table"><tr><th>method</th>${Rs.map((R) => `<th>R = ${R}</th>`).join('')}<th>factor per unit R</th></tr>
    ${methods.map((m) => `<tr><th>${esc(m)}</th>${Rs.map((R) => `<td>${esc(cell(m, R))}</td>`).join('')}<td>${esc(local(m))}</td></tr>`).join('')}</table>
    <div id="n-plot">${svg}</div>`;
}

export function init(library) {
  $('n-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let options;
    try {
      const methods = [...document.querySelectorAll('#n-methods input:checked')].map((b) => b.value);
      if (!methods.length) throw new Error('methods: tick at least one');
      options = nceOptions({ distances: $('n-distances').value, methods, target: $('n-target').value, maxSteps: $('n-max').value });
      library.nceProblem(1, options.distances[0]); // cheap checks on the page's thread first
    } catch (e) {
      $('n-result').innerHTML = '';
      setLine('n-status', e.message, true);
      return;
    }
    setLine('n-status', 'descending in a worker…');
    $('n-run').disabled = true;
    $('n-stop').disabled = false;
    try {
      show(await worker.run('nce', options));
      setLine('n-status', 'done');
    } catch (e) {
      if (!worker.stopped) $('n-result').innerHTML = '';
      setLine('n-status', worker.stopped ? 'stopped' : e.message, !worker.stopped);
    } finally {
      $('n-run').disabled = false;
      $('n-stop').disabled = true;
    }
  });
  $('n-stop').addEventListener('click', () => worker.stop());
  $('n-run').disabled = false;
  window.nceRun = (o) => nceWith(library, o).e;
}
