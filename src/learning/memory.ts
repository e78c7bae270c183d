/**
 * The memory a training (or evaluation) configuration will take, estimated from its config alone,
 * before any tensor is built, so that what cannot fit is refused with the estimate and the limit
 * instead of dying later (`train --width 8192` ran 113 s into a wasm "memory access out of
 * bounds" at 4.5 GB).
 *
 * In float32 values (P parameters, L layers, B batch, T length, d width, h MLP width, nh heads):
 *   parameters and AdamW           17·P     weights, m, v, gradients, and the update's temporaries
 *                                           (one tf.tidy over all variables keeps them to its end)
 *   Transformer activations        2.7·L·B·T·(10d + 2h) + B·T·(3d + 4C)
 *   attention                      0.9·L·B·nh·T² (fused kernel's scratch); 12·L·B·nh·T² when the
 *                                           head size is not a multiple of 4 (unfused: T×T scores)
 *   RNN (LSTM/GRU: G = 4/3 gates)  L·T·(4·G·h² + 20·B·G·h)   (backpropagation through time keeps
 *                                           each step's gate values and its W_hh gradient)
 * plus 16 MB of heap base. The coefficients are a least-squares fit to tfjs-wasm 4.22's heap size
 * after two steps, measured here (B = 32; measured / estimated):
 *   transformer d=64 L=2 T=32: 42 / 49 MB      d=256 L=2 T=32: 217 / 221 MB
 *   transformer d=512 L=2 T=32: 641 / 629 MB   d=1024 L=2 T=32: 2120 / 2056 MB
 *   transformer d=64 L=2 T=512: 658 / 658 MB   d=63 nh=3 T=512 (unfused): 2841 / 2726 MB
 *   lstm h=512 L=1 T=64: 1423 / 1428 MB        gru h=256 L=2 T=128: 1320 / 1303 MB
 * It errs by up to 4% low, and the heap grows in steps, so checkMemory refuses above 90% of the
 * limit. Evaluation (forward only) counts the weights once, a third of the activations and, for
 * unfused attention, 3·L·B·nh·T².
 */
import type { RunConfig } from './train.js';
import type { ModelConfig } from './models/config.js';
import { checkObject, checkOneOf, fail } from '../validate/index.js';

/** tfjs-backend-wasm's heap maximum (its emscripten build: 4 GiB − 64 KiB, wasm32). */
export const WASM_HEAP_LIMIT = 4294901760;
const HEAP_BASE = 16 * 2 ** 20;
/** checkMemory refuses above this fraction of the limit (the fit errs up to 4% low; the heap grows in steps). */
const SAFETY = 0.9;

export interface MemoryEstimate {
  /** Total bytes. */
  bytes: number;
  /** Trainable parameters P. */
  parameters: number;
  /** Bytes by part. */
  parts: { parameters: number; activations: number; attention: number };
}

/** Exact parameter count of a model config (as Params builds it). */
export function parameterCount(m: ModelConfig): number {
  checkOneOf('parameterCount', 'm.kind', checkObject('parameterCount', 'm', m).kind, ['transformer', 'lstm', 'gru', 'rnn'] as const);
  if (m.kind === 'transformer') {
    const d = m.width, h = Math.round(m.mlpRatio * d), ln = m.norm === 'none' ? 0 : 2 * d;
    const attention = ln + (3 * d * d + 3 * d) + (d * d + d), mlp = ln + (d * h + h) + (h * d + d);
    // minimalFirstLayer: block 0 has no ln_2 and no MLP.
    return m.vocab * d + (m.positions === 'learned' ? m.contextLength * d : 0) + m.layers * (attention + mlp) - (m.minimalFirstLayer ? mlp : 0) + ln + d * m.classes + m.classes;
  }
  const G = m.kind === 'lstm' ? 4 : m.kind === 'gru' ? 3 : 1, h = m.width;
  // Layout 2 (rnn.ts): an embedding vocab×h, then per layer W_ih, W_hh (h×G·h) and two biases.
  return m.vocab * h + m.layers * (2 * h * G * h + 2 * G * h) + h * m.classes + m.classes;
}

/**
 * Bytes to train `c` (or, with `training: false`, to evaluate it: weights and forward
 * activations only) on batches of `batch` sequences of length `length` (default: the run's).
 */
