// `testbeds algebra`: the --json contract of shared/spec/formats.md, the readable report,
// --decompose, automaton files, and exit codes with one-line errors for bad input.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';


afterEach(() => vi.restoreAllMocks());

describe('testbeds algebra', () => {
  it('--json: one object with the fields of formats.md', async () => {
    const r = await cli(['algebra', 'symmetric:5', '--json']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toHaveLength(1);
    const o = JSON.parse(r.out);
    expect(o).toMatchObject({ size: 120, idempotents: 1, dClasses: 1, isGroup: true, aperiodic: false, solvable: false });
    expect(o.subgroups).toHaveLength(1);
    expect(o.subgroups[0]).toMatchObject({ order: 120, solvable: false, factors: ['A5', 'C2'] });
    expect(o.shortcut.class).toBe('non-solvable');
  });
  it('plain output: a short readable report', async () => {
    const r = await cli(['algebra', 'dihedral:4']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('8 elements, 1 idempotent');
    expect(r.out).toContain('D8');
    expect(r.out).toContain('factors C2, C2, C2');
    expect(r.out).toContain('constant depth');
    const g = await cli(['algebra', 'gridworld:9']);
    expect(g.out).toContain('212 elements, 44 idempotents');
    expect(g.out).toContain('aperiodic');
  });
  it('--decompose prints the holonomy decomposition level by level', async () => {
    const r = await cli(['algebra', 'gridworld:4', '--decompose']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Krohn–Rhodes:');
    expect(r.out).toMatch(/level 1: resets on 2 states/);
    const j = JSON.parse((await cli(['algebra', 'cyclic:3', '--decompose', '--json'])).out);
    expect(j.decomposition.levels[0].components[0]).toMatchObject({ states: 3, group: 'C3' });
  });
  it('reads an automaton file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'testbeds-algebra-'));
    const file = join(dir, 'flip.json');
    writeFileSync(file, JSON.stringify({ delta: [[0, 1, 2], [1, 1, 1], [2, 2, 2]] }));
    const o = JSON.parse((await cli(['algebra', file, '--json'])).out);
    expect(o).toMatchObject({ size: 3, idempotents: 3, dClasses: 2, isGroup: false, aperiodic: true, subgroups: [] });
  });
  it('bad input: exit code 2 and one line on stderr', async () => {
    const big = await cli(['algebra', 'symmetric:5', '--max-size', '100']);
    expect(big.code).toBe(2);
    expect(big.err).toBe('testbeds algebra: semigroup has more than 100 elements; raise --max-size (option maxSize)');
    const none = await cli(['algebra']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('expected one automaton NAME or FILE');
    const unknown = await cli(['algebra', 'no-such-automaton']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('neither a zoo name');
    const badSize = await cli(['algebra', 'parity', '--max-size', 'lots']);
    expect(badSize.code).toBe(2);
    expect(badSize.err).toContain('--max-size');
  });
});
