import { describe, expect, it } from 'vitest';
import { cp, congruence, factorMatchScore, fromFactors, maxRank, tensor3, norm, type CPResult } from '../../src/cp/index.js';
import { hmmLike, planted } from './helpers.js';

const backends = ['wasm', 'ts'] as const;

describe.each(backends)('cp (backend %s): planted random CP tensors 20x20x20', (backend) => {
  for (const R of [5, 10]) {
    for (const init of ['jennrich', 'svd'] as const) {
      it(`rank ${R}, init ${init}: relative error <= 1e-8 and congruence >= 0.9999`, () => {
        const { X, F } = planted([20, 20, 20], R, 100 + R);
        const res = cp(X, R, { init, tol: 1e-12, maxIter: 1000, backend });
        expect(res.relError).toBeLessThanOrEqual(1e-8);
        expect(res.fit).toBeCloseTo(1 - res.relError, 15);
        expect(res.converged).toBe(true);
        const fms = factorMatchScore(res, { factors: F });
        expect(fms.score).toBeGreaterThanOrEqual(0.9999);
        for (let n = 0; n < 3; n++) expect(congruence(res.factors[n], F[n]).score).toBeGreaterThanOrEqual(0.9999);
        // The returned model really reconstructs X (independent of the error bookkeeping).
        const Y = fromFactors(res.weights, res.factors);
        let d = 0;
        for (let p = 0; p < X.data.length; p++) d += (X.data[p] - Y.data[p]) ** 2;
        expect(Math.sqrt(d) / norm(X)).toBeLessThanOrEqual(1e-8);
      });
    }
  }

  it('jennrich is exact on a noiseless tensor (one polishing sweep), also with unequal dims', () => {
    const { X, F } = planted([12, 7, 9], 6, 7);
    const res = cp(X, 6, { init: 'jennrich', backend });
    expect(res.init).toBe('jennrich');
    expect(res.iterations).toBeLessThanOrEqual(2);
    expect(res.relError).toBeLessThan(1e-10);
    expect(factorMatchScore(res, { factors: F }).score).toBeGreaterThan(0.999999);
  });

  it('jennrich refuses what it cannot determine (a single slice; two components sharing a third-mode column) and falls back', () => {
    // 6×6×1: M1·M2⁻¹ = c·I, so any basis would pass as "the eigenvectors".
    const { X } = planted([6, 6, 1], 6, 12);
    const one = cp(X, 6, { init: 'jennrich', maxIter: 50, backend });
    expect(one.init).toBe('svd');
    expect(one.notes.join(' ')).toMatch(/mode 3 has a single slice/);
    // C's columns 0 and 1 equal: a repeated eigenvalue, eigenvectors undetermined in that plane.
    const { F } = planted([7, 8, 5], 3, 13);
    for (let k = 0; k < 5; k++) F[2].data[k * 3 + 1] = F[2].data[k * 3 + 0];
    const shared = cp(fromFactors(null, F), 3, { init: 'jennrich', maxIter: 50, backend });
    expect(shared.init).toBe('svd');
    expect(shared.notes.join(' ')).toMatch(/repeated eigenvalues/);
  });

  it('jennrich falls back to svd when the rank exceeds two dimensions, and says so', () => {
    const { X } = planted([4, 5, 30], 6, 8);
    const res = cp(X, 6, { init: 'jennrich', maxIter: 50, backend });
    expect(res.init).toBe('svd');
    expect(res.notes.join(' ')).toMatch(/jennrich init failed \(rank 6 exceeds two of the dimensions \[4, 5, 30\]\)/);
  });

  it('noisy planted tensor: jennrich + ALS with line search reaches the noise floor and the planted factors', () => {
    const { X, F } = planted([20, 20, 20], 6, 15);
    const sigma = 0.05;
    let s = 0;
    const noise = X.data.map((_, p) => sigma * Math.sin(p * 12.9898 + 78.233) * 1.7);
    for (const e of noise) s += e * e;
    const noisy = tensor3([20, 20, 20], X.data.map((x, p) => x + noise[p]));
    const res = cp(noisy, 6, { init: 'jennrich', linesearch: true, backend, maxIter: 300 });
    expect(res.converged).toBe(true);
    // The best rank-6 fit cannot beat the noise, and ALS should get within 1% of it.
    const floor = Math.sqrt(s) / norm(noisy);
    expect(res.relError).toBeLessThanOrEqual(floor * 1.01);
    expect(factorMatchScore(res, { factors: F }).score).toBeGreaterThan(0.99);
  });

  it('explicit initial factors are used as given (one sweep from the truth stays there)', () => {
    const { X, F } = planted([7, 8, 9], 3, 16);
    const res = cp(X, 3, { init: F, backend, maxIter: 3 });
    expect(res.init).toBe('given');
    expect(res.iterations).toBe(1);
    expect(res.relError).toBeLessThan(1e-12);
  });

  it('is scale-free: tensors of norm 1e150 and 1e-150 give the same fit and scaled weights', () => {
    const { X } = planted([6, 7, 8], 3, 18);
    const noisy = X.data.map((x, p) => x + 0.1 * Math.cos(p));
    const base = cp(tensor3([6, 7, 8], noisy), 3, { backend, seed: 2 });
    for (const scale of [1e150, 1e-150]) {
      const res = cp(tensor3([6, 7, 8], noisy.map((x) => x * scale)), 3, { backend, seed: 2 });
      expect(res.relError).toBeCloseTo(base.relError, 10);
      res.weights.forEach((w, r) => expect(w / scale).toBeCloseTo(base.weights[r], 8));
    }
  });

  it('a seeded run reproduces exactly; another seed differs', () => {
    const { X } = planted([10, 11, 12], 4, 9);
    const noisy = tensor3([10, 11, 12], X.data.map((x, p) => x + 0.05 * Math.sin(p * 12.9898)));
    const a = cp(noisy, 4, { init: 'random', seed: 42, maxIter: 60, backend });
    const b = cp(noisy, 4, { init: 'random', seed: 42, maxIter: 60, backend });
    expect(Array.from(b.weights)).toEqual(Array.from(a.weights));
    expect(b.history).toEqual(a.history);
    for (let n = 0; n < 3; n++) expect(Array.from(b.factors[n].data)).toEqual(Array.from(a.factors[n].data));
    const c = cp(noisy, 4, { init: 'random', seed: 43, maxIter: 60, backend });
    expect(c.history).not.toEqual(a.history);
  });

  it('without line search the error never increases across ALS sweeps', () => {
    const { X } = planted([15, 16, 17], 6, 11);
    const noisy = tensor3([15, 16, 17], X.data.map((x, p) => x + 0.3 * Math.cos(p * 78.233)));
    for (const init of ['random', 'svd'] as const) {
      const res = cp(noisy, 6, { init, seed: 5, maxIter: 150, tol: 0, backend });
      expect(res.history.length).toBe(150);
      for (let t = 1; t < res.history.length; t++) expect(res.history[t]).toBeGreaterThanOrEqual(res.history[t - 1] - 1e-12);
      expect(res.history[149] - res.history[0]).toBeGreaterThan(1e-3);
    }
  });

  it('onIteration reports every sweep and can stop a run', () => {
    const { X } = planted([8, 8, 8], 3, 17);
    const noisy = tensor3([8, 8, 8], X.data.map((x, p) => x + 0.2 * Math.sin(p * 7.7)));
    const seen: number[] = [];
    const res = cp(noisy, 3, { init: 'random', backend, tol: 0, maxIter: 50, onIteration: ({ iteration, fit }) => { seen.push(fit); return iteration < 7; } });
    expect(res.iterations).toBe(7);
    expect(res.converged).toBe(false);
    expect(seen.length).toBe(7);
    expect(seen.slice(0, 6)).toEqual(res.history.slice(0, 6)); // the last entry is replaced by the exact residual
  });

  it('restarts keep the best run', () => {
    const { X } = planted([8, 9, 10], 3, 12);
    const noisy = tensor3([8, 9, 10], X.data.map((x, p) => x + 0.2 * Math.sin(p * 3.1)));
    const runs = [0, 1, 2, 3].map((r) => r);
    const multi = cp(noisy, 3, { init: 'random', restarts: 4, seed: 3, maxIter: 30, backend });
    expect(runs).toContain(multi.restart);
    const single = cp(noisy, 3, { init: 'random', restarts: 1, seed: 3, maxIter: 30, backend });
    expect(multi.relError).toBeLessThanOrEqual(single.relError);
  });

  it('weights are sorted, columns unit norm, l2 regularisation shrinks the weights', () => {
    const { X } = planted([9, 9, 9], 3, 13);
    const res = cp(X, 3, { backend });
    for (let r = 1; r < 3; r++) expect(res.weights[r]).toBeLessThanOrEqual(res.weights[r - 1]);
    for (const f of res.factors) for (let r = 0; r < 3; r++) {
      let s = 0;
      for (let i = 0; i < f.rows; i++) s += f.data[i * 3 + r] ** 2;
      expect(Math.sqrt(s)).toBeCloseTo(1, 12);
    }
    const reg = cp(X, 3, { backend, l2: 50, maxIter: 200 });
    expect(reg.weights.reduce((a, b) => a + b)).toBeLessThan(res.weights.reduce((a, b) => a + b));
    expect(reg.relError).toBeGreaterThan(1e-6);
  });

  it('over-factored (rank 4 for a rank-2 tensor): the singular normal equations get a ridge, noted', () => {
    const { X } = planted([6, 6, 6], 2, 14);
    const res = cp(X, 4, { backend, init: 'svd', maxIter: 200 });
    expect(res.relError).toBeLessThan(1e-6);
    expect(Number.isFinite(res.fit)).toBe(true);
    if (res.notes.length) expect(res.notes.join(' ')).toMatch(/ridge/);
  });
});

