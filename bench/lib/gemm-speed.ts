/**
 * GEMM throughput on this machine, against a measured WASM-SIMD ceiling, for bench/train.ts.
 *
 * Ceiling: assembly/nn/gemm.ts's probes, independent f32x4 chains with no memory traffic:
 * `simdPeakMulAdd` (x ← x·m + a, 12 chains) and `simdPeakAccumulate` (gemm's 4×8 inner loop on
 * operands in L1: 8 add-only chains); the ceiling is the faster of the two, best of several runs.
 * Products: the dense-layer shapes of the benchmark's GPT step, forward (x·W, "NN"), input
 * gradient (dy·Wᵀ, "NT") and weight gradient (xᵀ·dy, "TN"), by our gemm (ops/gemm.ts) and by
 * tfjs-wasm's XNNPACK path (tf.matMul; NT and TN need an explicit transpose there, included),
 * interleaved round by round so load changes on a shared machine hit both alike.
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { initBackend, setThreads, threadCount, type WasmBackendInternals } from '../../src/learning/backend.js';
import { runParts } from '../../src/learning/ops/threads.js';
import { onTfjsHeap } from '../../src/learning/ops/tfjs_heap.js';
import { matMulT, useRelaxedSimd, relaxedSimdSupported } from '../../src/learning/ops/index.js';
import { wasmBase64 } from '../../src/kernels/generated/nn.js';
import { wasmBase64 as relaxedWasmBase64 } from '../../src/kernels/generated/gemm-relaxed.js';

export interface PeakResult { mulAddChains: number; accumulateChains: number; peak: number; relaxed?: { mulAddChains: number; accumulateChains: number } }
export interface GemmRow { shape: string; mode: 'NN' | 'NT' | 'TN'; M: number; N: number; K: number; oursGflops: number; xnnpackGflops: number; oursOfPeak: number; relaxedGflops?: number; torchGflops?: number }

interface ProbeExports { simdPeakMulAdd(iters: number): number; simdPeakAccumulate(buf: number, iters: number): number }

const bestMs = (f: () => void, reps: number): number => {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    f();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
};

const tfjsHeapBuffer = () => (tf.backend() as unknown as WasmBackendInternals).wasm.HEAPU8.buffer;

/** GFLOP/s of the two SIMD probes (best of `reps` runs of 2·10⁵ rounds each), and with relaxed SIMD where supported. */
export async function simdPeak(reps = 40): Promise<PeakResult> {
  const plain = await probe('nn', wasmBase64, reps);
  const relaxed = relaxedSimdSupported() ? await probe('gemm-relaxed', relaxedWasmBase64, reps) : undefined;
  return { ...plain, peak: Math.max(plain.mulAddChains, plain.accumulateChains), ...(relaxed ? { relaxed } : {}) };
}

async function probe(module: string, b64: string, reps: number): Promise<{ mulAddChains: number; accumulateChains: number }> {
  await initBackend('wasm');
  const heap = onTfjsHeap<ProbeExports>(tf.backend() as unknown as WasmBackendInternals, module, b64);
  const k = heap.exports;
  const buf = heap.malloc(3200);
  try {
    new Float32Array(tfjsHeapBuffer(), buf, 800).fill(0.001);
    const iters = 200_000; // ~1 ms a run: short runs dodge preemption on a shared machine, best of many
    k.simdPeakMulAdd(1000);
    k.simdPeakAccumulate(buf, 1000);
    let mulAdd = 0;
    let acc = 0;
    for (let r = 0; r < reps; r++) {
      mulAdd = Math.max(mulAdd, (96 * iters) / bestMs(() => k.simdPeakMulAdd(iters), 1) / 1e6);
      acc = Math.max(acc, (64 * iters) / bestMs(() => k.simdPeakAccumulate(buf, iters), 1) / 1e6);
    }
    return { mulAddChains: mulAdd, accumulateChains: acc };
  } finally {
    heap.free(buf);
  }
}

/** The dense-layer products of one training step of a GPT with width d on B·T tokens. */
export function denseShapes(d: number, tokens: number): { shape: string; M: number; K: number; N: number }[] {
  const layers = [
    { shape: `qkv ${d}→${3 * d}`, nIn: d, nOut: 3 * d },
    { shape: `mlp ${d}→${4 * d}`, nIn: d, nOut: 4 * d },
    { shape: `mlp ${4 * d}→${d}`, nIn: 4 * d, nOut: d },
  ];
  return layers.map((l) => ({ shape: `${l.shape}, ${tokens} tokens`, M: tokens, K: l.nIn, N: l.nOut }));
}

