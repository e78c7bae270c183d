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

export function parse(argv: string[], options: OptionSpec, allowPositionals = true): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeValues(argv, options), options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (e) {
    throw new CliError((e as Error).message.replace(/\. To specify.*$/s, ''));
  }
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

/** An integer option in [min, max]; `--name` and its value are named in the error. */
export function int(p: Parsed, name: string, dflt: number | undefined, min = -Infinity, max = Infinity): number | undefined {
  const v = str(p, name);
  if (v === undefined) return dflt;
  const x = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(x) || x < min || x > max) {
    throw new CliError(`--${name}: expected an integer in [${min}, ${max}], got "${v}"`);
  }
  return x;
}

/** A real-number option in [min, max]. */
export function num(p: Parsed, name: string, dflt: number | undefined, min = -Infinity, max = Infinity): number | undefined {
  const v = str(p, name);
  if (v === undefined) return dflt;
  const x = Number(v);
  if (!Number.isFinite(x) || x < min || x > max) throw new CliError(`--${name}: expected a number in [${min}, ${max}], got "${v}"`);
  return x;
}

/** An option restricted to a set of words. */
export function oneOf<T extends string>(p: Parsed, name: string, choices: readonly T[], dflt: T): T {
  const v = str(p, name);
  if (v === undefined) return dflt;
  if (!(choices as readonly string[]).includes(v)) throw new CliError(`--${name}: expected one of ${choices.join('|')}, got "${v}"`);
  return v as T;
}
