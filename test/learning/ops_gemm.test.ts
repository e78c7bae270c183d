// Our gemm kernel (assembly/nn/gemm.ts via ops/gemm.ts) against its plain scalar reference, bit for
// bit, on random shapes and all four transpose modes (edges: M % 4, N % 8, K across the 256-block);
// the reference against tf.matMul on tfjs-cpu; bad input; no tensor or wasm-heap growth.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type WasmBackendInternals } from '../../src/learning/backend.js';
import { matMulT, gemmReference } from '../../src/learning/ops/index.js';
import { Rng } from '../../src/random/prng.js';
import { runOn, randn, expectClose } from './helpers.js';

const shapeOf = (rows: number, cols: number, t: boolean) => (t ? [cols, rows] : [rows, cols]);

describe('gemm (TestbedsMatMul on wasm)', () => {
  it('equals the scalar reference bit for bit, every transpose mode, edge shapes', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 21 }), fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 250, max: 530 })),
      fc.boolean(), fc.boolean(), fc.integer(),
      async (M, N, K, ta, tb, seed) => {
        const rng = new Rng(seed);
        const a = randn(rng, M * K);
        const b = randn(rng, K * N);
        const [got] = await runOn('wasm', [{ data: a, shape: shapeOf(M, K, ta) }, { data: b, shape: shapeOf(K, N, tb) }], (x, y) => [matMulT(x, y, ta, tb)]);
        const want = gemmReference(a, b, M, N, K, ta, tb);
        expect(got.length).toBe(M * N);
        for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) throw new Error(`M=${M} N=${N} K=${K} ta=${ta} tb=${tb}: C[${i}] = ${got[i]}, reference ${want[i]}`);
      }), { numRuns: 60 });
  });

  it('the reference is a matrix product (agrees with tf.matMul on tfjs-cpu)', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 300 }), fc.boolean(), fc.boolean(), fc.integer(), async (M, N, K, ta, tb, seed) => {
      const rng = new Rng(seed);
      const a = randn(rng, M * K);
      const b = randn(rng, K * N);
      const cpu = await runOn('cpu', [{ data: a, shape: shapeOf(M, K, ta) }, { data: b, shape: shapeOf(K, N, tb) }], (x, y) => [matMulT(x, y, ta, tb)]);
      expectClose([gemmReference(a, b, M, N, K, ta, tb)], cpu, 1e-4);
    }), { numRuns: 25 });
  });

  it('names bad shapes and dtypes', async () => {
    await initBackend('wasm');
    tf.tidy(() => {
      expect(() => matMulT(tf.zeros([2, 3]), tf.zeros([4, 5]))).toThrow(/inner dimensions differ: op\(a\) is \[2, 3\], op\(b\) is \[4, 5\]/);
      expect(() => matMulT(tf.zeros([2, 3, 1]), tf.zeros([3, 5]))).toThrow(/a has rank 3, expected 2/);
      expect(() => matMulT(tf.zeros([2, 3]), tf.zeros([3, 5], 'int32'))).toThrow(/dtypes float32 and int32, expected float32/);
      expect(Array.from(matMulT(tf.zeros([2, 0]), tf.zeros([0, 3])).dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    });
  });

  it('leaks no tensors and no wasm heap across calls', async () => {
    await initBackend('wasm');
    const be = tf.backend() as unknown as WasmBackendInternals;
    const a = tf.randomNormal([300, 130]);
    const b = tf.randomNormal([130, 70]);
    const once = () => tf.tidy(() => { matMulT(a, b).dataSync(); matMulT(a, a, true, false); matMulT(b, b, false, true); });
    for (let i = 0; i < 3; i++) once();
    const tensors = tf.memory().numTensors;
    const heap = be.wasm.HEAPU8.buffer.byteLength;
    for (let i = 0; i < 40; i++) once();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(be.wasm.HEAPU8.buffer.byteLength).toBe(heap);
    a.dispose();
    b.dispose();
  });
});
