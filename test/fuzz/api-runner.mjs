// Parent side of the API fuzz: runs api-driver.mjs in a worker thread, time-boxes every call and,
// after a hang or a crash, goes on with the next function in a fresh worker.
import { Worker } from 'node:worker_threads';

/**
 * Fuzzes `names` of the module at URL `entry`; resolves to the bad outcomes
 * [{ name, args, problem }] and the number of calls made.
 */
export async function fuzzApi({ driver, entry, names, runs, seed, callMs = 5000 }) {
  const findings = [];
  let cases = 0;
  let rest = [...names];
  while (rest.length > 0) {
    const { stoppedAt, calls } = await new Promise((resolve) => {
      const worker = new Worker(driver, {
        workerData: { entry, names: rest, runs, seed, asyncTimeoutMs: callMs },
        // A call that allocates without bound is a finding, not the end of the test process.
        resourceLimits: { maxOldGenerationSizeMb: 768 },
      });
      let current;
      let timer;
      let calls = 0;
      let finished = false;
      worker.on('message', (m) => {
        if (m.type === 'start') {
          current = m;
          clearTimeout(timer);
          timer = setTimeout(() => {
            findings.push({ name: m.name, args: m.args, problem: `no return within ${callMs} ms (a hang)` });
            void worker.terminate();
          }, callMs);
        } else if (m.type === 'end') {
          calls++;
          clearTimeout(timer);
          if (m.problem) findings.push({ name: m.name, args: m.args, problem: m.problem });
        } else if (m.type === 'finished') finished = true;
      });
      worker.on('error', (e) => {
        findings.push({ name: current?.name ?? '?', args: current?.args ?? '?', problem: `worker died: ${e.message}` });
      });
      worker.on('exit', () => {
        clearTimeout(timer);
        resolve({ stoppedAt: finished ? undefined : current?.name, calls });
      });
    });
    cases += calls;
    if (stoppedAt === undefined) break;
    rest = rest.slice(rest.indexOf(stoppedAt) + 1);
  }
  return { findings, cases };
}
