/**
 * `testbeds eval CHECKPOINT`: evaluates a trained model on fresh held-out batches, in
 * distribution or out of it (`--ood p=0.9`: another Bernoulli p for two-letter automata;
 * `--length 64`: longer sequences than in training).
 */
import { CliError, flag, int, parse, str, type OptionSpec } from '../args.js';
import type { Command } from '../command.js';

/** Longest evaluation sequence (see the usage). */
export const MAX_EVAL_LENGTH = 16384;

const usage = `usage: testbeds eval CHECKPOINT [options]

  CHECKPOINT         a run directory (its checkpoint.tbck) or a .tbck file
  --ood KEY=VALUE    out-of-distribution setting, repeatable: p=0.9 (Bernoulli p of letter 1,
                     two-letter automata), length=64 (sequence length), pi=0.98 (FFL's p_i)
  --length T         same as --ood length=T; at most ${MAX_EVAL_LENGTH} (a Transformer's evaluation
                     time grows as T²: measured 5 s at T = 10^4, 59 s at 3·10^4), and within
                     the memory the backend has (estimated first); progress on stderr
  --batches N        evaluation batches (default 16)
  --batch B          sequences per batch (default: the training batch)
  --seed S           seed of the evaluation batches (default: the run's seed + 1)
  --exhaustive       evaluate every word of the length instead of sampled batches (|Σ|^T ≤ 2^20)
  --backend NAME     wasm (default) | cpu
  --json             print one JSON object on stdout (with margin: the smallest correct-minus-best-
                     wrong logit over the evaluated positions; > 0 iff all are right)

example: testbeds eval runs/parity --ood p=0.9 --length 64`;

