/**
 * Small dense linear algebra for CP-ALS and its inits (sizes up to a few hundred): Cholesky for the
 * R × R normal equations, Householder + implicit QL (Jacobi as fallback) for symmetric eigenproblems (HOSVD), LU with partial
 * pivoting, and real eigen-decomposition of non-symmetric matrices (Hessenberg reduction + Francis
 * QR, after Numerical Recipes' elmhes/hqr, then inverse iteration for the vectors) for Jennrich.
 * Arrays are row-major n × n Float64Arrays.
 */

import { hypot } from '../random/detmath.js';

/**
 * In-place Cholesky V = L Lᵀ (lower triangle of `v` overwritten with L). Returns false when a pivot
 * is not positive relative to the diagonal scale (V not numerically positive definite).
 */
export function cholesky(v: Float64Array, n: number): boolean {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(v[i * n + i]));
  const floor = maxDiag * 1e-14;
  for (let j = 0; j < n; j++) {
    let d = v[j * n + j];
    for (let k = 0; k < j; k++) d -= v[j * n + k] * v[j * n + k];
    if (!(d > floor)) return false;
    const ljj = Math.sqrt(d);
    v[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = v[i * n + j];
      for (let k = 0; k < j; k++) s -= v[i * n + k] * v[j * n + k];
      v[i * n + j] = s / ljj;
    }
  }
  return true;
}

/** Solves X (L Lᵀ) = M row by row, in place on M (m × n): each row x satisfies L Lᵀ xᵀ = mᵀ. */
export function choleskySolveRows(l: Float64Array, n: number, m: Float64Array, rows: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    for (let i = 0; i < n; i++) {
      let s = m[o + i];
      for (let k = 0; k < i; k++) s -= l[i * n + k] * m[o + k];
      m[o + i] = s / l[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = m[o + i];
      for (let k = i + 1; k < n; k++) s -= l[k * n + i] * m[o + k];
      m[o + i] = s / l[i * n + i];
    }
  }
}

/**
 * Symmetric eigen-decomposition: values descending, vectors as the columns of an n × n row-major
 * matrix. Householder tridiagonalisation + implicit QL (tred2/tql2 as in EISPACK and JAMA),
 * O(n³) with a small constant; cyclic Jacobi if QL fails to converge.
 */
export function symmetricEigen(s: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const v = s.slice();
  const d = new Float64Array(n), e = new Float64Array(n);
  tred2(v, n, d, e);
  if (!tql2(v, n, d, e)) return jacobiEigen(s, n);
  return sortedEigen(d, v, n);
}

function sortedEigen(d: Float64Array, v: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[y] - d[x]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = d[src];
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src];
  });
  return { values, vectors };
}

/** Householder reduction of symmetric V (row-major, in place) to tridiagonal d (diagonal), e (sub). */
function tred2(V: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < n; j++) d[j] = V[(n - 1) * n + j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
        V[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        V[j * n + i] = f;
        g = e[j] + V[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[k * n + j] * d[k];
          e[k] += V[k * n + j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) V[k * n + j] -= f * e[k] + g * d[k];
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    V[(n - 1) * n + i] = V[i * n + i];
    V[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[k * n + i + 1] * V[k * n + j];
        for (let k = 0; k <= i; k++) V[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) V[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[(n - 1) * n + j];
    V[(n - 1) * n + j] = 0;
  }
  V[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e), accumulating rotations into V. False if it does not converge. */
function tql2(V: Float64Array, n: number, d: Float64Array, e: Float64Array): boolean {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) return false;
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1, c2 = c, c3 = c;
        const el1 = e[l + 1];
        let s = 0, s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (let k = 0; k < n; k++) {
            h = V[k * n + i + 1];
            V[k * n + i + 1] = s * V[k * n + i] + c * h;
            V[k * n + i] = c * V[k * n + i] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  return true;
}

/** Cyclic Jacobi rotations (slow, very robust): the fallback of symmetricEigen. */
export function jacobiEigen(s: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = s.slice();
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0, total = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      const x = a[i * n + j] * a[i * n + j];
      total += x;
      if (i !== j) off += x;
    }
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p], aqq = a[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - sn * akq;
          a[k * n + q] = sn * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - sn * aqk;
          a[q * n + k] = sn * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - sn * vkq;
          v[k * n + q] = sn * vkp + c * vkq;
        }
      }
    }
  }
  return sortedEigen(Float64Array.from({ length: n }, (_, i) => a[i * n + i]), v, n);
}

