/**
 * `testbeds bench simulate`: throughput (states/s) and depth (sequential rounds) of every
 * simulation method against T and |Q|, with two baselines measured in the same process: the plain
 * TypeScript loop (`reference`) and a plain memory copy of the same bytes (read T letters, write
 * T states: the physical limit of any simulation). Writes JSON, a markdown table and an SVG plot
 * (time and depth against T, log–log) to --out (default bench-results/).
 *
 * Default run (a few minutes on 2 cores): dihedral:4 (|Q| = 8) over T = 10^2 … 10^8 for every
 * method, |Q| ∈ {2, 8, 16, 120, 300} at T = 10^6, and the target ratios. --full: every |Q| over
 * every T (tree scans up to where their T maps fit). --quick: a tiny grid (tests).
 */
import Benchmark from 'benchmark';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { intList, list, parse, str } from '../src/cli/args.js';
import { numLetters, numStates, sampleLetters, zoo } from '../src/automata/index.js';
import type { Automaton } from '../src/automata/index.js';
import {
  KernelBuffer, packDelta, simulate, simulateAsync, simulateBatch, startWorkers, stopWorkers, type Letters, type Method,
} from '../src/simulate/index.js';
import { logLogPanel, svgDocument, type Series } from './lib/plot.js';
import { checkFilesWritable, OutputError, writeFilesAtomic } from '../src/io/atomic.js';

/** One measured configuration. */
export interface Row {
  automaton: string;
  states: number;
  letters: number;
  T: number;
  /** reference | sequential | scan | hillis-steele | brent-kung | batch | memcpy */
  method: string;
  threads: number;
  batch: number;
  /** Seconds per call, all T·batch steps: the fastest of the benchmark package's samples. */
  seconds: number;
  /** Mean seconds per call over the samples. */
  mean: number;
  /** Relative margin of error of the mean (%). */
  rme: number;
  samples: number;
  statesPerSecond: number;
  depth: number;
  /** statesPerSecond / reference statesPerSecond (same automaton and T). */
  vsReference?: number;
  /** statesPerSecond / memcpy statesPerSecond (same T). */
  vsMemcpy?: number;
}

const BY_STATES: Record<number, string> = { 2: 'parity', 8: 'dihedral:4', 16: 'dihedral:8', 120: 'symmetric:5', 300: 'cyclic:300' };
const BATCH = 256;

function log(s: string): void {
  process.stderr.write(`${s}\n`);
}

/** Mean seconds of `fn` (sync, or async when it returns a promise) by the benchmark package. */
function measure(name: string, fn: () => unknown, async: boolean, maxTime: number): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const opts: Benchmark.Options = {
      maxTime,
      // Each sample runs at least minTime (default 50 ms); shorten it only for the tiny --quick grid.
      ...(maxTime < 0.05 ? { minTime: maxTime / 2 } : {}),
      minSamples: 3,
      initCount: 1,
      onComplete(this: Benchmark) {
        if (this.error) reject(this.error);
        // The fastest sample: on a shared machine the mean mostly measures the other jobs.
        else resolve({ seconds: Math.min(...this.stats.sample), mean: this.stats.mean, rme: this.stats.rme, samples: this.stats.sample.length });
      },
    };
    const b = async
      ? new Benchmark(name, { ...opts, defer: true, fn: (d: { resolve(): void }) => void (fn() as Promise<unknown>).then(() => d.resolve()) })
      : new Benchmark(name, { ...opts, fn });
    b.run();
  });
}

interface Measured {
  seconds: number;
  mean: number;
  rme: number;
  samples: number;
}

/**
 * Paired timing for a target ratio: `rounds` rounds, each timing A once and B once back to back,
 * so both see the same machine load. Returns the median of the per-round ratios tB/tA (how many
 * times faster A is) by wall-clock time and by this process's CPU time (user + system). The
 * targets use wall-clock time (what a user waits for, and the only clock in which threads can
 * help); on a quiet machine the two agree. CPU ratios are still logged, for runs on a shared
 * machine. Alternating A and B means each call starts with the other's data in cache: a colder,
 * lower figure than the grid's repeated runs on warm data.
 */
