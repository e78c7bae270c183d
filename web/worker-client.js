// A panel's handle on page-worker.js: one job at a time in a fresh module worker; stop() terminates
// it and the job's promise rejects with `stopped` set.
const WORKER_URL = new URL('./page-worker.js', import.meta.url);

export class PageWorker {
  worker = null;
  /** True when the last job ended by stop(). */
  stopped = false;
  #abort = null;

  /** Runs one job; resolves to its result, rejects on error or stop(). `onPoint` gets progress points. */
  run(type, options, onPoint) {
    this.stop();
    this.stopped = false;
    const w = new Worker(WORKER_URL, { type: 'module' });
    this.worker = w;
    return new Promise((ok, fail) => {
      const end = (f, v) => {
        w.terminate();
        if (this.worker === w) {
          this.worker = null;
          this.#abort = null;
        }
        f(v);
      };
      this.#abort = () => end(fail, new Error('stopped'));
      w.onerror = (e) => end(fail, new Error(`page worker: ${e.message ?? 'failed to load'}`));
      w.onmessage = ({ data: m }) => {
        // The job is posted on 'ready': the bundle's top-level await (WASM kernels) lets messages
        // arrive before the worker's handler exists, and those would be lost.
        if (m.type === 'ready') w.postMessage({ type, options });
        else if (m.type === 'point') onPoint?.(m.point);
        else if (m.type === 'error') end(fail, new Error(m.message));
        else if (m.type === 'done') end(ok, m.result);
      };
    });
  }

  /** Ends the running job, if any; true when there was one. */
  stop() {
    if (!this.worker) return false;
    this.stopped = true;
    this.#abort?.();
    return true;
  }
}
