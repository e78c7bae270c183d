/**
 * `testbeds nce`: the NCE landscape testbed (Liu, Rosenfeld, Ravikumar & Risteski 2022). Learns
 * the mean and log-partition of a Gaussian N(R·e₁, I) by NCE against the noise N(0, I), for each
 * distance R and method, and reports the steps to a fixed parameter error and how they grow.
 */
import { checkFilesWritable, writeFilesAtomic } from '../../io/atomic.js';
import { CliError, flag, int, num, parse, str } from '../args.js';
import type { Command } from '../command.js';
import { MAX_DIMS, MAX_DISTANCE, NCE_MAX_SAMPLES, NCE_MAX_STEPS, NCE_METHODS, nceMarkdown, nceSvg, runNceExperiment, type NceMethod } from '../../nce/index.js';

const usage = `usage: testbeds nce [--dims D] [--distances 1,2,…] [--method M[,M…]] [--target E]
                   [--max-steps N] [--lr X] [--step X] [--samples N --seed S] [--out DIR [--force]] [--json]

Learns τ = (θ, b) of the model log p_τ(x) = log q(x) + θᵀx − b (mean θ and log-partition b) for
data P* = N(R·e₁, I_D) against noise Q = N(0, I_D), starting at τ = 0 (the noise), and counts the
steps until ‖τ − τ*‖₂ ≤ target, τ* = (R·e₁, R²/2). Prints a table of steps per R and method and the
fitted growth: log steps against R (exponential) and against log R (polynomial).

options:
  --dims D           dimension (default 1; the landscape depends on R, not on D)   [1, ${MAX_DIMS}]
  --distances LIST   distances R (default 1,2,3,4,5)                              (0, ${MAX_DISTANCE}]
  --method LIST      of ${NCE_METHODS.join(', ')} (default nce-gd,ence-ngd)
                     nce / ence: the logistic NCE loss / the exponential eNCE loss;
                     gd: gradient descent with step 1/β (β: the NCE smoothness bound); ngd:
                     normalised gradient descent τ ← τ − η∇/‖∇‖
  --target E         parameter error to reach (default 0.1)
  --max-steps N      cap per run (default 100000); a capped run reports converged: false
  --lr X             gradient-descent step instead of 1/β
  --step X           NGD step length η (default target/2)
  --samples N        sampled gradients from N fresh draws of P* and of Q per step (default: exact
                     population gradients by quadrature)                          [1, ${NCE_MAX_SAMPLES}]
  --seed S           seed of the sampled version (default 1)
  --out DIR          write DIR/nce.json, nce.md, nce.svg (refuses to replace them without --force)
  --json             {"runs": [{method, distance, steps, converged, error, …}], "growth": {METHOD: …}}

example:
  npx testbeds nce --distances 1,2,3,4 --method nce-gd,ence-ngd`;

function list(p: ReturnType<typeof parse>, name: string): string[] | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  const items = v.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new CliError(`--${name}: expected a comma-separated list, got "${v}"`);
  return items;
}

export const command: Command = {
  summary: 'NCE vs eNCE on a Gaussian: steps to learn it as the noise moves away (exp(R) vs poly(R))',
  usage,
  async run(argv) {
    const p = parse(
      argv,
      {
        dims: { type: 'string' },
        distances: { type: 'string' },
        method: { type: 'string' },
        target: { type: 'string' },
        'max-steps': { type: 'string' },
        lr: { type: 'string' },
        step: { type: 'string' },
        samples: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      false,
    );
    const dims = int(p, 'dims', 1, 1, MAX_DIMS)!;
    const distances = (list(p, 'distances') ?? ['1', '2', '3', '4', '5']).map((s) => {
      const R = Number(s);
      if (!Number.isFinite(R) || R <= 0 || R > MAX_DISTANCE) throw new CliError(`--distances: each must be a number in (0, ${MAX_DISTANCE}], got "${s}"`);
      return R;
    });
    const methods = (list(p, 'method') ?? ['nce-gd', 'ence-ngd']).map((m) => {
      if (!(NCE_METHODS as readonly string[]).includes(m)) throw new CliError(`--method: expected ${NCE_METHODS.join('|')}, got "${m}"`);
      return m as NceMethod;
    });
    const target = num(p, 'target', 0.1, Number.MIN_VALUE, 1e6)!;
    const maxSteps = int(p, 'max-steps', 100_000, 1, NCE_MAX_STEPS)!;
    const lr = num(p, 'lr', undefined, Number.MIN_VALUE, 1e6);
    const step = num(p, 'step', undefined, Number.MIN_VALUE, 1e6);
    const samples = int(p, 'samples', undefined, 1, NCE_MAX_SAMPLES);
    if (str(p, 'seed') !== undefined && samples === undefined) throw new CliError('--seed: only the sampled version (--samples N) is random; exact gradients take no seed');
    const seed = int(p, 'seed', 1, 0, 2 ** 32 - 1)!;
    if (lr !== undefined && !methods.some((m) => m.endsWith('-gd'))) throw new CliError('--lr: sets the step of the gd methods, and none is in --method');
    if (step !== undefined && !methods.some((m) => m.endsWith('-ngd'))) throw new CliError('--step: sets the step of the ngd methods, and none is in --method');
    // Work per step: the sampled version draws 2·N·D normals; refuse what would take hours per step.
    if (samples !== undefined && samples * dims > 1e8) throw new CliError(`--samples ${samples} × --dims ${dims} = ${samples * dims} draws per step; at most 1e8`);
    const force = flag(p, 'force');
    const outDir = str(p, 'out');
    const names = ['nce.json', 'nce.md', 'nce.svg'];
    if (outDir !== undefined) checkFilesWritable(outDir, names, { force }); // before the run: a bad --out fails at once
    const t0 = Date.now();
    const e = runNceExperiment({
      dims,
      distances,
      methods,
      target,
      maxSteps,
      lr,
      step,
      samples,
      seed,
      progressEvery: 20_000,
      onProgress: (m, R, s, err) => console.error(`  ${m} R=${R}: step ${s}, error ${err.toExponential(3)}`),
      onRun: (r) =>
        console.error(`${r.method} R=${r.distance}: ${r.converged ? `${r.steps} steps` : `not reached in ${r.steps} steps (${r.stopped})`}, error ${r.error.toExponential(3)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`),
    });
    const md = nceMarkdown(e);
    if (outDir !== undefined) {
      const written = writeFilesAtomic(outDir, { [names[0]]: JSON.stringify(e, null, 1) + '\n', [names[1]]: md, [names[2]]: nceSvg(e) }, { force });
      console.error(`wrote ${written.join(', ')}`);
    }
    if (flag(p, 'json')) console.log(JSON.stringify(e));
    else process.stdout.write(md);
    return 0;
  },
};
