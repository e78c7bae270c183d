// The Identifiability panel: an HMM (the CLI's example, or pasted JSON in the HMM file format) →
// recoverHmm from the exact W or from N sampled triples (recovered T and O, errors, CP fit and
// sweeps), and findPairwiseTwin (a different HMM with the same pairwise predictors). The CP options
// are the CLI's defaults, so the numbers equal `testbeds hmm recover --json` for the same seed.
// Recovery runs in a Web Worker (page-worker.js: HALS restarts and EM take seconds), with Stop.
// `window.hmmRecover(options)` returns the plain Recovery object computed on the page's thread (tests).
import { $, esc, later, matrixTable, setLine } from './ui.js';
import { PageWorker } from './worker-client.js';

let lib;

const cpOptions = (seed) => ({ init: 'jennrich', linesearch: true, tol: 1e-14, seed });

const worker = new PageWorker();

function hmmFrom(library, text) {
  return library.parseHmm(text, 'HMM JSON', { forRecovery: true });
}

function seedFrom(v) {
  const s = Number(v);
  if (!Number.isInteger(s) || s < 0 || s > 2 ** 32 - 1) throw new Error(`seed must be an integer in [0, 2^32 − 1], got ${JSON.stringify(v)}`);
  return s;
}

/** recoverHmm with the CLI's defaults; `hmm` is JSON text (the form) or undefined (the example). Used by the worker too. */
export function recoverWith(library, { hmm, source = 'samples', samples = 1e5, seed = 0 }) {
  const h = hmm === undefined ? library.defaultExperimentHmm() : hmmFrom(library, hmm);
  if (source === 'samples' && (!Number.isInteger(samples) || samples < 1 || samples > 1e8)) throw new Error(`N (samples) must be an integer in [1, 1e8], got ${samples}`);
  const t0 = performance.now();
  const rec = library.recoverHmm(h, { source, samples, seed, cp: cpOptions(seed) });
  return { hmm: h, rec, seconds: (performance.now() - t0) / 1000 };
}

export function twin({ hmm, seed = 0 }) {
  const h = hmm === undefined ? lib.defaultExperimentHmm() : hmmFrom(lib, hmm);
  const t0 = performance.now();
  const r = lib.findPairwiseTwin(h, { seed });
  return { hmm: h, r, seconds: (performance.now() - t0) / 1000 };
}

const sLabel = (i) => `h${i}`;
const xLabel = (j) => `x=${j}`;

function showRecovery({ hmm, rec, seconds }, source, samples, seed) {
  const from = source === 'exact' ? 'the exact W' : `W estimated from ${samples.toLocaleString('en-US')} sampled triples (seed ${seed})`;
  $('h-result').innerHTML = `
    <dl>
      <dt>recovered from</dt><dd>${esc(from)}</dd>
      <dt>CP</dt><dd id="h-cp">rank ${rec.cp.rank}, ${rec.cp.iterations} sweeps, fit ${rec.cp.fit.toFixed(10)}, init ${esc(rec.cp.init)}, ${rec.cp.restarts} run(s)${rec.cp.converged ? '' : ` — did not converge within ${rec.cp.iterations} sweeps`}</dd>
      ${rec.em ? `<dt>EM</dt><dd>log-likelihood per sample ${rec.em.startLogLikelihood.toFixed(8)} → ${rec.em.logLikelihood.toFixed(8)} in ${rec.em.iterations} iterations</dd>` : ''}
      <dt>conditioning</dt><dd id="h-conditioning">spectral gap σ_k/σ_k+1 ${rec.conditioning.spectralGap.toPrecision(3)}, cond(O) ${rec.conditioning.emissionCondition.toPrecision(3)}, cond(T) ${rec.conditioning.transitionCondition.toPrecision(3)}${rec.conditioning.warnings.map((w) => `<br><strong class="warn">warning:</strong> ${esc(w)}`).join('')}</dd>
      <dt>errors (max |Δ|)</dt><dd id="h-errors">T ${rec.errors.transition.toExponential(3)}, O ${rec.errors.emission.toExponential(3)}</dd>
      <dt>state matching</dt><dd>true state → CP component [${rec.permutation.join(', ')}]; condition ratio ${rec.conditionRatio.toExponential(2)}</dd>
      <dt>time</dt><dd>${(seconds * 1000).toFixed(1)} ms</dd>
    </dl>
    <div class="grid2">
      <div><h2>recovered T</h2>${matrixTable(rec.transition, { id: 'h-T', rowLabel: sLabel, colLabel: sLabel })}</div>
      <div><h2>true T</h2>${matrixTable(hmm.transition, { rowLabel: sLabel, colLabel: sLabel })}</div>
    </div>
    <div class="grid2">
      <div><h2>recovered O</h2>${matrixTable(rec.emission, { id: 'h-O', rowLabel: sLabel, colLabel: xLabel })}</div>
      <div><h2>true O</h2>${matrixTable(hmm.emission, { rowLabel: sLabel, colLabel: xLabel })}</div>
    </div>`;
}

