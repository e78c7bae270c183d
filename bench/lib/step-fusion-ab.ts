/**
 * Same-run before/after of the step kernels that replaced tf-op chains (issue #9, item 2): the
 * benchmark GPT step (bench/lib/gpt-step.ts, our fused ops) with the fused AdamW kernel, the
 * sharing Identity and the row-gather embedding all OFF (the tf-op path, as before) and all ON,
 * alternating within each round (order flipped every round) so load changes hit both alike.
 * Both paths give the same bits: the last loss of each pair is compared. Also per path: kernel
 * launches per step and the kernel-time profile (tf.profile, best of 3 steps per kernel), and the
 * step's wall time outside kernels.
 * Usage: node dist/bench/lib/step-fusion-ab.js [--rounds 5] [--steps 6] [--json FILE]
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadavg, cpus } from 'node:os';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { initBackend } from '../../src/learning/backend.js';
import { useFusedAdamW, shareIdentity, useFusedGather } from '../../src/learning/ops/index.js';
import { timeGptSteps, BENCH_CONFIGS, abOptions, median } from './gpt-step.js';
import { profileStep, profileGroups, launches, topOther } from './profile-step.js';

const { rounds, steps, json } = abOptions(5);
const CONFIGS = BENCH_CONFIGS;

function fusion(on: boolean): void {
  useFusedAdamW(on);
  shareIdentity(on);
  useFusedGather(on);
}


const fmt = (x: number, d = 1) => x.toFixed(d);

await initBackend('wasm');
const started = new Date().toISOString();
const load0 = loadavg()[0];
const samples: { config: string; round: number; fused: boolean; meanMs: number; bestMs: number; loss: number; load: number }[] = [];
for (const c of CONFIGS) {
  for (let round = 0; round < rounds; round++) {
    for (const on of round % 2 ? [true, false] : [false, true]) {
      fusion(on);
      const load = loadavg()[0];
      const r = timeGptSteps(c.cfg, steps);
      samples.push({ config: c.name, round, fused: on, meanMs: r.mean, bestMs: r.best, loss: r.loss, load });
      process.stderr.write(`${c.name} round ${round + 1} ${on ? 'fused' : 'tf ops'}: ${fmt(r.mean)} ms/step (best ${fmt(r.best)}), loss ${r.loss}, load ${fmt(load, 2)}\n`);
    }
  }
}
const profiles: { config: string; fused: boolean; groups: ReturnType<typeof profileGroups>; launches: number; top: string; outsideMs: number }[] = [];
for (const c of CONFIGS) {
  for (const on of [false, true]) {
    fusion(on);
    const steps: { wallMs: number; kernelMs: number }[] = [];
    const p = await profileStep(c.cfg, 3, steps);
    const outside = median(steps.map((x) => x.wallMs - x.kernelMs));
    profiles.push({ config: c.name, fused: on, groups: profileGroups(p), launches: launches(p), top: topOther(p, 6), outsideMs: outside });
  }
}
fusion(true);
const load1 = loadavg()[0];

const lines: string[] = [];
lines.push(`Measured ${started} on ${cpus().length}-core ${cpus()[0]?.model ?? 'CPU'}, Node ${process.versions.node}, tfjs ${tf.version_core}, one thread; load average ${fmt(load0, 2)} at the start, ${fmt(load1, 2)} at the end. ${rounds} rounds, each the tf-op path and the fused path back to back (order alternating), ${steps} timed steps after a warm-up step; medians over rounds, ratio = median of per-round ratios of mean step times.`);
lines.push('');
lines.push('| config | tf-op path, ms/step | fused, ms/step | speed-up (tokens/s ratio) | same last loss, every round | load range |');
lines.push('|---|---:|---:|---:|---|---:|');
for (const c of CONFIGS) {
  const off = samples.filter((s) => s.config === c.name && !s.fused);
  const on = samples.filter((s) => s.config === c.name && s.fused);
  const ratios = on.map((x) => off.find((y) => y.round === x.round)!.meanMs / x.meanMs);
  const same = on.every((x) => Object.is(off.find((y) => y.round === x.round)!.loss, x.loss));
  const loads = samples.filter((s) => s.config === c.name).map((s) => s.load);
  lines.push(`| ${c.name} | ${fmt(median(off.map((s) => s.meanMs)))} | ${fmt(median(on.map((s) => s.meanMs)))} | ${fmt(median(ratios), 2)}× | ${same ? 'yes' : 'NO'} | ${fmt(Math.min(...loads), 2)}–${fmt(Math.max(...loads), 2)} |`);
}
lines.push('');
lines.push('Kernel time per step (tf.profile, per-kernel best of 3 steps, ms) and launches; "outside kernels" = a profiled step\'s wall time − the sum of its own kernels, median of the 3 (JS dispatch, autodiff bookkeeping, tf.profile\'s records).');
lines.push('');
lines.push('| config | path | our gemm | attention | GELU | AdamW (fused) | other tfjs kernels | all kernels | launches per step | outside kernels |');
lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const p of profiles) {
  const g = p.groups;
  lines.push(`| ${p.config} | ${p.fused ? 'fused' : 'tf ops'} | ${fmt(g.gemm)} | ${fmt(g.attention)} | ${fmt(g.gelu)} | ${fmt(g.adamw)} | ${fmt(g.other)} | ${fmt(g.total)} | ${p.launches} | ${fmt(p.outsideMs)} |`);
}
lines.push('');
lines.push('Largest "other" kernels (ms per step, launches):');
lines.push('');
for (const p of profiles) lines.push(`- ${p.config}, ${p.fused ? 'fused' : 'tf ops'}: ${p.top}`);
process.stdout.write(lines.join('\n') + '\n');
if (json) writeFileAtomic(json, JSON.stringify({ started, loadAverage: [load0, load1], rounds, steps, samples, profiles }, null, 1) + '\n', { force: true });
