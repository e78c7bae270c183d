// The experiment report (runExperiment → experimentMarkdown): what it claims about the pairwise floor.
import { describe, expect, it } from 'vitest';
import { defaultExperimentHmm, experimentMarkdown, randomHmm, runExperiment } from '../../src/hmm/index.js';

describe('experiment report', () => {
  it('k ≤ 10: states the twin distance and the floor, both positive', () => {
    const r = runExperiment({ hmm: randomHmm(3, 5, { seed: 4 }), sizes: [1000], reps: 1, seed: 1 });
    expect(r.twin.found).toBe(true);
    expect(r.twin.floor).toBeGreaterThan(0);
    expect(experimentMarkdown(r)).toMatch(/error ≥ dist\(θ, θ̃\)\/2 = [1-9]/);
  });

  it('k > 10: the distance is not computed, and the report says so instead of "distance 0"', () => {
    const logs: string[] = [];
    // (constraint 'none': only the twin report is under test here, and it is the cheaper recovery)
    const r = runExperiment({ hmm: randomHmm(11, 12, { seed: 1 }), sizes: [1000], reps: 1, seed: 1, constraint: 'none', onLog: (l) => logs.push(l) });
    expect(r.twin.found).toBe(true);
    const md = experimentMarkdown(r);
    expect(md).not.toMatch(/at distance 0 from the truth/);
    expect(md).not.toMatch(/dist\(θ, θ̃\)\/2 = 0/);
    expect(md).toMatch(/not computed for k > 10/);
    expect(logs.join('\n')).toMatch(/k > 10: the exact distance up to relabelling .* not computed/);
  });
});

describe('experiment at tiny N', () => {
  // Unconstrained recovery throws on such a W (a CP column sums to 0); the constrained default
  // returns non-negative columns (and flags the instance ill-conditioned) instead.
  it('a recovery that fails (W from 1–5 samples) is counted as error 1 and reported, not an abort', () => {
    const logs: string[] = [];
    const r = runExperiment({ hmm: defaultExperimentHmm(), sizes: [1, 5, 20000], reps: 3, seed: 1, constraint: 'none', onLog: (l) => logs.push(l) });
    expect(r.rows).toHaveLength(3);
    const tiny = r.rows[0];
    expect(tiny.triplet.failures).toBeGreaterThan(0);
    expect(tiny.triplet.failure).toMatch(/./);
    expect(tiny.triplet.transition.max).toBe(1);
    expect(r.rows[2].triplet.failures).toBe(0);
    expect(r.rows[2].triplet.transition.max).toBeLessThan(0.5);
    const md = experimentMarkdown(r);
    expect(md).toMatch(/\| 1e0 \| .* \(\d of 3 failed\)/);
    expect(logs.join('\n')).toMatch(/N=1: .*failed, counted as error 1/);
  });
});
