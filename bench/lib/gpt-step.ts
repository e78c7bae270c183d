/**
 * A minimal GPT-style training step for the speed benchmark (bench/train.ts), built only from
 * src/learning/ops so it measures those ops and not the learn branch's model code.
 *
 * Token ids (B, T) → embedding + learned positions → L pre-LayerNorm blocks (causal attention,
 * GELU MLP ×4) → LayerNorm → head; softmax cross-entropy on every position; the trainer's AdamW
 * (src/learning/optim.ts: clip 1, β2 0.99, decay 0.01 on matrices) at a constant lr 3e-4, so the
 * benchmark times the optimizer `testbeds train` runs. The same model and optimizer are in
 * bench/torch_peer.py.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { linear, embedding, oneHotFloat, layerNorm, layerNormReference, gelu, geluReference, causalSelfAttentionPacked, causalSelfAttention } from '../../src/learning/ops/index.js';
import { causalSelfAttentionReference } from '../../src/learning/ops/attention.js';
import { customGrad } from '../../src/learning/ops/customgrad.js';
import { columnSum } from '../../src/learning/ops/nn.js';
import { Rng } from '../../src/random/prng.js';
import { AdamW, optimConfig } from '../../src/learning/optim.js';

export interface GptConfig {
  layers: number;
  width: number;
  heads: number;
  length: number; // T
  batch: number; // B
  vocab: number; // input letters and output classes
}

export type AttentionFn = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.Tensor;

/**
 * Which implementation of each op the step uses:
 * - attention: causalSelfAttention (fused kernels on wasm) or causalSelfAttentionReference;
 * - fused: LayerNorm, GELU and attention (packed: straight from the qkv projection) by our fused
 *   kernels (else plain tfjs ops);
 * - naive: what a first tfjs version looks like: tf.matMul with its default gradient (transpose
 *   flags), attention with transpose flags, tf.pow in GELU;
 * - xnnpack: dense layers by tf.matMul (XNNPACK) with explicit transposes in the gradient, as
 *   src/learning did before it had its own gemm (to measure that kernel in the same run).
 */
export interface OpSet {
  attention: AttentionFn;
  fused: boolean;
  naive?: boolean;
  xnnpack?: boolean;
}

const xnnpackDense = customGrad((x2: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x2, w]);
  return {
    value: tf.add(tf.matMul(x2, w), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.matMul(dy, tf.transpose(saved[1])), tf.matMul(tf.transpose(saved[0]), dy), columnSum(dy)],
  };
});

function xnnpackLinear(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const [nIn, nOut] = w.shape as [number, number];
  return tf.tidy(() => {
    const x2 = tf.reshape(x, [-1, nIn]);
    const y2 = xnnpackDense(x2, w, b ?? tf.zeros([nOut]));
    return tf.reshape(y2, [...x.shape.slice(0, -1), nOut]);
  });
}

function naiveLinear(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const [nIn, nOut] = w.shape as [number, number];
  const y = tf.reshape(tf.matMul(tf.reshape(x, [-1, nIn]), w), [...x.shape.slice(0, -1), nOut]);
  return b ? tf.add(y, b) : y;
}

function naiveAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor): tf.Tensor {
  const [T, hs] = q.shape.slice(2) as [number, number];
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
  const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hs)), tf.tensor2d(m, [T, T]));
  return tf.matMul(tf.softmax(scores), v);
}

