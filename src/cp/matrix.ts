/**
 * Small dense matrices for CP factors and the linear algebra around them: `Matrix` is row-major,
 * `data[i * cols + j]`. A CP factor for mode n is an I_n × R matrix (one column per component).
 */
import { Rng } from '../random/prng.js';
import { checkArray, checkInteger, checkNumbers, checkOneOf, fail, show } from '../validate/index.js';

export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** A rows × cols matrix (zeros, or wrapping `data` without copying after checking its length). */
export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`matrix: rows must be a positive integer, got ${show(rows)}`);
  if (!Number.isInteger(cols) || cols < 1) throw new RangeError(`matrix: cols must be a positive integer, got ${show(cols)}`);
  // 2^27 doubles = 1 GiB: a larger factor is a mistake, not a CP problem this library can run.
  if (rows * cols > MAX_MATRIX_ENTRIES) throw new RangeError(`matrix: ${rows}×${cols} = ${rows * cols} entries is above the limit of ${MAX_MATRIX_ENTRIES} (2^27, 1 GiB)`);
  if (data === undefined) return { rows, cols, data: new Float64Array(rows * cols) };
  checkNumbers('matrix', 'data', data);
  if (data.length !== rows * cols) throw new RangeError(`matrix: data has length ${data.length}, expected ${rows}*${cols} = ${rows * cols}`);
  return { rows, cols, data: data instanceof Float64Array ? data : Float64Array.from(data) };
}

/** A matrix from an array of rows (as in JSON), checking that the rows have equal lengths. */
export function matrixFromRows(rows: ArrayLike<ArrayLike<number>>, name = 'matrix'): Matrix {
  checkArray('matrixFromRows', 'rows', rows);
  Array.from(rows).forEach((r, i) => void checkNumbers('matrixFromRows', `rows[${i}]`, r));
  const m = rows.length;
  if (m === 0) throw new RangeError(`${name} has no rows`);
  const n = rows[0].length;
  const out = matrix(m, Math.max(n, 1));
  for (let i = 0; i < m; i++) {
    if (rows[i].length !== n) throw new RangeError(`${name}[${i}] has length ${rows[i].length}, expected ${n}`);
    for (let j = 0; j < n; j++) out.data[i * n + j] = rows[i][j];
  }
  checkFinite(out, name);
  return out;
}

/** The rows of a matrix as plain arrays (for JSON). */
export function matrixToRows(a: Matrix): number[][] {
  checkShape('matrixToRows', 'a', a);
  const out: number[][] = [];
  for (let i = 0; i < a.rows; i++) out.push(Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
  return out;
}

/** Throws naming the entry when a matrix holds NaN or ±Infinity, or when its shape is inconsistent. */
export function checkMatrix(a: Matrix, name: string): void {
  if (!a || !Number.isInteger(a.rows) || a.rows < 1 || !Number.isInteger(a.cols) || a.cols < 1) {
    throw new RangeError(`${name} must be a Matrix with positive integer rows and cols, got rows=${a?.rows} cols=${a?.cols}`);
  }
  if (!(a.data instanceof Float64Array)) throw new TypeError(`${name}.data must be a Float64Array`);
  if (a.data.length !== a.rows * a.cols) {
    throw new RangeError(`${name}.data has length ${a.data.length}, expected ${a.rows}*${a.cols} = ${a.rows * a.cols}`);
  }
  checkFinite(a, name);
}

function checkFinite(a: Matrix, name: string): void {
  const d = a.data;
  for (let p = 0; p < d.length; p++) {
    if (!Number.isFinite(d[p])) throw new RangeError(`${name}[${Math.floor(p / a.cols)}][${p % a.cols}] is ${d[p]}, expected a finite number`);
  }
}

export function cloneMatrix(a: Matrix): Matrix {
  return { rows: a.rows, cols: a.cols, data: a.data.slice() };
}

/** Entries i.i.d. uniform on [0, 1) (TensorLy's random init) or standard normal. */
export function randomMatrix(rows: number, cols: number, rng: Rng, dist: 'uniform' | 'normal' = 'uniform'): Matrix {
  if (!(rng instanceof Rng)) fail('randomMatrix', `rng must be an Rng (new Rng(seed)), got ${show(rng)}`);
  checkOneOf('randomMatrix', 'dist', dist, ['uniform', 'normal'] as const);
  const m = matrix(rows, cols);
  for (let p = 0; p < m.data.length; p++) m.data[p] = dist === 'uniform' ? rng.nextFloat() : rng.nextNormal();
  return m;
}

/** C = A B. */
export function matmul(a: Matrix, b: Matrix): Matrix {
  checkShape('matmul', 'a', a);
  checkShape('matmul', 'b', b);
  if (a.cols !== b.rows) throw new RangeError(`matmul: ${a.rows}x${a.cols} times ${b.rows}x${b.cols}`);
  const c = matrix(a.rows, b.cols);
  const n = b.cols;
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) c.data[i * n + j] += aik * b.data[k * n + j];
    }
  }
  return c;
}

export function transpose(a: Matrix): Matrix {
  checkShape('transpose', 'a', a);
  const t = matrix(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j];
  return t;
}

/** Euclidean norms of the columns. */
export function columnNorms(a: Matrix): Float64Array {
  checkShape('columnNorms', 'a', a);
  const out = new Float64Array(a.cols);
  for (let i = 0; i < a.rows; i++) for (let r = 0; r < a.cols; r++) out[r] += a.data[i * a.cols + r] ** 2;
  for (let r = 0; r < a.cols; r++) out[r] = Math.sqrt(out[r]);
  return out;
}

/** Column j of a as a new array. */
export function column(a: Matrix, j: number): Float64Array {
  checkShape('column', 'a', a);
  checkInteger('column', 'j', j, 0, a.cols - 1);
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) out[i] = a.data[i * a.cols + j];
  return out;
}

/** Largest matrix built (entries): 2^27 doubles, 1 GiB. */
export const MAX_MATRIX_ENTRIES = 2 ** 27;

/** O(1): `a` is a Matrix (positive integer rows and cols, a Float64Array of rows·cols entries). */
export function checkShape(where: string, name: string, a: unknown): Matrix {
  const m = a as Matrix;
  if (typeof a !== 'object' || a === null || !Number.isInteger(m.rows) || m.rows < 1 || !Number.isInteger(m.cols) || m.cols < 1) {
    fail(where, `${name} must be a Matrix {rows, cols, data} with positive integer rows and cols, got ${show(a)}`);
  }
  if (!(m.data instanceof Float64Array) || m.data.length !== m.rows * m.cols) {
    fail(where, `${name}.data must be a Float64Array of rows·cols = ${m.rows * m.cols} entries, got ${show(m.data)}`);
  }
  return m;
}