/** LU with partial pivoting, in place; returns the row permutation, or null when singular. */
export function luFactor(a: Float64Array, n: number): Int32Array | null {
  const piv = new Int32Array(n);
  let scale = 0;
  for (let p = 0; p < n * n; p++) scale = Math.max(scale, Math.abs(a[p]));
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]) > Math.abs(a[p * n + k])) p = i;
    piv[k] = p;
    if (!(Math.abs(a[p * n + k]) > scale * 1e-300) || scale === 0) return null;
    if (p !== k) for (let j = 0; j < n; j++) { const t = a[k * n + j]; a[k * n + j] = a[p * n + j]; a[p * n + j] = t; }
    const d = a[k * n + k];
    for (let i = k + 1; i < n; i++) {
      const f = (a[i * n + k] /= d);
      if (f !== 0) for (let j = k + 1; j < n; j++) a[i * n + j] -= f * a[k * n + j];
    }
  }
  return piv;
}

/** Solves A x = b in place on b, given luFactor's output. */
export function luSolve(lu: Float64Array, piv: Int32Array, n: number, b: Float64Array): void {
  for (let k = 0; k < n; k++) { const p = piv[k]; if (p !== k) { const t = b[k]; b[k] = b[p]; b[p] = t; } }
  for (let i = 0; i < n; i++) { let s = b[i]; for (let k = 0; k < i; k++) s -= lu[i * n + k] * b[k]; b[i] = s; }
  for (let i = n - 1; i >= 0; i--) { let s = b[i]; for (let k = i + 1; k < n; k++) s -= lu[i * n + k] * b[k]; b[i] = s / lu[i * n + i]; }
}

/** A⁻¹, or null when A is singular. */
export function inverse(a: Float64Array, n: number): Float64Array | null {
  const lu = a.slice();
  const piv = luFactor(lu, n);
  if (!piv) return null;
  const inv = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    luSolve(lu, piv, n, e);
    for (let i = 0; i < n; i++) inv[i * n + j] = e[i];
  }
  return inv;
}

/** Eigenvalues (real and imaginary parts) of a general real matrix (Hessenberg + Francis QR). */
export function eigenvalues(m: Float64Array, n: number): { re: Float64Array; im: Float64Array } | null {
  // 1-based working copy keeps the port of elmhes/hqr index-for-index checkable.
  const a: Float64Array[] = [];
  for (let i = 0; i <= n; i++) a.push(new Float64Array(n + 1));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i + 1][j + 1] = m[i * n + j];
  elmhes(a, n);
  for (let i = 3; i <= n; i++) for (let j = 1; j <= i - 2; j++) a[i][j] = 0;
  const wr = new Float64Array(n + 1), wi = new Float64Array(n + 1);
  if (!hqr(a, n, wr, wi)) return null;
  return { re: wr.slice(1), im: wi.slice(1) };
}

