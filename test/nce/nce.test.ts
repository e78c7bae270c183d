// The NCE landscape testbed: quadrature and closed forms against plain references, gradients
// against finite differences, the sampled version against the exact one, the growth the paper
// predicts, validation, and the CLI.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  gaussianMgf,
  leastSquares,
  logisticMoments,
  nceMarkdown,
  nceProblem,
  nceSvg,
  parameterError,
  populationGradient,
  runNce,
  runNceExperiment,
  smoothness,
  sampledGradient,
} from '../../src/nce/index.js';
import { Rng } from '../../src/random/prng.js';
import { cli } from '../helpers/cli.js';

/** Plain reference: a fine midpoint rule over z ∈ [−40, 40] with Math.exp (no caching, no truncation). */
function reference(m: number, s: number, f: (r: number) => number): number {
  const h = 4e-3;
  let acc = 0;
  for (let z = -40 + h / 2; z < 40; z += h) acc += f(m + s * z) * Math.exp(-0.5 * z * z);
  return (acc * h) / Math.sqrt(2 * Math.PI);
}
const sig = (r: number) => (r >= 0 ? 1 / (1 + Math.exp(-r)) : Math.exp(r) / (1 + Math.exp(r)));
const softplus = (r: number) => Math.max(r, 0) + Math.log1p(Math.exp(-Math.abs(r)));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('quadrature', () => {
  it('logistic moments match a fine reference to 1e-9 relative, tiny values included', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: 0.05, max: 8, noNaN: true }), (m, s) => {
        const q = logisticMoments(m, s, true);
        expect(rel(q.sigma, reference(m, s, sig))).toBeLessThan(1e-9);
        expect(rel(q.sigmaNeg, reference(m, s, (r) => sig(-r)))).toBeLessThan(1e-9);
        expect(rel(q.sigmaPrime, reference(m, s, (r) => sig(r) * sig(-r)))).toBeLessThan(1e-9);
        expect(rel(q.softplus, reference(m, s, softplus))).toBeLessThan(1e-9);
        expect(rel(q.softplusNeg, reference(m, s, (r) => softplus(-r)))).toBeLessThan(1e-9);
      }),
      { numRuns: 10, seed: 7 },
    );
  });

  it('s = 0 is the point mass', () => {
    const q = logisticMoments(1.5, 0);
    expect(q.sigma).toBeCloseTo(sig(1.5), 14);
    expect(q.sigma + q.sigmaNeg).toBeCloseTo(1, 14);
  });

  it('the Gaussian MGF matches the reference', () => {
    for (const [a, m, s] of [[0.5, -3, 2], [-0.5, 4, 3], [0.5, 0, 0.1]]) expect(rel(gaussianMgf(a, m, s), reference(m, s, (r) => Math.exp(a * r)))).toBeLessThan(1e-9);
  });

  it('refuses a negative or non-finite spread', () => {
    expect(() => logisticMoments(0, -1)).toThrow(/logisticMoments: s = -1 is not a finite number in \[0, /);
    expect(() => logisticMoments(NaN, 1)).toThrow(/logisticMoments: m = NaN /);
  });
});

