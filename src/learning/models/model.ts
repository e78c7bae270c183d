/** What every sequence model offers the trainer: letters in, per-position logits out. */
import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../random/prng.js';
import type { ModelConfig } from './config.js';
import type { Params } from './params.js';

export interface ForwardOptions {
  /** Dropout masks are drawn from this Rng while training; absent = evaluation (no dropout). */
  dropoutRng?: Rng;
  /**
   * Transformers only: when given, attention runs on the unfused path and hands every layer's
   * attention rows, probabilities and their logs (B, H, T, T), to this callback (tensors owned by
   * the caller's tidy). Used by the attention-entropy penalty and the glitch inspector.
   */
  attention?: (layer: number, probs: tf.Tensor4D, logProbs: tf.Tensor4D) => void;
}

export interface SequenceModel {
  readonly config: ModelConfig;
  readonly params: Params;
  /** letters (B, T) int32 → logits (B, T, classes). Call inside tf.tidy. */
  forward(letters: tf.Tensor2D, o?: ForwardOptions): tf.Tensor3D;
  dispose(): void;
}
