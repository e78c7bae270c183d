"""PyTorch-CPU peer for bench/train.ts: the same GPT-style training step, timed.

Usage: python3 bench/torch_peer.py '{"layers":2,"width":64,"heads":4,"length":64,"batch":32,"vocab":8,"steps":5}'
Prints one JSON object: {"ok": true, "torch": version, "threads": n, "stepsPerSecond", "tokensPerSecond"
(mean over steps), "bestStepsPerSecond", "bestTokensPerSecond" (fastest step), "loss"}
or {"ok": false, "reason": "..."} when torch is missing (the benchmark then skips the peer).
Model (as bench/gpt_step.ts): token + learned position embeddings, L pre-LayerNorm blocks
(causal attention with explicit masked softmax, GELU-tanh MLP x4), final LayerNorm, linear head,
cross-entropy on every position, Adam(3e-4), fresh random batch each step.
"""
import json
import math
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as e:  # noqa: BLE001 - any import failure means "no peer"
    print(json.dumps({"ok": False, "reason": f"import torch failed: {e}"}))
    sys.exit(0)


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
    c = json.loads(sys.argv[1])
    torch.manual_seed(c.get("seed", 1))
    if c.get("threads"):
        torch.set_num_threads(int(c["threads"]))
    model = GPT(c)
    opt = torch.optim.Adam(model.parameters(), lr=3e-4)
    B, T, V = c["batch"], c["length"], c["vocab"]

    def step():
        ids = torch.randint(0, V, (B, T))
        labels = torch.cumsum(ids, dim=1) % V
        loss = F.cross_entropy(model(ids).view(-1, V), labels.view(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
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
        "ok": True, "torch": torch.__version__, "threads": torch.get_num_threads(), "steps": n,
        "stepsPerSecond": 1 / mean, "tokensPerSecond": B * T / mean,
        "bestStepsPerSecond": 1 / best, "bestTokensPerSecond": B * T / best, "loss": loss,
    }))


main()
