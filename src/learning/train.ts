/**
 * Training a sequence model to simulate an automaton: one flat loop of AdamW steps on fresh
 * seeded batches, periodic evaluation on held-out batches, a JSONL log and atomic checkpoints.
 *
 * Determinism: the weights come from the seed (Params draws from Rng), the batch and dropout
 * masks of step s are pure functions of (seed, s), and the learning rate is a function of s, so a
 * run is reproducible and a resumed run continues exactly where the checkpoint left it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Automaton } from '../automata/types.js';
import { numLetters } from '../automata/types.js';
import { Rng } from '../random/prng.js';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, nodeIo, readCheckpointFile, writeCheckpointFile, type Checkpoint } from './checkpoint.js';
import { dyckLmAutomaton, evalBatches, numClasses, trainBatch, validateDyckLm, validateFfl, validateTask, type AnyTask, type Batch } from './data.js';
import { createModel, modelConfig, RNN_LAYOUT, type ModelConfig, type ModelKind, type SequenceModel, type TransformerConfig } from './models/index.js';
import { oneHot } from './models/layers.js';
import { attentionEntropy } from './ops/index.js';
import { checkArray, checkInteger, checkKeys, checkObject, fail, optionKeys } from '../validate/index.js';
import { checkMemory, estimateMemory } from './memory.js';
import { AdamW, extendSchedule, learningRate, optimConfig, type OptimConfig } from './optim.js';

/** Everything that defines a run (stored in every checkpoint). */
export interface RunConfig {
  /** The automaton itself (name and δ), so a checkpoint is self-contained (for FFL: a stand-in naming the task). */
  readonly automaton: Automaton;
  /** Flip-flop language modelling FFL(p_i) instead of the automaton (data.ts). */
  readonly ffl?: { readonly pI: number };
  /** Bounded-Dyck language modelling over dyck:K,M (data.ts; `automaton` is then dyck:K,M). */
  readonly dyck?: { readonly K: number; readonly M: number };
  /** Training sequence length T. */
  readonly length: number;
  /** Bernoulli p of letter 1 for two-letter automata (absent: the zoo's sampling rule). */
  readonly p?: number;
  /** Train and evaluate on valid prefixes only (automata with a reject sink, e.g. bounded Dyck). */
  readonly validPrefixes?: boolean;
  /** Sequences per batch. Default 32. */
  readonly batch: number;
  readonly seed: number;
  readonly model: ModelConfig;
  readonly optim: OptimConfig;
  /** Held-out batches per evaluation. Default 8. */
  readonly evalBatches: number;
  /** Evaluate every this many steps (and at the end). Default 100. */
  readonly evalEvery: number;
  /** Checkpoint every this many steps when an output directory is set (and at the end). Default 500. */
  readonly checkpointEvery: number;
  /**
   * Transformers: weight λ of the attention-sharpening penalty, λ · (mean entropy in nats of the
   * attention rows of every layer and head) added to the training loss (Liu et al. 2023 §5's
   * attention-sharpening regulariser). Absent = 0 (no penalty; the fused attention path).
   */
  readonly attnEntropy?: number;
  /**
   * Gradient accumulation: the batch is run as micro-batches of this many sequences (the last may
   * be smaller) whose gradients are summed before the one AdamW step, so activation memory is that
   * of a micro-batch. The summed gradient is the full batch's up to float rounding (the sums run
   * in another order, so the bits differ); the data, loss and step are the full batch's. Dropout
   * masks are drawn per micro-batch (same distribution, other bits). Absent = the whole batch.
   */
  readonly microBatch?: number;
}

/** The keys of RunOptions: a misspelled one (`{ weightdecay: 0.1 }`) is refused, not ignored. */
export const RUN_OPTION_KEYS = optionKeys<RunOptions>({ automaton: true, ffl: true, dyck: true, model: true, length: true, p: true, validPrefixes: true, batch: true, seed: true, steps: true, layers: true, width: true, heads: true, mlpRatio: true, positions: true, norm: true, minimalFirstLayer: true, contextLength: true, dropout: true, attnDropout: true, attnEntropy: true, lr: true, warmup: true, weightDecay: true, clip: true, evalBatches: true, evalEvery: true, checkpointEvery: true, microBatch: true });

