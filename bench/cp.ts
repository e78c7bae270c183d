/**
 * `testbeds bench cp`: time of one CP-ALS sweep (the three MTTKRPs, Grams and Cholesky solves of
 * `AlsSweep.sweep`) on dense n×n×n tensors, n ∈ {20, 50, 100}, R ∈ {5, 10, 20}: the WASM SIMD
 * kernel against the plain TypeScript reference in the same process, as GFLOP/s against the
 * ~4·IJKR flops a sweep needs. Peer: the same sweep in numpy written as TensorLy's `parafac` does
 * it (unfold(X, n) @ khatri_rao(others), then a solve), when python3 with numpy is present;
 * skipped cleanly otherwise. Writes bench-results/cp.json and cp.md. Options: --quick (20³ only),
 * --out DIR, --max-time SECONDS (per measurement, default 1), --rounds N (default 2; each cell keeps
 * its fastest round).
 */
import Benchmark from 'benchmark';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Rng } from '../src/random/prng.js';
import { checkFilesWritable, writeFilesAtomic } from '../src/io/atomic.js';
import { AlsSweep, alsBufferLengths, alsBuffers } from '../src/cp/als.js';
import { tsOps, type AlsOps } from '../src/cp/ops.js';
import { wasmOps } from '../src/cp/kernel.js';

export interface CPBenchRow {
  n: number;
  R: number;
  backend: string;
  /** Seconds per sweep: fastest sample (the machine is shared; the mean mostly measures neighbours). */
  seconds: number;
  mean: number;
  gflops: number;
  /** seconds(ts) / seconds(this). */
  vsTs?: number;
}

function log(s: string): void {
  process.stderr.write(`${s}\n`);
}

function measure(fn: () => void, maxTime: number): { seconds: number; mean: number } {
  let out = { seconds: NaN, mean: NaN };
  const b = new Benchmark('sweep', {
    fn,
    maxTime,
    // Short cycles: on a shared machine a long cycle almost always contains a preemption.
    minTime: 0.005,
    minSamples: 20,
    initCount: 1,
    onComplete(this: Benchmark) {
      out = { seconds: Math.min(...this.stats.sample), mean: this.stats.mean };
    },
  });
  b.run(); // synchronous for a sync fn
  if ((b as unknown as { error?: Error }).error) throw (b as unknown as { error: Error }).error;
  return out;
}

function sweepTime(ops: AlsOps, n: number, R: number, maxTime: number): { seconds: number; mean: number } {
  const dims: [number, number, number] = [n, n, n];
  const ws = ops.workspace(alsBufferLengths(dims, R));
  try {
    const b = alsBuffers(ws);
    const rng = new Rng(n * 1000 + R);
    for (let p = 0; p < b.X.length; p++) b.X[p] = rng.nextNormal();
    for (const F of [b.A, b.B, b.C]) for (let p = 0; p < F.length; p++) F[p] = rng.nextFloat();
    const s = new AlsSweep(ops, dims, R, 0, b);
    return measure(() => s.sweep(), maxTime);
  } finally {
    ops.release();
  }
}

const NUMPY_PEER = String.raw`
import json, sys, time
import numpy as np
sizes = json.loads(sys.argv[1]); max_time = float(sys.argv[2])
def khatri_rao(U, V):  # rows (u, v) with v fastest, as tensorly.tenalg.khatri_rao
    return (U[:, None, :] * V[None, :, :]).reshape(-1, U.shape[1])
def unfold(X, mode):  # tensorly.unfold: mode first, the rest in C order
    return np.moveaxis(X, mode, 0).reshape(X.shape[mode], -1)
def sweep(X, F):
    for mode in range(3):
        others = [F[m] for m in range(3) if m != mode]
        V = (others[0].T @ others[0]) * (others[1].T @ others[1])
        M = unfold(X, mode) @ khatri_rao(others[0], others[1])
        F[mode] = np.linalg.solve(V.T, M.T).T
out = []
for n, R in sizes:
    rng = np.random.default_rng(n * 1000 + R)
    X = rng.standard_normal((n, n, n)); F = [rng.random((n, R)) for _ in range(3)]
    sweep(X, F); best = float('inf'); t_end = time.perf_counter() + max_time; reps = 0
    while reps < 5 or time.perf_counter() < t_end:
        t0 = time.perf_counter(); sweep(X, F); best = min(best, time.perf_counter() - t0); reps += 1
    out.append({"n": n, "R": R, "seconds": best})
print(json.dumps({"numpy": np.__version__, "rows": out}))
`;

