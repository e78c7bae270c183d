// Holonomy decompositions of 60 random semiautomata (3–6 states, 2–3 letters, mixing permutations
// and arbitrary maps) against GAP 4.12 facts on their transformation semigroups
// (fixtures/krohn-rhodes-gap-random.json, made by shared/tools/gap_facts.py on random files):
// the cascade emulates the automaton, and the composition factors of the holonomy groups are,
// as a set, those of the maximal subgroups.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { holonomyDecomposition, verifyEmulation } from '../../src/algebra/krohn-rhodes/index.js';

const rows = JSON.parse(readFileSync(new URL('./fixtures/krohn-rhodes-gap-random.json', import.meta.url), 'utf8')) as {
  name: string; states: number; delta: number[][]; subgroups: { order: number; solvable: boolean; factors: string[] }[];
}[];

describe('holonomy decomposition against GAP on random semiautomata', () => {
  it(`${rows.length} automata: emulation, factors, solvability`, () => {
    for (const r of rows) {
      const d = holonomyDecomposition(r.delta, r.states);
      const res = verifyEmulation(d, r.delta, { seed: 5, trials: 5, length: 40 });
      expect({ name: r.name, ok: res.ok, failure: res.failure }).toEqual({ name: r.name, ok: true, failure: undefined });
      const groups = d.levels.flatMap((l) => l.components.flatMap((c) => (c.group ? [c.group] : [])));
      const kr = [...new Set(groups.flatMap((g) => g.factors))].sort();
      const gap = [...new Set(r.subgroups.flatMap((s) => s.factors))].sort();
      expect({ name: r.name, factors: kr }).toEqual({ name: r.name, factors: gap });
      expect(groups.every((g) => g.solvable)).toBe(r.subgroups.every((s) => s.solvable));
      // Each holonomy group is a quotient of a maximal subgroup: its order divides one of theirs.
      for (const g of groups) expect(r.subgroups.some((s) => BigInt(s.order) % g.order === 0n)).toBe(true);
    }
  });
});
