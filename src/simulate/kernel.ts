import { loadKernel } from '../kernels/kernel.js';
import type { KernelExports } from '../kernels/arena.js';
import { wasmBase64 } from '../kernels/generated/simulate.js';

export interface SimulateExports extends KernelExports {
  sequentialU8(deltaPtr: number, n: number, lettersPtr: number, T: number, start: number, outPtr: number): number;
}

export const simulateKernel = await loadKernel<SimulateExports>('simulate', wasmBase64);
