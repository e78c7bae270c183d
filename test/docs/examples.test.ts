// Every example of the README and of docs/*.md runs as printed, so examples cannot rot:
// ```ts blocks are compiled by esbuild (types stripped) and run by Node against the built package
// ('testbeds' → dist/src/index.js, 'testbeds/learning' → dist/src/learning/index.js); ```sh blocks
// run in bash with `npx testbeds` → `node bin/testbeds.js`. Each block runs alone, in a fresh
// scratch directory: an example must create the files it reads. A block whose info string says
// `no-run` (```sh no-run) is a long experiment, a server or a fragment: it is listed, not run.
// Other fences (```json, plain ```) show data or output and are not run.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const dist = join(root, 'dist', 'src', 'index.js');
const cli = join(root, 'bin', 'testbeds.js');
const docs = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

export interface Block {
  lang: string;
  run: boolean;
  code: string;
  line: number;
}

/** The fenced blocks of a markdown text: language, whether to run it, code and first line. */
export function blocks(text: string): Block[] {
  const out: Block[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)(.*)$/.exec(lines[i]!);
    if (!open) continue;
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j]!)) j++;
    out.push({ lang: open[1]!, run: !/\bno-run\b/.test(open[2]!), code: lines.slice(i + 1, j).join('\n') + '\n', line: i + 2 });
    i = j;
  }
  return out;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Process groups still running (killed in afterAll, whatever happened to the test). */
const running = new Set<number>();

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/**
 * Runs a block in its own process group and kills the whole group on timeout: a shell block's
 * `npx testbeds …` is a grandchild, and killing only the shell left it training for minutes.
 */
function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<Ran> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd, env: { ...process.env, NO_COLOR: '1' }, detached: true });
    const pid = p.pid!;
    running.add(pid);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(pid);
    }, timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      killGroup(pid); // children the block left behind in the background
      running.delete(pid);
      resolve({ code, stdout, stderr: timedOut ? `${stderr}\n[timed out after ${timeoutMs} ms: process group killed]` : stderr, timedOut });
    });
  });
}

const specifier = (path: string) => JSON.stringify(pathToFileURL(path).href);

/** A ts block as an .mjs module on the built package; blocks without imports see earlier blocks' imports. */
function tsModule(code: string): string {
  const js = transformSync(code, { loader: 'ts', format: 'esm', target: 'node20' }).code
    .replace(/from ['"]testbeds\/learning['"]/g, `from ${specifier(join(root, 'dist', 'src', 'learning', 'index.js'))}`)
    .replace(/from ['"]testbeds['"]/g, `from ${specifier(dist)}`);
  const globals = /^import /m.test(js) ? '' : `import * as tb from ${specifier(dist)};\nObject.assign(globalThis, tb);\n`;
  return `${globals}${js}\n`;
}

const npx = `npx() { if [ "$1" = testbeds ]; then shift; node ${JSON.stringify(cli)} "$@"; else command npx "$@"; fi; }\n`;

const scratch: string[] = [];
afterAll(() => {
  running.forEach(killGroup);
  scratch.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

describe('run()', () => {
  it('kills the whole process group on timeout, grandchildren included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'testbeds-docs-'));
    scratch.push(dir);
    const r = await run('bash', ['-c', 'sleep 30 & echo $! > child.pid; wait'], dir, 500);
    expect(r.timedOut).toBe(true);
    const child = Number(readFileSync(join(dir, 'child.pid'), 'utf8'));
    // Gone, or a zombie waiting for its new parent (init) to reap it: either way no longer running.
    const state = () => (existsSync(`/proc/${child}/stat`) ? readFileSync(`/proc/${child}/stat`, 'utf8').split(') ')[1]?.[0] : 'gone');
    for (let i = 0; i < 40 && state() !== 'gone' && state() !== 'Z'; i++) await new Promise((f) => setTimeout(f, 50));
    expect(['gone', 'Z']).toContain(state());
  });
});

describe('blocks()', () => {
  it('finds fences, languages, the no-run marker and lines', () => {
    const b = blocks('a\n```sh\nx\n```\n```ts no-run\ny\nz\n```\n```\nout\n```\n');
    expect(b).toEqual([
      { lang: 'sh', run: true, code: 'x\n', line: 3 },
      { lang: 'ts', run: false, code: 'y\nz\n', line: 6 },
      { lang: '', run: true, code: 'out\n', line: 10 },
    ]);
  });
});

const cases = docs.flatMap((doc) =>
  blocks(readFileSync(join(root, doc), 'utf8'))
    .filter((b) => b.run && (b.lang === 'ts' || b.lang === 'sh'))
    .map((b) => [`${doc}:${b.line} (${b.lang})`, b] as const),
);

describe.skipIf(!existsSync(dist))('examples in README.md and docs/ run as printed', () => {
  it('there are examples to run, and the long ones are marked', () => {
    expect(cases.filter(([name]) => name.startsWith('README.md')).length).toBeGreaterThanOrEqual(10);
    for (const doc of docs) {
      const skipped = blocks(readFileSync(join(root, doc), 'utf8')).filter((b) => !b.run);
      if (skipped.length) console.log(`${doc}: ${skipped.length} block(s) marked no-run (lines ${skipped.map((b) => b.line).join(', ')})`);
    }
  });

  // Each block runs alone in a fresh directory, so it must create the files it reads.
  it.concurrent.each(cases)('%s', async (where, b) => {
    const dir = mkdtempSync(join(tmpdir(), 'testbeds-docs-'));
    scratch.push(dir);
    let r: Ran;
    if (b.lang === 'ts') {
      const file = join(dir, 'block.mjs');
      writeFileSync(file, tsModule(b.code));
      r = await run(process.execPath, [file], dir, 240_000);
      expect(r.stderr, where).toBe('');
    } else {
      r = await run('bash', ['-e', '-o', 'pipefail', '-c', npx + b.code], dir, 240_000);
    }
    expect(r.code, `${where} exited ${r.code}:\n${r.stdout.slice(-800)}\n${r.stderr.slice(-1500)}`).toBe(0);
  }, 300_000);
});
