/**
 * A loaded kernel: its wasm exports and an arena over its memory. Capabilities get theirs once,
 * with top-level await, e.g. `export const simulateKernel = await loadKernel<SimulateExports>('simulate', wasmBase64)`,
 * so the public API stays synchronous after `import`.
 */
import { compileKernel, instantiateKernel } from './loader.js';
import { WasmArena, type KernelExports } from './arena.js';

export interface Kernel<E extends KernelExports> {
  readonly name: string;
  readonly module: WebAssembly.Module;
  readonly exports: E;
  readonly arena: WasmArena;
}

export async function loadKernel<E extends KernelExports>(name: string, wasmBase64: string): Promise<Kernel<E>> {
  const module = await compileKernel(name, wasmBase64);
  return kernelFromModule<E>(name, module);
}

/** A new instance (e.g. inside a worker thread, from a module posted to it). */
export async function kernelFromModule<E extends KernelExports>(name: string, module: WebAssembly.Module): Promise<Kernel<E>> {
  const instance = await instantiateKernel(module);
  const exports = instance.exports as unknown as E;
  const init = (instance.exports as Record<string, unknown>)._initialize;
  if (typeof init === 'function') (init as () => void)();
  return { name, module, exports, arena: new WasmArena(exports) };
}