export function estimateMemory(c: Pick<RunConfig, 'model' | 'batch' | 'length'> & { attnEntropy?: number; microBatch?: number }, o: { training?: boolean; length?: number; batch?: number } = {}): MemoryEstimate {
  checkObject('estimateMemory', 'c.model', checkObject('estimateMemory', 'c', c).model);
  checkObject('estimateMemory', 'o', o);
  const training = o.training ?? true;
  // Gradient accumulation (RunConfig.microBatch): activations are a micro-batch's, and the running
  // sum and the next part's gradients live beside the usual ones (2·P more).
  const accumulating = training && o.batch === undefined && c.microBatch !== undefined && c.microBatch < c.batch;
  const m = c.model, B = o.batch ?? (accumulating ? c.microBatch! : c.batch), T = o.length ?? c.length;
  const P = parameterCount(m);
  const parameters = 4 * (training ? (accumulating ? 19 : 17) : 1) * P;
  let activations: number, attention: number;
  if (m.kind === 'transformer') {
    // Attention dropout and the entropy penalty train on the unfused path (rows materialised).
    const exposed = training && ((m.attnDropout ?? 0) > 0 || (c.attnEntropy ?? 0) > 0);
    const d = m.width, h = Math.round(m.mlpRatio * d), fused = (d / m.heads) % 4 === 0 && !exposed;
    activations = 4 * ((training ? 2.7 : 0.9) * m.layers * B * T * (10 * d + 2 * h) + B * T * (3 * d + 4 * m.classes));
    attention = 4 * (fused ? (training ? 0.9 : 0.3) : training ? 12 : 3) * m.layers * B * m.heads * T * T;
  } else {
    attention = 0;
    const G = m.kind === 'lstm' ? 4 : m.kind === 'gru' ? 3 : 1, h = m.width;
    activations = 4 * m.layers * T * (training ? 4 * G * h * h + 20 * B * G * h : 6 * B * G * h);
  }
  return { bytes: HEAP_BASE + parameters + activations + attention, parameters: P, parts: { parameters, activations, attention } };
}

/**
 * The largest micro-batch (a divisor of the batch, so every micro-batch has the same size) whose
 * training estimate fits `limit` with checkMemory's margin: the whole batch when it fits, else
 * gradient accumulation over smaller parts. Undefined when even one sequence does not fit.
 */
export function fittingMicroBatch(c: Pick<RunConfig, 'model' | 'batch' | 'length'> & { attnEntropy?: number }, limit = WASM_HEAP_LIMIT): number | undefined {
  checkObject('fittingMicroBatch', 'c', c);
  if (!Number.isInteger(c.batch) || c.batch < 1) fail('fittingMicroBatch', `c.batch must be an integer ≥ 1, got ${c.batch}`);
  for (let m = c.batch; m >= 1; m--) {
    if (c.batch % m !== 0) continue;
    if (estimateMemory({ ...c, microBatch: m }).bytes <= SAFETY * limit) return m;
  }
  return undefined;
}

const gb = (x: number) => `${(x / 2 ** 30).toFixed(x < 2 ** 30 ? 2 : 1)} GiB`;

/**
 * Throws when the estimate exceeds `limit` bytes (default: the wasm heap limit), naming both and
 * what dominates. `what` says what is estimated ("training", "evaluation at T = 20000").
 */
export function checkMemory(e: MemoryEstimate, limit = WASM_HEAP_LIMIT, what = 'training', limitName = 'the tfjs-wasm heap limit (4 GiB, wasm32)'): void {
  const eo = checkObject('checkMemory', 'e', e);
  if (typeof eo.bytes !== 'number' || typeof eo.parts !== 'object' || eo.parts === null) fail('checkMemory', 'e must be a MemoryEstimate (from estimateMemory)');
  if (e.bytes <= SAFETY * limit) return;
  const big = Object.entries(e.parts).sort((a, b) => b[1] - a[1])[0];
  const why = big[0] === 'parameters' ? `${e.parameters.toLocaleString('en-US')} parameters with AdamW state` : big[0] === 'attention' ? 'attention B·heads·T² per layer' : 'activations B·T·width per layer';
  throw new Error(`${what} needs about ${gb(e.bytes)} (mostly ${why}: ${gb(big[1])}), above 90% of ${limitName} of ${gb(limit)}; use a smaller width, depth, batch or length`);
}
