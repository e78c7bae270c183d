/**
 * Safe outputs (Node): a file is written whole or not at all, and never replaces an existing
 * file unless asked to.
 *
 * writeFileAtomic writes `.NAME.PID.RANDOM.tmp` in the target's own directory (so the final step
 * is a rename within one file system), fsyncs it, then
 *   - without `force`: link(tmp, path), which fails with EEXIST when `path` exists, so two
 *     writers racing for one name cannot both win (falls back to exists-check + rename where
 *     hard links are not supported);
 *   - with `force`: rename(tmp, path), which replaces the old file in one step.
 * The old file stays intact until the new one is complete: a full disk (ENOSPC), an I/O error
 * or a SIGKILL mid-write leaves at most a stray `.tmp` file, never a truncated `path`.
 *
 * Errors are OutputErrors: one line naming the file and what went wrong (fsError).
 */
import fs from 'node:fs';
import { basename, dirname, join } from 'node:path';

export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error of the device',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'it exists',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a component of the path is not a directory',
  ENOENT: 'no such file or directory',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  EFBIG: 'the file is too large for the file system',
};

/** One line for a file-system error: `PATH: cannot VERB (reason, CODE)`. */
export function fsError(path: string, e: unknown, verb = 'write'): OutputError {
  if (e instanceof OutputError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  const reason = code ? `${REASONS[code] ?? (e as Error).message.split('\n')[0]}, ${code}` : String((e as Error)?.message ?? e);
  return new OutputError(`${path}: cannot ${verb} (${reason})`);
}

export interface AtomicWriteOptions {
  /** Replace an existing file (default false: an existing file is an error). */
  force?: boolean;
  /** Said in the "exists" error, e.g. "pass --force to replace it". */
  hint?: string;
}

export type FileData = string | Uint8Array | Iterable<Uint8Array>;

/**
 * Refuses early what writeFileAtomic would refuse late: an existing file without `force`, a
 * directory in the way, or a missing parent directory. For long computations, call it before
 * the work so a bad path fails in a second.
 */
export function checkWritable(path: string, options: AtomicWriteOptions = {}): void {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError(path, e, 'write');
  }
  if (st?.isDirectory()) throw new OutputError(`${path}: cannot write (it is a directory)`);
  if (st && !options.force) throw new OutputError(`${path} exists; ${options.hint ?? 'pass --force to replace it'}`);
  const dir = dirname(path);
  let ds: fs.Stats;
  try {
    ds = fs.statSync(dir);
  } catch (e) {
    throw fsError(path, e, `write (directory "${dir}")`);
  }
  if (!ds.isDirectory()) throw new OutputError(`${path}: cannot write ("${dir}" is not a directory)`);
}

function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length; ) off += fs.writeSync(fd, bytes, off, bytes.length - off);
}

/** Writes `data` to `path` atomically (see the file comment). Returns `path`. */
export function writeFileAtomic(path: string, data: FileData, options: AtomicWriteOptions = {}): string {
  checkWritable(path, options);
  const tmp = tempName(path);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    if (typeof data === 'string') writeAll(fd, Buffer.from(data, 'utf8'));
    else if (data instanceof Uint8Array) writeAll(fd, data);
    else for (const chunk of data) writeAll(fd, chunk);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    if (options.force) fs.renameSync(tmp, path);
    else publishNew(tmp, path, options);
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* not created, or already renamed */
    }
    if (e instanceof OutputError) throw e;
    throw fsError(path, e);
  }
  syncDir(dirname(path));
  return path;
}

/** link(2) refuses an existing name, so exactly one of two racing writers creates `path`. */
function publishNew(tmp: string, path: string, options: AtomicWriteOptions): void {
  try {
    fs.linkSync(tmp, path);
    fs.unlinkSync(tmp);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new OutputError(`${path} exists; ${options.hint ?? 'pass --force to replace it'}`);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw e;
    // No hard links here (some FUSE / network file systems): check, then rename.
    if (fs.existsSync(path)) throw new OutputError(`${path} exists; ${options.hint ?? 'pass --force to replace it'}`);
    fs.renameSync(tmp, path);
  }
}

/** Makes the rename durable (best effort: not every platform can fsync a directory). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* Windows, some network file systems */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** mkdir -p with an error that names the directory. */
export function makeDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw fsError(dir, e, 'create the directory');
  }
}

/** Appends text to a file (a log), with an error that names the file. */
export function appendText(path: string, text: string): void {
  try {
    fs.appendFileSync(path, text);
  } catch (e) {
    throw fsError(path, e, 'append to');
  }
}

/**
 * Writes several files of one result set into `dir` (created), each atomically. All names are
 * checked before any is written, so a refusal (an existing file without `force`) leaves the
 * directory as it was. Call checkFilesWritable before long work to fail at once.
 */
export function writeFilesAtomic(dir: string, files: Record<string, FileData>, options: AtomicWriteOptions = {}): string[] {
  checkFilesWritable(dir, Object.keys(files), options);
  makeDir(dir);
  return Object.entries(files).map(([name, data]) => writeFileAtomic(join(dir, name), data, options));
}

/** Refuses at once what writeFilesAtomic would refuse: existing results (without `force`), a file where `dir` should be. */
export function checkFilesWritable(dir: string, names: string[], options: AtomicWriteOptions = {}): void {
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new OutputError(`${dir}: cannot write results into it (it is a file, not a directory)`);
  const existing = names.filter((n) => fs.existsSync(join(dir, n)));
  if (existing.length && !options.force) {
    throw new OutputError(`${dir} already holds ${existing.join(', ')}; ${options.hint ?? 'pass --force to replace them'}`);
  }
}
