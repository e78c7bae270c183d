// Same-run before/after of the whole benchmark step, one thread: two checkouts' builds of
// bench/lib/shared-memory-ab.js ('unshared' = tfjs' usual memory, one thread), one fresh process
// per sample, alternating before/after (order flipped every round), 5 rounds per config.
// Usage: node run.mjs BEFORE_DIR AFTER_DIR > result.json   (progress on stderr)
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
const [before, after] = process.argv.slice(2);
const configs = [[2, 64, 64, 32, 8], [4, 128, 100, 32, 5]];
const rounds = 5;
const out = [];
for (const c of configs) {
  for (let r = 0; r < rounds; r++) {
    for (const [arm, dir] of r % 2 ? [['after', after], ['before', before]] : [['before', before], ['after', after]]) {
      const load = loadavg()[0];
      const p = spawnSync(process.execPath, [`${dir}/dist/bench/lib/shared-memory-ab.js`, 'unshared', ...c.map(String)], { encoding: 'utf8' });
      const j = JSON.parse(p.stdout.trim().split('\n').pop());
      out.push({ arm, round: r, config: j.config, meanMsPerStep: j.meanMsPerStep, medianMsPerStep: j.msPerStep, load });
      process.stderr.write(`${j.config} round ${r + 1} ${arm}: ${j.meanMsPerStep.toFixed(1)} ms/step mean (load ${load.toFixed(2)})\n`);
    }
  }
}
process.stdout.write(JSON.stringify(out) + '\n');
