/**
 * Checkpoints: one self-describing binary file holding the run configuration, the step, the
 * weights and the AdamW moments.
 *
 *   bytes 0..7     magic "TBCKPT2\n"
 *   bytes 8..11    header length H (uint32 LE)
 *   bytes 12..     header: UTF-8 JSON (CheckpointHeader), space-padded so the data is 4-aligned;
 *                  its last field is "checksum":"xxxxxxxx"
 *   then           float32 LE data: weights (header.weights values) then optimizer m and v
 *
 * The checksum is FNV-1a over the whole file with its own 8 hex digits read as "00000000": the
 * header (step, lr, seed, Adam t, steps, ...) is covered as well as the data, so a one-bit edit
 * anywhere, truncation or bit rot is a clear error, never a silently different run. (Version 1
 * covered only the data; such files are refused, since their header cannot be verified.)
 * Files are written atomically (src/io: temporary file, fsync, rename), so a kill during a save
 * leaves the previous checkpoint intact.
 */

export const CHECKPOINT_FILE = 'checkpoint.tbck';
const MAGIC = 'TBCKPT2\n';
const MAGIC_V1 = 'TBCKPT1\n';

export interface CheckpointHeader {
  format: 'testbeds-checkpoint';
  version: 2;
  /** The run configuration (RunConfig of train.ts), enough to rebuild model, optimizer and data. */
  run: unknown;
  /** Completed training steps. */
  step: number;
  /** AdamW's update count t. */
  adamT: number;
  /** Parameter names and shapes in serialisation order. */
  shapes: Record<string, number[]>;
  weights: number;
  optimizer: number;
  /** The Rng state: every random draw is a pure function of (seed, stream, step). */
  rng: { seed: number; step: number };
  /** Free-form metrics at save time (last eval). */
  metrics?: Record<string, number>;
  /** FNV-1a 32-bit, hex, over the whole file with these 8 digits as "00000000" (the last field). */
  checksum: string;
}

export interface Checkpoint {
  header: CheckpointHeader;
  weights: Float32Array;
  optimizer: Float32Array;
}

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** FNV-1a 32-bit of `bytes`, continuing from `h`. Every step is a bijection of h, so any one changed byte changes the sum. */
function fnv1a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

const hex8 = (h: number) => h.toString(16).padStart(8, '0');
const CHECKSUM_TAIL = /"checksum":"([0-9a-f]{8})"\}\s*$/;

/** The checksum of a file (header bytes with the checksum digits zeroed, then the data). */
function fileChecksum(header: Uint8Array, digitsAt: number, data: Uint8Array): string {
  const zeroed = header.slice();
  zeroed.fill(48, digitsAt, digitsAt + 8); // '0'
  return hex8(fnv1a(data, fnv1a(zeroed)));
}

