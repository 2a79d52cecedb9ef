#!/usr/bin/env python3
"""fast.ai's collaborative-filtering training (collab_learner + fit_one_cycle), in plain
PyTorch, as the reference the native engine is measured against (`npm run bench`).

Written from fastai 2.7's own source, step by step:
  * model: EmbeddingDotBias — u_weight, i_weight (n_factors), u_bias, i_bias (1), each
    an nn.Embedding initialised by fastai's trunc_normal_ (normal, fmod 2, * 0.01);
    pred = sigmoid_range(dot + u_bias + i_bias, *y_range);
  * loss: MSELossFlat (mean over the batch);
  * optimizer: fastai.optimizer.Adam with decouple_wd=True, i.e. for EVERY parameter
    tensor every step (dense embedding gradients: rows not in the batch get zeros):
      p *= 1 - lr*wd                                   (weight_decay)
      grad_avg = mom*grad_avg + (1-mom)*grad           (average_grad, dampening=True)
      sqr_avg  = sqr_mom*sqr_avg + (1-sqr_mom)*grad^2  (average_sqr_grad)
      step += 1                                        (step_stat)
      p -= lr/(1-mom^step) * grad_avg / (sqrt(sqr_avg/(1-sqr_mom^step)) + eps)   (adam_step)
    with sqr_mom 0.99, eps 1e-5, and mom the scheduled beta1 (debias1 uses the
    CURRENT mom, as fastai's debias() does);
  * schedule: fit_one_cycle(n_epoch, lr_max, div=25, div_final=1e5, pct_start=0.25,
    moms=(0.95, 0.85, 0.95)): combined_cos for lr and mom, evaluated at
    pct = train_iter / (n_epoch * n_iter) before each batch;
  * data: the training DataLoader reshuffles every epoch and drops the last partial
    batch (fastai's train dl: shuffle=True, drop_last=True); bs 64.
The train/valid split is NOT drawn here: it is read from the file `npm run train --
--export-split FILE` wrote, so both trainers see the same ratings (dense indices).

Usage: fastai_collab.py --split FILE [--epochs 5 --lr 5e-3 --wd 0.1 --bs 64 --factors 50
       --y-range 0 5.5 --seed 1 --threads 1] [--json]
Prints fastai's epoch table to stderr; with --json, one JSON object on stdout.
"""
import argparse
import json
import math
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--split", required=True, help="CSV written by `npm run train -- --export-split FILE`")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--lr", type=float, default=5e-3, help="lr_max of fit_one_cycle")
    p.add_argument("--wd", type=float, default=0.1)
    p.add_argument("--bs", type=int, default=64)
    p.add_argument("--factors", type=int, default=50)
    p.add_argument("--y-range", type=float, nargs=2, default=(0.0, 5.5))
    p.add_argument("--seed", type=int, default=1, help="torch seed (init and shuffles)")
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    p.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    return p.parse_args(argv)


def read_split(path):
    """The trainer's split file: '# cinemap split ...' comment lines, then user,movie,rating,valid."""
    import numpy as np
    meta = {}
    with open(path) as f:
        while True:
            pos = f.tell()
            line = f.readline()
            if not line.startswith("#"):
                f.seek(pos)
                break
            for part in line[1:].split():
                if "=" in part:
                    k, v = part.split("=", 1)
                    meta[k] = v
        header = f.readline().strip()
        if header != "user,movie,rating,valid":
            sys.exit(f"{path}: expected the header 'user,movie,rating,valid', got {header!r}; write the file with npm run train -- --export-split")
        a = np.loadtxt(f, delimiter=",", dtype=np.float64, ndmin=2)
    return meta, a


def sched_cos(start, end, pos):
    return start + (1 + math.cos(math.pi * (1 - pos))) * (end - start) / 2


def combined_cos(pct_start, a, b, c, pct):
    if pct < pct_start:
        return sched_cos(a, b, pct / pct_start)
    return sched_cos(b, c, (pct - pct_start) / (1 - pct_start))


