// Nothing lost: a run directory is reused only with --resume or --force, has one writer, and bad
// paths (a file as --out, a checkpoint file as --resume) are one line, exit 2. --resume --steps N
// raises a finished run's horizon (and only that). A sweep directory keeps its settings.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { cpuMs } from '../helpers/cpu.js';

const root = mkdtempSync(join(tmpdir(), 'tb-rundir-'));
const tiny = ['--automaton', 'parity', '--layers', '1', '--width', '8', '--heads', '2', '--length', '6', '--batch', '4', '--eval-every', '2', '--eval-batches', '1', '--quiet'];

describe('train --out over an existing run', () => {
  const dir = join(root, 'run');
  it('is refused without --force or --resume, and nothing in it changes', async () => {
    expect((await cli(['train', ...tiny, '--steps', '4', '--out', dir, '--json'])).code).toBe(0);
    const ck = readFileSync(join(dir, 'checkpoint.tbck'));
    const log = readFileSync(join(dir, 'log.jsonl'), 'utf8');
    const r = await cli(['train', ...tiny, '--steps', '4', '--seed', '2', '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`testbeds train: --out ${dir} already holds a run (checkpoint.tbck, log.jsonl): --resume ${dir} continues it, --force starts over (deleting it), or choose another directory`);
    expect(readFileSync(join(dir, 'checkpoint.tbck')).equals(ck)).toBe(true);
    expect(readFileSync(join(dir, 'log.jsonl'), 'utf8')).toBe(log);
    expect(existsSync(join(dir, 'run.lock'))).toBe(false); // released
  });

  it('--force starts over: one run in the log, from the new seed', async () => {
    const r = await cli(['train', ...tiny, '--steps', '3', '--seed', '2', '--out', dir, '--force', '--json']);
    expect(r.code).toBe(0);
    const steps = readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
    expect(steps).toEqual([1, 2, 3]);
    expect((await cli(['train', '--resume', dir, '--out', dir, '--force'])).err).toMatch(/--force starts a run over and --resume continues one/);
  });

  it('--resume --steps N extends a finished run; lowering it, or changing anything else, is refused', async () => {
    let r = await cli(['train', '--resume', dir, '--steps', '5', '--quiet', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).steps).toBe(5);
    const steps = readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
    expect(steps).toEqual([1, 2, 3, 4, 5]);
    r = await cli(['train', '--resume', dir, '--steps', '4']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--resume .*: steps can only be raised: the run has 5, got 4/);
    r = await cli(['train', '--resume', dir, '--steps', '9', '--lr', '0.5']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--lr 0\.5 does not match the checkpoint being resumed/);
    // Options that used to be silently ignored on resume are refused too; repeating a value is fine.
    for (const [opt, v] of [['--warmup', '7'], ['--clip', '0.5'], ['--dropout', '0.1'], ['--eval-every', '9'], ['--task', 'ffl:0.5']]) {
      r = await cli(['train', '--resume', dir, '--steps', '9', opt, v]);
      expect(r.code, `${opt} ${v}`).toBe(2);
      expect(r.err).toMatch(/only --steps may change/);
    }
    r = await cli(['train', '--resume', dir, '--steps', '5', '--eval-every', '2', '--quiet', '--json']);
    expect(r.code, r.err).toBe(0);
  });

  it('--out FILE and --resume DIR/checkpoint.tbck are one clear line, not EEXIST / ENOTDIR', async () => {
    const file = join(root, 'afile');
    writeFileSync(file, 'x');
    let r = await cli(['train', ...tiny, '--steps', '2', '--out', file]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`testbeds train: --out ${file} is a file, not a run directory`);
    r = await cli(['train', '--resume', join(dir, 'checkpoint.tbck')]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`testbeds train: --resume ${join(dir, 'checkpoint.tbck')} is a file: give the run directory that holds the checkpoint (--resume ${dir}), or --out DIR to continue it elsewhere`);
    r = await cli(['train', '--resume', join(root, 'nothing-here')]);
    expect(r.err).toMatch(/--resume .*nothing-here: no such run directory/);
    // A checkpoint file continued into a new directory is fine.
    r = await cli(['train', '--resume', join(dir, 'checkpoint.tbck'), '--out', join(root, 'copy'), '--steps', '6', '--quiet', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).steps).toBe(6);
  });

  it('a second train on the same directory fails at once, naming the first', async () => {
    const d = join(root, 'busy');
    const bin = resolve('bin/testbeds.js'); // the compiled CLI (npm run build)
    const child = spawn(process.execPath, [bin, 'train', ...tiny, '--steps', '100000', '--out', d], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      for (let i = 0; i < 600 && !existsSync(join(d, 'run.lock')); i++) await new Promise((r) => setTimeout(r, 50));
      const t0 = cpuMs();
      const r = await cli(['train', ...tiny, '--steps', '4', '--out', d, '--force']);
      expect(cpuMs() - t0).toBeLessThan(2000);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`--out ${d}: run directory ${d} is in use by another process \\(pid ${child.pid} on .*train`));
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
    }
    // Killed: its lock is left behind but stale (pid dead), and the next writer takes it over.
    expect(existsSync(join(d, 'run.lock'))).toBe(true);
    const r = await cli(['train', ...tiny, '--steps', '2', '--out', d, '--force', '--json'], { stderrWrites: true });
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(new RegExp(`removed a stale lock in ${d} \\(pid ${child.pid} on .*; that process is gone\\)`));
    expect(existsSync(join(d, 'run.lock'))).toBe(false);
  }, 60_000);
});

describe('sweep --out with other settings', () => {
  it('is refused without --force, naming what differs', async () => {
    const out = join(root, 'sweep');
    const base = ['sweep', '--automata', 'parity', '--depths', '1', '--length', '4', '--width', '8', '--heads', '2', '--batch', '4', '--steps', '2', '--out', out, '--json'];
    expect((await cli(base, { stderrWrites: true })).code).toBe(0);
    const table = readFileSync(join(out, 'table.json'), 'utf8');
    const other = base.map((a, i) => (base[i - 1] === '--steps' ? '3' : a));
    const r = await cli(other, { stderrWrites: true });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`testbeds sweep: --out ${out}: holds a sweep with other settings \\(steps 2 there, 3 here\\); pass --force to replace its results`));
    expect(readFileSync(join(out, 'table.json'), 'utf8')).toBe(table);
    expect(JSON.parse(readFileSync(join(out, 'settings.json'), 'utf8')).steps).toBe(2);
    // Another grid over the same settings is fine (cells are chosen, not redefined).
    expect((await cli(base.map((a, i) => (base[i - 1] === '--depths' ? '1,2' : a)), { stderrWrites: true })).code).toBe(0);
    expect((await cli([...other, '--force'], { stderrWrites: true })).code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'settings.json'), 'utf8')).steps).toBe(3);
  }, 120_000);
});
