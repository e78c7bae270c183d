// The experiment report (runExperiment → experimentMarkdown): what it claims about the pairwise floor.
import { describe, expect, it } from 'vitest';
import { experimentMarkdown, randomHmm, runExperiment } from '../../src/hmm/index.js';

describe('experiment report', () => {
  it('k ≤ 10: states the twin distance and the floor, both positive', () => {
    const r = runExperiment({ hmm: randomHmm(3, 5, { seed: 4 }), sizes: [1000], reps: 1, seed: 1 });
    expect(r.twin.found).toBe(true);
    expect(r.twin.floor).toBeGreaterThan(0);
    expect(experimentMarkdown(r)).toMatch(/error ≥ dist\(θ, θ̃\)\/2 = [1-9]/);
  });

  it('k > 10: the distance is not computed, and the report says so instead of "distance 0"', () => {
    const logs: string[] = [];
    const r = runExperiment({ hmm: randomHmm(11, 12, { seed: 1 }), sizes: [1000], reps: 1, seed: 1, onLog: (l) => logs.push(l) });
    expect(r.twin.found).toBe(true);
    const md = experimentMarkdown(r);
    expect(md).not.toMatch(/at distance 0 from the truth/);
    expect(md).not.toMatch(/dist\(θ, θ̃\)\/2 = 0/);
    expect(md).toMatch(/not computed for k > 10/);
    expect(logs.join('\n')).toMatch(/k > 10: the exact distance up to relabelling .* not computed/);
  });
});