async function paired(a: () => unknown, b: () => unknown, rounds: number): Promise<{ wall: number; cpu: number; walls: number[]; cpus: number[] }> {
  const walls: number[] = [];
  const cpus: number[] = [];
  const once = async (f: () => unknown): Promise<[number, number]> => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await f();
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    return [wall, (c.user + c.system) / 1000];
  };
  await a();
  await b();
  for (let r = 0; r < rounds; r++) {
    const [wa, ca] = await once(a);
    const [wb, cb] = await once(b);
    walls.push(wb / wa);
    cpus.push(cb / Math.max(ca, 1e-3));
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return { wall: median(walls), cpu: median(cpus), walls, cpus };
}

interface Plan {
  automata: string[];
  lengths: number[];
  /** Tree scans only while T·|Q| stays below this. */
  treeLimit: (T: number, n: number) => boolean;
  /** Which (automaton, T) pairs to run. */
  include: (name: string, T: number) => boolean;
  maxTime: number;
}

function plans(mode: 'default' | 'full' | 'quick'): Plan {
  if (mode === 'quick') {
    return { automata: ['dihedral:4', 'cyclic:300'], lengths: [100, 5000], treeLimit: () => true, include: () => true, maxTime: 0.01 };
  }
  const lengths = [1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];
  if (mode === 'full') {
    return {
      automata: Object.values(BY_STATES), lengths,
      treeLimit: (T, n) => T * Math.max(16, n) <= 2 ** 28 && T * n * Math.log2(T) <= 1e10,
      include: () => true, maxTime: 1,
    };
  }
  return {
    automata: Object.values(BY_STATES), lengths,
    treeLimit: (T, n) => (n <= 16 ? T <= 1e6 : T * n <= 3e6),
    include: (name, T) => name === 'dihedral:4' || T === 1e6,
    maxTime: 0.4,
  };
}

const OUTPUTS = ['simulate.json', 'simulate.md', 'simulate.svg'];

/** A simulate.json written by this benchmark; anything else is one line naming the file. */
function readSaved(path: string): { rows: Row[]; targets: Target[] } {
  let j: { rows?: unknown; targets?: unknown };
  try {
    j = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new OutputError(`--from ${path}: cannot read it as JSON (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const rowOk = (r: unknown) => !!r && typeof (r as Row).automaton === 'string' && typeof (r as Row).method === 'string' && Number.isFinite((r as Row).T);
  if (!j || !Array.isArray(j.rows) || !Array.isArray(j.targets) || !j.rows.every(rowOk)) {
    throw new OutputError(`--from ${path}: not a simulate.json written by \`testbeds bench simulate\` (needs "rows" with automaton, method and T, and "targets")`);
  }
  return j as { rows: Row[]; targets: Target[] };
}

