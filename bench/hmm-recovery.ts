/**
 * `testbeds bench hmm-recovery`: how often recovery of (O, T) from the triplet tensor succeeds on
 * typical random HMMs (rows Dirichlet(1), the `hmm random` default), per method and sample size.
 *
 * For each seed s in [0, seeds) an HMM `randomHmm(k, d, { seed: s })` is drawn; W is the exact
 * tensor or one estimated from N sampled triples (sampling seed 1000 + s); each method recovers
 * (O, T); errors are max|ΔT|, max|ΔO| after matching states. "Success" = both below --ok (0.1).
 *
 * Methods: 'plain' is the pre-2026-12 default (unconstrained CP-ALS from Jennrich's init, one run,
 * T by least squares then clipped onto the simplex); 'simplex' is the current default
 * (non-negative HALS with restarts, T by simplex-constrained least squares).
 *
 * Resumable: one JSON line per (method, N, seed) appended to DIR/runs.jsonl; rows already there are
 * skipped. Writes DIR/summary.json and DIR/summary.md at the end.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_EMISSION_CONDITION, MIN_SPECTRAL_GAP, randomHmm, recoverFromTensor, tripletJoint, tripletTensor, type Joint, type RecoverOptions } from '../src/hmm/index.js';

interface RunRow {
  method: string;
  n: number | 'exact';
  seed: number;
  transition: number;
  emission: number;
  converged: boolean;
  iterations: number;
  fit: number;
  illConditioned?: boolean;
  spectralGap?: number;
  emissionCondition?: number;
  seconds: number;
  error?: string;
}

function methodOptions(method: string, seed: number, joint: Joint | undefined): RecoverOptions {
  if (method === 'plain') return { constraint: 'none', cp: { init: 'jennrich', restarts: 1, maxIter: 1000, linesearch: true, tol: 1e-14, seed } };
  if (method === 'simplex') return { constraint: 'simplex', cp: { seed }, refine: 'none' };
  if (method === 'simplex+em') return { constraint: 'simplex', cp: { seed }, joint, refine: 'em' };
  throw new RangeError(`unknown method ${JSON.stringify(method)} (plain, simplex, simplex+em)`);
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      seeds: { type: 'string' },
      'first-seed': { type: 'string' },
      k: { type: 'string' },
      d: { type: 'string' },
      sizes: { type: 'string' },
      methods: { type: 'string' },
      ok: { type: 'string' },
    },
  });
  const dir = values.out ?? 'bench-results/hmm-recovery';
  const seeds = Number(values.seeds ?? 50);
  const firstSeed = Number(values['first-seed'] ?? 0);
  const k = Number(values.k ?? 4);
  const d = Number(values.d ?? 8);
  const ok = Number(values.ok ?? 0.1);
  const sizes: (number | 'exact')[] = (values.sizes ?? 'exact,1e5,1e6').split(',').map((s) => (s === 'exact' ? 'exact' : Number(s)));
  const methods = (values.methods ?? 'plain,simplex,simplex+em').split(',');
  mkdirSync(dir, { recursive: true });
  const runsPath = join(dir, 'runs.jsonl');
  const done = new Map<string, RunRow>();
  if (existsSync(runsPath)) {
    for (const line of readFileSync(runsPath, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as RunRow;
      done.set(`${r.method}|${r.n}|${r.seed}`, r);
    }
  }
  const rows: RunRow[] = [];
  for (const n of sizes) {
    for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
      const hmm = randomHmm(k, d, { seed });
      let joint: Joint | undefined;
      for (const method of methods) {
        const key = `${method}|${n}|${seed}`;
        const have = done.get(key);
        if (have) {
          rows.push(have);
          continue;
        }
        joint ??= n === 'exact' ? tripletJoint(hmm, 'exact') : tripletJoint(hmm, 'samples', n, 1000 + seed);
        const w = tripletTensor(joint);
        const t0 = performance.now();
        let row: RunRow;
        try {
          const rec = recoverFromTensor(w, k, { truth: hmm, ...methodOptions(method, seed, n === 'exact' ? undefined : joint), ...(n === 'exact' ? {} : { samples: n }) });
          row = {
            method, n, seed,
            transition: rec.errors!.transition, emission: rec.errors!.emission,
            converged: rec.cp.converged, iterations: rec.cp.iterations, fit: rec.cp.fit,
            illConditioned: rec.conditioning.illConditioned,
            spectralGap: rec.conditioning.spectralGap,
            emissionCondition: rec.conditioning.emissionCondition,
            seconds: (performance.now() - t0) / 1000,
          };
        } catch (e) {
          row = { method, n, seed, transition: 1, emission: 1, converged: false, iterations: 0, fit: NaN, seconds: (performance.now() - t0) / 1000, error: (e as Error).message };
        }
        appendFileSync(runsPath, JSON.stringify(row) + '\n');
        rows.push(row);
        process.stderr.write(`${method} N=${n} seed=${seed}: max|ΔT| ${row.transition.toExponential(2)} max|ΔO| ${row.emission.toExponential(2)}${row.converged ? '' : ' (not converged)'}${row.illConditioned ? ' [ill-conditioned]' : ''}\n`);
      }
    }
  }
  const summary = [];
  for (const n of sizes) for (const method of methods) {
    const rs = rows.filter((r) => r.method === method && r.n === n && r.seed >= firstSeed && r.seed < firstSeed + seeds);
    const good = rs.filter((r) => r.transition < ok && r.emission < ok);
    // Flags from the stored gap and cond(O) with the current thresholds (conditioning.ts).
    const flag = (r: RunRow) => r.spectralGap !== undefined && (r.spectralGap < MIN_SPECTRAL_GAP || !((r.emissionCondition ?? 0) <= MAX_EMISSION_CONDITION));
    const flagged = rs.filter(flag);
    const badUnflagged = rs.filter((r) => !(r.transition < ok && r.emission < ok) && !flag(r));
    const goodFlagged = good.filter(flag);
    summary.push({
      method, n, runs: rs.length,
      success: good.length,
      converged: rs.filter((r) => r.converged).length,
      flaggedIllConditioned: flagged.length,
      failedUnflagged: badUnflagged.length,
      succeededFlagged: goodFlagged.length,
      medianTransition: quantile(rs.map((r) => r.transition), 0.5),
      p90Transition: quantile(rs.map((r) => r.transition), 0.9),
      medianEmission: quantile(rs.map((r) => r.emission), 0.5),
      p90Emission: quantile(rs.map((r) => r.emission), 0.9),
      medianSeconds: quantile(rs.map((r) => r.seconds), 0.5),
    });
  }
  const md = [
    `Recovery of (O, T) on ${seeds} random HMMs (seeds ${firstSeed}–${firstSeed + seeds - 1}; k = ${k}, d = ${d}, rows Dirichlet(1)); success = max|ΔT| and max|ΔO| both < ${ok}. ` +
      `Flagged = the conditioning warning (spectral gap < ${MIN_SPECTRAL_GAP} or cond(O) > ${MAX_EMISSION_CONDITION}).`,
    '',
    '| method | N | success | converged | flagged ill-conditioned | failed, not flagged | succeeded, flagged | median max\\|ΔT\\| | p90 max\\|ΔT\\| | median max\\|ΔO\\| | p90 max\\|ΔO\\| | median s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...summary.map((s) => `| ${s.method} | ${s.n} | ${s.success}/${s.runs} | ${s.converged}/${s.runs} | ${s.flaggedIllConditioned} | ${s.failedUnflagged} | ${s.succeededFlagged} | ${s.medianTransition.toExponential(2)} | ${s.p90Transition.toExponential(2)} | ${s.medianEmission.toExponential(2)} | ${s.p90Emission.toExponential(2)} | ${s.medianSeconds.toFixed(3)} |`),
    '',
  ].join('\n');
  const tag = firstSeed === 0 ? '' : `-seeds${firstSeed}`;
  for (const [name, text] of [[`summary${tag}.json`, JSON.stringify({ k, d, seeds, firstSeed, ok, sizes, methods, minSpectralGap: MIN_SPECTRAL_GAP, summary }, null, 1) + '\n'], [`summary${tag}.md`, md]] as const) {
    writeFileSync(join(dir, name + '.tmp'), text);
    renameSync(join(dir, name + '.tmp'), join(dir, name));
  }
  console.log(md);
}
