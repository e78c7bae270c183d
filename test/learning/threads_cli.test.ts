// Threads from the outside: `testbeds train --threads 2` (the compiled CLI) trains, gives the same
// loss as one thread, reports its threads and exits promptly (idle workers never hold the process);
// bad --threads values are one line and exit 2; and a wasm backend started without threads (an
// unshared memory) refuses setThreads(2) with a message saying what to do.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { initBackend, setThreads, threadCount } from '../../src/learning/backend.js';

const bin = resolve('bin/testbeds.js'); // the compiled CLI (npm run build)
const train = (...extra: string[]) =>
  spawnSync(process.execPath, [bin, 'train', '--automaton', 'parity', '--length', '16', '--batch', '8', '--steps', '4', '--eval-every', '2', '--eval-batches', '1', '--json', '--quiet', ...extra], { encoding: 'utf8', timeout: 60_000 });

describe('threads: CLI and unshared memory', () => {
  it('train --threads 2: same loss as 1 thread, threads in the JSON, prompt exit', () => {
    const one = train('--threads', '1');
    const t0 = Date.now();
    const two = train('--threads', '2');
    const seconds = (Date.now() - t0) / 1000;
    expect(one.status, one.stderr).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    const [r1, r2] = [JSON.parse(one.stdout), JSON.parse(two.stdout)];
    expect(r1.threads).toBe(1);
    expect(r2.threads).toBe(2);
    expect(r2.loss).toBe(r1.loss);
    expect(seconds).toBeLessThan(50); // a hung worker would hold the process until the 60 s timeout
  });

  it('bad --threads: one line, exit 2', () => {
    for (const bad of ['0', '65', 'x']) {
      const r = train('--threads', bad);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/--threads/);
    }
    const cpu = train('--threads', '2', '--backend', 'cpu');
    expect(cpu.status).toBe(2);
    expect(cpu.stderr).toMatch(/--threads 2 needs --backend wasm/);
  });

  it('a backend started without threads refuses setThreads(2), keeps 1', async () => {
    await initBackend('wasm');
    await expect(setThreads(2)).rejects.toThrow(/started without a shared memory; pass \{ threads \} to the first initBackend/);
    expect(threadCount()).toBe(1);
    expect(await setThreads(1)).toBe(1);
  });
});
