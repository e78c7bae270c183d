// The 32 × 100 forward pass of the compiled prefix shortcuts of A5 and S5 (issue #12's "under a
// second" target), timed alone: `node bench/results/shortcuts/quiet-batch.mjs` after `npm run build`.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, compileShortcut, evalBatches } from '../../../dist/src/learning/index.js';
import { zoo } from '../../../dist/src/index.js';
await initBackend('wasm');
for (const name of ['alternating:5', 'symmetric:5']) {
  const c = compileShortcut(zoo(name), { length: 100, construction: 'prefix' });
  const b = evalBatches({ automaton: c.automaton, length: 100 }, 32, 1, 1)[0];
  const times = [];
  for (let i = 0; i < 9; i++) {
    const t0 = performance.now();
    tf.tidy(() => c.model.forward(tf.tensor2d(b.letters, [32, 100], 'int32')).dataSync());
    if (i > 0) times.push((performance.now() - t0) / 1000);
  }
  times.sort((x, y) => x - y);
  console.log(`${name}: best ${times[0].toFixed(3)} s, median ${times[4].toFixed(3)} s, worst ${times[7].toFixed(3)} s of 8 passes`);
}
