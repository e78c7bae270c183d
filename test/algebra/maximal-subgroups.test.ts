// maximalSubgroup adds random generators until the group they generate has the H-class's order;
// the composition factors (the costly part) must be computed once, not once per attempt.
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../src/algebra/groups/composition.js', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../src/algebra/groups/composition.js')>();
  return { ...orig, compositionFactors: vi.fn(orig.compositionFactors) };
});

const { compositionFactors } = await import('../../src/algebra/groups/composition.js');
const { maximalSubgroup } = await import('../../src/algebra/maximal-subgroups.js');
const { transformationSemigroup } = await import('../../src/algebra/index.js');

describe('maximalSubgroup', () => {
  it('analyses the group once even when it needs many generators (C2^5: at least 5)', () => {
    // Five disjoint transpositions on 10 points generate C2^5 (order 32): two random elements
    // never generate it, so the generator loop runs at least four times.
    const gens = [0, 1, 2, 3, 4].map((i) => Array.from({ length: 10 }, (_, p) => (p >> 1 === i ? p ^ 1 : p)));
    const S = transformationSemigroup(gens);
    expect(S.size).toBe(32);
    const identity = S.indexOf(Array.from({ length: 10 }, (_, p) => p));
    const members = Array.from({ length: 32 }, (_, i) => i);
    vi.mocked(compositionFactors).mockClear();
    const H = maximalSubgroup(S, identity, members);
    expect(H.report.order).toBe(32n);
    expect(H.report.factors).toEqual(['C2', 'C2', 'C2', 'C2', 'C2']);
    expect(H.generators.length).toBeGreaterThanOrEqual(5);
    expect(vi.mocked(compositionFactors)).toHaveBeenCalledTimes(1);
  });
});
