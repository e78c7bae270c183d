/**
 * Dense layers and embeddings with gradients that keep tfjs-wasm on its fast path.
 *
 * tfjs-wasm's BatchMatMul calls XNNPACK only for rank-2 operands without transpose flags; anything
 * else is a naive loop (1–2.5 GFLOP/s). The default matMul gradient uses transpose flags, so here
 * every product is rank 2 with explicit transposes (2.7–6x faster training, measured in issue #5);
 * dense layers now use our own gemm (ops/gemm.ts), which takes the transposes as strides.
 * The bias gradient is a column sum (a kernel on wasm: tf.sum over axis 0 transposes first).
 */
import * as tf from '@tensorflow/tfjs-core';
import { customGrad } from './customgrad.js';
import { columnSum, gatherRows } from './nn.js';
import { checkInstance } from '../../validate/index.js';
import { matMulT } from './gemm.js';

/** a·b for rank-2 or batched operands, with a gradient built from explicit transposes (no flags). */
export function matmul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.rank !== b.rank || a.rank < 2) throw new Error(`matmul: ranks ${a.rank} and ${b.rank}, expected equal ranks >= 2`);
  return matmulGrad(a, b);
}

function swapLast(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  const r = t.rank;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return tf.transpose(t, perm);
}

const matmulGrad = customGrad((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      return [tf.matMul(dy, swapLast(sb)), tf.matMul(swapLast(sa), dy)];
    },
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

// Dense layers: our gemm on wasm reads the transposed operands through strides (no transpose
// copies); elsewhere matMulT is tf.matMul with transpose flags.
const linearNoBias = customGrad((x2: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x2, w]);
  return {
    value: matMulT(x2, w),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved;
      return [matMulT(dy, sw, false, true), matMulT(sx, dy, true, false)];
    },
  };
}) as (x2: tf.Tensor, w: tf.Tensor) => tf.Tensor;

const linearBias = customGrad((x2: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x2, w]);
  return {
    value: matMulT(x2, w, false, false, b), // the bias added in gemm's last pass: tf.add's bits
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved;
      return [matMulT(dy, sw, false, true), matMulT(sx, dy, true, false), columnSum(dy)];
    },
  };
}) as (x2: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** y = x·w + b over the last axis: x [..., in], w [in, out], b [out] → [..., out]. */
export function linear(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  checkInstance('linear', 'x', x, tf.Tensor, 'a tfjs tensor [..., in]');
  checkInstance('linear', 'w', w, tf.Tensor, 'a tfjs tensor [in, out]');
  if (b !== undefined) checkInstance('linear', 'b', b, tf.Tensor, 'a tfjs tensor [out]');
  if (w.rank !== 2) throw new Error(`linear: w has rank ${w.rank}, expected 2 ([in, out])`);
  const [nIn, nOut] = w.shape;
  if (x.shape[x.rank - 1] !== nIn) throw new Error(`linear: x.shape [${x.shape}] ends in ${x.shape[x.rank - 1]}, expected w's in = ${nIn}`);
  if (b && (b.rank !== 1 || b.shape[0] !== nOut)) throw new Error(`linear: b.shape [${b.shape}], expected [${nOut}]`);
  return tf.tidy(() => {
    const lead = x.shape.slice(0, -1);
    const x2 = x.rank === 2 ? x : tf.reshape(x, [-1, nIn]); // (N, in)
    const y2 = b ? linearBias(x2, w, b) : linearNoBias(x2, w); // (N, out)
    return x.rank === 2 ? y2 : tf.reshape(y2, [...lead, nOut]);
  });
}

/**
 * Rows of `table` [V, d] picked by integer `ids` [...] → [..., d]; differentiable in `table`
 * (tf.gather's bits; on wasm a row-copy kernel, and the gradient is tf.gather's, UnsortedSegmentSum,
 * which initBackend registers on wasm).
 */
export function embedding(ids: tf.Tensor, table: tf.Tensor): tf.Tensor {
  if (ids.dtype !== 'int32') throw new Error(`embedding: ids.dtype is ${ids.dtype}, expected int32`);
  if (table.rank !== 2) throw new Error(`embedding: table has rank ${table.rank}, expected 2 ([V, d])`);
  return gatherRows(table, ids);
}

/**
 * One-hot rows as float32. Avoids `tf.oneHot(ids, n, 1, 0, 'float32')`, which returns wrong bits
 * on tfjs-wasm 4.22: the int32 one-hot is correct, so we cast it.
 */
export function oneHotFloat(ids: tf.Tensor, depth: number): tf.Tensor {
  if (ids.dtype !== 'int32') throw new Error(`oneHotFloat: ids.dtype is ${ids.dtype}, expected int32`);
  return tf.tidy(() => tf.cast(tf.oneHot(ids as tf.Tensor1D, depth), 'float32'));
}
