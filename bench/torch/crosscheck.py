"""PyTorch side of the one-step correctness cross-check
(tests/lua/torch_crosscheck_spec.lua).

    /usr/bin/python3 bench/torch/crosscheck.py trigram|lstm IN.h5 OUT.h5

IN.h5 is written by nnsh: the initial parameters in nnsh's layouts, the
mini-batch, and the hyper-parameters as root attributes.  This script loads
them into the PyTorch reference model of bench/torch (trigram.py,
recurrent.py), runs TWO SGD steps on that batch (the second exercises the
momentum), and writes to OUT.h5, in nnsh's layouts:
    loss1, loss2                 the loss before each update
    grad1/<name>, grad2/<name>   the gradients of each step
    param/<name>                 the parameters after both updates
The Lua spec compares them with nnsh's own.
"""
import sys

import h5py
import numpy as np
import torch

import trigram as trigram_ref
import recurrent as recurrent_ref


def read(path):
    with h5py.File(path, "r") as f:
        data = {k: f[k][()] for k in f.keys() if isinstance(f[k], h5py.Dataset)}
        attrs = {k: (v.item() if hasattr(v, "item") else v) for k, v in f.attrs.items()}
    return data, attrs


def t32(a):
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))


def two_steps(params, loss_fn, lr, momentum, to_nnsh):
    """params: {name: tensor} (torch layouts); to_nnsh(name, tensor) -> array."""
    sgd = torch.optim.SGD(list(params.values()), lr=lr, momentum=momentum)
    out = {}
    for step in (1, 2):
        sgd.zero_grad()
        loss = loss_fn()
        loss.backward()
        out[f"loss{step}"] = np.array([loss.item()], dtype=np.float64)
        for name, p in params.items():
            out[f"grad{step}/{name}"] = to_nnsh(name, p.grad)
        sgd.step()
    for name, p in params.items():
        out[f"param/{name}"] = to_nnsh(name, p.detach())
    return out


def trigram(data, attrs):
    R, W1, b1, W2, b2 = (data[k] for k in ("R", "W1", "b1", "W2", "b2"))
    V, D = R.shape
    P = W1.shape[1]
    m = trigram_ref.Trigram(V, D, P)
    with torch.no_grad():
        m.emb.weight.copy_(t32(R))
        m.fc1.weight.copy_(t32(W1).t())      # nnsh keeps W (in, out)
        m.fc1.bias.copy_(t32(b1))
        m.fc2.weight.copy_(t32(W2).t())
        m.fc2.bias.copy_(t32(b2))
    x = torch.from_numpy(data["x"].astype(np.int64) - 1)   # 1-based
    d = torch.from_numpy(data["d"].astype(np.int64) - 1)
    params = {"R": m.emb.weight, "W1": m.fc1.weight, "b1": m.fc1.bias,
              "W2": m.fc2.weight, "b2": m.fc2.bias}
    lossf = torch.nn.CrossEntropyLoss()

    def to_nnsh(name, t):
        a = t.detach().numpy()
        return a.T.copy() if name in ("W1", "W2") else a.copy()

    return two_steps(params, lambda: lossf(m(x), d), attrs["lr"], attrs["momentum"], to_nnsh)


def lstm(data, attrs):
    wx, wh, b = data["wx"], data["wh"], data["b"]     # (D,4H) (H,4H) (4H)
    D, G = wx.shape
    H = G // 4
    fcs = [(data[f"fc{i}_w"], data[f"fc{i}_b"]) for i in (1, 2, 3)]
    mlp = tuple(w.shape[1] for w, _ in fcs[:-1])
    m = recurrent_ref.Classifier("lstm", D=D, H=H, mlp=mlp, C=fcs[-1][0].shape[1])
    with torch.no_grad():
        m.rec.weight_ih_l0.copy_(t32(wx).t())         # gate order i,f,g,o in both
        m.rec.weight_hh_l0.copy_(t32(wh).t())
        m.rec.bias_ih_l0.copy_(t32(b))
        m.rec.bias_hh_l0.zero_()
        for fc, (w, bb) in zip(m.fcs, fcs):
            fc.weight.copy_(t32(w).t())
            fc.bias.copy_(t32(bb))
    m.rec.bias_hh_l0.requires_grad_(False)   # nnsh has one bias per gate: b_hh stays 0, b_ih is b
    x = t32(data["x"])
    y = torch.from_numpy(data["y"].astype(np.int64) - 1)
    params = {"wx": m.rec.weight_ih_l0, "wh": m.rec.weight_hh_l0, "b": m.rec.bias_ih_l0}
    for i, fc in enumerate(m.fcs, 1):
        params[f"fc{i}_w"], params[f"fc{i}_b"] = fc.weight, fc.bias
    lossf = torch.nn.CrossEntropyLoss()

    def to_nnsh(name, t):
        a = t.detach().numpy()
        return a.T.copy() if a.ndim == 2 else a.copy()

    return two_steps(params, lambda: lossf(m(x), y), attrs["lr"], attrs["momentum"], to_nnsh)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("trigram", "lstm"):
        sys.exit("usage: crosscheck.py trigram|lstm IN.h5 OUT.h5")
    torch.set_num_threads(1)
    data, attrs = read(sys.argv[2])
    out = {"trigram": trigram, "lstm": lstm}[sys.argv[1]](data, attrs)
    with h5py.File(sys.argv[3], "w") as f:
        for k, v in out.items():
            f.create_dataset(k, data=v)
        f.attrs["torch"] = str(torch.__version__)


if __name__ == "__main__":
    main()
