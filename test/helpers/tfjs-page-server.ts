// A static server on 127.0.0.1 for browser tests of the learning layer: the page at `/`, one
// bundled script at `scriptPath`, and tfjs-backend-wasm's binaries under /wasm/. `isolated` adds the
// COOP/COEP headers that make the page cross-origin isolated (SharedArrayBuffer, threads).
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export async function serveTfjsPage(page: string, scriptPath: string, script: string, isolated = false): Promise<Server> {
  const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (isolated) {
      res.setHeader('cross-origin-opener-policy', 'same-origin');
      res.setHeader('cross-origin-embedder-policy', 'require-corp');
    }
    if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    if (path === scriptPath) return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    const m = /^\/wasm\/([\w.-]+\.wasm)$/.exec(path);
    if (m && existsSync(join(wasmDir, m[1]))) return void res.writeHead(200, { 'content-type': 'application/wasm' }).end(readFileSync(join(wasmDir, m[1])));
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return server;
}
