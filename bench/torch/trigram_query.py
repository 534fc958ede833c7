"""Top-10 next-word query with the trigram model in PyTorch: the reference
for `nnsh scripts/q2_topk.lua "w1 w2 w3"` (end to end: import torch, load
the vocabulary and the weights, one query) and, with --inprocess N, for
bench/q2_query.lua (N timed queries in one process).

Weights come from the nnsh checkpoint (models/q2_D32_P256.h5), matched by
shape: R (250,D), W1 (3D,P) and W2 (P,250) stored input-major as nnsh's
Linear keeps them, biases (P) and (250).  Without a checkpoint the model is
initialised N(0, 0.01^2): the latency is the same, the words are not.
"""
import argparse
import os
import sys
import time

import common


def load_weights(path, V=250):
    import h5py
    import numpy as np
    found = []

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and obj.dtype.kind == "f":
            found.append((name, np.asarray(obj[()], dtype=np.float32)))

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    two = [a for _, a in found if a.ndim == 2]
    one = [a for _, a in found if a.ndim == 1]
    R = next(a for a in two if a.shape[0] == V and a.shape[1] * 3 != V)
    D = R.shape[1]
    W1 = next(a for a in two if a.shape[0] == 3 * D)
    P = W1.shape[1]
    W2 = next(a for a in two if a.shape == (P, V))
    b1 = next(a for a in one if a.shape == (P,))
    b2 = next(a for a in one if a.shape == (V,) and a is not b1)
    return R, W1, b1, W2, b2


def main():
    import torch
    p = argparse.ArgumentParser()
    p.add_argument("text", nargs="?", default="what does new")
    p.add_argument("--model", default=os.path.join(common.ROOT, "models", "q2_D32_P256.h5"))
    p.add_argument("--inprocess", type=int, default=0, help="time N queries and print a BENCH line")
    opt = p.parse_args()
    torch.set_num_threads(1)
    (words,) = common.h5read("data2.h5", "words")
    words = [w.decode() for w in words]
    ids = {w: i for i, w in enumerate(words)}
    source = "checkpoint"
    if os.path.exists(opt.model):
        R, W1, b1, W2, b2 = (torch.from_numpy(a) for a in load_weights(opt.model))
        W1, W2 = W1.t().contiguous(), W2.t().contiguous()   # torch Linear keeps (out, in)
    else:
        source = "random N(0,0.01^2)"
        torch.manual_seed(1)
        R, W1, b1 = torch.randn(250, 32) * 0.01, torch.randn(256, 96) * 0.01, torch.randn(256) * 0.01
        W2, b2 = torch.randn(250, 256) * 0.01, torch.randn(250) * 0.01
    D = R.shape[1]

    def topk(text, k=10):
        toks = text.lower().split()
        if len(toks) != 3:
            sys.exit("need three words")
        x = torch.tensor([[ids[t] for t in toks]])
        with torch.no_grad():
            h = torch.sigmoid(torch.nn.functional.linear(R[x].view(-1, 3 * D), W1, b1))
            prob = torch.softmax(torch.nn.functional.linear(h, W2, b2), dim=1)
            v, ix = prob.topk(k)
        return [(words[i], p) for i, p in zip(ix[0].tolist(), v[0].tolist())]

    ranked = topk(opt.text)
    for i, (w, pr) in enumerate(ranked, 1):
        print(f"{i:3d}  {w:<10s} {pr:.4f}")
    if opt.inprocess > 0:
        t0 = time.perf_counter()
        for _ in range(opt.inprocess):
            topk(opt.text)
        per = (time.perf_counter() - t0) / opt.inprocess
        common.report({"workload": "trigram_query", "impl": "torch", "query": opt.text, "k": 10,
                       "queries": opt.inprocess, "us_per_query": per * 1e6, "weights": source,
                       "top1": ranked[0][0], "top1_p": ranked[0][1]})


if __name__ == "__main__":
    main()
