// The simulate, bench and tour commands: --json shape and values, files in and out, and one
// clear line with exit code 2 for every kind of bad input.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli as runCli } from '../helpers/cli.js';
import { sampleLetters, zoo } from '../../src/automata/index.js';
import { simulateReference } from '../../src/simulate/index.js';

const cli = (argv: string[]) => runCli(argv, { stderrWrites: true });

afterEach(() => vi.restoreAllMocks());
const dir = mkdtempSync(join(tmpdir(), 'testbeds-sim-'));

describe('testbeds simulate', () => {
  it('--json prints one object {automaton, length, method, depth, final, seconds} with the reference final state', async () => {
    const a = zoo('dihedral:4');
    const ref = simulateReference(a, sampleLetters(a, 10_000, { seed: 3 }));
    const expected: Record<string, number> = { reference: 10_000, sequential: 10_000, 'hillis-steele': 14, 'brent-kung': 25 };
    for (const method of ['reference', 'sequential', 'scan', 'hillis-steele', 'brent-kung']) {
      const r = await cli(['simulate', '--automaton', 'dihedral:4', '--random', '10_000', '--seed', '3', '--method', method, '--json']);
      expect(r.code).toBe(0);
      expect(r.out.split('\n')).toHaveLength(1);
      const j = JSON.parse(r.out);
      expect(j).toMatchObject({ automaton: 'dihedral:4', length: 10_000, method, final: ref.final });
      expect(typeof j.seconds).toBe('number');
      expect(j.seconds).toBeGreaterThan(0);
      if (method in expected) expect(j.depth).toBe(expected[method]);
      else expect(j.depth).toBeLessThan(1000);
    }
  });

  it('reads --input (.txt) and writes --out (raw bytes), matching the reference states', async () => {
    const input = join(dir, 'letters.txt');
    writeFileSync(input, '0 1 1 0\n1 1 1 0 0 1\n');
    const out = join(dir, 'states.bin');
    const r = await cli(['simulate', '--automaton', 'dihedral:4', '--input', input, '--out', out, '--json']);
    expect(r.code).toBe(0);
    const ref = simulateReference(zoo('dihedral:4'), Uint8Array.from([0, 1, 1, 0, 1, 1, 1, 0, 0, 1]));
    expect(Array.from(readFileSync(out))).toEqual(Array.from(ref.states));
    expect(JSON.parse(r.out)).toMatchObject({ length: 10, final: ref.final });
  });

  it('--batch B reports every final state; --threads 2 agrees with one thread', async () => {
    const b = await cli(['simulate', '--automaton', 'parity', '--random', '1000', '--batch', '20', '--json']);
    expect(b.code).toBe(0);
    const jb = JSON.parse(b.out);
    expect(jb.batch).toBe(20);
    expect(jb.finals).toHaveLength(20);
    expect(jb.depth).toBe(1000);
    const t1 = JSON.parse((await cli(['simulate', '--automaton', 'quaternion', '--random', '200000', '--json'])).out);
    const t2 = JSON.parse((await cli(['simulate', '--automaton', 'quaternion', '--random', '200000', '--threads', '2', '--json'])).out);
    expect(t2.threads).toBe(2);
    expect(t2.final).toBe(t1.final);
  });

  it('prints a readable summary without --json', async () => {
    const r = await cli(['simulate', '--automaton', 'dihedral:4', '--random', '1000', '--method', 'hillis-steele']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('method hillis-steele: final state q_T =');
    expect(r.out).toContain('depth 10 sequential rounds');
  });

  const letters = join(dir, 'bad.txt');
  writeFileSync(letters, '0 1 5 1\n');
  it.each([
    [['simulate', '--random', '10'], /--automaton NAME\|FILE is required/],
    [['simulate', '--automaton', 'parity'], /give exactly one of --input FILE and --random T/],
    [['simulate', '--automaton', 'parity', '--random', '10', '--input', 'x.txt'], /give exactly one of --input FILE and --random T/],
    [['simulate', '--automaton', 'parity', '--random', 'many'], /--random: expected a length T >= 0 .* got "many"/],
    [['simulate', '--automaton', 'parity', '--random', '5e9'], /--random 5e9: T = 5000000000 is above the maximum 4294967295 letters/],
    [['simulate', '--automaton', 'parity', '--random', '1e8', '--batch', '100'], /--random 1e8 with --batch 100: T·B = 10000000000 letters is above the maximum 4294967295/],
    [['simulate', '--automaton', 'parity', '--random', '10', '--method', 'fast'], /--method: expected one of reference\|sequential\|scan\|hillis-steele\|brent-kung, got "fast"/],
    [['simulate', '--automaton', 'nope:3', '--random', '10'], /automaton "nope:3": neither a zoo name/],
    [['simulate', '--automaton', 'parity', '--input', letters], /letter 2 .*= "5" is out of range: letters are 0\.\.1/],
    [['simulate', '--automaton', 'parity', '--input', join(dir, 'missing.txt')], /missing\.txt: cannot read the letter file \(no such file\)/],
    [['simulate', '--automaton', 'parity', '--random', '10', '--start', '2'], /--start: expected an integer in \[0, 1\], got "2"/],
    [['simulate', '--automaton', 'parity', '--random', '10', '--threads', '2', '--method', 'sequential'], /--threads 2 applies to --method scan only/],
    [['simulate', '--automaton', 'parity', '--random', '10', '--threads', '0'], /--threads: expected an integer in \[1, 64\], got "0"/],
    [['simulate', '--automaton', 'parity', '--input', letters.replace('bad', 'four'), '--batch', '3'], /4 letters is not a multiple of --batch 3/],
    [['simulate', '--automaton', 'parity', '--random', '10', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['bench', 'nope'], /unknown benchmark "nope"/],
  ])('%j → exit 2 and one line', async (argv, message) => {
    writeFileSync(join(dir, 'four.txt'), '0 1 1 0');
    const r = await cli(argv as string[]);
    expect(r.code).toBe(2);
    const lines = r.err.split('\n').filter((l) => l.startsWith('testbeds'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it('--help says what --batch does with each method (scan: the batched loop, depth T)', async () => {
    const r = await cli(['simulate', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/With --method scan\s+or sequential: the batched SIMD loop \(16 sequences per vector\), depth T/);
    const j = JSON.parse((await cli(['simulate', '--automaton', 'parity', '--random', '100', '--batch', '32', '--json'])).out);
    expect(j).toMatchObject({ method: 'scan', length: 100, batch: 32, depth: 100 });
  });

  it('bench --help lists the options of simulate and semigroup; bench semigroup --help only its own', async () => {
    const r = await cli(['bench', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {2}simulate +\[--out DIR\][\s\S]*--no-memory/m);
    expect(r.out).toMatch(/^ {2}semigroup +\[--out DIR\] \[--force\] \[--quick\] \[--no-gap\] \[--no-t8\]/m);
    const s = await cli(['bench', 'semigroup', '--help']);
    expect(s.code).toBe(0);
    expect(s.out).toMatch(/^usage: testbeds bench semigroup \[--out DIR\] \[--force\] \[--quick\] \[--no-gap\] \[--no-t8\]/);
    expect(s.out).not.toMatch(/^ {2}simulate /m);
  });

  it('an existing --out file is not overwritten without --force', async () => {
    const out = join(dir, 'exists.bin');
    writeFileSync(out, 'x');
    const r = await cli(['simulate', '--automaton', 'parity', '--random', '10', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/file exists/);
    expect((await cli(['simulate', '--automaton', 'parity', '--random', '10', '--out', out, '--force'])).code).toBe(0);
    expect(readFileSync(out).length).toBe(10);
  });
});

describe('testbeds tour and bench (built CLI)', () => {
  const bin = join(__dirname, '..', '..', 'bin', 'testbeds.js');
  const built = existsSync(join(__dirname, '..', '..', 'dist', 'bench', 'simulate.js'));
  it.skipIf(!built)('tour --json: every method agrees on every automaton', () => {
    const out = execFileSync(process.execPath, [bin, 'tour', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const j = JSON.parse(out);
    expect(j.agree).toBe(true);
    expect(j.automata.length).toBeGreaterThanOrEqual(5);
    const d4 = j.dihedral4 as { T: number; depth: Record<string, number> }[];
    const big = d4.find((r) => r.T === 1e6)!;
    expect(big.depth.sequential).toBe(1e6);
    expect(big.depth['hillis-steele']).toBe(20);
    // Part 3, the algebra verdict behind each automaton (algebraReport).
    const alg = Object.fromEntries((j.algebra as { automaton: string }[]).map((x) => [x.automaton, x]));
    expect(Object.keys(alg)).toEqual(j.automata.map((x: { automaton: string }) => x.automaton));
    expect(alg['dihedral:4']).toMatchObject({ size: 8, class: 'solvable', krLevels: 1, subgroups: [{ order: 8, structure: 'D8', factors: ['C2', 'C2', 'C2'] }] });
    expect(alg['symmetric:5']).toMatchObject({ size: 120, class: 'non-solvable', solvable: false, subgroups: [{ order: 120, factors: ['A5', 'C2'] }] });
    expect(alg['gridworld:10']).toMatchObject({ class: 'aperiodic', aperiodic: true, subgroups: [] });
    expect(j.seconds).toBeLessThan(20);
  });
  it.skipIf(!built)('tour prints the algebra table: S5 not solvable, the car on a circle solvable', () => {
    const out = execFileSync(process.execPath, [bin, 'tour'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toMatch(/^3\. Why some automata have constant-depth shortcuts/m);
    expect(out).toMatch(/^dihedral:4 +8 +D8 \(C2, C2, C2\) +solvable +1 +constant \(ACC0/m);
    expect(out).toMatch(/^symmetric:5 +120 +S5 \(A5, C2\) +NOT solvable +1 +grows with T/m);
    expect(out).toMatch(/^gridworld:10 +294 +all trivial +aperiodic +9 +constant \(AC0/m);
  });
  it.skipIf(!built)('a bad benchmark option is one line and exit 2, not a stack trace', () => {
    for (const [argv, message] of [
      [['bench', 'simulate', '--bogus'], /^testbeds bench: simulate: Unknown option '--bogus'/],
      [['bench', 'semigroup', '--lengths', '5'], /^testbeds bench: semigroup: Unknown option '--lengths'/],
    ] as const) {
      const r = spawnSync(process.execPath, [bin, ...argv], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
  it.skipIf(!built)('bench simulate --quick writes JSON, a markdown table and an SVG plot', () => {
    const out = join(dir, 'bench');
    const r = spawnSync(process.execPath, [bin, 'bench', 'simulate', '--quick', '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const j = JSON.parse(readFileSync(join(out, 'simulate.json'), 'utf8'));
    const methods = new Set(j.rows.map((x: { method: string }) => x.method));
    for (const m of ['memcpy', 'reference', 'sequential', 'scan', 'hillis-steele', 'brent-kung']) expect(methods).toContain(m);
    expect(readFileSync(join(out, 'simulate.md'), 'utf8')).toMatch(/\| automaton \| \\\|Q\\\| \| T \| method/);
    expect(readFileSync(join(out, 'simulate.svg'), 'utf8')).toMatch(/^<svg[^>]*>[\s\S]*polyline[\s\S]*<\/svg>\n$/);
    const list = spawnSync(process.execPath, [bin, 'bench'], { encoding: 'utf8' });
    expect(list.stdout).toContain('simulate');
  });
});
