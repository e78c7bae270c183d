// Valid-prefix sampling (bounded Dyck): every sampled prefix is well nested within depth M, its
// labels are the states the plain simulation gives, and automata without one reject sink refuse.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zoo } from '../../src/automata/index.js';
import { labelsOf } from '../../src/automata/labels.js';
import { evalBatches, rejectSink, runConfig, trainBatch, validateTask } from '../../src/learning/index.js';
import { trainArgs, PRESETS } from '../../src/learning/sweep.js';

/** Reference check with an explicit stack: letters 0..K-1 open type t, K..2K-1 close type t. */
function wellNested(letters: ArrayLike<number>, K: number, M: number): boolean {
  const stack: number[] = [];
  for (let i = 0; i < letters.length; i++) {
    const s = letters[i];
    if (s < K) {
      if (stack.length === M) return false;
      stack.push(s);
    } else if (stack.pop() !== s - K) return false;
  }
  return true;
}

describe('valid prefixes', () => {
  it('bounded Dyck prefixes are well nested and labelled by the simulation (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 2 ** 31 }), (K, M, T, seed) => {
        const a = zoo(`dyck:${K},${M}`);
        const sink = a.delta[0].length - 1;
        expect(rejectSink(a)).toBe(sink);
        const b = trainBatch({ automaton: a, length: T, validPrefixes: true }, 4, seed, 0);
        const lab = labelsOf(a);
        for (let r = 0; r < 4; r++) {
          const row = b.letters.subarray(r * T, (r + 1) * T);
          expect(wellNested(row, K, M)).toBe(true);
          let q = a.start ?? 0;
          for (let i = 0; i < T; i++) {
            q = a.delta[row[i]][q];
            expect(q).not.toBe(sink);
            expect(b.labels[r * T + i]).toBe(lab[q]);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('uses every allowed letter, and only closes at depth M', () => {
    const a = zoo('dyck:2,2');
    const b = trainBatch({ automaton: a, length: 200, validPrefixes: true }, 8, 3, 0);
    const seen = new Set(b.letters);
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
    // Uniform letters would reach the sink within a few steps in almost every sequence.
    const uniform = trainBatch({ automaton: a, length: 200 }, 8, 3, 0);
    const sinkLabel = labelsOf(a)[a.delta[0].length - 1];
    expect(Array.from(uniform.labels).filter((x) => x === sinkLabel).length).toBeGreaterThan(800);
    expect(Array.from(b.labels).filter((x) => x === sinkLabel).length).toBe(0);
  });

  it('is deterministic for a seed and held out from training', () => {
    const t = { automaton: zoo('dyck:2,4'), length: 32, validPrefixes: true };
    expect(trainBatch(t, 4, 7, 5).letters).toEqual(trainBatch(t, 4, 7, 5).letters);
    expect(evalBatches(t, 4, 1, 7)[0].letters).not.toEqual(trainBatch(t, 4, 7, 0).letters);
  });

  it('refuses automata without exactly one reject sink, and p with valid prefixes', () => {
    expect(() => validateTask({ automaton: zoo('parity'), length: 8, validPrefixes: true })).toThrow(/parity has 0/);
    expect(() => validateTask({ automaton: zoo('dyck:1,2'), length: 8, validPrefixes: true, p: 0.5 })).toThrow(/cannot be combined/);
    expect(() => runConfig({ ffl: { pI: 0.8 }, length: 16, validPrefixes: true })).toThrow(/FFL/);
    expect(runConfig({ automaton: zoo('dyck:2,4'), length: 16, validPrefixes: true }).validPrefixes).toBe(true);
  });

  it('the sweep trains its dyck row on valid prefixes', () => {
    expect(trainArgs(PRESETS.quick, 'dyck', 1, '/tmp/x')).toContain('--valid-prefixes');
    expect(trainArgs(PRESETS.quick, 'parity', 1, '/tmp/x')).not.toContain('--valid-prefixes');
  });
});
