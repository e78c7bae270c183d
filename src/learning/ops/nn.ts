/**
 * LayerNorm and GELU with fused kernels on tfjs-wasm (assembly/nn, run on tfjs' heap), and the
 * column sum used for bias gradients. Each op has a plain tfjs-ops reference, used on other
 * backends and by the tests.
 *
 * Why: a plain LayerNorm is ~8 tfjs ops forward and ~20 backward, GELU ~7 and ~15, each a pass
 * over memory plus engine overhead; `tf.sum(dy, 0)` transposes before reducing on wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import { wasmBase64 } from '../../kernels/generated/nn.js';
import type { WasmBackendInternals } from '../backend.js';
import { onTfjsHeap } from './tfjs_heap.js';
import { parallelThresholds, runParts, splitRange, threadCount } from './threads.js';
import { customGrad } from './customgrad.js';

interface NnExports {
  geluForward(x: number, y: number, n: number): void;
  geluBackward(x: number, dy: number, dx: number, n: number): void;
  layerNormForward(x: number, g: number, b: number, y: number, stats: number, N: number, d: number, eps: number): void;
  layerNormBackward(x: number, g: number, stats: number, dy: number, dx: number, dg: number, db: number, N: number, d: number): void;
  layerNormBackwardPart(x: number, g: number, stats: number, dy: number, dx: number, dg: number, db: number, N: number, d: number, r0: number, r1: number, params: number): void;
  columnSum(dy: number, out: number, N: number, d: number): void;
  gatherRows(table: number, ids: number, out: number, n: number, d: number): void;
  segmentSumRows(x: number, ids: number, out: number, n: number, d: number, s0: number, s1: number): void;
}

type KernelArgs = { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs?: Record<string, unknown> };

function ptr(backend: WasmBackendInternals, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('nn kernel: tensor data not found on the wasm backend');
  return data.memoryOffset;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function nn(backend: WasmBackendInternals): NnExports {
  return onTfjsHeap<NnExports>(backend, 'nn', wasmBase64).exports;
}

/** Element ranges per thread (starts on multiples of 4, so the SIMD/tail split of each element is unchanged). */
function elementParts(n: number): [number, number][] {
  return n >= parallelThresholds.elements ? splitRange(n, threadCount(), 4) : [[0, n]];
}

let threadedSmall = true;

/**
 * Whether Add, LayerNorm (forward and backward) and UnsortedSegmentSum split over our threads
 * (default) or stay on the calling thread as before (the segment sum in backend.ts's JS loop),
 * for same-run before/after measurements; the bits are the same either way. Returns the previous
 * setting.
 */
export function useThreadedSmallKernels(on: boolean): boolean {
  if (typeof on !== 'boolean') throw new Error(`useThreadedSmallKernels: on must be a boolean, got ${JSON.stringify(on)}`);
  const was = threadedSmall;
  threadedSmall = on;
  return was;
}

/**
 * Cost of summing dg and db over a row, relative to computing that row's dx (LayerNorm backward):
 * the thread that sums them takes correspondingly fewer rows of dx. Alone on one thread the sums
 * cost ~0.5 of dx; 0.3 balanced the two threads best at [2048, 64] and [3200, 128] (0.3/0.5/0.7
 * measured).
 */
const PARAM_SUM_COST = 0.3;

/** Row ranges of LayerNorm's backward, one per thread: the first (which also sums dg, db) gets fewer. */
function layerNormGradRows(N: number, elements: number): [number, number][] {
  const parts = smallKernelParts(N, elements);
  if (parts.length === 1) return parts;
  const T = parts.length;
  const first = Math.max(0, Math.min(N, Math.round((N * (1 + PARAM_SUM_COST)) / T - N * PARAM_SUM_COST)));
  return [[0, first] as [number, number], ...splitRange(N - first, T - 1).map(([a, b]) => [first + a, first + b] as [number, number])];
}

/**
 * [start, end) ranges of `units` rows or elements, one per thread, when the call touches at least
 * parallelThresholds.elements floats, threads are on and useThreadedSmallKernels(true); else one range.
 */
export function smallKernelParts(units: number, elements: number, align = 1): [number, number][] {
  if (!Number.isInteger(units) || units < 0) throw new Error(`smallKernelParts: units must be an integer >= 0, got ${JSON.stringify(units)}`);
  if (!Number.isInteger(elements) || elements < 0) throw new Error(`smallKernelParts: elements must be an integer >= 0, got ${JSON.stringify(elements)}`);
  if (!Number.isInteger(align) || align < 1) throw new Error(`smallKernelParts: align must be an integer >= 1, got ${JSON.stringify(align)}`);
  return threadedSmall && units > 0 && elements >= parallelThresholds.elements ? splitRange(units, threadCount(), align) : [[0, units]];
}

