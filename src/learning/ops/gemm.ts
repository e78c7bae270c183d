/**
 * Our own dense matrix product on tfjs-wasm (assembly/nn/gemm.ts, run on tfjs' heap), with the
 * transposes a dense layer's gradient needs folded into the strides: C = op(A)·op(B).
 *
 * Why: tfjs-wasm's BatchMatMul hands rank-2, flag-free products to XNNPACK and loops naively
 * otherwise, so a dense layer's backward pass used explicit tf.transpose copies (each a pass over
 * memory and a kernel launch). Our kernel reads either layout through strides, packs B's K-blocks
 * into 8-column panels, and runs a 4×8 register block; on this model's shapes it measures ~1.4× XNNPACK
 * (bench/results/train-speed/).
 *
 * Determinism: the summation order depends on the shapes only (k ascending in blocks of 256, block
 * sums added in order), with separately rounded mul and add, so Node and browsers give the same
 * bits. `gemmReference` is the same order in plain scalar code (Math.fround per step): the tests
 * compare the two bit for bit.
 *
 * Threads (initBackend's `threads`): C is split into blocks of whole 4-row groups or of whole 8-column
 * panels (gemmSplit), one per thread, each packing its B itself; an element's sum is the same
 * operations in the same order, so the bits do not depend on the thread count or the split. Small
 * products stay on one thread (parallelThresholds).
 *
 * Opt-in, not bit-identical: `useRelaxedSimd(true)` switches to the same kernel built with relaxed
 * SIMD (assembly/gemm-relaxed), one fused multiply-add per step where the CPU has FMA. Rounding then
 * depends on the engine and CPU, so seeds no longer reproduce across machines or against the
 * deterministic mode. Runtimes without relaxed SIMD (Node 20 without
 * --experimental-wasm-relaxed-simd) keep the deterministic kernel: the call returns false.
 */
import * as tf from '@tensorflow/tfjs-core';
import { wasmBase64 } from '../../kernels/generated/nn.js';
import { wasmBase64 as relaxedWasmBase64 } from '../../kernels/generated/gemm-relaxed.js';
import { decodeBase64 } from '../../kernels/loader.js';
import type { WasmBackendInternals } from '../backend.js';
import { onTfjsHeap } from './tfjs_heap.js';
import { parallelThresholds, runParts, splitRange, threadCount } from './threads.js';

interface GemmExports {
  gemm(a: number, sai: number, sak: number, b: number, sbk: number, sbj: number, c: number, ldc: number, M: number, N: number, K: number, pack: number, bias: number): void;
  gemmScratchBytes(N: number, K: number): number;
}

/** The K-block of assembly/nn/gemm.ts (partial sums are added to C once per block). */
export const GEMM_KC = 256;

/** Shapes of C = op(A)·op(B): A is [M, K] ([K, M] if transposeA), B is [K, N] ([N, K] if transposeB). */
export function gemmShape(aShape: readonly number[], bShape: readonly number[], transposeA: boolean, transposeB: boolean): { M: number; N: number; K: number } {
  if (aShape.length !== 2) throw new Error(`gemm: a has rank ${aShape.length}, expected 2`);
  if (bShape.length !== 2) throw new Error(`gemm: b has rank ${bShape.length}, expected 2`);
  const [M, K] = transposeA ? [aShape[1], aShape[0]] : [aShape[0], aShape[1]];
  const [K2, N] = transposeB ? [bShape[1], bShape[0]] : [bShape[0], bShape[1]];
  if (K !== K2) throw new Error(`gemm: inner dimensions differ: op(a) is [${M}, ${K}], op(b) is [${K2}, ${N}]`);
  return { M, N, K };
}

/**
 * Plain scalar C = op(A)·op(B) in the kernel's exact order and rounding: for each C[i, j], per
 * K-block s = Σ_k fl(a·b) accumulated left to right in f32, then C = s (first block) or fl(C + s).
 */