describe('losses and gradients', () => {
  const tauArb = fc.tuple(fc.double({ min: -2, max: 4, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -3, max: 6, noNaN: true }));

  for (const loss of ['nce', 'ence'] as const) {
    it(`${loss}: the exact gradient is the derivative of the exact loss (central differences)`, () => {
      const p = nceProblem(2, 3);
      fc.assert(
        fc.property(tauArb, ([a, b, c]) => {
          const tau = Float64Array.from([a, b, c]);
          const g = populationGradient(p, loss, tau).grad;
          for (let i = 0; i < 3; i++) {
            const e = 1e-5;
            const up = Float64Array.from(tau), dn = Float64Array.from(tau);
            up[i] += e;
            dn[i] -= e;
            const fd = (populationGradient(p, loss, up, true).loss - populationGradient(p, loss, dn, true).loss) / (2 * e);
            expect(Math.abs(g[i] - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
          }
        }),
        { numRuns: 15, seed: 3 },
      );
    });

    it(`${loss}: the gradient vanishes at τ* = (θ*, R²/2) and not at the start`, () => {
      const p = nceProblem(3, 4);
      const star = Float64Array.from([4, 0, 0, 8]);
      const g = populationGradient(p, loss, star).grad;
      const scale = loss === 'nce' ? 1 : Math.exp(-16 / 8); // eNCE's loss scale at τ* is e^(−R²/8)
      for (const x of g) expect(Math.abs(x)).toBeLessThan(1e-12 * Math.max(1, scale));
      const g0 = populationGradient(p, loss, new Float64Array(4)).grad;
      expect(Math.hypot(...g0)).toBeGreaterThan(0.1);
    });

    it(`${loss}: the sampled gradient estimates the exact one, and a seed fixes it`, () => {
      const p = nceProblem(2, 1);
      const tau = Float64Array.from([0.5, -0.2, 0.3]);
      const exact = populationGradient(p, loss, tau).grad;
      const a = sampledGradient(p, loss, tau, 100_000, new Rng(5)).grad;
      for (let i = 0; i < 3; i++) expect(Math.abs(a[i] - exact[i])).toBeLessThan(0.01);
      const b = sampledGradient(p, loss, tau, 100_000, new Rng(5)).grad;
      expect(Array.from(b)).toEqual(Array.from(a));
    });
  }
});

describe('the landscape (the paper’s claim, measured)', () => {
  it('NCE with GD grows exponentially in R; eNCE with NGD polynomially, and far fewer steps', () => {
    const e = runNceExperiment({ dims: 1, distances: [1, 2, 3, 4], methods: ['nce-gd', 'ence-ngd'], maxSteps: 50_000 });
    const steps = (m: string) => e.runs.filter((r) => r.method === m).map((r) => r.steps);
    expect(e.runs.every((r) => r.converged && r.error <= 0.1)).toBe(true);
    const gd = steps('nce-gd');
    // Each unit of R multiplies the GD steps by more than 5 (e^(cR) with c > ln 5).
    for (let i = 1; i < gd.length; i++) expect(gd[i] / gd[i - 1]).toBeGreaterThan(5);
    expect(e.growth['nce-gd'].exponential!.slope).toBeGreaterThan(1.6);
    expect(e.growth['nce-gd'].exponential!.r2).toBeGreaterThan(0.99);
    // Exponential: the factor per unit of R stays large; polynomial: it falls.
    expect(Math.min(...e.growth['nce-gd'].local.map((l) => l.factorPerUnitR))).toBeGreaterThan(5);
    const f = e.growth['ence-ngd'].local.map((l) => l.factorPerUnitR);
    expect(f[f.length - 1]).toBeLessThan(f[0]);
    expect(f[f.length - 1]).toBeLessThan(2);
    expect(e.growth['ence-ngd'].polynomial!.slope).toBeLessThan(2.5);
    expect(steps('ence-ngd')[3]).toBeLessThan(gd[3] / 10);
  });

  it('a capped run says so, and the plot draws it hollow', () => {
    const r = runNce(nceProblem(1, 5), { method: 'nce-gd', maxSteps: 100 });
    expect(r).toMatchObject({ converged: false, stopped: 'max-steps', steps: 100 });
    expect(r.error).toBeGreaterThan(0.1);
    expect(r.error).toBeLessThan(parameterError(nceProblem(1, 5), Float64Array.from([0, 0]))); // it moved, just not far enough
    const e = runNceExperiment({ dims: 1, distances: [1, 5], methods: ['nce-gd'], maxSteps: 100 });
    const svg = nceSvg(e);
    expect(svg).toContain('fill="white" stroke="#d62728"');
    expect(svg.startsWith('<svg')).toBe(true);
  });

  it('the result does not depend on D (θ* = R e₁; the other coordinates stay at 0)', () => {
    const a = runNce(nceProblem(1, 2), { method: 'ence-ngd' });
    const b = runNce(nceProblem(5, 2), { method: 'ence-ngd' });
    expect(b.steps).toBe(a.steps);
  });
});

describe('validation', () => {
  it('names the argument and the value', () => {
    expect(() => nceProblem(0, 1)).toThrow(/nceProblem: dims = 0 is not an integer/);
    expect(() => nceProblem(1, -1)).toThrow(/distance = -1 /);
    expect(() => nceProblem(1, 31)).toThrow(/distance = 31 is not a finite number in \[.*, 30\]/);
    expect(() => runNce(nceProblem(1, 1), { method: 'bogus' as never })).toThrow(/runNce: options.method = "bogus" is not one of/);
    expect(() => runNce(nceProblem(1, 1), { method: 'nce-gd', target: 0 })).toThrow(/options.target = 0 /);
    expect(() => runNce(nceProblem(1, 1), { method: 'nce-gd', maxSteps: 1.5 })).toThrow(/options.maxSteps = 1.5 /);
    expect(() => runNce(nceProblem(1, 1), { method: 'nce-gd', samples: 0 })).toThrow(/options.samples = 0 /);
    expect(() => runNceExperiment({ dims: 1, distances: [], methods: ['nce-gd'] })).toThrow(/options.distances has length 0, expected at least 1/);
    expect(() => runNceExperiment({ dims: 1, distances: [1], methods: ['x' as never] })).toThrow(/options.methods\[0\] = "x"/);
    expect(() => runNceExperiment(undefined as never)).toThrow(/runNceExperiment: options must be an object/);
  });
});

describe('testbeds nce', () => {
  it('--json prints runs and growth', async () => {
    const r = await cli(['nce', '--distances', '1,2,3', '--method', 'nce-gd,ence-ngd', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.runs).toHaveLength(6);
    expect(j.runs[0]).toMatchObject({ method: 'nce-gd', distance: 1, converged: true });
    expect(typeof j.runs[0].steps).toBe('number');
    expect(typeof j.runs[0].error).toBe('number');
    expect(Object.keys(j.growth)).toEqual(['nce-gd', 'ence-ngd']);
    expect(j.growth['nce-gd'].exponential.slope).toBeGreaterThan(1);
  });

  it('--out writes json, md and svg, and refuses to replace them without --force', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'testbeds-nce-')), 'out');
    const args = ['nce', '--distances', '1,2', '--method', 'ence-ngd', '--out', dir];
    expect((await cli(args)).code).toBe(0);
    for (const f of ['nce.json', 'nce.md', 'nce.svg']) expect(existsSync(join(dir, f))).toBe(true);
    expect(readFileSync(join(dir, 'nce.md'), 'utf8')).toContain('| ence-ngd |');
    const again = await cli(args);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already holds nce\.json, nce\.md, nce\.svg; pass --force/);
    expect((await cli([...args, '--force'])).code).toBe(0);
  });

  it('bad input is one line and exit code 2', async () => {
    for (const [args, msg] of [
      [['--distances', '-1'], /--distances.*"-1"/],
      [['--distances', '1,,2'], /--distances/],
      [['--dims', '0'], /--dims.*"0"/],
      [['--method', 'gd'], /--method.*"gd"/],
      [['--target', '-0.1'], /--target/],
      [['--seed', '3'], /--seed.*--samples/],
      [['--lr', '0.1', '--method', 'ence-ngd'], /--lr/],
      [['--samples', '100000', '--dims', '4096'], /draws per step/],
    ] as [string[], RegExp][]) {
      const r = await cli(['nce', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(msg);
    }
  });
});

