"""PyTorch peer for bench/steps.ts: steps to a target held-out accuracy, on OUR data.

Usage: /usr/bin/python3 bench/steps_torch.py CONFIG_JSON
CONFIG_JSON: {"model": "lstm"|"gru"|"rnn"|"transformer", "vocab", "classes", "width", "layers",
  "heads", "mlpRatio", "contextLength", "length", "batch", "seed", "lr", "warmup", "steps",
  "minLrRatio", "beta1", "beta2", "eps", "weightDecay", "clip", "evalEvery", "target",
  "evalCount", "data": path, "init": path or null, "threads": n}
Prints one JSON object: {"ok": true, "reached": step or null, "evals": [[step, acc, loss]],
  "losses": [train loss per step], "seconds", "torch", "blas", "threads"} or {"ok": false, "reason"}.

The data file (written by bench/steps.ts from src/learning/data.ts, so both sides train on the
same batches) is little-endian int32: letters then labels of every training step (steps, B, T),
then letters then labels of the held-out set (evalCount, T). With "init", the weights start from
ours (float32, our parameter order and layout; see load_ours) instead of PyTorch's own init.

Models are what a PyTorch user writes, with our optimizer and schedule:
- RNNs: nn.Embedding(V, d) -> nn.LSTM / nn.GRU / nn.RNN(d, d, layers, batch_first) -> nn.Linear(d, C),
  all with PyTorch's default init.
- Transformer: nanoGPT's layout and init (N(0, 0.02), residual projections 0.02/sqrt(2L), zero
  biases), learned positions, pre-LN, GELU-tanh, final LN, linear head with bias: our
  src/learning/models/transformer.ts.
- AdamW with decoupled decay on tensors of rank >= 2 only (our optim.ts), betas/eps/decay as
  given, global-norm clip (clip_grad_norm_: the same max/(norm+1e-6) scale as ours), linear
  warmup then cosine to minLrRatio*lr (our learningRate), mean cross-entropy over scored positions.
"""
import json
import math
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as e:  # noqa: BLE001 - any import failure means "no peer"
    print(json.dumps({"ok": False, "reason": f"import torch failed: {e}"}))
    sys.exit(0)