export function gemmReference(a: Float32Array, b: Float32Array, M: number, N: number, K: number, transposeA = false, transposeB = false): Float32Array {
  const [sai, sak] = transposeA ? [1, M] : [K, 1];
  const [sbk, sbj] = transposeB ? [1, K] : [N, 1];
  const c = new Float32Array(M * N);
  const f = Math.fround;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k0 = 0; k0 < K; k0 += GEMM_KC) {
        let s = 0;
        for (let k = k0; k < Math.min(K, k0 + GEMM_KC); k++) s = f(s + f(a[i * sai + k * sak] * b[k * sbk + j * sbj]));
        acc = k0 === 0 ? s : f(acc + s);
      }
      c[i * N + j] = acc;
    }
  }
  return c;
}

let relaxed = false;
let relaxedSupported: boolean | null = null;

/** Whether this runtime validates the relaxed-SIMD gemm module (feature detection, cached). */
export function relaxedSimdSupported(): boolean {
  if (relaxedSupported === null) {
    try {
      relaxedSupported = WebAssembly.validate(decodeBase64(relaxedWasmBase64) as BufferSource);
    } catch {
      relaxedSupported = false;
    }
  }
  return relaxedSupported;
}

/**
 * Opts in to (true) or out of (false, the default) the relaxed-SIMD gemm: faster where FMA exists,
 * NOT bit-identical across engines, CPUs or with the default. Returns whether it is now in use
 * (false when the runtime lacks relaxed SIMD; the deterministic kernel stays).
 */
export function useRelaxedSimd(on: boolean): boolean {
  if (typeof on !== 'boolean') throw new Error(`useRelaxedSimd: on must be a boolean, got ${JSON.stringify(on)}`);
  relaxed = on && relaxedSimdSupported();
  return relaxed;
}

/** 'relaxed-simd' (opt-in FMA) or 'deterministic' (mul then add, the default). */
export function gemmMode(): 'relaxed-simd' | 'deterministic' {
  return relaxed ? 'relaxed-simd' : 'deterministic';
}

type KernelArgs = { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs?: Record<string, unknown> };

function ptr(backend: WasmBackendInternals, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('gemm kernel: tensor data not found on the wasm backend');
  return data.memoryOffset;
}

