// The fused AssemblyScript attention kernels vs the plain-ops reference on wasm: forward and all
// three gradients on random shapes (fast-check), peaked softmax rows, and which path is taken.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/learning/backend.js';
import {
  causalSelfAttention, causalSelfAttentionFused, causalSelfAttentionReference, fusedAttentionSupports,
  causalSelfAttentionPacked, causalSelfAttentionPackedFused, causalSelfAttentionPackedReference,
} from '../../src/learning/ops/index.js';
import { scratchStats, FORWARD_KERNEL } from '../../src/learning/ops/attention_kernels.js';
import { Rng } from '../../src/random/prng.js';
import { runOn, randn, expectClose } from './helpers.js';

function weightedSum(y: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mul(y, tf.cos(tf.range(0, y.size).reshape(y.shape))));
}

type Att = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.Tensor;
const forwardAndGrads = (att: Att) => (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) =>
  [att(q, k, v), ...tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => weightedSum(att(a, b, c)))([q, k, v])];

describe('fused causal attention (assembly/attention)', () => {
  it('matches the plain-ops reference, forward and gradients, on random shapes', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 37 }),
      fc.constantFrom(4, 8, 12, 16, 32), fc.constantFrom(0.1, 1, 4), fc.integer(),
      async (B, H, T, hs, scale, seed) => {
        const rng = new Rng(seed);
        const n = B * H * T * hs;
        const inputs = [0, 1, 2].map(() => ({ data: randn(rng, n, scale), shape: [B, H, T, hs] }));
        const fused = await runOn('wasm', inputs, forwardAndGrads(causalSelfAttentionFused));
        const ref = await runOn('wasm', inputs, forwardAndGrads(causalSelfAttentionReference));
        expectClose(fused, ref, 2e-5 * Math.max(1, scale * scale));
      }), { numRuns: 40 });
  });

  it('stays finite and exact on very peaked rows (scores differing by hundreds)', async () => {
    const [B, H, T, hs] = [1, 1, 9, 4];
    const q = new Float32Array(T * hs).fill(10);
    const k = Float32Array.from({ length: T * hs }, (_, i) => (Math.floor(i / hs) % 3) * 10 - 10);
    const v = Float32Array.from({ length: T * hs }, (_, i) => i);
    const inputs = [q, k, v].map((data) => ({ data, shape: [B, H, T, hs] }));
    const fused = await runOn('wasm', inputs, forwardAndGrads(causalSelfAttentionFused));
    const ref = await runOn('cpu', inputs, forwardAndGrads(causalSelfAttentionReference));
    for (const a of fused) for (const x of a) expect(Number.isFinite(x)).toBe(true);
    // Scores near 200 carry float32 rounding of ~200·6e-8 into exp; values up to 35 scale it: 2e-3.
    expectClose(fused, ref, 2e-3);
  });

  it('is what causalSelfAttention runs on wasm for hs % 4 = 0, and the reference otherwise', async () => {
    await initBackend('wasm');
    expect(fusedAttentionSupports([2, 2, 5, 8])).toBe(true);
    expect(fusedAttentionSupports([2, 2, 5, 6])).toBe(false);
    const kernelsRun = (shape: number[]) => {
      const names: string[] = [];
      tf.tidy(() => {
        const q = tf.ones(shape);
        const r = tf.engine().runKernel;
        const spy = (name: string, ...rest: unknown[]) => { names.push(name); return (r as (...a: unknown[]) => unknown).call(tf.engine(), name, ...rest); };
        (tf.engine() as unknown as { runKernel: unknown }).runKernel = spy;
        try { causalSelfAttention(q, q, q); } finally { (tf.engine() as unknown as { runKernel: unknown }).runKernel = r; }
      });
      return names;
    };
    expect(kernelsRun([1, 2, 5, 8])).toContain(FORWARD_KERNEL);
    expect(kernelsRun([1, 2, 5, 6])).not.toContain(FORWARD_KERNEL);
  });

  it('packed qkv [B, T, 3d] → [B, T, d] matches split/transpose + reference, forward and gradient', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 29 }), fc.constantFrom(4, 8, 16), fc.integer(),
      async (B, H, T, hs, seed) => {
        const d = H * hs;
        const inputs = [{ data: randn(new Rng(seed), B * T * 3 * d), shape: [B, T, 3 * d] }];
        const f = (att: (x: tf.Tensor) => tf.Tensor) => (x: tf.Tensor) => [att(x), tf.grad((t: tf.Tensor) => weightedSum(att(t)))(x)];
        const fused = await runOn('wasm', inputs, f((x) => causalSelfAttentionPackedFused(x, H)));
        const ref = await runOn('cpu', inputs, f((x) => causalSelfAttentionPackedReference(x, H)));
        expectClose(fused, ref, 2e-5);
        const viaOp = await runOn('wasm', inputs, (x) => [causalSelfAttentionPacked(x, H)]);
        expectClose(viaOp, [fused[0]], 0);
      }), { numRuns: 25 });
  });

  it('packed attention names bad input', async () => {
    await initBackend('wasm');
    tf.tidy(() => {
      expect(() => causalSelfAttentionPacked(tf.zeros([1, 4, 30]), 4)).toThrow(/qkv.shape\[2\] = 30 is not 3·heads·hs for heads = 4/);
      expect(() => causalSelfAttentionPacked(tf.zeros([4, 24]), 2)).toThrow(/qkv has rank 2/);
      expect(() => causalSelfAttentionPacked(tf.zeros([1, 4, 24]), 0)).toThrow(/heads must be a positive integer, got 0/);
    });
  });

  it('leaves no tensors and no scratch memory behind', async () => {
    await initBackend('wasm');
    const rng = new Rng(5);
    const shape = [2, 2, 7, 8];
    const q = tf.tensor(randn(rng, 2 * 2 * 7 * 8), shape);
    const step = () => tf.tidy(() => tf.grads((a: tf.Tensor) => weightedSum(causalSelfAttentionFused(a, a, a)))([q])[0].dataSync());
    step();
    const tensors = tf.memory().numTensors;
    const calls = scratchStats.calls;
    for (let i = 0; i < 4; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(scratchStats.outstanding).toBe(0);
    expect(scratchStats.calls).toBe(calls + 8); // one scratch per forward and per backward
    q.dispose();
  });

  it('packed attention leaves no tensors behind either', async () => {
    await initBackend('wasm');
    const qkv = tf.tensor(randn(new Rng(6), 2 * 5 * 24), [2, 5, 24]);
    const step = () => tf.tidy(() => tf.grad((a: tf.Tensor) => weightedSum(causalSelfAttentionPacked(a, 2)))(qkv).dataSync());
    step();
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(scratchStats.outstanding).toBe(0);
    qkv.dispose();
  });
});
