/**
 * The Gaussian NCE testbed of Liu, Rosenfeld, Ravikumar & Risteski (ICLR 2022, "Analyzing and
 * Improving the Optimization Landscape of Noise-Contrastive Estimation").
 *
 * Data P* = N(θ*, I_D) with θ* = R·e₁; noise Q = N(0, I_D), so R = ‖θ* − mean(Q)‖ is the distance
 * between data and noise. The model is the exponential family written relative to the noise,
 *
 *     log p_τ(x) − log q(x) = r_τ(x) = θᵀx − b,         τ = (θ, b) ∈ R^D × R,
 *
 * which learns the mean θ and, through b, the log-partition function: p_τ is normalised exactly
 * when b = ‖θ‖²/2, so the truth is τ* = (θ*, R²/2). The losses (noise ratio 1):
 *
 *     NCE   L(τ)  = ½ E_P* softplus(−r_τ(x)) + ½ E_Q softplus(r_τ(x))        (logistic loss)
 *     eNCE  Lₑ(τ) = ½ E_P* exp(−r_τ(x)/2)   + ½ E_Q exp(r_τ(x)/2)            (exponential loss)
 *
 * Both are convex in τ and minimised at τ*. The paper proves the NCE landscape is so flat far from
 * τ* that gradient descent with a step below 1/smoothness needs exp(Ω(R)) steps, while normalised
 * gradient descent on eNCE needs poly(R) (the talk's "O(exp(R)) → O(R²)").
 *
 * Everything here is exact or seeded: under x ~ N(μ, I) the statistic r = θᵀx − b is N(θᵀμ − b, ‖θ‖²),
 * and Stein's identity E[g(r) x] = μ E[g(r)] + θ E[g′(r)] reduces every gradient to expectations of
 * one-dimensional functions of r (./quadrature.ts), whatever D is.
 */

import { checkInteger, checkNumber } from '../validate/index.js';
import { checkParams, checkProblem } from './validate.js';

export interface NceProblem {
  /** D: dimension of the data. */
  readonly dims: number;
  /** R: distance between the data mean and the noise mean. */
  readonly distance: number;
  /** θ* = R·e₁. */
  readonly thetaStar: Float64Array;
  /** b* = R²/2, the log-partition offset of the normalised truth. */
  readonly bStar: number;
}

/** Largest D accepted (a D-vector per sample and a few per step; the maths is dimension-free). */
export const MAX_DIMS = 4096;
/** Largest R accepted: beyond it e^(−R²/8), the scale of the eNCE loss at τ*, underflows float64. */
export const MAX_DISTANCE = 30;

export function nceProblem(dims: number, distance: number): NceProblem {
  checkInteger('nceProblem', 'dims', dims, 1, MAX_DIMS);
  checkNumber('nceProblem', 'distance', distance, Number.MIN_VALUE, MAX_DISTANCE);
  const thetaStar = new Float64Array(dims);
  thetaStar[0] = distance;
  return { dims, distance, thetaStar, bStar: (distance * distance) / 2 };
}

/** τ = (θ, b) packed as one vector of length D + 1: θ first, b last. */
export type Params = Float64Array;

/** ‖τ − τ*‖₂ over (θ, b): the parameter error that the experiment drives below its target. */
export function parameterError(p: NceProblem, tau: Params): number {
  checkProblem('parameterError', p);
  checkParams('parameterError', p, tau);
  return errorOf(p, tau);
}

/** parameterError without the checks, for the optimiser's inner loop (arguments already checked). */
export function errorOf(p: NceProblem, tau: Params): number {
  let s = 0;
  // Products, not **: Math.pow is not correctly rounded and engines differ in its last bit.
  for (let i = 0; i < p.dims; i++) {
    const e = tau[i] - p.thetaStar[i];
    s += e * e;
  }
  const eb = tau[p.dims] - p.bStar;
  s += eb * eb;
  return Math.sqrt(s);
}

/**
 * A bound β on the NCE Hessian over all τ: H ⪯ ¼·½(E_P* + E_Q)[z zᵀ] with z = (x, −1), because
 * σ′ ≤ ¼. The top eigenvalue lives in span(e₁, e_b): [[1 + R²/2, −R/2], [−R/2, 1]]. Gradient descent
 * with step 1/β is the "step below 1/smoothness" of the paper's lower bound. At τ = 0 the eNCE
 * Hessian equals this bound too (r ≡ 0 there), so 1/β is also eNCE's step at the start.
 */
export function smoothness(p: NceProblem): number {
  checkProblem('smoothness', p);
  const R2 = p.distance * p.distance;
  const lambda = 1 + R2 / 4 + Math.sqrt((R2 * R2) / 16 + R2 / 4);
  return lambda / 4;
}
