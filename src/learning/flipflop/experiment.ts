/**
 * The flip-flop glitch experiment (Liu, Ash, Goel, Krishnamurthy, Zhang 2023, §3–4): train each
 * model on FFL(0.8) with the ordinary Trainer, then evaluate it on the paper's three test sets,
 * in distribution (p_i = 0.8), the sparse tail (p_i = 0.98: long gaps between writes and reads)
 * and the dense tail (p_i = 0.1), counting glitches (wrong reads) over many fresh sequences.
 *
 * Evaluation is streamed: one batch is sampled, run forward, reduced to argmax on the wasm heap
 * and counted before the next is drawn, so memory stays one batch whatever the number of reads.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../random/prng.js';
import { sampleFflBatch, validateFfl } from '../data.js';
import { MODEL_KINDS, type ModelKind, type SequenceModel } from '../models/index.js';
import { runConfig, Trainer, type RunOptions } from '../train.js';
import { checkArray, checkOptions } from '../../validate/index.js';
import { countGlitches, emptyCounts, wilson, type GlitchCounts, type Proportion } from './glitches.js';

/** The paper's test sets: name and p_i. */
export const FLIPFLOP_TESTS = [
  { name: 'in-distribution', pI: 0.8 },
  { name: 'sparse', pI: 0.98 },
  { name: 'dense', pI: 0.1 },
] as const;

export interface FlipflopModelSpec {
  kind: ModelKind;
  layers: number;
  width: number;
  /** Transformer only. */
  heads?: number;
  steps: number;
  lr: number;
}

export interface FlipflopPreset {
  /** Sequence length T (tokens; even). */
  length: number;
  /** Training batch. */
  batch: number;
  /** Reads to evaluate per (model, test set) at least. */
  reads: number;
  /** Sequences per evaluation batch. */
  evalBatch: number;
  models: Record<string, FlipflopModelSpec>;
}

/**
 * quick: small models at T = 64, minutes on one core; paper: the paper's length 512, a 6-layer
 * 512-wide 8-head Transformer and a 1-layer 128-wide LSTM (its §4 baselines), 10⁴ steps.
 */
export const FLIPFLOP_PRESETS: Record<'quick' | 'paper', FlipflopPreset> = {
  quick: {
    length: 64,
    batch: 32,
    reads: 100_000,
    evalBatch: 256,
    models: {
      transformer: { kind: 'transformer', layers: 2, width: 32, heads: 2, steps: 2000, lr: 3e-3 },
      lstm: { kind: 'lstm', layers: 1, width: 32, steps: 2000, lr: 3e-3 },
    },
  },
  paper: {
    length: 512,
    batch: 16,
    reads: 1_000_000,
    evalBatch: 64,
    models: {
      transformer: { kind: 'transformer', layers: 6, width: 512, heads: 8, steps: 10_000, lr: 3e-4 },
      lstm: { kind: 'lstm', layers: 1, width: 128, steps: 10_000, lr: 1e-3 },
    },
  },
};

export interface FlipflopOptions {
  preset?: 'quick' | 'paper';
  /** Model kinds, default ['transformer', 'lstm']. */
  models?: ModelKind[];
  /** Overrides of the preset. */
  length?: number;
  steps?: number;
  layers?: number;
  width?: number;
  heads?: number;
  lr?: number;
  reads?: number;
  evalBatch?: number;
  /** Training p_i (default 0.8, the paper's). */
  trainPI?: number;
  /** Test p_i values (default the paper's three). */
  tests?: { name: string; pI: number }[];
  seed?: number;
  onStep?: (model: string, step: number, steps: number, loss: number) => void;
  onEvalBatch?: (model: string, test: string, reads: number, target: number) => void;
}

export interface FlipflopCell {
  model: string;
  test: string;
  pI: number;
  /** Glitches per read, Wilson 95%. */
  readError: Proportion;
  /** Sequences with at least one glitch, Wilson 95%. */
  sequenceError: Proportion;
  counts: GlitchCounts;
  /** Evaluation throughput: reads and tokens per second (forward, argmax, counting, sampling). */
  readsPerSecond: number;
  tokensPerSecond: number;
  seconds: number;
}

export interface FlipflopResult {
  preset: string;
  length: number;
  trainPI: number;
  seed: number;
  backend: string;
  interval: 'wilson-95';
  models: { model: string; config: FlipflopModelSpec; trainSeconds: number; finalLoss: number; heldOutAccuracy: number }[];
  cells: FlipflopCell[];
}

