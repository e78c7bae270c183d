// Sweeps over a BullMQ queue on a real redis-server (started here on a free loopback port):
// the queued sweep's tables and checkpoints equal the local pool's bit for bit; a re-run
// re-attaches without retraining; a SIGKILLed worker's cell resumes elsewhere from its stored
// checkpoint and ends with the weights of an uninterrupted run; a Redis restart loses nothing;
// bad payloads are refused unexecuted; a cell failing three times is reported while the rest
// finishes; two sweeps with different settings do not mix; the password never leaks.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { runQueuedSweep } from '../../../src/cli/sweep-queue.js';
import { decodeCheckpoint } from '../../../src/learning/checkpoint.js';
import { buildReport, type SweepCell, type SweepSettings } from '../../../src/learning/sweep.js';
import { QUEUE_NAME } from '../../../src/learning/queue/connection.js';
import { queuedCells } from '../../../src/learning/queue/sweep-queue.js';
import { RedisServer, redisServerMissing } from './redis-server.js';

const BIN = resolve(__dirname, '../../../bin/testbeds.js');
const PASSWORD = 'pw-Zq8-never-printed';
const missing = redisServerMissing();
if (missing) console.log(`queue tests skipped: ${missing}`);

const tiny = ['--length', '4', '--width', '8', '--heads', '2', '--batch', '4'];
const tmp = (p: string) => mkdtempSync(join(tmpdir(), `tb-q-${p}-`));

interface WorkerProc {
  proc: ChildProcess;
  work: string;
  log: () => string;
}

// Each test trains a few tiny cells in child processes; on a loaded 2-core machine that can take a
// minute or two, so the limit is generous (the work itself is small).
const SLOW = 240_000;

