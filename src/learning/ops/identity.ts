/**
 * tfjs-wasm's Identity kernel copies the tensor. The engine runs it for every tensor a gradient
 * saves (each op's saved inputs, tf.customGrad's `save`): ~80 full copies per training step of a
 * 2-layer GPT. Tensors are immutable (a Variable's assign swaps its data, never writes into it),
 * so the clone can share the data under a reference count, as tfjs-wasm's own Reshape and
 * tfjs-cpu's Identity do. Same bits by construction; `shareIdentity(false)` restores the copy
 * (for same-run before/after measurements).
 */
import * as tf from '@tensorflow/tfjs-core';

type KernelArgs = { inputs: { x: tf.TensorInfo }; backend: { incRef(dataId: object): void }; attrs?: Record<string, unknown> };

let share = true;
let copying: tf.KernelFunc | null = null;

/** Whether clones on wasm share their data (default) or copy it as tfjs-wasm does; returns the previous setting. */
export function shareIdentity(on: boolean): boolean {
  if (typeof on !== 'boolean') throw new Error(`shareIdentity: on must be a boolean, got ${JSON.stringify(on)}`);
  const was = share;
  share = on;
  return was;
}

function identity(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs;
  if (!share || x.dtype === 'string') return copying!(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

let registered = false;

/** Replaces tfjs-wasm's Identity by the sharing one (idempotent; initBackend calls it). */
export function registerSharedIdentity(): void {
  if (registered) return;
  const original = tf.getKernel('Identity', 'wasm');
  if (!original) return; // tfjs-backend-wasm not loaded: nothing to replace
  registered = true;
  copying = original.kernelFunc;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ ...original, kernelFunc: identity as unknown as tf.KernelFunc });
}
