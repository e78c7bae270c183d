#!/usr/bin/env node
// The queue against the local pool, end to end (wall clock of `testbeds sweep`, one machine):
//  1. overhead per cell: N one-step cells through `--jobs 1` vs one `testbeds worker`
//     (enqueue → trained → result collected), difference / N;
//  2. throughput: a small grid with `--jobs 2` vs two workers (concurrency 1 each) on this machine;
//     the tables must be identical.
// Starts its own redis-server (loopback, free port, temporary directory). Usage:
//   node bench/queue.mjs [--out bench/results/queue] [--cells N] [--repeats R]
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'bench/results/queue' }, cells: { type: 'string', default: '8' }, repeats: { type: 'string', default: '2' } } });
const BIN = new URL('../bin/testbeds.js', import.meta.url).pathname;
const tmp = (p) => mkdtempSync(join(tmpdir(), `tb-qbench-${p}-`));

const port = await new Promise((res) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => res(p));
  });
});
const redisDir = tmp('redis');
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', redisDir, '--appendonly', 'yes', '--save', '', '--loglevel', 'warning'], { stdio: 'ignore' });
// Never leave the server behind, even when a sweep fails and the script throws.
process.on('exit', () => redis.kill('SIGKILL'));
for (let i = 0; spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() !== 'PONG'; i++) {
  if (i > 100) throw new Error('redis-server did not start');
  await new Promise((r) => setTimeout(r, 100));
}
const url = `redis://127.0.0.1:${port}/0`;

function run(args) {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (b) => (err += b));
    p.on('close', (code) => (code === 0 ? res(Number(process.hrtime.bigint() - t0) / 1e9) : rej(new Error(`testbeds ${args.join(' ')}: exit ${code}\n${err}`))));
  });
}
function workers(n) {
  const ps = Array.from({ length: n }, () => spawn(process.execPath, [BIN, 'worker', '--queue', url, '--poll-ms', '250'], { stdio: 'ignore' }));
  return { stop: () => Promise.all(ps.map((p) => new Promise((r) => (p.on('close', r), p.kill('SIGTERM'))))) };
}

const N = Number(values.cells);
const R = Number(values.repeats);
const tiny = ['--automata', Array.from({ length: N }, (_, i) => `cyclic:${i + 2}`).join(','), '--depths', '1', '--length', '4', '--width', '8', '--heads', '2', '--batch', '4', '--steps', '1'];
const grid = ['--automata', 'parity,cyclic:3,dihedral:3', '--depths', '1,2', '--length', '16', '--width', '32', '--heads', '4', '--batch', '32', '--steps', '300'];
const rows = [];
const load0 = loadavg()[0];
for (let r = 0; r < R; r++) {
  // Fresh settings each repeat (seed) so no cell is reused from the queue or a results directory.
  const seed = String(1000 + r);
  const lg = tmp('lg');
  const qg = tmp('qg');
  const local = async () => ({ tiny: await run(['sweep', ...tiny, '--seed', seed, '--jobs', '1', '--out', tmp('lt')]), grid: await run(['sweep', ...grid, '--seed', seed, '--jobs', '2', '--out', lg]) });
  const queued = async () => {
    let w = workers(1);
    const t = await run(['sweep', ...tiny, '--seed', seed, '--queue', url, '--poll-ms', '250', '--out', tmp('qt')]);
    await w.stop();
    w = workers(2);
    const g = await run(['sweep', ...grid, '--seed', seed, '--queue', url, '--poll-ms', '250', '--out', qg]);
    await w.stop();
    return { tiny: t, grid: g };
  };
  // Alternate which goes first: the machine's other load drifts.
  let l, q;
  if (r % 2 === 0) {
    l = await local();
    q = await queued();
  } else {
    q = await queued();
    l = await local();
  }
  const [localTiny, queueTiny, localGrid, queueGrid] = [l.tiny, q.tiny, l.grid, q.grid];
  const same = readFileSync(join(lg, 'table.md'), 'utf8') === readFileSync(join(qg, 'table.md'), 'utf8') && readFileSync(join(lg, 'table.csv'), 'utf8') === readFileSync(join(qg, 'table.csv'), 'utf8');
  rows.push({ repeat: r, first: r % 2 === 0 ? 'local' : 'queue', localTiny, queueTiny, overheadPerCell: (queueTiny - localTiny) / N, localGrid, queueGrid, ratio: queueGrid / localGrid, sameTables: same });
  console.error(JSON.stringify(rows[rows.length - 1]));
}
redis.kill('SIGTERM');
const med = (k) => rows.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(rows.length / 2)];
const result = { command: `node bench/queue.mjs --cells ${N} --repeats ${R}`, machine: { cpus: cpus().length, model: cpus()[0]?.model, loadBefore: load0, loadAfter: loadavg()[0] }, cells: N, rows, median: { overheadPerCell: med('overheadPerCell'), ratio: med('ratio') } };
mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, 'queue.json'), JSON.stringify(result, null, 1) + '\n');
const md = [
  `# Queue vs local pool (\`${result.command}\`)`,
  '',
  `${result.machine.cpus} cores (${result.machine.model}); 1-minute load ${load0.toFixed(1)} before, ${result.machine.loadAfter.toFixed(1)} after (the machine is shared: absolute times are inflated, compare within a row).`,
  '',
  `| repeat (first) | ${N} one-step cells, --jobs 1 (s) | same, 1 worker (s) | overhead per cell (s) | 6-cell grid, --jobs 2 (s) | same, 2 workers (s) | queue / local | identical tables |`,
  '|---:|---:|---:|---:|---:|---:|---:|:---:|',
  ...rows.map((x) => `| ${x.repeat} (${x.first}) | ${x.localTiny.toFixed(1)} | ${x.queueTiny.toFixed(1)} | ${x.overheadPerCell.toFixed(2)} | ${x.localGrid.toFixed(1)} | ${x.queueGrid.toFixed(1)} | ${x.ratio.toFixed(3)} | ${x.sameTables ? 'yes' : 'NO'} |`),
  '',
  `Median overhead per cell ${result.median.overheadPerCell.toFixed(2)} s; median wall-time ratio (two workers / --jobs 2) ${result.median.ratio.toFixed(3)}.`,
  '',
];
writeFileSync(join(values.out, 'queue.md'), md.join('\n'));
console.log(md.join('\n'));
