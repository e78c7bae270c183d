/**
 * The browser test: web/index.html with the built bundle (dist/browser/testbeds.js) and training
 * worker (dist/browser/learn-worker.js) in headless Debian Chromium (playwright-core, no browser
 * download). Each panel must give Node's numbers for the same inputs and seed: Simulate (letters
 * and states), Algebra (the algebraReport object), Identifiability (recoverHmm from samples,
 * findPairwiseTwin) and Learn (per-step losses of a tiny run in the Web Worker; the learn branch's
 * test/learning/worker.test.ts already checks the final weights of an esbuild-in-memory worker).
 * Skipped, saying so, where /usr/bin/chromium is absent (CI installs it: .ci/run).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/static-server.js';
import { CHROMIUM, hasChromium, openPage, type OpenPage } from '../helpers/chromium.js';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { sampleLetters, zoo, type Automaton } from '../../src/automata/index.js';
import { METHODS, simulate } from '../../src/simulate/index.js';
import { algebraReport } from '../../src/algebra/index.js';
import { defaultExperimentHmm, findPairwiseTwin, hmmTripletTensor, recoverHmm } from '../../src/hmm/index.js';
import { runNceExperiment } from '../../src/nce/index.js';
import { initBackend, runConfig, Trainer, type StepInfo } from '../../src/learning/index.js';

/** Screenshots of each tab land here (printed), for a reviewer to look at. */
const SHOTS = join(ROOT, 'test-output', 'browser');
if (!hasChromium) console.warn(`test/browser: skipped — ${CHROMIUM} not found (apt-get install chromium; .ci/run does)`);

/** The Node side: the plain loop over the same seeded letters. */
function nodeStates(a: Automaton, T: number, seed: number): number[] {
  const letters = sampleLetters(a, T, { seed });
  const out = new Array<number>(T);
  let q = a.start;
  for (let t = 0; t < T; t++) out[t] = q = a.delta[letters[t]][q];
  return out;
}

