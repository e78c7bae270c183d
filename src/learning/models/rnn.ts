/**
 * Recurrent baselines: LSTM (Hochreiter & Schmidhuber 1997), GRU (Cho et al. 2014) and the
 * vanilla tanh RNN (Elman 1990), stacked `layers` deep, with the same per-position head as the
 * Transformer. Gates follow PyTorch's equations and initialisation (U(±1/√h)), plus a forget-gate
 * bias of 1 for the LSTM. The input projection of all T steps is one matmul; the recurrence is
 * unrolled over time and differentiated by tfjs (backpropagation through time).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../random/prng.js';
import type { RnnConfig } from './config.js';
import { linear, oneHot } from './layers.js';
import type { ForwardOptions, SequenceModel } from './model.js';
import { Params } from './params.js';

export class RecurrentNet implements SequenceModel {
  readonly params = new Params();
  private readonly gates: number;

  constructor(readonly config: RnnConfig, seed: number) {
    const c = config;
    const rng = new Rng(seed);
    const p = this.params;
    const h = c.width;
    this.gates = c.kind === 'lstm' ? 4 : c.kind === 'gru' ? 3 : 1;
    const a = 1 / Math.sqrt(h);
    for (let l = 0; l < c.layers; l++) {
      const din = l === 0 ? c.vocab : h;
      p.uniform(`rnn.${l}.weight_ih`, [din, this.gates * h], a, rng);
      p.uniform(`rnn.${l}.weight_hh`, [h, this.gates * h], a, rng);
      if (c.kind === 'lstm') {
        // Gate order i, f, g, o; the forget gate starts open so early gradients flow through time.
        const b = new Float32Array(4 * h);
        for (let j = 0; j < 4 * h; j++) b[j] = j >= h && j < 2 * h ? 1 : (2 * rng.nextFloat() - 1) * a;
        p.constant(`rnn.${l}.bias`, [4 * h], 0);
        const t = tf.tensor1d(b);
        p.get(`rnn.${l}.bias`).assign(t);
        t.dispose();
      } else {
        p.uniform(`rnn.${l}.bias_ih`, [this.gates * h], a, rng);
        if (c.kind === 'gru') p.uniform(`rnn.${l}.bias_hh`, [this.gates * h], a, rng);
      }
    }
    p.uniform('head.weight', [h, c.classes], a, rng);
    p.constant('head.bias', [c.classes], 0);
  }

  forward(letters: tf.Tensor2D, _o: ForwardOptions = {}): tf.Tensor3D {
    const [B, T] = letters.shape;
    const c = this.config;
    const h = c.width;
    const p = this.params;
    let x: tf.Tensor2D = oneHot(letters, c.vocab); // (B·T, V)
    for (let l = 0; l < c.layers; l++) {
      const wih = p.get(`rnn.${l}.weight_ih`) as tf.Tensor2D;
      const whh = p.get(`rnn.${l}.weight_hh`) as tf.Tensor2D;
      const bias = (c.kind === 'lstm' ? p.get(`rnn.${l}.bias`) : p.get(`rnn.${l}.bias_ih`)) as tf.Tensor1D;
      const xp = tf.reshape(linear(x, wih, bias), [B, T, this.gates * h]); // (B, T, G·h)
      const steps = tf.unstack(xp, 1) as tf.Tensor2D[]; // T × (B, G·h)
      let state = tf.zeros([B, h]) as tf.Tensor2D;
      let cell = tf.zeros([B, h]) as tf.Tensor2D;
      const outs: tf.Tensor2D[] = [];
      for (let t = 0; t < T; t++) {
        if (c.kind === 'lstm') {
          const z = tf.add(steps[t], linear(state, whh)); // (B, 4h)
          const [i, f, g, o] = tf.split(z, 4, 1);
          cell = tf.add(tf.mul(tf.sigmoid(f), cell), tf.mul(tf.sigmoid(i), tf.tanh(g)));
          state = tf.mul(tf.sigmoid(o), tf.tanh(cell));
        } else if (c.kind === 'gru') {
          const bhh = p.get(`rnn.${l}.bias_hh`) as tf.Tensor1D;
          const hh = linear(state, whh, bhh); // (B, 3h)
          const [xr, xz, xn] = tf.split(steps[t], 3, 1);
          const [hr, hz, hn] = tf.split(hh, 3, 1);
          const r = tf.sigmoid(tf.add(xr, hr));
          const zg = tf.sigmoid(tf.add(xz, hz));
          const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
          state = tf.add(tf.mul(tf.sub(1, zg), n), tf.mul(zg, state)) as tf.Tensor2D;
        } else {
          state = tf.tanh(tf.add(steps[t], linear(state, whh))) as tf.Tensor2D;
        }
        outs.push(state);
      }
      x = tf.reshape(tf.stack(outs, 1), [B * T, h]) as tf.Tensor2D; // (B·T, h)
    }
    const logits = linear(x, p.get('head.weight') as tf.Tensor2D, p.get('head.bias') as tf.Tensor1D);
    return tf.reshape(logits, [B, T, c.classes]) as tf.Tensor3D;
  }

  dispose(): void {
    this.params.dispose();
  }
}
