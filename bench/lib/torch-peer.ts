/**
 * The PyTorch peer of bench/train.ts (bench/torch_peer.py run by the system python3), and how it
 * is labelled. A torch on the netlib reference BLAS (Debian's python3-torch without an optimised
 * libblas) is 5-10x slower at dense products than the PyTorch users run, so it is never called
 * "PyTorch-CPU" or used as the peer: it is printed as "PyTorch (reference BLAS)" with a note on how
 * to get the real one.
 */
import { spawnSync } from 'node:child_process';

export interface TorchBlas { kind: 'openblas' | 'mkl' | 'reference' | 'unknown'; library: string; alternative: string; config: string; blasThreads: number | null; mmGflops: number }

export interface TorchResult {
  ok: boolean; reason?: string; torch?: string; threads?: number; interopThreads?: number; blas?: TorchBlas;
  steps?: number; stepsPerSecond?: number; tokensPerSecond?: number; bestTokensPerSecond?: number; loss?: number;
  ompWaitPolicy?: string;
}

export const REAL_PEER_HINT = 'apt-get install libopenblas0-pthread (Debian/Ubuntu python3-torch), or a pip wheel of torch (bundles MKL/OpenBLAS)';

/** How the peer is named in tables, and whether it counts as the honest peer. */
export function torchLabel(r: TorchResult): { label: string; honest: boolean } {
  const threads = `${r.threads} thread${r.threads === 1 ? '' : 's'}`;
  const kind = r.blas?.kind ?? 'unknown';
  if (kind === 'openblas') return { label: `PyTorch ${r.torch} + OpenBLAS (${threads})`, honest: true };
  if (kind === 'mkl') return { label: `PyTorch ${r.torch} + MKL (${threads})`, honest: true };
  if (kind === 'reference') return { label: `PyTorch ${r.torch} (reference BLAS: not the peer; ${REAL_PEER_HINT}) (${threads})`, honest: false };
  return { label: `PyTorch ${r.torch} (BLAS unknown: ${r.blas?.library || 'none mapped'}) (${threads})`, honest: false };
}

/**
 * Runs bench/torch_peer.py for `cfg` on `threads` threads; { ok: false, reason } when it cannot.
 * `env` adds environment variables (OMP_WAIT_POLICY=PASSIVE: OpenMP workers sleep instead of
 * spinning between parallel regions, which decides PyTorch's 2-thread speed on a small VM).
 */
export function runTorchPeer(cfg: object, steps: number, threads: number, env: Record<string, string> = {}): TorchResult {
  const script = new URL('../../../bench/torch_peer.py', import.meta.url).pathname;
  for (const python of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(python, [script, JSON.stringify({ ...cfg, steps, threads })], { encoding: 'utf8', timeout: 900_000, env: { ...process.env, ...env } });
    if (r.error) continue;
    const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(line) as TorchResult;
    } catch {
      return { ok: false, reason: `torch peer exited ${r.status}: ${(r.stderr ?? '').trim().split('\n').pop()}` };
    }
  }
  return { ok: false, reason: 'no python3 found' };
}
