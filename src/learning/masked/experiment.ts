/**
 * `hmm experiment --learned`: recovery error of (O, T) from *trained* triplet predictors against
 * the sample size N, beside the counted predictor on the same data, for every choice of the
 * visible position (the theorem's claim holds for each); and, for the pairwise tasks, the twin
 * floor: the learned pairwise predictor has the same loss under a different HMM, so no estimator
 * built from it can get closer than half their distance, whatever N is.
 */
import { findPairwiseTwin } from '../../hmm/counterexample.js';
import { tripleJointFromSequences } from '../../hmm/data.js';
import { defaultExperimentHmm } from '../../hmm/experiment.js';
import { tripletTensor } from '../../hmm/predictors.js';
import { recoverFromTensor } from '../../hmm/recover.js';
import { sampleSequences } from '../../hmm/sample.js';
import { checkHmm, hmmToJSON, type HMM, type HMMSpec } from '../../hmm/types.js';
import { optionKeys, checkArray, checkFunction, checkInteger, checkKeys, checkNumbers, checkOptions, checkString, fail } from '../../validate/index.js';
import { logLogSvg, type Series } from '../../plot/svg.js';
import { learnPredictor, MAX_LEARN_SAMPLES, type LearnOptions } from './learn.js';
import { pairwiseTwinCheck } from './predictor.js';
import { recoverFromPredictor } from './predictor.js';
import { parseMaskedTask, TRIPLET_TASKS } from './task.js';
import { checkLearnedExperiment } from './validate.js';

export interface LearnedExperimentOptions extends Pick<LearnOptions, 'model' | 'width' | 'layers' | 'steps' | 'batch' | 'lr' | 'loss'> {
  hmm?: HMM;
  /** Default 1e3, 1e4, 1e5. */
  sizes?: readonly number[];
  /** Seeds per size. Default 3. */
  reps?: number;
  seed?: number;
  /** Default: the three triplet tasks. */
  tasks?: readonly string[];
  /** The pairwise task whose twin is shown (trained at the largest N). Default "2|1". */
  pairwiseTask?: string;
  onLog?: (line: string) => void;
}

export interface Stat {
  median: number;
  min: number;
  max: number;
}

export interface LearnedRow {
  n: number;
  /** max(max|ΔT|, max|ΔO|) per triplet task, over reps (failed recoveries count as 1). */
  learned: Record<string, Stat>;
  /** The counted (empirical) triplet predictor on the same sequences. */
  counted: Stat;
}

export interface LearnedExperiment {
  hmm: HMMSpec;
  sizes: number[];
  reps: number;
  model: string;
  steps: number;
  rows: LearnedRow[];
  pairwise: { task: string; n: number; lossTruth: number; lossTwin: number; distance: number; floor: number } | null;
}

function stat(xs: number[]): Stat {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1] };
}

const errOf = (e: { transition: number; emission: number } | undefined) => (e ? Math.max(e.transition, e.emission) : 1);

