/**
 * The bounded-Dyck experiment (Wen, Li, Liu, Risteski 2023, "Transformers are uninterpretable
 * with myopic methods"): train two-layer Transformers on next-token prediction over Dyck_{K,M}
 * prefixes (data.ts's `dyck` task) for several seeds and restricted variants; for each trained
 * model report accuracy at the training length n and at 2n and 4n, the first layer's balance
 * violation and every layer's distance from the stack-like attention pattern (balance.ts); and,
 * across all models, how well the balance violation predicts length generalisation (Spearman).
 *
 * Resumable: each (variant, seed) trains in OUT/runs/<variant>-s<seed> with the Trainer's
 * checkpoints, and its finished measurements are cached as OUT/cells/<variant>-s<seed>.json; a
 * killed experiment re-run with the same options picks up where it stopped.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkArray, checkInstance, checkObject, checkOptions, fail } from '../../validate/index.js';
import { evalBatches, type Batch } from '../data.js';
import { runConfig, taskOf, Trainer, evaluateModel, type RunConfig, type RunOptions } from '../train.js';
import { wilson, type Proportion } from '../flipflop/glitches.js';
import { addBalance, addStackDistance, balanceRatio, emptyBalance, emptyStack, stackDistances, stackTops } from './balance.js';
import { spearman as spearmanRanks } from '../sweep.js';
import { checkMemory, estimateMemory } from '../memory.js';
import { traceTransformer, transformerWeights } from './inspect.js';
import { heatmapGridSvg, type Heatmap } from '../../plot/svg.js';

/** A restricted architecture: the Transformer options that differ from the preset's base. */
export interface DyckVariant {
  heads: number;
  /** Block 0 without its MLP (the paper's restricted first layer). */
  minimalFirstLayer: boolean;
  norm: 'layernorm' | 'none';
}

export const DYCK_VARIANTS: Record<string, DyckVariant> = {
  /** Pre-LN GPT blocks, MLP in both layers. */
  standard: { heads: 2, minimalFirstLayer: false, norm: 'layernorm' },
  /** First layer attention only. */
  minimal: { heads: 2, minimalFirstLayer: true, norm: 'layernorm' },
  /** First layer attention only, one head per layer. */
  'minimal-1head': { heads: 1, minimalFirstLayer: true, norm: 'layernorm' },
  /** First layer attention only, no LayerNorm anywhere. */
  'minimal-noln': { heads: 2, minimalFirstLayer: true, norm: 'none' },
};

export interface DyckPreset {
  K: number;
  M: number;
  /** Training length n (tokens); evaluation at n, 2n, 4n. */
  length: number;
  width: number;
  steps: number;
  lr: number;
  batch: number;
  seeds: number[];
  variants: string[];
  /** Held-out sequences per evaluation length (batches of `batch`). */
  evalSequences: number;
  /** Sequences (length n) the attention metrics are averaged over. */
  probeSequences: number;
}

/** quick: minutes per model on one core (chosen by pilot runs; bench/results/dyck has the timing). */
export const DYCK_PRESETS: Record<'quick', DyckPreset> = {
  quick: { K: 2, M: 4, length: 32, width: 32, steps: 2000, lr: 3e-3, batch: 32, seeds: [1, 2, 3, 4], variants: Object.keys(DYCK_VARIANTS), evalSequences: 512, probeSequences: 64 },
};

export interface DyckOptions {
  preset?: 'quick';
  K?: number;
  M?: number;
  length?: number;
  width?: number;
  steps?: number;
  lr?: number;
  batch?: number;
  seeds?: number[];
  variants?: string[];
  evalSequences?: number;
  probeSequences?: number;
  /** Directory for runs/ and cells/ (resume); absent = in memory only. */
  out?: string;
  onStep?: (cell: string, step: number, steps: number, loss: number) => void;
  onCell?: (cell: DyckCell, cached: boolean) => void;
}

