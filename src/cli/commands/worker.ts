/**
 * `testbeds worker --queue URL`: trains sweep cells taken from the queue (BullMQ on Redis), any
 * number of these on any number of machines. Runs until Ctrl-C / SIGTERM: running cells then
 * checkpoint, go back to the queue and are resumed by the next worker.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError, int, parse, str, type OptionSpec } from '../args.js';
import type { Command } from '../command.js';
import { binPath } from './sweep.js';

const usage = `usage: testbeds worker --queue URL [--concurrency N] [--store DIR]

  --queue URL        redis://[USER:PASSWORD@]HOST:PORT[/DB] or rediss://… (TLS); the password is
                     never printed or stored in jobs or results. env:NAME reads the URL from
                     environment variable NAME (keeps the password out of \`ps\`)
  --concurrency N    cells trained at once, one process each (default 1; one per core at most)
  --store DIR        keep checkpoints and logs in this directory, which every machine (and the
                     sweep, with the same --store) mounts (NFS, …); needed for checkpoints over
                     64 MB (the paper preset's deep models); default: in Redis
  --work DIR         local scratch directory for running cells (default: a temporary directory)
  --lock-seconds S   a cell whose worker stops answering goes to another worker after S
                     seconds (default 30)

example: testbeds worker --queue redis://queue.lab:6379/0 --concurrency 2`;

const options: OptionSpec = {
  queue: { type: 'string' },
  concurrency: { type: 'string' },
  store: { type: 'string' },
  work: { type: 'string' },
  'lock-seconds': { type: 'string' },
  'poll-ms': { type: 'string' },
};

export const command: Command = {
  summary: 'train sweep cells from a Redis queue (run one per machine; see sweep --queue)',
  usage,
  async run(argv) {
    const p = parse(argv, options, false);
    const url = str(p, 'queue');
    if (url === undefined) throw new CliError('--queue URL is required (redis://HOST:PORT[/DB])');
    const { parseQueueUrl, verify } = await import('../../learning/queue/connection.js');
    let address;
    try {
      address = parseQueueUrl(url);
      await verify(address);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    const concurrency = int(p, 'concurrency', 1, 1, 256)!;
    const { QueueWorker } = await import('../../learning/queue/worker.js');
    const w = new QueueWorker({
      address,
      concurrency,
      store: str(p, 'store'),
      workDir: str(p, 'work') ?? join(tmpdir(), `testbeds-worker-${process.pid}`),
      cli: [process.execPath, binPath()],
      lockSeconds: int(p, 'lock-seconds', 30, 1, 3600)!,
      pollMs: int(p, 'poll-ms', 1000, 50, 60_000)!,
      log: (line) => process.stderr.write(line + '\n'),
    });
    w.start();
    process.stderr.write(`worker: ${concurrency} at a time from ${address.redacted}${str(p, 'store') ? `, large checkpoints in ${str(p, 'store')}` : ''}; Ctrl-C to stop\n`);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    process.stderr.write('worker: stopping (running cells checkpoint and go back to the queue)\n');
    await w.stop(signal === 'SIGTERM');
    return 0;
  },
};
