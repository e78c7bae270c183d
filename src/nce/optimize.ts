/**
 * One run: start at τ = 0 (the model equals the noise Q) and descend until ‖τ − τ*‖ ≤ target or
 * maxSteps. Methods are the paper's: gradient descent (GD) with the fixed step 1/β of
 * ./problem.ts `smoothness` (or --lr), and normalised gradient descent (NGD),
 * τ ← τ − η ∇/‖∇‖, with a fixed η (default target/2, so an iterate cannot step over the target ball).
 */
import { Rng } from '../random/prng.js';
import { optionKeys, checkFunction, checkInteger, checkKeys, checkNumber, checkOneOf, checkOptions } from '../validate/index.js';
import { NCE_MAX_SAMPLES, populationAt, sampledAt, type Loss } from './gradient.js';
import { errorOf, MAX_DISTANCE, smoothness, type NceProblem } from './problem.js';
import { MAX_SPREAD } from './quadrature.js';
import { checkProblem } from './validate.js';

export { NCE_MAX_SAMPLES };

export const NCE_METHODS = ['nce-gd', 'nce-ngd', 'ence-gd', 'ence-ngd'] as const;
export type NceMethod = (typeof NCE_METHODS)[number];

/** The keys of NceRunOptions (a misspelled option is refused, not ignored). */
export const NCE_RUN_OPTION_KEYS = optionKeys<NceRunOptions>({ method: true, target: true, maxSteps: true, lr: true, step: true, samples: true, seed: true, onProgress: true, progressEvery: true });

export interface NceRunOptions {
  method: NceMethod;
  /** Stop when ‖τ − τ*‖₂ ≤ target. Default 0.1. */
  target?: number;
  /** Cap on the number of steps. Default 100000. */
  maxSteps?: number;
  /** GD step size. Default 1/β (β: the NCE smoothness bound for this R). */
  lr?: number;
  /** NGD step length. Default target/2. */
  step?: number;
  /** Sampled gradients from this many draws of P* and of Q per step; default: exact population gradients. */
  samples?: number;
  /** Seed of the sampled version. Default 1. */
  seed?: number;
  /** Called about every `progressEvery` steps. */
  onProgress?: (step: number, error: number) => void;
  progressEvery?: number;
}

export interface NceRun {
  method: NceMethod;
  distance: number;
  /** Steps taken until the error reached the target (= maxSteps when capped). */
  steps: number;
  converged: boolean;
  /** ‖τ − τ*‖ at the end. */
  error: number;
  /** The loss at the end (population value, or a sampled estimate in the sampled version; NaN when diverged). */
  loss: number;
  /** Why it stopped without converging: 'max-steps', 'diverged' (a non-finite value) or 'stalled' (zero gradient). */
  stopped?: 'max-steps' | 'diverged' | 'stalled';
  /** (step, error) at roughly log-spaced steps, for plots. */
  trajectory: [number, number][];
}

export const NCE_MAX_STEPS = 1e8;

export function runNce(p: NceProblem, o: NceRunOptions): NceRun {
  const where = 'runNce';
  checkProblem(where, p);
  const opts = checkOptions(where, o);
  checkKeys(where, opts, NCE_RUN_OPTION_KEYS);
  checkOneOf(where, 'options.method', opts.method, NCE_METHODS);
  const target = checkNumber(where, 'options.target', o.target ?? 0.1, Number.MIN_VALUE);
  const maxSteps = checkInteger(where, 'options.maxSteps', o.maxSteps ?? 100_000, 1, NCE_MAX_STEPS);
  const lr = checkNumber(where, 'options.lr', o.lr ?? 1 / smoothness(p), Number.MIN_VALUE);
  const step = checkNumber(where, 'options.step', o.step ?? target / 2, Number.MIN_VALUE);
  if (o.samples !== undefined) checkInteger(where, 'options.samples', o.samples, 1, NCE_MAX_SAMPLES);
  const seed = checkInteger(where, 'options.seed', o.seed ?? 1, -(2 ** 53), 2 ** 53);
  if (o.onProgress !== undefined) checkFunction(where, 'options.onProgress', o.onProgress);
  const every = checkInteger(where, 'options.progressEvery', o.progressEvery ?? 10_000, 1);
  const loss: Loss = o.method.startsWith('ence') ? 'ence' : 'nce';
  const normalised = o.method.endsWith('ngd');
  const rng = new Rng(seed);
  const evaluate = (tau: Float64Array) => (o.samples === undefined ? populationAt(p, loss, tau, false) : sampledAt(p, loss, tau, o.samples, rng));

  const tau = new Float64Array(p.dims + 1);
  const trajectory: [number, number][] = [];
  let nextRecord = 0;
  let error = errorOf(p, tau);
  for (let t = 0; ; t++) {
    if (t >= nextRecord) {
      trajectory.push([t, error]);
      nextRecord = Math.max(t + 1, Math.ceil(t * 1.05));
    }
    if (error <= target) return finish(t, true);
    if (t >= maxSteps) return finish(t, false, 'max-steps');
    const { grad } = evaluate(tau);
    let norm = 0;
    for (let i = 0; i < grad.length; i++) norm += grad[i] * grad[i];
    norm = Math.sqrt(norm);
    if (!Number.isFinite(norm)) return finish(t, false, 'diverged');
    if (norm === 0) return finish(t, false, 'stalled');
    const scale = normalised ? step / norm : lr;
    for (let i = 0; i < grad.length; i++) tau[i] -= scale * grad[i];
    error = errorOf(p, tau);
    // ‖θ‖ ≤ error + R: past MAX_SPREAD − R the quadrature grid would grow without bound.
    if (!Number.isFinite(error) || error > MAX_SPREAD - MAX_DISTANCE) return finish(t + 1, false, 'diverged');
    if (o.onProgress && (t + 1) % every === 0) o.onProgress(t + 1, error);
  }

  function finish(steps: number, converged: boolean, stopped?: NceRun['stopped']): NceRun {
    if (trajectory[trajectory.length - 1]?.[0] !== steps) trajectory.push([steps, error]);
    // The loss at the final τ (exact, or one more sampled estimate).
    const lossValue = stopped === 'diverged' ? NaN : o.samples === undefined ? populationAt(p, loss, tau, true).loss : evaluate(tau).loss;
    const run: NceRun = { method: o.method, distance: p.distance, steps, converged, error, loss: lossValue, trajectory };
    if (stopped) run.stopped = stopped;
    return run;
  }
}