describe('cp on HMM-like factors (Dirichlet columns, nearly collinear): where plain ALS swamps', () => {
  const { X, F } = hmmLike(20, 5, 20, 3);
  const runs: Record<string, CPResult> = {};
  const run = (name: string, init: 'random' | 'svd' | 'jennrich', linesearch: boolean) =>
    (runs[name] = cp(X, 5, { init, linesearch, seed: 1, tol: 1e-12, maxIter: 4000 }));

  it('plain ALS, line search and Jennrich all converge; line search and Jennrich need far fewer sweeps', () => {
    const plain = run('plain', 'svd', false);
    const ls = run('linesearch', 'svd', true);
    const jen = run('jennrich', 'jennrich', false);
    console.log(`HMM-like 20^3 rank 5 (Dirichlet conc 20): sweeps plain ALS ${plain.iterations}, line search ${ls.iterations} (${ls.linesearchAccepted} steps accepted), jennrich ${jen.iterations}`);
    for (const r of [ls, jen]) {
      expect(r.converged).toBe(true);
      expect(r.relError).toBeLessThan(1e-8);
      expect(factorMatchScore(r, { factors: F }).score).toBeGreaterThan(0.9999);
    }
    expect(plain.iterations).toBeGreaterThan(500); // swamp
    expect(ls.iterations * 2.5).toBeLessThan(plain.iterations);
    expect(ls.linesearchAccepted).toBeGreaterThan(0);
    expect(jen.iterations).toBeLessThanOrEqual(3);
  });
});

