// Masked prediction with learned predictors (#15): tasks, the joint a predictor implies (exact for
// every triplet task), recovery and the pairwise twin, the file format, a small trained run, the CLI.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { conditionalMoment, defaultExperimentHmm, exactJoint, hmmToJSON, maxTensorDiff, type HMM } from '../../src/hmm/index.js';
import { initBackend } from '../../src/learning/backend.js';
import {
  decodePredictor,
  encodePredictor,
  learnPredictor,
  outputSize,
  pairwiseTwinCheck,
  parseMaskedTask,
  predictorJoint,
  predictorLoss,
  recoverFromPredictor,
  TRIPLET_TASKS,
  type LearnedPredictor,
} from '../../src/learning/masked/index.js';
import { cli } from '../helpers/cli.js';

const hmm = defaultExperimentHmm();

/** The optimal predictor of a task, as a learned-predictor record (what training should approach). */
function exactPredictor(h: HMM, taskText: string): LearnedPredictor {
  const task = parseMaskedTask(taskText);
  const out = outputSize(task, h.d);
  const cond = conditionalMoment(exactJoint(h, [task.given, ...task.targets]), task.given, task.targets);
  const marginal = Array.from(exactJoint(h, [task.given]).probs);
  return {
    format: 'testbeds-predictor', version: 1, task: task.name, d: h.d, k: h.k, model: 'mlp', loss: 'squared', samples: 0, seed: 0, steps: 0,
    batch: 0, lr: 0, width: 0, layers: 1, parameters: 0, marginal,
    table: Array.from({ length: h.d }, (_, a) => Array.from(cond.subarray(a * out, (a + 1) * out))), trainLoss: 0, hmm: hmmToJSON(h, true),
  };
}

describe('tasks', () => {
  it('parses TARGETS|GIVEN and names what is wrong', () => {
    expect(parseMaskedTask('2,3|1')).toEqual({ targets: [2, 3], given: 1, name: '2,3|1' });
    expect(parseMaskedTask(' 3 | 2 ')).toEqual({ targets: [3], given: 2, name: '3|2' });
    expect(() => parseMaskedTask('4|1')).toThrow(/position 4 is outside 1..3/);
    expect(() => parseMaskedTask('2|2')).toThrow(/appears twice/);
    expect(() => parseMaskedTask('2,3')).toThrow(/TARGETS\|GIVEN.*"2,3"/);
    expect(() => parseMaskedTask(undefined as never)).toThrow(/task must be a string/);
  });
});

describe('what a predictor identifies', () => {
  for (const task of TRIPLET_TASKS) {
    it(`task ${task}: the optimal predictor's joint is the HMM's, and CP recovers (O, T) exactly`, () => {
      const p = exactPredictor(hmm, task);
      expect(maxTensorDiff(predictorJoint(p).probs, exactJoint(hmm, [1, 2, 3]).probs)).toBeLessThan(1e-15);
      const r = recoverFromPredictor(p, { truth: hmm });
      expect(r.errors!.transition).toBeLessThan(1e-8);
      expect(r.errors!.emission).toBeLessThan(1e-8);
    });
  }

  it('a pairwise predictor has the same loss under the twin, which is a different HMM', () => {
    const p = exactPredictor(hmm, '2|1');
    const c = pairwiseTwinCheck(p, hmm);
    expect(Math.abs(c.lossTruth - c.lossTwin)).toBeLessThan(1e-12);
    expect(Math.abs(c.excessLoss)).toBeLessThan(1e-12);
    expect(Math.max(c.parameterDistance.transition, c.parameterDistance.emission)).toBeGreaterThan(0.05);
    // …while a predictor off by a little has a larger loss (the loss is not constant).
    const worse = { ...p, table: p.table.map((row) => row.map((x, i) => x + (i === 0 ? 0.05 : 0))) };
    expect(predictorLoss(worse, hmm)).toBeGreaterThan(c.lossTruth + 1e-4);
    expect(() => predictorJoint(p)).toThrow(/pairwise.*does not identify/);
  });
});

describe('the predictor file', () => {
  it('round-trips, and a one-character edit is refused by the checksum', () => {
    const p = exactPredictor(hmm, '2,3|1');
    const text = encodePredictor(p);
    expect(decodePredictor(text, 'p.json')).toEqual(p);
    const edited = text.replace('"samples":0', '"samples":1');
    expect(() => decodePredictor(edited, 'p.json')).toThrow(/p\.json is corrupt: checksum/);
    expect(() => decodePredictor('{', 'p.json')).toThrow(/p\.json: not valid JSON/);
    const bad = { ...p, table: p.table.slice(1) };
    expect(() => decodePredictor(encodePredictor(bad), 'p.json')).toThrow(/table must be 6 rows of 36/);
  });
});

