/**
 * The fused causal-attention kernels (assembly/attention) registered into tfjs-wasm.
 *
 * Two tfjs kernels for the 'wasm' backend:
 *   TestbedsCausalAttention     {q, k, v}          → [o, lse]
 *   TestbedsCausalAttentionGrad {q, k, v, lse, dy} → [dq, dk, dv]
 * and `causalSelfAttentionFused`, a tf.customGrad op tying them together.
 *
 * Our kernel is a separate wasm instance, so each call copies its inputs from tfjs' heap into ours
 * and the outputs back (Float32Array.set, memcpy speed: ~1–3% of the kernel time at the benchmark
 * sizes, measured in bench/train.ts). The scratch arena is reset after every call.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadKernel } from '../../kernels/kernel.js';
import { wasmBase64 } from '../../kernels/generated/attention.js';
import type { WasmBackendInternals } from '../backend.js';
import { customGrad } from './linear.js';

interface AttentionExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  attentionForward(q: number, k: number, v: number, o: number, lse: number, BH: number, T: number, hs: number, scale: number, scratch: number): void;
  attentionBackward(q: number, k: number, v: number, dO: number, lse: number, dQ: number, dK: number, dV: number, BH: number, T: number, hs: number, scale: number, scratch: number): void;
}

export const attentionKernel = await loadKernel<AttentionExports>('attention', wasmBase64);

export const FORWARD_KERNEL = 'TestbedsCausalAttention';
export const BACKWARD_KERNEL = 'TestbedsCausalAttentionGrad';

/** Shapes the fused kernel handles: head size a multiple of 4 (SIMD rows). */
export function fusedAttentionSupports(shape: readonly number[]): boolean {
  return shape.length === 4 && shape[3] % 4 === 0 && shape[3] > 0 && shape[2] > 0;
}

function heapView(backend: WasmBackendInternals, t: tf.TensorInfo, n: number): Float32Array {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('attention kernel: tensor data not found on the wasm backend');
  return new Float32Array(backend.wasm.HEAPU8.buffer, data.memoryOffset, n);
}

/** Cumulative time spent copying between tfjs' heap and ours (for the benchmark's report). */
export const copyStats = { ms: 0, calls: 0 };

function forwardKernel(args: { inputs: Record<string, tf.TensorInfo>; backend: unknown }): tf.TensorInfo[] {
  const { q, k, v } = args.inputs;
  const backend = args.backend as WasmBackendInternals;
  const [B, H, T, hs] = q.shape;
  const BH = B * H;
  const n = BH * T * hs;
  const o = backend.makeOutput([B, H, T, hs], 'float32');
  const lse = backend.makeOutput([B, H, T], 'float32');
  const { exports: x, arena } = attentionKernel;
  const Tp = (T + 3) & ~3;
  const mark = arena.mark();
  try {
    const pq = arena.alloc(n * 4), pk = arena.alloc(n * 4), pv = arena.alloc(n * 4);
    const po = arena.alloc(n * 4), pl = arena.alloc(BH * T * 4);
    const scratch = arena.alloc((hs * Tp + Tp) * 4);
    const t0 = performance.now();
    const mem = () => new Float32Array(x.memory.buffer);
    const m = mem();
    m.set(heapView(backend, q, n), pq >> 2);
    m.set(heapView(backend, k, n), pk >> 2);
    m.set(heapView(backend, v, n), pv >> 2);
    const t1 = performance.now();
    x.attentionForward(pq, pk, pv, po, pl, BH, T, hs, 1 / Math.sqrt(hs), scratch);
    const t2 = performance.now();
    const m2 = mem();
    heapView(backend, o, n).set(m2.subarray(po >> 2, (po >> 2) + n));
    heapView(backend, lse, BH * T).set(m2.subarray(pl >> 2, (pl >> 2) + BH * T));
    copyStats.ms += t1 - t0 + (performance.now() - t2);
    copyStats.calls++;
  } finally {
    arena.reset(mark);
  }
  return [o, lse];
}

function backwardKernel(args: { inputs: Record<string, tf.TensorInfo>; backend: unknown }): tf.TensorInfo[] {
  const { q, k, v, lse, dy } = args.inputs;
  const backend = args.backend as WasmBackendInternals;
  const [B, H, T, hs] = q.shape;
  const BH = B * H;
  const n = BH * T * hs;
  const dq = backend.makeOutput([B, H, T, hs], 'float32');
  const dk = backend.makeOutput([B, H, T, hs], 'float32');
  const dv = backend.makeOutput([B, H, T, hs], 'float32');
  const { exports: x, arena } = attentionKernel;
  const Tp = (T + 3) & ~3;
  const mark = arena.mark();
  try {
    const pq = arena.alloc(n * 4), pk = arena.alloc(n * 4), pv = arena.alloc(n * 4), pdo = arena.alloc(n * 4);
    const pl = arena.alloc(BH * T * 4);
    const pdq = arena.alloc(n * 4), pdk = arena.alloc(n * 4), pdv = arena.alloc(n * 4);
    const scratch = arena.alloc((2 * hs * Tp + 2 * Tp) * 4);
    const t0 = performance.now();
    const m = new Float32Array(x.memory.buffer);
    m.set(heapView(backend, q, n), pq >> 2);
    m.set(heapView(backend, k, n), pk >> 2);
    m.set(heapView(backend, v, n), pv >> 2);
    m.set(heapView(backend, dy, n), pdo >> 2);
    m.set(heapView(backend, lse, BH * T), pl >> 2);
    const t1 = performance.now();
    x.attentionBackward(pq, pk, pv, pdo, pl, pdq, pdk, pdv, BH, T, hs, 1 / Math.sqrt(hs), scratch);
    const t2 = performance.now();
    const m2 = new Float32Array(x.memory.buffer);
    heapView(backend, dq, n).set(m2.subarray(pdq >> 2, (pdq >> 2) + n));
    heapView(backend, dk, n).set(m2.subarray(pdk >> 2, (pdk >> 2) + n));
    heapView(backend, dv, n).set(m2.subarray(pdv >> 2, (pdv >> 2) + n));
    copyStats.ms += t1 - t0 + (performance.now() - t2);
    copyStats.calls++;
  } finally {
    arena.reset(mark);
  }
  return [dq, dk, dv];
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
}

function runKernel(name: string, inputs: Record<string, tf.Tensor>): tf.Tensor[] {
  return tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, {}) as unknown as tf.Tensor[];
}

const fused = customGrad((q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, save: tf.GradSaveFunc) => {
  const [o, lse] = runKernel(FORWARD_KERNEL, { q, k, v });
  save([q, k, v, lse]);
  return {
    value: o,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sq, sk, sv, slse] = saved;
      return runKernel(BACKWARD_KERNEL, { q: sq, k: sk, v: sv, lse: slse, dy });
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
