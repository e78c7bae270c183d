/**
 * The browser test: the built bundle (dist/browser/testbeds.js) loaded by web/index.html in
 * headless Debian Chromium (playwright-core, no browser download) samples seeded letters and
 * simulates zoo automata; the states must equal the same computation in Node. Skipped, saying
 * so, where /usr/bin/chromium is absent (CI installs it: .ci/run).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { sampleLetters, zoo, type Automaton } from '../../src/automata/index.js';
import { METHODS, simulate } from '../../src/simulate/index.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../..');
const BUNDLE = join(ROOT, 'dist/browser/testbeds.js');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`test/browser: skipped — ${CHROMIUM} not found (apt-get install chromium; .ci/run does)`);

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json', '.css': 'text/css', '.wasm': 'application/wasm', '.map': 'application/json' };

/** A static file server over the repository on 127.0.0.1 (random port); nothing outside ROOT. */
function serve(): Promise<Server> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(ROOT, path));
    if (!file.startsWith(ROOT + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

/** The Node side: the plain loop over the same seeded letters. */
function nodeStates(a: Automaton, T: number, seed: number): number[] {
  const letters = sampleLetters(a, T, { seed });
  const out = new Array<number>(T);
  let q = a.start;
  for (let t = 0; t < T; t++) out[t] = q = a.delta[letters[t]][q];
  return out;
}

describe.skipIf(!hasChromium)(`browser: web/index.html in headless Chromium (${CHROMIUM})`, () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first`);
    server = await serve();
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const { port } = server.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/web/index.html`);
    await page.waitForFunction(() => (window as unknown as { testbedsReady?: boolean }).testbedsReady === true, undefined, { timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
  });

  it('loads the bundle with WebAssembly SIMD and no page errors', async () => {
    expect(await page.evaluate(() => (window as any).testbeds.hasWasmSimd())).toBe(true);
    expect(await page.textContent('#status')).toContain('ready');
    expect(await page.$$eval('#method option', (os) => os.map((o) => o.textContent))).toEqual([...METHODS]);
    expect(pageErrors).toEqual([]);
  });

  it('same seed ⇒ same letters in Chromium and Node', async () => {
    for (const [name, seed] of [['symmetric:5', 3], ['flipflop:3', 4], ['gridworld:9', 5], ['quaternion', -7]] as const) {
      const T = 5000;
      const browserLetters = await page.evaluate(({ name, T, seed }) => Array.from((window as any).testbeds.sampleLetters((window as any).testbeds.zoo(name), T, { seed })), { name, T, seed });
      expect(browserLetters).toEqual(Array.from(sampleLetters(zoo(name), T, { seed })));
    }
  });

  const cases: [string, number, number, string][] = [
    ...METHODS.map((m): [string, number, number, string] => ['dihedral:4', 100_000, 1, m]),
    ['symmetric:5', 50_000, 2, 'scan'],
    ['dyck:2,4', 50_000, 3, 'scan'],
    ['gridworld:9', 30_000, 6, 'brent-kung'],
    ['cyclic:300', 20_000, 4, 'scan'], // uint16 states
    ['flipflop:300', 20_000, 5, 'scan'], // uint16 letters and states
  ];
  for (const [name, T, seed, method] of cases) {
    it(`${name}, T = ${T}, seed ${seed}, ${method}: states equal Node's`, async () => {
      // States cross the page boundary as one string: a 100k-element array is slow to serialise.
      const r = await page.evaluate((o) => {
        const res = (window as any).runDemo({ ...o, first: Infinity });
        return { ...res, states: res.states.join(','), count: res.states.length, letters: undefined };
      }, { name, T, seed, method });
      const expected = nodeStates(zoo(name), T, seed);
      // The same method in Node: same final state and the same number of rounds.
      const a = zoo(name);
      const node = simulate(a, sampleLetters(a, T, { seed }), { method: method as (typeof METHODS)[number] });
      expect(r.method).toBe(method);
      expect(r.depth).toBe(node.depth);
      expect(r.final).toBe(node.final);
      expect(r.count).toBe(T);
      expect(r.final).toBe(expected[T - 1]);
      if (r.states !== expected.join(',')) {
        const got = r.states.split(',').map(Number);
        const t = got.findIndex((q: number, i: number) => q !== expected[i]);
        expect({ t, state: got[t] }).toEqual({ t, state: expected[t] }); // first position that differs
      }
    });
  }

  it('the form: pick an automaton, T, seed and method, Run shows the final state and the first states', async () => {
    await page.selectOption('#automaton', 'dihedral:4');
    await page.fill('#custom', '');
    await page.fill('#length', '12345');
    await page.fill('#seed', '9');
    await page.selectOption('#method', 'reference');
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'done');
    const expected = nodeStates(zoo('dihedral:4'), 12345, 9);
    expect(Number(await page.getAttribute('#r-final', 'data-state'))).toBe(expected[12344]);
    expect(await page.textContent('#r-time')).toMatch(/ms/);
    const firstStates = await page.$$eval('#r-first tbody tr td:nth-child(3)', (tds) => tds.map((td) => td.textContent));
    const names = zoo('dihedral:4').states!;
    expect(firstStates).toEqual(expected.slice(0, 32).map((q) => names[q]));
  });

  it('the form reports a bad zoo name as an error line', async () => {
    await page.fill('#custom', 'cyclic:0');
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('status')?.className === 'error');
    expect(await page.textContent('#status')).toContain('parameter 1 = 0 must be ≥ 1');
    await page.fill('#custom', '');
    expect(pageErrors).toEqual([]);
  });
});
