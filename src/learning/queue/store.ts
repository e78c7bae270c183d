/**
 * Where a cell's checkpoint and log live while it trains and after it finishes: somewhere every
 * worker and the sweep reach, never only one worker's disk. Small models go to Redis itself (one
 * hash per cell, written in one command so checkpoint and log always agree); large ones to a
 * shared directory (`--store DIR`, e.g. an NFS mount), written to a temporary file and renamed.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { writeFileAtomic } from '../../io/index.js';

export interface CellFiles {
  /** Completed steps of the checkpoint. */
  step: number;
  checkpoint: Uint8Array;
  log: Uint8Array;
}

export interface CellStore {
  /** Human-readable location, for messages. */
  readonly where: string;
  put(jobId: string, f: CellFiles): Promise<void>;
  get(jobId: string): Promise<CellFiles | null>;
}

/** Redis strings are capped at 512 MB; keep well below so one cell cannot starve the server. */
export const REDIS_CHECKPOINT_LIMIT = 64 * 1024 * 1024;

export class RedisCellStore implements CellStore {
  readonly where = 'redis';
  constructor(private readonly redis: Redis, private readonly prefix = 'testbeds:cell:') {}

  async put(jobId: string, f: CellFiles): Promise<void> {
    if (f.checkpoint.length > REDIS_CHECKPOINT_LIMIT) {
      throw new Error(`checkpoint of ${(f.checkpoint.length / 2 ** 20).toFixed(0)} MB is over the ${REDIS_CHECKPOINT_LIMIT / 2 ** 20} MB kept in Redis; start the workers and the sweep with --store DIR (a directory every machine mounts)`);
    }
    await this.redis.hset(this.prefix + jobId, { step: String(f.step), checkpoint: Buffer.from(f.checkpoint), log: Buffer.from(f.log) });
  }

  async get(jobId: string): Promise<CellFiles | null> {
    const [step, checkpoint, log] = await this.redis.hmgetBuffer(this.prefix + jobId, 'step', 'checkpoint', 'log');
    if (!step || !checkpoint) return null;
    return { step: Number(step.toString()), checkpoint: new Uint8Array(checkpoint), log: new Uint8Array(log ?? Buffer.alloc(0)) };
  }
}

export class DirCellStore implements CellStore {
  constructor(readonly where: string) {}

  async put(jobId: string, f: CellFiles): Promise<void> {
    const dir = join(this.where, jobId);
    mkdirSync(dir, { recursive: true });
    // Log first (a resumed run trims it to the checkpoint's step), step file last: a reader that
    // sees a step finds a checkpoint at least that new and a log reaching it.
    for (const [name, bytes] of [['log.jsonl', f.log], ['checkpoint.tbck', f.checkpoint], ['step', new TextEncoder().encode(String(f.step))]] as const) writeFileAtomic(join(dir, name), bytes, { force: true });
  }

  async get(jobId: string): Promise<CellFiles | null> {
    const dir = join(this.where, jobId);
    if (!existsSync(join(dir, 'step'))) return null;
    return { step: Number(readFileSync(join(dir, 'step'), 'utf8')), checkpoint: new Uint8Array(readFileSync(join(dir, 'checkpoint.tbck'))), log: new Uint8Array(readFileSync(join(dir, 'log.jsonl'))) };
  }
}