function showTwin({ r, seconds }) {
  if (!r.found) {
    $('h-result').innerHTML = `<p id="h-twin-none">no counterexample: ${esc(r.reason)}</p>`;
    return;
  }
  const t = r.twin;
  $('h-result').innerHTML = `
    <p>${esc(`A different HMM with the same pairwise predictors E[x_j | x_i] among positions 1, 2, 3 (${r.reason}).`)}</p>
    <dl>
      <dt>pairwise predictors</dt><dd id="h-twin-pair">max|Δ| = ${r.pairwiseMaxDiff.toExponential(2)}</dd>
      <dt>triplet predictors</dt><dd id="h-twin-trip">max|Δ| = ${r.tripletMaxDiff.toExponential(2)} (W alone: ${r.tensorMaxDiff.toExponential(2)})</dd>
      <dt>parameters</dt><dd>max|ΔT| = ${r.parameterDiff.transition.toExponential(2)}, max|ΔO| = ${r.parameterDiff.emission.toExponential(2)}, max|Δπ| = ${r.parameterDiff.initial.toExponential(2)}</dd>
      <dt>time</dt><dd>${(seconds * 1000).toFixed(1)} ms</dd>
    </dl>
    <div class="grid2">
      <div><h2>twin T</h2>${matrixTable(t.transition, { id: 'h-twin-T', rowLabel: sLabel, colLabel: sLabel })}</div>
      <div><h2>twin O</h2>${matrixTable(t.emission, { rowLabel: sLabel, colLabel: xLabel })}</div>
      <div><h2>twin initial</h2>${matrixTable([t.initial], { rowLabel: () => 'π', colLabel: sLabel })}</div>
    </div>`;
}

export function init(library) {
  lib = library;
  // One matrix row per line: readable and still the HMM file format.
  const example = () => {
    const spec = lib.hmmToJSON(lib.defaultExperimentHmm());
    const mat = (m) => `[\n    ${m.map((r) => JSON.stringify(r).replace(/,/g, ', ')).join(',\n    ')}\n  ]`;
    return `{\n  "transition": ${mat(spec.transition)},\n  "emission": ${mat(spec.emission)}\n}`;
  };
  $('h-json').value = example();
  $('h-example').addEventListener('click', () => ($('h-json').value = example()));
  const sync = () => ($('h-samples').disabled = $('h-source').value !== 'samples');
  $('h-source').addEventListener('change', sync);
  sync();
  $('h-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let job;
    try {
      const source = $('h-source').value;
      const samples = Number($('h-samples').value);
      const seed = seedFrom($('h-seed').value);
      hmmFrom(lib, $('h-json').value); // a bad HMM is reported here, before a worker starts
      job = { hmm: $('h-json').value, source, samples, seed };
    } catch (e) {
      $('h-result').innerHTML = '';
      setLine('h-status', e.message, true);
      return;
    }
    setLine('h-status', 'recovering in a worker…');
    $('h-run').disabled = $('h-twin').disabled = true;
    $('h-stop').disabled = false;
    try {
      showRecovery(await worker.run('recover', job), job.source, job.samples, job.seed);
      setLine('h-status', 'done');
    } catch (e) {
      if (!worker.stopped) $('h-result').innerHTML = '';
      setLine('h-status', worker.stopped ? 'stopped' : e.message, !worker.stopped);
    } finally {
      $('h-run').disabled = $('h-twin').disabled = false;
      $('h-stop').disabled = true;
    }
  });
  $('h-stop').addEventListener('click', () => worker.stop());
  $('h-twin').addEventListener('click', async () => {
    setLine('h-status', 'searching…');
    await later(() => {
      try {
        showTwin(twin({ hmm: $('h-json').value, seed: seedFrom($('h-seed').value) }));
        setLine('h-status', 'done');
      } catch (e) {
        $('h-result').innerHTML = '';
        setLine('h-status', e.message, true);
      }
    });
  });
  $('h-run').disabled = $('h-twin').disabled = false;
  window.hmmRecover = (o) => recoverWith(lib, o).rec;
}
