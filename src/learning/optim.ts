/**
 * AdamW (Loshchilov & Hutter 2019) with decoupled weight decay on matrices only (nanoGPT's
 * choice: no decay on biases, LayerNorm gains or 1-D tensors), global-norm gradient clipping,
 * and a learning rate with linear warmup then cosine decay to `minLrRatio`·lr. The moments live
 * in tf.Variables and are serialisable, so a checkpoint restores the optimizer exactly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { cosTurns, powInt } from '../random/detmath.js';
import { checkInteger, checkObject } from '../validate/index.js';
import { adamwFused, adamwFusedSupported } from './ops/adamw.js';

export interface OptimConfig {
  /** Peak learning rate. Default 1e-3 (3e-4 for the paper preset). */
  readonly lr: number;
  /** Linear warmup steps. Default 5% of the run. */
  readonly warmup: number;
  /** Total steps (the cosine reaches its floor here). */
  readonly steps: number;
  /** Floor of the cosine as a fraction of lr. Default 0.1. */
  readonly minLrRatio: number;
  readonly beta1: number; // 0.9
  readonly beta2: number; // 0.99 (nanoGPT for small models; 0.999 is Adam's)
  readonly eps: number; // 1e-8
  /** Decoupled weight decay. Default 0.01. */
  readonly weightDecay: number;
  /** Global gradient-norm clip; 0 disables. Default 1. */
  readonly clip: number;
  /**
   * Raised horizons (`train --resume DIR --steps N`), oldest first: at step `at` the run, then
   * planned for `steps` steps, was extended (see learningRate and extendSchedule).
   */
  readonly extensions?: readonly { readonly at: number; readonly steps: number }[];
}

export function optimConfig(o: Partial<OptimConfig> & { steps: number }): OptimConfig {
  checkObject('optimConfig', 'o', o);
  const c: OptimConfig = {
    lr: o.lr ?? 1e-3,
    warmup: o.warmup ?? Math.round(0.05 * o.steps),
    steps: o.steps,
    minLrRatio: o.minLrRatio ?? 0.1,
    beta1: o.beta1 ?? 0.9,
    beta2: o.beta2 ?? 0.99,
    eps: o.eps ?? 1e-8,
    weightDecay: o.weightDecay ?? 0.01,
    clip: o.clip ?? 1,
  };
  if (!(c.lr > 0)) throw new Error(`lr must be > 0, got ${c.lr}`);
  if (!Number.isInteger(c.steps) || c.steps < 1) throw new Error(`steps must be an integer ≥ 1, got ${c.steps}`);
  if (!Number.isInteger(c.warmup) || c.warmup < 0) throw new Error(`warmup must be an integer ≥ 0, got ${c.warmup}`);
  return c;
}

/**
 * The schedule of a run planned for `c.steps` and, at step `at` (the steps done), extended to
 * `steps`. What "continuing the schedule" means: steps before `at` keep their learning rates
 * (so the extended run's history is the run that happened, and resuming stays bit-exact); from
 * `at` on, the rate decays by a half cosine from the rate step `at` would have had, lr_old(at),
 * to the same floor minLrRatio·lr, reached at the new `steps`. The curve is continuous and never
 * rises: no second warmup. So a run interrupted half-way and extended decays more slowly from
 * where it was; a finished run (at = old steps) is already at the floor and continues there.
 * An extension during warmup (at ≤ warmup) just moves the horizon: no rate so far depended on it.
 */
export function extendSchedule(c: OptimConfig, at: number, steps: number): OptimConfig {
  checkObject('extendSchedule', 'c', c);
  if (!Number.isInteger(steps) || steps < c.steps) throw new Error(`steps can only be raised: the run has ${c.steps}, got ${steps}`);
  if (!Number.isInteger(at) || at < 0 || at > c.steps) throw new Error(`extension step must be an integer in [0, ${c.steps}], got ${at}`);
  if (steps === c.steps) return c;
  if (at <= c.warmup && !c.extensions?.length) return { ...c, steps };
  return { ...c, steps, extensions: [...(c.extensions ?? []), { at, steps: c.steps }] };
}

/** Learning rate at step s (0-based). */
export function learningRate(c: OptimConfig, s: number): number {
  checkObject('learningRate', 'c', c);
  checkInteger('learningRate', 's', s, 0);
  const ext = c.extensions;
  if (ext && ext.length) {
    const last = ext[ext.length - 1];
    const before: OptimConfig = { ...c, steps: last.steps, extensions: ext.slice(0, -1) };
    if (s < last.at) return learningRate(before, s);
    const start = learningRate(before, last.at);
    const floor = c.minLrRatio * c.lr;
    const progress = Math.min(1, (s - last.at) / Math.max(1, c.steps - last.at));
    return floor + 0.5 * (start - floor) * (1 + cosTurns(progress / 2));
  }
  if (s < c.warmup) return (c.lr * (s + 1)) / c.warmup;
  const span = Math.max(1, c.steps - c.warmup);
  const progress = Math.min(1, (s - c.warmup) / span);
  const floor = c.minLrRatio * c.lr;
  return floor + 0.5 * (c.lr - floor) * (1 + cosTurns(progress / 2)); // cos(π·progress), same bits in every engine
}

