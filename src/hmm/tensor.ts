/**
 * The dense 3-way tensor the CP layer decomposes (same shape as src/cp's Tensor3):
 * data[(i*J + j)*K + k] for dims [I, J, K].
 */
export interface Tensor3 {
  dims: [number, number, number];
  data: Float64Array;
}
