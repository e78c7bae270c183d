/**
 * TEMPORARY stand-ins for src/learning/ops/* (owned by the learnperf branch): a linear layer whose
 * gradient uses explicit transposes (rank-2 matmuls without transpose flags hit XNNPACK on wasm)
 * and plain causal self-attention. Replaced by learnperf's fused versions when merged.
 */
import * as tf from '@tensorflow/tfjs-core';

/** y = x W + b for x (N, din), W (din, dout), b (dout). */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const f = tf.customGrad(((xx: tf.Tensor, ww: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xx, ww]);
    return {
      value: tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as tf.Tensor2D[];
        return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy as tf.Tensor2D)];
      },
    };
  }) as any);
  const y = f(x, w) as tf.Tensor2D;
  return b ? tf.add(y, b) : y;
}

/** Causal softmax attention: q, k, v (B, H, T, hs) → (B, H, T, hs). */
export function causalSelfAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const T = q.shape[2];
    const hs = q.shape[3];
    const att = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hs)); // (B, H, T, T)
    const mask = tf.linalg.bandPart(tf.ones([T, T]), -1, 0); // lower triangle incl. diagonal
    const masked = tf.add(att, tf.mul(tf.sub(1, mask), -1e9));
    return tf.matMul(tf.softmax(masked), v); // (B, H, T, hs)
  });
}
