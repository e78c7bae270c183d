// The Simulate panel's computations, shared by the page (window.runDemo, for tests) and the Web
// Worker that runs them off the main thread (page-worker.js). Plain functions of the library.

export const FIRST = 32;

/**
 * Samples T seeded letters for the zoo automaton `name` and simulates them with `method`.
 * Returns { name, T, seed, method, final, finalName, depth, chunks, seconds, sampleSeconds, letters, states }
 * where letters/states are the first `first` positions (all of them with first = Infinity).
 */
export function runDemo(lib, { name, T, seed, method = 'scan', first = FIRST }) {
  const a = lib.zoo(name);
  let t0 = performance.now();
  const letters = lib.sampleLetters(a, T, { seed });
  const sampleSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const r = lib.simulate(a, letters, { method });
  const seconds = (performance.now() - t0) / 1000;
  const m = Math.min(T, first);
  return {
    name: a.name,
    T,
    seed,
    method,
    final: r.final,
    finalName: a.states?.[r.final] ?? String(r.final),
    depth: r.depth,
    chunks: r.chunks,
    seconds,
    sampleSeconds,
    letters: Array.from(letters.subarray(0, m)),
    states: Array.from(r.states.subarray(0, m)),
  };
}

/** The methods compared in the scaling plot: the sequential loop and the three scans. */
export const SCALING_METHODS = ['sequential', 'hillis-steele', 'brent-kung', 'scan'];

/**
 * Depth and time of each method against T = 2^from, 2^(from+2), … ≤ maxT on one automaton:
 * letters sampled once per T (seed), each method timed as the best of `repeats` batches. A method stops growing T once one run takes more than `budget` seconds.
 * `onPoint({ method, T, depth, seconds })` is called per measurement.
 */
export function measureScaling(lib, { name, seed = 1, from = 10, maxT = 1 << 22, budget = 1.5, repeats = 3 }, onPoint) {
  const a = lib.zoo(name);
  const out = [];
  const slow = new Set();
  for (let e = from; 2 ** e <= maxT; e += 2) {
    const T = 2 ** e;
    if (slow.size === SCALING_METHODS.length) break;
    const letters = lib.sampleLetters(a, T, { seed });
    for (const method of SCALING_METHODS) {
      if (slow.has(method)) continue;
      // Browsers coarsen performance.now() (to 0.1 ms or more): time batches of at least 20 ms and
      // divide, best of `repeats` batches (one batch once a single run is slow).
      let best = Infinity, depth = 0;
      for (let r = 0; r < repeats; r++) {
        const t0 = performance.now();
        let runs = 0, elapsed = 0;
        do {
          depth = lib.simulate(a, letters, { method }).depth;
          runs++;
          elapsed = (performance.now() - t0) / 1000;
        } while (elapsed < 0.02);
        best = Math.min(best, elapsed / runs);
        if (best > budget / 4) break;
      }
      const point = { method, T, depth, seconds: best };
      out.push(point);
      onPoint?.(point);
      if (best > budget) slow.add(method);
    }
  }
  return out;
}
