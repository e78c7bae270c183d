/**
 * The small dense linear algebra the HMM layer needs (k, d ≤ a few dozen): matrices as arrays of
 * rows, products, powers, Gaussian elimination, least squares by Householder QR, and the Euclidean
 * projection onto the probability simplex. Nothing here is hot; clarity over speed.
 */
export type Mat = number[][];

export function zeros(rows: number, cols: number): Mat {
  return Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
}

export function identity(n: number): Mat {
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m[i][i] = 1;
  return m;
}

export function transpose(a: Mat): Mat {
  const r = a.length, c = r ? a[0].length : 0;
  const t = zeros(c, r);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j][i] = a[i][j];
  return t;
}

export function matmul(a: Mat, b: Mat): Mat {
  const n = a.length, m = b.length, p = m ? b[0].length : 0;
  const out = zeros(n, p);
  for (let i = 0; i < n; i++) {
    const ai = a[i], oi = out[i];
    for (let l = 0; l < m; l++) {
      const x = ai[l];
      if (x === 0) continue;
      const bl = b[l];
      for (let j = 0; j < p; j++) oi[j] += x * bl[j];
    }
  }
  return out;
}

/** Row vector times matrix: (vᵀ M)ᵀ. */
export function vecmat(v: readonly number[], m: Mat): number[] {
  const p = m.length ? m[0].length : 0;
  const out = new Array<number>(p).fill(0);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x === 0) continue;
    for (let j = 0; j < p; j++) out[j] += x * m[i][j];
  }
  return out;
}

/** M^e for e ≥ 0 by repeated squaring. */
export function matpow(m: Mat, e: number): Mat {
  let result = identity(m.length);
  let base = m;
  while (e > 0) {
    if (e & 1) result = matmul(result, base);
    e = Math.floor(e / 2);
    if (e > 0) base = matmul(base, base);
  }
  return result;
}

export function diag(v: readonly number[]): Mat {
  const m = zeros(v.length, v.length);
  v.forEach((x, i) => (m[i][i] = x));
  return m;
}

/** max |a - b| over all entries (shapes must agree). */
export function maxAbsDiff(a: Mat | readonly number[], b: Mat | readonly number[]): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (Array.isArray(x)) {
      const yy = y as number[];
      for (let j = 0; j < x.length; j++) m = Math.max(m, Math.abs(x[j] - yy[j]));
    } else m = Math.max(m, Math.abs((x as number) - (y as number)));
  }
  return m;
}

/**
 * Solves A x = b (A square) by Gaussian elimination with partial pivoting. Returns undefined
 * when A is singular to working precision (a pivot below `tol` times the largest entry).
 */
export function solve(a: Mat, b: readonly number[], tol = 1e-12): number[] | undefined {
  const n = a.length;
  const m = a.map((row, i) => [...row, b[i]]);
  let scale = 0;
  for (const row of a) for (const x of row) scale = Math.max(scale, Math.abs(x));
  if (scale === 0) return undefined;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    if (Math.abs(m[p][c]) <= tol * scale) return undefined;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      if (f === 0) continue;
      for (let j = c; j <= n; j++) m[r][j] -= f * m[c][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let j = r + 1; j < n; j++) s -= m[r][j] * x[j];
    x[r] = s / m[r][r];
  }
  return x;
}

/** A⁻¹ by Gaussian elimination, or undefined when singular. */
export function inverse(a: Mat): Mat | undefined {
  const n = a.length;
  const cols: number[][] = [];
  for (let j = 0; j < n; j++) {
    const e = new Array<number>(n).fill(0);
    e[j] = 1;
    const x = solve(a, e);
    if (!x) return undefined;
    cols.push(x);
  }
  return transpose(cols);
}

/**
 * Least squares min ‖A X − B‖_F for A (m×n, m ≥ n, full column rank) by Householder QR, which
 * squares no condition number (unlike the normal equations). Returns X (n×p) and the smallest
 * |R_ii| / max |R_ii| as a rank diagnostic.
 */
export function leastSquares(a: Mat, b: Mat): { x: Mat; conditionRatio: number } {
  const m = a.length, n = a[0].length, p = b[0].length;
  if (m < n) throw new RangeError(`leastSquares: A is ${m}×${n}, needs at least as many rows as columns`);
  const r = a.map((row) => [...row]);
  const q = b.map((row) => [...row]);
  for (let c = 0; c < n; c++) {
    let norm = 0;
    for (let i = c; i < m; i++) norm += r[i][c] * r[i][c];
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const alpha = r[c][c] > 0 ? -norm : norm;
    const v = new Array<number>(m).fill(0);
    v[c] = r[c][c] - alpha;
    for (let i = c + 1; i < m; i++) v[i] = r[i][c];
    let vv = 0;
    for (let i = c; i < m; i++) vv += v[i] * v[i];
    if (vv === 0) continue;
    const reflect = (mat: Mat, from: number, to: number) => {
      for (let j = from; j < to; j++) {
        let s = 0;
        for (let i = c; i < m; i++) s += v[i] * mat[i][j];
        const f = (2 * s) / vv;
        for (let i = c; i < m; i++) mat[i][j] -= f * v[i];
      }
    };
    reflect(r, c, n);
    reflect(q, 0, p);
  }
  let maxDiag = 0, minDiag = Infinity;
  for (let i = 0; i < n; i++) {
    maxDiag = Math.max(maxDiag, Math.abs(r[i][i]));
    minDiag = Math.min(minDiag, Math.abs(r[i][i]));
  }
  const x = zeros(n, p);
  for (let j = 0; j < p; j++) {
    for (let i = n - 1; i >= 0; i--) {
      let s = q[i][j];
      for (let l = i + 1; l < n; l++) s -= r[i][l] * x[l][j];
      x[i][j] = r[i][i] === 0 ? 0 : s / r[i][i];
    }
  }
  return { x, conditionRatio: maxDiag > 0 ? minDiag / maxDiag : 0 };
}

/**
 * Euclidean projection of v onto the probability simplex {x ≥ 0, Σx = 1}
 * (sort-based algorithm of Held, Wolfe and Crowder; see Duchi et al. 2008).
 */
export function projectSimplex(v: readonly number[]): number[] {
  const u = [...v].sort((a, b) => b - a);
  let cum = 0, theta = 0;
  for (let i = 0; i < u.length; i++) {
    cum += u[i];
    const t = (cum - 1) / (i + 1);
    if (u[i] - t > 0) theta = t;
  }
  return v.map((x) => Math.max(x - theta, 0));
}

/** min |R_ii| / max |R_ii| of the QR of a k×d matrix's transpose (k ≤ d): 0 when the rows are linearly dependent. */
export function rankRatio(rowsMat: Mat): number {
  const d = rowsMat[0].length;
  return leastSquares(transpose(rowsMat), zeros(d, 1)).conditionRatio;
}
