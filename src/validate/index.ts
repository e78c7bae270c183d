/**
 * Argument checks for every exported function: a bad argument is an ArgumentError whose message
 * names the function, the argument and its value (`hungarian: cost[1] has length 2, expected 3`),
 * never a TypeError from deep inside, a wasm trap or a plausible-looking result. The style is the
 * automaton validator's (src/automata/validate.ts). Checks return the value with its type narrowed.
 */

export class ArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgumentError';
  }
}

/** A short, bounded rendering of a bad value for error messages. */
export function show(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = JSON.stringify(v);
  else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === null || v === undefined) s = String(v);
  else if (typeof v === 'function') s = `function ${v.name || '(anonymous)'}`;
  else if (ArrayBuffer.isView(v)) s = `${v.constructor.name}(${(v as unknown as ArrayLike<number>).length ?? v.byteLength})`;
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = Object.prototype.toString.call(v);
    }
  }
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

export function fail(where: string, message: string): never {
  throw new ArgumentError(`${where}: ${message}`);
}

/** An integer in [min, max]. */
export function checkInteger(where: string, name: string, v: unknown, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(where, `${name} = ${show(v)} is not an integer in [${min}, ${max}]`);
  }
  return v as number;
}

/** A finite number in [min, max]. */
export function checkNumber(where: string, name: string, v: unknown, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    fail(where, `${name} = ${show(v)} is not a finite number in [${min}, ${max}]`);
  }
  return v as number;
}

export function checkString(where: string, name: string, v: unknown): string {
  if (typeof v !== 'string') fail(where, `${name} must be a string, got ${show(v)}`);
  return v as string;
}

export function checkBoolean(where: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') fail(where, `${name} must be true or false, got ${show(v)}`);
  return v as boolean;
}

export function checkFunction<F extends (...a: never[]) => unknown>(where: string, name: string, v: unknown): F {
  if (typeof v !== 'function') fail(where, `${name} must be a function, got ${show(v)}`);
  return v as F;
}

export function checkOneOf<T extends string>(where: string, name: string, v: unknown, choices: readonly T[]): T {
  if (!(choices as readonly unknown[]).includes(v)) fail(where, `${name} = ${show(v)} is not one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`);
  return v as T;
}

/** A plain object (not null, not an array). */
export function checkObject(where: string, name: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, `${name} must be an object, got ${show(v)}`);
  return v as Record<string, unknown>;
}

/** An options bag: undefined (all defaults) or an object. */
export function checkOptions(where: string, v: unknown, name = 'options'): Record<string, unknown> {
  return v === undefined ? {} : checkObject(where, name, v);
}

/** An array, optionally of a given length or at least a given length. */
export function checkArray(where: string, name: string, v: unknown, length?: { exactly?: number; min?: number; max?: number }): unknown[] {
  if (!Array.isArray(v)) fail(where, `${name} must be an array, got ${show(v)}`);
  const a = v as unknown[];
  if (length?.exactly !== undefined && a.length !== length.exactly) fail(where, `${name} has length ${a.length}, expected ${length.exactly}`);
  if (length?.min !== undefined && a.length < length.min) fail(where, `${name} has length ${a.length}, expected at least ${length.min}`);
  if (length?.max !== undefined && a.length > length.max) fail(where, `${name} has length ${a.length}, expected at most ${length.max}`);
  return a;
}

export interface NumberArrayRule {
  length?: number;
  minLength?: number;
  min?: number;
  max?: number;
  integer?: boolean;
}

/** An array or typed array of finite numbers (integers with `integer`) in [min, max]. */
export function checkNumbers(where: string, name: string, v: unknown, rule: NumberArrayRule = {}): ArrayLike<number> {
  const typed = ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);
  if (!Array.isArray(v) && !typed) fail(where, `${name} must be an array of numbers, got ${show(v)}`);
  const a = v as ArrayLike<unknown>;
  if (rule.length !== undefined && a.length !== rule.length) fail(where, `${name} has length ${a.length}, expected ${rule.length}`);
  if (rule.minLength !== undefined && a.length < rule.minLength) fail(where, `${name} has length ${a.length}, expected at least ${rule.minLength}`);
  const min = rule.min ?? -Infinity, max = rule.max ?? Infinity;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (typeof x !== 'number' || !Number.isFinite(x) || (rule.integer && !Number.isInteger(x)) || x < min || x > max) {
      fail(where, `${name}[${i}] = ${show(x)} is not ${rule.integer ? 'an integer' : 'a finite number'}${min > -Infinity || max < Infinity ? ` in [${min}, ${max}]` : ''}`);
    }
  }
  return a as ArrayLike<number>;
}

export interface MatrixRule {
  rows?: number;
  cols?: number;
  square?: boolean;
  min?: number;
  max?: number;
  /** Each row sums to 1 within this tolerance (entries must then be in [0, 1]). */
  stochastic?: number;
}

