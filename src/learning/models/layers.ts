/**
 * Small building blocks shared by the models: one-hot embedding (no tf.gather, whose gradient
 * needs the UnsortedSegmentSum kernel that tfjs-wasm lacks), LayerNorm, GELU, dropout from a
 * seeded Rng. Activations are kept as (N, d) matrices so every dense layer is a rank-2 matmul.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../random/prng.js';
import { cos, pow, sin } from '../../random/detmath.js';
import { gelu as geluOp, layerNorm as layerNormOp, linear as linearOp } from '../ops/index.js';
import { checkInstance, checkInteger, fail } from '../../validate/index.js';

/** y = x W + b on (N, din) → (N, dout); src/learning/ops' linear (explicit-transpose gradients, XNNPACK path). */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  return linearOp(x, w, b) as tf.Tensor2D;
}

/** ids (any shape, int32) → one-hot float32 (ids.size, n), by comparison then cast
 *  (tf.oneHot with a float32 dtype returns wrong bits on wasm in tfjs 4.22). */
export function oneHot(ids: tf.Tensor, n: number): tf.Tensor2D {
  return tf.tidy(() => {
    const flat = tf.reshape(ids, [-1, 1]);
    return tf.cast(tf.equal(flat, tf.reshape(tf.range(0, n, 1, 'int32'), [1, n])), 'float32') as tf.Tensor2D;
  });
}

/** Token embedding = one-hot · W, a matmul whose gradient is a matmul. ids (B, T) → (B·T, d). */
export function embed(ids: tf.Tensor, w: tf.Tensor2D): tf.Tensor2D {
  checkInstance('embed', 'ids', ids, tf.Tensor, 'a tfjs tensor of token ids');
  checkInstance('embed', 'w', w, tf.Tensor, 'a tfjs tensor [vocab, d]');
  return linear(oneHot(ids, w.shape[0]), w);
}

/** LayerNorm over the last axis of x (N, d); the fused kernel of src/learning/ops on wasm when d % 4 = 0. */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps = 1e-5): tf.Tensor2D {
  for (const [name, v] of [['x', x], ['gamma', gamma], ['beta', beta]] as const) checkInstance('layerNorm', name, v, tf.Tensor, 'a tfjs tensor');
  return layerNormOp(x, gamma, beta, eps) as tf.Tensor2D;
}

/** GELU, tanh approximation (GPT-2's); fused on wasm. */
export function gelu(x: tf.Tensor): tf.Tensor {
  checkInstance('gelu', 'x', x, tf.Tensor, 'a tfjs tensor');
  return geluOp(x);
}

/** ReLU (the compiled shortcuts' activation: exact piecewise-linear steps). */
export function relu(x: tf.Tensor): tf.Tensor {
  return tf.relu(x);
}

/** Inverted dropout with a mask drawn from `rng` (identity when rate is 0 or rng is absent). */
export function dropout(x: tf.Tensor, rate: number, rng: Rng | undefined): tf.Tensor {
  if (!(rate > 0) || !rng) return x;
  const keep = 1 - rate;
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.nextFloat() < keep ? 1 / keep : 0;
  return tf.mul(x, tf.tensor(mask, x.shape, 'float32'));
}

/** Fixed sinusoidal positions (Vaswani et al.): (T, d). */
export function sinusoidalPositions(T: number, d: number): Float32Array {
  checkInteger('sinusoidalPositions', 'T', T, 1, 1 << 20);
  checkInteger('sinusoidalPositions', 'd', d, 1, 1 << 16);
  if (T * d > 2 ** 28) fail('sinusoidalPositions', `T·d = ${T * d} entries is above the limit of 2^28`);
  const out = new Float32Array(T * d);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < d; i += 2) {
      const freq = pow(10000, -i / d); // detmath: the same table in Node and browsers
      out[t * d + i] = sin(t * freq);
      if (i + 1 < d) out[t * d + i + 1] = cos(t * freq);
    }
  }
  return out;
}
