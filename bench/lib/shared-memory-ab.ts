/**
 * Does a shared tfjs-wasm memory slow one thread down? One process per run: ours on one thread on
 * tfjs' usual memory ('unshared') or on the shared memory that threads need ('shared', with the
 * worker pool stopped). Prints one JSON line: {memory, config, msPerStep (median of steps),
 * meanMsPerStep, load}. bench/train.ts --threads runs the unshared side once per round.
 * Usage: node dist/bench/lib/shared-memory-ab.js shared|unshared [L d T B steps]
 */
import { loadavg } from 'node:os';
import { initBackend, setThreads } from '../../src/learning/backend.js';
import { causalSelfAttention } from '../../src/learning/ops/index.js';
import { GptStep } from './gpt-step.js';

const [mode, ...rest] = process.argv.slice(2);
if (mode !== 'shared' && mode !== 'unshared') throw new Error(`first argument must be shared or unshared, got ${JSON.stringify(mode)}`);
const [L, d, T, B, steps] = rest.length ? rest.map(Number) : [2, 64, 64, 32, 8];
await initBackend('wasm', mode === 'shared' ? { threads: 2 } : {});
await setThreads(1);
const model = new GptStep({ layers: L, width: d, heads: 4, length: T, batch: B, vocab: 8 }, { attention: causalSelfAttention, fused: true });
model.step();
const ms: number[] = [];
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  model.step();
  ms.push(performance.now() - t0);
}
model.dispose();
const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
ms.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ memory: mode, config: `L=${L} d=${d} T=${T} B=${B}`, msPerStep: ms[Math.floor(ms.length / 2)], meanMsPerStep: mean, load: loadavg()[0] }) + '\n');
