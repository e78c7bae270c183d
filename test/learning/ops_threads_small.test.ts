// Add and LayerNorm split over worker threads (ops/add.ts, ops/nn.ts): the same bits as
// the one-thread path (tfjs-wasm's own Add; our one-pass LayerNorm backward), word for word through
// Uint32Array views, on 1, 2 and 3 threads with every call split (thresholds at 0): ±0,
// ±∞, subnormals, huge values, lengths and widths that are not multiples of 4, every broadcast the
// threaded Add takes (and some it hands back); a GPT training step with every kernel split gives
// the same losses and weights as one thread. ColumnSum stays on one thread (NOTES.md says why): it
// is checked against a plain loop here; UnsortedSegmentSum's kernel against backend.ts's loop.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, setThreads, threadCount } from '../../src/learning/backend.js';
import { layerNorm, columnSum, useThreadedSmallKernels, causalSelfAttention } from '../../src/learning/ops/index.js';
import { smallKernelParts } from '../../src/learning/ops/nn.js';
import { threadedAddCalls } from '../../src/learning/ops/add.js';
import { parallelThresholds } from '../../src/learning/ops/threads.js';
import { GptStep } from '../../bench/lib/gpt-step.js';

const saved = { ...parallelThresholds };

const SPECIAL = [0, -0, 1e-45, -1e-45, 1.1754942e-38, -1.1754942e-38, 5e-39, -5e-39, 3.4028235e38, -3.4028235e38, Infinity, -Infinity, 1, -1, 1e-7, 16777216, 0.1];

/** f32 values of every kind (NaN too when `nan`): random bit patterns, specials, plain numbers. */
const f32s = (n: number, nan = false) => fc.array(fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }).map((w) => new Float32Array(new Uint32Array([w]).buffer)[0]).filter((x) => nan || !Number.isNaN(x)),
  fc.constantFrom(...SPECIAL),
  fc.float({ min: -4, max: 4, noNaN: true }),
), { minLength: n, maxLength: n }).map((xs) => Float32Array.from(xs));

/** Runs `f` on fresh float32 tensors; returns the outputs' words. */
function words(inputs: { data: Float32Array; shape: number[] }[], f: (...ts: tf.Tensor[]) => tf.Tensor[]): Uint32Array[] {
  return tf.tidy(() => f(...inputs.map((i) => tf.tensor(i.data, i.shape, 'float32'))).map((t) => new Uint32Array((t.dataSync() as Float32Array).slice().buffer)));
}

/** The one-thread outputs (threaded small kernels off), then the same on every thread (on, every call split). */
function offAndOn(inputs: { data: Float32Array; shape: number[] }[], f: (...ts: tf.Tensor[]) => tf.Tensor[]): { want: Uint32Array[]; runs: Uint32Array[][] } {
  useThreadedSmallKernels(false);
  const want = words(inputs, f);
  useThreadedSmallKernels(true);
  return { want, runs: [words(inputs, f)] };
}

const isNaNWord = (w: number) => (w & 0x7f800000) === 0x7f800000 && (w & 0x7fffff) !== 0;

/** Every word equal; a NaN need only be a NaN (its sign and payload are unspecified in wasm). */
function expectSameWords({ want, runs }: { want: Uint32Array[]; runs: Uint32Array[][] }, what: string): void {
  runs.forEach((run, r) => want.forEach((w, o) => {
    const got = run[o];
    if (got.length !== w.length) throw new Error(`${what}: output ${o} has ${got.length} words, one thread ${w.length}`);
    for (let i = 0; i < w.length; i++) {
      if (got[i] !== w[i] && !(isNaNWord(got[i]) && isNaNWord(w[i]))) {
        throw new Error(`${what}: ${threadCount()} threads (run ${r}), output ${o}[${i}] = 0x${got[i].toString(16)}, one thread 0x${w[i].toString(16)}`);
      }
    }
  }));
}

