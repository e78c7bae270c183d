/**
 * The learned predictor f: x_given ↦ ŷ ∈ R^(d^m) (m = number of masked positions).
 *
 * - `mlp`: one-hot(x_given) → Linear(d, width) → ReLU → Linear(width, d^m). The first layer is an
 *   embedding (N(0, 1), as PyTorch's nn.Embedding), the second N(0, 1/width).
 * - `transformer`: the trainer's own GPT-style Transformer (src/learning/models/transformer.ts) on
 *   the 3-token sequence with the masked positions (and any position outside the task) replaced by
 *   a [MASK] token d; the output is read at the last position, which attends to all three.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../random/prng.js';
import { modelConfig, type TransformerConfig } from '../models/config.js';
import { linear, oneHot } from '../models/layers.js';
import { Params } from '../models/params.js';
import { Transformer } from '../models/transformer.js';
import { checkInteger, checkObject, checkOneOf, checkOptions, fail, show } from '../../validate/index.js';
import { outputSize, parseMaskedTask, type MaskedTask } from './task.js';

/** Same as learn.ts's MAX_PREDICTOR_OUTPUTS (learn.ts imports this module). */
const MAX_PREDICTOR_OUTPUTS = 2 ** 16;

export type PredictorModelKind = 'mlp' | 'transformer';
export const PREDICTOR_MODELS: readonly PredictorModelKind[] = ['mlp', 'transformer'];

export interface PredictorModel {
  readonly params: Params;
  /** Values of x_given (B,) int32, 0-based → outputs (B, d^m). Call inside tf.tidy. */
  forward(given: tf.Tensor1D): tf.Tensor2D;
  dispose(): void;
}

class Mlp implements PredictorModel {
  readonly params = new Params();
  private readonly w1: tf.Variable;
  private readonly b1: tf.Variable;
  private readonly w2: tf.Variable;
  private readonly b2: tf.Variable;
  constructor(private readonly d: number, width: number, out: number, seed: number) {
    const rng = new Rng(seed);
    this.w1 = this.params.normal('embed.weight', [d, width], 1, rng);
    this.b1 = this.params.constant('embed.bias', [width], 0);
    this.w2 = this.params.normal('head.weight', [width, out], 1 / Math.sqrt(width), rng);
    this.b2 = this.params.constant('head.bias', [out], 0);
  }
  forward(given: tf.Tensor1D): tf.Tensor2D {
    const h = tf.relu(linear(oneHot(given, this.d), this.w1 as tf.Tensor2D, this.b1 as tf.Tensor1D)) as tf.Tensor2D; // (B, width)
    return linear(h, this.w2 as tf.Tensor2D, this.b2 as tf.Tensor1D); // (B, d^m)
  }
  dispose(): void {
    this.params.dispose();
  }
}

class MaskedTransformer implements PredictorModel {
  private readonly net: Transformer;
  constructor(private readonly d: number, private readonly task: MaskedTask, config: TransformerConfig, seed: number) {
    this.net = new Transformer(config, seed);
  }
  get params(): Params {
    return this.net.params;
  }
  forward(given: tf.Tensor1D): tf.Tensor2D {
    const B = given.shape[0];
    // (B, 3): [MASK] = d everywhere but the visible position.
    const cols = [1, 2, 3].map((p) => (p === this.task.given ? tf.reshape(given, [B, 1]) : tf.fill([B, 1], this.d, 'int32')));
    const letters = tf.concat(cols, 1) as tf.Tensor2D;
    const logits = this.net.forward(letters); // (B, 3, d^m)
    return tf.reshape(tf.slice(logits, [0, 2, 0], [B, 1, -1]), [B, -1]) as tf.Tensor2D;
  }
  dispose(): void {
    this.net.dispose();
  }
}

export interface PredictorModelOptions {
  kind: PredictorModelKind;
  d: number;
  task: MaskedTask;
  width: number;
  /** Transformer only. */
  layers?: number;
  heads?: number;
  seed: number;
}

export function createPredictorModel(o: PredictorModelOptions): PredictorModel {
  const where = 'createPredictorModel';
  const opts = checkOptions(where, o);
  checkOneOf(where, 'options.kind', opts.kind, PREDICTOR_MODELS);
  checkInteger(where, 'options.d', opts.d, 1, 2 ** 16);
  const t = checkObject(where, 'options.task', opts.task);
  if (typeof t.name !== 'string') fail(where, `options.task must be a MaskedTask (parseMaskedTask), got ${show(t)}`);
  const task = parseMaskedTask(t.name);
  const out = outputSize(task, o.d);
  if (out > MAX_PREDICTOR_OUTPUTS) fail(where, `task ${task.name} with d = ${o.d} has ${out} outputs; at most ${MAX_PREDICTOR_OUTPUTS}`);
  checkInteger(where, 'options.width', opts.width, 1, 4096);
  if (o.layers !== undefined) checkInteger(where, 'options.layers', o.layers, 1, 16);
  if (o.heads !== undefined) checkInteger(where, 'options.heads', o.heads, 1, 64);
  checkInteger(where, 'options.seed', opts.seed, 0, 2 ** 32 - 1);
  if (o.kind === 'transformer' && o.width % (o.heads ?? 4) !== 0) fail(where, `options.width = ${o.width} is not a multiple of heads = ${o.heads ?? 4}`);
  o = { ...o, task };
  if (o.kind === 'mlp') return new Mlp(o.d, o.width, out, o.seed);
  const config = modelConfig('transformer', { vocab: o.d + 1, classes: out, layers: o.layers ?? 2, width: o.width, heads: o.heads ?? 4, contextLength: 3 }) as TransformerConfig;
  return new MaskedTransformer(o.d, o.task, config, o.seed);
}
