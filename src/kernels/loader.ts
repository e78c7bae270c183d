/**
 * One loader for every AssemblyScript kernel, in Node and in browsers.
 *
 * The build (scripts/build-kernels.mjs) inlines each module's bytes as base64 in
 * src/kernels/generated/<name>.ts, so loading needs neither the file system nor fetch paths.
 * Kernels import nothing (asc `--use abort=`), so instantiation takes an empty import object.
 * We use raw bindings rather than @assemblyscript/loader: kernels take raw pointers into memory
 * that TypeScript owns (see arena.ts), which is 10x+ faster than the loader's array marshalling.
 */
import { checkString } from '../validate/index.js';

/** Minimal module using v128 ops (i8x16.splat, i8x16.popcnt): validates only where SIMD exists. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** True when this runtime can compile WebAssembly SIMD (fixed-width v128). */
export function hasWasmSimd(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

export class KernelLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelLoadError';
  }
}

/** Bytes of base64 text (Buffer in Node, atob in browsers). */
export function decodeBase64(b64: string): Uint8Array {
  checkString('decodeBase64', 'b64', b64);
  if (typeof Buffer !== 'undefined') {
    const b = Buffer.from(b64, 'base64');
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const moduleCache = new Map<string, Promise<WebAssembly.Module>>();

/** Compiles (once per process) the module whose base64 bytes are given, after checking for SIMD. */
export function compileKernel(name: string, wasmBase64: string): Promise<WebAssembly.Module> {
  checkString('compileKernel', 'name', name);
  checkString('compileKernel', 'wasmBase64', wasmBase64);
  let m = moduleCache.get(name);
  if (!m) {
    if (!hasWasmSimd()) {
      throw new KernelLoadError(
        `kernel "${name}": this runtime lacks WebAssembly SIMD (v128); testbeds needs Node >= 20 or an evergreen browser`,
      );
    }
    m = WebAssembly.compile(decodeBase64(wasmBase64) as BufferSource).catch((e: unknown) => {
      throw new KernelLoadError(`kernel "${name}" failed to compile: ${(e as Error).message}`);
    });
    moduleCache.set(name, m);
  }
  return m;
}

/** A fresh instance of a compiled kernel module (one per thread; instances share nothing). */
export async function instantiateKernel(module: WebAssembly.Module): Promise<WebAssembly.Instance> {
  return WebAssembly.instantiate(module, {});
}