export interface RunOptions {
  /** Required unless `ffl` is given. */
  automaton?: Automaton;
  /** Train on FFL(p_i) (tokens w r i 0 1, scored on the bits after r). */
  ffl?: { pI: number };
  /** Train bounded-Dyck language modelling over dyck:K,M (next-token prediction, scored on closing brackets). */
  dyck?: { K: number; M: number };
  model?: ModelKind;
  length?: number;
  p?: number;
  /** Valid prefixes only (see RunConfig). */
  validPrefixes?: boolean;
  batch?: number;
  seed?: number;
  steps?: number;
  layers?: number;
  width?: number;
  heads?: number;
  mlpRatio?: number;
  positions?: TransformerConfig['positions'];
  /** Transformer: 'none' drops every LayerNorm (models/config.ts). */
  norm?: TransformerConfig['norm'];
  /** Transformer: block 0 without its MLP (models/config.ts; the bounded-Dyck experiment's restriction). */
  minimalFirstLayer?: boolean;
  contextLength?: number;
  dropout?: number;
  /** Dropout on attention probabilities (Transformer; see TransformerConfig.attnDropout). */
  attnDropout?: number;
  /** Attention-entropy penalty weight λ ≥ 0 (Transformer; see RunConfig.attnEntropy). */
  attnEntropy?: number;
  lr?: number;
  warmup?: number;
  weightDecay?: number;
  clip?: number;
  evalBatches?: number;
  evalEvery?: number;
  checkpointEvery?: number;
  /** Sequences per micro-batch (gradient accumulation; see RunConfig.microBatch). */
  microBatch?: number;
}