export interface DyckCell {
  variant: string;
  seed: number;
  /** Whole-run configuration the cell was trained with (checked on resume). */
  run: RunConfig;
  trainSeconds: number;
  finalLoss: number;
  /** Accuracy on the forced closing bracket (positions where the next token closes), Wilson 95%, at n, 2n, 4n. */
  accuracy: { length: number; acc: Proportion; sequence: number }[];
  /** First-layer balance violation in [0, 1] (balance.ts). */
  balance: number;
  /** Per layer: mean distance from the stack-like pattern of its most stack-like head, and of its heads on average. */
  stack: { best: number; mean: number }[];
  /** Layer-by-layer head-mean attention on the first probe sequence (T·T rows), for the picture. */
  example: { letters: number[]; attention: number[][]; tops: number[] };
}

export interface DyckResult {
  preset: string;
  K: number;
  M: number;
  length: number;
  lengths: number[];
  backend: string;
  interval: 'wilson-95';
  cells: DyckCell[];
  /** Each variant at initialisation (untrained weights of the first seed): the same measurements. */
  controls: { variant: string; accuracy: DyckCell['accuracy']; balance: number; stack: DyckCell['stack'] }[];
  /** Stack distance of uniform causal attention on the probe sequences (the "looks everywhere" reference). */
  uniformStackDistance: number;
  /** Spearman correlation, across all cells, of each metric (balance violation, stack distances) with accuracy at 2n and 4n. */
  correlation: { metric: string; length: number; spearman: number; models: number }[];
}