const TEST_STREAM = 0xf11f;

/** Validates the options (errors name the field and the value) and fills the preset. */
export function flipflopPlan(o: FlipflopOptions): { preset: FlipflopPreset; models: ModelKind[]; tests: { name: string; pI: number }[]; trainPI: number; seed: number } {
  o = checkOptions('flipflopPlan', o) as FlipflopOptions; // undefined = all defaults
  const name = o.preset ?? 'quick';
  const base = FLIPFLOP_PRESETS[name];
  if (!base) throw new Error(`preset must be quick or paper, got ${JSON.stringify(name)}`);
  const models = o.models ?? ['transformer', 'lstm'];
  if (models.length === 0) throw new Error('models: give at least one');
  for (const m of models) if (!MODEL_KINDS.includes(m)) throw new Error(`model must be one of ${MODEL_KINDS.join(', ')}, got ${JSON.stringify(m)}`);
  const trainPI = o.trainPI ?? 0.8;
  const tests = o.tests ?? FLIPFLOP_TESTS.map((t) => ({ ...t }));
  for (const p of [trainPI, ...tests.map((t) => t.pI)]) if (!(p >= 0 && p < 1)) throw new Error(`p_i must be in [0, 1), got ${p}`);
  const preset: FlipflopPreset = {
    ...base,
    length: o.length ?? base.length,
    reads: o.reads ?? base.reads,
    evalBatch: o.evalBatch ?? base.evalBatch,
    models: Object.fromEntries(
      models.map((m) => {
        const spec = base.models[m] ?? { ...base.models.lstm, kind: m };
        return [m, { ...spec, kind: m, steps: o.steps ?? spec.steps, layers: o.layers ?? spec.layers, width: o.width ?? spec.width, lr: o.lr ?? spec.lr, ...(m === 'transformer' ? { heads: o.heads ?? spec.heads } : {}) }];
      }),
    ),
  };
  validateFfl({ kind: 'ffl', pI: trainPI, length: preset.length });
  if (!Number.isInteger(preset.reads) || preset.reads < 1 || preset.reads > 1e9) throw new Error(`reads must be an integer in [1, 1e9], got ${preset.reads}`);
  if (!Number.isInteger(preset.evalBatch) || preset.evalBatch < 1 || preset.evalBatch > 4096) throw new Error(`evalBatch must be an integer in [1, 4096], got ${preset.evalBatch}`);
  const seed = o.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`seed must be an integer in [0, 2^32), got ${seed}`);
  // The trainer's own validation (width divisible by heads, sizes), before any work starts.
  for (const m of models) runConfig(runOptionsOf(preset, preset.models[m], trainPI, seed));
  return { preset, models, tests, trainPI, seed };
}

function runOptionsOf(preset: FlipflopPreset, spec: FlipflopModelSpec, trainPI: number, seed: number): RunOptions {
  return { ffl: { pI: trainPI }, model: spec.kind, length: preset.length, batch: preset.batch, seed, steps: spec.steps, layers: spec.layers, width: spec.width, lr: spec.lr, evalEvery: Math.max(1, spec.steps), ...(spec.heads ? { heads: spec.heads } : {}) };
}

/**
 * Streams fresh FFL(p_i) batches through `model` until at least `reads` reads are scored,
 * counting glitches. Batches come from a stream seeded by (seed, test index), disjoint from the
 * training stream, so every test set is the same for every model.
 */
export function evaluateGlitches(model: SequenceModel, pI: number, length: number, reads: number, evalBatch: number, seed: number, testIndex: number, onBatch?: (reads: number) => void): { counts: GlitchCounts; seconds: number } {
  validateFfl({ kind: 'ffl', pI, length });
  const task = { kind: 'ffl' as const, pI, length };
  const counts = emptyCounts();
  const rng = new Rng((seed ^ TEST_STREAM) >>> 0).fork(testIndex);
  const t0 = performance.now();
  while (counts.reads < reads) {
    const b = sampleFflBatch(task, evalBatch, new Rng(rng.nextU32()));
    const predicted = tf.tidy(() => {
      const logits = model.forward(tf.tensor2d(b.letters, [b.batch, b.length], 'int32'));
      return tf.argMax(logits, -1).dataSync() as Int32Array;
    });
    countGlitches(counts, predicted, b.labels, b.batch, b.length);
    onBatch?.(counts.reads);
  }
  return { counts, seconds: (performance.now() - t0) / 1000 };
}

