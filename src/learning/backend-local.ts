/**
 * TEMPORARY stand-in for src/learning/backend.ts (owned by the learnperf branch): registers
 * tfjs-core's gradients and chained ops and selects the wasm (or cpu) backend. Removed once
 * learnperf's initBackend lands on this branch.
 *
 * tfjs-core's per-file ESM (dist/register_all_gradients.js) uses extensionless relative imports,
 * which Node's ESM resolver refuses; a tiny resolve hook retries them with `.js` / `/index.js`.
 */
import * as tf from '@tensorflow/tfjs-core';

let ready: Promise<string> | undefined;

export function initBackend(name: 'wasm' | 'cpu' = 'wasm'): Promise<string> {
  if (ready && tf.getBackend() === name) return ready;
  ready = (async () => {
    const isNode = typeof process !== 'undefined' && !!process.versions?.node;
    if (isNode) {
      const mod = await import('node:module');
      const hook = `export async function resolve(s, c, next) {
        try { return await next(s, c); } catch (e) {
          if (c.parentURL && c.parentURL.includes('@tensorflow/tfjs-core/dist') && s.startsWith('.')) {
            try { return await next(s + '.js', c); } catch { return await next(s + '/index.js', c); }
          }
          throw e;
        }
      }`;
      if (!(globalThis as any).__testbedsTfHook) {
        mod.register('data:text/javascript,' + encodeURIComponent(hook));
        (globalThis as any).__testbedsTfHook = true;
      }
    }
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js' as string);
    await import('@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js' as string);
    if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    else await import('@tensorflow/tfjs-backend-cpu');
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`backend "${name}" failed to initialise`);
    await tf.ready();
    return tf.getBackend();
  })();
  return ready;
}