function testbedsMatMul({ inputs: { a, b, bias }, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as WasmBackendInternals;
  const transposeA = attrs!.transposeA as boolean;
  const transposeB = attrs!.transposeB as boolean;
  const { M, N, K } = gemmShape(a.shape, b.shape, transposeA, transposeB);
  const kernel = relaxed ? onTfjsHeap<GemmExports>(be, 'gemm-relaxed', relaxedWasmBase64) : onTfjsHeap<GemmExports>(be, 'nn', wasmBase64);
  const c = be.makeOutput([M, N], 'float32');
  const [sai, sak] = transposeA ? [1, M] : [K, 1];
  const [sbk, sbj] = transposeB ? [1, K] : [N, 1];
  const split = M * N * K >= parallelThresholds.gemmMacs ? gemmSplit(M, N, K, transposeA, threadCount()) : { by: 'rows' as const, ranges: [[0, M] as [number, number]] };
  // Each part packs its own B block (and, by columns, its own copy of op(A)'s 4-row slivers).
  const scratch = Math.max(16, ...split.ranges.map(([j0, j1]) => kernel.exports.gemmScratchBytes(split.by === 'rows' ? N : j1 - j0, K)));
  const pack = kernel.malloc(scratch * split.ranges.length);
  try {
    const pa = ptr(be, a), pb = ptr(be, b), pc = ptr(be, c);
    const pbias = bias ? ptr(be, bias) : 0;
    const parts = split.ranges.map(([x0, x1], p) =>
      split.by === 'rows'
        ? [pa + 4 * x0 * sai, sai, sak, pb, sbk, sbj, pc + 4 * x0 * N, N, x1 - x0, N, K, pack + p * scratch, pbias]
        : [pa, sai, sak, pb + 4 * x0 * sbj, sbk, sbj, pc + 4 * x0, N, M, x1 - x0, K, pack + p * scratch, pbias && pbias + 4 * x0],
    );
    runParts(relaxed ? 'gemm-relaxed' : 'nn', 'gemm', kernel.exports.gemm, parts);
  } finally {
    kernel.free(pack);
  }
  return c;
}

let splitMode: 'auto' | 'rows' | 'columns' = 'auto';

/**
 * How threads split C = op(A)·op(B): 'rows' (blocks of 4-row groups) or 'columns' (blocks of 8-column
 * panels), or 'auto' (the default: columns when M is too small for each thread's rows to amortise
 * packing all of B; see gemmSplit). Either way an element's sum is the same operations in the same
 * order, so the bits do not depend on this. Returns the previous mode (benchmarks compare them).
 */
export function setGemmSplit(mode: 'auto' | 'rows' | 'columns'): 'auto' | 'rows' | 'columns' {
  if (mode !== 'auto' && mode !== 'rows' && mode !== 'columns') throw new Error(`setGemmSplit: mode must be 'auto', 'rows' or 'columns', got ${JSON.stringify(mode)}`);
  const prev = splitMode;
  splitMode = mode;
  return prev;
}

/**
 * The parts of an M×N×K product on `threads` threads: row ranges (multiples of 4) or column ranges
 * (multiples of 8), as setGemmSplit says.
 */
export function gemmSplit(M: number, N: number, K: number, transposeA: boolean, threads: number): { by: 'rows' | 'columns'; ranges: [number, number][] } {
  for (const [name, v] of [['M', M], ['N', N], ['K', K], ['threads', threads]] as const) {
    if (!Number.isInteger(v) || v < (name === 'threads' ? 1 : 0)) throw new Error(`gemmSplit: ${name} must be a ${name === 'threads' ? 'positive' : 'non-negative'} integer, got ${JSON.stringify(v)}`);
  }
  if (typeof transposeA !== 'boolean') throw new Error(`gemmSplit: transposeA must be a boolean, got ${JSON.stringify(transposeA)}`);
  let by: 'rows' | 'columns' = splitMode === 'columns' ? 'columns' : 'rows';
  if (splitMode === 'auto') {
    // Floats each part moves besides its multiply-adds: by rows, all of B packed plus its rows of
    // op(A) (read, and packed too when A is read down columns); by columns, its share of B plus
    // all of op(A).
    const aCost = transposeA ? 2 : 1;
    const rowsCost = K * N + aCost * (M / threads) * K;
    const colsCost = (K * N) / threads + aCost * M * K;
    by = colsCost < rowsCost ? 'columns' : 'rows';
  }
  const ranges = by === 'rows' ? splitRange(M, threads, 4) : splitRange(N, threads, 8);
  return { by: ranges.length > 1 ? by : 'rows', ranges: ranges.length > 1 ? ranges : [[0, M]] };
}

let registered = false;

/** Registers TestbedsMatMul for the 'wasm' backend (idempotent; initBackend calls it). */
export function registerGemmKernel(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel('TestbedsMatMul', 'wasm') == null) {
    tf.registerKernel({ kernelName: 'TestbedsMatMul', backendName: 'wasm', kernelFunc: testbedsMatMul as unknown as tf.KernelFunc });
  }
}

/**
 * op(a)·op(b) (+ bias [N], added to each finished sum: the bits of tf.add(op(a)·op(b), bias)) for
 * rank-2 float32 tensors, no gradient (the dense layers in ops/linear.ts define theirs from it). Our
 * kernel on wasm, where the bias costs no extra pass over C; tf.matMul with transpose flags (and
 * tf.add) elsewhere.
 */
export function matMulT(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false, bias?: tf.Tensor): tf.Tensor {
  const { N } = gemmShape(a.shape, b.shape, transposeA, transposeB);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error(`gemm: dtypes ${a.dtype} and ${b.dtype}, expected float32`);
  if (bias !== undefined && (!(bias instanceof tf.Tensor) || bias.dtype !== 'float32' || bias.rank !== 1 || bias.shape[0] !== N)) {
    throw new Error(`gemm: bias must be a float32 tensor of shape [${N}], got ${bias instanceof tf.Tensor ? `${bias.dtype} [${bias.shape}]` : JSON.stringify(bias)}`);
  }
  if (tf.getBackend() !== 'wasm') return bias ? tf.tidy(() => tf.add(tf.matMul(a, b, transposeA, transposeB), bias)) : tf.matMul(a, b, transposeA, transposeB);
  const inputs = (bias ? { a, b, bias } : { a, b }) as unknown as tf.NamedTensorMap;
  return tf.engine().runKernel('TestbedsMatMul', inputs, { transposeA, transposeB } as unknown as tf.NamedAttrMap) as tf.Tensor;
}
