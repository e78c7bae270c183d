/**
 * What a learned predictor says about the HMM.
 *
 * Triplet tasks: the learner sees P(x_given) and learns f(a) ≈ P(x_targets | x_given = a), so
 * J = P(x_given) · f is (an estimate of) the joint law of (x₁, x₂, x₃), whichever position was
 * visible. W = Σ_a e_a ⊗ J(x₂, x₃ | x₁ = a) then goes through the same CP recovery as counted
 * or exact predictors (src/hmm/recover.ts): by Kruskal's theorem it identifies (O, T).
 *
 * Pairwise tasks: the population loss of any predictor depends on the HMM only through the
 * pairwise law of (x_given, x_target), and the twin of src/hmm/counterexample.ts has the same
 * pairwise laws: the learned predictor is exactly as good under a different (O, T).
 *
 * The file (`hmm learn --out DIR` → DIR/predictor.json) carries an FNV-1a checksum of its JSON.
 */
import { log } from '../../random/detmath.js';
import { findPairwiseTwin } from '../../hmm/counterexample.js';
import { exactJoint, conditionalMoment, type Joint } from '../../hmm/predictors.js';
import { parameterDistance } from '../../hmm/counterexample.js';
import { recoverFromTensor, type RecoverOptions, type Recovery } from '../../hmm/recover.js';
import { tripletTensor } from '../../hmm/predictors.js';
import { checkHmm, HMMError, type HMM } from '../../hmm/types.js';
import { checkOptions, checkString, fail } from '../../validate/index.js';
import type { LearnedPredictor } from './learn.js';
import { outputSize, parseMaskedTask } from './task.js';
import { checkPredictor, predictorDefect } from './validate.js';

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

export function encodePredictor(p: LearnedPredictor): string {
  checkPredictor('encodePredictor', p);
  const body = JSON.stringify(p);
  return JSON.stringify({ ...p, checksum: fnv1a(body) }) + '\n';
}

/** Parses and checks a predictor file: checksum, shapes, task and HMM. Errors name the source. */
export function decodePredictor(text: string, source = 'predictor'): LearnedPredictor {
  checkString('decodePredictor', 'text', text);
  checkString('decodePredictor', 'source', source);
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new HMMError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  if (!obj || typeof obj !== 'object' || obj.format !== 'testbeds-predictor') throw new HMMError(`${source}: not a testbeds predictor (format ${JSON.stringify(obj?.format)})`);
  if (obj.version !== 1) throw new HMMError(`${source}: predictor version ${JSON.stringify(obj.version)} is not supported (expected 1)`);
  const { checksum, ...rest } = obj;
  const sum = fnv1a(JSON.stringify(rest));
  if (checksum !== sum) throw new HMMError(`${source} is corrupt: checksum ${sum}, file says ${JSON.stringify(checksum)}`);
  const defect = predictorDefect(rest);
  if (defect) throw new HMMError(`${source}: ${defect}`);
  return rest as unknown as LearnedPredictor;
}

/** The joint law of (x₁, x₂, x₃) that a triplet predictor and its input frequencies imply (negative outputs clipped to 0). */
export function predictorJoint(p: LearnedPredictor): Joint {
  checkPredictor('predictorJoint', p);
  const task = parseMaskedTask(p.task);
  if (task.targets.length !== 2) throw new HMMError(`predictor of task ${task.name} is pairwise: it gives no joint law of three positions (and does not identify the HMM)`);
  const d = p.d;
  const probs = new Float64Array(d * d * d);
  const v = [0, 0, 0, 0]; // v[position] = value
  for (let a = 0; a < d; a++) {
    v[task.given] = a;
    for (let b = 0; b < d; b++) {
      v[task.targets[0]] = b;
      for (let c = 0; c < d; c++) {
        v[task.targets[1]] = c;
        // A squared-loss regressor's output can dip slightly below 0 where the law is ~0; a
        // probability cannot, so clip (the non-negative CP of the recovery requires it too).
        probs[(v[1] * d + v[2]) * d + v[3]] = p.marginal[a] * Math.max(0, p.table[a][b * d + c]);
      }
    }
  }
  return { positions: [1, 2, 3], d, probs, samples: p.samples };
}

