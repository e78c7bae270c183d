// The fused AdamW kernel (ops/adamw.ts, assembly/nn/optim.ts) against the tf-op chain it
// replaces (AdamW.applyReference), both on tfjs-wasm: the same bits for parameters, moments and
// the gradient norm, on random shapes, values, hyperparameters and step counts.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/learning/backend.js';
import { AdamW, optimConfig, type OptimConfig } from '../../src/learning/optim.js';
import { adamwFused, clipScale, useFusedAdamW } from '../../src/learning/ops/adamw.js';
import { shareIdentity } from '../../src/learning/ops/identity.js';
import { useFusedGather } from '../../src/learning/ops/nn.js';
import { causalSelfAttention, embedding } from '../../src/learning/ops/index.js';
import { runConfig, Trainer } from '../../src/learning/index.js';
import { zoo } from '../../src/automata/index.js';
import { GptStep } from '../../bench/lib/gpt-step.js';
import { Rng } from '../../src/random/prng.js';
import { randn } from './helpers.js';

const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

/** Two AdamW instances on identical variables, one stepped fused, one by the chain; their bits after each step. */
function twin(shapes: number[][], cfg: OptimConfig, seed: number) {
  const rng = new Rng(seed);
  const init = shapes.map((s) => randn(rng, s.reduce((a, b) => a * b, 1), 0.5));
  const make = () => init.map((a, i) => tf.variable(tf.tensor(a, shapes[i]), true));
  const va = make();
  const vb = make();
  return { va, vb, fused: new AdamW(cfg, va), chain: new AdamW(cfg, vb), rng };
}

function sameBits(a: tf.Tensor[], b: tf.Tensor[]): void {
  for (let i = 0; i < a.length; i++) expect(bits(a[i])).toEqual(bits(b[i]));
}

