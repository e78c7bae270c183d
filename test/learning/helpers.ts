// Shared by the learning op tests: run the same computation on tfjs-cpu and tfjs-wasm and compare.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '../../src/learning/backend.js';
import { Rng } from '../../src/random/prng.js';

export type Arrays = Float32Array[];

/** Runs `f` on fresh tensors built from `inputs` on backend `name`, returns its outputs as arrays. */
export async function runOn(name: BackendName, inputs: { data: Float32Array | Int32Array; shape: number[] }[], f: (...ts: tf.Tensor[]) => tf.Tensor[]): Promise<Arrays> {
  await initBackend(name);
  return tf.tidy(() => {
    const ts = inputs.map((i) => tf.tensor(i.data, i.shape, i.data instanceof Int32Array ? 'int32' : 'float32'));
    return f(...ts).map((t) => t.dataSync() as Float32Array);
  });
}

export function randn(rng: Rng, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = scale * rng.nextNormal();
  return a;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function expectClose(a: Arrays, b: Arrays, tol: number): void {
  if (a.length !== b.length) throw new Error(`${a.length} outputs vs ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    const d = maxAbsDiff(a[i], b[i]);
    let scale = 1;
    for (const x of b[i]) scale = Math.max(scale, Math.abs(x));
    if (!(d <= tol * scale)) throw new Error(`output ${i}: max |diff| ${d} > ${tol} x ${scale}`);
  }
}
