/**
 * `testbeds bench attention`: the fused causal-attention kernels (assembly/attention), blocked
 * (index.ts) against the row-at-a-time kernels they replaced (reference.ts, the same bits), in one
 * run, interleaved round by round:
 *   1. the kernels alone, forward and backward, on the attention layers of the training benchmark's
 *      two models (packed qkv; L=2 d=64 T=64 B=32: 4 heads of 16; L=4 d=128 T=100 B=32: 4 heads
 *      of 32), on one thread, their own memory (bench/lib/attention-kernels.ts): ms per call and
 *      GFLOP/s (multiply and add counted apart);
 *   2. the whole training step of those models (bench/lib/gpt-step.ts, tfjs-wasm with our kernels,
 *      one thread) with either kernel (attentionKernelChoice), the losses compared bit for bit;
 *   3. the GELU kernels beside them (assembly/nn: clamps by pmin/pmax) against the GELU they
 *      replaced (geluForwardReference/…, the same bits for non-NaN input), on the MLP activations of
 *      the same two models ([B·T, 4d]), forward and backward.
 * Each figure is the fastest of its samples per round (benchmark.js for the kernels; 5 timed steps
 * per model and round for the step, the two models alternating), then the median over rounds;
 * ratios are per round (same round, same load), then their median. The load average is printed
 * beside every round: the machine may be shared. --json prints one object (every round, and the
 * markdown tables as `markdown`).
 *
 * Usage: testbeds bench attention [--rounds N] [--quick] [--no-step] [--no-gelu] [--json]
 */
