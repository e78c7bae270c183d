/**
 * Same-run before/after of Add, LayerNorm and UnsortedSegmentSum on threads (issue #9): the
 * benchmark GPT step (bench/lib/gpt-step.ts) with those kernels as before (useThreadedSmallKernels
 * (false): one thread, the segment sum a JS loop) and split over the threads (true), at 1 and 2
 * threads, alternating within each round (order flipped every round) so load changes hit both alike. Both give the same bits: the last
 * losses of each pair are compared. Then per path at 2 threads: those kernels' time per step
 * (tf.profile, per-kernel best of 9 steps: 3 profiled steps per path, 3 times, paths alternating;
 * the minimum is what survives a loaded machine best).
 * Usage: node dist/bench/lib/small-kernels-ab.js [--rounds 7] [--steps 6] [--json FILE]
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadavg, cpus } from 'node:os';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { initBackend, setThreads } from '../../src/learning/backend.js';
import { useThreadedSmallKernels } from '../../src/learning/ops/index.js';
import { timeGptSteps, BENCH_CONFIGS, abOptions, median } from './gpt-step.js';
import { profileStep } from './profile-step.js';

const { rounds, steps, json } = abOptions(7);
const CONFIGS = BENCH_CONFIGS;
const THREADS = [1, 2];
const KERNELS = ['Add', 'TestbedsColumnSum', 'TestbedsLayerNorm', 'TestbedsLayerNormGrad', 'UnsortedSegmentSum'];

const fmt = (x: number, d = 1) => x.toFixed(d);

await initBackend('wasm', { threads: Math.max(...THREADS) });
const started = new Date().toISOString();
const load0 = loadavg()[0];
const samples: { config: string; round: number; threads: number; split: boolean; meanMs: number; bestMs: number; loss: number; load: number }[] = [];
for (const c of CONFIGS) {
  for (let round = 0; round < rounds; round++) {
    for (const n of THREADS) {
      await setThreads(n);
      for (const on of round % 2 ? [true, false] : [false, true]) {
        useThreadedSmallKernels(on);
        const load = loadavg()[0];
        const r = timeGptSteps(c.cfg, steps);
        samples.push({ config: c.name, round, threads: n, split: on, meanMs: r.mean, bestMs: r.best, loss: r.loss, load });
        process.stderr.write(`${c.name} round ${round + 1}, ${n} thread(s), ${on ? 'split' : 'one thread'}: ${fmt(r.mean)} ms/step (best ${fmt(r.best)}), loss ${r.loss}, load ${fmt(load, 2)}\n`);
      }
    }
  }
}
const profiles: { config: string; split: boolean; load: number; kernels: Record<string, { ms: number; n: number }>; total: number }[] = [];
await setThreads(2);
for (const c of CONFIGS) {
  const best = new Map<boolean, { load: number; p: Map<string, { ms: number; n: number }> }>();
  for (let rep = 0; rep < 3; rep++) {
    for (const on of rep % 2 ? [true, false] : [false, true]) {
      useThreadedSmallKernels(on);
      const load = loadavg()[0];
      const p = await profileStep(c.cfg, 3);
      const b = best.get(on);
      if (!b) best.set(on, { load, p });
      else for (const [name, e] of p) { const old = b.p.get(name); if (!old || e.ms < old.ms) b.p.set(name, e); }
    }
  }
  for (const on of [false, true]) {
    const { load, p } = best.get(on)!;
    const kernels = Object.fromEntries(KERNELS.map((k) => [k, p.get(k) ?? { ms: 0, n: 0 }]));
    let total = 0;
    for (const [name, e] of p) if (name !== 'forward' && name !== 'unnamed scope') total += e.ms;
    profiles.push({ config: c.name, split: on, load, kernels, total });
  }
}
useThreadedSmallKernels(true);
await setThreads(1);
const load1 = loadavg()[0];

const lines: string[] = [];
lines.push(`Measured ${started} on ${cpus().length}-core ${cpus()[0]?.model ?? 'CPU'}, Node ${process.versions.node}, tfjs ${tf.version_core}; load average ${fmt(load0, 2)} at the start, ${fmt(load1, 2)} at the end. ${rounds} rounds; in each, at each thread count, the step with Add, LayerNorm and UnsortedSegmentSum as before ("before": one thread; the segment sum a JS loop) and split over the threads ("after"; ColumnSum stays on one thread in both) back to back (order alternating), ${steps} timed steps after a warm-up step; ms are medians over rounds of the mean step, the speed-up is the median of per-round ratios.`);
lines.push('');
lines.push('| config | threads | before, ms/step | after, ms/step | speed-up (median of per-round ratios) | per-round ratios | speed-up of the best steps (median of per-round ratios) | same last loss, every round | load range |');
lines.push('|---|---:|---:|---:|---:|---|---:|---|---:|');
for (const c of CONFIGS) {
  for (const n of THREADS) {
    const pick = (on: boolean) => samples.filter((s) => s.config === c.name && s.threads === n && s.split === on);
    const [off, on] = [pick(false), pick(true)];
    const ratios = on.map((x) => off.find((y) => y.round === x.round)!.meanMs / x.meanMs);
    const bestRatios = on.map((x) => off.find((y) => y.round === x.round)!.bestMs / x.bestMs);
    const same = on.every((x) => Object.is(off.find((y) => y.round === x.round)!.loss, x.loss));
    const loads = [...off, ...on].map((s) => s.load);
    lines.push(`| ${c.name} | ${n} | ${fmt(median(off.map((s) => s.meanMs)))} | ${fmt(median(on.map((s) => s.meanMs)))} | ${fmt(median(ratios), 3)}× | ${ratios.map((r) => fmt(r, 2)).join(' ')} | ${fmt(median(bestRatios), 3)}× | ${same ? 'yes' : 'NO'} | ${fmt(Math.min(...loads), 2)}–${fmt(Math.max(...loads), 2)} |`);
  }
}
lines.push('');
lines.push('At 2 threads, kernel time per step (tf.profile, per-kernel best of 9 steps per path, paths alternating; ms, launches). "all kernels" sums every kernel\'s best, so it is below any one step\'s total:');
lines.push('');
lines.push(`| config | path | ${KERNELS.join(' | ')} | these ${KERNELS.length} | all kernels | load |`);
lines.push(`|---|---|${KERNELS.map(() => '---:|').join('')}---:|---:|---:|`);
for (const p of profiles) {
  const four = KERNELS.reduce((a, k) => a + p.kernels[k].ms, 0);
  lines.push(`| ${p.config} | ${p.split ? 'after (split)' : 'before (one thread)'} | ${KERNELS.map((k) => `${fmt(p.kernels[k].ms, 2)} (${p.kernels[k].n}×)`).join(' | ')} | ${fmt(four, 2)} | ${fmt(p.total)} | ${fmt(p.load, 2)} |`);
}
process.stdout.write(lines.join('\n') + '\n');
if (json) writeFileAtomic(json, JSON.stringify({ started, loadAverage: [load0, load1], rounds, steps, samples, profiles }, null, 1) + '\n', { force: true });