const KERNELS: Record<string, (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]> = {
  TestbedsGelu({ inputs: { x }, backend }) {
    const be = backend as WasmBackendInternals;
    const y = be.makeOutput(x.shape, 'float32');
    const [px, py] = [ptr(be, x), ptr(be, y)];
    runParts('nn', 'geluForward', nn(be).geluForward, elementParts(size(x.shape)).map(([i0, i1]) => [px + 4 * i0, py + 4 * i0, i1 - i0]));
    return y;
  },
  TestbedsGeluGrad({ inputs: { x, dy }, backend }) {
    const be = backend as WasmBackendInternals;
    const dx = be.makeOutput(x.shape, 'float32');
    const [px, pdy, pdx] = [ptr(be, x), ptr(be, dy), ptr(be, dx)];
    runParts('nn', 'geluBackward', nn(be).geluBackward, elementParts(size(x.shape)).map(([i0, i1]) => [px + 4 * i0, pdy + 4 * i0, pdx + 4 * i0, i1 - i0]));
    return dx;
  },
  TestbedsLayerNorm({ inputs: { x, g, b }, backend, attrs }) {
    const be = backend as WasmBackendInternals;
    const d = x.shape[x.shape.length - 1];
    const N = size(x.shape) / d;
    const y = be.makeOutput(x.shape, 'float32');
    const stats = be.makeOutput([N, 2], 'float32');
    const [px, pg, pb, py, ps] = [ptr(be, x), ptr(be, g), ptr(be, b), ptr(be, y), ptr(be, stats)];
    // Rows are independent: each thread normalises a block of them.
    const parts = smallKernelParts(N, N * d).map(([r0, r1]) => [px + 4 * r0 * d, pg, pb, py + 4 * r0 * d, ps + 8 * r0, r1 - r0, d, attrs!.eps as number]);
    runParts('nn', 'layerNormForward', nn(be).layerNormForward, parts);
    return [y, stats];
  },
  TestbedsLayerNormGrad({ inputs: { x, g, stats, dy }, backend }) {
    const be = backend as WasmBackendInternals;
    const d = x.shape[x.shape.length - 1];
    const N = size(x.shape) / d;
    const dx = be.makeOutput(x.shape, 'float32');
    const dg = be.makeOutput([d], 'float32');
    const db = be.makeOutput([d], 'float32');
    const [px, pg, ps, pdy, pdx, pdg, pdb] = [ptr(be, x), ptr(be, g), ptr(be, stats), ptr(be, dy), ptr(be, dx), ptr(be, dg), ptr(be, db)];
    const rows = layerNormGradRows(N, N * d);
    const k = nn(be);
    if (rows.length === 1) {
      k.layerNormBackward(px, pg, ps, pdy, pdx, pdg, pdb, N, d); // one pass: dx, and dg, db as it goes
      return [dx, dg, db];
    }
    // Threads: each computes dx for a block of rows; the first also sums dg and db over all rows
    // (rows ascending from +0, as the one pass does), so it takes fewer rows of dx.
    runParts('nn', 'layerNormBackwardPart', k.layerNormBackwardPart, rows.map(([r0, r1], p) => [px, pg, ps, pdy, pdx, pdg, pdb, N, d, r0, r1, p === 0 ? 1 : 0]));
    return [dx, dg, db];
  },
  TestbedsGatherRows({ inputs: { table, ids }, backend }) {
    const be = backend as WasmBackendInternals;
    const [V, d] = table.shape;
    const n = size(ids.shape);
    const pids = ptr(be, ids);
    const idv = be.wasm.HEAP32.subarray(pids >> 2, (pids >> 2) + n);
    for (let i = 0; i < n; i++) if (!(idv[i] >= 0 && idv[i] < V)) throw new Error(`embedding: id ${idv[i]} at position ${i} is not in [0, ${V - 1}]`);
    const out = be.makeOutput([...ids.shape, d], 'float32');
    nn(be).gatherRows(ptr(be, table), pids, ptr(be, out), n, d);
    return out;
  },
  TestbedsColumnSum({ inputs: { x }, backend }) {
    // One thread: split by columns (the only split that keeps each column's order) it measured
    // 0.6-1.0x on 2 threads (NOTES.md).
    const be = backend as WasmBackendInternals;
    const d = x.shape[x.shape.length - 1];
    const out = be.makeOutput([d], 'float32');
    nn(be).columnSum(ptr(be, x), ptr(be, out), size(x.shape) / d, d);
    return out;
  },
};

let registered = false;

/** Registers the nn kernels for the 'wasm' backend (idempotent; initBackend calls it). */
export function registerNnKernels(): void {
  if (registered) return;
  registered = true;
  for (const [kernelName, f] of Object.entries(KERNELS)) {
    if (tf.getKernel(kernelName, 'wasm') == null) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: f as unknown as tf.KernelFunc });
  }
}

function run(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown> = {}): tf.Tensor[] {
  const out = tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as unknown as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
}

const onWasm = () => tf.getBackend() === 'wasm';

// ---- GELU ---------------------------------------------------------------------------------

/** Plain-ops GELU, tanh form (GPT-2; PyTorch's gelu(approximate='tanh')). */
export function geluReference(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  });
}

const geluFused = customGrad((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: run('TestbedsGelu', { x })[0],
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run('TestbedsGeluGrad', { x: saved[0], dy }),
  };
});

