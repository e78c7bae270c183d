/**
 * `testbeds bench semigroup`: the Froidure–Pin kernel on the full transformation monoid T_7
 * (823,543 elements; generators: a transposition, the 7-cycle, [0,0,2,3,4,5,6]) against, in the
 * same run, (1) the plain TypeScript reference closure, (2) the kernel without the Cayley-graph
 * shortcut (every product multiplied), and (3) GAP 4.12 when `gap` is on PATH (skipped, saying
 * so, when it is not). Then T_8 (16,777,216 elements) in a child process: time and peak memory
 * (resident set and wasm memory). Writes bench-results/semigroup.{json,md}.
 *
 * Options: --quick (T_5/T_6 only, no GAP, no T_8: for tests), --no-gap, --no-t8, --out DIR.
 * Wall-clock figures on a shared machine include other jobs; CPU seconds are reported beside them.
 */
import Benchmark from 'benchmark';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { FroidurePin, referenceClosure } from '../src/algebra/index.js';
import { checkFilesWritable, writeFilesAtomic } from '../src/io/atomic.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** Generators of T_n: a transposition, the n-cycle, and [0, 0, 2, …, n-1]. */
export function fullTransformationGens(n: number): number[][] {
  return [[1, 0, ...range(n).slice(2)], range(n).map((q) => (q + 1) % n), [0, 0, ...range(n).slice(2)]];
}

function log(s: string): void {
  process.stderr.write(`${s}\n`);
}

interface Timing {
  /** Fastest sample, seconds. */
  seconds: number;
  mean: number;
  samples: number;
  cpuSeconds?: number;
}

/** The benchmark package's samples of `fn`; the fastest is reported (the mean mostly measures other jobs on a shared machine). */
function measure(name: string, fn: () => unknown, maxTime: number): Promise<Timing> {
  return new Promise((resolve, reject) => {
    new Benchmark(name, {
      fn,
      maxTime,
      minSamples: 3,
      initCount: 1,
      onComplete(this: Benchmark) {
        if (this.error) reject(this.error);
        else resolve({ seconds: Math.min(...this.stats.sample), mean: this.stats.mean, samples: this.stats.sample.length });
      },
    }).run();
  });
}

/** One timed call (for baselines too slow to sample). */
function once(fn: () => unknown): Timing {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { seconds, mean: seconds, samples: 1, cpuSeconds: (c.user + c.system) / 1e6 };
}

function enumerate(n: number, multiplyAll = false): number {
  return new FroidurePin(fullTransformationGens(n), { multiplyAll }).finish().size;
}

/** GAP's Size(Semigroup(...)) on T_n, timed inside GAP; null when gap is not installed. */
function gapTime(n: number): { seconds: number; size: number; version: string } | null {
  const which = spawnSync('sh', ['-c', 'command -v gap'], { encoding: 'utf8' });
  if (which.status !== 0 || !which.stdout.trim()) return null;
  const gens = fullTransformationGens(n).map((g) => `Transformation([${g.map((x) => x + 1).join(',')}])`);
  const dir = mkdtempSync(join(tmpdir(), 'testbeds-gap-'));
  const file = join(dir, 'tn.g');
  writeFileSync(
    file,
    `t0 := NanosecondsSinceEpoch();; s := Size(Semigroup(${gens.join(', ')}));; t1 := NanosecondsSinceEpoch();;\n` +
      `Print("RESULT ", s, " ", t1 - t0, " ", GAPInfo.Version, "\\n");\nQUIT;\n`,
  );
  const r = spawnSync('gap', ['-q', '-b', '-o', '4g', file], { encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'pipe', 'pipe'] });
  const m = /RESULT (\d+) (\d+) (\S+)/.exec(r.stdout ?? '');
  if (!m) throw new Error(`gap did not report a result (status ${r.status}): ${(r.stderr ?? '').slice(-500)}`);
  return { size: Number(m[1]), seconds: Number(m[2]) / 1e9, version: m[3] };
}

