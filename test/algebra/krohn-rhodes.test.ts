import { zooReference } from '../reference/index.js';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { decompositionJson, formatDecomposition, holonomyDecomposition, verifyEmulation } from '../../src/algebra/krohn-rhodes/index.js';

const zoo = zooReference as {
  name: string; states: number; delta: number[][]; isGroup: boolean;
  subgroups: { order: number; solvable: boolean; structure: string; factors: string[] }[];
}[];
const byName = (name: string) => zoo.find((e) => e.name === name)!;

function groupComponents(name: string) {
  const e = byName(name);
  const d = holonomyDecomposition(e.delta, e.states);
  return { d, groups: d.levels.flatMap((l) => l.components.flatMap((c) => (c.group ? [c.group] : []))) };
}

describe('holonomy decomposition of the zoo', () => {
  for (const e of zoo) {
    it(`${e.name}: the cascade emulates the automaton; group factors agree with GAP`, () => {
      const d = holonomyDecomposition(e.delta, e.states);
      const res = verifyEmulation(d, e.delta, { seed: 7, trials: 10, length: 60 });
      expect(res.failure).toBeUndefined();
      expect(res.ok).toBe(true);
      expect(res.steps).toBe(600);
      const kr = new Set(d.levels.flatMap((l) => l.components.flatMap((c) => c.group?.factors ?? [])));
      const gap = new Set(e.subgroups.flatMap((s) => s.factors));
      expect([...kr].sort()).toEqual([...gap].sort());
    });
  }
  it('parity: one level, group C2 on 2 states', () => {
    const { d } = groupComponents('parity');
    expect(d.levels.length).toBe(1);
    expect(d.levels[0].components.map((c) => [c.states, c.group?.structure])).toEqual([[2, 'C2']]);
    expect(formatDecomposition(d)).toContain('level 1: permutation-reset with group C2 on 2 states + resets');
  });
  it('cyclic_product:2,2,2: C2 x C2 x C2', () => {
    const { d, groups } = groupComponents('cyclic_product:2,2,2');
    expect(d.levels.length).toBe(1);
    expect(groups.map((g) => g.structure)).toEqual(['C2 x C2 x C2']);
  });
  it('symmetric:5: S5, not solvable, factors A5, C2', () => {
    const { groups } = groupComponents('symmetric:5');
    expect(groups.map((g) => [g.order, g.solvable, g.factors])).toEqual([[120n, false, ['A5', 'C2']]]);
  });
  it('dihedral:4: solvable components only', () => {
    const { groups } = groupComponents('dihedral:4');
    expect(groups.length).toBeGreaterThan(0);
    expect(groups.every((g) => g.solvable)).toBe(true);
  });
  it('gridworld, flipflop, dyck: aperiodic, only reset components', () => {
    for (const name of ['gridworld:4', 'gridworld:9', 'flipflop:2', 'dyck:1,4', 'dyck:2,4']) {
      const { d, groups } = groupComponents(name);
      expect(groups).toEqual([]);
      expect(d.levels.length).toBeGreaterThan(0);
      expect(formatDecomposition(d)).toContain('aperiodic');
    }
  });
  it('flipflop:2: one level of resets on 3 states', () => {
    const { d } = groupComponents('flipflop:2');
    expect(d.levels.map((l) => l.components.map((c) => c.states))).toEqual([[3]]);
  });
});

describe('emulation on random automata', () => {
  it('random transformations (n ≤ 6, up to 3 letters)', () => {
    const arb = fc.integer({ min: 1, max: 6 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        delta: fc.array(fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: n, maxLength: n }), { minLength: 1, maxLength: 3 }),
        seed: fc.integer(),
      }),
    );
    fc.assert(
      fc.property(arb, ({ n, delta, seed }) => {
        const d = holonomyDecomposition(delta, n);
        const r = verifyEmulation(d, delta, { seed, trials: 4, length: 30 });
        if (!r.ok) throw new Error(`${JSON.stringify(delta)}: ${r.failure}`);
      }),
      { numRuns: 150 },
    );
  });
  it('mixed permutations and collapses (n ≤ 7)', () => {
    const arb = fc.integer({ min: 2, max: 7 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        perms: fc.array(fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }), { minLength: 1, maxLength: 2 }),
        maps: fc.array(fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: n, maxLength: n }), { minLength: 1, maxLength: 2 }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ n, perms, maps }) => {
        const delta = [...perms, ...maps];
        const d = holonomyDecomposition(delta, n);
        const r = verifyEmulation(d, delta, { seed: 1, trials: 4, length: 30 });
        if (!r.ok) throw new Error(`${JSON.stringify(delta)}: ${r.failure}`);
      }),
      { numRuns: 100 },
    );
  });
});

describe('the emulation check can fail', () => {
  it('rejects a decomposition checked against a different automaton of the same shape', () => {
    const grid = byName('gridworld:4');
    const d = holonomyDecomposition(grid.delta, 4);
    const other = [[1, 2, 3, 0], [0, 0, 1, 2]];
    const r = verifyEmulation(d, other, { seed: 3, trials: 5, length: 20 });
    expect(r.ok).toBe(false);
    expect(r.failure).toMatch(/not in the holonomy group|cascade at state \d, automaton at \d/);
  });
});

describe('bad input', () => {
  it('names the field and the value', () => {
    expect(() => holonomyDecomposition([], 3)).toThrow(/generators is empty/);
    expect(() => holonomyDecomposition([[0, 1]], 3)).toThrow(/delta\[0\] has length 2, expected 3/);
    expect(() => holonomyDecomposition([[0, 1, 5]], 3)).toThrow(/delta\[0\]\[2\] = 5/);
    expect(() => holonomyDecomposition([[0]], 0)).toThrow(/n must be a positive integer/);
  });
  it('verifyEmulation refuses a check of nothing (trials or length < 1)', () => {
    const d = holonomyDecomposition([[1, 0]], 2);
    expect(() => verifyEmulation(d, [[1, 0]], { trials: -1 })).toThrow('verifyEmulation: trials = -1, expected a positive integer');
    expect(() => verifyEmulation(d, [[1, 0]], { length: 0 })).toThrow('verifyEmulation: length = 0, expected a positive integer');
    expect(verifyEmulation(d, [[1, 0]], { trials: 2, length: 3 })).toMatchObject({ ok: true, steps: 6 });
  });
});

describe('edge cases and JSON', () => {
  it('one state: no levels; the cascade is trivially right', () => {
    const d = holonomyDecomposition([[0], [0]], 1);
    expect(d.levels).toEqual([]);
    expect(verifyEmulation(d, [[0], [0]], { trials: 2, length: 5 }).ok).toBe(true);
  });
  it('the full transformation monoid T5: levels S5, S4, S3, C2 (the classical holonomy result)', () => {
    const gens = [[1, 2, 3, 4, 0], [1, 0, 2, 3, 4], [0, 0, 2, 3, 4]];
    const d = holonomyDecomposition(gens, 5);
    expect(d.levels.map((l) => l.components.map((c) => c.group?.structure))).toEqual([['S5'], ['S4'], ['S3'], ['C2']]);
    expect(verifyEmulation(d, gens, { seed: 2, trials: 10, length: 50 }).ok).toBe(true);
  });
  it('decompositionJson is JSON-serialisable', () => {
    const e = byName('symmetric:5');
    const j = JSON.parse(JSON.stringify(decompositionJson(holonomyDecomposition(e.delta, e.states))));
    expect(j.levels[0].components[0].group).toMatchObject({ order: 120, solvable: false, factors: ['A5', 'C2'], structure: 'S5' });
  });
});
