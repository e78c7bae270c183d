// Non-negative CP by HALS (src/cp/hals.ts): factors stay ≥ 0, the fit never decreases, the TypeScript
// and WASM backends agree, an exact start stays exact, and bad input is refused with a clear message.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/prng.js';
import { cp, cpNonneg, fromFactors, tensor3 } from '../../src/cp/index.js';
import { hmmLike } from './helpers.js';

describe('cpNonneg (HALS)', () => {
  const { X } = hmmLike(6, 3, 20, 5);

  it('keeps every factor entry ≥ 0 and never lowers the fit from one sweep to the next', () => {
    const r = cpNonneg(X, 3, { seed: 1, maxIter: 300, tol: 0 });
    for (const f of r.factors) for (const x of f.data) expect(x).toBeGreaterThanOrEqual(0);
    for (let i = 1; i < r.history.length; i++) expect(r.history[i]).toBeGreaterThanOrEqual(r.history[i - 1] - 1e-12);
    expect(r.history.length).toBe(300);
    expect(r.fit).toBeGreaterThan(r.history[0]); // it did improve
  });

  it('the TypeScript reference and the WASM kernel give the same run', () => {
    const a = cpNonneg(X, 3, { seed: 2, maxIter: 200, backend: 'ts' });
    const b = cpNonneg(X, 3, { seed: 2, maxIter: 200, backend: 'wasm' });
    expect(Math.abs(a.relError - b.relError)).toBeLessThan(1e-10);
    a.factors.forEach((f, n) => f.data.forEach((x, i) => expect(Math.abs(x - b.factors[n].data[i])).toBeLessThan(1e-8)));
  });

  it('started at an exact decomposition (given with its weights folded into C) it stays there', () => {
    const exact = cp(X, 3, { init: 'jennrich', linesearch: true, tol: 1e-14, maxIter: 1000 });
    expect(exact.relError).toBeLessThan(1e-10);
    const [A, B, C] = exact.factors;
    const Cw = { rows: C.rows, cols: C.cols, data: C.data.map((x, i) => x * exact.weights[i % 3]) };
    const r = cpNonneg(X, 3, { init: [A, B, Cw] });
    expect(r.relError).toBeLessThan(1e-10);
    expect(r.init).toBe('given');
  });

  it('restarts keep the best run; the seed makes it reproducible', () => {
    const one = cpNonneg(X, 3, { seed: 3, maxIter: 100, restarts: 1 });
    const four = cpNonneg(X, 3, { seed: 3, maxIter: 100, restarts: 4 });
    expect(four.relError).toBeLessThanOrEqual(one.relError);
    expect(cpNonneg(X, 3, { seed: 3, maxIter: 100, restarts: 4 }).relError).toBe(four.relError);
  });

  it('refuses a tensor with a negative entry, a bad rank and bad options', () => {
    const rng = new Rng(1);
    const neg = tensor3([2, 2, 2], Array.from({ length: 8 }, () => rng.nextNormal()));
    expect(() => cpNonneg(neg, 1)).toThrow(/non-negative tensor; entry \d+ is -/);
    expect(() => cpNonneg(X, 0)).toThrow(/rank must be a positive integer, got 0/);
    expect(() => cpNonneg(X, 2, { maxIter: 0 })).toThrow(/maxIter must be a positive integer, got 0/);
    expect(() => cpNonneg(X, 2, { restarts: 1.5 })).toThrow(/restarts must be a positive integer, got 1.5/);
    expect(() => cpNonneg(fromFactors(null, hmmLike(2, 1, 5, 1).F), 2, { init: 'svd' as never })).toThrow(/init must be 'random'/);
  });
});
