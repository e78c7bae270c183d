// The HMM layer: validation messages, random HMMs, stationary distribution, exact predictors
// (normalisation, agreement with Monte-Carlo and with brute-force enumeration), the sampler.
import { describe, expect, it } from 'vitest';
import {
  AliasTable,
  createHmm,
  empiricalJoint,
  exactJoint,
  exactPairwise,
  exactTriplet,
  hmmToJSON,
  maxTensorDiff,
  pairwisePredictor,
  parseHmm,
  randomHmm,
  sampleCounts,
  sampleSequences,
  stationaryDistribution,
  tripletPredictor,
  tripletTensor,
  tripleJointFromSequences,
  type HMM,
} from '../../src/hmm/index.js';
import { Rng } from '../../src/random/prng.js';
import { cpuMs } from '../helpers/cpu.js';

const T2 = [[0.9, 0.1], [0.2, 0.8]];
const O2 = [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]];

describe('validation', () => {
  const bad: [string, unknown, RegExp][] = [
    ['row sum', { transition: [[0.9, 0.2], [0.2, 0.8]], emission: O2 }, /transition\[0\] sums to 1\.1/],
    ['negative', { transition: T2, emission: [[0.7, 0.4, -0.1], [0.1, 0.3, 0.6]] }, /emission\[0\]\[2\] = -0\.1 is negative/],
    ['NaN', { transition: [[0.9, NaN], [0.2, 0.8]], emission: O2 }, /transition\[0\]\[1\] is NaN/],
    ['ragged', { transition: [[0.9, 0.1], [1]], emission: O2 }, /transition\[1\] has length 1, expected 2/],
    ['not square', { transition: [[0.5, 0.25, 0.25], [0.5, 0.25, 0.25]], emission: O2 }, /transition is 2×3, expected square/],
    ['emission rows', { transition: T2, emission: [O2[0]] }, /emission has 1 rows but transition has 2/],
    ['emission width', { transition: T2, emission: [O2[0], [0.5, 0.5]] }, /emission\[1\] has length 2, expected 3/],
    ['initial length', { initial: [1], transition: T2, emission: O2 }, /initial has length 1, expected 2/],
    ['initial sum', { initial: [0.5, 0.6], transition: T2, emission: O2 }, /initial sums to 1\.1/],
    ['missing', { transition: T2 }, /missing "emission"/],
    ['reducible', { transition: [[1, 0], [0, 1]], emission: O2 }, /no unique stationary distribution/],
  ];
  for (const [name, spec, re] of bad) it(`rejects ${name}`, () => expect(() => createHmm(spec as never)).toThrow(re));

  it('accepts rows summing to 1 within 1e-9, rejects 1e-8 off', () => {
    expect(() => createHmm({ transition: [[0.9 + 5e-10, 0.1], [0.2, 0.8]], emission: O2 })).not.toThrow();
    expect(() => createHmm({ transition: [[0.9 + 1e-8, 0.1], [0.2, 0.8]], emission: O2 })).toThrow(/transition\[0\] sums to/);
  });

  it('requires d ≥ k for recovery, naming both', () => {
    const spec = { transition: [[0.5, 0.25, 0.25], [0.25, 0.5, 0.25], [0.25, 0.25, 0.5]], emission: [[0.5, 0.5], [0.2, 0.8], [0.9, 0.1]] };
    expect(() => createHmm(spec)).not.toThrow();
    expect(() => createHmm(spec, { forRecovery: true })).toThrow(/d ≥ k.*k = 3.*d = 2/);
  });

  it('parseHmm names the source on bad JSON and bad content', () => {
    expect(() => parseHmm('{oops', 'h.json')).toThrow(/h\.json: not valid JSON/);
    expect(() => parseHmm(JSON.stringify({ transition: [[0.5, 0.6], [0.5, 0.5]], emission: O2 }), 'h.json')).toThrow(/h\.json: transition\[0\] sums to 1\.1/);
  });
});

