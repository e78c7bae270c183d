// CPU time of this test process, for "refused at once" and complexity guards: unlike wall-clock
// time it does not grow when other jobs load the machine (CI's 2 cores are shared), so a bound
// on it checks the algorithm (no allocation, no Θ(n³) loop) and not the machine's load.
// Speed itself is measured in the benchmarks, never in tests.

/** User + system CPU milliseconds this process has used so far (all its threads). */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