function naiveGelu(x: tf.Tensor): tf.Tensor {
  // tanh approximation with tf.pow: a slow scalar loop on wasm, and its gradient adds log/where.
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

export class GptStep {
  readonly params: Map<string, tf.Variable> = new Map();
  private readonly optimizer: AdamW;
  /** The (constant) learning rate of every step. */
  readonly lr = 3e-4;
  private readonly rng: Rng;

  private readonly attention: AttentionFn;
  private readonly linear: typeof linear;
  private readonly layerNorm: typeof layerNorm;
  private readonly gelu: typeof gelu;

  constructor(readonly cfg: GptConfig, readonly ops: OpSet = { attention: causalSelfAttentionReference, fused: false }, seed = 1) {
    this.layerNorm = ops.fused ? layerNorm : layerNormReference;
    this.gelu = ops.naive ? naiveGelu : ops.fused ? gelu : geluReference;
    this.attention = ops.naive ? naiveAttention : ops.attention;
    this.linear = ops.naive ? naiveLinear : ops.xnnpack ? xnnpackLinear : linear;
    this.rng = new Rng(seed);
    const { layers: L, width: d, vocab: V, length: T } = cfg;
    const normal = (shape: number[], std: number) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = std * this.rng.nextNormal();
      return tf.tensor(a, shape);
    };
    const add = (name: string, t: tf.Tensor) => {
      this.params.set(name, tf.variable(t, true, name + '_' + Math.random().toString(36).slice(2)));
      t.dispose(); // the variable holds the data
    };
    add('wte', normal([V, d], 0.02));
    add('wpe', normal([T, d], 0.02));
    for (let l = 0; l < L; l++) {
      add(`h${l}.ln1.g`, tf.ones([d]));
      add(`h${l}.ln1.b`, tf.zeros([d]));
      add(`h${l}.attn.wqkv`, normal([d, 3 * d], 0.02));
      add(`h${l}.attn.bqkv`, tf.zeros([3 * d]));
      add(`h${l}.attn.wo`, normal([d, d], 0.02 / Math.sqrt(2 * L)));
      add(`h${l}.attn.bo`, tf.zeros([d]));
      add(`h${l}.ln2.g`, tf.ones([d]));
      add(`h${l}.ln2.b`, tf.zeros([d]));
      add(`h${l}.mlp.w1`, normal([d, 4 * d], 0.02));
      add(`h${l}.mlp.b1`, tf.zeros([4 * d]));
      add(`h${l}.mlp.w2`, normal([4 * d, d], 0.02 / Math.sqrt(2 * L)));
      add(`h${l}.mlp.b2`, tf.zeros([d]));
    }
    add('lnf.g', tf.ones([d]));
    add('lnf.b', tf.zeros([d]));
    add('head', normal([d, V], 0.02));
    this.optimizer = new AdamW(optimConfig({ steps: 1, lr: this.lr, warmup: 0 }), [...this.params.values()]);
  }

  get parameterCount(): number {
    let n = 0;
    for (const p of this.params.values()) n += p.size;
    return n;
  }

  private p(name: string): tf.Variable {
    return this.params.get(name)!;
  }

  /** Mean cross-entropy of next-state predictions; ids and labels are (B, T) int32. */
  loss(ids: tf.Tensor, labels: tf.Tensor): tf.Scalar {
    const { layers: L, width: d, heads: H, vocab: V } = this.cfg;
    const [B, T] = ids.shape;
    const hs = d / H;
    const { linear, layerNorm, gelu } = this;
    let x = tf.add(embedding(ids, this.p('wte')), tf.slice(this.p('wpe'), [0, 0], [T, d])); // (B, T, d)
    for (let l = 0; l < L; l++) {
      const h = layerNorm(x, this.p(`h${l}.ln1.g`), this.p(`h${l}.ln1.b`));
      const qkv = linear(h, this.p(`h${l}.attn.wqkv`), this.p(`h${l}.attn.bqkv`)); // (B, T, 3d)
      let y: tf.Tensor;
      if (this.ops.fused) {
        y = causalSelfAttentionPacked(qkv, H); // (B, T, d): one kernel, no split or transposes
      } else {
        const [q, k, v] = tf.split(qkv, 3, -1).map((t) => tf.transpose(tf.reshape(t, [B, T, H, hs]), [0, 2, 1, 3])); // (B, H, T, hs)
        y = tf.reshape(tf.transpose(this.attention(q, k, v), [0, 2, 1, 3]), [B, T, d]); // (B, T, d)
      }
      x = tf.add(x, linear(y, this.p(`h${l}.attn.wo`), this.p(`h${l}.attn.bo`)));
      const h2 = layerNorm(x, this.p(`h${l}.ln2.g`), this.p(`h${l}.ln2.b`));
      const m = linear(gelu(linear(h2, this.p(`h${l}.mlp.w1`), this.p(`h${l}.mlp.b1`))), this.p(`h${l}.mlp.w2`), this.p(`h${l}.mlp.b2`));
      x = tf.add(x, m);
    }
    const logits = linear(layerNorm(x, this.p('lnf.g'), this.p('lnf.b')), this.p('head')); // (B, T, V)
    const onehot = oneHotFloat(tf.reshape(labels, [-1]), V); // (B·T, V)
    return tf.losses.softmaxCrossEntropy(onehot, tf.reshape(logits, [-1, V])) as tf.Scalar;
  }

  /** Random letters and a cyclic-group running sum mod V as labels (cheap, and a real target). */
  batch(): { ids: tf.Tensor2D; labels: tf.Tensor2D } {
    const { batch: B, length: T, vocab: V } = this.cfg;
    const ids = new Int32Array(B * T);
    const labels = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      let s = 0;
      for (let t = 0; t < T; t++) {
        const a = this.rng.nextInt(V);
        s = (s + a) % V;
        ids[b * T + t] = a;
        labels[b * T + t] = s;
      }
    }
    return { ids: tf.tensor2d(ids, [B, T], 'int32'), labels: tf.tensor2d(labels, [B, T], 'int32') };
  }

  /** One optimizer step on a fresh batch; returns the loss. */
  step(): number {
    const { ids, labels } = this.batch();
    try {
      const vars = [...this.params.values()];
      const { value, grads } = tf.tidy(() => tf.variableGrads(() => this.loss(ids, labels), vars));
      const norm = this.optimizer.apply(vars.map((v) => grads[v.name]), this.lr);
      const loss = value.dataSync()[0];
      tf.dispose([value, norm, ...Object.values(grads)]);
      return loss;
    } finally {
      ids.dispose();
      labels.dispose();
    }
  }

  dispose(): void {
    for (const p of this.params.values()) p.dispose();
    this.optimizer.dispose();
  }
}

