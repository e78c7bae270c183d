// Kernel-level 1 vs 2 threads of the split Add and LayerNorm kernels (and ColumnSum on one thread)
// at the GPT benchmark's sizes, run straight on tfjs-wasm's heap (no tfjs dispatch): median of 60
// calls each; one JSON line. Run from the repository root after `npm ci`: see README.md here.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, setThreads } from '../../../../dist/src/learning/backend.js';
import { runParts } from '../../../../dist/src/learning/ops/threads.js';
import { onTfjsHeap } from '../../../../dist/src/learning/ops/tfjs_heap.js';
import { wasmBase64 } from '../../../../dist/src/kernels/generated/nn.js';

await initBackend('wasm', { threads: 2 });
const h = onTfjsHeap(tf.backend(), 'nn', wasmBase64);
const k = h.exports;
const med = (f) => { const ts = []; for (let i = 0; i < 60; i++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); } ts.sort((a, b) => a - b); return Math.round(ts[30] * 1000); };
const out = [];
for (const [N, d] of [[2048, 64], [2048, 256], [3200, 128], [3200, 384], [3200, 512]]) {
  const n = N * d, hN = n / 2, hR = N / 2;
  const [x, y, z] = [0, 1, 2].map(() => h.malloc(n * 4));
  const [o, st, g, b] = [h.malloc(d * 8), h.malloc(N * 8), h.malloc(d * 4), h.malloc(d * 4)];
  const H = tf.backend().wasm.HEAPF32;
  for (const p of [x, y, z]) for (let i = 0; i < n; i++) H[(p >> 2) + i] = Math.random(); // touched, not zero pages
  for (let i = 0; i < d; i++) { H[(g >> 2) + i] = 1; H[(b >> 2) + i] = 0; }
  k.layerNormForward(x, g, b, z, st, N, d, 1e-5);
  const first = Math.round((N * 1.3) / 2 - N * 0.3); // ops/nn.ts layerNormGradRows at 2 threads
  const r = { size: `[${N},${d}]` };
  r.colsum1 = med(() => k.columnSum(x, o, N, d));
  r.add1 = med(() => k.addSame(x, y, z, n));
  r.add2 = med(() => runParts('nn', 'addSame', k.addSame, [[x, y, z, hN], [x + 4 * hN, y + 4 * hN, z + 4 * hN, hN]]));
  r.bias1 = med(() => k.addRows(x, g, z, N, d));
  r.bias2 = med(() => runParts('nn', 'addRows', k.addRows, [[x, g, z, hR, d], [x + 4 * hR * d, g, z + 4 * hR * d, hR, d]]));
  r.ln1 = med(() => k.layerNormForward(x, g, b, z, st, N, d, 1e-5));
  r.ln2 = med(() => runParts('nn', 'layerNormForward', k.layerNormForward, [[x, g, b, z, st, hR, d, 1e-5], [x + 4 * hR * d, g, b, z + 4 * hR * d, st + 8 * hR, hR, d, 1e-5]]));
  r.lnb1 = med(() => k.layerNormBackward(x, g, st, y, z, o, o + 4 * d, N, d));
  r.lnb2 = med(() => runParts('nn', 'layerNormBackwardPart', k.layerNormBackwardPart, [[x, g, st, y, z, o, o + 4 * d, N, d, 0, first, 1], [x, g, st, y, z, o, o + 4 * d, N, d, first, N, 0]]));
  for (const p of [x, y, z, o, st, g, b]) h.free(p);
  out.push(r);
}
console.log(JSON.stringify(out));
await setThreads(1);
