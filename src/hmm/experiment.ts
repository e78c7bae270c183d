/**
 * The identifiability experiment: recovery error of (O, T) against the sample size N, for the
 * triplet task and the pairwise tasks.
 *
 * Triplet: sample N triples (x_1, x_2, x_3), estimate W, decompose it (rank k), read off (O, T)
 * and measure max|Δ| after matching states; repeated `reps` times per N. The error should fall
 * like N^(−1/2).
 *
 * Pairwise: the data of a pairwise task are pairs (x_i, x_j); their law is the same under the true
 * HMM θ and under its twin θ̃ (src/hmm/counterexample.ts), for every N. So for ANY estimator θ̂
 * built from pairwise data, by the triangle inequality
 *     max(E dist(θ̂, θ), E dist(θ̂, θ̃)) ≥ dist(θ, θ̃) / 2,
 * a floor that does not shrink with N (dist: max|Δ| over T and O, minimised over relabellings).
 * We report that floor for the farthest twin found, next to the measured error of the pairwise
 * predictors themselves (which does shrink): the data pin down the predictors, not the parameters.
 */
import type { CPOptions } from '../cp/cp.js';
import { Rng } from '../random/prng.js';
import { findPairwiseTwin } from './counterexample.js';
import { maxAbsDiff } from './linalg.js';
import { MAX_RELABEL_K, relabelledDistance } from './match.js';
import { logLogSvg, type Series } from '../plot/svg.js';
import { exactJoint, pairwisePredictor, tripletTensor } from './predictors.js';
import { recoverFromTensor, type RecoveryConstraint } from './recover.js';
import { empiricalJoint } from './sample.js';
import { checkHmm, createHmm, hmmToJSON, type HMM, type HMMSpec } from './types.js';
import { optionKeys, checkFunction, checkInteger, checkKeys, checkNumbers, checkObject, checkOptions, fail } from '../validate/index.js';

export interface ErrorStat {
  median: number;
  min: number;
  max: number;
}

export interface ExperimentRow {
  n: number;
  /**
   * `failures`: runs whose recovery threw (e.g. a sampled W so sparse at tiny N that a CP column
   * sums to 0); each counts as error 1 in transition/emission (the largest possible max|Δ| between
   * probabilities); fit and iterations are over the other runs (NaN when every run failed).
   */
  triplet: { transition: ErrorStat; emission: ErrorStat; fit: ErrorStat; iterations: ErrorStat; failures: number; failure?: string };
  pairwise: { predictorError: ErrorStat; floor: number };
  seconds: number;
}

export interface ExperimentResult {
  hmm: HMMSpec;
  k: number;
  d: number;
  sizes: number[];
  reps: number;
  seed: number;
  /** N = ∞: recovery from the exact W. */
  exact: { transition: number; emission: number; fit: number; iterations: number };
  twin: {
    found: boolean;
    reason: string;
    /** dist(θ, θ̃) for the farthest twin found; the pairwise floor is half of it. */
    distance: number;
    floor: number;
    pairwiseMaxDiff?: number;
    tripletMaxDiff?: number;
    farthest?: HMMSpec;
  };
  rows: ExperimentRow[];
  seconds: number;
}

export interface ExperimentOptions {
  hmm?: HMM;
  sizes?: number[];
  reps?: number;
  seed?: number;
  cp?: CPOptions;
  /** Recovery method (recover.ts): 'simplex' (default, with EM on the sampled triples) or 'none'. */
  constraint?: RecoveryConstraint;
  /** One line per finished step (for stderr). */
  onLog?: (line: string) => void;
  /** Sampling progress inside a step. */
  onProgress?: (label: string, done: number, total: number) => void;
}

export const EXPERIMENT_SIZES = [1e3, 1e4, 1e5, 1e6, 1e7];

/**
 * The experiment's default HMM (also the worked example of docs/hmm.md): 3 hidden states, 6 symbols,
 * a doubly stochastic circulant T (so the stationary start is uniform) and dense emissions, each
 * state favouring two symbols. Dense entries leave room for pairwise twins.
 */
