/** Safe outputs (Node only): atomic writes, errors that name the file, one writer per run directory. */
export * from './atomic.js';
export * from './lock.js';
