/**
 * The sweep's side of the queue: enqueue one BullMQ job per missing cell (job id = hash of the
 * cell's settings, so a re-run never duplicates and a finished cell is never retrained), read each
 * cell's state and progress, and fetch a finished cell's checkpoint and log from the cell store.
 */
import { Job, Queue } from 'bullmq';
import { cellJobId, cellPayload, type CellPayload } from './cell.js';
import { connect, QUEUE_NAME, type QueueAddress } from './connection.js';
import { DirCellStore, RedisCellStore, type CellFiles } from './store.js';
import type { CellOutcome, CellProgress } from './worker.js';
import type { SweepSettings } from '../sweep.js';

/** Attempts per cell before it is reported failed (a worker's death does not count). */
export const ATTEMPTS = 3;

export interface QueuedCell {
  automaton: string;
  depth: number;
  payload: CellPayload;
  id: string;
}

export type CellStateName = 'completed' | 'failed' | 'active' | 'waiting' | 'delayed' | 'missing';

export interface CellState {
  cell: QueuedCell;
  state: CellStateName;
  progress?: CellProgress;
  outcome?: CellOutcome;
  error?: string;
  attempts: number;
}

export function queuedCells(s: SweepSettings, cells: { automaton: string; depth: number }[]): QueuedCell[] {
  return cells.map(({ automaton, depth }) => {
    const payload = cellPayload(s, automaton, depth);
    return { automaton, depth, payload, id: cellJobId(payload) };
  });
}

export class SweepQueue {
  readonly queue: Queue;
  private readonly redis;
  private readonly queueConnection;

  constructor(readonly address: QueueAddress) {
    this.redis = connect(address);
    this.redis.on('error', () => {}); // reconnects on its own; failures surface on commands
    this.queueConnection = connect(address);
    this.queue = new Queue(QUEUE_NAME, { connection: this.queueConnection });
    this.queue.on('error', () => {});
  }

  /** Adds the cells not yet in the queue; cells that failed before are retried from scratch. */
  async enqueue(cells: QueuedCell[]): Promise<{ added: number; present: number; retried: number }> {
    let added = 0;
    let present = 0;
    let retried = 0;
    for (const c of cells) {
      const job = await Job.fromId(this.queue, c.id);
      if (!job) {
        await this.queue.add('cell', c.payload, { jobId: c.id, attempts: ATTEMPTS, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: false, removeOnFail: false });
        added++;
      } else if ((await job.getState()) === 'failed') {
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        retried++;
      } else present++;
    }
    return { added, present, retried };
  }

  async states(cells: QueuedCell[]): Promise<CellState[]> {
    const out: CellState[] = [];
    for (const cell of cells) {
      // The state first, then the job: a job read before its last attempt failed would pair the
      // terminal 'failed' state with the previous attempt count (a race seen in CI).
      const raw = await this.queue.getJobState(cell.id);
      const job = raw === 'unknown' ? undefined : await Job.fromId(this.queue, cell.id);
      if (!job) {
        out.push({ cell, state: 'missing', attempts: 0 });
        continue;
      }
      const state: CellStateName = raw === 'completed' || raw === 'failed' || raw === 'active' || raw === 'delayed' ? raw : 'waiting';
      const progress = job.progress && typeof job.progress === 'object' ? (job.progress as unknown as CellProgress) : undefined;
      out.push({ cell, state, progress, outcome: state === 'completed' ? (job.returnvalue as CellOutcome) : undefined, error: state === 'failed' ? job.failedReason : undefined, attempts: job.attemptsMade });
    }
    return out;
  }

  /** The final checkpoint and log of a finished cell (from Redis, or from `storeDir`). */
  async files(cell: QueuedCell, outcome: CellOutcome, storeDir?: string): Promise<CellFiles> {
    if (outcome.store === 'dir' && !storeDir) throw new Error(`${cell.automaton} L=${cell.depth}: its checkpoint is in the workers' --store directory; give the sweep --store DIR too`);
    const f = await (outcome.store === 'dir' ? new DirCellStore(storeDir!) : new RedisCellStore(this.redis)).get(cell.id);
    if (!f) throw new Error(`${cell.automaton} L=${cell.depth}: finished, but its checkpoint is missing from the ${outcome.store === 'dir' ? storeDir : 'Redis'} store`);
    return f;
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => {});
    // Connections passed to BullMQ stay ours to close.
    for (const r of [this.queueConnection, this.redis]) await r.quit().catch(() => r.disconnect());
  }
}
