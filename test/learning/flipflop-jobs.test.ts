// testbeds flipflop --jobs N: rows in worker processes give the same numbers as one process; bad
// values are one line and exit 2; a killed run leaves row directories that --resume continues.
// The workers are `node bin/testbeds.js` (the built dist/, as `npm test` and land.sh build first).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flipflopPlan, flipflopRowOrder, runFlipflopRow } from '../../src/learning/index.js';
import { cli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'tb-flipflop-jobs-'));
const tiny = ['--mitigations', 'baseline,entropy', '--steps', '6', '--reads', '300', '--length', '8', '--eval-batch', '32', '--backend', 'cpu', '--layers', '1', '--width', '8', '--heads', '2'];
const bin = join(__dirname, '../../bin/testbeds.js');

/** A row's cells.json without what depends on the clock. */
function rowNumbers(out: string, row: string): string {
  const r = JSON.parse(readFileSync(join(out, row, 'cells.json'), 'utf8')).row;
  const { trainSeconds, trainCpuSeconds, evalCpuSeconds, ...info } = r.info;
  void trainSeconds, trainCpuSeconds, evalCpuSeconds;
  return JSON.stringify({ info, cells: r.cells.map(({ seconds, readsPerSecond, tokensPerSecond, ...c }: Record<string, unknown>) => (void seconds, void readsPerSecond, void tokensPerSecond, c)) });
}

const ROWS = ['transformer', 'lstm', 'transformer+entropy'];

describe('flipflop --jobs', () => {
  it('gives exactly the numbers of --jobs 1 (every row, every cell)', async () => {
    const one = join(dir, 'one');
    const two = join(dir, 'two');
    const a = await cli(['flipflop', ...tiny, '--out', one, '--json']);
    expect(a.code, a.err).toBe(0);
    const b = await cli(['flipflop', ...tiny, '--out', two, '--jobs', '2', '--json'], { stderrWrites: true });
    expect(b.code, b.err).toBe(0);
    // Longest rows first; the workers' progress lines carry their row's name.
    expect(b.err).toMatch(/3 rows in 2 processes \(transformer\+entropy, transformer, lstm\)/);
    expect(b.err).toMatch(/^transformer\+entropy: step 6\/6/m);
    expect(b.err).toMatch(/^lstm: done: train \d+ s, \d+ s CPU/m);
    for (const row of ROWS) expect(rowNumbers(two, row), row).toBe(rowNumbers(one, row));
    const ja = JSON.parse(a.out);
    const jb = JSON.parse(b.out);
    expect(jb.cells.map((c: { counts: unknown }) => c.counts)).toEqual(ja.cells.map((c: { counts: unknown }) => c.counts));
    expect(jb.models.map((m: { model: string }) => m.model)).toEqual(ja.models.map((m: { model: string }) => m.model));
    for (const m of jb.models) expect(m.trainCpuSeconds).toBeGreaterThan(0);
    expect(readFileSync(join(two, 'flipflop.md'), 'utf8')).toMatch(/\| row \| layers \| width \| steps \| train s \| train CPU s \| eval s \| eval CPU s \|/);
  }, 120_000);

  it('refuses bad values in one line, exit 2', async () => {
    for (const [args, msg] of [
      [['--jobs', '0', '--out', join(dir, 'bad')], /--jobs/],
      [['--jobs', 'two', '--out', join(dir, 'bad')], /--jobs/],
      [['--jobs', '1.5', '--out', join(dir, 'bad')], /--jobs/],
      [['--jobs', '2'], /--jobs N needs --out DIR/],
      [['--checkpoint-every', '0'], /--checkpoint-every/],
    ] as const) {
      const r = await cli(['flipflop', ...tiny, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });

  it('a killed run stops its row processes and --resume finishes it with the same numbers', async () => {
    // wasm (faster than cpu for this); 100 steps with a checkpoint every 3: the kill lands mid-row.
    const long = ['--steps', '100', '--reads', '300', '--length', '8', '--eval-batch', '32', '--layers', '1', '--width', '8', '--heads', '2', '--models', 'transformer', '--mitigations', 'baseline,wd', '--checkpoint-every', '3'];
    const ref = join(dir, 'ref');
    const r0 = await cli(['flipflop', ...long, '--out', ref, '--json']);
    expect(r0.code, r0.err).toBe(0);
    const out = join(dir, 'killed');
    const parent = spawn(process.execPath, [bin, 'flipflop', ...long, '--out', out, '--jobs', '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    parent.stderr.on('data', (b) => (err += b));
    // Kill the run (SIGKILL: no handler runs) once both rows have a checkpoint and neither is done.
    // The row processes are read from their lock files before the kill: once their parent is gone
    // they stop and remove those files, so reading them afterwards races the rows' exit.
    const rowPids = () => ['transformer', 'transformer+wd'].map((r) => JSON.parse(readFileSync(join(out, r, 'run.lock'), 'utf8')).pid as number);
    const holders = await new Promise<number[]>((ok, fail) => {
      const t = setInterval(() => {
        if (/done: train/.test(err)) return (clearInterval(t), fail(new Error(`a row finished before the kill:\n${err}`)));
        if (existsSync(join(out, 'transformer', 'checkpoint.tbck')) && existsSync(join(out, 'transformer+wd', 'checkpoint.tbck'))) {
          let pids: number[];
          try {
            pids = rowPids();
          } catch {
            return; // a lock file is being written: next tick
          }
          clearInterval(t);
          parent.kill('SIGKILL');
          ok(pids);
        }
      }, 20);
    });
    await new Promise((ok) => parent.on('close', ok));
    // The row processes notice that their parent is gone and stop.
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 500 && holders.some(alive); i++) await new Promise((ok) => setTimeout(ok, 20));
    expect(holders.filter(alive)).toEqual([]);
    expect(existsSync(join(out, 'transformer', 'cells.json'))).toBe(false);
    const resumed = await cli(['flipflop', ...long, '--out', out, '--jobs', '2', '--resume'], { stderrWrites: true });
    expect(resumed.code, resumed.err).toBe(0);
    for (const row of ['transformer', 'transformer+wd']) expect(rowNumbers(out, row), row).toBe(rowNumbers(ref, row));
  }, 120_000);

  it('runFlipflopRow names a bad row; rows start longest first', async () => {
    await expect(runFlipflopRow({ out: join(dir, 'x') }, 'transformer+nothing')).rejects.toThrow(/row must be one of transformer, lstm, transformer\+wd/);
    await expect(runFlipflopRow({}, 'lstm')).rejects.toThrow(/out \(the run directory\) is required/);
    expect(flipflopRowOrder(flipflopPlan({ models: ['lstm', 'transformer', 'gru'] }).rows).map((r) => r.id)).toEqual(['transformer+entropy', 'transformer+dropout', 'transformer', 'transformer+wd', 'lstm', 'gru']);
  });
});
