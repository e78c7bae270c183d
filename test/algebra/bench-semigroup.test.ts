// bench/semigroup.ts runs (quick mode: T_5, no GAP, no T_8) and writes its JSON and markdown.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../bench/semigroup.js';

describe('bench/semigroup --quick', () => {
  it('measures kernel, every-product kernel and TS reference on T_5, and writes results', async () => {
    const out = mkdtempSync(join(tmpdir(), 'testbeds-bench-'));
    await run(['--quick', '--out', out]);
    const r = JSON.parse(readFileSync(join(out, 'semigroup.json'), 'utf8'));
    expect(r).toMatchObject({ semigroup: 'T_5', size: 3125, gap: 'skipped', t8: 'skipped' });
    expect(r.kernelSeconds).toBeGreaterThan(0);
    expect(r.speedupVsReference).toBeGreaterThan(2);
    expect(readFileSync(join(out, 'semigroup.md'), 'utf8')).toContain('TypeScript reference closure');
  });
});