/** Fills defaults (see RunConfig) and validates. */
export function runConfig(o: RunOptions): RunConfig {
  checkKeys('runConfig', checkObject('runConfig', 'o', o), RUN_OPTION_KEYS, 'o');
  const length = o.length ?? 32;
  const steps = o.steps ?? 3000;
  let automaton: Automaton;
  if (o.ffl && o.dyck) throw new Error('give either ffl or dyck, not both');
  if (o.dyck) {
    validateDyckLm({ kind: 'dyck', K: o.dyck.K, M: o.dyck.M, length });
    if (o.p !== undefined) throw new Error('p does not apply to Dyck language modelling (letters are uniform among the allowed ones)');
    if (o.automaton) throw new Error('give either automaton or dyck, not both');
    if (o.validPrefixes) throw new Error('validPrefixes is implied by Dyck language modelling; drop it');
    automaton = dyckLmAutomaton(o.dyck);
  } else if (o.ffl) {
    validateFfl({ kind: 'ffl', pI: o.ffl.pI, length });
    if (o.p !== undefined) throw new Error('p does not apply to FFL (use its p_i)');
    if (o.validPrefixes) throw new Error('validPrefixes does not apply to FFL');
    automaton = { name: `ffl(p_i=${o.ffl.pI})`, delta: [[0]], start: 0 };
  } else {
    if (!o.automaton) throw new Error('automaton is required (or ffl)');
    automaton = o.automaton;
    validateTask({ automaton, length, p: o.p, validPrefixes: o.validPrefixes });
  }
  const model = modelConfig(o.model ?? 'transformer', {
    vocab: o.ffl ? 5 : numLetters(automaton),
    // Dyck LM predicts the next token: an output per token of the vocabulary.
    classes: o.ffl ? 2 : o.dyck ? numLetters(automaton) : numClasses(automaton),
    length,
    layers: o.layers,
    width: o.width,
    heads: o.heads,
    mlpRatio: o.mlpRatio,
    positions: o.positions,
    contextLength: o.contextLength,
    dropout: o.dropout,
    attnDropout: o.attnDropout,
    norm: o.norm,
    minimalFirstLayer: o.minimalFirstLayer,
  });
  if (o.attnEntropy !== undefined && !(o.attnEntropy >= 0 && o.attnEntropy < 1e6)) throw new Error(`attnEntropy must be a number ≥ 0, got ${o.attnEntropy}`);
  if (o.attnEntropy && model.kind !== 'transformer') throw new Error(`attnEntropy applies to Transformers only, got model ${model.kind}`);
  const positive = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be an integer ≥ 1, got ${v}`);
    return v;
  };
  return {
    automaton: { name: automaton.name, delta: automaton.delta.map((r) => [...r]), start: automaton.start ?? 0, ...(automaton.labels ? { labels: [...automaton.labels] } : {}) },
    ...(o.ffl ? { ffl: { pI: o.ffl.pI } } : {}),
    ...(o.dyck ? { dyck: { K: o.dyck.K, M: o.dyck.M } } : {}),
    length,
    ...(o.p !== undefined ? { p: o.p } : {}),
    ...(o.validPrefixes ? { validPrefixes: true } : {}),
    batch: positive('batch', o.batch ?? 32),
    seed: o.seed ?? 1,
    model,
    optim: optimConfig({ steps, lr: o.lr, warmup: o.warmup, weightDecay: o.weightDecay, clip: o.clip }),
    evalBatches: positive('evalBatches', o.evalBatches ?? 8),
    evalEvery: positive('evalEvery', o.evalEvery ?? 100),
    checkpointEvery: positive('checkpointEvery', o.checkpointEvery ?? 500),
    ...(o.attnEntropy ? { attnEntropy: o.attnEntropy } : {}),
    // Stored only when it splits the batch, so configs without accumulation keep their old form.
    ...(o.microBatch !== undefined && positive('microBatch', o.microBatch) < (o.batch ?? 32) ? { microBatch: o.microBatch } : {}),
  };
}

export interface EvalResult {
  /** Per-position accuracy: fraction of (sequence, t) labelled correctly. */
  accuracy: number;
  /** Accuracy at the last scored position (t = T for automata: the final state). */
  accuracyLast: number;
  /** Fraction of sequences labelled correctly at every position. */
  accuracySequence: number;
  /** Mean cross-entropy (nats). */
  loss: number;
  /** Accuracy at each position t = 1..T. */
  byPosition: number[];
  /**
   * The smallest gap, over the scored positions, between the correct class's logit and the best
   * wrong one. Positive iff every scored position is classified correctly with no tie, so an
   * exact model shows its exactness (and by how much) instead of sampled luck. Infinity when
   * there is only one class.
   */
  margin: number;
}

export interface StepInfo {
  step: number;
  steps: number;
  loss: number;
  /** Training-batch per-position accuracy. */
  accuracy: number;
  lr: number;
  gradNorm: number;
  tokensPerSecond: number;
  seconds: number;
}

export interface TrainResult extends EvalResult {
  steps: number;
  seconds: number;
  tokensPerSecond: number;
  backend: string;
}

export interface TrainOptions {
  /** Directory for log.jsonl and checkpoint.tbck (Node only). */
  out?: string;
  onStep?: (s: StepInfo) => void;
  onEval?: (step: number, e: EvalResult) => void;
  /** Stop (after checkpointing) when this returns true. */
  shouldStop?: () => boolean;
  /** Stop after this step (for tests simulating a kill); default optim.steps. */
  stopAt?: number;
  /** Yield to the event loop every this many steps (a Web Worker then sees 'stop' messages). */
  yieldEvery?: number;
}

const DROPOUT_STREAM = 0xd809;

/** The task a run trains on, at sequence length `length` (evaluation may use another). */
export function taskOf(c: RunConfig, length: number): AnyTask {
  checkObject('taskOf', 'c', c);
  checkInteger('taskOf', 'length', length, 1);
  if (c.ffl) return { kind: 'ffl', pI: c.ffl.pI, length };
  if (c.dyck) return { kind: 'dyck', K: c.dyck.K, M: c.dyck.M, length };
  return { automaton: c.automaton, length, ...(c.p !== undefined ? { p: c.p } : {}), ...(c.validPrefixes ? { validPrefixes: true } : {}) };
}

export class Trainer {
  readonly model: SequenceModel;
  readonly optimizer: AdamW;
  /** Completed steps. */
  step = 0;
  readonly task: AnyTask;
  private evalSet: Batch[] | undefined;
  lastEval: EvalResult | undefined;
  private lastEvalStep = -1;

  constructor(readonly config: RunConfig) {
    // Before anything is built: what cannot fit in the wasm heap is refused, naming the estimate.
    if (tf.getBackend() === 'wasm') checkMemory(estimateMemory(config));
    this.task = taskOf(config, config.length);
    this.model = createModel(config.model, config.seed);
    this.optimizer = new AdamW(config.optim, this.model.params.list);
  }

  /** One AdamW step on the batch of the current step; returns loss and accuracy on it. */
  trainStep(): { loss: number; accuracy: number; gradNorm: number; lr: number } {
    const c = this.config;
    const s = this.step;
    const b = trainBatch(this.task, c.batch, c.seed, s);
    const lr = learningRate(c.optim, s);
    const dropoutRng = c.model.kind === 'transformer' && (c.model.dropout > 0 || (c.model.attnDropout ?? 0) > 0) ? new Rng(c.seed ^ DROPOUT_STREAM).fork(s) : undefined;
    const lambda = c.attnEntropy ?? 0;
    const vars = this.model.params.list;
    const { value, correct, grads, scored } = this.batchGradients(b, lambda, dropoutRng);
    const accT = tf.tidy(() => tf.div(correct, scored) as tf.Scalar);
    const norm = this.optimizer.apply(vars.map((v) => grads[v.name]), lr);
    const loss = value.dataSync()[0];
    const accuracy = accT.dataSync()[0];
    const gradNorm = norm.dataSync()[0];
    tf.dispose([value, norm, accT, correct, ...Object.values(grads)]);
    this.step += 1;
    return { loss, accuracy, gradNorm, lr };
  }

  /**
   * Loss (cross-entropy summed over the scored positions of these `n` sequences, divided by
   * `scored`, plus `lambda` · mean attention-row entropy) and its gradients, and the number of
   * correct scored positions.
   */
  private lossAndGrads(lettersData: Int32Array, labelsData: Int32Array, n: number, T: number, scored: number, lambda: number, dropoutRng: Rng | undefined): { value: tf.Scalar; correct: tf.Scalar; grads: tf.NamedTensorMap } {
    const c = this.config;
    const vars = this.model.params.list;
    let correct: tf.Scalar | undefined;
    const { value, grads } = tf.tidy(() => {
      const letters = tf.tensor2d(lettersData, [n, T], 'int32');
      const labels = tf.tensor1d(labelsData, 'int32');
      const target = oneHot(labels, c.model.classes);
      return tf.variableGrads(() => {
        const entropies: tf.Scalar[] = [];
        const attention = lambda > 0 ? (_layer: number, probs: tf.Tensor4D, logProbs: tf.Tensor4D) => void entropies.push(attentionEntropy(probs, logProbs)) : undefined;
        const logits = tf.reshape(this.model.forward(letters, { dropoutRng, attention }), [-1, c.model.classes]) as tf.Tensor2D;
        correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')) as tf.Scalar);
        const ce = tf.div(tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), target))), scored) as tf.Scalar;
        // The reported loss then includes the penalty: λ · mean over layers of the mean row entropy.
        return entropies.length ? (tf.add(ce, tf.mul(tf.div(tf.addN(entropies), entropies.length), lambda)) as tf.Scalar) : ce;
      }, vars);
    });
    return { value, correct: correct!, grads };
  }

  /**
   * The loss, the count of correct scored positions and the gradients of batch `b` (micro-batched
   * when config.microBatch splits it). The caller disposes the tensors.
   */
  private batchGradients(b: Batch, lambda: number, dropoutRng: Rng | undefined): { value: tf.Scalar; correct: tf.Scalar; grads: tf.NamedTensorMap; scored: number } {
    const c = this.config;
    // Positions labelled -1 are not scored: their one-hot row is all zero, and the sums are
    // divided by the number of scored positions of the whole batch.
    const scored = Math.max(1, countScored(b.labels));
    const mb = c.microBatch !== undefined && c.microBatch < b.batch ? c.microBatch : b.batch;
    let value: tf.Scalar;
    let correct: tf.Scalar;
    let grads: tf.NamedTensorMap;
    if (mb === b.batch) {
      ({ value, correct, grads } = this.lossAndGrads(b.letters, b.labels, b.batch, b.length, scored, lambda, dropoutRng));
    } else {
      // Gradient accumulation: each micro-batch's loss is its share of the full batch's (divided
      // by the full batch's scored count; the entropy term weighted by its share of the rows), so
      // the summed values and gradients are the full batch's up to rounding.
      const T = b.length;
      let acc: { value: tf.Scalar; correct: tf.Scalar; grads: tf.NamedTensorMap } | undefined;
      for (let s0 = 0; s0 < b.batch; s0 += mb) {
        const n = Math.min(mb, b.batch - s0);
        const part = this.lossAndGrads(b.letters.subarray(s0 * T, (s0 + n) * T), b.labels.subarray(s0 * T, (s0 + n) * T), n, T, scored, (lambda * n) / b.batch, dropoutRng);
        if (!acc) {
          acc = part;
          continue;
        }
        const prev = acc;
        acc = tf.tidy(() => ({
          value: tf.add(prev.value, part.value) as tf.Scalar,
          correct: tf.add(prev.correct, part.correct) as tf.Scalar,
          grads: Object.fromEntries(Object.keys(prev.grads).map((k) => [k, tf.add(prev.grads[k], part.grads[k])])),
        }));
        tf.dispose([prev.value, prev.correct, ...Object.values(prev.grads), part.value, part.correct, ...Object.values(part.grads)]);
      }
      ({ value, correct, grads } = acc!);
    }
    return { value, correct, grads, scored };
  }

  /**
   * The loss and gradients of the training batch of step `step` (default the next one), as
   * trainStep computes them (micro-batched per config.microBatch), without changing any weight:
   * for checking gradient accumulation against the whole batch. The caller disposes `grads`.
   */
  gradientsAt(step = this.step): { loss: number; grads: tf.NamedTensorMap } {
    checkInteger('gradientsAt', 'step', step, 0);
    const c = this.config;
    if (c.model.kind === 'transformer' && (c.model.dropout > 0 || (c.model.attnDropout ?? 0) > 0)) throw new Error('gradientsAt: dropout draws masks per micro-batch, so its gradients are not comparable; use a model without dropout');
    const b = trainBatch(this.task, c.batch, c.seed, step);
    const { value, correct, grads } = this.batchGradients(b, c.attnEntropy ?? 0, undefined);
    const loss = value.dataSync()[0];
    tf.dispose([value, correct]);
    return { loss, grads };
  }

  /** Accuracy on `batches` (default: the run's held-out evaluation set); `onBatch(done, total)` reports progress. */
  evaluate(batches?: Batch[], onBatch?: (done: number, total: number) => void): EvalResult {
    const c = this.config;
    if (!batches) batches = this.evalSet ??= evalBatches(this.task, c.batch, c.evalBatches, c.seed);
    return evaluateModel(this.model, batches, onBatch);
  }

  /** Runs until optim.steps (or stopAt / shouldStop), evaluating, logging and checkpointing. */
  async train(o: TrainOptions = {}): Promise<TrainResult> {
    const c = this.config;
    const end = Math.min(o.stopAt ?? c.optim.steps, c.optim.steps);
    const tokens = c.batch * c.length;
    // One writer per run directory (src/io/lock.ts); re-entrant, so the CLI may hold it already.
    const lock = o.out ? (await nodeIo()).RunLock.acquire(o.out) : undefined;
    try {
      return await this.trainLoop(o, end, tokens, o.out ? await openLog(o.out, this.step) : undefined);
    } finally {
      lock?.release();
    }
  }

  private async trainLoop(o: TrainOptions, end: number, tokens: number, log: { write(x: object): void } | undefined): Promise<TrainResult> {
    const c = this.config;
    const t0 = now();
    const first = this.step;
    let trainSeconds = 0;
    let window = 0;
    let windowTokens = 0;
    let windowStart = now();
    while (this.step < end) {
      const ts = now();
      const r = this.trainStep();
      const dt = (now() - ts) / 1000;
      trainSeconds += dt;
      windowTokens += tokens;
      window += 1;
      const tps = windowTokens / Math.max(1e-9, (now() - windowStart) / 1000);
      if (window >= 20) {
        window = 0;
        windowTokens = 0;
        windowStart = now();
      }
      const info: StepInfo = { step: this.step, steps: c.optim.steps, loss: r.loss, accuracy: r.accuracy, lr: r.lr, gradNorm: r.gradNorm, tokensPerSecond: tps, seconds: (now() - t0) / 1000 };
      o.onStep?.(info);
      let evalResult: EvalResult | undefined;
      if (this.step % c.evalEvery === 0 || this.step === end) {
        evalResult = this.lastEval = this.evaluate();
        this.lastEvalStep = this.step;
        o.onEval?.(this.step, evalResult);
      }
      log?.write({ ...info, ...(evalResult ? { eval: { accuracy: evalResult.accuracy, accuracyLast: evalResult.accuracyLast, accuracySequence: evalResult.accuracySequence, loss: evalResult.loss } } : {}) });
      if (o.yieldEvery && this.step % o.yieldEvery === 0) await yieldToEventLoop();
      const stop = o.shouldStop?.() ?? false;
      if (o.out && (this.step % c.checkpointEvery === 0 || this.step === end || stop)) await this.save(o.out);
      if (stop) break;
    }
    // The result describes the final weights (an interrupted run may stop between evaluations).
    if (!this.lastEval || this.lastEvalStep !== this.step) {
      this.lastEval = this.evaluate();
      this.lastEvalStep = this.step;
    }
    const e = this.lastEval;
    // Throughput of the training steps of this session (evaluation and checkpoints excluded).
    return { ...e, steps: this.step, seconds: (now() - t0) / 1000, tokensPerSecond: trainSeconds > 0 ? (tokens * (this.step - first)) / trainSeconds : 0, backend: tf.getBackend() };
  }

  /** The checkpoint bytes of the current state. */
  encode(): Uint8Array {
    const e = this.lastEval;
    return encodeCheckpoint(
      { run: this.config, step: this.step, adamT: this.optimizer.t, shapes: this.model.params.shapes(), rng: { seed: this.config.seed, step: this.step }, ...(e ? { metrics: { accuracy: e.accuracy, accuracyLast: e.accuracyLast, accuracySequence: e.accuracySequence, loss: e.loss } } : {}) },
      this.model.params.flatten(),
      this.optimizer.flatten(),
    );
  }

  async save(dir: string): Promise<string> {
    return writeCheckpointFile(dir, this.encode());
  }

  /** Rebuilds a trainer from a decoded checkpoint (config, weights, moments, step). */
  static fromCheckpoint(ck: Checkpoint, where = 'checkpoint'): Trainer {
    const run = ck.header.run as RunConfig;
    if (!run || !run.automaton || !run.model || !run.optim) throw new CheckpointError(`${where} has no run configuration`);
    if (run.model.kind !== 'transformer' && (run.model as { version?: number }).version !== RNN_LAYOUT) {
      const v = (run.model as { version?: number }).version ?? 1;
      throw new CheckpointError(`${where}: ${run.model.kind} checkpoint of RNN layout ${v}${v === 1 ? ' (one-hot input, written before the learned embedding)' : ''}; this build reads RNN layout ${RNN_LAYOUT} only (learned N(0, 1) embedding, PyTorch's init): retrain the run`);
    }
    const t = new Trainer(run);
    const shapes = t.model.params.shapes();
    for (const [name, shape] of Object.entries(ck.header.shapes)) {
      const have = shapes[name];
      if (!have || have.join('x') !== shape.join('x')) {
        t.dispose();
        throw new CheckpointError(`${where}: parameter ${name} has shape [${shape}] in the file, the model built from its config has ${have ? `[${have}]` : 'no such parameter'}`);
      }
    }
    if (Object.keys(shapes).length !== Object.keys(ck.header.shapes).length) {
      t.dispose();
      throw new CheckpointError(`${where}: ${Object.keys(ck.header.shapes).length} parameters in the file, ${Object.keys(shapes).length} in the model`);
    }
    t.model.params.load(ck.weights);
    t.optimizer.load(ck.optimizer, ck.header.adamT);
    t.step = ck.header.step;
    return t;
  }

  /**
   * Loads a checkpoint; `steps` above the run's raises its horizon (extendSchedule: the learning
   * rate continues from where it is to the floor at the new end).
   */
  static async load(pathOrDir: string, o: { steps?: number } = {}): Promise<Trainer> {
    const ck = await readCheckpointFile(pathOrDir);
    if (o.steps !== undefined) ck.header.run = extendRun(ck.header.run as RunConfig, ck.header.step, o.steps);
    return Trainer.fromCheckpoint(ck, pathOrDir);
  }

  static decode(bytes: Uint8Array): Trainer {
    return Trainer.fromCheckpoint(decodeCheckpoint(bytes));
  }

  dispose(): void {
    this.model.dispose();
    this.optimizer.dispose();
  }
}

