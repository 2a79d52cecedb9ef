#!/usr/bin/env python3
"""Which shortcuts of a sparse, per-row optimizer keep fast.ai's accuracy? Batch-level
emulations (PyTorch, batches of 64 as fast.ai) of the updates an embedding-table
trainer can afford, on the split `npm run train -- --export-split FILE` wrote:

  dense      fast.ai's Adam exactly (as fastai_collab.py): every row, every batch
  elem-once  per-element second moment, decayed lazily by beta2^(batches since the
             row's last touch); the first moment is not kept: a touch moves the row
             at once by lr * g / (sqrt(v) + eps) (dense Adam spreads about that much
             over the following batches through its momentum)
  row-once   the same with ONE second moment per row (mean of the squared row
             gradient) and one per bias: cinemap's native engine at batch level
  elem-mom   per-element second moment and a real first moment decayed lazily by
             mom^gap, applied only when the row is touched (no momentum carry-over
             for untouched rows: what "sparse Adam" does)
Weight decay is fast.ai's decoupled (1 - lr*wd) per batch on every row in all of them
(lazily, exactly). Prints the valid RMSE after each epoch.
Usage: optimizer_variants.py VARIANT --split FILE [--seed N]
"""
import argparse
import math
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from fastai_collab import combined_cos, read_split  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("variant", choices=["dense", "elem-once", "row-once", "elem-mom"])
    ap.add_argument("--split", required=True)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.variant == "dense":
        import fastai_collab
        fastai_collab.main(["--split", a.split, "--seed", str(a.seed)])
        return
    import numpy as np
    import torch
    torch.manual_seed(a.seed)
    meta, d = read_split(a.split)
    u, m, r, valid = d[:, 0].astype(np.int64), d[:, 1].astype(np.int64), d[:, 2].astype(np.float32), d[:, 3] == 1
    nU, nM, K, BS, EPOCHS, LR, WD, B2, EPS, lo, hi = int(meta["users"]), int(meta["movies"]), 50, 64, 5, 5e-3, 0.1, 0.99, 1e-5, 0.0, 5.5
    tu, tm, tr = (torch.from_numpy(x[~valid]) for x in (u, m, r))
    vu, vm, vr = (torch.from_numpy(x[valid]) for x in (u, m, r))

    def tn(n, k):
        return torch.empty(n, k).normal_().fmod_(2).mul_(0.01)

    T = {"U": torch.cat([tn(nU, K), tn(nU, 1)], 1), "M": torch.cat([tn(nM, K), tn(nM, 1)], 1)}
    rowwise = a.variant == "row-once"
    V = {k: torch.zeros(t.shape[0], 2 if rowwise else K + 1) for k, t in T.items()}
    Mo = {k: torch.zeros_like(t) for k, t in T.items()}
    last = {k: torch.zeros(t.shape[0], dtype=torch.long) for k, t in T.items()}
    logd = {k: torch.zeros(t.shape[0], dtype=torch.float64) for k, t in T.items()}

    def predict(uu, mm):
        x, y = T["U"][uu], T["M"][mm]
        return torch.sigmoid((x[:, :K] * y[:, :K]).sum(1) + x[:, K] + y[:, K]) * (hi - lo) + lo

    nb = len(tr) // BS
    total, it, logdec = EPOCHS * nb, 0, 0.0
    gen = torch.Generator().manual_seed(a.seed)
    for ep in range(EPOCHS):
        order = torch.randperm(len(tr), generator=gen)
        for b in range(nb):
            idx = order[b * BS:(b + 1) * BS]
            pct = it / total
            lr, mom = combined_cos(0.25, LR / 25, LR, LR / 1e5, pct), combined_cos(0.25, 0.95, 0.85, 0.95, pct)
            it += 1
            logdec += math.log(1 - lr * WD)
            uu, mm, rr = tu[idx], tm[idx], tr[idx]
            for key, ids in (("U", uu), ("M", mm)):
                un = torch.unique(ids)
                T[key][un] *= torch.exp(torch.tensor(logdec) - logd[key][un]).float()[:, None]
                logd[key][un] = logdec
            x, y = T["U"][uu], T["M"][mm]
            s = torch.sigmoid((x[:, :K] * y[:, :K]).sum(1) + x[:, K] + y[:, K])
            e = s * (hi - lo) + lo - rr
            g = 2 * e * (hi - lo) * s * (1 - s) / BS
            grads = {"U": torch.cat([g[:, None] * y[:, :K], g[:, None]], 1), "M": torch.cat([g[:, None] * x[:, :K], g[:, None]], 1)}
            d1, d2 = 1 - mom ** it, 1 - B2 ** it
            for key, ids in (("U", uu), ("M", mm)):
                un, inv = torch.unique(ids, return_inverse=True)
                G = torch.zeros(len(un), K + 1).index_add_(0, inv, grads[key])
                gap = (it - last[key][un]).float()
                last[key][un] = it
                if rowwise:
                    v = V[key][un] * (B2 ** gap)[:, None] + (1 - B2) * torch.stack([(G[:, :K] ** 2).mean(1), G[:, K] ** 2], 1)
                    den = torch.cat([(v[:, 0:1] / d2).sqrt().expand(-1, K), (v[:, 1:2] / d2).sqrt()], 1) + EPS
                else:
                    v = V[key][un] * (B2 ** gap)[:, None] + (1 - B2) * G * G
                    den = (v / d2).sqrt() + EPS
                V[key][un] = v
                if a.variant == "elem-mom":
                    mo = Mo[key][un] * (mom ** gap)[:, None] + (1 - mom) * G
                    Mo[key][un] = mo
                    T[key][un] -= lr / d1 * mo / den
                else:
                    T[key][un] -= lr * G / den
        for key in T:  # catch every row up on the decay before scoring
            T[key] *= torch.exp(torch.tensor(logdec) - logd[key]).float()[:, None]
            logd[key][:] = logdec
        rmse = math.sqrt(((predict(vu, vm) - vr) ** 2).mean().item())
        print(f"{ep} valid_rmse {rmse:.4f}", flush=True)
    print(f"valid RMSE {rmse:.4f}")


if __name__ == "__main__":
    main()