describe('cp: bad inputs give clear errors', () => {
  const { X } = planted([3, 4, 5], 2, 1);
  it('NaN or Infinity in the tensor names the index and the value', () => {
    const d = X.data.slice();
    d[(1 * 4 + 2) * 5 + 3] = NaN;
    expect(() => cp({ dims: [3, 4, 5], data: d }, 2)).toThrow('tensor[1][2][3] is NaN, expected a finite number');
    d[(1 * 4 + 2) * 5 + 3] = 0;
    d[7] = -Infinity;
    expect(() => tensor3([3, 4, 5], d)).toThrow('tensor[0][1][2] is -Infinity');
  });
  it('rank 0, non-integer and too large ranks', () => {
    expect(() => cp(X, 0)).toThrow('rank must be a positive integer, got 0');
    expect(() => cp(X, 2.5)).toThrow('rank must be a positive integer, got 2.5');
    expect(maxRank([3, 4, 5])).toBe(12);
    expect(() => cp(X, 13)).toThrow('rank 13 is larger than the bound min(IJ, IK, JK) = 12 for a 3x4x5 tensor');
  });
  it('wrong dims or data length', () => {
    expect(() => tensor3([3, 0, 5] as [number, number, number])).toThrow('tensor dims[1] must be a positive integer, got 0');
    expect(() => tensor3([3, 4, 5], new Float64Array(59))).toThrow('tensor.data has length 59, expected 3*4*5 = 60');
    expect(() => cp({ dims: [3, 4] as unknown as [number, number, number], data: X.data }, 2)).toThrow('tensor.dims must be [I, J, K]');
  });
  it('bad options and init shapes', () => {
    expect(() => cp(X, 2, { init: 'hosvd' as 'svd' })).toThrow('init must be one of random, svd, jennrich or [A, B, C], got "hosvd"');
    expect(() => cp(X, 2, { maxIter: 0 })).toThrow('maxIter must be a positive integer, got 0');
    expect(() => cp(X, 2, { l2: -1 })).toThrow('l2 must be a finite number >= 0, got -1');
    const { F } = planted([3, 4, 6], 2, 1);
    expect(() => cp(X, 2, { init: F })).toThrow('init[2] is 6x2, expected 5x2');
    expect(() => cp(tensor3([2, 2, 2]), 1)).toThrow('tensor is identically zero');
  });
});
