// The gridworld construction (Theorem 3 of Liu et al. 2023: last boundary hit, then count):
// its algebra against simulation on long random words, the compiled model on every word of small
// lengths and on sampled words up to its proven bound, its sizes (depth 3 for every N and T) and
// its refusals.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { withLabels, zoo } from '../../src/automata/index.js';
import { compileShortcut, evalBatches, exhaustiveBatches, initBackend } from '../../src/learning/index.js';
import { ShortcutError, gridworldMaxLength } from '../../src/shortcuts/index.js';
import { expectExact } from '../helpers/shortcuts.js';
import { lastVisitStates } from '../../src/shortcuts/gridworld.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function simulateGrid(N: number, word: readonly number[]): number[] {
  let q = 0;
  return word.map((x) => (q = x === 1 ? Math.min(q + 1, N - 1) : Math.max(q - 1, 0)));
}

describe('gridworld: the last-visit algebra', () => {
  it('reproduces the clamped walk on random words far beyond the float32 bound (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 3000 }), (N, word) => {
        expect(lastVisitStates(N, word)).toEqual(simulateGrid(N, word));
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('reproduces it on every word up to length 12 for N = 2..6', () => {
    for (let N = 2; N <= 6; N++) {
      for (let T = 1; T <= 12; T++) {
        for (let m = 0; m < 1 << T; m++) {
          const w = Array.from({ length: T }, (_, i) => (m >> i) & 1);
          expect(lastVisitStates(N, w)).toEqual(simulateGrid(N, w));
        }
      }
    }
  });
});

describe('gridworld: the compiled model', () => {
  it.each([
    ['gridworld:2', 12, 'default'],
    ['gridworld:3', 12, 'default'],
    ['gridworld:4', 12, 'default'],
    ['gridworld:9', 12, 'default'],
    ['gridworld:5', 10, 'boundary'],
    ['gridworld:9', 10, 'boundary'],
  ] as const)('%s at T=%i (label %s): 3 layers, exact on every word', (name, T, label) => {
    const c = compileShortcut(withLabels(zoo(name), label), { length: T, construction: 'gridworld' });
    expect(c.plan.layers).toBe(3);
    expect(expectExact(c, exhaustiveBatches({ automaton: c.automaton, length: T }, 512)).accuracySequence).toBe(1);
  });

  it('agrees with simulation on random words for random N (fast-check, compiled once per N)', () => {
    const models = new Map<number, ReturnType<typeof compileShortcut>>();
    try {
      fc.assert(
        fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 2 ** 30 }), (N, seed) => {
          if (!models.has(N)) models.set(N, compileShortcut(zoo(`gridworld:${N}`), { length: 60, construction: 'gridworld' }));
          const c = models.get(N)!;
          expectExact(c, evalBatches({ automaton: c.automaton, length: 60 }, 4, 1, seed), { dispose: false });
        }),
        { numRuns: 20, seed: 3 },
      );
    } finally {
      for (const c of models.values()) c.model.dispose();
    }
  });

  it('is exact at T = 100 and at its proven bound (sampled words), depth 3 whatever T', () => {
    for (const T of [100, gridworldMaxLength(9)]) {
      const c = compileShortcut(zoo('gridworld:9'), { length: T, construction: 'gridworld' });
      expect(c.plan.layers).toBe(3);
      expect(c.plan.maxLength).toBe(T);
      expectExact(c, evalBatches({ automaton: c.automaton, length: T }, 8, 1, 11));
    }
  });

  it('is exact beyond the compile length up to maxLength (a p = 0.9 walk that presses on a wall)', () => {
    const c = compileShortcut(zoo('gridworld:9'), { length: 16, maxLength: 300, construction: 'gridworld' });
    expect(c.plan.maxLength).toBe(300);
    expectExact(c, evalBatches({ automaton: c.automaton, length: 300, p: 0.9 }, 8, 1, 5));
  });

  it('sizes: width grows linearly with N, MLP width with T, depth never', () => {
    const plan = (N: number, T: number) => {
      const c = compileShortcut(zoo(`gridworld:${N}`), { length: T, construction: 'gridworld' });
      c.model.dispose();
      return c.plan;
    };
    const a = plan(9, 50);
    const b = plan(9, 200);
    const w = plan(17, 50);
    expect([a.layers, b.layers, w.layers]).toEqual([3, 3, 3]);
    expect(b.width).toBe(a.width);
    expect(b.mlpWidth).toBe(4 * 200);
    expect(w.heads).toBe(2 * 16);
    expect(w.width).toBeLessThanOrEqual(2 * a.width + 16);
  });

  it('refuses lengths beyond the bound, other automata, and is the default for gridworld:N', () => {
    const B = gridworldMaxLength(9);
    expect(B).toBeGreaterThanOrEqual(600);
    expect(() => compileShortcut(zoo('gridworld:9'), { length: B + 1, construction: 'gridworld' })).toThrow(new RegExp(`beyond the proven bound ${B}`));
    expect(gridworldMaxLength(64)).toBeLessThan(B); // the last-visit scores grow like N²·T
    expect(() => compileShortcut(zoo('parity'), { length: 8, construction: 'gridworld' })).toThrow(ShortcutError);
    expect(() => compileShortcut(zoo('flipflop:2'), { length: 8, construction: 'gridworld' })).toThrow(/is not gridworld:N/);
    const c = compileShortcut(zoo('gridworld:9'), { length: 100 });
    c.model.dispose();
    expect(c.construction).toBe('gridworld');
    expect(c.reason).toBe('gridworld: the shallowest that applies (3 layers; cascade 15, prefix 7)');
  });
});
