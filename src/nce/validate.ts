/**
 * Argument checks for the NCE exports (src/validate's style: `fn: name = value …`). A problem is
 * a plain object, so it is checked field by field: a hand-built one with a wrong θ* would give a
 * plausible-looking wrong gradient, not an error.
 */
import { checkArray, checkBoolean, checkInteger, checkNumber, checkNumbers, checkObject, checkOneOf, fail, show } from '../validate/index.js';
import { NCE_METHODS as METHODS } from './optimize.js';
import { MAX_DIMS, MAX_DISTANCE, type NceProblem, type Params } from './problem.js';

/** An NceProblem as made by nceProblem(dims, distance). */
export function checkProblem(where: string, v: unknown, name = 'problem'): NceProblem {
  const o = checkObject(where, name, v);
  const dims = checkInteger(where, `${name}.dims`, o.dims, 1, MAX_DIMS);
  const R = checkNumber(where, `${name}.distance`, o.distance, Number.MIN_VALUE, MAX_DISTANCE);
  if (!(o.thetaStar instanceof Float64Array) || o.thetaStar.length !== dims) {
    fail(where, `${name}.thetaStar must be a Float64Array of length ${dims} (make problems with nceProblem), got ${show(o.thetaStar)}`);
  }
  const t = o.thetaStar as Float64Array;
  for (let i = 0; i < dims; i++) {
    if (t[i] !== (i === 0 ? R : 0)) fail(where, `${name}.thetaStar[${i}] = ${t[i]}, expected ${i === 0 ? R : 0} (θ* = R·e₁; make problems with nceProblem)`);
  }
  if (o.bStar !== (R * R) / 2) fail(where, `${name}.bStar = ${show(o.bStar)}, expected R²/2 = ${(R * R) / 2}`);
  return v as NceProblem;
}

/** τ = (θ, b) for `p`: a Float64Array of D + 1 finite numbers. */
export function checkParams(where: string, p: NceProblem, v: unknown, name = 'tau'): Params {
  if (!(v instanceof Float64Array)) fail(where, `${name} must be a Float64Array of length ${p.dims + 1} (θ then b), got ${show(v)}`);
  checkNumbers(where, name, v, { length: p.dims + 1 });
  return v as Params;
}

export function checkLoss(where: string, v: unknown): 'nce' | 'ence' {
  return checkOneOf(where, 'loss', v, ['nce', 'ence'] as const);
}

/** A run as returned by runNce (only the fields the reports read). */
export function checkRun(where: string, name: string, v: unknown): void {
  const r = checkObject(where, name, v);
  checkOneOf(where, `${name}.method`, r.method, METHODS);
  checkNumber(where, `${name}.distance`, r.distance, Number.MIN_VALUE, MAX_DISTANCE);
  checkInteger(where, `${name}.steps`, r.steps, 0);
  checkBoolean(where, `${name}.converged`, r.converged);
}

/** An NceExperiment as returned by runNceExperiment (the fields the reports read). */
export function checkExperiment(where: string, v: unknown, name = 'experiment'): void {
  const e = checkObject(where, name, v);
  checkInteger(where, `${name}.dims`, e.dims, 1, MAX_DIMS);
  checkNumber(where, `${name}.target`, e.target, Number.MIN_VALUE);
  const runs = checkArray(where, `${name}.runs`, e.runs, { min: 1 });
  runs.forEach((r, i) => checkRun(where, `${name}.runs[${i}]`, r));
  if (e.samples !== null) checkInteger(where, `${name}.samples`, e.samples, 1);
  const growth = checkObject(where, `${name}.growth`, e.growth);
  for (const r of runs as { method: string }[]) {
    const g = growth[r.method] as Record<string, unknown> | undefined;
    const at = `${name}.growth[${JSON.stringify(r.method)}]`;
    if (typeof g !== 'object' || g === null || !Array.isArray(g.local)) fail(where, `${at} is missing or malformed (use runNceExperiment's result)`);
    for (const fit of ['exponential', 'polynomial']) {
      const f = g[fit] as Record<string, unknown> | null;
      if (f === null) continue;
      if (typeof f !== 'object' || ['slope', 'intercept', 'r2'].some((k) => typeof f[k] !== 'number')) fail(where, `${at}.${fit} must be null or {slope, intercept, r2} numbers, got ${show(f)}`);
    }
    (g.local as unknown[]).forEach((l, i) => {
      const o = l as Record<string, unknown>;
      if (typeof o !== 'object' || o === null || ['from', 'to', 'factorPerUnitR', 'degree'].some((k) => typeof o[k] !== 'number')) fail(where, `${at}.local[${i}] must be {from, to, factorPerUnitR, degree} numbers, got ${show(l)}`);
    });
  }
}
