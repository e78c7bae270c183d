/**
 * A compiled shortcut in the browser page: web/index.html (built bundle and learning Web Worker,
 * dist/browser/) in headless Debian Chromium on tfjs-wasm. The Learn panel's checkpoint input
 * takes the bytes of `testbeds compile`, the worker decodes them with the trainer's own code and
 * evaluates every word: 100% and Node's margin. Skipped, saying so, where /usr/bin/chromium is absent.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium, openPage, type OpenPage } from '../helpers/chromium.js';
import { zoo } from '../../src/automata/index.js';
import { compileShortcut, exhaustiveBatches, initBackend, shortcutTrainer } from '../../src/learning/index.js';

if (!hasChromium) console.warn(`test/shortcuts/browser-load: skipped — ${CHROMIUM} not found`);

describe.skipIf(!hasChromium)('a compiled shortcut in the page (headless Chromium, tfjs wasm)', () => {
  let open: OpenPage | undefined;
  let page: Page;

  beforeAll(async () => {
    open = await openPage(['dist/browser/testbeds.js', 'dist/browser/learn-worker.js']);
    page = open.page;
  });

  afterAll(async () => {
    await open?.close();
  });

  /** The checkpoint bytes of a compiled shortcut, Node's exhaustive evaluation of them, and the page's. */
  async function both(name: string, o: Parameters<typeof compileShortcut>[1]) {
    await initBackend('wasm');
    const c = compileShortcut(zoo(name), o);
    const trainer = shortcutTrainer(c, o.length);
    c.model.dispose();
    const bytes = trainer.encode();
    const node = trainer.evaluate(exhaustiveBatches({ automaton: trainer.config.automaton, length: o.length }, 256));
    trainer.dispose();
    expect(node.accuracy).toBe(1);
    const got = await page.evaluate((b) => (window as any).learnEvaluate(b, { exhaustive: true }), Array.from(bytes));
    expect(got.result.accuracy).toBe(1);
    expect(got.result.accuracySequence).toBe(1);
    expect(Math.abs(got.result.margin - node.margin)).toBeLessThan(1e-5);
    return { bytes, node, got };
  }

  it('the Learn panel loads the checkpoint and shows 100% on every word with Node’s margin', async () => {
    const { bytes, node, got } = await both('dihedral:4', { length: 6 });
    expect(got.run.shortcut.construction).toBe('cascade');
    // The same through the form's file input.
    await page.click('nav [data-tab=learn]');
    await page.setInputFiles('#l-ckpt', { name: 'checkpoint.tbck', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
    await page.waitForFunction(() => /margin|error/.test(document.getElementById('l-ckpt-result')?.textContent ?? ''), undefined, { timeout: 30_000 });
    expect(await page.textContent('#l-ckpt-result')).toBe(`dihedral:4, compiled cascade shortcut (3 layers, width 24, ${got.run.shortcut.parameters.toLocaleString('en-US')} parameters), T=6: accuracy 100.00% per position, margin ${node.margin.toFixed(4)}`);
  });

  it('the gridworld construction (3 layers, last-visit heads) evaluates in the worker as in Node', async () => {
    const { got } = await both('gridworld:4', { length: 8, maxLength: 12 });
    expect(got.run.shortcut.construction).toBe('gridworld');
    expect(got.run.shortcut.layers).toBe(3);
    expect(got.run.shortcut.maxLength).toBe(12);
    // gridworld:9 (16 heads, 3 MB) through the form's file input, as a user loads it. (Handing
    // megabytes to page.evaluate as a JSON array is what is slow, not the page.)
    await initBackend('wasm');
    const c = compileShortcut(zoo('gridworld:9'), { length: 8 });
    const trainer = shortcutTrainer(c, 8);
    c.model.dispose();
    const bytes = trainer.encode();
    const node = trainer.evaluate(exhaustiveBatches({ automaton: trainer.config.automaton, length: 8 }, 256));
    trainer.dispose();
    await page.click('nav [data-tab=learn]');
    await page.check('#l-every');
    await page.evaluate(() => void (document.getElementById('l-ckpt-result')!.textContent = ''));
    await page.setInputFiles('#l-ckpt', { name: 'checkpoint.tbck', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
    await page.waitForFunction(() => /margin|error/.test(document.getElementById('l-ckpt-result')?.textContent ?? ''), undefined, { timeout: 60_000 });
    expect(await page.textContent('#l-ckpt-result')).toBe(`gridworld:9, compiled gridworld shortcut (3 layers, width 128, ${c.plan.parameters.toLocaleString('en-US')} parameters), T=8: accuracy 100.00% per position, margin ${node.margin.toFixed(4)}`);
  });
});
