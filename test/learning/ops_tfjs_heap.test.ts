// Kernels on tfjs-wasm's own memory: the binary rewrite (memory import instead of definition),
// its refusals, and the instance really sharing tfjs' heap.
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type WasmBackendInternals } from '../../src/learning/backend.js';
import { importMemoryInstead, onTfjsHeap, tfjsMemory } from '../../src/learning/ops/tfjs_heap.js';
import { wasmBase64 } from '../../src/kernels/generated/attention.js';
import { wasmBase64 as nnBase64 } from '../../src/kernels/generated/nn.js';

const bytes = () => Uint8Array.from(Buffer.from(wasmBase64, 'base64'));

describe('importMemoryInstead', () => {
  it('turns the defined memory into an env.memory import, keeping the exports', () => {
    const m = new WebAssembly.Module(importMemoryInstead(bytes(), false) as BufferSource);
    expect(WebAssembly.Module.imports(m)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(WebAssembly.Module.exports(m).map((e) => e.name)).toEqual(expect.arrayContaining(['attentionForward', 'attentionBackward', 'memory']));
  });

  it('accepts every kernel module we run on the tfjs heap (none has a data segment)', () => {
    for (const b64 of [wasmBase64, nnBase64]) {
      const m = new WebAssembly.Module(importMemoryInstead(Uint8Array.from(Buffer.from(b64, 'base64')), false) as BufferSource);
      expect(WebAssembly.Module.imports(m)).toHaveLength(1);
    }
  });

  it('refuses a module with a data segment (it would overwrite tfjs memory)', () => {
    // (module (memory 1) (data (i32.const 0) "x"))
    const withData = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 0, 1, 11, 7, 1, 0, 65, 0, 11, 1, 120]);
    expect(() => new WebAssembly.Module(withData)).not.toThrow();
    expect(() => importMemoryInstead(withData, false)).toThrow(/data segment/);
  });

  it('instantiates on the tfjs-wasm heap: the kernel sees and writes tensors in place', async () => {
    await initBackend('wasm');
    const backend = tf.backend() as unknown as WasmBackendInternals;
    const k = onTfjsHeap<{ memory: WebAssembly.Memory }>(backend, 'attention', wasmBase64);
    expect(k.exports.memory).toBe(tfjsMemory(backend));
    expect(onTfjsHeap(backend, 'attention', wasmBase64)).toBe(k); // cached per memory
  });
});
