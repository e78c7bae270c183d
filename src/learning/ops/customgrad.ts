// tf.customGrad with positional tensor arguments (its published typing only allows one).
import * as tf from '@tensorflow/tfjs-core';

type GradResult = { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const customGrad = tf.customGrad as unknown as (f: (...args: any[]) => GradResult) => (...args: tf.Tensor[]) => tf.Tensor;