describe('HMM basics', () => {
  it('defaults initial to the stationary distribution and round-trips the file format', () => {
    const h = createHmm({ transition: T2, emission: O2 });
    expect(h.initial[0]).toBeCloseTo(2 / 3, 14);
    expect(h.initialIsStationary).toBe(true);
    expect(hmmToJSON(h)).toEqual({ transition: T2, emission: O2 });
    const g = createHmm({ initial: [0.5, 0.5], transition: T2, emission: O2 });
    expect(hmmToJSON(g).initial).toEqual([0.5, 0.5]);
  });

  it('stationary distribution satisfies π T = π for random chains', () => {
    for (let seed = 0; seed < 5; seed++) {
      const h = randomHmm(6, 6, { seed });
      const pi = stationaryDistribution(h.transition);
      for (let j = 0; j < 6; j++) expect(pi.reduce((a, x, i) => a + x * h.transition[i][j], 0)).toBeCloseTo(pi[j], 13);
      expect(pi.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    }
  });

  it('random HMMs are seeded and valid', () => {
    const a = randomHmm(4, 7, { seed: 3 }), b = randomHmm(4, 7, { seed: 3 }), c = randomHmm(4, 7, { seed: 4 });
    expect(a).toEqual(b);
    expect(a.emission).not.toEqual(c.emission);
    expect(() => createHmm(hmmToJSON(a))).not.toThrow();
    const sticky = randomHmm(3, 3, { seed: 1, stickiness: 50 });
    for (let i = 0; i < 3; i++) expect(sticky.transition[i][i]).toBeGreaterThan(0.7);
  });
});

/** Brute force: sum over all hidden paths and observations of a length-L chain. */
function bruteJoint(h: HMM, L: number): Float64Array {
  const { k, d } = h;
  const out = new Float64Array(d ** L);
  const rec = (t: number, prev: number, p: number, idx: number) => {
    if (t === L) {
      out[idx] += p;
      return;
    }
    for (let s = 0; s < k; s++) {
      const ps = t === 0 ? h.initial[s] : h.transition[prev][s];
      for (let x = 0; x < d; x++) rec(t + 1, s, p * ps * h.emission[s][x], idx * d + x);
    }
  };
  rec(0, 0, 1, 0);
  return out;
}

describe('exact predictors', () => {
  const h = randomHmm(3, 4, { seed: 11, initial: 'random' });

  it('the forward joint equals brute-force enumeration', () => {
    expect(maxTensorDiff(exactJoint(h, [1, 2, 3]).probs, bruteJoint(h, 3))).toBeLessThan(1e-15);
  });

  it('far-apart positions cost no more than near ones (T^gap by squaring), and agree with stepping', () => {
    // Stepping one transition at a time (what exactJoint did): the reference for moderate gaps.
    const stepJoint = (ps: number[]) => {
      let p = [...h.initial];
      const probs: number[] = [];
      const law = (t: number) => { let q = [...h.initial]; for (let s = 1; s < t; s++) q = q.map((_, j) => q.reduce((a, x, i) => a + x * h.transition[i][j], 0)); return q; };
      p = law(ps[0]);
      for (let a = 0; a < h.d; a++) {
        let alpha = p.map((x, g) => x * h.emission[g][a]);
        for (let s = 0; s < ps[1] - ps[0]; s++) alpha = alpha.map((_, j) => alpha.reduce((acc, x, i) => acc + x * h.transition[i][j], 0));
        for (let b = 0; b < h.d; b++) probs.push(alpha.reduce((acc, x, g) => acc + x * h.emission[g][b], 0));
      }
      return probs;
    };
    expect(maxTensorDiff(exactJoint(h, [4, 37]).probs, stepJoint([4, 37]))).toBeLessThan(1e-14);
    const t0 = cpuMs();
    const far = exactJoint(h, [3, 1e9, 1e9 + 1]);
    expect(cpuMs() - t0).toBeLessThan(200); // O(log gap) matrix powers, not 10^9 steps
    // After 10^9 steps the chain has mixed: x_{10^9} is independent of x_3, with law π O.
    const pi = stationaryDistribution(h.transition);
    const stationaryLaw = Array.from({ length: h.d }, (_, b) => pi.reduce((acc, p, g) => acc + p * h.emission[g][b], 0));
    for (const row of pairwisePredictor(far, 3, 1e9)) for (let b = 0; b < h.d; b++) expect(row[b]).toBeCloseTo(stationaryLaw[b], 12);
  });

  it('pairwise predictors are row-stochastic and satisfy Bayes between directions', () => {
    for (const [i, j] of [[1, 2], [2, 1], [1, 3], [3, 1], [2, 5], [5, 2]]) {
      const p = exactPairwise(h, i, j);
      for (const row of p) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    }
    const joint = exactJoint(h, [1, 4]);
    const pf = pairwisePredictor(joint, 1, 4), pb = pairwisePredictor(joint, 4, 1);
    const m1 = exactJoint(h, [1]).probs, m4 = exactJoint(h, [4]).probs;
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) expect(m1[a] * pf[a][b]).toBeCloseTo(m4[b] * pb[b][a], 14);
  });

  it('triplet predictors: each slice sums to 1, marginals give the pairwise predictors, repeats live on the diagonal', () => {
    const t = exactTriplet(h, 2, 1, 4).data;
    const p = exactPairwise(h, 2, 4);
    const d = 4;
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let b = 0; b < d; b++) for (let c = 0; c < d; c++) s += t[(a * d + b) * d + c];
      expect(s).toBeCloseTo(1, 14);
      for (let c = 0; c < d; c++) {
        let m = 0;
        for (let b = 0; b < d; b++) m += t[(a * d + b) * d + c];
        expect(m).toBeCloseTo(p[a][c], 14);
      }
    }
    const diag = exactTriplet(h, 1, 2, 2).data;
    const p12 = exactPairwise(h, 1, 2);
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) for (let c = 0; c < d; c++) expect(diag[(a * d + b) * d + c]).toBeCloseTo(b === c ? p12[a][b] : 0, 15);
  });

  it('match Monte-Carlo estimates (2·10^5 sampled sequences, 5σ)', () => {
    const n = 200_000;
    const emp = empiricalJoint(h, [1, 2, 3], n, 5);
    const ex = exactJoint(h, [1, 2, 3]);
    for (const [i, j] of [[1, 2], [3, 1], [2, 3]]) {
      const pe = pairwisePredictor(emp, i, j), px = pairwisePredictor(ex, i, j);
      const mi = exactJoint(h, [i]).probs;
      for (let a = 0; a < 4; a++)
        for (let b = 0; b < 4; b++) {
          const sd = Math.sqrt((px[a][b] * (1 - px[a][b])) / (n * mi[a]));
          expect(Math.abs(pe[a][b] - px[a][b])).toBeLessThan(5 * sd + 1e-12);
        }
    }
    const we = tripletTensor(emp).data, wx = tripletTensor(ex).data;
    expect(maxTensorDiff(we, wx)).toBeLessThan(0.02);
    expect(maxTensorDiff(we, wx)).toBeGreaterThan(0); // it really is an estimate
    // Same seed, same counts; different seed, different counts.
    expect(Array.from(sampleCounts(h, [1, 2, 3], 1000, 9))).toEqual(Array.from(sampleCounts(h, [1, 2, 3], 1000, 9)));
    expect(Array.from(sampleCounts(h, [1, 2, 3], 1000, 9))).not.toEqual(Array.from(sampleCounts(h, [1, 2, 3], 1000, 10)));
  });

  for (const method of ['joint', 'chain'] as const) {
    it(`sampleCounts (${method}) at spread positions matches the exact joint`, () => {
      const n = 200_000;
      const emp = empiricalJoint(h, [2, 5, 6], n, 1, undefined, method).probs, ex = exactJoint(h, [2, 5, 6]).probs;
      for (let i = 0; i < ex.length; i++) expect(Math.abs(emp[i] - ex[i])).toBeLessThan(5 * Math.sqrt(ex[i] / n) + 1e-12);
    });
  }
});

