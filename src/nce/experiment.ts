/**
 * The landscape experiment: for each distance R and method, the steps until ‖τ − τ*‖ ≤ target,
 * and how they grow with R. Two least-squares fits over the converged runs tell exponential from
 * polynomial growth:
 *     exponential:  log steps = a + c·R       (c: rate per unit of R)
 *     polynomial:   log steps = a + k·log R   (k: degree)
 * each with its coefficient of determination r², and the local growth between consecutive
 * distances: the factor per unit of R, (s₂/s₁)^(1/(R₂−R₁)), and the local degree,
 * log(s₂/s₁)/log(R₂/R₁). Exponential growth keeps the factor constant (the degree climbs);
 * polynomial growth keeps the degree constant (the factor falls towards 1). Over a handful of small
 * R the two global fits can both look good, so the local numbers are the ones to read. The paper
 * predicts exp(Ω(R)) for NCE with GD and poly(R) for eNCE with NGD.
 */
import { logLogSvg, type Series } from '../plot/svg.js';
import { log, pow } from '../random/detmath.js';
import { runNce, NCE_METHODS, type NceMethod, type NceRun, type NceRunOptions } from './optimize.js';
import { MAX_DIMS, MAX_DISTANCE, nceProblem } from './problem.js';
import { optionKeys, checkArray, checkFunction, checkInteger, checkKeys, checkNumbers, checkObject, checkOneOf } from '../validate/index.js';
import { checkExperiment, checkRun } from './validate.js';

export interface NceExperimentOptions extends Omit<NceRunOptions, 'method' | 'onProgress'> {
  dims: number;
  distances: readonly number[];
  methods: readonly NceMethod[];
  /** Called after each run. */
  onRun?: (run: NceRun) => void;
  /** Called with (method, R, step, error) during long runs. */
  onProgress?: (method: NceMethod, distance: number, step: number, error: number) => void;
}

export interface Fit {
  /** Slope of the fit. */
  slope: number;
  intercept: number;
  /** Coefficient of determination (1 = a perfect line). NaN with fewer than 3 points. */
  r2: number;
}

export interface Growth {
  /** Converged runs used for the fits. */
  points: number;
  /** log steps against R: slope = rate c of steps ≈ A·e^(cR). */
  exponential: Fit | null;
  /** log steps against log R: slope = degree k of steps ≈ A·R^k. */
  polynomial: Fit | null;
  /** Between consecutive converged distances: the factor per unit of R and the local degree. */
  local: { from: number; to: number; factorPerUnitR: number; degree: number }[];
}

export interface NceExperiment {
  dims: number;
  target: number;
  maxSteps: number;
  samples: number | null;
  runs: NceRun[];
  growth: Record<string, Growth>;
}

export function leastSquares(xs: readonly number[], ys: readonly number[]): Fit | null {
  checkNumbers('leastSquares', 'xs', xs);
  checkNumbers('leastSquares', 'ys', ys, { length: xs.length });
  const n = xs.length;
  if (n < 2) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) * (xs[i] - mx);
    sxy += (xs[i] - mx) * (ys[i] - my);
    syy += (ys[i] - my) * (ys[i] - my);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const r2 = n < 3 ? NaN : syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept: my - slope * mx, r2 };
}

export function growthOf(runs: readonly NceRun[]): Growth {
  checkArray('growthOf', 'runs', runs).forEach((r, i) => checkRun('growthOf', `runs[${i}]`, r));
  const ok = runs.filter((r) => r.converged && r.steps > 0);
  const R = ok.map((r) => r.distance);
  const logSteps = ok.map((r) => log(r.steps)); // detmath: the same bits in every engine
  const exponential = leastSquares(R, logSteps);
  const polynomial = leastSquares(R.map((x) => log(x)), logSteps);
  const sorted = [...ok].sort((a, b) => a.distance - b.distance);
  const local = sorted.slice(1).map((r, i) => {
    const q = sorted[i];
    const ratio = r.steps / q.steps;
    return { from: q.distance, to: r.distance, factorPerUnitR: pow(ratio, 1 / (r.distance - q.distance)), degree: log(ratio) / log(r.distance / q.distance) };
  });
  return { points: ok.length, exponential, polynomial, local };
}

