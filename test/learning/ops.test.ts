// Ops vs tfjs-cpu on tiny random shapes: forward values and gradients (linear, matmul, causal
// attention), the causal property, shape errors, and no tensor leak across repeated steps.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/learning/backend.js';
import { linear, matmul, causalSelfAttention, causalSelfAttentionReference } from '../../src/learning/ops/index.js';
import { Rng } from '../../src/random/prng.js';
import { runOn, randn, expectClose } from './helpers.js';

/** Loss with distinct weights per output element, so every gradient entry is exercised. */
function weightedSum(y: tf.Tensor): tf.Scalar {
  const w = tf.sin(tf.range(0, y.size).reshape(y.shape));
  return tf.sum(tf.mul(y, w));
}

describe('linear', () => {
  it('matches tfjs-cpu forward and gradients (with and without bias, rank 2 and 3)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }),
      fc.boolean(), fc.boolean(), fc.integer(),
      async (a, b, nIn, nOut, bias, rank3, seed) => {
        const rng = new Rng(seed);
        const xShape = rank3 ? [a, b, nIn] : [a * b, nIn];
        const inputs = [
          { data: randn(rng, a * b * nIn), shape: xShape },
          { data: randn(rng, nIn * nOut), shape: [nIn, nOut] },
          { data: randn(rng, nOut), shape: [nOut] },
        ];
        const f = (x: tf.Tensor, w: tf.Tensor, bb: tf.Tensor) => {
          const fn = (xx: tf.Tensor, ww: tf.Tensor, b2: tf.Tensor) => weightedSum(linear(xx, ww, bias ? b2 : undefined));
          const y = linear(x, w, bias ? bb : undefined);
          const gs = bias ? tf.grads(fn)([x, w, bb]) : tf.grads((xx: tf.Tensor, ww: tf.Tensor) => fn(xx, ww, bb))([x, w]);
          return [y, ...gs];
        };
        const wasm = await runOn('wasm', inputs, f);
        // Reference: plain tfjs ops with default gradients on the CPU backend.
        const ref = (x: tf.Tensor, w: tf.Tensor, bb: tf.Tensor) => {
          const plain = (xx: tf.Tensor, ww: tf.Tensor, b2: tf.Tensor) => {
            const y = tf.reshape(tf.matMul(tf.reshape(xx, [-1, nIn]), ww), [...xShape.slice(0, -1), nOut]);
            return bias ? tf.add(y, b2) : y;
          };
          const gs = bias
            ? tf.grads((xx: tf.Tensor, ww: tf.Tensor, b2: tf.Tensor) => weightedSum(plain(xx, ww, b2)))([x, w, bb])
            : tf.grads((xx: tf.Tensor, ww: tf.Tensor) => weightedSum(plain(xx, ww, bb)))([x, w]);
          return [plain(x, w, bb), ...gs];
        };
        const cpu = await runOn('cpu', inputs, ref);
        expectClose(wasm, cpu, 1e-5);
      }), { numRuns: 15 });
  });

  it('names the field on bad shapes', async () => {
    await initBackend('wasm');
    tf.tidy(() => {
      expect(() => linear(tf.zeros([2, 3]), tf.zeros([4, 5]))).toThrow(/x.shape \[2,3\] ends in 3, expected w's in = 4/);
      expect(() => linear(tf.zeros([2, 4]), tf.zeros([4, 5]), tf.zeros([4]))).toThrow(/b.shape \[4\], expected \[5\]/);
    });
  });
});

describe('matmul (batched, explicit-transpose gradient)', () => {
  it('matches tfjs-cpu tf.matMul forward and gradients', async () => {
    const rng = new Rng(7);
    const inputs = [{ data: randn(rng, 2 * 3 * 4 * 5), shape: [2, 3, 4, 5] }, { data: randn(rng, 2 * 3 * 5 * 2), shape: [2, 3, 5, 2] }];
    const wasm = await runOn('wasm', inputs, (a, b) => [matmul(a, b), ...tf.grads((x: tf.Tensor, y: tf.Tensor) => weightedSum(matmul(x, y)))([a, b])]);
    const cpu = await runOn('cpu', inputs, (a, b) => [tf.matMul(a, b), ...tf.grads((x: tf.Tensor, y: tf.Tensor) => weightedSum(tf.matMul(x, y)))([a, b])]);
    expectClose(wasm, cpu, 1e-5);
  });
});