export async function run(argv: string[]): Promise<void> {
  const p = parse(argv, {
    full: { type: 'boolean' }, quick: { type: 'boolean' }, out: { type: 'string' }, 'no-memory': { type: 'boolean' },
    automata: { type: 'string' }, lengths: { type: 'string' }, from: { type: 'string' }, force: { type: 'boolean' },
  }, false, {
    // --from only re-renders a saved run: every grid option would be ignored.
    exclusive: [['quick', 'full'], ['from', 'quick'], ['from', 'full'], ['from', 'automata'], ['from', 'lengths'], ['from', 'no-memory']],
  });
  // T = 0 has no throughput (0 letters / 0 s): every length is at least 1.
  const lengths = intList(p, 'lengths', 1, 2 ** 32 - 1);
  const automataList = list(p, 'automata', (x) => x);
  const values = { full: p.values.full === true, quick: p.values.quick === true, 'no-memory': p.values['no-memory'] === true, out: str(p, 'out'), from: str(p, 'from'), force: p.values.force === true };
  const mode = values.full ? 'full' : values.quick ? 'quick' : 'default';
  const outDir = values.out ?? 'bench-results';
  const force = values.force === true;
  if (values.from) {
    // Re-render the table and the plot of a saved run.
    const saved = readSaved(values.from);
    writeFilesAtomic(outDir, { 'simulate.md': markdown(saved.rows, saved.targets), 'simulate.svg': plot(saved.rows) }, { force });
    log(`wrote ${join(outDir, 'simulate.md')} and simulate.svg from ${values.from}`);
    return;
  }
  // Before the run (minutes): existing results are not replaced without --force.
  checkFilesWritable(outDir, OUTPUTS, { force });
  const plan = plans(mode);
  // --automata a,b and --lengths 1e6,1e7 narrow the grid.
  if (automataList) plan.automata = automataList;
  if (lengths) {
    plan.lengths = lengths;
    const inc = plan.include;
    plan.include = (name, T) => inc(name, T) || automataList !== undefined;
  }
  const rows: Row[] = [];
  const started = Date.now();
  await startWorkers(2);
  log(`bench simulate (${mode}): ${plan.automata.join(', ')}; T = ${plan.lengths.map((t) => t.toExponential(0)).join(', ')}`);

  for (const name of plan.automata) {
    const a = zoo(name);
    const n = numStates(a);
    const k = numLetters(a);
    for (const T of plan.lengths) {
      if (!plan.include(name, T)) continue;
      const letters = sampleLetters(a, T, { seed: 1 });
      const shared = new (letters.constructor as { new (b: SharedArrayBuffer): Letters })(new SharedArrayBuffer(letters.byteLength));
      shared.set(letters);
      const out = n > 256 ? new Uint16Array(T) : new Uint8Array(T);
      const base = { automaton: name, states: n, letters: k, T };
      const add = (method: string, threads: number, batch: number, m: Measured, depth: number, steps = T) => {
        const row: Row = { ...base, method, threads, batch, ...m, statesPerSecond: steps / m.seconds, depth };
        rows.push(row);
        log(`  ${name.padEnd(11)} T=${T.toExponential(0).padEnd(5)} ${method.padEnd(13)} ${threads > 1 ? `${threads} threads ` : batch > 1 ? `batch ${batch} ` : ''}${(m.seconds * 1e3).toFixed(3)} ms  ${(row.statesPerSecond / 1e6).toFixed(1)} M/s  depth ${depth}`);
      };
      const mt = T >= 1e8 ? 0.5 : plan.maxTime;

      // Baseline 1: a plain copy of the same bytes (letters in, states out).
      const src = new Uint8Array(letters.buffer, letters.byteOffset, letters.byteLength);
      const dst = new Uint8Array(out.buffer, out.byteOffset, Math.min(out.byteLength, src.byteLength));
      add('memcpy', 1, 1, await measure('memcpy', () => dst.set(src.subarray(0, dst.length)), false, mt), 1);
      // Baseline 2: the TypeScript loop.
      add('reference', 1, 1, await measure('reference', () => simulate(a, letters, { method: 'reference', out }), false, mt), T);
      for (const method of ['sequential', 'scan', 'hillis-steele', 'brent-kung'] as Method[]) {
        if ((method === 'hillis-steele' || method === 'brent-kung') && !plan.treeLimit(T, n)) continue;
        // With |Q| > 16 the map scan does |Q| gathers per letter: past 1e7 letters one call takes minutes.
        if (method === 'scan' && n > 16 && T > 1e7) continue;
        const depth = simulate(a, letters.subarray(0, T), { method, out }).depth;
        add(method, 1, 1, await measure(method, () => simulate(a, letters, { method, out }), false, mt), depth);
      }
      if (T >= 1e4 && !(n > 16 && T > 1e7)) {
        // Letters and states in SharedArrayBuffers: the workers read and write them without copies here.
        const sout = new (out.constructor as { new (b: SharedArrayBuffer): Uint8Array })(new SharedArrayBuffer(out.byteLength));
        const r = await simulateAsync(a, shared, { method: 'scan', threads: 2, out: sout });
        add('scan', 2, 1, await measure('scan x2', () => simulateAsync(a, shared, { method: 'scan', threads: 2, out: sout }), true, mt), r.depth);
      }
      if (T >= BATCH * 16) {
        // B sequences of ⌊T/B⌋ letters: the same number of steps, parallel across sequences.
        const steps = Math.floor(T / BATCH) * BATCH;
        const lb = letters.subarray(0, steps);
        const ob = out.subarray(0, steps);
        add('batch', 1, BATCH, await measure('batch', () => simulateBatch(a, lb, BATCH, { out: ob }), false, mt), steps / BATCH, steps);
        // The same with letters and states already in kernel memory (KernelBuffer): no copies.
        const KL = new KernelBuffer(steps, 1);
        const KO = new KernelBuffer(steps, n > 256 ? 2 : 1);
        KL.array.set(lb);
        add('batch in wasm memory', 1, BATCH, await measure('batch resident', () => simulateBatch(a, KL.array, BATCH, { out: KO.array }), false, mt), steps / BATCH, steps);
        KO.free();
        KL.free();
      }
      // Ratios against the baselines of this (automaton, T).
      const ref = rows.find((r) => r.automaton === name && r.T === T && r.method === 'reference')!;
      const mem = rows.find((r) => r.automaton === name && r.T === T && r.method === 'memcpy')!;
      for (const r of rows) {
        if (r.automaton !== name || r.T !== T) continue;
        r.vsReference = r.statesPerSecond / ref.statesPerSecond;
        r.vsMemcpy = r.statesPerSecond / mem.statesPerSecond;
      }
    }
  }
  // Target ratios, paired (see paired()): dihedral:4.
  const pairedTargets: Target[] = [];
  if (mode !== 'quick') {
    const a = zoo('dihedral:4');
    log('  paired target ratios (dihedral:4):');
    const L7 = sampleLetters(a, 1e7, { seed: 1 });
    const o7 = new Uint8Array(1e7);
    const ref7 = () => simulate(a, L7, { method: 'reference', out: o7 });
    const s7 = await paired(() => simulate(a, L7, { method: 'scan', out: o7 }), ref7, 9);
    pairedTargets.push({ what: 'scan 1 thread / reference, T = 1e7 (paired, wall clock)', value: s7.wall, goal: '≥ 3× (goal 5×)', met: s7.wall >= 3 });
    log(`    scan/reference T=1e7: CPU ${s7.cpus.map((x) => x.toFixed(2)).join(' ')}; wall ${s7.walls.map((x) => x.toFixed(2)).join(' ')}`);
    const steps = 39062 * BATCH;
    const batchCopy = () => simulateBatch(a, L7.subarray(0, steps), BATCH, { out: o7.subarray(0, steps) });
    const KL = new KernelBuffer(steps, 1);
    const KO = new KernelBuffer(steps, 1);
    KL.array.set(L7.subarray(0, steps));
    const batchResident = () => simulateBatch(a, KL.array, BATCH, { out: KO.array });
    for (const [label, fn] of [['batch 256', batchCopy], ['batch 256 in wasm memory', batchResident]] as const) {
      const b7 = await paired(fn, ref7, 9);
      const v = b7.wall * (steps / 1e7);
      pairedTargets.push({ what: `${label} / reference, T·B = 1e7 (paired, wall clock)`, value: v, goal: '≥ 15× (goal 25×)', met: v >= 15 });
      log(`    ${label}/reference: CPU ${b7.cpus.map((x) => x.toFixed(1)).join(' ')}; wall ${b7.walls.map((x) => x.toFixed(1)).join(' ')}`);
      const src = L7.subarray(0, steps);
      const dst = o7.subarray(0, steps);
      const m7 = await paired(() => dst.set(src), fn, 9);
      pairedTargets.push({ what: `${label} / memcpy of the same bytes (paired, wall clock)`, value: 1 / m7.wall, goal: '≥ 50%', met: 1 / m7.wall >= 0.5 });
      log(`    ${label}/memcpy: CPU ${m7.cpus.map((x) => (1 / x).toFixed(2)).join(' ')}; wall ${m7.walls.map((x) => (1 / x).toFixed(2)).join(' ')}`);
    }
    KO.free();
    KL.free();
    const L8 = new Uint8Array(new SharedArrayBuffer(1e8));
    L8.set(sampleLetters(a, 1e8, { seed: 1 }));
    const o8 = new Uint8Array(new SharedArrayBuffer(1e8));
    const t8 = await paired(() => simulateAsync(a, L8, { method: 'scan', threads: 2, out: o8 }), () => simulate(a, L8, { method: 'scan', out: o8 }), 5);
    pairedTargets.push({ what: 'scan 2 threads / 1 thread, T = 1e8 (paired, wall clock)', value: t8.wall, goal: '≥ 1.5×', met: t8.wall >= 1.5 });
    log(`    threads 2/1 T=1e8: wall ${t8.walls.map((x) => x.toFixed(2)).join(' ')}`);
  }
  await stopWorkers();

  // Peak memory of T = 10^8 in a fresh process (the CLI, scan, 1 thread).
  let memory: { T: number; maxRssMB: number; seconds: number } | null = null;
  if (mode !== 'quick' && !values['no-memory']) {
    const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'testbeds.js');
    const r = spawnSync(process.execPath, [bin, 'simulate', '--automaton', 'dihedral:4', '--random', '1e8', '--method', 'scan', '--json'], { encoding: 'utf8' });
    try {
      const j = JSON.parse(r.stdout);
      memory = { T: 1e8, maxRssMB: j.maxRssMB, seconds: j.seconds };
      log(`  memory: T = 1e8 scan peaks at ${j.maxRssMB} MB RSS (whole process: letters, states, wasm memory)`);
    } catch {
      log(`  memory: could not run the CLI (${r.stderr?.trim() ?? r.error})`);
    }
  }

  const targets = [...pairedTargets, ...summarize(rows, memory)];
  const result = {
    benchmark: 'simulate',
    mode,
    machine: { node: process.version, cpus: (await import('node:os')).cpus().length, cpu: (await import('node:os')).cpus()[0]?.model, loadAverageAtEnd: (await import('node:os')).loadavg()[0] },
    date: new Date().toISOString(),
    wallSeconds: (Date.now() - started) / 1000,
    rows,
    targets,
    memory,
  };
  writeFilesAtomic(outDir, { 'simulate.json': JSON.stringify(result, null, 1) + '\n', 'simulate.md': markdown(rows, targets), 'simulate.svg': plot(rows) }, { force });
  log(`wrote ${join(outDir, 'simulate.json')}, simulate.md, simulate.svg (${result.wallSeconds.toFixed(0)} s)`);
  console.log(markdown(rows, targets));
}

