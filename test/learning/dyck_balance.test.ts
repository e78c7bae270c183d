// The bounded-Dyck metrics (src/learning/dyck): the float64 replay reproduces the tfjs forward, the
// balance violation is 0 on Yao et al.'s depth-counting first layer and on pair-balanced
// "randomised" attention, positive once the pairs stop cancelling, on arrays and on hand-set
// Transformers; the stack distance is 0 on the stack pattern; bad input fails naming the field.
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { addBalance, addStackDistance, balanceRatio, createModel, dyckPlan, runDyck, emptyBalance, emptyStack, initBackend, matchingBrackets, modelConfig, parameterCount, sampleDyckLmBatch, stackDistances, stackTops, traceModel, traceTransformer, transformerWeights, type TransformerConfig } from '../../src/learning/index.js';
import { Rng } from '../../src/random/prng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const K = 2;
// ( [ ) ... : a well-nested prefix of Dyck_{2,4}: 0 1 3 2 0 0 2 1 3 0
const SEQ = [0, 1, 3, 2, 0, 0, 2, 1, 3, 0];

/** Attention rows (T·T) from a weight function w(i, j) ≥ 0, normalised over j ≤ i. */
function rows(T: number, w: (i: number, j: number) => number): Float64Array {
  const A = new Float64Array(T * T);
  for (let i = 0; i < T; i++) {
    let z = 0;
    for (let j = 0; j <= i; j++) z += A[i * T + j] = w(i, j);
    for (let j = 0; j <= i; j++) A[i * T + j] /= z;
  }
  return A;
}

/** Value contributions: open → +e0 + b, close → −e0 + b (Yao et al.'s depth counter), d = 3. */
function depthValues(seq: number[], b = [0, 0.5, -0.25]): Float64Array {
  const U = new Float64Array(seq.length * 3);
  seq.forEach((a, j) => {
    U[j * 3] = a < K ? 1 : -1;
    U[j * 3 + 1] = b[1];
    U[j * 3 + 2] = b[2];
  });
  return U;
}

