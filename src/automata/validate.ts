/**
 * Validation of the automaton file format (shared/spec/formats.md): anything parsed from JSON
 * becomes an `Automaton` or an Error whose message names the source, the field and the value,
 * e.g. `car.json: delta[2] has length 3, expected 4`. Nothing malformed reaches a kernel.
 */
import type { Automaton } from './types.js';

/** Largest |Q| and |Σ| any method supports (uint16 states and letters). */
export const MAX_STATES = 65536;
export const MAX_LETTERS = 65536;

export class AutomatonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AutomatonError';
  }
}

/** A short, bounded rendering of a bad value for error messages (shared with every checker). */
export { show } from '../validate/index.js';
import { show } from '../validate/index.js';

function isIndex(v: unknown, bound: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < bound;
}

/**
 * Checks `raw` (e.g. `JSON.parse` of a file) against the automaton file format and returns a
 * fresh, frozen-shape Automaton. `source` (a file path or 'automaton') prefixes every message and
 * is the default `name`.
 */
export function validateAutomaton(raw: unknown, source = 'automaton'): Automaton {
  const fail = (msg: string): never => {
    throw new AutomatonError(`${source}: ${msg}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`expected a JSON object with a "delta" field, got ${show(raw)}`);
  const o = raw as Record<string, unknown>;

  const delta = o.delta;
  if (delta === undefined) fail('missing required field "delta" (one row per letter: delta[letter][state] = next state)');
  if (!Array.isArray(delta)) fail(`delta must be an array of rows, got ${show(delta)}`);
  const d = delta as unknown[];
  if (d.length === 0) fail('delta has no rows: the alphabet is empty (|Σ| = 0)');
  if (d.length > MAX_LETTERS) fail(`delta has ${d.length} rows: |Σ| = ${d.length} exceeds the limit of ${MAX_LETTERS}`);
  if (!Array.isArray(d[0])) fail(`delta[0] must be an array of states, got ${show(d[0])}`);
  const n = (d[0] as unknown[]).length;
  if (n === 0) fail('delta[0] is empty: |Q| = 0, an automaton needs at least one state');
  if (n > MAX_STATES) fail(`delta[0] has length ${n}: |Q| = ${n} exceeds the limit of ${MAX_STATES}`);
  const rows: number[][] = new Array(d.length);
  for (let a = 0; a < d.length; a++) {
    const row = d[a];
    if (!Array.isArray(row)) fail(`delta[${a}] must be an array of states, got ${show(row)}`);
    const r = row as unknown[];
    if (r.length !== n) fail(`delta[${a}] has length ${r.length}, expected ${n} (the length of delta[0])`);
    const out = new Array<number>(n);
    for (let q = 0; q < n; q++) {
      const v = r[q];
      if (typeof v !== 'number' || !Number.isInteger(v)) fail(`delta[${a}][${q}] = ${show(v)} is not an integer state`);
      if (!isIndex(v, n)) fail(`delta[${a}][${q}] = ${v} is out of range: states are 0..${n - 1}`);
      out[q] = v as number;
    }
    rows[a] = out;
  }

  let start = 0;
  if (o.start !== undefined) {
    if (typeof o.start !== 'number' || !Number.isInteger(o.start)) fail(`start = ${show(o.start)} is not an integer state`);
    if (!isIndex(o.start, n)) fail(`start = ${o.start} is out of range: states are 0..${n - 1}`);
    start = o.start as number;
  }

  let name = source;
  if (o.name !== undefined) {
    if (typeof o.name !== 'string') fail(`name must be a string, got ${show(o.name)}`);
    name = o.name as string;
  }

  const names = (field: 'states' | 'alphabet', len: number, what: string): string[] | undefined => {
    const v = o[field];
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) fail(`${field} must be an array of ${len} strings, got ${show(v)}`);
    const arr = v as unknown[];
    if (arr.length !== len) fail(`${field} has length ${arr.length}, expected ${len} (${what})`);
    arr.forEach((s, i) => {
      if (typeof s !== 'string') fail(`${field}[${i}] = ${show(s)} is not a string`);
    });
    return arr as string[];
  };
  const states = names('states', n, '|Q|, the length of each delta row');
  const alphabet = names('alphabet', rows.length, '|Σ|, the number of delta rows');

  const labelArray = (field: string, v: unknown): number[] => {
    if (!Array.isArray(v)) fail(`${field} must be an array of ${n} class ids, got ${show(v)}`);
    const arr = v as unknown[];
    if (arr.length !== n) fail(`${field} has length ${arr.length}, expected ${n} (|Q|, one class id per state)`);
    arr.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 0xffffffff) {
        fail(`${field}[${i}] = ${show(x)} is not a class id (an integer in [0, 2^32))`);
      }
    });
    return arr as number[];
  };
  const labels = o.labels === undefined ? undefined : labelArray('labels', o.labels);

  let labelings: Record<string, number[]> | undefined;
  if (o.labelings !== undefined) {
    if (typeof o.labelings !== 'object' || o.labelings === null || Array.isArray(o.labelings)) {
      fail(`labelings must be an object mapping a label name to ${n} class ids, got ${show(o.labelings)}`);
    }
    labelings = {};
    for (const [k, v] of Object.entries(o.labelings as Record<string, unknown>)) labelings[k] = labelArray(`labelings.${k}`, v);
  }

  const a: Automaton = { name, delta: rows, start };
  const out = a as { -readonly [K in keyof Automaton]: Automaton[K] };
  if (states) out.states = states;
  if (alphabet) out.alphabet = alphabet;
  if (labels) out.labels = labels;
  if (labelings) out.labelings = labelings;
  return a;
}

/** The file-format JSON object of an automaton (what `testbeds zoo NAME --json` prints). */
export function automatonToJson(a: Automaton): Record<string, unknown> {
  validateAutomaton(a, 'automatonToJson: a');
  const o: Record<string, unknown> = { name: a.name, delta: a.delta, start: a.start };
  if (a.states) o.states = a.states;
  if (a.alphabet) o.alphabet = a.alphabet;
  if (a.labels) o.labels = a.labels;
  if (a.labelings) o.labelings = a.labelings;
  return o;
}
