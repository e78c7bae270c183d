/**
 * AdamW's whole update, every parameter, as ONE tfjs kernel on wasm (assembly/nn/optim.ts on
 * tfjs' heap): the global gradient norm, the clip scale, and per parameter the moments and the
 * new value, in two passes over memory.
 *
 * Why: src/learning/optim.ts's tf-op chain launches ~17 kernels per parameter tensor plus ~2 for
 * its share of the norm (≈ 500 launches per step for a 2-layer GPT), each with engine
 * bookkeeping and a pass over memory.
 *
 * Same bits as the chain: every op of the chain is one f32 rounding on tfjs-wasm, and the kernel
 * does the same operations in the same order. The scalars are rounded to f32 exactly as tfjs
 * rounds a number operand (Math.fround of the double the chain computes); the norm's sums are
 * left to right as tfjs-wasm's Sum and AddN add (test/learning/ops_optim.test.ts compares the
 * two paths bit for bit).
 */
import * as tf from '@tensorflow/tfjs-core';
import { wasmBase64 } from '../../kernels/generated/nn.js';
import type { WasmBackendInternals } from '../backend.js';
import { onTfjsHeap } from './tfjs_heap.js';

interface OptimExports {
  sumSquares(g: number, n: number): number;
  adamwUpdate(p: number, g: number, m: number, v: number, pOut: number, mOut: number, vOut: number, n: number,
    scale: number, b1: number, c1: number, b2: number, c2: number, bc1: number, bc2: number, eps: number, keep: number, lr: number, decayed: number): void;
}

/** The scalars of one AdamW step (OptimConfig's fields, the step's lr and Adam's t ≥ 1). */
export interface AdamWStep {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  clip: number;
  lr: number;
  /** Bias corrections 1 − β1^t and 1 − β2^t, as the caller computes them (in double). */
  bc1: number;
  bc2: number;
}

const f = Math.fround;

/**
 * The clip factor from the per-tensor sums of squares, as the chain computes it: norm = sqrt(Σ)
 * (AddN left to right), scale = min(1, clip/(norm + 1e-6)), or 1 without clipping. Every
 * operation is one f32 rounding (double arithmetic on f32 operands, then fround, is correctly
 * rounded for + − × ÷ and sqrt).
 */
export function clipScale(sums: readonly number[], clip: number): { norm: number; scale: number } {
  let total = 0;
  for (const s of sums) total = f(total + s);
  const norm = f(Math.sqrt(total));
  if (!(clip > 0)) return { norm, scale: 1 };
  const q = f(f(clip) / f(norm + f(1e-6)));
  // tf.minimum(1, q) on wasm is XNNPACK's pmin, q < 1 ? q : 1: a NaN norm leaves the gradients unscaled.
  return { norm, scale: q < 1 ? q : 1 };
}

function ptr(backend: WasmBackendInternals, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('adamw kernel: tensor data not found on the wasm backend');
  return data.memoryOffset;
}

type KernelArgs = { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs?: Record<string, unknown> };

/**
 * Inputs p0, g0, m0, v0, p1, …; attrs: count, decayed (per tensor), and AdamWStep's fields.
 * Outputs [norm, p0', m0', v0', p1', …].
 */
function adamwKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const be = backend as WasmBackendInternals;
  const k = onTfjsHeap<OptimExports>(be, 'nn', wasmBase64).exports;
  const a = attrs as unknown as AdamWStep & { count: number; decayed: boolean[] };
  const sums: number[] = [];
  for (let i = 0; i < a.count; i++) {
    const g = inputs[`g${i}`];
    sums.push(k.sumSquares(ptr(be, g), g.shape.reduce((x, y) => x * y, 1)));
  }
  const { norm, scale } = clipScale(sums, a.clip);
  const normOut = be.makeOutput([], 'float32');
  be.wasm.HEAPF32[ptr(be, normOut) >> 2] = norm;
  const out: tf.TensorInfo[] = [normOut];
  for (let i = 0; i < a.count; i++) {
    const [p, g, m, v] = [inputs[`p${i}`], inputs[`g${i}`], inputs[`m${i}`], inputs[`v${i}`]];
    const [pOut, mOut, vOut] = [be.makeOutput(p.shape, 'float32'), be.makeOutput(p.shape, 'float32'), be.makeOutput(p.shape, 'float32')];
    const decay = a.decayed[i] ? a.weightDecay : 0;
    k.adamwUpdate(ptr(be, p), ptr(be, g), ptr(be, m), ptr(be, v), ptr(be, pOut), ptr(be, mOut), ptr(be, vOut), p.shape.reduce((x, y) => x * y, 1),
      scale, f(a.beta1), f(1 - a.beta1), f(a.beta2), f(1 - a.beta2), f(a.bc1), f(a.bc2), f(a.eps), f(1 - a.lr * decay), f(a.lr), decay > 0 ? 1 : 0);
    out.push(pOut, mOut, vOut);
  }
  return out;
}

let registered = false;

/** Registers TestbedsAdamW for the 'wasm' backend (idempotent; initBackend calls it). */
export function registerAdamWKernel(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel('TestbedsAdamW', 'wasm') == null) tf.registerKernel({ kernelName: 'TestbedsAdamW', backendName: 'wasm', kernelFunc: adamwKernel as unknown as tf.KernelFunc });
}

let fused = true;

/** Whether AdamW.apply uses the fused kernel on wasm (default) or the tf-op chain; returns the previous setting. */
export function useFusedAdamW(on: boolean): boolean {
  if (typeof on !== 'boolean') throw new Error(`useFusedAdamW: on must be a boolean, got ${JSON.stringify(on)}`);
  const was = fused;
  fused = on;
  return was;
}

/** Whether AdamW.apply takes the fused kernel: on the wasm backend, unless useFusedAdamW(false). */
export function adamwFusedSupported(): boolean {
  return fused && tf.getBackend() === 'wasm';
}

/**
 * One fused AdamW step on the wasm backend: new parameters, first and second moments (fresh
 * tensors: the caller assigns them) and the pre-clip global gradient norm. `decayed[i]` says
 * whether tensor i gets weight decay. Same bits as AdamW.applyReference.
 */
export function adamwFused(params: readonly tf.Tensor[], grads: readonly tf.Tensor[], m: readonly tf.Tensor[], v: readonly tf.Tensor[], decayed: readonly boolean[], s: AdamWStep): { norm: tf.Scalar; params: tf.Tensor[]; m: tf.Tensor[]; v: tf.Tensor[] } {
  const count = params.length;
  if (grads.length !== count || m.length !== count || v.length !== count || decayed.length !== count) throw new Error(`adamwFused: ${count} params but ${grads.length} grads, ${m.length} m, ${v.length} v, ${decayed.length} decay flags`);
  if (tf.getBackend() !== 'wasm') throw new Error(`adamwFused: needs the wasm backend, the active one is ${tf.getBackend()}`);
  const inputs: Record<string, tf.Tensor> = {};
  for (let i = 0; i < count; i++) {
    for (const [key, t] of [['p', params[i]], ['g', grads[i]], ['m', m[i]], ['v', v[i]]] as const) {
      if (!(t instanceof tf.Tensor)) throw new Error(`adamwFused: ${key}[${i}] is not a tensor`);
      if (t.dtype !== 'float32') throw new Error(`adamwFused: ${key}[${i}].dtype is ${t.dtype}, expected float32`);
      if (t.size !== params[i].size) throw new Error(`adamwFused: ${key}[${i}] has ${t.size} values, params[${i}] has ${params[i].size}`);
      inputs[`${key}${i}`] = t;
    }
  }
  const attrs = { ...s, count, decayed: [...decayed] };
  const out = tf.engine().runKernel('TestbedsAdamW', inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as unknown as tf.Tensor[];
  return { norm: out[0] as tf.Scalar, params: out.filter((_, j) => j % 3 === 1), m: out.filter((_, j) => j > 0 && j % 3 === 2), v: out.filter((_, j) => j > 0 && j % 3 === 0) };
}
