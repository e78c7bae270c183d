// Froidure–Pin kernel: known sizes, equality with the TypeScript reference closure (elements in
// order, words, both Cayley graphs) on random generators for all three element layouts, words
// evaluate to their elements, the runner resumes, and bad input is a clear error.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  FroidurePin,
  SemigroupSizeError,
  referenceClosure,
  transformationSemigroup,
  composeTransformations,
  type TransformationSemigroup,
} from '../../src/algebra/index.js';
import { wasmBase64 } from '../../src/kernels/generated/semigroup.js';
import { cpuMs } from '../helpers/cpu.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** Generators of the full transformation monoid T_n: a transposition, the n-cycle, a rank n-1 map. */
function fullTransformationGens(n: number): number[][] {
  return [
    [1, 0, ...range(n).slice(2)],
    range(n).map((q) => (q + 1) % n),
    [0, 0, ...range(n).slice(2)],
  ];
}
/** S_n: a transposition and the n-cycle. */
const symmetricGens = (n: number) => fullTransformationGens(n).slice(0, 2);
const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
/** Idempotents of T_n: sum over image sizes k of C(n,k) k^(n-k). */
function idempotentsOfTn(n: number): number {
  let total = 0;
  let binom = 1;
  for (let k = 1; k <= n; k++) {
    binom = (binom * (n - k + 1)) / k;
    total += binom * k ** (n - k);
  }
  return total;
}
function countIdempotents(S: TransformationSemigroup): number {
  let c = 0;
  for (let i = 0; i < S.size; i++) {
    const e = S.element(i);
    if (e.every((x) => e[x] === x)) c++;
  }
  return c;
}

/** The kernel's semigroup equals the reference closure exactly, or both exceed maxSize. */
function expectSameAsReference(gens: number[][], maxSize: number): boolean {
  let ref;
  try {
    ref = referenceClosure(gens, maxSize);
  } catch (e) {
    expect(e).toBeInstanceOf(SemigroupSizeError);
    expect(() => transformationSemigroup(gens, { maxSize })).toThrow(SemigroupSizeError);
    return false;
  }
  const S = transformationSemigroup(gens, { maxSize });
  const k = gens.length;
  expect(S.size).toBe(ref.elements.length);
  // Compare flat arrays (one assertion each: fast on 46,656 elements).
  const ids = range(S.size);
  expect(ids.flatMap((i) => S.element(i)).join()).toBe(ref.elements.flat().join());
  expect(ids.map((i) => S.word(i).join('.')).join()).toBe(ref.words.map((w) => w.join('.')).join());
  expect(Array.from(S.rightCayley).join()).toBe(ref.right.flat().join());
  expect(ids.flatMap((i) => range(k).map((a) => S.left(a, i))).join()).toBe(ref.left.flat().join());
  return true;
}

/** A transformation that moves at most `moved` points (so generated semigroups stay small). */
function sparseTransformation(n: number, moved: number): fc.Arbitrary<number[]> {
  return fc
    .array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { minLength: 1, maxLength: moved })
    .map((pairs) => {
      const t = range(n);
      for (const [q, v] of pairs) t[q] = v;
      return t;
    });
}