interface Target {
  what: string;
  value: number | null;
  goal: string;
  met: boolean | null;
}

function summarize(rows: Row[], memory: { maxRssMB: number } | null): Target[] {
  const pick = (T: number, method: string, threads = 1, batch = 1, automaton = 'dihedral:4') =>
    rows.find((r) => r.automaton === automaton && r.T === T && r.method === method && r.threads === threads && r.batch === batch);
  const out: Target[] = [];
  const ratio = (what: string, a: Row | undefined, b: Row | undefined, goal: number, goalText: string) => {
    const v = a && b ? a.statesPerSecond / b.statesPerSecond : null;
    out.push({ what, value: v, goal: goalText, met: v === null ? null : v >= goal });
  };
  ratio('batch 256 / reference, T·B = 1e7 (grid above)', pick(1e7, 'batch', 1, BATCH), pick(1e7, 'reference'), 15, '≥ 15× (goal 25×)');
  ratio('batch / memcpy, T·B = 1e7 (grid above)', pick(1e7, 'batch', 1, BATCH), pick(1e7, 'memcpy'), 0.5, '≥ 50%');
  ratio('scan 1 thread / reference, T = 1e7 (grid above)', pick(1e7, 'scan'), pick(1e7, 'reference'), 3, '≥ 3× (goal 5×)');
  ratio('scan 2 threads / 1 thread, T = 1e8 (grid above)', pick(1e8, 'scan', 2), pick(1e8, 'scan'), 1.5, '≥ 1.5×');
  if (memory) out.push({ what: 'peak RSS, T = 1e8, scan (CLI process)', value: memory.maxRssMB, goal: '≤ 600 MB', met: memory.maxRssMB <= 600 });
  return out;
}

