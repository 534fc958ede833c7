"""Q1 sparse tied-weight autoencoder in PyTorch, the reference for
bench/q1_autoencoder.lua.

Data: data1.h5 `data` (10240,3,16,16) preprocessed as EXPERIMENTS.md Q1 a
(luminosity gray, per-patch mean removed, clipped to +-3 sigma, mapped to
[0.1,0.9]) -> (10240,256).  Network: Lin = 256, Lhid = 64, sigmoid hidden
and output, W (Lhid x Lin) with W2 = W^T, biases b1, b2.  W uniform in
+-sqrt(6/(Lin+Lhid)), biases 0.  The cost is written out by hand (what a
PyTorch user does) and differentiated by autograd:
    J = 1/(2N) sum ||x - o||^2 + lambda sum W^2 + beta sum_b KL(rho || rhohat_b)
lambda 5e-4, beta 0.5, rho 0.1; SGD lr 0.05, momentum 0.9, mini-batch 32; an
epoch is the 10240 patches in a fresh random order.
"""
import common


def preprocess(rgb):
    import torch
    gray = 0.2126 * rgb[:, 0] + 0.7152 * rgb[:, 1] + 0.0722 * rgb[:, 2]
    gray = gray.reshape(gray.shape[0], -1)
    gray = gray - gray.mean(1, keepdim=True)
    s = 3 * gray.std(unbiased=False)
    gray = torch.clamp(gray, -s, s)
    return 0.1 + 0.8 * (gray + s) / (2 * s)


def ae_cost(W, b1, b2, x, lam, beta, rho):
    import torch
    N = x.shape[0]
    h = torch.sigmoid(x @ W.t() + b1)
    o = torch.sigmoid(h @ W + b2)
    mse = ((x - o) ** 2).sum() / (2 * N)
    tyk = lam * (W ** 2).sum()                     # lambda/2 (|W1|^2 + |W2|^2), tied
    rh = h.mean(0)
    kl = beta * (rho * torch.log(rho / rh) + (1 - rho) * torch.log((1 - rho) / (1 - rh))).sum()
    return mse + tyk + kl


def main():
    import torch
    opt = common.options("autoencoder", [(("--lhid",), dict(type=int, default=64))])
    (rgb,) = common.h5read("data1.h5", "data")
    x = preprocess(torch.from_numpy(rgb)).contiguous()
    N, Lin, B = x.shape[0], x.shape[1], 32
    Lhid = opt.lhid
    w0 = (6.0 / (Lin + Lhid)) ** 0.5
    W = torch.empty(Lhid, Lin).uniform_(-w0, w0).requires_grad_()
    b1 = torch.zeros(Lhid, requires_grad=True)
    b2 = torch.zeros(Lin, requires_grad=True)
    sgd = torch.optim.SGD([W, b1, b2], lr=0.05, momentum=0.9)
    order = {}

    def epoch():
        order["perm"] = torch.randperm(N)

    def step(first, n):
        xb = x.index_select(0, order["perm"][first:first + n])
        sgd.zero_grad(set_to_none=False)
        J = ae_cost(W, b1, b2, xb, 5e-4, 0.5, 0.1)
        J.backward()
        sgd.step()
        return J.detach()

    common.run("autoencoder", N, B, step, opt, epoch=epoch, extra={"lhid": Lhid})


if __name__ == "__main__":
    main()
