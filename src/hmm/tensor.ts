// The dense 3-way tensor type of the CP layer (data[(i*J + j)*K + k] for dims [I, J, K]).
export type { Tensor3 } from '../cp/tensor.js';
