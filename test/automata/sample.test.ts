import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sampleLetters, samplingRule, zoo, validateAutomaton } from '../../src/automata/index.js';

function counts(x: ArrayLike<number>, k: number): number[] {
  const c = new Array(k).fill(0);
  for (let i = 0; i < x.length; i++) c[x[i]]++;
  return c;
}

/** |freq - p| within 5 standard deviations of a binomial proportion. */
function expectFreq(count: number, T: number, p: number): void {
  const sd = Math.sqrt((p * (1 - p)) / T);
  expect(Math.abs(count / T - p)).toBeLessThanOrEqual(5 * sd + 1e-12);
}

describe('sampleLetters: determinism', () => {
  it('same seed → same letters; different seed → different letters', () => {
    for (const name of ['parity', 'quaternion', 'symmetric:5', 'flipflop:3', 'gridworld:4', 'dyck:3,2']) {
      const a = zoo(name);
      const x = sampleLetters(a, 5000, { seed: 42 });
      expect(sampleLetters(a, 5000, { seed: 42 })).toEqual(x);
      expect(sampleLetters(a, 5000, { seed: 43 })).not.toEqual(x);
    }
  });
  it('is prefix-stable: the first T letters do not depend on the total length', () => {
    fc.assert(
      fc.property(fc.constantFrom('parity', 'cyclic_product:2,2,2', 'symmetric:4', 'alternating:5', 'flipflop:5', 'dyck:2,3'), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), fc.integer(), (name, T, extra, seed) => {
        const a = zoo(name);
        const short = sampleLetters(a, T, { seed });
        const long = sampleLetters(a, T + extra, { seed });
        expect(Array.from(long.subarray(0, T))).toEqual(Array.from(short));
      }),
      { numRuns: 100 },
    );
  });
  it('pins the stream (Node and browsers must agree on these exact letters)', () => {
    expect(Array.from(sampleLetters(zoo('dihedral:4'), 40, { seed: 7 })).join('')).toMatchSnapshot();
    expect(Array.from(sampleLetters(zoo('symmetric:5'), 20, { seed: 7 })).join('')).toMatchSnapshot();
    expect(Array.from(sampleLetters(zoo('gridworld:4'), 20, { seed: 7, p: 0.3 })).join('')).toMatchSnapshot();
  });
  it('fills a caller-provided array (e.g. kernel memory) with the same letters', () => {
    const a = zoo('symmetric:5');
    const out = new Uint8Array(1000);
    expect(sampleLetters(a, 1000, { seed: 8, out })).toBe(out);
    expect(out).toEqual(sampleLetters(a, 1000, { seed: 8 }));
    expect(() => sampleLetters(a, 1000, { seed: 8, out: new Uint8Array(999) })).toThrow(/out must be a Uint8Array of length T = 1000 for \|Σ\| = 3, got Uint8Array of length 999/);
    expect(() => sampleLetters(a, 10, { seed: 8, out: new Uint16Array(10) as any })).toThrow(/out must be a Uint8Array/);
  });
  it('T = 0 gives an empty array; output width follows |Σ|', () => {
    expect(sampleLetters(zoo('parity'), 0, { seed: 1 }).length).toBe(0);
    expect(sampleLetters(zoo('parity'), 3, { seed: 1 })).toBeInstanceOf(Uint8Array);
    const big = validateAutomaton({ delta: Array.from({ length: 300 }, () => [0]) });
    const x = sampleLetters(big, 20000, { seed: 1 });
    expect(x).toBeInstanceOf(Uint16Array);
    expect(Math.max(...x)).toBeLessThan(300);
    expect(Math.max(...x)).toBeGreaterThan(250);
  });
});

