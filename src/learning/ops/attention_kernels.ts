/**
 * The fused causal-attention kernels (assembly/attention) registered into tfjs-wasm.
 *
 * Four tfjs kernels for the 'wasm' backend (stats: per-row max and 1/Σexp, [B, H, T, 2]):
 *   TestbedsCausalAttention           {q, k, v} [B, H, T, hs]  → [o, stats]
 *   TestbedsCausalAttentionGrad       {q, k, v, stats, dy}     → [dq, dk, dv]
 *   TestbedsCausalAttentionPacked     {qkv} [B, T, 3d], heads  → [y [B, T, d], stats]
 *   TestbedsCausalAttentionPackedGrad {qkv, stats, dy}, heads  → [dqkv]
 * and `causalSelfAttentionFused` / `causalSelfAttentionPackedFused`, tf.customGrad ops tying
 * each pair together. Both pairs run the same AssemblyScript code with different strides.
 *
 * The kernel module is instantiated on tfjs-wasm's own memory (tfjs_heap.ts), so it reads and
 * writes tensors in place: no copies. Scratch space comes from tfjs' malloc and is freed per call.
 */
import * as tf from '@tensorflow/tfjs-core';
import { wasmBase64 } from '../../kernels/generated/attention.js';
import type { WasmBackendInternals } from '../backend.js';
import { onTfjsHeap, type HeapKernel } from './tfjs_heap.js';
import { parallelThresholds, runParts, splitRange, threadCount } from './threads.js';
import { customGrad } from './customgrad.js';

/** Strides in floats (batch, head, row) of the q/k/v side and of the output side; see assembly/attention. */
type Strides = [number, number, number, number, number, number];

/** Exports of assembly/attention: the blocked kernels, their scratch sizes, and the row-at-a-time reference (same bits). */
export interface AttentionExports {
  forwardScratchBytes(T: number, hs: number): number;
  backwardScratchBytes(T: number, hs: number): number;
  attentionForwardReference(q: number, k: number, v: number, o: number, stats: number, B: number, H: number, T: number, hs: number, ...rest: [...Strides, number, number]): void;
  attentionBackwardReference(q: number, k: number, v: number, dO: number, stats: number, dQ: number, dK: number, dV: number, B: number, H: number, T: number, hs: number, ...rest: [...Strides, number, number]): void;
  attentionForward(q: number, k: number, v: number, o: number, stats: number, B: number, H: number, T: number, hs: number, ...rest: [...Strides, number, number]): void;
  attentionBackward(q: number, k: number, v: number, dO: number, stats: number, dQ: number, dK: number, dV: number, B: number, H: number, T: number, hs: number, ...rest: [...Strides, number, number]): void;
}

/** [B, H, T, hs] contiguous on both sides. */
const bhtdStrides = (H: number, T: number, hs: number): Strides => [H * T * hs, T * hs, hs, H * T * hs, T * hs, hs];
/** Packed qkv [B, T, 3d] in, y [B, T, d] out. */
const packedStrides = (T: number, d: number, hs: number): Strides => [3 * d * T, hs, 3 * d, d * T, hs, d];

export const FORWARD_KERNEL = 'TestbedsCausalAttention';
export const BACKWARD_KERNEL = 'TestbedsCausalAttentionGrad';
export const PACKED_FORWARD_KERNEL = 'TestbedsCausalAttentionPacked';
export const PACKED_BACKWARD_KERNEL = 'TestbedsCausalAttentionPackedGrad';

/** Shapes the fused kernel handles: head size a multiple of 4 (SIMD rows). */
export function fusedAttentionSupports(shape: readonly number[]): boolean {
  return shape.length === 4 && shape[3] % 4 === 0 && shape[3] > 0 && shape[2] > 0;
}

/**
 * `reference: true` runs the row-at-a-time kernels (assembly/attention/reference.ts) instead of the
 * blocked ones: the same bits, slower; for bench/attention.ts's whole-step before/after.
 */
export const attentionKernelChoice = { reference: false };

/** Scratch bytes currently borrowed from tfjs' allocator (0 between calls; for leak tests). */
export const scratchStats = { outstanding: 0, calls: 0 };

function offset(backend: WasmBackendInternals, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('attention kernel: tensor data not found on the wasm backend');
  return data.memoryOffset;
}

/** Runs `f` with `bytes` of scratch from tfjs' heap, freed afterwards. */
function withScratch<T>(k: HeapKernel<AttentionExports>, bytes: number, f: (p: number) => T): T {
  const p = k.malloc(bytes);
  scratchStats.outstanding += bytes;
  scratchStats.calls++;
  try {
    return f(p);
  } finally {
    k.free(p);
    scratchStats.outstanding -= bytes;
  }
}