/** Reduction to upper Hessenberg form by stabilised elementary similarity transforms. */
function elmhes(a: Float64Array[], n: number): void {
  for (let m = 2; m < n; m++) {
    let x = 0;
    let i = m;
    for (let j = m; j <= n; j++) if (Math.abs(a[j][m - 1]) > Math.abs(x)) { x = a[j][m - 1]; i = j; }
    if (i !== m) {
      for (let j = m - 1; j <= n; j++) { const t = a[i][j]; a[i][j] = a[m][j]; a[m][j] = t; }
      for (let j = 1; j <= n; j++) { const t = a[j][i]; a[j][i] = a[j][m]; a[j][m] = t; }
    }
    if (x !== 0) {
      for (i = m + 1; i <= n; i++) {
        let y = a[i][m - 1];
        if (y !== 0) {
          y /= x;
          a[i][m - 1] = y;
          for (let j = m; j <= n; j++) a[i][j] -= y * a[m][j];
          for (let j = 1; j <= n; j++) a[j][m] += y * a[j][i];
        }
      }
    }
  }
}

const sign = (a: number, b: number): number => (b >= 0 ? Math.abs(a) : -Math.abs(a));

/** Eigenvalues of an upper Hessenberg matrix (1-based), destroying it. False if QR fails to converge. */
function hqr(a: Float64Array[], n: number, wr: Float64Array, wi: Float64Array): boolean {
  let anorm = 0;
  for (let i = 1; i <= n; i++) for (let j = Math.max(i - 1, 1); j <= n; j++) anorm += Math.abs(a[i][j]);
  let nn = n;
  let t = 0;
  let p = 0, q = 0, r = 0, s = 0, w = 0, x = 0, y = 0, z = 0;
  while (nn >= 1) {
    let its = 0;
    let l: number;
    do {
      for (l = nn; l >= 2; l--) {
        s = Math.abs(a[l - 1][l - 1]) + Math.abs(a[l][l]);
        if (s === 0) s = anorm;
        if (Math.abs(a[l][l - 1]) + s === s) { a[l][l - 1] = 0; break; }
      }
      x = a[nn][nn];
      if (l === nn) {
        wr[nn] = x + t;
        wi[nn--] = 0;
      } else {
        y = a[nn - 1][nn - 1];
        w = a[nn][nn - 1] * a[nn - 1][nn];
        if (l === nn - 1) {
          p = 0.5 * (y - x);
          q = p * p + w;
          z = Math.sqrt(Math.abs(q));
          x += t;
          if (q >= 0) {
            z = p + sign(z, p);
            wr[nn - 1] = wr[nn] = x + z;
            if (z !== 0) wr[nn] = x - w / z;
            wi[nn - 1] = wi[nn] = 0;
          } else {
            wr[nn - 1] = wr[nn] = x + p;
            wi[nn - 1] = -(wi[nn] = z);
          }
          nn -= 2;
        } else {
          if (its === 60) return false;
          if (its === 10 || its === 20 || its === 40) {
            t += x;
            for (let i = 1; i <= nn; i++) a[i][i] -= x;
            s = Math.abs(a[nn][nn - 1]) + Math.abs(a[nn - 1][nn - 2]);
            y = x = 0.75 * s;
            w = -0.4375 * s * s;
          }
          ++its;
          let m: number;
          for (m = nn - 2; m >= l; m--) {
            z = a[m][m];
            r = x - z;
            s = y - z;
            p = (r * s - w) / a[m + 1][m] + a[m][m + 1];
            q = a[m + 1][m + 1] - z - r - s;
            r = a[m + 2][m + 1];
            s = Math.abs(p) + Math.abs(q) + Math.abs(r);
            p /= s;
            q /= s;
            r /= s;
            if (m === l) break;
            const u = Math.abs(a[m][m - 1]) * (Math.abs(q) + Math.abs(r));
            const v = Math.abs(p) * (Math.abs(a[m - 1][m - 1]) + Math.abs(z) + Math.abs(a[m + 1][m + 1]));
            if (u + v === v) break;
          }
          for (let i = m + 2; i <= nn; i++) {
            a[i][i - 2] = 0;
            if (i !== m + 2) a[i][i - 3] = 0;
          }
          for (let k = m; k <= nn - 1; k++) {
            if (k !== m) {
              p = a[k][k - 1];
              q = a[k + 1][k - 1];
              r = 0;
              if (k !== nn - 1) r = a[k + 2][k - 1];
              if ((x = Math.abs(p) + Math.abs(q) + Math.abs(r)) !== 0) {
                p /= x;
                q /= x;
                r /= x;
              }
            }
            if ((s = sign(Math.sqrt(p * p + q * q + r * r), p)) !== 0) {
              if (k === m) {
                if (l !== m) a[k][k - 1] = -a[k][k - 1];
              } else a[k][k - 1] = -s * x;
              p += s;
              x = p / s;
              y = q / s;
              z = r / s;
              q /= p;
              r /= p;
              for (let j = k; j <= nn; j++) {
                p = a[k][j] + q * a[k + 1][j];
                if (k !== nn - 1) {
                  p += r * a[k + 2][j];
                  a[k + 2][j] -= p * z;
                }
                a[k + 1][j] -= p * y;
                a[k][j] -= p * x;
              }
              const mmin = nn < k + 3 ? nn : k + 3;
              for (let i = l; i <= mmin; i++) {
                p = x * a[i][k] + y * a[i][k + 1];
                if (k !== nn - 1) {
                  p += z * a[i][k + 2];
                  a[i][k + 2] -= p * r;
                }
                a[i][k + 1] -= p * q;
                a[i][k] -= p;
              }
            }
          }
        }
      }
    } while (l < nn - 1);
  }
  return true;
}