export class AdamW {
  readonly m: tf.Variable[];
  readonly v: tf.Variable[];
  /** Number of updates applied so far (Adam's t). */
  t = 0;

  constructor(readonly config: OptimConfig, private readonly vars: tf.Variable[]) {
    // The variable shares the zeros' data; dispose the temporary so that no tensor outlives dispose().
    const zeros = (x: tf.Variable) => tf.tidy(() => tf.variable(tf.zerosLike(x), false));
    this.m = vars.map(zeros);
    this.v = vars.map(zeros);
  }

  /**
   * Clips, then applies one update; returns the pre-clip global gradient norm (a scalar tensor the
   * caller disposes). On wasm one fused kernel (ops/adamw.ts) does it all, with the same bits as
   * the tf-op chain (applyReference) that runs on other backends.
   */
  apply(grads: tf.Tensor[], lr: number): tf.Scalar {
    if (!adamwFusedSupported()) return this.applyReference(grads, lr);
    const c = this.config;
    if (grads.length !== this.vars.length) throw new Error(`AdamW.apply: ${grads.length} gradients for ${this.vars.length} variables`);
    this.t += 1;
    const t = this.t;
    const out = adamwFused(this.vars, grads, this.m, this.v, this.vars.map((p) => p.rank >= 2 && c.weightDecay > 0), {
      beta1: c.beta1, beta2: c.beta2, eps: c.eps, weightDecay: c.weightDecay, clip: c.clip, lr,
      bc1: 1 - powInt(c.beta1, t), bc2: 1 - powInt(c.beta2, t),
    });
    this.vars.forEach((p, i) => {
      this.m[i].assign(out.m[i]);
      this.v[i].assign(out.v[i]);
      p.assign(out.params[i]);
    });
    tf.dispose([...out.m, ...out.v, ...out.params]); // the variables hold the data now
    return out.norm;
  }

  /** apply as a chain of tf ops (any backend; the fused kernel's reference, bit for bit). */
  applyReference(grads: tf.Tensor[], lr: number): tf.Scalar {
    const c = this.config;
    if (grads.length !== this.vars.length) throw new Error(`AdamW.apply: ${grads.length} gradients for ${this.vars.length} variables`);
    this.t += 1;
    const t = this.t;
    return tf.tidy(() => {
      const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
      const scale = c.clip > 0 ? tf.minimum(1, tf.div(c.clip, tf.add(norm, 1e-6))) : tf.scalar(1);
      const bc1 = 1 - powInt(c.beta1, t);
      const bc2 = 1 - powInt(c.beta2, t);
      this.vars.forEach((p, i) => {
        const g = tf.mul(grads[i], scale);
        const m = tf.add(tf.mul(this.m[i], c.beta1), tf.mul(g, 1 - c.beta1));
        const v = tf.add(tf.mul(this.v[i], c.beta2), tf.mul(tf.square(g), 1 - c.beta2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), c.eps));
        const decay = p.rank >= 2 ? c.weightDecay : 0;
        const next = decay > 0 ? tf.sub(tf.mul(p, 1 - lr * decay), tf.mul(update, lr)) : tf.sub(p, tf.mul(update, lr));
        p.assign(next);
      });
      return tf.keep(norm);
    });
  }

  /** m then v of every variable, concatenated in variable order. */
  flatten(): Float32Array {
    const n = this.m.reduce((a, x) => a + x.size, 0);
    const out = new Float32Array(2 * n);
    let o = 0;
    for (const x of [...this.m, ...this.v]) {
      out.set(x.dataSync() as Float32Array, o);
      o += x.size;
    }
    return out;
  }

  load(flat: Float32Array, t: number): void {
    const n = this.m.reduce((a, x) => a + x.size, 0);
    if (flat.length !== 2 * n) throw new Error(`optimizer state has ${flat.length} values, expected ${2 * n}`);
    let o = 0;
    for (const x of [...this.m, ...this.v]) {
      const v = tf.tensor(flat.subarray(o, o + x.size), x.shape, 'float32');
      x.assign(v);
      v.dispose();
      o += x.size;
    }
    this.t = t;
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }
}
