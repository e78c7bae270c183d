/**
 * initBackend and the fused kernels in a browser: src/learning backend + ops bundled by esbuild,
 * run on the main thread of headless Debian Chromium (where synchronous wasm compiles over 4 KB
 * are refused, so the async preload in initBackend matters). The fused attention, LayerNorm and
 * GELU forward and gradients must equal the same computation in Node, and our gemm (a dense layer,
 * forward and both gradients, K across its 256-block) must give Node's exact bits. Skipped, saying so, where
 * /usr/bin/chromium is absent.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveTfjsPage } from '../helpers/tfjs-page-server.js';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/learning/backend.js';
import { causalSelfAttentionPacked, layerNorm, gelu, linear, embedding } from '../../src/learning/ops/index.js';
import { AdamW, optimConfig } from '../../src/learning/optim.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../..');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`test/learning/backend_browser: skipped — ${CHROMIUM} not found`);

/** The computation, identical in the page and in Node: returns [y, dqkv, dg] as plain arrays. */
const PROBE = `
  const qkvData = Float32Array.from({ length: 2 * 7 * 48 }, (_, i) => Math.sin(i * 0.37));
  const g = tf.tensor1d(Float32Array.from({ length: 16 }, (_, i) => 1 + 0.1 * i));
  const b = tf.zeros([16]);
  const qkv = tf.tensor3d(qkvData, [2, 7, 48]);
  const f = (x, gg) => gelu(layerNorm(causalSelfAttentionPacked(x, 2), gg, b));
  const w = tf.cos(tf.range(0, 2 * 7 * 16).reshape([2, 7, 16]));
  const [dqkv, dg] = tf.grads((x, gg) => tf.sum(tf.mul(f(x, gg), w)))([qkv, g]);
  const exact = (n, m) => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % m) / m - 0.5);
  const xa = tf.tensor2d(exact(5 * 300, 1000), [5, 300]);
  const wa = tf.tensor2d(exact(300 * 9, 997), [300, 9]);
  const lw = tf.tensor2d(exact(45, 89), [5, 9]);
  const [dx, dwa] = tf.grads((x, ww) => tf.sum(tf.mul(linear(x, ww), lw)))([xa, wa]);
  // Three fused AdamW steps (ops/adamw.ts) and the row-gather embedding: Node's bits too.
  const vars = [tf.variable(tf.tensor2d(exact(12, 31), [3, 4])), tf.variable(tf.tensor1d(exact(5, 7)))];
  const opt = new AdamW(optimConfig({ steps: 3, lr: 1e-2, clip: 0.5 }), vars);
  for (let s = 0; s < 3; s++) opt.apply([tf.tensor2d(exact(12, 13 + s), [3, 4]), tf.tensor1d(exact(5, 5 + s))], 1e-2).dispose();
  const emb = embedding(tf.tensor2d([0, 2, 1, 2], [2, 2], 'int32'), vars[0]);
  const adamw = [vars[0], vars[1], opt.m[0], opt.v[1], emb].map((t) => Array.from(t.dataSync()));
  opt.dispose();
  tf.dispose(vars);
  return [Array.from(f(qkv, g).dataSync()), Array.from(dqkv.dataSync()), Array.from(dg.dataSync()),
    Array.from(linear(xa, wa).dataSync()), Array.from(dx.dataSync()), Array.from(dwa.dataSync()), ...adamw];
`;

