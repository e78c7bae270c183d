/**
 * Unpack (tf.unstack) on tfjs-wasm without the quadratic copy. tfjs-wasm 4.22's Unpack slices its
 * input once per output, and each slice first copies the WHOLE input out of the heap (readSync),
 * so unstacking T steps costs T full copies: at T = 64 it was ~75 % of an LSTM's forward pass (the
 * recurrence unstacks its input projection over time). This kernel copies each output's rows
 * straight from a view of the heap: one pass over the input. Pure data movement, so the values
 * (and, through the unchanged Pack gradient, the gradients) are the same bits.
 */
import * as tf from '@tensorflow/tfjs-core';

interface WasmBackendLike {
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  wasm: { HEAPU8: Uint8Array };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

type Typed = Float32Array | Int32Array;

function view(backend: WasmBackendLike, t: tf.TensorInfo): Typed {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('Unpack: tensor data not found on the wasm backend');
  const n = t.shape.reduce((a, b) => a * b, 1);
  const C = t.dtype === 'int32' ? Int32Array : Float32Array;
  return new C(backend.wasm.HEAPU8.buffer as ArrayBuffer, data.memoryOffset, n); // shared when threads run
}

/** out[i] = x[..., i, ...] along `axis`: [outer, n, inner] → n × [outer, inner]. */
export function unpackInto(x: Typed, outs: Typed[], outer: number, n: number, inner: number): void {
  for (let i = 0; i < n; i++) {
    const o = outs[i];
    for (let r = 0; r < outer; r++) o.set(x.subarray((r * n + i) * inner, (r * n + i + 1) * inner), r * inner);
  }
}

let original: tf.KernelFunc | undefined;

function unpackWasm(args: { inputs: { value: tf.TensorInfo }; backend: unknown; attrs: { axis: number } }): tf.TensorInfo[] {
  const x = args.inputs.value;
  // bool and string keep tfjs' own kernel (their heap layout differs; nothing here unstacks them).
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return original!(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo[];
  const backend = args.backend as WasmBackendLike;
  const rank = x.shape.length;
  const axis = args.attrs.axis < 0 ? args.attrs.axis + rank : args.attrs.axis;
  const n = x.shape[axis];
  const outShape = x.shape.filter((_, i) => i !== axis);
  const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outs = Array.from({ length: n }, () => backend.makeOutput(outShape, x.dtype));
  // Views after every makeOutput (an allocation may grow the heap and detach older views).
  unpackInto(view(backend, x), outs.map((o) => view(backend, o)), outer, n, inner);
  return outs;
}

let registered = false;

/** Replaces tfjs-wasm's Unpack with the one-pass kernel above (idempotent; initBackend calls it). */
export function registerUnpackKernel(): void {
  if (registered) return;
  const k = tf.getKernel('Unpack', 'wasm');
  if (k == null) return; // the wasm backend is not imported: nothing to replace
  registered = true;
  original = k.kernelFunc;
  tf.unregisterKernel('Unpack', 'wasm');
  tf.registerKernel({ kernelName: 'Unpack', backendName: 'wasm', kernelFunc: unpackWasm as unknown as tf.KernelFunc });
}
