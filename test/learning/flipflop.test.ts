// Flip-flop glitches: counting against a plain reference, Wilson intervals against known values,
// streamed evaluation on a stub model, and the CLI round trip with bad input.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { countGlitches, emptyCounts, evaluateGlitches, flipflopPlan, initBackend, wilson, type SequenceModel } from '../../src/learning/index.js';
import { cli } from '../helpers/cli.js';

/** The plain definition: per sequence, the wrong reads among the scored positions. */
function reference(pred: number[], labels: number[], B: number, T: number) {
  let reads = 0, errors = 0, sequences = 0, sequencesWithError = 0;
  for (let b = 0; b < B; b++) {
    const rows = labels.slice(b * T, b * T + T).map((y, t) => [y, pred[b * T + t]]).filter(([y]) => y >= 0);
    if (rows.length === 0) continue;
    const wrong = rows.filter(([y, p]) => y !== p).length;
    reads += rows.length;
    errors += wrong;
    sequences += 1;
    if (wrong > 0) sequencesWithError += 1;
  }
  return { reads, errors, sequences, sequencesWithError };
}

describe('countGlitches', () => {
  it('counts a hand-made batch', () => {
    // Three sequences of T = 4: one right read and one wrong; no reads; two right reads.
    const labels = [1, -1, 0, -1, -1, -1, -1, -1, 0, -1, 1, -1];
    const pred = [1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 1, 0];
    expect(countGlitches(emptyCounts(), pred, labels, 3, 4)).toEqual({ reads: 4, errors: 1, sequences: 2, sequencesWithError: 1 });
  });

  it('matches the plain reference and accumulates across batches', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 9 }), fc.integer(), (B, T, seed) => {
        let s = seed >>> 0;
        const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
        const labels = Array.from({ length: B * T }, () => (rand() < 0.5 ? -1 : rand() < 0.5 ? 0 : 1));
        const pred = Array.from({ length: B * T }, () => (rand() < 0.5 ? 0 : 1));
        const once = countGlitches(emptyCounts(), pred, labels, B, T);
        expect(once).toEqual(reference(pred, labels, B, T));
        const twice = countGlitches(countGlitches(emptyCounts(), pred, labels, B, T), pred, labels, B, T);
        expect(twice).toEqual({ reads: 2 * once.reads, errors: 2 * once.errors, sequences: 2 * once.sequences, sequencesWithError: 2 * once.sequencesWithError });
      }),
    );
  });

  it('rejects mismatched sizes', () => {
    expect(() => countGlitches(emptyCounts(), [0, 1], [0], 1, 2)).toThrow(/expected 2 predictions and labels/);
  });
});

describe('wilson', () => {
  it('matches known values', () => {
    // 5/10: [0.2366, 0.7634]; 0/10: [0, z²/(n + z²)] = [0, 0.2775]; 10/10 mirrors it.
    const a = wilson(5, 10);
    expect(a.lo).toBeCloseTo(0.23659, 4);
    expect(a.hi).toBeCloseTo(0.76341, 4);
    expect(wilson(0, 10).lo).toBe(0);
    expect(wilson(0, 10).hi).toBeCloseTo(0.27753, 4);
    expect(wilson(10, 10).lo).toBeCloseTo(1 - 0.27753, 4);
    // 1/100 (Newcombe 1998, table I style): [0.00177, 0.05449].
    expect(wilson(1, 100).lo).toBeCloseTo(0.001767, 5);
    expect(wilson(1, 100).hi).toBeCloseTo(0.054488, 5);
    // Zero glitches in 10^5 reads: the "rule of three"-like bound z²/(n + z²).
    expect(wilson(0, 100_000).hi).toBeCloseTo(3.8414e-5, 8);
  });

  it('brackets the rate inside [0, 1]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, f) => {
        const k = Math.floor(f * n);
        const w = wilson(k, n);
        expect(w.lo).toBeGreaterThanOrEqual(0);
        expect(w.hi).toBeLessThanOrEqual(1);
        expect(w.lo).toBeLessThanOrEqual(w.rate + 1e-12);
        expect(w.hi).toBeGreaterThanOrEqual(w.rate - 1e-12);
      }),
    );
  });

  it('rejects k outside [0, n]', () => {
    expect(() => wilson(3, 2)).toThrow(/k must be/);
    expect(() => wilson(0, 0)).toThrow(/n must be/);
  });
});

describe('evaluateGlitches (streamed)', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  // Always answers 0: a glitch exactly when the remembered bit is 1, i.e. half the reads.
  const alwaysZero = { config: { classes: 2 }, forward: (x: tf.Tensor) => tf.tidy(() => tf.stack([tf.onesLike(x).toFloat(), tf.zerosLike(x).toFloat()], -1)) } as unknown as SequenceModel;

  it('scores at least the asked reads, with the error of a constant model near 1/2, and leaks no tensor', () => {
    const before = tf.memory().numTensors;
    const { counts } = evaluateGlitches(alwaysZero, 0.8, 16, 3000, 64, 7, 0);
    expect(tf.memory().numTensors).toBe(before);
    expect(counts.reads).toBeGreaterThanOrEqual(3000);
    const w = wilson(counts.errors, counts.reads, 4);
    expect(w.lo).toBeLessThan(0.5);
    expect(w.hi).toBeGreaterThan(0.5);
    // Every sequence ends with r, so every sequence is scored.
    expect(counts.sequences % 64).toBe(0);
    // Same seed and test index, same test set.
    expect(evaluateGlitches(alwaysZero, 0.8, 16, 3000, 64, 7, 0).counts).toEqual(counts);
  });

  it('sparse tail has about one read per sequence, dense tail many', () => {
    const sparse = evaluateGlitches(alwaysZero, 0.98, 32, 500, 64, 1, 1).counts;
    const dense = evaluateGlitches(alwaysZero, 0.1, 32, 500, 64, 1, 2).counts;
    expect(sparse.reads / sparse.sequences).toBeLessThan(1.5);
    expect(dense.reads / dense.sequences).toBeGreaterThan(5);
  });
});

