/** Options and results of the simulation API (src/simulate/). */
import { optionKeys } from '../validate/index.js';

/** How to simulate: the plain TypeScript loop, the wasm loop, or a prefix scan over maps δ(·,σ). */
export type Method = 'reference' | 'sequential' | 'scan' | 'hillis-steele' | 'brent-kung';
export const METHODS: readonly Method[] = ['reference', 'sequential', 'scan', 'hillis-steele', 'brent-kung'];

/** Letters σ_1..σ_T: one element per step (Uint16Array when |Σ| > 256). */
export type Letters = Uint8Array | Uint16Array;
/** States q_1..q_T: Uint8Array when |Q| <= 256, else Uint16Array. */
export type States = Uint8Array | Uint16Array;

/** The keys of SimulateOptions and BatchOptions (a misspelled option is refused, not ignored). */
export const SIMULATE_OPTION_KEYS = optionKeys<SimulateOptions>({ method: true, start: true, out: true, threads: true, chunks: true });
export const BATCH_OPTION_KEYS = optionKeys<BatchOptions>({ method: true, start: true, out: true });

export interface SimulateOptions {
  /** Default 'scan'. */
  method?: Method;
  /** q_0; default the automaton's start state. */
  start?: number;
  /** Where to write the T states (length T, Uint8Array if |Q| <= 256 else Uint16Array); default a new array. */
  out?: States;
  /** Worker threads for `scan` (simulateAsync only); default 1. */
  threads?: number;
  /** Chunk count for `scan` (default about √(2T), a multiple of 8·threads). */
  chunks?: number;
}

export interface SimulateResult {
  /** q_1..q_T. */
  states: States;
  /** q_T (q_0 when T = 0). */
  final: number;
  /** Number of sequential rounds the method took: T for loops, ⌈log2 T⌉ for Hillis–Steele, … */
  depth: number;
  method: Method;
  /** Scan only: the chunk count and length it used. */
  chunks?: { count: number; length: number };
  /** Threads that did the work. */
  threads: number;
}

export interface BatchOptions {
  /** 'sequential' (default) and 'scan' run the SIMD-across-sequences kernel; 'reference' the TS loop;
   *  'hillis-steele' and 'brent-kung' run each sequence through that scan. */
  method?: Method;
  /** One start state for all sequences, or one per sequence; default the automaton's start. */
  start?: number | readonly number[];
  out?: States;
}

export interface BatchResult {
  /** States, step-major like the letters: states[t*B + b]. */
  states: States;
  /** q_T of every sequence (length B). */
  finals: number[];
  depth: number;
  method: Method;
  batch: number;
}