export function defaultExperimentHmm(): HMM {
  return createHmm({
    transition: [[0.7, 0.2, 0.1], [0.1, 0.7, 0.2], [0.2, 0.1, 0.7]],
    emission: [[0.5, 0.2, 0.1, 0.1, 0.05, 0.05], [0.05, 0.1, 0.5, 0.2, 0.1, 0.05], [0.1, 0.05, 0.05, 0.1, 0.2, 0.5]],
  });
}

function stat(xs: number[]): ErrorStat {
  if (xs.length === 0) return { median: NaN, min: NaN, max: NaN };
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1] };
}

export function runExperiment(options: ExperimentOptions = {}): ExperimentResult {
  const t0 = performance.now();
  checkKeys('runExperiment', checkOptions('runExperiment', options), optionKeys<ExperimentOptions>({ hmm: true, sizes: true, reps: true, seed: true, cp: true, constraint: true, onLog: true, onProgress: true }));
  const { sizes = EXPERIMENT_SIZES, reps = 3, seed = 0, onLog, onProgress } = options;
  checkNumbers('runExperiment', 'options.sizes', sizes, { minLength: 1, integer: true, min: 1, max: 1e9 });
  checkInteger('runExperiment', 'options.reps', reps, 1, 1000);
  if (onLog !== undefined) checkFunction('runExperiment', 'options.onLog', onLog);
  if (onProgress !== undefined) checkFunction('runExperiment', 'options.onProgress', onProgress);
  if (options.hmm !== undefined) checkHmm('runExperiment', options.hmm, 'options.hmm');
  const hmm = options.hmm ?? defaultExperimentHmm();
  if (hmm.d < hmm.k) fail('runExperiment', `recovery needs d ≥ k, but options.hmm has k = ${hmm.k}, d = ${hmm.d}`);
  const exactW = tripletTensor(exactJoint(hmm, [1, 2, 3]));
  const ex = recoverFromTensor(exactW, hmm.k, { truth: hmm, cp: options.cp, constraint: options.constraint });
  onLog?.(`exact W: max|ΔT| = ${ex.errors!.transition.toExponential(2)}, max|ΔO| = ${ex.errors!.emission.toExponential(2)}, CP fit ${ex.cp.fit.toFixed(12)}`);
  const tw = findPairwiseTwin(hmm, { seed });
  // The floor needs the exact distance up to relabelling (a minimum over k! permutations): k ≤ 10.
  const distance = tw.farthest && hmm.k <= MAX_RELABEL_K ? relabelledDistance(hmm, tw.farthest).distance : 0;
  if (tw.found && hmm.k > MAX_RELABEL_K) onLog?.(`pairwise twin found, but k > ${MAX_RELABEL_K}: the exact distance up to relabelling (k! permutations) is not computed, so no floor is reported`);
  onLog?.(tw.found ? `pairwise twin: distance ${distance.toFixed(4)} (floor ${(distance / 2).toFixed(4)}), pairwise predictors equal to ${tw.pairwiseMaxDiff!.toExponential(1)}` : `pairwise twin: none (${tw.reason})`);
  const exactPairs: { i: number; j: number; p: number[][] }[] = [];
  const joint = exactJoint(hmm, [1, 2, 3]);
  for (const i of [1, 2, 3]) for (const j of [1, 2, 3]) if (i !== j) exactPairs.push({ i, j, p: pairwisePredictor(joint, i, j) });
  const rng = new Rng(seed);
  const rows: ExperimentRow[] = [];
  for (const n of sizes) {
    const ts = performance.now();
    const eT: number[] = [], eO: number[] = [], fit: number[] = [], its: number[] = [], pe: number[] = [];
    let failures = 0;
    let failure: string | undefined;
    for (let r = 0; r < reps; r++) {
      const sampleSeed = rng.nextU32();
      const emp = empiricalJoint(hmm, [1, 2, 3], n, sampleSeed, onProgress ? (done, total) => onProgress(`N=${n} rep ${r + 1}/${reps}`, done, total) : undefined);
      try {
        const rec = recoverFromTensor(tripletTensor(emp), hmm.k, { truth: hmm, cp: options.cp, constraint: options.constraint, joint: emp, samples: n });
        eT.push(rec.errors!.transition);
        eO.push(rec.errors!.emission);
        fit.push(rec.cp.fit);
        its.push(rec.cp.iterations);
      } catch (e) {
        // A failed estimate at small N is a data point of the experiment, not a reason to abort it.
        failures++;
        failure ??= (e as Error).message;
        eT.push(1);
        eO.push(1);
      }
      let worst = 0;
      for (const { i, j, p } of exactPairs) worst = Math.max(worst, maxAbsDiff(pairwisePredictor(emp, i, j), p));
      pe.push(worst);
    }
    const row: ExperimentRow = {
      n,
      triplet: { transition: stat(eT), emission: stat(eO), fit: stat(fit), iterations: stat(its), failures, ...(failure ? { failure } : {}) },
      pairwise: { predictorError: stat(pe), floor: distance / 2 },
      seconds: (performance.now() - ts) / 1000,
    };
    rows.push(row);
    onLog?.(`N=${n}: triplet max|ΔT| ${row.triplet.transition.median.toExponential(2)}, max|ΔO| ${row.triplet.emission.median.toExponential(2)} (median of ${reps}${failures ? `; ${failures} failed, counted as error 1: ${failure}` : ''}); pairwise predictor error ${row.pairwise.predictorError.median.toExponential(2)}; ${row.seconds.toFixed(1)} s`);
  }
  return {
    hmm: hmmToJSON(hmm),
    k: hmm.k,
    d: hmm.d,
    sizes,
    reps,
    seed,
    exact: { transition: ex.errors!.transition, emission: ex.errors!.emission, fit: ex.cp.fit, iterations: ex.cp.iterations },
    twin: {
      found: tw.found,
      reason: tw.reason,
      distance,
      floor: distance / 2,
      pairwiseMaxDiff: tw.pairwiseMaxDiff,
      tripletMaxDiff: tw.tripletMaxDiff,
      farthest: tw.farthest ? { initial: tw.farthest.initial, transition: tw.farthest.transition, emission: tw.farthest.emission } : undefined,
    },
    rows,
    seconds: (performance.now() - t0) / 1000,
  };
}

