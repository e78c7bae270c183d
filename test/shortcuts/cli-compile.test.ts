// testbeds compile → eval: the ordinary checkpoint, --json fields, --exhaustive, the length bound,
// and bad input (one line, exit 2, nothing written).
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../helpers/cli.js';
import { Trainer } from '../../src/learning/index.js';

const run = (argv: string[]) => cli(argv);

afterEach(() => vi.restoreAllMocks());

describe('testbeds compile', () => {
  const root = mkdtempSync(join(tmpdir(), 'tb-compile-'));

  it('compile --json reports the sizes and a positive margin; eval --exhaustive loads it at 100%', async () => {
    const dir = join(root, 'd4');
    const r = await run(['compile', 'dihedral:4', '--length', '6', '--out', dir, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    for (const k of ['layers', 'width', 'heads', 'mlpWidth', 'parameters', 'maxLength', 'margin']) expect(typeof j[k]).toBe('number');
    expect(j.construction).toBe('cascade');
    expect(j.reason).toMatch(/shallowest/);
    expect(j.margin).toBeGreaterThan(9.9);
    expect(j.accuracy).toBe(1);
    const e = await run(['eval', dir, '--exhaustive', '--json']);
    expect(e.code).toBe(0);
    const ej = JSON.parse(e.out);
    expect(ej.accuracy).toBe(1);
    expect(ej.accuracySequence).toBe(1);
    expect(ej.margin).toBeCloseTo(j.margin, 5);
    expect(ej.exhaustive).toBe(true);
    // The same checkpoint through the API.
    const t = await Trainer.load(dir);
    expect(t.model.config.kind).toBe('transformer');
    expect((t.config as unknown as { shortcut: { construction: string } }).shortcut.construction).toBe('cascade');
    t.dispose();
  });

  it('eval --ood length within the bound works, beyond it is refused', async () => {
    const dir = join(root, 'c3');
    expect((await run(['compile', 'cyclic:3', '--length', '8', '--max-length', '40', '--construction', 'counting', '--out', dir])).code).toBe(0);
    const ok = await run(['eval', dir, '--ood', 'length=40', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).accuracy).toBe(1);
    expect(JSON.parse(ok.out).margin).toBeGreaterThan(9.9);
    const bad = await run(['eval', dir, '--ood', 'length=41']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/beyond the counting construction's bound maxLength 40/);
  });

  it('gridworld:9 compiles to 3 layers by default; eval --exhaustive and --ood length within its bound load it', async () => {
    const dir = join(root, 'g9');
    const r = await run(['compile', 'gridworld:9', '--length', '10', '--max-length', '60', '--out', dir, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.construction).toBe('gridworld');
    expect(j.layers).toBe(3);
    expect(j.maxLength).toBe(60);
    expect(j.reason).toBe('gridworld: the shallowest that applies (3 layers; cascade 15, prefix 4)');
    expect(j.accuracy).toBe(1);
    expect(j.margin).toBeGreaterThan(9.9);
    const e = await run(['eval', dir, '--exhaustive', '--json']);
    expect(e.code).toBe(0);
    expect(JSON.parse(e.out)).toMatchObject({ accuracy: 1, accuracySequence: 1, exhaustive: true });
    const ood = await run(['eval', dir, '--ood', 'length=60', '--json']);
    expect(ood.code).toBe(0);
    expect(JSON.parse(ood.out).accuracy).toBe(1);
    expect(JSON.parse(ood.out).margin).toBeGreaterThan(9.9);
    const p = await run(['eval', dir, '--ood', 'p=0.9', '--json']);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.out).accuracy).toBe(1);
    const bad = await run(['eval', dir, '--ood', 'length=61']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/beyond the gridworld construction's bound maxLength 60/);
  });

  it('--label and --construction prefix; refuses to overwrite without --force', async () => {
    const dir = join(root, 'grid');
    const r = await run(['compile', 'gridworld:5', '--length', '7', '--label', 'boundary', '--construction', 'prefix', '--out', dir, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).layers).toBe(3);
    const again = await run(['compile', 'gridworld:5', '--length', '7', '--out', dir]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already holds a checkpoint; pass --force/);
    expect((await run(['compile', 'gridworld:5', '--length', '7', '--out', dir, '--force'])).code).toBe(0);
  });

  it.each([
    [['compile', 'symmetric:5', '--length', '100', '--construction', 'prefix', '--representation', 'elements'], /symmetric:5 .*needs 104,504,940 parameters .*\|T\(A\)\| = 120.*more than the limit 50,000,000/],
    [['compile', 'parity', '--length', '1000', '--construction', 'prefix'], /parity at length 1000 .*beyond the proven bound 512/],
    [['compile', 'dihedral:4', '--length', '8', '--construction', 'counting'], /dihedral:4 .*not commutative/],
    [['compile', 'alternating:5', '--length', '8', '--construction', 'cascade'], /alternating:5 .*not solvable: non-abelian composition factor A5/],
    [['compile', 'dihedral:4', '--length', '8', '--construction', 'shortest'], /--construction: expected one of prefix\|counting\|cascade\|gridworld, got "shortest"/],
    [['compile', 'gridworld:9', '--length', '648', '--construction', 'gridworld'], /gridworld: gridworld:9 at length 648 is beyond the proven bound 647/],
    [['compile', 'dihedral:4', '--length', '8', '--construction', 'gridworld'], /gridworld: dihedral:4 is not gridworld:N/],
    [['compile', 'dihedral:4', '--length', '8', '--label', 'colour'], /unknown label "colour"/],
    [['compile', 'dihedral:4', '--length', '0'], /--length/],
    [['compile', 'symmetric:6', '--length', '8'], /automaton symmetric:6 has 720 states, so delta\[0\] has degree 720, above the maximum 255/],
  ])('bad input %j: one line, exit 2, nothing written', async (argv, msg) => {
    const dir = join(root, `bad-${Math.random().toString(36).slice(2)}`);
    const r = await run([...argv, '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(msg);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(existsSync(dir)).toBe(false);
  });
});
