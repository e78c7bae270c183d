// The page's Learn tab with threads: served cross-origin isolated (?coi=1 adds COOP/COEP), its
// training worker runs our kernels on several threads (nested Web Workers on the shared tfjs
// memory) and gives the same losses, bit for bit, as the page served without isolation (1 thread).
// Skipped, saying so, where /usr/bin/chromium or the browser build is absent.
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, serveRepository } from '../helpers/static-server.js';

const CHROMIUM = '/usr/bin/chromium';
const ready = existsSync(CHROMIUM) && existsSync(join(ROOT, 'dist/browser/learn-worker.js'));
if (!ready) console.warn(`test/learning/web_threads: skipped — needs ${CHROMIUM} and a built dist/browser/learn-worker.js`);

describe.skipIf(!ready)('Learn tab on threads in a cross-origin-isolated page', () => {
  it('trains on min(4, cores) threads when isolated, 1 when not, with the same losses', async () => {
    const server = await serveRepository();
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const out: Record<string, { loss: number[]; threads: number; isolated: boolean; cores: number; errors: string[] }> = {};
      for (const coi of [true, false]) {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/web/index.html${coi ? '?coi=1' : ''}#learn`);
        await page.waitForFunction(() => typeof (window as unknown as { learnRun?: unknown }).learnRun === 'function', undefined, { timeout: 30_000 });
        const r = await page.evaluate(async () => {
          const o = await (window as any).learnRun({ automaton: 'parity', model: 'transformer', steps: 6, length: 16, batch: 8, evalEvery: 3, seed: 3 });
          return { loss: o.steps.map((s: { loss: number }) => s.loss), threads: o.threads, isolated: (globalThis as any).crossOriginIsolated === true, cores: navigator.hardwareConcurrency };
        });
        out[coi ? 'isolated' : 'plain'] = { ...r, errors };
        await page.close();
      }
      expect(out.isolated.isolated).toBe(true);
      expect(out.plain.isolated).toBe(false);
      expect(out.isolated.threads).toBe(Math.max(1, Math.min(4, out.isolated.cores))); // web/learn.js's choice
      expect(out.plain.threads).toBe(1);
      expect(out.isolated.loss).toHaveLength(6);
      expect(out.isolated.loss).toEqual(out.plain.loss);
      expect([...out.isolated.errors, ...out.plain.errors]).toEqual([]);
    } finally {
      await browser.close();
      await new Promise((ok) => server.close(ok));
    }
  });
});
