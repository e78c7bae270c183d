/**
 * Steps-to-accuracy benchmark: how many AdamW steps our models need to reach 99% per-position
 * accuracy on a fixed held-out set, against PyTorch models trained on the SAME batches with the
 * same init family, optimizer (AdamW, betas, eps, decay on matrices only), schedule (warmup +
 * cosine) and clipping (bench/steps_torch.py). Median over seeds per row, both sides; the ratio
 * ours / PyTorch is the figure of merit (issue #9: ≤ 1.5 in every row).
 *
 * Each (row, seed) writes its batches (src/learning/data.ts, letters and labels of every step and
 * the held-out set) to a scratch file the PyTorch side reads, so the data are identical bit for
 * bit. Both sides evaluate every `evalEvery` steps and stop at the first evaluation ≥ target.
 * With --same-init the PyTorch model also starts from our initial weights, which isolates
 * everything after the init (optimizer, schedule, numerics): the two loss curves then agree step
 * by step until float32 rounding and chaotic training dynamics separate them.
 *
 * Results go to OUT/results.jsonl (one line per row × seed × side, appended as each finishes; a
 * re-run skips what is there, so the benchmark is resumable) and OUT/table.md (rewritten).
 *
 * Usage: testbeds bench steps [--out DIR] [--rows a,b] [--seeds 1,2,3] [--side both|ours|torch]
 *        [--same-init] [--backend wasm|cpu] [--quick] [--json]
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { zoo } from '../src/automata/zoo.js';
import { initBackend } from '../src/learning/backend.js';
import { evalBatches, trainBatch, type Batch } from '../src/learning/data.js';
import { runConfig, Trainer, type RunConfig } from '../src/learning/train.js';

export interface StepsRow {
  /** Short id, e.g. lstm-parity. */
  id: string;
  automaton: string;
  model: 'lstm' | 'gru' | 'rnn' | 'transformer';
  length: number;
  width: number;
  layers: number;
  heads?: number;
  lr: number;
  /** Step budget: the cosine schedule spans it, and a run that has not reached the target by then counts as "> steps". */
  steps: number;
  warmup: number;
  evalEvery: number;
}

/** The issue's rows. RNNs: width 64, one layer, AdamW 3e-3 (the PyTorch reference setup of
 *  issue #9). Transformers: the quick sweep's model (L = 2, d = 32, 4 heads, lr 3e-3, warmup 100). */
export const ROWS: StepsRow[] = [
  { id: 'lstm-parity', automaton: 'parity', model: 'lstm', length: 32, width: 64, layers: 1, lr: 3e-3, steps: 1000, warmup: 50, evalEvery: 10 },
  { id: 'gru-parity', automaton: 'parity', model: 'gru', length: 32, width: 64, layers: 1, lr: 3e-3, steps: 1000, warmup: 50, evalEvery: 10 },
  { id: 'lstm-gridworld9', automaton: 'gridworld:9', model: 'lstm', length: 32, width: 64, layers: 1, lr: 3e-3, steps: 1000, warmup: 50, evalEvery: 10 },
  { id: 'gru-gridworld9', automaton: 'gridworld:9', model: 'gru', length: 32, width: 64, layers: 1, lr: 3e-3, steps: 1000, warmup: 50, evalEvery: 10 },
  { id: 'transformer-gridworld4', automaton: 'gridworld:4', model: 'transformer', length: 16, width: 32, layers: 2, heads: 4, lr: 3e-3, steps: 3000, warmup: 100, evalEvery: 10 },
  { id: 'transformer-cyclic3', automaton: 'cyclic:3', model: 'transformer', length: 16, width: 32, layers: 2, heads: 4, lr: 3e-3, steps: 3000, warmup: 100, evalEvery: 10 },
];

const TARGET = 0.99;
const BATCH = 32;
/** Held-out set: 8 batches of 32 sequences (the trainer's default evaluation set). */
const EVAL_BATCHES = 8;

