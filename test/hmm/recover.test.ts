// Recovery of (O, T) from the triplet tensor W by CP decomposition: W has the claimed rank-k
// structure; exact W gives (T, O) to ≤ 1e-8; 5·10^5 sampled triples of a well-separated 3-state
// HMM give ≤ 0.05.
import { describe, expect, it } from 'vitest';
import { createHmm, exactJoint, hmmTripletTensor, randomHmm, recoverFromTensor, recoverHmm, tripletTensor } from '../../src/hmm/index.js';
import { maxTensorDiff } from '../../src/hmm/index.js';

describe('the triplet tensor', () => {
  it('W = Σ_h P(h2 = h | x1) ⊗ O[h] ⊗ (T O)[h] exactly', () => {
    const h = randomHmm(3, 5, { seed: 2, initial: 'random' });
    const { k, d, initial: pi, transition: T, emission: O } = h;
    const px1 = Array.from({ length: d }, (_, a) => pi.reduce((s, p, g) => s + p * O[g][a], 0));
    // A[a][h] = P(h2 = h | x1 = a) = Σ_g π_g O[g][a] T[g][h] / P(x1 = a)
    const A = Array.from({ length: d }, (_, a) => Array.from({ length: k }, (_, hh) => pi.reduce((s, p, g) => s + p * O[g][a] * T[g][hh], 0) / px1[a]));
    const TO = T.map((row) => Array.from({ length: d }, (_, c) => row.reduce((s, t, g) => s + t * O[g][c], 0)));
    const rebuilt = new Float64Array(d * d * d);
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) for (let c = 0; c < d; c++) for (let hh = 0; hh < k; hh++) rebuilt[(a * d + b) * d + c] += A[a][hh] * O[hh][b] * TO[hh][c];
    expect(maxTensorDiff(tripletTensor(exactJoint(h, [1, 2, 3])).data, rebuilt)).toBeLessThan(1e-15);
  });
});

describe('recovery from exact predictors', () => {
  it('recovers (T, O) to ≤ 1e-8 for k = 2…8, d ≥ k, several seeds', () => {
    let worst = 0;
    for (let k = 2; k <= 8; k++)
      for (const [extra, seed] of [[0, 1], [2, 2], [1, 3]]) {
        const h = randomHmm(k, k + extra, { seed: 100 * k + seed, initial: seed === 3 ? 'random' : 'stationary' });
        const r = recoverHmm(h, { source: 'exact' });
        worst = Math.max(worst, r.errors!.transition, r.errors!.emission);
        expect(r.errors!.transition, `k=${k} d=${k + extra} seed=${seed}`).toBeLessThanOrEqual(1e-8);
        expect(r.errors!.emission, `k=${k} d=${k + extra} seed=${seed}`).toBeLessThanOrEqual(1e-8);
        expect([...r.permutation].sort()).toEqual(Array.from({ length: k }, (_, i) => i));
        expect(r.cp.rank).toBe(k);
        expect(r.cp.fit).toBeGreaterThan(1 - 1e-9);
      }
    expect(worst).toBeGreaterThan(0); // a real computation, not a copy of the truth
  });

  it('reports the permutation it applied: recovering without the truth gives the same HMM relabelled', () => {
    const h = randomHmm(4, 6, { seed: 9 });
    const w = hmmTripletTensor(h, 'exact');
    const withTruth = recoverFromTensor(w, 4, { truth: h });
    const raw = recoverFromTensor(w, 4);
    const p = withTruth.permutation;
    for (let i = 0; i < 4; i++) {
      for (let x = 0; x < 6; x++) expect(raw.emission[p[i]][x]).toBeCloseTo(h.emission[i][x], 9);
      for (let j = 0; j < 4; j++) expect(raw.transition[p[i]][p[j]]).toBeCloseTo(h.transition[i][j], 9);
    }
  });

  it('refuses d < k and mismatched shapes with clear messages', () => {
    const h = createHmm({ transition: [[0.5, 0.25, 0.25], [0.25, 0.5, 0.25], [0.25, 0.25, 0.5]], emission: [[0.5, 0.5], [0.2, 0.8], [0.9, 0.1]] });
    expect(() => recoverHmm(h)).toThrow(/d ≥ k.*k = 3.*d = 2/);
    const g = randomHmm(2, 3, { seed: 1 });
    expect(() => recoverFromTensor(hmmTripletTensor(g), 4)).toThrow(/d ≥ k, got d = 3 < k = 4/);
    // A misspelt source must not silently run the sampled estimator.
    expect(() => recoverHmm(g, { source: 'sample' as never })).toThrow(/source must be 'exact' or 'samples', got "sample"/);
  });
});

describe('recovery from samples', () => {
  const wellSeparated = createHmm({
    transition: [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]],
    emission: [[0.6, 0.3, 0.05, 0.05, 0, 0], [0.05, 0, 0.6, 0.3, 0.05, 0], [0, 0.05, 0, 0.05, 0.6, 0.3]],
  });

  it('5·10^5 sampled triples of a well-separated 3-state HMM: max error ≤ 0.05 (three seeds)', () => {
    for (const seed of [1, 2, 3]) {
      const r = recoverHmm(wellSeparated, { source: 'samples', samples: 500_000, seed });
      expect(r.errors!.transition).toBeLessThanOrEqual(0.05);
      expect(r.errors!.emission).toBeLessThanOrEqual(0.05);
      expect(r.errors!.transition).toBeGreaterThan(0); // sampling noise is real
      // The recovered rows are distributions.
      for (const row of [...r.transition, ...r.emission]) {
        expect(row.every((x) => x >= 0)).toBe(true);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      }
    }
  });

  it('more samples, smaller error (10^4 vs 10^6, same seed)', () => {
    const small = recoverHmm(wellSeparated, { source: 'samples', samples: 10_000, seed: 4 });
    const large = recoverHmm(wellSeparated, { source: 'samples', samples: 1_000_000, seed: 4 });
    expect(Math.max(large.errors!.transition, large.errors!.emission)).toBeLessThan(Math.max(small.errors!.transition, small.errors!.emission));
  });
});