describe('bounded-Dyck balance violation', () => {
  it('matching brackets and stack tops follow the stack', () => {
    expect(Array.from(matchingBrackets(SEQ, K))).toEqual([3, 2, 1, 0, -1, 6, 5, 8, 7, -1]);
    expect(Array.from(stackTops(SEQ, K))).toEqual([0, 1, 0, -1, 4, 5, 4, 7, 4, 9]);
    expect(() => matchingBrackets([0, 3], K)).toThrow(/not a well-nested prefix/);
    expect(() => stackTops([0, 4], K)).toThrow(/seq\[1\]/);
  });

  it('is 0 for uniform attention with ±1 depth values (Yao et al.) and for a type-blind tilt; > 0 when the tilt depends on the bracket type', () => {
    const T = SEQ.length;
    const uniform = addBalance(emptyBalance(), SEQ, K, [rows(T, () => 1)], [depthValues(SEQ)], 3);
    expect(uniform.rows).toBeGreaterThan(0);
    expect(balanceRatio(uniform)).toBeLessThan(1e-12);
    // Every open bracket twice the weight of every close: each pair still adds the same vector per
    // unit of mass, and the output stays a function of (position, depth).
    const blind = addBalance(emptyBalance(), SEQ, K, [rows(T, (_, j) => (SEQ[j] < K ? 2 : 1))], [depthValues(SEQ)], 3);
    expect(balanceRatio(blind)).toBeLessThan(1e-12);
    // Only opens of type 0 tilted: ( ) pairs and [ ] pairs now add different vectors, so pumping
    // ( ) pairs moves the depth signal at a fixed depth.
    const tilted = addBalance(emptyBalance(), SEQ, K, [rows(T, (_, j) => (SEQ[j] === 0 ? 3 : 1))], [depthValues(SEQ)], 3);
    expect(balanceRatio(tilted)).toBeGreaterThan(0.1);
    expect(balanceRatio(tilted)).toBeLessThanOrEqual(1);
  });

  it('is 0 for any attention that weighs the two brackets of each pair equally (the "nearly randomised" first layers)', () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 20; trial++) {
      const b = sampleDyckLmBatch({ kind: 'dyck', K, M: 4, length: 24 }, 1, new Rng(rng.nextU32()));
      const seq = Array.from(b.letters);
      const match = matchingBrackets(seq, K);
      // Random weights per query and pair; the same for both of its brackets.
      const w = Array.from({ length: 24 * 24 }, () => 0.05 + rng.nextFloat());
      const A = rows(24, (i, j) => (match[j] >= 0 && match[j] <= i ? w[i * 24 + Math.min(j, match[j])] : w[i * 24 + j]));
      const s = addBalance(emptyBalance(), seq, K, [A], [depthValues(seq)], 3);
      if (s.rows > 0) expect(balanceRatio(s)).toBeLessThan(1e-12);
      // Breaking the tie inside pairs breaks the balance.
      const B = rows(24, (i, j) => w[i * 24 + j]);
      const t = addBalance(emptyBalance(), seq, K, [B], [depthValues(seq)], 3);
      if (t.rows > 0) expect(balanceRatio(t)).toBeGreaterThan(1e-3);
    }
  });

  it('stack distance is 0 on the stack-like pattern and 1 on attention to self where the top is elsewhere', () => {
    const T = SEQ.length;
    const top = stackTops(SEQ, K);
    const stackLike = rows(T, (i, j) => (top[i] === j || (top[i] < 0 && i === j) ? 1 : 0));
    const self = rows(T, (i, j) => (i === j ? 1 : 0));
    const acc = addStackDistance(emptyStack(2, 1), SEQ, K, { attention: [[stackLike], [self]] });
    const [l1, l2] = stackDistances(acc);
    expect(l1.best).toBe(0);
    // Self-attention hits the top only at open brackets (the top is the token itself).
    const opensWithTop = SEQ.filter((a, i) => a < K && top[i] === i).length;
    expect(l2.best).toBeCloseTo(1 - opensWithTop / acc.queries, 12);
  });

});