/** The run `c`, `step` steps done, with its horizon raised to `steps` (extendSchedule). */
export function extendRun(c: RunConfig, step: number, steps: number): RunConfig {
  if (!c || !c.optim) throw new CheckpointError('checkpoint has no run configuration');
  return { ...c, optim: extendSchedule(c.optim, step, steps) };
}

/** Per-position, last-position and whole-sequence accuracy of `model` on `batches`. */
export function evaluateModel(model: SequenceModel, batches: Batch[], onBatch?: (done: number, total: number) => void): EvalResult {
  checkObject('evaluateModel', 'model.config', checkObject('evaluateModel', 'model', model).config);
  checkArray('evaluateModel', 'batches', batches).forEach((b, i) => void checkObject('evaluateModel', `batches[${i}]`, b));
  const C = model.config.classes;
  let correct = 0;
  let total = 0;
  let lastCorrect = 0;
  let seqCorrect = 0;
  let seqs = 0;
  let lossSum = 0;
  let margin = Infinity;
  const T = batches[0]?.length ?? 0;
  const byPos = new Float64Array(T);
  const byPosN = new Float64Array(T);
  let done = 0;
  for (const b of batches) {
    if (b.length !== T) throw new Error('evaluation batches must share one length');
    const [hits, loss, z] = tf.tidy(() => {
      const letters = tf.tensor2d(b.letters, [b.batch, b.length], 'int32');
      const labels = tf.tensor1d(b.labels, 'int32');
      const logits = tf.reshape(model.forward(letters), [-1, C]) as tf.Tensor2D;
      const nll = tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), oneHot(labels, C))));
      return [tf.equal(tf.argMax(logits, 1), labels).dataSync() as Uint8Array, nll.dataSync()[0], logits.dataSync() as Float32Array] as const;
    });
    lossSum += loss;
    margin = Math.min(margin, logitMargin(z, b.labels, C));
    for (let i = 0; i < b.batch; i++) {
      let all = true;
      let last = -1;
      for (let t = 0; t < T; t++) {
        if (b.labels[i * T + t] < 0) continue; // not scored
        last = t;
        byPosN[t]++;
        total++;
        if (hits[i * T + t]) {
          correct++;
          byPos[t]++;
        } else all = false;
      }
      if (last < 0) continue;
      if (hits[i * T + last]) lastCorrect++;
      if (all) seqCorrect++;
      seqs++;
    }
    onBatch?.(++done, batches.length);
  }
  return {
    accuracy: correct / total,
    accuracyLast: lastCorrect / seqs,
    accuracySequence: seqCorrect / seqs,
    loss: lossSum / total,
    // NaN (null in JSON) where no sequence scores position t.
    byPosition: Array.from(byPos, (x, t) => (byPosN[t] > 0 ? x / byPosN[t] : NaN)),
    margin,
  };
}

