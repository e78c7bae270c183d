/**
 * Dense 3-way tensors: `Tensor3` holds an I × J × K array with k fastest,
 * `data[(i * J + j) * K + k]` — so a mode-3 fibre X[i, j, :] is contiguous and the tensor is also
 * the row-major (IJ) × K matrix that MTTKRP streams through.
 */
import { checkMatrix, type Matrix } from './matrix.js';
import { checkArray, checkNumbers, checkOneOf, fail } from '../validate/index.js';

export interface Tensor3 {
  dims: [number, number, number];
  data: Float64Array;
}

/** Checks dims and every entry; throws an Error naming the index and value of the first bad entry. */
export function checkTensor(t: Tensor3, name = 'tensor'): void {
  if (!t || !Array.isArray(t.dims) || t.dims.length !== 3) throw new RangeError(`${name}.dims must be [I, J, K], got ${JSON.stringify(t?.dims)}`);
  t.dims.forEach((d, m) => {
    if (!Number.isInteger(d) || d < 1) throw new RangeError(`${name}.dims[${m}] must be a positive integer, got ${d}`);
  });
  const [I, J, K] = t.dims;
  if (!(t.data instanceof Float64Array)) throw new TypeError(`${name}.data must be a Float64Array`);
  if (t.data.length !== I * J * K) throw new RangeError(`${name}.data has length ${t.data.length}, expected ${I}*${J}*${K} = ${I * J * K}`);
  const d = t.data;
  for (let p = 0; p < d.length; p++) {
    if (!Number.isFinite(d[p])) {
      const k = p % K;
      const j = Math.floor(p / K) % J;
      const i = Math.floor(p / (J * K));
      throw new RangeError(`${name}[${i}][${j}][${k}] is ${d[p]}, expected a finite number`);
    }
  }
}

/** An I × J × K tensor: zeros, or `data` (copied into a Float64Array when it is not one), validated. */
export function tensor3(dims: [number, number, number], data?: ArrayLike<number>): Tensor3 {
  if (!Array.isArray(dims) || dims.length !== 3) throw new RangeError(`tensor dims must be [I, J, K], got ${JSON.stringify(dims)}`);
  dims.forEach((d, m) => {
    if (!Number.isInteger(d) || d < 1) throw new RangeError(`tensor dims[${m}] must be a positive integer, got ${d}`);
  });
  const n = dims[0] * dims[1] * dims[2];
  if (n > MAX_TENSOR_ENTRIES) throw new RangeError(`tensor dims ${dims.join('×')} = ${n} entries is above the limit of ${MAX_TENSOR_ENTRIES} (2^27, 1 GiB)`);
  if (data !== undefined && !Array.isArray(data) && !ArrayBuffer.isView(data)) fail('tensor3', `data must be an array of I·J·K numbers, got ${typeof data}`);
  const arr = data === undefined ? new Float64Array(n) : data instanceof Float64Array ? data : Float64Array.from(data);
  const t: Tensor3 = { dims: [dims[0], dims[1], dims[2]], data: arr };
  checkTensor(t);
  return t;
}

/** The Kruskal tensor [[w; A, B, C]]: X[i,j,k] = Σ_r w_r A[i,r] B[j,r] C[k,r]. */
export function fromFactors(weights: ArrayLike<number> | null, factors: [Matrix, Matrix, Matrix]): Tensor3 {
  checkArray('fromFactors', 'factors', factors, { exactly: 3 });
  if (weights !== null && weights !== undefined) checkNumbers('fromFactors', 'weights', weights);
  const [A, B, C] = factors;
  checkMatrix(A, 'factors[0]');
  checkMatrix(B, 'factors[1]');
  checkMatrix(C, 'factors[2]');
  const R = A.cols;
  if (B.cols !== R) throw new RangeError(`factors[1] has ${B.cols} columns, expected ${R} (as factors[0])`);
  if (C.cols !== R) throw new RangeError(`factors[2] has ${C.cols} columns, expected ${R} (as factors[0])`);
  if (weights && weights.length !== R) throw new RangeError(`weights has length ${weights.length}, expected ${R}`);
  const I = A.rows, J = B.rows, K = C.rows;
  if (I * J * K > MAX_TENSOR_ENTRIES) fail('fromFactors', `the tensor would have ${I}×${J}×${K} = ${I * J * K} entries, above the limit of ${MAX_TENSOR_ENTRIES}`);
  const out = new Float64Array(I * J * K);
  const ab = new Float64Array(R);
  for (let i = 0; i < I; i++) {
    for (let j = 0; j < J; j++) {
      for (let r = 0; r < R; r++) ab[r] = (weights ? weights[r] : 1) * A.data[i * R + r] * B.data[j * R + r];
      const base = (i * J + j) * K;
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let r = 0; r < R; r++) s += ab[r] * C.data[k * R + r];
        out[base + k] = s;
      }
    }
  }
  return { dims: [I, J, K], data: out };
}

