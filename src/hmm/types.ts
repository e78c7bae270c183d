/**
 * The hidden Markov model type, its JSON file format (../shared/spec/formats.md) and validation.
 *
 * k hidden states, d observations. h_1 ~ initial, h_{t+1} | h_t ~ transition[h_t], and
 * x_t | h_t ~ emission[h_t]: rows are hidden states in both matrices (row-stochastic).
 * `initial` is optional in the file and defaults to the stationary distribution of `transition`.
 */
import { matpow, solve, vecmat, type Mat } from './linalg.js';
import { checkBoolean, checkInteger, checkMatrix, checkNumbers, checkObject, checkOptions, checkString, fail, show } from '../validate/index.js';

/** What a user writes (the HMM file). */
export interface HMMSpec {
  initial?: readonly number[];
  transition: readonly (readonly number[])[];
  emission: readonly (readonly number[])[];
}

/** A validated HMM: shapes consistent, rows on the simplex, `initial` resolved. */
export interface HMM {
  readonly k: number;
  readonly d: number;
  /** P(h_1); the stationary distribution of `transition` when the file gave none. */
  readonly initial: number[];
  /** k×k, transition[i][j] = P(h_{t+1} = j | h_t = i). */
  readonly transition: Mat;
  /** k×d, emission[i][x] = P(x_t = x | h_t = i). */
  readonly emission: Mat;
  /** True when `initial` was not given (and so is the stationary distribution). */
  readonly initialIsStationary: boolean;
}

/** Row sums must be 1 within this tolerance. */
export const HMM_ROW_SUM_TOLERANCE = 1e-9;

/**
 * Size limits of an HMM, the same for files, `random:K,D`, randomHmm and `hmm random`, checked
 * before anything is allocated: k ≤ 1024 hidden states (the stationary distribution is an O(k³)
 * solve: about a second at k = 1024 in plain TypeScript), d ≤ 65,536 observations (what .u16
 * sequence files hold), and k·(k + d) ≤ 2^24 parameters (16.8 M doubles as nested arrays: about
 * 150 MB, where `random:100000,100000` asked for 10^10).
 */
export const HMM_LIMITS = { states: 1024, observations: 65536, parameters: 2 ** 24 } as const;

/** Throws an HMMError naming `where` when k, d exceed HMM_LIMITS. */
export function checkHmmSize(k: number, d: number, where = 'HMM'): void {
  const L = HMM_LIMITS;
  if (k > L.states) throw new HMMError(`${where}: k = ${k} hidden states is above the limit ${L.states}`);
  if (d > L.observations) throw new HMMError(`${where}: d = ${d} observations is above the limit ${L.observations}`);
  if (k * (k + d) > L.parameters) throw new HMMError(`${where}: k·(k + d) = ${k * (k + d)} parameters (k = ${k}, d = ${d}) is above the limit 2^24 = ${L.parameters} (about 150 MB)`);
}

export class HMMError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HMMError';
  }
}

function checkVector(name: string, v: unknown, length: number | undefined): number[] {
  if (!Array.isArray(v)) throw new HMMError(`${name} must be an array of numbers, got ${JSON.stringify(v)?.slice(0, 40)}`);
  if (length !== undefined && v.length !== length) throw new HMMError(`${name} has length ${v.length}, expected ${length}`);
  if (v.length === 0) throw new HMMError(`${name} is empty`);
  v.forEach((x, i) => {
    if (typeof x !== 'number') throw new HMMError(`${name}[${i}] must be a number, got ${JSON.stringify(x)}`);
    if (Number.isNaN(x)) throw new HMMError(`${name}[${i}] is NaN`);
    if (!Number.isFinite(x)) throw new HMMError(`${name}[${i}] is ${x}, expected a finite probability`);
    if (x < 0) throw new HMMError(`${name}[${i}] = ${x} is negative (probabilities must be ≥ 0)`);
  });
  const s = v.reduce((a: number, b: number) => a + b, 0);
  if (Math.abs(s - 1) > HMM_ROW_SUM_TOLERANCE) throw new HMMError(`${name} sums to ${Number(s.toPrecision(12))}, expected 1 (within ${HMM_ROW_SUM_TOLERANCE})`);
  return [...v] as number[];
}

function checkStochastic(name: string, m: unknown, rows: number | undefined, cols: number | undefined): Mat {
  if (!Array.isArray(m) || m.length === 0) throw new HMMError(`${name} must be a non-empty array of rows, got ${JSON.stringify(m)?.slice(0, 40)}`);
  if (rows !== undefined && m.length !== rows) throw new HMMError(`${name} has ${m.length} rows, expected ${rows} (one per hidden state)`);
  const width = cols ?? (Array.isArray(m[0]) ? m[0].length : undefined);
  return m.map((row, i) => checkVector(`${name}[${i}]`, row, width));
}

/**
 * Validates a spec and resolves `initial`. Errors name the matrix, the row and the value
 * (`transition[1] sums to 0.9, expected 1`). `forRecovery` also requires d ≥ k.
 */
