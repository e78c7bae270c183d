/**
 * Argument checks for the learned-predictor exports (src/validate's style). A predictor is plain
 * JSON, so one rule serves both the API (ArgumentError naming the function) and the file reader
 * (HMMError naming the file): `predictorDefect` says what is wrong, or null.
 */
import { createHmm } from '../../hmm/types.js';
import { checkObject, fail, show } from '../../validate/index.js';
import type { LearnedPredictor } from './learn.js';
import { outputSize, parseMaskedTask, type MaskedTask } from './task.js';

/** Largest d^m outputs a predictor table may have (learn.ts's MAX_PREDICTOR_OUTPUTS). */
const MAX_OUTPUTS = 2 ** 16;

/** What is wrong with `v` as a LearnedPredictor, or null. */
export function predictorDefect(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `must be a learned predictor object (learnPredictor / decodePredictor), got ${show(v)}`;
  const p = v as Record<string, unknown>;
  let task: MaskedTask;
  try {
    task = parseMaskedTask(p.task as string);
  } catch (e) {
    return (e as Error).message;
  }
  const d = p.d;
  if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) return `d must be a positive integer, got ${show(d)}`;
  const k = p.k;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) return `k must be a positive integer, got ${show(k)}`;
  const out = outputSize(task, d);
  if (out > MAX_OUTPUTS) return `task ${task.name} with d = ${d} has ${out} outputs per input; at most ${MAX_OUTPUTS}`;
  if (p.loss !== 'squared' && p.loss !== 'ce') return `loss must be "squared" or "ce", got ${show(p.loss)}`;
  const table = p.table;
  if (!Array.isArray(table) || table.length !== d || table.some((r) => !Array.isArray(r) || r.length !== out || r.some((x) => typeof x !== 'number' || !Number.isFinite(x)))) {
    return `table must be ${d} rows of ${out} finite numbers for task ${task.name}`;
  }
  const marginal = p.marginal;
  if (!Array.isArray(marginal) || marginal.length !== d || marginal.some((x) => typeof x !== 'number' || !(x >= 0) || !Number.isFinite(x))) return `marginal must be ${d} non-negative numbers`;
  // 0: the exact conditional law (no training data), as the tests' optimal predictors.
  if (typeof p.samples !== 'number' || !Number.isInteger(p.samples) || p.samples < 0) return `samples must be a non-negative integer, got ${show(p.samples)}`;
  try {
    const hmm = createHmm(p.hmm as Parameters<typeof createHmm>[0]);
    if (hmm.d !== d || hmm.k !== k) return `the embedded HMM has k = ${hmm.k}, d = ${hmm.d}; the predictor says k = ${k}, d = ${d}`;
  } catch (e) {
    return `hmm: ${(e as Error).message}`;
  }
  return null;
}

/** A LearnedPredictor, or an ArgumentError naming `where`. */
export function checkPredictor(where: string, v: unknown, name = 'predictor'): LearnedPredictor {
  const defect = predictorDefect(v);
  if (defect) fail(where, `${name}: ${defect}`);
  return v as LearnedPredictor;
}

/** A LearnedExperiment (the fields the reports read). */
export function checkLearnedExperiment(where: string, v: unknown, name = 'experiment'): void {
  const e = checkObject(where, name, v);
  if (!Array.isArray(e.rows) || e.rows.length === 0) fail(where, `${name}.rows must be a non-empty array (use runLearnedExperiment's result), got ${show(e.rows)}`);
  const rows = e.rows as unknown[];
  const isStat = (s: unknown) => typeof s === 'object' && s !== null && ['median', 'min', 'max'].every((f) => typeof (s as Record<string, unknown>)[f] === 'number');
  let tasks: string[] | null = null;
  rows.forEach((r, i) => {
    const row = checkObject(where, `${name}.rows[${i}]`, r);
    if (typeof row.n !== 'number' || !(row.n > 0)) fail(where, `${name}.rows[${i}].n = ${show(row.n)} is not a positive number`);
    const learned = checkObject(where, `${name}.rows[${i}].learned`, row.learned);
    const keys = Object.keys(learned);
    if (tasks === null) tasks = keys;
    else if (keys.join() !== tasks.join()) fail(where, `${name}.rows[${i}].learned has tasks ${keys.join(', ')}, rows[0] has ${tasks.join(', ')}`);
    for (const t of keys) if (!isStat(learned[t])) fail(where, `${name}.rows[${i}].learned[${JSON.stringify(t)}] must be {median, min, max}, got ${show(learned[t])}`);
    if (!isStat(row.counted)) fail(where, `${name}.rows[${i}].counted must be {median, min, max}, got ${show(row.counted)}`);
  });
  if (e.pairwise !== null && e.pairwise !== undefined) {
    const pw = checkObject(where, `${name}.pairwise`, e.pairwise);
    for (const f of ['n', 'lossTruth', 'lossTwin', 'distance', 'floor']) if (typeof pw[f] !== 'number') fail(where, `${name}.pairwise.${f} must be a number, got ${show(pw[f])}`);
  }
}
