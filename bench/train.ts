/**
 * Training-speed benchmark for src/learning: tokens/s of one GPT training step (bench/lib/gpt-step.ts)
 * on tfjs-wasm with our ops (fused attention kernels), tfjs-wasm with plain ops, tfjs-wasm with
 * naive ops (default matMul gradients with transpose flags), tfjs-cpu, and PyTorch-CPU
 * (bench/torch_peer.py with the system python3; skipped cleanly when torch is missing), all in one
 * run so the ratios compare like with like. Also checks that L=8, d=128, T=100, B=32 trains
 * within 2 GB and reports the wasm heaps.
 *
 * Usage: testbeds bench train (or node dist/bench/train.js) [--quick] [--no-cpu] [--no-torch] [--no-memory] [--docs bench/results/train.md] [--json]
 */
import * as tf from '@tensorflow/tfjs-core';
import Benchmark from 'benchmark';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync, existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadavg, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { initBackend, type WasmBackendInternals } from '../src/learning/backend.js';
import { causalSelfAttention, causalSelfAttentionReference } from '../src/learning/ops/index.js';
import { GptStep, type GptConfig, type OpSet } from './lib/gpt-step.js';

const parseOpts = (args: string[]) =>
  parseArgs({
    args,
    options: {
    quick: { type: 'boolean' },
    'no-cpu': { type: 'boolean' },
    'no-torch': { type: 'boolean' },
    'no-memory': { type: 'boolean' },
    'memory-only': { type: 'boolean' },
    docs: { type: 'string' },
    json: { type: 'boolean' },
    },
  }).values;
let opts: ReturnType<typeof parseOpts> = {};
const log = (s: string) => process.stderr.write(s + '\n');

const CONFIGS: { name: string; cfg: GptConfig }[] = [
  { name: 'L=2 d=64 T=64 B=32', cfg: { layers: 2, width: 64, heads: 4, length: 64, batch: 32, vocab: 8 } },
  { name: 'L=4 d=128 T=100 B=32', cfg: { layers: 4, width: 128, heads: 4, length: 100, batch: 32, vocab: 8 } },
];

interface Variant {
  name: string;
  backend: 'wasm' | 'cpu';
  ops: OpSet;
  samples: number;
}

const variants = (samples: number): Variant[] => [
  { name: 'tfjs-wasm, fused (ours)', backend: 'wasm', ops: { attention: causalSelfAttention, fused: true }, samples },
  { name: 'tfjs-wasm, plain ops', backend: 'wasm', ops: { attention: causalSelfAttentionReference, fused: false }, samples },
  { name: 'tfjs-wasm, naive ops', backend: 'wasm', ops: { attention: causalSelfAttentionReference, fused: false, naive: true }, samples: 2 },
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
  }
}

interface TorchResult { ok: boolean; reason?: string; torch?: string; threads?: number; steps?: number; stepsPerSecond?: number; tokensPerSecond?: number; bestTokensPerSecond?: number; loss?: number }

function torchPeer(cfg: GptConfig, steps: number): TorchResult {
  const script = new URL('../../bench/torch_peer.py', import.meta.url).pathname;
  for (const python of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(python, [script, JSON.stringify({ ...cfg, steps })], { encoding: 'utf8', timeout: 600_000 });
    if (r.error) continue;
    const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(line) as TorchResult;
    } catch {
      return { ok: false, reason: `torch peer exited ${r.status}: ${(r.stderr ?? '').trim().split('\n').pop()}` };
    }
  }
  return { ok: false, reason: 'no python3 found' };
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
function writeDocs(path: string, md: string): void {
  mkdirSync(dirname(path), { recursive: true });
  let text = existsSync(path) ? readFileSync(path, 'utf8') : `# Training speed\n\n${BEGIN}\n${END}\n`;
  if (!text.includes(BEGIN) || !text.includes(END)) text += `\n${BEGIN}\n${END}\n`;
  const before = text.slice(0, text.indexOf(BEGIN) + BEGIN.length);
  const after = text.slice(text.indexOf(END));
  writeFileSync(path, `${before}\n${md}\n${after}`);
  log(`wrote ${path}`);
}

const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—');

