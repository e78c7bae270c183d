/**
 * Checks and packs inputs for the kernels: δ as k rows of `stride` states (u8 when |Q| <= 256,
 * padded with the identity to 16 when |Q| <= 16 so that a map is one v128), start state, letters.
 * Every error names the field and the value; nothing invalid reaches wasm.
 */
import type { Automaton } from '../automata/types.js';
import type { Letters, States } from './types.js';

export const MAX_STATES = 65536;
export const MAX_LETTERS = 65536;

export interface PackedDelta {
  readonly n: number;
  readonly k: number;
  /** Row length in elements (16 on the SIMD path). */
  readonly stride: number;
  /** Bytes per state: 1 or 2. */
  readonly ssize: 1 | 2;
  /** k*stride states. */
  readonly table: Uint8Array | Uint16Array;
  /** Unpadded k*n table for the TypeScript reference. */
  readonly flat: Uint8Array | Uint16Array;
}

/** Word tables of the blocked scan kernels (|Q| <= 16, |Σ| <= 16): see assembly/simulate. */
export interface BlockTables {
  /** Letters per word: 4 when |Σ| <= 4, else 2. */
  readonly b: number;
  /** Multiplier that turns b letter bytes into the word index Σ_j σ_j |Σ|^j (in byte b-1). */
  readonly mul: number;
  /** maps[w*16 + q]: the map of word w. */
  readonly maps: Uint8Array;
  /** states[w*16 + q]: the b states visited from q, packed little-endian in a u32. */
  readonly states: Uint32Array;
}

const blockCache = new WeakMap<PackedDelta, BlockTables>();

export function blockTables(P: PackedDelta): BlockTables | null {
  if (P.stride !== 16 || P.ssize !== 1 || P.k > 16) return null;
  let bt = blockCache.get(P);
  if (bt) return bt;
  const k = P.k;
  const b = k <= 4 ? 4 : 2;
  const W = k ** b;
  let mul = 0;
  for (let j = 0; j < b; j++) mul += k ** j * 2 ** (8 * (b - 1 - j));
  const maps = new Uint8Array(W * 16);
  const states = new Uint32Array(W * 16);
  const t = P.table as Uint8Array;
  for (let w = 0; w < W; w++) {
    for (let q0 = 0; q0 < 16; q0++) {
      let q = q0;
      let packed = 0;
      for (let j = 0, x = w; j < b; j++, x = Math.floor(x / k)) {
        q = t[(x % k) * 16 + q]!;
        packed += q * 2 ** (8 * j);
      }
      maps[w * 16 + q0] = q;
      states[w * 16 + q0] = packed;
    }
  }
  bt = { b, mul: mul >>> 0, maps, states };
  blockCache.set(P, bt);
  return bt;
}

const cache = new WeakMap<object, PackedDelta>();

function label(a: Automaton): string {
  return a && typeof a.name === 'string' ? `automaton "${a.name}"` : 'automaton';
}

/** Validates δ (rectangular, integer entries in [0, n)) and packs it; cached per delta array. */
export function packDelta(a: Automaton): PackedDelta {
  if (!a || typeof a !== 'object') throw new TypeError(`automaton must be an object, got ${String(a)}`);
  const delta = a.delta;
  if (!Array.isArray(delta)) throw new TypeError(`${label(a)}: delta must be an array of rows, got ${typeof delta}`);
  const hit = cache.get(delta);
  // The cache is keyed by the array, but users edit δ in place between calls (random search over
  // automata, ablations): a hit counts only if the contents are still what was packed, or every
  // method — the reference included — would silently simulate the old automaton.
  if (hit && samePacking(delta, hit)) return hit;
  const k = delta.length;
  if (k === 0) throw new RangeError(`${label(a)}: delta has no rows (the alphabet is empty)`);
  if (k > MAX_LETTERS) throw new RangeError(`${label(a)}: delta has ${k} rows, at most ${MAX_LETTERS} letters are supported`);
  const row0 = delta[0];
  if (!Array.isArray(row0) && !ArrayBuffer.isView(row0)) throw new TypeError(`${label(a)}: delta[0] must be an array`);
  const n = (row0 as ArrayLike<number>).length;
  if (n === 0) throw new RangeError(`${label(a)}: delta[0] is empty (|Q| = 0)`);
  if (n > MAX_STATES) throw new RangeError(`${label(a)}: |Q| = ${n}, at most ${MAX_STATES} states are supported`);
  const ssize: 1 | 2 = n <= 256 ? 1 : 2;
  const stride = n <= 16 ? 16 : n;
  const table = ssize === 1 ? new Uint8Array(k * stride) : new Uint16Array(k * stride);
  const flat = ssize === 1 ? new Uint8Array(k * n) : new Uint16Array(k * n);
  for (let s = 0; s < k; s++) {
    const row = delta[s] as ArrayLike<number>;
    if (!row || typeof row.length !== 'number') throw new TypeError(`${label(a)}: delta[${s}] must be an array`);
    if (row.length !== n) throw new RangeError(`${label(a)}: delta[${s}] has length ${row.length}, expected ${n}`);
    for (let q = 0; q < n; q++) {
      const v = row[q];
      if (!Number.isInteger(v) || v < 0 || v >= n) {
        throw new RangeError(`${label(a)}: delta[${s}][${q}] = ${String(v)} is not a state in [0, ${n - 1}]`);
      }
      table[s * stride + q] = v;
      flat[s * n + q] = v;
    }
    for (let q = n; q < stride; q++) table[s * stride + q] = q; // identity padding
  }
  const packed: PackedDelta = { n, k, stride, ssize, table, flat };
  cache.set(delta, packed);
  return packed;
}