describe.skipIf(!hasChromium)(`browser: web/index.html in headless Chromium (${CHROMIUM})`, () => {
  let open: OpenPage | undefined;
  let page: Page;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    open = await openPage(['dist/browser/testbeds.js', 'dist/browser/learn-worker.js']);
    ({ page, pageErrors } = open);
  });

  afterAll(async () => {
    await open?.close();
  });

  /** A full-page PNG of the current tab under test-output/browser/, path printed. */
  async function screenshot(name: string): Promise<void> {
    mkdirSync(SHOTS, { recursive: true });
    const path = join(SHOTS, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    console.log(`screenshot: ${path}`);
  }

  it('loads the bundle with WebAssembly SIMD and no page errors', async () => {
    expect(await page.evaluate(() => (window as any).testbeds.hasWasmSimd())).toBe(true);
    // The status word stands on its own line, not glued to the intro sentence.
    expect(await page.textContent('#status')).toBe('ready (WebAssembly SIMD available)');
    expect(await page.textContent('p.lede')).not.toContain('ready');
    expect(await page.$$eval('#method option', (os) => os.map((o) => o.textContent))).toEqual([...METHODS]);
    expect(pageErrors).toEqual([]);
  });

  it('same seed ⇒ same letters in Chromium and Node', async () => {
    for (const [name, seed] of [['symmetric:5', 3], ['flipflop:3', 4], ['gridworld:9', 5], ['quaternion', -7]] as const) {
      const T = 5000;
      const browserLetters = await page.evaluate(({ name, T, seed }) => Array.from((window as any).testbeds.sampleLetters((window as any).testbeds.zoo(name), T, { seed })), { name, T, seed });
      expect(browserLetters).toEqual(Array.from(sampleLetters(zoo(name), T, { seed })));
    }
  });

  const cases: [string, number, number, string][] = [
    ...METHODS.map((m): [string, number, number, string] => ['dihedral:4', 100_000, 1, m]),
    ['symmetric:5', 50_000, 2, 'scan'],
    ['dyck:2,4', 50_000, 3, 'scan'],
    ['gridworld:9', 30_000, 6, 'brent-kung'],
    ['cyclic:300', 20_000, 4, 'scan'], // uint16 states
    ['flipflop:300', 20_000, 5, 'scan'], // uint16 letters and states
  ];
  for (const [name, T, seed, method] of cases) {
    it(`${name}, T = ${T}, seed ${seed}, ${method}: states equal Node's`, async () => {
      // States cross the page boundary as one string: a 100k-element array is slow to serialise.
      const r = await page.evaluate((o) => {
        const res = (window as any).runDemo({ ...o, first: Infinity });
        return { ...res, states: res.states.join(','), count: res.states.length, letters: undefined };
      }, { name, T, seed, method });
      const expected = nodeStates(zoo(name), T, seed);
      // The same method in Node: same final state and the same number of rounds.
      const a = zoo(name);
      const node = simulate(a, sampleLetters(a, T, { seed }), { method: method as (typeof METHODS)[number] });
      expect(r.method).toBe(method);
      expect(r.depth).toBe(node.depth);
      expect(r.final).toBe(node.final);
      expect(r.count).toBe(T);
      expect(r.final).toBe(expected[T - 1]);
      if (r.states !== expected.join(',')) {
        const got = r.states.split(',').map(Number);
        const t = got.findIndex((q: number, i: number) => q !== expected[i]);
        expect({ t, state: got[t] }).toEqual({ t, state: expected[t] }); // first position that differs
      }
    });
  }

  it('the form: pick an automaton, T, seed and method, Run shows the final state and the first states', async () => {
    await page.selectOption('#automaton', 'dihedral:4');
    await page.fill('#custom', '');
    await page.fill('#length', '12345');
    await page.fill('#seed', '9');
    await page.selectOption('#method', 'reference');
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('sim-status')?.textContent === 'done');
    const expected = nodeStates(zoo('dihedral:4'), 12345, 9);
    expect(Number(await page.getAttribute('#r-final', 'data-state'))).toBe(expected[12344]);
    expect(await page.textContent('#r-time')).toMatch(/ms/);
    // The first positions are a compact grid of cells (t, letter, state), not one tall column.
    expect(await page.$$eval('#r-first .pos', (cs) => cs.length)).toBe(32);
    const box = (await page.$('#r-first'))!;
    const { height } = (await box.boundingBox())!;
    expect(height).toBeLessThan(32 * 20); // a one-column table of 32 rows is > 640 px tall
    const firstStates = await page.$$eval('#r-first .pos .q', (tds) => tds.map((td) => td.textContent));
    const names = zoo('dihedral:4').states!;
    expect(firstStates).toEqual(expected.slice(0, 32).map((q) => names[q]));
  });

  it('the form reports a bad zoo name as an error line', async () => {
    await page.fill('#custom', 'cyclic:0');
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('sim-status')?.className === 'line error');
    expect(await page.textContent('#sim-status')).toContain('parameter 1 = 0 must be ≥ 1');
    await page.fill('#custom', '');
    expect(pageErrors).toEqual([]);
  });

  it('Simulate runs in a Web Worker: the same numbers as Node, through the worker', async () => {
    const r = await page.evaluate(() => (window as any).runInWorker({ name: 'symmetric:5', T: 40_000, seed: 2, method: 'hillis-steele', first: 40_000 }));
    const a = zoo('symmetric:5');
    const node = simulate(a, sampleLetters(a, 40_000, { seed: 2 }), { method: 'hillis-steele' });
    expect(r.final).toBe(node.final);
    expect(r.depth).toBe(node.depth);
    expect(r.states.join(',')).toBe(Array.from(node.states).join(','));
  });

  it('Stop cancels a long run (symmetric:5, Hillis–Steele, T = 5e6) and the page stays responsive meanwhile', async () => {
    await page.click('nav [data-tab=simulate]');
    await page.fill('#custom', 'symmetric:5');
    await page.fill('#length', '5000000');
    await page.fill('#seed', '1');
    await page.selectOption('#method', 'hillis-steele');
    await runThenStop('#run', '#sim-stop', 'sim-status', /running hillis-steele/);
    await page.fill('#custom', '');
    await page.fill('#length', '1000000');
    await page.selectOption('#method', 'scan');
    expect(pageErrors).toEqual([]);
  });

  it('Measure scaling: depth against T is T for the loop and ⌈log₂T⌉ for Hillis–Steele (as Node), plotted', async () => {
    const points = await page.evaluate(() => (window as any).scalingInWorker({ name: 'dihedral:4', seed: 1, maxT: 1 << 14 }));
    const a = zoo('dihedral:4');
    expect(points.map((p: { T: number }) => p.T)).toEqual([1024, 1024, 1024, 1024, 4096, 4096, 4096, 4096, 16384, 16384, 16384, 16384]);
    for (const p of points) {
      const node = simulate(a, sampleLetters(a, p.T, { seed: 1 }), { method: p.method });
      expect(p.depth, `${p.method} T=${p.T}`).toBe(node.depth);
      expect(p.seconds).toBeGreaterThan(0);
    }
    expect(points.filter((p: { method: string }) => p.method === 'sequential').map((p: { depth: number }) => p.depth)).toEqual([1024, 4096, 16384]);
    expect(points.filter((p: { method: string }) => p.method === 'hillis-steele').map((p: { depth: number }) => p.depth)).toEqual([10, 12, 14]);
    // The button draws both charts, one line per method.
    await page.click('nav [data-tab=simulate]');
    await page.selectOption('#automaton', 'dihedral:4');
    await page.fill('#length', '262144'); // the scaling runs up to the T field: 2^10 … 2^18
    await page.click('#scale');
    await page.waitForFunction(() => document.getElementById('sim-status')?.textContent === 'done', undefined, { timeout: 120_000 });
    expect(await page.$$eval('#scaling-depth polyline', (ls) => ls.length)).toBe(4);
    expect(await page.$$eval('#scaling-time polyline', (ls) => ls.length)).toBe(4);
    expect(await page.$$eval('#scaling-depth polyline', (ls) => ls.map((l) => l.getAttribute('points')!.split(' ').length))).toEqual([5, 5, 5, 5]);
    await page.selectOption('#automaton', 'dihedral:4');
    await page.fill('#length', '100000');
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('sim-status')?.textContent === 'done');
    await screenshot('simulate');
  });

  /** Submits a panel's form and waits for its status line to leave the "working" state. */
  async function submit(button: string, status: string): Promise<string> {
    await page.click(button);
    await page.waitForFunction((id) => {
      const el = document.getElementById(id)!;
      return el.textContent === 'done' || el.classList.contains('error');
    }, status, { timeout: 20_000 });
    return (await page.textContent(`#${status}`))!;
  }

  /**
   * Clicks `run`, waits for the status line to match `running`, checks the page answers while the
   * worker computes, clicks `stop` and expects "stopped" within 3 s with the buttons reset.
   */
  async function runThenStop(run: string, stop: string, status: string, running: RegExp): Promise<void> {
    await page.click(run);
    await page.waitForFunction(({ id, re }) => new RegExp(re).test(document.getElementById(id)?.textContent ?? ''), { id: status, re: running.source });
    expect(await page.isDisabled(stop)).toBe(false);
    const t0 = Date.now();
    expect(await page.evaluate(() => 6 * 7)).toBe(42); // the main thread answers meanwhile
    expect(Date.now() - t0).toBeLessThan(2000);
    await page.click(stop);
    await page.waitForFunction((id) => document.getElementById(id)?.textContent === 'stopped', status, { timeout: 3000 });
    expect(await page.isDisabled(run)).toBe(false);
    expect(await page.isDisabled(stop)).toBe(true);
  }

  it('tabs: the hash picks the panel', async () => {
    // The panel switches on hashchange, an event after the click: wait for it, then check.
    await page.click('nav [data-tab=algebra]');
    await page.waitForSelector('#tab-algebra', { state: 'visible', timeout: 5000 }).catch(() => {});
    expect(await page.isVisible('#tab-algebra')).toBe(true);
    expect(await page.isVisible('#tab-simulate')).toBe(false);
    await page.click('nav [data-tab=simulate]');
    await page.waitForSelector('#tab-simulate', { state: 'visible', timeout: 5000 }).catch(() => {});
    expect(await page.isVisible('#tab-simulate')).toBe(true);
  });

  for (const name of ['symmetric:4', 'flipflop:3', 'dyck:2,4']) {
    it(`Algebra panel, ${name}: the report equals Node's algebraReport`, async () => {
      await page.click('nav [data-tab=algebra]');
      await page.fill('#a-json-in', '');
      await page.fill('#a-custom', name);
      expect(await submit('#a-run', 'a-status')).toBe('done');
      const shown = JSON.parse((await page.textContent('#a-report-json'))!);
      const node = algebraReport(zoo(name));
      expect(shown).toEqual(JSON.parse(JSON.stringify(node)));
      expect(await page.textContent('#a-size')).toContain(`${node.size.toLocaleString('en-US')} elements`);
      expect(await page.$$eval('#a-shortcut li', (ls) => ls.map((l) => l.textContent))).toEqual(node.shortcut.text);
      if (node.decomposition) expect(await page.textContent('#a-kr')).toContain(`${node.decomposition.levels.length} level`);
    });
  }

  it('Algebra panel: the D-order is drawn, one box per D-class, regular ones solid with their group H-class named', async () => {
    await page.click('nav [data-tab=algebra]');
    await page.fill('#a-json-in', '');
    for (const name of ['flipflop:3', 'symmetric:3', 'dyck:2,4']) {
      await page.fill('#a-custom', name);
      expect(await submit('#a-run', 'a-status')).toBe('done');
      const node = algebraReport(zoo(name));
      const drawn = Math.min(node.dClasses, 60);
      expect(await page.$$eval('#a-dorder g.dclass', (gs) => gs.length)).toBe(drawn);
      const regular = node.dClassList.slice(0, drawn).filter((D) => D.regular).length;
      expect(await page.$$eval('#a-dorder g.dclass.regular', (gs) => gs.length)).toBe(regular);
      const edges = node.dClassList.slice(0, drawn).reduce((s, D) => s + (D.below ?? []).filter((b) => b < drawn).length, 0);
      expect(await page.$$eval('#a-dorder line.edge', (ls) => ls.length)).toBe(edges);
      const groups = node.dClassList.slice(0, drawn).filter((D) => D.regular && D.group !== '1').map((D) => `H ≅ ${D.group}`);
      expect(await page.$$eval('#a-dorder text.group', (ts) => ts.map((t) => t.textContent))).toEqual(groups);
    }
    // A semigroup with a group H-class (C3) and non-regular D-classes (dashed), for the screenshot.
    const mixed = { name: 'shift-and-rotate', delta: [[1, 2, 3, 4, 4], [1, 2, 0, 3, 4]], start: 0 };
    await page.fill('#a-json-in', JSON.stringify(mixed));
    expect(await submit('#a-run', 'a-status')).toBe('done');
    const node = algebraReport(mixed);
    expect(await page.$$eval('#a-dorder g.dclass.nonregular', (gs) => gs.length)).toBe(node.dClassList.filter((D) => !D.regular).length);
    expect(node.dClassList.some((D) => !D.regular)).toBe(true);
    expect(await page.$$eval('#a-dorder text.group', (ts) => ts.map((t) => t.textContent))).toEqual(['H ≅ C3']);
    await screenshot('algebra');
    await page.fill('#a-json-in', '');
  });

  it('Algebra panel: the analysis runs in a worker; Stop ends a long one (T_7, 823,543 elements)', async () => {
    await page.click('nav [data-tab=algebra]');
    const t7 = { name: 'T7', delta: [[1, 2, 3, 4, 5, 6, 0], [1, 0, 2, 3, 4, 5, 6], [1, 1, 2, 3, 4, 5, 6]], start: 0 };
    await page.fill('#a-json-in', JSON.stringify(t7));
    await runThenStop('#a-run', '#a-stop', 'a-status', /^analysing in a worker…$/);
    await page.fill('#a-json-in', '');
  });

  it('Algebra panel: pasted automaton JSON is analysed; a bad one shows the validation error', async () => {
    await page.click('nav [data-tab=algebra]');
    const a = { name: 'mine', delta: [[1, 2, 0], [0, 0, 2]], start: 0 };
    await page.fill('#a-json-in', JSON.stringify(a));
    expect(await submit('#a-run', 'a-status')).toBe('done');
    expect(JSON.parse((await page.textContent('#a-report-json'))!)).toEqual(JSON.parse(JSON.stringify(algebraReport(a))));
    await page.fill('#a-json-in', '{"name": "x", "delta": [[1, 0], [0, 5]], "start": 0}');
    expect(await submit('#a-run', 'a-status')).toBe('automaton JSON: delta[1][1] = 5 is out of range: states are 0..1');
    expect(await page.innerHTML('#a-result')).toBe('');
    await page.fill('#a-json-in', '{"delta": [[1, 0]');
    expect(await submit('#a-run', 'a-status')).toMatch(/^automaton JSON: not valid JSON/);
    await page.fill('#a-json-in', '');
  });

  it('Identifiability panel: recovery from N samples (seed 7) equals Node bit for bit (W, T, O, fit, sweeps)', async () => {
    await page.click('nav [data-tab=hmm]');
    await page.click('#h-example');
    await page.selectOption('#h-source', 'samples');
    await page.fill('#h-samples', '50000');
    await page.fill('#h-seed', '7');
    expect(await submit('#h-run', 'h-status')).toBe('done');
    const cp = { init: 'jennrich' as const, linesearch: true, tol: 1e-14, seed: 7 };
    const hmm = defaultExperimentHmm();
    const node = recoverHmm(hmm, { source: 'samples', samples: 50000, seed: 7, cp });
    // The sampled W is the same bit for bit (integer PRNG, counts).
    const w = await page.evaluate(() => { const l = (window as any).testbeds; return Array.from(l.hmmTripletTensor(l.defaultExperimentHmm(), 'samples', 50000, 7).data); });
    expect(w).toEqual(Array.from(hmmTripletTensor(hmm, 'samples', 50000, 7).data));
    // Bit-identical across engines: every seeded path uses src/random/detmath.ts, not Math.log/exp/
    // pow/cos/hypot, whose last bits differ between Node 20's and Chromium's V8.
    const got = await page.evaluate(() => JSON.parse(JSON.stringify((window as any).hmmRecover({ source: 'samples', samples: 50000, seed: 7 }))));
    expect(got.permutation).toEqual(node.permutation);
    expect(got.transition).toEqual(node.transition);
    expect(got.emission).toEqual(node.emission);
    expect(got.errors).toEqual(node.errors);
    expect(got.cp.fit).toBe(node.cp.fit);
    expect(got.cp.iterations).toBe(node.cp.iterations);
    expect(got.cp.converged).toBe(node.cp.converged);
    expect(got.em).toEqual(node.em);
    expect(got.conditioning).toEqual(node.conditioning);
    // What the panel shows: the same digits.
    expect(await page.textContent('#h-errors')).toBe(`T ${node.errors!.transition.toExponential(3)}, O ${node.errors!.emission.toExponential(3)}`);
    expect(await page.textContent('#h-cp')).toContain(`fit ${node.cp.fit.toFixed(10)}`);
    expect(await page.$$eval('#h-T td', (tds) => tds.map((td) => td.textContent))).toEqual(node.transition.flat().map((x) => x.toFixed(4)));
    expect(await page.$$eval('#h-O td', (tds) => tds.map((td) => td.textContent))).toEqual(node.emission.flat().map((x) => x.toFixed(4)));
    expect(await page.textContent('#h-conditioning')).toContain(`spectral gap σ_k/σ_k+1 ${node.conditioning.spectralGap.toPrecision(3)}`);
    await screenshot('identifiability');
  });

  it('Identifiability panel: recovery runs in a worker; Stop ends it', async () => {
    await page.click('nav [data-tab=hmm]');
    await page.click('#h-example');
    await page.selectOption('#h-source', 'samples');
    await page.fill('#h-samples', '100000000');
    await runThenStop('#h-run', '#h-stop', 'h-status', /^recovering in a worker…$/);
    await page.fill('#h-samples', '100000');
  });

  it('Identifiability panel: the pairwise counterexample equals Node; bad HMM JSON names the field', async () => {
    await page.click('nav [data-tab=hmm]');
    await page.click('#h-example');
    await page.fill('#h-seed', '0');
    expect(await submit('#h-twin', 'h-status')).toBe('done');
    const r = findPairwiseTwin(defaultExperimentHmm(), { seed: 0 });
    expect(r.found).toBe(true);
    expect(await page.textContent('#h-twin-pair')).toBe(`max|Δ| = ${r.pairwiseMaxDiff!.toExponential(2)}`);
    expect(await page.textContent('#h-twin-trip')).toContain(`max|Δ| = ${r.tripletMaxDiff!.toExponential(2)}`);
    expect(await page.$$eval('#h-twin-T td', (tds) => tds.map((td) => td.textContent))).toEqual(r.twin!.transition.flat().map((x) => x.toFixed(4)));
    await page.fill('#h-json', '{"transition": [[0.5, 0.6], [0.5, 0.5]], "emission": [[1, 0], [0, 1]]}');
    expect(await submit('#h-run', 'h-status')).toBe('HMM JSON: transition[0] sums to 1.1, expected 1 (within 1e-9)');
    await page.click('#h-example');
  });

  it('NCE panel: the steps per R and method equal Node (runNceExperiment), with the plot; a bad R names the field', async () => {
    await page.click('nav [data-tab=nce]');
    await page.fill('#n-distances', '1,2,3');
    await page.fill('#n-target', '0.1');
    await page.fill('#n-max', '1000000');
    expect(await submit('#n-run', 'n-status')).toBe('done');
    const node = runNceExperiment({ dims: 1, distances: [1, 2, 3], methods: ['nce-gd', 'ence-ngd'], target: 0.1, maxSteps: 1e6 });
    const rows = await page.$$eval('#n-table tr', (trs) => trs.slice(1).map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent)));
    expect(rows.map((r) => r.slice(0, 4))).toEqual(['nce-gd', 'ence-ngd'].map((m) => [m, ...[1, 2, 3].map((R) => String(node.runs.find((x) => x.method === m && x.distance === R)!.steps))]));
    expect(await page.$$eval('#n-plot svg polyline', (ls) => ls.length)).toBeGreaterThanOrEqual(2);
    await screenshot('nce');
    // The page's own thread gives the same runs, trajectories included.
    const here = await page.evaluate(() => JSON.parse(JSON.stringify((window as any).nceRun({ dims: 1, distances: [2], methods: ['nce-gd'], target: 0.1, maxSteps: 1e6 }))));
    expect(here.runs[0]).toEqual(JSON.parse(JSON.stringify(node.runs.find((x) => x.method === 'nce-gd' && x.distance === 2))));
    await page.fill('#n-distances', '1,0');
    expect(await submit('#n-run', 'n-status')).toBe('distances R: "0" is not a number in (0, 30]');
    await page.fill('#n-distances', '1,2,3');
  });

  it('NCE panel: the descent runs in a worker; Stop ends a long one (NCE with GD at R = 7)', async () => {
    await page.click('nav [data-tab=nce]');
    await page.fill('#n-distances', '7');
    await page.fill('#n-max', '100000000');
    await runThenStop('#n-run', '#n-stop', 'n-status', /^descending in a worker…$/);
    await page.fill('#n-distances', '1,2,3');
    await page.fill('#n-max', '1000000');
  });

  it('Learn panel: a tiny run in the Web Worker (tfjs wasm) has the per-step losses Node computes', async () => {
    // The learn branch's worker test checks final weights to 1e-5 for this run; here: the page's
    // built worker, its message protocol and the numbers the panel shows.
    const RUN = { automaton: 'parity', model: 'transformer' as const, layers: 1, width: 8, heads: 2, length: 6, batch: 4, steps: 5, evalEvery: 5, evalBatches: 1, seed: 5 };
    const got = await page.evaluate((run) => (window as any).learnRun(run), RUN);
    await initBackend('wasm');
    const node = new Trainer(runConfig({ ...RUN, automaton: zoo('parity') }));
    const losses: number[] = [];
    const r = await node.train({ onStep: (s: StepInfo) => losses.push(s.loss) });
    node.dispose();
    expect(got.result.backend).toBe('wasm');
    expect(got.steps.map((s: StepInfo) => s.step)).toEqual([1, 2, 3, 4, 5]);
    got.steps.forEach((s: StepInfo, i: number) => expect(Math.abs(s.loss - losses[i])).toBeLessThan(1e-5));
    expect(Math.abs(got.result.loss - r.loss)).toBeLessThan(1e-5);
    expect(got.result.accuracy).toBeCloseTo(r.accuracy, 5);
    expect(got.evals.map((e: { step: number }) => e.step)).toEqual([5]);
  });

  it('Learn panel: the form trains and shows progress and the final accuracy; a bad name is an error line', async () => {
    await page.click('nav [data-tab=learn]');
    await page.fill('#l-custom', 'cyclic:3');
    await page.selectOption('#l-model', 'lstm');
    await page.fill('#l-layers', '1');
    await page.fill('#l-width', '8');
    await page.fill('#l-length', '6');
    await page.fill('#l-steps', '4');
    await page.fill('#l-seed', '2');
    expect(await submit('#l-run', 'l-status')).toBe('done');
    expect(await page.textContent('#l-step')).toBe('4 / 4');
    expect(await page.textContent('#l-final')).toMatch(/^\d+\.\d\d% per position, .* \(4 steps, .* wasm\)$/);
    expect(Number(await page.textContent('#l-loss'))).toBeGreaterThan(0);
    await page.fill('#l-custom', 'cyclic:0');
    expect(await submit('#l-run', 'l-status')).toContain('parameter 1 = 0 must be ≥ 1');
    await page.fill('#l-custom', '');
    await page.fill('#l-lr', '0');
    expect(await submit('#l-run', 'l-status')).toBe('learning rate must be in (0, 1], got "0"');
    await page.fill('#l-lr', '0.01');
    expect(pageErrors).toEqual([]);
  });

  it("Learn tab: the sweep heatmap beside the paper's, drawn from the repository's own tables", async () => {
    await page.click('nav [data-tab=learn]');
    await page.waitForSelector('#sweep-paper', { timeout: 10_000 });
    const ours = JSON.parse(readFileSync(join(ROOT, 'bench/results/sweep-quick/table.json'), 'utf8'));
    const paper = JSON.parse(readFileSync(join(ROOT, 'web/data/paper-depth-table.json'), 'utf8'));
    const rows = Object.keys(paper.rows);
    expect(await page.$$eval('#sweep-ours rect', (rs) => rs.length)).toBe(rows.length * ours.settings.depths.length);
    expect(await page.$$eval('#sweep-paper rect', (rs) => rs.length)).toBe(rows.length * paper.depths.length);
    // Cell titles carry the numbers: symmetric:5 at L = 1 in ours and in the paper.
    const s5 = ours.cells.find((c: { automaton: string; depth: number }) => c.automaton === 'symmetric:5' && c.depth === 1);
    const titles = await page.$$eval('#sweep-ours rect title', (ts) => ts.map((t) => t.textContent));
    expect(titles).toContain(`symmetric:5, L=1: ${(100 * s5.accuracy).toFixed(1)}%`);
    const ptitles = await page.$$eval('#sweep-paper rect title', (ts) => ts.map((t) => t.textContent));
    expect(ptitles).toContain(`symmetric:5, L=16: ${paper.rows['symmetric:5'][9].toFixed(1)}%`);
  });

  it('Learn tab: the flip-flop glitch of the quick run, drawn by the bundle as the CLI draws it', async () => {
    await page.click('nav [data-tab=learn]');
    await page.waitForSelector('#glitch svg', { timeout: 10_000 });
    const report = JSON.parse(readFileSync(join(ROOT, 'bench/results/flipflop-quick/glitch.json'), 'utf8'));
    const { glitchSvg } = await import('../../src/learning/flipflop/render.js');
    // One cell per head and attended position, and the very SVG Node's glitchSvg writes.
    const cells = report.glitch.heads.reduce((n: number, h: { weights: number[] }) => n + h.weights.length, 0);
    expect(await page.$$eval('#glitch rect.att', (rs) => rs.length)).toBe(cells);
    expect((await page.innerHTML('#glitch')).includes(`read at t = ${report.glitch.read}`)).toBe(true);
    expect(await page.$eval('#glitch svg', (e) => e.querySelectorAll('rect.att title').length)).toBe(cells);
    expect(glitchSvg(report.glitch)).toContain(`answer ${report.glitch.expected}, model ${report.glitch.predicted}`);
    expect(pageErrors).toEqual([]);
  });

  it('Learn panel: Stop ends a long run early and still shows the final evaluation', async () => {
    await page.click('nav [data-tab=learn]');
    await page.fill('#l-steps', '5000');
    await page.click('#l-run');
    await page.waitForFunction(() => /^\d+ \/ 5000$/.test(document.getElementById('l-step')?.textContent ?? ''), undefined, { timeout: 20_000 });
    await page.click('#l-stop');
    await page.waitForFunction(() => document.getElementById('l-status')?.textContent === 'done', undefined, { timeout: 20_000 });
    const done = Number((await page.textContent('#l-step'))!.split(' / ')[0]);
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(5000);
    expect(await page.textContent('#l-final')).toContain(`(${done} steps,`);
    expect(await page.isDisabled('#l-stop')).toBe(true);
    expect(pageErrors).toEqual([]);
    await screenshot('learn'); // the stopped run's progress and loss curve, and the sweep heatmaps
  });
});
