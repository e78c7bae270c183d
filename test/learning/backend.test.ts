// initBackend: wasm with SIMD, gradients and chained ops registered, the known tfjs-wasm 4.22
// gaps handled (gather's gradient, float one-hot), switching backends, bad input.
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/learning/backend.js';
import { embedding, oneHotFloat } from '../../src/learning/ops/index.js';
import { runOn, expectClose } from './helpers.js';

describe('initBackend', () => {
  it('activates wasm with SIMD, idempotently', async () => {
    expect(await initBackend('wasm')).toBe('wasm');
    expect(await initBackend()).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')).toBe(true);
  });

  it('registers gradients and chained ops on the same tfjs-core instance', async () => {
    await initBackend('wasm');
    const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, x)))(tf.tensor1d([1, -2, 3])).arraySync());
    expect(g).toEqual([2, -4, 6]);
    const s = tf.tidy(() => tf.tensor1d([1, 2]).add(tf.tensor1d([3, 4])).arraySync());
    expect(s).toEqual([4, 6]);
  });

  it('has gradients for every kernel the Transformer, LSTM/GRU and losses use', async () => {
    await initBackend('wasm');
    const kernels = ['BatchMatMul', 'Add', 'AddN', 'Multiply', 'Sub', 'RealDiv', 'Neg', 'Exp', 'Log', 'Sqrt', 'Rsqrt', 'Square', 'Pow',
      'Tanh', 'Sigmoid', 'Relu', 'Erf', 'Softmax', 'Sum', 'Mean', 'Max', 'Maximum', 'Minimum', 'Reshape', 'Transpose', 'GatherV2',
      'Cast', 'SplitV', 'Concat', 'Slice', 'Tile', 'Pack', 'Unpack', 'Select', 'SquaredDifference', 'ClipByValue',
      'Abs', 'Identity', 'UnsortedSegmentSum'];
    // (tfjs 4.22 has no StridedSlice gradient at all: use tf.slice in models.)
    const missing = kernels.filter((k) => tf.getGradient(k) == null);
    expect(missing).toEqual([]);
  });

  it('switches to cpu and back', async () => {
    expect(await initBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(await initBackend('wasm')).toBe('wasm');
  });

  it('rejects an unknown backend by name', async () => {
    await expect(initBackend('webgl' as never)).rejects.toThrow(/backend must be 'wasm' or 'cpu', got "webgl"/);
  });
});

describe('known tfjs-wasm 4.22 gaps are handled', () => {
  it('oneHotFloat gives exact 0/1 floats on wasm', async () => {
    await initBackend('wasm');
    const got = tf.tidy(() => Array.from(oneHotFloat(tf.tensor1d([2, 0, 1], 'int32'), 3).dataSync()));
    expect(got).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
  });

  it("tf.gather's gradient (UnsortedSegmentSum) works on wasm and matches cpu", async () => {
    const ids = new Int32Array([1, 4, 1, 0, 4, 4]); // (2, 3): repeated ids must accumulate
    const table = Float32Array.from({ length: 5 * 3 }, (_, i) => Math.sin(i));
    const f = (i: tf.Tensor, t: tf.Tensor) => {
      const loss = (tt: tf.Tensor) => tf.sum(tf.mul(embedding(i, tt), tf.range(1, 4).reshape([1, 1, 3])));
      return [embedding(i, t), tf.grad(loss)(t)];
    };
    const inputs = [{ data: ids, shape: [2, 3] }, { data: table, shape: [5, 3] }];
    const wasm = await runOn('wasm', inputs, f);
    const cpu = await runOn('cpu', inputs, f);
    expectClose(wasm, cpu, 1e-6);
    // Row 4 appears three times, row 2 never: gradient rows 3·[1,2,3] and 0.
    expect(Array.from(wasm[1].slice(12, 15))).toEqual([3, 6, 9]);
    expect(Array.from(wasm[1].slice(6, 9))).toEqual([0, 0, 0]);
  });

  it('UnsortedSegmentSum drops out-of-range ids like TensorFlow', async () => {
    await initBackend('wasm');
    const got = tf.tidy(() => Array.from(tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6]]), tf.tensor1d([2, -1, 2], 'int32'), 3).dataSync()));
    expect(got).toEqual([0, 0, 0, 0, 6, 8]);
  });
});
