import { describe, expect, it } from 'vitest';
import { applyLabels, directProduct, labelKinds, labelsOf, withLabels, zoo, numStates } from '../../src/automata/index.js';

/** Runs the automaton (plain loop) over a word. */
function run(a: { delta: readonly (readonly number[])[]; start: number }, word: number[]): number[] {
  let q = a.start;
  return word.map((l) => (q = a.delta[l][q]));
}

describe('labels', () => {
  it('dihedral: direction = parity of U-turns, position = pos', () => {
    const a = zoo('dihedral:5');
    const word = [1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1];
    const states = run(a, word);
    const dir = applyLabels(states, labelsOf(a, 'direction'));
    let uturns = 0;
    word.forEach((l, t) => {
      if (l === 0) uturns++;
      expect(dir[t]).toBe(uturns % 2);
    });
    const pos = applyLabels(states, labelsOf(a, 'position'));
    let p = 0;
    let d = 1;
    word.forEach((l, t) => {
      if (l === 0) d = -d;
      else p = (p + d + 5) % 5;
      expect(pos[t]).toBe(p);
    });
  });
  it('dyck: depth and accept follow the bracket word', () => {
    const a = zoo('dyck:2,3');
    const word = [0, 1, 3, 2, 0, 2]; // ( [ ] ) ( )
    const states = run(a, word);
    expect(Array.from(applyLabels(states, labelsOf(a, 'depth')))).toEqual([1, 2, 1, 0, 1, 0]);
    expect(Array.from(applyLabels(states, labelsOf(a, 'accept')))).toEqual([0, 0, 0, 1, 0, 1]);
    expect(labelsOf(a, 'depth')[numStates(a) - 1]).toBe(4); // the sink
  });
  it('gridworld boundary and symmetric/alternating first element agree with the state names', () => {
    expect(labelsOf(zoo('gridworld:4'), 'boundary')).toEqual([1, 0, 0, 1]);
    for (const name of ['symmetric:4', 'alternating:5', 'symmetric:5']) {
      const a = zoo(name);
      expect(labelsOf(a, 'first')).toEqual(a.states!.map((s) => Number(s[1])));
    }
  });
  it('state / default / withLabels / unknown kinds', () => {
    const a = zoo('dihedral:3');
    expect(labelKinds(a)).toEqual(['state', 'default', 'direction', 'position']);
    expect(labelsOf(a, 'state')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(labelsOf(a)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(labelsOf(withLabels(a, 'position'))).toEqual([0, 1, 2, 0, 1, 2]);
    expect(() => labelsOf(a, 'depth')).toThrow(/dihedral:3: unknown label "depth" \(available: state, default, direction, position\)/);
  });
  it('applyLabels picks the width and rejects out-of-range states', () => {
    expect(applyLabels(new Uint8Array([0, 1]), [3, 4])).toBeInstanceOf(Uint8Array);
    expect(applyLabels([0, 1], [3, 400])).toBeInstanceOf(Uint16Array);
    expect(applyLabels([0, 1], [3, 70000])).toBeInstanceOf(Uint32Array);
    expect(() => applyLabels([0, 2], [0, 1])).toThrow(/states\[1\] = 2 is out of range/);
  });
});

describe('directProduct', () => {
  it('union of cyclic:2 ×3 with dedupe is cyclic_product:2,2,2; of cyclic:3, cyclic:4 is cyclic_product:3,4', () => {
    const c2 = zoo('cyclic:2');
    expect(directProduct(c2, c2, c2, { dedupe: true }).delta).toEqual(zoo('cyclic_product:2,2,2').delta);
    expect(directProduct(zoo('cyclic:3'), zoo('cyclic:4'), { dedupe: true }).delta).toEqual(zoo('cyclic_product:3,4').delta);
  });
  it('union: each letter moves its own coordinate; runs agree factor by factor', () => {
    const a = zoo('dihedral:3');
    const b = zoo('gridworld:4');
    const p = directProduct(a, b);
    expect(numStates(p)).toBe(24);
    expect(p.delta.length).toBe(4);
    expect(p.alphabet).toEqual(['U@0', 'D@0', 'L@1', 'R@1']);
    const word = [0, 1, 3, 3, 1, 2, 1, 3, 0, 3];
    const qa = run(a, word.filter((l) => l < 2));
    const qb = run(b, word.filter((l) => l >= 2).map((l) => l - 2));
    const qp = run(p, word);
    expect(qp[qp.length - 1]).toBe(qa[qa.length - 1] + 6 * qb[qb.length - 1]);
  });
  it('pairs: letters are tuples and move all coordinates at once; start is mixed-radix', () => {
    const a = { ...zoo('cyclic:3'), start: 2 };
    const b = { ...zoo('parity'), start: 1 };
    const p = directProduct(a, b, { letters: 'pairs' });
    expect(p.start).toBe(2 + 3 * 1);
    expect(p.delta.length).toBe(4);
    expect(p.alphabet).toEqual(['(0,0)', '(+1,0)', '(0,1)', '(+1,1)']);
    expect(p.delta[3][0]).toBe(1 + 3 * 1);
    expect(p.states![5]).toBe('(2,odd)');
  });
  it('combines labels mixed-radix and refuses sizes above the limits', () => {
    const a = withLabels(zoo('dihedral:4'), 'direction');
    const p = directProduct(a, zoo('parity'));
    expect(p.labels![1 + 8]).toBe(0 + 2 * 1);
    expect(p.labels![4]).toBe(1);
    expect(() => directProduct(zoo('cyclic:300'), zoo('cyclic:300'))).toThrow(/\|Q\| = 300·300 = 90000 exceeds the limit of 65536/);
    expect(() => directProduct()).toThrow(/at least one automaton/);
    // |Q| and |Σ| within their limits, but the table far too large to build (it used to try).
    expect(() => directProduct(zoo('flipflop:200'), zoo('flipflop:100'), { letters: 'pairs' })).toThrow(/δ has \|Q\|·\|Σ\| = 20301·20301 = 412130601 entries, above the limit of 16777216/);
  });
});
