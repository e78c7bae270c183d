// The TypeScript examples of docs/simulate.md and docs/algebra.md run as written against the
// built library: an example that throws fails this test.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const dist = join(root, 'dist', 'src', 'index.js');
/** The ```ts blocks of a manual in docs/. */
function tsBlocks(doc: string): string[] {
  const text = readFileSync(join(root, doc), 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe.skipIf(!existsSync(dist))('docs examples', () => {
  it.each([['docs/simulate.md'], ['docs/algebra.md']])('%s: every ts block runs', (heading) => {
    const blocks = tsBlocks(heading);
    expect(blocks.length).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'testbeds-readme-'));
    blocks.forEach((code, i) => {
      // Blocks without an import use the names the earlier blocks imported.
      const body = code.replace(/from 'testbeds'/g, `from ${JSON.stringify(pathToFileURL(dist).href)}`);
      const imports = /^import /m.test(body) ? '' : `import * as tb from ${JSON.stringify(pathToFileURL(dist).href)};\nObject.assign(globalThis, tb);\n`;
      const file = join(dir, `block${i}.mjs`);
      writeFileSync(file, `${imports}${body}\nconsole.log('block ok');\n`);
      const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr, `${heading} block ${i}`).toBe('');
      expect(r.stdout).toContain('block ok');
    });
  });
});
