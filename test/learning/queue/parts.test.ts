// The queue's pure parts: the URL (credentials masked, TLS for rediss://), the cell payload (its
// hash id and field-by-field validation), and the step-time model behind --estimate and the ETA.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cellJobId, cellPayload, validatePayload } from '../../../src/learning/queue/cell.js';
import { parseQueueUrl, scrub } from '../../../src/learning/queue/connection.js';
import { duration, eta, gridCost, stepTimeModel } from '../../../src/learning/queue/estimate.js';
import { PRESETS } from '../../../src/learning/sweep.js';

describe('queue URL', () => {
  it('parses host, port, database, ACL user and password; only the masked form is printable', () => {
    const a = parseQueueUrl('redis://alice:s%40cret@queue.lab:6380/2');
    expect(a.options).toMatchObject({ host: 'queue.lab', port: 6380, db: 2, username: 'alice', password: 's@cret' });
    expect(a.options.tls).toBeUndefined();
    expect(a.redacted).toBe('redis://alice:***@queue.lab:6380/2');
    expect(scrub('WRONGPASS for s@cret', a)).toBe('WRONGPASS for ***');
    const t = parseQueueUrl('rediss://:pw@10.0.0.5');
    expect(t.options).toMatchObject({ host: '10.0.0.5', port: 6379, db: 0, password: 'pw', tls: { servername: '10.0.0.5' } });
    expect(t.redacted).toBe('rediss://:***@10.0.0.5/0');
  });

  it('env:NAME reads the URL from the environment (no password in the process list)', () => {
    process.env.TB_PARTS_URL = 'redis://u:envsecret@h:7/1';
    expect(parseQueueUrl('env:TB_PARTS_URL').options).toMatchObject({ host: 'h', port: 7, db: 1, username: 'u', password: 'envsecret' });
    delete process.env.TB_PARTS_URL;
    expect(() => parseQueueUrl('env:TB_PARTS_URL')).toThrow('--queue env:TB_PARTS_URL: environment variable TB_PARTS_URL is not set');
  });

  it('refuses what is not a Redis URL with one line naming the part, never echoing a password', () => {
    expect(() => parseQueueUrl('http://h:1')).toThrow('--queue: scheme "http:" is not redis: or rediss:');
    expect(() => parseQueueUrl('redis://h:1/16')).toThrow('--queue: database "16" is not an integer in [0, 15]');
    expect(() => parseQueueUrl('redis://h:1/x')).toThrow('--queue: database "x"');
    expect(() => parseQueueUrl('')).toThrow('--queue: expected redis://');
    expect(() => parseQueueUrl('redis://u:topsecret@h:1?x=1')).toThrow('query strings');
    expect(() => parseQueueUrl('redis//u:topsecret@h')).toThrow('--queue: "redis//u:***@h" is not a URL');
  });
});