export interface StepsResult {
  row: string;
  seed: number;
  side: 'ours' | 'torch';
  sameInit: boolean;
  /** Our side on tfjs-cpu instead of wasm (a control: same maths, another summation order). */
  backend?: 'cpu';
  /** First evaluated step with held-out per-position accuracy ≥ target; null: not within `budget`. */
  reached: number | null;
  budget: number;
  /** [step, accuracy, loss] at every evaluation. */
  evals: [number, number, number][];
  /** Training loss of every step run. */
  losses: number[];
  seconds: number;
  peer?: { torch: string; blas: string; threads: number };
}

const log = (s: string) => process.stderr.write(s + '\n');

function configOf(r: StepsRow, seed: number): RunConfig {
  return runConfig({
    automaton: zoo(r.automaton),
    model: r.model,
    length: r.length,
    width: r.width,
    layers: r.layers,
    heads: r.heads,
    contextLength: r.model === 'transformer' ? r.length : undefined,
    batch: BATCH,
    seed,
    steps: r.steps,
    lr: r.lr,
    warmup: r.warmup,
    evalBatches: EVAL_BATCHES,
    evalEvery: r.evalEvery,
  });
}

/** Our side: the library's Trainer, stopped at the first evaluation ≥ target. */
function runOurs(r: StepsRow, c: RunConfig, held: Batch[]): Omit<StepsResult, 'row' | 'seed' | 'side' | 'sameInit'> {
  const t = new Trainer(c);
  const t0 = performance.now();
  const losses: number[] = [];
  const evals: [number, number, number][] = [];
  let reached: number | null = null;
  try {
    while (t.step < r.steps) {
      losses.push(round6(t.trainStep().loss));
      if (t.step % r.evalEvery === 0 || t.step === r.steps) {
        const e = t.evaluate(held);
        evals.push([t.step, round6(e.accuracy), round6(e.loss)]);
        if (e.accuracy >= TARGET) {
          reached = t.step;
          break;
        }
      }
    }
  } finally {
    t.dispose();
  }
  return { reached, budget: r.steps, evals, losses, seconds: (performance.now() - t0) / 1000 };
}

/** Letters and labels of every training step, then of the held-out set, as int32 LE. */
function writeData(file: string, c: RunConfig, r: StepsRow, held: Batch[]): void {
  const task = { automaton: c.automaton, length: c.length };
  const S = r.steps;
  const n = BATCH * c.length;
  const E = held.reduce((a, b) => a + b.letters.length, 0);
  const out = new Int32Array(2 * S * n + 2 * E);
  for (let s = 0; s < S; s++) {
    const b = trainBatch(task, BATCH, c.seed, s);
    out.set(b.letters, s * n);
    out.set(b.labels, S * n + s * n);
  }
  let o = 2 * S * n;
  for (const b of held) (out.set(b.letters, o), (o += b.letters.length));
  for (const b of held) (out.set(b.labels, o), (o += b.labels.length));
  writeFileSync(file, new Uint8Array(out.buffer));
}

