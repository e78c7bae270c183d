// Worker thread of the API fuzz test (api.fuzz.test.ts): calls every exported function of a built
// entry point (dist/…) with random and mutated arguments and reports each call's outcome to the
// parent, which time-boxes every call (a synchronous hang can only be stopped from outside).
import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { rawError } from './outcome.mjs';
import { validArgs } from './api-valid-args.mjs';

const { entry, names, runs, seed, asyncTimeoutMs } = workerData;
const M = await import(entry);

// Values a careless caller passes: wrong types, non-finite numbers, empty and ragged shapes.
const leaf = fc.oneof(
  fc.constantFrom(undefined, null, NaN, Infinity, -Infinity, -1, 0, 1, 2.5, 2 ** 40 + 1, '', 'x', 'bogus', true, false),
  fc.integer({ min: -3, max: 40 }),
  fc.double({ noDefaultInfinity: false }),
  fc.string({ maxLength: 6 }),
);
const bad = fc.oneof(
  { weight: 4, arbitrary: leaf },
  { weight: 1, arbitrary: fc.constantFrom([], {}, [[]], [[NaN]], [[1, 2], [3]], [[1]], [1, 2, 3], [0.5, 0.5], new Float64Array(3), new Uint8Array(2), () => 1) },
  { weight: 1, arbitrary: fc.array(leaf, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.array(fc.array(fc.oneof(fc.integer({ min: -1, max: 3 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(NaN)), { maxLength: 4 }), { maxLength: 4 }) },
  // Plain objects (fast-check may make null-prototype ones, which no caller passes).
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('delta', 'dims', 'data', 'transition', 'emission', 'initial', 'k', 'd', 'seed', 'rows', 'cols', 'name', 'start', 'sizes', 'reps', 'method', 'init'), leaf, { maxKeys: 4 }).map((o) => ({ ...o })) },
);

/** Replaces one leaf (a number, string, … inside arrays and objects) of `v` by `by`; `pick` chooses which. */
function mutateLeaf(v, pick, by) {
  const paths = [];
  const walk = (x, path, depth) => {
    if (depth > 4 || paths.length > 2000) return;
    if (Array.isArray(x) || ArrayBuffer.isView(x)) {
      paths.push(path);
      for (let i = 0; i < Math.min(x.length, 64); i++) walk(x[i], [...path, i], depth + 1);
    } else if (x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
      paths.push(path);
      for (const k of Object.keys(x)) walk(x[k], [...path, k], depth + 1);
    } else paths.push(path);
  };
  walk(v, [], 0);
  const path = paths[pick % paths.length];
  if (path.length === 0) return by;
  const clone = structuredCloneSafe(v);
  let at = clone;
  for (const k of path.slice(0, -1)) at = at[k];
  at[path[path.length - 1]] = by;
  return clone;
}

function structuredCloneSafe(v) {
  if (Array.isArray(v)) return v.map(structuredCloneSafe);
  if (ArrayBuffer.isView(v)) return Array.from(v); // a mutated typed array becomes a plain array (also a wrong type)
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, structuredCloneSafe(x)]));
  return v;
}

function preview(args) {
  try {
    const s = JSON.stringify(args, (_, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x === undefined ? '<undefined>' : ArrayBuffer.isView(x) ? `${x.constructor.name}(${x.length})` : typeof x === 'function' ? '<function>' : x));
    return s.length > 200 ? s.slice(0, 197) + '...' : s;
  } catch {
    return String(args);
  }
}

let caseNo = 0;
for (const name of names) {
  const f = M[name];
  if (typeof f !== 'function') continue;
  const valid = validArgs(M)[name] ?? [];
  // Random argument lists, and valid calls with one argument (or one leaf inside one) spoiled.
  const random = fc.array(bad, { maxLength: 4 });
  const mutated = valid.length
    ? fc.tuple(fc.nat(valid.length - 1), fc.nat(), fc.nat(), bad, fc.boolean()).map(([v, i, pick, by, deep]) => {
        const args = [...valid[v]];
        const at = i % Math.max(1, args.length);
        args[at] = deep ? mutateLeaf(args[at], pick, by) : by;
        return args;
      })
    : random;
  const cases = [...valid, ...fc.sample(random, { numRuns: Math.ceil(runs / 2), seed: seed + caseNo }), ...fc.sample(mutated, { numRuns: Math.ceil(runs / 2), seed: seed + caseNo + 1 })];
  for (const args of cases) {
    caseNo++;
    const shown = preview(args);
    parentPort.postMessage({ type: 'start', name, args: shown });
    let problem = null;
    try {
      let r = f(...args);
      if (r && typeof r.then === 'function') {
        let timer;
        r = await Promise.race([r, new Promise((_, rej) => (timer = setTimeout(() => rej(Object.assign(new Error('async timeout'), { timeout: true })), asyncTimeoutMs)))]).finally(() => clearTimeout(timer));
      }
    } catch (e) {
      problem = e?.timeout ? `no answer within ${asyncTimeoutMs} ms` : rawError(e);
    }
    parentPort.postMessage({ type: 'end', name, args: shown, problem });
  }
}
parentPort.postMessage({ type: 'finished', cases: caseNo });
