// Planted CP tensors for the tests: Gaussian factors, and HMM-like Dirichlet columns that are nearly collinear.
import { Rng } from '../../src/random/prng.js';
import { fromFactors, matrix, randomMatrix, type Matrix, type Tensor3 } from '../../src/cp/index.js';

export type F3 = [Matrix, Matrix, Matrix];

export function planted(dims: [number, number, number], R: number, seed: number): { X: Tensor3; F: F3 } {
  const rng = new Rng(seed);
  const F = dims.map((n) => randomMatrix(n, R, rng, 'normal')) as F3;
  return { X: fromFactors(null, F), F };
}

/**
 * Columns drawn from Dirichlet(conc · m) around one shared mean m: probability vectors as in an
 * HMM's emission matrix, with high concentration making them nearly collinear (ALS "swamps").
 */
export function dirichletColumns(n: number, R: number, rng: Rng, conc: number): Matrix {
  const m = matrix(n, R);
  const base = Array.from({ length: n }, () => rng.nextGamma(1));
  const bs = base.reduce((a, b) => a + b);
  for (let r = 0; r < R; r++) {
    const g = base.map((b) => rng.nextGamma((conc * b) / bs));
    const s = g.reduce((a, b) => a + b);
    for (let i = 0; i < n; i++) m.data[i * R + r] = g[i] / s;
  }
  return m;
}

export function hmmLike(n: number, R: number, conc: number, seed: number): { X: Tensor3; F: F3 } {
  const rng = new Rng(seed);
  const F = [dirichletColumns(n, R, rng, conc), dirichletColumns(n, R, rng, conc), dirichletColumns(n, R, rng, conc)] as F3;
  return { X: fromFactors(null, F), F };
}