function fmtRate(x: number): string {
  return x >= 1e9 ? `${(x / 1e9).toFixed(2)} G` : `${(x / 1e6).toFixed(1)} M`;
}

export function markdown(rows: Row[], targets: Target[]): string {
  const lines: string[] = [];
  lines.push('| automaton | \\|Q\\| | T | method | states/s | time | depth | × reference | % memcpy |');
  lines.push('|---|---:|---:|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const m = r.method + (r.threads > 1 ? ` (${r.threads} threads)` : '') + (r.batch > 1 ? ` (${r.batch} seqs)` : '');
    const t = r.seconds >= 1 ? `${r.seconds.toFixed(2)} s` : r.seconds >= 1e-3 ? `${(r.seconds * 1e3).toFixed(2)} ms` : `${(r.seconds * 1e6).toFixed(1)} µs`;
    lines.push(`| ${r.automaton} | ${r.states} | ${r.T.toExponential(0)} | ${m} | ${fmtRate(r.statesPerSecond)} | ${t} | ${r.depth} | ${r.vsReference?.toFixed(2) ?? ''} | ${r.vsMemcpy !== undefined ? (100 * r.vsMemcpy).toFixed(1) : ''} |`);
  }
  lines.push('');
  lines.push('| target | measured | goal | met |');
  lines.push('|---|---:|---|---|');
  for (const t of targets) {
    const v = t.value === null ? 'not measured' : t.what.startsWith('peak') ? `${t.value.toFixed(0)} MB` : t.what.includes('memcpy') ? `${(100 * t.value).toFixed(0)}%` : `${t.value.toFixed(2)}×`;
    lines.push(`| ${t.what} | ${v} | ${t.goal} | ${t.met === null ? '–' : t.met ? 'yes' : 'no'} |`);
  }
  return lines.join('\n') + '\n';
}