/**
 * Real eigen-decomposition M = V diag(λ) V⁻¹ of a diagonalisable matrix with real eigenvalues:
 * vectors (unit columns of an n × n matrix) by inverse iteration at each eigenvalue. Returns null
 * when an eigenvalue is complex (|Im λ| > `imagTol`·‖M‖), QR does not converge, or a vector's
 * residual ‖Mv − λv‖ is not small — callers fall back to another method.
 */
export function realEigen(m: Float64Array, n: number, imagTol = 1e-8): { values: Float64Array; vectors: Float64Array } | null {
  const ev = eigenvalues(m, n);
  if (!ev) return null;
  let scale = 0;
  for (let p = 0; p < n * n; p++) scale = Math.max(scale, Math.abs(m[p]));
  if (scale === 0) return null;
  for (let i = 0; i < n; i++) if (Math.abs(ev.im[i]) > imagTol * scale) return null;
  const vectors = new Float64Array(n * n);
  const shifted = new Float64Array(n * n);
  const b = new Float64Array(n);
  const mv = new Float64Array(n);
  for (let e = 0; e < n; e++) {
    const lambda = ev.re[e];
    // A tiny shift off λ keeps (M − μI) invertible; inverse iteration then converges in a few steps.
    const mu = lambda + scale * 1e-10 * (1 + e / n);
    shifted.set(m);
    for (let i = 0; i < n; i++) shifted[i * n + i] -= mu;
    const piv = luFactor(shifted, n);
    if (!piv) return null;
    for (let i = 0; i < n; i++) b[i] = 1 + ((i * 7919 + e * 104729) % 997) / 997; // fixed generic start
    for (let it = 0; it < 3; it++) {
      luSolve(shifted, piv, n, b);
      let nb = 0;
      for (let i = 0; i < n; i++) nb += b[i] * b[i];
      nb = Math.sqrt(nb);
      if (!(nb > 0) || !Number.isFinite(nb)) return null;
      for (let i = 0; i < n; i++) b[i] /= nb;
    }
    let res = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += m[i * n + j] * b[j];
      mv[i] = s - lambda * b[i];
      res = Math.max(res, Math.abs(mv[i]));
    }
    if (res > 1e-6 * scale) return null;
    for (let i = 0; i < n; i++) vectors[i * n + e] = b[i];
  }
  return { values: Float64Array.from(ev.re), vectors };
}
