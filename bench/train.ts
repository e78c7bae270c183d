/**
 * Training-speed benchmark for src/learning: tokens/s of one GPT training step (bench/lib/gpt-step.ts)
 * on tfjs-wasm with our ops (fused attention/LayerNorm/GELU kernels and our gemm for dense layers),
 * the same with XNNPACK's matMul, plain tfjs ops, naive ops (default matMul gradients with
 * transpose flags), tfjs-cpu, and PyTorch at 1 and 2 threads (bench/torch_peer.py with the system
 * python3; skipped cleanly when torch is missing), all in one run so the ratios compare like with
 * like. The peer reports the BLAS it really ran on: a torch on the netlib reference BLAS is printed
 * as such and never as "PyTorch-CPU" (bench/lib/torch-peer.ts). Also: the WASM-SIMD ceiling of
 * this machine and our gemm's GFLOP/s against it and XNNPACK (bench/lib/gemm-speed.ts), and a
 * check that L=8, d=128, T=100, B=32 trains within 2 GB.
 *
 * Usage: testbeds bench train (or node dist/bench/train.js) [--quick] [--rounds N] [--torch-threads 1,2] [--no-cpu] [--no-naive] [--no-torch] [--no-gemm] [--no-memory] [--docs bench/results/train.md] [--json]
 *
 * `--threads 1,2` is the thread-scaling run instead (threadsMain): ours on each thread count
 * (initBackend's `threads`, our kernels on worker threads) against PyTorch on the same count,
 * interleaved round by round, medians over rounds, the load average beside every figure; then our
 * GEMM at each thread count against the WASM-SIMD ceiling measured on as many threads, and
 * PyTorch's BLAS at the same counts, and the step's kernel-time profile at each count
 * (--no-profile skips it). It writes its own block of --docs (threads markers).
 */
import * as tf from '@tensorflow/tfjs-core';
import Benchmark from 'benchmark';
import { spawnSync } from 'node:child_process';
import { mkdirSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../src/io/atomic.js';
import { dirname } from 'node:path';
import { loadavg, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { initBackend, setThreads, threadCount, type WasmBackendInternals } from '../src/learning/backend.js';
import { causalSelfAttention, causalSelfAttentionReference, useRelaxedSimd, relaxedSimdSupported } from '../src/learning/ops/index.js';
import { GptStep, type GptConfig, type OpSet, timeGptSteps, BENCH_CONFIGS, median } from './lib/gpt-step.js';
import { runTorchPeer, torchLabel, type TorchResult } from './lib/torch-peer.js';
import { profileStep, profileGroups, launches, topOther, stepWithGemmAtCeiling } from './lib/profile-step.js';
import { simdPeak, gemmSpeed, denseShapes, addTorchGemm, gemmSpeedThreads, torchGemmGflops, type PeakResult, type GemmRow, type GemmThreadsRow } from './lib/gemm-speed.js';

const parseOpts = (args: string[]) =>
  parseArgs({
    args,
    options: {
    quick: { type: 'boolean' },
    'no-cpu': { type: 'boolean' },
    'no-naive': { type: 'boolean' },
    'no-torch': { type: 'boolean' },
    'no-memory': { type: 'boolean' },
    'no-gemm': { type: 'boolean' },
    rounds: { type: 'string' },
    'torch-threads': { type: 'string' },
    threads: { type: 'string' },
    steps: { type: 'string' },
    'no-profile': { type: 'boolean' },
    'memory-only': { type: 'boolean' },
    docs: { type: 'string' },
    json: { type: 'boolean' },
    },
  }).values;
let opts: ReturnType<typeof parseOpts> = {};
const log = (s: string) => process.stderr.write(s + '\n');

const CONFIGS = BENCH_CONFIGS;

interface Variant {
  name: string;
  fused?: boolean; // ours and its gemm alternatives: measured in every round, beside the peer
  relaxed?: boolean; // our gemm with relaxed-SIMD FMA (opt-in; only when the runtime supports it)
  backend: 'wasm' | 'cpu';
  ops: OpSet;
  samples: number;
}

const variants = (samples: number): Variant[] => [
  { name: 'tfjs-wasm, fused + our gemm (ours)', backend: 'wasm', ops: { attention: causalSelfAttention, fused: true }, samples, fused: true },
  ...(relaxedSimdSupported() ? [{ name: 'tfjs-wasm, fused + our gemm with relaxed-SIMD FMA (opt-in, not bit-identical)', backend: 'wasm' as const, ops: { attention: causalSelfAttention, fused: true }, samples, relaxed: true, fused: true }] : []),
  { name: 'tfjs-wasm, fused + XNNPACK matMul', backend: 'wasm', ops: { attention: causalSelfAttention, fused: true, xnnpack: true }, samples, fused: true },
  { name: 'tfjs-wasm, plain ops', backend: 'wasm', ops: { attention: causalSelfAttentionReference, fused: false }, samples },
  ...(opts['no-naive'] ? [] : [{ name: 'tfjs-wasm, naive ops', backend: 'wasm' as const, ops: { attention: causalSelfAttentionReference, fused: false, naive: true }, samples: 2 }]),
  ...(opts['no-cpu'] ? [] : [{ name: 'tfjs-cpu, plain ops', backend: 'cpu' as const, ops: { attention: causalSelfAttentionReference, fused: false }, samples: 1 }]),
];

interface Row {
  config: string;
  variant: string;
  stepsPerSecond: number; // mean over samples
  tokensPerSecond: number;
  bestTokensPerSecond: number; // fastest sample: the robust figure on a shared machine
  samples: number;
  loss: number;
}

/** Times `step` with benchmark.js: one step per cycle (each is ≫ the timer resolution). */
function timeSteps(name: string, step: () => number, minSamples: number): { hz: number; best: number; n: number; loss: number } {
  let loss = NaN;
  const bench = new Benchmark(name, () => { loss = step(); }, { minSamples, maxTime: 0.5, initCount: 1, minTime: 0.01 });
  bench.run();
  if (bench.error) throw bench.error;
  return { hz: bench.hz, best: 1 / Math.min(...bench.stats.sample), n: bench.stats.sample.length, loss };
}

async function measure(config: { name: string; cfg: GptConfig }, v: Variant): Promise<Row> {
  await initBackend(v.backend);
  useRelaxedSimd(!!v.relaxed);
  const model = new GptStep(config.cfg, v.ops);
  try {
    // Warm-up (kernel setup, XNNPACK operator caches), except on tfjs-cpu where one step takes
    // minutes and has no such setup.
    if (v.backend !== 'cpu') model.step();
    const { hz, best, n, loss } = timeSteps(`${config.name} ${v.name}`, () => model.step(), v.samples);
    const tokens = config.cfg.batch * config.cfg.length;
    return { config: config.name, variant: v.name, stepsPerSecond: hz, tokensPerSecond: hz * tokens, bestTokensPerSecond: best * tokens, samples: n, loss };
  } finally {
    model.dispose();
    useRelaxedSimd(false);
  }
}

function wasmHeapBytes(): number {
  const b = tf.findBackend('wasm') as unknown as WasmBackendInternals | null;
  return b ? b.wasm.HEAPU8.buffer.byteLength : 0;
}

interface MemoryResult { config: string; steps: number; secondsPerStep: number; tfjsWasmHeapMB: number; rssMB: number; numTensors: number; ok: boolean }

/**
 * Runs the memory check in a fresh Node process: the wasm heap only grows, so in this process it
 * would show the high-water mark of the earlier (plain-ops, T×T-tensor) runs, not L=8's own need.
 */
function memoryCheckInChild(): MemoryResult | { error: string } {
  const self = new URL(import.meta.url).pathname;
  const r = spawnSync(process.execPath, [self, '--memory-only'], { encoding: 'utf8', timeout: 1_200_000 });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as MemoryResult;
  } catch {
    return { error: `memory check exited ${r.status}: ${(r.stderr ?? '').trim().split('\n').pop()}` };
  }
}

async function memoryCheck(): Promise<MemoryResult> {
  const cfg: GptConfig = { layers: 8, width: 128, heads: 4, length: 100, batch: 32, vocab: 8 };
  await initBackend('wasm');
  const model = new GptStep(cfg, { attention: causalSelfAttention, fused: true });
  try {
    const steps = 2;
    model.step();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) model.step();
    const secondsPerStep = (performance.now() - t0) / 1000 / steps;
    const heap = wasmHeapBytes();
    const rss = process.memoryUsage().rss;
    return {
      config: 'L=8 d=128 T=100 B=32', steps: steps + 1, secondsPerStep,
      tfjsWasmHeapMB: heap / 2 ** 20, rssMB: rss / 2 ** 20,
      numTensors: tf.memory().numTensors, ok: heap < 2 * 2 ** 30 && rss < 2 * 2 ** 30,
    };
  } finally {
    model.dispose();
  }
}