class Rnn(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["width"]
        cell = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[c["model"]]
        self.embed = nn.Embedding(c["vocab"], d)
        self.rnn = cell(d, d, num_layers=c["layers"], batch_first=True)
        self.head = nn.Linear(d, c["classes"])

    def forward(self, ids):  # (B, T) -> (B, T, C)
        h, _ = self.rnn(self.embed(ids))
        return self.head(h)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["width"]
        self.heads = c["heads"]
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)

    def forward(self, x):
        B, T, d = x.shape
        H = self.heads
        q, k, v = self.c_attn(x).split(d, dim=2)
        q, k, v = (t.view(B, T, H, d // H).transpose(1, 2) for t in (q, k, v))  # (B, H, T, hs)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d // H))  # (B, H, T, T)
        mask = torch.ones(T, T, dtype=torch.bool).tril()
        att = F.softmax(att.masked_fill(~mask, float("-inf")), dim=-1)
        return self.c_proj((att @ v).transpose(1, 2).reshape(B, T, d))


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["width"]
        h = round(c["mlpRatio"] * d)
        self.c_fc = nn.Linear(d, h)
        self.c_proj = nn.Linear(h, d)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1 = nn.LayerNorm(c["width"])
        self.attn = Attention(c)
        self.ln_2 = nn.LayerNorm(c["width"])
        self.mlp = Mlp(c)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["width"]
        self.wte = nn.Embedding(c["vocab"], d)
        self.wpe = nn.Embedding(c["contextLength"], d)
        self.h = nn.ModuleList([Block(c) for _ in range(c["layers"])])
        self.ln_f = nn.LayerNorm(d)
        self.head = nn.Linear(d, c["classes"])
        # nanoGPT's init (ours): N(0, 0.02) weights, zero biases, residual projections 0.02/sqrt(2L).
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif "ln_" in name:
                nn.init.ones_(p)
            else:
                std = 0.02 / math.sqrt(2 * c["layers"]) if name.endswith("c_proj.weight") else 0.02
                nn.init.normal_(p, 0.0, std)

    def forward(self, ids):
        T = ids.shape[1]
        x = self.wte(ids) + self.wpe(torch.arange(T))
        for b in self.h:
            x = b(x)
        return self.head(self.ln_f(x))


def ours_to_torch(model, c):
    """Our parameter name -> (torch parameter, transpose?). Ours store dense weights (in, out)."""
    sd = dict(model.named_parameters())
    out = {}
    if c["model"] == "transformer":
        for name in sd:
            ours = name[: -len(".weight")] if name in ("wte.weight", "wpe.weight") else name
            out[ours] = (sd[name], sd[name].dim() == 2 and name not in ("wte.weight", "wpe.weight"))
    else:
        out["embed.weight"] = (sd["embed.weight"], False)
        for l in range(c["layers"]):
            for part in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                out[f"rnn.{l}.{part}"] = (sd[f"rnn.{part}_l{l}"], part.startswith("weight"))
        out["head.weight"] = (sd["head.weight"], True)
        out["head.bias"] = (sd["head.bias"], False)
    return out


def load_ours(model, c, path):
    flat = np.fromfile(path, dtype="<f4")
    o = 0
    mapping = ours_to_torch(model, c)
    with torch.no_grad():
        for name, shape in c["initShapes"]:
            n = int(np.prod(shape))
            w = torch.from_numpy(flat[o : o + n].copy()).view(*shape)
            p, t = mapping[name]
            p.copy_(w.t() if t else w)
            o += n
    if o != flat.size:
        raise ValueError(f"init file has {flat.size} values, the shapes account for {o}")


def learning_rate(c, s):  # our optim.ts learningRate
    if s < c["warmup"]:
        return c["lr"] * (s + 1) / c["warmup"]
    span = max(1, c["steps"] - c["warmup"])
    progress = min(1.0, (s - c["warmup"]) / span)
    floor = c["minLrRatio"] * c["lr"]
    return floor + 0.5 * (c["lr"] - floor) * (1 + math.cos(math.pi * progress))


def blas():
    cfg = torch.__config__.show()
    try:
        maps = open("/proc/self/maps").read()
        for lib in ("openblas", "mkl", "blis", "libblas.so"):
            if lib in maps:
                return lib
    except OSError:
        pass
    return "BLAS_INFO=" + (cfg.split("BLAS_INFO=")[1].split(",")[0] if "BLAS_INFO=" in cfg else "?")


def main():
    c = json.loads(sys.argv[1])
    torch.manual_seed(c["seed"])
    torch.set_num_threads(int(c.get("threads", 1)))
    S, B, T, E = c["steps"], c["batch"], c["length"], c["evalCount"]
    raw = np.fromfile(c["data"], dtype="<i4")
    if raw.size != 2 * S * B * T + 2 * E * T:
        raise ValueError(f"data file has {raw.size} int32, expected {2 * S * B * T + 2 * E * T}")
    train_x = torch.from_numpy(raw[: S * B * T].reshape(S, B, T).astype(np.int64))
    train_y = torch.from_numpy(raw[S * B * T : 2 * S * B * T].reshape(S, B, T).astype(np.int64))
    o = 2 * S * B * T
    eval_x = torch.from_numpy(raw[o : o + E * T].reshape(E, T).astype(np.int64))
    eval_y = torch.from_numpy(raw[o + E * T :].reshape(E, T).astype(np.int64))

    model = Gpt(c) if c["model"] == "transformer" else Rnn(c)
    if c.get("init"):
        load_ours(model, c, c["init"])
    params = list(model.parameters())
    decay = [p for p in params if p.dim() >= 2]
    rest = [p for p in params if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": c["weightDecay"]}, {"params": rest, "weight_decay": 0.0}],
        lr=c["lr"], betas=(c["beta1"], c["beta2"]), eps=c["eps"],
    )
    C = c["classes"]

    def evaluate():
        with torch.no_grad():
            correct, total, nll = 0, 0, 0.0
            for i in range(0, E, 256):
                logits = model(eval_x[i : i + 256]).reshape(-1, C)
                y = eval_y[i : i + 256].reshape(-1)
                keep = y >= 0
                correct += (logits.argmax(-1)[keep] == y[keep]).sum().item()
                total += keep.sum().item()
                nll += F.cross_entropy(logits, y, ignore_index=-1, reduction="sum").item()
            return correct / total, nll / total

    losses, evals, reached = [], [], None
    t0 = time.perf_counter()
    for s in range(S):
        for g in opt.param_groups:
            g["lr"] = learning_rate(c, s)
        logits = model(train_x[s]).reshape(-1, C)
        loss = F.cross_entropy(logits, train_y[s].reshape(-1), ignore_index=-1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if c["clip"] > 0:
            torch.nn.utils.clip_grad_norm_(params, c["clip"])
        opt.step()
        losses.append(round(loss.item(), 6))
        step = s + 1
        if step % c["evalEvery"] == 0 or step == S:
            acc, el = evaluate()
            evals.append([step, round(acc, 6), round(el, 6)])
            if acc >= c["target"]:
                reached = step
                break
    print(json.dumps({
        "ok": True, "reached": reached, "evals": evals, "losses": losses,
        "seconds": round(time.perf_counter() - t0, 3), "torch": torch.__version__, "blas": blas(),
        "threads": torch.get_num_threads(),
    }))


main()
