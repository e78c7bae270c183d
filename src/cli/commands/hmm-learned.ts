/**
 * The learned-predictor faces of `testbeds hmm`: `hmm learn` (train a masked predictor on
 * sequences sampled from an HMM), `hmm recover --predictor DIR` (recover (O, T) from it, or show
 * the pairwise twin) and `hmm experiment --learned`. tfjs is loaded only here, on demand.
 */
import { existsSync, readFileSync } from 'node:fs';
import { checkFilesWritable, checkWritable, makeDir, writeFileAtomic, writeFilesAtomic } from '../../io/atomic.js';
import { join } from 'node:path';
import { CliError, flag, int, num, oneOf, parse, str, type OptionSpec } from '../args.js';
import { createHmm, type HMM } from '../../hmm/index.js';
// The one --hmm reader (example, random:K,D[,SEED] with the size limits, or a file); hmm.ts loads this module lazily.
import { loadHmm as loadHmmSpec } from './hmm.js';

const loadHmm = (spec: string | undefined): HMM => loadHmmSpec(spec, true);

const LEARN_OPTIONS: OptionSpec = {
  hmm: { type: 'string' },
  task: { type: 'string' },
  samples: { type: 'string' },
  model: { type: 'string' },
  width: { type: 'string' },
  layers: { type: 'string' },
  steps: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  loss: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
};

function learnSettings(p: ReturnType<typeof parse>) {
  const model = oneOf(p, 'model', ['mlp', 'transformer'] as const, 'mlp');
  return {
    model,
    width: int(p, 'width', 64, 1, 4096)!,
    layers: int(p, 'layers', 2, 1, 16)!,
    steps: int(p, 'steps', 1000, 1, 1e7)!,
    batch: int(p, 'batch', 1024, 1, 65536)!,
    lr: num(p, 'lr', 1e-2, Number.MIN_VALUE, 10)!,
    loss: oneOf(p, 'loss', ['squared', 'ce'] as const, 'squared'),
  };
}

export async function learn(argv: string[]): Promise<number> {
  const p = parse(argv, LEARN_OPTIONS, false);
  const hmm = loadHmm(str(p, 'hmm'));
  const learning = await import('../../learning/index.js');
  const taskText = str(p, 'task');
  if (taskText === undefined) throw new CliError('--task is required: TARGETS|GIVEN such as 2,3|1 (x₂ ⊗ x₃ from x₁) or 2|1 (x₂ from x₁)');
  let task;
  try {
    task = learning.parseMaskedTask(taskText);
  } catch (e) {
    throw new CliError(`--task: ${(e as Error).message.replace(/^task:? ?/, '')}`);
  }
  const samples = int(p, 'samples', undefined, 1, learning.MAX_LEARN_SAMPLES);
  if (samples === undefined) throw new CliError('--samples is required (training sequences N)');
  const settings = learnSettings(p);
  if (settings.model === 'mlp' && str(p, 'layers') !== undefined) throw new CliError('--layers: the mlp has one hidden layer; --layers is for --model transformer');
  const seed = int(p, 'seed', 1, 0, 2 ** 32 - 1)!;
  const out = str(p, 'out');
  const force = flag(p, 'force');
  const file = out === undefined ? undefined : join(out, 'predictor.json');
  if (out !== undefined) {
    makeDir(out);
    checkWritable(file!, { force });
  }
  await learning.initBackend();
  const t0 = performance.now();
  const pred = learning.learnPredictor({
    hmm,
    task,
    samples,
    seed,
    ...settings,
    progressEvery: Math.max(1, Math.round(settings.steps / 10)),
    onProgress: (step, loss) => console.error(`step ${step}/${settings.steps}: loss ${loss.toFixed(5)}`),
  });
  const seconds = (performance.now() - t0) / 1000;
  if (file) writeFileAtomic(file, learning.encodePredictor(pred), { force });
  const summary = describe(learning, pred, hmm);
  if (flag(p, 'json')) console.log(JSON.stringify({ task: pred.task, model: pred.model, loss: pred.loss, samples, seed, steps: pred.steps, parameters: pred.parameters, trainLoss: pred.trainLoss, seconds, ...summary.json, ...(file ? { out: file } : {}) }));
  else {
    console.log(`trained a ${pred.model} (${pred.parameters} parameters) on task ${pred.task} from ${samples} sequences in ${seconds.toFixed(1)} s; final training loss ${pred.trainLoss.toFixed(5)}`);
    for (const line of summary.lines) console.log(line);
    if (file) console.log(`wrote ${file}`);
  }
  return 0;
}

type Learning = typeof import('../../learning/index.js');
type Predictor = import('../../learning/index.js').LearnedPredictor;