const BEGIN = '<!-- bench/train.ts:begin -->';
const END = '<!-- bench/train.ts:end -->';

/** Replaces the measured block between the markers in `path` (creating the file if needed). */
function writeDocs(path: string, md: string, BEGIN = '<!-- bench/train.ts:begin -->', END = '<!-- bench/train.ts:end -->'): void {
  mkdirSync(dirname(path), { recursive: true });
  let text = existsSync(path) ? readFileSync(path, 'utf8') : `# Training speed\n\n${BEGIN}\n${END}\n`;
  if (!text.includes(BEGIN) || !text.includes(END)) text += `\n${BEGIN}\n${END}\n`;
  const before = text.slice(0, text.indexOf(BEGIN) + BEGIN.length);
  const after = text.slice(text.indexOf(END));
  writeFileAtomic(path, `${before}\n${md}\n${after}`, { force: true }); // the rest of the file is kept, whole
  log(`wrote ${path}`);
}

const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—');

async function main(): Promise<void> {
  const samples = opts.quick ? 2 : 6;
  const rounds = opts.rounds != null ? Number(opts.rounds) : opts.quick ? 1 : 2;
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error(`--rounds must be an integer in 1..20, got ${JSON.stringify(opts.rounds)}`);
  const torchThreads = (opts['torch-threads'] ?? '1,2').split(',').map(Number);
  if (torchThreads.some((t) => !Number.isInteger(t) || t < 1 || t > 64)) throw new Error(`--torch-threads must be a list of thread counts like 1,2, got ${JSON.stringify(opts['torch-threads'])}`);
  const VARIANTS = variants(samples);
  const started = new Date().toISOString();
  const load0 = loadavg()[0];
  const rows: Row[] = [];
  const torch: Record<string, TorchResult[]> = {};
  for (const c of CONFIGS) {
    // Ours, its relaxed-SIMD and XNNPACK variants and the PyTorch peer (1 and 2 threads) alternate
    // for `rounds` rounds, so load changes on a shared machine hit all of them alike; the slow
    // baselines (plain, naive ops, tfjs-cpu) run once after.
    const inRounds = VARIANTS.filter((v) => v.fused);
    const once = VARIANTS.filter((v) => !v.fused);
    const runs = new Map<string, Row[]>();
    for (let round = 0; round < rounds; round++) {
      for (const v of inRounds) {
        log(`${c.name}: ${v.name} (round ${round + 1}) ...`);
        const r = await measure(c, v);
        runs.set(v.name, [...(runs.get(v.name) ?? []), r]);
        log(`  ${fmt(r.tokensPerSecond, 0)} tokens/s mean, ${fmt(r.bestTokensPerSecond, 0)} best (${fmt(r.stepsPerSecond, 2)} steps/s, ${r.samples} samples)`);
      }
      if (opts['no-torch']) continue;
      for (const threads of torchThreads) {
        log(`${c.name}: PyTorch peer, ${threads} thread(s) (round ${round + 1}) ...`);
        const t = runTorchPeer(c.cfg, samples, threads);
        (torch[c.name] ??= []).push(t);
        log(t.ok ? `  ${fmt(t.tokensPerSecond!, 0)} tokens/s mean, ${fmt(t.bestTokensPerSecond!, 0)} best (${torchLabel(t).label}; BLAS ${t.blas?.library}, ${t.blas?.blasThreads ?? '?'} BLAS threads, torch.mm ${fmt(t.blas?.mmGflops ?? NaN)} GFLOP/s)` : `  skipped: ${t.reason}`);
      }
    }
    for (const v of inRounds) rows.push(mergeRuns(runs.get(v.name)!));
    for (const v of once) {
      log(`${c.name}: ${v.name} ...`);
      const r = await measure(c, v);
      rows.push(r);
      log(`  ${fmt(r.tokensPerSecond, 0)} tokens/s mean, ${fmt(r.bestTokensPerSecond, 0)} best (${fmt(r.stepsPerSecond, 2)} steps/s, ${r.samples} samples)`);
    }
  }
  let peak: PeakResult | null = null;
  let gemm: GemmRow[] = [];
  if (!opts['no-gemm']) {
    log('WASM-SIMD ceiling and dense-layer GEMM throughput ...');
    peak = await simdPeak(opts.quick ? 10 : 40);
    gemm = await gemmSpeed([...denseShapes(64, 32 * 64), ...denseShapes(128, 32 * 100)], peak.peak, opts.quick ? 3 : 12);
    if (!opts['no-torch']) {
      const why = addTorchGemm(gemm, 1);
      if (why) log(`PyTorch GEMM column skipped: ${why}`);
    }
  }
  log('memory check: L=8 d=128 T=100 B=32 in a fresh process ...');
  const memoryRaw = opts['no-memory'] ? null : memoryCheckInChild();
  if (memoryRaw) log(`memory: ${JSON.stringify(memoryRaw)}`);
  const memory = memoryRaw && 'ok' in memoryRaw ? memoryRaw : null;
  const load1 = loadavg()[0];

  const oursRow = (cfgName: string) => rows.find((r) => r.config === cfgName && r.variant === VARIANTS[0].name)!;
  const table: string[] = [];
  table.push('| config | variant | threads | tokens/s, mean | tokens/s, best step | steps | ours ÷ this (best) | ours ÷ this (mean) |');
  table.push('|---|---|---:|---:|---:|---:|---:|---:|');
  const peers: string[] = [];
  for (const c of CONFIGS) {
    const o = oursRow(c.name);
    const line = (variant: string, threads: number | string, mean: number, best: number, n: number) =>
      table.push(`| ${c.name} | ${variant} | ${threads} | ${fmt(mean, 0)} | ${fmt(best, 0)} | ${n} | ${fmt(o.bestTokensPerSecond / best, 2)}× | ${fmt(o.tokensPerSecond / mean, 2)}× |`);
    for (const r of rows.filter((x) => x.config === c.name)) line(r.variant, 1, r.tokensPerSecond, r.bestTokensPerSecond, r.samples);
    for (const threads of [1, 2]) {
      const runs = (torch[c.name] ?? []).filter((t) => t.ok && t.threads === threads);
      const failed = (torch[c.name] ?? []).find((t) => !t.ok);
      if (runs.length === 0) {
        if (failed) table.push(`| ${c.name} | PyTorch | ${threads} | skipped (${failed.reason}) | | | | |`);
        continue;
      }
      const t = mergeTorch(runs);
      const { label, honest } = torchLabel(t);
      line(honest ? label : `**${label}**`, threads, t.tokensPerSecond!, t.bestTokensPerSecond!, t.steps!);
      if (threads === 1) peers.push(`${label.replace(/ \(1 thread\)$/, '')}: BLAS library ${t.blas?.library || '—'} (libblas.so.3 → ${t.blas?.alternative || '—'}, BLAS_INFO=${t.blas?.config || '—'}), torch.mm 512² at ${fmt(t.blas?.mmGflops ?? NaN)} GFLOP/s.`);
    }
  }
  // Against the peer: each of our gemm modes ÷ honest PyTorch at 1 and 2 threads (best, mean).
  const versus: string[] = [];
  for (const c of CONFIGS) {
    for (const threads of [1, 2]) {
      const okRuns = (torch[c.name] ?? []).filter((t) => t.ok && t.threads === threads);
      if (okRuns.length === 0) continue;
      const t = mergeTorch(okRuns);
      const { label, honest } = torchLabel(t);
      for (const r of rows.filter((x) => x.config === c.name && (x.variant === VARIANTS[0].name || x.variant.includes('relaxed')))) {
        const mode = r.variant.includes('relaxed') ? 'ours, relaxed-SIMD FMA (opt-in)' : 'ours (deterministic)';
        versus.push(`| ${c.name} | ${mode}, 1 thread | ${honest ? label : `${label} — NOT the peer`} | ${fmt(r.bestTokensPerSecond / t.bestTokensPerSecond!, 2)}× | ${fmt(r.tokensPerSecond / t.tokensPerSecond!, 2)}× |`);
      }
    }
  }
  const machine = `${cpus().length}-core ${cpus()[0]?.model ?? 'CPU'}, Node ${process.versions.node}, tfjs ${tf.version_core}; load average ${fmt(load0, 1)} → ${fmt(load1, 1)} (a VM shared with other jobs: absolute figures are low and noisy, the same-run ratios are what to read)`;
  const result = { started, machine, loadAverage: [load0, load1], oursThreads: 1, rows, torch, peak, gemm, memory };

  const gemmTable: string[] = [];
  if (peak) {
    gemmTable.push(`WASM-SIMD ceiling on this machine, one thread: mul→add chains (x ← x·m + a, 12 independent f32x4 chains) ${fmt(peak.mulAddChains)} GFLOP/s; gemm's 4×8 inner loop on operands in L1 (8 add-only chains) ${fmt(peak.accumulateChains)} GFLOP/s; peak = the larger, ${fmt(peak.peak)} GFLOP/s.` +
      (peak.relaxed ? ` With relaxed SIMD (f32x4.relaxed_madd, opt-in): ${fmt(peak.relaxed.mulAddChains)} and ${fmt(peak.relaxed.accumulateChains)} GFLOP/s.` : ' Relaxed SIMD not available in this runtime (Node 20: --experimental-wasm-relaxed-simd).'));
    gemmTable.push('');
    const hasRelaxed = gemm.some((g) => g.relaxedGflops != null);
    const hasTorch = gemm.some((g) => g.torchGflops != null);
    gemmTable.push(`| dense product | mode | M×N×K | ours GFLOP/s | XNNPACK GFLOP/s | ours ÷ XNNPACK | ours ÷ SIMD peak |${hasRelaxed ? ' ours, relaxed FMA GFLOP/s |' : ''}${hasTorch ? ' PyTorch BLAS, 1 thread, GFLOP/s |' : ''}`);
    gemmTable.push(`|---|---|---|---:|---:|---:|---:|${hasRelaxed ? '---:|' : ''}${hasTorch ? '---:|' : ''}`);
    for (const g of gemm) gemmTable.push(`| ${g.shape} | ${g.mode} | ${g.M}×${g.N}×${g.K} | ${fmt(g.oursGflops)} | ${fmt(g.xnnpackGflops)} | ${fmt(g.oursGflops / g.xnnpackGflops, 2)}× | ${fmt(100 * g.oursOfPeak, 0)}% |${hasRelaxed ? ` ${fmt(g.relaxedGflops ?? NaN)} |` : ''}${hasTorch ? ` ${fmt(g.torchGflops ?? NaN)} |` : ''}`);
  }
  const md = [
    `Measured ${started} on ${machine}. Ours runs on one thread in this run, so the 2-thread PyTorch rows compare one of our threads with two of theirs; "--threads 1,2" is the run with ours on 2 threads against PyTorch on 2.`,
    '',
    ...(versus.length ? ['| config | ours | PyTorch | ours ÷ PyTorch (best step) | ours ÷ PyTorch (mean) |', '|---|---|---|---:|---:|', ...versus, ''] : []),
    ...table,
    '',
    ...peers,
    '',
    ...gemmTable,
    '',
    memory
      ? `Memory (fresh process): L=8 d=128 T=100 B=32 trained ${memory.steps} steps at ${fmt(memory.secondsPerStep, 2)} s/step with the tfjs wasm heap (which our kernels share) at ${fmt(memory.tfjsWasmHeapMB, 0)} MB and process RSS ${fmt(memory.rssMB, 0)} MB: ${memory.ok ? 'within' : 'NOT within'} 2 GB.`
      : memoryRaw ? `Memory check failed: ${(memoryRaw as { error: string }).error}` : '',
  ].join('\n');
  process.stderr.write('\n' + md + '\n');
  if (opts.docs) writeDocs(opts.docs, md);
  if (opts.json) process.stdout.write(JSON.stringify(result) + '\n');
}