def main(argv):
    args = parse_args(argv)
    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    meta, a = read_split(args.split)
    users, movies, ratings, valid = a[:, 0].astype(np.int64), a[:, 1].astype(np.int64), a[:, 2].astype(np.float32), a[:, 3] == 1
    n_users = int(meta.get("users", users.max() + 1))
    n_movies = int(meta.get("movies", movies.max() + 1))
    tu, tm, tr = (torch.from_numpy(x[~valid]) for x in (users, movies, ratings))
    vu, vm, vr = (torch.from_numpy(x[valid]) for x in (users, movies, ratings))
    lo, hi = args.y_range

    def trunc_normal(n, k):
        return torch.empty(n, k).normal_().fmod_(2).mul_(0.01)

    params = [trunc_normal(n_users, args.factors), trunc_normal(n_movies, args.factors), trunc_normal(n_users, 1), trunc_normal(n_movies, 1)]
    for p in params:
        p.requires_grad_(True)
    grad_avg = [torch.zeros_like(p) for p in params]
    sqr_avg = [torch.zeros_like(p) for p in params]
    u_w, i_w, u_b, i_b = params

    def predict(uu, mm):
        res = (u_w[uu] * i_w[mm]).sum(1) + u_b[uu].squeeze(1) + i_b[mm].squeeze(1)
        return torch.sigmoid(res) * (hi - lo) + lo

    n_iter = len(tr) // args.bs
    if n_iter == 0:
        sys.exit(f"{args.split}: {len(tr)} training ratings, fewer than one batch of {args.bs}")
    total = args.epochs * n_iter
    lr_max, step, it = args.lr, 0, 0
    gen = torch.Generator().manual_seed(args.seed)
    epochs = []
    t_train = 0.0
    print("epoch  train_loss  valid_loss  valid_rmse  time", file=sys.stderr)
    for epoch in range(args.epochs):
        t0 = time.perf_counter()
        order = torch.randperm(len(tr), generator=gen)
        loss_sum = 0.0
        for b in range(n_iter):
            pct = it / total
            lr = combined_cos(0.25, lr_max / 25, lr_max, lr_max / 1e5, pct)
            mom = combined_cos(0.25, 0.95, 0.85, 0.95, pct)
            it += 1
            idx = order[b * args.bs:(b + 1) * args.bs]
            loss = ((predict(tu[idx], tm[idx]) - tr[idx]) ** 2).mean()
            loss_sum += loss.item()
            for p in params:
                p.grad = None
            loss.backward()
            step += 1
            with torch.no_grad():
                d1, d2 = 1 - mom ** step, 1 - 0.99 ** step
                for p, ga, sa in zip(params, grad_avg, sqr_avg):
                    p.mul_(1 - lr * args.wd)
                    ga.mul_(mom).add_(p.grad, alpha=1 - mom)
                    sa.mul_(0.99).addcmul_(p.grad, p.grad, value=0.01)
                    p.addcdiv_(ga, (sa / d2).sqrt() + 1e-5, value=-lr / d1)
        seconds = time.perf_counter() - t0
        t_train += seconds
        with torch.no_grad():
            valid_mse = ((predict(vu, vm) - vr) ** 2).mean().item() if len(vr) else float("nan")
        row = {"epoch": epoch, "trainMse": loss_sum / n_iter, "validMse": valid_mse, "validRmse": math.sqrt(valid_mse), "seconds": seconds,
               "ratingsPerSecond": n_iter * args.bs / seconds}
        epochs.append(row)
        print(f"{epoch:<6d} {row['trainMse']:<11.6f} {valid_mse:<11.6f} {row['validRmse']:<11.6f} {seconds:.1f}s", file=sys.stderr)
    result = {"validRmse": epochs[-1]["validRmse"], "ratingsPerSecond": args.epochs * n_iter * args.bs / t_train, "epochs": epochs,
              "torch": torch.__version__, "threads": torch.get_num_threads(), "train": int(len(tr)), "valid": int(len(vr)),
              "users": n_users, "movies": n_movies, "seed": args.seed}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"valid RMSE {result['validRmse']:.4f}, {result['ratingsPerSecond']:.0f} ratings/s")


if __name__ == "__main__":
    main(sys.argv[1:])
