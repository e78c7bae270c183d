/**
 * The queue worker: takes sweep cells from BullMQ, trains each in a `testbeds train` process (the
 * same command, arguments and code path as the local sweep), follows the run's log.jsonl to report
 * step, accuracy and measured seconds per step on the job, copies every checkpoint to the shared
 * cell store as it appears, and resumes from the stored checkpoint when a cell was started by a
 * worker that died. The final checkpoint and log stay in the store for the sweep to collect.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { decodeCheckpoint } from '../checkpoint.js';
import { trainArgs } from '../sweep.js';
import { cellJobId, sweepSettingsOf, validatePayload, type CellPayload } from './cell.js';
import { connect, QUEUE_NAME, scrub, type QueueAddress } from './connection.js';
import { DirCellStore, RedisCellStore, type CellFiles, type CellStore } from './store.js';

export interface QueueWorkerOptions {
  address: QueueAddress;
  /** Cells trained at once (one process each). */
  concurrency: number;
  /** Shared directory for checkpoints too large for Redis (every machine mounts it). */
  store?: string;
  /** Local scratch directory for the running cells. */
  workDir: string;
  /** Command that runs the CLI, e.g. [process.execPath, 'bin/testbeds.js']. */
  cli: string[];
  /** How long a dead worker's cell stays locked before another worker takes it over. */
  lockSeconds: number;
  /** How often the run's files are looked at (progress, new checkpoints). */
  pollMs: number;
  log: (line: string) => void;
}

/** What a job reports while it runs (job.progress). */
export interface CellProgress {
  step: number;
  steps: number;
  /** Last held-out accuracy (null before the first evaluation). */
  accuracy: number | null;
  /** Measured seconds per training step in this session (null until two steps are logged). */
  secondsPerStep: number | null;
  /** Step of the newest checkpoint in the store. */
  checkpointStep: number;
  worker: string;
}

/** A finished job's return value. */
export interface CellOutcome {
  /** The train command's --json result. */
  result: Record<string, unknown>;
  /** Step the run resumed from (0 = trained from scratch). */
  resumedFrom: number;
  /** Where the final checkpoint and log are: 'redis' or 'dir'. */
  store: 'redis' | 'dir';
  worker: string;
}

const workerName = `${hostname()}:${process.pid}`;

/** The complete log lines appended since byte `from`, and the offset after them. */
function readNew(file: string, from: number): { text: string; size: number } {
  if (!existsSync(file)) return { text: '', size: from };
  const buf = readFileSync(file);
  const start = buf.length < from ? 0 : from; // rewritten (a resumed run trims its log)
  const end = buf.lastIndexOf(0x0a) + 1;
  return end > start ? { text: buf.subarray(start, end).toString('utf8'), size: end } : { text: '', size: start };
}

export class QueueWorker {
  private worker: Worker | undefined;
  private workerConnection: ReturnType<typeof connect> | undefined;
  private readonly children = new Set<ChildProcess>();
  private stopping = false;
  private readonly redis;
  private readonly stores: CellStore[];

  constructor(private readonly o: QueueWorkerOptions) {
    this.redis = connect(o.address);
    this.redis.on('error', () => {}); // reconnects on its own; failures surface on commands
    // Checkpoints go to --store when given, else to Redis; a resuming worker looks in both.
    const redisStore = new RedisCellStore(this.redis);
    this.stores = o.store ? [new DirCellStore(o.store), redisStore] : [redisStore];
  }

  start(): void {
    const o = this.o;
    mkdirSync(o.workDir, { recursive: true });
    this.workerConnection = connect(o.address);
    this.worker = new Worker(QUEUE_NAME, (job, token) => this.process(job, token), {
      connection: this.workerConnection,
      concurrency: o.concurrency,
      lockDuration: o.lockSeconds * 1000,
      stalledInterval: o.lockSeconds * 1000,
      // A cell whose worker died is re-queued (and resumed) this many times before it fails.
      maxStalledCount: 10,
      autorun: true,
    });
    this.worker.on('error', (e) => o.log(`worker: redis: ${scrub(e.message, o.address)} (retrying)`));
    this.worker.on('failed', (job, e) => job && o.log(`worker: ${describe(job)} failed (attempt ${job.attemptsMade}): ${scrub(e.message, o.address)}`));
  }

  /**
   * Stops taking cells; running cells checkpoint, go back to the queue, and the promise resolves.
   * `forward`: send the runs SIGINT (for SIGTERM; a terminal's Ctrl-C already reached them, as they
   * share the worker's process group, and a second SIGINT would kill them before they checkpoint).
   */
  async stop(forward = true): Promise<void> {
    this.stopping = true;
    if (forward) for (const c of this.children) c.kill('SIGINT');
    await this.worker?.close();
    // Connections passed to BullMQ stay ours to close.
    for (const r of [this.workerConnection, this.redis]) await r?.quit().catch(() => r.disconnect());
  }

