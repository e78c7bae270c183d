/**
 * Training a masked predictor on sequences sampled from an HMM: N sequences of length 3 (seeded),
 * minibatches drawn with replacement from them, AdamW (no weight decay: it would bias the
 * predictor towards 0) with warmup and cosine decay, and the squared loss on one-hot targets —
 * the talk's setting, whose minimiser is the conditional law E[e_targets | x_given] — or
 * cross-entropy (then the predictor is the softmax). The result is the learned function on every
 * input value: a d × d^m table, which is all that recovery needs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { hmmToJSON, type HMM, type HMMSpec } from '../../hmm/types.js';
import { sampleSequences } from '../../hmm/sample.js';
import { Rng } from '../../random/prng.js';
import { checkKeys, checkObject, optionKeys } from '../../validate/index.js';
import { oneHot } from '../models/layers.js';
import { AdamW, learningRate, optimConfig } from '../optim.js';
import { createPredictorModel, PREDICTOR_MODELS, type PredictorModelKind } from './model.js';
import { outputSize, parseMaskedTask, type MaskedTask } from './task.js';

export type PredictorLoss = 'squared' | 'ce';

export interface LearnOptions {
  hmm: HMM;
  /** "2|1", "2,3|1", … (./task.ts) */
  task: string | MaskedTask;
  /** Training sequences N (each gives one example). */
  samples: number;
  /** Default 'mlp'. */
  model?: PredictorModelKind;
  /** Hidden width (MLP) or residual width (Transformer). Default 64. */
  width?: number;
  /** Transformer blocks. Default 2. */
  layers?: number;
  /** Default 2000. */
  steps?: number;
  /** Default 256. */
  batch?: number;
  /** Peak learning rate. Default 3e-3. */
  lr?: number;
  /** Default 'squared'. */
  loss?: PredictorLoss;
  /** Seeds the data and the initial weights. Default 1. */
  seed?: number;
  /** Called every `progressEvery` (default 200) steps with the mean training loss since the last call. */
  onProgress?: (step: number, loss: number) => void;
  progressEvery?: number;
}

/** What `hmm learn` writes and `hmm recover --predictor` reads (JSON, with a checksum). */
export interface LearnedPredictor {
  format: 'testbeds-predictor';
  version: 1;
  task: string;
  d: number;
  k: number;
  model: PredictorModelKind;
  loss: PredictorLoss;
  samples: number;
  seed: number;
  steps: number;
  batch: number;
  lr: number;
  width: number;
  layers: number;
  parameters: number;
  /** Empirical P(x_given = a) in the training data (the learner sees its inputs' frequencies). */
  marginal: number[];
  /** table[a] = f(a), length d^m: for "2,3|1", f(a)[b·d + c] ≈ P(x₂ = b, x₃ = c | x₁ = a). */
  table: number[][];
  /** Mean training loss over the last 10% of the steps. */
  trainLoss: number;
  /** The HMM the data came from, so that errors can be reported later. */
  hmm: HMMSpec;
}

/** Largest output table d × d^m we train (d^m outputs per example; d = 256 for a triplet task). */
export const MAX_PREDICTOR_OUTPUTS = 2 ** 16;
export const MAX_LEARN_SAMPLES = 2 ** 26;

function checkInt(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  return v;
}

