// The shortcut constructions, checked on every word of small lengths: 100.0% per position and a
// positive margin (≈ HEAD_SCALE), for each construction and code; the group cascade's algebra
// against plain simulation; the float32 bounds the constructions rely on.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { withLabels, zoo, type Automaton } from '../../src/automata/index.js';
import { compileShortcut, evaluateModel, exhaustiveBatches, evalBatches, initBackend, logitMargin, modelConfig, Transformer, type Construction } from '../../src/learning/index.js';
import { HEAD_SCALE, PREFIX_MAX_LENGTH, ShortcutError, countingMaxLength } from '../../src/shortcuts/index.js';
import { shiftLeakBound } from '../../src/shortcuts/network.js';
import { transformationGroup } from '../../src/shortcuts/groups.js';
import { cascadeElement, groupCascade, runCascade } from '../../src/shortcuts/levels.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** 100% and margin ≈ HEAD_SCALE on `batches` sampled words of length L (beyond the exhaustive sizes). */
function exactSampled(a: Automaton, o: Parameters<typeof compileShortcut>[1], L: number, batches: number, layers?: number) {
  const c = compileShortcut(a, o);
  try {
    if (layers !== undefined) expect(c.plan.layers).toBe(layers);
    const r = evaluateModel(c.model, evalBatches({ automaton: c.automaton, length: L }, 8, batches, 5));
    expect(r.accuracy).toBe(1);
    expect(r.margin).toBeGreaterThan(0.99 * HEAD_SCALE);
    return c.plan;
  } finally {
    c.model.dispose();
  }
}

function exact(a: Automaton, T: number, construction: Construction, extra: Record<string, unknown> = {}) {
  const c = compileShortcut(a, { length: T, construction, ...extra });
  try {
    expect(c.model).toBeInstanceOf(Transformer);
    expect(c.model.config.norm).toBe('none');
    expect(c.model.config.activation).toBe('relu');
    expect(c.model.params.count).toBe(c.plan.parameters);
    const r = evaluateModel(c.model, exhaustiveBatches({ automaton: c.automaton, length: T }, 512));
    expect(r.accuracy).toBe(1);
    expect(r.accuracySequence).toBe(1);
    // Exact codes: the correct logit exceeds every other by the head's scale, up to rounding.
    expect(r.margin).toBeGreaterThan(0.99 * HEAD_SCALE);
    return { plan: c.plan, margin: r.margin, details: c.details };
  } finally {
    c.model.dispose();
  }
}

describe('prefix: ⌈log2 T⌉ layers, any semiautomaton', () => {
  it.each([
    ['parity', 9, 'elements'],
    ['parity', 9, 'maps'],
    ['dihedral:3', 5, 'elements'],
    ['gridworld:4', 8, 'elements'],
    ['gridworld:4', 8, 'maps'],
    ['flipflop:2', 6, 'maps'],
    ['dyck:1,2', 7, 'auto'],
    ['symmetric:4', 5, 'cosets'],
    ['symmetric:5', 6, 'cosets'],
    ['alternating:5', 5, 'cosets'],
  ] as const)('%s at T=%i (%s code) is exact on every word', (name, T, representation) => {
    const { plan, details } = exact(zoo(name), T, 'prefix', { representation });
    expect(plan.layers).toBe(Math.ceil(Math.log2(T)));
    expect(plan.maxLength).toBe(2 ** plan.layers);
    if (representation !== 'auto') expect(details.representation).toBe(representation);
  });

  it('the cosets code acts on 5 points for symmetric:5 (not its 120 states) and reads a coarse label with one more layer', () => {
    const { plan } = exact(zoo('symmetric:5'), 4, 'prefix');
    expect(plan.width).toBeLessThanOrEqual(64); // 2·5² + position features
    const first = exact(withLabels(zoo('symmetric:5'), 'first'), 4, 'prefix', { representation: 'cosets' });
    expect(first.plan.layers).toBe(3);
    expect(() => compileShortcut(zoo('gridworld:4'), { length: 4, construction: 'prefix', representation: 'cosets' })).toThrow(/no faithful group action on fewer than its 4 states/);
  });

  it('classifies a coarser label (gridworld boundary)', () => {
    exact(withLabels(zoo('gridworld:5'), 'boundary'), 7, 'prefix');
  });

  it('stays exact at its longest proven length (sampled words)', () => {
    exactSampled(zoo('cyclic:3'), { length: PREFIX_MAX_LENGTH, construction: 'prefix' }, PREFIX_MAX_LENGTH, 1, 9);
  });
});

describe('counting: one layer for commutative groups', () => {
  it.each([
    ['parity', 12],
    ['cyclic:3', 8],
    ['cyclic:5', 6],
    ['cyclic_product:2,2,2', 5],
    ['cyclic_product:2,3', 6],
  ] as const)('%s at T=%i is exact on every word', (name, T) => {
    const { plan } = exact(zoo(name), T, 'counting');
    expect(plan.layers).toBe(1);
  });

  it('is exact at lengths beyond the compile length up to maxLength', () => {
    expect(exactSampled(zoo('cyclic:3'), { length: 8, construction: 'counting', maxLength: 200 }, 200, 2, 1).maxLength).toBe(200);
  });
});

