// `testbeds hmm ...` through main(argv): exit codes, --json shapes, files, --force.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

let out: string[], err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ') + '\n'));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ') + '\n'));
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

async function run(...argv: string[]) {
  out = [];
  err = [];
  const code = await main(['hmm', ...argv]);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const dir = mkdtempSync(join(tmpdir(), 'testbeds-hmm-'));
const hmmFile = join(dir, 'h.json');
writeFileSync(hmmFile, JSON.stringify({
  transition: [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]],
  emission: [[0.6, 0.3, 0.05, 0.05, 0, 0], [0.05, 0, 0.6, 0.3, 0.05, 0], [0, 0.05, 0, 0.05, 0.6, 0.3]],
}));

// Dense (all entries > 0): the zeros of hmmFile block every pairwise twin (see counterexample.test.ts).
const denseFile = join(dir, 'dense.json');
writeFileSync(denseFile, JSON.stringify({
  transition: [[0.7, 0.2, 0.1], [0.15, 0.7, 0.15], [0.1, 0.2, 0.7]],
  emission: [[0.4, 0.3, 0.1, 0.1, 0.05, 0.05], [0.1, 0.1, 0.4, 0.3, 0.05, 0.05], [0.05, 0.1, 0.05, 0.1, 0.4, 0.3]],
}));

