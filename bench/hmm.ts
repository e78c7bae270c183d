/**
 * `testbeds bench hmm` (node dist/bench/hmm.js): how fast the HMM layer makes its data and
 * recovers parameters, with baselines measured in the same process.
 *
 * - Sampling triple counts: the default 'joint' sampler (one alias draw over the d³ outcomes per
 *   triple) against the 'chain' sampler (runs the hidden chain: 6 alias draws per triple) and
 *   against the bare cost of one Rng.nextFloat per triple (the floor of any sampler here).
 * - Recovery from the exact triplet tensor (W, CP rank k, read off (O, T)) for k = 3, 5, 8.
 *
 * Prints a markdown table; --json prints one JSON object instead.
 */
import Benchmark from 'benchmark';
import { flag, int, parse } from '../src/cli/args.js';
import { pathToFileURL } from 'node:url';
import { Rng } from '../src/random/prng.js';
import { hmmTripletTensor, randomHmm, recoverFromTensor, sampleCounts, defaultExperimentHmm } from '../src/hmm/index.js';

interface Row {
  name: string;
  seconds: number;
  rme: number;
  perSecond?: number;
  note?: string;
}

function measure(fn: () => unknown, maxTime: number): { seconds: number; rme: number } {
  const b = new Benchmark({ fn, maxTime, minSamples: 3 });
  b.run();
  return { seconds: b.stats.mean, rme: b.stats.rme };
}

/** Entry point of `testbeds bench hmm [--quick] [--n N] [--json]`. */
export async function run(argv: string[]): Promise<void> {
  const p = parse(argv, { json: { type: 'boolean' }, quick: { type: 'boolean' }, n: { type: 'string' } }, false);
  const values = { json: flag(p, 'json'), quick: flag(p, 'quick') };
  const n = int(p, 'n', values.quick ? 1e5 : 1e6, 1, 1e9)!;
  const maxTime = values.quick ? 0.5 : 2;
  const rows: Row[] = [];
  const log = (s: string) => process.stderr.write(s + '\n');

  const hmm = defaultExperimentHmm();
  let seed = 1;
  const floor = measure(() => {
    const rng = new Rng(seed++);
    let s = 0;
    for (let i = 0; i < n; i++) s += rng.nextFloat();
    return s;
  }, maxTime);
  rows.push({ name: `Rng.nextFloat × N (floor), N = ${n}`, ...floor, perSecond: n / floor.seconds });
  log(`floor: ${(n / floor.seconds / 1e6).toFixed(1)} M/s`);
  for (const method of ['joint', 'chain'] as const) {
    const m = measure(() => sampleCounts(hmm, [1, 2, 3], n, seed++, undefined, method), maxTime);
    rows.push({ name: `sampleCounts '${method}', N = ${n} triples (k = 3, d = 6)`, ...m, perSecond: n / m.seconds });
    log(`${method}: ${(n / m.seconds / 1e6).toFixed(1)} M triples/s`);
  }
  const joint = rows[1], chain = rows[2];
  joint.note = `${(chain.seconds / joint.seconds).toFixed(1)}× chain; ${(joint.seconds / floor.seconds).toFixed(2)}× the floor's time`;

  for (const k of values.quick ? [3] : [3, 5, 8]) {
    const h = randomHmm(k, k + 2, { seed: k });
    const w = hmmTripletTensor(h, 'exact');
    let err = 0, its = 0;
    const m = measure(() => {
      const r = recoverFromTensor(w, k, { truth: h });
      err = Math.max(r.errors!.transition, r.errors!.emission);
      its = r.cp.iterations;
    }, maxTime);
    rows.push({ name: `recover from exact W, k = ${k}, d = ${k + 2}`, ...m, note: `max error ${err.toExponential(1)}, ${its} ALS sweep(s)` });
    log(`recover k=${k}: ${(m.seconds * 1e3).toFixed(2)} ms`);
  }

  if (values.json) {
    console.log(JSON.stringify({ n, rows, machine: 'see the run environment (2-core VM, shared)' }));
  } else {
    console.log('| benchmark | mean time | ±% | rate | note |');
    console.log('|---|---:|---:|---:|---|');
    for (const r of rows) console.log(`| ${r.name} | ${r.seconds < 1e-2 ? (r.seconds * 1e3).toFixed(3) + ' ms' : r.seconds.toFixed(3) + ' s'} | ${r.rme.toFixed(1)} | ${r.perSecond ? (r.perSecond / 1e6).toFixed(1) + ' M/s' : ''} | ${r.note ?? ''} |`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run(process.argv.slice(2));
