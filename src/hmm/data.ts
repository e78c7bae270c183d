/**
 * Observed data → the empirical law of (x_1, x_2, x_3): every window of three consecutive
 * observations of every sequence. For a stationary HMM each window has the law of (x_1, x_2, x_3),
 * so the normalised counts estimate it (windows overlap, so they are dependent, but still unbiased).
 * This is how `testbeds hmm recover --data FILE` estimates W from sequences it did not generate.
 */
import { checkJointSize, type Joint } from './predictors.js';
import { HMMError } from './types.js';
import { checkArray, fail, show } from '../validate/index.js';

export function tripleJointFromSequences(sequences: readonly ArrayLike<number>[], d?: number): Joint {
  if (d !== undefined && !(Number.isInteger(d) && d >= 1)) throw new HMMError(`d must be a positive integer, got ${d}`);
  checkArray('tripleJointFromSequences', 'sequences', sequences);
  sequences.forEach((s, q) => {
    if (!Array.isArray(s) && !ArrayBuffer.isView(s)) fail('tripleJointFromSequences', `sequences[${q}] must be an array of observations, got ${show(s)}`);
  });
  let max = -1;
  sequences.forEach((s, q) => {
    for (let t = 0; t < s.length; t++) {
      const x = s[t];
      if (!Number.isInteger(x) || x < 0) throw new HMMError(`sequence ${q}, position ${t}: observation ${x} is not a non-negative integer`);
      if (d !== undefined && x >= d) throw new HMMError(`sequence ${q}, position ${t}: observation ${x} is out of range for d = ${d} (symbols are 0..${d - 1})`);
      if (x > max) max = x;
    }
  });
  const size = d ?? max + 1;
  if (size < 1) throw new HMMError('no observations');
  checkJointSize(size, 3);
  const counts = new Float64Array(size * size * size);
  let n = 0;
  for (const s of sequences)
    for (let t = 0; t + 2 < s.length; t++) {
      counts[(s[t] * size + s[t + 1]) * size + s[t + 2]]++;
      n++;
    }
  if (n === 0) throw new HMMError('no window of three consecutive observations (every sequence is shorter than 3)');
  for (let i = 0; i < counts.length; i++) counts[i] /= n;
  return { positions: [1, 2, 3], d: size, probs: counts, samples: n };
}