/** Each part's scratch starts 16-byte aligned (the kernels' v128 rows). */
const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** Batches per thread: all of them on one thread when the call is small (a hand-off costs ~10-30 µs). */
function batchParts(B: number, H: number, T: number, hs: number): [number, number][] {
  return B * H * T * T * hs >= parallelThresholds.attentionWork ? splitRange(B, threadCount()) : [[0, B]];
}

/**
 * attentionForward with its batches split over the threads (ops/threads.ts): every (batch, head)
 * is computed exactly as on one thread, each part with its own scratch.
 */
function forwardParts(kernel: HeapKernel<AttentionExports>, q: number, k: number, v: number, o: number, stats: number, B: number, H: number, T: number, hs: number, st: Strides): void {
  const bytes = align16(kernel.exports.forwardScratchBytes(T, hs));
  const parts = batchParts(B, H, T, hs);
  const [bIn, , , bOut] = st;
  withScratch(kernel, bytes * parts.length, (scratch) => {
    const fn = attentionKernelChoice.reference ? 'attentionForwardReference' : 'attentionForward';
    runParts('attention', fn, kernel.exports[fn], parts.map(([b0, b1], p) => [
      q + 4 * b0 * bIn, k + 4 * b0 * bIn, v + 4 * b0 * bIn, o + 4 * b0 * bOut, stats + 8 * b0 * H * T, b1 - b0, H, T, hs, ...st, 1 / Math.sqrt(hs), scratch + p * bytes,
    ]));
  });
}

/** attentionBackward split over batches like forwardParts (dq, dk, dv have q's strides). */
function backwardParts(kernel: HeapKernel<AttentionExports>, q: number, k: number, v: number, dO: number, stats: number, dQ: number, dK: number, dV: number, B: number, H: number, T: number, hs: number, st: Strides): void {
  const bytes = align16(kernel.exports.backwardScratchBytes(T, hs));
  const parts = batchParts(B, H, T, hs);
  const [bIn, , , bOut] = st;
  withScratch(kernel, bytes * parts.length, (scratch) => {
    const fn = attentionKernelChoice.reference ? 'attentionBackwardReference' : 'attentionBackward';
    runParts('attention', fn, kernel.exports[fn], parts.map(([b0, b1], p) => {
      const i = 4 * b0 * bIn;
      return [q + i, k + i, v + i, dO + 4 * b0 * bOut, stats + 8 * b0 * H * T, dQ + i, dK + i, dV + i, b1 - b0, H, T, hs, ...st, 1 / Math.sqrt(hs), scratch + p * bytes];
    }));
  });
}

function forwardKernel(args: { inputs: Record<string, tf.TensorInfo>; backend: unknown }): tf.TensorInfo[] {
  const { q, k, v } = args.inputs;
  const backend = args.backend as WasmBackendInternals;
  const [B, H, T, hs] = q.shape;
  const kernel = onTfjsHeap<AttentionExports>(backend, 'attention', wasmBase64);
  const o = backend.makeOutput([B, H, T, hs], 'float32');
  const stats = backend.makeOutput([B, H, T, 2], 'float32');
  forwardParts(kernel, offset(backend, q), offset(backend, k), offset(backend, v), offset(backend, o), offset(backend, stats), B, H, T, hs, bhtdStrides(H, T, hs));
  return [o, stats];
}

function backwardKernel(args: { inputs: Record<string, tf.TensorInfo>; backend: unknown }): tf.TensorInfo[] {
  const { q, k, v, stats, dy } = args.inputs;
  const backend = args.backend as WasmBackendInternals;
  const [B, H, T, hs] = q.shape;
  const kernel = onTfjsHeap<AttentionExports>(backend, 'attention', wasmBase64);
  const dq = backend.makeOutput([B, H, T, hs], 'float32');
  const dk = backend.makeOutput([B, H, T, hs], 'float32');
  const dv = backend.makeOutput([B, H, T, hs], 'float32');
  backwardParts(kernel, offset(backend, q), offset(backend, k), offset(backend, v), offset(backend, dy), offset(backend, stats),
    offset(backend, dq), offset(backend, dk), offset(backend, dv), B, H, T, hs, bhtdStrides(H, T, hs));
  return [dq, dk, dv];
}

