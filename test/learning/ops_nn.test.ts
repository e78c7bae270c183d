// Fused LayerNorm, GELU and column-sum kernels (assembly/nn) on wasm vs plain tfjs ops on
// tfjs-cpu: forward and gradients on random shapes, odd sizes, bad input, no tensor leak.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/learning/backend.js';
import { layerNorm, layerNormReference, gelu, geluReference, columnSum, linear } from '../../src/learning/ops/index.js';
import { Rng } from '../../src/random/prng.js';
import { runOn, randn, expectClose } from './helpers.js';

function weightedSum(y: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mul(y, tf.sin(tf.add(tf.range(0, y.size).reshape(y.shape), 0.5))));
}

describe('gelu', () => {
  it('matches the plain-ops reference on cpu, forward and gradient, any size (SIMD body + scalar tail)', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 67 }), fc.constantFrom(0.5, 3, 12), fc.integer(), async (n, scale, seed) => {
      const inputs = [{ data: randn(new Rng(seed), n, scale), shape: [n] }];
      const f = (g: (x: tf.Tensor) => tf.Tensor) => (x: tf.Tensor) => [g(x), tf.grad((t: tf.Tensor) => weightedSum(g(t)))(x)];
      const wasm = await runOn('wasm', inputs, f(gelu));
      const cpu = await runOn('cpu', inputs, f(geluReference));
      expectClose(wasm, cpu, 2e-6);
    }), { numRuns: 30 });
  });

  it('has the known values gelu(0) = 0, gelu(x) ≈ x for large x, ≈ 0 for very negative x', async () => {
    await initBackend('wasm');
    const y = tf.tidy(() => Array.from(gelu(tf.tensor1d([0, 20, -20, 1])).dataSync()));
    expect(y[0]).toBe(0);
    expect(y[1]).toBeCloseTo(20, 5);
    expect(Math.abs(y[2])).toBeLessThan(1e-6);
    expect(y[3]).toBeCloseTo(0.8411920, 5); // 0.5·(1 + tanh(√(2/π)·1.044715))
  });
});

describe('layerNorm', () => {
  it('matches the plain-ops reference on cpu, forward and all three gradients', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.constantFrom(4, 8, 12, 64), fc.constantFrom(0.1, 1, 50), fc.integer(),
      async (a, b, d, scale, seed) => {
        const rng = new Rng(seed);
        const inputs = [
          { data: Float32Array.from(randn(rng, a * b * d, scale), (x, i) => x + (i % 3)), shape: [a, b, d] },
          { data: randn(rng, d), shape: [d] },
          { data: randn(rng, d), shape: [d] },
        ];
        const f = (ln: typeof layerNorm) => (x: tf.Tensor, g: tf.Tensor, bb: tf.Tensor) =>
          [ln(x, g, bb), ...tf.grads((u: tf.Tensor, v: tf.Tensor, w: tf.Tensor) => weightedSum(ln(u, v, w)))([x, g, bb])];
        const wasm = await runOn('wasm', inputs, f(layerNorm));
        const cpu = await runOn('cpu', inputs, f(layerNormReference));
        expectClose(wasm, cpu, 5e-5);
      }), { numRuns: 30 });
  });

  it('falls back to plain ops when d % 4 ≠ 0, and names bad shapes', async () => {
    const rng = new Rng(2);
    const inputs = [{ data: randn(rng, 2 * 6), shape: [2, 6] }, { data: randn(rng, 6), shape: [6] }, { data: randn(rng, 6), shape: [6] }];
    const wasm = await runOn('wasm', inputs, (x, g, b) => [layerNorm(x, g, b)]);
    const cpu = await runOn('cpu', inputs, (x, g, b) => [layerNormReference(x, g, b)]);
    expectClose(wasm, cpu, 1e-5);
    tf.tidy(() => {
      expect(() => layerNorm(tf.zeros([2, 8]), tf.zeros([4]), tf.zeros([8]))).toThrow(/g.shape \[4\], expected \[8\]/);
      expect(() => layerNorm(tf.zeros([2, 8]), tf.zeros([8]), tf.zeros([8]), 0)).toThrow(/eps must be > 0, got 0/);
    });
  });
});

describe('columnSum and the linear bias gradient', () => {
  it('sums over leading axes, any width', async () => {
    const rng = new Rng(4);
    for (const shape of [[3, 5], [2, 3, 8], [1, 1]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const inputs = [{ data: randn(rng, n), shape }];
      const wasm = await runOn('wasm', inputs, (x) => [columnSum(x)]);
      const cpu = await runOn('cpu', inputs, (x) => [tf.sum(tf.reshape(x, [-1, shape[shape.length - 1]]), 0)]);
      expectClose(wasm, cpu, 1e-6);
    }
  });

  it('linear b gradient on wasm equals Σ over rows of dy', async () => {
    await initBackend('wasm');
    const g = tf.tidy(() => {
      const x = tf.ones([4, 3]);
      const w = tf.ones([3, 2]);
      const b = tf.zeros([2]);
      return Array.from(tf.grads((bb: tf.Tensor) => tf.sum(tf.mul(linear(x, w, bb), tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]))))([b])[0].dataSync());
    });
    expect(g).toEqual([16, 20]);
  });
});

describe('no tensor leak', () => {
  it('LayerNorm + GELU forward/backward keeps numTensors flat', async () => {
    await initBackend('wasm');
    const rng = new Rng(9);
    const x = tf.tensor2d(randn(rng, 6 * 8), [6, 8]);
    const g = tf.variable(tf.ones([8]));
    const b = tf.variable(tf.zeros([8]));
    const step = () => tf.tidy(() => {
      const { grads } = tf.variableGrads(() => weightedSum(gelu(layerNorm(x, g, b))), [g, b]);
      g.assign(tf.sub(g, tf.mul(grads[g.name], 0.1)));
    });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose(); g.dispose(); b.dispose();
  });
});
