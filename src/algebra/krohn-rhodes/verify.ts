/**
 * The emulation check of a holonomy decomposition: run the cascade on random inputs next to the
 * automaton and compare. Every level map must be a component transformation — identity, a
 * constant, or a permutation in that component's holonomy group (membership by Schreier–Sims) —
 * the same whenever the letter and the coordinates above it are the same (what makes it a
 * cascade: no level reads a level below), and the coordinates must decode to the automaton's
 * state after every letter.
 */
import { Rng } from '../../random/prng.js';
import { cascadeOf, type HolonomyDecomposition } from './decomposition.js';
import { decodeState, encodeState, stepCascade } from './cascade.js';

export interface EmulationOptions {
  seed?: number;
  /** Random runs (each from a uniformly random start state); default 20. */
  trials?: number;
  /** Letters per run; default 50. */
  length?: number;
}

export interface EmulationResult {
  ok: boolean;
  trials: number;
  steps: number;
  /** The first disagreement, when not ok. */
  failure?: string;
}

export function verifyEmulation(
  d: HolonomyDecomposition,
  generators: readonly (readonly number[])[],
  options: EmulationOptions = {},
): EmulationResult {
  const { skeleton: sk, layout, groups } = cascadeOf(d);
  const rng = new Rng(options.seed ?? 0);
  const trials = options.trials ?? 20;
  const length = options.length ?? 50;
  // Zero or negative counts would return ok: true having checked nothing.
  for (const [field, v] of [['trials', trials], ['length', length]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`verifyEmulation: ${field} = ${v}, expected a positive integer`);
  }
  const n = d.states;
  if (generators.length !== d.letters || generators.some((g) => g.length !== n))
    throw new Error(`generators do not match the decomposition (${d.letters} letters on ${n} states)`);
  let steps = 0;
  const contexts = layout.levels.map(() => new Map<string, string>());
  const fail = (failure: string): EmulationResult => ({ ok: false, trials, steps, failure });
  for (let t = 0; t < trials; t++) {
    let q = rng.nextInt(n);
    let x = encodeState(sk, layout, q);
    if (decodeState(sk, layout, x) !== q) return fail(`state ${q} encodes to [${x}] which decodes elsewhere`);
    for (let s = 0; s < length; s++) {
      const a = rng.nextInt(generators.length);
      const { y, maps } = stepCascade(sk, layout, generators, x, a);
      for (let k = 0; k < maps.length; k++) {
        const m = maps[k];
        // The cascade property: level k's map is a function of the letter and x_1..x_{k-1} only.
        const ctx = `${a}|${x.slice(0, k).join(',')}`;
        const mk = JSON.stringify(m);
        const seen = contexts[k].get(ctx);
        if (seen === undefined) contexts[k].set(ctx, mk);
        else if (seen !== mk) return fail(`level ${k + 1}: letter ${a} with the same coordinates above acts as ${seen} and as ${mk}`);
        if (m.kind === 'constant' && !(m.value >= 0 && m.value < layout.levels[k].size))
          return fail(`level ${k + 1}: constant ${m.value} outside the level's ${layout.levels[k].size} states`);
        if (m.kind === 'permute') {
          const chain = groups[k][m.component];
          const isId = m.perm.every((v, i) => v === i);
          if (!isId && (!chain || !chain.contains(Uint16Array.from(m.perm))))
            return fail(`level ${k + 1}: permutation [${m.perm}] is not in the holonomy group of component ${m.component}`);
        }
      }
      q = generators[a][q];
      steps++;
      const got = decodeState(sk, layout, y);
      if (got !== q) return fail(`run ${t}, letter ${s} (${a}): cascade at state ${got}, automaton at ${q}`);
      x = y;
    }
  }
  return { ok: true, trials, steps };
}
