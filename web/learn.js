// The Learn panel: trains a Transformer or an LSTM on a zoo automaton in a Web Worker
// (dist/browser/learn-worker.js, built from src/learning/worker.ts) on the tfjs WASM backend, whose
// binaries the build copies to dist/browser/tfjs/. Live progress per step; the final evaluation.
// `window.learnRun(run)` trains without the form and resolves to { steps, evals, result, threads } (tests);
// `window.learnEvaluate(bytes, { exhaustive })` evaluates checkpoint bytes, trained or compiled.
import { $, esc, options, setLine, zooNames } from './ui.js';

const WORKER_URL = new URL('../dist/browser/learn-worker.js', import.meta.url);
const WASM_URL = new URL('../dist/browser/tfjs/', import.meta.url).href;
// Our kernels on several threads when the page is cross-origin isolated (served with COOP/COEP);
// the same bits as one thread, so results do not depend on how the page is served.
const THREADS = globalThis.crossOriginIsolated === true ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
let current = null; // the running worker, if any

/** Starts a training run; `on.step(info)`, `on.eval(step, result)`; resolves to the final result. */
export function train(run, on = {}) {
  const worker = new Worker(WORKER_URL, { type: 'module' });
  current = worker;
  const steps = [];
  const evals = [];
  let threads = 1;
  return new Promise((ok, fail) => {
    const end = (f, v) => {
      worker.terminate();
      if (current === worker) current = null;
      f(v);
    };
    worker.onerror = (e) => end(fail, new Error(`training worker: ${e.message ?? 'failed to load'}`));
    worker.onmessage = ({ data: m }) => {
      if (m.type === 'ready') {
        threads = m.threads ?? 1;
        on.ready?.(m.backend, threads);
      }
      else if (m.type === 'step') {
        steps.push(m.info);
        on.step?.(m.info);
      } else if (m.type === 'eval') {
        evals.push({ step: m.step, ...m.result });
        on.eval?.(m.step, m.result);
      } else if (m.type === 'error') end(fail, new Error(m.message));
      else if (m.type === 'done') end(ok, { steps, evals, result: m.result, threads });
    };
    worker.postMessage({ type: 'train', wasmPath: WASM_URL, run, threads: THREADS });
  });
}

/** Evaluates checkpoint bytes in a worker; resolves to { result, run } (result has accuracy and margin). */
export function evaluateCheckpoint(bytes, o = {}) {
  const worker = new Worker(WORKER_URL, { type: 'module' });
  return new Promise((ok, fail) => {
    const end = (f, v) => {
      worker.terminate();
      f(v);
    };
    worker.onerror = (e) => end(fail, new Error(`evaluation worker: ${e.message ?? 'failed to load'}`));
    worker.onmessage = ({ data: m }) => {
      if (m.type === 'error') end(fail, new Error(m.message));
      else if (m.type === 'evaluated') end(ok, { result: m.result, run: m.run });
    };
    worker.postMessage({ type: 'evaluate', wasmPath: WASM_URL, checkpoint: bytes, exhaustive: !!o.exhaustive, threads: THREADS });
  });
}

function intIn(id, name, lo, hi) {
  const v = Number($(id).value);
  if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`${name} must be an integer in [${lo}, ${hi}], got ${JSON.stringify($(id).value)}`);
  return v;
}

/** The loss curve as an inline SVG polyline, scaled to [min, max] of the losses so far. */
function lossChart(infos, total) {
  const W = 420, H = 120, pad = 24;
  const losses = infos.map((s) => s.loss);
  const max = Math.max(...losses), min = Math.min(...losses);
  const x = (s) => pad + ((W - 2 * pad) * s) / Math.max(total, 1);
  const y = (l) => H - pad + 4 - ((H - 2 * pad) * (l - min)) / Math.max(max - min, 1e-12);
  const pts = infos.map((s) => `${x(s.step).toFixed(1)},${y(s.loss).toFixed(1)}`).join(' ');
  return `<svg class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
    <text x="${pad}" y="14">loss ${min.toFixed(4)} … ${max.toFixed(4)}</text><text x="${W - pad}" y="${H - 6}" text-anchor="end">step ${total}</text>
    <line x1="${pad}" y1="${H - pad + 4}" x2="${W - pad}" y2="${H - pad + 4}" stroke="#dde1e7"/>
    <polyline fill="none" stroke="#2f5fb3" stroke-width="1.5" points="${pts}"/></svg>`;
}