describe('Froidure–Pin: known semigroups', () => {
  it('T_n has n^n elements and sum C(n,k) k^(n-k) idempotents (T_5: 3,125 and 196)', () => {
    for (const n of [1, 2, 3, 4, 5, 6]) {
      const gens = n === 1 ? [[0]] : n === 2 ? [[1, 0], [0, 0]] : fullTransformationGens(n);
      const S = transformationSemigroup(gens);
      expect(S.size).toBe(n ** n);
      expect(countIdempotents(S)).toBe(idempotentsOfTn(n));
    }
    expect(idempotentsOfTn(5)).toBe(196);
  });
  it('T_7 (823,543 elements; generators of the benchmark): a CPU-time guard against a slower algorithm', () => {
    const t0 = cpuMs();
    const S = transformationSemigroup(fullTransformationGens(7));
    const ms = cpuMs() - t0;
    expect(S.size).toBe(823_543);
    expect(ms).toBeLessThan(5000); // CPU time, generous; the benchmark reports the real figure
    // Spot-check words: the word of an element evaluates to that element.
    for (const i of [0, 1, 2, 1000, 400_000, 823_542]) expect(S.evaluate(S.word(i))).toBe(i);
  });
  it('S_n as a semigroup of permutations: n! elements, one idempotent', () => {
    for (const n of [3, 4, 5, 6, 7]) {
      const S = transformationSemigroup(symmetricGens(n));
      expect(S.size).toBe(factorial(n));
      expect(countIdempotents(S)).toBe(1);
    }
  });
  it('general byte layout (n > 16): S_17 acting on 17 points is too big, C_40 and a rank-1 map are exact', () => {
    const n = 40;
    const cycle = range(n).map((q) => (q + 1) % n);
    const S = transformationSemigroup([cycle, range(n).map(() => 0)]);
    // C_40 (40 elements) plus the 40 constant maps: every product with a constant map is constant.
    expect(S.size).toBe(80);
    expect(S.maxWordLength).toBe(40);
    expect(S.indexOf(range(n))).toBeGreaterThanOrEqual(0); // the identity = cycle^40
    expect(S.indexOf(range(n).map((q) => (q === 0 ? 1 : q)))).toBe(-1);
  });
  it('duplicate generators share one element; words use the first letter that gives it', () => {
    const S = transformationSemigroup([[1, 0], [1, 0], [0, 0]]);
    expect(S.size).toBe(4); // id, (0 1), two constants
    expect(S.generatorIndex(0)).toBe(S.generatorIndex(1));
    expect(S.word(S.generatorIndex(1))).toEqual([0]);
  });
  it('grows its arrays in place: T_6 (46,656 elements, from capacity 1,024) equals the reference exactly', () => {
    expect(expectSameAsReference(fullTransformationGens(6), 50_000)).toBe(true);
  });
  it('multiplyAll (no Cayley-graph shortcut) gives the same semigroup with more products', () => {
    const a = new FroidurePin(fullTransformationGens(5)).finish();
    const b = new FroidurePin(fullTransformationGens(5), { multiplyAll: true }).finish();
    expect(Array.from(b.elements)).toEqual(Array.from(a.elements));
    expect(Array.from(b.right)).toEqual(Array.from(a.right));
    expect(Array.from(b.left)).toEqual(Array.from(a.left));
    expect(a.products).toBeLessThan(b.products);
    expect(b.products).toBe(3125 * 3); // every element times every generator
  });
});

describe('Froidure–Pin runner', () => {
  it('the kernel stays under 4 KB: every semigroup instantiates it synchronously, which browsers allow on the main thread only for small modules', () => {
    expect(Buffer.from(wasmBase64, 'base64').length).toBeLessThan(4096);
  });
  it('stops after a budget and resumes to the same result; reports progress', () => {
    const gens = fullTransformationGens(6);
    const seen: number[] = [];
    const fp = new FroidurePin(gens, { onProgress: (p) => seen.push(p.elements) });
    expect(fp.run(100)).toBe(false);
    expect(fp.finished).toBe(false);
    const partial = fp.size;
    expect(partial).toBeGreaterThan(100);
    expect(partial).toBeLessThan(46_656);
    fp.run();
    expect(fp.finished).toBe(true);
    const r = fp.finish();
    expect(r.size).toBe(46_656);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen[seen.length - 1]).toBe(46_656);
    const direct = new FroidurePin(gens).finish();
    expect(Array.from(r.right)).toEqual(Array.from(direct.right));
    expect(Array.from(r.prefix)).toEqual(Array.from(direct.prefix));
  });
  it('runFor returns within its budget when not finished', () => {
    const fp = new FroidurePin(fullTransformationGens(7));
    fp.runFor(1);
    expect(fp.size).toBeGreaterThan(0);
    expect(fp.finish().size).toBe(823_543);
  });
});

