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
import { estimateMemory, fittingMicroBatch } from '../memory.js';
import { nodeIo, readCheckpointFile } from '../checkpoint.js';
import { checkArray, checkInteger, checkOptions, show } from '../../validate/index.js';
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
  /** Decoupled AdamW weight decay of the baseline (mitigation `wd` raises it). */
  weightDecay: number;
}

/**
 * The mitigations of Liu et al. 2023 §5 measured beside the baseline (Transformer only; an RNN
 * row is its baseline): `dropout` = residual dropout (embeddings, attention and MLP outputs) and
 * dropout on the attention probabilities, both at `dropout`; `wd` = AdamW weight decay `weightDecay`;
 * `entropy` = the attention-sharpening regulariser, λ · mean attention-row entropy added to the loss.
 */
export const FLIPFLOP_MITIGATIONS = ['baseline', 'dropout', 'wd', 'entropy'] as const;
export type FlipflopMitigation = (typeof FLIPFLOP_MITIGATIONS)[number];

/** Strengths of the mitigations. */
export interface MitigationStrengths {
  dropout: number;
  weightDecay: number;
  entropy: number;
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
  /** Which mitigations (Transformer rows) the preset measures, and how strong. */
  mitigations: FlipflopMitigation[];
  strengths: MitigationStrengths;
}

/**
 * quick: chosen by the pilots in bench/results/flipflop-pilots (a Transformer that reaches high
 * in-distribution accuracy at T = 64 within minutes on one core); paper: the paper's length 512,
 * a 6-layer 512-wide 8-head Transformer and a 1-layer 128-wide LSTM (its §4 baselines), 10⁴ steps.
 */
export const FLIPFLOP_PRESETS: Record<'quick' | 'paper', FlipflopPreset> = {
  quick: {
    length: 64,
    batch: 32,
    reads: 100_000,
    evalBatch: 256,
    models: {
      transformer: { kind: 'transformer', layers: 2, width: 64, heads: 4, steps: 4000, lr: 1e-3, weightDecay: 0.01 },
      lstm: { kind: 'lstm', layers: 1, width: 32, steps: 600, lr: 3e-3, weightDecay: 0.01 },
    },
    mitigations: ['baseline', 'wd', 'entropy', 'dropout'],
    strengths: { dropout: 0.1, weightDecay: 0.1, entropy: 0.01 },
  },
  paper: {
    length: 512,
    batch: 16,
    reads: 1_000_000,
    // Forward activations of 16 × 512 tokens through 6 × 512 (≈ 1.9 GB estimated); 64 would not fit.
    evalBatch: 16,
    models: {
      transformer: { kind: 'transformer', layers: 6, width: 512, heads: 8, steps: 10_000, lr: 3e-4, weightDecay: 0.01 },
      lstm: { kind: 'lstm', layers: 1, width: 128, steps: 10_000, lr: 1e-3, weightDecay: 0.01 },
    },
    mitigations: ['baseline', 'wd', 'entropy', 'dropout'],
    strengths: { dropout: 0.1, weightDecay: 0.1, entropy: 0.01 },
  },
};

export interface FlipflopOptions {
  preset?: 'quick' | 'paper';
  /** Model kinds, default ['transformer', 'lstm']. */
  models?: ModelKind[];
  /** Transformer rows to measure (default: the preset's, all four). */
  mitigations?: FlipflopMitigation[];
  /** Override the preset's mitigation strengths. */
  dropout?: number;
  weightDecay?: number;
  entropy?: number;
  /** Overrides of the preset. */
  length?: number;
  batch?: number;
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
  /**
   * Run directory (Node): each row trains in OUT/<row>/ (checkpoint.tbck, log.jsonl, resumable)
   * and its measured cells are stored in OUT/<row>/cells.json (with a SHA-256), so a killed run
   * continues where it stopped when called again with `resume`.
   */
  out?: string;
  /** Continue the rows already in `out` (their settings must match); without it (or `force`) `out` must hold no rows. */
  resume?: boolean;
  /** Retrain every row in `out` from scratch, replacing what is there. */
  force?: boolean;
  /** Steps between a row's checkpoints (default 250): what a killed run can lose. */
  checkpointEvery?: number;
  /**
   * Gradient accumulation: sequences per micro-batch (RunConfig.microBatch), or 'auto' (the
   * default): the whole batch when its memory estimate fits the wasm heap, else the largest divisor
   * of the batch that fits (the paper preset's rows at T = 512).
   */
  microBatch?: number | 'auto';
  onStep?: (model: string, step: number, steps: number, loss: number) => void;
  onEvalBatch?: (model: string, test: string, reads: number, target: number) => void;
  /** A row finished (or was read back from `out`). */
  onRow?: (row: string, resumed: boolean) => void;
}