describe('testbeds hmm', () => {
  it('recover --json has the spec shape and exact errors ≤ 1e-8', async () => {
    const r = await run('recover', '--hmm', hmmFile, '--source', 'exact', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.transition).toHaveLength(3);
    expect(j.transition[0]).toHaveLength(3);
    expect(j.emission).toHaveLength(3);
    expect(j.emission[0]).toHaveLength(6);
    expect([...j.permutation].sort()).toEqual([0, 1, 2]);
    expect(j.errors.transition).toBeLessThanOrEqual(1e-8);
    expect(j.errors.emission).toBeLessThanOrEqual(1e-8);
    expect(j.cp).toMatchObject({ rank: 3 });
    expect(typeof j.cp.iterations).toBe('number');
    expect(j.cp.fit).toBeGreaterThan(0.999999);
  });

  it('recover from samples, seeded and reproducible', async () => {
    const a = await run('recover', '--hmm', hmmFile, '--source', 'samples', '--samples', '200000', '--seed', '3', '--json');
    const b = await run('recover', '--hmm', hmmFile, '--source', 'samples', '--samples', '200000', '--seed', '3', '--json');
    expect(a.code).toBe(0);
    const ja = JSON.parse(a.stdout), jb = JSON.parse(b.stdout);
    expect(ja.transition).toEqual(jb.transition);
    expect(ja.errors.transition).toBeLessThan(0.1);
    expect(ja.errors.transition).toBeGreaterThan(0);
  });

  it('recover says when CP stopped at --max-iter without converging', async () => {
    const r = await run('recover', '--hmm', denseFile, '--source', 'samples', '--samples', '20000', '--seed', '1', '--init', 'random', '--max-iter', '2');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/note: non-negative CP \(HALS\) did not converge within 2 sweeps/);
    const plain = await run('recover', '--hmm', denseFile, '--source', 'samples', '--samples', '20000', '--seed', '1', '--init', 'random', '--max-iter', '2', '--constraint', 'none');
    expect(plain.stdout).toMatch(/note: CP-ALS did not converge within 2 sweeps/);
    expect((await run('recover', '--hmm', denseFile)).stdout).not.toMatch(/did not converge/);
  });

  it('bad input: one line on stderr naming the matrix, row and value; exit 2', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ transition: [[0.5, 0.5], [0.3, 0.6]], emission: [[1, 0], [0, 1]] }));
    const r = await run('recover', '--hmm', bad, '--json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json: transition\[1\] sums to 0\.9/);
    expect(r.stdout).toBe('');
    expect((await run('recover', '--hmm', join(dir, 'missing.json'))).code).toBe(2);
    expect((await run('recover', '--hmm', hmmFile, '--source', 'magic')).stderr).toMatch(/--source: expected one of exact\|samples/);
    // A directory where a file is expected: one line naming the option and the path.
    expect((await run('recover', '--hmm', dir)).stderr).toMatch(/--hmm .*: cannot read it \(EISDIR\)/);
    expect((await run('recover', '--data', dir, '--k', '2')).stderr).toMatch(/--data .*: cannot read it \(EISDIR\)/);
    // Output problems are found before any work, in one line naming the path.
    const noDir = await run('recover', '--hmm', hmmFile, '--out', join(dir, 'no-such-dir', 'r.json'));
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toMatch(/--out .*r\.json: directory ".*no-such-dir" does not exist/);
    expect(noDir.stdout).toBe('');
    writeFileSync(join(dir, 'taken.json'), '{}');
    const taken = await run('counterexample', '--hmm', hmmFile, '--out', join(dir, 'taken.json'));
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/taken\.json exists; pass --force/);
    expect((await run('sample', '--hmm', hmmFile, '--length', '5', '--states', join(dir, 'nope', 's.txt'))).stderr).toMatch(/--states .*s\.txt: directory/);
    expect((await run('experiment', '--hmm', hmmFile, '--sizes', '100', '--reps', '1', '--out', join(dir, 'taken.json', 'sub'))).stderr).toMatch(/--out .*sub: cannot create the directory/);
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run()).code).toBe(2);
  });

  it('counterexample --json: found for a stationary HMM (exit 0), none for distinct ratios (exit 1)', async () => {
    const r = await run('counterexample', '--hmm', denseFile, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.found).toBe(true);
    expect(j.pairwiseMaxDiff).toBeLessThanOrEqual(1e-12);
    expect(Math.max(j.parameterDiff.transition, j.parameterDiff.emission)).toBeGreaterThanOrEqual(1e-3);
    expect(j.tripletMaxDiff).toBeGreaterThan(1e-5);
    expect(j.hmm.emission).toHaveLength(3);
    const ns = join(dir, 'nonstat.json');
    writeFileSync(ns, JSON.stringify({ initial: [0.7, 0.2, 0.1], transition: [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]], emission: [[0.6, 0.4], [0.3, 0.7], [0.5, 0.5]] }));
    const n = await run('counterexample', '--hmm', ns, '--json');
    expect(n.code).toBe(1);
    // The zeros of the well-separated HMM leave no room for a twin: exit 1, said clearly.
    const z = await run('counterexample', '--hmm', hmmFile);
    expect(z.code).toBe(1);
    expect(z.stdout).toMatch(/no counterexample: no twin found/);
    expect(JSON.parse(n.stdout)).toMatchObject({ found: false });
    expect(JSON.parse(n.stdout).reason).toMatch(/distinct/);
  });

  it('random --out never overwrites without --force; the file round-trips', async () => {
    const f = join(dir, 'r.json');
    expect((await run('random', '--k', '3', '--d', '5', '--seed', '2', '--out', f)).code).toBe(0);
    const first = readFileSync(f, 'utf8');
    const again = await run('random', '--k', '3', '--d', '5', '--seed', '9', '--out', f);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists; pass --force/);
    expect(readFileSync(f, 'utf8')).toBe(first);
    expect((await run('random', '--k', '3', '--d', '5', '--seed', '9', '--out', f, '--force')).code).toBe(0);
    expect(readFileSync(f, 'utf8')).not.toBe(first);
    expect((await run('recover', '--hmm', f, '--json')).code).toBe(0);
  });

  it('sample writes sequences (text and bytes) and predictors prints the exact predictors', async () => {
    const txt = join(dir, 's.txt'), bin = join(dir, 's.bin');
    expect((await run('sample', '--hmm', hmmFile, '--length', '12', '--count', '4', '--seed', '1', '--out', txt)).code).toBe(0);
    const lines = readFileSync(txt, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    for (const l of lines) expect(l.split(' ').map(Number).every((x) => Number.isInteger(x) && x >= 0 && x < 6)).toBe(true);
    expect((await run('sample', '--hmm', hmmFile, '--length', '12', '--count', '4', '--seed', '1', '--out', bin)).code).toBe(0);
    // --json without --out: the sequences are in the JSON object (same as the text output).
    const sj = await run('sample', '--hmm', hmmFile, '--length', '12', '--count', '4', '--seed', '1', '--json');
    expect(JSON.parse(sj.stdout).observations.map((r: number[]) => r.join(' '))).toEqual(lines);
    // The extension picks the format as everywhere else in testbeds (sequenceFormat: case-insensitive).
    const upper = join(dir, 'S.TXT');
    expect((await run('sample', '--hmm', hmmFile, '--length', '12', '--count', '4', '--seed', '1', '--out', upper)).code).toBe(0);
    expect(readFileSync(upper, 'utf8')).toBe(readFileSync(txt, 'utf8'));
    // Symbols that do not fit the format are refused before anything is written.
    const wide = join(dir, 'wide.json');
    writeFileSync(wide, JSON.stringify({ transition: [[1]], emission: [Array.from({ length: 300 }, () => 1 / 300)] }));
    const obs = join(dir, 'wide-ok.txt'), st = join(dir, 'wide.bin');
    const w1 = await run('sample', '--hmm', wide, '--length', '5', '--out', join(dir, 'wide-obs.bin'));
    expect(w1.code).toBe(2);
    expect(w1.stderr).toMatch(/wide-obs\.bin: d = 300 observation symbols do not fit one byte; use \.u16 or \.txt/);
    expect(existsSync(join(dir, 'wide-obs.bin'))).toBe(false);
    expect((await run('sample', '--hmm', wide, '--length', '5', '--out', obs, '--states', st)).code).toBe(0); // k = 1 fits
    expect(Array.from(readFileSync(bin)).join(' ')).toBe(lines.join(' '));
    const p = await run('predictors', '--hmm', hmmFile, '--json');
    expect(p.code).toBe(0);
    const j = JSON.parse(p.stdout);
    expect(j.pairwise).toHaveLength(6);
    for (const e of j.pairwise) for (const row of e.predictor) expect(row.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 10);
    expect(j.triplet.predictor).toHaveLength(6);
    const ps = await run('predictors', '--hmm', hmmFile, '--samples', '100000', '--seed', '2', '--json');
    expect(JSON.parse(ps.stdout).pairwise[0].maxError).toBeLessThan(0.05);
  });

  it('recover --data: W from the windows of a sampled sequences file, with and without the truth', async () => {
    const f = join(dir, 'long.u16');
    expect((await run('sample', '--hmm', hmmFile, '--length', '400000', '--seed', '6', '--out', f)).code).toBe(0);
    const blind = await run('recover', '--data', f, '--k', '3', '--json');
    expect(blind.code).toBe(0);
    const jb = JSON.parse(blind.stdout);
    expect(jb.errors).toBeUndefined();
    expect(jb.windows).toBe(399998);
    expect(jb.emission).toHaveLength(3);
    const known = JSON.parse((await run('recover', '--data', f, '--hmm', hmmFile, '--json')).stdout);
    expect(known.errors.transition).toBeLessThan(0.05);
    expect(known.errors.emission).toBeLessThan(0.05);
    expect((await run('recover', '--data', f)).stderr).toMatch(/--data needs --k/);
    // Binary files written by sample --count hold the sequences back to back: --length splits them,
    // so no window straddles two sequences (same windows as the .txt file of the same samples).
    const many = join(dir, 'many.u16'), manyTxt = join(dir, 'many.txt');
    await run('sample', '--hmm', hmmFile, '--length', '1000', '--count', '20', '--seed', '7', '--out', many);
    await run('sample', '--hmm', hmmFile, '--length', '1000', '--count', '20', '--seed', '7', '--out', manyTxt);
    const split = JSON.parse((await run('recover', '--data', many, '--k', '3', '--length', '1000', '--json')).stdout);
    const text = JSON.parse((await run('recover', '--data', manyTxt, '--k', '3', '--json')).stdout);
    expect(split.windows).toBe(20 * 998);
    expect(text.windows).toBe(20 * 998);
    expect(split.emission).toEqual(text.emission);
    expect(JSON.parse((await run('recover', '--data', many, '--k', '3', '--json')).stdout).windows).toBe(20 * 1000 - 2);
    expect((await run('recover', '--data', many, '--k', '3', '--length', '999')).stderr).toMatch(/--length 999: .* 20000 observations, not a multiple of 999/);
    expect((await run('recover', '--data', manyTxt, '--k', '3', '--length', '1000')).stderr).toMatch(/--length applies to binary data files/);
    const huge = await run('recover', '--data', f, '--k', '3', '--d', '3000');
    expect(huge.code).toBe(2);
    expect(huge.stderr).toMatch(/over d = 3000 is too large/);
  });

  it('experiment writes JSON, markdown and SVG to --out (small sizes)', async () => {
    const o = join(dir, 'exp');
    const r = await run('experiment', '--hmm', denseFile, '--sizes', '1000,20000', '--reps', '2', '--out', o);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\| N \|/);
    expect(r.stderr).toMatch(/N=20000/);
    for (const f of ['hmm-experiment.json', 'hmm-experiment.md', 'hmm-experiment.svg']) expect(existsSync(join(o, f))).toBe(true);
    const j = JSON.parse(readFileSync(join(o, 'hmm-experiment.json'), 'utf8'));
    expect(j.rows).toHaveLength(2);
    expect(j.twin.found).toBe(true);
    expect(j.twin.floor).toBeGreaterThan(0);
    expect(readFileSync(join(o, 'hmm-experiment.svg'), 'utf8')).toMatch(/^<svg[^>]*xmlns/);
    expect((await run('experiment', '--hmm', hmmFile, '--sizes', '1000', '--reps', '1', '--out', o)).code).toBe(2);
  });
});

describe('progress on stderr', () => {
  it('non-TTY: a plain line at most every interval (none for short runs); TTY: a bar redrawn in place', async () => {
    const { progressReporter } = await import('../../src/cli/commands/hmm.js');
    const lines: string[] = [];
    let t = 0;
    const plain = progressReporter({ isTTY: false, write: (s: string) => lines.push(s) }, 5000, () => t);
    plain.onProgress('sampling', 1, 10); // within the first interval: quiet
    t = 6000;
    plain.onProgress('sampling', 3, 10);
    t = 7000;
    plain.onProgress('sampling', 4, 10); // too soon after the last line
    t = 20000;
    plain.onProgress('sampling', 10, 10); // finished: no line
    plain.done();
    expect(lines).toEqual(['sampling: 30% (3 of 10)\n']);
    const bar: string[] = [];
    const tty = progressReporter({ isTTY: true, write: (s: string) => bar.push(s) });
    tty.onProgress('sampling', 5, 10);
    tty.done();
    expect(bar[0]).toMatch(/^\rsampling \[#{15}\.{15}\] 50%/);
    expect(bar[1]).toMatch(/^\r +\r$/);
  });
});