describe.each([1, 2, 3])('Add, ColumnSum and LayerNorm on %i threads: the one-thread bits', (threads) => {
  beforeAll(async () => {
    await initBackend('wasm', { threads: 3 });
    expect(await setThreads(threads)).toBe(threads);
    Object.assign(parallelThresholds, { gemmMacs: 0, attentionWork: 0, elements: 0, streamElements: 0 });
  });
  afterAll(async () => {
    Object.assign(parallelThresholds, saved);
    useThreadedSmallKernels(true);
    await setThreads(1);
  });

  it('Add, same shape: tfjs-wasm\'s bits (odd lengths, ±0, ±∞, subnormals, NaN)', () => {
    const before = threadedAddCalls.count;
    let split = 0;
    fc.assert(fc.property(fc.integer({ min: 1, max: 203 }).chain((n) => fc.tuple(f32s(n, true), f32s(n, true))), ([a, b]) => {
      const n = a.length;
      if (n > 4 && threads > 1) split += 2; // ranges start on multiples of 4: shorter calls stay whole, on tfjs-wasm's kernel
      expectSameWords(offAndOn([{ data: a, shape: [n] }, { data: b, shape: [n] }], (x, y) => [tf.add(x, y), tf.add(y, x)]), `n=${n}`);
    }), { numRuns: 100 });
    // Every call that splits went to our kernel (on one thread: none, tfjs-wasm's kernel did all).
    expect(split).toBeGreaterThanOrEqual(threads > 1 ? 100 : 0);
    expect(threadedAddCalls.count - before).toBe(split);
  });

  it('Add, one operand broadcast over the other\'s rows (bias, position table, scalar, either order): tfjs-wasm\'s bits', () => {
    const before = threadedAddCalls.count;
    let split = 0;
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 37 }), fc.constantFrom('bias', 'table', 'scalar', 'ones') as fc.Arbitrary<string>,
      fc.integer({ min: 0, max: 2 ** 31 }),
      (B, T, m, kind, seed) => {
        const big = [B, T, m];
        const small = kind === 'bias' ? [m] : kind === 'table' ? [T, m] : kind === 'scalar' ? [] : [1, 1, m];
        const gen = (n: number) => fc.sample(f32s(n), { numRuns: 1, seed })[0];
        const [x, y] = [gen(B * T * m), gen(Math.max(1, small.reduce((p, q) => p * q, 1)))];
        const res = offAndOn([{ data: x, shape: big }, { data: y, shape: small }], (u, v) => [tf.add(u, v), tf.add(v, u)]);
        const n = B * T * m;
        if (threads > 1 && (y.length === n ? n > 4 : n / y.length > 1)) split += 2; // as big as x: split by elements; else by rows (of y's size)
        expectSameWords(res, `[${big}] + [${small}]`);
      }), { numRuns: 100 });
    expect(split).toBeGreaterThanOrEqual(threads > 1 ? 100 : 0);
    expect(threadedAddCalls.count - before).toBe(split);
  });

  it('Add it does not take (int32, [r, 1] + [1, m]) still gives tfjs-wasm\'s result', () => {
    const before = threadedAddCalls.count;
    const r = tf.tidy(() => [tf.add(tf.tensor2d([1, 2, 3], [3, 1]), tf.tensor2d([10, 20], [1, 2])).arraySync(), tf.add(tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3, 4], 'int32')).arraySync()]);
    expect(r).toEqual([[[11, 21], [12, 22], [13, 23]], [4, 6]]);
    expect(threadedAddCalls.count).toBe(before);
    expect(() => tf.add(tf.zeros([2, 3]), tf.zeros([4]))).toThrow(/broadcast/i);
  });

  it('ColumnSum (on one thread at every count): rows ascending from +0, as a plain loop (any width, specials)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 150 }), fc.integer({ min: 1, max: 75 }), fc.integer({ min: 0, max: 2 ** 31 }), (N, d, seed) => {
      const x = fc.sample(f32s(N * d), { numRuns: 1, seed })[0];
      const res = offAndOn([{ data: x, shape: [N, d] }], (t) => [columnSum(t)]);
      // The one-thread kernel is itself the plain order: rows ascending from +0, one f32 add each.
      const want = new Float32Array(d);
      for (let r = 0; r < N; r++) for (let c = 0; c < d; c++) want[c] = Math.fround(want[c] + x[r * d + c]);
      res.runs.push([new Uint32Array(want.buffer)]);
      expectSameWords(res, `[${N}, ${d}]`);
    }), { numRuns: 60 });
  });

  it('UnsortedSegmentSum (the embedding gradient): the plain loop\'s bits (repeated and out-of-range ids, any width, specials)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 21 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 2 ** 31 }), (n, d, V, seed) => {
      const x = fc.sample(f32s(n * d), { numRuns: 1, seed })[0];
      const ids = Int32Array.from(fc.sample(fc.integer({ min: -2, max: V + 1 }), { numRuns: n, seed: seed + 1 }));
      const res = tf.tidy(() => {
        const run = () => {
          const t = tf.tensor2d(x, [n, d]);
          return new Uint32Array((tf.unsortedSegmentSum(t, tf.tensor1d(ids, 'int32'), V).dataSync() as Float32Array).slice().buffer);
        };
        useThreadedSmallKernels(false); // the plain loop in backend.ts, as before
        const want = run();
        useThreadedSmallKernels(true);
        return { want: [want], runs: [[run()]] };
      });
      expectSameWords(res, `n=${n} d=${d} V=${V}`);
    }), { numRuns: 60 });
  });

  it('LayerNorm forward and its gradients (x, g, b): the one-thread bits', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 }).map((k) => 4 * k), fc.boolean(), fc.integer({ min: 0, max: 2 ** 31 }),
      (B, T, d, special, seed) => {
        const n = B * T * d;
        const gen = (k: number, s: number) => (special ? fc.sample(f32s(k), { numRuns: 1, seed: seed + s })[0] : Float32Array.from({ length: k }, (_, i) => Math.sin(seed + s * 7919 + i * 1.7) * 3));
        const inputs = [{ data: gen(n, 0), shape: [B, T, d] }, { data: gen(d, 1), shape: [d] }, { data: gen(d, 2), shape: [d] }];
        const w = tf.tidy(() => tf.keep(tf.cos(tf.range(0, n).reshape([B, T, d]))));
        try {
          const res = offAndOn(inputs, (x, g, b) => [
            layerNorm(x, g, b),
            ...tf.grads((x2: tf.Tensor, g2: tf.Tensor, b2: tf.Tensor) => tf.sum(tf.mul(layerNorm(x2, g2, b2), w)))([x, g, b]),
          ]);
          expectSameWords(res, `[${B}, ${T}, ${d}] special=${special}`);
        } finally {
          w.dispose();
        }
      }), { numRuns: 40 });
  });
});

