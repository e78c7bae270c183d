/**
 * One writer per run directory (Node): DIR/run.lock holds the holder's pid, hostname, start
 * time and command. A second writer fails at once with a message naming the holder. A lock
 * whose holder is gone (same host, pid no longer alive: a SIGKILL, a crash; or, on Linux, the pid
 * now belongs to a process started after the lock was taken: reused) is stale and taken over; a
 * lock from another host cannot be checked and is refused, with what to do.
 *
 * The lock file is created with link(2) from a complete temporary file, so it is never seen
 * half-written, and two processes creating it at once cannot both succeed. Locks are re-entrant
 * within one process (the CLI takes the lock early, the trainer takes it again) and released on
 * release() or at process exit.
 */
import fs from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fsError, makeDir, OutputError } from './atomic.js';

export const LOCK_FILE = 'run.lock';

export interface LockInfo {
  pid: number;
  hostname: string;
  /** ISO time the holder took the lock. */
  started: string;
  command: string;
}

export class LockError extends OutputError {
  constructor(message: string) {
    super(message);
    this.name = 'LockError';
  }
}

/** Locks held by this process: directory → count of acquire() not yet released. */
const held = new Map<string, number>();
let exitHook = false;

function readInfo(file: string): LockInfo | undefined {
  try {
    const j = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
    return typeof j.pid === 'number' && typeof j.hostname === 'string' ? j : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` names a live process on this host (EPERM: alive but someone else's). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When the process `pid` started (ms since the epoch), on Linux (/proc); undefined elsewhere.
 * A lock older than its pid's process was left by an earlier process whose pid was reused (after
 * a reboot, typically), so it is stale although the pid is alive.
 */
function processStart(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]); // field 22: starttime
    const btime = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(btime) ? 1000 * btime + (ticks * 1000) / 100 : undefined; // USER_HZ = 100 on Linux
  } catch {
    return undefined;
  }
}

/** The holder is gone: its pid is dead, or it is alive but started after the lock was taken (reused). */
function holderGone(i: LockInfo): boolean {
  if (!pidAlive(i.pid)) return true;
  const taken = Date.parse(i.started);
  const start = processStart(i.pid);
  return Number.isFinite(taken) && start !== undefined && start > taken + 2000;
}

function describe(i: LockInfo): string {
  return `pid ${i.pid} on ${i.hostname}, since ${i.started}${i.command ? `: ${i.command}` : ''}`;
}

export class RunLock {
  private released = false;
  private constructor(readonly dir: string, readonly file: string) {}

  /**
   * Takes DIR's lock (creating DIR), or throws LockError naming the holder. `what` names the
   * directory in messages ("run directory", "sweep directory").
   */
  static acquire(dir: string, what = 'run directory'): RunLock {
    const file = join(dir, LOCK_FILE);
    const key = fs.existsSync(dir) ? fs.realpathSync(dir) : dir;
    if (held.has(key)) {
      held.set(key, held.get(key)! + 1);
      return new RunLock(key, file);
    }
    makeDir(dir);
    const realKey = fs.realpathSync(dir);
    const me: LockInfo = { pid: process.pid, hostname: hostname(), started: new Date().toISOString(), command: process.argv.slice(1).join(' ').slice(0, 300) };
    const tmp = join(dir, `.${LOCK_FILE}.${process.pid}.tmp`);
    try {
      fs.writeFileSync(tmp, JSON.stringify(me) + '\n');
    } catch (e) {
      throw fsError(tmp, e);
    }
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          fs.linkSync(tmp, file);
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError(file, e, 'create the lock');
        }
        const info = readInfo(file);
        if (info && info.pid === process.pid && info.hostname === me.hostname) break; // ours (re-acquired after a fork of state)
        const stale = info !== undefined && info.hostname === me.hostname && holderGone(info);
        if (!stale || attempt > 2) {
          const holder = info ? describe(info) : 'an unreadable lock file';
          const remedy = info && info.hostname !== me.hostname ? `; if that process is gone, delete ${file}` : info ? '' : `; delete ${file} if no other process writes to ${dir}`;
          throw new LockError(`${what} ${dir} is in use by another process (${holder})${remedy}`);
        }
        // Stale: move it aside (atomic), then check that what we moved is the stale lock and not
        // a fresh one that a concurrent process created in between.
        const aside = `${file}.stale.${process.pid}`;
        try {
          fs.renameSync(file, aside);
        } catch {
          continue; // someone else moved it; retry
        }
        const moved = readInfo(aside);
        if (moved && (moved.pid !== info!.pid || moved.started !== info!.started)) {
          try {
            fs.linkSync(aside, file); // put the live holder's lock back
          } catch {
            /* it recreated one meanwhile */
          }
          fs.rmSync(aside, { force: true });
          throw new LockError(`${what} ${dir} is in use by another process (${describe(moved)})`);
        }
        fs.rmSync(aside, { force: true });
        process.stderr.write(`note: removed a stale lock in ${dir} (${describe(info!)}; that process is gone)\n`);
      }
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    held.set(realKey, 1);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', releaseAll);
    }
    return new RunLock(realKey, file);
  }

  /** Releases this acquisition; the file goes when the last acquisition in this process is released. */
  release(): void {
    if (this.released) return;
    this.released = true;
    const n = held.get(this.dir);
    if (n === undefined) return;
    if (n > 1) held.set(this.dir, n - 1);
    else {
      held.delete(this.dir);
      removeIfOurs(join(this.dir, LOCK_FILE));
    }
  }
}

function removeIfOurs(file: string): void {
  const info = readInfo(file);
  if (info && info.pid === process.pid && info.hostname === hostname()) fs.rmSync(file, { force: true });
}

function releaseAll(): void {
  for (const dir of held.keys()) removeIfOurs(join(dir, LOCK_FILE));
  held.clear();
}

/** The holder of DIR's lock, if any (for messages and tests). */
export function lockHolder(dir: string): LockInfo | undefined {
  return readInfo(join(dir, LOCK_FILE));
}
