/**
 * One sweep cell as a queue job: the payload names the row, the depth and every setting that
 * changes its training run, and nothing else (no paths, no addresses, no credentials). The job id
 * is a hash of the payload, so enqueuing a cell twice is a no-op and two sweeps with different
 * settings never share a job. Workers validate the payload before anything runs.
 */
import { createHash } from 'node:crypto';
import { isZooName } from '../../automata/index.js';
import { ROW_AUTOMATON, type SweepSettings } from '../sweep.js';

export const PAYLOAD_VERSION = 1;

/** The settings of a sweep that a single cell's training depends on. */
export type CellSettings = Omit<SweepSettings, 'automata' | 'depths'>;

export interface CellPayload {
  v: typeof PAYLOAD_VERSION;
  automaton: string;
  depth: number;
  settings: CellSettings;
}

export function cellSettings(s: SweepSettings): CellSettings {
  return { length: s.length, width: s.width, heads: s.heads, batch: s.batch, steps: s.steps, lr: s.lr, warmup: s.warmup, seed: s.seed, evalBatches: s.evalBatches };
}

export function cellPayload(s: SweepSettings, automaton: string, depth: number): CellPayload {
  return { v: PAYLOAD_VERSION, automaton, depth, settings: cellSettings(s) };
}

/** JSON with keys sorted, so the hash does not depend on property order. */
function canonical(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
  if (x && typeof x === 'object') return `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${canonical((x as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(x);
}

/** "cell-" + 32 hex digits of SHA-256 over the canonical payload. */
export function cellJobId(p: CellPayload): string {
  return 'cell-' + createHash('sha256').update(canonical(p)).digest('hex').slice(0, 32);
}

/** The settings a sweep cell needs back (automata / depths are the cell's own). */
export function sweepSettingsOf(p: CellPayload): SweepSettings {
  return { ...p.settings, automata: [p.automaton], depths: [p.depth] };
}

const INT_FIELDS: [keyof CellSettings, number, number][] = [
  ['length', 1, 1 << 16], ['width', 1, 8192], ['heads', 1, 256], ['batch', 1, 1 << 16], ['steps', 1, 1e9], ['warmup', 0, 1e9], ['seed', -(2 ** 31), 2 ** 32 - 1], ['evalBatches', 1, 1 << 16],
];

/**
 * Checks a job's data field by field; returns the payload or throws one line naming the field and
 * its value. `id` (when given) must be the payload's own hash: a job enqueued under another id was
 * not made by a sweep and is refused.
 */
export function validatePayload(data: unknown, id?: string): CellPayload {
  const show = (v: unknown) => {
    const t = JSON.stringify(v);
    return t === undefined ? String(v) : t.length > 60 ? t.slice(0, 57) + '...' : t;
  };
  const bad = (field: string, v: unknown, want: string): never => {
    throw new Error(`invalid job payload: ${field} = ${show(v)} (expected ${want})`);
  };
  if (!data || typeof data !== 'object' || Array.isArray(data)) bad('data', data, 'an object');
  const d = data as Record<string, unknown>;
  if (d.v !== PAYLOAD_VERSION) bad('v', d.v, `${PAYLOAD_VERSION}`);
  const extra = Object.keys(d).find((k) => !['v', 'automaton', 'depth', 'settings'].includes(k));
  if (extra) bad(extra, d[extra], 'no such field');
  if (typeof d.automaton !== 'string' || d.automaton.length === 0 || d.automaton.length > 100 || !/^[A-Za-z0-9_:,.-]+$/.test(d.automaton)) bad('automaton', d.automaton, 'a zoo name');
  const name = ROW_AUTOMATON[d.automaton as string] ?? (d.automaton as string);
  if (!isZooName(name)) bad('automaton', d.automaton, 'a zoo name');
  if (!Number.isInteger(d.depth) || (d.depth as number) < 1 || (d.depth as number) > 256) bad('depth', d.depth, 'an integer in [1, 256]');
  if (!d.settings || typeof d.settings !== 'object' || Array.isArray(d.settings)) bad('settings', d.settings, 'an object');
  const s = d.settings as Record<string, unknown>;
  for (const [k, lo, hi] of INT_FIELDS) if (!Number.isInteger(s[k]) || (s[k] as number) < lo || (s[k] as number) > hi) bad(`settings.${k}`, s[k], `an integer in [${lo}, ${hi}]`);
  if (typeof s.lr !== 'number' || !Number.isFinite(s.lr) || s.lr < 0 || s.lr > 10) bad('settings.lr', s.lr, 'a number in [0, 10]');
  const extraS = Object.keys(s).find((k) => k !== 'lr' && !INT_FIELDS.some(([f]) => f === k));
  if (extraS) bad(`settings.${extraS}`, s[extraS], 'no such field');
  const p = data as CellPayload;
  if (id !== undefined && cellJobId(p) !== id) bad('job id', id, `${cellJobId(p)}, the hash of the payload`);
  return p;
}
