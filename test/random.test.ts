import { describe, expect, it } from 'vitest';
import { Rng } from '../src/random/prng.js';

describe('Rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const xa = Array.from({ length: 8 }, () => a.nextU32());
    expect(Array.from({ length: 8 }, () => b.nextU32())).toEqual(xa);
    expect(Array.from({ length: 8 }, () => c.nextU32())).not.toEqual(xa);
  });
  it('pins the stream (so Node and browsers can be compared against fixed values)', () => {
    const r = new Rng(1);
    expect([r.nextU32(), r.nextU32(), r.nextU32()]).toMatchSnapshot();
  });
  it('nextInt is uniform and in range, including large n', () => {
    const r = new Rng(7);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60000; i++) counts[r.nextInt(6)]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400);
    for (let i = 0; i < 1000; i++) {
      const x = r.nextInt(3_000_000_000);
      expect(Number.isInteger(x) && x >= 0 && x < 3_000_000_000).toBe(true);
    }
  });
  it('nextFloat is in [0,1) with mean 1/2; gamma has mean = shape', () => {
    const r = new Rng(3);
    let s = 0, g = 0;
    for (let i = 0; i < 20000; i++) {
      const u = r.nextFloat();
      expect(u >= 0 && u < 1).toBe(true);
      s += u;
      g += r.nextGamma(0.5);
    }
    expect(Math.abs(s / 20000 - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(g / 20000 - 0.5)).toBeLessThan(0.03);
  });
  it('rejects a non-finite seed, naming it', () => {
    expect(() => new Rng(NaN)).toThrow(/seed/);
  });
});