describe('sampleLetters: frequencies', () => {
  const T = 200_000;
  it('uniform over Σ for power-of-two and other alphabet sizes', () => {
    for (const name of ['parity', 'quaternion', 'cyclic_product:2,2,2,2,2,2,2', 'symmetric:5', 'alternating:6', 'dyck:3,2']) {
      const a = zoo(name);
      const k = a.delta.length;
      const c = counts(sampleLetters(a, T, { seed: 3 }), k);
      for (let l = 0; l < k; l++) expectFreq(c[l], T, 1 / k);
    }
  });
  it('uses every bit position of the 32-bit draws evenly (pairs of consecutive letters are uniform)', () => {
    const x = sampleLetters(zoo('quaternion'), T, { seed: 5 });
    const pairs = new Array(16).fill(0);
    for (let t = 0; t + 1 < T; t += 2) pairs[x[t] * 4 + x[t + 1]]++;
    for (const c of pairs) expectFreq(c, T / 2, 1 / 16);
  });
  it('Bernoulli(p) for letter 1 of two-letter automata', () => {
    for (const p of [0, 0.1, 0.5, 0.9, 1]) {
      const c = counts(sampleLetters(zoo('gridworld:9'), T, { seed: 9, p }), 2);
      expectFreq(c[1], T, p);
    }
    expect(samplingRule(zoo('parity'))).toEqual({ kind: 'bernoulli', p: 0.5 });
    expect(samplingRule(zoo('gridworld:5'))).toEqual({ kind: 'bernoulli', p: 0.5 });
  });
  it('flipflop writes with probability 0.5 (value uniform) and reads otherwise; writeRate changes it', () => {
    const a = zoo('flipflop:3');
    expect(samplingRule(a)).toEqual({ kind: 'write', writeRate: 0.5, letters: 4 });
    let c = counts(sampleLetters(a, T, { seed: 11 }), 4);
    expectFreq(c[0], T, 0.5);
    for (const v of [1, 2, 3]) expectFreq(c[v], T, 0.5 / 3);
    c = counts(sampleLetters(a, T, { seed: 11, writeRate: 0.1 }), 4);
    expectFreq(c[0], T, 0.9);
    for (const v of [1, 2, 3]) expectFreq(c[v], T, 0.1 / 3);
  });
  it('an explicit distribution (zero weights never drawn)', () => {
    const w = [0, 3, 1, 0];
    const c = counts(sampleLetters(zoo('quaternion'), T, { seed: 13, distribution: w }), 4);
    expect(c[0]).toBe(0);
    expect(c[3]).toBe(0);
    expectFreq(c[1], T, 0.75);
  });
});

describe('sampleLetters: bad options name the option and value', () => {
  const q = zoo('quaternion');
  it.each([
    [() => sampleLetters(q, 10, { seed: 1, p: 0.3 }), /p applies to two-letter automata, quaternion has \|Σ\| = 4/],
    [() => sampleLetters(zoo('parity'), 10, { seed: 1, p: 1.5 }), /p = 1.5 is not a probability/],
    [() => sampleLetters(q, 10, { seed: 1, writeRate: -1 }), /writeRate = -1 is not a probability/],
    [() => sampleLetters(q, 10, { seed: 1, distribution: [1, 2] }), /distribution has length 2, expected 4/],
    [() => sampleLetters(q, 10, { seed: 1, distribution: [1, 2, -1, 0] }), /distribution\[2\] = -1/],
    [() => sampleLetters(q, 10, { seed: 1, distribution: [0, 0, 0, 0] }), /sums to 0/],
    [() => sampleLetters(q, 10, { seed: 1, p: 0.5, writeRate: 0.5 }), /at most one of p, writeRate, distribution/],
    [() => sampleLetters(q, -1, { seed: 1 }), /T = -1 must be an integer/],
    [() => sampleLetters(q, 2.5, { seed: 1 }), /T = 2.5 must be an integer/],
    [() => sampleLetters(q, 10, { seed: NaN }), /seed = NaN must be a finite number/],
  ])('%#', (f, msg) => {
    expect(f).toThrow(msg);
  });
});
