/**
 * The algebra API in a web page: the browser bundle (dist/browser/testbeds.js, loaded by
 * web/index.html) runs Froidure–Pin, Green's relations and the group analysis on the page's main
 * thread (one synchronous kernel instance per semigroup) and gives the same report as Node.
 * Skipped, saying so, where /usr/bin/chromium is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CHROMIUM, hasChromium, openPage, type OpenPage } from '../helpers/chromium.js';
import { algebraReport } from '../../src/algebra/index.js';
import { zoo } from '../../src/automata/index.js';

if (!hasChromium) console.warn(`test/algebra/browser-algebra: skipped — ${CHROMIUM} not found`);
describe.skipIf(!hasChromium)('algebra in headless Chromium', () => {
  let open: OpenPage | undefined;
  let page: Page;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    open = await openPage(['dist/browser/testbeds.js'], () => (window as unknown as { testbeds?: unknown }).testbeds !== undefined);
    ({ page, pageErrors } = open);
  });

  afterAll(async () => {
    await open?.close();
  });

  it('algebraReport on the main thread equals Node (symmetric:5, dihedral:4, gridworld:9)', async () => {
    for (const name of ['symmetric:5', 'dihedral:4', 'gridworld:9']) {
      const inPage = await page.evaluate((n) => {
        const t = (window as any).testbeds;
        return JSON.stringify(t.algebraReport(t.zoo(n)));
      }, name);
      expect(JSON.parse(inPage)).toEqual(JSON.parse(JSON.stringify(algebraReport(zoo(name)))));
    }
    expect(pageErrors).toEqual([]);
  });

  it('T_6 (46,656 elements: the arrays grow in place) and the size limit error', async () => {
    const r = await page.evaluate(() => {
      const t = (window as any).testbeds;
      const gens = [[1, 0, 2, 3, 4, 5], [1, 2, 3, 4, 5, 0], [0, 0, 2, 3, 4, 5]];
      const S = t.transformationSemigroup(gens);
      let error = '';
      try {
        t.transformationSemigroup(gens, { maxSize: 1000 });
      } catch (e) {
        error = (e as Error).message;
      }
      return { size: S.size, error };
    });
    expect(r.size).toBe(46_656);
    expect(r.error).toBe('semigroup has more than 1000 elements; raise --max-size (option maxSize)');
  });
});
