// The package as a consumer gets it: `npm pack` → install the tarball into a scratch app in a temp
// directory (its dependencies come from the npm cache that `npm ci` filled; the registry is only a
// fallback) → type-check the app with `tsc --strict` (skipLibCheck off) → run it in Node → bundle
// its browser entry with esbuild and with Vite, at their defaults. Also what the tarball holds.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build as esbuild, transformSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const built = existsSync(join(root, 'dist', 'src', 'index.js')) && existsSync(join(root, 'dist', 'browser', 'testbeds.js'));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** Runs tsc on a config in the app; resolves to its output (empty when it type-checks). */
async function typeCheck(config: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [tsc, '-p', config], { cwd: app, encoding: 'utf8' });
    return { code: 0, output: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

/** An app that uses the library in Node: the core API and the training API. */
const NODE_APP = `import { zoo, sampleLetters, simulate, algebraReport, type Automaton } from 'testbeds';
import { initBackend, runConfig, Trainer } from 'testbeds/learning';

const car: Automaton = zoo('dihedral:4');
const letters = sampleLetters(car, 10_000, { seed: 1 });
const a = simulate(car, letters, { method: 'scan' });
const b = simulate(car, letters, { method: 'reference' });
const report = algebraReport(zoo('symmetric:5'));
await initBackend();
const trainer = new Trainer(runConfig({ automaton: zoo('parity'), model: 'lstm', length: 8, width: 8, steps: 2, seed: 1 }));
const result = await trainer.train();
trainer.dispose();
console.log(JSON.stringify({ agree: a.final === b.final, depth: a.depth, size: report.size, solvable: report.solvable, steps: result.steps }));
`;

/** An app for the browser: testbeds/browser, and the root entry that a browser bundler resolves to it. */
const BROWSER_APP = `import { zoo, sampleLetters, simulate } from 'testbeds/browser';
import * as root from 'testbeds';

const car = zoo('dihedral:4');
const r = simulate(car, sampleLetters(car, 1000, { seed: 1 }), { method: 'hillis-steele' });
const out: string = \`final \${r.final}, depth \${r.depth}, same API: \${typeof root.simulate === 'function'}\`;
document.body.textContent = out;
`;

const tsconfig = (file: string, extra: object) =>
  JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, ...extra }, files: [file] });

/** A Node built-in referenced as a module: a static import, an import() or esbuild's require shim (the worker source that threads.ts hands to Node workers is a string, not an import). */
const NODE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|__require\s*\(\s*)["']node:/;

let app = '';
let packed: { filename: string; files: { path: string }[] } | undefined;

beforeAll(() => {
  if (!built) return;
  app = mkdtempSync(join(tmpdir(), 'testbeds-app-'));
  // --ignore-scripts: `prepare` would rebuild dist under the other tests' feet; the build is done.
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', app], { cwd: root, encoding: 'utf8' });
  packed = JSON.parse(out)[0];
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module', dependencies: { testbeds: `file:./${packed!.filename}` } }));
  const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: app, encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`npm install of the tarball failed:\n${install.stderr}`);
  writeFileSync(join(app, 'node.ts'), NODE_APP);
  writeFileSync(join(app, 'browser.ts'), BROWSER_APP);
  writeFileSync(join(app, 'index.html'), '<!doctype html><script type="module" src="./browser.ts"></script>\n');
}, 180_000);

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

// The checks are independent (separate files in the app): run them side by side.
describe.concurrent.skipIf(!built)('the packed tarball in a scratch app', () => {
  it('ships what a consumer needs, with the licence, and nothing else', () => {
    const files = packed!.files.map((f) => f.path);
    for (const f of ['LICENSE', 'README.md', 'docs/embedding.md', 'package.json', 'bin/testbeds.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/browser.d.ts', 'dist/src/learning/index.d.ts', 'dist/browser/testbeds.js']) {
      expect(files, f).toContain(f);
    }
    const unwanted = files.filter((f) => /^(src|assembly|test|bench|dist\/bench|web|scripts)\//.test(f) || f.endsWith('.map'));
    expect(unwanted).toEqual([]);
    expect(readFileSync(join(app, 'node_modules', 'testbeds', 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  it('type-checks under tsc --strict without skipLibCheck: testbeds and testbeds/browser with no Node types', async () => {
    writeFileSync(join(app, 'tsconfig.browser.json'), tsconfig('browser.ts', { lib: ['ES2022', 'DOM'], types: [] }));
    expect(await typeCheck('tsconfig.browser.json')).toEqual({ code: 0, output: '' });
  }, 120_000);

  it('type-checks under tsc --strict without skipLibCheck: testbeds/learning, given the DOM lib (docs/embedding.md)', async () => {
    writeFileSync(join(app, 'tsconfig.node.json'), tsconfig('node.ts', { lib: ['ES2022', 'DOM'] }));
    expect(await typeCheck('tsconfig.node.json')).toEqual({ code: 0, output: '' });
  }, 120_000);

  it('runs in Node: simulation, algebra and two training steps on tfjs-wasm from the installed package', async () => {
    writeFileSync(join(app, 'node.mjs'), transformSync(NODE_APP, { loader: 'ts', format: 'esm' }).code);
    const r = await promisify(execFile)(process.execPath, ['node.mjs'], { cwd: app, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ agree: true, depth: expect.any(Number), size: 120, solvable: false, steps: 2 });
  }, 120_000);

  it('bundles for the browser with esbuild at its defaults (no externals), from the browser build', async () => {
    const res = await esbuild({ absWorkingDir: app, entryPoints: ['browser.ts'], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
    expect(res.errors).toEqual([]);
    const inputs = Object.keys(res.metafile!.inputs);
    expect(inputs.filter((f) => f.includes('node_modules/testbeds/'))).toEqual(['node_modules/testbeds/dist/browser/testbeds.js']);
    expect(res.outputFiles[0]!.text).not.toMatch(NODE_IMPORT);
  }, 60_000);

  it('bundles for the browser with Vite (Rollup/Rolldown) at its defaults', async () => {
    const { build } = await import('vite');
    await build({ root: app, configFile: false, logLevel: 'silent', build: { outDir: join(app, 'vite-out'), minify: false } });
    const assets = readdirSync(join(app, 'vite-out', 'assets')).filter((f) => f.endsWith('.js'));
    expect(assets.length).toBeGreaterThan(0);
    const js = assets.map((f) => readFileSync(join(app, 'vite-out', 'assets', f), 'utf8')).join('\n');
    expect(js).not.toMatch(NODE_IMPORT);
    expect(js).toContain('hillis-steele');
  }, 120_000);
});
