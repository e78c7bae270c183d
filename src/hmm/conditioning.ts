/**
 * How well the data determine (O, T): the numbers that decide whether a recovery can be trusted.
 *
 * W = Σ_h f_h ⊗ o_h ⊗ (T O)_h has rank k, so each unfolding W_(n) (d × d²) has exactly k non-zero
 * singular values. An estimated Ŵ = W + E adds noise to all of them; the k-th component is only
 * seen when σ_k(W_(n)) stands clear of the noise, whose size σ_{k+1}(Ŵ_(n)) shows (for exact W it
 * is rounding, ~1e-17). So the spectral gap σ_k / σ_{k+1} of the unfoldings, worst mode, is the
 * signal-to-noise ratio of the weakest hidden state: near 1 the k-th component is noise and no
 * estimator can place it (any CP method then returns an arbitrary k-th column). Since the signal
 * σ_k is at most the measured one and the noise falls like N^(−1/2), reaching a gap g needs at
 * least N·(g / gap)² samples: a lower bound, printed as such (the true signal may be far smaller).
 *
 * Then T is solved from C = Oᵀ Tᵀ, so an error δ in the columns of C becomes up to
 * cond(O)·δ in T: cond(O) = σ_1(O)/σ_k(O) of the recovered emission matrix is the amplification.
 */
import { symmetricEigen } from '../cp/linalg.js';
import { checkTensor, unfoldingGram, type Tensor3 } from '../cp/tensor.js';
import { checkInteger, checkMatrix, checkNumber } from '../validate/index.js';
import type { Mat } from './linalg.js';

/**
 * Below this worst-mode spectral gap σ_k/σ_{k+1} the weakest state is at the noise level. Chosen on
 * 150 recoveries of random k = 4, d = 8 HMMs (seeds 0–49, N = 10^5, 10^6, 10^7; bench/results/
 * hmm-recovery): every one with a gap ≥ 1.5 at N = 10^7 and 10^5 recovered within 0.1, below 1.3
 * almost none did; checked on seeds 100–149 (same README).
 */
export const MIN_SPECTRAL_GAP = 1.5;
/** The gap the samples-needed bound aims at: every instance above it in that batch recovered. */
export const GOOD_SPECTRAL_GAP = 3;
/** Above this cond(O) an error in the next-emission laws is amplified more than 100-fold in T. */
export const MAX_EMISSION_CONDITION = 100;

export interface Conditioning {
  /** σ_1 … σ_{k+1} of each unfolding of W/‖W‖ (modes 1, 2, 3). */
  unfoldingSingularValues: number[][];
  /** min over the modes of σ_k / σ_{k+1} (capped at 1e12; exact W gives the cap). */
  spectralGap: number;
  /** σ_1/σ_k of the recovered emission matrix (k × d): how much T's least squares amplifies errors. */
  emissionCondition: number;
  /** σ_1/σ_k of the recovered transition matrix. */
  transitionCondition: number;
  /** Lower bound on the number of samples for a gap of GOOD_SPECTRAL_GAP (when W came from samples and the gap is short). */
  samplesNeeded?: number;
  illConditioned: boolean;
  /** One line per problem found, for people. */
  warnings: string[];
}

/** Singular values (descending) of a matrix given as rows, via the eigenvalues of A Aᵀ or AᵀA. */
export function singularValues(a: Mat): number[] {
  checkMatrix('singularValues', 'a', a);
  const m = a.length, n = a[0].length;
  const small = Math.min(m, n);
  const g = new Float64Array(small * small);
  for (let i = 0; i < small; i++) for (let j = 0; j < small; j++) {
    let s = 0;
    if (m <= n) for (let l = 0; l < n; l++) s += a[i][l] * a[j][l];
    else for (let l = 0; l < m; l++) s += a[l][i] * a[l][j];
    g[i * small + j] = s;
  }
  return Array.from(symmetricEigen(g, small).values, (x) => Math.sqrt(Math.max(x, 0)));
}

function condition(sv: number[]): number {
  const last = sv[sv.length - 1];
  return last > 0 ? sv[0] / last : Infinity;
}

const GAP_CAP = 1e12;

/** σ_1 … σ_{k+1} of each unfolding of W / ‖W‖. */
export function unfoldingSpectra(w: Tensor3, k: number): number[][] {
  checkTensor(w, 'w');
  checkInteger('unfoldingSpectra', 'k', k, 1);
  let n2 = 0;
  for (const x of w.data) n2 += x * x;
  const out: number[][] = [];
  for (const mode of [0, 1, 2] as const) {
    const dim = w.dims[mode];
    const { values } = symmetricEigen(unfoldingGram(w, mode).data, dim);
    const sv = Array.from(values, (x) => Math.sqrt(Math.max(x, 0) / n2));
    out.push(sv.slice(0, Math.min(k + 1, dim)));
  }
  return out;
}

export function assessConditioning(w: Tensor3, k: number, emission: Mat, transition: Mat, samples?: number): Conditioning {
  checkTensor(w, 'w');
  checkInteger('assessConditioning', 'k', k, 1);
  checkMatrix('assessConditioning', 'emission', emission, { rows: k });
  checkMatrix('assessConditioning', 'transition', transition, { rows: k, cols: k });
  if (samples !== undefined) checkNumber('assessConditioning', 'samples', samples, 1);
  const spectra = unfoldingSpectra(w, k);
  let gap = GAP_CAP;
  for (const sv of spectra) {
    if (sv.length <= k) continue; // d = k in this mode: no (k+1)-th value to compare with
    const g = sv[k] > 0 ? sv[k - 1] / sv[k] : GAP_CAP;
    gap = Math.min(gap, g, GAP_CAP);
  }
  const emissionCondition = condition(singularValues(emission));
  const transitionCondition = condition(singularValues(transition));
  const warnings: string[] = [];
  let samplesNeeded: number | undefined;
  if (gap < MIN_SPECTRAL_GAP) {
    let line = `the weakest hidden state is at the noise level: spectral gap σ_k/σ_k+1 of W's unfoldings is ${gap.toFixed(2)} (< ${MIN_SPECTRAL_GAP}), so its column of O and row of T are not determined by these data`;
    if (samples !== undefined) {
      samplesNeeded = Math.ceil(samples * (GOOD_SPECTRAL_GAP / gap) ** 2);
      line += `; a gap of ${GOOD_SPECTRAL_GAP} needs at least ~${samplesNeeded.toExponential(1)} samples (${samples.toExponential(1)} used)`;
    }
    warnings.push(line);
  }
  if (!(emissionCondition <= MAX_EMISSION_CONDITION)) {
    warnings.push(`cond(O) = ${emissionCondition.toPrecision(3)} (> ${MAX_EMISSION_CONDITION}): errors in the next-emission laws are amplified up to that much in T`);
  }
  return {
    unfoldingSingularValues: spectra,
    spectralGap: gap,
    emissionCondition,
    transitionCondition,
    ...(samplesNeeded !== undefined ? { samplesNeeded } : {}),
    illConditioned: warnings.length > 0,
    warnings,
  };
}
