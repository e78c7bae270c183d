// simulateAsync with worker threads in headless Chromium (Web Workers made from the library's own
// source; one wasm instance per worker): with cross-origin isolation (SharedArrayBuffer) and
// without (letters and states copied). The states must equal the reference loop. Skipped, saying
// so, where /usr/bin/chromium is absent.
import type { Server } from 'node:http';
import { ROOT, serveRepository } from '../helpers/static-server.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const ready = existsSync(CHROMIUM) && existsSync(join(ROOT, 'dist/browser/testbeds.js'));
if (!ready) console.warn(`test/simulate/browser-threads: skipped — needs ${CHROMIUM} and a built dist/browser/testbeds.js`);

describe.skipIf(!ready)('simulateAsync with Web Workers in Chromium', () => {
  let server: Server;
  let browser: Browser;
  beforeAll(async () => {
    server = await serveRepository();
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
  });

  for (const coi of [true, false]) {
    it(`${coi ? 'cross-origin isolated (SharedArrayBuffer)' : 'not isolated (copies)'}: 2 and 3 threads equal the reference`, async () => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const { port } = server.address() as AddressInfo;
      await page.goto(`http://127.0.0.1:${port}/web/index.html${coi ? '?coi=1' : ''}`);
      await page.waitForFunction(() => (window as unknown as { testbeds?: unknown }).testbeds !== undefined, undefined, { timeout: 30_000 });
      const r = await page.evaluate(async () => {
        const t = (window as any).testbeds;
        const out: Record<string, unknown> = { isolated: (globalThis as any).crossOriginIsolated === true };
        for (const name of ['dihedral:4', 'cyclic:300', 'dyck:2,4']) {
          const a = t.zoo(name);
          const L = t.sampleLetters(a, 200_003, { seed: 7 });
          const ref = t.simulateReference(a, L);
          for (const threads of [2, 3]) {
            const s = await t.simulateAsync(a, L, { method: 'scan', threads });
            let same = s.final === ref.final && s.states.length === ref.states.length;
            for (let i = 0; same && i < L.length; i++) same = s.states[i] === ref.states[i];
            out[`${name}/${threads}`] = { same, threads: s.threads };
          }
        }
        await t.stopWorkers();
        return out;
      });
      await page.close();
      expect(r.isolated).toBe(coi);
      for (const name of ['dihedral:4', 'cyclic:300', 'dyck:2,4']) {
        expect(r[`${name}/2`]).toEqual({ same: true, threads: 2 });
        expect(r[`${name}/3`]).toEqual({ same: true, threads: 3 });
      }
      expect(errors).toEqual([]);
    });
  }
});
