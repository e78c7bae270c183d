/**
 * `testbeds compile AUTOMATON --length T --out DIR`: builds the exact Transformer of a shortcut
 * construction (src/shortcuts) and writes it as an ordinary checkpoint, so `testbeds eval DIR`,
 * the API and the browser page load it like a trained run. Reports the sizes and the margin
 * (smallest correct-minus-best-wrong logit) measured on every word when |Σ|^T ≤ 2^16, else on
 * 16 batches of 32 sampled words.
 */
import { CliError, flag, int, parse, str, type OptionSpec } from '../args.js';
import type { Command } from '../command.js';

const usage = `usage: testbeds compile AUTOMATON --length T --out DIR [options]

  AUTOMATON            a zoo name (parity, cyclic:3, dihedral:4, symmetric:5, ...) or an automaton file
  --length T           sequence length the model must be exact on
  --construction NAME  prefix (any automaton, ceil(log2 T) layers) | counting (commutative groups,
                       1 layer) | cascade (solvable groups: 2m-1 layers for a derived series of
                       length m; group-free holonomy cascades such as dyck: 2L-1 layers for L
                       levels) | gridworld (gridworld:N, 3 layers for every N and T, exact up to
                       the proven bound: 647 for N <= 32); default: the shallowest that applies, and why
  --representation R   prefix only: elements | maps | cosets | auto (default: fewest parameters)
  --max-length M       counting/cascade/gridworld: exact up to length M ≥ T (for eval --length); default T
  --label KIND         label to classify: state | default | one of the automaton's labelings
  --out DIR            write DIR/checkpoint.tbck (refused if it exists, unless --force)
  --force              replace an existing checkpoint in DIR
  --backend NAME       wasm (default) | cpu, for measuring the margin
  --json               print {construction, layers, width, heads, mlpWidth, parameters, maxLength,
                       margin, accuracy, reason, ...} on stdout

example: testbeds compile dihedral:4 --length 100 --out runs/d4-compiled && testbeds eval runs/d4-compiled --exhaustive --length 6`;

const options: OptionSpec = {
  length: { type: 'string' },
  construction: { type: 'string' },
  label: { type: 'string' },
  'max-length': { type: 'string' },
  representation: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  backend: { type: 'string' },
  json: { type: 'boolean' },
};

export const command: Command = {
  summary: 'compile an automaton into an exact Transformer (prefix, counting, cascade, gridworld shortcuts)',
  usage,
  async run(argv) {
    const p = parse(argv, options, true);
    if (p.positionals.length !== 1) throw new CliError(`expected one AUTOMATON (a zoo name or file), got ${p.positionals.length}`);
    const T = int(p, 'length', undefined, 1, 1 << 20);
    if (T === undefined) throw new CliError('--length is required (the sequence length T)');
    const out = str(p, 'out');
    if (!out) throw new CliError('--out DIR is required');
    const backend = str(p, 'backend') ?? 'wasm';
    if (backend !== 'wasm' && backend !== 'cpu') throw new CliError(`--backend: expected one of wasm|cpu, got "${backend}"`);
    const rep = str(p, 'representation');
    if (rep !== undefined && rep !== 'elements' && rep !== 'maps' && rep !== 'cosets' && rep !== 'auto') throw new CliError(`--representation: expected elements|maps|cosets|auto, got "${rep}"`);
    const fs = await import('node:fs');
    const path = await import('node:path');
    const L = await import('../../learning/index.js');
    const construction = str(p, 'construction');
    if (construction !== undefined && !L.CONSTRUCTIONS.includes(construction as never)) throw new CliError(`--construction: expected one of ${L.CONSTRUCTIONS.join('|')}, got "${construction}"`);
    if (fs.existsSync(path.join(out, L.CHECKPOINT_FILE)) && !flag(p, 'force')) throw new CliError(`--out ${out} already holds a checkpoint; pass --force to replace it`);
    const { resolveAutomaton } = await import('../../automata/resolve.js');
    const automaton = await resolveAutomaton(p.positionals[0]).catch((e: Error) => {
      throw new CliError(e.message);
    });
    await L.initBackend(backend);
    const maxLength = int(p, 'max-length', undefined, 1, 1 << 20);
    const c = L.compileShortcut(automaton, { length: T, ...(maxLength !== undefined ? { maxLength } : {}), ...(construction ? { construction: construction as never } : {}), ...(str(p, 'label') ? { label: str(p, 'label') } : {}), ...(rep ? { representation: rep as never } : {}) });
    const trainer = L.shortcutTrainer(c, T);
    c.model.dispose();
    let result;
    let evaluated: string;
    try {
      const task = { automaton: c.automaton, length: T };
      const words = Math.pow(automaton.delta.length, T);
      const exhaustive = words <= 1 << 16;
      result = trainer.evaluate(exhaustive ? L.exhaustiveBatches(task, 256) : L.evalBatches(task, 32, 16, 1));
      evaluated = exhaustive ? `every word (${words})` : '16 × 32 sampled words';
      await trainer.save(out);
    } finally {
      trainer.dispose();
    }
    const o = {
      automaton: automaton.name,
      label: str(p, 'label') ?? 'default',
      construction: c.construction,
      layers: c.plan.layers,
      width: c.plan.width,
      heads: c.plan.heads,
      mlpWidth: c.plan.mlpWidth,
      parameters: c.plan.parameters,
      maxLength: c.plan.maxLength,
      margin: result.margin,
      accuracy: result.accuracy,
      evaluated,
      reason: c.reason,
      details: c.details,
      out,
    };
    if (flag(p, 'json')) console.log(JSON.stringify(o));
    else {
      console.log(`${automaton.name} → ${c.construction}: ${c.plan.layers} layer${c.plan.layers === 1 ? '' : 's'}, width ${c.plan.width}, ${c.plan.heads} head${c.plan.heads === 1 ? '' : 's'}, MLP ${c.plan.mlpWidth}, ${c.plan.parameters.toLocaleString('en-US')} parameters; exact up to length ${c.plan.maxLength}`);
      console.log(`why: ${c.reason}`);
      console.log(`at T=${T} on ${evaluated}: accuracy ${(100 * result.accuracy).toFixed(1)}%, margin ${result.margin.toFixed(4)} (correct logit minus best wrong, smallest over positions)`);
      console.log(`wrote ${path.join(out, L.CHECKPOINT_FILE)}; next: testbeds eval ${out}${words(automaton.delta.length, T) ? ' --exhaustive' : ''}`);
    }
    return 0;
  },
};

function words(k: number, T: number): boolean {
  return Math.pow(k, T) <= 1 << 20;
}