describe('the threaded small kernels in a whole step', () => {
  beforeAll(async () => {
    await initBackend('wasm', { threads: 3 });
    Object.assign(parallelThresholds, { gemmMacs: 0, attentionWork: 0, elements: 0, streamElements: 0 });
  });
  afterAll(async () => {
    Object.assign(parallelThresholds, saved);
    useThreadedSmallKernels(true);
    await setThreads(1);
  });

  it('a GPT training step with every kernel split: the same losses and weights on 1, 2 and 3 threads', async () => {
    const cfg = { layers: 2, width: 32, heads: 4, length: 24, batch: 8, vocab: 8 };
    const run = async (n: number, on: boolean) => {
      useThreadedSmallKernels(on);
      await setThreads(n);
      const model = new GptStep(cfg, { attention: causalSelfAttention, fused: true });
      try {
        const losses = [0, 1, 2].map(() => model.step());
        return { losses, weights: [...model.params.values()].map((p) => new Uint32Array((p.dataSync() as Float32Array).slice().buffer)) };
      } finally {
        model.dispose();
      }
    };
    const one = await run(1, false);
    for (const n of [2, 3]) {
      const many = await run(n, true);
      expect(many.losses).toEqual(one.losses);
      expectSameWords({ want: one.weights, runs: [many.weights] }, `weights after 3 steps on ${n} threads`);
    }
  });

  it('smallKernelParts and useThreadedSmallKernels name bad arguments', () => {
    expect(() => useThreadedSmallKernels('yes' as unknown as boolean)).toThrow(/useThreadedSmallKernels: on must be a boolean, got "yes"/);
    expect(() => smallKernelParts(-1, 4)).toThrow(/smallKernelParts: units/);
    expect(() => smallKernelParts(4, 1.5)).toThrow(/smallKernelParts: elements/);
    expect(() => smallKernelParts(4, 4, 0)).toThrow(/smallKernelParts: align/);
  });
});