const options: OptionSpec = {
  ood: { type: 'string', multiple: true },
  length: { type: 'string' },
  batches: { type: 'string' },
  batch: { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean' },
  exhaustive: { type: 'boolean' },
};

export const command: Command = {
  summary: 'evaluate a checkpoint, in or out of distribution (letter frequencies, length)',
  usage,
  async run(argv) {
    const p = parse(argv, options, true);
    if (p.positionals.length !== 1) throw new CliError(`expected one CHECKPOINT (a run directory or .tbck file), got ${p.positionals.length}`);
    const ckpt = p.positionals[0];
    const backend = str(p, 'backend') ?? 'wasm';
    if (backend !== 'wasm' && backend !== 'cpu') throw new CliError(`--backend: expected one of wasm|cpu, got "${backend}"`);
    const L = await import('../../learning/index.js');
    await L.initBackend(backend);
    const trainer = await L.Trainer.load(ckpt).catch((e: Error) => {
      throw new CliError(e.message);
    });
    const c = trainer.config;
    let length = int(p, 'length', c.length, 1, MAX_EVAL_LENGTH)!;
    let prob: number | undefined = c.p;
    let pI: number | undefined = c.ffl?.pI;
    for (const kv of (p.values.ood as string[] | undefined) ?? []) {
      const m = /^(p|pi|length)=(.+)$/.exec(kv);
      if (!m) throw new CliError(`--ood: expected p=VALUE, pi=VALUE or length=VALUE, got "${kv}"`);
      const v = m[2].trim() === '' ? NaN : Number(m[2]);
      if (m[1] === 'pi') {
        if (!c.ffl) throw new CliError('--ood pi applies to FFL runs only');
        if (!(v >= 0 && v <= 1)) throw new CliError(`--ood pi: expected a probability in [0, 1], got "${m[2]}"`);
        pI = v;
      } else if (m[1] === 'p') {
        // FFL letters are w r i 0 1 drawn by p_i (and fair bits): there is no Bernoulli p to move.
        if (c.ffl) throw new CliError(`--ood p applies to two-letter automata, not to FFL runs (use --ood pi=VALUE for FFL's p_i)`);
        if (!(v >= 0 && v <= 1)) throw new CliError(`--ood p: expected a probability in [0, 1], got "${m[2]}"`);
        prob = v;
      } else {
        if (!Number.isInteger(v) || v < 1 || v > MAX_EVAL_LENGTH) throw new CliError(`--ood length: expected an integer in [1, ${MAX_EVAL_LENGTH}], got "${m[2]}"`);
        length = v;
      }
    }
    // A compiled shortcut is exact up to its construction's bound, not beyond.
    const bound = (c as { shortcut?: { maxLength: number; construction: string } }).shortcut;
    if (bound && length > bound.maxLength) {
      trainer.dispose();
      throw new CliError(`--length ${length} is beyond the ${bound.construction} construction's bound maxLength ${bound.maxLength} for this checkpoint`);
    }
    const exhaustive = flag(p, 'exhaustive');
    if (exhaustive && (c.ffl || c.dyck)) {
      trainer.dispose();
      throw new CliError('--exhaustive applies to automaton runs, not FFL or Dyck language modelling');
    }
    if (exhaustive && prob !== c.p) {
      trainer.dispose();
      throw new CliError('--exhaustive evaluates every word; --ood p does not apply');
    }
    let task = L.taskOf(c, length);
    if (L.isFfl(task)) task = { ...task, pI: pI! };
    else if (prob !== undefined) {
      if (L.isDyckLm(task)) throw new CliError('--ood p does not apply to Dyck language modelling (letters are uniform among the allowed ones)');
      task = { ...task, p: prob };
    }
    let result;
    try {
      L.validateAnyTask(task);
      const B = int(p, 'batch', c.batch, 1, 1 << 16)!;
      // Before sampling or running anything: the forward pass at this length must fit.
      if (backend === 'wasm') L.checkMemory(L.estimateMemory(c, { training: false, length, batch: exhaustive ? Math.max(B, 256) : B }), undefined, `evaluation at T = ${length}, batch ${B}`);
      const batches = exhaustive ? L.exhaustiveBatches(task as Parameters<typeof L.exhaustiveBatches>[0], Math.max(B, 256)) : L.evalBatches(task, B, int(p, 'batches', 16, 1, 1 << 16)!, int(p, 'seed', c.seed + 1)!);
      const t0 = performance.now();
      let shown = false;
      result = trainer.evaluate(batches, (done, total) => {
        // Progress once it takes a while (long sequences): one line per batch on stderr.
        if (!shown && performance.now() - t0 < 2000) return;
        shown = true;
        process.stderr.write(`eval: batch ${done}/${total} at T = ${length} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
      });
    } catch (e) {
      throw new CliError((e as Error).message);
    } finally {
      trainer.dispose();
    }
    const out = {
      checkpoint: ckpt,
      automaton: c.automaton.name,
      model: c.model.kind,
      layers: c.model.layers,
      width: c.model.width,
      step: trainer.step,
      train: { p: c.p ?? null, length: c.length, ...(c.ffl ? { pI: c.ffl.pI } : {}) },
      eval: { p: prob ?? null, length, ...(c.ffl ? { pI } : {}) },
      accuracy: result.accuracy,
      accuracyLast: result.accuracyLast,
      accuracySequence: result.accuracySequence,
      loss: result.loss,
      margin: result.margin,
      ...(exhaustive ? { exhaustive: true } : {}),
      byPosition: result.byPosition,
      backend: (await import('@tensorflow/tfjs-core')).getBackend(),
    };
    if (flag(p, 'json')) console.log(JSON.stringify(out));
    else {
      // The letter distribution a run was trained / evaluated at: p_i for FFL, p for automata, none for Dyck LM.
      const at = (pi: number | undefined, pr: number | undefined, T: number) => `${c.ffl ? `p_i=${pi} ` : c.dyck ? '' : `p=${pr ?? 'default'} `}T=${T}`;
      console.log(`${c.model.kind} L=${c.model.layers} d=${c.model.width} on ${c.automaton.name}, ${bound ? `compiled (${bound.construction}, exact up to length ${bound.maxLength}) at` : `step ${trainer.step}; trained at`} ${at(c.ffl?.pI, c.p, c.length)}, evaluated at ${at(pI, prob, length)}${c.dyck ? ' (Dyck LM: accuracy on the closing brackets)' : ''}`);
      console.log(`accuracy ${(100 * result.accuracy).toFixed(2)}% per position, ${(100 * result.accuracyLast).toFixed(2)}% last position, ${(100 * result.accuracySequence).toFixed(2)}% whole sequence; loss ${result.loss.toFixed(4)}; margin ${result.margin.toFixed(4)}${exhaustive ? ' (every word)' : ''}`);
    }
    return 0;
  },
};