describe('attention replay and hand-set Transformers', () => {
  const configs: Partial<TransformerConfig>[] = [
    { positions: 'sinusoidal' },
    { positions: 'learned', minimalFirstLayer: true },
    { positions: 'sinusoidal', norm: 'none', minimalFirstLayer: true, heads: 1 },
  ];
  for (const o of configs)
    it(`the float64 replay reproduces the tfjs logits (${JSON.stringify(o)})`, () => {
      const c = modelConfig('transformer', { vocab: 4, classes: 4, layers: 2, width: 8, heads: 2, length: 16, ...o });
      const m = createModel(c, 3);
      try {
        const seq = Array.from(sampleDyckLmBatch({ kind: 'dyck', K, M: 4, length: 16 }, 1, new Rng(5)).letters);
        expect(parameterCount(c)).toBe(m.params.count);
        const tr = traceModel(m, seq);
        const z = tf.tidy(() => m.forward(tf.tensor2d(seq, [1, 16], 'int32')).dataSync() as Float32Array);
        let err = 0;
        for (let i = 0; i < z.length; i++) err = Math.max(err, Math.abs(z[i] - tr.logits[i]));
        expect(err).toBeLessThan(1e-4);
        for (const layer of tr.attention) for (const A of layer) for (let i = 0; i < 16; i++) expect(A.subarray(i * 16, i * 16 + i + 1).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      } finally {
        m.dispose();
      }
    });

  /** 1 head, d = 4, no LayerNorm, zero positions: first-layer values +e0 on opens, −e0 on closes; e1 marks "(" and the key reads it. */
  function handSet(tilt: number) {
    const c = modelConfig('transformer', { vocab: 4, classes: 4, layers: 2, width: 4, heads: 1, length: 16, norm: 'none', minimalFirstLayer: true });
    const m = createModel(c, 1);
    const set = (name: string, f: (i: number) => number) => {
      const v = m.params.get(name);
      v.assign(tf.tensor(Float32Array.from({ length: v.size }, (_, i) => f(i)), v.shape));
    };
    const d = 4;
    set('wte', (i) => (i % d === 0 ? (Math.floor(i / d) < K ? 1 : -1) : i === 1 ? 1 : 0)); // token a → ±e0, "(" also e1
    set('wpe', () => 0);
    // c_attn [d, 3d]: q = bias (tilt·e1), k = x (reads e1: "(" only), v = x (e0 → e0); W_O = I.
    set('h.0.attn.c_attn.weight', (i) => {
      const r = Math.floor(i / (3 * d)), col = i % (3 * d);
      return (r === 1 && col === d + 1) || (r === 0 && col === 2 * d) ? 1 : 0;
    });
    set('h.0.attn.c_attn.bias', (i) => (i === 1 ? 2 * tilt : 0)); // /√hs = /2
    set('h.0.attn.c_proj.weight', (i) => (Math.floor(i / d) === i % d ? 1 : 0));
    set('h.0.attn.c_proj.bias', () => 0);
    return m;
  }

  it('a hand-set depth-counting first layer (Yao et al.) scores 0; tilting its attention towards one bracket type scores > 0', () => {
    const b = sampleDyckLmBatch({ kind: 'dyck', K, M: 4, length: 16 }, 8, new Rng(11));
    const score = (tilt: number) => {
      const m = handSet(tilt);
      try {
        const w = transformerWeights(m);
        const s = emptyBalance();
        for (let r = 0; r < 8; r++) {
          const seq = Array.from(b.letters.subarray(r * 16, r * 16 + 16));
          const tr = traceTransformer(w, seq);
          // The first layer really is uniform (tilt 0) and its contributions really are ±e0.
          if (tilt === 0) expect(tr.attention[0][0][16 * 15 + 3]).toBeCloseTo(1 / 16, 12);
          addBalance(s, seq, K, tr.attention[0], tr.valueOut, tr.width);
        }
        return balanceRatio(s);
      } finally {
        m.dispose();
      }
    };
    expect(score(0)).toBeLessThan(1e-9);
    expect(score(1.5)).toBeGreaterThan(0.1);
  });

  it('the experiment plan refuses bad input, naming the field and value', () => {
    expect(() => dyckPlan({ K: 9 })).toThrow(/K must be an integer in \[1, 8\], got 9/);
    expect(() => dyckPlan({ M: 0 })).toThrow(/M must be .* got 0/);
    expect(() => dyckPlan({ length: 15 })).toThrow(/length must be even.*15/);
    expect(() => dyckPlan({ variants: ['wide'] })).toThrow(/variant must be one of .* got "wide"/);
    expect(() => dyckPlan({ seeds: [1, 1] })).toThrow(/seeds must be distinct/);
    expect(() => dyckPlan({ width: 33, variants: ['standard'] })).toThrow(/width must be divisible/);
    // Training at n = 1024 fits; evaluating at 4n = 4096 with width 1024 does not: refused up front.
    expect(() => dyckPlan({ length: 1024, width: 1024, batch: 32 })).toThrow(/needs about .* GiB/);
  });
});

describe('testbeds dyck', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-dyck-'));
  const tiny = ['--seeds', '1,2', '--variants', 'minimal-1head', '--steps', '3', '--length', '8', '--width', '8', '--batch', '8', '--eval-sequences', '16', '--probe-sequences', '4'];

  it('trains each seed, writes md/csv/json/svg, refuses to replace them, resumes from its cells', async () => {
    const out = join(dir, 'run');
    const r = await cli(['dyck', ...tiny, '--out', out, '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.lengths).toEqual([8, 16, 32]);
    expect(j.cells.map((c: { variant: string; seed: number }) => `${c.variant}/${c.seed}`)).toEqual(['minimal-1head/1', 'minimal-1head/2']);
    for (const c of j.cells) {
      expect(c.accuracy.map((a: { length: number }) => a.length)).toEqual([8, 16, 32]);
      for (const a of c.accuracy) expect(a.acc.lo).toBeLessThanOrEqual(a.acc.rate);
      expect(c.balance).toBeGreaterThanOrEqual(0);
      expect(c.balance).toBeLessThanOrEqual(1);
      expect(c.stack).toHaveLength(2);
      expect(c.run.model.minimalFirstLayer).toBe(true);
      expect(c.run.model.heads).toBe(1);
    }
    // Controls: the untrained variant and uniform attention (1 − 1/(i+1) averaged: between 0 and 1).
    expect(j.controls.map((c: { variant: string }) => c.variant)).toEqual(['minimal-1head']);
    expect(j.uniformStackDistance).toBeGreaterThan(0.3);
    expect(j.uniformStackDistance).toBeLessThan(1);
    expect(j.correlation.map((c: { metric: string }) => c.metric)).toEqual(['balance violation', 'balance violation', 'layer-1 stack distance', 'layer-1 stack distance', 'layer-2 stack distance', 'layer-2 stack distance']);
    for (const f of ['dyck.json', 'dyck.md', 'dyck.csv', 'dyck.svg']) expect(existsSync(join(out, f))).toBe(true);
    expect(readFileSync(join(out, 'dyck.md'), 'utf8')).toMatch(/\| untrained variant \|/);
    expect(readFileSync(join(out, 'dyck.svg'), 'utf8')).toMatch(/^<svg/);
    expect(readFileSync(join(out, 'dyck.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(readdirSync(join(out, 'cells')).sort()).toEqual(['minimal-1head-s1.json', 'minimal-1head-s2.json']);
    const again = await cli(['dyck', ...tiny, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already holds .*--force/);
    // A killed run: results gone, one cell gone; the rerun reuses the other cell and the same numbers come back.
    for (const f of ['dyck.json', 'dyck.md', 'dyck.csv', 'dyck.svg']) rmSync(join(out, f));
    rmSync(join(out, 'cells', 'minimal-1head-s2.json'));
    const resumed = await cli(['dyck', ...tiny, '--out', out, '--json']);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toMatch(/seed 1 \(cached\)/);
    expect(JSON.parse(resumed.out).cells).toEqual(j.cells.map((c: object) => ({ ...c, trainSeconds: expect.any(Number) })));
  }, 120_000);

  it('a run killed mid-training resumes from its checkpoint to the same numbers as an unbroken run', async () => {
    const o = { seeds: [3], variants: ['minimal-noln'], steps: 200, length: 8, width: 8, batch: 8, evalSequences: 16, probeSequences: 4 };
    const whole = await runDyck({ ...o, out: join(dir, 'whole') });
    const out = join(dir, 'killed');
    // The trainer checkpoints every max(100, steps/4) steps: killed at 150, the checkpoint holds step 100.
    await expect(runDyck({ ...o, out, onStep: (_, s) => { if (s === 150) throw new Error('killed'); } })).rejects.toThrow('killed');
    expect(existsSync(join(out, 'cells', 'minimal-noln-s3.json'))).toBe(false);
    expect(existsSync(join(out, 'runs', 'minimal-noln-s3', 'checkpoint.tbck'))).toBe(true);
    const steps: number[] = [];
    const resumed = await runDyck({ ...o, out, onStep: (_, s) => void steps.push(s) });
    expect(steps[0]).toBe(101); // from the checkpoint, not from scratch
    expect(steps.at(-1)).toBe(200);
    const strip = (r: typeof whole) => r.cells.map(({ trainSeconds: _t, ...c }) => c);
    expect(strip(resumed)).toEqual(strip(whole));
  }, 120_000);

  it.each([
    [['--K', '9'], /--K/],
    [['--M', '0'], /--M/],
    [['--length', '15'], /--length: must be even.*15/],
    [['--variants', 'standard,huge'], /variant must be one of .*"huge"/],
    [['--seeds', '1,x'], /--seeds/],
    [['--preset', 'paper'], /--preset: expected quick, got "paper"/],
    [['--width', '33', '--variants', 'standard'], /width must be divisible/],
  ])('bad input %j: one line, exit 2', async (args, msg) => {
    const r = await cli(['dyck', ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(msg);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});
