// Every CLI output goes through src/io: a full disk is one line naming the file and the old file
// survives; results are not replaced without --force; one command's two outputs must differ;
// a letters file with a UTF-8 byte-order mark reads; bench --from a wrong file is one line.
import { spawnSync } from 'node:child_process';
import fs, { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'tb-outputs-'));
const realWriteSync = fs.writeSync;
afterEach(() => {
  fs.writeSync = realWriteSync;
});

describe('CLI outputs', () => {
  it('simulate --out on a full disk: one line naming the file, exit 2, the old file intact even with --force', async () => {
    const out = join(dir, 'states.txt');
    writeFileSync(out, 'old results\n');
    fs.writeSync = (() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }) as typeof fs.writeSync;
    const r = await cli(['simulate', '--automaton', 'parity', '--random', '1000', '--out', out, '--force']);
    fs.writeSync = realWriteSync;
    expect(r.code).toBe(2);
    expect(r.err).toBe(`testbeds simulate: ${out}: cannot write (no space left on the device, ENOSPC)`);
    expect(readFileSync(out, 'utf8')).toBe('old results\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('hmm sample --out F --states F is refused (also through another spelling of F), before anything is written', async () => {
    const f = join(dir, 'seq.txt');
    let r = await cli(['hmm', 'sample', '--hmm', 'example', '--length', '5', '--out', f, '--states', f, '--force']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`testbeds hmm: --out ${f} and --states ${f} are the same file; give two different paths`);
    const other = join(dir, 'sub', '..', 'seq.txt');
    mkdirSync(join(dir, 'sub'));
    r = await cli(['hmm', 'sample', '--hmm', 'example', '--length', '5', '--out', f, '--states', other, '--force']);
    expect(r.err).toMatch(/are the same file/);
    expect(existsSync(f)).toBe(false);
    r = await cli(['hmm', 'sample', '--hmm', 'example', '--length', '5', '--out', f, '--states', join(dir, 'hidden.txt')]);
    expect(r.code).toBe(0);
    expect(readFileSync(f, 'utf8').trim().split(' ')).toHaveLength(5);
  });

  it('a letters file with a UTF-8 byte-order mark is read as its letters', async () => {
    const f = join(dir, 'bom.txt');
    writeFileSync(f, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('0 1 1 0\n')]));
    const r = await cli(['simulate', '--automaton', 'parity', '--input', f, '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ length: 4, final: 0 });
    // Automaton and HMM JSON files with a BOM read too.
    const bom = (text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    const a = join(dir, 'bom-automaton.json');
    writeFileSync(a, bom(JSON.stringify({ name: 'flip', delta: [[0, 1], [1, 0]] })));
    const r2 = await cli(['simulate', '--automaton', a, '--input', f, '--json']);
    expect(r2.code, r2.err).toBe(0);
    const h = join(dir, 'bom-hmm.json');
    writeFileSync(h, bom(JSON.stringify({ transition: [[0.9, 0.1], [0.2, 0.8]], emission: [[0.5, 0.5], [0.1, 0.9]] })));
    const r3 = await cli(['hmm', 'sample', '--hmm', h, '--length', '3', '--json']);
    expect(r3.code, r3.err).toBe(0);
  });

  it('bench simulate: --out with results is refused at once without --force; --from a non-result file is one line', () => {
    const bin = resolve('bin/testbeds.js'); // the compiled CLI (npm run build)
    const out = join(dir, 'bench');
    mkdirSync(out);
    writeFileSync(join(out, 'simulate.json'), '{"rows": [], "targets": []}\n');
    let r = spawnSync(process.execPath, [bin, 'bench', 'simulate', '--quick', '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`testbeds bench: ${out} already holds simulate.json; pass --force to replace them`);
    const hmm = join(dir, 'hmm_ok.json');
    writeFileSync(hmm, JSON.stringify({ transition: [[1]], emission: [[1]] }));
    r = spawnSync(process.execPath, [bin, 'bench', 'simulate', '--from', hmm, '--out', join(dir, 'b2')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`testbeds bench: --from ${hmm}: not a simulate.json written by \`testbeds bench simulate\` (needs "rows" with automaton, method and T, and "targets")`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
