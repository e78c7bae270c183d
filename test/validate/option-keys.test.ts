// A misspelled option must be refused, not ignored (the run would silently use the default):
// checkKeys names the key and the nearest known one; the exported functions with options bags use it.
import { describe, expect, it } from 'vitest';
import { cp } from '../../src/cp/cp.js';
import { tensor3 } from '../../src/cp/tensor.js';
import { defaultExperimentHmm, findPairwiseTwin, randomHmm, recoverHmm, runExperiment } from '../../src/hmm/index.js';
import { nceProblem, runNce, runNceExperiment } from '../../src/nce/index.js';
import { simulate, simulateBatch } from '../../src/simulate/index.js';
import { zoo } from '../../src/automata/index.js';
import { checkKeys } from '../../src/validate/index.js';
import { runConfig } from '../../src/learning/train.js';

describe('checkKeys', () => {
  it('passes known keys and names an unknown one with the nearest known key', () => {
    expect(() => checkKeys('f', { a: 1, maxIter: 2 }, ['a', 'maxIter'])).not.toThrow();
    expect(() => checkKeys('f', { maxIters: 2 }, ['a', 'maxIter'])).toThrow(/^f: options has no option "maxIters" \(did you mean "maxIter"\?\); it takes "a", "maxIter"$/);
    expect(() => checkKeys('f', { mxaIter: 2 }, ['maxIter'])).toThrow(/did you mean "maxIter"/);
    expect(() => checkKeys('f', { zzz: 2 }, ['maxIter'])).toThrow(/^f: options has no option "zzz"; it takes "maxIter"$/);
  });
});

describe('exported functions refuse misspelled options', () => {
  const hmm = defaultExperimentHmm();
  const cases: [string, () => unknown, RegExp][] = [
    ['cp', () => cp(tensor3([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]), 1, { maxIters: 3 } as never), /cp: options has no option "maxIters" \(did you mean "maxIter"\?\)/],
    ['recoverHmm', () => recoverHmm(hmm, { constraints: 'none' } as never), /recoverHmm: options has no option "constraints" \(did you mean "constraint"\?\)/],
    ['recoverHmm cp', () => recoverHmm(hmm, { cp: { restart: 2 } } as never), /recoverFromTensor: options.cp has no option "restart" \(did you mean "restarts"\?\)/],
    ['randomHmm', () => randomHmm(2, 3, { seeds: 1 } as never), /randomHmm: options has no option "seeds" \(did you mean "seed"\?\)/],
    ['runExperiment', () => runExperiment({ size: [100] } as never), /runExperiment: options has no option "size" \(did you mean "sizes"\?\)/],
    ['findPairwiseTwin', () => findPairwiseTwin(hmm, { keepinitial: true } as never), /did you mean "keepInitial"/],
    ['simulate', () => simulate(zoo('parity'), new Uint8Array([0, 1]), { methd: 'scan' } as never), /simulate: options has no option "methd" \(did you mean "method"\?\)/],
    ['simulateBatch', () => simulateBatch(zoo('parity'), new Uint8Array([0, 1]), 1, { threads: 2 } as never), /simulateBatch: options has no option "threads"/],
    ['runNce', () => runNce(nceProblem(1, 1), { method: 'nce-gd', maxStep: 5 } as never), /runNce: options has no option "maxStep" \(did you mean "maxSteps"\?\)/],
    ['runConfig', () => runConfig({ automaton: zoo('parity'), weightdecay: 0.1 } as never), /runConfig: o has no option "weightdecay" \(did you mean "weightDecay"\?\)/],
    ['runNceExperiment', () => runNceExperiment({ dims: 1, distances: [1], methods: ['nce-gd'], method: 'nce-gd' } as never), /runNceExperiment: options has no option "method" \(did you mean "methods"\?\)/],
  ];
  it.each(cases)('%s', (_, call, message) => {
    expect(call).toThrow(message);
  });
  it('the experiment still hands its run options to each run (no key of its own leaks into runNce)', () => {
    const e = runNceExperiment({ dims: 1, distances: [1], methods: ['ence-ngd'], target: 0.5, onRun: () => {} });
    expect(e.runs[0].converged).toBe(true);
  });
});
