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

describe('permutation groups against GAP', () => {
  const families = ['PrimitiveGroup', 'TransitiveGroup', 'PerfectGroup'];
  for (const fam of families) {
    it(`${fam}: ${rows.filter((r) => r.name.startsWith(fam)).length} groups`, () => {
      for (const r of rows.filter((r) => r.name.startsWith(fam))) {
        const rep = analyzePermutationGroup(r.generators, r.degree);
        const want = r.factors.map((f) => GAP_NAME[f] ?? f).sort();
        expect({ name: r.name, order: rep.order, solvable: rep.solvable, factors: rep.factors }).toEqual({
          name: r.name, order: BigInt(r.order), solvable: r.solvable, factors: want,
        });
      }
    }, 120_000);
  }
});
