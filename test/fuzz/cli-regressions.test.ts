// Regression corpus of issue #10 ("Silently wrong", CLI part): every input below once ran with a
// value read as 0, a default, or an option silently ignored. Each must now be one line on stderr
// naming the option, exit code 2, and nothing written.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'testbeds-cli-regress-'));

/** [argv, a pattern the one-line message must match (it names the option)]. */
const CORPUS: [string[], RegExp][] = [
  // Empty values read as 0 or as "use the default".
  [['simulate', '--automaton', 'parity', '--random', ''], /--random: empty value/],
  [['simulate', '--automaton', 'parity', '--random', '10', '--seed', ''], /--seed: empty value/],
  [['simulate', '--automaton', 'parity', '--random', '10', '--start', ''], /--start: empty value/],
  [['simulate', '--automaton', 'parity', '--random', ' '], /--random: empty value/],
  [['simulate', '--automaton', 'parity', '--random=', '--seed', '1'], /--random: empty value/],
  [['train', '--automaton', 'parity', '--seed', ''], /--seed: empty value/],
  [['sweep', '--depths', ''], /--depths: empty value/],
  [['sweep', '--automata', ''], /--automata: empty value/],
  [['sweep', '--depths', '1,,2'], /--depths: item 2 of "1,,2" is empty/],
  [['sweep', '--automata', 'parity,'], /--automata: item 2 of "parity," is empty/],
  [['hmm', 'experiment', '--sizes', '1e3,'], /--sizes: item 2 .* is empty/],
  [['hmm', 'predictors', '--hmm', 'example', '--positions', ''], /--positions: empty value/],
  [['hmm', 'random', '--k', '', '--d', '3'], /--k: empty value/],
  [['eval', join(dir, 'nothing'), '--ood', ''], /--ood: empty value/],
  // Number() reads "0x10" as 16 and "1e400" as Infinity: only decimal literals are numbers.
  [['simulate', '--automaton', 'parity', '--random', '0x10'], /--random: .*got "0x10"/],
  [['simulate', '--automaton', 'parity', '--random', '10', '--seed', '1e400'], /--seed: .*got "1e400"/],
  // node's parseArgs message ran over three lines (found by cli.fuzz.test.ts).
  [['hmm', 'predictors', '--hmm', '--positions', '1,2'], /Option '--hmm' argument is ambiguous\. Did you forget to specify the option argument for '--hmm'\?$/],
  // Options silently ignored.
  [['hmm', 'recover', '--hmm', 'example', '--k', '3'], /--k needs --data/],
  [['hmm', 'recover', '--hmm', 'example', '--d', '6'], /--d needs --data/],
  [['hmm', 'random', '--hmm', 'example', '--k', '2', '--d', '3'], /Unknown option '--hmm' \(this command takes .*--k/],
  [['hmm', 'predictors', '--hmm', 'example', '--seed', '3'], /--seed needs --samples/],
  [['hmm', 'predictors', '--hmm', 'example', '--force'], /--force needs --out/],
];

/** `testbeds bench simulate ARGS` (bench/simulate.ts run(argv), which `testbeds bench` calls). */
const BENCH_CORPUS: [string[], RegExp][] = [
  [['--quick', '--full'], /--quick and --full cannot be given together/],
  [['--lengths', '0'], /--lengths: expected integers in \[1, .*got "0"/],
  [['--lengths', '100,x'], /--lengths: .*got "x"/],
  [['--lengths', ''], /--lengths: empty value/],
  [['--automata', 'parity,,cyclic:3'], /--automata: item 2 .* is empty/],
  [['--from', join(dir, 'x.json'), '--quick'], /--from and --quick cannot be given together/],
];

describe('issue #10 CLI regression corpus: one line naming the option, exit 2, nothing written', () => {
  for (const [argv, message] of CORPUS) {
    it(`testbeds ${argv.map((a) => (a === '' ? "''" : a)).join(' ')}`, async () => {
      const before = readdirSync(process.cwd()).length;
      const r = await cli(argv);
      expect(r.code).toBe(2);
      expect(r.err.split('\n')).toHaveLength(1);
      expect(r.err).toMatch(message);
      expect(r.out).toBe('');
      expect(readdirSync(process.cwd()).length).toBe(before);
    });
  }
});

describe('issue #10 bench simulate corpus: refused before any measurement', () => {
  for (const [argv, message] of BENCH_CORPUS) {
    it(`testbeds bench simulate ${argv.map((a) => (a === '' ? "''" : a)).join(' ')}`, async () => {
      const { run } = await import('../../bench/simulate.js');
      await expect(run([...argv, '--out', join(dir, 'bench')])).rejects.toThrow(message);
      expect(existsSync(join(dir, 'bench'))).toBe(false);
    });
  }
});

describe('options that now do what they say', () => {
  it('hmm predictors --out FILE writes the --json object to FILE (it used to write nothing)', async () => {
    const f = join(dir, 'pred.json');
    const r = await cli(['hmm', 'predictors', '--hmm', 'example', '--out', f]);
    expect(r.code).toBe(0);
    expect(existsSync(f)).toBe(true);
    const j = JSON.parse((await import('node:fs')).readFileSync(f, 'utf8'));
    expect(j.positions).toEqual([1, 2, 3]);
    expect(j.pairwise).toHaveLength(6);
    expect((await cli(['hmm', 'predictors', '--hmm', 'example', '--out', f])).err).toMatch(/exists; pass --force/);
    expect((await cli(['hmm', 'predictors', '--hmm', 'example', '--out', f, '--force'])).code).toBe(0);
  });

  it('eval of an FFL run refuses --ood p (FFL has p_i, not a Bernoulli p)', async () => {
    const run = join(dir, 'ffl');
    const t = await cli(['train', '--task', 'ffl:0.8', '--length', '8', '--width', '8', '--heads', '2', '--layers', '1', '--steps', '1', '--batch', '2', '--eval-batches', '1', '--out', run, '--backend', 'cpu', '--quiet', '--json']);
    expect(t.code).toBe(0);
    const r = await cli(['eval', run, '--ood', 'p=0.9', '--backend', 'cpu']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--ood p applies to two-letter automata, not to FFL runs/);
    expect((await cli(['eval', run, '--ood', 'pi=', '--backend', 'cpu'])).err).toMatch(/--ood: expected .*got "pi="/);
    expect((await cli(['eval', run, '--ood', 'pi=0.5', '--backend', 'cpu', '--batches', '1', '--json'])).code).toBe(0);
  }, 60_000);
});
