import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/random/prng.js';
import { cp, maxRank, tensor3 } from '../../src/cp/index.js';

describe('cp on arbitrary small tensors (property)', () => {
  it('never crashes: finite, sorted, non-negative weights; unit columns; 0 <= relError <= 1; fit = 1 - relError', () => {
    fc.assert(
      fc.property(
        fc.record({
          I: fc.integer({ min: 1, max: 6 }),
          J: fc.integer({ min: 1, max: 6 }),
          K: fc.integer({ min: 1, max: 6 }),
          rank: fc.integer({ min: 1, max: 8 }),
          init: fc.constantFrom('random', 'svd', 'jennrich'),
          linesearch: fc.boolean(),
          backend: fc.constantFrom('wasm', 'ts'),
          l2: fc.constantFrom(0, 0.1),
          seed: fc.integer({ min: 0, max: 1e6 }),
          kind: fc.constantFrom('dense', 'sparse', 'rank1', 'one-entry'),
        }),
        ({ I, J, K, rank, init, linesearch, backend, l2, seed, kind }) => {
          const R = Math.min(rank, maxRank([I, J, K]));
          const rng = new Rng(seed);
          // Dense noise, mostly zeros, an exact rank-one tensor (over-factored when R > 1), a single entry.
          const a = Array.from({ length: I }, () => rng.nextNormal()), b = Array.from({ length: J }, () => rng.nextNormal()), c = Array.from({ length: K }, () => rng.nextNormal());
          const data = Array.from({ length: I * J * K }, (_, p) => {
            if (kind === 'dense') return rng.nextNormal();
            if (kind === 'sparse') return rng.nextFloat() < 0.7 ? 0 : rng.nextNormal();
            if (kind === 'rank1') return a[Math.floor(p / (J * K))] * b[Math.floor(p / K) % J] * c[p % K];
            return p === (seed % (I * J * K)) ? 3 : 0;
          });
          if (data.every((x) => x === 0)) data[0] = 1;
          const X = tensor3([I, J, K], data);
          const res = cp(X, R, { init: init as 'svd', linesearch, backend: backend as 'ts', l2, seed, maxIter: 30 });
          expect(res.weights.length).toBe(R);
          for (let r = 0; r < R; r++) {
            expect(Number.isFinite(res.weights[r])).toBe(true);
            expect(res.weights[r]).toBeGreaterThanOrEqual(0);
            if (r > 0) expect(res.weights[r]).toBeLessThanOrEqual(res.weights[r - 1]);
          }
          for (const f of res.factors) {
            for (const x of f.data) expect(Number.isFinite(x)).toBe(true);
            for (let r = 0; r < R; r++) {
              let s = 0;
              for (let i = 0; i < f.rows; i++) s += f.data[i * R + r] ** 2;
              if (res.weights[r] > 0) expect(Math.sqrt(s)).toBeCloseTo(1, 10);
            }
          }
          expect(res.relError).toBeGreaterThanOrEqual(0);
          expect(res.relError).toBeLessThanOrEqual(1 + 1e-12);
          expect(res.fit).toBe(1 - res.relError);
          expect(res.history.length).toBe(res.iterations);
        },
      ),
      { numRuns: 200 },
    );
  });
});
