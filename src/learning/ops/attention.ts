/**
 * Causal self-attention, softmax(q·kᵀ/√hs + causal mask)·v, on [B, H, T, hs] tensors.
 *
 * `causalSelfAttentionReference` is the plain tfjs-ops version (the reference every fast path is
 * tested against). Its products go through `matmul`, whose gradient uses explicit transposes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { matmul } from './linear.js';
import { causalSelfAttentionFused, causalSelfAttentionPackedFused, fusedAttentionSupports } from './attention_kernels.js';
import { checkInstance } from '../../validate/index.js';

export function checkAttentionShapes(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor): [number, number, number, number] {
  if (q.rank !== 4) throw new Error(`causalSelfAttention: q has rank ${q.rank}, expected 4 ([B, H, T, hs])`);
  const s = q.shape.join(',');
  if (k.shape.join(',') !== s) throw new Error(`causalSelfAttention: k.shape [${k.shape}] differs from q.shape [${q.shape}]`);
  if (v.shape.join(',') !== s) throw new Error(`causalSelfAttention: v.shape [${v.shape}] differs from q.shape [${q.shape}]`);
  for (const [n, t] of [['q', q], ['k', k], ['v', v]] as const) {
    if (t.dtype !== 'float32') throw new Error(`causalSelfAttention: ${n}.dtype is ${t.dtype}, expected float32`);
  }
  return q.shape as [number, number, number, number];
}

/** Additive causal mask [T, T]: 0 on and below the diagonal, -1e9 above (so exp underflows to 0). */
function causalMask(T: number): tf.Tensor2D {
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
  return tf.tensor2d(m, [T, T]);
}

/** Plain-ops causal attention: q, k, v [B, H, T, hs] → [B, H, T, hs]. */
export function causalSelfAttentionReference(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor): tf.Tensor4D {
  const [, , T, hs] = checkAttentionShapes(q, k, v);
  return tf.tidy(() => {
    const kT = tf.transpose(k, [0, 1, 3, 2]); // (B, H, hs, T)
    const scores = tf.add(tf.mul(matmul(q, kT), 1 / Math.sqrt(hs)), causalMask(T)); // (B, H, T, T)
    const att = tf.softmax(scores); // (B, H, T, T), rows sum to 1 over j <= i
    return matmul(att, v) as tf.Tensor4D; // (B, H, T, hs)
  });
}

/**
 * Causal self-attention, q, k, v [B, H, T, hs] → [B, H, T, hs], differentiable in all three.
 * On the wasm backend with hs % 4 = 0 it runs the fused AssemblyScript kernels
 * (ops/attention_kernels.ts); otherwise the plain-ops reference.
 */
export function causalSelfAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor): tf.Tensor4D {
  for (const [name, t] of [['q', q], ['k', k], ['v', v]] as const) checkInstance('causalSelfAttention', name, t, tf.Tensor, 'a tfjs tensor [B, H, T, dh]');
  const shape = checkAttentionShapes(q, k, v);
  if (tf.getBackend() === 'wasm' && fusedAttentionSupports(shape)) return causalSelfAttentionFused(q, k, v);
  return causalSelfAttentionReference(q, k, v);
}

/** Plain-ops packed attention: qkv [B, T, 3d] → split, heads to [B, H, T, hs], attend, back to [B, T, d]. */
export function causalSelfAttentionPackedReference(qkv: tf.Tensor, heads: number): tf.Tensor3D {
  const [B, T, d] = checkPackedShape(qkv, heads);
  return tf.tidy(() => {
    const [q, k, v] = tf.split(qkv, 3, 2).map((t) => tf.transpose(tf.reshape(t, [B, T, heads, d / heads]), [0, 2, 1, 3])); // (B, H, T, hs)
    return tf.reshape(tf.transpose(causalSelfAttentionReference(q, k, v), [0, 2, 1, 3]), [B, T, d]) as tf.Tensor3D; // (B, T, d)
  });
}