export function init(lib) {
  $('l-zoo').innerHTML = options(zooNames(lib, ['cyclic:2', 'flipflop:3', 'symmetric:3']), 'parity');
  const render = (infos, total, evalLine, final) => {
    const s = infos[infos.length - 1];
    $('l-result').innerHTML = `
      <div class="bar"><div style="width:${s ? (100 * s.step) / s.steps : 0}%"></div></div>
      <dl>
        <dt>step</dt><dd id="l-step">${s ? `${s.step} / ${s.steps}` : '—'}</dd>
        <dt>loss</dt><dd id="l-loss">${s ? s.loss.toFixed(5) : '—'}</dd>
        <dt>batch accuracy</dt><dd id="l-acc">${s ? `${(100 * s.accuracy).toFixed(1)}%` : '—'}</dd>
        <dt>tokens/s</dt><dd id="l-tps">${s ? Math.round(s.tokensPerSecond).toLocaleString('en-US') : '—'}</dd>
        <dt>last evaluation</dt><dd id="l-eval">${esc(evalLine ?? '—')}</dd>
        ${final ? `<dt>final accuracy</dt><dd id="l-final"><b>${(100 * final.accuracy).toFixed(2)}%</b> per position, ${(100 * final.accuracySequence).toFixed(1)}% whole sequences, eval loss ${final.loss.toFixed(5)} (${final.steps} steps, ${final.seconds.toFixed(1)} s, ${Math.round(final.tokensPerSecond).toLocaleString('en-US')} tokens/s, ${esc(final.backend)})</dd>` : ''}
      </dl>
      ${infos.length > 1 ? lossChart(infos, total) : ''}`;
  };
  $('l-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let run;
    try {
      const automaton = $('l-custom').value.trim() || $('l-zoo').value;
      lib.zoo(automaton); // a bad name is reported here, before a worker starts
      run = {
        automaton,
        model: $('l-model').value,
        layers: intIn('l-layers', 'layers', 1, 16),
        width: intIn('l-width', 'width', 2, 512),
        length: intIn('l-length', 'sequence length', 1, 512),
        steps: intIn('l-steps', 'steps', 1, 100000),
        seed: intIn('l-seed', 'seed', -(2 ** 31), 2 ** 32 - 1),
        lr: Number($('l-lr').value),
      };
      if (!(run.lr > 0 && run.lr <= 1)) throw new Error(`learning rate must be in (0, 1], got ${JSON.stringify($('l-lr').value)}`);
      run.evalEvery = Math.max(1, Math.round(run.steps / 10));
    } catch (e) {
      setLine('l-status', e.message, true);
      return;
    }
    $('l-run').disabled = true;
    $('l-stop').disabled = false;
    setLine('l-status', 'starting the worker…');
    const infos = [];
    let evalLine;
    let lastPaint = 0;
    try {
      const out = await train(run, {
        ready: (backend, threads) => setLine('l-status', `training on the tfjs ${backend} backend${threads > 1 ? `, ${threads} threads` : ''}…`),
        step: (s) => {
          infos.push(s);
          if (performance.now() - lastPaint > 100 || s.step === s.steps) {
            lastPaint = performance.now();
            render(infos, run.steps, evalLine);
          }
        },
        eval: (step, r) => (evalLine = `step ${step}: accuracy ${(100 * r.accuracy).toFixed(2)}%, loss ${r.loss.toFixed(5)}`),
      });
      render(infos, run.steps, evalLine, out.result);
      setLine('l-status', 'done');
    } catch (e) {
      setLine('l-status', e.message, true);
    } finally {
      $('l-run').disabled = false;
      $('l-stop').disabled = true;
    }
  });
  $('l-stop').addEventListener('click', () => current?.postMessage({ type: 'stop' }));
  $('l-ckpt').addEventListener('change', async () => {
    const file = $('l-ckpt').files[0];
    if (!file) return;
    setLine('l-ckpt-result', `evaluating ${file.name}…`);
    try {
      const { result: r, run } = await evaluateCheckpoint(new Uint8Array(await file.arrayBuffer()), { exhaustive: $('l-every').checked });
      const s = run.shortcut;
      const what = s ? `compiled ${s.construction} shortcut (${s.layers} layers, width ${s.width}, ${s.parameters.toLocaleString('en-US')} parameters)` : `${run.model.kind} L=${run.model.layers} d=${run.model.width}`;
      setLine('l-ckpt-result', `${run.automaton.name}, ${what}, T=${run.length}: accuracy ${(100 * r.accuracy).toFixed(2)}% per position, margin ${r.margin.toFixed(4)}`);
    } catch (e) {
      setLine('l-ckpt-result', e.message, true);
    }
  });
  $('l-run').disabled = false;
  window.learnRun = (run) => train(run);
  window.learnEvaluate = (bytes, o) => evaluateCheckpoint(Uint8Array.from(bytes), o);
}