import Benchmark from 'benchmark';
import { loadavg, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { initBackend } from '../src/learning/backend.js';
import { causalSelfAttention } from '../src/learning/ops/index.js';
import { attentionKernelChoice } from '../src/learning/ops/attention_kernels.js';
import { Rng } from '../src/random/prng.js';
import { AttentionRunner, attentionKernel, attentionFlops, type AttentionImpl } from './lib/attention-kernels.js';
import { GptStep, type GptConfig } from './lib/gpt-step.js';
import { loadKernel } from '../src/kernels/kernel.js';
import type { KernelExports } from '../src/kernels/arena.js';
import { wasmBase64 as nnWasm } from '../src/kernels/generated/nn.js';

interface GeluExports extends KernelExports {
  geluForward(x: number, y: number, n: number): void;
  geluBackward(x: number, dy: number, dx: number, n: number): void;
  geluForwardReference(x: number, y: number, n: number): void;
  geluBackwardReference(x: number, dy: number, dx: number, n: number): void;
}

const log = (s: string) => process.stderr.write(s + '\n');

const CONFIGS: { name: string; cfg: GptConfig }[] = [
  { name: 'L=2 d=64 T=64 B=32', cfg: { layers: 2, width: 64, heads: 4, length: 64, batch: 32, vocab: 8 } },
  { name: 'L=4 d=128 T=100 B=32', cfg: { layers: 4, width: 128, heads: 4, length: 100, batch: 32, vocab: 8 } },
];

const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

/** Fastest sample of `fn` (seconds) by benchmark.js. */
function fastest(name: string, fn: () => void, maxTime: number): number {
  const b = new Benchmark(name, fn, { minSamples: 5, maxTime, initCount: 1 });
  b.run();
  if (b.error) throw b.error;
  return Math.min(...b.stats.sample);
}

interface KernelRound { load: number; ms: Record<`${'forward' | 'backward'}-${AttentionImpl}`, number> }
interface StepRound { load: number; ms: Record<AttentionImpl, number>; sameLoss: boolean }

function fmt(x: number, d = 2): string {
  return x.toFixed(d);
}

export async function run(argv: string[]): Promise<void> {
  const opts = parseArgs({ args: argv, options: { rounds: { type: 'string' }, quick: { type: 'boolean' }, 'no-step': { type: 'boolean' }, 'no-gelu': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean' } } }).values;
  if (opts.help) {
    process.stdout.write('usage: testbeds bench attention [--rounds N] [--quick] [--no-step] [--no-gelu] [--json]\n');
    return;
  }
  const rounds = opts.rounds == null ? (opts.quick ? 1 : 5) : Number(opts.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100) throw new Error(`--rounds must be an integer in 1..100, got ${JSON.stringify(opts.rounds)}`);
  const maxTime = opts.quick ? 0.05 : 0.3;
  const startLoad = loadavg()[0];
  log(`bench attention: ${rounds} round(s), load ${fmt(startLoad)}`);

  // 1. The kernels alone.
  const k = await attentionKernel();
  const kernelRows = [];
  for (const { name, cfg } of CONFIGS) {
    const { batch: B, heads: H, length: T, width: d } = cfg;
    const hs = d / H;
    const rng = new Rng(7);
    const n = B * T * d;
    const input = Float32Array.from({ length: 3 * n }, () => rng.nextNormal());
    const dO = Float32Array.from({ length: n }, () => rng.nextNormal());
    const runner = new AttentionRunner(k, { B, H, T, hs, layout: 'packed', input, dO });
    const flops = attentionFlops(B, H, T, hs);
    const per: KernelRound[] = [];
    try {
      runner.forward('blocked'); // stats for the backward
      for (let r = 0; r < rounds; r++) {
        const ms = {} as KernelRound['ms'];
        for (const impl of ['reference', 'blocked'] as const) {
          ms[`forward-${impl}`] = 1e3 * fastest(`${name} forward ${impl}`, () => runner.forward(impl), maxTime);
          ms[`backward-${impl}`] = 1e3 * fastest(`${name} backward ${impl}`, () => runner.backward(impl), maxTime);
        }
        per.push({ load: loadavg()[0], ms });
        log(`  ${name} round ${r + 1}: forward ${fmt(ms['forward-reference'])} → ${fmt(ms['forward-blocked'])} ms, backward ${fmt(ms['backward-reference'])} → ${fmt(ms['backward-blocked'])} ms (load ${fmt(loadavg()[0])})`);
      }
    } finally {
      runner.dispose();
    }
    const med = (key: keyof KernelRound['ms']) => median(per.map((p) => p.ms[key]));
    const ratio = (f: (p: KernelRound) => number) => median(per.map(f));
    const total = (p: KernelRound, impl: AttentionImpl) => p.ms[`forward-${impl}`] + p.ms[`backward-${impl}`];
    kernelRows.push({
      config: name, B, H, T, hs, flopsForward: flops.forward, flopsBackward: flops.backward, rounds: per,
      forwardMs: { reference: med('forward-reference'), blocked: med('forward-blocked') },
      backwardMs: { reference: med('backward-reference'), blocked: med('backward-blocked') },
      speedup: {
        forward: ratio((p) => p.ms['forward-reference'] / p.ms['forward-blocked']),
        backward: ratio((p) => p.ms['backward-reference'] / p.ms['backward-blocked']),
        total: ratio((p) => total(p, 'reference') / total(p, 'blocked')),
      },
    });
  }

  // 2. The whole training step with either kernel.
  const stepRows = [];
  if (!opts['no-step']) {
    await initBackend('wasm');
    for (const { name, cfg } of CONFIGS) {
      const models = { reference: new GptStep(cfg, { attention: causalSelfAttention, fused: true }), blocked: new GptStep(cfg, { attention: causalSelfAttention, fused: true }) };
      const per: StepRound[] = [];
      const stepsPerRound = opts.quick ? 2 : 5;
      try {
        const loss: Record<AttentionImpl, number> = { reference: NaN, blocked: NaN };
        const step = (impl: AttentionImpl) => {
          attentionKernelChoice.reference = impl === 'reference';
          try {
            loss[impl] = models[impl].step();
          } finally {
            attentionKernelChoice.reference = false;
          }
        };
        step('reference');
        step('blocked');
        for (let r = 0; r < rounds; r++) {
          const ms = { reference: Infinity, blocked: Infinity };
          // Alternating steps (the load drifts less between the two), as many on both models, so
          // their losses are comparable bit for bit.
          for (let i = 0; i < stepsPerRound; i++) {
            for (const impl of ['reference', 'blocked'] as const) {
              const t0 = performance.now();
              step(impl);
              ms[impl] = Math.min(ms[impl], performance.now() - t0);
            }
          }
          const sameLoss = Object.is(loss.reference, loss.blocked);
          per.push({ load: loadavg()[0], ms, sameLoss });
          log(`  ${name} step round ${r + 1}: ${fmt(ms.reference, 1)} → ${fmt(ms.blocked, 1)} ms, losses ${loss.reference} / ${loss.blocked} (load ${fmt(loadavg()[0])})`);
        }
      } finally {
        models.reference.dispose();
        models.blocked.dispose();
      }
      const tokens = cfg.batch * cfg.length;
      const refMs = median(per.map((p) => p.ms.reference)), newMs = median(per.map((p) => p.ms.blocked));
      stepRows.push({
        config: name, rounds: per, stepMs: { reference: refMs, blocked: newMs },
        tokensPerSecond: { reference: (1e3 * tokens) / refMs, blocked: (1e3 * tokens) / newMs },
        speedup: median(per.map((p) => p.ms.reference / p.ms.blocked)), sameLoss: per.every((p) => p.sameLoss),
      });
    }
  }

  // 3. GELU on the MLP activations.
  const geluRows = [];
  if (!opts['no-gelu']) {
    const nn = await loadKernel<GeluExports>('nn', nnWasm);
    for (const { name, cfg } of CONFIGS) {
      const n = cfg.batch * cfg.length * 4 * cfg.width;
      const mark = nn.arena.mark();
      const per: { load: number; ms: Record<string, number> }[] = [];
      try {
        const [x, dy, y, dx] = [0, 1, 2, 3].map(() => nn.arena.alloc(4 * n));
        const rng = new Rng(11);
        const xs = new Float32Array(nn.arena.memory.buffer, x, n), dys = new Float32Array(nn.arena.memory.buffer, dy, n);
        for (let i = 0; i < n; i++) { xs[i] = 2 * rng.nextNormal(); dys[i] = rng.nextNormal(); }
        const e = nn.exports;
        const fns: Record<string, () => void> = {
          'forward-reference': () => e.geluForwardReference(x, y, n), 'forward-new': () => e.geluForward(x, y, n),
          'backward-reference': () => e.geluBackwardReference(x, dy, dx, n), 'backward-new': () => e.geluBackward(x, dy, dx, n),
        };
        for (let r = 0; r < rounds; r++) {
          const ms: Record<string, number> = {};
          for (const [key, f] of Object.entries(fns)) ms[key] = 1e3 * fastest(`${name} gelu ${key}`, f, maxTime);
          per.push({ load: loadavg()[0], ms });
          log(`  ${name} GELU on ${n} floats, round ${r + 1}: forward ${fmt(ms['forward-reference'], 3)} → ${fmt(ms['forward-new'], 3)} ms, backward ${fmt(ms['backward-reference'], 3)} → ${fmt(ms['backward-new'], 3)} ms (load ${fmt(loadavg()[0])})`);
        }
      } finally {
        nn.arena.reset(mark);
      }
      const med = (key: string) => median(per.map((p) => p.ms[key]));
      geluRows.push({
        config: name, elements: n, rounds: per,
        forwardMs: { reference: med('forward-reference'), new: med('forward-new') },
        backwardMs: { reference: med('backward-reference'), new: med('backward-new') },
        speedup: {
          forward: median(per.map((p) => p.ms['forward-reference'] / p.ms['forward-new'])),
          backward: median(per.map((p) => p.ms['backward-reference'] / p.ms['backward-new'])),
        },
      });
    }
  }

  const endLoad = loadavg()[0];
  const meta = { date: new Date().toISOString(), cpu: `${cpus().length}-core ${cpus()[0]?.model ?? '?'}`, node: process.version, rounds, load: [startLoad, endLoad] };
  const out: string[] = [];
  out.push(`Measured ${meta.date} on ${meta.cpu}, Node ${meta.node}, one thread; ${rounds} round(s), load average ${fmt(startLoad)} → ${fmt(endLoad)}. Medians over rounds of each round's fastest sample; speedups are per-round ratios (same round), then their median.`);
  out.push('');
  out.push('| attention layer (packed qkv) | forward ms: reference → blocked | backward ms: reference → blocked | fwd+bwd GFLOP/s: reference → blocked | speedup fwd / bwd / total |');
  out.push('|---|---:|---:|---:|---:|');
  for (const r of kernelRows) {
    const gf = (impl: AttentionImpl) => (r.flopsForward + r.flopsBackward) / (1e6 * (r.forwardMs[impl] + r.backwardMs[impl]));
    out.push(`| ${r.config}: B=${r.B} H=${r.H} T=${r.T} hs=${r.hs} | ${fmt(r.forwardMs.reference)} → ${fmt(r.forwardMs.blocked)} | ${fmt(r.backwardMs.reference)} → ${fmt(r.backwardMs.blocked)} | ${fmt(gf('reference'), 1)} → ${fmt(gf('blocked'), 1)} | ${fmt(r.speedup.forward)}× / ${fmt(r.speedup.backward)}× / **${fmt(r.speedup.total)}×** |`);
  }
  if (stepRows.length) {
    out.push('');
    out.push('| training step (tfjs-wasm, our kernels, 1 thread) | ms per step: reference → blocked | tokens/s: reference → blocked | speedup | same loss bits |');
    out.push('|---|---:|---:|---:|---|');
    for (const r of stepRows) {
      out.push(`| ${r.config} | ${fmt(r.stepMs.reference, 1)} → ${fmt(r.stepMs.blocked, 1)} | ${Math.round(r.tokensPerSecond.reference)} → ${Math.round(r.tokensPerSecond.blocked)} | ${fmt(r.speedup)}× | ${r.sameLoss ? 'yes' : '**no**'} |`);
    }
  }
  if (geluRows.length) {
    out.push('');
    out.push('| GELU on the MLP activations [B·T, 4d] | forward ms: reference → pmin/pmax | backward ms: reference → pmin/pmax | ns per element fwd / bwd (new) | speedup fwd / bwd |');
    out.push('|---|---:|---:|---:|---:|');
    for (const r of geluRows) {
      out.push(`| ${r.config}: ${r.elements} floats | ${fmt(r.forwardMs.reference, 3)} → ${fmt(r.forwardMs.new, 3)} | ${fmt(r.backwardMs.reference, 3)} → ${fmt(r.backwardMs.new, 3)} | ${fmt((1e6 * r.forwardMs.new) / r.elements)} / ${fmt((1e6 * r.backwardMs.new) / r.elements)} | ${fmt(r.speedup.forward)}× / ${fmt(r.speedup.backward)}× |`);
    }
  }
  const markdown = out.join('\n') + '\n';
  process.stdout.write(opts.json ? JSON.stringify({ ...meta, kernels: kernelRows, steps: stepRows, gelu: geluRows, markdown }, null, 1) + '\n' : markdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run(process.argv.slice(2));
