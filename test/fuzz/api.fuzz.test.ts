// Fuzz layer over the exported API (issue #10): every exported function of the built entry points,
// called with random arguments and with valid calls spoiled in one place, must return or throw an
// Error that says what is wrong, never a raw TypeError from inside, a wasm trap or a hang. Calls
// run in a worker thread so a synchronous hang is stopped from outside (per-call time box).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module shared with the worker
import { fuzzApi } from './api-runner.mjs';
// @ts-expect-error plain JS module
import { NOT_YET_VALIDATED } from './outcome.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const built = existsSync(join(root, 'dist/src/index.js'));

/** Calls with side effects outside the process (files, threads): fuzzed elsewhere or not at random. */
const EXCLUDED = new Set(['writeLetters', 'writeStates', 'startWorkers', 'stopWorkers', 'readLetters', 'resolveAutomaton',
  // testbeds/learning: the backend and worker set-up, and a writer of checkpoint directories.
  'initBackend', 'setThreads', 'setWasmBinaryLocation', 'serveTraining', 'writeCheckpointFile',
  // Its default (no options) is the full experiment, 5–30 s by design: tested with bad options in hmm/experiment tests.
  'runExperiment',
  // Likewise: its default is the bounded-Dyck quick experiment (minutes); bad options are tested in test/learning/dyck_balance.test.ts.
  'runDyck']);

/** Per-call time box: a call on small random input that has not returned by then counts as a hang. */
const CALL_MS = 5000;

interface Finding {
  name: string;
  args: string;
  problem: string;
}

const fuzz = (entry: string, names: string[], runs: number, seed: number): Promise<{ findings: Finding[]; cases: number }> =>
  fuzzApi({ driver: join(root, 'test/fuzz/api-driver.mjs'), entry: pathToFileURL(join(root, entry)).href, names, runs, seed, callMs: CALL_MS });

async function exportedFunctions(entry: string): Promise<string[]> {
  const M = (await import(pathToFileURL(join(root, entry)).href)) as Record<string, unknown>;
  // Classes are constructed, not called: their constructors are reached through the valid calls.
  return Object.keys(M).filter((n) => typeof M[n] === 'function' && !/^[A-Z]/.test(n) && !EXCLUDED.has(n) && !NOT_YET_VALIDATED.has(n)).sort();
}

function report(findings: Finding[]): string {
  const byName = new Map<string, Finding[]>();
  for (const f of findings) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  return [...byName].map(([n, fs]) => `${n}: ${fs.length} bad outcome(s), e.g. ${n}(${fs[0].args.slice(1, -1)}) → ${fs[0].problem}`).join('\n');
}

describe.skipIf(!built)('API fuzz: bad arguments give a named error, never a raw one', () => {
  for (const [what, entry, atLeast, seed] of [['the main entry (testbeds)', 'dist/src/index.js', 100, 20261204], ['the learning entry (testbeds/learning)', 'dist/src/learning/index.js', 25, 20261205]] as const) {
    it(`every exported function of ${what}`, async () => {
      const names = await exportedFunctions(entry);
      expect(names.length).toBeGreaterThan(atLeast);
      const { findings, cases } = await fuzz(entry, names, 24, seed);
      expect(report(findings)).toBe('');
      expect(cases).toBeGreaterThan(names.length * 20);
    }, 120_000);
  }

  it.skipIf(!existsSync(join(root, 'dist/browser/testbeds.js')))('the browser bundle (same functions, bundled): a sample of calls', async () => {
    const names = await exportedFunctions('dist/browser/testbeds.js');
    const { findings } = await fuzz('dist/browser/testbeds.js', names, 6, 20261206);
    expect(report(findings)).toBe('');
  }, 120_000);
});