describe.skipIf(!hasChromium)('initBackend and fused kernels in headless Chromium (main thread)', () => {
  let server: Server;
  let isolatedServer: Server;
  let bundle: string;

  beforeAll(async () => {
    const { build } = await import('esbuild');
    const entry = `
      import * as tf from '@tensorflow/tfjs-core';
      import { initBackend, setWasmBinaryLocation } from './src/learning/backend.ts';
      import { causalSelfAttentionPacked, layerNorm, gelu, linear, embedding } from './src/learning/ops/index.ts';
      import { AdamW, optimConfig } from './src/learning/optim.ts';
      import { threadCount } from './src/learning/backend.ts';
      import { parallelThresholds } from './src/learning/ops/threads.ts';
      window.probe = async (threads = 1) => {
        setWasmBinaryLocation('/wasm/');
        const backend = await initBackend('wasm', { threads });
        // Split every kernel call, however small, so the page's worker path is exercised.
        if (threads > 1) Object.assign(parallelThresholds, { gemmMacs: 0, attentionWork: 0, elements: 0, streamElements: 0 });
        const out = tf.tidy(() => { ${PROBE} });
        return { backend, out, threads: threadCount(), isolated: globalThis.crossOriginIsolated === true };
      };`;
    const r = await build({ stdin: { contents: entry, resolveDir: ROOT, loader: 'ts' }, bundle: true, format: 'esm', platform: 'browser', target: 'es2022', external: ['node:*'], write: false, logLevel: 'error' });
    bundle = r.outputFiles[0].text;
    const page = `<!doctype html><meta charset="utf-8"><script type="module" src="/probe.js"></script>`;
    server = await serveTfjsPage(page, '/probe.js', bundle);
    isolatedServer = await serveTfjsPage(page, '/probe.js', bundle, true);
  });

  afterAll(async () => {
    await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
    await new Promise((ok) => (isolatedServer ? isolatedServer.close(ok) : ok(undefined)));
  });

  it('threads in a cross-origin-isolated page (Web Workers on the shared tfjs memory): Node\'s bits on 2 threads; 1 thread without isolation', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      await initBackend('wasm');
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      const node = tf.tidy(() => new Function('tf', 'causalSelfAttentionPacked', 'layerNorm', 'gelu', 'linear', 'embedding', 'AdamW', 'optimConfig', PROBE)(tf, causalSelfAttentionPacked, layerNorm, gelu, linear, embedding, AdamW, optimConfig)) as number[][];
      for (const [srv, isolated] of [[isolatedServer, true], [server, false]] as const) {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`http://127.0.0.1:${(srv.address() as AddressInfo).port}/`);
        await page.waitForFunction(() => typeof (window as unknown as { probe?: unknown }).probe === 'function');
        const got = await page.evaluate(() => (window as unknown as { probe: (n: number) => Promise<{ threads: number; isolated: boolean; out: number[][] }> }).probe(2));
        await page.close();
        expect(errors).toEqual([]);
        expect(got.isolated).toBe(isolated);
        expect(got.threads).toBe(isolated ? 2 : 1);
        // The threaded page gives the one-thread page's exact bits, so the same Node comparison holds.
        for (let k = 0; k < 3; k++) for (let i = 0; i < node[k].length; i++) expect(Math.abs(got.out[k][i] - node[k][i])).toBeLessThan(1e-5);
        for (let k = 3; k < node.length; k++) expect(got.out[k]).toEqual(node[k]);
      }
    } finally {
      await browser.close();
    }
  });

  it('runs packed attention + LayerNorm + GELU forward and gradients on wasm, equal to Node; gemm, fused AdamW and the embedding gather bit-identical', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const { port } = server.address() as AddressInfo;
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(() => typeof (window as unknown as { probe?: unknown }).probe === 'function');
      const got = await page.evaluate(() => (window as unknown as { probe: () => Promise<{ backend: string; out: number[][] }> }).probe());
      expect(errors).toEqual([]);
      expect(got.backend).toBe('wasm');
      await initBackend('wasm');
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      const node = tf.tidy(() => new Function('tf', 'causalSelfAttentionPacked', 'layerNorm', 'gelu', 'linear', 'embedding', 'AdamW', 'optimConfig', PROBE)(tf, causalSelfAttentionPacked, layerNorm, gelu, linear, embedding, AdamW, optimConfig)) as number[][];
      expect(got.out.map((a) => a.length)).toEqual(node.map((a) => a.length));
      for (let k = 0; k < 3; k++) {
        for (let i = 0; i < node[k].length; i++) expect(Math.abs(got.out[k][i] - node[k][i])).toBeLessThan(1e-5);
      }
      // gemm (dense layer forward, dx, dw), fused AdamW and the embedding gather: the same bits in Chromium and Node.
      for (let k = 3; k < node.length; k++) expect(got.out[k]).toEqual(node[k]);
    } finally {
      await browser.close();
    }
  });
});
