// Bundles the library for browsers: dist/browser/testbeds.js, one ESM file with the kernels inlined.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';

mkdirSync('dist/browser', { recursive: true });
await build({
  entryPoints: ['src/browser.ts'],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outfile: 'dist/browser/testbeds.js',
  // Node-only modules are imported dynamically behind runtime checks; keep them out of the bundle.
  external: ['node:*'],
  logLevel: 'warning',
});
console.error('browser bundle: dist/browser/testbeds.js');
