// A real redis-server for the queue tests: a free loopback port, a temporary directory, the
// append-only file on with fsync on every write (so a restart loses nothing), no RDB snapshots.
// Only 127.0.0.1 is bound. Stopped (and restartable on the same port and data) by the test.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function redisServerMissing(): string | null {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'redis-server is not installed (Debian: apt-get install redis-server); the queue tests need a real Redis';
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export class RedisServer {
  private proc: ChildProcess | undefined;
  /** Extra configuration, e.g. ['--user', 'name', 'on', '>password', '~*', '&*', '+@all'] (kept across restarts). */
  constructor(private readonly extra: string[] = []) {}
  readonly dir = mkdtempSync(join(tmpdir(), 'tb-redis-'));
  port = 0;

  async start(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (!this.port || attempt > 0) this.port = await freePort();
      if (await this.launch()) return;
      if (attempt >= 3) throw new Error('redis-server did not start');
    }
  }

  /** Starts on the same port and directory (after stop/kill): the AOF brings the data back. */
  async restart(): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      if (await this.launch()) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`redis-server did not restart on port ${this.port}`);
  }

  private launch(): Promise<boolean> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no', '--loglevel', 'warning', ...this.extra];
    const p = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise((res) => {
      let out = '';
      const t0 = Date.now();
      const check = setInterval(() => {
        const probe = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), 'ping'], { encoding: 'utf8' });
        if (probe.stdout?.trim() === 'PONG') {
          clearInterval(check);
          this.proc = p;
          res(true);
        } else if (p.exitCode !== null || Date.now() - t0 > 10_000) {
          clearInterval(check);
          p.kill('SIGKILL');
          res(false);
        }
      }, 100);
      p.stdout!.on('data', (b) => (out += b));
      p.stderr!.on('data', (b) => (out += b));
    });
  }

  /** SIGKILL, as a crash: with appendfsync always every acknowledged write is on disk. */
  kill(): Promise<void> {
    return this.end('SIGKILL');
  }

  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await gone;
  }
}