/** min over scored rows i of logits[i, label_i] − max_{c ≠ label_i} logits[i, c] (a NaN logit gives NaN). */
export function logitMargin(logits: Float32Array, labels: Int32Array, C: number): number {
  checkInteger('logitMargin', 'C', C, 1);
  if (!(logits instanceof Float32Array) || !(labels instanceof Int32Array)) fail('logitMargin', 'logits must be a Float32Array and labels an Int32Array');
  if (logits.length < labels.length * C) fail('logitMargin', `logits has ${logits.length} entries, expected labels.length·C = ${labels.length * C}`);
  let m = Infinity;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y < 0) continue;
    const row = i * C;
    let best = -Infinity;
    for (let c = 0; c < C; c++) if (c !== y && !(logits[row + c] <= best)) best = logits[row + c];
    const g = logits[row + y] - best;
    if (Number.isNaN(g)) return NaN;
    if (g < m) m = g;
  }
  return m;
}

function countScored(labels: Int32Array): number {
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) n++;
  return n;
}

/** Lets signal handlers and worker messages run (a macrotask, not a microtask). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((r) => (typeof setImmediate === 'function' ? setImmediate(r) : setTimeout(r, 0)));
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** log.jsonl in `dir`; on resume, lines after `fromStep` (from the interrupted run) are dropped. */
async function openLog(dir: string, fromStep: number): Promise<{ write(x: object): void }> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { appendText, makeDir, writeFileAtomic } = await nodeIo();
  makeDir(dir);
  const file = path.join(dir, 'log.jsonl');
  if (fs.existsSync(file)) {
    const keep = fs.readFileSync(file, 'utf8').split('\n').filter((l) => {
      if (!l.trim()) return false;
      try {
        return JSON.parse(l).step <= fromStep;
      } catch {
        return false;
      }
    });
    // Replaced whole: a kill here leaves the old log, never a truncated one.
    writeFileAtomic(file, keep.map((l) => l + '\n').join(''), { force: true });
  }
  return { write: (x) => appendText(file, JSON.stringify(x) + '\n') };
}
