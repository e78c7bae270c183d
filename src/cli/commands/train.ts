/**
 * `testbeds train`: trains a causal Transformer (or an LSTM / GRU / RNN) to output the automaton's
 * state (or a coarser label) at every position, on the tfjs WASM backend; progress on stderr, a
 * JSONL log and atomic checkpoints in --out, --resume DIR to continue, --json for one result object.
 */
import { existsSync, rmSync, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { CliError, flag, int, num, oneOf, parse, str, type OptionSpec } from '../args.js';
import { RunLock } from '../../io/lock.js';
import { CHECKPOINT_FILE } from '../../learning/checkpoint.js';
import type { Command } from '../command.js';

const usage = `usage: testbeds train --automaton NAME|FILE [options]

  --automaton NAME|FILE  zoo name (cyclic:3, parity, dihedral:4, ...) or automaton JSON file
  --task dyck:K,M        instead of --automaton: bounded-Dyck language modelling (K bracket
                         types, depth ≤ M; next token predicted, scored on closing brackets)
  --task ffl:P           instead of --automaton: flip-flop language modelling FFL(p_i = P),
                         tokens w r i 0 1, scored on the bits after r (use --length 512 as the spec)
  --label KIND           label per position: state (default) or a labelling of the automaton
  --model KIND           transformer (default) | lstm | gru | rnn
  --layers L             blocks / recurrent layers (default 2 for transformer, 1 for RNNs)
  --width D              residual width / hidden size (default 64)
  --heads H              attention heads (default 4)
  --mlp-ratio R          MLP hidden width as a multiple of D (default 4)
  --positions KIND       learned (default) | sinusoidal
  --context N            learned position table size (default 2 x --length)
  --dropout P            dropout while training (default 0)
  --length T             sequence length (default 32)
  --p P                  Bernoulli p of letter 1 (two-letter automata; default 0.5)
  --valid-prefixes       sample only prefixes that avoid the reject sink (bounded Dyck:
                         well-nested prefixes, each letter uniform among the allowed ones)
  --batch B              sequences per step (default 32)
  --steps N              training steps (default 3000)
  --lr LR                peak AdamW learning rate (default 1e-3), warmup then cosine decay
  --warmup N             warmup steps (default 5% of --steps)
  --weight-decay W       decoupled weight decay on matrices (default 0.01)
  --clip C               global gradient-norm clip, 0 = off (default 1)
  --seed S               seed of weights, batches and dropout (default 1)
  --eval-every N         evaluate on held-out batches every N steps (default 100)
  --eval-batches N       held-out batches per evaluation (default 8)
  --checkpoint-every N   checkpoint every N steps (default 500) when --out is set
  --out DIR              write DIR/log.jsonl and DIR/checkpoint.tbck; a DIR that holds a run
                         is refused unless --resume DIR (continue) or --force (start over);
                         DIR/run.lock keeps a second writer out
  --force                start over in an --out DIR that holds a run (its checkpoint and log go)
  --resume DIR           continue the run checkpointed in DIR (options must match it, except
                         --steps, which may be raised: the learning rate then decays from its
                         current value to the floor at the new end, with no second warmup)
  --backend NAME         wasm (default) | cpu
  --threads N            threads for our wasm kernels (default 1): dense products, attention
                         and GELU split over N threads (worker threads), same bits as 1 thread
  --json                 print {accuracy, accuracyLast, accuracySequence, steps, seconds,
                         tokensPerSecond, backend} on stdout
  --quiet                no progress on stderr

example: testbeds train --automaton cyclic:3 --model transformer --layers 2 --width 64 --heads 4 --length 32 --steps 3000 --seed 1`;

const options: OptionSpec = {
  automaton: { type: 'string' },
  task: { type: 'string' },
  label: { type: 'string' },
  model: { type: 'string' },
  layers: { type: 'string' },
  width: { type: 'string' },
  heads: { type: 'string' },
  'mlp-ratio': { type: 'string' },
  positions: { type: 'string' },
  context: { type: 'string' },
  dropout: { type: 'string' },
  length: { type: 'string' },
  p: { type: 'string' },
  'valid-prefixes': { type: 'boolean' },
  batch: { type: 'string' },
  steps: { type: 'string' },
  lr: { type: 'string' },
  warmup: { type: 'string' },
  'weight-decay': { type: 'string' },
  clip: { type: 'string' },
  seed: { type: 'string' },
  'eval-every': { type: 'string' },
  'eval-batches': { type: 'string' },
  'checkpoint-every': { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  resume: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
};

export const command: Command = {
  summary: 'train a Transformer or RNN to simulate an automaton (tfjs, WASM backend)',
  usage,
  async run(argv) {
    const p = parse(argv, options, false);
    const backend = oneOf(p, 'backend', ['wasm', 'cpu'] as const, 'wasm');
    const json = flag(p, 'json');
    const resume = str(p, 'resume');
    const out = str(p, 'out') ?? resume;
    const model = oneOf(p, 'model', ['transformer', 'lstm', 'gru', 'rnn'] as const, 'transformer');
    // Before anything slow: a second writer, a run directory in the way or a bad path fail at once.
    const lock = out ? claimRunDirectory(out, resume, flag(p, 'force'), str(p, 'out') !== undefined) : undefined;
    try {
      return await train(p, backend, json, resume, out, model);
    } finally {
      lock?.release();
    }
  },
};

async function train(p: ReturnType<typeof parse>, backend: 'wasm' | 'cpu', json: boolean, resume: string | undefined, out: string | undefined, model: 'transformer' | 'lstm' | 'gru' | 'rnn'): Promise<number> {
    const L = await import('../../learning/index.js');
    const { resolveAutomaton, withLabels } = await import('../../automata/index.js');

    let trainer: InstanceType<typeof L.Trainer>;
    const threads = int(p, 'threads', 1, 1, 64)!;
    if (threads > 1 && backend !== 'wasm') throw new CliError(`--threads ${threads} needs --backend wasm (got ${backend})`);
    await L.initBackend(backend, { threads });
    if (resume) {
      const steps = int(p, 'steps', undefined, 1, 1e9);
      trainer = await L.Trainer.load(resume, { steps }).catch((e: Error) => {
        throw new CliError(`--resume ${resume}: ${e.message}`);
      });
      checkResumeMatches(p, trainer.config);
    } else {
      const name = str(p, 'automaton');
      const taskText = str(p, 'task');
      let automaton;
      let ffl: { pI: number } | undefined;
      let dyck: { K: number; M: number } | undefined;
      if (taskText !== undefined) {
        if (name) throw new CliError('give either --automaton or --task, not both');
        const f = /^ffl:([0-9.eE+-]+)$/.exec(taskText);
        const d = /^dyck:(\d+),(\d+)$/.exec(taskText);
        if (f && Number(f[1]) >= 0 && Number(f[1]) <= 1) ffl = { pI: Number(f[1]) };
        else if (d) dyck = { K: Number(d[1]), M: Number(d[2]) };
        else throw new CliError(`--task: expected ffl:P with P in [0, 1] or dyck:K,M, got "${taskText}"`);
      } else {
        if (!name) throw new CliError('--automaton is required (a zoo name such as cyclic:3, or a JSON file), or --task ffl:P|dyck:K,M');
        automaton = await resolveAutomaton(name);
        const label = str(p, 'label');
        if (label) automaton = withLabels(automaton, label);
      }
      let cfg;
      try {
        cfg = L.runConfig({
          automaton,
          ffl,
          dyck,
          model,
          layers: int(p, 'layers', model === 'transformer' ? 2 : 1, 1, 256),
          width: int(p, 'width', 64, 1, 8192),
          heads: int(p, 'heads', 4, 1, 256),
          mlpRatio: num(p, 'mlp-ratio', 4, 0.01, 64),
          positions: oneOf(p, 'positions', ['learned', 'sinusoidal'] as const, 'learned'),
          contextLength: int(p, 'context', undefined, 1, 1 << 20),
          dropout: num(p, 'dropout', 0, 0, 0.99),
          length: int(p, 'length', 32, 1, 1 << 20),
          p: num(p, 'p', undefined, 0, 1),
          validPrefixes: flag(p, 'valid-prefixes') || undefined,
          batch: int(p, 'batch', 32, 1, 1 << 16),
          steps: int(p, 'steps', 3000, 1, 1e9),
          lr: num(p, 'lr', 1e-3, 0, 10),
          warmup: int(p, 'warmup', undefined, 0, 1e9),
          weightDecay: num(p, 'weight-decay', 0.01, 0, 10),
          clip: num(p, 'clip', 1, 0, 1e9),
          seed: int(p, 'seed', 1),
          evalEvery: int(p, 'eval-every', 100, 1),
          evalBatches: int(p, 'eval-batches', 8, 1),
          checkpointEvery: int(p, 'checkpoint-every', 500, 1),
        });
      } catch (e) {
        throw new CliError((e as Error).message);
      }
      if (backend === 'cpu') {
        // The wasm heap limit is checked by Trainer; the cpu backend is bounded by the machine.
        const { totalmem } = await import('node:os');
        try {
          L.checkMemory(L.estimateMemory(cfg), 0.8 * totalmem(), 'training', "80% of this machine's memory");
        } catch (e) {
          throw new CliError((e as Error).message);
        }
      }
      trainer = new L.Trainer(cfg);
    }
    const c = trainer.config;
    const desc = `${c.model.kind} L=${c.model.layers} d=${c.model.width} on ${c.automaton.name} T=${c.length}`;
    if (!flag(p, 'quiet')) process.stderr.write(`train: ${desc}, ${trainer.model.params.count} parameters, batch ${c.batch}, ${c.optim.steps} steps, backend ${backend}${backend === 'wasm' ? `, ${L.threadCount()} thread${L.threadCount() > 1 ? 's' : ''}` : ''}${resume ? `, resuming at step ${trainer.step}` : ''}\n`);
    const progress = (await import('../../learning/progress.js')).stderrProgress('train', flag(p, 'quiet'));
    let interrupted = false;
    const onSigint = () => {
      interrupted = true;
    };
    process.once('SIGINT', onSigint);
    let r;
    try {
      // yieldEvery: the loop is synchronous between checkpoints; yielding lets SIGINT be seen.
      r = await trainer.train({ out, onStep: (s) => progress.step(s), onEval: (s, e) => progress.eval(s, e), shouldStop: () => interrupted, yieldEvery: 1 });
    } finally {
      process.off('SIGINT', onSigint);
      progress.done();
    }
    const result = {
      accuracy: r.accuracy,
      accuracyLast: r.accuracyLast,
      accuracySequence: r.accuracySequence,
      steps: r.steps,
      seconds: r.seconds,
      tokensPerSecond: r.tokensPerSecond,
      backend: r.backend,
      threads: backend === 'wasm' ? L.threadCount() : 1,
      loss: r.loss,
      automaton: c.automaton.name,
      model: c.model.kind,
      layers: c.model.layers,
      width: c.model.width,
      length: c.length,
      parameters: trainer.model.params.count,
      ...(out ? { out } : {}),
      ...(interrupted ? { interrupted: true } : {}),
    };
    trainer.dispose();
    if (json) console.log(JSON.stringify(result));
    else {
      console.log(`${desc}: accuracy ${(100 * r.accuracy).toFixed(2)}% per position, ${(100 * r.accuracyLast).toFixed(2)}% last position, ${(100 * r.accuracySequence).toFixed(2)}% whole sequence`);
      console.log(`${r.steps} steps in ${r.seconds.toFixed(1)} s, ${Math.round(r.tokensPerSecond)} tokens/s (${r.backend})${out ? `; checkpoint and log in ${out}` : ''}`);
    }
    return interrupted ? 130 : 0;
}

/**
 * Takes the run directory's lock and checks what is in it: a file is not a run directory; a
 * directory holding a run (checkpoint or log) is continued only with --resume and replaced only
 * with --force (which removes the old checkpoint and log: "start over").
 */
function claimRunDirectory(out: string, resume: string | undefined, force: boolean, outGiven: boolean): RunLock {
  const opt = outGiven ? '--out' : '--resume';
  if (resume !== undefined && force && (!outGiven || resolvePath(resume) === resolvePath(out))) throw new CliError('--force starts a run over and --resume continues one: give one of them');
  if (resume !== undefined) {
    let st: Stats | undefined;
    try {
      st = statSync(resume);
    } catch {
      throw new CliError(`--resume ${resume}: no such run directory`);
    }
    if (!st.isDirectory() && !outGiven) {
      throw new CliError(`--resume ${resume} is a file: give the run directory that holds the checkpoint (--resume ${dirname(resume)}), or --out DIR to continue it elsewhere`);
    }
  }
  if (existsSync(out) && !statSync(out).isDirectory()) throw new CliError(`${opt} ${out} is a file, not a run directory`);
  let lock: RunLock;
  try {
    lock = RunLock.acquire(out);
  } catch (e) {
    throw new CliError(`${opt} ${out}: ${(e as Error).message}`);
  }
  const continuing = resume !== undefined && existsSync(resume) && statSync(resume).isDirectory() && resolvePath(resume) === resolvePath(out);
  if (!continuing) {
    const held = [CHECKPOINT_FILE, 'log.jsonl'].filter((f) => existsSync(join(out, f)));
    if (held.length && !force) {
      lock.release();
      throw new CliError(`${opt} ${out} already holds a run (${held.join(', ')}): --resume ${out} continues it, --force starts over (deleting it), or choose another directory`);
    }
    for (const f of held) rmSync(join(out, f), { force: true });
  }
  return lock;
}

/** With --resume, any model/training option given must agree with the checkpoint's run. */
function checkResumeMatches(p: ReturnType<typeof parse>, c: import('../../learning/train.js').RunConfig): void {
  const m = c.model as unknown as Record<string, unknown>;
  const checks: [string, unknown][] = [
    ['automaton', c.automaton.name],
    ['model', m.kind],
    ['layers', m.layers],
    ['width', m.width],
    ['heads', m.heads],
    ['length', c.length],
    ['batch', c.batch],
    ['seed', c.seed],
    ['lr', c.optim.lr],
    ['mlp-ratio', m.mlpRatio],
    ['positions', m.positions],
    ['context', m.contextLength],
    ['dropout', m.dropout],
    ['p', c.p],
    ['warmup', c.optim.warmup],
    ['weight-decay', c.optim.weightDecay],
    ['clip', c.optim.clip],
    ['eval-every', c.evalEvery],
    ['eval-batches', c.evalBatches],
    ['checkpoint-every', c.checkpointEvery],
  ];
  // Only --steps may change on resume (raised: Trainer.load extends the schedule); every other
  // option must repeat the checkpoint's value, or it would be silently ignored.
  for (const [name, have] of checks) {
    const v = str(p, name);
    if (v === undefined) continue;
    const same = typeof have === 'number' ? Number(v) === have : v === have;
    if (!same) throw new CliError(`--${name} ${v} does not match the checkpoint being resumed (${name} = ${have ?? 'unset'}); only --steps may change on --resume: drop the option or start a new run`);
  }
  if (flag(p, 'valid-prefixes') && !c.validPrefixes) throw new CliError('--valid-prefixes does not match the checkpoint being resumed (trained without it); only --steps may change on --resume');
  for (const name of ['task', 'label']) {
    if (str(p, name) !== undefined) throw new CliError(`--${name} cannot be given with --resume: the checkpoint fixes the task and its labels; only --steps may change`);
  }
}
