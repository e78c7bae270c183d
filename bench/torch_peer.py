"""PyTorch peer for bench/train.ts: the same GPT-style training step, timed, with the BLAS it ran on.

Usage: python3 bench/torch_peer.py '{"layers":2,"width":64,"heads":4,"length":64,"batch":32,"vocab":8,"steps":5,"threads":1}'
Prints one JSON object: {"ok": true, "torch": version, "threads": n, "blas": {...}, "stepsPerSecond",
"tokensPerSecond" (mean over steps), "bestStepsPerSecond", "bestTokensPerSecond" (fastest step), "loss"}
or {"ok": false, "reason": "..."} when torch is missing (the benchmark then skips the peer).

"blas" says which BLAS torch's dense layers really ran on, because that decides the comparison:
Debian's python3-torch is built with BLAS_INFO=generic and calls whatever libblas.so.3 the
alternatives system points at. With only the netlib reference BLAS installed, torch.mm runs at
3-5 GFLOP/s and the peer is a strawman; `apt-get install libopenblas0-pthread` switches it to
OpenBLAS (pip wheels bundle MKL or OpenBLAS). Fields: "kind" (openblas | mkl | reference | unknown),
"library" (the BLAS file mapped into this process, from /proc/self/maps), "alternative" (where
libblas.so.3 points), "config" (BLAS_INFO from torch.__config__.show()), "blasThreads" (OpenBLAS's
own thread count), "mmGflops" (a 512x512 torch.mm, best of 3: reference BLAS is ~3-5 here).

Threads: "threads" sets torch.set_num_threads and, before torch is imported, OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS (OpenBLAS's pthread build keeps its own pool, which torch.set_num_threads
does not size).
Model (as bench/lib/gpt-step.ts): token + learned position embeddings, L pre-LayerNorm blocks
(causal attention with explicit masked softmax, GELU-tanh MLP x4), final LayerNorm, linear head,
cross-entropy on every position, fresh random batch each step; the optimizer is our trainer's
(src/learning/optim.ts): global-norm clip 1, then AdamW lr 3e-4, betas (0.9, 0.99), eps 1e-8,
weight decay 0.01 on matrices (dim >= 2) only.
"""
import json
import math
import os
import sys
import time

CONFIG = json.loads(sys.argv[1])
if CONFIG.get("threads"):
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(int(CONFIG["threads"]))

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as e:  # noqa: BLE001 - any import failure means "no peer"
    print(json.dumps({"ok": False, "reason": f"import torch failed: {e}"}))
    sys.exit(0)


def blas_info():
    """Which BLAS this torch really calls (see the module docstring)."""
    config = ""
    for part in torch.__config__.show().replace("\n", ",").split(","):
        if "BLAS_INFO" in part:
            config = part.strip().split("=", 1)[-1]
    a = torch.randn(512, 512)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        torch.mm(a, a)
        best = min(best, time.perf_counter() - t0)
    mapped = []
    with open("/proc/self/maps", encoding="utf8") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            name = os.path.basename(path).lower()
            if ("blas" in name or "mkl" in name) and path not in mapped:
                mapped.append(path)
    alternative = ""
    for cand in ("/usr/lib/x86_64-linux-gnu/libblas.so.3", "/usr/lib/aarch64-linux-gnu/libblas.so.3", "/usr/lib/libblas.so.3"):
        if os.path.exists(cand):
            alternative = os.path.realpath(cand)
            break
    joined = " ".join(mapped).lower()
    if config.lower() == "mkl" or "mkl" in joined:
        kind = "mkl"
    elif "openblas" in joined:
        kind = "openblas"
    elif "/blas/libblas" in joined or ("libblas" in joined and "openblas" not in joined and "atlas" not in joined):
        kind = "reference"
    else:
        kind = "unknown"
    library = next((p for p in mapped if "openblas" in p.lower() or "mkl" in p.lower()), mapped[0] if mapped else "")
    blas_threads = None
    if kind == "openblas":
        try:
            import ctypes
            blas_threads = ctypes.CDLL(library).openblas_get_num_threads()
        except Exception:  # noqa: BLE001 - the count is informative only
            blas_threads = None
    return {"kind": kind, "library": library, "alternative": alternative, "config": config,
            "blasThreads": blas_threads, "mmGflops": 2 * 512 ** 3 / best / 1e9}


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x, mask):
        B, T, d = x.shape
        H = self.heads
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        q, k, v = (t.view(B, T, H, d // H).transpose(1, 2) for t in (q, k, v))  # (B, H, T, hs)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d // H))  # (B, H, T, T)
        att = F.softmax(att.masked_fill(mask[:T, :T] == 0, float("-inf")), dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, d)
        x = x + self.proj(y)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["width"]
        self.wte = nn.Embedding(c["vocab"], d)
        self.wpe = nn.Embedding(c["length"], d)
        self.blocks = nn.ModuleList([Block(d, c["heads"]) for _ in range(c["layers"])])
        self.lnf = nn.LayerNorm(d)
        self.head = nn.Linear(d, c["vocab"], bias=False)
        self.register_buffer("mask", torch.tril(torch.ones(c["length"], c["length"])))

    def forward(self, ids):
        T = ids.shape[1]
        x = self.wte(ids) + self.wpe(torch.arange(T))
        for b in self.blocks:
            x = b(x, self.mask)
        return self.head(self.lnf(x))


def main():
    c = CONFIG
    torch.manual_seed(c.get("seed", 1))
    if c.get("threads"):
        torch.set_num_threads(int(c["threads"]))
    blas = blas_info()
    model = GPT(c)
    params = list(model.parameters())
    opt = torch.optim.AdamW([{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.01},
                             {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}],
                            lr=3e-4, betas=(0.9, 0.99), eps=1e-8)
    B, T, V = c["batch"], c["length"], c["vocab"]

    def step():
        ids = torch.randint(0, V, (B, T))
        labels = torch.cumsum(ids, dim=1) % V
        loss = F.cross_entropy(model(ids).view(-1, V), labels.view(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        return loss.item()

    step()  # warm-up
    n = c.get("steps", 5)
    times = []
    loss = 0.0
    for _ in range(n):
        t0 = time.perf_counter()
        loss = step()
        times.append(time.perf_counter() - t0)
    mean = sum(times) / n
    best = min(times)
    print(json.dumps({
        "ok": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
        "interopThreads": torch.get_num_interop_threads(), "blas": blas, "steps": n,
        "stepsPerSecond": 1 / mean, "tokensPerSecond": B * T / mean,
        "bestStepsPerSecond": 1 / best, "bestTokensPerSecond": B * T / best, "loss": loss,
        "ompWaitPolicy": os.environ.get("OMP_WAIT_POLICY", "default"),
    }))


main()
