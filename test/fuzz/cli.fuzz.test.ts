// Fuzz layer over the CLI (issue #10): the argument parser, and whole commands run in-process with
// valid invocations spoiled in one place. Every run ends with exit code 0 (and its --out written),
// 1 (a documented "no result"), or 2 with exactly one line on stderr naming the problem and nothing
// written; never a thrown exception (a stack trace).
import fc from 'fast-check';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError, int, intList, num, parse, type OptionSpec } from '../../src/cli/args.js';
import { cli } from '../helpers/cli.js';

const OPTIONS: OptionSpec = { seed: { type: 'string' }, out: { type: 'string', short: 'o' }, json: { type: 'boolean' }, depths: { type: 'string' }, ood: { type: 'string', multiple: true } };
const token = fc.oneof(
  fc.constantFrom('--seed', '--out', '-o', '--json', '--depths', '--ood', '--seed=', '--json=1', '--', '-', '--nope', '-x', 'pos'),
  fc.constantFrom('', ' ', '\t', '0', '-1', '-0.5', '1e3', '1e400', '0x10', 'NaN', 'Infinity', '1,,2', ',', '9007199254740993', '10_000'),
  fc.string({ maxLength: 6 }),
);

describe('CLI argument parser properties', () => {
  it('any argv: parsed values, or a CliError (never another error); a blank value is always an error', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 8 }), (argv) => {
        let p;
        try {
          p = parse(argv, OPTIONS);
        } catch (e) {
          expect(e).toBeInstanceOf(CliError);
          return;
        }
        for (const [name, v] of Object.entries(p.values)) for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') expect(x.trim(), `--${name}`).not.toBe('');
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('int, num and intList return a value inside the bounds or throw a CliError naming the option', () => {
    fc.assert(
      fc.property(token, fc.integer({ min: -5, max: 5 }), fc.integer({ min: 0, max: 10 }), (v, lo, span) => {
        const p = { values: { seed: v, depths: v }, positionals: [] };
        for (const read of [() => int(p, 'seed', undefined, lo, lo + span), () => num(p, 'seed', undefined, lo, lo + span)]) {
          try {
            const x = read()!;
            expect(Number.isFinite(x) && x >= lo && x <= lo + span).toBe(true);
          } catch (e) {
            expect(e).toBeInstanceOf(CliError);
            expect((e as Error).message).toMatch(/^--seed: /);
          }
        }
        try {
          for (const x of intList(p, 'depths', lo, lo + span)!) expect(Number.isInteger(x) && x >= lo && x <= lo + span).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(CliError);
          expect((e as Error).message).toMatch(/^--depths: /);
        }
      }),
      { numRuns: 2000, seed: 8 },
    );
  });
});

/** Small, fast invocations; OUT is replaced by a fresh path in an empty directory per run. */
const BASE: string[][] = [
  ['zoo', 'dihedral:4', '--json'],
  ['simulate', '--automaton', 'parity', '--random', '100', '--seed', '1', '--json'],
  ['simulate', '--automaton', 'cyclic:3', '--random', '50', '--method', 'brent-kung', '--out', 'OUT.txt'],
  ['simulate', '--automaton', 'dihedral:3', '--random', '64', '--batch', '2', '--start', '1'],
  ['hmm', 'random', '--k', '2', '--d', '3', '--seed', '1', '--out', 'OUT.json'],
  ['hmm', 'predictors', '--hmm', 'example', '--positions', '1,2', '--out', 'OUT.json'],
  ['hmm', 'sample', '--hmm', 'random:2,3,1', '--length', '5', '--count', '2', '--out', 'OUT.txt'],
  ['hmm', 'recover', '--hmm', 'example', '--max-iter', '5', '--json'],
];
const BAD = ['', ' ', 'x', '-1', '0', '1.5', 'NaN', 'Infinity', '0x10', '1e400', '99999999999999999999', '--json', 'random:2,2', 'parity', '1,,2', 'example'];

describe('CLI commands with one thing spoiled', () => {
  it('exit 0 with its output written, or exit 1/2 with one line and nothing written', async () => {
    const mutated = fc.tuple(fc.nat(BASE.length - 1), fc.nat(), fc.constantFrom('value', 'drop', 'unknown', 'repeat', 'equals'), fc.constantFrom(...BAD)).map(([b, at, how, bad]) => {
      const argv = [...BASE[b]];
      const i = 1 + (at % (argv.length - 1));
      if (how === 'value') argv[i] = bad;
      else if (how === 'drop') argv.splice(i, 1);
      else if (how === 'unknown') argv.splice(i, 0, '--bogus');
      else if (how === 'repeat') argv.splice(i, 0, argv[i]);
      else if (argv[i].startsWith('--') && argv[i + 1] !== undefined) argv.splice(i, 2, `${argv[i]}=${bad}`);
      return argv;
    });
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(mutated, async (argv0) => {
        // Each run in an empty directory of its own: a spoiled --out value ("parity") is a relative path.
        const dir = mkdtempSync(join(tmpdir(), 'testbeds-fuzz-cli-'));
        const argv = argv0.map((a) => a.replace(/^OUT/, join(dir, 'out')));
        const outIndex = argv.indexOf('--out');
        const out = outIndex >= 0 && argv[outIndex + 1] !== undefined ? resolve(dir, argv[outIndex + 1]) : undefined;
        const home = process.cwd();
        process.chdir(dir);
        let r;
        try {
          r = await cli(argv);
        } finally {
          process.chdir(home);
        }
        runs++;
        const shown = `testbeds ${argv0.map((a) => JSON.stringify(a)).join(' ')}`;
        expect([0, 1, 2], shown).toContain(r.code);
        if (r.code === 2) {
          expect(r.err.split('\n'), shown).toHaveLength(1);
          expect(r.err, shown).toMatch(/^testbeds \w+: \S/);
          expect(readdirSync(dir), shown).toEqual([]);
        }
        if (r.code === 0 && out !== undefined && !argv.includes('--bogus')) expect(existsSync(out), `${shown}: exit 0 but ${out} not written`).toBe(true);
      }),
      { numRuns: 200, seed: 9 },
    );
    expect(runs).toBe(200);
  }, 120_000);
});