describe('cascade: solvable groups by their derived series', () => {
  it.each([
    ['dihedral:3', 6, 'default', 3],
    ['dihedral:4', 6, 'default', 3],
    ['dihedral:4', 6, 'direction', 3],
    ['dihedral:5', 5, 'position', 3],
    ['quaternion', 5, 'default', 3],
    ['quaternion', 5, 'sign', 3],
    ['symmetric:3', 6, 'default', 3],
    ['symmetric:4', 4, 'default', 5],
    ['cyclic_product:2,2,2', 5, 'default', 1],
  ] as const)('%s at T=%i (label %s) is exact on every word', (name, T, label, minLayers) => {
    const { plan } = exact(withLabels(zoo(name), label), T, 'cascade');
    expect(plan.layers).toBeGreaterThanOrEqual(minLayers);
    expect(plan.layers).toBeLessThanOrEqual(minLayers + 1);
  });

  it('the cascade algebra reproduces the automaton on random words (dihedral:5, quaternion, symmetric:4)', () => {
    for (const name of ['dihedral:5', 'quaternion', 'symmetric:4']) {
      const a = zoo(name);
      const c = groupCascade(transformationGroup(a)!);
      if ('perfect' in c) throw new Error(`${name} should be solvable`);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: a.delta.length - 1 }), { minLength: 1, maxLength: 40 }), (word) => {
          const pis = runCascade(c, word);
          let q = a.start;
          word.forEach((x, t) => {
            q = a.delta[x][q];
            expect(c.G.maps[cascadeElement(c, pis[t])][a.start]).toBe(q);
          });
        }),
        { numRuns: 50, seed: 12 },
      );
    }
  });

  it.each([
    ['gridworld:4', 8, 'default', 5],
    ['gridworld:5', 7, 'boundary', 7],
    ['gridworld:9', 8, 'default', 15],
    ['flipflop:2', 6, 'default', 1],
    ['dyck:1,2', 7, 'default', 5],
    ['dyck:2,2', 6, 'depth', 5],
  ] as const)('%s at T=%i (label %s): reset levels of the holonomy decomposition, exact on every word', (name, T, label, layers) => {
    const { plan, details } = exact(withLabels(zoo(name), label), T, 'cascade');
    expect(details.kind).toBe('resets');
    expect(plan.layers).toBe(layers); // 2L − 1 for L levels, whatever T is
  });

  it('a reset cascade is exact far beyond small T (gridworld:5 at 300, sampled)', () => {
    exactSampled(zoo('gridworld:5'), { length: 300, construction: 'cascade' }, 300, 1, 7);
  });

  it('refuses a non-solvable group naming the factor, and a non-commutative one for counting', () => {
    expect(() => compileShortcut(zoo('symmetric:5'), { length: 8, construction: 'cascade' })).toThrow(/not solvable: non-abelian composition factor A5/);
    expect(() => compileShortcut(zoo('gridworld:5'), { length: 8, construction: 'counting' })).toThrow(ShortcutError);
    expect(() => compileShortcut(zoo('dihedral:4'), { length: 8, construction: 'counting' })).toThrow(/not commutative/);
  });
});

describe('choice and numerics', () => {
  it('picks the shallowest construction and says why', () => {
    const cases: [string, number, Construction][] = [
      ['parity', 100, 'counting'],
      ['dihedral:3', 100, 'cascade'],
      ['gridworld:4', 16, 'gridworld'],
      ['gridworld:2', 16, 'cascade'],
    ];
    for (const [name, T, want] of cases) {
      const c = compileShortcut(zoo(name), { length: T });
      expect(c.construction).toBe(want);
      expect(c.reason).toMatch(new RegExp(`^${want}: `));
      c.model.dispose();
    }
  });

  it('the selecting heads leak < 1e-3 up to the prefix bound; counting bounds are stated', () => {
    expect(shiftLeakBound(PREFIX_MAX_LENGTH)).toBeLessThan(1e-3);
    expect(shiftLeakBound(4 * PREFIX_MAX_LENGTH)).toBeGreaterThan(1e-3);
    expect(countingMaxLength(2)).toBeGreaterThanOrEqual(PREFIX_MAX_LENGTH);
    expect(countingMaxLength(8)).toBeGreaterThan(200);
    expect(() => compileShortcut(zoo('cyclic:3'), { length: 5000, construction: 'counting' })).toThrow(/proven exact up to length/);
    expect(() => compileShortcut(zoo('parity'), { length: 1000, construction: 'prefix' })).toThrow(/beyond the proven bound 512/);
  });

  it('trained models keep their config: norm and activation stay absent by default', () => {
    const c = modelConfig('transformer', { vocab: 2, classes: 2, length: 8 });
    expect('norm' in c).toBe(false);
    expect('activation' in c).toBe(false);
    const m = new Transformer(c as never, 1);
    expect(m.params.names).toContain('h.0.ln_1.weight');
    m.dispose();
    expect(() => modelConfig('transformer', { vocab: 2, classes: 2, norm: 'batch' as never })).toThrow(/norm must be layernorm\|none, got batch/);
  });

  it('logitMargin is the smallest correct-minus-best-wrong gap over scored rows', () => {
    const z = Float32Array.from([3, 1, 0, /* row 1 */ 0, 2, 2.5, /* row 2 (unscored) */ 9, 0, 0]);
    expect(logitMargin(z, Int32Array.from([0, 2, -1]), 3)).toBeCloseTo(0.5);
    expect(logitMargin(z, Int32Array.from([0, 1, -1]), 3)).toBeCloseTo(-0.5);
  });

  it('exhaustiveBatches enumerates |Σ|^T words and refuses more than 2^20', () => {
    const a = zoo('cyclic_product:2,3'); // 3 letters
    const b = exhaustiveBatches({ automaton: a, length: 4 }, 10);
    expect(a.delta.length).toBe(3);
    expect(b.reduce((s, x) => s + x.batch, 0)).toBe(81);
    const seen = new Set(b.flatMap((x) => Array.from({ length: x.batch }, (_, i) => x.letters.slice(4 * i, 4 * i + 4).join(''))));
    expect(seen.size).toBe(81);
    expect(() => exhaustiveBatches({ automaton: zoo('parity'), length: 21 }, 10)).toThrow(/more than the limit 2\^20/);
  });
});
