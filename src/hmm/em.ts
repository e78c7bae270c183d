/**
 * Maximum-likelihood refinement of a recovered HMM on the triple counts (Baum–Welch on sequences
 * of length 3): the "spectral start, EM finish" recipe (Zhang, Chen, Zhou & Jordan 2014).
 *
 * The empirical law P̂(x_1, x_2, x_3) is a sufficient statistic of N sampled triples, so EM on it
 * maximises the log-likelihood L = Σ_{abc} P̂(a, b, c) log P_θ(a, b, c) over θ = (π, T, O), with π
 * = P(h_1) free. Each iteration runs the forward–backward recursion once per cell (d³ cells, k²
 * per step) and never decreases L. CP's moment estimate is consistent but weights every cell of
 * the conditional W equally, so rare x_1 values (divided by a small P(x_1)) dominate its noise;
 * the likelihood weights each cell by its own variance. EM alone from a random start finds local
 * optima; from the CP estimate it starts in the right basin when the instance is well-posed.
 */
import { log } from '../random/detmath.js';
import type { Mat } from './linalg.js';
import type { Joint } from './predictors.js';
import { HMMError } from './types.js';

export interface EmResult {
  initial: number[];
  transition: Mat;
  emission: Mat;
  /** Σ P̂ log P_θ at the returned θ (per sample). */
  logLikelihood: number;
  /** The same at the start. */
  startLogLikelihood: number;
  iterations: number;
  converged: boolean;
}

export interface EmOptions {
  maxIter?: number;
  /** Stop when the per-sample log-likelihood gains less than this. Default 1e-13. */
  tol?: number;
}

