// Bounded-Dyck language modelling: the targets are the forced closing brackets of well-nested
// prefixes (checked against an explicit stack), a small Transformer learns them far above chance,
// and the CLI trains, evaluates at another length and refuses bad task names.
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, runConfig, sampleDyckLmBatch, Trainer, validateAnyTask } from '../../src/learning/index.js';
import { Rng } from '../../src/random/prng.js';
import { cli } from '../helpers/cli.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('Dyck language modelling', () => {
  it('labels are the next token exactly where it closes the top of the stack (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 2 ** 31 }), (K, M, T, seed) => {
        const b = sampleDyckLmBatch({ kind: 'dyck', K, M, length: T }, 3, new Rng(seed));
        for (let r = 0; r < 3; r++) {
          const stack: number[] = [];
          for (let i = 0; i < T; i++) {
            const s = b.letters[r * T + i];
            if (s < K) {
              expect(stack.length).toBeLessThan(M);
              stack.push(s);
            } else expect(stack.pop()).toBe(s - K);
            const label = b.labels[r * T + i];
            // A label is always the close of the current top; -1 where the next token opens.
            if (label !== -1) expect(label).toBe(K + stack[stack.length - 1]);
            else if (i + 1 < T) expect(b.letters[r * T + i + 1]).toBeLessThan(K);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('validates K, M and the combination with other task options', () => {
    expect(() => validateAnyTask({ kind: 'dyck', K: 0, M: 2, length: 4 })).toThrow(/K \(bracket types\).*got 0/);
    expect(() => validateAnyTask({ kind: 'dyck', K: 2, M: 9, length: 4 })).toThrow(/M \(maximum depth\).*got 9/);
    expect(() => runConfig({ dyck: { K: 2, M: 2 }, p: 0.3 })).toThrow(/p does not apply/);
    expect(() => runConfig({ dyck: { K: 2, M: 2 }, ffl: { pI: 0.8 } })).toThrow(/either ffl or dyck/);
    const c = runConfig({ dyck: { K: 2, M: 3 }, length: 8 });
    expect(c.automaton.name).toBe('dyck:2,3');
    expect(c.model).toMatchObject({ vocab: 4, classes: 4 });
  });

  it('a one-layer Transformer learns the closing brackets far above chance (1/2)', async () => {
    const t = new Trainer(runConfig({ dyck: { K: 2, M: 2 }, model: 'transformer', layers: 1, width: 16, heads: 2, length: 12, batch: 16, steps: 150, lr: 1e-2, warmup: 10, evalEvery: 150, evalBatches: 2, seed: 3 }));
    const r = await t.train();
    expect(r.accuracy).toBeGreaterThan(0.9);
    t.dispose();
  });

  it('CLI: train --task dyck:K,M, eval at twice the length, bad names are refused', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dyck-lm-')), 'run');
    const train = await cli(['train', '--task', 'dyck:2,2', '--layers', '1', '--width', '16', '--heads', '2', '--length', '8', '--context', '16', '--batch', '8', '--steps', '20', '--eval-every', '20', '--out', dir, '--json', '--quiet']);
    expect(train.code).toBe(0);
    expect(JSON.parse(train.out)).toMatchObject({ automaton: 'dyck:2,2', steps: 20 });
    const ev = await cli(['eval', dir, '--ood', 'length=16', '--batches', '2', '--json']);
    expect(ev.code).toBe(0);
    const e = JSON.parse(ev.out);
    expect(e.eval.length).toBe(16);
    expect(e.accuracy).toBeGreaterThanOrEqual(0);
    expect((await cli(['eval', dir, '--ood', 'p=0.3'])).err).toMatch(/p does not apply to Dyck/);
    const bad = await cli(['train', '--task', 'dyck:2', '--out', join(dir, 'x')]);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/dyck:K,M, got "dyck:2"/);
  });
});