/** Trains each model on FFL(trainPI) and measures its glitches on every test set. */
export async function runFlipflop(o: FlipflopOptions = {}): Promise<FlipflopResult> {
  const { preset, models, tests, trainPI, seed } = flipflopPlan(o);
  const out: FlipflopResult = { preset: o.preset ?? 'quick', length: preset.length, trainPI, seed, backend: tf.getBackend(), interval: 'wilson-95', models: [], cells: [] };
  for (const m of models) {
    const spec = preset.models[m];
    const trainer = new Trainer(runConfig(runOptionsOf(preset, spec, trainPI, seed)));
    try {
      const r = await trainer.train({ onStep: (s) => o.onStep?.(m, s.step, s.steps, s.loss) });
      out.models.push({ model: m, config: spec, trainSeconds: r.seconds, finalLoss: r.loss, heldOutAccuracy: r.accuracy });
      tests.forEach((t, i) => {
        const { counts, seconds } = evaluateGlitches(trainer.model, t.pI, preset.length, preset.reads, preset.evalBatch, seed, i, (n) => o.onEvalBatch?.(m, t.name, n, preset.reads));
        out.cells.push({
          model: m,
          test: t.name,
          pI: t.pI,
          readError: wilson(counts.errors, counts.reads),
          sequenceError: wilson(counts.sequencesWithError, counts.sequences),
          counts,
          readsPerSecond: counts.reads / Math.max(1e-9, seconds),
          tokensPerSecond: (counts.sequences * preset.length) / Math.max(1e-9, seconds),
          seconds,
        });
      });
    } finally {
      trainer.dispose();
    }
  }
  return out;
}

function fmtRate(p: Proportion): string {
  const f = (x: number) => (x === 0 ? '0' : x.toExponential(2));
  return `${f(p.rate)} [${f(p.lo)}, ${f(p.hi)}]`;
}

/** A FlipflopResult as runFlipflop returns it: an object with cells and models. */
function checkResult(where: string, r: unknown): void {
  const o = checkOptions(where, r, 'result');
  checkArray(where, 'result.cells', o.cells);
  checkArray(where, 'result.models', o.models);
}

/** The result as a Markdown table (one row per model and test set). */
export function flipflopMarkdown(r: FlipflopResult): string {
  checkResult('flipflopMarkdown', r);
  const lines = [
    `# Flip-flop glitches: trained on FFL(${r.trainPI}), T = ${r.length}, preset ${r.preset}, seed ${r.seed}, backend ${r.backend}`,
    '',
    'Glitch = a read (the bit after r) answered wrongly. Intervals: Wilson score, 95%.',
    '',
    '| model | test set | p_i | reads | glitches | error per read [95% CI] | sequences | with ≥ 1 glitch | fraction [95% CI] | eval reads/s |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of r.cells) {
    lines.push(`| ${c.model} | ${c.test} | ${c.pI} | ${c.counts.reads} | ${c.counts.errors} | ${fmtRate(c.readError)} | ${c.counts.sequences} | ${c.counts.sequencesWithError} | ${fmtRate(c.sequenceError)} | ${Math.round(c.readsPerSecond)} |`);
  }
  lines.push('', '| model | layers | width | steps | train seconds | final held-out accuracy (p_i = ' + r.trainPI + ') |', '|---|---|---|---|---|---|');
  for (const m of r.models) lines.push(`| ${m.model} | ${m.config.layers} | ${m.config.width} | ${m.config.steps} | ${m.trainSeconds.toFixed(1)} | ${m.heldOutAccuracy.toFixed(6)} |`);
  return lines.join('\n') + '\n';
}

/** The cells as CSV. */
export function flipflopCsv(r: FlipflopResult): string {
  checkResult('flipflopCsv', r);
  const head = 'model,test,p_i,reads,errors,read_error,read_error_lo,read_error_hi,sequences,sequences_with_error,sequence_error,sequence_error_lo,sequence_error_hi,reads_per_second';
  const rows = r.cells.map((c) =>
    [c.model, c.test, c.pI, c.counts.reads, c.counts.errors, c.readError.rate, c.readError.lo, c.readError.hi, c.counts.sequences, c.counts.sequencesWithError, c.sequenceError.rate, c.sequenceError.lo, c.sequenceError.hi, c.readsPerSecond.toFixed(1)].join(','),
  );
  return [head, ...rows].join('\n') + '\n';
}