describe('training (tfjs)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('an MLP trained with the squared loss approaches the conditional law, and its recovery is close', () => {
    const p = learnPredictor({ hmm, task: '2,3|1', samples: 20_000, steps: 300, batch: 512, seed: 3 });
    const exact = exactPredictor(hmm, '2,3|1');
    expect(maxTensorDiff(p.table.flat(), exact.table.flat())).toBeLessThan(0.03);
    const r = recoverFromPredictor(p, { truth: hmm });
    expect(Math.max(r.errors!.transition, r.errors!.emission)).toBeLessThan(0.15);
    // Same seed, same predictor; and the second run leaves no tensor behind (the first may register kernels' constants).
    const before = tf.memory().numTensors;
    const q = learnPredictor({ hmm, task: '2,3|1', samples: 20_000, steps: 300, batch: 512, seed: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(q.table).toEqual(p.table);
  });

  it('the transformer variant trains on the masked sequence and gives a table of the right shape', () => {
    const p = learnPredictor({ hmm, task: '1,3|2', samples: 2000, steps: 20, batch: 64, model: 'transformer', width: 16, layers: 1, seed: 1 });
    expect(p.table).toHaveLength(6);
    expect(p.table[0]).toHaveLength(36);
    expect(p.table.flat().every(Number.isFinite)).toBe(true);
  });

  it('validates its options', () => {
    expect(() => learnPredictor({ hmm, task: '2|1', samples: 0 })).toThrow(/samples must be an integer.*got 0/);
    expect(() => learnPredictor({ hmm, task: '2|1', samples: 10, model: 'cnn' as never })).toThrow(/model must be one of mlp\|transformer, got cnn/);
    expect(() => learnPredictor({ hmm: undefined as never, task: '2|1', samples: 10 })).toThrow(/hmm must be an HMM/);
    expect(() => learnPredictor({ hmm, task: '2|1', samples: 10, lr: -1 })).toThrow(/lr must be/);
  });
});

describe('testbeds hmm learn / recover --predictor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'testbeds-hmm-learn-'));

  it('learns, writes the predictor, and recover --predictor reads it back', async () => {
    const r = await cli(['hmm', 'learn', '--hmm', 'example', '--task', '2,3|1', '--samples', '5000', '--steps', '50', '--batch', '256', '--out', join(dir, 'p'), '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ task: '2,3|1', model: 'mlp', samples: 5000 });
    expect(j.errors.transition).toBeGreaterThanOrEqual(0);
    const again = await cli(['hmm', 'learn', '--hmm', 'example', '--task', '2,3|1', '--samples', '5000', '--steps', '50', '--out', join(dir, 'p')]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/predictor\.json exists; pass --force/);
    const rec = await cli(['hmm', 'recover', '--predictor', join(dir, 'p'), '--json']);
    expect(rec.code).toBe(0);
    expect(JSON.parse(rec.out)).toMatchObject({ source: 'predictor', task: '2,3|1', errors: j.errors });
  });

  it('bad input is one line and exit code 2', async () => {
    writeFileSync(join(dir, 'bad.json'), readFileSync(join(dir, 'p', 'predictor.json'), 'utf8').replace('"task":"2,3|1"', '"task":"2,3|2"'));
    for (const [args, msg] of [
      [['learn', '--hmm', 'example', '--task', '4|1', '--samples', '10'], /--task.*position 4 is outside 1..3/],
      [['learn', '--hmm', 'example', '--task', '2|1'], /--samples is required/],
      [['learn', '--hmm', 'example', '--samples', '10'], /--task is required/],
      [['learn', '--hmm', 'example', '--task', '2|1', '--samples', '10', '--layers', '3'], /--layers/],
      [['recover', '--predictor', join(dir, 'bad.json')], /corrupt: checksum/],
      [['recover', '--predictor', join(dir, 'p'), '--hmm', 'random:2,6,1'], /--hmm has k = 2/],
    ] as [string[], RegExp][]) {
      const r = await cli(['hmm', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(msg);
    }
  });
});

describe('argument checks name the function and the field', () => {
  const p = exactPredictor(hmm, '2,3|1');
  it('a hand-edited predictor is refused before any arithmetic', () => {
    expect(() => predictorJoint({ ...p, table: p.table.slice(1) })).toThrow(/predictorJoint: predictor: table must be \d+ rows of \d+ finite numbers for task 2,3\|1/);
    expect(() => recoverFromPredictor({ ...p, k: 0 })).toThrow(/recoverFromPredictor: predictor: k must be a positive integer, got 0/);
    expect(() => encodePredictor({ ...p, loss: 'l1' as never })).toThrow(/encodePredictor: predictor: loss must be "squared" or "ce", got "l1"/);
    expect(() => predictorLoss(p, { ...hmm, k: 7 })).toThrow(/predictorLoss: hmm.k = 7 but transition is/);
    expect(() => outputSize({ targets: [], given: 1, name: '' }, 3)).toThrow(/outputSize: task.targets must list 1 or 2 positions/);
    // The file reader keeps naming the file, with the same rule.
    expect(() => decodePredictor(encodePredictor(p).replace('"k":' + p.k, '"k":0').replace(/"checksum":"[0-9a-f]+"/, ''), 'x.json')).toThrow(/x\.json/);
  });
});
