/**
 * The glitch inspector: find a read that a Transformer answers wrongly and show what its heads
 * looked at. The search walks the same seeded batches as the evaluation of that test set
 * (testBatchRng), so the glitch shown is one of those counted. The attention comes from a second
 * forward pass of that one sequence on the unfused path (ops/attention.ts), which exposes the
 * rows; the read query is the position of the `r` token (the model predicts the bit after it),
 * and the position it should attend to is the last `w` before it and the bit written there.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../random/prng.js';
import { sampleFflBatch, validateFfl } from '../data.js';
import type { SequenceModel } from '../models/index.js';
import { checkInteger, checkObject, fail, show } from '../../validate/index.js';
import { testBatchRng } from './experiment.js';

import type { Glitch, GlitchHead, GlitchSearch } from './render.js';

export * from './render.js';

export interface FindGlitchOptions {
  pI: number;
  test?: string;
  length: number;
  seed: number;
  /** Index of the test set in the evaluation (picks its batch stream). */
  testIndex: number;
  /** Give up after this many reads. */
  maxReads: number;
  evalBatch: number;
  onBatch?: (reads: number) => void;
}

/** Walks the evaluation batches of one test set until a read is answered wrongly. */
export function findGlitch(model: SequenceModel, o: FindGlitchOptions): GlitchSearch {
  const m = checkObject('findGlitch', 'model', model);
  checkObject('findGlitch', 'o', o);
  // A SequenceModel (createModel / loadCheckpoint): its config names its kind, forward runs it.
  if (typeof m.config !== 'object' || m.config === null || typeof m.forward !== 'function') fail('findGlitch', `model must be a SequenceModel (createModel or a loaded checkpoint), got ${show(model)}`);
  if (model.config.kind !== 'transformer') fail('findGlitch', `the inspector reads Transformer attention; model is ${model.config.kind}`);
  validateFfl({ kind: 'ffl', pI: o.pI, length: o.length });
  checkInteger('findGlitch', 'o.seed', o.seed, 0, 0xffffffff);
  checkInteger('findGlitch', 'o.testIndex', o.testIndex, 0);
  checkInteger('findGlitch', 'o.maxReads', o.maxReads, 1);
  checkInteger('findGlitch', 'o.evalBatch', o.evalBatch, 1, 4096);
  const task = { kind: 'ffl' as const, pI: o.pI, length: o.length };
  const T = o.length;
  const rng = testBatchRng(o.seed, o.testIndex);
  let reads = 0;
  let sequences = 0;
  while (reads < o.maxReads) {
    const b = sampleFflBatch(task, o.evalBatch, new Rng(rng.nextU32()));
    const probs = tf.tidy(() => tf.softmax(model.forward(tf.tensor2d(b.letters, [b.batch, T], 'int32'))).dataSync() as Float32Array); // (B, T, 2)
    for (let s = 0; s < b.batch; s++) {
      let any = false;
      for (let t = 0; t < T; t++) {
        const y = b.labels[s * T + t];
        if (y < 0) continue;
        any = true;
        reads++;
        const p1 = probs[2 * (s * T + t) + 1];
        const predicted = p1 > probs[2 * (s * T + t)] ? 1 : 0;
        if (predicted !== y) {
          const letters = Array.from(b.letters.subarray(s * T, s * T + T));
          return { test: o.test ?? `p_i=${o.pI}`, pI: o.pI, reads, sequences: sequences + 1, glitch: inspect(model, letters, t, y, predicted, predicted ? p1 : 1 - p1, o) };
        }
      }
      if (any) sequences++;
    }
    o.onBatch?.(reads);
  }
  return { test: o.test ?? `p_i=${o.pI}`, pI: o.pI, reads, sequences, glitch: undefined };
}

/** The attention of every head at the read query of one sequence. */
function inspect(model: SequenceModel, letters: number[], read: number, expected: number, predicted: number, probability: number, o: FindGlitchOptions): Glitch {
  const T = letters.length;
  let write = read - 2;
  while (write >= 0 && letters[write] !== 0) write -= 2;
  if (write < 0) fail('inspect', `no write before the read at t = ${read}`); // FFL starts with w: cannot happen
  const rows: { layer: number; probs: Float32Array; heads: number }[] = [];
  const predictedExposed = tf.tidy(() => {
    const logits = model.forward(tf.tensor2d(letters, [1, T], 'int32'), {
      attention: (layer, probs) => void rows.push({ layer, probs: probs.dataSync() as Float32Array, heads: probs.shape[1] }),
    });
    const l = logits.dataSync();
    return l[2 * read + 1] > l[2 * read] ? 1 : 0;
  });
  const heads: GlitchHead[] = [];
  for (const r of rows) {
    for (let h = 0; h < r.heads; h++) {
      const base = (h * T + read) * T; // probs (1, H, T, T): row `read` of head h
      const weights = Array.from(r.probs.subarray(base, base + read + 1));
      heads.push({ layer: r.layer, head: h, weights, onWrite: weights[write] + weights[write + 1] });
    }
  }
  return { test: o.test ?? `p_i=${o.pI}`, pI: o.pI, letters, read, write, expected, predicted, probability, predictedExposed, heads };
}

