/**
 * Letter and state sequence files (shared/spec/formats.md, "Letter sequences"), chosen by the
 * extension: `.txt` whitespace-separated integers; `.u16` uint16 little-endian; anything else raw
 * bytes, one per position. Errors name the path, the position and the value. Writing never
 * replaces an existing file unless `{ force: true }` (the CLI's `--force`).
 * Node only: the file system is imported on demand (see resolve.ts).
 */
import { AutomatonError } from './validate.js';
import { checkInteger, checkString, fail } from '../validate/index.js';

export class SequenceFileError extends AutomatonError {
  constructor(message: string) {
    super(message);
    this.name = 'SequenceFileError';
  }
}

export type SequenceFormat = 'txt' | 'u16' | 'u8';

/** The format a path's extension selects. */
export function sequenceFormat(path: string): SequenceFormat {
  checkString('sequenceFormat', 'path', path);
  const lower = path.toLowerCase();
  if (lower.endsWith('.txt')) return 'txt';
  if (lower.endsWith('.u16')) return 'u16';
  return 'u8';
}

async function fsp(path: string): Promise<typeof import('node:fs/promises')> {
  try {
    return await import('node:fs/promises');
  } catch {
    throw new SequenceFileError(`${path}: sequence files need a file system (Node)`);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Parses whitespace-separated non-negative integers ≤ `max`; positions are 0-based letter indices. */
export function parseLetterText(bytes: Uint8Array, max: number, path = 'text'): Uint16Array {
  if (!(bytes instanceof Uint8Array)) fail('parseLetterText', `bytes must be a Uint8Array (the file's bytes), got ${bytes === null ? 'null' : typeof bytes}`);
  checkInteger('parseLetterText', 'max', max, 0, 65535);
  checkString('parseLetterText', 'path', path);
  const out = new Uint16Array((bytes.length >>> 1) + 1); // at most ⌈len/2⌉ tokens
  let count = 0;
  let line = 1;
  // A UTF-8 byte-order mark (Windows editors write one) is not a letter.
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const len = bytes.length;
  while (i < len) {
    const c = bytes[i];
    if (c === 32 || c === 9 || c === 13 || c === 10 || c === 12 || c === 11) {
      if (c === 10) line++;
      i++;
      continue;
    }
    const startTok = i;
    let v = 0;
    let digits = true;
    while (i < len) {
      const d = bytes[i];
      if (d === 32 || d === 9 || d === 13 || d === 10 || d === 12 || d === 11) break;
      if (d >= 48 && d <= 57) v = v * 10 + (d - 48);
      else digits = false;
      i++;
    }
    if (!digits || v > max) {
      const tok = new TextDecoder().decode(bytes.subarray(startTok, Math.min(i, startTok + 40)));
      const why = digits ? `is out of range: letters are 0..${max}` : 'is not a non-negative integer';
      throw new SequenceFileError(`${path}: letter ${count} (line ${line}) = "${tok}" ${why}`);
    }
    out[count++] = v;
  }
  return out.subarray(0, count);
}

/**
 * Reads a letter sequence. With `alphabetSize` every letter must be < alphabetSize and the
 * result is uint8 for |Σ| ≤ 256, uint16 above; without it, uint8 when every letter is < 256.
 */
export async function readLetters(path: string, alphabetSize?: number): Promise<Uint8Array | Uint16Array> {
  if (alphabetSize !== undefined && !(Number.isInteger(alphabetSize) && alphabetSize >= 1 && alphabetSize <= 65536)) {
    throw new SequenceFileError(`readLetters: alphabetSize = ${alphabetSize} must be an integer in [1, 65536]`);
  }
  const fs = await fsp(path);
  let buf: Uint8Array;
  try {
    buf = await fs.readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SequenceFileError(`${path}: cannot read the letter file (${code === 'ENOENT' ? 'no such file' : code ?? (e as Error).message})`);
  }
  const format = sequenceFormat(path);
  const max = (alphabetSize ?? 65536) - 1;
  let letters: Uint8Array | Uint16Array;
  if (format === 'txt') letters = parseLetterText(buf, max, path);
  else if (format === 'u16') {
    if (buf.length % 2 !== 0) throw new SequenceFileError(`${path}: ${buf.length} bytes is not a whole number of uint16 letters (odd length)`);
    const n = buf.length / 2;
    const u16 = new Uint16Array(n);
    if (LITTLE_ENDIAN) new Uint8Array(u16.buffer).set(buf);
    else for (let t = 0; t < n; t++) u16[t] = buf[2 * t] | (buf[2 * t + 1] << 8);
    letters = u16;
  } else {
    letters = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  // Range check (txt is checked while parsing).
  if (format !== 'txt' && alphabetSize !== undefined && max < (format === 'u16' ? 65535 : 255)) {
    for (let t = 0; t < letters.length; t++) {
      if (letters[t] > max) throw new SequenceFileError(`${path}: letter ${t} = ${letters[t]} is out of range: letters are 0..${max} (|Σ| = ${alphabetSize})`);
    }
  }
  // Narrow to the width the caller will use.
  const wantU8 = alphabetSize !== undefined ? alphabetSize <= 256 : letters instanceof Uint8Array || letters.every((x) => x < 256);
  if (wantU8 && !(letters instanceof Uint8Array)) return Uint8Array.from(letters);
  if (!wantU8 && letters instanceof Uint8Array) return Uint16Array.from(letters);
  return letters;
}

export interface WriteOptions {
  /** Replace an existing file (default false: an existing file is an error). */
  force?: boolean;
}

/**
 * Writes a sequence (of states, or letters) to `path` in the format its extension selects.
 * Values must be integers that fit: < 256 for raw bytes, < 65,536 for `.u16`.
 */
export async function writeStates(path: string, states: ArrayLike<number>, options: WriteOptions = {}): Promise<void> {
  const format = sequenceFormat(path);
  const T = states.length;
  const limit = format === 'u8' ? 255 : format === 'u16' ? 65535 : Number.MAX_SAFE_INTEGER;
  const checkAll = !(states instanceof Uint8Array) && !(format !== 'u8' && states instanceof Uint16Array);
  if (checkAll) {
    for (let t = 0; t < T; t++) {
      const v = states[t];
      if (!Number.isInteger(v) || v < 0 || v > limit) {
        const hint = format === 'u8' && Number.isInteger(v) && v > 255 ? ' (does not fit in one byte: write a .u16 or .txt file)' : '';
        throw new SequenceFileError(`${path}: value ${t} = ${v} cannot be written as ${format === 'txt' ? 'a non-negative integer' : format}${hint}`);
      }
    }
  }
  const io = await nodeIo(path);
  function* chunks(): Generator<Uint8Array> {
    const CHUNK = 1 << 20;
    for (let t0 = 0; t0 < T; t0 += CHUNK) {
      const t1 = Math.min(T, t0 + CHUNK);
      if (format === 'txt') {
        const parts = new Array<string>(t1 - t0);
        for (let t = t0; t < t1; t++) parts[t - t0] = String(states[t]);
        yield new TextEncoder().encode(parts.join('\n') + '\n');
      } else if (format === 'u16') {
        const u16 = new Uint16Array(t1 - t0);
        for (let t = t0; t < t1; t++) u16[t - t0] = states[t];
        const bytes = new Uint8Array(u16.buffer);
        if (!LITTLE_ENDIAN) for (let i = 0; i < bytes.length; i += 2) [bytes[i], bytes[i + 1]] = [bytes[i + 1], bytes[i]];
        yield bytes;
      } else if (states instanceof Uint8Array) {
        yield states.subarray(t0, t1);
      } else {
        const bytes = new Uint8Array(t1 - t0);
        for (let t = t0; t < t1; t++) bytes[t - t0] = states[t];
        yield bytes;
      }
    }
  }
  // Atomic (src/io): a full disk or a kill mid-write never leaves a partial file, and with
  // force the old file stays until the new one is complete.
  try {
    io.writeFileAtomic(path, chunks(), { force: options.force, hint: 'not overwriting it (use --force / { force: true })' });
  } catch (e) {
    const m = (e as Error).message.replace(`${path} exists; `, `${path}: file exists; `);
    throw new SequenceFileError(m);
  }
}

/** src/io (Node only), by a computed specifier so browser bundles do not hoist its node:fs imports. */
async function nodeIo(path: string): Promise<typeof import('../io/atomic.js')> {
  const specifier = '../io/atomic.js';
  try {
    return await import(/* @vite-ignore */ specifier);
  } catch {
    throw new SequenceFileError(`${path}: sequence files need a file system (Node)`);
  }
}

/** Writes a letter sequence (same formats as writeStates). */
export const writeLetters = writeStates;
