// Order, solvability and composition factors against GAP 4.12 on 423 groups: the primitive groups
// of degree 5–24 (order < 10^12), the transitive groups of degree 6–10, and the perfect groups of
// order ≤ 30000 with a permutation representation of degree ≤ 255 (fixtures/groups-gap.json,
// made by GAP's CompositionSeries + StructureDescription with fixtures/groups-gap-*.g:
// `gap -q -b fixtures/groups-gap-primitive.g`; GAP wraps long lines, rejoin records at `{"name"`).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { analyzePermutationGroup } from '../../src/algebra/groups/index.js';

const rows = JSON.parse(readFileSync(new URL('./fixtures/groups-gap.json', import.meta.url), 'utf8')) as {
  name: string; degree: number; order: string; solvable: boolean; factors: string[]; generators: number[][];
}[];

/** GAP's names for the exceptional isomorphisms → the names of shared/spec/formats.md. */
const GAP_NAME: Record<string, string> = { 'PSL(3,2)': 'PSL(2,7)', 'O(5,3)': 'PSU(4,2)', 'PSL(2,4)': 'A5', 'PSL(2,5)': 'A5', 'PSL(2,9)': 'A6', 'PSL(4,2)': 'A8' };

// The perfect groups of degree > 128 (5 of them, about a third of the time) run with TESTBEDS_LONG=1.
const LONG = process.env.TESTBEDS_LONG === '1';
const selected = rows.filter((r) => LONG || r.degree <= 128);

describe('permutation groups against GAP', () => {
  const families = ['PrimitiveGroup', 'TransitiveGroup', 'PerfectGroup'];
  for (const fam of families) {
    it(`${fam}: ${selected.filter((r) => r.name.startsWith(fam)).length} groups`, () => {
      for (const r of selected.filter((r) => r.name.startsWith(fam))) {
        const rep = analyzePermutationGroup(r.generators, r.degree);
        const want = r.factors.map((f) => GAP_NAME[f] ?? f).sort();
        expect({ name: r.name, order: rep.order, solvable: rep.solvable, factors: rep.factors }).toEqual({
          name: r.name, order: BigInt(r.order), solvable: r.solvable, factors: want,
        });
      }
    }, 120_000);
  }
});

const small = JSON.parse(readFileSync(new URL('./fixtures/groups-gap-structure.json', import.meta.url), 'utf8')) as {
  name: string; degree: number; structure: string; generators: number[][];
}[];

describe('structure names against GAP StructureDescription (transitive groups of degree ≤ 10, order ≤ 5040)', () => {
  it(`every name given agrees with GAP; abelian, dihedral, Q8, A4, S4, S_n and simple groups are named`, () => {
    let named = 0;
    for (const r of small) {
      const s = analyzePermutationGroup(r.generators, r.degree).structure;
      const want = GAP_NAME[r.structure] ?? r.structure;
      // S_k is recognised only in its natural action (S6 on 10 points is not, PGL(2,9) has its order).
      const natural = !/^S\d+$/.test(want) || want === `S${r.degree}`;
      if (natural && /^(C\d+( x C\d+)*|D\d+|S\d+|Q8|A\d+|PSL\(2,\d+\))$/.test(want)) expect({ name: r.name, s }).toEqual({ name: r.name, s: want });
      if (s !== undefined) {
        expect({ name: r.name, s }).toEqual({ name: r.name, s: want });
        named++;
      }
    }
    expect(named).toBeGreaterThanOrEqual(45);
  });
});

describe('the Monte Carlo search for normal subgroups does not depend on luck', () => {
  it('perfect groups of degree ≤ 64 give GAP’s factors under other seeds too', () => {
    const perfect = rows.filter((r) => r.name.startsWith('PerfectGroup') && r.degree <= 64);
    expect(perfect.length).toBeGreaterThan(60);
    for (const seed of [2, 3])
      for (const r of perfect) {
        const want = r.factors.map((f) => GAP_NAME[f] ?? f).sort();
        expect({ name: r.name, seed, factors: analyzePermutationGroup(r.generators, r.degree, { seed }).factors }).toEqual({ name: r.name, seed, factors: want });
      }
  }, 120_000);
});