function checkPackedShape(qkv: tf.Tensor, heads: number): [number, number, number] {
  if (qkv.rank !== 3) throw new Error(`causalSelfAttentionPacked: qkv has rank ${qkv.rank}, expected 3 ([B, T, 3d])`);
  if (qkv.dtype !== 'float32') throw new Error(`causalSelfAttentionPacked: qkv.dtype is ${qkv.dtype}, expected float32`);
  const [B, T, d3] = qkv.shape;
  if (!Number.isInteger(heads) || heads < 1) throw new Error(`causalSelfAttentionPacked: heads must be a positive integer, got ${heads}`);
  if (d3 % (3 * heads) !== 0) throw new Error(`causalSelfAttentionPacked: qkv.shape[2] = ${d3} is not 3·heads·hs for heads = ${heads}`);
  return [B, T, d3 / 3];
}

/**
 * Causal self-attention from a packed projection qkv [B, T, 3d] (the output of one d → 3d linear
 * layer: q, k, v side by side, heads contiguous within each) → [B, T, d], differentiable.
 * On wasm with hs = d/heads a multiple of 4, one fused kernel reads q, k, v in place and writes
 * the heads side by side: no split, no transposes, forward or backward.
 */
export function causalSelfAttentionPacked(qkv: tf.Tensor, heads: number): tf.Tensor3D {
  const [, , d] = checkPackedShape(qkv, heads);
  if (tf.getBackend() === 'wasm' && (d / heads) % 4 === 0) return causalSelfAttentionPackedFused(qkv, heads);
  return causalSelfAttentionPackedReference(qkv, heads);
}

/** What the exposed attention path hands back besides its output (see causalSelfAttentionPackedExposed). */
export interface ExposedAttentionOptions {
  /** Called with the attention rows, probabilities and their logs, both (B, H, T, T) (entries above the diagonal are 0 and about −1e9). */
  observe?: (probs: tf.Tensor4D, logProbs: tf.Tensor4D) => void;
  /** Applied to the probabilities before they weight v (attention dropout). */
  transform?: (probs: tf.Tensor4D) => tf.Tensor4D;
}

/**
 * Packed causal attention, qkv [B, T, 3d] → [B, T, d], through plain ops that expose the
 * attention rows: the path a model takes when something needs those rows (attention dropout, the
 * attention-entropy penalty, the glitch inspector). The fused kernel never materialises them, so
 * this is slower and uses B·H·T² floats per layer; it computes the same function (tested against
 * the fused path). No inner tidy: the observed tensors must outlive the call (the caller's tidy
 * or variableGrads owns them).
 */
export function causalSelfAttentionPackedExposed(qkv: tf.Tensor, heads: number, o: ExposedAttentionOptions = {}): tf.Tensor3D {
  const [B, T, d] = checkPackedShape(qkv, heads);
  const hs = d / heads;
  const [q, k, v] = tf.split(qkv, 3, 2).map((t) => tf.transpose(tf.reshape(t, [B, T, heads, hs]), [0, 2, 1, 3])); // (B, H, T, hs)
  const scores = tf.add(tf.mul(matmul(q, tf.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(hs)), causalMask(T)); // (B, H, T, T)
  const logProbs = tf.logSoftmax(scores) as tf.Tensor4D;
  const probs = tf.exp(logProbs) as tf.Tensor4D;
  o.observe?.(probs, logProbs);
  const weights = o.transform ? o.transform(probs) : probs;
  return tf.reshape(tf.transpose(matmul(weights, v), [0, 2, 1, 3]), [B, T, d]) as tf.Tensor3D;
}

/**
 * Mean Shannon entropy (nats) of attention rows: −Σ_j p_ij log p_ij averaged over every (b, h, i).
 * Masked entries (p = 0, log p ≈ −1e9) contribute exactly 0 to the value and to the gradient
 * (d(p log p)/d log p = p(log p + 1) = 0 at p = 0). Row i's gradient with respect to its scores
 * is −p_ij (log p_ij + H_i): the penalty pulls mass toward the row's largest scores.
 */
export function attentionEntropy(probs: tf.Tensor, logProbs: tf.Tensor): tf.Scalar {
  if (probs.rank !== 4 || logProbs.shape.join(',') !== probs.shape.join(',')) throw new Error(`attentionEntropy: probs and logProbs must be (B, H, T, T) of one shape, got [${probs.shape}] and [${logProbs.shape}]`);
  const rows = probs.size / (probs.shape[3] as number);
  return tf.div(tf.neg(tf.sum(tf.mul(probs, logProbs))), rows) as tf.Scalar;
}