describe('argument checks of the building blocks', () => {
  const p = nceProblem(2, 1.5);
  it('refuse a hand-made problem whose θ* or b* is not the truth, and τ of the wrong length', () => {
    expect(() => parameterError({ ...p, bStar: 1 }, new Float64Array(3))).toThrow(/parameterError: problem.bStar = 1, expected R²\/2 = 1.125/);
    expect(() => smoothness({ ...p, thetaStar: new Float64Array([1, 0]) })).toThrow(/smoothness: problem.thetaStar\[0\] = 1, expected 1.5/);
    expect(() => parameterError(p, new Float64Array(2))).toThrow(/parameterError: tau has length 2, expected 3/);
    expect(() => populationGradient(p, 'nce', new Float64Array([0, NaN, 0]))).toThrow(/populationGradient: tau\[1\] = NaN/);
    expect(() => populationGradient(p, 'x' as never, new Float64Array(3))).toThrow(/populationGradient: loss = "x" is not one of/);
  });
  it('name the report and the field of a malformed experiment', () => {
    const e = runNceExperiment({ dims: 1, distances: [1, 2], methods: ['ence-ngd'], target: 0.5 });
    expect(nceMarkdown(e)).toContain('ence-ngd');
    expect(() => nceMarkdown({ ...e, runs: [{ ...e.runs[0], steps: -1 }] })).toThrow(/nceMarkdown: experiment.runs\[0\].steps = -1/);
    expect(() => nceSvg({ ...e, growth: {} })).toThrow(/nceSvg: experiment.growth\["ence-ngd"\] is missing/);
    expect(() => leastSquares([1, 2], [1])).toThrow(/leastSquares: ys has length 1, expected 2/);
  });
});

describe('divergence', () => {
  it('a step far above 1/β diverges and stops at once, without growing the quadrature grid', () => {
    const r = runNce(nceProblem(1, 3), { method: 'nce-gd', lr: 1e6, maxSteps: 1000 });
    expect(r).toMatchObject({ converged: false, stopped: 'diverged' });
    expect(r.steps).toBeLessThan(5);
    expect(r.loss).toBeNaN();
    expect(() => logisticMoments(0, 1e4)).toThrow(/logisticMoments: s = 10000 is not a finite number in \[0, 1000\]/);
  });
});
