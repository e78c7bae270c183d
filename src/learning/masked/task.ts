/**
 * Masked-prediction tasks on the first three positions of an HMM sequence (Liu, Hsu, Ravikumar &
 * Risteski 2022): predict the masked positions `targets` from the visible position `given`.
 * Written TARGETS|GIVEN: "2|1" is x₂ from x₁ (pairwise), "2,3|1" is x₂ ⊗ x₃ from x₁ (triplet).
 * With the squared loss on one-hot targets the optimal predictor is the conditional law
 * E[e_{x_j} (⊗ e_{x_l}) | x_i]: a d-vector (pairwise) or d×d matrix (triplet) per value of x_i.
 */
import { powInt } from '../../random/detmath.js';
import { checkInteger, checkObject, fail, show } from '../../validate/index.js';

export interface MaskedTask {
  /** Masked positions (1-based, in 1..3), one (pairwise) or two (triplet), in the order written. */
  readonly targets: readonly number[];
  /** The visible position (1-based, in 1..3). */
  readonly given: number;
  /** Canonical text, e.g. "2,3|1". */
  readonly name: string;
}

/** The three triplet tasks (every choice of the visible position) and the pairwise tasks. */
export const TRIPLET_TASKS = ['2,3|1', '1,3|2', '1,2|3'] as const;
export const PAIRWISE_TASKS = ['2|1', '3|1', '3|2', '1|2', '1|3', '2|3'] as const;

export function parseMaskedTask(text: string): MaskedTask {
  if (typeof text !== 'string') throw new TypeError(`task must be a string like "2,3|1", got ${String(text)}`);
  const m = /^\s*(\d)\s*(?:,\s*(\d)\s*)?\|\s*(\d)\s*$/.exec(text);
  if (!m) throw new RangeError(`task: expected TARGETS|GIVEN with positions in 1..3 such as "2|1" or "2,3|1", got "${text}"`);
  const targets = [Number(m[1]), ...(m[2] !== undefined ? [Number(m[2])] : [])];
  const given = Number(m[3]);
  for (const p of [...targets, given]) if (p < 1 || p > 3) throw new RangeError(`task "${text}": position ${p} is outside 1..3`);
  if (new Set([...targets, given]).size !== targets.length + 1) throw new RangeError(`task "${text}": a position appears twice`);
  return { targets, given, name: `${targets.join(',')}|${given}` };
}

/** Number of outputs per input symbol: d^(number of targets). */
export function outputSize(task: MaskedTask, d: number): number {
  const t = checkObject('outputSize', 'task', task);
  if (!Array.isArray(t.targets) || (t.targets.length !== 1 && t.targets.length !== 2)) fail('outputSize', `task.targets must list 1 or 2 positions (parseMaskedTask), got ${show(t.targets)}`);
  checkInteger('outputSize', 'd', d, 1, 2 ** 26);
  return powInt(d, task.targets.length);
}
