/**
 * E[f(r)] for r ~ N(m, s²) by the trapezoid rule in z = (r − m)/s on [−Z, Z].
 *
 * Why the trapezoid rule: for an integrand analytic in the strip |Im z| < d, it converges like
 * exp(−2πd/h). The logistic σ(r) has its nearest poles at r = ±iπ, i.e. d = π/s in z, so the step
 * h = min(¼, 0.3/s) gives an error factor below exp(−2π·π/0.3) ≈ 1e-29 relative to the integrand's
 * size — far below float64 rounding, for every s — while Gauss–Hermite would lose accuracy as s grows.
 * Terms are positive and computed with relative accuracy, so exponentially small expectations (the
 * flat NCE landscape) keep their digits. Range: every integrand here is at most
 * min(1, e^(±(m + s z))) × φ(z), whose mass sits within |z| ≤ s of 0, so |z| ≤ s + 14 loses a
 * relative e^(−14²/2) ≈ 1e-43; 38.5 is where φ underflows anyway. The weights h·φ(z_i) are cached
 * per step h, and h is rounded down to a power of 2^(1/4) so that the cache stays small.
 */
import { checkBoolean, checkNumber } from '../validate/index.js';
import { exp, log, powInt } from '../random/detmath.js';

const Z_MAX = 38.5;
/**
 * Largest spread s accepted: the grid has about 128·s points (and as many cached weights), so
 * s = 1000 costs ~1e5 points per expectation; a larger s means ‖θ‖ ≫ R, a diverged run.
 */
export const MAX_SPREAD = 1000;
const Z_MARGIN = 14;
const INV_SQRT_2PI = 0.3989422804014327;
/** 2^(−j/4) for j = 0…3, correctly rounded. */
const QUARTER_POWERS = [1, 0.8408964152537145, 0.7071067811865476, 0.5946035575013605];

/** Moments of the logistic function that the NCE loss and gradient need, for r ~ N(m, s²). */
export interface LogisticMoments {
  /** E σ(r). */
  sigma: number;
  /** E σ(−r) = 1 − E σ(r), computed directly so that it keeps its digits when tiny. */
  sigmaNeg: number;
  /** E σ(r)σ(−r) = E σ′(r). */
  sigmaPrime: number;
  /** E softplus(r) = E log(1 + eʳ) (NaN unless asked for: it costs a log per point). */
  softplus: number;
  /** E softplus(−r) (NaN unless asked for). */
  softplusNeg: number;
}

/** One point's contribution: σ(r), σ(−r), σ′(r), softplus(±r), all stable in r. */
function accumulate(r: number, w: number, acc: LogisticMoments, withLoss: boolean): void {
  const e = exp(-Math.abs(r)); // in (0, 1]
  const inv = 1 / (1 + e);
  const big = inv; // σ(|r|)
  const small = e * inv; // σ(−|r|)
  if (r >= 0) {
    acc.sigma += w * big;
    acc.sigmaNeg += w * small;
  } else {
    acc.sigma += w * small;
    acc.sigmaNeg += w * big;
  }
  acc.sigmaPrime += w * small * big;
  if (withLoss) {
    // log1p(e) with its relative accuracy kept for tiny e: log(u)·e/(u − 1), u = 1 + e (Goldberg).
    const u = 1 + e;
    const l1p = u === 1 ? e : (log(u) * e) / (u - 1);
    acc.softplus += w * (Math.max(r, 0) + l1p);
    acc.softplusNeg += w * (Math.max(-r, 0) + l1p);
  }
}

const weightCache = new Map<number, Float64Array>();

/** h·φ(i·h) for i = 0 … ⌈Z_MAX/h⌉ (symmetric in i). */
function weights(h: number): Float64Array {
  let w = weightCache.get(h);
  if (!w) {
    const n = Math.ceil(Z_MAX / h);
    w = new Float64Array(n + 1);
    for (let i = 0; i <= n; i++) w[i] = h * INV_SQRT_2PI * exp(-0.5 * (i * h) * (i * h));
    weightCache.set(h, w);
  }
  return w;
}

export function logisticMoments(m: number, s: number, withLoss = false): LogisticMoments {
  checkNumber('logisticMoments', 'm', m);
  checkNumber('logisticMoments', 's', s, 0, MAX_SPREAD);
  checkBoolean('logisticMoments', 'withLoss', withLoss);
  const acc: LogisticMoments = { sigma: 0, sigmaNeg: 0, sigmaPrime: 0, softplus: withLoss ? 0 : NaN, softplusNeg: withLoss ? 0 : NaN };
  if (s === 0) {
    accumulate(m, 1, acc, withLoss);
    return acc;
  }
  // h = 2^(−k/4) ≤ min(¼, 0.3/s), from detmath's log and exact quarter powers (Math.log2 and
  // Math.pow differ between engines in the last bit, which would move h and every number after it).
  const k = 0.3 / s >= 0.25 ? 8 : Math.ceil((-4 * log(0.3 / s)) / Math.LN2);
  const h = powInt(2, -Math.floor(k / 4)) * QUARTER_POWERS[k % 4];
  const w = weights(h);
  const n = Math.min(w.length - 1, Math.ceil((s + Z_MARGIN) / h));
  for (let i = -n; i <= n; i++) accumulate(m + s * (i * h), w[i < 0 ? -i : i], acc, withLoss);
  return acc;
}

/** E exp(a·r) for r ~ N(m, s²): the Gaussian moment generating function, exp(a m + a² s²/2). */
export function gaussianMgf(a: number, m: number, s: number): number {
  checkNumber('gaussianMgf', 'a', a);
  checkNumber('gaussianMgf', 'm', m);
  checkNumber('gaussianMgf', 's', s, 0);
  return exp(a * m + 0.5 * a * a * s * s);
}