export function createHmm(spec: HMMSpec, options: { forRecovery?: boolean } = {}): HMM {
  checkOptions('createHmm', options);
  if (spec === null || typeof spec !== 'object') throw new HMMError(`an HMM must be an object with "transition" and "emission", got ${JSON.stringify(spec)}`);
  if (spec.transition === undefined) throw new HMMError('HMM is missing "transition" (k×k)');
  if (spec.emission === undefined) throw new HMMError('HMM is missing "emission" (k×d)');
  // Sizes first: a huge file is refused before its rows are validated or solved.
  if (Array.isArray(spec.transition) && Array.isArray(spec.emission)) checkHmmSize(spec.transition.length, Array.isArray(spec.emission[0]) ? spec.emission[0].length : 0);
  const transition = checkStochastic('transition', spec.transition, undefined, undefined);
  const k = transition.length;
  if (transition[0].length !== k) throw new HMMError(`transition is ${k}×${transition[0].length}, expected square (k×k)`);
  if (!Array.isArray(spec.emission)) throw new HMMError(`emission must be an array of rows, got ${JSON.stringify(spec.emission)?.slice(0, 40)}`);
  if (spec.emission.length !== k) throw new HMMError(`emission has ${spec.emission.length} rows but transition has ${k}: both need one row per hidden state`);
  const emission = checkStochastic('emission', spec.emission, k, undefined);
  const d = emission[0].length;
  if (options.forRecovery && d < k) throw new HMMError(`recovery needs d ≥ k, but emission is ${k}×${d} (k = ${k} hidden states, d = ${d} observations)`);
  let initial: number[];
  const initialIsStationary = spec.initial === undefined;
  if (spec.initial !== undefined) initial = checkVector('initial', spec.initial, k);
  else initial = stationaryDistribution(transition);
  return { k, d, initial, transition, emission, initialIsStationary };
}

/** Parses and validates HMM JSON text; `source` (a file name) prefixes JSON syntax errors. */
export function parseHmm(text: string, source = 'HMM', options: { forRecovery?: boolean } = {}): HMM {
  checkString('parseHmm', 'text', text);
  checkString('parseHmm', 'source', source);
  let obj: unknown;
  try {
    obj = JSON.parse(text.replace(/^\uFEFF/, '')); // a byte-order mark is not JSON
  } catch (e) {
    throw new HMMError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  try {
    return createHmm(obj as HMMSpec, options);
  } catch (e) {
    if (e instanceof HMMError) throw new HMMError(`${source}: ${e.message}`);
    throw e;
  }
}

/** The file form; `initial` is written only when it was given (or `withInitial`). */
export function hmmToJSON(hmm: HMM, withInitial = !hmm?.initialIsStationary): HMMSpec {
  checkHmm('hmmToJSON', hmm);
  checkBoolean('hmmToJSON', 'withInitial', withInitial);
  return withInitial
    ? { initial: hmm.initial, transition: hmm.transition, emission: hmm.emission }
    : { transition: hmm.transition, emission: hmm.emission };
}

/**
 * The stationary distribution π = π T, Σπ = 1, by solving (Tᵀ − I) π = 0 with one equation
 * replaced by Σπ = 1. A reducible chain has several; then this throws and asks for `initial`.
 */
export function stationaryDistribution(transition: Mat): number[] {
  checkMatrix('stationaryDistribution', 'transition', transition, { square: true, stochastic: HMM_ROW_SUM_TOLERANCE });
  const k = transition.length;
  const a: Mat = [];
  for (let i = 0; i < k; i++) a.push(transition.map((row, j) => row[i] - (i === j ? 1 : 0)));
  a[k - 1] = new Array<number>(k).fill(1);
  const b = new Array<number>(k).fill(0);
  b[k - 1] = 1;
  const pi = solve(a, b, 1e-10);
  if (!pi) throw new HMMError('transition has no unique stationary distribution (the chain is reducible); give "initial" explicitly');
  const clipped = pi.map((x) => (x < 0 && x > -1e-12 ? 0 : x));
  if (clipped.some((x) => x < 0)) throw new HMMError(`stationary distribution of transition came out negative (${clipped.join(', ')}); give "initial" explicitly`);
  const s = clipped.reduce((x, y) => x + y, 0);
  return clipped.map((x) => x / s);
}

/** P(h_t) for t ≥ 1 (1-based positions): initial · T^(t−1), by repeated squaring (any t). */
export function hiddenMarginal(hmm: HMM, t: number): number[] {
  checkHmm('hiddenMarginal', hmm);
  checkInteger('hiddenMarginal', 't', t, 1, Number.MAX_SAFE_INTEGER);
  return vecmat(hmm.initial, matpow(hmm.transition, t - 1));
}

/**
 * Checks an HMM handed to an exported function (it may be hand-built rather than made by
 * createHmm): k and d agree with the matrices, and transition, emission and initial are
 * probability rows. O(k² + kd), small beside any work done with the HMM.
 */
export function checkHmm(where: string, hmm: unknown, name = 'hmm'): HMM {
  const o = checkObject(where, name, hmm);
  const transition = checkMatrix(where, `${name}.transition`, o.transition, { square: true, stochastic: HMM_ROW_SUM_TOLERANCE });
  const k = transition.length;
  const emission = checkMatrix(where, `${name}.emission`, o.emission, { rows: k, stochastic: HMM_ROW_SUM_TOLERANCE });
  const initial = checkNumbers(where, `${name}.initial`, o.initial, { length: k, min: 0, max: 1 });
  let s = 0;
  for (let i = 0; i < k; i++) s += initial[i];
  if (Math.abs(s - 1) > HMM_ROW_SUM_TOLERANCE) fail(where, `${name}.initial sums to ${Number(s.toPrecision(12))}, expected 1`);
  if (o.k !== k) fail(where, `${name}.k = ${show(o.k)} but transition is ${k}×${k}`);
  if (o.d !== emission[0].length) fail(where, `${name}.d = ${show(o.d)} but emission is ${k}×${emission[0].length}`);
  return hmm as HMM;
}