/** Frobenius norm ‖X‖ (scaled sum of squares, safe from overflow). */
export function norm(t: Tensor3): number {
  checkTensor(t, 't');
  const d = t.data;
  let scale = 0;
  for (let p = 0; p < d.length; p++) scale = Math.max(scale, Math.abs(d[p]));
  if (scale === 0) return 0;
  let s = 0;
  for (let p = 0; p < d.length; p++) {
    const v = d[p] / scale;
    s += v * v;
  }
  return scale * Math.sqrt(s);
}

/**
 * Contraction along one mode with a vector w: the matrix of the two remaining modes (in their
 * order) Σ_m w[m] X[..m..]. Used by Jennrich's algorithm (random combinations of slices).
 */
export function contractMode(t: Tensor3, mode: 0 | 1 | 2, w: ArrayLike<number>): Matrix {
  checkTensor(t, 't');
  checkOneOf('contractMode', 'mode', mode, [0, 1, 2] as unknown as readonly string[]);
  checkNumbers('contractMode', 'w', w);
  const [I, J, K] = t.dims;
  const d = t.data;
  if (w.length !== t.dims[mode]) throw new RangeError(`contractMode: w has length ${w.length}, expected ${t.dims[mode]}`);
  const rows = mode === 0 ? J : I;
  const cols = mode === 2 ? J : K;
  const out = new Float64Array(rows * cols);
  // One loop nest per mode keeps the innermost loop branch-free.
  if (mode === 0) {
    for (let i = 0; i < I; i++) {
      const wi = w[i];
      const base = i * J * K;
      for (let q = 0; q < J * K; q++) out[q] += wi * d[base + q];
    }
  } else if (mode === 1) {
    for (let i = 0; i < I; i++) for (let j = 0; j < J; j++) {
      const wj = w[j];
      const base = (i * J + j) * K;
      for (let k = 0; k < K; k++) out[i * K + k] += wj * d[base + k];
    }
  } else {
    for (let p = 0; p < I * J; p++) {
      const base = p * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += w[k] * d[base + k];
      out[p] = s;
    }
  }
  return { rows, cols, data: out };
}

/**
 * Gram matrix of the mode-n unfolding, X_(n) X_(n)ᵀ (I_n × I_n): its leading eigenvectors are the
 * leading left singular vectors used by the HOSVD init.
 */
export function unfoldingGram(t: Tensor3, mode: 0 | 1 | 2): Matrix {
  checkTensor(t, 't');
  checkOneOf('unfoldingGram', 'mode', mode, [0, 1, 2] as unknown as readonly string[]);
  const [I, J, K] = t.dims;
  const d = t.data;
  const n = t.dims[mode];
  const g = new Float64Array(n * n);
  if (mode === 0) {
    const L = J * K;
    for (let a = 0; a < I; a++) for (let b = a; b < I; b++) {
      let s = 0;
      for (let p = 0; p < L; p++) s += d[a * L + p] * d[b * L + p];
      g[a * I + b] = s;
      g[b * I + a] = s;
    }
  } else if (mode === 1) {
    for (let i = 0; i < I; i++) for (let a = 0; a < J; a++) for (let b = a; b < J; b++) {
      const pa = (i * J + a) * K, pb = (i * J + b) * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += d[pa + k] * d[pb + k];
      g[a * J + b] += s;
      if (a !== b) g[b * J + a] += s;
    }
  } else {
    const IJ = I * J;
    for (let p = 0; p < IJ; p++) {
      const base = p * K;
      for (let a = 0; a < K; a++) {
        const xa = d[base + a];
        if (xa === 0) continue;
        for (let b = a; b < K; b++) g[a * K + b] += xa * d[base + b];
      }
    }
    for (let a = 0; a < K; a++) for (let b = 0; b < a; b++) g[a * K + b] = g[b * K + a];
  }
  return { rows: n, cols: n, data: g };
}

/** Largest tensor built (entries): 2^27 doubles, 1 GiB. */
export const MAX_TENSOR_ENTRIES = 2 ** 27;