export interface FlipflopCell {
  /** The row: model kind, with `+mitigation` for Transformer mitigations (e.g. transformer+dropout). */
  model: string;
  mitigation: FlipflopMitigation;
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

export interface FlipflopRowInfo {
  model: string;
  mitigation: FlipflopMitigation;
  config: FlipflopModelSpec;
  /** The trainer's run options of this row (what its checkpoint holds). */
  run: RunOptions;
  trainSeconds: number;
  /** CPU seconds (user + system, all threads of the process) of the training and of the evaluation. */
  trainCpuSeconds?: number;
  evalCpuSeconds?: number;
  finalLoss: number;
  heldOutAccuracy: number;
}

export interface FlipflopResult {
  preset: string;
  length: number;
  trainPI: number;
  seed: number;
  backend: string;
  interval: 'wilson-95';
  strengths: MitigationStrengths;
  models: FlipflopRowInfo[];
  cells: FlipflopCell[];
}

/** One row of the table: a model kind under one mitigation. */
export interface FlipflopRow {
  id: string;
  kind: ModelKind;
  mitigation: FlipflopMitigation;
  spec: FlipflopModelSpec;
  run: RunOptions;
}

export interface FlipflopPlan {
  preset: FlipflopPreset;
  models: ModelKind[];
  tests: { name: string; pI: number }[];
  trainPI: number;
  seed: number;
  rows: FlipflopRow[];
}

const TEST_STREAM = 0xf11f;

function checkStrength(name: string, v: number, max: number): number {
  if (typeof v !== 'number' || !(v >= 0 && v < max)) throw new Error(`${name} must be a number in [0, ${max}), got ${v}`);
  return v;
}

/** Validates the options (errors name the field and the value) and fills the preset. */
export function flipflopPlan(o: FlipflopOptions): FlipflopPlan {
  o = checkOptions('flipflopPlan', o) as FlipflopOptions; // undefined = all defaults
  const name = o.preset ?? 'quick';
  const base = FLIPFLOP_PRESETS[name];
  if (!base) throw new Error(`preset must be quick or paper, got ${JSON.stringify(name)}`);
  const models = o.models ?? ['transformer', 'lstm'];
  if (!Array.isArray(models) || models.length === 0) throw new Error('models: give at least one');
  for (const m of models) if (!MODEL_KINDS.includes(m)) throw new Error(`model must be one of ${MODEL_KINDS.join(', ')}, got ${JSON.stringify(m)}`);
  const mitigations = o.mitigations ?? base.mitigations;
  if (!Array.isArray(mitigations) || mitigations.length === 0) throw new Error('mitigations: give at least one');
  for (const m of mitigations) if (!FLIPFLOP_MITIGATIONS.includes(m)) throw new Error(`mitigation must be one of ${FLIPFLOP_MITIGATIONS.join(', ')}, got ${JSON.stringify(m)}`);
  if (new Set(mitigations).size !== mitigations.length) throw new Error(`mitigations: each at most once, got ${mitigations.join(',')}`);
  const strengths: MitigationStrengths = {
    dropout: checkStrength('dropout', o.dropout ?? base.strengths.dropout, 1),
    weightDecay: checkStrength('weightDecay', o.weightDecay ?? base.strengths.weightDecay, 100),
    entropy: checkStrength('entropy', o.entropy ?? base.strengths.entropy, 100),
  };
  const trainPI = o.trainPI ?? 0.8;
  const tests = o.tests ?? FLIPFLOP_TESTS.map((t) => ({ ...t }));
  for (const p of [trainPI, ...tests.map((t) => t.pI)]) if (!(p >= 0 && p < 1)) throw new Error(`p_i must be in [0, 1), got ${p}`);
  const preset: FlipflopPreset = {
    ...base,
    length: o.length ?? base.length,
    batch: o.batch ?? base.batch,
    reads: o.reads ?? base.reads,
    evalBatch: o.evalBatch ?? base.evalBatch,
    mitigations,
    strengths,
    models: Object.fromEntries(
      models.map((m) => {
        const spec = base.models[m] ?? { ...base.models.lstm, kind: m };
        return [m, { ...spec, kind: m, steps: o.steps ?? spec.steps, layers: o.layers ?? spec.layers, width: o.width ?? spec.width, lr: o.lr ?? spec.lr, ...(m === 'transformer' ? { heads: o.heads ?? spec.heads } : {}) }];
      }),
    ),
  };
  validateFfl({ kind: 'ffl', pI: trainPI, length: preset.length });
  if (!Number.isInteger(preset.batch) || preset.batch < 1 || preset.batch > 4096) throw new Error(`batch must be an integer in [1, 4096], got ${preset.batch}`);
  if (!Number.isInteger(preset.reads) || preset.reads < 1 || preset.reads > 1e9) throw new Error(`reads must be an integer in [1, 1e9], got ${preset.reads}`);
  if (!Number.isInteger(preset.evalBatch) || preset.evalBatch < 1 || preset.evalBatch > 4096) throw new Error(`evalBatch must be an integer in [1, 4096], got ${preset.evalBatch}`);
  const checkpointEvery = o.checkpointEvery ?? 250;
  if (!Number.isInteger(checkpointEvery) || checkpointEvery < 1 || checkpointEvery > 1e7) throw new Error(`checkpointEvery must be an integer in [1, 1e7], got ${checkpointEvery}`);
  const seed = o.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`seed must be an integer in [0, 2^32), got ${seed}`);
  // Every model's baseline first, then the Transformer's mitigations: a run cut short still has
  // the paper's main comparison.
  const rows: FlipflopRow[] = [];
  const order = [...models.map((m) => [m, 'baseline'] as const), ...(models.includes('transformer') ? mitigations.filter((x) => x !== 'baseline').map((x) => ['transformer', x] as const) : [])];
  for (const [m, mit] of order) {
    if (m === 'transformer' && mit === 'baseline' && !mitigations.includes('baseline')) continue;
    const spec = preset.models[m];
    const run = withMicroBatch(runOptionsOf(preset, spec, trainPI, seed, mit, checkpointEvery), o.microBatch ?? 'auto');
    // The trainer's own validation (width divisible by heads, sizes), before any work starts.
    runConfig(run);
    rows.push({ id: mit === 'baseline' ? m : `${m}+${mit}`, kind: m, mitigation: mit, spec, run });
  }
  return { preset, models, tests, trainPI, seed, rows };
}

