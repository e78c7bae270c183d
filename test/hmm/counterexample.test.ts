// Pairwise predictors do not identify an HMM: the twin construction meets its targets
// (pairwise predictors equal to ≤ 1e-12, parameters ≥ 1e-3 apart, triplet predictors differ),
// and says "none" exactly where the characterisation says there is none.
import { describe, expect, it } from 'vitest';
import { createHmm, exactJoint, findPairwiseTwin, pairwisePredictor, planeRotation, predictorDiffs, randomHmm, relabelledDistance, twinFor, type HMM } from '../../src/hmm/index.js';
import { maxAbsDiff, matmul, transpose } from '../../src/hmm/linalg.js';

function checkTwin(h: HMM) {
  const r = findPairwiseTwin(h);
  expect(r.found, r.reason).toBe(true);
  const tw = r.twin!;
  // The twin is a valid HMM (re-validated from its file form) ...
  expect(() => createHmm({ initial: tw.initial, transition: tw.transition, emission: tw.emission })).not.toThrow();
  // ... with the same pairwise predictors, recomputed here from scratch ...
  const ja = exactJoint(h, [1, 2, 3]), jb = exactJoint(tw, [1, 2, 3]);
  let pair = 0;
  for (const i of [1, 2, 3]) for (const j of [1, 2, 3]) if (i !== j) pair = Math.max(pair, maxAbsDiff(pairwisePredictor(ja, i, j), pairwisePredictor(jb, i, j)));
  expect(pair).toBeLessThanOrEqual(1e-12);
  expect(r.pairwiseMaxDiff!).toBeLessThanOrEqual(1e-12);
  // ... but different parameters, up to any relabelling ...
  expect(relabelledDistance(h, tw).distance).toBeGreaterThanOrEqual(1e-3);
  expect(Math.max(r.parameterDiff!.transition, r.parameterDiff!.emission)).toBeGreaterThanOrEqual(1e-3);
  // ... and different triplet predictors.
  expect(r.tripletMaxDiff!).toBeGreaterThan(1e-5);
  return r;
}

