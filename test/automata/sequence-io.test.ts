import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLetters, resolveAutomaton, sampleLetters, writeStates, writeLetters, zoo, parseLetterText } from '../../src/automata/index.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'testbeds-seq-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sequence files round trip', () => {
  it.each(['txt', 'bin', 'u16'])('.%s', async (ext) => {
    const x = sampleLetters(zoo('symmetric:5'), 10_000, { seed: 1 });
    const p = join(dir, `letters.${ext}`);
    await writeLetters(p, x);
    const y = await readLetters(p, 3);
    expect(y).toBeInstanceOf(Uint8Array);
    expect(Array.from(y)).toEqual(Array.from(x));
  });
  it('uint16 values through .u16 and .txt (little-endian on disk)', async () => {
    const x = new Uint16Array([0, 1, 255, 256, 65535, 300]);
    for (const ext of ['u16', 'txt']) {
      const p = join(dir, `wide.${ext}`);
      await writeStates(p, x);
      const y = await readLetters(p);
      expect(y).toBeInstanceOf(Uint16Array);
      expect(Array.from(y)).toEqual(Array.from(x));
    }
    expect(Array.from(readFileSync(join(dir, 'wide.u16')).subarray(6, 8))).toEqual([0, 1]); // 256 LE
  });
  it('.txt reads any whitespace and an empty file', async () => {
    const p = join(dir, 'ws.txt');
    writeFileSync(p, ' 1\t0\r\n 2  \n\n3');
    expect(Array.from(await readLetters(p))).toEqual([1, 0, 2, 3]);
    const e = join(dir, 'empty.txt');
    writeFileSync(e, '');
    expect((await readLetters(e)).length).toBe(0);
    await writeStates(join(dir, 'empty-out.bin'), new Uint8Array(0));
    expect(readFileSync(join(dir, 'empty-out.bin')).length).toBe(0);
  });
  it('never overwrites unless force', async () => {
    const p = join(dir, 'keep.bin');
    await writeStates(p, [1, 2, 3]);
    await expect(writeStates(p, [4])).rejects.toThrow(`${p}: file exists; not overwriting it (use --force / { force: true })`);
    expect(Array.from(readFileSync(p))).toEqual([1, 2, 3]);
    await writeStates(p, [4], { force: true });
    expect(Array.from(readFileSync(p))).toEqual([4]);
  });
});

describe('sequence files: errors name path, position and value', () => {
  it('txt: non-integer and out-of-range tokens', async () => {
    const p = join(dir, 'bad.txt');
    writeFileSync(p, '0 1\n1 x2 0');
    await expect(readLetters(p, 2)).rejects.toThrow(`${p}: letter 3 (line 2) = "x2" is not a non-negative integer`);
    writeFileSync(p, '0 1 -1');
    await expect(readLetters(p, 2)).rejects.toThrow(/letter 2 \(line 1\) = "-1" is not a non-negative integer/);
    writeFileSync(p, '0 1 1 2');
    await expect(readLetters(p, 2)).rejects.toThrow(`${p}: letter 3 (line 1) = "2" is out of range: letters are 0..1`);
    expect(() => parseLetterText(new TextEncoder().encode('70000'), 65535)).toThrow(/"70000" is out of range/);
  });
  it('raw bytes and u16: out of range, odd length', async () => {
    const p = join(dir, 'bad.bin');
    writeFileSync(p, new Uint8Array([0, 1, 5, 0]));
    await expect(readLetters(p, 4)).rejects.toThrow(`${p}: letter 2 = 5 is out of range: letters are 0..3 (|Σ| = 4)`);
    const q = join(dir, 'odd.u16');
    writeFileSync(q, new Uint8Array([0, 1, 5]));
    await expect(readLetters(q)).rejects.toThrow(`${q}: 3 bytes is not a whole number of uint16 letters (odd length)`);
  });
  it('missing file; values that do not fit the format', async () => {
    const p = join(dir, 'nope.bin');
    await expect(readLetters(p)).rejects.toThrow(`${p}: cannot read the letter file (no such file)`);
    await expect(writeStates(join(dir, 'w.bin'), [1, 300])).rejects.toThrow(/w\.bin: value 1 = 300 cannot be written as u8 \(does not fit in one byte: write a \.u16 or \.txt file\)/);
    await expect(writeStates(join(dir, 'w.u16'), [1, 70000])).rejects.toThrow(/value 1 = 70000 cannot be written as u16/);
    await expect(writeStates(join(dir, 'w.txt'), [1, -2])).rejects.toThrow(/value 1 = -2 cannot be written/);
    expect(existsSync(join(dir, 'w.bin'))).toBe(false);
  });
});

describe('resolveAutomaton', () => {
  it('zoo names first, then files; file errors name the path', async () => {
    expect((await resolveAutomaton('dihedral:4')).delta).toEqual(zoo('dihedral:4').delta);
    const p = join(dir, 'car.json');
    writeFileSync(p, JSON.stringify({ delta: [[1, 0], [0, 1]] }));
    const a = await resolveAutomaton(p);
    expect(a.delta).toEqual([[1, 0], [0, 1]]);
    expect(a.name).toBe(p);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ delta: [[1, 0], [0]] }));
    await expect(resolveAutomaton(bad)).rejects.toThrow(`${bad}: delta[1] has length 1, expected 2`);
    writeFileSync(bad, '{ delta: ');
    await expect(resolveAutomaton(bad)).rejects.toThrow(new RegExp(`${bad}: not valid JSON`));
    await expect(resolveAutomaton(join(dir, 'missing.json'))).rejects.toThrow(/missing\.json": neither a zoo name .* nor an existing file/);
    await expect(resolveAutomaton('cyclic:0')).rejects.toThrow(/cyclic:0.*must be ≥ 1/);
  });
});
