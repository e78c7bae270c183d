import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cos, cosTurns, exp, log, pow, powInt, sin, sinTurns } from '../src/random/detmath.js';

const ulps = (a: number, b: number) => Math.abs(a - b) / (Math.abs(b) * Number.EPSILON || Number.MIN_VALUE);

describe('deterministic elementary functions', () => {
  it('log is within 2 ulp of Math.log, including subnormals and the edges', () => {
    fc.assert(fc.property(fc.double({ min: 5e-324, max: 1.7e308, noNaN: true }), (x) => {
      const r = Math.log(x);
      expect(Math.abs(log(x) - r)).toBeLessThanOrEqual(2 * Number.EPSILON * Math.max(Math.abs(r), 1e-300) + 1e-320);
    }), { numRuns: 3000 });
    for (const x of [1, 2, 0.5, Math.E, 1 + 1e-15, 1 - 1e-16]) expect(ulps(log(x), Math.log(x)) <= 2 || Math.abs(log(x) - Math.log(x)) < 1e-30).toBe(true);
    expect(log(0)).toBe(-Infinity);
    expect(log(Infinity)).toBe(Infinity);
    expect(log(-1)).toBeNaN();
  });
  it('exp is within 2 ulp of Math.exp over the whole range', () => {
    fc.assert(fc.property(fc.double({ min: -708, max: 709.7, noNaN: true }), (x) => {
      expect(ulps(exp(x), Math.exp(x))).toBeLessThanOrEqual(2);
    }), { numRuns: 3000 });
    expect(exp(0)).toBe(1);
    expect(exp(800)).toBe(Infinity);
    expect(exp(-800)).toBe(0);
    expect(exp(-740) / Math.exp(-740)).toBeCloseTo(1, 10);
  });
  it('cos/sin of turns are within 1e-15 of Math and exact at quarter turns', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (t) => {
      expect(Math.abs(cosTurns(t) - Math.cos(2 * Math.PI * t))).toBeLessThan(1e-15);
      expect(Math.abs(sinTurns(t) - Math.sin(2 * Math.PI * t))).toBeLessThan(1e-15);
    }), { numRuns: 3000 });
    expect([cosTurns(0), cosTurns(0.25), cosTurns(0.5), sinTurns(0.25), sinTurns(0.75)].map((x) => x + 0)).toEqual([1, 0, -1, 1, -1]);
    expect(Math.abs(cos(3) - Math.cos(3))).toBeLessThan(1e-15);
    expect(Math.abs(sin(100) - Math.sin(100))).toBeLessThan(1e-13);
  });
  it('pow and powInt agree with Math.pow', () => {
    expect(powInt(0.9, 10)).toBeCloseTo(Math.pow(0.9, 10), 15);
    expect(powInt(2, -3)).toBe(0.125);
    expect(powInt(0.999, 0)).toBe(1);
    fc.assert(fc.property(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true }), (x, y) => {
      expect(ulps(pow(x, y), Math.pow(x, y))).toBeLessThan(64);
    }), { numRuns: 2000 });
  });
  it('pins exact bits (the values every engine must reproduce)', () => {
    expect([log(3), exp(0.1), cosTurns(0.1), pow(7, 1 / 3)].map((x) => x.toString())).toMatchSnapshot();
  });
});

describe("float64 modules use detmath, not the engine's Math", () => {
  // Math.exp/log/pow/… are not correctly rounded and V8 builds differ in the last bit (Node 20's
  // 2 ** -0.25 is one ulp off, and the NCE panel's trajectories then differed from Node's): the
  // numeric modules whose numbers must match across engines call src/random/detmath instead.
  const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
  const DIRS = ['src/nce', 'src/hmm', 'src/cp', 'src/learning/masked', 'src/learning/dyck'];
  const files = DIRS.flatMap((d) => readdirSync(join(ROOT, d), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(d, f)));
  it.each(files)('%s', (file) => {
    const code = readFileSync(join(ROOT, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '')
      .replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, "''"); // strings (markdown's ** is not pow)
    const bad = [
      ...code.matchAll(/Math\.(exp|log|log2|log10|sin|cos|tan|atan|atan2|cbrt|expm1|log1p|hypot|sinh|cosh|tanh)\(/g),
      // x ** n with an integer literal n is exact enough (fdlibm squares for 2); any other exponent is pow.
      ...code.matchAll(/\*\*\s*(?!-?\d+\b(?!\.))[^\s;,)]+/g),
    ].map((m) => m[0]);
    expect(bad).toEqual([]);
  });
});
