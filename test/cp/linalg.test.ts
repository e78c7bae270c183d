import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/random/prng.js';
import { cholesky, choleskySolveRows, eigenvalues, inverse, jacobiEigen, realEigen, symmetricEigen } from '../../src/cp/linalg.js';
import { congruence, hungarian, matrix, randomMatrix } from '../../src/cp/index.js';

function randn(n: number, rng: Rng): Float64Array {
  return Float64Array.from({ length: n }, () => rng.nextNormal());
}
function mul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) c[i * n + j] += a[i * n + k] * b[k * n + j];
  return c;
}

describe('small dense linear algebra', () => {
  it('Cholesky solves X V = M for SPD V and rejects indefinite V', () => {
    const rng = new Rng(1);
    const n = 7;
    const g = randn(n * n, rng);
    const v = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) v[i * n + j] += g[k * n + i] * g[k * n + j];
    const xTrue = randn(3 * n, rng);
    const m = new Float64Array(3 * n);
    for (let r = 0; r < 3; r++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) m[r * n + j] += xTrue[r * n + k] * v[k * n + j];
    const l = v.slice();
    expect(cholesky(l, n)).toBe(true);
    choleskySolveRows(l, n, m, 3);
    for (let p = 0; p < 3 * n; p++) expect(m[p]).toBeCloseTo(xTrue[p], 9);
    expect(cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toBe(false);
  });

  it.each([
    ['tred2/tql2', symmetricEigen],
    ['Jacobi', jacobiEigen],
  ] as const)('%s: symmetric eigen-decomposition reconstructs S, orthonormal vectors, values descending (property; rank-deficient too)', (_name, eig) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 14 }), fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 1e6 }), (n, rank, seed) => {
        const rng = new Rng(seed);
        const k = Math.min(rank, n) || n;
        const g = randn(n * k, rng);
        const s = new Float64Array(n * n); // G Gᵀ (rank k) or, for rank 0, a symmetric indefinite matrix
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          if (rank === 0) s[i * n + j] = g[(Math.min(i, j) * n + Math.max(i, j)) % (n * k)];
          else for (let c = 0; c < k; c++) s[i * n + j] += g[i * k + c] * g[j * k + c];
        }
        const { values, vectors } = eig(s, n);
        for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
        let scale = 1;
        for (const x of s) scale = Math.max(scale, Math.abs(x));
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          let x = 0, o = 0;
          for (let c = 0; c < n; c++) {
            x += vectors[i * n + c] * values[c] * vectors[j * n + c];
            o += vectors[c * n + i] * vectors[c * n + j];
          }
          expect(Math.abs(x - s[i * n + j])).toBeLessThan(1e-10 * scale);
          expect(Math.abs(o - (i === j ? 1 : 0))).toBeLessThan(1e-10);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('real eigen-decomposition of non-symmetric P D P⁻¹ recovers D and P (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
        const rng = new Rng(seed);
        const P = randn(n * n, rng);
        const Pinv = inverse(P, n);
        if (!Pinv) return true;
        const d = Float64Array.from({ length: n }, (_, i) => i + 1 + 0.5 * rng.nextFloat());
        const PD = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) PD[i * n + j] = P[i * n + j] * d[j];
        const M = mul(PD, Pinv, n);
        const eig = realEigen(M, n);
        expect(eig).not.toBeNull();
        const got = Array.from(eig!.values).sort((a, b) => a - b);
        got.forEach((x, i) => expect(x).toBeCloseTo(d[i], 6));
        // each vector is an eigenvector of M
        for (let e = 0; e < n; e++) for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += M[i * n + j] * eig!.vectors[j * n + e];
          expect(Math.abs(s - eig!.values[e] * eig!.vectors[i * n + e])).toBeLessThan(1e-6 * (1 + Math.abs(eig!.values[e])));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('complex eigenvalues are reported and realEigen refuses (callers fall back)', () => {
    const rot = Float64Array.from([0, -1, 0, 1, 0, 0, 0, 0, 2]); // eigenvalues ±i and 2
    const ev = eigenvalues(rot, 3)!;
    const im = Array.from(ev.im).map(Math.abs).sort();
    expect(im[0]).toBeCloseTo(0, 12);
    expect(im[1]).toBeCloseTo(1, 12);
    expect(im[2]).toBeCloseTo(1, 12);
    expect(realEigen(rot, 3)).toBeNull();
  });
});

describe('Hungarian matching and congruence', () => {
  function brute(cost: number[][]): number {
    const n = cost.length, m = cost[0].length;
    let best = Infinity;
    const used = new Array(m).fill(false);
    const go = (i: number, s: number): void => {
      if (i === n) { best = Math.min(best, s); return; }
      for (let j = 0; j < m; j++) if (!used[j]) { used[j] = true; go(i + 1, s + cost[i][j]); used[j] = false; }
    };
    go(0, 0);
    return best;
  }
  it('finds the optimal assignment (property, against brute force)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 1e6 }), (n, extra, seed) => {
        const rng = new Rng(seed);
        const cost = Array.from({ length: n }, () => Array.from({ length: n + extra }, () => Math.round(rng.nextFloat() * 20) - 5));
        const a = hungarian(cost);
        expect(new Set(a).size).toBe(n);
        expect(a.reduce((s, j, i) => s + cost[i][j], 0)).toBeCloseTo(brute(cost), 9);
      }),
      { numRuns: 200 },
    );
  });
  it('congruence is 1 up to permutation and scaling (with signs), and finds the permutation', () => {
    const rng = new Rng(4);
    const A = randomMatrix(10, 4, rng, 'normal');
    const perm = [2, 0, 3, 1];
    const scale = [-3, 0.5, 2, -0.1];
    const B = matrix(10, 4);
    for (let i = 0; i < 10; i++) for (let r = 0; r < 4; r++) B.data[i * 4 + perm[r]] = scale[r] * A.data[i * 4 + r];
    const c = congruence(A, B);
    expect(c.score).toBeCloseTo(1, 14);
    expect(c.permutation).toEqual(perm);
    const C = randomMatrix(10, 4, rng, 'normal');
    expect(congruence(A, C).score).toBeLessThan(0.9);
    expect(() => congruence(A, randomMatrix(9, 4, rng))).toThrow('congruence: A has 10 rows, B has 9');
  });
});