describe('cell payload', () => {
  const s = { ...PRESETS.quick, automata: ['parity'], depths: [2] };

  it('the job id hashes every setting: equal settings give equal ids, any change another id', () => {
    const p = cellPayload(s, 'parity', 2);
    expect(cellJobId(p)).toMatch(/^cell-[0-9a-f]{32}$/);
    expect(cellJobId(cellPayload({ ...s }, 'parity', 2))).toBe(cellJobId(p));
    // Key order does not matter.
    expect(cellJobId({ settings: { ...p.settings }, depth: 2, automaton: 'parity', v: 1 })).toBe(cellJobId(p));
    const ids = new Set([cellJobId(p), cellJobId(cellPayload(s, 'parity', 3)), cellJobId(cellPayload(s, 'cyclic:3', 2)), ...(['length', 'width', 'heads', 'batch', 'steps', 'warmup', 'seed', 'evalBatches'] as const).map((k) => cellJobId(cellPayload({ ...s, [k]: s[k] + 1 }, 'parity', 2))), cellJobId(cellPayload({ ...s, lr: s.lr * 2 }, 'parity', 2))]);
    expect(ids.size).toBe(12);
    // No address or path in the payload.
    expect(Object.keys(p).sort()).toEqual(['automaton', 'depth', 'settings', 'v']);
  });

  it('validation accepts what a sweep makes and names the field and value of anything else', () => {
    const p = cellPayload(s, 'dyck', 2);
    expect(validatePayload(p, cellJobId(p))).toEqual(p);
    const bad = (d: unknown) => () => validatePayload(d);
    expect(bad(null)).toThrow('invalid job payload: data = null (expected an object)');
    expect(bad({ ...p, v: 2 })).toThrow('invalid job payload: v = 2 (expected 1)');
    expect(bad({ ...p, automaton: 'nope:3' })).toThrow('invalid job payload: automaton = "nope:3" (expected a zoo name)');
    expect(bad({ ...p, automaton: '../../etc' })).toThrow('automaton = "../../etc"');
    expect(bad({ ...p, depth: 1.5 })).toThrow('invalid job payload: depth = 1.5 (expected an integer in [1, 256])');
    expect(bad({ ...p, settings: { ...p.settings, steps: -1 } })).toThrow('settings.steps = -1');
    expect(bad({ ...p, settings: { ...p.settings, lr: 'x' } })).toThrow('settings.lr = "x" (expected a number in [0, 10])');
    expect(bad({ ...p, settings: { ...p.settings, out: '/tmp' } })).toThrow('invalid job payload: settings.out = "/tmp" (expected no such field)');
    expect(bad({ ...p, args: ['--out', '/'] })).toThrow('invalid job payload: args');
    expect(() => validatePayload(p, 'cell-0')).toThrow('invalid job payload: job id = "cell-0"');
  });

  it('never throws anything but a one-line payload error on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        try {
          validatePayload(v);
        } catch (e) {
          expect((e as Error).message).toMatch(/^invalid job payload: [^\n]+$/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('step-time model', () => {
  it('fits a + b·L through measured depths, keeps measured points, and prices the grid', () => {
    const m = stepTimeModel([{ depth: 1, secondsPerStep: 0.014 }, { depth: 2, secondsPerStep: 0.023 }])!;
    expect(m(1)).toBe(0.014);
    expect(m(8)).toBeCloseTo(0.005 + 0.009 * 8, 12);
    const c = gridCost(m, [1, 2, 8], 10, 3000);
    expect(c.perCell.map((x) => x.seconds)).toEqual([0.014 * 3000, 0.023 * 3000, m(8) * 3000]);
    expect(c.coreHours).toBeCloseTo((10 * 3000 * (0.014 + 0.023 + m(8))) / 3600, 12);
    expect(eta(m, [{ depth: 1, steps: 100 }, { depth: 2, steps: 200 }], 2)).toBeCloseTo((1.4 + 4.6) / 2, 12);
    expect(stepTimeModel([])).toBeNull();
    expect(stepTimeModel([{ depth: 2, secondsPerStep: 0.5 }])!(4)).toBe(1);
    expect(duration(40)).toBe('40 s');
    expect(duration(3 * 3600 + 5 * 60)).toBe('3 h 05 min');
  });
});

describe('cell store in a shared directory', () => {
  it('round-trips checkpoint, log and step; a missing cell is null', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { DirCellStore } = await import('../../../src/learning/queue/store.js');
    const st = new DirCellStore(mkdtempSync(join(tmpdir(), 'tb-store-')));
    expect(await st.get('cell-x')).toBeNull();
    const f = { step: 40, checkpoint: new Uint8Array([1, 2, 3, 250]), log: new TextEncoder().encode('{"step":40}\n') };
    await st.put('cell-x', f);
    expect(await st.get('cell-x')).toEqual(f);
    await st.put('cell-x', { ...f, step: 80 });
    expect((await st.get('cell-x'))!.step).toBe(80);
  });
});
