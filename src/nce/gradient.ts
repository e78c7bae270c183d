/**
 * Losses and gradients of NCE and eNCE at τ = (θ, b): exact population values (./quadrature.ts,
 * Stein's identity) or a seeded sampled estimate from n fresh draws of P* and of Q.
 *
 * With r = θᵀx − b, A = E σ(−r), B = E σ(r)σ(−r) under P*, and B_Q, A_Q = E σ(r) under Q:
 *     ∇_θ L = −½ (θ* A − θ B) + ½ θ B_Q,          ∂_b L = ½ A − ½ A_Q.
 * With G = E_P* e^(−r/2) = exp(−m_P/2 + ‖θ‖²/8) and H = E_Q e^(r/2) = exp(m_Q/2 + ‖θ‖²/8):
 *     ∇_θ Lₑ = −¼ (θ* − θ/2) G + ⅛ θ H,            ∂_b Lₑ = ¼ G − ¼ H.
 */
import { exp, log } from '../random/detmath.js';
import { Rng } from '../random/prng.js';
import { checkBoolean, checkInstance, checkInteger } from '../validate/index.js';
import { checkLoss, checkParams, checkProblem } from './validate.js';
import type { NceProblem, Params } from './problem.js';

/** Largest number of draws per gradient (also optimize.ts's cap on `samples`). */
export const NCE_MAX_SAMPLES = 1e7;
import { gaussianMgf, logisticMoments } from './quadrature.js';

export type Loss = 'nce' | 'ence';

export interface Evaluation {
  loss: number;
  /** ∇τ, length D + 1 (θ first, b last). */
  grad: Float64Array;
}

function dotThetaStar(p: NceProblem, tau: Params): number {
  return p.distance * tau[0]; // θ* = R e₁
}

function normTheta(p: NceProblem, tau: Params): number {
  let s = 0;
  for (let i = 0; i < p.dims; i++) s += tau[i] * tau[i];
  return Math.sqrt(s);
}

/** Exact population gradient; the loss value too when `withLoss` (NaN otherwise: for NCE it costs a log per quadrature point). */
export function populationGradient(p: NceProblem, loss: Loss, tau: Params, withLoss = false): Evaluation {
  const where = 'populationGradient';
  checkProblem(where, p);
  checkLoss(where, loss);
  checkParams(where, p, tau);
  checkBoolean(where, 'withLoss', withLoss);
  return populationAt(p, loss, tau, withLoss);
}

/** populationGradient without the checks, for the optimiser's inner loop. */
export function populationAt(p: NceProblem, loss: Loss, tau: Params, withLoss: boolean): Evaluation {
  const D = p.dims;
  const b = tau[D];
  const s = normTheta(p, tau);
  const mP = dotThetaStar(p, tau) - b;
  const mQ = -b;
  const grad = new Float64Array(D + 1);
  if (loss === 'nce') {
    const P = logisticMoments(mP, s, withLoss);
    const Q = logisticMoments(mQ, s, withLoss);
    for (let i = 0; i < D; i++) grad[i] = -0.5 * (p.thetaStar[i] * P.sigmaNeg - tau[i] * P.sigmaPrime) + 0.5 * tau[i] * Q.sigmaPrime;
    grad[D] = 0.5 * P.sigmaNeg - 0.5 * Q.sigma;
    return { loss: 0.5 * P.softplusNeg + 0.5 * Q.softplus, grad };
  }
  const G = gaussianMgf(-0.5, mP, s);
  const H = gaussianMgf(0.5, mQ, s);
  for (let i = 0; i < D; i++) grad[i] = -0.25 * (p.thetaStar[i] - tau[i] / 2) * G + 0.125 * tau[i] * H;
  grad[D] = 0.25 * G - 0.25 * H;
  return { loss: 0.5 * G + 0.5 * H, grad };
}

/**
 * A sampled loss and gradient: n draws from P* and n from Q, streamed (memory O(D), not O(nD)).
 * The same Rng stream gives the same numbers in every engine.
 */
export function sampledGradient(p: NceProblem, loss: Loss, tau: Params, n: number, rng: Rng): Evaluation {
  const where = 'sampledGradient';
  checkProblem(where, p);
  checkLoss(where, loss);
  checkParams(where, p, tau);
  checkInteger(where, 'n', n, 1, NCE_MAX_SAMPLES);
  checkInstance(where, 'rng', rng, Rng, 'new Rng(seed)');
  return sampledAt(p, loss, tau, n, rng);
}

/** sampledGradient without the checks, for the optimiser's inner loop. */
export function sampledAt(p: NceProblem, loss: Loss, tau: Params, n: number, rng: Rng): Evaluation {
  const D = p.dims;
  const b = tau[D];
  const grad = new Float64Array(D + 1);
  const x = new Float64Array(D);
  let total = 0;
  for (const fromData of [true, false]) {
    for (let j = 0; j < n; j++) {
      let r = -b;
      for (let i = 0; i < D; i++) {
        x[i] = rng.nextNormal() + (fromData ? p.thetaStar[i] : 0);
        r += tau[i] * x[i];
      }
      // ℓ(r) and dℓ/dr for this sample; dr/dθ = x, dr/db = −1.
      let l: number, dl: number;
      if (loss === 'nce') {
        const u = fromData ? -r : r; // softplus(−r) on data, softplus(r) on noise
        const e = exp(-Math.abs(u));
        l = Math.max(u, 0) + log(1 + e);
        const sig = u >= 0 ? 1 / (1 + e) : e / (1 + e); // σ(u)
        dl = fromData ? -sig : sig;
      } else {
        const g = exp(fromData ? -r / 2 : r / 2);
        l = g;
        dl = fromData ? -g / 2 : g / 2;
      }
      total += l;
      for (let i = 0; i < D; i++) grad[i] += dl * x[i];
      grad[D] -= dl;
    }
  }
  const scale = 0.5 / n;
  for (let i = 0; i <= D; i++) grad[i] *= scale;
  return { loss: total * scale, grad };
}
