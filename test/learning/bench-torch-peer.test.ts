// bench/lib/torch-peer.ts: the PyTorch peer is named by the BLAS it really ran on, and a
// reference-BLAS torch is never presented as the peer.
import { describe, it, expect } from 'vitest';
import { torchLabel, type TorchResult } from '../../bench/lib/torch-peer.js';

const run = (kind: 'openblas' | 'mkl' | 'reference' | 'unknown', threads: number, library: string): TorchResult => ({
  ok: true, torch: '1.13.0a0', threads,
  blas: { kind, library, alternative: library, config: 'generic', blasThreads: threads, mmGflops: 4 },
});

describe('torchLabel', () => {
  it('names OpenBLAS and MKL builds as the peer, with the thread count', () => {
    expect(torchLabel(run('openblas', 1, '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so'))).toEqual({ label: 'PyTorch 1.13.0a0 + OpenBLAS (1 thread)', honest: true });
    expect(torchLabel(run('mkl', 2, 'libmkl_rt.so'))).toEqual({ label: 'PyTorch 1.13.0a0 + MKL (2 threads)', honest: true });
  });

  it('never calls a reference-BLAS torch the peer, and says how to get the real one', () => {
    const { label, honest } = torchLabel(run('reference', 1, '/usr/lib/x86_64-linux-gnu/blas/libblas.so.3'));
    expect(honest).toBe(false);
    expect(label).toMatch(/^PyTorch 1\.13\.0a0 \(reference BLAS: not the peer; apt-get install libopenblas0-pthread/);
    expect(label).not.toMatch(/PyTorch-CPU/);
  });

  it('does not trust an unidentified BLAS either', () => {
    expect(torchLabel(run('unknown', 1, '')).honest).toBe(false);
    expect(torchLabel({ ok: true, torch: '2.1', threads: 1 }).label).toMatch(/BLAS unknown: none mapped/);
  });
});