function packedForwardKernel(args: { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs?: Record<string, unknown> }): tf.TensorInfo[] {
  const { qkv } = args.inputs;
  const backend = args.backend as WasmBackendInternals;
  const H = args.attrs!.heads as number;
  const [B, T, d3] = qkv.shape;
  const d = d3 / 3, hs = d / H;
  const kernel = onTfjsHeap<AttentionExports>(backend, 'attention', wasmBase64);
  const y = backend.makeOutput([B, T, d], 'float32');
  const stats = backend.makeOutput([B, H, T, 2], 'float32');
  const base = offset(backend, qkv);
  forwardParts(kernel, base, base + 4 * d, base + 8 * d, offset(backend, y), offset(backend, stats), B, H, T, hs, packedStrides(T, d, hs));
  return [y, stats];
}

function packedBackwardKernel(args: { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs?: Record<string, unknown> }): tf.TensorInfo[] {
  const { qkv, stats, dy } = args.inputs;
  const backend = args.backend as WasmBackendInternals;
  const H = args.attrs!.heads as number;
  const [B, T, d3] = qkv.shape;
  const d = d3 / 3, hs = d / H;
  const kernel = onTfjsHeap<AttentionExports>(backend, 'attention', wasmBase64);
  const dqkv = backend.makeOutput([B, T, d3], 'float32');
  const base = offset(backend, qkv);
  const dbase = offset(backend, dqkv);
  backwardParts(kernel, base, base + 4 * d, base + 8 * d, offset(backend, dy), offset(backend, stats), dbase, dbase + 4 * d, dbase + 8 * d, B, H, T, hs, packedStrides(T, d, hs));
  return [dqkv];
}

let registered = false;

/** Registers both kernels for the 'wasm' backend (idempotent; initBackend calls it). */
export function registerFusedAttentionKernels(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel(FORWARD_KERNEL, 'wasm') == null) {
    tf.registerKernel({ kernelName: FORWARD_KERNEL, backendName: 'wasm', kernelFunc: forwardKernel as unknown as tf.KernelFunc });
  }
  if (tf.getKernel(BACKWARD_KERNEL, 'wasm') == null) {
    tf.registerKernel({ kernelName: BACKWARD_KERNEL, backendName: 'wasm', kernelFunc: backwardKernel as unknown as tf.KernelFunc });
  }
  if (tf.getKernel(PACKED_FORWARD_KERNEL, 'wasm') == null) {
    tf.registerKernel({ kernelName: PACKED_FORWARD_KERNEL, backendName: 'wasm', kernelFunc: packedForwardKernel as unknown as tf.KernelFunc });
  }
  if (tf.getKernel(PACKED_BACKWARD_KERNEL, 'wasm') == null) {
    tf.registerKernel({ kernelName: PACKED_BACKWARD_KERNEL, backendName: 'wasm', kernelFunc: packedBackwardKernel as unknown as tf.KernelFunc });
  }
}

function runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown> = {}): tf.Tensor[] {
  return tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as unknown as tf.Tensor[];
}

const fused = customGrad((q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, save: tf.GradSaveFunc) => {
  const [o, stats] = runKernel(FORWARD_KERNEL, { q, k, v });
  save([q, k, v, stats]);
  return {
    value: o,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sq, sk, sv, sstats] = saved;
      return runKernel(BACKWARD_KERNEL, { q: sq, k: sk, v: sv, stats: sstats, dy });
    },
  };
});

/**
 * Fused causal attention on the wasm backend: q, k, v [B, H, T, hs] float32, hs % 4 = 0.
 * Callers check shapes first (see causalSelfAttention).
 */
export function causalSelfAttentionFused(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor): tf.Tensor4D {
  return fused(q, k, v) as tf.Tensor4D;
}

const packedByHeads = new Map<number, (qkv: tf.Tensor) => tf.Tensor>();

/**
 * Fused causal attention straight from a packed projection: qkv [B, T, 3d] (q, k, v side by side,
 * head h in columns h·hs..(h+1)·hs of each) → y [B, T, d] (heads side by side). Same math as
 * splitting, transposing to [B, H, T, hs], attending and transposing back, without the copies.
 * Wasm only, d/heads % 4 = 0; callers check (see causalSelfAttentionPacked in attention.ts).
 */
export function causalSelfAttentionPackedFused(qkv: tf.Tensor, heads: number): tf.Tensor3D {
  let f = packedByHeads.get(heads);
  if (!f) {
    f = customGrad((x: tf.Tensor, save: tf.GradSaveFunc) => {
      const [y, stats] = runKernel(PACKED_FORWARD_KERNEL, { qkv: x }, { heads });
      save([x, stats]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => runKernel(PACKED_BACKWARD_KERNEL, { qkv: saved[0], stats: saved[1], dy }, { heads }),
      };
    });
    packedByHeads.set(heads, f);
  }
  return f(qkv) as tf.Tensor3D;
}
