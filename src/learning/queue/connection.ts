/**
 * The queue's address: `redis://[USER:PASSWORD@]HOST:PORT[/DB]` or `rediss://…` (TLS). Parsed once
 * into ioredis options; only the redacted form (password replaced by `***`) is ever printed, and
 * nothing derived from the URL goes into job data or results.
 */
import { Redis, type RedisOptions } from 'ioredis';

export interface QueueAddress {
  /** ioredis options (host, port, db, username, password, tls). */
  options: RedisOptions;
  /** The URL with its password masked: safe for logs. */
  redacted: string;
  /** The secret itself, so callers can check it never leaks (tests) and scrub error messages. */
  secret: string | undefined;
}

/** The BullMQ queue every sweep and worker uses (different settings never share a job id). */
export const QUEUE_NAME = 'testbeds-sweep';

/**
 * `env:NAME` reads the URL from environment variable NAME, which keeps a password out of the
 * process list (`ps` shows command lines to every user of a machine).
 */
export function parseQueueUrl(text: string): QueueAddress {
  const env = typeof text === 'string' ? /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(text) : null;
  if (env) {
    const v = process.env[env[1]];
    if (!v) throw new Error(`--queue ${text}: environment variable ${env[1]} is not set`);
    text = v;
  }
  if (typeof text !== 'string' || text === '') throw new Error('--queue: expected redis://HOST:PORT[/DB] or rediss://…, got an empty value');
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new Error(`--queue: "${redactText(text)}" is not a URL (expected redis://HOST:PORT[/DB] or rediss://…)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`--queue: scheme "${u.protocol}" is not redis: or rediss:`);
  if (!u.hostname) throw new Error('--queue: the URL names no host');
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0 || db > 15 || !/^\d*$/.test(dbText)) throw new Error(`--queue: database "${dbText}" is not an integer in [0, 15]`);
  if (u.search || u.hash) throw new Error('--queue: query strings and fragments are not supported');
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisOptions = {
    host,
    port,
    db,
    ...(username ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
    // BullMQ's blocking commands need unlimited retries; reconnect with a capped back-off so a
    // restarted Redis is found again within a couple of seconds.
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(200 * times, 2000),
  };
  const redacted = `${u.protocol}//${username ? encodeURIComponent(username) + (password !== undefined ? ':***' : '') + '@' : password !== undefined ? ':***@' : ''}${u.host}/${db}`;
  return { options, redacted, secret: password };
}

/** Masks a password in a URL-looking string that did not parse (error messages). */
function redactText(text: string): string {
  return text.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/** Replaces every occurrence of the secret in `text` (error messages from ioredis and friends). */
export function scrub(text: string, addr: QueueAddress): string {
  return addr.secret ? text.split(addr.secret).join('***') : text;
}

/** A new ioredis connection (BullMQ wants one per Queue / Worker). */
export function connect(addr: QueueAddress, extra: RedisOptions = {}): Redis {
  return new Redis({ ...addr.options, ...extra });
}

/**
 * Checks the server answers (and accepts the credentials) before anything starts, so a wrong
 * address or password is one clear line instead of endless reconnect attempts.
 */
export async function verify(addr: QueueAddress, timeoutMs = 5000): Promise<void> {
  const r = new Redis({ ...addr.options, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: timeoutMs });
  let cause: Error | undefined; // ioredis reports the reason (refused, WRONGPASS) as an event
  r.on('error', (e: Error) => (cause ??= e));
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    throw new Error(`--queue ${addr.redacted}: ${scrub((cause ?? (e as Error)).message, addr)}`);
  } finally {
    r.disconnect();
  }
}
