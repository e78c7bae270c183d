/**
 * Training in a browser Web Worker (or a Node worker_threads Worker): the same Trainer on the
 * tfjs WASM backend, driven by messages. Bundle this file as a module worker and:
 *
 *   worker.postMessage({ type: 'train', wasmPath: '/wasm/', run: { automaton: 'parity', model: 'lstm', steps: 200 } })
 *   ← { type: 'ready', backend }   ← { type: 'step', info }   ← { type: 'eval', step, result }
 *   ← { type: 'done', result, checkpoint: Uint8Array }   (or { type: 'error', message })
 *   worker.postMessage({ type: 'stop' })   // ends after the current step, still sends 'done'
 *
 * `run` takes RunOptions with `automaton` as a zoo name or an automaton object; `wasmPath` is
 * where the page serves tfjs-backend-wasm*.wasm (not needed in Node); `threads` (default 1) runs
 * our kernels on that many threads when the page is cross-origin isolated (COOP/COEP headers),
 * else on 1 (the first request decides; 'ready' says how many: `{ type: 'ready', backend, threads }`).
 *
 * A checkpoint (trained, or compiled by `testbeds compile`) is evaluated the same way:
 *   worker.postMessage({ type: 'evaluate', checkpoint: bytes, exhaustive: true })   // or length, batches
 *   ← { type: 'ready', backend }   ← { type: 'evaluated', result, run }   (result has accuracy, margin, ...)
 */
import { zoo } from '../automata/zoo.js';
import type { Automaton } from '../automata/types.js';
import { initBackend, setWasmBinaryLocation, threadCount } from './backend.js';
import { runConfig, taskOf, Trainer, type RunOptions } from './train.js';
import { evalBatches, exhaustiveBatches } from './data.js';

export type WorkerRequest =
  | { type: 'train'; run: Omit<RunOptions, 'automaton'> & { automaton: string | Automaton }; wasmPath?: string; backend?: 'wasm' | 'cpu'; threads?: number }
  | { type: 'evaluate'; checkpoint: Uint8Array; length?: number; exhaustive?: boolean; batches?: number; wasmPath?: string; backend?: 'wasm' | 'cpu'; threads?: number }
  | { type: 'stop' };

interface Port {
  postMessage(msg: unknown, transfer?: unknown[]): void;
}

const backend0 = (req: { backend?: 'wasm' | 'cpu' }) => req.backend ?? 'wasm';

/** Wires the protocol onto a message port (`self` in a Web Worker). */
export function serveTraining(port: Port, onMessage: (h: (req: WorkerRequest) => void) => void): void {
  let stop = false;
  let wasmSet = false;
  onMessage(async (req) => {
    if (req.type === 'stop') {
      stop = true;
      return;
    }
    if (req.type !== 'train' && req.type !== 'evaluate') return;
    stop = false;
    let trainer: Trainer | undefined;
    try {
      if (req.wasmPath && !wasmSet) {
        setWasmBinaryLocation(req.wasmPath);
        wasmSet = true;
      }
      const backend = await initBackend(req.backend ?? 'wasm', req.threads !== undefined && backend0(req) === 'wasm' ? { threads: req.threads } : {});
      port.postMessage({ type: 'ready', backend, threads: backend === 'wasm' ? threadCount() : 1 });
      if (req.type === 'evaluate') {
        trainer = Trainer.decode(req.checkpoint);
        const c = trainer.config;
        const task = taskOf(c, req.length ?? c.length);
        const batches = req.exhaustive && 'automaton' in task ? exhaustiveBatches(task, 256) : evalBatches(task, c.batch, req.batches ?? 16, c.seed + 1);
        port.postMessage({ type: 'evaluated', result: trainer.evaluate(batches), run: c });
        return;
      }
      const automaton = typeof req.run.automaton === 'string' ? zoo(req.run.automaton) : req.run.automaton;
      trainer = new Trainer(runConfig({ ...req.run, automaton }));
      const result = await trainer.train({
        onStep: (info) => port.postMessage({ type: 'step', info }),
        onEval: (step, r) => port.postMessage({ type: 'eval', step, result: r }),
        shouldStop: () => stop,
        yieldEvery: 1,
      });
      const checkpoint = trainer.encode();
      port.postMessage({ type: 'done', result, checkpoint }, [checkpoint.buffer]);
    } catch (e) {
      port.postMessage({ type: 'error', message: (e as Error).message });
    } finally {
      trainer?.dispose();
    }
  });
}

// In a dedicated Web Worker, serve on `self`.
const g = globalThis as unknown as { WorkerGlobalScope?: unknown; postMessage?: Port['postMessage']; addEventListener?: (t: string, f: (e: { data: WorkerRequest }) => void) => void };
if (typeof g.WorkerGlobalScope !== 'undefined' && typeof g.addEventListener === 'function') {
  serveTraining({ postMessage: (m, t) => (g.postMessage as (m: unknown, t?: unknown[]) => void)(m, t) }, (h) => g.addEventListener!('message', (e) => h(e.data)));
}
