/**
 * `testbeds hmm SUBCOMMAND`: hidden Markov models and masked-prediction identifiability.
 * Reads and writes the HMM file of the spec (emission k×d, rows = hidden states); never
 * overwrites an existing output without --force; --json prints one object on stdout.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { checkWritable, writeFileAtomic } from '../../io/atomic.js';
import { sequenceFormat } from '../../automata/sequence-io.js';
import { CliError, flag, int, intList, num, oneOf, parse, str, type OptionRules, type OptionSpec } from '../args.js';
import type { Command } from '../command.js';
import { subcommandUsage } from '../usage.js';
import {
  empiricalJoint,
  exactJoint,
  experimentMarkdown,
  experimentSvg,
  findPairwiseTwin,
  hmmToJSON,
  maxTensorDiff,
  pairwisePredictor,
  parseHmm,
  randomHmm,
  recoverHmm,
  runExperiment,
  sampleSequences,
  tripletPredictor,
  tripletTensor,
  tripleJointFromSequences,
  recoverFromTensor,
  type Recovery,
  EXPERIMENT_SIZES,
  defaultExperimentHmm,
  type HMM,
} from '../../hmm/index.js';
import { checkHmmSize, HMM_LIMITS } from '../../hmm/types.js';
import { maxAbsDiff } from '../../hmm/linalg.js';

const USAGE = `usage: testbeds hmm SUBCOMMAND [options]   (testbeds hmm SUBCOMMAND --help for one)

Hidden Markov models (k hidden states, d observations) and the identifiability of their
parameters from masked-prediction tasks. --hmm takes an HMM file (JSON: "transition" k×k,
"emission" k×d, optional "initial"; rows = hidden states), "example" (docs/hmm.md's 3-state
HMM) or random:K,D[,SEED] (Dirichlet(1) rows, stationary start). Every HMM has k ≤ 1024,
d ≤ 65536 and k·(k + d) ≤ 2^24 parameters.

  random          --k K --d D [--seed S] [--stickiness X] [--initial stationary|random] [--out FILE]
                  a random HMM (Dirichlet rows), as JSON on stdout or in FILE
  sample          --hmm H --length L [--count M] [--seed S] [--out FILE] [--states FILE]
                  M sequences of L observations: .txt = one sequence per line, other extensions
                  raw uint8 (uint16 little-endian for .u16); without --out, text on stdout
  predictors      --hmm H [--positions 1,2,3] [--samples N --seed S] [--json]
                  exact E[x_j | x_i] for all ordered pairs among the positions and
                  E[x_j ⊗ x_l | x_i] for the first three; with --samples, also the estimates
                  from N sampled sequences and their max error
  recover         --hmm H [--source exact|samples] [--samples N] [--seed S]
                  [--constraint simplex|none] [--refine em|none] [--init jennrich|svd|random]
                  [--restarts R] [--max-iter M] [--out FILE] [--json]
                  builds W = Σ e_x1 ⊗ E[x2 ⊗ x3 | x1], decomposes it with CP rank k and reads off
                  (T, O); errors are max|Δ| against H after matching hidden states.
                  simplex (default): CP-ALS, then non-negative CP (HALS) from it and R random
                  starts (default 8), T by simplex least squares, then EM on the sampled
                  triples (--refine none skips it); none: unconstrained CP-ALS only.
                  Prints the conditioning (spectral gap of W, cond(O), cond(T)) and a warning
                  when the data cannot determine (O, T)
                  --data FILE --k K [--d D] [--length L] [--hmm H]: W from every window of 3
                  consecutive observations in FILE (a sequences file as written by sample; assumes
                  a stationary HMM); a binary FILE is one sequence unless --length L splits it
                  (as sample --count writes them); errors only when --hmm gives the truth
                  --predictor DIR [--hmm H]: from a predictor trained by "hmm learn": (O, T) by CP
                  for a triplet task; for a pairwise task, its twin (an HMM at which the learned
                  predictor has the same loss). H defaults to the HMM the predictor was trained on
  learn           --hmm H --task T --samples N [--model mlp|transformer] [--width W] [--layers L]
                  [--steps S] [--batch B] [--lr X] [--loss squared|ce] [--seed S] [--out DIR] [--json]
                  trains a masked predictor (tfjs, wasm) on N sequences sampled from H with the
                  squared loss on one-hot targets; T = TARGETS|GIVEN: 2|1 (x₂ from x₁), 2,3|1
                  (x₂ ⊗ x₃ from x₁), 1,3|2, …; writes DIR/predictor.json and reports what it
                  identifies (defaults: mlp, width 64, 1000 steps, batch 1024, lr 1e-2)
  counterexample  --hmm H [--keep-initial] [--seed S] [--out FILE] [--json]
                  a different valid HMM with the same pairwise predictors among positions 1, 2, 3
                  (exit 1 and says why when there is none); shows the triplet predictors differ.
                  --keep-initial: only rotations fixing √π (uniform start: Õ = UᵀO, T̃ = UᵀTU)
                  k ≤ 64; the search is bounded to about 2·10^9 operations (seconds) and says
                  when it searched a seeded sample of the rotation planes
  experiment      [--hmm H] [--sizes 1e3,1e4,...] [--reps R] [--seed S] [--out DIR] [--json]
                  recovery error vs sample size for the triplet and pairwise tasks: a table on
                  stdout; with --out, DIR/hmm-experiment.{json,md,svg}. Default: docs/hmm.md's
                  3-state, 6-symbol HMM, N = 10^3 … 10^7, 5 runs each (about 5–30 s)
                  --learned: the same from trained predictors (every triplet task, beside the
                  counted predictor on the same data; the pairwise twin floor), N = 10^3 … 10^5,
                  3 runs, DIR/hmm-learned.{json,md,svg}; takes the learn options (minutes)

Common: --force overwrites existing output files. --json prints one JSON object on stdout.
Examples:
  testbeds hmm random --k 3 --d 6 --seed 1 --out h.json
  testbeds hmm recover --hmm h.json --source samples --samples 1000000 --seed 2 --json
  testbeds hmm counterexample --hmm h.json --json
  testbeds hmm experiment --out results/`;

const COMMON: OptionSpec = { hmm: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' }, out: { type: 'string' }, force: { type: 'boolean' } };

export function loadHmm(spec: string | undefined, forRecovery = false): HMM {
  if (spec === undefined) throw new CliError('--hmm is required (an HMM JSON file, example, or random:K,D[,SEED])');
  if (spec === 'example') return defaultExperimentHmm();
  const m = /^random:(\d+),(\d+)(?:,(\d+))?$/.exec(spec);
  if (m) {
    try {
      checkHmmSize(Number(m[1]), Number(m[2]), `--hmm ${spec}`); // the limits of every HMM, before allocating
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    const h = randomHmm(Number(m[1]), Number(m[2]), { seed: m[3] ? Number(m[3]) : 0 });
    if (forRecovery && h.d < h.k) throw new CliError(`--hmm ${spec}: recovery needs d ≥ k`);
    return h;
  }
  if (!existsSync(spec)) throw new CliError(`--hmm: no such file "${spec}" (give an HMM JSON file, example, or random:K,D[,SEED])`);
  return parseHmm(readInput('--hmm', spec).toString('utf8'), spec, { forRecovery });
}

/** Reads an input file; a directory or unreadable path is one line naming the option and path. */
function readInput(option: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CliError(`${option} ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * Refuses an output path before any work is done: an existing file without --force, or a
 * directory that does not exist (so a long run does not end in a raw ENOENT).
 */
function checkOutput(option: string, path: string | undefined, force: boolean): void {
  if (path === undefined) return;
  const dir = dirname(path);
  if (!existsSync(dir)) throw new CliError(`${option} ${path}: directory "${dir}" does not exist`);
  try {
    checkWritable(path, { force, hint: 'pass --force to overwrite it' });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** Atomic (src/io): never a partial file, and the old file stays until the new one is complete. */
function writeNew(path: string, data: string | Uint8Array, force: boolean): void {
  try {
    writeFileAtomic(path, data, { force, hint: 'pass --force to overwrite it' });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** Two outputs of one command must be two files: the second would overwrite the first. */
function checkDistinct(a: [string, string | undefined], b: [string, string | undefined]): void {
  if (a[1] === undefined || b[1] === undefined) return;
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  if (real(a[1]) === real(b[1])) throw new CliError(`${a[0]} ${a[1]} and ${b[0]} ${b[1]} are the same file; give two different paths`);
}

const round = (x: number, digits = 12) => Number(x.toPrecision(digits));
const roundMat = (m: number[][]) => m.map((r) => r.map((x) => round(x)));
const fmtRow = (r: number[]) => r.map((x) => x.toFixed(6).padStart(10)).join('');

function printMatrix(title: string, m: number[][]): void {
  console.log(title);
  for (const r of m) console.log(fmtRow(r));
}

function seedOf(p: ReturnType<typeof parse>): number {
  return int(p, 'seed', 0, 0, 2 ** 32 - 1)!;
}

/**
 * Progress on stderr: a bar redrawn in place when stderr is a TTY; otherwise (logs, CI) a plain
 * line at most every `intervalMs`, so long sampling runs are visible without flooding the log.
 */
export function progressReporter(
  stream: { isTTY?: boolean; write(s: string): unknown } = process.stderr,
  intervalMs = 5000,
  now: () => number = () => performance.now(),
): { onProgress: (label: string, done: number, total: number) => void; done: () => void } {
  const tty = stream.isTTY === true;
  let shown = false;
  let last = now();
  return {
    onProgress(label, done, total) {
      const pct = ((100 * done) / total).toFixed(0);
      if (!tty) {
        if (now() - last < intervalMs || done >= total) return;
        last = now();
        stream.write(`${label}: ${pct}% (${done} of ${total})\n`);
        return;
      }
      const w = 30, f = Math.round((w * done) / total);
      stream.write(`\r${label} [${'#'.repeat(f)}${'.'.repeat(w - f)}] ${pct}%   `);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r' + ' '.repeat(70) + '\r');
      shown = false;
    },
  };
}

async function random(argv: string[]): Promise<number> {
  // No --hmm (random makes one); --json is accepted because the output is JSON either way.
  const { hmm: _, ...own } = COMMON;
  const p = parse(argv, { ...own, k: { type: 'string' }, d: { type: 'string' }, stickiness: { type: 'string' }, initial: { type: 'string' } }, false);
  const k = int(p, 'k', undefined, 1, HMM_LIMITS.states);
  const d = int(p, 'd', undefined, 1, HMM_LIMITS.observations);
  if (k === undefined || d === undefined) throw new CliError('--k and --d are required');
  try {
    checkHmmSize(k, d, `--k ${k} --d ${d}`);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  checkOutput('--out', str(p, 'out'), flag(p, 'force'));
  const hmm = randomHmm(k, d, { seed: seedOf(p), stickiness: num(p, 'stickiness', 0, 0), initial: oneOf(p, 'initial', ['stationary', 'random'] as const, 'stationary') });
  const text = JSON.stringify(hmmToJSON(hmm)) + '\n';
  const out = str(p, 'out');
  if (out) {
    writeNew(out, text, flag(p, 'force'));
    console.error(`wrote ${out} (k = ${k}, d = ${d})`);
  } else process.stdout.write(text);
  return 0;
}

/** Throws when `symbols` distinct values do not fit the file format the extension of `path` selects. */
function checkWidth(path: string | undefined, symbols: number, what: string): void {
  const format = path ? sequenceFormat(path) : 'txt';
  if (format === 'u16' && symbols > 65536) throw new CliError(`${path}: ${what} do not fit uint16`);
  if (format === 'u8' && symbols > 256) throw new CliError(`${path}: ${what} do not fit one byte; use .u16 or .txt`);
}

function encodeSequences(obs: Int32Array, length: number, count: number, path: string | undefined): string | Uint8Array {
  const format = path ? sequenceFormat(path) : 'txt';
  if (format === 'txt') {
    const lines: string[] = [];
    for (let s = 0; s < count; s++) lines.push(Array.from(obs.subarray(s * length, (s + 1) * length)).join(' '));
    return lines.join('\n') + '\n';
  }
  if (format === 'u16') return new Uint8Array(new Uint16Array(obs).buffer);
  return Uint8Array.from(obs);
}

async function sample(argv: string[]): Promise<number> {
  const p = parse(argv, { ...COMMON, length: { type: 'string' }, count: { type: 'string' }, states: { type: 'string' } }, false);
  const hmm = loadHmm(str(p, 'hmm'));
  const length = int(p, 'length', undefined, 1, 2 ** 28);
  if (length === undefined) throw new CliError('--length is required');
  const count = int(p, 'count', 1, 1, 2 ** 28)!;
  const out = str(p, 'out'), statesPath = str(p, 'states');
  const force = flag(p, 'force');
  checkDistinct(['--out', out], ['--states', statesPath]);
  checkOutput('--out', out, force);
  checkOutput('--states', statesPath, force);
  // Both widths are checked before sampling, so a bad --states never leaves a lone --out file.
  checkWidth(out, hmm.d, `d = ${hmm.d} observation symbols`);
  checkWidth(statesPath, hmm.k, `k = ${hmm.k} hidden states`);
  const seq = sampleSequences(hmm, length, count, seedOf(p));
  const data = encodeSequences(seq.observations, length, count, out);
  if (out) writeNew(out, data, force);
  else if (!flag(p, 'json')) process.stdout.write(data);
  if (statesPath) writeNew(statesPath, encodeSequences(seq.hidden, length, count, statesPath), force);
  if (flag(p, 'json')) {
    // Without --out the sequences themselves are the output: they go into the JSON object.
    const observations = out ? undefined : Array.from({ length: count }, (_, q) => Array.from(seq.observations.subarray(q * length, (q + 1) * length)));
    console.log(JSON.stringify({ length, count, seed: seedOf(p), out: out ?? null, states: statesPath ?? null, k: hmm.k, d: hmm.d, ...(observations ? { observations } : {}) }));
  }
  else if (out) console.error(`wrote ${count} sequence(s) of length ${length} to ${out}${statesPath ? ` and hidden states to ${statesPath}` : ''}`);
  return 0;
}

function parsePositions(p: ReturnType<typeof parse>): number[] {
  const s = str(p, 'positions');
  const ps = intList(p, 'positions', 1, 2 ** 31);
  if (ps === undefined) return [1, 2, 3];
  if (ps.length < 2) throw new CliError(`--positions: expected at least two 1-based integers like 1,2,3, got "${s}"`);
  if (new Set(ps).size !== ps.length) throw new CliError(`--positions: repeated position in "${s}"`);
  return ps;
}

async function predictors(argv: string[]): Promise<number> {
  const p = parse(argv, { ...COMMON, positions: { type: 'string' }, samples: { type: 'string' } }, false, {
    requires: { seed: { anyOf: ['samples'], why: 'it seeds the sampled estimates; the exact predictors need no seed' }, force: { anyOf: ['out'], why: 'it allows --out to replace a file' } },
  });
  const hmm = loadHmm(str(p, 'hmm'));
  const positions = parsePositions(p);
  const out = str(p, 'out');
  checkOutput('--out', out, flag(p, 'force'));
  const samples = int(p, 'samples', undefined, 1, 1e9);
  const joint = exactJoint(hmm, positions);
  const emp = samples ? empiricalJoint(hmm, positions, samples, seedOf(p)) : undefined;
  const pairs: { i: number; j: number; predictor: number[][]; estimate?: number[][]; maxError?: number }[] = [];
  for (const i of positions)
    for (const j of positions) {
      if (i === j) continue;
      const predictor = pairwisePredictor(joint, i, j);
      const entry: (typeof pairs)[number] = { i, j, predictor };
      if (emp) {
        entry.estimate = pairwisePredictor(emp, i, j);
        entry.maxError = maxAbsDiff(entry.estimate, predictor);
      }
      pairs.push(entry);
    }
  const d = hmm.d;
  const nested = (data: Float64Array) => Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => Array.from(data.subarray((a * d + b) * d, (a * d + b + 1) * d), (x) => round(x))));
  // The triplet predictor E[x_j ⊗ x_l | x_i] for the first three positions (i, j, l).
  const [ti, tj, tl] = positions;
  const trip = positions.length >= 3 ? tripletPredictor(joint, ti, tj, tl) : undefined;
  const tripEst = trip && emp ? tripletPredictor(emp, ti, tj, tl) : undefined;
  const report = () => JSON.stringify({
    k: hmm.k,
    d,
    positions,
    pairwise: pairs.map((e) => ({ i: e.i, j: e.j, predictor: roundMat(e.predictor), ...(e.estimate ? { estimate: roundMat(e.estimate), maxError: e.maxError } : {}) })),
    ...(trip ? { triplet: { i: ti, j: tj, l: tl, predictor: nested(trip.data), ...(tripEst ? { estimate: nested(tripEst.data), maxError: maxTensorDiff(tripEst.data, trip.data) } : {}) } } : {}),
    ...(samples ? { samples, seed: seedOf(p) } : {}),
  });
  // --out FILE: the same JSON object as --json, in a file (what the option says it does).
  if (out) {
    writeNew(out, report() + '\n', flag(p, 'force'));
    console.error(`wrote ${out}`);
  }
  if (flag(p, 'json')) {
    console.log(report());
    return 0;
  }
  for (const e of pairs) {
    printMatrix(`E[x_${e.j} | x_${e.i}]  (row a: given x_${e.i} = a)${e.maxError !== undefined ? `   estimate from ${samples} samples: max error ${e.maxError.toExponential(2)}` : ''}`, e.predictor);
    console.log('');
  }
  if (trip) {
    console.log(`E[x_${tj} ⊗ x_${tl} | x_${ti}]  (rows: x_${tj}, columns: x_${tl})${tripEst ? `   estimate from ${samples} samples: max error ${maxTensorDiff(tripEst.data, trip.data).toExponential(2)}` : ''}`);
    const t = nested(trip.data);
    for (let a = 0; a < d; a++) printMatrix(`  given x_${ti} = ${a}:`, t[a]);
  }
  return 0;
}

/**
 * The sequences of a data file. `.txt`: one sequence per line. Binary files (uint8, or uint16 for
 * .u16) carry no line breaks, so `sample --count M` writes its M sequences back to back: `length`
 * splits them again; without it the file is one sequence and windows would straddle the joins.
 */
function decodeSequences(path: string, length?: number): number[][] | Uint8Array[] | Uint16Array[] {
  if (!existsSync(path)) throw new CliError(`--data: no such file "${path}"`);
  const format = sequenceFormat(path);
  if (format === 'txt') {
    if (length !== undefined) throw new CliError(`--length applies to binary data files; ${path} is text, one sequence per line`);
    return readInput('--data', path).toString('utf8').replace(/^\uFEFF/, '').split('\n').filter((l) => l.trim() !== '').map((l, i) =>
      l.trim().split(/\s+/).map((w, t) => {
        const x = Number(w);
        if (!Number.isInteger(x) || x < 0) throw new CliError(`${path}: line ${i + 1}, item ${t + 1}: "${w}" is not a non-negative integer`);
        return x;
      }),
    );
  }
  const buf = readInput('--data', path);
  let all: Uint8Array | Uint16Array;
  if (format === 'u16') {
    if (buf.length % 2) throw new CliError(`${path}: odd number of bytes for uint16 data`);
    all = new Uint16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  } else all = new Uint8Array(buf);
  if (length === undefined) return [all] as Uint8Array[] | Uint16Array[];
  if (all.length % length) throw new CliError(`--length ${length}: ${path} holds ${all.length} observations, not a multiple of ${length}`);
  const seqs = [];
  for (let s = 0; s < all.length; s += length) seqs.push(all.subarray(s, s + length));
  return seqs as Uint8Array[] | Uint16Array[];
}

async function recover(argv: string[]): Promise<number> {
  if (argv.some((a) => a === '--predictor' || a.startsWith('--predictor='))) return (await import('./hmm-learned.js')).recoverPredictor(argv);
  const needsData = (what: string) => ({ anyOf: ['data'], why: `${what}; with --hmm the model gives it` });
  const p = parse(argv, { ...COMMON, source: { type: 'string' }, samples: { type: 'string' }, init: { type: 'string' }, restarts: { type: 'string' }, constraint: { type: 'string' }, refine: { type: 'string' }, 'max-iter': { type: 'string' }, data: { type: 'string' }, k: { type: 'string' }, d: { type: 'string' }, length: { type: 'string' } }, false, {
    exclusive: [['data', 'source']],
    requires: { k: needsData('it is the number of hidden states of the data'), d: needsData('it is the number of symbols of the data'), length: { anyOf: ['data'], why: 'it splits a binary data file into sequences' }, force: { anyOf: ['out'], why: 'it allows --out to replace a file' } },
  });
  const dataPath = str(p, 'data');
  const hmm = dataPath && str(p, 'hmm') === undefined ? undefined : loadHmm(str(p, 'hmm'), true);
  const source = dataPath ? 'data' : oneOf(p, 'source', ['exact', 'samples'] as const, 'exact');
  if (dataPath && str(p, 'source') !== undefined) throw new CliError('--data and --source are exclusive (--data: estimate W from the sequences in the file)');
  const samples = int(p, 'samples', 1e6, 1, 1e10)!;
  if (source !== 'samples' && str(p, 'samples') !== undefined) throw new CliError('--samples needs --source samples');
  if (!dataPath && str(p, 'length') !== undefined) throw new CliError('--length needs --data (it splits a binary data file into sequences)');
  const init = oneOf(p, 'init', ['jennrich', 'svd', 'random'] as const, 'jennrich');
  const constraint = oneOf(p, 'constraint', ['simplex', 'none'] as const, 'simplex');
  const refine = oneOf(p, 'refine', ['em', 'none'] as const, 'em');
  if (constraint === 'none' && str(p, 'refine') === 'em') throw new CliError('--refine em needs --constraint simplex');
  const restarts = int(p, 'restarts', undefined, 1, 1000);
  const maxIter = int(p, 'max-iter', undefined, 1, 1e6);
  const cpOptions = { init, ...(restarts !== undefined ? { restarts } : {}), ...(maxIter !== undefined ? { maxIter } : {}), linesearch: true, tol: 1e-14, seed: seedOf(p) };
  checkOutput('--out', str(p, 'out'), flag(p, 'force'));
  const prog = progressReporter();
  const t0 = performance.now();
  let rec: Recovery;
  let windows: number | undefined;
  if (dataPath) {
    const k = hmm?.k ?? int(p, 'k', undefined, 1, 1000);
    if (k === undefined) throw new CliError('--data needs --k (the number of hidden states), or --hmm for the true HMM');
    if (hmm && str(p, 'k') !== undefined && int(p, 'k', undefined, 1, 1000) !== hmm.k) throw new CliError(`--k ${str(p, 'k')} disagrees with --hmm (k = ${hmm.k})`);
    if (hmm && str(p, 'd') !== undefined && int(p, 'd', undefined, 1, 4096) !== hmm.d) throw new CliError(`--d ${str(p, 'd')} disagrees with --hmm (d = ${hmm.d})`);
    const d = hmm?.d ?? int(p, 'd', undefined, 1, 4096);
    const joint = tripleJointFromSequences(decodeSequences(dataPath, int(p, 'length', undefined, 3, 2 ** 31)), d);
    windows = joint.samples;
    if (joint.d < k) throw new CliError(`recovery needs d ≥ k, but the data have d = ${joint.d} symbols and k = ${k} (pass --d if some symbols never occur)`);
    rec = recoverFromTensor(tripletTensor(joint), k, { truth: hmm, cp: cpOptions, constraint, refine, joint, samples: joint.samples });
  } else {
    rec = recoverHmm(hmm!, { source: source as 'exact' | 'samples', samples, seed: seedOf(p), cp: cpOptions, constraint, refine, onProgress: (done, total) => prog.onProgress('sampling triples', done, total) });
  }
  prog.done();
  const seconds = (performance.now() - t0) / 1000;
  const out = str(p, 'out');
  if (out) writeNew(out, JSON.stringify({ transition: rec.transition, emission: rec.emission }) + '\n', flag(p, 'force'));
  if (flag(p, 'json')) {
    console.log(JSON.stringify({
      transition: rec.transition,
      emission: rec.emission,
      permutation: rec.permutation,
      errors: rec.errors,
      cp: rec.cp,
      source,
      ...(source === 'samples' ? { samples, seed: seedOf(p) } : {}),
      ...(dataPath ? { data: dataPath, windows } : {}),
      conditionRatio: rec.conditionRatio,
      projection: rec.projection,
      constraint: rec.constraint,
      ...(rec.em ? { em: rec.em } : {}),
      conditioning: rec.conditioning,
      seconds,
    }));
    return 0;
  }
  const from = source === 'exact' ? 'the exact W' : source === 'data' ? `W estimated from ${windows} windows (x_t, x_t+1, x_t+2) of ${dataPath}` : `W estimated from ${samples} sampled triples (seed ${seedOf(p)})`;
  console.log(`recovered from ${from}; CP rank ${rec.cp.rank}, ${rec.cp.iterations} sweeps, fit ${rec.cp.fit.toFixed(10)} (init ${rec.cp.init}, ${rec.cp.restarts} run${rec.cp.restarts > 1 ? 's' : ''})`);
  // A run that stops at --max-iter is not at a stationary point: say so rather than let it pass as converged.
  if (!rec.cp.converged) console.log(`note: ${rec.constraint === 'none' ? 'CP-ALS' : 'non-negative CP (HALS)'} did not converge within ${rec.cp.iterations} sweeps (raise --max-iter, or try --restarts)`);
  if (rec.em) console.log(`EM on the sampled triples: log-likelihood per sample ${rec.em.startLogLikelihood.toFixed(8)} → ${rec.em.logLikelihood.toFixed(8)} in ${rec.em.iterations} iterations${rec.em.converged ? '' : ' (iteration limit)'}`);
  const c = rec.conditioning;
  console.log(`conditioning: spectral gap σ_k/σ_k+1 of W's unfoldings ${c.spectralGap.toPrecision(3)}, cond(O) = ${c.emissionCondition.toPrecision(3)}, cond(T) = ${c.transitionCondition.toPrecision(3)}`);
  for (const w of c.warnings) console.log(`warning: ${w}`);
  printMatrix(`transition (rows: from-state${hmm ? ', in the true labelling' : ''})`, rec.transition);
  printMatrix('emission (rows: hidden states)', rec.emission);
  if (hmm) console.log(`permutation (true state → CP component): [${rec.permutation.join(', ')}]`);
  if (rec.errors) console.log(`errors: max|ΔT| = ${rec.errors.transition.toExponential(3)}, max|ΔO| = ${rec.errors.emission.toExponential(3)}`);
  console.log(`(${seconds.toFixed(2)} s)${out ? `; wrote ${out}` : ''}`);
  return 0;
}

async function counterexample(argv: string[]): Promise<number> {
  const p = parse(argv, { ...COMMON, 'keep-initial': { type: 'boolean' } }, false);
  const hmm = loadHmm(str(p, 'hmm'));
  checkOutput('--out', str(p, 'out'), flag(p, 'force'));
  const r = findPairwiseTwin(hmm, { seed: seedOf(p), keepInitial: flag(p, 'keep-initial') });
  const out = str(p, 'out');
  if (out && r.twin) writeNew(out, JSON.stringify(hmmToJSON(r.twin, true)) + '\n', flag(p, 'force'));
  if (flag(p, 'json')) {
    console.log(JSON.stringify({
      found: r.found,
      reason: r.reason,
      ...(r.twin
        ? {
            hmm: hmmToJSON(r.twin, true),
            pairwiseMaxDiff: r.pairwiseMaxDiff,
            tripletMaxDiff: r.tripletMaxDiff,
            tensorMaxDiff: r.tensorMaxDiff,
            parameterDiff: r.parameterDiff,
            permutation: r.permutation,
            rotation: r.rotation,
            angle: r.angle,
            maxAngle: r.maxAngle,
            spread: r.spread,
          }
        : {}),
      groups: r.groups,
      generic: r.generic,
    }));
    return r.found ? 0 : 1;
  }
  if (!r.found) {
    console.log(`no counterexample: ${r.reason}`);
    return 1;
  }
  console.log(`found a different HMM with the same pairwise predictors (${r.reason})`);
  printMatrix('transition', r.twin!.transition);
  printMatrix('emission', r.twin!.emission);
  console.log(`initial: ${fmtRow(r.twin!.initial)}`);
  console.log(`pairwise predictors E[x_j | x_i], all ordered pairs among 1,2,3: max|Δ| = ${r.pairwiseMaxDiff!.toExponential(2)}`);
  console.log(`triplet predictors E[x_j ⊗ x_l | x_i]:                          max|Δ| = ${r.tripletMaxDiff!.toExponential(2)}  (W alone: ${r.tensorMaxDiff!.toExponential(2)})`);
  console.log(`parameters (after matching states): max|ΔT| = ${r.parameterDiff!.transition.toExponential(2)}, max|ΔO| = ${r.parameterDiff!.emission.toExponential(2)}, max|Δπ| = ${r.parameterDiff!.initial.toExponential(2)}`);
  if (out) console.log(`wrote ${out}`);
  return 0;
}

async function experiment(argv: string[]): Promise<number> {
  if (argv.includes('--learned')) return (await import('./hmm-learned.js')).learnedExperiment(argv);
  const p = parse(argv, { ...COMMON, sizes: { type: 'string' }, reps: { type: 'string' } }, false);
  const hmm = str(p, 'hmm') !== undefined ? loadHmm(str(p, 'hmm'), true) : undefined;
  const sizes = intList(p, 'sizes', 1, 1e9) ?? EXPERIMENT_SIZES;
  const reps = int(p, 'reps', 5, 1, 1000)!;
  const outDir = str(p, 'out');
  const force = flag(p, 'force');
  const files = outDir ? ['hmm-experiment.json', 'hmm-experiment.md', 'hmm-experiment.svg'].map((f) => join(outDir, f)) : [];
  for (const f of files) if (existsSync(f) && !force) throw new CliError(`${f} exists; pass --force to overwrite it`);
  if (outDir) {
    // Before the run, so a bad --out fails in a second, not after the experiment.
    try {
      mkdirSync(outDir, { recursive: true });
    } catch (e) {
      throw new CliError(`--out ${outDir}: cannot create the directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  const prog = progressReporter();
  const r = runExperiment({
    hmm,
    sizes,
    reps,
    seed: seedOf(p),
    onLog: (line) => {
      prog.done();
      console.error(line);
    },
    onProgress: prog.onProgress,
  });
  prog.done();
  const md = experimentMarkdown(r);
  if (outDir) {
    writeNew(files[0], JSON.stringify(r, null, 1) + '\n', force);
    writeNew(files[1], md, force);
    writeNew(files[2], experimentSvg(r), force);
    console.error(`wrote ${files.join(', ')}`);
  }
  if (flag(p, 'json')) console.log(JSON.stringify(r));
  else process.stdout.write(md);
  return 0;
}

const learn = async (argv: string[]) => (await import('./hmm-learned.js')).learn(argv);
const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = { random, sample, predictors, recover, learn, counterexample, experiment };

export const command: Command = {
  summary: 'hidden Markov models: sample, predictors, recover (O, T) by CP, pairwise counterexample, experiment',
  usage: USAGE,
  helpFor: (argv) => (argv[0] === undefined ? undefined : subcommandUsage(USAGE, 'testbeds hmm', argv[0])),
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === undefined) {
      console.error(USAGE);
      return 2;
    }
    const f = SUBCOMMANDS[sub];
    if (!f) throw new CliError(`unknown subcommand "${sub}" (one of: ${Object.keys(SUBCOMMANDS).join(', ')})`);
    return f(rest);
  },
};