/** Our gemm and XNNPACK on each shape and mode, interleaved, best of `reps`. */
export async function gemmSpeed(shapes: { shape: string; M: number; K: number; N: number }[], peak: number, reps = 5): Promise<GemmRow[]> {
  await initBackend('wasm');
  const rows: GemmRow[] = [];
  for (const s of shapes) {
    const x = tf.randomNormal([s.M, s.K]);
    const w = tf.randomNormal([s.K, s.N]);
    const dy = tf.randomNormal([s.M, s.N]);
    const modes = {
      // forward x·W: M×K·K×N
      NN: { ours: () => matMulT(x, w), xnn: () => tf.matMul(x, w), dims: [s.M, s.N, s.K] },
      // input gradient dy·Wᵀ: M×N·N×K
      NT: { ours: () => matMulT(dy, w, false, true), xnn: () => tf.matMul(dy, tf.transpose(w)), dims: [s.M, s.K, s.N] },
      // weight gradient xᵀ·dy: K×M·M×N
      TN: { ours: () => matMulT(x, dy, true, false), xnn: () => tf.matMul(tf.transpose(x), dy), dims: [s.K, s.N, s.M] },
    } as const;
    for (const [mode, m] of Object.entries(modes)) {
      const run = (f: () => tf.Tensor) => () => tf.tidy(() => { f(); }); // wasm kernels run synchronously
      run(m.ours)();
      run(m.xnn)();
      const withRelaxed = relaxedSimdSupported();
      let ours = Infinity;
      let xnn = Infinity;
      let rel = Infinity;
      for (let r = 0; r < reps; r++) {
        ours = Math.min(ours, bestMs(run(m.ours), 1));
        xnn = Math.min(xnn, bestMs(run(m.xnn), 1));
        if (withRelaxed) {
          useRelaxedSimd(true);
          try {
            rel = Math.min(rel, bestMs(run(m.ours), 1));
          } finally {
            useRelaxedSimd(false);
          }
        }
      }
      const [M, N, K] = m.dims;
      const flops = 2 * M * N * K;
      const oursGflops = flops / ours / 1e6;
      rows.push({ shape: s.shape, mode: mode as GemmRow['mode'], M, N, K, oursGflops, xnnpackGflops: flops / xnn / 1e6, oursOfPeak: oursGflops / peak, ...(withRelaxed ? { relaxedGflops: flops / rel / 1e6 } : {}) });
    }
    tf.dispose([x, w, dy]);
  }
  return rows;
}

/**
 * PyTorch's GEMM GFLOP/s (its BLAS, `threads` threads; bench/torch_gemm.py) on `shapes`
 * ([M, N, K, mode] each), or the reason it could not run (torch missing, ...).
 */
export function torchGemmGflops(shapes: [number, number, number, string][], threads = 1): number[] | string {
  const script = new URL('../../../bench/torch_gemm.py', import.meta.url).pathname;
  const arg = JSON.stringify({ threads, reps: 5, shapes });
  for (const python of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(python, [script, arg], { encoding: 'utf8', timeout: 600_000 });
    if (r.error) continue;
    try {
      const out = JSON.parse((r.stdout ?? '').trim().split('\n').pop() ?? '') as { ok: boolean; reason?: string; gflops?: number[] };
      return out.ok ? out.gflops! : out.reason ?? 'torch gemm failed';
    } catch {
      return `torch gemm exited ${r.status}: ${(r.stderr ?? '').trim().split('\n').pop()}`;
    }
  }
  return 'no python3 found';
}

/** Adds torchGemmGflops to `rows` (same shapes and modes); leaves them unchanged and returns the reason when torch cannot run. */
export function addTorchGemm(rows: GemmRow[], threads = 1): string | null {
  const g = torchGemmGflops(rows.map((r) => [r.M, r.N, r.K, r.mode]), threads);
  if (typeof g === 'string') return g;
  rows.forEach((row, i) => (row.torchGflops = g[i]));
  return null;
}

