// Memory estimated before building: the exact parameter count, and configurations that cannot
// fit refused at once with the estimate and the limit (train --width 8192 used to die after 113 s
// with a wasm "memory access out of bounds"); eval lengths bounded, with progress per batch.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { zoo } from '../../src/automata/index.js';
import { createModel, estimateMemory, initBackend, parameterCount, runConfig, Trainer, WASM_HEAP_LIMIT } from '../../src/learning/index.js';
import { cli } from '../helpers/cli.js';
import { cpuMs } from '../helpers/cpu.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('memory estimate', () => {
  it('counts parameters exactly as the models build them', () => {
    for (const model of ['transformer', 'lstm', 'gru', 'rnn'] as const) {
      for (const positions of ['learned', 'sinusoidal'] as const) {
        const c = runConfig({ automaton: zoo('dihedral:4'), model, layers: 2, width: 12, heads: 3, mlpRatio: 2.5, positions, length: 7 });
        const m = createModel(c.model, 1);
        expect(parameterCount(c.model), `${model} ${positions}`).toBe(m.params.count);
        m.dispose();
      }
    }
  });

  it('refuses what cannot fit before building anything, naming the estimate and the limit', () => {
    const huge = runConfig({ automaton: zoo('parity'), width: 8192, steps: 10 });
    expect(estimateMemory(huge).bytes).toBeGreaterThan(WASM_HEAP_LIMIT);
    const t0 = cpuMs();
    expect(() => new Trainer(huge)).toThrow(/^training needs about \d+\.\d GiB \(mostly 1,6\d\d,\d{3},\d{3} parameters with AdamW state: \d+\.\d GiB\), above 90% of the tfjs-wasm heap limit \(4 GiB, wasm32\) of 4\.0 GiB; use a smaller width, depth, batch or length$/);
    expect(cpuMs() - t0).toBeLessThan(1000);
    // Unfused attention (head size 21) at T = 2048: the T² scores dominate.
    const att = runConfig({ automaton: zoo('parity'), width: 63, heads: 3, length: 2048, steps: 10 });
    expect(() => new Trainer(att)).toThrow(/mostly attention B·heads·T² per layer/);
    // The defaults fit with room to spare.
    expect(estimateMemory(runConfig({ automaton: zoo('parity') })).bytes).toBeLessThan(200 * 2 ** 20);
  });

  it('train --width 8192 exits 2 at once with one line', async () => {
    const t0 = cpuMs();
    const r = await cli(['train', '--automaton', 'parity', '--width', '8192', '--steps', '10']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^testbeds train: training needs about .* GiB .*above 90% of the tfjs-wasm heap limit/);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(cpuMs() - t0).toBeLessThan(5000);
  });
});

describe('evaluation length', () => {
  it('eval --ood length beyond the stated maximum is refused; evaluate reports progress per batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-mem-'));
    // Sinusoidal positions and head size 21 (unfused attention): any length is allowed by the model.
    expect((await cli(['train', '--automaton', 'parity', '--layers', '1', '--width', '63', '--heads', '3', '--positions', 'sinusoidal', '--length', '6', '--batch', '4', '--steps', '1', '--out', dir, '--quiet', '--json'])).code).toBe(0);
    let r = await cli(['eval', dir, '--ood', 'length=100000']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('testbeds eval: --ood length: expected an integer in [1, 16384], got "100000"');
    r = await cli(['eval', dir, '--length', '16384']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^testbeds eval: evaluation at T = 16384, batch 4 needs about \d+\.\d GiB \(mostly attention B·heads·T² per layer/);
    const t = new Trainer(runConfig({ automaton: zoo('parity'), width: 8, heads: 2, layers: 1, length: 6, batch: 4, positions: 'sinusoidal', steps: 1 }));
    const { evalBatches } = await import('../../src/learning/index.js');
    const seen: string[] = [];
    t.evaluate(evalBatches(t.task, 4, 3, 1), (done, total) => seen.push(`${done}/${total}`));
    expect(seen).toEqual(['1/3', '2/3', '3/3']);
    t.dispose();
  });
});