function runTorch(r: StepsRow, c: RunConfig, held: Batch[], scratch: string, sameInit: boolean): Omit<StepsResult, 'row' | 'seed' | 'side' | 'sameInit'> {
  const data = join(scratch, `${r.id}-s${c.seed}.data`);
  writeData(data, c, r, held);
  let init: string | null = null;
  let initShapes: [string, number[]][] = [];
  if (sameInit) {
    const t = new Trainer(c);
    init = join(scratch, `${r.id}-s${c.seed}.init`);
    const w = t.model.params.flatten();
    writeFileSync(init, new Uint8Array(w.buffer, w.byteOffset, w.byteLength));
    initShapes = Object.entries(t.model.params.shapes());
    t.dispose();
  }
  const m = c.model;
  const o = c.optim;
  const cfg = {
    model: m.kind, vocab: m.vocab, classes: m.classes, width: m.width, layers: m.layers,
    ...(m.kind === 'transformer' ? { heads: m.heads, mlpRatio: m.mlpRatio, contextLength: m.contextLength } : {}),
    length: c.length, batch: BATCH, seed: c.seed, lr: o.lr, warmup: o.warmup, steps: o.steps, minLrRatio: o.minLrRatio,
    beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay, clip: o.clip, evalEvery: r.evalEvery,
    target: TARGET, evalCount: EVAL_BATCHES * BATCH, data, init, initShapes, threads: 1,
  };
  // bench/steps.ts (tests) or dist/bench/steps.js (the CLI): the script sits in bench/.
  const script = ['../bench/steps_torch.py', '../../bench/steps_torch.py'].map((p) => new URL(p, import.meta.url).pathname).find((p) => existsSync(p));
  if (!script) throw new Error('bench/steps_torch.py not found next to this module');
  try {
    const p = spawnSync('/usr/bin/python3', [script, JSON.stringify(cfg)], { encoding: 'utf8', timeout: 3_600_000, maxBuffer: 64 << 20 });
    if (p.status !== 0) throw new Error(`PyTorch peer exited ${p.status}: ${(p.stderr ?? '').trim().split('\n').pop()}`);
    const j = JSON.parse(p.stdout);
    if (!j.ok) throw new Error(`PyTorch peer: ${j.reason}`);
    return { reached: j.reached, budget: r.steps, evals: j.evals, losses: j.losses, seconds: j.seconds, peer: { torch: j.torch, blas: j.blas, threads: j.threads } };
  } finally {
    rmSync(data, { force: true });
    if (init) rmSync(init, { force: true });
  }
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}

/** Markdown table: per row, each side's steps per seed, medians and the ratio ours / PyTorch. */
export function stepsTable(results: StepsResult[], rows: StepsRow[], seeds: number[]): string {
  const fmt = (x: number | null | undefined, budget: number) => (x === undefined ? '–' : x === null ? `> ${budget}` : String(x));
  const lines = [
    `Steps to ${TARGET * 100}% held-out per-position accuracy (evaluated every k steps on ${EVAL_BATCHES * BATCH} sequences), batch ${BATCH}, AdamW (β = 0.9, 0.99, ε = 1e-8, decay 0.01 on matrices), clip 1, linear warmup + cosine to 10% over the budget; seeds ${seeds.join(', ')}. "> N": not reached within the budget N (counted as ∞ in the median).`,
    '',
    '| row | model | T | budget | k | ours (per seed) | PyTorch (per seed) | ours median | PyTorch median | ratio | PyTorch from our init (--same-init) |',
    '|---|---|---:|---:|---:|---|---|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const get = (side: 'ours' | 'torch', sameInit = false) => seeds.map((s) => results.find((x) => x.row === r.id && x.seed === s && x.side === side && x.sameInit === sameInit && !x.backend)?.reached);
    const a = get('ours');
    const b = get('torch');
    const med = (v: (number | null | undefined)[]) => (v.some((x) => x === undefined) ? undefined : median(v.map((x) => (x === null ? Infinity : x!))));
    const ma = med(a);
    const mb = med(b);
    const ratio = ma === undefined || mb === undefined ? '–' : !isFinite(ma) && !isFinite(mb) ? '–' : (ma / mb).toFixed(2);
    const model = r.model === 'transformer' ? `Transformer L=${r.layers} d=${r.width}` : `${r.model.toUpperCase()} d=${r.width}`;
    const m = (x: number | undefined) => (x === undefined ? '–' : isFinite(x) ? String(x) : `> ${r.steps}`);
    lines.push(`| ${r.automaton} | ${model} | ${r.length} | ${r.steps} | ${r.evalEvery} | ${a.map((x) => fmt(x, r.steps)).join(', ')} | ${b.map((x) => fmt(x, r.steps)).join(', ')} | ${m(ma)} | ${m(mb)} | ${ratio} | ${get('torch', true).map((x) => fmt(x, r.steps)).join(', ')} |`);
  }
  return lines.join('\n') + '\n';
}

/** OUT/table.md, written to a temporary file and renamed. */
function writeTable(out: string, md: string): void {
  writeFileSync(join(out, 'table.md.tmp'), md);
  renameSync(join(out, 'table.md.tmp'), join(out, 'table.md'));
}

function readResults(file: string): StepsResult[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as StepsResult);
}

