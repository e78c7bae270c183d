import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/random/prng.js';
import { cp, cpKernel, tensor3, tsOps, unfoldingGram, unfoldingGramWasm, wasmOps } from '../../src/cp/index.js';
import { planted } from './helpers.js';

function rand(n: number, rng: Rng): Float64Array {
  return Float64Array.from({ length: n }, () => rng.nextNormal());
}
function close(a: Float64Array, b: Float64Array, rel = 1e-12): void {
  expect(a.length).toBe(b.length);
  let scale = 1;
  for (let p = 0; p < b.length; p++) scale = Math.max(scale, Math.abs(b[p]));
  for (let p = 0; p < b.length; p++) if (Math.abs(a[p] - b[p]) > rel * scale) expect(a[p]).toBe(b[p]);
}

describe('cp kernel (WASM SIMD) against the TypeScript reference', () => {
  const shape = fc.record({
    I: fc.integer({ min: 1, max: 9 }),
    J: fc.integer({ min: 1, max: 9 }),
    K: fc.integer({ min: 1, max: 11 }),
    big: fc.boolean(),
    R: fc.integer({ min: 1, max: 9 }),
    seed: fc.integer({ min: 0, max: 1e9 }),
  });

  it('MTTKRP of all three modes (via the shared X ×₃ C), Gram and residual equal the reference on random shapes', () => {
    fc.assert(
      fc.property(shape, ({ I: i0, J: j0, K: k0, R, seed, big }) => {
        // big: several row blocks of the blocked mode-3 GEMM (~128 KiB of X per block).
        const [I, J, K] = big ? [i0 * 5, j0 * 5, k0 * 3] : [i0, j0, k0];
        const rng = new Rng(seed);
        const x = rand(I * J * K, rng), a = rand(I * R, rng), b = rand(J * R, rng), c = rand(K * R, rng);
        const used = cpKernel.arena.used;
        const [X, A, B, C, T, M1, M2, M3, G] = wasmOps.workspace([I * J * K, I * R, J * R, K * R, I * J * R, I * R, J * R, K * R, R * R]);
        try {
          X.set(x); A.set(a); B.set(b); C.set(c);
          const T0 = new Float64Array(I * J * R), m1 = new Float64Array(I * R), m2 = new Float64Array(J * R), m3 = new Float64Array(K * R), g = new Float64Array(R * R);
          M1.fill(NaN); M2.fill(NaN); M3.fill(NaN); G.fill(NaN); T.fill(NaN); // outputs must be fully written
          wasmOps.ttm3(X, I, J, K, C, R, T);
          tsOps.ttm3(x, I, J, K, c, R, T0);
          close(T, T0);
          wasmOps.mttkrp1(T, I, J, R, B, M1);
          tsOps.mttkrp1(T0, I, J, R, b, m1);
          close(M1, m1);
          wasmOps.mttkrp2(T, I, J, R, A, M2);
          tsOps.mttkrp2(T0, I, J, R, a, m2);
          close(M2, m2);
          T.fill(NaN);
          wasmOps.mttkrp3(X, I, J, K, A, B, R, M3, T);
          tsOps.mttkrp3(x, I, J, K, a, b, R, m3, T0);
          close(M3, m3);
          wasmOps.gram(C, K, R, G);
          tsOps.gram(c, K, R, g);
          close(G, g);
          T.fill(NaN);
          M3.fill(NaN);
          const rw = wasmOps.residualSq(X, I, J, K, A, B, C, R, T, M3);
          const rt = tsOps.residualSq(x, I, J, K, a, b, c, R, T0, m3);
          expect(Math.abs(rw - rt)).toBeLessThanOrEqual(1e-11 * Math.max(1, rt));
          // Mode-1 MTTKRP by definition, independent of both implementations.
          if (!big) for (let i = 0; i < I; i++) for (let r = 0; r < R; r++) {
            let s = 0;
            for (let j = 0; j < J; j++) for (let k = 0; k < K; k++) s += x[(i * J + j) * K + k] * b[j * R + r] * c[k * R + r];
            expect(Math.abs(M1[i * R + r] - s)).toBeLessThanOrEqual(1e-11 * Math.max(1, Math.abs(s)));
          }
        } finally {
          wasmOps.release();
        }
        expect(cpKernel.arena.used).toBe(used);
      }),
      { numRuns: 100 },
    );
  });

  it('unfolding Gram matrices X_(n) X_(n)ᵀ (HOSVD input) equal the reference for all modes', () => {
    fc.assert(
      fc.property(shape, ({ I, J, K, seed }) => {
        const rng = new Rng(seed);
        const t = tensor3([I, J, K], rand(I * J * K, rng));
        const used = cpKernel.arena.used;
        for (const mode of [0, 1, 2] as const) {
          const g = unfoldingGramWasm(t, mode);
          close(g.data, unfoldingGram(t, mode).data);
        }
        expect(cpKernel.arena.used).toBe(used);
      }),
      { numRuns: 80 },
    );
  });

  it('Cholesky solve equals the reference and rejects a non-PD matrix without touching M', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 1e9 }), (R, n, seed) => {
        const rng = new Rng(seed);
        const g = rand((R + 2) * R, rng);
        const v = new Float64Array(R * R);
        for (let a = 0; a < R; a++) for (let b = 0; b < R; b++) for (let i = 0; i < R + 2; i++) v[a * R + b] += g[i * R + a] * g[i * R + b];
        const m = rand(n * R, rng);
        const [V, M] = wasmOps.workspace([R * R, n * R]);
        try {
          V.set(v); M.set(m);
          const vr = v.slice(), mr = m.slice();
          expect(wasmOps.solveNormal(V, R, M, n)).toBe(tsOps.solveNormal(vr, R, mr, n));
          close(M, mr, 1e-10);
          V.fill(0); V[0] = -1; M.set(m);
          expect(wasmOps.solveNormal(V, R, M, n)).toBe(false);
          close(M, m, 0);
        } finally {
          wasmOps.release();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('fused factor update (Hadamard, l2, Cholesky, transposed SIMD solve, normalisation) equals the reference', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 30 }), fc.boolean(), fc.constantFrom(0, 0.5), fc.integer({ min: 0, max: 1e9 }), (R, n, normalize, l2, seed) => {
        const rng = new Rng(seed);
        const grams = [0, 1].map(() => {
          const g = rand((R + 3) * R, rng);
          const G = new Float64Array(R * R);
          for (let a = 0; a < R; a++) for (let b = 0; b < R; b++) for (let i = 0; i < R + 3; i++) G[a * R + b] += g[i * R + a] * g[i * R + b];
          return G;
        });
        const m = rand(n * R, rng);
        const [G1, G2, V, Vb, M, F] = wasmOps.workspace([R * R, R * R, R * R, R * R, n * R, n * R]);
        try {
          G1.set(grams[0]); G2.set(grams[1]); M.set(m); F.fill(NaN);
          const v = new Float64Array(R * R), vb = new Float64Array(R * R), mr = m.slice(), fr = new Float64Array(n * R);
          expect(wasmOps.updateFactor(G1, G2, R, l2, V, Vb, M, n, F, normalize)).toBe(true);
          expect(tsOps.updateFactor(grams[0], grams[1], R, l2, v, vb, mr, n, fr, normalize)).toBe(true);
          close(Vb, vb, 0);
          close(F, fr, 1e-8);
          close(M, fr, 1e-8);
          // Not positive definite: false, and M, F untouched.
          G1.fill(0); G1[0] = -1; M.set(m); F.set(fr);
          expect(wasmOps.updateFactor(G1, G2, R, 0, V, Vb, M, n, F, normalize)).toBe(false);
          close(M, m, 0);
          close(F, fr, 0);
        } finally {
          wasmOps.release();
        }
      }),
      { numRuns: 80 },
    );
  });

  it('a full cp() run gives the same sweeps on both backends, and leaves no arena memory behind', () => {
    const { X } = planted([13, 8, 11], 5, 21);
    const noisy = { dims: X.dims, data: X.data.map((x, p) => x + 0.1 * Math.sin(p)) };
    const used = cpKernel.arena.used;
    for (let rep = 0; rep < 3; rep++) {
      const w = cp(noisy, 5, { init: 'random', seed: 4, maxIter: 40, tol: 0, linesearch: true, backend: 'wasm' });
      const t = cp(noisy, 5, { init: 'random', seed: 4, maxIter: 40, tol: 0, linesearch: true, backend: 'ts' });
      expect(w.backend).toBe('wasm');
      expect(w.history.length).toBe(t.history.length);
      w.history.forEach((f, i) => expect(Math.abs(f - t.history[i])).toBeLessThan(1e-9));
      expect(cpKernel.arena.used).toBe(used);
    }
    // An error inside a run (here: a failing init check after allocation is impossible, so force
    // a throw from the driver with an all-zero factor) must release the workspace too.
    const zero = [0, 1, 2].map((n) => ({ rows: X.dims[n], cols: 2, data: new Float64Array(X.dims[n] * 2) })) as never;
    expect(() => cp(X, 2, { init: zero, backend: 'wasm' })).toThrow(/singular/);
    expect(cpKernel.arena.used).toBe(used);
  });
});
