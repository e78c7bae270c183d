/**
 * Command-line parsing shared by every command: node:util parseArgs with strict checking, and
 * errors that name the option and the value. A CliError is printed as one line and exit code 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/**
 * node:util parseArgs reads `--seed -1` as a missing value followed by an option; a negative
 * number after a string option is its value, so join it as `--seed=-1` first.
 */
function joinNegativeValues(argv: string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    const short = /^-([A-Za-z])$/.exec(a)?.[1];
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : Object.keys(options).find((k) => options[k].short === short);
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/**
 * How a command's options combine, declared once beside the options so the parser (not each
 * command) refuses what would otherwise be silently ignored.
 */
export interface OptionRules {
  /** Groups of options of which at most one may be given (e.g. [['quick', 'full']]). */
  exclusive?: readonly (readonly string[])[];
  /** option → the options of which at least one must be given with it, and why. */
  requires?: Readonly<Record<string, { anyOf: readonly string[]; why: string }>>;
}

export function parse(argv: string[], options: OptionSpec, allowPositionals = true, rules: OptionRules = {}): Parsed {
  let parsed: Parsed;
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeValues(argv, options), options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
    parsed = { values: values as Parsed['values'], positionals };
  } catch (e) {
    // One line: node's messages run over several ("… ambiguous.\nDid you forget …?\nTo specify …").
    const msg = (e as Error).message.replace(/[.\s]*To specify.*$/s, '').replace(/\s*\n\s*/g, ' ');
    // An unknown option lists the ones this command takes, so a misplaced option is obvious.
    const known = (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? ` (this command takes ${Object.keys(options).map((o) => `--${o}`).join(', ')})` : '';
    throw new CliError(msg + known);
  }
  // An empty value ("--seed ''", "--depths=") is a mistake, never "use 0" or "use the default".
  for (const [name, v] of Object.entries(parsed.values)) {
    for (const x of Array.isArray(v) ? v : [v]) {
      if (typeof x === 'string' && x.trim() === '') throw new CliError(`--${name}: empty value ${JSON.stringify(x)}; give a value or leave the option out`);
    }
  }
  const given = (name: string) => parsed.values[name] !== undefined && parsed.values[name] !== false;
  for (const group of rules.exclusive ?? []) {
    const both = group.filter(given);
    if (both.length > 1) throw new CliError(`${both.map((o) => `--${o}`).join(' and ')} cannot be given together (at most one of ${group.map((o) => `--${o}`).join(', ')})`);
  }
  for (const [name, { anyOf, why }] of Object.entries(rules.requires ?? {})) {
    if (given(name) && !anyOf.some(given)) throw new CliError(`--${name} needs ${anyOf.map((o) => `--${o}`).join(' or ')} (${why})`);
  }
  return parsed;
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

/**
 * The integer a text spells (10000, 1e7, 10_000), or NaN. Number() reads "", " " and "0x" forms
 * loosely ("" is 0): only decimal literals are numbers here.
 */
export function parseInteger(text: string): number {
  const t = text.trim().replace(/_/g, '');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return NaN;
  const x = Number(t);
  return Number.isInteger(x) ? x : NaN;
}

/** The real number a decimal literal spells (0.5, -1e-3, Infinity is not one), or NaN. */
export function parseReal(text: string): number {
  const t = text.trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) ? Number(t) : NaN;
}

/** An integer option in [min, max]; `--name` and its value are named in the error. */
export function int(p: Parsed, name: string, dflt: number | undefined, min = -Infinity, max = Infinity): number | undefined {
  const v = str(p, name);
  if (v === undefined) return dflt;
  const x = parseInteger(v);
  if (!Number.isInteger(x) || x < min || x > max) {
    throw new CliError(`--${name}: expected an integer in [${min}, ${max}], got "${v}"`);
  }
  return x;
}

/** A real-number option in [min, max]. */
export function num(p: Parsed, name: string, dflt: number | undefined, min = -Infinity, max = Infinity): number | undefined {
  const v = str(p, name);
  if (v === undefined) return dflt;
  const x = parseReal(v);
  if (!Number.isFinite(x) || x < min || x > max) throw new CliError(`--${name}: expected a number in [${min}, ${max}], got "${v}"`);
  return x;
}

/**
 * A comma-separated list option (`--depths 1,2,4`), each item read by `item` (which throws a
 * CliError naming it); an empty item ("1,,2", "1,") is an error, not a default.
 */
export function list<T>(p: Parsed, name: string, item: (text: string, index: number) => T): T[] | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  return v.split(',').map((x, i) => {
    if (x.trim() === '') throw new CliError(`--${name}: item ${i + 1} of "${v}" is empty`);
    return item(x.trim(), i);
  });
}

/** A comma-separated list of integers in [min, max] (`--depths 1,2,4`, `--sizes 1e3,1e4`). */
export function intList(p: Parsed, name: string, min = -Infinity, max = Infinity): number[] | undefined {
  return list(p, name, (x) => {
    const n = parseInteger(x);
    if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`--${name}: expected integers in [${min}, ${max}], got "${x}" in "${str(p, name)}"`);
    return n;
  });
}

/** An option restricted to a set of words. */
export function oneOf<T extends string>(p: Parsed, name: string, choices: readonly T[], dflt: T): T {
  const v = str(p, name);
  if (v === undefined) return dflt;
  if (!(choices as readonly string[]).includes(v)) throw new CliError(`--${name}: expected one of ${choices.join('|')}, got "${v}"`);
  return v as T;
}
