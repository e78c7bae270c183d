// The page under headless Debian Chromium for the browser tests: serve the repository, launch
// /usr/bin/chromium through playwright-core (no browser download), open web/index.html and wait
// until the page says it is ready. One place for the launch flags and the teardown.
import type { Server } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { ROOT, serveRepository } from './static-server.js';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

export interface OpenPage {
  server: Server;
  browser: Browser;
  page: Page;
  /** Messages of uncaught errors in the page, in order. */
  pageErrors: string[];
  close(): Promise<void>;
}

/**
 * Opens web/index.html once `needs` (paths under the repository) exist and `ready` (evaluated in
 * the page) holds: by default the page's own `testbedsReady` flag.
 */
export async function openPage(needs: readonly string[], ready: () => boolean = () => (window as unknown as { testbedsReady?: boolean }).testbedsReady === true): Promise<OpenPage> {
  for (const f of needs) if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run npm run build first`);
  const server = await serveRepository();
  let browser: Browser | undefined;
  try {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/web/index.html`);
    await page.waitForFunction(ready, undefined, { timeout: 30_000 });
    const b = browser;
    return { server, browser: b, page, pageErrors, close: async () => void (await b.close(), await new Promise((ok) => server.close(ok))) };
  } catch (e) {
    await browser?.close();
    await new Promise((ok) => server.close(ok));
    throw e;
  }
}