export function validateExperiment(o: NceExperimentOptions, where = 'runNceExperiment'): void {
  const opts = checkObject(where, 'options', o);
  checkKeys(where, opts, optionKeys<NceExperimentOptions>({ target: true, maxSteps: true, lr: true, step: true, samples: true, seed: true, progressEvery: true, dims: true, distances: true, methods: true, onRun: true, onProgress: true }));
  nceProblem(checkInteger(where, 'options.dims', opts.dims, 1, MAX_DIMS), 1);
  checkNumbers(where, 'options.distances', opts.distances, { minLength: 1, min: Number.MIN_VALUE, max: MAX_DISTANCE });
  checkArray(where, 'options.methods', opts.methods, { min: 1 }).forEach((m, i) => checkOneOf(where, `options.methods[${i}]`, m, NCE_METHODS));
  if (o.onRun !== undefined) checkFunction(where, 'options.onRun', o.onRun);
}

export function runNceExperiment(o: NceExperimentOptions): NceExperiment {
  validateExperiment(o);
  const runs: NceRun[] = [];
  for (const method of o.methods) {
    for (const R of o.distances) {
      const { dims: _d, distances: _r, methods: _m, onRun: _o, ...runOptions } = o;
      const run = runNce(nceProblem(o.dims, R), {
        ...runOptions,
        method,
        onProgress: o.onProgress ? (step, error) => o.onProgress!(method, R, step, error) : undefined,
      });
      runs.push(run);
      o.onRun?.(run);
    }
  }
  const growth: Record<string, Growth> = {};
  for (const method of o.methods) growth[method] = growthOf(runs.filter((r) => r.method === method));
  return { dims: o.dims, target: o.target ?? 0.1, maxSteps: o.maxSteps ?? 100_000, samples: o.samples ?? null, runs, growth };
}

const fmtFit = (f: Fit | null, what: string) => (f ? `${what} ${f.slope.toFixed(3)} (r² ${Number.isNaN(f.r2) ? '—' : f.r2.toFixed(3)})` : '—');

export function nceMarkdown(e: NceExperiment): string {
  checkExperiment('nceMarkdown', e);
  const methods = [...new Set(e.runs.map((r) => r.method))];
  const distances = [...new Set(e.runs.map((r) => r.distance))];
  const lines = [
    `Steps to ‖τ − τ*‖ ≤ ${e.target} (D = ${e.dims}, ${e.samples === null ? 'exact population gradients' : `${e.samples} samples of P* and of Q per step`}; "≥ N" = stopped at the cap or diverged)`,
    '',
    `| method | ${distances.map((R) => `R = ${R}`).join(' | ')} | fit in R | fit in log R | local factor per unit R | local degree |`,
    `|---|${distances.map(() => '---:').join('|')}|---|---|---|---|`,
  ];
  for (const m of methods) {
    const cells = distances.map((R) => {
      const r = e.runs.find((x) => x.method === m && x.distance === R)!;
      return r.converged ? String(r.steps) : r.stopped === 'diverged' ? `diverged at ${r.steps}` : `≥ ${r.steps}`;
    });
    const g = e.growth[m];
    const loc = (f: (l: Growth['local'][number]) => number) => (g.local.length ? g.local.map((l) => f(l).toFixed(2)).join(', ') : '—');
    lines.push(`| ${m} | ${cells.join(' | ')} | ${fmtFit(g.exponential, 'rate')} | ${fmtFit(g.polynomial, 'degree')} | ${loc((l) => l.factorPerUnitR)} | ${loc((l) => l.degree)} |`);
  }
  return lines.join('\n') + '\n';
}

const COLORS: Record<NceMethod, string> = { 'nce-gd': '#d62728', 'nce-ngd': '#ff7f0e', 'ence-gd': '#9467bd', 'ence-ngd': '#1f77b4' };

export function nceSvg(e: NceExperiment): string {
  checkExperiment('nceSvg', e);
  const series: Series[] = [...new Set(e.runs.map((r) => r.method))].map((m) => {
    const rs = e.runs.filter((r) => r.method === m);
    return {
      name: m,
      color: COLORS[m],
      dashed: m.startsWith('nce'),
      points: rs.map((r) => ({ x: r.distance, y: Math.max(r.steps, 1) })),
      hollow: new Set(rs.flatMap((r, i) => (r.converged ? [] : [i]))),
    };
  });
  return logLogSvg(series, {
    title: `NCE vs eNCE: steps to parameter error ≤ ${e.target} (D = ${e.dims}; hollow = not reached)`,
    xLabel: 'distance R between data and noise',
    yLabel: 'steps',
    xScale: 'linear',
  });
}