describe('flipflopPlan validation', () => {
  it('names the bad field', () => {
    expect(() => flipflopPlan({ tests: [{ name: 'x', pI: 1 }] })).toThrow(/p_i must be in \[0, 1\), got 1/);
    expect(() => flipflopPlan({ length: 7 })).toThrow(/even/);
    expect(() => flipflopPlan({ models: ['mamba' as never] })).toThrow(/model must be one of/);
  });
});

describe('testbeds flipflop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-flipflop-'));
  const tiny = ['--steps', '2', '--reads', '200', '--length', '8', '--eval-batch', '32', '--backend', 'cpu', '--layers', '1', '--width', '8', '--heads', '2'];

  it('trains, evaluates three test sets per model, writes md/csv/json, refuses to replace them', async () => {
    const out = join(dir, 'run');
    const r = await cli(['flipflop', ...tiny, '--out', out, '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    const rows = ['transformer', 'lstm', 'transformer+wd', 'transformer+entropy', 'transformer+dropout'];
    expect(j.cells.map((c: { model: string; test: string }) => `${c.model}/${c.test}`)).toEqual(rows.flatMap((m) => ['in-distribution', 'sparse', 'dense'].map((t) => `${m}/${t}`)));
    for (const c of j.cells) {
      expect(c.counts.reads).toBeGreaterThanOrEqual(200);
      expect(c.readError.lo).toBeLessThanOrEqual(c.readError.rate);
      expect(c.readError.hi).toBeGreaterThanOrEqual(c.readError.rate);
      expect(c.readsPerSecond).toBeGreaterThan(0);
    }
    expect(j.interval).toBe('wilson-95');
    for (const f of ['flipflop.json', 'flipflop.md', 'flipflop.csv']) expect(existsSync(join(out, f))).toBe(true);
    expect(readFileSync(join(out, 'flipflop.csv'), 'utf8').trim().split('\n')).toHaveLength(16);
    expect(readFileSync(join(out, 'flipflop.md'), 'utf8')).toContain('| lstm | baseline | sparse | 0.98 |');
    const again = await cli(['flipflop', ...tiny, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already holds .*--force/);
    // --resume reads every finished row back (its SHA-256 checked) instead of retraining it.
    const resumed = await cli(['flipflop', ...tiny, '--out', out, '--resume', '--json']);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).not.toMatch(/step \d+\/2/);
    expect(JSON.parse(resumed.out).cells).toEqual(j.cells);
    // The inspector on the baseline row (2 steps: glitches everywhere).
    const svg = join(dir, 'g.svg');
    const shown = await cli(['flipflop', '--show', out, '--test', 'dense', '--svg', svg, '--backend', 'cpu']);
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toMatch(/glitch in the dense test set/);
    expect(shown.out.match(/layer \d head \d: on write/g)).toHaveLength(2); // 1 layer × 2 heads
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg/);
    const shownJson = JSON.parse((await cli(['flipflop', '--show', out, '--test', 'dense', '--json', '--backend', 'cpu'])).out);
    expect(shownJson.glitch.letters[shownJson.glitch.read]).toBe(1);
    expect(shownJson.glitch.predicted).not.toBe(shownJson.glitch.expected);
    const forced = await cli(['flipflop', ...tiny, '--models', 'lstm', '--tests', '0.5', '--out', out, '--force']);
    expect(forced.code, forced.err).toBe(0);
    expect(readFileSync(join(out, 'flipflop.md'), 'utf8')).toContain('| lstm | baseline | p_i=0.5 | 0.5 |');
    // Settings that differ from the stored rows are refused on --resume.
    const other = await cli(['flipflop', ...tiny, '--models', 'lstm', '--tests', '0.5', '--reads', '300', '--out', out, '--resume']);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/other settings/);
  }, 180_000);

  it.each([
    [['--tests', '0.8,1'], /--tests: p_i must be a number in \[0, 1\), got "1"/],
    [['--tests', '-0.1'], /--tests: p_i must be a number in \[0, 1\)/],
    [['--train-p', '1.5'], /--train-p: p_i must be/],
    [['--length', '7'], /--length: .*even, got 7/],
    [['--models', 'transformer,mamba'], /--models: unknown model "mamba"/],
    [['--preset', 'huge'], /--preset/],
    [['--reads', '0'], /--reads/],
    [['--width', '30', '--heads', '4'], /heads|width/],
    // The paper preset itself now trains (micro-batches); what cannot fit one sequence at a time is refused.
    [['--preset', 'paper', '--width', '4096'], /training row transformer \(batch 16 with micro-batch 1\) needs about .* GiB .*use a smaller width, depth, batch or length/],
    [['--mitigations', 'baseline,lasso'], /--mitigations: unknown mitigation "lasso"/],
    [['--dropout', '1'], /--dropout/],
    [['--resume'], /--resume needs --out/],
    [['--show', '/nonexistent/run'], /--show: no transformer\/checkpoint.tbck in \/nonexistent\/run/],
    [['--show', '/tmp', '--steps', '3'], /--steps does not apply to --show/],
    [['--show', '/tmp', '--test', 'medium'], /--test: one of in-distribution, sparse, dense, got "medium"/],
    [['--row', 'lstm'], /--row applies to --show only/],
  ])('bad input %j: one line, exit 2', async (args, msg) => {
    const r = await cli(['flipflop', ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(msg);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});
