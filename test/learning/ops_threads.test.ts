// Our wasm kernels on worker threads (ops/threads.ts over tfjs' memory made shared): gemm, fused
// attention and GELU on 1, 2 and 3 threads give the same bits (and gemm the scalar reference's
// bits) on random shapes with every call split (thresholds at 0); a whole GPT training step gives
// the same losses and weights; workers stop and restart; no tensor or wasm-heap growth; bad input.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, setThreads, threadCount, type WasmBackendInternals } from '../../src/learning/backend.js';
import { matMulT, gemmReference, gemmSplit, setGemmSplit, causalSelfAttentionPackedFused, causalSelfAttentionFused, gelu } from '../../src/learning/ops/index.js';
import { parallelThresholds, splitRange } from '../../src/learning/ops/threads.js';
import { scratchStats } from '../../src/learning/ops/attention_kernels.js';
import { GptStep } from '../../bench/lib/gpt-step.js';
import { causalSelfAttention } from '../../src/learning/ops/index.js';
import { Rng } from '../../src/random/prng.js';
import { randn } from './helpers.js';

const saved = { ...parallelThresholds };

/** Runs `f` on fresh tensors at each thread count; returns the outputs' arrays per count. */
async function atThreads(counts: number[], inputs: { data: Float32Array; shape: number[] }[], f: (...ts: tf.Tensor[]) => tf.Tensor[]): Promise<Float32Array[][]> {
  const out: Float32Array[][] = [];
  for (const n of counts) {
    expect(await setThreads(n)).toBe(n);
    out.push(tf.tidy(() => f(...inputs.map((i) => tf.tensor(i.data, i.shape))).map((t) => t.dataSync() as Float32Array)));
  }
  return out;
}

function expectSameBits(runs: Float32Array[][], what: string): void {
  for (let r = 1; r < runs.length; r++) {
    runs[0].forEach((want, o) => {
      const got = runs[r][o];
      if (got.length !== want.length) throw new Error(`${what}: output ${o} length ${got.length} vs ${want.length}`);
      for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) throw new Error(`${what}: run ${r} output ${o}[${i}] = ${got[i]}, one thread ${want[i]}`);
    });
  }
}

const shapeOf = (rows: number, cols: number, t: boolean) => (t ? [cols, rows] : [rows, cols]);