/** GELU (tanh form), any float32 shape; fused kernels on wasm. */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (x.dtype !== 'float32') throw new Error(`gelu: x.dtype is ${x.dtype}, expected float32`);
  return onWasm() ? geluFused(x) : geluReference(x);
}

// ---- LayerNorm ----------------------------------------------------------------------------

/** Plain-ops LayerNorm over the last axis: (x − mean)/sqrt(var + eps)·g + b. */
export function layerNormReference(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps = 1e-5): tf.Tensor {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), g), b);
  });
}

const layerNormFused = (eps: number) => customGrad((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  const [y, stats] = run('TestbedsLayerNorm', { x, g, b }, { eps });
  save([x, g, stats]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run('TestbedsLayerNormGrad', { x: saved[0], g: saved[1], stats: saved[2], dy }),
  };
});
const layerNormByEps = new Map<number, ReturnType<typeof layerNormFused>>();

/** LayerNorm over the last axis of x [..., d] with gain g [d] and bias b [d]; fused on wasm when d % 4 = 0. */
export function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps = 1e-5): tf.Tensor {
  const d = x.shape[x.rank - 1];
  if (g.rank !== 1 || g.shape[0] !== d) throw new Error(`layerNorm: g.shape [${g.shape}], expected [${d}]`);
  if (b.rank !== 1 || b.shape[0] !== d) throw new Error(`layerNorm: b.shape [${b.shape}], expected [${d}]`);
  if (!(eps > 0)) throw new Error(`layerNorm: eps must be > 0, got ${eps}`);
  if (!onWasm() || d % 4 !== 0 || x.dtype !== 'float32') return layerNormReference(x, g, b, eps);
  let f = layerNormByEps.get(eps);
  if (!f) layerNormByEps.set(eps, (f = layerNormFused(eps)));
  return f(x, g, b);
}

// ---- column sum ---------------------------------------------------------------------------

/** Σ over all leading axes of x [..., d] → [d] (a dense layer's bias gradient). */
export function columnSum(x: tf.Tensor): tf.Tensor {
  if (onWasm() && x.dtype === 'float32') return run('TestbedsColumnSum', { x })[0];
  return tf.sum(tf.reshape(x, [-1, x.shape[x.rank - 1]]), 0);
}

// ---- embedding lookup ----------------------------------------------------------------------

/**
 * UnsortedSegmentSum of float32 rows x [n, d] by int32 ids [n] into out [numSegments, d], all on
 * the wasm heap (backend.ts's kernel calls it; tf.gather's gradient): our SIMD kernel, the
 * segments split over threads, each segment's rows summed in ascending order from +0 as the
 * one-thread loop does. Returns false (nothing done) when useThreadedSmallKernels(false): the
 * caller's plain loop then runs, as before.
 */
export function segmentSumOnHeap(be: WasmBackendInternals, x: tf.TensorInfo, ids: tf.TensorInfo, out: tf.TensorInfo, d: number, numSegments: number): boolean {
  if (x.dtype !== 'float32' || ids.dtype !== 'int32' || out.dtype !== 'float32') throw new Error(`segmentSumOnHeap: dtypes x ${x.dtype}, ids ${ids.dtype}, out ${out.dtype}; expected float32, int32, float32`);
  if (!Number.isInteger(d) || d < 0) throw new Error(`segmentSumOnHeap: d must be an integer >= 0, got ${JSON.stringify(d)}`);
  if (!Number.isInteger(numSegments) || numSegments < 0) throw new Error(`segmentSumOnHeap: numSegments must be an integer >= 0, got ${JSON.stringify(numSegments)}`);
  if (!threadedSmall) return false;
  const n = size(ids.shape);
  const [px, pids, po] = [ptr(be, x), ptr(be, ids), ptr(be, out)];
  runParts('nn', 'segmentSumRows', nn(be).segmentSumRows, smallKernelParts(numSegments, n * d).map(([s0, s1]) => [px, pids, po, n, d, s0, s1]));
  return true;
}

let fusedGather = true;

/** Whether embedding() uses the row-copy kernel on wasm (default) or tf.gather; returns the previous setting. */
export function useFusedGather(on: boolean): boolean {
  if (typeof on !== 'boolean') throw new Error(`useFusedGather: on must be a boolean, got ${JSON.stringify(on)}`);
  const was = fusedGather;
  fusedGather = on;
  return was;
}

/**
 * Rows of table [V, d] picked by int32 ids [...] → [..., d], as tf.gather(table, ids) and with its
 * gradient's exact operations (unsortedSegmentSum of dy's rows by id: the same bits), the forward
 * by a row-copy kernel on wasm.
 */
export function gatherRows(table: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  if (!onWasm() || !fusedGather || table.dtype !== 'float32') return tf.gather(table, ids);
  const [V, d] = table.shape;
  const f = customGrad((t: tf.Tensor, save: tf.GradSaveFunc) => {
    save([ids]);
    return {
      value: run('TestbedsGatherRows', { table: t, ids })[0],
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.unsortedSegmentSum(tf.reshape(dy, [-1, d]), tf.reshape(saved[0], [-1]), V)],
    };
  });
  return f(table);
}