export function encodeCheckpoint(h: Omit<CheckpointHeader, 'checksum' | 'weights' | 'optimizer' | 'format' | 'version'>, weights: Float32Array, optimizer: Float32Array): Uint8Array {
  if (typeof h !== 'object' || h === null) throw new CheckpointError(`encodeCheckpoint: h must be the header object, got ${h === null ? 'null' : typeof h}`);
  if (!(weights instanceof Float32Array) || !(optimizer instanceof Float32Array)) throw new CheckpointError('encodeCheckpoint: weights and optimizer must be Float32Arrays');
  const data = new Uint8Array(4 * (weights.length + optimizer.length));
  const f = new Float32Array(data.buffer);
  f.set(weights, 0);
  f.set(optimizer, weights.length);
  const { checksum: _, ...rest } = h as Partial<CheckpointHeader>;
  // checksum last, so its digits sit at a known place at the end of the JSON.
  const header: CheckpointHeader = { format: 'testbeds-checkpoint', version: 2, ...rest, weights: weights.length, optimizer: optimizer.length, checksum: '00000000' } as CheckpointHeader;
  const text = JSON.stringify(header);
  const pad = (4 - ((12 + new TextEncoder().encode(text).length) % 4)) % 4;
  const json = new TextEncoder().encode(text + ' '.repeat(pad));
  const digitsAt = 12 + json.length - pad - 10; // …"checksum":"xxxxxxxx"}
  const out = new Uint8Array(12 + json.length + data.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(data, 12 + json.length);
  const sum = fileChecksum(out.subarray(0, 12 + json.length), digitsAt, data);
  out.set(new TextEncoder().encode(sum), digitsAt);
  return out;
}

export function decodeCheckpoint(bytes: Uint8Array, where = 'checkpoint'): Checkpoint {
  if (!(bytes instanceof Uint8Array)) throw new CheckpointError(`decodeCheckpoint: bytes must be a Uint8Array (the file's contents), got ${bytes === null ? 'null' : typeof bytes}`);
  const magic = bytes.length >= 8 ? new TextDecoder().decode(bytes.subarray(0, 8)) : '';
  if (magic === MAGIC_V1) {
    throw new CheckpointError(`${where} is a version-1 checkpoint, whose checksum does not cover its header (step, lr, seed, ...), so it cannot be verified; retrain with this version (or read it with the testbeds that wrote it)`);
  }
  if (bytes.length < 12 || magic !== MAGIC) throw new CheckpointError(`${where} is not a testbeds checkpoint (bad magic)`);
  const hl = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + hl > bytes.length) throw new CheckpointError(`${where} is truncated (header of ${hl} bytes, file of ${bytes.length})`);
  const text = new TextDecoder().decode(bytes.subarray(12, 12 + hl));
  const tail = CHECKSUM_TAIL.exec(text);
  // Checked before parsing: a flipped bit may still leave valid JSON with another step or lr.
  if (!tail || !/^[\x20-\x7e]*$/.test(text.slice(tail.index))) throw new CheckpointError(`${where} has a corrupt header (no checksum at its end)`);
  // Counted from the end (the tail is ASCII), so a corrupt multi-byte character before it cannot shift it.
  const digitsAt = 12 + hl - (text.length - tail.index) + '"checksum":"'.length;
  const data = bytes.subarray(12 + hl);
  const sum = fileChecksum(bytes.subarray(0, 12 + hl), digitsAt, data);
  let header: CheckpointHeader | undefined;
  try {
    header = JSON.parse(text);
  } catch {
    header = undefined;
  }
  // A JSON header that is not an object ("null", "3") is as corrupt as one that does not parse.
  if (typeof header !== 'object' || header === null) header = undefined;
  const expected = header ? 4 * (header.weights + header.optimizer) : NaN;
  if (sum !== tail[1]) {
    if (header && data.length < expected) throw new CheckpointError(`${where} is truncated: ${data.length} data bytes, header says ${expected}`);
    throw new CheckpointError(`${where} is corrupt (its header or data changed since it was written): checksum ${sum}, the file says ${tail[1]}`);
  }
  if (!header) throw new CheckpointError(`${where} has a corrupt header`);
  if (header.format !== 'testbeds-checkpoint' || header.version !== 2) throw new CheckpointError(`${where}: unsupported format ${header.format} v${header.version}`);
  if (data.length !== expected) throw new CheckpointError(`${where} is truncated or corrupt: ${data.length} data bytes, header says ${expected}`);
  const f = new Float32Array(data.slice().buffer);
  return { header, weights: f.slice(0, header.weights), optimizer: f.slice(header.weights) };
}

/**
 * src/io (Node only), imported by a computed specifier: browser bundlers (esbuild, Vite) would
 * otherwise hoist its node:fs imports to the top of the bundle, which then fails to load.
 */
export function nodeIo(): Promise<typeof import('../io/index.js')> {
  const specifier = '../io/index.js';
  return import(/* @vite-ignore */ specifier);
}

/** Writes DIR/checkpoint.tbck atomically, replacing the previous one only once complete (Node). */
export async function writeCheckpointFile(dir: string, bytes: Uint8Array): Promise<string> {
  const { makeDir, writeFileAtomic } = await nodeIo();
  const path = await import('node:path');
  makeDir(dir);
  return writeFileAtomic(path.join(dir, CHECKPOINT_FILE), bytes, { force: true });
}

/** Reads a checkpoint from a directory (its checkpoint.tbck) or a file path (Node). */
export async function readCheckpointFile(pathOrDir: string): Promise<Checkpoint> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  let file = pathOrDir;
  if (!fs.existsSync(file)) throw new CheckpointError(`no checkpoint at ${pathOrDir}`);
  if (fs.statSync(file).isDirectory()) file = path.join(file, CHECKPOINT_FILE);
  if (!fs.existsSync(file)) throw new CheckpointError(`no ${CHECKPOINT_FILE} in ${pathOrDir}`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    throw new CheckpointError(`${file}: cannot read the checkpoint (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return decodeCheckpoint(bytes, file);
}
