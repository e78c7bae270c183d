import { zooReference } from '../reference/index.js';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { analyzePermutationGroup, groupReportJson } from '../../src/algebra/groups/index.js';
import * as B from './groups-builders.js';

const zoo = zooReference as {
  name: string; states: number; delta: number[][]; isGroup: boolean;
  subgroups: { order: number; solvable: boolean; structure: string; factors: string[] }[];
}[];

function fact(n: number): bigint {
  let r = 1n;
  for (let i = 2n; i <= BigInt(n); i++) r *= i;
  return r;
}

describe('analyzePermutationGroup on the zoo groups (GAP facts)', () => {
  for (const e of zoo.filter((e) => e.isGroup)) {
    it(e.name, () => {
      const r = analyzePermutationGroup(e.delta, e.states);
      const g = e.subgroups[0];
      expect(r.order).toBe(BigInt(g.order));
      expect(r.solvable).toBe(g.solvable);
      expect(r.factors).toEqual(g.factors);
      expect(r.structure).toBe(g.structure);
    });
  }
});

describe('classical groups', () => {
  it('S_n and A_n', () => {
    for (const n of [2, 3, 4, 5, 6, 7, 10, 20]) {
      const s = analyzePermutationGroup(B.symmetricGens(n), n);
      expect(s.order).toBe(fact(n));
      expect(s.solvable).toBe(n <= 4);
      if (n >= 5) expect(s.factors).toEqual([`A${n}`, 'C2']);
      if (n >= 3) {
        const a = analyzePermutationGroup(B.alternatingGens(n), n);
        expect(a.order).toBe(fact(n) / 2n);
        if (n >= 5) expect(a.factors).toEqual([`A${n}`]);
      }
    }
    expect(analyzePermutationGroup(B.symmetricGens(4), 4).factors).toEqual(['C2', 'C2', 'C2', 'C3']);
    expect(analyzePermutationGroup(B.symmetricGens(4), 4).structure).toBe('S4');
    expect(analyzePermutationGroup(B.alternatingGens(4), 4).structure).toBe('A4');
  });
  it('giant groups: S_100 and A_60 (random Schreier–Sims certified by the order bound)', () => {
    const r = analyzePermutationGroup(B.symmetricGens(100), 100);
    expect(r.order).toBe(fact(100));
    expect(r.factors).toEqual(['A100', 'C2']);
    expect(r.structure).toBe('S100');
    const a = analyzePermutationGroup(B.alternatingGens(60), 60);
    expect([a.order, a.factors]).toEqual([fact(60) / 2n, ['A60']]);
  });
  it('a large non-giant group: A5 wr S10 on 50 points', () => {
    const r = analyzePermutationGroup(B.wreathWithSymmetric(B.alternatingGens(5), 5, 10), 50);
    expect(r.order).toBe(60n ** 10n * fact(10));
    expect(r.factors).toEqual(['A10', ...Array(10).fill('A5'), 'C2']); // sorted as strings
  });
  it('dihedral groups', () => {
    for (const n of [3, 4, 5, 6, 12]) {
      const r = analyzePermutationGroup(B.dihedralGens(n), n);
      expect(r.order).toBe(BigInt(2 * n));
      expect(r.solvable).toBe(true);
      expect(r.structure).toBe(n === 3 ? 'S3' : `D${2 * n}`);
    }
    expect(analyzePermutationGroup(B.dihedralGens(12), 12).factors).toEqual(['C2', 'C2', 'C2', 'C3']);
  });
  it('PSL(2,7) on 8 points, PSL(2,11) on 12, PSL(2,8) on 9, A6', () => {
    const a = analyzePermutationGroup(B.psl2PrimeGens(7), 8);
    expect([a.order, a.factors]).toEqual([168n, ['PSL(2,7)']]);
    const b = analyzePermutationGroup(B.psl2PrimeGens(11), 12);
    expect([b.order, b.factors]).toEqual([660n, ['PSL(2,11)']]);
    const c = analyzePermutationGroup(B.psl28Gens(), 9);
    expect([c.order, c.factors]).toEqual([504n, ['PSL(2,8)']]);
    const d = analyzePermutationGroup(B.alternatingGens(6), 6);
    expect([d.order, d.factors]).toEqual([360n, ['A6']]);
  });
  it('Mathieu groups M11 and M12', () => {
    const a = analyzePermutationGroup(B.M11, 11);
    expect([a.order, a.factors, a.solvable]).toEqual([7920n, ['M11'], false]);
    const b = analyzePermutationGroup(B.M12, 12);
    expect([b.order, b.factors]).toEqual([95040n, ['M12']]);
  });
  it('A5 x A5 and A5 x S5: direct products split into their factors', () => {
    const a5 = B.alternatingGens(5);
    const r = analyzePermutationGroup(B.directProduct(a5, 5, a5, 5), 10);
    expect([r.order, r.factors]).toEqual([3600n, ['A5', 'A5']]);
    const s = analyzePermutationGroup(B.directProduct(a5, 5, B.symmetricGens(5), 5), 10);
    expect([s.order, s.factors]).toEqual([7200n, ['A5', 'A5', 'C2']]);
  });
  it('SL(2,5): perfect but not simple (factors A5, C2)', () => {
    const r = analyzePermutationGroup(B.sl25Gens(), 24);
    expect([r.order, r.solvable, r.factors]).toEqual([120n, false, ['A5', 'C2']]);
    expect(r.derivedLengths).toEqual([120n]);
  });
  it('a wreath product S4 wr S2 (solvable) and A5 wr S3', () => {
    const r = analyzePermutationGroup(B.wreathWithSymmetric(B.symmetricGens(4), 4, 2), 8);
    expect([r.order, r.solvable]).toEqual([1152n, true]);
    expect(r.factors).toEqual(['C2', 'C2', 'C2', 'C2', 'C2', 'C2', 'C2', 'C3', 'C3']);
    const w = analyzePermutationGroup(B.wreathWithSymmetric(B.alternatingGens(5), 5, 3), 15);
    expect(w.order).toBe(60n ** 3n * 6n);
    expect(w.factors).toEqual(['A5', 'A5', 'A5', 'C2', 'C3']);
  });
});

describe('the ambiguous order 20160', () => {
  it('A8 (on 8 points) and PSL(3,4) (on the 21 points of the projective plane over GF(4))', () => {
    const rows = JSON.parse(readFileSync(new URL('./fixtures/groups-gap.json', import.meta.url), 'utf8')) as {
      name: string; degree: number; factors: string[]; generators: number[][]; order: string;
    }[];
    const a8 = rows.find((r) => r.order === '20160' && r.factors.join() === 'A8')!;
    const l34 = rows.find((r) => r.order === '20160' && r.factors.join() === 'PSL(3,4)')!;
    expect(analyzePermutationGroup(a8.generators, a8.degree).factors).toEqual(['A8']);
    expect(analyzePermutationGroup(l34.generators, l34.degree).factors).toEqual(['PSL(3,4)']);
  });
  it('JSON form: orders as numbers when exact, strings beyond 2^53', () => {
    expect(groupReportJson(analyzePermutationGroup(B.symmetricGens(5), 5))).toMatchObject({ order: 120, derivedLengths: [120, 60] });
    expect(groupReportJson(analyzePermutationGroup(B.symmetricGens(20), 20)).order).toBe('2432902008176640000');
  });
});