describe('data', () => {
  it('tripleJointFromSequences counts every window of three consecutive observations', () => {
    const j = tripleJointFromSequences([[0, 1, 2, 0], [2, 2], [1, 1, 1]], 3);
    expect(j.samples).toBe(3); // (0,1,2), (1,2,0), (1,1,1)
    const at = (a: number, b: number, c: number) => j.probs[(a * 3 + b) * 3 + c];
    expect([at(0, 1, 2), at(1, 2, 0), at(1, 1, 1)]).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(j.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
    expect(() => tripleJointFromSequences([[0, 1, 5]], 3)).toThrow(/sequence 0, position 2: observation 5 is out of range for d = 3/);
    expect(() => tripleJointFromSequences([[0, -1, 1]])).toThrow(/sequence 0, position 1/);
    expect(() => tripleJointFromSequences([[0, 1]])).toThrow(/shorter than 3/);
  });

  it('refuses a d whose d×d×d table cannot be held, with a clear error (not "Invalid typed array length")', () => {
    expect(() => tripleJointFromSequences([[0, 1, 2]], 3000)).toThrow(/joint of 3 positions over d = 3000 is too large/);
    expect(() => tripleJointFromSequences([[0, 1, 2000]])).toThrow(/over d = 2001 is too large/);
    expect(() => tripleJointFromSequences([[0, 1, 2]], 0)).toThrow(/d must be a positive integer, got 0/);
    const wide = createHmm({ transition: [[1]], emission: [new Array(2000).fill(1 / 2000)] });
    expect(() => sampleCounts(wide, [1, 2, 3], 10, 1, undefined, 'chain')).toThrow(/over d = 2000 is too large/);
  });
});

describe('sampling', () => {
  it('alias tables draw with the right frequencies, including zeros', () => {
    const rows = [[0.5, 0, 0.25, 0.25], [0, 0, 1, 0], [0.1, 0.2, 0.3, 0.4]];
    const t = new AliasTable(rows);
    const rng = new Rng(1);
    const n = 100_000;
    rows.forEach((row, r) => {
      const c = new Array(4).fill(0);
      for (let i = 0; i < n; i++) c[t.draw(rng, r)]++;
      row.forEach((p, x) => {
        if (p === 0) expect(c[x]).toBe(0);
        else expect(Math.abs(c[x] / n - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / n));
      });
    });
  });

  it('sequences follow the chain: empirical transition frequencies of the hidden states', () => {
    const h = createHmm({ transition: T2, emission: O2 });
    const s = sampleSequences(h, 1000, 50, 3);
    let n01 = 0, n0 = 0;
    for (let q = 0; q < 50; q++)
      for (let t = 0; t + 1 < 1000; t++) {
        const a = s.hidden[q * 1000 + t], b = s.hidden[q * 1000 + t + 1];
        if (a === 0) {
          n0++;
          if (b === 1) n01++;
        }
      }
    expect(Math.abs(n01 / n0 - 0.1)).toBeLessThan(0.01);
    expect(Math.max(...s.observations)).toBeLessThan(3);
    expect(sampleSequences(h, 10, 3, 7).observations).toEqual(sampleSequences(h, 10, 3, 7).observations);
  });

  it('10^6 triples are counted without building the sequences (a CPU-time guard; speed is in bench/)', () => {
    const h = randomHmm(3, 6, { seed: 1 });
    const t0 = cpuMs();
    const c = sampleCounts(h, [1, 2, 3], 1_000_000, 1);
    expect(cpuMs() - t0).toBeLessThan(3000);
    expect(c.reduce((a, b) => a + b, 0)).toBe(1_000_000);
  });

  it('triplet predictor of a joint without x_1 samples is zero, not NaN', () => {
    const h = createHmm({ initial: [1, 0], transition: [[0, 1], [1, 0]], emission: [[1, 0, 0], [0, 1, 0]] });
    const w = tripletPredictor(exactJoint(h, [1, 2, 3]), 1, 2, 3).data;
    expect(w.every((x) => Number.isFinite(x))).toBe(true);
    expect(w[(0 * 3 + 1) * 3 + 0]).toBe(1);
  });
});