/** Validates the options (errors name the field and the value) and fills the preset. */
export function dyckPlan(o: DyckOptions = {}): DyckPreset {
  o = checkOptions('dyckPlan', o) as DyckOptions;
  const name = o.preset ?? 'quick';
  const base = DYCK_PRESETS[name];
  if (!base) throw new Error(`preset must be quick, got ${JSON.stringify(name)}`);
  const p: DyckPreset = {
    K: o.K ?? base.K,
    M: o.M ?? base.M,
    length: o.length ?? base.length,
    width: o.width ?? base.width,
    steps: o.steps ?? base.steps,
    lr: o.lr ?? base.lr,
    batch: o.batch ?? base.batch,
    seeds: o.seeds ?? base.seeds,
    variants: o.variants ?? base.variants,
    evalSequences: o.evalSequences ?? base.evalSequences,
    probeSequences: o.probeSequences ?? base.probeSequences,
  };
  const int = (field: string, v: unknown, lo: number, hi: number) => {
    if (!Number.isInteger(v) || (v as number) < lo || (v as number) > hi) throw new Error(`${field} must be an integer in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
  };
  int('K', p.K, 1, 8);
  int('M', p.M, 1, 8);
  int('length', p.length, 2, 1024);
  if (p.length % 2 !== 0) throw new Error(`length must be even (the evaluation lengths 2n and 4n, and balanced words, pair brackets), got ${p.length}`);
  int('width', p.width, 2, 1024);
  int('steps', p.steps, 1, 1e7);
  int('batch', p.batch, 1, 4096);
  int('evalSequences', p.evalSequences, 1, 1e6);
  int('probeSequences', p.probeSequences, 1, 1e5);
  if (!(typeof p.lr === 'number' && p.lr > 0 && p.lr <= 1)) throw new Error(`lr must be a number in (0, 1], got ${JSON.stringify(p.lr)}`);
  if (!Array.isArray(p.seeds) || p.seeds.length === 0) throw new Error(`seeds must be a non-empty list, got ${JSON.stringify(p.seeds)}`);
  for (const s of p.seeds) int('seed', s, 0, 2 ** 32 - 1);
  if (new Set(p.seeds).size !== p.seeds.length) throw new Error(`seeds must be distinct, got ${p.seeds.join(',')}`);
  if (!Array.isArray(p.variants) || p.variants.length === 0) throw new Error(`variants must be a non-empty list, got ${JSON.stringify(p.variants)}`);
  for (const v of p.variants) if (!Object.hasOwn(DYCK_VARIANTS, v)) throw new Error(`variant must be one of ${Object.keys(DYCK_VARIANTS).join(', ')}, got ${JSON.stringify(v)}`);
  for (const v of p.variants) if (p.width % DYCK_VARIANTS[v].heads !== 0) throw new Error(`width must be divisible by the heads of variant ${v} (${DYCK_VARIANTS[v].heads}), got ${p.width}`);
  // The trainer's own checks (memory, sizes) before any work starts.
  for (const v of p.variants) {
    const run = runConfig(runOptionsOf(p, v, p.seeds[0]));
    // Training is checked by the Trainer; the evaluation at 4n (attention grows as T²) here, before any work.
    checkMemory(estimateMemory(run, { training: false, length: 4 * p.length }), undefined, `evaluation at 4n = ${4 * p.length}`);
  }
  return p;
}

/** Sinusoidal positions: the only kind defined at 2n and 4n without training there. */
export function runOptionsOf(p: DyckPreset, variant: string, seed: number): RunOptions {
  checkObject('runOptionsOf', 'p', p);
  if (typeof variant !== 'string' || !Object.hasOwn(DYCK_VARIANTS, variant)) fail('runOptionsOf', `variant must be one of ${Object.keys(DYCK_VARIANTS).join(', ')}, got ${JSON.stringify(variant)}`);
  const v = DYCK_VARIANTS[variant];
  return {
    dyck: { K: p.K, M: p.M },
    model: 'transformer',
    layers: 2,
    width: p.width,
    heads: v.heads,
    norm: v.norm,
    minimalFirstLayer: v.minimalFirstLayer,
    positions: 'sinusoidal',
    length: p.length,
    batch: p.batch,
    seed,
    steps: p.steps,
    lr: p.lr,
    evalEvery: Math.max(100, Math.round(p.steps / 10)),
    checkpointEvery: Math.max(100, Math.round(p.steps / 4)),
  };
}

const PROBE_STREAM = 0xd7c4;

/** The measurements of a trained model (accuracy at n, 2n, 4n and the attention metrics). */
export function measureDyck(trainer: Trainer, p: DyckPreset): Omit<DyckCell, 'variant' | 'seed' | 'run' | 'trainSeconds' | 'finalLoss'> {
  checkInstance('measureDyck', 'trainer', trainer, Trainer, 'new Trainer(runConfig({ dyck, ... }))');
  const c = trainer.config;
  if (!c.dyck) fail('measureDyck', 'trainer must train a Dyck task (runConfig({ dyck: { K, M } }))');
  checkObject('measureDyck', 'p', p);
  if (p.K !== c.dyck.K || p.M !== c.dyck.M || p.length !== c.length) fail('measureDyck', `p (K ${p.K}, M ${p.M}, length ${p.length}) does not match the trainer's task (K ${c.dyck.K}, M ${c.dyck.M}, length ${c.length})`);
  for (const k of ['batch', 'evalSequences', 'probeSequences'] as const) if (!Number.isInteger(p[k]) || p[k] < 1 || p[k] > 1e6) fail('measureDyck', `p.${k} must be an integer in [1, 1e6], got ${JSON.stringify(p[k])}`);
  const accuracy = [1, 2, 4].map((f) => {
    const L = f * p.length;
    const batches = evalBatches(taskOf(c, L), p.batch, Math.ceil(p.evalSequences / p.batch), c.seed);
    const e = evaluateModel(trainer.model, batches);
    let scored = 0;
    for (const b of batches) for (const y of b.labels) if (y >= 0) scored++;
    return { length: L, acc: wilson(Math.round(e.accuracy * scored), scored), sequence: e.accuracySequence };
  });
  const w = transformerWeights(trainer.model);
  const probes: Batch[] = evalBatches(taskOf(c, p.length), p.probeSequences, 1, (c.seed ^ PROBE_STREAM) >>> 0);
  const b = probes[0];
  const bal = emptyBalance();
  const st = emptyStack(w.config.layers, w.config.heads);
  let example: DyckCell['example'] | undefined;
  for (let s = 0; s < b.batch; s++) {
    const seq = Array.from(b.letters.subarray(s * b.length, (s + 1) * b.length));
    const tr = traceTransformer(w, seq);
    addBalance(bal, seq, p.K, tr.attention[0], tr.valueOut, tr.width);
    addStackDistance(st, seq, p.K, tr);
    if (!example) {
      const T = seq.length;
      example = {
        letters: seq,
        attention: tr.attention.map((heads) => Array.from({ length: T * T }, (_, k) => Math.round((1e4 * heads.reduce((a, A) => a + A[k], 0)) / heads.length) / 1e4)),
        tops: Array.from(stackTops(seq, p.K)),
      };
    }
  }
  return { accuracy, balance: balanceRatio(bal), stack: stackDistances(st), example: example! };
}

/** The stack distance of uniform causal attention (1/(i+1) on every key) on the probe sequences of `seed`. */
export function uniformStackDistance(p: DyckPreset, seed: number): number {
  checkObject('uniformStackDistance', 'p', p);
  const t = { kind: 'dyck' as const, K: p.K, M: p.M, length: p.length };
  const b = evalBatches(t, p.probeSequences, 1, (seed ^ PROBE_STREAM) >>> 0)[0];
  let sum = 0, n = 0;
  for (let s = 0; s < b.batch; s++) {
    const top = stackTops(b.letters.subarray(s * b.length, (s + 1) * b.length), p.K);
    top.forEach((j, i) => {
      if (j < 0) return;
      sum += 1 - 1 / (i + 1);
      n++;
    });
  }
  return n > 0 ? sum / n : NaN;
}

/** Trains every (variant, seed) and measures it; resumes from `out` when given. */
export async function runDyck(o: DyckOptions = {}): Promise<DyckResult> {
  const p = dyckPlan(o);
  const io = o.out !== undefined ? await cellStore(o.out) : undefined;
  const cells: DyckCell[] = [];
  for (const variant of p.variants)
    for (const seed of p.seeds) {
      const name = `${variant}-s${seed}`;
      const run = runConfig(runOptionsOf(p, variant, seed));
      const cached = io?.read(name, run, p);
      if (cached) {
        cells.push(cached);
        o.onCell?.(cached, true);
        continue;
      }
      const dir = io?.runDir(name);
      const trainer = dir && io!.hasCheckpoint(dir) ? await Trainer.load(dir) : new Trainer(run);
      try {
        if (JSON.stringify(trainer.config) !== JSON.stringify(run)) fail('runDyck', `${dir} holds a run of another configuration; use another --out`);
        const r = await trainer.train({ out: dir, onStep: (s) => o.onStep?.(name, s.step, s.steps, s.loss) });
        const cell: DyckCell = { variant, seed, run, trainSeconds: r.seconds, finalLoss: r.loss, ...measureDyck(trainer, p) };
        io?.write(name, cell, p);
        cells.push(cell);
        o.onCell?.(cell, false);
      } finally {
        trainer.dispose();
      }
    }
  // Controls: each variant at initialisation (seed of the first model, no step), and uniform causal
  // attention (what "attends everywhere" scores on the stack distance).
  const controls: DyckResult['controls'] = [];
  for (const variant of p.variants) {
    const t = new Trainer(runConfig(runOptionsOf(p, variant, p.seeds[0])));
    try {
      const m = measureDyck(t, p);
      controls.push({ variant, accuracy: m.accuracy, balance: m.balance, stack: m.stack });
    } finally {
      t.dispose();
    }
  }
  const lengths = [p.length, 2 * p.length, 4 * p.length];
  // Does a number read off the weights predict length generalisation? Balance first, the stack patterns as controls.
  const predictors: [string, number[]][] = [
    ['balance violation', cells.map((c) => c.balance)],
    ['layer-1 stack distance', cells.map((c) => c.stack[0].best)],
    ['layer-2 stack distance', cells.map((c) => c.stack[1]?.best ?? NaN)],
  ];
  // Models where a metric is undefined (NaN) drop out of that metric's correlation.
  const spearman = (x: number[], y: number[]) => {
    const keep = x.map((_, i) => i).filter((i) => Number.isFinite(x[i]) && Number.isFinite(y[i]));
    return keep.length < 3 ? NaN : spearmanRanks(keep.map((i) => x[i]), keep.map((i) => y[i])) ?? NaN;
  };
  const correlation = predictors.flatMap(([metric, x]) => [1, 2].map((k) => ({ metric, length: lengths[k], spearman: spearman(x, cells.map((c) => c.accuracy[k].acc.rate)), models: cells.length })));
  return { preset: o.preset ?? 'quick', K: p.K, M: p.M, length: p.length, lengths, backend: tf.getBackend(), interval: 'wilson-95', cells, controls, uniformStackDistance: uniformStackDistance(p, p.seeds[0]), correlation };
}

/** OUT/cells/<name>.json: a finished cell with the plan it belongs to (a cell of another plan is an error, not reused). */
async function cellStore(out: string) {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { writeFileAtomic, makeDir } = await import('../../io/atomic.js');
  const { CHECKPOINT_FILE } = await import('../checkpoint.js');
  makeDir(path.join(out, 'cells'));
  const key = (run: RunConfig, p: DyckPreset) => JSON.stringify({ run, evalSequences: p.evalSequences, probeSequences: p.probeSequences });
  return {
    runDir: (name: string) => path.join(out, 'runs', name),
    hasCheckpoint: (dir: string) => fs.existsSync(path.join(dir, CHECKPOINT_FILE)),
    read(name: string, run: RunConfig, p: DyckPreset): DyckCell | undefined {
      const f = path.join(out, 'cells', `${name}.json`);
      if (!fs.existsSync(f)) return undefined;
      let j: { key: string; cell: DyckCell };
      try {
        j = JSON.parse(fs.readFileSync(f, 'utf8'));
      } catch (e) {
        throw new Error(`${f} is not readable JSON (${(e as Error).message}); delete it to retrain that cell`);
      }
      if (j.key !== key(run, p)) throw new Error(`${f} was measured with other options; use another --out or the same options`);
      return j.cell;
    },
    write(name: string, cell: DyckCell, p: DyckPreset): void {
      writeFileAtomic(path.join(out, 'cells', `${name}.json`), JSON.stringify({ key: key(cell.run, p), cell }) + '\n', { force: true });
    },
  };
}

const pct = (x: number) => (100 * x).toFixed(2);
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');

/** A DyckResult as runDyck returns it (shape checked down to what the writers read). */
function checkResult(where: string, r: unknown): DyckResult {
  const o = checkObject(where, 'result', r) as unknown as DyckResult;
  if (!Number.isInteger(o.K) || o.K < 1 || o.K > 8) fail(where, `result.K must be an integer in [1, 8], got ${JSON.stringify(o.K)}`);
  checkArray(where, 'result.lengths', o.lengths, { exactly: 3 }).forEach((L, i) => void (Number.isInteger(L) || fail(where, `result.lengths[${i}] must be an integer, got ${JSON.stringify(L)}`)));
  checkArray(where, 'result.correlation', o.correlation).forEach((x, i) => void checkObject(where, `result.correlation[${i}]`, x));
  if (o.controls !== undefined)
    checkArray(where, 'result.controls', o.controls).forEach((x, i) => {
      const c = checkObject(where, `result.controls[${i}]`, x);
      checkArray(where, `result.controls[${i}].accuracy`, c.accuracy, { exactly: 3 }).forEach((a, k) => void checkObject(where, `result.controls[${i}].accuracy[${k}].acc`, checkObject(where, `result.controls[${i}].accuracy[${k}]`, a).acc));
      checkArray(where, `result.controls[${i}].stack`, c.stack).forEach((s, k) => void checkObject(where, `result.controls[${i}].stack[${k}]`, s));
    });
  checkArray(where, 'result.cells', o.cells).forEach((x, i) => {
    const c = checkObject(where, `result.cells[${i}]`, x);
    checkArray(where, `result.cells[${i}].accuracy`, c.accuracy, { exactly: 3 }).forEach((a, k) => void checkObject(where, `result.cells[${i}].accuracy[${k}].acc`, checkObject(where, `result.cells[${i}].accuracy[${k}]`, a).acc));
    checkArray(where, `result.cells[${i}].stack`, c.stack).forEach((s, k) => void checkObject(where, `result.cells[${i}].stack[${k}]`, s));
    const e = checkObject(where, `result.cells[${i}].example`, c.example);
    checkArray(where, `result.cells[${i}].example.letters`, e.letters);
    checkArray(where, `result.cells[${i}].example.tops`, e.tops);
    checkArray(where, `result.cells[${i}].example.attention`, e.attention).forEach((a, k) => void checkArray(where, `result.cells[${i}].example.attention[${k}]`, a));
    if (typeof c.trainSeconds !== 'number' || typeof c.balance !== 'number' && c.balance !== null) fail(where, `result.cells[${i}] must have numeric trainSeconds and balance`);
  });
  return o;
}

/** The result as Markdown: one row per trained model, then the correlation. */
export function dyckMarkdown(r: DyckResult): string {
  checkResult('dyckMarkdown', r);
  const [n, n2, n4] = r.lengths;
  const lines = [
    `# Bounded Dyck: Dyck_{${r.K},${r.M}}, trained at n = ${n}, preset ${r.preset}, backend ${r.backend}`,
    '',
    'Accuracy: the forced closing bracket at every position where one closes next (Wilson 95%). Balance: first-layer',
    'balance violation (0 = every matched pair adds the same vector per unit of attention, 1 = the pairs never cancel;',
    'docs/dyck.md). Stack distance: mean 1 − attention on the top-of-stack open bracket, for the most stack-like head',
    'of the layer (and the head mean); 0 = stack-like.',
    '',
    `| variant | seed | acc n = ${n} | acc 2n = ${n2} | acc 4n = ${n4} | balance violation | layer-1 stack distance best (mean) | layer-2 stack distance best (mean) | train s |`,
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const acc = (p: Proportion) => `${pct(p.rate)} [${pct(p.lo)}, ${pct(p.hi)}]`;
  for (const c of r.cells) {
    const s = c.stack.map((x) => `${f3(x.best)} (${f3(x.mean)})`);
    lines.push(`| ${c.variant} | ${c.seed} | ${acc(c.accuracy[0].acc)} | ${acc(c.accuracy[1].acc)} | ${acc(c.accuracy[2].acc)} | ${f3(c.balance)} | ${s[0]} | ${s[1] ?? ''} | ${c.trainSeconds.toFixed(0)} |`);
  }
  // Per variant: the mean and the range over its seeds (the spread is the point: many solutions).
  const variants = [...new Set(r.cells.map((c) => c.variant))];
  const span = (xs: number[], f: (x: number) => string) => {
    const ok = xs.filter((x) => typeof x === 'number' && Number.isFinite(x));
    if (ok.length === 0) return 'n/a';
    const m = ok.reduce((a, b) => a + b, 0) / ok.length;
    return ok.length === 1 ? f(m) : `${f(m)} (${f(Math.min(...ok))}–${f(Math.max(...ok))})`;
  };
  lines.push('', `| variant | seeds | acc n, mean (min–max) | acc 2n | acc 4n | balance violation | layer-1 stack distance (best head) | layer-2 stack distance (best head) |`, '|---|---|---|---|---|---|---|---|');
  for (const v of variants) {
    const cs = r.cells.filter((c) => c.variant === v);
    const acc = (k: number) => span(cs.map((c) => c.accuracy[k].acc.rate), pct);
    lines.push(`| ${v} | ${cs.length} | ${acc(0)} | ${acc(1)} | ${acc(2)} | ${span(cs.map((c) => c.balance), f3)} | ${span(cs.map((c) => c.stack[0]?.best), f3)} | ${span(cs.map((c) => c.stack[1]?.best), f3)} |`);
  }
  if (Array.isArray(r.controls) && r.controls.length) {
    lines.push('', `Controls: each variant untrained (initial weights of the first seed), and uniform causal attention (stack distance ${f3(r.uniformStackDistance)}).`, '');
    lines.push(`| untrained variant | acc n | acc 2n | acc 4n | balance violation | layer-1 stack distance best (mean) | layer-2 stack distance best (mean) |`, '|---|---|---|---|---|---|---|');
    for (const c of r.controls) {
      const s = c.stack.map((x) => `${f3(x.best)} (${f3(x.mean)})`);
      lines.push(`| ${c.variant} | ${pct(c.accuracy[0].acc.rate)} | ${pct(c.accuracy[1].acc.rate)} | ${pct(c.accuracy[2].acc.rate)} | ${f3(c.balance)} | ${s[0]} | ${s[1] ?? ''} |`);
    }
  }
  lines.push('', '| Spearman ρ across all models: metric vs. accuracy | at 2n | at 4n | models |', '|---|---|---|---|');
  for (const m of [...new Set(r.correlation.map((c) => c.metric))]) {
    const at = (L: number) => f3(r.correlation.find((c) => c.metric === m && c.length === L)?.spearman ?? NaN);
    lines.push(`| ${m} | ${at(n2)} | ${at(n4)} | ${r.correlation.find((c) => c.metric === m)?.models ?? 0} |`);
  }
  return lines.join('\n') + '\n';
}

/** One CSV row per trained model. */
export function dyckCsv(r: DyckResult): string {
  checkResult('dyckCsv', r);
  const head = 'variant,seed,' + r.lengths.map((L) => `acc_${L},acc_${L}_lo,acc_${L}_hi,seq_acc_${L}`).join(',') + ',balance_violation,' + ['l1', 'l2'].map((l) => `${l}_stack_best,${l}_stack_mean`).join(',') + ',train_seconds,final_loss';
  const rows = r.cells.map((c) => [c.variant, c.seed, ...c.accuracy.flatMap((a) => [a.acc.rate, a.acc.lo, a.acc.hi, a.sequence]), c.balance, ...c.stack.flatMap((s) => [s.best, s.mean]), c.trainSeconds.toFixed(1), c.finalLoss].join(','));
  return [head, ...rows].join('\n') + '\n';
}

/** Head-mean attention of both layers on each model's first probe sequence; the stack-like target outlined in red. */
export function dyckSvg(r: DyckResult): string {
  checkResult('dyckSvg', r);
  if (r.cells.length === 0) fail('dyckSvg', 'result has no cells');
  const maps: Heatmap[] = [];
  for (const c of r.cells) {
    const T = c.example.letters.length;
    const marks = c.example.tops.flatMap((j, i) => (j >= 0 ? [[i, j] as [number, number]] : []));
    const labels = c.example.letters.map((a) => (a < r.K ? '([{<'[a % 4] : ')]}>'[(a - r.K) % 4]));
    c.example.attention.forEach((A, l) => maps.push({ title: `${c.variant} s${c.seed} L${l + 1} bal ${f3(c.balance)}`, size: T, values: A, marks, labels }));
  }
  return heatmapGridSvg(maps, { title: `Dyck_{${r.K},${r.M}} attention (head mean; red = top of stack), n = ${r.length}`, columns: 2 * Math.min(4, r.cells.length), cell: 5 });
}
