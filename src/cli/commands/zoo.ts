/**
 * `testbeds zoo`: list the built-in automata; `testbeds zoo NAME [--json]` shows one (or prints it
 * in the automaton file format). NAME may also be an automaton file, which is then validated.
 */
import { CliError, flag, parse, str } from '../args.js';
import type { Command } from '../command.js';
import { automatonToJson, labelKinds, numLetters, numStates, resolveAutomaton, withLabels, zooEntries } from '../../automata/index.js';
import type { Automaton } from '../../automata/index.js';

const usage = `usage: testbeds zoo [NAME|FILE] [--label KIND] [--json]

  testbeds zoo                  list the zoo: name patterns, |Q|, letters, labellings
  testbeds zoo --json           the same as {"zoo": [...]}
  testbeds zoo NAME             describe one automaton (dihedral:4, dyck:2,4, or an automaton file)
  testbeds zoo NAME --json      print it in the automaton file format (one JSON object on stdout)

options:
  --label KIND   make "labels" a coarser labelling: state, or one the automaton carries
                 (dihedral: direction, position; dyck: depth, accept; gridworld: boundary;
                 symmetric/alternating: first; quaternion: sign)
  --json         JSON on stdout`;

function describe(a: Automaton): string {
  const n = numStates(a);
  const k = numLetters(a);
  const lines = [`${a.name}: |Q| = ${n}, |Σ| = ${k}, start ${a.states?.[a.start] ?? a.start}`];
  const kinds = labelKinds(a).filter((x) => x !== 'default' && x !== 'state');
  if (kinds.length) lines.push(`labellings: state, ${kinds.join(', ')}`);
  if (n <= 16 && k <= 16) {
    const st = (q: number) => a.states?.[q] ?? String(q);
    const lt = (l: number) => a.alphabet?.[l] ?? String(l);
    const w = Math.max(5, ...Array.from({ length: n }, (_, q) => st(q).length), ...Array.from({ length: k }, (_, l) => lt(l).length)) + 1;
    lines.push('δ(state, letter):');
    lines.push('state'.padEnd(w) + '| ' + Array.from({ length: k }, (_, l) => lt(l).padEnd(w)).join(''));
    for (let q = 0; q < n; q++) lines.push(st(q).padEnd(w) + '| ' + a.delta.map((row) => st(row[q]).padEnd(w)).join(''));
  } else {
    lines.push('(δ too large to print; use --json)');
  }
  return lines.join('\n');
}

export const command: Command = {
  summary: 'list the built-in automata, or print one in the automaton file format',
  usage,
  async run(argv) {
    const p = parse(argv, { json: { type: 'boolean' }, label: { type: 'string' } });
    if (p.positionals.length > 1) throw new CliError(`expected at most one NAME, got ${p.positionals.length}: ${p.positionals.join(' ')}`);
    const json = flag(p, 'json');
    const name = p.positionals[0];
    const label = str(p, 'label');
    if (name === undefined) {
      if (label !== undefined) throw new CliError('--label needs a NAME');
      const entries = zooEntries();
      if (json) {
        console.log(JSON.stringify({ zoo: entries }));
      } else {
        const w = Math.max(...entries.map((e) => e.pattern.length)) + 2;
        for (const e of entries) {
          console.log(`${e.pattern.padEnd(w)}|Q| = ${e.states}; ${e.description}`);
          console.log(`${''.padEnd(w)}letters: ${e.letters}`);
          console.log(`${''.padEnd(w)}e.g. ${e.example}${e.labelings.length ? `; labels: state, ${e.labelings.join(', ')}` : ''}`);
        }
      }
      return 0;
    }
    let a = await resolveAutomaton(name);
    if (label !== undefined) {
      const kinds = labelKinds(a).filter((x) => x !== 'default');
      if (!kinds.includes(label)) throw new CliError(`--label: ${a.name} has no labelling "${label}" (available: ${kinds.join(', ')})`);
      a = withLabels(a, label);
    }
    console.log(json ? JSON.stringify(automatonToJson(a)) : describe(a));
    return 0;
  },
};
