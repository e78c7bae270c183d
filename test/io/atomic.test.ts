// Safe outputs: a file is written whole or not at all; an existing file is kept unless --force,
// and even then until the new one is complete (ENOSPC, EIO, SIGKILL mid-write); errors name the file.
import { spawn } from 'node:child_process';
import fs, { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkWritable, fsError, OutputError, writeFileAtomic } from '../../src/io/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tb-atomic-'));
const strays = (d: string) => readdirSync(d).filter((f) => f.endsWith('.tmp'));
const realWriteSync = fs.writeSync;
afterEach(() => {
  fs.writeSync = realWriteSync;
});

/** Makes the n-th and later writeSync calls fail with `code`, as the kernel would. */
function failWritesFrom(n: number, code: string): void {
  let calls = 0;
  fs.writeSync = ((...a: Parameters<typeof fs.writeSync>) => {
    if (++calls >= n) throw Object.assign(new Error(`${code}: simulated, write`), { code, errno: -28, syscall: 'write' });
    return (realWriteSync as (...x: unknown[]) => number)(...a);
  }) as typeof fs.writeSync;
}

describe('writeFileAtomic', () => {
  it('writes a new file (string, bytes, chunks) and leaves no temporary file', () => {
    const a = join(dir, 'a.txt');
    writeFileAtomic(a, 'hello\n');
    expect(readFileSync(a, 'utf8')).toBe('hello\n');
    const b = join(dir, 'b.bin');
    writeFileAtomic(b, [Uint8Array.of(1, 2), Uint8Array.of(3)]);
    expect([...readFileSync(b)]).toEqual([1, 2, 3]);
    expect(strays(dir)).toEqual([]);
  });

  it('refuses an existing file without force, replaces it with force', () => {
    const f = join(dir, 'keep.txt');
    writeFileSync(f, 'old');
    expect(() => writeFileAtomic(f, 'new')).toThrow(new OutputError(`${f} exists; pass --force to replace it`));
    expect(readFileSync(f, 'utf8')).toBe('old');
    writeFileAtomic(f, 'new', { force: true });
    expect(readFileSync(f, 'utf8')).toBe('new');
  });

  it('names the file for a directory in the way and a missing directory', () => {
    const d = join(dir, 'adir');
    mkdirSync(d);
    expect(() => writeFileAtomic(d, 'x', { force: true })).toThrow(`${d}: cannot write (it is a directory)`);
    const m = join(dir, 'no', 'such', 'f.txt');
    expect(() => checkWritable(m)).toThrow(/no[/\\]such[/\\]f\.txt: cannot write \(directory ".*such"\) \(no such file or directory, ENOENT\)/);
  });

  it('ENOSPC mid-write: one line naming the file, the old file intact (even with force), no partial file', () => {
    const f = join(dir, 'full.txt');
    writeFileSync(f, 'the old, complete results\n');
    failWritesFrom(2, 'ENOSPC');
    const chunks = [new Uint8Array(1000).fill(65), new Uint8Array(1000).fill(66)];
    expect(() => writeFileAtomic(f, chunks, { force: true })).toThrow(`${f}: cannot write (no space left on the device, ENOSPC)`);
    expect(readFileSync(f, 'utf8')).toBe('the old, complete results\n');
    expect(strays(dir)).toEqual([]);
    // A new file on a full disk does not appear at all.
    const g = join(dir, 'never.txt');
    expect(() => writeFileAtomic(g, chunks)).toThrow(/never\.txt: cannot write \(no space left/);
    expect(existsSync(g)).toBe(false);
  });

  it('EIO is one line with the file name', () => {
    expect(fsError('/x/y.json', Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })).message).toBe('/x/y.json: cannot write (input/output error of the device, EIO)');
    const f = join(dir, 'eio.txt');
    failWritesFrom(1, 'EIO');
    expect(() => writeFileAtomic(f, 'x')).toThrow(`${f}: cannot write (input/output error of the device, EIO)`);
    expect(existsSync(f)).toBe(false);
  });

  it('SIGKILL mid-write leaves the old file complete and no truncated file under the final name', async () => {
    // A child writes 3 chunks over an existing file with force; after the first chunk it says
    // "ready" and blocks, and is killed there.
    const f = join(dir, 'killed.txt');
    writeFileSync(f, 'old complete\n');
    const mod = resolve('dist/src/io/atomic.js'); // compiled: the child is plain node
    const script = `
      import fs from 'node:fs';
      const { writeFileAtomic } = await import(${JSON.stringify(mod)});
      const real = fs.writeSync; let n = 0;
      fs.writeSync = (...a) => { const r = real(...a); if (++n === 1) { process.stdout.write('ready\\n'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); } return r; };
      writeFileAtomic(${JSON.stringify(f)}, [new Uint8Array(4096).fill(65), new Uint8Array(4096).fill(66), new Uint8Array(10).fill(10)], { force: true });
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    await new Promise<void>((res, rej) => {
      child.stdout.on('data', (b) => String(b).includes('ready') && res());
      child.on('exit', () => rej(new Error(`child exited before writing: ${err}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(readFileSync(f, 'utf8')).toBe('old complete\n');
    // What is left is a hidden temporary file, never a partial killed.txt.
    expect(strays(dir).every((s) => s.startsWith('.killed.txt.'))).toBe(true);
  });
});
