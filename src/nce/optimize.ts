/**
 * One run: start at τ = 0 (the model equals the noise Q) and descend until ‖τ − τ*‖ ≤ target or
 * maxSteps. Methods are the paper's: gradient descent (GD) with the fixed step 1/β of
 * ./problem.ts `smoothness` (or --lr), and normalised gradient descent (NGD),
 * τ ← τ − η ∇/‖∇‖, with a fixed η (default target/2, so an iterate cannot step over the target ball).
 */
import { Rng } from '../random/prng.js';
import { populationGradient, sampledGradient, type Loss } from './gradient.js';
import { parameterError, smoothness, type NceProblem } from './problem.js';

export const NCE_METHODS = ['nce-gd', 'nce-ngd', 'ence-gd', 'ence-ngd'] as const;
export type NceMethod = (typeof NCE_METHODS)[number];

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
  /** The loss at the end (population value, or a sampled estimate in the sampled version). */
  loss: number;
  /** Why it stopped without converging: 'max-steps', 'diverged' (a non-finite value) or 'stalled' (zero gradient). */
  stopped?: 'max-steps' | 'diverged' | 'stalled';
  /** (step, error) at roughly log-spaced steps, for plots. */
  trajectory: [number, number][];
}

export const NCE_MAX_STEPS = 1e8;
export const NCE_MAX_SAMPLES = 1e7;

export function runNce(p: NceProblem, o: NceRunOptions): NceRun {
  if (!(NCE_METHODS as readonly string[]).includes(o.method)) throw new RangeError(`method must be one of ${NCE_METHODS.join('|')}, got ${String(o.method)}`);
  const target = o.target ?? 0.1;
  if (typeof target !== 'number' || !(target > 0) || !Number.isFinite(target)) throw new RangeError(`target must be a number > 0, got ${target}`);
  const maxSteps = o.maxSteps ?? 100_000;
  if (!Number.isInteger(maxSteps) || maxSteps < 1 || maxSteps > NCE_MAX_STEPS) throw new RangeError(`maxSteps must be an integer in [1, ${NCE_MAX_STEPS}], got ${maxSteps}`);
  const lr = o.lr ?? 1 / smoothness(p);
  if (typeof lr !== 'number' || !(lr > 0) || !Number.isFinite(lr)) throw new RangeError(`lr must be a number > 0, got ${lr}`);
  const step = o.step ?? target / 2;
  if (typeof step !== 'number' || !(step > 0) || !Number.isFinite(step)) throw new RangeError(`step must be a number > 0, got ${step}`);
  if (o.samples !== undefined && (!Number.isInteger(o.samples) || o.samples < 1 || o.samples > NCE_MAX_SAMPLES)) {
    throw new RangeError(`samples must be an integer in [1, ${NCE_MAX_SAMPLES}], got ${o.samples}`);
  }
  const seed = o.seed ?? 1;
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const loss: Loss = o.method.startsWith('ence') ? 'ence' : 'nce';
  const normalised = o.method.endsWith('ngd');
  const rng = new Rng(seed);
  const evaluate = (tau: Float64Array) => (o.samples === undefined ? populationGradient(p, loss, tau) : sampledGradient(p, loss, tau, o.samples, rng));

  const tau = new Float64Array(p.dims + 1);
  const trajectory: [number, number][] = [];
  let nextRecord = 0;
  const every = o.progressEvery ?? 10_000;
  let error = parameterError(p, tau);
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
    error = parameterError(p, tau);
    if (!Number.isFinite(error)) return finish(t + 1, false, 'diverged');
    if (o.onProgress && (t + 1) % every === 0) o.onProgress(t + 1, error);
  }

  function finish(steps: number, converged: boolean, stopped?: NceRun['stopped']): NceRun {
    if (trajectory[trajectory.length - 1]?.[0] !== steps) trajectory.push([steps, error]);
    // The loss at the final τ (exact, or one more sampled estimate).
    const lossValue = o.samples === undefined ? populationGradient(p, loss, tau, true).loss : evaluate(tau).loss;
    const run: NceRun = { method: o.method, distance: p.distance, steps, converged, error, loss: lossValue, trajectory };
    if (stopped) run.stopped = stopped;
    return run;
  }
}