describe('Froidure–Pin equals the TypeScript reference (fast-check)', () => {
  it('random transformations, n 1..12, 1..4 generators (u64 and v128 layouts)', () => {
    let complete = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((n) =>
          fc.oneof(
            fc.array(fc.array(fc.nat(n - 1), { minLength: n, maxLength: n }), { minLength: 1, maxLength: 4 }),
            fc.array(sparseTransformation(n, 3), { minLength: 1, maxLength: 4 }),
          ),
        ),
        (gens) => {
          if (expectSameAsReference(gens, 3000)) complete++;
        },
      ),
      { numRuns: 120, seed: 3 },
    );
    expect(complete).toBeGreaterThan(60);
  });
  it('random sparse transformations, n 17..40 (general byte layout)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 17, max: 40 }).chain((n) => fc.array(sparseTransformation(n, 4), { minLength: 1, maxLength: 3 })),
        (gens) => {
          expectSameAsReference(gens, 3000);
        },
      ),
      { numRuns: 40, seed: 4 },
    );
  });
  it("every element's word evaluates (by composing the generators) to the element", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 20 }).chain((n) => fc.array(sparseTransformation(n, 3), { minLength: 1, maxLength: 3 })),
        (gens) => {
          const S = transformationSemigroup(gens, { maxSize: 100_000 });
          for (let i = 0; i < S.size; i++) {
            const w = S.word(i);
            expect(w.length).toBe(S.wordLength(i));
            const t = w.slice(1).reduce((acc, a) => composeTransformations(acc, gens[a]), gens[w[0]]);
            expect(t).toEqual(S.element(i));
            expect(S.indexOf(t)).toBe(i);
          }
        },
      ),
      { numRuns: 40, seed: 5 },
    );
  });
});

describe('bad input is a clear error', () => {
  it('names the field and the value', () => {
    expect(() => transformationSemigroup([])).toThrow('generators is empty');
    expect(() => transformationSemigroup([[0, 1], [0, 1, 2]])).toThrow('generators[1] has length 3, expected 2');
    expect(() => transformationSemigroup([[]])).toThrow('generators[0] has degree 0');
    expect(() => transformationSemigroup([range(256)])).toThrow('degree 256, above the maximum 255');
    expect(() => transformationSemigroup([[0, 2]])).toThrow('generators[0][1] = 2 is not a point of 0..1');
    expect(() => transformationSemigroup([[0, 0.5]])).toThrow('generators[0][1] = 0.5');
    expect(() => transformationSemigroup({ name: 'x', delta: [[0], [1, 0]], start: 0 })).toThrow('delta[1] has length 2, expected 1');
    expect(() => transformationSemigroup([[0]], { maxSize: 0 })).toThrow('maxSize must be an integer');
  });
  it('element queries check the letter and the transformation (no read into another row)', () => {
    const S = transformationSemigroup([[1, 2, 3, 0], [1, 0, 2, 3]]); // S4, 2 letters
    expect(() => S.right(0, 2)).toThrow('letter 2 is not in 0..1');
    expect(() => S.left(-1, 0)).toThrow('letter -1 is not in 0..1');
    expect(() => S.generatorIndex(2)).toThrow('letter 2 is not in 0..1');
    expect(() => S.indexOf([1, 2])).toThrow('indexOf: the transformation has length 2, expected the degree 4');
    expect(() => S.indexOf([0, 1, 2, 9])).toThrow('indexOf: t[3] = 9 is not a point of 0..3');
    expect(S.indexOf([0, 0, 1, 2])).toBe(-1); // a transformation, just not in S4
  });
  it('stops past maxSize with SemigroupSizeError, not out of memory', () => {
    expect(() => transformationSemigroup(fullTransformationGens(6), { maxSize: 46_655 })).toThrow(
      'semigroup has more than 46655 elements; raise --max-size',
    );
    expect(transformationSemigroup(fullTransformationGens(6), { maxSize: 46_656 }).size).toBe(46_656);
    // More distinct generators than maxSize.
    expect(() => transformationSemigroup([[0, 0], [1, 1]], { maxSize: 1 })).toThrow(SemigroupSizeError);
    // 255 points, huge semigroup, small limit: stops quickly.
    const n = 255;
    expect(() => transformationSemigroup(fullTransformationGens(n), { maxSize: 5000 })).toThrow('more than 5000 elements');
  });
});
