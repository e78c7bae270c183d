/**
 * A compiled shortcut in the browser: the checkpoint bytes of `testbeds compile` go to the
 * learning Web Worker (src/learning/worker.ts bundled by esbuild) in headless Debian Chromium on
 * tfjs-wasm, which decodes them with the trainer's own code and evaluates every word: the same
 * accuracy (100%) and the same margin as Node. Skipped, saying so, where /usr/bin/chromium is absent.
 */
import type { Server } from 'node:http';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveTfjsPage } from '../helpers/tfjs-page-server.js';
import { zoo } from '../../src/automata/index.js';
import { compileShortcut, exhaustiveBatches, initBackend, shortcutTrainer } from '../../src/learning/index.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../..');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`test/shortcuts/browser-load: skipped — ${CHROMIUM} not found`);

describe.skipIf(!hasChromium)('a compiled shortcut evaluated in a Web Worker (headless Chromium, tfjs wasm)', () => {
  let server: Server;

  beforeAll(async () => {
    const { build } = await import('esbuild');
    const r = await build({ entryPoints: [join(ROOT, 'src/learning/worker.ts')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', external: ['node:*'], write: false, logLevel: 'error' });
    const page = `<!doctype html><meta charset="utf-8"><script type="module">
      window.evaluate = (bytes) => new Promise((ok, fail) => {
        const w = new Worker('/worker.js', { type: 'module' });
        w.onerror = (e) => fail(new Error('worker error: ' + e.message));
        w.onmessage = (e) => {
          const m = e.data;
          if (m.type === 'error') fail(new Error(m.message));
          if (m.type === 'evaluated') ok({ result: m.result, shortcut: m.run.shortcut });
        };
        w.postMessage({ type: 'evaluate', wasmPath: '/wasm/', checkpoint: Uint8Array.from(bytes), exhaustive: true });
      });
    </script>`;
    server = await serveTfjsPage(page, '/worker.js', r.outputFiles[0].text);
  });

  afterAll(async () => {
    await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
  });

  it('loads the checkpoint and is exact on every word, with Node’s margin', async () => {
    await initBackend('wasm');
    const c = compileShortcut(zoo('dihedral:4'), { length: 6 });
    const trainer = shortcutTrainer(c, 6);
    c.model.dispose();
    const bytes = trainer.encode();
    const node = trainer.evaluate(exhaustiveBatches({ automaton: trainer.config.automaton, length: 6 }, 256));
    trainer.dispose();
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      const page = await browser.newPage();
      const { port } = server.address() as AddressInfo;
      await page.goto(`http://127.0.0.1:${port}/`);
      const got = await page.evaluate((b) => (window as any).evaluate(b), Array.from(bytes));
      expect(got.shortcut.construction).toBe('cascade');
      expect(got.result.accuracy).toBe(1);
      expect(got.result.accuracySequence).toBe(1);
      expect(node.accuracy).toBe(1);
      expect(got.result.margin).toBeGreaterThan(9.9);
      expect(Math.abs(got.result.margin - node.margin)).toBeLessThan(1e-5);
    } finally {
      await browser.close();
    }
  });
});