  private async process(job: Job, token: string | undefined): Promise<CellOutcome> {
    const o = this.o;
    let p: CellPayload;
    try {
      p = validatePayload(job.data, job.id);
    } catch (e) {
      throw new UnrecoverableError((e as Error).message);
    }
    const id = cellJobId(p);
    const dir = join(o.workDir, id);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    let resumedFrom = 0;
    let stored: CellFiles | null = null;
    for (const s of this.stores) if ((stored = await s.get(id))) break;
    if (stored) {
      try {
        decodeCheckpoint(stored.checkpoint, `stored checkpoint of ${id}`);
        writeFileSync(join(dir, 'checkpoint.tbck'), stored.checkpoint);
        writeFileSync(join(dir, 'log.jsonl'), stored.log);
        resumedFrom = stored.step;
      } catch (e) {
        o.log(`worker: ${describe(job)}: ${(e as Error).message}; training from scratch`);
        stored = null;
      }
    }
    const args = stored ? ['train', '--resume', dir, '--json', '--quiet'] : trainArgs(sweepSettingsOf(p), p.automaton, p.depth, dir);
    o.log(`worker: ${describe(job)} ${stored ? `resuming at step ${resumedFrom}` : 'starting'}`);
    const guard = new URL('./orphan-guard.js', import.meta.url).href;
    const child = spawn(o.cli[0], ['--import', guard, ...o.cli.slice(1), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b) => (stdout += b));
    child.stderr!.on('data', (b) => (stderr += b));
    const exit = new Promise<number>((res) => child.on('close', (code, sig) => res(code ?? (sig ? 128 : 1))));

    // Follow the run: progress from log.jsonl, checkpoints copied to the store as they appear.
    const logFile = join(dir, 'log.jsonl');
    const ckFile = join(dir, 'checkpoint.tbck');
    let logSize = existsSync(logFile) ? statSync(logFile).size : 0;
    let first: { step: number; seconds: number } | undefined;
    const progress: CellProgress = { step: resumedFrom, steps: p.settings.steps, accuracy: null, secondsPerStep: null, checkpointStep: resumedFrom, worker: workerName };
    let ckStamp = existsSync(ckFile) ? statSync(ckFile).mtimeMs : 0;
    const store = this.stores[0];
    const look = async (final: boolean) => {
      const r = readNew(logFile, logSize);
      logSize = r.size;
      for (const line of r.text.split('\n')) {
        if (!line.trim()) continue;
        try {
          const x = JSON.parse(line);
          if (typeof x.step !== 'number') continue;
          first ??= { step: x.step, seconds: x.seconds };
          progress.step = x.step;
          if (x.step > first.step) progress.secondsPerStep = (x.seconds - first.seconds) / (x.step - first.step);
          if (x.eval) progress.accuracy = x.eval.accuracy;
        } catch {
          // not a log record; skip it
        }
      }
      if (existsSync(ckFile) && statSync(ckFile).mtimeMs !== ckStamp) {
        const stamp = statSync(ckFile).mtimeMs;
        const bytes = new Uint8Array(readFileSync(ckFile));
        const step = decodeCheckpoint(bytes, ckFile).header.step;
        await store.put(id, { step, checkpoint: bytes, log: new Uint8Array(readFileSync(logFile)) });
        ckStamp = stamp;
        progress.checkpointStep = step;
      }
      if (!final) await job.updateProgress({ ...progress });
    };
    let looking = Promise.resolve();
    const timer = setInterval(() => {
      looking = looking.then(() => look(false)).catch((e) => o.log(`worker: ${describe(job)}: ${scrub((e as Error).message, o.address)} (will retry)`));
    }, o.pollMs);
    const code = await exit;
    clearInterval(timer);
    await looking;
    this.children.delete(child);
    // The final checkpoint must reach the store before the job is reported done; retry while
    // Redis is away (it may be restarting).
    for (let attempt = 0; ; attempt++) {
      try {
        await look(true);
        break;
      } catch (e) {
        if (attempt >= 60) throw new Error(`could not store the checkpoint: ${scrub((e as Error).message, o.address)}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    let result: Record<string, unknown> | undefined;
    try {
      result = JSON.parse(stdout.trim().split('\n').pop() ?? '');
    } catch {
      result = undefined;
    }
    if (this.stopping && code !== 0 || result?.interrupted) {
      // Stopped by the user (or signalled before training began): back to the queue, to be
      // resumed from the checkpoint just stored.
      await job.moveToWait(token);
      rmSync(dir, { recursive: true, force: true });
      throw new WaitingError();
    }
    rmSync(dir, { recursive: true, force: true });
    if (code !== 0 || !result) throw new Error(stderr.trim().split('\n').pop() || `train exited with code ${code}`);
    o.log(`worker: ${describe(job)} done: ${(100 * Number(result.accuracy)).toFixed(1)}% in ${Number(result.seconds).toFixed(1)} s`);
    return { result, resumedFrom, store: store instanceof DirCellStore ? 'dir' : 'redis', worker: workerName };
  }
}

function describe(job: Job): string {
  const d = job.data as Partial<CellPayload> | undefined;
  return typeof d?.automaton === 'string' && typeof d?.depth === 'number' ? `${d.automaton} L=${d.depth} (${job.id})` : `job ${job.id}`;
}