/** T_n in a fresh Node process: time, CPU time, peak resident memory, wasm memory. */
function childRun(n: number): { size: number; seconds: number; cpuSeconds: number; maxRssBytes: number; wasmBytes: number; products: number } {
  const script = `
    const { FroidurePin } = await import(${JSON.stringify(pathToFileURL(join(fileURLToPath(new URL('.', import.meta.url)), '..', 'src', 'algebra', 'index.js')).href)});
    const gens = ${JSON.stringify(fullTransformationGens(n))};
    const c0 = process.cpuUsage(); const t0 = performance.now();
    const r = new FroidurePin(gens, { maxSize: ${n ** n} }).finish();
    const seconds = (performance.now() - t0) / 1000; const c = process.cpuUsage(c0);
    console.log(JSON.stringify({ size: r.size, seconds, cpuSeconds: (c.user + c.system) / 1e6,
      maxRssBytes: process.resourceUsage().maxRSS * 1024, wasmBytes: r.memoryBytes, products: r.products }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`T_${n} child process failed with status ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean' }, 'no-gap': { type: 'boolean' }, 'no-t8': { type: 'boolean' }, out: { type: 'string' }, force: { type: 'boolean' } },
    strict: true,
  });
  const quick = values.quick === true;
  const outDir = values.out ?? 'bench-results';
  const force = values.force === true;
  checkFilesWritable(outDir, ['semigroup.json', 'semigroup.md'], { force }); // before the run, not after
  const n = quick ? 5 : 7;
  const size = n ** n;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version} (shared machine: other jobs may run)`;
  log(`bench semigroup: T_${n} (${size.toLocaleString('en-US')} elements) on ${machine}`);

  if (enumerate(n) !== size) throw new Error(`kernel found ${enumerate(n)} elements in T_${n}, expected ${size}`);
  const kernel = await measure(`kernel T_${n}`, () => enumerate(n), quick ? 0.2 : 3);
  log(`  kernel (Froidure–Pin):      ${kernel.seconds.toFixed(3)} s (fastest of ${kernel.samples})`);
  const all = await measure(`kernel T_${n}, every product`, () => enumerate(n, true), quick ? 0.2 : 3);
  log(`  kernel, every product:      ${all.seconds.toFixed(3)} s`);
  const reference = once(() => {
    if (referenceClosure(fullTransformationGens(n), size).elements.length !== size) throw new Error('reference closure: wrong size');
  });
  log(`  TypeScript reference:       ${reference.seconds.toFixed(3)} s (one run)`);

  let gap: ReturnType<typeof gapTime> | 'skipped' | 'absent' = 'skipped';
  if (!quick && values['no-gap'] !== true) {
    gap = gapTime(n) ?? 'absent';
    if (gap === 'absent') log('  GAP: not on PATH, skipped');
    else {
      if (gap.size !== size) throw new Error(`GAP found ${gap.size} elements`);
      log(`  GAP ${gap.version} Size(Semigroup(...)): ${gap.seconds.toFixed(2)} s`);
    }
  }

  let t8: ReturnType<typeof childRun> | 'skipped' = 'skipped';
  if (!quick && values['no-t8'] !== true) {
    log('  T_8 (16,777,216 elements) in a child process ...');
    t8 = childRun(8);
    if (t8.size !== 8 ** 8) throw new Error(`T_8: ${t8.size} elements`);
    log(`  T_8: ${t8.seconds.toFixed(2)} s wall, ${t8.cpuSeconds.toFixed(2)} s CPU, peak RSS ${(t8.maxRssBytes / 2 ** 20).toFixed(0)} MiB, wasm memory ${(t8.wasmBytes / 2 ** 20).toFixed(0)} MiB`);
  }

  const result = {
    machine,
    date: new Date().toISOString(),
    semigroup: `T_${n}`,
    size,
    kernelSeconds: kernel.seconds,
    kernelEveryProductSeconds: all.seconds,
    referenceSeconds: reference.seconds,
    speedupVsReference: reference.seconds / kernel.seconds,
    speedupOfGraphShortcut: all.seconds / kernel.seconds,
    gap: typeof gap === 'object' && gap !== null ? { ...gap, speedup: gap.seconds / kernel.seconds } : gap,
    t8,
  };
  const md = [
    `# Froidure–Pin on T_${n} (${size.toLocaleString('en-US')} elements)`,
    '',
    machine,
    '',
    '| method | seconds | kernel is faster by |',
    '|---|---|---|',
    `| kernel (Froidure–Pin, wasm SIMD) | ${kernel.seconds.toFixed(3)} | 1 |`,
    `| kernel, every product multiplied | ${all.seconds.toFixed(3)} | ${(all.seconds / kernel.seconds).toFixed(2)}× |`,
    `| TypeScript reference closure | ${reference.seconds.toFixed(3)} | ${(reference.seconds / kernel.seconds).toFixed(1)}× |`,
    typeof gap === 'object' && gap !== null
      ? `| GAP ${gap.version} Size(Semigroup(...)) | ${gap.seconds.toFixed(2)} | ${(gap.seconds / kernel.seconds).toFixed(0)}× |`
      : `| GAP | ${gap} | |`,
    '',
    typeof t8 === 'object'
      ? `T_8 (16,777,216 elements): ${t8.seconds.toFixed(2)} s wall, ${t8.cpuSeconds.toFixed(2)} s CPU, peak RSS ${(t8.maxRssBytes / 2 ** 20).toFixed(0)} MiB (wasm memory ${(t8.wasmBytes / 2 ** 20).toFixed(0)} MiB), ${t8.products.toLocaleString('en-US')} products computed.`
      : 'T_8: skipped',
    '',
  ].join('\n');
  writeFilesAtomic(outDir, { 'semigroup.json': JSON.stringify(result, null, 1) + '\n', 'semigroup.md': md }, { force });
  process.stdout.write(md);
  log(`wrote ${join(outDir, 'semigroup.json')} and semigroup.md`);
}

// `node dist/bench/semigroup.js [options]` runs it directly too.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