/** Our step at the backend's current thread count: one warm-up step, then `steps` timed steps (ms: mean, best; last loss). */
export function timeGptSteps(cfg: GptConfig, steps: number): { mean: number; best: number; loss: number } {
  const model = new GptStep(cfg, { attention: causalSelfAttention, fused: true });
  try {
    model.step();
    const times: number[] = [];
    let loss = NaN;
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      loss = model.step();
      times.push(performance.now() - t0);
    }
    return { mean: times.reduce((a, b) => a + b, 0) / steps, best: Math.min(...times), loss };
  } finally {
    model.dispose();
  }
}

/** The training benchmark's two configurations (bench/train.ts and the same-run A/B scripts, bench/lib/*-ab.ts). */
export const BENCH_CONFIGS: { name: string; cfg: GptConfig }[] = [
  { name: 'L=2 d=64 T=64 B=32', cfg: { layers: 2, width: 64, heads: 4, length: 64, batch: 32, vocab: 8 } },
  { name: 'L=4 d=128 T=100 B=32', cfg: { layers: 4, width: 128, heads: 4, length: 100, batch: 32, vocab: 8 } },
];

/**
 * The A/B scripts' command line: --rounds (1..50), --steps (1..100), --json FILE. A bad one exits
 * with status 2 and one line naming the option.
 */
export function abOptions(defaultRounds: number): { rounds: number; steps: number; json?: string } {
  const usage = (msg: string): never => {
    process.stderr.write(msg + '\n');
    process.exit(2);
  };
  let o: { rounds?: string; steps?: string; json?: string } = {};
  try {
    o = parseArgs({ options: { rounds: { type: 'string' }, steps: { type: 'string' }, json: { type: 'string' } } }).values;
  } catch (e) {
    usage((e as Error).message);
  }
  const rounds = Number(o.rounds ?? defaultRounds);
  const steps = Number(o.steps ?? 6);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) usage(`--rounds must be an integer in 1..50, got ${o.rounds}`);
  if (!Number.isInteger(steps) || steps < 1 || steps > 100) usage(`--steps must be an integer in 1..100, got ${o.steps}`);
  return { rounds, steps, json: o.json };
}

/** Median of a list (the mean of the middle two for an even length; NaN for an empty list). */
export function median(xs: number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  return v.length === 0 ? NaN : v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}