/** Sets run.microBatch from the option (kept out of the run when it is the whole batch). */
function withMicroBatch(run: RunOptions, micro: number | 'auto'): RunOptions {
  const batch = run.batch!;
  let m: number;
  if (micro === 'auto') m = fittingMicroBatch(runConfig(run)) ?? 1; // none fits: the smallest, for the refusal's estimate
  else if (!Number.isInteger(micro) || micro < 1 || micro > batch) throw new Error(`microBatch must be 'auto' or an integer in [1, batch = ${batch}], got ${micro}`);
  else m = micro;
  return m < batch ? { ...run, microBatch: m } : run;
}

function runOptionsOf(preset: FlipflopPreset, spec: FlipflopModelSpec, trainPI: number, seed: number, mitigation: FlipflopMitigation, checkpointEvery: number): RunOptions {
  const s = preset.strengths;
  return {
    ffl: { pI: trainPI },
    model: spec.kind,
    length: preset.length,
    batch: preset.batch,
    seed,
    steps: spec.steps,
    layers: spec.layers,
    width: spec.width,
    lr: spec.lr,
    weightDecay: mitigation === 'wd' ? s.weightDecay : spec.weightDecay,
    evalEvery: Math.max(1, spec.steps),
    checkpointEvery,
    ...(spec.heads ? { heads: spec.heads } : {}),
    ...(mitigation === 'dropout' ? { dropout: s.dropout, attnDropout: s.dropout } : {}),
    ...(mitigation === 'entropy' ? { attnEntropy: s.entropy } : {}),
  };
}

