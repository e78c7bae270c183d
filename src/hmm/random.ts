/**
 * Random HMMs with seeds: every row of `transition` and `emission` is a Dirichlet draw
 * (normalised Gamma variates from Rng.nextGamma). `stickiness` adds to the diagonal
 * concentration of `transition`, giving persistent hidden states; `initial` is left to the
 * stationary distribution unless asked for.
 */
import { Rng } from '../random/prng.js';
import { checkHmmSize, createHmm, HMMError, type HMM } from './types.js';
import { optionKeys, checkKeys, checkNumbers, checkOneOf, checkOptions, fail } from '../validate/index.js';

export interface RandomHmmOptions {
  seed?: number;
  /** Dirichlet concentration of every transition row (default 1: uniform on the simplex). */
  transitionAlpha?: number;
  /** Extra concentration on the diagonal of `transition` (default 0). */
  stickiness?: number;
  /** Dirichlet concentration of every emission row (default 1). */
  emissionAlpha?: number;
  /** 'stationary' (default: no `initial`, it is the stationary distribution) or 'random' (a Dirichlet(1) draw). */
  initial?: 'stationary' | 'random';
}

/** One Dirichlet(alpha) draw. */
export function dirichlet(rng: Rng, alpha: readonly number[]): number[] {
  if (!(rng instanceof Rng)) fail('dirichlet', `rng must be an Rng (new Rng(seed)), got ${typeof rng}`);
  checkNumbers('dirichlet', 'alpha', alpha, { minLength: 1 });
  Array.from(alpha).forEach((a, i) => void (a > 0 || fail('dirichlet', `alpha[${i}] = ${a} is not > 0 (a Dirichlet concentration)`)));
  const g = alpha.map((a) => rng.nextGamma(a));
  const s = g.reduce((x, y) => x + y, 0);
  // s = 0 only when every gamma underflowed (tiny alphas); fall back to the mean.
  if (!(s > 0)) {
    const sa = alpha.reduce((x, y) => x + y, 0);
    return alpha.map((a) => a / sa);
  }
  return g.map((x) => x / s);
}

export function randomHmm(k: number, d: number, options: RandomHmmOptions = {}): HMM {
  if (!Number.isInteger(k) || k < 1) throw new HMMError(`k (hidden states) must be a positive integer, got ${k}`);
  if (!Number.isInteger(d) || d < 1) throw new HMMError(`d (observations) must be a positive integer, got ${d}`);
  checkHmmSize(k, d, 'randomHmm'); // before any allocation
  checkKeys('randomHmm', checkOptions('randomHmm', options), optionKeys<RandomHmmOptions>({ seed: true, transitionAlpha: true, stickiness: true, emissionAlpha: true, initial: true }));
  const { seed = 0, transitionAlpha = 1, stickiness = 0, emissionAlpha = 1, initial = 'stationary' } = options;
  checkOneOf('randomHmm', 'options.initial', initial, ['stationary', 'random'] as const);
  for (const [name, v] of [['transitionAlpha', transitionAlpha], ['emissionAlpha', emissionAlpha]] as const) {
    if (!(v > 0)) throw new HMMError(`${name} must be > 0, got ${v}`);
  }
  if (!(stickiness >= 0)) throw new HMMError(`stickiness must be ≥ 0, got ${stickiness}`);
  const rng = new Rng(seed);
  const transition = Array.from({ length: k }, (_, i) => dirichlet(rng, Array.from({ length: k }, (_, j) => transitionAlpha + (i === j ? stickiness : 0))));
  const emission = Array.from({ length: k }, () => dirichlet(rng, new Array<number>(d).fill(emissionAlpha)));
  const spec = initial === 'random' ? { initial: dirichlet(rng, new Array<number>(k).fill(1)), transition, emission } : { transition, emission };
  // Rows are normalised to 1 up to rounding (≪ 1e-9), so validation passes.
  return createHmm(spec);
}
