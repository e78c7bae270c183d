/**
 * Recurrent baselines: LSTM (Hochreiter & Schmidhuber 1997), GRU (Cho et al. 2014) and the
 * vanilla tanh RNN (Elman 1990), stacked `layers` deep, as PyTorch users build them:
 *
 *   x_t = E[σ_t]   (nn.Embedding(|Σ|, h): N(0, 1) entries, learned)
 *   h_t = Cell(x_t, h_{t-1})   per layer (nn.LSTM / nn.GRU / nn.RNN equations and gate order)
 *   logits_t = h_t W + b   (nn.Linear(h, classes))
 *
 * Initialisation is PyTorch's throughout: every recurrent weight and both biases (b_ih, b_hh)
 * U(±1/√h); the head's weight and bias U(±1/√h) (nn.Linear's kaiming_uniform(a=√5) bound is
 * 1/√fan_in). The embedding matters: reading one-hot letters through a U(±1/√h) matrix gives the
 * recurrent layer pre-activations √h = 8× smaller (h = 64) than an N(0, 1) embedding does, and such
 * a model learned parity (T = 32, AdamW 3e-3) several times slower than PyTorch's (issue #9).
 * The input projection of all T steps is one matmul; the recurrence is unrolled over time and
 * differentiated by tfjs (backpropagation through time).
 *
 * Layout version 2 (RnnConfig.version). Version 1 (before the embedding) fed one-hot letters to
 * the first layer, had one LSTM bias with a forget-gate bias of 1 and a zero head bias; its
 * checkpoints are refused by name in train.ts (their shapes cannot be mapped onto this model).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../random/prng.js';
import type { RnnConfig } from './config.js';
import { embed, linear } from './layers.js';
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
    p.normal('embed.weight', [c.vocab, h], 1, rng); // nn.Embedding: N(0, 1)
    for (let l = 0; l < c.layers; l++) {
      // Stored (in, G·h) so x·W is a plain matmul: PyTorch's weight_ih_l{l} transposed.
      // Gate order: LSTM i, f, g, o; GRU r, z, n (PyTorch's).
      p.uniform(`rnn.${l}.weight_ih`, [h, this.gates * h], a, rng);
      p.uniform(`rnn.${l}.weight_hh`, [h, this.gates * h], a, rng);
      p.uniform(`rnn.${l}.bias_ih`, [this.gates * h], a, rng);
      p.uniform(`rnn.${l}.bias_hh`, [this.gates * h], a, rng);
    }
    p.uniform('head.weight', [h, c.classes], a, rng);
    p.uniform('head.bias', [c.classes], a, rng);
  }

  forward(letters: tf.Tensor2D, _o: ForwardOptions = {}): tf.Tensor3D {
    const [B, T] = letters.shape;
    const c = this.config;
    const h = c.width;
    const p = this.params;
    let x: tf.Tensor2D = embed(letters, p.get('embed.weight') as tf.Tensor2D); // (B·T, h)
    for (let l = 0; l < c.layers; l++) {
      const wih = p.get(`rnn.${l}.weight_ih`) as tf.Tensor2D;
      const whh = p.get(`rnn.${l}.weight_hh`) as tf.Tensor2D;
      const bih = p.get(`rnn.${l}.bias_ih`) as tf.Tensor1D;
      const bhh = p.get(`rnn.${l}.bias_hh`) as tf.Tensor1D;
      // The GRU's b_hn sits inside r ⊙ (W_hn h + b_hn), so it stays on the hidden side; for the
      // LSTM and the tanh RNN both biases simply add, and go with the input projection.
      const xp = tf.reshape(linear(x, wih, c.kind === 'gru' ? bih : (tf.add(bih, bhh) as tf.Tensor1D)), [B, T, this.gates * h]); // (B, T, G·h)
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