describe('kernels on worker threads (shared tfjs-wasm memory)', () => {
  beforeAll(async () => {
    await initBackend('wasm', { threads: 3 });
    // Split every call, however small, so the random shapes below exercise the split paths.
    Object.assign(parallelThresholds, { gemmMacs: 0, attentionWork: 0, elements: 0 });
  });
  afterAll(async () => {
    Object.assign(parallelThresholds, saved);
    await setThreads(1);
  });

  it('runs on a shared memory with the asked thread count', () => {
    const be = tf.backend() as unknown as WasmBackendInternals;
    expect(be.wasm.HEAPU8.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(threadCount()).toBe(3);
  });

  it('splitRange covers [0, n) in aligned, non-empty, ordered ranges', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 8 }), fc.constantFrom(1, 4, 8), (n, parts, align) => {
      const r = splitRange(n, parts, align);
      expect(r.length).toBeLessThanOrEqual(parts);
      let at = 0;
      for (const [a, b] of r) {
        expect(a).toBe(at);
        expect(b).toBeGreaterThan(a);
        expect(a % align).toBe(0);
        at = b;
      }
      expect(at).toBe(r.length ? n : 0);
      if (n > 0) expect(r.length).toBe(Math.min(parts, Math.ceil(n / align)));
    }), { numRuns: 300 });
  });

  it('gemm: 1, 2 and 3 threads give the scalar reference bits, every transpose mode, split by rows or columns', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 45 }), fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 250, max: 530 })),
      fc.boolean(), fc.boolean(), fc.constantFrom('auto', 'rows', 'columns'), fc.integer(),
      async (M, N, K, ta, tb, split, seed) => {
        const rng = new Rng(seed);
        const a = randn(rng, M * K);
        const b = randn(rng, K * N);
        const prev = setGemmSplit(split as 'auto' | 'rows' | 'columns');
        try {
          const runs = await atThreads([1, 2, 3], [{ data: a, shape: shapeOf(M, K, ta) }, { data: b, shape: shapeOf(K, N, tb) }], (x, y) => [matMulT(x, y, ta, tb)]);
          runs.push([gemmReference(a, b, M, N, K, ta, tb)]);
          expectSameBits(runs, `M=${M} N=${N} K=${K} ta=${ta} tb=${tb} split=${split}`);
        } finally {
          setGemmSplit(prev);
        }
      }), { numRuns: 60 });
  });

  it('gemm with a bias: the bits of tf.add(op(a)·op(b), bias) on 1, 2 and 3 threads, both splits (signed zeros, K = 0 and K past one block included)', async () => {
    const special = fc.constantFrom(0, -0, 1, -1, 1e-40, -1e-40, 3.4e38, -3.4e38);
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 45 }), fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 250, max: 300 })),
      fc.boolean(), fc.boolean(), fc.constantFrom('rows', 'columns'), fc.integer(), fc.array(special, { minLength: 0, maxLength: 6 }),
      async (M, N, K, ta, tb, split, seed, specials) => {
        const rng = new Rng(seed);
        const a = randn(rng, M * K);
        const b = randn(rng, K * N);
        const bias = randn(rng, N);
        specials.forEach((v, i) => (bias[(i * 7) % N] = v));
        const prev = setGemmSplit(split as 'rows' | 'columns');
        try {
          const inputs = [{ data: a, shape: shapeOf(M, K, ta) }, { data: b, shape: shapeOf(K, N, tb) }, { data: bias, shape: [N] }];
          const runs = await atThreads([1, 2, 3], inputs, (x, y, z) => [matMulT(x, y, ta, tb, z)]);
          runs.push(...(await atThreads([1], inputs, (x, y, z) => [tf.add(matMulT(x, y, ta, tb), z)])));
          expectSameBits(runs, `M=${M} N=${N} K=${K} ta=${ta} tb=${tb} split=${split} bias`);
        } finally {
          setGemmSplit(prev);
        }
      }), { numRuns: 40 });
    expect(() => matMulT(tf.zeros([2, 3]), tf.zeros([3, 4]), false, false, tf.zeros([3]))).toThrow(/bias must be a float32 tensor of shape \[4\], got float32 \[3\]/);
  });

  it('gemmSplit: parts tile C by whole 4-row groups or 8-column panels; small M goes by columns', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 4000 }), fc.boolean(), fc.integer({ min: 1, max: 4 }), (M, N, K, ta, threads) => {
      const { by, ranges } = gemmSplit(M, N, K, ta, threads);
      const [n, align] = by === 'rows' ? [M, 4] : [N, 8];
      expect(ranges.length).toBeGreaterThanOrEqual(1);
      expect(ranges.length).toBeLessThanOrEqual(threads);
      let at = 0;
      for (const [a, b] of ranges) {
        expect(a).toBe(at);
        expect(a % align).toBe(0);
        at = b;
      }
      expect(at).toBe(n);
    }), { numRuns: 300 });
    // The weight gradient xᵀ·dy of the benchmark's qkv layer (M = 128 ≪ K = 3200) by columns; its
    // forward (M = 3200 tokens) by rows.
    expect(gemmSplit(128, 384, 3200, true, 2).by).toBe('columns');
    expect(gemmSplit(3200, 384, 128, false, 2).by).toBe('rows');
    expect(() => gemmSplit(-1, 4, 4, false, 2)).toThrow(/M must be a non-negative integer, got -1/);
    expect(() => gemmSplit(4, 4, 4, false, 0)).toThrow(/threads must be a positive integer, got 0/);
    expect(() => setGemmSplit('diagonal' as 'rows')).toThrow(/mode must be 'auto', 'rows' or 'columns', got "diagonal"/);
  });

  it('fused attention (packed and [B, H, T, hs]), forward and gradients: same bits on 1, 2 and 3 threads', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 37 }), fc.constantFrom(4, 8, 16), fc.integer(),
      async (B, H, T, hs, seed) => {
        const rng = new Rng(seed);
        const d = H * hs;
        const w = (y: tf.Tensor) => tf.sum(tf.mul(y, tf.cos(tf.range(0, y.size).reshape(y.shape))));
        const packed = await atThreads([1, 2, 3], [{ data: randn(rng, B * T * 3 * d), shape: [B, T, 3 * d] }], (x) => [
          causalSelfAttentionPackedFused(x, H), tf.grad((z: tf.Tensor) => w(causalSelfAttentionPackedFused(z, H)))(x),
        ]);
        expectSameBits(packed, `packed B=${B} H=${H} T=${T} hs=${hs}`);
        const qkv = [0, 1, 2].map(() => ({ data: randn(rng, B * H * T * hs), shape: [B, H, T, hs] }));
        const split = await atThreads([1, 2, 3], qkv, (q, k, v) => [
          causalSelfAttentionFused(q, k, v), ...tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => w(causalSelfAttentionFused(a, b, c)))([q, k, v]),
        ]);
        expectSameBits(split, `[B, H, T, hs] B=${B} H=${H} T=${T} hs=${hs}`);
      }), { numRuns: 25 });
    expect(scratchStats.outstanding).toBe(0);
  });

  it('GELU forward and gradient: same bits on 1, 2 and 3 threads (ranges not multiples of 4 included)', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 300 }), fc.integer(), async (n, seed) => {
      const x = randn(new Rng(seed), n, 3);
      const runs = await atThreads([1, 2, 3], [{ data: x, shape: [n] }], (t) => [gelu(t), tf.grad((z: tf.Tensor) => tf.sum(tf.mul(gelu(z), z)))(t)]);
      expectSameBits(runs, `n=${n}`);
    }), { numRuns: 40 });
  });

  it('a GPT training step: same losses and weights on 1 and 2 threads (default thresholds)', async () => {
    Object.assign(parallelThresholds, saved);
    try {
      const cfg = { layers: 2, width: 32, heads: 4, length: 24, batch: 8, vocab: 8 };
      const run = async (n: number) => {
        await setThreads(n);
        const model = new GptStep(cfg, { attention: causalSelfAttention, fused: true });
        try {
          const losses = [0, 1, 2].map(() => model.step());
          const weights = [...model.params.values()].map((p) => p.dataSync().slice() as Float32Array);
          return { losses, weights };
        } finally {
          model.dispose();
        }
      };
      const one = await run(1);
      const two = await run(2);
      expect(two.losses).toEqual(one.losses);
      expectSameBits([one.weights, two.weights], 'weights after 3 steps');
    } finally {
      Object.assign(parallelThresholds, { gemmMacs: 0, attentionWork: 0, elements: 0 });
    }
  });

  it('stops and restarts the workers; no tensor or wasm-heap growth across threaded calls', async () => {
    expect(await setThreads(1)).toBe(1);
    expect(threadCount()).toBe(1);
    expect(await setThreads(2)).toBe(2);
    const be = tf.backend() as unknown as WasmBackendInternals;
    const a = tf.randomNormal([300, 130]);
    const b = tf.randomNormal([130, 70]);
    const qkv = tf.randomNormal([4, 20, 48]);
    const once = () => tf.tidy(() => {
      matMulT(a, b).dataSync();
      matMulT(a, a, true, false);
      tf.grad((z: tf.Tensor) => tf.sum(causalSelfAttentionPackedFused(z, 2)))(qkv);
      gelu(a);
    });
    for (let i = 0; i < 3; i++) once();
    const tensors = tf.memory().numTensors;
    const heap = be.wasm.HEAPU8.buffer.byteLength;
    for (let i = 0; i < 20; i++) once();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(be.wasm.HEAPU8.buffer.byteLength).toBe(heap);
    tf.dispose([a, b, qkv]);
  });

  it('names bad thread counts', async () => {
    for (const bad of [0, -1, 2.5, 65, NaN]) await expect(setThreads(bad)).rejects.toThrow(/threads must be an integer in \[1, 64\], got/);
    await expect(initBackend('wasm', { threads: 'two' as unknown as number })).rejects.toThrow(/threads must be an integer in \[1, 64\], got "two"/);
  });

  it('disposing the wasm backend stops the workers (last: the backend is gone afterwards)', async () => {
    expect(await setThreads(2)).toBe(2);
    tf.removeBackend('wasm');
    expect(threadCount()).toBe(1);
  });
});
