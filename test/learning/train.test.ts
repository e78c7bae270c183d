// Training: data labels, determinism, checkpoint/resume equality, corrupt and mismatched
// checkpoints and no tensor leak (an LSTM that learns parity: rnn.test.ts).
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { zoo } from '../../src/automata/index.js';
import { Rng } from '../../src/random/prng.js';
import { CHECKPOINT_FILE, CheckpointError, decodeCheckpoint, extendSchedule, evalBatches, FFL_TOKENS, initBackend, sampleFflBatch, learningRate, optimConfig, runConfig, trainBatch, Trainer, type RunOptions } from '../../src/learning/index.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const tiny = (o: Partial<RunOptions> = {}): RunOptions => ({
  automaton: zoo('cyclic:3'),
  model: 'transformer',
  layers: 1,
  width: 8,
  heads: 2,
  length: 6,
  batch: 4,
  steps: 6,
  evalEvery: 3,
  evalBatches: 1,
  checkpointEvery: 3,
  seed: 5,
  ...o,
});

describe('data', () => {
  it('labels are the automaton states and batches are fresh per step and held out', () => {
    const a = zoo('dihedral:4');
    const task = { automaton: a, length: 20 };
    const b = trainBatch(task, 3, 1, 0);
    for (let s = 0; s < 3; s++) {
      let q = 0;
      for (let t = 0; t < 20; t++) {
        q = a.delta[b.letters[s * 20 + t]][q];
        expect(b.labels[s * 20 + t]).toBe(q);
      }
    }
    expect(trainBatch(task, 3, 1, 0).letters).toEqual(b.letters);
    expect(trainBatch(task, 3, 1, 1).letters).not.toEqual(b.letters);
    expect(evalBatches(task, 3, 1, 1)[0].letters).not.toEqual(b.letters);
  });

  it('Bernoulli p shifts the letter frequency; p on a 4-letter automaton is an error', () => {
    const b = trainBatch({ automaton: zoo('parity'), length: 100, p: 0.9 }, 20, 2, 0);
    const ones = b.letters.reduce((s, x) => s + x, 0) / b.letters.length;
    expect(ones).toBeGreaterThan(0.85);
    expect(() => runConfig({ automaton: zoo('quaternion'), p: 0.9 })).toThrow(/p applies to two-letter automata; quaternion has 4 letters/);
  });

  it('FFL(p_i): w first, r last, the bit after r repeats the last write, only those bits are scored', () => {
    const T = 400;
    const b = sampleFflBatch({ kind: 'ffl', pI: 0.8, length: T }, 8, new Rng(3));
    let ignores = 0;
    let instructions = 0;
    for (let s = 0; s < 8; s++) {
      const x = Array.from(b.letters.subarray(s * T, (s + 1) * T), (v) => FFL_TOKENS[v]);
      const y = b.labels.subarray(s * T, (s + 1) * T);
      expect(x[0]).toBe('w');
      expect(x[T - 2]).toBe('r');
      let last = '';
      for (let t = 0; t < T; t += 2) {
        expect(['w', 'r', 'i']).toContain(x[t]);
        expect(['0', '1']).toContain(x[t + 1]);
        expect(y[t + 1]).toBe(-1);
        if (x[t] === 'w') last = x[t + 1];
        if (x[t] === 'r') {
          expect(x[t + 1]).toBe(last);
          expect(y[t]).toBe(Number(last));
        } else expect(y[t]).toBe(-1);
        if (t > 0 && t < T - 2) {
          instructions++;
          if (x[t] === 'i') ignores++;
        }
      }
    }
    expect(ignores / instructions).toBeGreaterThan(0.75);
    expect(ignores / instructions).toBeLessThan(0.85);
  });

  it('FFL training scores only the bits after r', async () => {
    const t = new Trainer(runConfig({ ffl: { pI: 0.5 }, model: 'lstm', width: 8, length: 12, batch: 4, steps: 2, evalBatches: 1, seed: 2 }));
    const r = await t.train();
    expect(r.byPosition.filter((_, i) => i % 2 === 1).every((x) => Number.isNaN(x))).toBe(true);
    expect(Number.isFinite(r.byPosition[10])).toBe(true); // the final r is always scored
    expect(t.config.model).toMatchObject({ vocab: 5, classes: 2 });
    t.dispose();
  });

  it('learning rate: linear warmup to lr, cosine down to 10%', () => {
    const c = optimConfig({ steps: 100, warmup: 10, lr: 1e-3 });
    expect(learningRate(c, 0)).toBeCloseTo(1e-4, 10);
    expect(learningRate(c, 9)).toBeCloseTo(1e-3, 10);
    expect(learningRate(c, 100)).toBeCloseTo(1e-4, 10);
    expect(learningRate(c, 55)).toBeCloseTo(0.55e-3, 10);
  });
});