/** What a predictor shows about `truth`: recovery (triplet) or the twin (pairwise). */
function describe(learning: Learning, pred: Predictor, truth: HMM): { json: Record<string, unknown>; lines: string[] } {
  const triplet = pred.task.includes(',');
  if (triplet) {
    const r = learning.recoverFromPredictor(pred, { truth });
    return {
      json: { transition: r.transition, emission: r.emission, permutation: r.permutation, errors: r.errors, cp: r.cp, conditionRatio: r.conditionRatio, projection: r.projection },
      lines: [
        `recovered (O, T) from the learned predictor by CP (rank ${r.cp.rank}, ${r.cp.iterations} sweeps${r.cp.converged ? '' : ', NOT converged'})`,
        `errors: max|ΔT| = ${r.errors!.transition.toExponential(3)}, max|ΔO| = ${r.errors!.emission.toExponential(3)}`,
      ],
    };
  }
  const c = learning.pairwiseTwinCheck(pred, truth);
  return {
    json: { twin: c.twin, lossTruth: c.lossTruth, lossTwin: c.lossTwin, excessLoss: c.excessLoss, parameterDistance: c.parameterDistance },
    lines: [
      `pairwise task ${c.task}: the learned predictor's population loss is ${c.lossTruth.toFixed(8)} under the HMM and ${c.lossTwin.toFixed(8)} under its twin`,
      `(the twin differs by max|ΔT| = ${c.parameterDistance.transition.toFixed(4)}, max|ΔO| = ${c.parameterDistance.emission.toFixed(4)}; excess loss over the optimal predictor ${c.excessLoss.toExponential(2)}):`,
      'the predictor cannot tell them apart, so it does not identify (O, T)',
    ],
  };
}

/** `hmm recover --predictor DIR [--hmm H]`. */
export async function recoverPredictor(argv: string[]): Promise<number> {
  const p = parse(argv, { predictor: { type: 'string' }, hmm: { type: 'string' }, json: { type: 'boolean' } }, false);
  const dir = str(p, 'predictor')!;
  const file = existsSync(join(dir, 'predictor.json')) ? join(dir, 'predictor.json') : dir;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`--predictor ${dir}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const learning = await import('../../learning/index.js');
  const pred = learning.decodePredictor(text, file);
  const given = str(p, 'hmm');
  const truth = given !== undefined ? loadHmm(given) : createHmm(pred.hmm, { forRecovery: true });
  if (truth.d !== pred.d || truth.k !== pred.k) throw new CliError(`--hmm has k = ${truth.k}, d = ${truth.d}; the predictor was learned with k = ${pred.k}, d = ${pred.d}`);
  const summary = describe(learning, pred, truth);
  if (flag(p, 'json')) console.log(JSON.stringify({ source: 'predictor', predictor: file, task: pred.task, model: pred.model, samples: pred.samples, ...summary.json }));
  else {
    console.log(`predictor ${file}: a ${pred.model} learned on task ${pred.task} from ${pred.samples} sequences (training loss ${pred.trainLoss.toFixed(5)})`);
    for (const line of summary.lines) console.log(line);
  }
  return 0;
}

/** `hmm experiment --learned`. */
export async function learnedExperiment(argv: string[]): Promise<number> {
  const p = parse(
    argv,
    { learned: { type: 'boolean' }, hmm: { type: 'string' }, sizes: { type: 'string' }, reps: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' }, model: { type: 'string' }, width: { type: 'string' }, layers: { type: 'string' }, steps: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' }, loss: { type: 'string' } },
    false,
  );
  const hmm = str(p, 'hmm') !== undefined ? loadHmm(str(p, 'hmm')) : undefined;
  const sizesText = str(p, 'sizes');
  const sizes = sizesText === undefined ? [1e3, 1e4, 1e5] : sizesText.split(',').map((s) => Number(s.trim()));
  sizes.forEach((n, i) => {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 26) throw new CliError(`--sizes[${i}]: expected an integer in [1, 2^26] like 1e4, got "${sizesText!.split(',')[i]}"`);
  });
  const reps = int(p, 'reps', 3, 1, 100)!;
  const settings = learnSettings(p);
  const outDir = str(p, 'out');
  const force = flag(p, 'force');
  const names = ['hmm-learned.json', 'hmm-learned.md', 'hmm-learned.svg'];
  if (outDir) checkFilesWritable(outDir, names, { force });
  const learning = await import('../../learning/index.js');
  await learning.initBackend();
  const e = learning.runLearnedExperiment({ hmm, sizes, reps, seed: int(p, 'seed', 1, 0, 2 ** 32 - 1)!, ...settings, onLog: (l) => console.error(l) });
  const md = learning.learnedExperimentMarkdown(e);
  if (outDir) {
    const written = writeFilesAtomic(outDir, { [names[0]]: JSON.stringify(e, null, 1) + '\n', [names[1]]: md, [names[2]]: learning.learnedExperimentSvg(e) }, { force });
    console.error(`wrote ${written.join(', ')}`);
  }
  if (flag(p, 'json')) console.log(JSON.stringify(e));
  else process.stdout.write(md);
  return 0;
}
