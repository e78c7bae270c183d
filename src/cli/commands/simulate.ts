/**
 * `testbeds simulate`: run an automaton over a letter sequence (a file, or seeded random letters)
 * by one method, and report the final state, the depth (sequential rounds) and the time of the
 * simulation alone (not parsing, sampling or writing).
 */
import { CliError, flag, int, oneOf, parse, parseInteger, str } from '../args.js';
import type { Command } from '../command.js';
import { numLetters, numStates, readLetters, resolveAutomaton, sampleLetters, writeStates } from '../../automata/index.js';
import type { Automaton } from '../../automata/index.js';
import { METHODS, simulateAsync, simulateBatch, stopWorkers, startWorkers, type Letters, type Method } from '../../simulate/index.js';

const usage = `usage: testbeds simulate --automaton NAME|FILE (--input FILE | --random T [--seed S])
                         [--method M] [--batch B] [--threads N] [--start Q] [--out FILE] [--json]

Simulates q_t = δ(q_{t-1}, σ_t) for t = 1..T and prints the final state q_T, the depth (number
of sequential rounds the method took) and the seconds the simulation took.

options:
  --automaton NAME|FILE  a zoo name (dihedral:4, parity, cyclic:5, ...; see \`testbeds zoo\`) or an
                         automaton JSON file
  --input FILE           letters: .txt (whitespace-separated integers), .u16 (uint16 little-endian),
                         anything else raw bytes (one letter per byte)
  --random T             T seeded random letters (the zoo's default sampling); 1e7 and 10_000 work
  --seed S               seed for --random (default 0)
  --method M             ${METHODS.join(' | ')} (default scan)
                           reference      the plain TypeScript loop                depth T
                           sequential     the same loop in WebAssembly             depth T
                           hillis-steele  prefix scan over the maps δ(·,σ)         depth ⌈log2 T⌉
                           brent-kung     work-efficient prefix scan               depth ≈ 2⌈log2 T⌉
                           scan           chunked three-phase scan (production)    depth 2·len + chunks ≈ 2√(2T)
  --batch B              B independent sequences of length T at once; with --input the file holds
                         T·B letters step-major (letter t of sequence b at t·B + b). With --method scan
                         or sequential: the batched SIMD loop (16 sequences per vector), depth T — the
                         parallelism is across sequences, not time; hillis-steele and brent-kung scan
                         each sequence (depth per sequence); reference loops over each sequence
  --threads N            worker threads for --method scan (default 1)
  --start Q              start state (default the automaton's)
  --out FILE             write the states (format by extension, like --input); --force to overwrite
  --json                 print {automaton, length, method, depth, final, seconds, ...} as one JSON object`;