/** Recovers (O, T) from a learned triplet predictor (errors against `truth`, or the file's HMM when truth is true). */
export function recoverFromPredictor(p: LearnedPredictor, options: RecoverOptions = {}): Recovery {
  checkPredictor('recoverFromPredictor', p);
  checkOptions('recoverFromPredictor', options);
  const w = tripletTensor(predictorJoint(p));
  return recoverFromTensor(w, p.k, options);
}

/** Population loss of the learned predictor under `hmm` (squared: E‖f(x_i) − e_t‖²; ce: −E log f(x_i)_t). */
export function predictorLoss(p: LearnedPredictor, hmm: HMM): number {
  checkPredictor('predictorLoss', p);
  checkHmm('predictorLoss', hmm);
  if (hmm.d !== p.d) fail('predictorLoss', `hmm has d = ${hmm.d}, the predictor d = ${p.d}`);
  return lossUnder(p, hmm);
}

function lossUnder(p: LearnedPredictor, hmm: HMM): number {
  const task = parseMaskedTask(p.task);
  const joint = exactJoint(hmm, [task.given, ...task.targets]);
  const cond = conditionalMoment(joint, task.given, task.targets); // (a, t) → P(t | a)
  const out = outputSize(task, p.d);
  const pa = new Float64Array(p.d);
  const given = exactJoint(hmm, [task.given]).probs;
  for (let a = 0; a < p.d; a++) pa[a] = given[a];
  let loss = 0;
  for (let a = 0; a < p.d; a++) {
    let l = 0;
    for (let t = 0; t < out; t++) {
      const f = p.table[a][t];
      const q = cond[a * out + t];
      l += p.loss === 'squared' ? f * f - 2 * f * q : q > 0 ? -q * log(Math.max(f, 1e-300)) : 0;
    }
    loss += pa[a] * (p.loss === 'squared' ? l + 1 : l);
  }
  return loss;
}

export interface TwinCheck {
  task: string;
  /** The twin: a different valid HMM with the same pairwise laws. */
  twin: { initial: number[]; transition: number[][]; emission: number[][] };
  /** Population loss of the learned predictor under the truth and under the twin. */
  lossTruth: number;
  lossTwin: number;
  /** Its excess over the best predictor's loss under the truth (how well it was learned). */
  excessLoss: number;
  /** max|Δ| between truth and twin after matching states. */
  parameterDistance: { transition: number; emission: number };
}

/** For a pairwise predictor: the twin with the same learned-predictor loss, and how far it is. */
export function pairwiseTwinCheck(p: LearnedPredictor, truth: HMM): TwinCheck {
  checkPredictor('pairwiseTwinCheck', p);
  checkHmm('pairwiseTwinCheck', truth, 'truth');
  if (truth.d !== p.d) fail('pairwiseTwinCheck', `truth has d = ${truth.d}, the predictor d = ${p.d}`);
  const task = parseMaskedTask(p.task);
  if (task.targets.length !== 1) throw new HMMError(`task ${task.name} is a triplet task: use recoverFromPredictor`);
  const t = findPairwiseTwin(truth);
  if (!t.found || !t.twin) throw new HMMError(`no pairwise twin for this HMM: ${t.reason}`);
  const lossTruth = lossUnder(p, truth);
  const lossTwin = lossUnder(p, t.twin);
  // The optimal predictor is the conditional law itself.
  const best = { ...p, table: tableOfConditional(truth, p) };
  const dist = parameterDistance(truth, t.twin);
  return {
    task: task.name,
    twin: { initial: t.twin.initial, transition: t.twin.transition, emission: t.twin.emission },
    lossTruth,
    lossTwin,
    excessLoss: lossTruth - lossUnder(best, truth),
    parameterDistance: { transition: dist.transition, emission: dist.emission },
  };
}

function tableOfConditional(hmm: HMM, p: LearnedPredictor): number[][] {
  const task = parseMaskedTask(p.task);
  const out = outputSize(task, p.d);
  const cond = conditionalMoment(exactJoint(hmm, [task.given, ...task.targets]), task.given, task.targets);
  return Array.from({ length: p.d }, (_, a) => Array.from(cond.subarray(a * out, (a + 1) * out)));
}
