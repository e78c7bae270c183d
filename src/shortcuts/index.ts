/**
 * Shortcuts, constructed: compile an automaton into an exact Transformer of O(log T) or O(1)
 * depth (Liu, Ash, Goel, Krishnamurthy, Zhang 2023, "Transformers Learn Shortcuts to Automata").
 * One file per construction:
 *   prefix.ts    any semiautomaton, ⌈log2 T⌉ layers (parallel prefix over T(A))
 *   counting.ts  commutative groups, 1 layer (modular counting)
 *   cascade.ts   solvable groups, 2m − 1 layers for a derived series of length m (levels.ts);
 *                group-free holonomy cascades (resets.ts), 2L − 1 layers for L levels
 *   gridworld.ts gridworld:N, 3 layers for every N and T (last boundary hit, then count)
 * The result is the trainer's own `Transformer` (norm 'none', activation 'relu'), so compiled and
 * trained models are evaluated, saved and loaded by the same code.
 */
import type { Automaton } from '../automata/types.js';
import { withLabels } from '../automata/labels.js';
import type { Transformer } from '../learning/models/transformer.js';
import { runConfig, Trainer, type RunConfig } from '../learning/train.js';
import { ShortcutError, type Plan } from './common.js';
import { checkInteger, checkObject, fail } from '../validate/index.js';
import { compileCascade } from './cascade.js';
import { compileCounting } from './counting.js';
import { compileGridworld, gridworldRefusal } from './gridworld.js';
import type { Network } from './network.js';
import { compilePrefix, prefixLayers, type Representation } from './prefix.js';

export { ShortcutError, HEAD_SCALE, MAX_PARAMETERS, type Plan } from './common.js';
export { PREFIX_MAX_LENGTH, PREFIX_MAX_ELEMENTS, prefixPlan, type Representation } from './prefix.js';
export { countingMaxLength } from './levels.js';
export { gridworldMaxLength } from './gridworld.js';

export type Construction = 'prefix' | 'counting' | 'cascade' | 'gridworld';
export const CONSTRUCTIONS: readonly Construction[] = ['prefix', 'counting', 'cascade', 'gridworld'];

export interface ShortcutOptions {
  /** Sequence length T the model must be exact on (it may be exact beyond: see `maxLength` of the result). */
  length: number;
  /** Default: the shallowest construction that applies. */
  construction?: Construction;
  /** Label kind ('state', 'default', or one of the automaton's labelings). Default 'default'. */
  label?: string;
  /** counting / cascade / gridworld: exact up to this length (≥ length; default length). prefix is exact up to 2^⌈log2 T⌉. */
  maxLength?: number;
  /** prefix only: the element code (default 'auto': the one with fewer parameters). */
  representation?: Representation | 'auto';
}

export interface CompiledShortcut {
  readonly model: Transformer;
  readonly construction: Construction;
  readonly plan: Plan;
  /** Why this construction (the shallowest applicable one, or the one asked for). */
  readonly reason: string;
  /** The automaton with the chosen labels as its default (what the model classifies). */
  readonly automaton: Automaton;
  /** Construction details (prefix: representation; counting/cascade: cyclic orders per level). */
  readonly details: Record<string, unknown>;
}

interface Built {
  net: Network;
  plan: Plan;
  details: Record<string, unknown>;
}

function build(c: Construction, a: Automaton, T: number, o: ShortcutOptions): Built {
  switch (c) {
    case 'prefix': {
      const r = compilePrefix(a, T, { representation: o.representation });
      return { net: r.net, plan: r.plan, details: { representation: r.representation, ...(r.semigroupSize !== undefined ? { semigroupSize: r.semigroupSize } : {}) } };
    }
    case 'counting': {
      const r = compileCounting(a, T, o.maxLength);
      return { net: r.net, plan: r.plan, details: { orders: r.orders } };
    }
    case 'cascade': {
      const r = compileCascade(a, T, o.maxLength);
      return { net: r.net, plan: r.plan, details: { kind: r.kind, levels: r.levels, ...(r.kind === 'holonomy' ? { groups: r.groups } : {}) } };
    }
    case 'gridworld': {
      const r = compileGridworld(a, T, o.maxLength);
      return { net: r.net, plan: r.plan, details: { N: r.N, residues: 2 * r.N - 1, lastVisitHeads: 2 * (r.N - 1), proven: r.bound } };
    }
  }
}

