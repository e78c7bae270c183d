// bench/steps.ts: the steps-to-accuracy table, and the PyTorch peer (bench/steps_torch.py) reading
// our batches. With our initial weights PyTorch must retrace our loss curve step by step: that is
// what makes the comparison one of optimisation speed, not of data, optimizer or schedule.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { median, ROWS, run, stepsTable, type StepsResult } from '../../bench/steps.js';

const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0;

describe('bench/steps', () => {
  it('medians count "not reached" as ∞ and the ratio is ours / PyTorch', () => {
    expect(median([80, 70, Infinity])).toBe(80);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    const r = (side: 'ours' | 'torch', seed: number, reached: number | null): StepsResult => ({ row: 'lstm-parity', seed, side, sameInit: false, reached, budget: 1000, evals: [], losses: [], seconds: 1 });
    const md = stepsTable([r('ours', 1, 70), r('ours', 2, 90), r('ours', 3, null), r('torch', 1, 60), r('torch', 2, 60), r('torch', 3, 40)], [ROWS[0]], [1, 2, 3]);
    expect(md).toContain('| parity | LSTM d=64 | 32 | 1000 | 10 | 70, 90, > 1000 | 60, 60, 40 | 90 | 60 | 1.50 | –, –, – |');
  });

  it.skipIf(!hasTorch)('PyTorch started from our weights retraces our loss curve on our batches', async () => {
    const out = mkdtempSync(join(tmpdir(), 'steps-bench-'));
    await run(['--quick', '--seeds', '1', '--side', 'ours', '--out', out]);
    await run(['--quick', '--seeds', '1', '--side', 'torch', '--same-init', '--out', out]);
    await run(['--quick', '--seeds', '1', '--side', 'torch', '--out', out]); // PyTorch's own init
    const res = readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as StepsResult);
    const ours = res.find((x) => x.side === 'ours')!;
    const same = res.find((x) => x.side === 'torch' && x.sameInit)!;
    const own = res.find((x) => x.side === 'torch' && !x.sameInit)!;
    expect(ours.losses.length).toBe(20);
    expect(same.losses.length).toBe(20);
    for (let i = 0; i < 20; i++) expect(Math.abs(same.losses[i] - ours.losses[i])).toBeLessThan(1e-4);
    expect(same.evals.map((e) => e[1])).toEqual(ours.evals.map((e) => e[1]));
    // Its own init is another draw: the first loss differs.
    expect(Math.abs(own.losses[0] - ours.losses[0])).toBeGreaterThan(1e-3);
    expect(own.peer!.threads).toBe(1);
    expect(readFileSync(join(out, 'table.md'), 'utf8')).toMatch(/\| parity \| LSTM d=8 \| 32 \| 20 \| 10 \|/);
  });
});
