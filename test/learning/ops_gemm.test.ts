// Our gemm kernel (assembly/nn/gemm.ts via ops/gemm.ts) against its plain scalar reference, bit for
// bit, on random shapes and all four transpose modes (edges: M % 4, N % 8, K across the 256-block);
// the reference against tf.matMul on tfjs-cpu; bad input; no tensor or wasm-heap growth.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type WasmBackendInternals } from '../../src/learning/backend.js';
import { matMulT, gemmReference, useRelaxedSimd, relaxedSimdSupported, gemmMode } from '../../src/learning/ops/index.js';
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

// The relaxed-SIMD gemm needs --experimental-wasm-relaxed-simd in Node 20, so it is checked in a
// child process on the built dist/ (the default build is checked bit for bit above).
const RELAXED_CHECK = `
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './dist/src/learning/backend.js';
import { matMulT, gemmReference, useRelaxedSimd, relaxedSimdSupported, gemmMode } from './dist/src/learning/ops/index.js';
import { Rng } from './dist/src/random/prng.js';
await initBackend('wasm');
const out = { supported: relaxedSimdSupported(), on: useRelaxedSimd(true), mode: gemmMode(), worst: 0, exactAfterOff: true };
const rng = new Rng(7);
for (let trial = 0; trial < 12; trial++) {
  const M = 1 + rng.nextInt(13), N = 1 + rng.nextInt(21), K = [3, 40, 300, 530][trial % 4];
  const ta = trial % 2 === 1, tb = trial % 3 === 1;
  const a = Float32Array.from({ length: M * K }, () => rng.nextNormal());
  const b = Float32Array.from({ length: K * N }, () => rng.nextNormal());
  const want = gemmReference(a, b, M, N, K, ta, tb);
  const run = () => tf.tidy(() => matMulT(tf.tensor(a, ta ? [K, M] : [M, K]), tf.tensor(b, tb ? [N, K] : [K, N]), ta, tb).dataSync());
  useRelaxedSimd(true);
  const got = run();
  for (let i = 0; i < want.length; i++) out.worst = Math.max(out.worst, Math.abs(got[i] - want[i]) / Math.sqrt(K));
  useRelaxedSimd(false);
  const exact = run();
  for (let i = 0; i < want.length; i++) if (!Object.is(exact[i], want[i])) out.exactAfterOff = false;
}
out.modeAfterOff = gemmMode();
out.tensors = tf.memory().numTensors;
console.log(JSON.stringify(out));
`;

describe('relaxed-SIMD gemm (opt-in)', () => {
  it('stays off where the runtime lacks relaxed SIMD, and validates its argument', async () => {
    await initBackend('wasm');
    expect(useRelaxedSimd(true)).toBe(relaxedSimdSupported());
    expect(gemmMode()).toBe(relaxedSimdSupported() ? 'relaxed-simd' : 'deterministic');
    expect(useRelaxedSimd(false)).toBe(false);
    expect(gemmMode()).toBe('deterministic');
    expect(() => useRelaxedSimd('yes' as unknown as boolean)).toThrow(/useRelaxedSimd: on must be a boolean, got "yes"/);
  });

  it('with --experimental-wasm-relaxed-simd: close to the reference (not bit-identical), and off again gives the exact bits', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--input-type=module', '-e', RELAXED_CHECK], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out).toMatchObject({ supported: true, on: true, mode: 'relaxed-simd', exactAfterOff: true, modeAfterOff: 'deterministic', tensors: 0 });
    expect(out.worst).toBeLessThan(1e-5);
  });
});
