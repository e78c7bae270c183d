// One writer per run directory: a second writer fails at once naming the holder; a lock left by
// a killed process is detected (pid dead) and taken over; locks are re-entrant in one process.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { LOCK_FILE, LockError, lockHolder, RunLock } from '../../src/io/index.js';
import { cpuMs } from '../helpers/cpu.js';

const root = mkdtempSync(join(tmpdir(), 'tb-lock-'));

/** A child process that takes DIR's lock and holds it until killed. */
async function holder(dir: string) {
  const mod = resolve('dist/src/io/lock.js'); // compiled: the child is plain node
  const child = spawn(process.execPath, ['--input-type=module', '-e', `const { RunLock } = await import(${JSON.stringify(mod)}); RunLock.acquire(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((res, rej) => {
    child.stdout.on('data', (b) => String(b).includes('locked') && res());
    child.on('exit', (c) => rej(new Error(`holder exited ${c}`)));
  });
  return child;
}

describe('RunLock', () => {
  it('records pid, hostname and start time; re-entrant; released by the last release', () => {
    const dir = join(root, 'a');
    const l1 = RunLock.acquire(dir);
    const info = lockHolder(dir)!;
    expect(info.pid).toBe(process.pid);
    expect(info.hostname).toBe(hostname());
    expect(Date.now() - Date.parse(info.started)).toBeLessThan(60_000);
    const l2 = RunLock.acquire(dir);
    l2.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    l1.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('a second writer fails at once naming the holder; after a SIGKILL the stale lock is taken over', async () => {
    const dir = join(root, 'b');
    const child = await holder(dir);
    try {
      const t0 = cpuMs();
      expect(() => RunLock.acquire(dir)).toThrow(LockError);
      expect(() => RunLock.acquire(dir)).toThrow(new RegExp(`run directory .*b is in use by another process \\(pid ${child.pid} on ${hostname()}, since `));
      expect(cpuMs() - t0).toBeLessThan(1000);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
    }
    // The lock file is still there, but its pid is dead: stale, taken over with a note.
    expect(lockHolder(dir)!.pid).toBe(child.pid);
    const note = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const l = RunLock.acquire(dir);
    expect(String(note.mock.calls[0]?.[0])).toMatch(/removed a stale lock .*that process is gone/);
    note.mockRestore();
    expect(lockHolder(dir)!.pid).toBe(process.pid);
    l.release();
  });

  it.skipIf(process.platform !== 'linux')('a lock whose pid was reused (the process started after the lock) is stale (Linux only: reads /proc)', () => {
    const dir = join(root, 'reused');
    RunLock.acquire(dir).release();
    // pid 1 is alive, but started long after 2000-01-01: the lock's holder is gone.
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, hostname: hostname(), started: '2000-01-01T00:00:00Z', command: 'train' }));
    const note = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const l = RunLock.acquire(dir);
    expect(String(note.mock.calls[0]?.[0])).toMatch(/removed a stale lock .*pid 1 .*that process is gone/);
    note.mockRestore();
    l.release();
    // A live holder that started before its lock is respected.
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, hostname: hostname(), started: new Date().toISOString(), command: 'train' }));
    expect(() => RunLock.acquire(dir)).toThrow(LockError);
  });

  it('a lock from another host is refused with what to do; an unreadable lock is refused', () => {
    const dir = join(root, 'c');
    RunLock.acquire(dir).release();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, hostname: 'elsewhere', started: '2026-01-01T00:00:00Z', command: 'train' }));
    expect(() => RunLock.acquire(dir)).toThrow(/in use by another process \(pid 1 on elsewhere, since 2026-01-01T00:00:00Z: train\); if that process is gone, delete .*run\.lock/);
    writeFileSync(join(dir, LOCK_FILE), '{trunc');
    expect(() => RunLock.acquire(dir)).toThrow(/an unreadable lock file\); delete .*run\.lock if no other process writes/);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe('{trunc');
  });
});