const fmt = (x: number) => (x === 0 ? '0' : x.toExponential(2));
const fmtStat = (s: ErrorStat) => `${fmt(s.median)} [${fmt(s.min)}, ${fmt(s.max)}]`;

/** The result as a markdown report (table and explanation). */
export function experimentMarkdown(r: ExperimentResult): string {
  checkExperimentResult('experimentMarkdown', r);
  const lines: string[] = [];
  lines.push(`# HMM identifiability: recovery error vs sample size`, '');
  lines.push(`HMM: k = ${r.k} hidden states, d = ${r.d} observations; ${r.reps} runs per N (seed ${r.seed}); entries are median [min, max] of max|Δ| after matching hidden states.`, '');
  lines.push('| N | triplet: max\\|ΔT\\| | triplet: max\\|ΔO\\| | CP fit (median) | pairwise predictors: max error | pairwise: floor on (O,T) error, any estimator |');
  lines.push('|---:|---|---|---:|---|---:|');
  for (const row of r.rows) {
    const failed = row.triplet.failures ? ` (${row.triplet.failures} of ${r.reps} failed)` : '';
    lines.push(`| ${row.n.toExponential(0).replace('e+', 'e')} | ${fmtStat(row.triplet.transition)}${failed} | ${fmtStat(row.triplet.emission)}${failed} | ${Number.isNaN(row.triplet.fit.median) ? 'n/a' : row.triplet.fit.median.toFixed(6)} | ${fmtStat(row.pairwise.predictorError)} | ${r.twin.floor > 0 ? fmt(row.pairwise.floor) : 'n/a'} |`);
  }
  lines.push(`| ∞ (exact) | ${fmt(r.exact.transition)} | ${fmt(r.exact.emission)} | ${r.exact.fit.toFixed(12)} | 0 | ${r.twin.floor > 0 ? fmt(r.twin.floor) : 'n/a'} |`, '');
  lines.push('**Triplet task.** W = Σ e_{x1} ⊗ E[x2 ⊗ x3 | x1] is estimated from N triples, decomposed with CP rank k, and (O, T) are read off its factors; the error falls roughly like N^(-1/2).', '');
  if (r.twin.found && r.k > MAX_RELABEL_K) {
    // distance = 0 here means "not computed", not "the twin is the truth": say so, state no floor.
    lines.push(`**Pairwise tasks.** A different valid HMM θ̃ has exactly the same pairwise predictors E[x_j | x_i] for all ordered pairs of positions (difference ${fmt(r.twin.pairwiseMaxDiff ?? 0)}), so pairwise data have the same law under θ and θ̃ at every N; its triplet predictors differ by ${fmt(r.twin.tripletMaxDiff ?? 0)}. Its distance to θ up to relabelling is not computed for k > ${MAX_RELABEL_K} (a minimum over k! relabellings), so no floor is given.`);
  } else if (r.twin.found) {
    lines.push(`**Pairwise tasks.** A different valid HMM θ̃ (the farthest "twin" found, at distance ${fmt(r.twin.distance)} from the truth θ up to relabelling) has exactly the same pairwise predictors E[x_j | x_i] for all ordered pairs of positions (difference ${fmt(r.twin.pairwiseMaxDiff ?? 0)}), so pairwise data have the same law under θ and θ̃ at every N. Any estimator from pairwise data therefore has error ≥ dist(θ, θ̃)/2 = ${fmt(r.twin.floor)} under θ or under θ̃, however large N is. The pairwise predictors themselves are estimated better and better (column 5): the data determine the predictors, not the parameters. The triplet predictors of θ and θ̃ differ by ${fmt(r.twin.tripletMaxDiff ?? 0)}.`);
  } else {
    lines.push(`**Pairwise tasks.** No pairwise twin for this HMM: ${r.twin.reason}.`);
  }
  lines.push('', `Total time ${r.seconds.toFixed(1)} s.`);
  return lines.join('\n') + '\n';
}

