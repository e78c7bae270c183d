import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../helpers/cli.js';
import { zoo, validateAutomaton } from '../../src/automata/index.js';


afterEach(() => vi.restoreAllMocks());

describe('testbeds zoo', () => {
  it('lists every family', async () => {
    const r = await cli(['zoo']);
    expect(r.code).toBe(0);
    for (const p of ['parity', 'cyclic:N', 'cyclic_product:N1,N2,...', 'dihedral:N', 'quaternion', 'alternating:N', 'symmetric:N', 'gridworld:N', 'flipflop:N', 'dyck:K,M']) {
      expect(r.out).toContain(p);
    }
    const j = await cli(['zoo', '--json']);
    expect(JSON.parse(j.out).zoo).toHaveLength(10);
  });
  it('NAME --json prints the automaton in the file format, one JSON object', async () => {
    const r = await cli(['zoo', 'dihedral:4', '--json']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toHaveLength(1);
    const o = JSON.parse(r.out);
    expect(o.delta).toEqual([[4, 5, 6, 7, 0, 1, 2, 3], [1, 2, 3, 0, 7, 4, 5, 6]]);
    expect(o.alphabet).toEqual(['U', 'D']);
    expect(validateAutomaton(o)).toEqual(zoo('dihedral:4'));
  });
  it('--label sets labels; NAME without --json prints the table', async () => {
    const r = await cli(['zoo', 'dihedral:4', '--json', '--label', 'direction']);
    expect(JSON.parse(r.out).labels).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    const t = await cli(['zoo', 'parity']);
    expect(t.code).toBe(0);
    expect(t.out).toContain('parity: |Q| = 2, |Σ| = 2');
    expect(t.out).toMatch(/even\s+\| even\s+odd/);
  });
  it.each([
    [['zoo', 'cyclc:3'], /^testbeds zoo: automaton "cyclc:3": neither a zoo name/],
    [['zoo', 'cyclic:0'], /^testbeds zoo: zoo "cyclic:0": parameter 1 = 0 must be ≥ 1/],
    [['zoo', 'symmetric:9', '--json'], /9! exceeds the limit of 65536 states/],
    [['zoo', 'dihedral:4', '--label', 'depth'], /--label: dihedral:4 has no labelling "depth" \(available: state, direction, position\)/],
    [['zoo', 'a', 'b'], /expected at most one NAME, got 2/],
    [['zoo', '--bogus'], /Unknown option '--bogus'/],
  ])('%j exits 2 with one line', async (argv, msg) => {
    const r = await cli(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toMatch(msg);
  });
  it('--help prints usage', async () => {
    const r = await cli(['zoo', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('usage: testbeds zoo');
  });
});
