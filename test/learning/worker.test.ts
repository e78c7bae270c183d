/**
 * The training code in a browser: src/learning/worker.ts bundled by esbuild, run as a module Web
 * Worker in headless Debian Chromium on the tfjs WASM backend; the run must end with the same
 * weights as the same run in Node. Skipped, saying so, where /usr/bin/chromium is absent.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveTfjsPage } from '../helpers/tfjs-page-server.js';
import { zoo } from '../../src/automata/index.js';
import { initBackend, runConfig, Trainer } from '../../src/learning/index.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../..');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`test/learning/worker: skipped — ${CHROMIUM} not found`);

const RUN = { automaton: 'parity', model: 'transformer' as const, layers: 1, width: 8, heads: 2, length: 6, batch: 4, steps: 5, evalEvery: 5, evalBatches: 1, seed: 5 };

describe.skipIf(!hasChromium)('training in a Web Worker (headless Chromium, tfjs wasm)', () => {
  let server: Server;
  let bundle: string;

  beforeAll(async () => {
    const { build } = await import('esbuild');
    const r = await build({ entryPoints: [join(ROOT, 'src/learning/worker.ts')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', external: ['node:*'], write: false, logLevel: 'error' });
    bundle = r.outputFiles[0].text;
    const page = `<!doctype html><meta charset="utf-8"><script type="module">
      window.train = (run) => new Promise((ok, fail) => {
        const w = new Worker('/worker.js', { type: 'module' });
        const steps = [];
        w.onerror = (e) => fail(new Error('worker error: ' + e.message));
        w.onmessage = (e) => {
          const m = e.data;
          if (m.type === 'step') steps.push(m.info.step);
          if (m.type === 'error') fail(new Error(m.message));
          if (m.type === 'done') ok({ result: m.result, steps, checkpoint: Array.from(m.checkpoint) });
        };
        w.postMessage({ type: 'train', wasmPath: '/wasm/', run });
      });
    </script>`;
    server = await serveTfjsPage(page, '/worker.js', bundle);
  });

  afterAll(async () => {
    await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
  });

  it('trains, reports steps and evaluations, and ends with exactly the weights Node computes', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      const page = await browser.newPage();
      const { port } = server.address() as AddressInfo;
      await page.goto(`http://127.0.0.1:${port}/`);
      const got = await page.evaluate((run) => (window as any).train(run), RUN);
      expect(got.steps).toEqual([1, 2, 3, 4, 5]);
      expect(got.result.backend).toBe('wasm');
      await initBackend('wasm');
      const fromBrowser = Trainer.decode(Uint8Array.from(got.checkpoint));
      const node = new Trainer(runConfig({ ...RUN, automaton: zoo('parity') }));
      const r = await node.train();
      expect(fromBrowser.step).toBe(5);
      const a = fromBrowser.model.params.flatten();
      const b = node.model.params.flatten();
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      // Bit-identical: same wasm kernels, and every seeded JS path uses src/random/detmath.ts.
      expect(worst).toBe(0);
      expect(got.result.accuracy).toBe(r.accuracy);
      fromBrowser.dispose();
      node.dispose();
    } finally {
      await browser.close();
    }
  });
});