export function learnPredictor(o: LearnOptions): LearnedPredictor {
  checkKeys('learnPredictor', checkObject('learnPredictor', 'options', o), optionKeys<LearnOptions>({ hmm: true, task: true, samples: true, model: true, width: true, layers: true, steps: true, batch: true, lr: true, loss: true, seed: true, onProgress: true, progressEvery: true }));
  const hmm = o.hmm;
  if (!hmm || typeof hmm !== 'object' || !Array.isArray(hmm.transition) || !Array.isArray(hmm.emission)) throw new TypeError(`hmm must be an HMM (createHmm / parseHmm), got ${String(hmm)}`);
  const task = typeof o.task === 'string' ? parseMaskedTask(o.task) : parseMaskedTask(o.task?.name);
  const d = hmm.d;
  const out = outputSize(task, d);
  if (out > MAX_PREDICTOR_OUTPUTS) throw new RangeError(`task ${task.name} with d = ${d} has ${out} outputs per input; at most ${MAX_PREDICTOR_OUTPUTS}`);
  const samples = checkInt('samples', o.samples, 1, MAX_LEARN_SAMPLES);
  const model = o.model ?? 'mlp';
  if (!PREDICTOR_MODELS.includes(model)) throw new RangeError(`model must be one of ${PREDICTOR_MODELS.join('|')}, got ${String(model)}`);
  const width = checkInt('width', o.width ?? 64, 1, 4096);
  const layers = checkInt('layers', o.layers ?? 2, 1, 16);
  const steps = checkInt('steps', o.steps ?? 2000, 1, 1e7);
  const batch = checkInt('batch', o.batch ?? 256, 1, 1 << 16);
  const seed = checkInt('seed', o.seed ?? 1, 0, 2 ** 32 - 1);
  const lr = o.lr ?? 3e-3;
  if (typeof lr !== 'number' || !(lr > 0) || lr > 10) throw new RangeError(`lr must be a number in (0, 10], got ${String(lr)}`);
  const loss = o.loss ?? 'squared';
  if (loss !== 'squared' && loss !== 'ce') throw new RangeError(`loss must be squared|ce, got ${String(loss)}`);
  if (model === 'transformer' && width % 4 !== 0) throw new RangeError(`width must be a multiple of 4 heads for the transformer, got ${width}`);
  // Memory: the MLP's head is width × d^m floats, with Adam's two moments and a gradient: 4×.
  const bytes = 4 * 4 * (width * out + d * width) + 4 * batch * (out + width) * 4;
  if (bytes > 1.5e9) throw new RangeError(`this predictor needs about ${(bytes / 1e9).toFixed(1)} GB (width ${width} × ${out} outputs); at most 1.5 GB`);

  const data = sampleSequences(hmm, 3, samples, seed).observations; // (N, 3), 0-based symbols
  const marginal = new Array<number>(d).fill(0);
  for (let s = 0; s < samples; s++) marginal[data[s * 3 + task.given - 1]] += 1 / samples;

  const net = createPredictorModel({ kind: model, d, task, width, layers, seed });
  const vars = net.params.list;
  // Decay to 0: the last steps average out the minibatch noise instead of fluctuating at a floor.
  const optim = optimConfig({ steps, lr, weightDecay: 0, warmup: Math.round(0.05 * steps), minLrRatio: 0 });
  const adam = new AdamW(optim, vars);
  const pick = new Rng(seed).fork(7);
  const givenIds = new Int32Array(batch);
  const targetIds = new Int32Array(batch);
  const tail = Math.max(1, Math.round(steps / 10));
  const every = o.progressEvery ?? 200;
  let tailLoss = 0;
  let windowLoss = 0;
  try {
    for (let step = 0; step < steps; step++) {
      for (let i = 0; i < batch; i++) {
        const s = pick.nextInt(samples) * 3;
        givenIds[i] = data[s + task.given - 1];
        let t = 0;
        for (const p of task.targets) t = t * d + data[s + p - 1];
        targetIds[i] = t;
      }
      const { value, grads } = tf.tidy(() => {
        const x = tf.tensor1d(givenIds, 'int32');
        const y = oneHot(tf.tensor1d(targetIds, 'int32'), out); // (B, d^m)
        return tf.variableGrads(() => {
          const yHat = net.forward(x);
          const l = loss === 'squared' ? tf.sum(tf.square(tf.sub(yHat, y))) : tf.neg(tf.sum(tf.mul(tf.logSoftmax(yHat), y)));
          return tf.div(l, batch) as tf.Scalar;
        }, vars);
      });
      const norm = adam.apply(vars.map((v) => grads[v.name]), learningRate(optim, step));
      const l = value.dataSync()[0];
      tf.dispose([value, norm, ...Object.values(grads)]);
      if (!Number.isFinite(l)) throw new RangeError(`training diverged at step ${step + 1} (loss ${l}); lower lr (now ${lr})`);
      if (step >= steps - tail) tailLoss += l / tail;
      windowLoss += l;
      if (o.onProgress && ((step + 1) % every === 0 || step + 1 === steps)) {
        o.onProgress(step + 1, windowLoss / ((step % every) + 1));
        windowLoss = 0;
      }
    }
    const table = tf.tidy(() => {
      const yHat = net.forward(tf.range(0, d, 1, 'int32') as tf.Tensor1D);
      return (loss === 'ce' ? tf.softmax(yHat) : yHat).arraySync() as number[][];
    });
    return {
      format: 'testbeds-predictor',
      version: 1,
      task: task.name,
      d,
      k: hmm.k,
      model,
      loss,
      samples,
      seed,
      steps,
      batch,
      lr,
      width,
      layers: model === 'transformer' ? layers : 1,
      parameters: net.params.count,
      marginal,
      table,
      trainLoss: tailLoss,
      hmm: hmmToJSON(hmm, true),
    };
  } finally {
    adam.dispose();
    net.dispose();
  }
}
