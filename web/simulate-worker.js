// The Simulate panel's Web Worker: runs a simulation (or the scaling measurement) off the main
// thread, so the page stays responsive and Stop can end it (the page terminates the worker: a
// synchronous simulate() call has no other way to be interrupted).
// Messages in: { type: 'run', options } | { type: 'scaling', options }.
// Out: { type: 'ready' } | { type: 'phase', text } | { type: 'point', point } | { type: 'done', result } | { type: 'error', message }.
import * as lib from '../dist/browser/testbeds.js';
import { measureScaling, runDemo } from './simulate-core.js';

self.onmessage = ({ data: m }) => {
  try {
    if (m.type === 'run') self.postMessage({ type: 'done', result: runDemo(lib, m.options) });
    else if (m.type === 'scaling') self.postMessage({ type: 'done', result: measureScaling(lib, m.options, (point) => self.postMessage({ type: 'point', point })) });
    else throw new Error(`unknown message type ${JSON.stringify(m.type)}`);
  } catch (e) {
    self.postMessage({ type: 'error', message: e.message });
  }
};
self.postMessage({ type: 'ready' });
