// Fuzz layer over every file reader (issue #10): automaton JSON files, letter files (.txt, .u16,
// bytes), HMM files and checkpoints. Random and mutated contents must give a value or an Error that
// names the file (or the field), never a raw TypeError/RangeError from inside.
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { automatonToJson, parseHmm, readLetters, resolveAutomaton, validateAutomaton, zoo } from '../../src/index.js';
import { decodeCheckpoint, encodeCheckpoint, readCheckpointFile } from '../../src/learning/checkpoint.js';
// @ts-expect-error plain JS module shared with the API fuzz worker
import { rawError } from './outcome.mjs';

const dir = mkdtempSync(join(tmpdir(), 'testbeds-fuzz-readers-'));
const enc = new TextEncoder();
let fileNo = 0;
const newPath = (ext: string) => join(dir, `f${fileNo++}${ext}`);

/** The outcome is acceptable: a value, or an error naming `name` (the file or argument). */
async function outcome(name: string, f: () => unknown): Promise<string | null> {
  try {
    await f();
    return null;
  } catch (e) {
    const raw = rawError(e);
    if (raw) return raw;
    return (e as Error).message.includes(name) ? null : `error does not name ${name}: ${(e as Error).message}`;
  }
}

/** Byte-level mutations of a valid file: flips, truncation, insertion, a UTF-8 BOM, deletion. */
function mutatedBytes(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  const edit = fc.oneof(
    fc.tuple(fc.constant('flip'), fc.nat(), fc.integer({ min: 0, max: 255 })),
    fc.tuple(fc.constant('cut'), fc.nat(), fc.constant(0)),
    fc.tuple(fc.constant('insert'), fc.nat(), fc.integer({ min: 0, max: 255 })),
    fc.tuple(fc.constant('delete'), fc.nat(), fc.constant(0)),
  );
  return fc.tuple(fc.array(edit, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([edits, bom]) => {
    let b = Array.from(valid);
    for (const [op, at, v] of edits) {
      const i = b.length ? at % b.length : 0;
      if (op === 'flip') b[i] = v;
      else if (op === 'cut') b = b.slice(0, i);
      else if (op === 'insert') b.splice(i, 0, v);
      else b.splice(i, 1);
    }
    return Uint8Array.from(bom ? [0xef, 0xbb, 0xbf, ...b] : b);
  });
}

/** JSON values a file might hold instead of the right one: wrong types, NaN-like numbers, nesting. */
const jsonValue = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, 1, -1, 2.5, 1e308, -0, 65536, 4294967296, '', 'x', '0'),
    fc.integer({ min: -3, max: 10 }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('delta', 'start', 'name', 'states', 'alphabet', 'labels', 'labelings', 'transition', 'emission', 'initial'), tie('v'), { maxKeys: 4 }),
  ),
})).v;

/** Replaces one value at a random place inside a JSON object by `by`. */
function replaceSomewhere(v: unknown, pick: number, by: unknown): unknown {
  const paths: (string | number)[][] = [];
  const walk = (x: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(x)) x.slice(0, 32).forEach((y, i) => walk(y, [...path, i]));
    else if (x && typeof x === 'object') for (const [k, y] of Object.entries(x)) walk(y, [...path, k]);
  };
  walk(v, []);
  const path = paths[pick % paths.length];
  if (path.length === 0) return by;
  const clone = JSON.parse(JSON.stringify(v));
  let at = clone;
  for (const k of path.slice(0, -1)) at = at[k];
  at[path[path.length - 1]] = by;
  return clone;
}

const RUNS = 150;

describe('file readers under random and mutated input', () => {
  const automatonJson = JSON.stringify(automatonToJson(zoo('dihedral:3')));

  it('automaton JSON files (resolveAutomaton): value or an error naming the file', async () => {
    const base = JSON.parse(automatonJson);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          mutatedBytes(enc.encode(automatonJson)),
          fc.tuple(fc.nat(), jsonValue).map(([pick, by]) => enc.encode(JSON.stringify(replaceSomewhere(base, pick, by)))),
          jsonValue.map((v) => enc.encode(JSON.stringify(v) ?? '')),
        ),
        async (bytes) => {
          const path = newPath('.json');
          writeFileSync(path, bytes);
          expect(await outcome(path, () => resolveAutomaton(path))).toBeNull();
        },
      ),
      { numRuns: RUNS, seed: 101 },
    );
  });

  it('automaton objects (validateAutomaton): value or an error naming the source', async () => {
    const base = JSON.parse(automatonJson);
    await fc.assert(
      fc.asyncProperty(fc.tuple(fc.nat(), jsonValue), async ([pick, by]) => {
        expect(await outcome('car.json', () => validateAutomaton(replaceSomewhere(base, pick, by), 'car.json'))).toBeNull();
      }),
      { numRuns: RUNS, seed: 102 },
    );
  });

  it('letter files (.txt, .u16, bytes): value or an error naming the file', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('.txt', '.u16', '.bin'),
        fc.oneof(mutatedBytes(enc.encode('0 1 1 0\n1 0\n')), fc.uint8Array({ maxLength: 64 }), fc.string({ maxLength: 40 }).map((s) => enc.encode(s))),
        fc.option(fc.integer({ min: 1, max: 70000 }), { nil: undefined }),
        async (ext, bytes, k) => {
          const path = newPath(ext);
          writeFileSync(path, bytes);
          expect(await outcome(path, () => readLetters(path, k === undefined || k <= 65536 ? k : undefined))).toBeNull();
        },
      ),
      { numRuns: RUNS, seed: 103 },
    );
  });

  it('HMM files (parseHmm): value or an error naming the file', async () => {
    const valid = JSON.stringify({ transition: [[0.9, 0.1], [0.2, 0.8]], emission: [[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]], initial: [0.5, 0.5] });
    const base = JSON.parse(valid);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          mutatedBytes(enc.encode(valid)).map((b) => new TextDecoder().decode(b)),
          fc.tuple(fc.nat(), jsonValue).map(([pick, by]) => JSON.stringify(replaceSomewhere(base, pick, by))),
        ),
        async (text) => {
          expect(await outcome('h.json', () => parseHmm(text, 'h.json'))).toBeNull();
        },
      ),
      { numRuns: RUNS, seed: 104 },
    );
  });

  it('checkpoints (decodeCheckpoint, readCheckpointFile): value or an error naming the file', async () => {
    const header = { run: { model: { kind: 'transformer' } }, step: 3, adamT: 3, shapes: { w: [2, 2] }, rng: { seed: 1, step: 3 } } as unknown as Parameters<typeof encodeCheckpoint>[0];
    const valid = encodeCheckpoint(header, new Float32Array([1, 2, 3, 4]), new Float32Array(8));
    await fc.assert(
      fc.asyncProperty(mutatedBytes(valid), async (bytes) => {
        expect(await outcome('run.tbck', () => decodeCheckpoint(bytes, 'run.tbck'))).toBeNull();
        const path = newPath('.tbck');
        writeFileSync(path, bytes);
        expect(await outcome(path, () => readCheckpointFile(path))).toBeNull();
      }),
      { numRuns: RUNS, seed: 105 },
    );
  });
});
