// Property tests (fast-check) over random HMMs: the forward joint equals brute-force enumeration,
// and every twin the construction returns (any plane, any angle, stationary start) has the same
// pairwise predictors and stays a valid HMM.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHmm, exactJoint, planeRotation, predictorDiffs, randomHmm, twinFor, type HMM } from '../../src/hmm/index.js';
import { Rng } from '../../src/random/prng.js';

function bruteJoint(h: HMM, L: number): Float64Array {
  const out = new Float64Array(h.d ** L);
  const rec = (t: number, prev: number, p: number, idx: number) => {
    if (t === L) return void (out[idx] += p);
    for (let s = 0; s < h.k; s++) {
      const ps = t === 0 ? h.initial[s] : h.transition[prev][s];
      for (let x = 0; x < h.d; x++) rec(t + 1, s, p * ps * h.emission[s][x], idx * h.d + x);
    }
  };
  rec(0, 0, 1, 0);
  return out;
}

const hmmArb = fc.record({ k: fc.integer({ min: 1, max: 4 }), extra: fc.integer({ min: 0, max: 2 }), seed: fc.nat(), random: fc.boolean() })
  .map(({ k, extra, seed, random }) => randomHmm(k, k + extra, { seed, initial: random ? 'random' : 'stationary', emissionAlpha: 2 }));

describe('properties', () => {
  it('forward joint = brute force over hidden paths (positions 1..3)', () => {
    fc.assert(fc.property(hmmArb, (h) => {
      const a = exactJoint(h, [1, 2, 3]).probs, b = bruteJoint(h, 3);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-15);
    }), { numRuns: 40 });
  });

  it('any valid twin of a stationary HMM has the same pairwise predictors', () => {
    let valid = 0;
    fc.assert(fc.property(fc.integer({ min: 2, max: 5 }), fc.nat(), fc.double({ min: -0.3, max: 0.3, noNaN: true }), (k, seed, theta) => {
      const h = randomHmm(k, k + 1, { seed, emissionAlpha: 3, transitionAlpha: 3 });
      const rng = new Rng(seed + 1);
      const g = () => Array.from({ length: k }, () => rng.nextNormal());
      const u0 = g(), nu = Math.hypot(...u0), u = u0.map((x) => x / nu);
      const v0 = g(), dot = v0.reduce((s, x, i) => s + x * u[i], 0), w = v0.map((x, i) => x - dot * u[i]), nw = Math.hypot(...w), v = w.map((x) => x / nw);
      const tw = twinFor(h, planeRotation(u, v, theta), 1e-12);
      if (!tw) return; // some entry went negative: not a twin
      valid++;
      const twin = createHmm(tw);
      expect(predictorDiffs(h, twin).pairwise).toBeLessThanOrEqual(1e-12);
    }), { numRuns: 60 });
    expect(valid).toBeGreaterThan(10);
  });
});