async function main(): Promise<void> {
  const samples = opts.quick ? 2 : 6;
  const VARIANTS = variants(samples);
  const started = new Date().toISOString();
  const load0 = loadavg()[0];
  const rows: Row[] = [];
  const torch: Record<string, TorchResult> = {};
  for (const c of CONFIGS) {
    for (const [i, v] of VARIANTS.entries()) {
      log(`${c.name}: ${v.name} ...`);
      const r = await measure(c, v);
      rows.push(r);
      log(`  ${fmt(r.tokensPerSecond, 0)} tokens/s mean, ${fmt(r.bestTokensPerSecond, 0)} best (${fmt(r.stepsPerSecond, 2)} steps/s, ${r.samples} samples)`);
      // The PyTorch peer runs right after our fused variant, so load changes on a shared machine
      // hit both alike.
      if (i === 0 && !opts['no-torch']) {
        log(`${c.name}: PyTorch-CPU peer ...`);
        torch[c.name] = torchPeer(c.cfg, samples);
        const t = torch[c.name];
        log(t.ok ? `  ${fmt(t.tokensPerSecond!, 0)} tokens/s mean, ${fmt(t.bestTokensPerSecond!, 0)} best (torch ${t.torch}, ${t.threads} threads)` : `  skipped: ${t.reason}`);
      }
    }
  }
  log('memory check: L=8 d=128 T=100 B=32 in a fresh process ...');
  const memoryRaw = opts['no-memory'] ? null : memoryCheckInChild();
  if (memoryRaw) log(`memory: ${JSON.stringify(memoryRaw)}`);
  const memory = memoryRaw && 'ok' in memoryRaw ? memoryRaw : null;
  const load1 = loadavg()[0];

  const ours = (cfgName: string) => rows.find((r) => r.config === cfgName && r.variant.includes('fused'))!;
  const table: string[] = [];
  table.push('| config | variant | tokens/s, mean | tokens/s, best step | steps | ours ÷ this (best) | ours ÷ this (mean) |');
  table.push('|---|---|---:|---:|---:|---:|---:|');
  for (const c of CONFIGS) {
    const o = ours(c.name);
    const line = (variant: string, mean: number, best: number, n: number) =>
      table.push(`| ${c.name} | ${variant} | ${fmt(mean, 0)} | ${fmt(best, 0)} | ${n} | ${fmt(o.bestTokensPerSecond / best, 2)}× | ${fmt(o.tokensPerSecond / mean, 2)}× |`);
    for (const r of rows.filter((x) => x.config === c.name)) line(r.variant, r.tokensPerSecond, r.bestTokensPerSecond, r.samples);
    const t = torch[c.name];
    if (t?.ok) line(`PyTorch ${t.torch} CPU (${t.threads} thread${t.threads === 1 ? '' : 's'})`, t.tokensPerSecond!, t.bestTokensPerSecond!, t.steps!);
    else if (t) table.push(`| ${c.name} | PyTorch CPU | skipped (${t.reason}) | | | | |`);
  }
  const machine = `${cpus().length}-core ${cpus()[0]?.model ?? 'CPU'}, Node ${process.versions.node}, tfjs ${tf.version_core}; load average ${fmt(load0, 1)} → ${fmt(load1, 1)} (shared VM)`;
  const result = { started, machine, rows, torch, memory };

  const md = [
    `Measured ${started} on ${machine}.`,
    '',
    ...table,
    '',
    memory
      ? `Memory (fresh process): L=8 d=128 T=100 B=32 trained ${memory.steps} steps at ${fmt(memory.secondsPerStep, 2)} s/step with the tfjs wasm heap (which our kernels share) at ${fmt(memory.tfjsWasmHeapMB, 0)} MB and process RSS ${fmt(memory.rssMB, 0)} MB: ${memory.ok ? 'within' : 'NOT within'} 2 GB.`
      : memoryRaw ? `Memory check failed: ${(memoryRaw as { error: string }).error}` : '',
  ].join('\n');
  process.stderr.write('\n' + md + '\n');
  if (opts.docs) writeDocs(opts.docs, md);
  if (opts.json) process.stdout.write(JSON.stringify(result) + '\n');
}

/** Entry point of `testbeds bench train [options]`. */
export async function run(argv: string[]): Promise<void> {
  opts = parseOpts(argv);
  if (opts['memory-only']) process.stdout.write(JSON.stringify(await memoryCheck()) + '\n');
  else await main();
}

// Also runnable directly (the memory check re-runs this file in a fresh process).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run(process.argv.slice(2));
