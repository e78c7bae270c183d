/**
 * The browser bundles stay browser-safe: the Node-only modules (resolve.ts, sequence-io.ts, worker
 * threads, checkpoint files) import Node built-ins dynamically, and the browser build turns each such
 * import into a module that throws, so no `node:` import of any kind is left for a consumer's bundler
 * to resolve (test/package/packed.test.ts bundles the installed package with esbuild and Vite).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const BUNDLE = resolve(import.meta.dirname, '../../dist/browser/testbeds.js');

describe('dist/browser/testbeds.js', () => {
  it('exists (npm run build) and has no static import of a Node built-in', () => {
    expect(existsSync(BUNDLE), `${BUNDLE} missing: run npm run build`).toBe(true);
    const src = readFileSync(BUNDLE, 'utf8');
    expect(src.match(/^\s*import\s[^;(]*?from\s*["'](node:[^"']+|fs|path|os|worker_threads)["']/gm) ?? []).toEqual([]);
    // esbuild's require shim for a bundled CommonJS import of a built-in (would throw in a browser)
    expect(src.match(/__require\(\s*["']node:/g) ?? []).toEqual([]);
    // no dynamic import of a built-in either (a bundler would try to resolve it)
    expect(src.match(/\bimport\(\s*["']node:/g) ?? []).toEqual([]);
    // the zoo, sampling and simulate are in it
    for (const name of ['zooEntries', 'sampleLetters', 'validateAutomaton', 'simulate']) expect(src).toContain(name);
  });
});