/**
 * A dense matrix given as an array of equal-length rows of finite numbers, at least 1×1.
 * `stochastic`: every row is a probability vector (entries ≥ 0, sum 1 within the tolerance).
 */
export function checkMatrix(where: string, name: string, v: unknown, rule: MatrixRule = {}): number[][] {
  if (!Array.isArray(v)) fail(where, `${name} must be a matrix (an array of rows), got ${show(v)}`);
  const m = v as unknown[];
  if (m.length === 0) fail(where, `${name} has no rows`);
  if (rule.rows !== undefined && m.length !== rule.rows) fail(where, `${name} has ${m.length} rows, expected ${rule.rows}`);
  if (!Array.isArray(m[0])) fail(where, `${name}[0] must be an array of numbers, got ${show(m[0])}`);
  const cols = (m[0] as unknown[]).length;
  if (cols === 0) fail(where, `${name}[0] is empty`);
  if (rule.cols !== undefined && cols !== rule.cols) fail(where, `${name} has ${cols} columns, expected ${rule.cols}`);
  if (rule.square && cols !== m.length) fail(where, `${name} is ${m.length}×${cols}, expected a square matrix`);
  const lo = rule.stochastic !== undefined ? Math.max(0, rule.min ?? 0) : rule.min ?? -Infinity;
  const hi = rule.stochastic !== undefined ? Math.min(1 + rule.stochastic, rule.max ?? Infinity) : rule.max ?? Infinity;
  for (let i = 0; i < m.length; i++) {
    const row = m[i];
    if (!Array.isArray(row)) fail(where, `${name}[${i}] must be an array of numbers, got ${show(row)}`);
    const r = row as unknown[];
    if (r.length !== cols) fail(where, `${name}[${i}] has length ${r.length}, expected ${cols} (the length of ${name}[0]; rows must be equally long)`);
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const x = r[j];
      if (typeof x !== 'number' || !Number.isFinite(x)) fail(where, `${name}[${i}][${j}] = ${show(x)} is not a finite number`);
      if ((x as number) < lo || (x as number) > hi) fail(where, `${name}[${i}][${j}] = ${x} is out of range [${lo}, ${hi}]`);
      sum += x as number;
    }
    if (rule.stochastic !== undefined && Math.abs(sum - 1) > rule.stochastic) {
      fail(where, `${name}[${i}] sums to ${Number(sum.toPrecision(12))}, expected 1 (a probability row, within ${rule.stochastic})`);
    }
  }
  return m as number[][];
}

/** A permutation of 0..n−1 as an array (n = its length unless given). */
export function checkPermutation(where: string, name: string, v: unknown, n?: number): number[] {
  const a = checkNumbers(where, name, v, { integer: true, min: 0, ...(n !== undefined ? { length: n } : {}) });
  const seen = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] >= a.length) fail(where, `${name}[${i}] = ${a[i]} is out of range for a permutation of 0..${a.length - 1}`);
    if (seen[a[i]]) fail(where, `${name} repeats ${a[i]}: not a permutation`);
    seen[a[i]] = 1;
  }
  return Array.from(a);
}

/** An instance of `ctor` (e.g. a StabChain); `made` says how to get one. */
export function checkInstance<T>(where: string, name: string, v: unknown, ctor: abstract new (...a: never[]) => T, made: string): T {
  if (!(v instanceof ctor)) fail(where, `${name} must be a ${ctor.name} (${made}), got ${show(v)}`);
  return v as T;
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps), for "did you mean". */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * Refuses keys of an options bag that the function does not read: a misspelled option
 * (`{ maxIters: 10 }` for `maxIter`) would otherwise be ignored silently and the run would use the
 * default. Names the nearest known key when it is a plausible typo.
 */
export function checkKeys(where: string, o: Record<string, unknown>, known: readonly string[], name = 'options'): void {
  for (const k of Object.keys(o)) {
    if (known.includes(k)) continue;
    let best = '';
    let bestD = Infinity;
    for (const c of known) {
      const dist = editDistance(k.toLowerCase(), c.toLowerCase());
      if (dist < bestD) [best, bestD] = [c, dist];
    }
    const hint = bestD <= Math.max(2, Math.floor(k.length / 4)) ? ` (did you mean ${JSON.stringify(best)}?)` : '';
    fail(where, `${name} has no option ${JSON.stringify(k)}${hint}; it takes ${known.map((c) => JSON.stringify(c)).join(', ')}`);
  }
}

/**
 * The keys of an options interface, for checkKeys, written so that the compiler keeps the list
 * and the interface in step: a key missing from the list or not in the interface is a type error.
 */
export function optionKeys<T>(keys: { [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(keys);
}