interface ThreadSample { config: string; round: number; threads: number; side: 'ours' | 'ours-relaxed' | 'torch' | 'torch-passive' | 'unshared'; tokensPerSecond: number; bestTokensPerSecond: number; load: number; loss?: number }



/** The --threads run (see the header): ours and PyTorch at each thread count, then GEMM against the ceilings. */
async function threadsMain(): Promise<void> {
  const threadList = opts.threads!.split(',').map(Number);
  if (threadList.length === 0 || threadList.some((t) => !Number.isInteger(t) || t < 1 || t > 64)) throw new Error(`--threads must be a list of thread counts like 1,2, got ${JSON.stringify(opts.threads)}`);
  const rounds = opts.rounds != null ? Number(opts.rounds) : opts.quick ? 1 : 5;
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error(`--rounds must be an integer in 1..20, got ${JSON.stringify(opts.rounds)}`);
  const steps = opts.steps != null ? Number(opts.steps) : opts.quick ? 2 : 6;
  if (!Number.isInteger(steps) || steps < 1 || steps > 100) throw new Error(`--steps must be an integer in 1..100, got ${JSON.stringify(opts.steps)}`);
  const max = Math.max(...threadList);
  await initBackend('wasm', { threads: max });
  if (threadCount() !== max) throw new Error(`asked for ${max} threads, the backend runs ${threadCount()}`);
  const started = new Date().toISOString();
  const load0 = loadavg()[0];
  const samples: ThreadSample[] = [];
  const torchInfo: Record<number, TorchResult> = {};
  for (const c of CONFIGS) {
    const tokens = c.cfg.batch * c.cfg.length;
    for (let round = 0; round < rounds; round++) {
      // Ours on one thread with tfjs' usual unshared memory, in a fresh process: does sharing the
      // memory (which threads need) cost the one-thread figure anything?
      const abLoad = loadavg()[0];
      const ab = spawnSync(process.execPath, [new URL('./lib/shared-memory-ab.js', import.meta.url).pathname, 'unshared', ...[c.cfg.layers, c.cfg.width, c.cfg.length, c.cfg.batch, steps].map(String)], { encoding: 'utf8', timeout: 600_000 });
      try {
        const r = JSON.parse((ab.stdout ?? '').trim().split('\n').pop() ?? '') as { meanMsPerStep: number; msPerStep: number };
        samples.push({ config: c.name, round, threads: 1, side: 'unshared', tokensPerSecond: (1000 * tokens) / r.meanMsPerStep, bestTokensPerSecond: NaN, load: abLoad });
        log(`${c.name} round ${round + 1}: ours, 1 thread, unshared memory (fresh process): ${fmt((1000 * tokens) / r.meanMsPerStep, 0)} tokens/s (load ${fmt(abLoad, 2)})`);
      } catch {
        log(`  unshared-memory run failed: ${(ab.stderr ?? '').trim().split('\n').pop()}`);
      }
      for (const n of threadList) {
        await setThreads(n);
        const load = loadavg()[0];
        const o = timeGptSteps(c.cfg, steps);
        samples.push({ config: c.name, round, threads: n, side: 'ours', tokensPerSecond: (1000 * tokens) / o.mean, bestTokensPerSecond: (1000 * tokens) / o.best, load, loss: o.loss });
        log(`${c.name} round ${round + 1}: ours, ${n} thread(s): ${fmt((1000 * tokens) / o.mean, 0)} tokens/s (load ${fmt(load, 2)}, loss ${o.loss})`);
        // The opt-in relaxed-SIMD gemm (FMA; not bit-identical), where the runtime has relaxed SIMD
        // (Chromium; Node 20 with --experimental-wasm-relaxed-simd).
        if (relaxedSimdSupported()) {
          const rload = loadavg()[0];
          useRelaxedSimd(true);
          try {
            const or = timeGptSteps(c.cfg, steps);
            samples.push({ config: c.name, round, threads: n, side: 'ours-relaxed', tokensPerSecond: (1000 * tokens) / or.mean, bestTokensPerSecond: (1000 * tokens) / or.best, load: rload, loss: or.loss });
            log(`${c.name} round ${round + 1}: ours, relaxed-SIMD gemm (opt-in), ${n} thread(s): ${fmt((1000 * tokens) / or.mean, 0)} tokens/s (load ${fmt(rload, 2)})`);
          } finally {
            useRelaxedSimd(false);
          }
        }
        if (opts['no-torch']) continue;
        const tload = loadavg()[0];
        const t = runTorchPeer(c.cfg, steps, n);
        if (!t.ok) { log(`  PyTorch skipped: ${t.reason}`); continue; }
        torchInfo[n] = t;
        samples.push({ config: c.name, round, threads: n, side: 'torch', tokensPerSecond: t.tokensPerSecond!, bestTokensPerSecond: t.bestTokensPerSecond!, load: tload, loss: t.loss });
        log(`${c.name} round ${round + 1}: ${torchLabel(t).label}: ${fmt(t.tokensPerSecond!, 0)} tokens/s (load ${fmt(tload, 2)})`);
        // The strongest multi-thread peer we can run here: PyTorch's default OpenMP workers spin
        // between regions, which on a 2-core VM can cost it more than the second thread gains.
        if (n < 2) continue;
        const pload = loadavg()[0];
        const tp = runTorchPeer(c.cfg, steps, n, { OMP_WAIT_POLICY: 'PASSIVE' });
        if (!tp.ok) { log(`  PyTorch (OMP_WAIT_POLICY=PASSIVE) skipped: ${tp.reason}`); continue; }
        samples.push({ config: c.name, round, threads: n, side: 'torch-passive', tokensPerSecond: tp.tokensPerSecond!, bestTokensPerSecond: tp.bestTokensPerSecond!, load: pload, loss: tp.loss });
        log(`${c.name} round ${round + 1}: ${torchLabel(tp).label}, OMP_WAIT_POLICY=PASSIVE: ${fmt(tp.tokensPerSecond!, 0)} tokens/s (load ${fmt(pload, 2)})`);
      }
    }
  }
  let ceilings: Record<number, number> = {};
  let gemm: GemmThreadsRow[] = [];
  const torchGemm: Record<number, number[] | string> = {};
  if (!opts['no-gemm']) {
    log('WASM-SIMD ceiling and GEMM at each thread count ...');
    ({ rows: gemm, ceilings } = await gemmSpeedThreads([...denseShapes(64, 32 * 64), ...denseShapes(128, 32 * 100)], threadList, opts.quick ? 2 : 20, opts.quick ? 5 : 30));
    if (!opts['no-torch']) for (const n of threadList) torchGemm[n] = torchGemmGflops(gemm.map((r) => [r.M, r.N, r.K, r.mode]), n);
  }
  // Where the step's kernel time goes at each thread count (tf.profile, per-kernel best of 3 steps).
  const profiles: { config: string; threads: number; load: number; groups: ReturnType<typeof profileGroups>; launches: number; top: string }[] = [];
  const profileReps = opts.quick ? 1 : 6; // per-kernel best of 6 steps: on the VM a 2-thread step varies by 20%
  if (!opts['no-profile']) {
    for (const c of CONFIGS) {
      for (const n of threadList) {
        await setThreads(n);
        const load = loadavg()[0];
        const prof = await profileStep(c.cfg, profileReps);
        profiles.push({ config: c.name, threads: n, load, groups: profileGroups(prof), launches: launches(prof), top: topOther(prof, 5) });
      }
    }
  }
  await setThreads(1);
  const load1 = loadavg()[0];

  const range = (xs: number[]) => (xs.length ? `${fmt(Math.min(...xs), 1)}–${fmt(Math.max(...xs), 1)}` : '—');
  const pick = (cfg: string, side: ThreadSample['side'], n: number) => samples.filter((x) => x.config === cfg && x.side === side && x.threads === n);
  const lines: string[] = [];
  const machine = `${cpus().length}-core ${cpus()[0]?.model ?? 'CPU'}, Node ${process.versions.node}, tfjs ${tf.version_core}`;
  const peer = torchInfo[threadList[0]];
  lines.push(`Measured ${started} on ${machine}; load average ${fmt(load0, 2)} at the start, ${fmt(load1, 2)} at the end. ${rounds} interleaved rounds (ours at n threads, then PyTorch at n threads, for each n), ${steps} timed steps each after a warm-up step; figures are medians over rounds of the mean step, and the ratio is the median of the per-round ratios.`);
  if (peer) lines.push(`Peer: ${torchLabel(peer).label.replace(/ \(\d+ threads?\)$/, '')}, BLAS ${peer.blas?.library || '—'} (${peer.blas?.kind}); PyTorch's thread count is set by torch.set_num_threads and OMP/OPENBLAS_NUM_THREADS; from 2 threads it also runs with OMP_WAIT_POLICY=PASSIVE (workers sleep between parallel regions), and the faster of the two is the peer in the best-against-best table.`);
  lines.push('');
  // Per-round ratio of ours to a PyTorch side; the median over rounds.
  const ratioTo = (o: ThreadSample[], t: ThreadSample[]) => o.map((x) => { const y = t.find((z) => z.round === x.round); return y ? x.tokensPerSecond / y.tokensPerSecond : NaN; }).filter(Number.isFinite);
  const med = (xs: ThreadSample[]) => (xs.length ? fmt(median(xs.map((x) => x.tokensPerSecond)), 0) : '—');
  const times = (xs: number[]) => (xs.length ? fmt(median(xs), 2) + '×' : '—');
  lines.push('| config | threads (both sides) | ours, tokens/s | PyTorch, tokens/s | ours ÷ PyTorch | PyTorch, OMP_WAIT_POLICY=PASSIVE, tokens/s | ours ÷ that | load during ours | load during PyTorch | same loss as 1 thread |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const c of CONFIGS) {
    for (const n of threadList) {
      const o = pick(c.name, 'ours', n);
      const t = pick(c.name, 'torch', n);
      const tp = pick(c.name, 'torch-passive', n);
      const base = pick(c.name, 'ours', threadList[0]);
      const same = o.every((x) => { const b = base.find((z) => z.round === x.round); return b !== undefined && Object.is(b.loss, x.loss); });
      lines.push(`| ${c.name} | ${n} | ${med(o)} | ${med(t)} | ${times(ratioTo(o, t))} | ${med(tp)} | ${times(ratioTo(o, tp))} | ${range(o.map((x) => x.load))} | ${range([...t, ...tp].map((x) => x.load))} | ${same ? 'yes' : 'NO'} |`);
    }
  }
  // Best against best: each side at its fastest thread count and wait policy (medians over rounds).
  lines.push('');
  lines.push('| config | ours, best thread count | PyTorch, best thread count and wait policy | ours ÷ PyTorch, best against best |');
  lines.push('|---|---|---|---:|');
  for (const c of CONFIGS) {
    const best = (sides: ThreadSample['side'][]) => {
      let top = { label: '—', tps: NaN };
      for (const side of sides) for (const n of threadList) {
        const xs = pick(c.name, side, n);
        if (!xs.length) continue;
        const tps = median(xs.map((x) => x.tokensPerSecond));
        if (!(tps <= top.tps)) top = { label: `${n} thread${n > 1 ? 's' : ''}${side === 'torch-passive' ? ', passive wait' : ''}: ${fmt(tps, 0)} tokens/s`, tps };
      }
      return top;
    };
    const ours = best(['ours']);
    const theirs = best(['torch', 'torch-passive']);
    lines.push(`| ${c.name} | ${ours.label} | ${theirs.label} | ${Number.isFinite(ours.tps / theirs.tps) ? fmt(ours.tps / theirs.tps, 2) + '×' : '—'} |`);
  }
  if (samples.some((x) => x.side === 'ours-relaxed')) {
    lines.push('');
    lines.push('The opt-in relaxed-SIMD gemm (`useRelaxedSimd(true)`: one fused multiply-add per step where the CPU has FMA; not bit-identical across engines, CPUs or with the default mode; attention, GELU and the rest unchanged), in the same rounds:');
    lines.push('');
    lines.push('| config | threads | ours, relaxed SIMD, tokens/s | ÷ ours, deterministic | ÷ PyTorch | ÷ PyTorch, passive wait |');
    lines.push('|---|---:|---:|---:|---:|---:|');
    for (const c of CONFIGS) for (const n of threadList) {
      const r = pick(c.name, 'ours-relaxed', n);
      if (!r.length) continue;
      lines.push(`| ${c.name} | ${n} | ${med(r)} | ${times(ratioTo(r, pick(c.name, 'ours', n)))} | ${times(ratioTo(r, pick(c.name, 'torch', n)))} | ${times(ratioTo(r, pick(c.name, 'torch-passive', n)))} |`);
    }
  } else {
    lines.push('');
    lines.push('The opt-in relaxed-SIMD gemm was not timed: this runtime lacks relaxed SIMD (Node 20: run with --experimental-wasm-relaxed-simd).');
  }
  lines.push('');
  lines.push('| config | ours, 1 thread, shared memory (above), tokens/s | ours, 1 thread, tfjs\' usual unshared memory (fresh process), tokens/s | shared ÷ unshared (median of per-round ratios) |');
  lines.push('|---|---:|---:|---:|');
  for (const c of CONFIGS) {
    const o = pick(c.name, 'ours', 1);
    const u = pick(c.name, 'unshared', 1);
    const ratios = o.map((x) => { const y = u.find((z) => z.round === x.round); return y ? x.tokensPerSecond / y.tokensPerSecond : NaN; }).filter(Number.isFinite);
    lines.push(`| ${c.name} | ${fmt(median(o.map((x) => x.tokensPerSecond)), 0)} | ${u.length ? fmt(median(u.map((x) => x.tokensPerSecond)), 0) : '—'} | ${ratios.length ? fmt(median(ratios), 2) + '×' : '—'} |`);
  }
  if (threadList.length > 1) {
    lines.push('');
    lines.push(`| config | ours: ${threadList.slice(1).map((n) => `${n} ÷ ${threadList[0]} threads`).join(', ')} | PyTorch: the same | PyTorch with passive wait ÷ PyTorch on ${threadList[0]} thread${threadList[0] > 1 ? 's' : ''} |`);
    lines.push('|---|---:|---:|---:|');
    for (const c of CONFIGS) {
      const scale = (side: 'ours' | 'torch' | 'torch-passive') => threadList.slice(1).map((n) => {
        const a = median(pick(c.name, side === 'torch-passive' ? 'torch' : side, threadList[0]).map((x) => x.tokensPerSecond));
        return fmt(median(pick(c.name, side, n).map((x) => x.tokensPerSecond)) / a, 2) + '×';
      }).join(', ');
      lines.push(`| ${c.name} | ${scale('ours')} | ${scale('torch')} | ${scale('torch-passive')} |`);
    }
  }
  if (gemm.length) {
    lines.push('');
    lines.push(`WASM-SIMD ceiling measured on this machine (gemm's 4×8 block on L1 operands, running on every thread at once; the better of a probe right before and right after the products at that thread count): ${threadList.map((n) => `${n} thread${n > 1 ? 's' : ''} ${fmt(ceilings[n])} GFLOP/s`).join(', ')}.`);
    lines.push('');
    const tg = (n: number, i: number) => { const g = torchGemm[n]; return typeof g === 'object' ? fmt(g[i]) : '—'; };
    lines.push(`| dense product | mode | M×N×K | ${threadList.map((n) => `ours, ${n} thr, GFLOP/s | of ${n}-thr ceiling`).join(' | ')} | ${threadList.map((n) => `PyTorch BLAS, ${n} thr`).join(' | ')} |`);
    lines.push(`|---|---|---|${threadList.map(() => '---:|---:').join('|')}|${threadList.map(() => '---:').join('|')}|`);
    gemm.forEach((g, i) => lines.push(`| ${g.shape} | ${g.mode} | ${g.M}×${g.N}×${g.K} | ${threadList.map((n) => `${fmt(g.gflops[n])} | ${fmt((100 * g.gflops[n]) / ceilings[n], 0)}%`).join(' | ')} | ${threadList.map((n) => tg(n, i)).join(' | ')} |`));
    const why = Object.values(torchGemm).find((g) => typeof g === 'string');
    if (why) lines.push(`\nPyTorch GEMM columns skipped: ${why}`);
  }
  if (profiles.length) {
    lines.push('');
    lines.push(`Kernel time per step (tf.profile, per-kernel best of ${profileReps} step${profileReps > 1 ? 's' : ''}; ms, share of all kernels). On 2 threads a split kernel's time includes waiting for the workers.`);
    lines.push('');
    lines.push('| config | threads | our gemm | attention fwd+bwd | GELU fwd+bwd | AdamW (fused) | other tfjs kernels (one thread) | all kernels | kernel launches | load |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    const cell = (ms: number, total: number) => `${fmt(ms, 1)} (${fmt((100 * ms) / total, 0)}%)`;
    for (const p of profiles) lines.push(`| ${p.config} | ${p.threads} | ${cell(p.groups.gemm, p.groups.total)} | ${cell(p.groups.attention, p.groups.total)} | ${cell(p.groups.gelu, p.groups.total)} | ${cell(p.groups.adamw, p.groups.total)} | ${cell(p.groups.other, p.groups.total)} | ${fmt(p.groups.total, 1)} | ${p.launches} | ${fmt(p.load, 2)} |`);
    // The GEMM inside the real step, and what the step would be with it at the SIMD ceiling: the
    // bound that says whether the gap to PyTorch is the ceiling or the rest of our step.
    if (Object.keys(ceilings).length) {
      lines.push('');
      lines.push('GEMM inside the step (its GFLOP from the profiled products\' shapes over their kernel time), and the timed step with GEMM at the WASM-SIMD ceiling and every other kernel as profiled (the step scaled by the profile\'s kernel total with the GEMM time replaced by GFLOP ÷ ceiling): the most our deterministic step could gain from a faster GEMM on this SIMD.');
      lines.push('');
      lines.push('| config | threads | GEMM GFLOP per step | our gemm in the step, GFLOP/s | of the ceiling | ours, step ms (median) | that step with GEMM at 100% of the ceiling, ms | → tokens/s at most | PyTorch\'s best at this thread count, tokens/s | ours at most ÷ PyTorch |');
      lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
      for (const p of profiles) {
        const c = CONFIGS.find((x) => x.name === p.config)!;
        const tokens = c.cfg.batch * c.cfg.length;
        const ceiling = ceilings[p.threads];
        const o = pick(c.name, 'ours', p.threads);
        const torchBest = Math.max(...(['torch', 'torch-passive'] as const).map((side) => { const xs = pick(c.name, side, p.threads); return xs.length ? median(xs.map((x) => x.tokensPerSecond)) : NaN; }).filter(Number.isFinite));
        if (!ceiling || !p.groups.gemmFlops || !o.length) continue;
        const stepMs = (1000 * tokens) / median(o.map((x) => x.tokensPerSecond));
        const { gemmGflops: inStep, stepMs: boundMs } = stepWithGemmAtCeiling(stepMs, p.groups, ceiling);
        const boundTps = (1000 * tokens) / boundMs;
        lines.push(`| ${p.config} | ${p.threads} | ${fmt(p.groups.gemmFlops / 1e9, 2)} | ${fmt(inStep)} | ${fmt((100 * inStep) / ceiling, 0)}% | ${fmt(stepMs, 1)} | ${fmt(boundMs, 1)} | ${fmt(boundTps, 0)} | ${Number.isFinite(torchBest) ? fmt(torchBest, 0) : '—'} | ${Number.isFinite(torchBest) ? fmt(boundTps / torchBest, 2) + '×' : '—'} |`);
      }
    }
    lines.push('');
    lines.push('The largest "other" kernels (ms per step, launches):');
    lines.push('');
    for (const p of profiles) lines.push(`- ${p.config}, ${p.threads} thread${p.threads > 1 ? 's' : ''}: ${p.top}`);
  }
  const md = lines.join('\n');
  process.stderr.write('\n' + md + '\n');
  if (opts.docs) writeDocs(opts.docs, md, '<!-- bench/train.ts:threads:begin -->', '<!-- bench/train.ts:threads:end -->');
  if (opts.json) process.stdout.write(JSON.stringify({ started, machine, loadAverage: [load0, load1], rounds, steps, threads: threadList, samples, ceilings, gemm, torchGemm, torch: torchInfo, profiles }) + '\n');
}

/** One row from several rounds of the same variant: mean over all samples, best over all. */
function mergeRuns(runs: Row[]): Row {
  const n = runs.reduce((a, r) => a + r.samples, 0);
  const secondsPerStep = runs.reduce((a, r) => a + r.samples / r.stepsPerSecond, 0) / n;
  const tokens = runs[0].tokensPerSecond / runs[0].stepsPerSecond;
  return { ...runs[runs.length - 1], stepsPerSecond: 1 / secondsPerStep, tokensPerSecond: tokens / secondsPerStep, bestTokensPerSecond: Math.max(...runs.map((r) => r.bestTokensPerSecond)), samples: n };
}

function mergeTorch(runs: TorchResult[]): TorchResult {
  const n = runs.reduce((a, r) => a + r.steps!, 0);
  const secondsPerStep = runs.reduce((a, r) => a + r.steps! / r.stepsPerSecond!, 0) / n;
  const tokens = runs[0].tokensPerSecond! / runs[0].stepsPerSecond!;
  return { ...runs[runs.length - 1], steps: n, stepsPerSecond: 1 / secondsPerStep, tokensPerSecond: tokens / secondsPerStep, bestTokensPerSecond: Math.max(...runs.map((r) => r.bestTokensPerSecond!)) };
}

/** Entry point of `testbeds bench train [options]`. */
export async function run(argv: string[]): Promise<void> {
  opts = parseOpts(argv);
  if (opts['memory-only']) process.stdout.write(JSON.stringify(await memoryCheck()) + '\n');
  else if (opts.threads != null) await threadsMain();
  else await main();
}

// Also runnable directly (the memory check re-runs this file in a fresh process).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run(process.argv.slice(2));
