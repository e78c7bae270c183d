/**
 * tfjs-wasm's `Add` for float32 operands of the same size, or with one operand broadcast over the
 * other's rows (a bias [out] onto [N, out], a position table [T, d] onto [B, T, d]), split over our
 * threads (assembly/nn/add.ts); every other Add (other dtypes, other broadcasts, calls that stay on
 * one thread) goes to tfjs-wasm's own kernel, kept from before the override.
 *
 * Why: a GPT training step at L=4 runs 34 Adds (the dense layers' bias adds and the residual adds
 * forward; autodiff's sums of gradients at each residual branch point backward), ~13 ms of a
 * 371 ms 2-thread step, all on one thread. Overriding the kernel, not our models' calls, catches
 * autodiff's sums too.
 *
 * Bits: each element is one IEEE f32 addition, which rounds the same whoever computes it and in
 * either operand order, so the result equals tfjs-wasm's (XNNPACK's) bit for bit; only a NaN's sign
 * and payload may differ (WebAssembly leaves them unspecified). `useThreadedSmallKernels(false)`
 * sends every Add back to tfjs-wasm's kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { wasmBase64 } from '../../kernels/generated/nn.js';
import type { WasmBackendInternals } from '../backend.js';
import { onTfjsHeap } from './tfjs_heap.js';
import { parallelThresholds, runParts } from './threads.js';
import { smallKernelParts } from './nn.js';

interface AddExports {
  addSame(a: number, b: number, out: number, n: number): void;
  addRows(a: number, b: number, out: number, rows: number, m: number): void;
}

type KernelArgs = { inputs: { a: tf.TensorInfo; b: tf.TensorInfo }; backend: unknown; attrs?: Record<string, unknown> };

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Whether `s` (leading 1s dropped) is the trailing part of `out`: s broadcasts over out's rows. */
function isTrailing(s: readonly number[], out: readonly number[]): boolean {
  let i = 0;
  while (i < s.length && s[i] === 1) i++;
  const t = s.slice(i);
  return t.length <= out.length && t.every((v, j) => v === out[out.length - t.length + j]);
}

let tfjsAdd: tf.KernelFunc | null = null;

/** Adds our kernel has run (the tests check that the split path is the one they exercised). */
export const threadedAddCalls = { count: 0 };

function add(args: KernelArgs): tf.TensorInfo {
  const { a, b } = args.inputs;
  const fallback = () => tfjsAdd!(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  const [na, nb] = [size(a.shape), size(b.shape)];
  // Most Adds stay on one thread (below streamElements, or one operand is not the full output):
  // tfjs-wasm's kernel at once, before any shape work.
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || Math.max(na, nb) < parallelThresholds.streamElements) return fallback();
  const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const n = size(shape);
  // full: the operand with every element; row: the one added to each of its rows (m floats)
  let full: tf.TensorInfo, row: tf.TensorInfo | null;
  if (na === n && nb === n) [full, row] = [a, null];
  else if (na === n && isTrailing(b.shape, shape)) [full, row] = [a, b];
  else if (nb === n && isTrailing(a.shape, shape)) [full, row] = [b, a];
  else return fallback();
  const m = row ? size(row.shape) : n;
  const rows = n / Math.max(1, m);
  const parts = row ? smallKernelParts(rows, n) : smallKernelParts(n, n, 4);
  if (parts.length < 2) return fallback(); // one thread: tfjs-wasm's kernel, as before
  const be = args.backend as WasmBackendInternals;
  const k = onTfjsHeap<AddExports>(be, 'nn', wasmBase64).exports;
  const out = be.makeOutput(shape, 'float32');
  threadedAddCalls.count++;
  const ptr = (t: tf.TensorInfo) => be.dataIdMap.get(t.dataId)!.memoryOffset;
  const [pf, pr, po] = [ptr(full), row ? ptr(row) : 0, ptr(out)];
  if (row) runParts('nn', 'addRows', k.addRows, parts.map(([r0, r1]) => [pf + 4 * r0 * m, pr, po + 4 * r0 * m, r1 - r0, m]));
  else {
    const pb = ptr(b);
    runParts('nn', 'addSame', k.addSame, parts.map(([i0, i1]) => [pf + 4 * i0, pb + 4 * i0, po + 4 * i0, i1 - i0]));
  }
  return out;
}

let registered = false;

/** Puts the threaded Add in front of tfjs-wasm's (idempotent; initBackend calls it). */
export function registerThreadedAdd(): void {
  if (registered) return;
  const original = tf.getKernel('Add', 'wasm');
  if (!original) return; // tfjs-backend-wasm not loaded: nothing to replace
  registered = true;
  tfjsAdd = original.kernelFunc;
  tf.unregisterKernel('Add', 'wasm');
  tf.registerKernel({ ...original, kernelFunc: add as unknown as tf.KernelFunc });
}
