"""OpenBLAS/MKL GEMM throughput through PyTorch, for bench/lib/gemm-speed.ts's table.

Usage: python3 bench/torch_gemm.py '{"threads":1,"reps":5,"shapes":[[M,N,K,"NN"],...]}'
Prints one JSON object {"ok": true, "gflops": [...], "threads": n} (best of reps per shape; mode NN
is a·b, NT a·bᵀ, TN aᵀ·b, as torch.mm on transposed views, which BLAS takes as flags, no copies),
or {"ok": false, "reason": ...}. Threads as in bench/torch_peer.py (env set before import).
"""
import json
import os
import sys
import time

CONFIG = json.loads(sys.argv[1])
THREADS = int(CONFIG.get("threads", 1))
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(THREADS)
try:
    import torch
except Exception as e:  # noqa: BLE001 - any import failure means "no peer"
    print(json.dumps({"ok": False, "reason": f"import torch failed: {e}"}))
    sys.exit(0)
torch.set_num_threads(THREADS)
out = []
for M, N, K, mode in CONFIG["shapes"]:
    a = torch.randn(K, M).t() if mode == "TN" else torch.randn(M, K)
    b = torch.randn(N, K).t() if mode == "NT" else torch.randn(K, N)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(int(CONFIG.get("reps", 5))):
        t0 = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t0)
    out.append(2 * M * N * K / best / 1e9)
print(json.dumps({"ok": True, "gflops": out, "threads": torch.get_num_threads()}))
