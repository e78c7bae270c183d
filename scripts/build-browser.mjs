// Bundles the library for browsers: dist/browser/testbeds.js, one ESM file with the kernels inlined;
// dist/browser/learn-worker.js, the training Web Worker (src/learning/worker.ts, tfjs included);
// and dist/browser/tfjs/*.wasm, the tfjs WASM backend binaries the worker loads (setWasmBinaryLocation).
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

mkdirSync('dist/browser/tfjs', { recursive: true });
const common = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  // Node-only modules are imported dynamically behind runtime checks. In the browser bundles each
  // `node:` import becomes a module that throws when loaded, so the bundles contain no `node:`
  // specifier at all and a consumer's bundler (esbuild, Vite/Rollup, webpack) has nothing to resolve.
  plugins: [nodeOnly()],
  logLevel: 'warning',
};

function nodeOnly() {
  return {
    name: 'node-only',
    setup(b) {
      b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-only' }));
      b.onLoad({ filter: /.*/, namespace: 'node-only' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`${args.path} is available in Node only (testbeds' browser build)`)});`,
        loader: 'js',
      }));
    },
  };
}
await build({ ...common, entryPoints: ['src/browser.ts'], outfile: 'dist/browser/testbeds.js' });
console.error('browser bundle: dist/browser/testbeds.js');
if (existsSync('src/learning/worker.ts')) {
  await build({ ...common, entryPoints: ['src/learning/worker.ts'], outfile: 'dist/browser/learn-worker.js' });
  const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  const binaries = readdirSync(wasmDir).filter((f) => /^tfjs-backend-wasm.*\.wasm$/.test(f));
  for (const f of binaries) copyFileSync(join(wasmDir, f), join('dist/browser/tfjs', f));
  console.error(`browser worker: dist/browser/learn-worker.js, dist/browser/tfjs/ (${binaries.join(', ')})`);
}
