import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../bench/cp.js';

describe('bench/cp (quick)', () => {
  it('writes the sweep table and JSON with kernel and reference rows for 20³, R = 5, 10, 20', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cp-bench-'));
    await run(['--quick', '--rounds', '1', '--max-time', '0.05', '--out', out]);
    const json = JSON.parse(readFileSync(join(out, 'cp.json'), 'utf8')) as { rows: { n: number; R: number; backend: string; seconds: number; gflops: number; vsTs?: number }[] };
    for (const R of [5, 10, 20]) {
      const w = json.rows.find((r) => r.n === 20 && r.R === R && r.backend === 'wasm')!;
      const t = json.rows.find((r) => r.n === 20 && r.R === R && r.backend === 'ts')!;
      expect(w.seconds).toBeGreaterThan(0);
      expect(t.seconds).toBeGreaterThan(0);
      expect(w.gflops).toBeCloseTo((4 * 20 ** 3 * R) / w.seconds / 1e9, 6);
      expect(w.vsTs).toBeCloseTo(t.seconds / w.seconds, 6);
    }
    const md = readFileSync(join(out, 'cp.md'), 'utf8');
    expect(md).toMatch(/^\| n³ \| R \| TS reference ms \| WASM kernel ms \|/);
    expect(md.split('\n').filter((l) => l.startsWith('| 20³')).length).toBe(3);
  });
});
