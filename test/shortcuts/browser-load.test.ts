/**
 * A compiled shortcut in the browser page: web/index.html (built bundle and learning Web Worker,
 * dist/browser/) in headless Debian Chromium on tfjs-wasm. The Learn panel's checkpoint input
 * takes the bytes of `testbeds compile`, the worker decodes them with the trainer's own code and
 * evaluates every word: 100% and Node's margin. Skipped, saying so, where /usr/bin/chromium is absent.
 */
import type { Server } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, serveRepository } from '../helpers/static-server.js';
import { zoo } from '../../src/automata/index.js';
import { compileShortcut, exhaustiveBatches, initBackend, shortcutTrainer } from '../../src/learning/index.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`test/shortcuts/browser-load: skipped — ${CHROMIUM} not found`);

describe.skipIf(!hasChromium)('a compiled shortcut in the page (headless Chromium, tfjs wasm)', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    for (const f of ['dist/browser/testbeds.js', 'dist/browser/learn-worker.js']) if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run npm run build first`);
    server = await serveRepository();
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    page = await browser.newPage();
    const { port } = server.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/web/index.html`);
    await page.waitForFunction(() => (window as unknown as { testbedsReady?: boolean }).testbedsReady === true, undefined, { timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
  });

  it('the Learn panel loads the checkpoint and shows 100% on every word with Node’s margin', async () => {
    await initBackend('wasm');
    const c = compileShortcut(zoo('dihedral:4'), { length: 6 });
    const trainer = shortcutTrainer(c, 6);
    c.model.dispose();
    const bytes = trainer.encode();
    const node = trainer.evaluate(exhaustiveBatches({ automaton: trainer.config.automaton, length: 6 }, 256));
    trainer.dispose();
    expect(node.accuracy).toBe(1);
    const got = await page.evaluate((b) => (window as any).learnEvaluate(b, { exhaustive: true }), Array.from(bytes));
    expect(got.run.shortcut.construction).toBe('cascade');
    expect(got.result.accuracy).toBe(1);
    expect(got.result.accuracySequence).toBe(1);
    expect(Math.abs(got.result.margin - node.margin)).toBeLessThan(1e-5);
    // The same through the form's file input.
    await page.click('nav [data-tab=learn]');
    await page.setInputFiles('#l-ckpt', { name: 'checkpoint.tbck', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
    await page.waitForFunction(() => /margin|error/.test(document.getElementById('l-ckpt-result')?.textContent ?? ''), undefined, { timeout: 30_000 });
    expect(await page.textContent('#l-ckpt-result')).toBe(`dihedral:4, compiled cascade shortcut (3 layers, width 24, ${got.run.shortcut.parameters.toLocaleString('en-US')} parameters), T=6: accuracy 100.00% per position, margin ${node.margin.toFixed(4)}`);
  });
});
