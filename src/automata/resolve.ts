/**
 * `--automaton NAME|FILE`: a zoo name first (`dihedral:4`), else a path to an automaton JSON file
 * (shared/spec/formats.md). Node only: the file system is imported on demand, so this module can
 * sit in the browser bundle without pulling Node built-ins in (calling it there throws).
 */
import type { Automaton } from './types.js';
import { AutomatonError, validateAutomaton } from './validate.js';
import { isZooName, zoo } from './zoo.js';

/** The zoo automaton `nameOrPath`, or the automaton in the JSON file at that path. */
export async function resolveAutomaton(nameOrPath: string): Promise<Automaton> {
  if (typeof nameOrPath !== 'string' || nameOrPath === '') throw new AutomatonError(`automaton: expected a zoo name or a file path, got ${JSON.stringify(nameOrPath)}`);
  if (isZooName(nameOrPath)) return zoo(nameOrPath);
  const text = await readText(nameOrPath);
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, '')); // a byte-order mark is not JSON
  } catch (e) {
    throw new AutomatonError(`${nameOrPath}: not valid JSON (${(e as Error).message})`);
  }
  return validateAutomaton(raw, nameOrPath);
}

async function readText(path: string): Promise<string> {
  let fs: typeof import('node:fs/promises');
  try {
    fs = await import('node:fs/promises');
  } catch {
    throw new AutomatonError(`automaton "${path}": not a zoo name, and files cannot be read here (no file system); build it with zoo() or validateAutomaton()`);
  }
  try {
    return await fs.readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new AutomatonError(`automaton "${path}": neither a zoo name (see \`testbeds zoo\`) nor an existing file`);
    }
    throw new AutomatonError(`automaton file "${path}": cannot read it (${code ?? (e as Error).message})`);
  }
}
