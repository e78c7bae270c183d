// The page's Web Worker: runs a panel's long computation off the main thread, so the page stays
// responsive and Stop can end it (the page terminates the worker: a synchronous library call has
// no other way to be interrupted). One worker per job (worker-client.js).
// Messages in: { type: 'run' | 'scaling' | 'recover' | 'algebra' | 'nce', options }.
// Out: { type: 'ready' } | { type: 'point', point } | { type: 'done', result } | { type: 'error', message }.
import * as lib from '../dist/browser/testbeds.js';
import { measureScaling, runDemo } from './simulate-core.js';
import { recoverWith } from './hmm.js';
import { analyseWith } from './algebra.js';
import { nceWith } from './nce.js';

const JOBS = {
  run: (o) => runDemo(lib, o),
  scaling: (o) => measureScaling(lib, o, (point) => self.postMessage({ type: 'point', point })),
  recover: (o) => recoverWith(lib, o),
  algebra: (o) => analyseWith(lib, o),
  nce: (o) => nceWith(lib, o),
};

self.onmessage = ({ data: m }) => {
  try {
    const job = JOBS[m.type];
    if (!job) throw new Error(`unknown message type ${JSON.stringify(m.type)}`);
    self.postMessage({ type: 'done', result: job(m.options) });
  } catch (e) {
    self.postMessage({ type: 'error', message: e.message });
  }
};
self.postMessage({ type: 'ready' });
