"""Q5 three-layer ConvNet in PyTorch, the reference for bench/q5_convnet.lua.

Fashion-MNIST training images (60000, 1, 28, 28) scaled to [0,1], read from
Debian's dataset-fashion-mnist IDX files.  The default net of
scripts/q5_convnet.lua: conv 32 filters 7x7 pad 3 - ReLU - 2x2 max pool -
affine 100 - ReLU - affine 10, softmax cross-entropy (mean), Adam lr 1e-3,
mini-batch 64 (--norm batch adds a BatchNorm2d(32) after the convolution).  Conv
weights and biases PyTorch's default (uniform +-1/sqrt(fan_in), as
nn.Conv2d in nnsh), Linear weights Xavier uniform with zero biases (nnsh's
nn.Linear).  An epoch is the 60000 images in a fresh random order.  PyTorch
skips the convolution's input gradient by itself (the images do not
require grad), as nnsh does.
"""
import gzip
import os

import common

FMNIST = os.environ.get("NNSH_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")


def idx(name):
    import numpy as np
    path = os.path.join(FMNIST, name)
    opener = gzip.open if os.path.exists(path + ".gz") else open
    with opener(path + ".gz" if opener is gzip.open else path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    import torch
    opt = common.options("convnet", [(("--norm",), dict(default="none", choices=["none", "batch"]))])
    x = torch.from_numpy(idx("train-images-idx3-ubyte").astype("float32") / 255.0).view(-1, 1, 28, 28)
    y = torch.from_numpy(idx("train-labels-idx1-ubyte").astype("int64"))
    N, B = x.shape[0], 64
    layers = [torch.nn.Conv2d(1, 32, 7, padding=3)]
    if opt.norm == "batch":
        layers.append(torch.nn.BatchNorm2d(32))
    fc1, fc2 = torch.nn.Linear(32 * 14 * 14, 100), torch.nn.Linear(100, 10)
    with torch.no_grad():
        for fc in (fc1, fc2):
            common.xavier_(fc.weight)
            fc.bias.zero_()
    layers += [torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(), fc1, torch.nn.ReLU(), fc2]
    model = torch.nn.Sequential(*layers)
    adam = torch.optim.Adam(model.parameters(), lr=1e-3)
    lossf = torch.nn.CrossEntropyLoss()
    order = {}

    def epoch():
        order["perm"] = torch.randperm(N)

    def step(first, n):
        idx_ = order["perm"][first:first + n]
        xb, yb = x.index_select(0, idx_), y.index_select(0, idx_)
        adam.zero_grad(set_to_none=False)
        loss = lossf(model(xb), yb)
        loss.backward()
        adam.step()
        return loss.detach()

    common.run("convnet", N, B, step, opt, epoch=epoch, extra={"norm": opt.norm})


if __name__ == "__main__":
    main()
