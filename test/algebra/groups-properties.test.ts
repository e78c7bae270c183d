// Property tests of the permutation-group machinery on random small groups (degree ≤ 7), against
// brute force: the order equals the closure size by BFS; products of generators are members;
// random non-members are rejected; bad input errors name the field and value.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzePermutationGroup, permutationGroup, toPerms, derivedSeries, StabChain, compose, ambiguousSimpleOrders } from '../../src/algebra/groups/index.js';
import { Rng } from '../../src/random/prng.js';
import { closureSize } from './groups-builders.js';

const permArb = (m: number) => fc.shuffledSubarray([...Array(m).keys()], { minLength: m, maxLength: m });
const groupArb = fc.integer({ min: 1, max: 7 }).chain((m) =>
  fc.record({ m: fc.constant(m), gens: fc.array(permArb(m), { minLength: 1, maxLength: 3 }), word: fc.array(fc.nat(), { maxLength: 12 }) }),
);

function elementSet(gens: number[][], m: number): Set<string> {
  const id = Array.from({ length: m }, (_, i) => i);
  const seen = new Set([id.join(',')]);
  const queue = [id];
  for (let q = 0; q < queue.length; q++)
    for (const g of gens) {
      const p = queue[q].map((x) => g[x]);
      if (!seen.has(p.join(','))) {
        seen.add(p.join(','));
        queue.push(p);
      }
    }
  return seen;
}

describe('random groups of degree ≤ 7', () => {
  it('order = closure size by BFS; products of generators are members', () => {
    fc.assert(
      fc.property(groupArb, ({ m, gens, word }) => {
        const G = permutationGroup(gens, m);
        expect(G.order).toBe(BigInt(closureSize(gens, m)));
        const perms = toPerms(gens, m);
        let w = toPerms([Array.from({ length: m }, (_, i) => i)], m)[0];
        for (const k of word) w = compose(w, perms[k % perms.length]);
        expect(G.contains(w)).toBe(true);
        expect(G.elements().length).toBe(Number(G.order));
      }),
      { numRuns: 200 },
    );
  });
  it('membership agrees with the BFS element set on random permutations', () => {
    fc.assert(
      fc.property(groupArb, fc.array(fc.nat(), { minLength: 1, maxLength: 1 }), ({ m, gens }) => {
        const G = permutationGroup(gens, m);
        const all = elementSet(gens, m);
        const rng = new Rng(m * 31 + gens.length);
        for (let t = 0; t < 20; t++) {
          const p = Array.from({ length: m }, (_, i) => i);
          for (let i = m - 1; i > 0; i--) {
            const j = rng.nextInt(i + 1);
            [p[i], p[j]] = [p[j], p[i]];
          }
          expect(G.contains(Uint16Array.from(p))).toBe(all.has(p.join(',')));
        }
      }),
      { numRuns: 150 },
    );
  });
  it('factors multiply to the order; solvable iff the derived series ends in 1', () => {
    fc.assert(
      fc.property(groupArb, ({ m, gens }) => {
        const r = analyzePermutationGroup(gens, m);
        const sizes: Record<string, bigint> = { A5: 60n, A6: 360n, A7: 2520n, 'PSL(2,7)': 168n };
        const prod = r.factors.reduce((acc, f) => acc * (f.startsWith('C') ? BigInt(f.slice(1)) : sizes[f]), 1n);
        expect(prod).toBe(r.order);
        const series = derivedSeries(permutationGroup(gens, m));
        expect(r.solvable).toBe(series[series.length - 1].isTrivial);
        expect(r.derivedLengths).toEqual(series.map((s) => s.order));
      }),
      { numRuns: 150 },
    );
  });
});

describe('bad input', () => {
  it('names the generator, index and value', () => {
    expect(() => analyzePermutationGroup([[0, 1, 2], [1, 0]], 3)).toThrow(/generators\[1\] has length 2, expected 3/);
    expect(() => analyzePermutationGroup([[0, 1, 1]], 3)).toThrow(/generators\[0\] is not a permutation: value 1 appears twice \(again at index 2\)/);
    expect(() => analyzePermutationGroup([[0, 3, 1]], 3)).toThrow(/generators\[0\]\[1\] = 3 is not a point in 0..2/);
    expect(() => analyzePermutationGroup([[0, 1.5, 1]], 3)).toThrow(/generators\[0\]\[1\] = 1.5/);
    expect(() => analyzePermutationGroup([], 0)).toThrow(/degree must be a positive integer, got 0/);
  });
  it('the trivial group and an empty generator list', () => {
    const r = analyzePermutationGroup([], 4);
    expect([r.order, r.solvable, r.factors, r.structure]).toEqual([1n, true, [], '1']);
    expect(new StabChain(3).order).toBe(1n);
  });
  it('the only ambiguous simple order tabulated is 20160 (A8 vs PSL(3,4))', () => {
    expect(ambiguousSimpleOrders()).toEqual([20160n]);
  });
});
