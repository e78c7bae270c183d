// The train / eval CLI on tiny runs: --json shape, checkpoint, OOD evaluation, bad input.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  const write = vi.spyOn(process.stderr, 'write').mockImplementation(((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write);
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('testbeds train / eval', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-cli-'));
  const tiny = ['--layers', '1', '--width', '8', '--heads', '2', '--length', '8', '--batch', '4', '--steps', '4', '--eval-every', '2', '--eval-batches', '1'];

  it('train --json prints one object with the contract fields and writes a checkpoint', async () => {
    const r = await run(['train', '--automaton', 'parity', ...tiny, '--out', dir, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    for (const k of ['accuracy', 'accuracyLast', 'accuracySequence', 'steps', 'seconds', 'tokensPerSecond']) expect(typeof j[k]).toBe('number');
    expect(j.backend).toBe('wasm');
    expect(j.steps).toBe(4);
    expect(j.accuracy).toBeGreaterThanOrEqual(0);
    expect(j.accuracy).toBeLessThanOrEqual(1);
    expect(r.err).toMatch(/train: transformer L=1 d=8 on parity T=8/);
  });

  it('eval evaluates the checkpoint out of distribution (p and length)', async () => {
    const r = await run(['eval', dir, '--ood', 'p=0.9', '--length', '12', '--batches', '2', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.eval).toEqual({ p: 0.9, length: 12 });
    expect(j.train).toEqual({ p: null, length: 8 });
    expect(j.byPosition).toHaveLength(12);
    expect(j.step).toBe(4);
  });

  it('eval beyond the learned position table, bad options and mismatched resume exit 2 with a message', async () => {
    let r = await run(['eval', dir, '--length', '40']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/sequence length 40 exceeds the learned position table \(contextLength 16\)/);
    r = await run(['train', '--automaton', 'parity', '--model', 'mamba']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--model: expected one of transformer\|lstm\|gru\|rnn, got "mamba"/);
    r = await run(['train', '--resume', dir, '--width', '16']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--width 16 does not match the checkpoint being resumed \(width = 8\)/);
    r = await run(['eval', join(dir, 'nothing-here')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no checkpoint at/);
  });
});