function numpyPeer(sizes: [number, number][], maxTime: number): { version: string; rows: { n: number; R: number; seconds: number }[] } | null {
  const r = spawnSync('python3', ['-c', NUMPY_PEER, JSON.stringify(sizes), String(maxTime)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  });
  if (r.status !== 0 || !r.stdout) {
    log(`numpy peer skipped (${r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop()})`);
    return null;
  }
  const j = JSON.parse(r.stdout) as { numpy: string; rows: { n: number; R: number; seconds: number }[] };
  return { version: j.numpy, rows: j.rows };
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench-results' },
      force: { type: 'boolean', default: false },
      'max-time': { type: 'string', default: '1' },
      rounds: { type: 'string', default: '2' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('usage: testbeds bench cp [--quick] [--out DIR] [--force] [--max-time SECONDS] [--rounds N]');
    return;
  }
  checkFilesWritable(values.out!, ['cp.json', 'cp.md'], { force: values.force }); // before the run, not after
  const maxTime = Number(values['max-time']);
  if (!(maxTime > 0)) throw new Error(`--max-time must be a positive number of seconds, got ${values['max-time']}`);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got ${values.rounds}`);
  const ns = values.quick ? [20] : [20, 50, 100];
  const Rs = [5, 10, 20];
  // Several rounds over the grid, keeping each cell's fastest: a shared machine has quiet moments.
  const best = new Map<string, { seconds: number; mean: number }>();
  const keep = (key: string, m: { seconds: number; mean: number }): void => {
    const b = best.get(key);
    if (!b || m.seconds < b.seconds) best.set(key, m);
  };
  for (let round = 0; round < rounds; round++) {
    for (const n of ns) {
      for (const R of Rs) {
        const t = sweepTime(tsOps, n, R, maxTime);
        const w = sweepTime(wasmOps, n, R, maxTime);
        keep(`ts ${n} ${R}`, t);
        keep(`wasm ${n} ${R}`, w);
        log(`round ${round + 1}/${rounds} n=${n} R=${R}: ts ${(t.seconds * 1e3).toFixed(3)} ms, wasm ${(w.seconds * 1e3).toFixed(3)} ms (${(t.seconds / w.seconds).toFixed(2)}x)`);
      }
    }
  }
  const rows: CPBenchRow[] = [];
  for (const n of ns) {
    for (const R of Rs) {
      const flops = 4 * n * n * n * R;
      const t = best.get(`ts ${n} ${R}`)!;
      const w = best.get(`wasm ${n} ${R}`)!;
      rows.push({ n, R, backend: 'ts', ...t, gflops: flops / t.seconds / 1e9, vsTs: 1 });
      rows.push({ n, R, backend: 'wasm', ...w, gflops: flops / w.seconds / 1e9, vsTs: t.seconds / w.seconds });
    }
  }
  const peer = numpyPeer(ns.flatMap((n) => Rs.map((R) => [n, R] as [number, number])), maxTime);
  if (peer) {
    for (const p of peer.rows) {
      const ts = rows.find((r) => r.n === p.n && r.R === p.R && r.backend === 'ts')!;
      rows.push({ n: p.n, R: p.R, backend: `numpy ${peer.version} (1 thread)`, seconds: p.seconds, mean: NaN, gflops: (4 * p.n ** 3 * p.R) / p.seconds / 1e9, vsTs: ts.seconds / p.seconds });
    }
  }
  const header = '| n³ | R | TS reference ms | WASM kernel ms | kernel / TS | kernel GFLOP/s | TS GFLOP/s |' + (peer ? ' numpy ms | kernel vs numpy |' : '');
  const lines = [header, header.replace(/[^|]+/g, '---')];
  for (const n of ns) for (const R of Rs) {
    const t = rows.find((r) => r.n === n && r.R === R && r.backend === 'ts')!;
    const w = rows.find((r) => r.n === n && r.R === R && r.backend === 'wasm')!;
    const p = rows.find((r) => r.n === n && r.R === R && r.backend.startsWith('numpy'));
    let line = `| ${n}³ | ${R} | ${(t.seconds * 1e3).toFixed(3)} | ${(w.seconds * 1e3).toFixed(3)} | ${(t.seconds / w.seconds).toFixed(2)}× | ${w.gflops.toFixed(2)} | ${t.gflops.toFixed(2)} |`;
    if (peer) line += p ? ` ${(p.seconds * 1e3).toFixed(3)} | ${(p.seconds / w.seconds).toFixed(2)}× |` : ' – | – |';
    lines.push(line);
  }
  const md = lines.join('\n');
  console.log(md);
  writeFilesAtomic(values.out!, { 'cp.json': JSON.stringify({ machine: 'see bench/results/README.md (shared VM)', node: process.version, rows }, null, 2), 'cp.md': md + '\n' }, { force: values.force });
  log(`wrote ${join(values.out!, 'cp.json')} and cp.md`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run(process.argv.slice(2)).catch((e: unknown) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
