// The CLI's help and version: -v, `help COMMAND`, per-subcommand help with a usage line, and a
// bench help that lists every target.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';

const version = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version as string;
const SUBS = ['random', 'sample', 'predictors', 'recover', 'counterexample', 'experiment'];

describe('testbeds help and version', () => {
  it('-v prints what --version prints: the package version', async () => {
    const a = await cli(['-v']);
    const b = await cli(['--version']);
    expect(a).toEqual({ code: 0, out: `testbeds ${version}`, err: '' });
    expect(b).toEqual(a);
  });

  it.each(['simulate', 'zoo', 'train', 'hmm', 'bench'])('help %s prints what --help after it prints', async (name) => {
    const a = await cli(['help', name]);
    const b = await cli([name, '--help']);
    expect(a.code).toBe(0);
    expect(a.out).toMatch(new RegExp(`^usage: testbeds ${name}\\b`));
    expect(a).toEqual(b);
  });

  it('help with an unknown command is one line and exit 2', async () => {
    const r = await cli(['help', 'nope']);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toContain('unknown command "nope"');
  });

  it.each(SUBS)('hmm %s --help prints that subcommand only, with a usage line', async (sub) => {
    const r = await cli(['hmm', sub, '--help']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(new RegExp(`^usage: testbeds hmm ${sub}( |$)`));
    for (const other of SUBS.filter((s) => s !== sub)) expect(r.out).not.toMatch(new RegExp(`^ {2}${other} {2,}`, 'm'));
    expect(r.out).toContain('--hmm takes an HMM file');
    expect(await cli(['help', 'hmm', sub])).toEqual(r);
  });

  it('bench --help lists every benchmark target with its options, and points to no README', async () => {
    const r = await cli(['bench', '--help']);
    expect(r.code).toBe(0);
    for (const target of ['simulate', 'semigroup', 'cp', 'hmm', 'train', 'steps']) expect(r.out).toMatch(new RegExp(`^ {2}${target} {2,}\\S`, 'm'));
    expect(r.out).not.toMatch(/see the README/i);
    const train = await cli(['bench', 'train', '--help']);
    expect(train.out.split('\n')[0]).toBe('usage: testbeds bench train [--quick] [--no-cpu] [--no-torch] [--no-memory] [--docs FILE] [--json]');
  });

  it('the top-level help names -v and help COMMAND', async () => {
    const r = await cli(['--help']);
    expect(r.out).toContain('testbeds help COMMAND');
    expect(r.out).toContain('--version (-v)');
  });
});