describe('pairwise twin', () => {
  it("the issue's construction: doubly stochastic T, uniform start, Õ = Uᵀ O and T̃ = Uᵀ T U for U fixing 1", () => {
    const T = [[0.5, 0.2, 0.2, 0.1], [0.1, 0.5, 0.2, 0.2], [0.2, 0.1, 0.5, 0.2], [0.2, 0.2, 0.1, 0.5]];
    const O = [[0.5, 0.2, 0.1, 0.1, 0.1], [0.1, 0.5, 0.2, 0.1, 0.1], [0.1, 0.1, 0.5, 0.2, 0.1], [0.2, 0.1, 0.1, 0.2, 0.4]];
    const h = createHmm({ transition: T, emission: O });
    for (const p of h.initial) expect(p).toBeCloseTo(0.25, 14);
    // A rotation in a plane ⟂ 1: u = (1,-1,0,0)/√2, v = (1,1,-2,0)/√6.
    const u = [1, -1, 0, 0].map((x) => x / Math.SQRT2), v = [1, 1, -2, 0].map((x) => x / Math.sqrt(6));
    const U = planeRotation(u, v, 0.05);
    const tw = twinFor(h, U)!;
    expect(tw).toBeDefined();
    expect(maxAbsDiff(tw.emission, matmul(transpose(U), O))).toBeLessThan(1e-15);
    expect(maxAbsDiff(tw.transition, matmul(matmul(transpose(U), T), U))).toBeLessThan(1e-15);
    expect(maxAbsDiff(tw.initial, h.initial)).toBeLessThan(1e-15);
    const twin = createHmm(tw);
    const diffs = predictorDiffs(h, twin);
    expect(diffs.pairwise).toBeLessThanOrEqual(1e-12);
    expect(diffs.triplet).toBeGreaterThan(1e-4);
    checkTwin(h);
  });

  it('--keep-initial: rotations fixing √π keep π̃ = π exactly (and need ≥ 3 mixable states)', () => {
    const h = randomHmm(4, 5, { seed: 8 });
    const r = findPairwiseTwin(h, { keepInitial: true });
    expect(r.found, r.reason).toBe(true);
    expect(maxAbsDiff(r.twin!.initial, h.initial)).toBeLessThan(1e-12);
    expect(r.pairwiseMaxDiff!).toBeLessThanOrEqual(1e-12);
    expect(r.parameterDiff!.emission).toBeGreaterThanOrEqual(1e-3);
    const two = findPairwiseTwin(randomHmm(2, 3, { seed: 1 }), { keepInitial: true });
    expect(two.found).toBe(false);
    expect(two.reason).toMatch(/needs ≥ 3 mixable states/);
  });

  it('random stationary HMMs, k = 2…6 (k = 2 included: a stationary 2-state HMM has twins too)', () => {
    for (const k of [2, 3, 4, 5, 6]) for (const seed of [1, 2]) checkTwin(randomHmm(k, k + 2, { seed: 10 * k + seed }));
  });

  it('pairwise predictors agree at every pair of positions, not only among 1, 2, 3', () => {
    const h = randomHmm(3, 4, { seed: 5 });
    const tw = findPairwiseTwin(h).twin!;
    for (const [i, j] of [[1, 6], [4, 2], [3, 7]]) {
      const a = pairwisePredictor(exactJoint(h, [i, j]), i, j), b = pairwisePredictor(exactJoint(tw, [i, j]), i, j);
      expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(1e-12);
    }
  });

  it('relabelledDistance is 0 for a relabelled copy and the brute-force minimum otherwise', () => {
    const a = randomHmm(4, 5, { seed: 21 }), b = randomHmm(4, 5, { seed: 22 });
    const perm = [2, 0, 3, 1];
    const relabelled = { transition: perm.map((p) => perm.map((q) => a.transition[p][q])), emission: perm.map((p) => a.emission[p]) };
    expect(relabelledDistance(a, relabelled).distance).toBe(0);
    let brute = Infinity;
    const perms = (xs: number[]): number[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((r) => [x, ...r])));
    for (const p of perms([0, 1, 2, 3])) {
      const t = p.map((i) => p.map((j) => b.transition[i][j])), e = p.map((i) => b.emission[i]);
      brute = Math.min(brute, Math.max(maxAbsDiff(a.transition, t), maxAbsDiff(a.emission, e)));
    }
    expect(relabelledDistance(a, b).distance).toBeCloseTo(brute, 15);
  });

  it('non-stationary start, states 0 and 1 with equal P(h2)/P(h1): they can be mixed', () => {
    const h = createHmm({
      initial: [0.2, 0.2, 0.6],
      transition: [[0.6, 0.2, 0.2], [0.2, 0.6, 0.2], [0.3, 0.3, 0.4]],
      emission: [[0.5, 0.3, 0.1, 0.1], [0.1, 0.5, 0.3, 0.1], [0.2, 0.1, 0.2, 0.5]],
    });
    const r = checkTwin(h);
    expect(r.groups).toEqual([[0, 1], [2]]);
    // State 2 is untouched by a rotation that only mixes 0 and 1.
    expect(maxAbsDiff(r.twin!.emission[2], h.emission[2])).toBeLessThan(1e-14);
  });

  it('non-stationary start with distinct ratios: no twin, and it says why', () => {
    const h = randomHmm(4, 6, { seed: 3, initial: 'random' });
    const r = findPairwiseTwin(h);
    expect(r.found).toBe(false);
    expect(r.generic).toBe(true);
    expect(r.reason).toMatch(/distinct/);
    expect(r.reason).toMatch(/no other HMM/);
  });

  it('zeros that block every rotation: no twin found, said clearly', () => {
    const h = createHmm({ transition: [[0.7, 0.3], [0.4, 0.6]], emission: [[1, 0], [0, 1]] });
    const r = findPairwiseTwin(h);
    expect(r.found).toBe(false);
    expect(r.reason).toMatch(/no twin found/);
    // A failed search is not the theorem of the distinct-ratios case: it must not claim uniqueness.
    expect(r.reason).not.toMatch(/no other HMM/);
    expect(r.reason).toMatch(/evidence, not a proof/);
    // Sparse, well-separated emissions (each state has symbols the others never emit) block it
    // too: to first order every direction of the family makes some zero entry negative.
    const sparse = createHmm({
      transition: [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]],
      emission: [[0.6, 0.3, 0.05, 0.05, 0, 0], [0.05, 0, 0.6, 0.3, 0.05, 0], [0, 0.05, 0, 0.05, 0.6, 0.3]],
    });
    expect(findPairwiseTwin(sparse).found).toBe(false);
    const one = createHmm({ transition: [[1]], emission: [[0.5, 0.5]] });
    expect(findPairwiseTwin(one).reason).toMatch(/k = 1/);
  });
});
