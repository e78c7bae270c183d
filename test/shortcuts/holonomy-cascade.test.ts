// Cascades that mix reset and abelian-group levels (resets.ts): automata whose holonomy
// decomposition has groups beside resets — no zoo automaton does (the zoo's are groups or
// aperiodic), so counters with a reset letter and a direct product flipflop × parity — exact on
// every word of small lengths and on sampled words at T = 100; random counter-with-resets automata
// against simulation (fast-check); non-abelian holonomy groups refused naming group and factors.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { directProduct, zoo, type Automaton } from '../../src/automata/index.js';
import { compileShortcut, evalBatches, exhaustiveBatches, initBackend } from '../../src/learning/index.js';
import { ShortcutError } from '../../src/shortcuts/index.js';
import { expectExact } from '../helpers/shortcuts.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const automaton = (name: string, delta: number[][]): Automaton => ({ name, delta, start: 0 });
/** zoo automaton `name` with one more letter: reset to state 0. */
const withReset = (name: string): Automaton => {
  const z = zoo(name);
  return automaton(`${name}+reset`, [...z.delta.map((r) => [...r]), new Array(z.delta[0].length).fill(0)]);
};

function exact(a: Automaton, T: number, words: 'every' | number) {
  const c = compileShortcut(a, { length: T, construction: 'cascade' });
  expectExact(c, words === 'every' ? exhaustiveBatches({ automaton: c.automaton, length: T }, 512) : evalBatches({ automaton: c.automaton, length: T }, 16, words, 9));
  return c;
}

describe('cascade: holonomy levels with abelian groups and resets', () => {
  it.each([
    ['counter:3+reset', 10, automaton('counter:3+reset', [[1, 2, 0], [0, 0, 0]]), 3, [[3]]],
    ['counter:4+reset+hold', 7, automaton('counter:4+reset+hold', [[1, 2, 3, 0], [0, 0, 0, 0], [0, 1, 2, 3]]), 3, [[4]]],
    ['cyclic_product:2,3+reset', 5, withReset('cyclic_product:2,3'), 3, [[6]]], // C2 × C3 = C6
    ['flipflop:2 × parity', 6, directProduct(zoo('flipflop:2'), zoo('parity')), 6, [[2], [2]]],
  ] as const)('%s at T=%i: exact on every word, depth independent of T', (_, T, a, layers, groups) => {
    const c = exact(a as Automaton, T, 'every');
    expect(c.construction).toBe('cascade');
    expect(c.details.kind).toBe('holonomy');
    expect(c.details.groups).toEqual(groups);
    expect(c.plan.layers).toBe(layers);
    const far = exact(a as Automaton, 100, 2);
    expect(far.plan.layers).toBe(layers);
  });

  it('random counters with resets agree with simulation (fast-check)', () => {
    const arb = fc.record({
      n: fc.integer({ min: 2, max: 5 }),
      resets: fc.array(fc.array(fc.nat(4), { minLength: 5, maxLength: 5 }), { minLength: 1, maxLength: 2 }),
      step: fc.integer({ min: 1, max: 4 }),
    });
    fc.assert(
      fc.property(arb, ({ n, resets, step }) => {
        // A rotation by `step` and constant-ish maps (each state to a chosen state): non-permutation letters.
        const delta = [Array.from({ length: n }, (_, q) => (q + step) % n), ...resets.map((r) => Array.from({ length: n }, (_, q) => r[q] % n))];
        const a = automaton(`counter:${n}+${resets.length}`, delta);
        let c;
        try {
          c = compileShortcut(a, { length: 6, construction: 'cascade' });
        } catch (e) {
          // A non-abelian holonomy group (a letter that permutes part of Q) is refused, by name.
          expect(e).toBeInstanceOf(ShortcutError);
          expect((e as Error).message).toMatch(/non-abelian|reachable configurations/);
          return;
        }
        expectExact(c, exhaustiveBatches({ automaton: c.automaton, length: 6 }, 512));
      }),
      { numRuns: 25, seed: 5 },
    );
  });

  it('refuses a non-abelian holonomy group, naming the group and a non-solvable factor', () => {
    expect(() => compileShortcut(withReset('dihedral:3'), { length: 6, construction: 'cascade' })).toThrow(/non-abelian group S3 \(composition factors C2, C3\) at level 1/);
    expect(() => compileShortcut(withReset('alternating:5'), { length: 6, construction: 'cascade' })).toThrow(/the group A5 at level 1, with non-abelian composition factor A5/);
  });

  it('the default choice takes the cascade when it is shallower than prefix, and says why', () => {
    const c = compileShortcut(automaton('counter:3+reset', [[1, 2, 0], [0, 0, 0]]), { length: 100 });
    c.model.dispose();
    expect(c.construction).toBe('cascade');
    expect(c.reason).toMatch(/^cascade: the shallowest that applies \(3 layers; prefix 7\)/);
  });
});