function plot(rows: Row[]): string {
  const main = rows.filter((r) => r.automaton === 'dihedral:4' || (rows.every((x) => x.automaton !== 'dihedral:4') && r.automaton === rows[0]?.automaton));
  const key = (r: Row) => (r.method === 'batch in wasm memory' ? 'batch, in wasm' : r.method) + (r.threads > 1 ? ` ×${r.threads} threads` : '') + (r.batch > 1 ? ` (${r.batch} seqs)` : '');
  const names = [...new Set(main.map(key))];
  const time: Series[] = names.map((nm, i) => ({ name: nm, color: i, points: main.filter((r) => key(r) === nm).map((r) => [r.T, r.seconds] as [number, number]) }));
  const depth: Series[] = names.map((nm, i) => ({ name: nm, color: i, points: main.filter((r) => key(r) === nm).map((r) => [r.T, r.depth] as [number, number]) })).filter((x) => x.name !== 'memcpy');
  const automaton = main[0]?.automaton ?? '';
  const W = 660;
  const H = 420;
  return svgDocument(2 * W, H, logLogPanel(`time per call, ${automaton}`, 'T (letters in all)', 'seconds', time, 0, 0, W, H) + '\n' +
    logLogPanel('depth (sequential rounds)', 'T (letters)', 'rounds', depth, W, 0, W, H));
}

export type { Automaton };
void packDelta;