export const command: Command = {
  summary: 'simulate an automaton by the O(T) loop or an O(log T)-depth prefix scan',
  usage,
  async run(argv) {
    const p = parse(argv, {
      automaton: { type: 'string' }, input: { type: 'string' }, random: { type: 'string' }, seed: { type: 'string' },
      method: { type: 'string' }, batch: { type: 'string' }, threads: { type: 'string' }, start: { type: 'string' },
      out: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' }, chunks: { type: 'string' },
    }, false);
    const name = str(p, 'automaton');
    if (name === undefined) throw new CliError('--automaton NAME|FILE is required (a zoo name such as dihedral:4, or an automaton file)');
    const input = str(p, 'input');
    const randomText = str(p, 'random');
    if ((input === undefined) === (randomText === undefined)) throw new CliError('give exactly one of --input FILE and --random T');
    const method = oneOf<Method>(p, 'method', METHODS, 'scan');
    const B = int(p, 'batch', 1, 1, 1 << 20)!;
    const threads = int(p, 'threads', 1, 1, 64)!;
    const seed = int(p, 'seed', 0, 0, Number.MAX_SAFE_INTEGER)!;
    const chunks = int(p, 'chunks', undefined, 1, 2 ** 31 - 1);
    const json = flag(p, 'json');
    const out = str(p, 'out');
    if (threads > 1 && method !== 'scan') throw new CliError(`--threads ${threads} applies to --method scan only (got --method ${method})`);
    if (threads > 1 && B > 1) throw new CliError('--threads applies to a single sequence (--batch 1); a batch is already parallel across sequences');
    if (input !== undefined && str(p, 'seed') !== undefined) throw new CliError('--seed applies to --random only');

    const automaton = await wrap(() => resolveAutomaton(name));
    const n = numStates(automaton);
    const start = int(p, 'start', automaton.start ?? 0, 0, n - 1)!;
    const log = (s: string) => process.stderr.write(`${s}\n`);

    let letters: Letters;
    let T: number;
    if (randomText !== undefined) {
      T = parseLength(randomText);
      if (T * B > MAX_LETTERS) throw new CliError(`--random ${randomText} with --batch ${B}: T·B = ${T * B} letters is above the maximum ${MAX_LETTERS} (2^32 − 1, the longest typed array)`);
      if (T * B >= 1e7) log(`sampling ${T * B} letters (seed ${seed})…`);
      letters = await wrap(async () => sampleLetters(automaton, T * B, { seed }));
    } else {
      letters = await wrap(() => readLetters(input!, numLetters(automaton)));
      if (letters.length % B !== 0) throw new CliError(`--input ${input}: ${letters.length} letters is not a multiple of --batch ${B}`);
      T = letters.length / B;
    }
    if (threads > 1) {
      // Letters in shared memory, so worker threads read them without a copy (input preparation, untimed).
      const shared = new (letters.constructor as { new (b: SharedArrayBuffer): Letters })(new SharedArrayBuffer(letters.byteLength));
      shared.set(letters);
      letters = shared;
      await startWorkers(threads - 1); // the calling thread takes one share
    }
    if (T * B >= 1e7) log(`simulating ${name}: ${B > 1 ? `${B} × ` : ''}T = ${T}, method ${method}${threads > 1 ? `, ${threads} threads` : ''}…`);

    let result: { states: ArrayLike<number>; final: number; finals?: number[]; depth: number; threads?: number; chunks?: unknown };
    const t0 = performance.now();
    try {
      if (B > 1) {
        const r = simulateBatch(automaton, letters, B, { method, start });
        result = { states: r.states, final: r.finals[0]!, finals: r.finals, depth: r.depth };
      } else {
        result = await simulateAsync(automaton, letters, { method, start, threads, ...(chunks ? { chunks } : {}) });
      }
    } catch (e) {
      throw new CliError((e as Error).message);
    } finally {
      if (threads > 1) await stopWorkers();
    }
    const seconds = (performance.now() - t0) / 1000;

    if (out !== undefined) await wrap(() => writeStates(out, result.states, { force: flag(p, 'force') }));
    const steps = T * B;
    const report = {
      automaton: automaton.name,
      length: T,
      method,
      depth: result.depth,
      final: result.final,
      seconds,
      ...(B > 1 ? { batch: B, finals: result.finals } : {}),
      ...(threads > 1 ? { threads: result.threads } : {}),
      ...(result.chunks ? { chunks: result.chunks } : {}),
      statesPerSecond: seconds > 0 ? steps / seconds : null,
      maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      start,
      ...(input !== undefined ? { input } : { seed }),
      ...(out !== undefined ? { out } : {}),
    };
    if (json) {
      console.log(JSON.stringify(report));
    } else {
      const st = (q: number) => (automaton.states?.[q] !== undefined ? `${q} (${automaton.states[q]})` : String(q));
      console.log(`${automaton.name}: |Q| = ${n}, |Σ| = ${numLetters(automaton)}; ${B > 1 ? `${B} sequences of ` : ''}T = ${T} letters (${input ?? `random, seed ${seed}`})`);
      console.log(`method ${method}${threads > 1 ? ` on ${threads} threads` : ''}: final state q_T = ${st(result.final)}${B > 1 ? ' (sequence 0)' : ''}`);
      console.log(`depth ${result.depth} sequential rounds${T > 0 ? ` (T = ${T}, log2 T = ${Math.log2(T).toFixed(1)})` : ''}`);
      console.log(`${(seconds * 1000).toFixed(2)} ms, ${steps / seconds >= 1e9 ? `${(steps / seconds / 1e9).toFixed(2)} G` : `${(steps / seconds / 1e6).toFixed(1)} M`} states/s`);
      if (out !== undefined) console.log(`states written to ${out}`);
    }
    return 0;
  },
};

/** Letters in one run: a typed array holds at most 2^32 − 1 elements. */
const MAX_LETTERS = 2 ** 32 - 1;

/** A length like 10000000, 1e7 or 10_000_000. */
function parseLength(text: string): number {
  const x = parseInteger(text);
  if (!Number.isInteger(x) || x < 0) throw new CliError(`--random: expected a length T >= 0 (e.g. 10000000 or 1e7), got "${text}"`);
  if (x > MAX_LETTERS) throw new CliError(`--random ${text}: T = ${x} is above the maximum ${MAX_LETTERS} letters (2^32 − 1, the longest typed array)`);
  return x;
}

/** Library errors (bad automaton file, unreadable input, …) become one CLI line and exit 2. */
async function wrap<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError((e as Error).message);
  }
}

export type { Automaton };