/** The stream of evaluation batches of test set `testIndex`: the same for every model. */
export function testBatchRng(seed: number, testIndex: number): Rng {
  checkInteger('testBatchRng', 'seed', seed, 0, 0xffffffff);
  checkInteger('testBatchRng', 'testIndex', testIndex, 0, 1 << 20);
  return new Rng((seed ^ TEST_STREAM) >>> 0).fork(testIndex);
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
  const rng = testBatchRng(seed, testIndex);
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

/** What a finished row leaves in OUT/<row>/cells.json. */
interface StoredRow {
  format: 'testbeds-flipflop-row';
  version: 1;
  info: FlipflopRowInfo;
  tests: { name: string; pI: number }[];
  reads: number;
  evalBatch: number;
  cells: FlipflopCell[];
}

const ROW_FILE = 'cells.json';

async function sha256(text: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(text).digest('hex');
}

/** Reads OUT/<row>/cells.json back, checking its hash and that it was made with these settings. */
async function readStoredRow(dir: string, want: Omit<StoredRow, 'info' | 'cells' | 'format' | 'version'> & { run: RunOptions }): Promise<StoredRow | undefined> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const file = path.join(dir, ROW_FILE);
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, 'utf8');
  let doc: { sha256?: string; row?: StoredRow };
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON (a damaged run directory: delete it or use --force)`);
  }
  if (!doc.row || doc.sha256 !== (await sha256(JSON.stringify(doc.row)))) throw new Error(`${file} fails its SHA-256 check (damaged: delete it to re-measure the row)`);
  const r = doc.row;
  const same = JSON.stringify(r.info.run) === JSON.stringify(want.run) && JSON.stringify(r.tests) === JSON.stringify(want.tests) && r.reads === want.reads && r.evalBatch === want.evalBatch;
  if (!same) throw new Error(`${file} was measured with other settings (run, tests or reads differ): use another --out, or --force to start over`);
  return r;
}

/** This process's CPU time (Node; undefined in browsers). */
function cpuNow(): { user: number; system: number } | undefined {
  return typeof process !== 'undefined' && typeof process.cpuUsage === 'function' ? process.cpuUsage() : undefined;
}

function cpuSeconds(a: { user: number; system: number }, b: { user: number; system: number }): number {
  return (b.user - a.user + b.system - a.system) / 1e6;
}

/** Trains (or resumes) one row and measures its glitches on every test set. */
async function runRow(plan: FlipflopPlan, row: FlipflopRow, o: FlipflopOptions): Promise<{ info: FlipflopRowInfo; cells: FlipflopCell[]; resumed: boolean }> {
  const { preset, tests, seed } = plan;
  const path = o.out !== undefined ? await import('node:path') : undefined;
  const dir = o.out !== undefined ? path!.join(o.out, row.id) : undefined;
  if (dir !== undefined && o.resume) {
    const stored = await readStoredRow(dir, { run: row.run, tests, reads: preset.reads, evalBatch: preset.evalBatch });
    if (stored) return { info: stored.info, cells: stored.cells, resumed: true };
  }
  let trainer: Trainer;
  const fs = dir !== undefined ? await import('node:fs') : undefined;
  if (dir !== undefined && o.resume && fs!.existsSync(path!.join(dir, 'checkpoint.tbck'))) {
    trainer = Trainer.fromCheckpoint(await readCheckpointFile(dir), path!.join(dir, 'checkpoint.tbck'));
    if (JSON.stringify(trainer.config) !== JSON.stringify(runConfig(row.run))) {
      trainer.dispose();
      throw new Error(`${dir}/checkpoint.tbck was trained with other settings: use another --out, or --force to start over`);
    }
  } else {
    trainer = new Trainer(runConfig(row.run));
  }
  try {
    const cpu0 = cpuNow();
    const r = await trainer.train({ out: dir, onStep: (s) => o.onStep?.(row.id, s.step, s.steps, s.loss) });
    const cpu1 = cpuNow();
    const info: FlipflopRowInfo = { model: row.id, mitigation: row.mitigation, config: row.spec, run: row.run, trainSeconds: r.seconds, finalLoss: r.loss, heldOutAccuracy: r.accuracy };
    const cells: FlipflopCell[] = tests.map((t, i) => {
      const { counts, seconds } = evaluateGlitches(trainer.model, t.pI, preset.length, preset.reads, preset.evalBatch, seed, i, (n) => o.onEvalBatch?.(row.id, t.name, n, preset.reads));
      return {
        model: row.id,
        mitigation: row.mitigation,
        test: t.name,
        pI: t.pI,
        readError: wilson(counts.errors, counts.reads),
        sequenceError: wilson(counts.sequencesWithError, counts.sequences),
        counts,
        readsPerSecond: counts.reads / Math.max(1e-9, seconds),
        tokensPerSecond: (counts.sequences * preset.length) / Math.max(1e-9, seconds),
        seconds,
      };
    });
    if (cpu0 && cpu1) {
      // This session's CPU (a resumed row counts only what ran after the resume).
      const cpu2 = cpuNow()!;
      info.trainCpuSeconds = cpuSeconds(cpu0, cpu1);
      info.evalCpuSeconds = cpuSeconds(cpu1, cpu2);
    }
    if (dir !== undefined) {
      const stored: StoredRow = { format: 'testbeds-flipflop-row', version: 1, info, tests, reads: preset.reads, evalBatch: preset.evalBatch, cells };
      const { writeFileAtomic } = await nodeIo();
      writeFileAtomic(path!.join(dir, ROW_FILE), JSON.stringify({ sha256: await sha256(JSON.stringify(stored)), row: stored }) + '\n', { force: true });
    }
    return { info, cells, resumed: false };
  } finally {
    trainer.dispose();
  }
}

/**
 * Trains each row (each model; each mitigation for the Transformer) on FFL(trainPI) and measures
 * its glitches on every test set. With `out`, rows are kept on disk and a repeated call with
 * `resume` continues a killed run.
 */
export async function runFlipflop(o: FlipflopOptions = {}): Promise<FlipflopResult> {
  const plan = flipflopPlan(o);
  const { preset, trainPI, seed } = plan;
  const out: FlipflopResult = { preset: o.preset ?? 'quick', length: preset.length, trainPI, seed, backend: tf.getBackend(), interval: 'wilson-95', strengths: preset.strengths, models: [], cells: [] };
  const lock = o.out !== undefined ? (await nodeIo()).RunLock.acquire(o.out) : undefined;
  try {
    if (o.out !== undefined && !o.resume && !o.force) {
      const fs = await import('node:fs');
      const path = await import('node:path');
      const taken = plan.rows.filter((r) => fs.existsSync(path.join(o.out!, r.id)));
      if (taken.length) throw new Error(`${o.out} already holds rows (${taken.map((r) => r.id).join(', ')}): continue them with --resume, replace them with --force, or choose another directory`);
    }
    for (const row of plan.rows) {
      const r = await runRow(plan, row, o);
      out.models.push(r.info);
      out.cells.push(...r.cells);
      o.onRow?.(row.id, r.resumed);
    }
  } finally {
    lock?.release();
  }
  return out;
}

/**
 * One row of a run directory, for a worker process of `testbeds flipflop --jobs N` (Node): trains
 * (or resumes, or reads back) the row `rowId` of the plan of `o` in `o.out`/<row>/ and stores its
 * cells there. The caller (the parent) holds `o.out`'s lock; this call holds the row directory's,
 * so a row has one writer. Returns the row's cells.
 */
export async function runFlipflopRow(o: FlipflopOptions, rowId: string): Promise<{ info: FlipflopRowInfo; cells: FlipflopCell[]; resumed: boolean }> {
  o = checkOptions('runFlipflopRow', o) as FlipflopOptions;
  if (typeof rowId !== 'string') throw new Error(`runFlipflopRow: rowId must be a row name such as "transformer", got ${show(rowId)}`);
  const plan = flipflopPlan(o);
  if (o.out === undefined) throw new Error('runFlipflopRow: out (the run directory) is required');
  const row = plan.rows.find((r) => r.id === rowId);
  if (!row) throw new Error(`row must be one of ${plan.rows.map((r) => r.id).join(', ')}, got ${JSON.stringify(rowId)}`);
  const fs = await import('node:fs');
  const path = await import('node:path');
  const dir = path.join(o.out, row.id);
  if (!o.resume && !o.force && fs.existsSync(dir)) throw new Error(`${o.out} already holds rows (${row.id}): continue them with --resume, replace them with --force, or choose another directory`);
  const lock = (await nodeIo()).RunLock.acquire(dir);
  try {
    return await runRow(plan, row, o);
  } finally {
    lock.release();
  }
}

/**
 * The order in which `--jobs N` starts the rows: longest first, so the last row to start is a
 * short one (measured train s of the quick preset: entropy 2192, dropout 1793, baseline 700, wd
 * 554, lstm 168 — the two unfused-attention rows are the long pole).
 */
export function flipflopRowOrder(rows: readonly FlipflopRow[]): FlipflopRow[] {
  checkArray('flipflopRowOrder', 'rows', rows);
  rows.forEach((r, i) => {
    if (r === null || typeof r !== 'object' || typeof (r as FlipflopRow).kind !== 'string' || typeof (r as FlipflopRow).mitigation !== 'string') {
      throw new Error(`flipflopRowOrder: rows[${i}] must be a plan row with kind and mitigation, got ${show(r)}`);
    }
  });
  const rank = (r: FlipflopRow) => {
    const mit = ['entropy', 'dropout', 'baseline', 'wd'].indexOf(r.mitigation);
    return (r.kind === 'transformer' ? 0 : 10) + mit;
  };
  return rows.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i).map((x) => x.r);
}

/** What `estimateFlipflop` measured of one row. */
export interface FlipflopRowEstimate {
  row: string;
  /** Sequences per micro-batch (= the batch when not accumulating). */
  microBatch: number;
  batch: number;
  /** estimateMemory of the training step (bytes) and, on wasm, the heap's size after the steps. */
  estimatedBytes: number;
  heapBytes?: number;
  /** Wall and CPU seconds of the last measured step (the first carries one-time set-up). */
  secondsPerStep: number;
  cpuSecondsPerStep?: number;
  steps: number;
  /** Measured reads/s of one evaluation batch per test set, and the preset's reads at that rate. */
  evalReadsPerSecond: number[];
  /** Projection: training steps × secondsPerStep, and evaluation of every test set. */
  trainSeconds: number;
  evalSeconds: number;
}

/**
 * Times `steps` training steps (from the row's initial weights, nothing stored) and one evaluation
 * batch per test set of each row, and projects the row's duration from them: the up-front
 * estimate of a long preset. Measured on this machine as it is (load included).
 */
export async function estimateFlipflop(o: FlipflopOptions & { estimateSteps?: number; onRowEstimate?: (e: FlipflopRowEstimate) => void }): Promise<FlipflopRowEstimate[]> {
  o = checkOptions('estimateFlipflop', o) as typeof o;
  const plan = flipflopPlan(o);
  const steps = o.estimateSteps ?? 2;
  checkInteger('estimateFlipflop', 'estimateSteps', steps, 1, 1000);
  const { preset, tests, seed } = plan;
  const out: FlipflopRowEstimate[] = [];
  for (const row of plan.rows) {
    const config = runConfig(row.run);
    const trainer = new Trainer(config);
    try {
      let wall = 0;
      let cpu: number | undefined;
      for (let i = 0; i < steps; i++) {
        const c0 = cpuNow();
        const t0 = performance.now();
        trainer.trainStep();
        wall = (performance.now() - t0) / 1000;
        const c1 = cpuNow();
        cpu = c0 && c1 ? cpuSeconds(c0, c1) : undefined;
        o.onStep?.(row.id, i + 1, steps, NaN);
      }
      const rates = tests.map((t, i) => {
        const r = evaluateGlitches(trainer.model, t.pI, preset.length, 1, preset.evalBatch, seed, i);
        return r.counts.reads / Math.max(1e-9, r.seconds);
      });
      const heap = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.buffer.byteLength;
      const e: FlipflopRowEstimate = {
        row: row.id,
        microBatch: config.microBatch ?? config.batch,
        batch: config.batch,
        estimatedBytes: estimateMemory(config).bytes,
        ...(heap !== undefined ? { heapBytes: heap } : {}),
        secondsPerStep: wall,
        ...(cpu !== undefined ? { cpuSecondsPerStep: cpu } : {}),
        steps,
        evalReadsPerSecond: rates,
        trainSeconds: wall * row.spec.steps,
        evalSeconds: rates.reduce((a, r) => a + preset.reads / Math.max(1e-9, r), 0),
      };
      out.push(e);
      o.onRowEstimate?.(e);
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

/** The result as a Markdown table (one row per model, mitigation and test set). */
export function flipflopMarkdown(r: FlipflopResult): string {
  checkResult('flipflopMarkdown', r);
  const st = r.strengths;
  const lines = [
    `# Flip-flop glitches: trained on FFL(${r.trainPI}), T = ${r.length}, preset ${r.preset}, seed ${r.seed}, backend ${r.backend}`,
    '',
    'Glitch = a read (the bit after r) answered wrongly. Intervals: Wilson score, 95%.',
    st ? `Mitigations (Transformer rows): dropout = residual and attention dropout ${st.dropout}; wd = AdamW weight decay ${st.weightDecay} (baseline ${r.models.find((m) => m.mitigation === 'baseline')?.config.weightDecay ?? 0}); entropy = attention-entropy penalty λ = ${st.entropy}.` : '',
    '',
    '| model | mitigation | test set | p_i | reads | glitches | error per read [95% CI] | sequences | with ≥ 1 glitch | fraction [95% CI] | eval reads/s |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of r.cells) {
    const kind = c.model.split('+')[0];
    lines.push(`| ${kind} | ${c.mitigation ?? 'baseline'} | ${c.test} | ${c.pI} | ${c.counts.reads} | ${c.counts.errors} | ${fmtRate(c.readError)} | ${c.counts.sequences} | ${c.counts.sequencesWithError} | ${fmtRate(c.sequenceError)} | ${Math.round(c.readsPerSecond)} |`);
  }
  lines.push('', '| row | layers | width | steps | train s | train CPU s | eval s | eval CPU s | held-out loss | held-out read accuracy (p_i = ' + r.trainPI + ') |', '|---|---|---|---|---|---|---|---|---|---|');
  const cpu = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(1));
  for (const m of r.models) {
    const evalSeconds = r.cells.filter((c) => c.model === m.model).reduce((a, c) => a + c.seconds, 0);
    lines.push(`| ${m.model} | ${m.config.layers} | ${m.config.width} | ${m.config.steps} | ${m.trainSeconds.toFixed(1)} | ${cpu(m.trainCpuSeconds)} | ${evalSeconds.toFixed(1)} | ${cpu(m.evalCpuSeconds)} | ${m.finalLoss.toExponential(2)} | ${m.heldOutAccuracy.toFixed(6)} |`);
  }
  return lines.join('\n') + '\n';
}

/** The cells as CSV. */
export function flipflopCsv(r: FlipflopResult): string {
  checkResult('flipflopCsv', r);
  const head = 'model,mitigation,test,p_i,reads,errors,read_error,read_error_lo,read_error_hi,sequences,sequences_with_error,sequence_error,sequence_error_lo,sequence_error_hi,reads_per_second';
  const rows = r.cells.map((c) =>
    [c.model.split('+')[0], c.mitigation ?? 'baseline', c.test, c.pI, c.counts.reads, c.counts.errors, c.readError.rate, c.readError.lo, c.readError.hi, c.counts.sequences, c.counts.sequencesWithError, c.sequenceError.rate, c.sequenceError.lo, c.sequenceError.hi, c.readsPerSecond.toFixed(1)].join(','),
  );
  return [head, ...rows].join('\n') + '\n';
}