/** One writer per output directory: an exclusive lock file, removed on exit. */
function lock(out: string): () => void {
  const file = join(out, '.lock');
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch {
    throw new Error(`${out} is locked by another run (${file}: pid ${readFileSync(file, 'utf8').trim()}); remove it if that process is gone`);
  }
  writeSync(fd, String(process.pid));
  closeSync(fd);
  const release = () => rmSync(file, { force: true });
  process.once('exit', release);
  return release;
}

export async function run(argv: string[]): Promise<void> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      rows: { type: 'string' },
      seeds: { type: 'string' },
      side: { type: 'string' },
      'same-init': { type: 'boolean' },
      backend: { type: 'string' },
      quick: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const out = v.out ?? 'bench-results/steps-to-accuracy';
  let rows = ROWS;
  if (v.rows) {
    const ids = v.rows.split(',');
    for (const id of ids) if (!ROWS.some((r) => r.id === id)) throw new Error(`--rows: unknown row "${id}" (rows: ${ROWS.map((r) => r.id).join(', ')})`);
    rows = ROWS.filter((r) => ids.includes(r.id));
  }
  // --quick: a tiny budget on the first row (seconds; for tests of the machinery, not a result).
  if (v.quick) rows = [{ ...rows[0], steps: 20, warmup: 2, evalEvery: 10, width: 8 }];
  const seeds = (v.seeds ?? '1,2,3').split(',').map((s) => {
    const x = Number(s);
    if (!Number.isInteger(x)) throw new Error(`--seeds: expected integers, got "${s}"`);
    return x;
  });
  const side = v.side ?? 'both';
  if (!['both', 'ours', 'torch'].includes(side)) throw new Error(`--side must be both|ours|torch, got ${side}`);
  const sameInit = !!v['same-init'];
  const backend = v.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu') throw new Error(`--backend must be wasm|cpu, got ${backend}`);
  if (backend === 'cpu' && side !== 'ours') throw new Error('--backend cpu applies to --side ours only');
  mkdirSync(out, { recursive: true });
  const release = lock(out);
  try {
    await initBackend(backend);
    const file = join(out, 'results.jsonl');
    const scratch = mkdtempSync(join(tmpdir(), 'testbeds-steps-')); // the batches handed to PyTorch
    process.once('exit', () => rmSync(scratch, { recursive: true, force: true }));
    const results = readResults(file);
    const sides = (side === 'both' ? ['ours', 'torch'] : [side]) as ('ours' | 'torch')[];
    for (const r of rows) {
      for (const seed of seeds) {
        for (const s of sides) {
          if (results.some((x) => x.row === r.id && x.seed === seed && x.side === s && x.sameInit === sameInit && x.budget === r.steps && (x.backend ?? 'wasm') === backend)) continue;
          const c = configOf(r, seed);
          const held = evalBatches({ automaton: c.automaton, length: c.length }, BATCH, EVAL_BATCHES, seed);
          log(`steps: ${r.id} seed ${seed} ${s}${sameInit ? ' (same init)' : ''} …`);
          const res = s === 'ours' ? runOurs(r, c, held) : runTorch(r, c, held, scratch, sameInit);
          const line: StepsResult = { row: r.id, seed, side: s, sameInit, ...(backend === 'cpu' ? { backend } : {}), ...res };
          log(`steps: ${r.id} seed ${seed} ${s}: ${res.reached ?? `> ${r.steps}`} steps (${res.seconds.toFixed(1)} s)`);
          appendFileSync(file, JSON.stringify(line) + '\n');
          results.push(line);
          writeTable(out, stepsTable(results, v.quick ? rows : ROWS, seeds));
        }
      }
    }
    const md = stepsTable(results, v.quick ? rows : ROWS, seeds);
    writeTable(out, md);
    if (v.json) console.log(JSON.stringify({ rows: v.quick ? rows : ROWS, seeds, results }));
    else process.stdout.write(md);
  } finally {
    release();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run(process.argv.slice(2)).catch((e) => {
    log(`bench steps: ${(e as Error).message}`);
    process.exit(1);
  });
}
