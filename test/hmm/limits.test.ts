// Size limits of HMMs (the same for files, random:K,D, randomHmm and hmm random, checked before
// allocating) and the bounded counterexample search (k = d = 300 ran > 400 s unbounded).
import { describe, expect, it } from 'vitest';
import { COUNTEREXAMPLE_MAX_STATES, createHmm, empiricalJoint, findPairwiseTwin, HMM_LIMITS, HMMError, parseHmm, randomHmm, sampleCounts } from '../../src/hmm/index.js';
import { cli } from '../helpers/cli.js';
import { cpuMs } from '../helpers/cpu.js';

const uniform = (k: number, d: number) => ({ transition: Array.from({ length: k }, () => new Array(k).fill(1 / k)), emission: Array.from({ length: k }, () => new Array(d).fill(1 / d)) });

describe('HMM size limits', () => {
  it('randomHmm and createHmm refuse sizes above the limits at once, naming them', () => {
    const t0 = cpuMs();
    expect(() => randomHmm(20000, 20000)).toThrow(new HMMError(`randomHmm: k = 20000 hidden states is above the limit ${HMM_LIMITS.states}`));
    expect(() => randomHmm(64, 70000)).toThrow(/d = 70000 observations is above the limit 65536/);
    expect(() => randomHmm(1000, 16000)).toThrow(/k·\(k \+ d\) = 17000000 parameters \(k = 1000, d = 16000\) is above the limit 2\^24/);
    expect(() => createHmm(uniform(1100, 2))).toThrow(/HMM: k = 1100 hidden states is above the limit 1024/);
    expect(() => parseHmm(JSON.stringify(uniform(1025, 1)), 'big.json')).toThrow(/k = 1025/);
    expect(cpuMs() - t0).toBeLessThan(2000); // CPU time: refused before allocating, whatever the load
    expect(randomHmm(2, 65536).d).toBe(65536);
  });

  it('the CLI: random:K,D and hmm random share the limits; one line, exit 2, at once', async () => {
    const t0 = cpuMs();
    let r = await cli(['hmm', 'sample', '--hmm', 'random:100000,100000', '--length', '5']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('testbeds hmm: --hmm random:100000,100000: k = 100000 hidden states is above the limit 1024');
    r = await cli(['hmm', 'random', '--k', '2000', '--d', '3']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--k: expected an integer in \[1, 1024\], got "2000"/);
    r = await cli(['hmm', 'random', '--k', '1000', '--d', '65536']);
    expect(r.err).toMatch(/k·\(k \+ d\) = 66536000 parameters .* above the limit 2\^24/);
    expect(cpuMs() - t0).toBeLessThan(3000);
  });
});

describe('sampling far positions', () => {
  it('the joint method samples positions up to any distance; the chain method bounds its walk', () => {
    const h = randomHmm(3, 4, { seed: 3 });
    const c = sampleCounts(h, [1, 2 ** 40], 1000, 1); // exact joint law by matrix powers, then alias draws
    expect(c.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(() => sampleCounts(h, [1, 2 ** 30], 10, 1, undefined, 'chain')).toThrow(/sampleCounts: the chain method walks every step up to position 1073741824; at most 67108864/);
    expect(() => sampleCounts(h, [1, 1000], 2 ** 30, 1, undefined, 'chain')).toThrow(/n × last position = 1073741824 × 1000 = .* steps; at most 2\^36/);
    // A found defect (API fuzz): a far position used to allocate a flag per step before choosing the method.
    expect(() => empiricalJoint(h, [1, 1e255], 10, 1, undefined, 'chain')).toThrow(/at most 67108864/);
  });
});

describe('counterexample search bounds', () => {
  it('k = d = 300 (uniform) is refused at once with the stated limit', async () => {
    expect(() => findPairwiseTwin(createHmm(uniform(300, 300)))).toThrow(`counterexample: k = 300 hidden states is above the search's limit ${COUNTEREXAMPLE_MAX_STATES} (it tries up to k(k−1)/2 rotation planes at O(k²d + k³) each)`);
    const r = await cli(['hmm', 'counterexample', '--hmm', 'random:300,300']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^testbeds hmm: counterexample: k = 300 hidden states is above the search's limit 64/);
  });

  it('a large k within the limit searches a seeded sample of the planes within the work bound, and says so', () => {
    const hmm = randomHmm(40, 40, { seed: 1 });
    const t0 = performance.now();
    const r = findPairwiseTwin(hmm, { maxWork: 5e8 });
    const seconds = (performance.now() - t0) / 1000;
    expect(r.planes!.total).toBeGreaterThan(r.planes!.searched);
    expect(r.planes!.searched).toBe(Math.max(2, Math.floor(5e8 / (2 * 137 * (2 * 40 * 40 * 40 + 4 * 40 ** 3)))));
    expect(r.reason).toMatch(new RegExp(`work bound: ${r.planes!.searched} of ${r.planes!.total} planes searched, a seeded sample`));
    expect(r.found).toBe(true); // a stationary start: any small rotation gives a twin
    expect(seconds).toBeLessThan(30); // unbounded: C(40,2) + 24 = 804 planes
    // Small HMMs are not bounded: every plane is searched.
    const small = findPairwiseTwin(randomHmm(3, 6, { seed: 2 }));
    expect(small.planes!.searched).toBe(small.planes!.total);
    expect(small.reason).not.toMatch(/work bound/);
  });
});