describe('fused AdamW', () => {
  it('gives the bits of the tf-op chain: parameters, moments and norm, over several steps (random shapes, scales, hyperparameters)', async () => {
    await initBackend('wasm');
    await fc.assert(fc.asyncProperty(
      fc.array(fc.array(fc.integer({ min: 1, max: 13 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 }),
      fc.record({
        lr: fc.constantFrom(1e-3, 3e-4, 0.1, 2.5e-2),
        beta1: fc.constantFrom(0.9, 0.8, 0.95),
        beta2: fc.constantFrom(0.99, 0.999, 0.95),
        eps: fc.constantFrom(1e-8, 1e-6, 0.1),
        weightDecay: fc.constantFrom(0, 0.01, 0.1),
        clip: fc.constantFrom(0, 1, 0.05, 100),
      }),
      fc.constantFrom(1e-4, 1, 30),
      fc.integer({ min: 1, max: 6 }),
      fc.integer(),
      async (shapes, h, gradScale, steps, seed) => {
        const cfg = optimConfig({ steps: 10, ...h });
        const { va, vb, fused, chain, rng } = twin(shapes, cfg, seed);
        try {
          for (let s = 0; s < steps; s++) {
            const lr = h.lr * (1 - s / 10);
            const grads = shapes.map((sh) => tf.tensor(randn(rng, sh.reduce((a, b) => a * b, 1), gradScale), sh));
            const na = fused.apply(grads, lr);
            const nb = chain.applyReference(grads, lr);
            expect(bits(na)).toEqual(bits(nb));
            tf.dispose([na, nb, ...grads]);
            sameBits(va, vb);
            sameBits(fused.m, chain.m);
            sameBits(fused.v, chain.v);
          }
          expect(fused.t).toBe(chain.t);
        } finally {
          fused.dispose();
          chain.dispose();
          tf.dispose([...va, ...vb]);
        }
      }), { numRuns: 40 });
  });

  it('matches the chain on gradients that are zero, huge or mixed in magnitude (clip active and not)', async () => {
    await initBackend('wasm');
    for (const values of [[0, 0, 0, 0, 0], [NaN, 1, 2, 3, 4], [Infinity, 1, -Infinity, 0, 2], [1e30, -1e30, 3, 0, 1e-30], [1e-20, 2e-20, -1e-20, 0, 5], [65504, -1, 1, 0.5, 3e38]]) {
      const cfg = optimConfig({ steps: 5, lr: 1e-2 });
      const { va, vb, fused, chain } = twin([[5], [1, 5]], cfg, 7);
      try {
        for (let s = 0; s < 3; s++) {
          const grads = [tf.tensor1d(values), tf.tensor2d([values.map((x) => -x / 3)])];
          const na = fused.apply(grads, 1e-2);
          const nb = chain.applyReference(grads, 1e-2);
          expect(bits(na)).toEqual(bits(nb));
          tf.dispose([na, nb, ...grads]);
          sameBits(va, vb);
          sameBits(fused.m, chain.m);
          sameBits(fused.v, chain.v);
        }
      } finally {
        fused.dispose();
        chain.dispose();
        tf.dispose([...va, ...vb]);
      }
    }
  });

  it('clipScale: sqrt of the left-to-right f32 sum, then min(1, clip/(norm + 1e-6)); no clip gives 1', () => {
    expect(clipScale([9, 16], 1)).toEqual({ norm: 5, scale: Math.fround(1 / Math.fround(5 + Math.fround(1e-6))) });
    expect(clipScale([9, 16], 100).scale).toBe(1);
    expect(clipScale([9, 16], 0)).toEqual({ norm: 5, scale: 1 });
    // f32 accumulation: 2^24 + 1 + 1 stays 2^24 left to right.
    expect(clipScale([2 ** 24, 1, 1], 0).norm).toBe(Math.fround(Math.sqrt(2 ** 24)));
  });

  it('leaks no tensor and refuses mismatched input with one line naming it', async () => {
    await initBackend('wasm');
    const cfg = optimConfig({ steps: 5 });
    const { va, vb, fused, chain } = twin([[3, 4], [4]], cfg, 1);
    try {
      const grads = [tf.ones([3, 4]), tf.ones([4])];
      fused.apply(grads, 1e-3).dispose();
      const before = tf.memory().numTensors;
      fused.apply(grads, 1e-3).dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(() => fused.apply([grads[0]], 1e-3)).toThrow(/1 gradients for 2 variables/);
      expect(() => adamwFused(va, [grads[1], grads[1]], fused.m, fused.v, [true, false], { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, clip: 1, lr: 1, bc1: 0.1, bc2: 0.01 })).toThrow(/g\[0\] has 4 values, params\[0\] has 12/);
      expect(() => adamwFused(va, [tf.ones([3, 4], 'int32'), grads[1]], fused.m, fused.v, [true, false], { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, clip: 1, lr: 1, bc1: 0.1, bc2: 0.01 })).toThrow(/g\[0\]\.dtype is int32/);
      tf.dispose(grads);
    } finally {
      fused.dispose();
      chain.dispose();
      tf.dispose([...va, ...vb]);
    }
  });
});

/** Runs f with the step's fused kernels on (AdamW, shared Identity, row gather) or all off (the tf-op path). */
async function withFusion<T>(on: boolean, f: () => Promise<T> | T): Promise<T> {
  const was = [useFusedAdamW(on), shareIdentity(on), useFusedGather(on)];
  try {
    return await f();
  } finally {
    useFusedAdamW(was[0]);
    shareIdentity(was[1]);
    useFusedGather(was[2]);
  }
}

describe('whole training with the fused step kernels', () => {
  it('the benchmark GPT (gather embedding, AdamW): the same loss bits and weights after 5 steps as the tf-op path', async () => {
    await initBackend('wasm');
    const cfg = { layers: 2, width: 16, heads: 2, length: 12, batch: 3, vocab: 5 };
    const run = (on: boolean) => withFusion(on, () => {
      const m = new GptStep(cfg, { attention: causalSelfAttention, fused: true }, 3);
      try {
        const losses = Array.from({ length: 5 }, () => m.step());
        return { losses, weights: [...m.params.values()].map(bits) };
      } finally {
        m.dispose();
      }
    });
    const before = tf.memory().numTensors;
    const fused = await run(true);
    const chain = await run(false);
    expect(fused.losses.every(Number.isFinite)).toBe(true);
    expect(fused.losses).toEqual(chain.losses); // toEqual compares numbers with Object.is
    expect(fused.weights).toEqual(chain.weights);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('testbeds train (Trainer, transformer and lstm): the same loss, norm and weights over 6 steps as the tf-op path', async () => {
    await initBackend('wasm');
    for (const model of ['transformer', 'lstm'] as const) {
      const run = (on: boolean) => withFusion(on, () => {
        const t = new Trainer(runConfig({ automaton: zoo('cyclic:3'), model, layers: 1, width: 8, heads: 2, length: 6, batch: 4, steps: 6, evalBatches: 1, seed: 4, lr: 3e-2, clip: 0.5 }));
        try {
          const steps = Array.from({ length: 6 }, () => t.trainStep());
          return { steps, weights: Array.from(new Uint32Array(t.model.params.flatten().buffer)), moments: Array.from(new Uint32Array(t.optimizer.flatten().buffer)) };
        } finally {
          t.dispose();
        }
      });
      const fused = await run(true);
      const chain = await run(false);
      expect(fused.steps).toEqual(chain.steps);
      expect(fused.weights).toEqual(chain.weights);
      expect(fused.moments).toEqual(chain.moments);
    }
  });
});

describe('embedding row gather and shared Identity', () => {
  it('embedding gives tf.gather\'s bits, forward and table gradient (random shapes, repeated ids)', async () => {
    await initBackend('wasm');
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 33 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 3 }), fc.integer(), async (V, d, idShape, seed) => {
      const rng = new Rng(seed);
      const n = idShape.reduce((a, b) => a * b, 1);
      const table = tf.tensor(randn(rng, V * d), [V, d]);
      const ids = tf.tensor(Int32Array.from({ length: n }, () => rng.nextInt(V)), idShape, 'int32');
      const w = tf.tensor(randn(rng, n * d), [...idShape, d]);
      const run = (on: boolean) => {
        const was = useFusedGather(on);
        try {
          return tf.tidy(() => {
            const y = embedding(ids, table);
            const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embedding(ids, t), w)))(table);
            return [bits(y), bits(g), y.shape];
          });
        } finally {
          useFusedGather(was);
        }
      };
      expect(run(true)).toEqual(run(false));
      tf.dispose([table, ids, w]);
    }), { numRuns: 30 });
  });

  it('embedding refuses an id outside [0, V) with one line naming it', async () => {
    await initBackend('wasm');
    const table = tf.zeros([4, 8]);
    const ids = tf.tensor1d([0, 3, 4], 'int32');
    expect(() => embedding(ids, table)).toThrow(/id 4 at position 2 is not in \[0, 3\]/);
    tf.dispose([table, ids]);
  });

  it('a clone shares its data: same values, and either may be disposed first', async () => {
    await initBackend('wasm');
    const a = tf.tensor1d([1, 2, 3]);
    const before = tf.memory().numDataBuffers;
    const b = tf.clone(a);
    expect(tf.memory().numDataBuffers).toBe(before); // no copy
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    b.dispose();
    const was = shareIdentity(false);
    const c = tf.tensor1d([4, 5]);
    const d = tf.clone(c);
    expect(tf.memory().numDataBuffers).toBe(before + 1); // a and b are gone; c and its copy (tfjs-wasm's Identity when sharing is off)
    expect(Array.from(d.dataSync())).toEqual([4, 5]);
    shareIdentity(was);
    tf.dispose([c, d]);
  });
});