describe('trainer', () => {
  it('is deterministic for a seed (transformer with dropout, and lstm)', async () => {
    for (const o of [{ dropout: 0.1 }, { model: 'lstm' as const }]) {
      const a = new Trainer(runConfig(tiny(o)));
      const b = new Trainer(runConfig(tiny(o)));
      await a.train({ stopAt: 4 });
      await b.train({ stopAt: 4 });
      expect(a.model.params.flatten()).toEqual(b.model.params.flatten());
      const c = new Trainer(runConfig(tiny({ ...o, seed: 6 })));
      await c.train({ stopAt: 4 });
      expect(c.model.params.flatten()).not.toEqual(a.model.params.flatten());
      [a, b, c].forEach((t) => t.dispose());
    }
  });

  it('resuming from a checkpoint reproduces the uninterrupted run bit for bit', async () => {
    const dirA = mkdtempSync(join(tmpdir(), 'tb-learn-'));
    const dirB = mkdtempSync(join(tmpdir(), 'tb-learn-'));
    const full = new Trainer(runConfig(tiny({ dropout: 0.1 })));
    await full.train({ out: dirA });
    // "Killed" run: stops right after the checkpoint at step 3, then resumes from disk.
    const first = new Trainer(runConfig(tiny({ dropout: 0.1 })));
    await first.train({ out: dirB, stopAt: 3 });
    first.dispose();
    const resumed = await Trainer.load(dirB);
    expect(resumed.step).toBe(3);
    await resumed.train({ out: dirB });
    expect(resumed.step).toBe(6);
    expect(resumed.model.params.flatten()).toEqual(full.model.params.flatten());
    expect(resumed.optimizer.flatten()).toEqual(full.optimizer.flatten());
    // The log has each step once, as if never interrupted.
    const steps = readFileSync(join(dirB, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    full.dispose();
    resumed.dispose();
  });

  it('shouldStop (Ctrl-C in the CLI) ends after the current step, checkpointed and evaluated there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-learn-'));
    const t = new Trainer(runConfig(tiny({ evalEvery: 5 })));
    let calls = 0;
    const r = await t.train({ out: dir, shouldStop: () => ++calls >= 2 });
    expect(r.steps).toBe(2);
    expect(r.accuracy).toBe(t.evaluate().accuracy);
    const back = await Trainer.load(dir);
    expect(back.step).toBe(2);
    expect(back.model.params.flatten()).toEqual(t.model.params.flatten());
    t.dispose();
    back.dispose();
  });

  it('raising steps continues the schedule: continuous, non-increasing, floor at the new end; no change during warmup', () => {
    const c = optimConfig({ steps: 100, lr: 1e-2, warmup: 10 });
    const floor = c.minLrRatio * c.lr;
    // Interrupted at step 40 of 100 and extended to 300.
    const e = extendSchedule(c, 40, 300);
    expect(e.extensions).toEqual([{ at: 40, steps: 100 }]);
    for (let s = 0; s < 40; s++) expect(learningRate(e, s)).toBe(learningRate(c, s)); // history unchanged
    expect(learningRate(e, 40)).toBe(learningRate(c, 40)); // continuous at the join
    for (let s = 41; s <= 300; s++) expect(learningRate(e, s)).toBeLessThanOrEqual(learningRate(e, s - 1));
    expect(learningRate(e, 300)).toBeCloseTo(floor, 15);
    expect(learningRate(e, 170)).toBeGreaterThan(learningRate(c, 70)); // decays more slowly than the old plan
    // A finished run is at the floor and continues there; extensions chain.
    const f = extendSchedule(c, 100, 200);
    for (const s of [100, 150, 200]) expect(learningRate(f, s)).toBeCloseTo(floor, 15);
    const g = extendSchedule(e, 120, 400);
    expect(g.extensions).toHaveLength(2);
    for (let s = 0; s <= 120; s++) expect(learningRate(g, s)).toBe(learningRate(e, s));
    expect(learningRate(g, 400)).toBeCloseTo(floor, 15);
    // During warmup no rate depended on the horizon: only steps moves.
    expect(extendSchedule(c, 5, 200)).toEqual({ ...c, steps: 200 });
    expect(() => extendSchedule(c, 40, 99)).toThrow(/steps can only be raised: the run has 100, got 99/);
  });

  it('extending a finished run with more steps stays bit-exact across a kill and resume', async () => {
    const dirA = mkdtempSync(join(tmpdir(), 'tb-learn-'));
    const dirB = mkdtempSync(join(tmpdir(), 'tb-learn-'));
    // Both runs: 6 steps (finished, checkpointed), then raised to 10 and continued; run B is
    // "killed" after its step-8 checkpoint and resumed from disk.
    for (const dir of [dirA, dirB]) {
      const t = new Trainer(runConfig(tiny({ dropout: 0.1, checkpointEvery: 2 })));
      await t.train({ out: dir });
      t.dispose();
    }
    const a = await Trainer.load(dirA, { steps: 10 });
    expect([a.step, a.config.optim.steps]).toEqual([6, 10]);
    await a.train({ out: dirA });
    const b = await Trainer.load(dirB, { steps: 10 });
    await b.train({ out: dirB, stopAt: 8 });
    b.dispose();
    const b2 = await Trainer.load(dirB); // the extension is in the checkpoint
    expect([b2.step, b2.config.optim.steps, b2.config.optim.extensions]).toEqual([8, 10, [{ at: 6, steps: 6 }]]);
    await b2.train({ out: dirB });
    expect(b2.step).toBe(10);
    expect(b2.model.params.flatten()).toEqual(a.model.params.flatten());
    expect(b2.optimizer.flatten()).toEqual(a.optimizer.flatten());
    const log = readFileSync(join(dirB, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // The extra steps ran at the floor the finished run had reached.
    for (const l of log.slice(6)) expect(l.lr).toBeCloseTo(0.1 * a.config.optim.lr, 12);
    a.dispose();
    b2.dispose();
  });

  it('a corrupt, truncated or mismatched checkpoint is a clear error', async () => {
    const t = new Trainer(runConfig(tiny()));
    const bytes = t.encode();
    t.dispose();
    const flipped = bytes.slice();
    flipped[flipped.length - 5] ^= 0x40;
    expect(() => Trainer.decode(flipped)).toThrow(/checkpoint is corrupt \(its header or data changed since it was written\): checksum/);
    expect(() => Trainer.decode(bytes.slice(0, bytes.length - 8))).toThrow(/checkpoint is truncated: \d+ data bytes, header says \d+/);
    expect(() => Trainer.decode(new TextEncoder().encode('hello world, not a checkpoint'))).toThrow(/not a testbeds checkpoint/);
    // A header whose shapes disagree with the model its config builds.
    const ck = decodeCheckpoint(bytes);
    ck.header.shapes['wte'] = [3, 16];
    expect(() => Trainer.fromCheckpoint(ck)).toThrow(/parameter wte has shape \[3,16\] in the file, the model built from its config has \[2,8\]/);
    const dir = mkdtempSync(join(tmpdir(), 'tb-learn-'));
    await expect(Trainer.load(dir)).rejects.toThrow(new RegExp(`no ${CHECKPOINT_FILE.replace('.', '\\.')} in`));
    writeFileSync(join(dir, CHECKPOINT_FILE), bytes.subarray(0, 100));
    await expect(Trainer.load(dir)).rejects.toThrow(/truncated/);
  });

  it('the checksum covers the header: any one flipped bit in it is refused with a clear message', () => {
    const t = new Trainer(runConfig(tiny({ lr: 0.001 })));
    const bytes = t.encode();
    t.dispose();
    const hl = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
    // The edit of the issue: lr 0.001 → 0.000 still parses, and was resumed silently by version 1.
    const text = new TextDecoder().decode(bytes.subarray(12, 12 + hl));
    const at = 12 + text.indexOf('"lr":0.001') + '"lr":0.00'.length;
    const edited = bytes.slice();
    edited[at] ^= 0x01; // '1' → '0'
    expect(new TextDecoder().decode(edited.subarray(12, 12 + hl))).toContain('"lr":0.000');
    expect(() => Trainer.decode(edited)).toThrow(/checkpoint is corrupt \(its header or data changed since it was written\): checksum [0-9a-f]{8}, the file says [0-9a-f]{8}/);
    // Every byte of magic, length and header, one bit each (bit chosen by position).
    for (let i = 0; i < 12 + hl; i++) {
      const b = bytes.slice();
      b[i] ^= 1 << i % 8;
      expect(() => Trainer.decode(b), `byte ${i}`).toThrow(CheckpointError);
    }
    // A version-1 file cannot be verified: refused, saying why.
    const v1 = bytes.slice();
    v1.set(new TextEncoder().encode('TBCKPT1\n'), 0);
    expect(() => Trainer.decode(v1)).toThrow(/version-1 checkpoint, whose checksum does not cover its header/);
  });

  it('leaks no tensors across steps and evaluations', async () => {
    for (const model of ['transformer', 'gru'] as const) {
      const t = new Trainer(runConfig(tiny({ model, steps: 8 })));
      await t.train({ stopAt: 2 });
      const n = tf.memory().numTensors;
      await t.train({ stopAt: 8 });
      expect(tf.memory().numTensors).toBe(n);
      t.dispose();
    }
  });
});