describe.skipIf(missing !== null)('sweep over a Redis queue', () => {
  // An ACL user with a password (server configuration, so it survives the restart below): every
  // sweep and worker connects as it.
  const server = new RedisServer(['--user', 'sweeper', 'on', `>${PASSWORD}`, '~*', '&*', '+@all']);
  let url = '';
  let admin: Redis;
  const workers: WorkerProc[] = [];
  const captured: string[] = [];
  const outDirs: string[] = [];

  const startWorker = (extra: string[] = []): WorkerProc => {
    const work = tmp('work');
    // env:NAME keeps the password out of the process list.
    const proc = spawn(process.execPath, [BIN, 'worker', '--queue', 'env:TB_QUEUE_URL', '--work', work, '--lock-seconds', '2', '--poll-ms', '100', ...extra], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TB_QUEUE_URL: url } });
    let err = '';
    proc.stderr!.on('data', (b) => (err += b));
    const w = { proc, work, log: () => err };
    workers.push(w);
    return w;
  };

  /** Runs `testbeds ARGV` in this process; its output (stdout and stderr) is what was captured meanwhile. */
  const run = async (argv: string[]): Promise<{ code: number; out: string; err: string }> => {
    const from = captured.length;
    const code = await main(argv);
    const text = captured.slice(from).join('\n');
    return { code, out: text, err: text };
  };
  const sweep = (out: string, args: string[]) => {
    outDirs.push(out);
    return run(['sweep', ...tiny, ...args, '--out', out, '--json', '--poll-ms', '100']);
  };
  const localSweep = (out: string, args: string[]) => run(['sweep', ...tiny, ...args, '--out', out, '--jobs', '2', '--json']);
  const same = (a: string, b: string, file: string) => expect(readFileSync(join(b, file)), `${file} of ${a} vs ${b}`).toEqual(readFileSync(join(a, file)));
  const weights = (dir: string) => {
    const c = decodeCheckpoint(new Uint8Array(readFileSync(join(dir, 'checkpoint.tbck'))));
    return { step: c.header.step, weights: Buffer.from(c.weights.buffer), optimizer: Buffer.from(c.optimizer.buffer) };
  };
  const until = async (what: string, f: () => Promise<boolean> | boolean, ms = 60_000) => {
    const t0 = Date.now();
    while (!(await f())) {
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const spies: { mockRestore(): void }[] = [];
  beforeAll(async () => {
    spies.push(
      vi.spyOn(console, 'log').mockImplementation((...a) => void captured.push(a.join(' '))),
      vi.spyOn(console, 'error').mockImplementation((...a) => void captured.push(a.join(' '))),
      vi.spyOn(process.stderr, 'write').mockImplementation((x) => (captured.push(String(x)), true)),
    );
    await server.start();
    admin = new Redis({ host: '127.0.0.1', port: server.port, db: 3, maxRetriesPerRequest: null, retryStrategy: () => 200 });
    admin.on('error', () => {});
    url = `redis://sweeper:${PASSWORD}@127.0.0.1:${server.port}/3`;
  });

  afterAll(async () => {
    for (const sp of spies) sp.mockRestore();
    for (const w of workers) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
    admin?.disconnect();
    await server.stop();
  }, SLOW);

  it('a worker SIGKILLed mid-cell: its run stops too, another worker resumes from the stored checkpoint and ends with the uninterrupted weights', async () => {
    const a = startWorker();
    const args = ['--automata', 'parity', '--depths', '2', '--steps', '160', '--seed', '3'];
    const s: SweepSettings = { automata: ['parity'], depths: [2], length: 4, width: 8, heads: 2, batch: 4, steps: 160, lr: 3e-3, warmup: 16, seed: 3, evalBatches: 8 };
    const [cell] = queuedCells(s, [{ automaton: 'parity', depth: 2 }]);
    const out = tmp('kill');
    const done = sweep(out, [...args, '--queue', url]);
    // Kill once a checkpoint (every 40 steps) is in Redis and before the cell finishes.
    await until('a stored checkpoint', async () => Number(await admin.hget(`testbeds:cell:${cell.id}`, 'step')) >= 40);
    a.proc.kill('SIGKILL');
    // The orphan guard ends the training process the dead worker started.
    await until('the orphaned run to stop', () => !readdirSync('/proc').some((p) => /^\d+$/.test(p) && existsSync(`/proc/${p}/cmdline`) && (() => { try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(a.work); } catch { return false; } })()), 10_000);
    const b = startWorker(['--concurrency', '2']);
    const r = await done;
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'runs', 'parity-L2', 'result.json'), 'utf8'));
    expect(result.queue.resumedFrom).toBeGreaterThanOrEqual(40);
    expect(result.queue.resumedFrom).toBeLessThan(160);
    expect(b.log()).toMatch(/parity L=2 .* resuming at step \d+/);
    const ref = tmp('kill-ref');
    expect((await localSweep(ref, args)).code).toBe(0);
    const x = weights(join(out, 'runs', 'parity-L2'));
    const y = weights(join(ref, 'runs', 'parity-L2'));
    expect(x.step).toBe(160);
    expect(x.weights.equals(y.weights)).toBe(true);
    expect(x.optimizer.equals(y.optimizer)).toBe(true);
    same(ref, out, 'table.md');
  }, SLOW);

  it('queued and local sweeps write identical tables; two sweeps with other settings do not mix; a re-run re-attaches without retraining', async () => {
    const grid = ['--automata', 'parity,cyclic:3', '--depths', '1', '--steps', '24'];
    const q1 = tmp('q1');
    const q2 = tmp('q2');
    const [r1, r2] = await Promise.all([sweep(q1, [...grid, '--seed', '1', '--queue', url]), sweep(q2, ['--automata', 'parity', '--depths', '1', '--steps', '24', '--seed', '2', '--queue', url])]);
    expect([r1.code, r2.code]).toEqual([0, 0]);
    expect(r1.err).toMatch(/2 enqueued, 0 already queued/);
    const local = tmp('local');
    expect((await localSweep(local, [...grid, '--seed', '1'])).code).toBe(0);
    for (const f of ['table.md', 'table.csv']) same(local, q1, f);
    for (const c of ['parity-L1', 'cyclic_3-L1']) expect(weights(join(q1, 'runs', c)).weights.equals(weights(join(local, 'runs', c)).weights)).toBe(true);
    // The seed-2 sweep got its own jobs and results.
    const res2 = JSON.parse(readFileSync(join(q2, 'runs', 'parity-L1', 'result.json'), 'utf8'));
    expect(res2.args.join(' ')).toMatch(/--seed 2 /);
    expect(weights(join(q2, 'runs', 'parity-L1')).weights.equals(weights(join(q1, 'runs', 'parity-L1')).weights)).toBe(false);
    // Same command into a fresh directory: nothing enqueued or retrained, same tables.
    const starts = workers.map((w) => (w.log().match(/starting|resuming/g) ?? []).length).reduce((x, y) => x + y, 0);
    const q3 = tmp('q3');
    const again = await sweep(q3, [...grid, '--seed', '1', '--queue', url]);
    expect(again.code).toBe(0);
    expect(again.err).toMatch(/0 enqueued, 2 already queued/);
    for (const f of ['table.md', 'table.csv']) same(local, q3, f);
    expect(workers.map((w) => (w.log().match(/starting|resuming/g) ?? []).length).reduce((x, y) => x + y, 0)).toBe(starts);
    const st = await run(['sweep', ...tiny, ...grid, '--seed', '1', '--out', tmp('st'), '--queue', url, '--status']);
    expect(st.code).toBe(0);
    expect(st.out).toMatch(/queue: 2\/2 done, 0 running, 0 waiting, 0 failed/);
  }, SLOW);

  it('Redis killed and restarted mid-sweep (append-only file on): nothing is lost, workers and the sweep reconnect', async () => {
    const args = ['--automata', 'parity,cyclic:3', '--depths', '1', '--steps', '120', '--seed', '4'];
    const s: SweepSettings = { automata: ['parity', 'cyclic:3'], depths: [1], length: 4, width: 8, heads: 2, batch: 4, steps: 120, lr: 3e-3, warmup: 12, seed: 4, evalBatches: 8 };
    const ids = queuedCells(s, [{ automaton: 'parity', depth: 1 }, { automaton: 'cyclic:3', depth: 1 }]).map((c) => c.id);
    const out = tmp('restart');
    const done = sweep(out, [...args, '--queue', url]);
    await until('a stored checkpoint', async () => (await Promise.all(ids.map((id) => admin.hget(`testbeds:cell:${id}`, 'step')))).some((x) => Number(x) >= 30));
    await server.kill();
    await new Promise((r) => setTimeout(r, 1500));
    await server.restart();
    const r = await done;
    expect(r.code).toBe(0);
    const ref = tmp('restart-ref');
    expect((await localSweep(ref, args)).code).toBe(0);
    same(ref, out, 'table.md');
    for (const c of ['parity-L1', 'cyclic_3-L1']) expect(weights(join(out, 'runs', c)).weights.equals(weights(join(ref, 'runs', c)).weights)).toBe(true);
  }, SLOW);

  it('a job whose payload fails validation is failed with the reason and never run; a cell failing three times is reported failed while the rest finishes', async () => {
    const q = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: server.port, db: 3, username: 'sweeper', password: PASSWORD } });
    try {
      const good = queuedCells({ automata: ['parity'], depths: [1], length: 4, width: 8, heads: 2, batch: 4, steps: 5, lr: 3e-3, warmup: 0, seed: 9, evalBatches: 2 }, [{ automaton: 'parity', depth: 1 }])[0];
      const bad = await q.add('cell', { ...good.payload, settings: { ...good.payload.settings, width: 'abc' } }, { jobId: 'cell-bad-width', attempts: 3 });
      const forged = await q.add('cell', good.payload, { jobId: 'cell-not-its-hash', attempts: 3 });
      await until('both refused', async () => (await bad.getState()) === 'failed' && (await q.getJob(forged.id!))?.failedReason !== undefined && (await forged.getState()) === 'failed');
      const b = (await q.getJob(bad.id!))!;
      expect(b.failedReason).toBe('invalid job payload: settings.width = "abc" (expected an integer in [1, 8192])');
      expect(b.attemptsMade).toBe(1);
      expect((await q.getJob(forged.id!))!.failedReason).toMatch(/^invalid job payload: job id = "cell-not-its-hash" \(expected cell-[0-9a-f]{32}, the hash of the payload\)$/);
      for (const w of workers) expect(w.log()).not.toMatch(/cell-bad-width\) starting|cell-not-its-hash\) starting/);
    } finally {
      await q.close();
    }
    // cyclic:0 passes the payload check (a zoo family) but every training run of it fails.
    const s: SweepSettings = { automata: ['parity', 'cyclic:0'], depths: [1], length: 4, width: 8, heads: 2, batch: 4, steps: 6, lr: 3e-3, warmup: 0, seed: 5, evalBatches: 2 };
    const out = tmp('fail');
    outDirs.push(out);
    const cells: SweepCell[] = [];
    const code = await runQueuedSweep({ url, status: false, estimate: false, pollMs: 100, json: true, settings: s, out, pending: s.automata.map((a) => ({ automaton: a, depth: 1, dir: join(out, 'runs', a.replace(/[^A-Za-z0-9_.-]+/g, '_') + '-L1') })), cells, write: () => buildReport(s, cells), cli: [process.execPath, BIN] });
    expect(code).toBe(1);
    expect(cells.find((c) => c.automaton === 'parity')!.accuracy).toBeGreaterThan(0);
    const failed = cells.find((c) => c.automaton === 'cyclic:0')!;
    expect(failed.accuracy).toBeNull();
    expect(failed.error).toMatch(/cyclic/);
    expect(captured.join('\n')).toMatch(/cyclic:0 L=1: FAILED after 3 attempt\(s\)/);
  }, SLOW);

  it('the password appears in no output, log, job or result', async () => {
    const leaks: string[] = [];
    if (captured.join('\n').includes(PASSWORD)) leaks.push('sweep output');
    for (const w of workers) if (w.log().includes(PASSWORD)) leaks.push('worker log');
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
    for (const d of outDirs) for (const f of walk(d)) if (readFileSync(f).includes(PASSWORD)) leaks.push(f);
    for (const db of [0, 3]) {
      await admin.select(db);
      for (const k of await admin.keys('*')) {
        const dump = await admin.dumpBuffer(k);
        if (dump && dump.includes(PASSWORD)) leaks.push(`redis key ${k}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(outDirs.length).toBeGreaterThan(3);
  });
});