/** True when `delta` still holds exactly the table `P` was packed from (O(k·n), no allocation). */
function samePacking(delta: readonly unknown[], P: PackedDelta): boolean {
  if (delta.length !== P.k) return false;
  const { n, flat } = P;
  for (let s = 0; s < P.k; s++) {
    const row = delta[s] as ArrayLike<number> | undefined;
    if (!row || row.length !== n) return false;
    const off = s * n;
    for (let q = 0; q < n; q++) if (row[q] !== flat[off + q]) return false;
  }
  return true;
}

/** The start state: the option if given, else the automaton's (default 0), checked against |Q|. */
export function checkStart(a: Automaton, n: number, start: number | undefined): number {
  const q = start ?? a.start ?? 0;
  if (!Number.isInteger(q) || q < 0 || q >= n) {
    throw new RangeError(`start = ${String(q)} is not a state of ${label(a)} (|Q| = ${n}, states 0..${n - 1})`);
  }
  return q;
}

export function checkLettersType(letters: unknown): asserts letters is Letters {
  if (!(letters instanceof Uint8Array) && !(letters instanceof Uint16Array)) {
    const what = letters === null ? 'null' : typeof letters === 'object' ? (letters as object).constructor?.name : typeof letters;
    throw new TypeError(`letters must be a Uint8Array or Uint16Array, got ${what}`);
  }
}

/** Scans letters in TypeScript (used where no kernel pass is at hand); names the first bad one. */
export function checkLettersTs(letters: Letters, k: number, name: string): void {
  for (let t = 0; t < letters.length; t++) {
    if (letters[t]! >= k) throw letterError(t, letters[t]!, k, name);
  }
}

export function letterError(t: number, v: number, k: number, name: string): RangeError {
  return new RangeError(`letters[${t}] = ${v} is outside the alphabet of automaton "${name}" (|Σ| = ${k}, letters 0..${k - 1})`);
}

/** A states array of the right type and length T (the given `out`, checked, or a new one). */
export function statesArray(n: number, T: number, out: States | undefined): States {
  const wide = n > 256;
  if (out === undefined) return wide ? new Uint16Array(T) : new Uint8Array(T);
  if (wide ? !(out instanceof Uint16Array) : !(out instanceof Uint8Array)) {
    throw new TypeError(`out must be a ${wide ? 'Uint16Array' : 'Uint8Array'} for |Q| = ${n}, got ${out?.constructor?.name}`);
  }
  if (out.length !== T) throw new RangeError(`out has length ${out.length}, expected T = ${T}`);
  return out;
}

export function widthKey(ssize: 1 | 2, lsize: number): 'u8u8' | 'u8u16' | 'u16u8' | 'u16u16' {
  return `${ssize === 1 ? 'u8' : 'u16'}${lsize === 1 ? 'u8' : 'u16'}` as 'u8u8';
}

export function bytesOf(x: ArrayBufferView): Uint8Array {
  return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}

export function log2ceil(T: number): number {
  let r = 0;
  while (2 ** r < T) r++;
  return r;
}

/** Everything a single-sequence simulation checks and allocates before it runs: δ packed, the
 *  letters' type, the start state and the output array (the letters' values are checked by the
 *  pass that reads them). */
export function prepareRun(automaton: Automaton, letters: Letters, options: { start?: number; out?: States }): { P: PackedDelta; start: number; T: number; states: States } {
  const P = packDelta(automaton);
  checkLettersType(letters); // JavaScript callers can pass anything
  const start = checkStart(automaton, P.n, options.start);
  return { P, start, T: letters.length, states: statesArray(P.n, letters.length, options.out) };
}