/** The result as an SVG log–log plot. */
export function experimentSvg(r: ExperimentResult): string {
  checkExperimentResult('experimentSvg', r);
  const series: Series[] = [
    { name: 'triplet: max|ΔT|', color: '#d62728', points: r.rows.map((row) => ({ x: row.n, y: row.triplet.transition.median, lo: row.triplet.transition.min, hi: row.triplet.transition.max })) },
    { name: 'triplet: max|ΔO|', color: '#1f77b4', points: r.rows.map((row) => ({ x: row.n, y: row.triplet.emission.median, lo: row.triplet.emission.min, hi: row.triplet.emission.max })) },
    { name: 'pairwise predictors: error', color: '#2ca02c', dashed: true, points: r.rows.map((row) => ({ x: row.n, y: row.pairwise.predictorError.median })) },
  ];
  if (r.twin.found && r.twin.floor > 0) series.push({ name: 'pairwise: floor, any estimator', color: '#000000', dashed: true, points: r.rows.map((row) => ({ x: row.n, y: row.pairwise.floor })) });
  const first = r.rows[0];
  if (first) {
    const c = first.triplet.transition.median * Math.sqrt(first.n);
    series.push({ name: 'slope N^(-1/2)', color: '#999999', dashed: true, points: r.rows.map((row) => ({ x: row.n, y: c / Math.sqrt(row.n) })) });
  }
  return logLogSvg(series.map((s, i) => ({ ...s, markers: i < 3 })), { title: `HMM recovery (k = ${r.k}, d = ${r.d}): triplet vs pairwise`, xLabel: 'samples N (triples)', yLabel: 'max |Δ| (median over runs)' });
}

/** A result of runExperiment (as returned, or read back from its JSON file). */
function checkExperimentResult(where: string, r: unknown): void {
  const o = checkObject(where, 'r', r);
  if (!Array.isArray(o.rows)) fail(where, `r.rows must be the rows of a runExperiment result, got ${typeof o.rows}`);
  (o.rows as unknown[]).forEach((row, i) => {
    const x = checkObject(where, `r.rows[${i}]`, row);
    checkObject(where, `r.rows[${i}].triplet`, x.triplet);
    checkObject(where, `r.rows[${i}].pairwise`, x.pairwise);
  });
  checkObject(where, 'r.twin', o.twin);
  checkObject(where, 'r.exact', o.exact);
}
