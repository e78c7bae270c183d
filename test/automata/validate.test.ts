import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AutomatonError, automatonToJson, validateAutomaton, zoo } from '../../src/automata/index.js';

const ok = { delta: [[1, 0], [0, 1]] };
const bad = (raw: unknown) => () => validateAutomaton(raw, 'car.json');

describe('validateAutomaton: accepts the file format', () => {
  it('fills defaults: start 0, name from the source', () => {
    const a = validateAutomaton(ok, 'p.json');
    expect(a).toEqual({ name: 'p.json', delta: [[1, 0], [0, 1]], start: 0 });
  });
  it('reads the example of formats.md', () => {
    const raw = {
      name: 'car-on-circle',
      delta: [[4, 5, 6, 7, 0, 1, 2, 3], [1, 2, 3, 0, 7, 4, 5, 6]],
      start: 0,
      states: ['→0', '→1', '→2', '→3', '←0', '←1', '←2', '←3'],
      alphabet: ['U', 'D'],
      labels: [0, 0, 0, 0, 1, 1, 1, 1],
    };
    const a = validateAutomaton(raw);
    expect(a.delta).toEqual(zoo('dihedral:4').delta);
    expect(a.states).toEqual(zoo('dihedral:4').states);
    expect(a.labels).toEqual(zoo('dihedral:4').labelings!.direction);
    expect(automatonToJson(a)).toEqual(raw);
  });
  it('round-trips every zoo automaton through JSON', () => {
    for (const name of ['dyck:2,3', 'symmetric:4', 'quaternion', 'flipflop:3']) {
      const a = zoo(name);
      expect(validateAutomaton(JSON.parse(JSON.stringify(automatonToJson(a))))).toEqual(a);
    }
  });
  it('copies its input (later edits of the raw object do not leak in)', () => {
    const raw = { delta: [[0, 1]] };
    const a = validateAutomaton(raw);
    raw.delta[0][0] = 1;
    expect(a.delta[0][0]).toBe(0);
  });
});

describe('validateAutomaton: every rule names the field and the value', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not an object', [1, 2], /car\.json: expected a JSON object with a "delta" field, got \[1,2\]/],
    ['null', null, /expected a JSON object.*got null/],
    ['missing delta', { start: 0 }, /missing required field "delta"/],
    ['delta not an array', { delta: 'abc' }, /delta must be an array of rows, got "abc"/],
    ['empty alphabet', { delta: [] }, /delta has no rows: the alphabet is empty \(\|Σ\| = 0\)/],
    ['|Q| = 0', { delta: [[], []] }, /delta\[0\] is empty: \|Q\| = 0/],
    ['row not an array', { delta: [[0, 1], 5] }, /delta\[1\] must be an array of states, got 5/],
    ['ragged rows', { delta: [[0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 2]] }, /delta\[2\] has length 3, expected 4/],
    ['state out of range', { delta: [[0, 1], [2, 0]] }, /delta\[1\]\[0\] = 2 is out of range: states are 0\.\.1/],
    ['negative state', { delta: [[0, -1]] }, /delta\[0\]\[1\] = -1 is out of range/],
    ['non-integer state', { delta: [[0, 0.5]] }, /delta\[0\]\[1\] = 0\.5 is not an integer state/],
    ['string state', { delta: [[0, '1']] }, /delta\[0\]\[1\] = "1" is not an integer state/],
    ['start out of range', { delta: [[0, 1]], start: 2 }, /start = 2 is out of range: states are 0\.\.1/],
    ['start non-integer', { delta: [[0, 1]], start: 1.5 }, /start = 1\.5 is not an integer state/],
    ['states wrong length', { delta: [[0, 1]], states: ['a'] }, /states has length 1, expected 2/],
    ['states not strings', { delta: [[0, 1]], states: ['a', 3] }, /states\[1\] = 3 is not a string/],
    ['alphabet wrong length', { delta: [[0, 1]], alphabet: ['x', 'y'] }, /alphabet has length 2, expected 1/],
    ['labels wrong length', { delta: [[0, 1]], labels: [0, 0, 0] }, /labels has length 3, expected 2/],
    ['labels negative', { delta: [[0, 1]], labels: [0, -1] }, /labels\[1\] = -1 is not a class id/],
    ['labelings entry', { delta: [[0, 1]], labelings: { side: [0] } }, /labelings\.side has length 1, expected 2/],
    ['name not a string', { delta: [[0]], name: 7 }, /name must be a string, got 7/],
  ];
  for (const [what, raw, msg] of cases) {
    it(what, () => {
      expect(bad(raw)).toThrow(AutomatonError);
      expect(bad(raw)).toThrow(msg);
    });
  }
  it('|Q| > 65,536', () => {
    expect(bad({ delta: [new Array(65537).fill(0)] })).toThrow(/delta\[0\] has length 65537: \|Q\| = 65537 exceeds the limit of 65536/);
  });
  it('|Σ| > 65,536', () => {
    expect(bad({ delta: new Array(65537).fill([0]) })).toThrow(/delta has 65537 rows: \|Σ\| = 65537 exceeds the limit of 65536/);
  });
  it('|Q| = |Σ| = 65,536 row lengths are fine at the limit', () => {
    const row = Array.from({ length: 65536 }, (_, q) => (q + 1) % 65536);
    expect(validateAutomaton({ delta: [row] }).delta[0].length).toBe(65536);
  });
  it('long values are shortened in messages', () => {
    let msg = '';
    try {
      validateAutomaton({ delta: 'x'.repeat(500) });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg.length).toBeLessThan(150);
  });
});

describe('validateAutomaton: random automata (fast-check)', () => {
  const automaton = fc
    .record({ n: fc.integer({ min: 1, max: 12 }), k: fc.integer({ min: 1, max: 5 }) })
    .chain(({ n, k }) =>
      fc.record({
        delta: fc.array(fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: n, maxLength: n }), { minLength: k, maxLength: k }),
        start: fc.integer({ min: 0, max: n - 1 }),
      }),
    );
  it('accepts every well-formed automaton unchanged', () => {
    fc.assert(
      fc.property(automaton, (raw) => {
        const a = validateAutomaton(raw);
        expect(a.delta).toEqual(raw.delta);
        expect(a.start).toBe(raw.start);
      }),
    );
  });
  it('rejects any one corrupted entry, naming its position and value', () => {
    fc.assert(
      fc.property(automaton, fc.nat(), fc.nat(), fc.constantFrom(-1, 0.5, 'x', null, 99), (raw, i, j, bad) => {
        const a = i % raw.delta.length;
        const q = j % raw.delta[0].length;
        const n = raw.delta[0].length;
        const value = bad === 99 ? n : bad;
        const delta = raw.delta.map((r) => r.slice()) as unknown[][];
        delta[a][q] = value;
        expect(() => validateAutomaton({ ...raw, delta })).toThrow(`delta[${a}][${q}] = ${typeof value === 'string' ? `"${value}"` : value}`);
      }),
    );
  });
});