/** Attention by definition, in float64 loops: the oracle for the tfjs versions. */
function attentionLoops(q: Float32Array, k: Float32Array, v: Float32Array, B: number, H: number, T: number, hs: number): Float64Array {
  const out = new Float64Array(B * H * T * hs);
  for (let bh = 0; bh < B * H; bh++) {
    const o = bh * T * hs;
    for (let i = 0; i < T; i++) {
      const s: number[] = [];
      for (let j = 0; j <= i; j++) {
        let d = 0;
        for (let c = 0; c < hs; c++) d += q[o + i * hs + c] * k[o + j * hs + c];
        s.push(d / Math.sqrt(hs));
      }
      const m = Math.max(...s);
      const e = s.map((x) => Math.exp(x - m));
      const z = e.reduce((x, y) => x + y, 0);
      for (let j = 0; j <= i; j++) for (let c = 0; c < hs; c++) out[o + i * hs + c] += (e[j] / z) * v[o + j * hs + c];
    }
  }
  return out;
}

describe('causalSelfAttention', () => {
  it('equals the definition and matches tfjs-cpu gradients on random shapes', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 9 }), fc.constantFrom(1, 3, 4, 8), fc.integer(),
      async (B, H, T, hs, seed) => {
        const rng = new Rng(seed);
        const n = B * H * T * hs;
        const inputs = [0, 1, 2].map(() => ({ data: randn(rng, n), shape: [B, H, T, hs] }));
        const f = (att: typeof causalSelfAttention) => (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) =>
          [att(q, k, v), ...tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => weightedSum(att(a, b, c)))([q, k, v])];
        const wasm = await runOn('wasm', inputs, f(causalSelfAttention));
        const cpu = await runOn('cpu', inputs, f(causalSelfAttentionReference));
        expectClose(wasm, cpu, 1e-4);
        const oracle = attentionLoops(inputs[0].data, inputs[1].data, inputs[2].data, B, H, T, hs);
        expectClose([wasm[0]], [Float32Array.from(oracle)], 1e-5);
      }), { numRuns: 20 });
  });

  it('is causal: changing k, v at the last position leaves earlier outputs unchanged', async () => {
    const rng = new Rng(3);
    const [B, H, T, hs] = [1, 2, 6, 4];
    const q = randn(rng, B * H * T * hs), k = randn(rng, B * H * T * hs), v = randn(rng, B * H * T * hs);
    const k2 = k.slice(), v2 = v.slice();
    for (let h = 0; h < H; h++) for (let c = 0; c < hs; c++) { k2[(h * T + T - 1) * hs + c] += 5; v2[(h * T + T - 1) * hs + c] -= 3; }
    const shape = [B, H, T, hs];
    const [a] = await runOn('wasm', [{ data: q, shape }, { data: k, shape }, { data: v, shape }], (x, y, z) => [causalSelfAttention(x, y, z)]);
    const [b] = await runOn('wasm', [{ data: q, shape }, { data: k2, shape }, { data: v2, shape }], (x, y, z) => [causalSelfAttention(x, y, z)]);
    for (let h = 0; h < H; h++) {
      for (let t = 0; t < T; t++) {
        const row = (x: Float32Array) => Array.from(x.slice((h * T + t) * hs, (h * T + t + 1) * hs));
        if (t < T - 1) expect(row(b)).toEqual(row(a));
        else expect(row(b)).not.toEqual(row(a));
      }
    }
  });

  it('rejects mismatched shapes by name', async () => {
    await initBackend('wasm');
    tf.tidy(() => {
      expect(() => causalSelfAttention(tf.zeros([1, 2, 3, 4]), tf.zeros([1, 2, 3, 5]), tf.zeros([1, 2, 3, 4]))).toThrow(/k.shape \[1,2,3,5\] differs from q.shape \[1,2,3,4\]/);
      expect(() => causalSelfAttention(tf.zeros([2, 3, 4]), tf.zeros([2, 3, 4]), tf.zeros([2, 3, 4]))).toThrow(/q has rank 3/);
    });
  });
});

describe('no tensor leak', () => {
  it('numTensors is flat across repeated forward+backward steps on wasm', async () => {
    await initBackend('wasm');
    const rng = new Rng(1);
    const w = tf.variable(tf.tensor2d(randn(rng, 8 * 8), [8, 8]));
    const x = tf.tensor3d(randn(rng, 2 * 5 * 8), [2, 5, 8]);
    const step = () => tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        const h = linear(x, w); // (2, 5, 8)
        const q = tf.transpose(tf.reshape(h, [2, 5, 2, 4]), [0, 2, 1, 3]); // (2, 2, 5, 4)
        return tf.sum(tf.square(causalSelfAttention(q, q, q)));
      });
      w.assign(tf.sub(w, tf.mul(grads[w.name], 0.01)));
    });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
    x.dispose();
  });
});