export function runLearnedExperiment(o: LearnedExperimentOptions = {}): LearnedExperiment {
  const where = 'runLearnedExperiment';
  checkKeys(where, checkOptions(where, o), optionKeys<LearnedExperimentOptions>({ hmm: true, sizes: true, reps: true, seed: true, tasks: true, pairwiseTask: true, onLog: true, model: true, width: true, layers: true, steps: true, batch: true, lr: true, loss: true }));
  const hmm = o.hmm === undefined ? defaultExperimentHmm() : checkHmm(where, o.hmm, 'options.hmm');
  const sizes = Array.from(checkNumbers(where, 'options.sizes', o.sizes ?? [1e3, 1e4, 1e5], { minLength: 1, integer: true, min: 1, max: MAX_LEARN_SAMPLES }));
  const reps = checkInteger(where, 'options.reps', o.reps ?? 3, 1, 100);
  const seed = checkInteger(where, 'options.seed', o.seed ?? 1, 0, 2 ** 32 - 1 - reps);
  const tasks = checkArray(where, 'options.tasks', o.tasks ?? [...TRIPLET_TASKS], { min: 1 }).map((t, i) => {
    const task = checkString(where, `options.tasks[${i}]`, t);
    if (!(TRIPLET_TASKS as readonly string[]).includes(parseMaskedTask(task).name)) fail(where, `options.tasks[${i}] = ${JSON.stringify(task)} is not a triplet task (${TRIPLET_TASKS.join(', ')})`);
    return task;
  });
  if (o.pairwiseTask !== undefined && parseMaskedTask(checkString(where, 'options.pairwiseTask', o.pairwiseTask)).targets.length !== 1) fail(where, `options.pairwiseTask = ${JSON.stringify(o.pairwiseTask)} is not a pairwise task`);
  const log = o.onLog === undefined ? () => {} : checkFunction<(line: string) => void>(where, 'options.onLog', o.onLog);
  const learnOpts = { model: o.model, width: o.width, layers: o.layers, steps: o.steps ?? 1000, batch: o.batch, lr: o.lr, loss: o.loss };
  const rows: LearnedRow[] = [];
  for (const n of sizes) {
    const learned: Record<string, number[]> = Object.fromEntries(tasks.map((t) => [t, []]));
    const counted: number[] = [];
    for (let r = 0; r < reps; r++) {
      const s = seed + r;
      // The counted predictor sees the very sequences the learner trains on (same sampler, same seed).
      const obs = sampleSequences(hmm, 3, n, s).observations;
      const seqs = Array.from({ length: n }, (_, i) => obs.subarray(3 * i, 3 * i + 3));
      try {
        counted.push(errOf(recoverFromTensor(tripletTensor(tripleJointFromSequences(seqs, hmm.d)), hmm.k, { truth: hmm }).errors));
      } catch {
        counted.push(1);
      }
      for (const task of tasks) {
        const p = learnPredictor({ hmm, task, samples: n, seed: s, ...learnOpts });
        let e = 1;
        try {
          e = errOf(recoverFromPredictor(p, { truth: hmm }).errors);
        } catch {
          /* a failed decomposition counts as error 1, the largest max|Δ| between probabilities */
        }
        learned[task].push(e);
        log(`N = ${n}, seed ${s}, task ${task}: learned ${e.toExponential(2)} (train loss ${p.trainLoss.toFixed(4)}), counted ${counted[counted.length - 1].toExponential(2)}`);
      }
    }
    rows.push({ n, learned: Object.fromEntries(tasks.map((t) => [t, stat(learned[t])])), counted: stat(counted) });
  }
  let pairwise: LearnedExperiment['pairwise'] = null;
  const twin = findPairwiseTwin(hmm);
  if (twin.found) {
    const task = o.pairwiseTask ?? '2|1';
    const n = sizes[sizes.length - 1];
    const p = learnPredictor({ hmm, task, samples: n, seed, ...learnOpts });
    const c = pairwiseTwinCheck(p, hmm);
    const distance = Math.max(c.parameterDistance.transition, c.parameterDistance.emission);
    pairwise = { task, n, lossTruth: c.lossTruth, lossTwin: c.lossTwin, distance, floor: distance / 2 };
    log(`pairwise ${task}, N = ${n}: loss ${c.lossTruth.toFixed(6)} under the HMM, ${c.lossTwin.toFixed(6)} under its twin (distance ${distance.toFixed(3)})`);
  }
  return { hmm: hmmToJSON(hmm, true), sizes, reps, model: o.model ?? 'mlp', steps: learnOpts.steps, rows, pairwise };
}

const fmt = (s: Stat) => `${s.median.toExponential(2)} [${s.min.toExponential(1)}, ${s.max.toExponential(1)}]`;

export function learnedExperimentMarkdown(e: LearnedExperiment): string {
  checkLearnedExperiment('learnedExperimentMarkdown', e);
  const tasks = Object.keys(e.rows[0]?.learned ?? {});
  const lines = [
    `Recovery error max(max|ΔT|, max|ΔO|) from learned (${e.model}, ${e.steps} steps) and counted triplet predictors: median [min, max] over ${e.reps} seeds`,
    '',
    // A task name holds "|": escaped so that it stays inside its markdown cell.
    `| N | ${tasks.map((t) => `learned ${t.replace('|', '\\|')}`).join(' | ')} | counted |`,
    `|---:|${tasks.map(() => '---|').join('')}---|`,
    ...e.rows.map((r) => `| ${r.n} | ${tasks.map((t) => fmt(r.learned[t])).join(' | ')} | ${fmt(r.counted)} |`),
  ];
  if (e.pairwise) {
    const p = e.pairwise;
    lines.push('', `Pairwise task ${p.task} (N = ${p.n}): the learned predictor's loss is ${p.lossTruth.toFixed(6)} under the HMM and ${p.lossTwin.toFixed(6)} under its twin, an HMM at distance ${p.distance.toFixed(3)}: no estimator from this predictor can be within ${p.floor.toFixed(3)} of both.`);
  }
  return lines.join('\n') + '\n';
}

const COLORS = ['#1f77b4', '#2ca02c', '#9467bd'];

export function learnedExperimentSvg(e: LearnedExperiment): string {
  checkLearnedExperiment('learnedExperimentSvg', e);
  const tasks = Object.keys(e.rows[0]?.learned ?? {});
  const series: Series[] = tasks.map((t, i) => ({
    name: `learned ${t}`,
    color: COLORS[i % COLORS.length],
    points: e.rows.map((r) => ({ x: r.n, y: r.learned[t].median, lo: r.learned[t].min, hi: r.learned[t].max })),
  }));
  series.push({ name: 'counted', color: '#333', dashed: true, points: e.rows.map((r) => ({ x: r.n, y: r.counted.median, lo: r.counted.min, hi: r.counted.max })) });
  if (e.pairwise) series.push({ name: `pairwise ${e.pairwise.task}: twin floor`, color: '#d62728', dashed: true, markers: false, points: e.rows.map((r) => ({ x: r.n, y: e.pairwise!.floor })) });
  return logLogSvg(series, { title: 'HMM recovery from learned masked predictors', xLabel: 'training sequences N', yLabel: 'max(max|ΔT|, max|ΔO|)' });
}
