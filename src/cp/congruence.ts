/**
 * Comparing CP factors up to the CP indeterminacies — permutation of components and scaling
 * (including sign) of each column: congruence (Tucker's coefficient |⟨a, b⟩| / ‖a‖‖b‖) matched by
 * the Hungarian algorithm, and the factor match score (FMS) of two CP results, whose per-component
 * score is the product of the three congruences (Tomasi & Bro 2006; TensorLy's `congruence_coefficient`).
 */
import { checkMatrix, type Matrix } from './matrix.js';
import { checkArray, checkMatrix as checkMatrixRows, checkObject, checkOptions } from '../validate/index.js';

/**
 * Hungarian algorithm (Kuhn–Munkres, O(n²m) with potentials) minimising Σ cost[i][assign[i]] over
 * injective assignments of n rows to m ≥ n columns. Returns assign (row → column).
 */
export function hungarian(cost: number[][]): number[] {
  checkArray('hungarian', 'cost', cost);
  const n = cost.length;
  if (n === 0) return [];
  // Ragged rows or a NaN would make the potentials NaN and the assignment arbitrary.
  checkMatrixRows('hungarian', 'cost', cost);
  const m = cost[0].length;
  if (m < n) throw new RangeError(`hungarian: ${n} rows need at least as many columns, got ${m}`);
  const INF = Number.POSITIVE_INFINITY;
  const u = new Float64Array(n + 1), v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j]: row (1-based) matched to column j
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(INF);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = INF, j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
        if (cur < minv[j]) { minv[j] = cur; way[j] = j0; }
        if (minv[j] < delta) { delta = minv[j]; j1 = j; }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) { u[p[j]] += delta; v[j] -= delta; } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  const assign = new Array<number>(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j] > 0) assign[p[j] - 1] = j - 1;
  return assign;
}

/** |cos| between column a of A and column b of B (0 when either is zero). */
function columnCosines(A: Matrix, B: Matrix): number[][] {
  const out: number[][] = [];
  const na = new Float64Array(A.cols), nb = new Float64Array(B.cols);
  for (let i = 0; i < A.rows; i++) {
    for (let a = 0; a < A.cols; a++) na[a] += A.data[i * A.cols + a] ** 2;
    for (let b = 0; b < B.cols; b++) nb[b] += B.data[i * B.cols + b] ** 2;
  }
  for (let a = 0; a < A.cols; a++) {
    const row: number[] = [];
    for (let b = 0; b < B.cols; b++) {
      let s = 0;
      for (let i = 0; i < A.rows; i++) s += A.data[i * A.cols + a] * B.data[i * B.cols + b];
      const d = Math.sqrt(na[a] * nb[b]);
      row.push(d > 0 ? Math.min(1, Math.abs(s) / d) : 0);
    }
    out.push(row);
  }
  return out;
}

export interface Congruence {
  /** Mean matched congruence in [0, 1] (1 = same columns up to permutation and scale). */
  score: number;
  /** permutation[r] = the column of B matched to column r of A. */
  permutation: number[];
  /** Matched congruence per column of A. */
  perComponent: number[];
}

function matchScores(sim: number[][]): Congruence {
  const perm = hungarian(sim.map((row) => row.map((x) => -x)));
  const per = perm.map((j, i) => sim[i][j]);
  return { score: per.reduce((s, x) => s + x, 0) / per.length, permutation: perm, perComponent: per };
}

/** Congruence of the columns of A and B (same row count, A.cols ≤ B.cols), best permutation. */
export function congruence(A: Matrix, B: Matrix): Congruence {
  checkMatrix(A, 'A');
  checkMatrix(B, 'B');
  if (A.rows !== B.rows) throw new RangeError(`congruence: A has ${A.rows} rows, B has ${B.rows}`);
  if (A.cols > B.cols) throw new RangeError(`congruence: A has ${A.cols} columns, more than B's ${B.cols}`);
  return matchScores(columnCosines(A, B));
}

/** Anything with CP factors (a CPResult, or planted factors). */
export interface CPFactors {
  weights?: ArrayLike<number> | null;
  factors: [Matrix, Matrix, Matrix];
}

/**
 * Factor match score: per component, the product over modes of the column congruences, matched by
 * the Hungarian algorithm; with `weights: true` each is multiplied by 1 − |w_a − w_b| / max(w_a, w_b)
 * (the weights-penalised FMS).
 */
export function factorMatchScore(x: CPFactors, y: CPFactors, opts: { weights?: boolean } = {}): Congruence {
  for (const [name, v] of [['x', x], ['y', y]] as const) {
    const o = checkObject('factorMatchScore', name, v);
    checkArray('factorMatchScore', `${name}.factors`, o.factors, { exactly: 3 });
  }
  checkOptions('factorMatchScore', opts, 'opts');
  for (let n = 0; n < 3; n++) {
    checkMatrix(x.factors[n], `first.factors[${n}]`);
    checkMatrix(y.factors[n], `second.factors[${n}]`);
    if (x.factors[n].rows !== y.factors[n].rows) {
      throw new RangeError(`factorMatchScore: factors[${n}] have ${x.factors[n].rows} and ${y.factors[n].rows} rows`);
    }
  }
  const Rx = x.factors[0].cols, Ry = y.factors[0].cols;
  if (Rx > Ry) throw new RangeError(`factorMatchScore: first has ${Rx} components, more than second's ${Ry}`);
  const cos = x.factors.map((f, n) => columnCosines(f, y.factors[n]));
  const wx = scaleOf(x), wy = scaleOf(y);
  const sim: number[][] = [];
  for (let a = 0; a < Rx; a++) {
    const row: number[] = [];
    for (let b = 0; b < Ry; b++) {
      let s = cos[0][a][b] * cos[1][a][b] * cos[2][a][b];
      if (opts.weights) {
        const m = Math.max(wx[a], wy[b]);
        s *= m > 0 ? 1 - Math.abs(wx[a] - wy[b]) / m : 1;
      }
      row.push(s);
    }
    sim.push(row);
  }
  return matchScores(sim);
}

/** Component magnitudes w_r Π_n ‖f_r^(n)‖ (so unnormalised factors compare fairly). */
function scaleOf(x: CPFactors): Float64Array {
  const R = x.factors[0].cols;
  const w = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    let s = x.weights ? Math.abs(x.weights[r]) : 1;
    for (const f of x.factors) {
      let q = 0;
      for (let i = 0; i < f.rows; i++) q += f.data[i * R + r] ** 2;
      s *= Math.sqrt(q);
    }
    w[r] = s;
  }
  return w;
}