/** Validates and compiles; ShortcutError when the construction does not apply or is too large. */
export function planShortcut(automaton: Automaton, o: ShortcutOptions): Omit<CompiledShortcut, 'model'> & { net: Network } {
  if (!automaton || !Array.isArray(automaton.delta)) throw new ShortcutError(`automaton must be an Automaton, got ${typeof automaton}`);
  if (!Number.isInteger(o.length) || o.length < 1) throw new ShortcutError(`length must be an integer ≥ 1, got ${o.length}`);
  if (o.construction !== undefined && !CONSTRUCTIONS.includes(o.construction)) throw new ShortcutError(`construction must be one of ${CONSTRUCTIONS.join('|')}, got ${o.construction}`);
  let a: Automaton;
  try {
    a = withLabels(automaton, o.label ?? 'default');
  } catch (e) {
    throw new ShortcutError((e as Error).message);
  }
  const T = o.length;
  if (o.maxLength !== undefined && (!Number.isInteger(o.maxLength) || o.maxLength < T)) throw new ShortcutError(`maxLength must be an integer ≥ length ${T}, got ${o.maxLength}`);
  if (o.construction) {
    const b = build(o.construction, a, T, o);
    return { ...b, construction: o.construction, automaton: a, reason: `${o.construction}: asked for` };
  }
  // The shallowest construction that applies: try the constant-depth ones (cheap to build for
  // the groups they accept), then prefix.
  const tried: string[] = [];
  const built: { c: Construction; b: Built }[] = [];
  for (const c of ['counting', 'cascade', 'gridworld'] as const) {
    if (c === 'gridworld' && gridworldRefusal(a)) continue; // applies to gridworld:N only; not worth a line in the reason
    try {
      built.push({ c, b: build(c, a, T, o) });
    } catch (e) {
      if (!(e instanceof ShortcutError)) throw e;
      tried.push(e.message);
    }
  }
  built.sort((x, y) => x.b.plan.layers - y.b.plan.layers || x.b.plan.parameters - y.b.plan.parameters);
  const pl = prefixLayers(T);
  if (built.length && built[0].b.plan.layers <= pl) {
    const { c, b } = built[0];
    const others = built.slice(1).map((x) => `${x.c} ${x.b.plan.layers}`);
    return { ...b, construction: c, automaton: a, reason: `${c}: the shallowest that applies (${b.plan.layers} layer${b.plan.layers === 1 ? '' : 's'}; ${[...others, `prefix ${pl}`].join(', ')})` };
  }
  try {
    const b = build('prefix', a, T, o);
    const why = built.length ? `${built.map((x) => `${x.c} ${x.b.plan.layers}`).join(', ')} layers are deeper` : tried.map((m) => m.replace(/ \(use [^)]*\)$/, '')).join('; ');
    return { ...b, construction: 'prefix', automaton: a, reason: `prefix: ${pl} layer${pl === 1 ? '' : 's'}; ${why}` };
  } catch (e) {
    if (!(e instanceof ShortcutError) || !built.length) throw e;
    const { c, b } = built[0];
    return { ...b, construction: c, automaton: a, reason: `${c}: the only one that applies (${e.message})` };
  }
}

/**
 * Compiles `automaton` into an exact Transformer: `compileShortcut(zoo('dihedral:4'), { length: 100 })`.
 * The model classifies the label `label` of q_t at every position t ≤ plan.maxLength.
 */
export function compileShortcut(automaton: Automaton, o: ShortcutOptions): CompiledShortcut {
  const p = planShortcut(automaton, o);
  const { net, ...rest } = p;
  return { ...rest, model: net.build() };
}

/** What a compiled checkpoint's run configuration carries besides the ordinary fields: the sizes (Plan) and why. */
export interface ShortcutRunInfo extends Plan {
  construction: Construction;
  reason: string;
  details: Record<string, unknown>;
}

/**
 * A Trainer holding the compiled weights (step 0, zero optimizer moments), so that the ordinary
 * checkpoint code saves it and `testbeds eval`, `Trainer.load` and the browser page read it back.
 * Its run configuration is that of a run at length T with `shortcut` added.
 */
export function shortcutTrainer(c: CompiledShortcut, T: number): Trainer {
  const o = checkObject('shortcutTrainer', 'c', c);
  if (typeof o.automaton !== 'object' || typeof o.model !== 'object' || o.model === null) fail('shortcutTrainer', 'c must be a CompiledShortcut (from compileShortcut)');
  checkInteger('shortcutTrainer', 'T', T, 1, 1 << 20);
  const base = runConfig({ automaton: c.automaton, length: T, steps: 1, batch: 32, seed: 1 });
  const info: ShortcutRunInfo = { construction: c.construction, reason: c.reason, ...c.plan, details: c.details };
  const run = { ...base, model: c.model.config, shortcut: info } as RunConfig;
  const t = new Trainer(run);
  t.model.params.load(c.model.params.flatten());
  return t;
}
