/**
 * Checkpoints: one self-describing binary file holding the run configuration, the step, the
 * weights and the AdamW moments.
 *
 *   bytes 0..7     magic "TBCKPT1\n"
 *   bytes 8..11    header length H (uint32 LE)
 *   bytes 12..     header: UTF-8 JSON (CheckpointHeader), space-padded so the data is 4-aligned
 *   then           float32 LE data: weights (header.weights values) then optimizer m and v
 *
 * The header carries an FNV-1a checksum of the data, so truncation or bit rot is a clear error.
 * Files are written atomically (write `name.tmp`, fsync, rename), so a kill during a save leaves
 * the previous checkpoint intact.
 */

export const CHECKPOINT_FILE = 'checkpoint.tbck';
const MAGIC = 'TBCKPT1\n';

export interface CheckpointHeader {
  format: 'testbeds-checkpoint';
  version: 1;
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
  /** FNV-1a 32-bit over the data bytes, hex. */
  checksum: string;
  /** The Rng state: every random draw is a pure function of (seed, stream, step). */
  rng: { seed: number; step: number };
  /** Free-form metrics at save time (last eval). */
  metrics?: Record<string, number>;
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

function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function encodeCheckpoint(h: Omit<CheckpointHeader, 'checksum' | 'weights' | 'optimizer' | 'format' | 'version'>, weights: Float32Array, optimizer: Float32Array): Uint8Array {
  if (typeof h !== 'object' || h === null) throw new CheckpointError(`encodeCheckpoint: h must be the header object, got ${h === null ? 'null' : typeof h}`);
  if (!(weights instanceof Float32Array) || !(optimizer instanceof Float32Array)) throw new CheckpointError('encodeCheckpoint: weights and optimizer must be Float32Arrays');
  const data = new Uint8Array(4 * (weights.length + optimizer.length));
  const f = new Float32Array(data.buffer);
  f.set(weights, 0);
  f.set(optimizer, weights.length);
  const header: CheckpointHeader = { format: 'testbeds-checkpoint', version: 1, ...h, weights: weights.length, optimizer: optimizer.length, checksum: fnv1a(data) };
  let json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (4 - ((12 + json.length) % 4)) % 4;
  if (pad) json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(pad));
  const out = new Uint8Array(12 + json.length + data.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(data, 12 + json.length);
  return out;
}

export function decodeCheckpoint(bytes: Uint8Array, where = 'checkpoint'): Checkpoint {
  if (!(bytes instanceof Uint8Array)) throw new CheckpointError(`decodeCheckpoint: bytes must be a Uint8Array (the file's contents), got ${bytes === null ? 'null' : typeof bytes}`);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new CheckpointError(`${where} is not a testbeds checkpoint (bad magic)`);
  }
  const hl = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + hl > bytes.length) throw new CheckpointError(`${where} is truncated (header of ${hl} bytes, file of ${bytes.length})`);
  let header: CheckpointHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hl)));
  } catch {
    throw new CheckpointError(`${where} has a corrupt header`);
  }
  if (typeof header !== 'object' || header === null) throw new CheckpointError(`${where} has a corrupt header (not a JSON object)`);
  if (header.format !== 'testbeds-checkpoint' || header.version !== 1) throw new CheckpointError(`${where}: unsupported format ${header.format} v${header.version}`);
  const data = bytes.slice(12 + hl);
  const expected = 4 * (header.weights + header.optimizer);
  if (data.length !== expected) throw new CheckpointError(`${where} is truncated or corrupt: ${data.length} data bytes, header says ${expected}`);
  const sum = fnv1a(data);
  if (sum !== header.checksum) throw new CheckpointError(`${where} is corrupt: checksum ${sum}, header says ${header.checksum}`);
  const f = new Float32Array(data.buffer);
  return { header, weights: f.slice(0, header.weights), optimizer: f.slice(header.weights) };
}

/** Writes DIR/checkpoint.tbck atomically (Node). */
export async function writeCheckpointFile(dir: string, bytes: Uint8Array): Promise<string> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, CHECKPOINT_FILE);
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  return file;
}

/** Reads a checkpoint from a directory (its checkpoint.tbck) or a file path (Node). */
export async function readCheckpointFile(pathOrDir: string): Promise<Checkpoint> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  let file = pathOrDir;
  if (!fs.existsSync(file)) throw new CheckpointError(`no checkpoint at ${pathOrDir}`);
  if (fs.statSync(file).isDirectory()) file = path.join(file, CHECKPOINT_FILE);
  if (!fs.existsSync(file)) throw new CheckpointError(`no ${CHECKPOINT_FILE} in ${pathOrDir}`);
  return decodeCheckpoint(new Uint8Array(fs.readFileSync(file)), file);
}