export function emOnTriples(joint: Joint, start: { initial: number[]; transition: Mat; emission: Mat }, options: EmOptions = {}): EmResult {
  const { d } = joint;
  const k = start.transition.length;
  if (joint.positions.length !== 3 || joint.positions.some((p, i) => p !== i + 1)) {
    throw new HMMError(`EM needs the joint law of positions 1, 2, 3, got positions ${joint.positions.join(', ')}`);
  }
  if (start.emission.length !== k || start.emission[0].length !== d) throw new HMMError(`start emission is ${start.emission.length}×${start.emission[0]?.length}, expected ${k}×${d}`);
  const maxIter = options.maxIter ?? 2000;
  const tol = options.tol ?? 1e-13;
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new HMMError(`maxIter must be a positive integer, got ${maxIter}`);
  if (!(tol >= 0)) throw new HMMError(`tol must be ≥ 0, got ${tol}`);
  // Flat copies; a zero probability stays zero under EM, so a floor keeps every state reachable.
  const floor = 1e-12;
  const pi = Float64Array.from(start.initial, (x) => Math.max(x, floor));
  const T = Float64Array.from(start.transition.flat(), (x) => Math.max(x, floor));
  const O = Float64Array.from(start.emission.flat(), (x) => Math.max(x, floor));
  const cells: number[] = [];
  for (let i = 0; i < joint.probs.length; i++) if (joint.probs[i] > 0) cells.push(i);
  const A1 = new Float64Array(d * k), A2 = new Float64Array(d * d * k), G3 = new Float64Array(d * d * k);
  const B1 = new Float64Array(d * d * k), B2 = new Float64Array(d * k);
  const nPi = new Float64Array(k), nT = new Float64Array(k * k), nO = new Float64Array(k * d);
  let ll = -Infinity, startLl = NaN, iterations = 0, converged = false;
  for (let it = 0; it <= maxIter; it++) {
    nPi.fill(0);
    nT.fill(0);
    nO.fill(0);
    // What depends on fewer than all three symbols, once per iteration (the same products, in the
    // same order, as per cell: the results are bit-identical, at a third of the work):
    // B2[c][j] = Σ_l T[j,l] O[l,c];  B1[b,c][h] = Σ_j T[h,j] O[j,b] B2[c][j];  A1[a][h] = π_h O[h,a];
    // A2[a,b][j] = (Σ_h A1[a][h] T[h,j]) O[j,b];  G3[a,b][l] = Σ_j A2[a,b][j] T[j,l].
    for (let c = 0; c < d; c++) for (let j = 0; j < k; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += T[j * k + l] * O[l * d + c];
      B2[c * k + j] = s;
    }
    for (let b = 0; b < d; b++) for (let c = 0; c < d; c++) for (let h = 0; h < k; h++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += T[h * k + j] * O[j * d + b] * B2[c * k + j];
      B1[(b * d + c) * k + h] = s;
    }
    for (let a = 0; a < d; a++) {
      for (let h = 0; h < k; h++) A1[a * k + h] = pi[h] * O[h * d + a];
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let h = 0; h < k; h++) s += A1[a * k + h] * T[h * k + j];
        for (let b = 0; b < d; b++) A2[(a * d + b) * k + j] = s * O[j * d + b];
      }
      for (let b = 0; b < d; b++) for (let l = 0; l < k; l++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += A2[(a * d + b) * k + j] * T[j * k + l];
        G3[(a * d + b) * k + l] = s;
      }
    }
    let cur = 0;
    for (const cell of cells) {
      const p = joint.probs[cell];
      const a = Math.floor(cell / (d * d)), b = Math.floor(cell / d) % d, c = cell % d;
      const a1 = a * k, b1 = (b * d + c) * k, b2 = c * k, ab = (a * d + b) * k;
      let z = 0;
      for (let h = 0; h < k; h++) z += A1[a1 + h] * B1[b1 + h];
      if (!(z > 0)) continue;
      cur += p * log(z); // detmath: the same bits in Node and Chromium (the stopping test reads it)
      const wz = p / z;
      for (let h = 0; h < k; h++) {
        const g1 = A1[a1 + h] * B1[b1 + h] * wz;
        nPi[h] += g1;
        nO[h * d + a] += g1;
        for (let j = 0; j < k; j++) nT[h * k + j] += A1[a1 + h] * T[h * k + j] * O[j * d + b] * B2[b2 + j] * wz;
      }
      for (let j = 0; j < k; j++) {
        nO[j * d + b] += A2[ab + j] * B2[b2 + j] * wz;
        for (let l = 0; l < k; l++) nT[j * k + l] += A2[ab + j] * T[j * k + l] * O[l * d + c] * wz;
      }
      // γ3[l] = Σ_j α2[j] T[j,l] O[l,c] / z
      for (let l = 0; l < k; l++) nO[l * d + c] += G3[ab + l] * O[l * d + c] * wz;
    }
    if (it === 0) startLl = cur;
    if (it > 0 && cur - ll < tol) {
      converged = true;
      ll = cur;
      break;
    }
    ll = cur;
    if (it === maxIter) break;
    iterations = it + 1;
    // M-step: normalise the expected counts.
    const piSum = nPi.reduce((x, y) => x + y, 0);
    for (let h = 0; h < k; h++) pi[h] = Math.max(nPi[h] / piSum, floor);
    for (let h = 0; h < k; h++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += nT[h * k + j];
      for (let j = 0; j < k; j++) T[h * k + j] = s > 0 ? Math.max(nT[h * k + j] / s, floor) : 1 / k;
      s = 0;
      for (let x = 0; x < d; x++) s += nO[h * d + x];
      for (let x = 0; x < d; x++) O[h * d + x] = s > 0 ? Math.max(nO[h * d + x] / s, floor) : 1 / d;
    }
  }
  const rows = (f: Float64Array, n: number, m: number): Mat =>
    Array.from({ length: n }, (_, i) => {
      const r = Array.from(f.subarray(i * m, (i + 1) * m));
      const s = r.reduce((x, y) => x + y, 0);
      return r.map((x) => x / s);
    });
  return { initial: rows(pi, 1, k)[0], transition: rows(T, k, k), emission: rows(O, k, d), logLikelihood: ll, startLogLikelihood: startLl, iterations, converged };
}