/**
 * The WASM-SIMD ceiling on `threads` threads at once: gemm's 4×8 block probe (simdPeakAccumulate)
 * running concurrently on the calling thread and on threads − 1 kernel workers (ops/threads.ts),
 * each on its own L1-resident buffer; GFLOP/s of all of them together, best of `reps` runs of ~5 ms.
 * The backend must run `threads` threads (initBackend('wasm', { threads }), setThreads).
 */
export async function simdPeakThreads(threads: number, reps = 20): Promise<number> {
  const heap = onTfjsHeap<ProbeExports>(tf.backend() as unknown as WasmBackendInternals, 'nn', wasmBase64);
  if (threadCount() !== threads) throw new Error(`simdPeakThreads: ${threadCount()} threads running, ${threads} asked`);
  const buf = heap.malloc(4096 * threads);
  try {
    new Float32Array(tfjsHeapBuffer(), buf, 1024 * threads).fill(0.001);
    const iters = 1_000_000;
    const parts = Array.from({ length: threads }, (_, i) => [buf + 4096 * i, iters]);
    const run = () => runParts('nn', 'simdPeakAccumulate', heap.exports.simdPeakAccumulate, parts);
    run();
    let best = 0;
    for (let r = 0; r < reps; r++) best = Math.max(best, (64 * iters * threads) / bestMs(run, 1) / 1e6);
    return best;
  } finally {
    heap.free(buf);
  }
}

export interface GemmThreadsRow { shape: string; mode: 'NN' | 'NT' | 'TN'; M: number; N: number; K: number; gflops: Record<number, number>; torchGflops?: Record<number, number> }

/**
 * Our gemm on each shape and mode at each thread count, with the WASM-SIMD ceiling on as many
 * threads measured right before and right after that count's products (the larger of the two: on
 * a shared VM the second core comes and goes, so a ceiling measured minutes away from the products
 * can be off by 2×). Per thread count: setThreads once, then `reps` rounds over every product
 * (interleaved, so a slow moment hits all alike), best of the rounds. The backend must have been
 * started with the largest thread count.
 */
export async function gemmSpeedThreads(shapes: { shape: string; M: number; K: number; N: number }[], threadList: number[], reps = 5, ceilingReps = 20): Promise<{ rows: GemmThreadsRow[]; ceilings: Record<number, number> }> {
  const products: { shape: string; mode: GemmThreadsRow['mode']; dims: [number, number, number]; f: () => void; tensors: tf.Tensor[] }[] = [];
  for (const s of shapes) {
    const x = tf.randomNormal([s.M, s.K]);
    const w = tf.randomNormal([s.K, s.N]);
    const dy = tf.randomNormal([s.M, s.N]);
    const tensors = [x, w, dy];
    const once = (f: () => tf.Tensor) => () => tf.tidy(() => { f(); });
    products.push({ shape: s.shape, mode: 'NN', dims: [s.M, s.N, s.K], f: once(() => matMulT(x, w)), tensors });
    products.push({ shape: s.shape, mode: 'NT', dims: [s.M, s.K, s.N], f: once(() => matMulT(dy, w, false, true)), tensors });
    products.push({ shape: s.shape, mode: 'TN', dims: [s.K, s.N, s.M], f: once(() => matMulT(x, dy, true, false)), tensors });
  }
  const best = products.map(() => ({}) as Record<number, number>);
  const ceilings: Record<number, number> = {};
  try {
    for (const n of threadList) {
      await setThreads(n);
      const before = await simdPeakThreads(n, ceilingReps);
      products.forEach((p) => p.f()); // warm-up
      for (let r = 0; r < reps; r++) products.forEach((p, i) => (best[i][n] = Math.min(best[i][n] ?? Infinity, bestMs(p.f, 1))));
      ceilings[n] = Math.max(before, await simdPeakThreads(n, ceilingReps));
    }
  } finally {
    tf.dispose([...new Set(products.flatMap((p) => p.tensors))]);
  }
  const rows = products.map((p, i) => {
    const [M, N, K] = p.dims;
    const gflops: Record<number, number> = {};
    for (const n of threadList) gflops[n] = (2 * M * N * K) / best[i][n] / 1e6;
    return { shape: p.shape, mode: p.mode, M, N, K, gflops };
  });
  return { rows, ceilings };
}
