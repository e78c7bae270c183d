// Our wasm Unpack (src/learning/ops/unpack.ts) against the plain definition: the same bits, every
// axis and dtype, and the LSTM forward (which unstacks over time) unchanged.
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/learning/backend.js';
import { unpackInto } from '../../src/learning/ops/unpack.js';

/** out[i][flat index of the other axes] = x[..., i, ...], by index arithmetic. */
function reference(x: ArrayLike<number>, shape: number[], axis: number): number[][] {
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const outs: number[][] = Array.from({ length: shape[axis] }, () => []);
  const size = shape.reduce((a, b) => a * b, 1);
  for (let f = 0; f < size; f++) outs[Math.floor(f / strides[axis]) % shape[axis]].push(x[f]);
  return outs;
}

describe('Unpack on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('equals the definition bit for bit (float32 and int32, every axis)', () => {
    expect(tf.getKernel('Unpack', 'wasm')!.kernelFunc.name).toBe('unpackWasm'); // ours is the one in use
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }), fc.nat(), fc.boolean(), (shape, a, int) => {
        const axis = a % shape.length;
        const size = shape.reduce((p, q) => p * q, 1);
        const values = Array.from({ length: size }, (_, i) => (int ? i * 7 - 11 : Math.fround(Math.sin(i + 1) * 1e3)));
        const x = tf.tensor(values, shape, int ? 'int32' : 'float32');
        const parts = tf.unstack(x, axis);
        const want = reference(values, shape, axis);
        expect(parts.map((p) => Array.from(p.dataSync()))).toEqual(want);
        for (const p of parts) expect(p.shape).toEqual(shape.filter((_, d) => d !== axis));
        tf.dispose([x, ...parts]);
      }),
      { numRuns: 60 },
    );
  });

  it('negative axes and the gradient (Pack) are unchanged', () => {
    const x = tf.tensor3d(Array.from({ length: 24 }, (_, i) => i / 3), [2, 3, 4]);
    const a = tf.unstack(x, -2);
    const b = tf.unstack(x, 1);
    expect(a.map((t) => Array.from(t.dataSync()))).toEqual(b.map((t) => Array.from(t.dataSync())));
    const g = tf.grad((t: tf.Tensor) => tf.addN(tf.unstack(t, 1).map((s, i) => tf.mul(s, i + 1))).sum())(x);
    expect(Array.from(g.dataSync())).toEqual(Array.from({ length: 24 }, (_, i) => Math.floor(i / 4) % 3 + 1));
    tf.dispose([x, g, ...a, ...b]);
  });

  it('unpackInto copies rows of [outer, n, inner]', () => {
    const x = Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => i);
    const outs = Array.from({ length: 3 }, () => new Float32Array(4));
    unpackInto(x, outs, 2, 3, 2);
    expect(outs.map((o) => Array.from(o))).toEqual([[0, 1, 6, 7], [2, 3, 8, 9], [4, 5, 10, 11]]);
  });
});
