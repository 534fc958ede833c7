"""Q2 trigram model in PyTorch, the reference for bench/q2_trigram.lua.

One embedding R (250 x D) shared by the three context positions, the three
rows concatenated (3D), P sigmoid units, a 250-way softmax, mean
cross-entropy; every weight and bias N(0, 0.01^2); SGD lr 0.15, momentum
0.85, mini-batch 200; an epoch is the 372,550 training contexts in a fresh
random order (gathering a batch by index is part of the timed work).
"""
import common


class Trigram:
    def __init__(self, V=250, D=32, P=256, std=0.01):
        import torch
        self.emb = torch.nn.Embedding(V, D)
        self.fc1 = torch.nn.Linear(3 * D, P)
        self.fc2 = torch.nn.Linear(P, V)
        self.D = D
        with torch.no_grad():
            for p in self.parameters():
                p.normal_(0.0, std)

    def parameters(self):
        return [self.emb.weight, self.fc1.weight, self.fc1.bias,
                self.fc2.weight, self.fc2.bias]

    def __call__(self, x):
        import torch
        e = self.emb(x).view(-1, 3 * self.D)
        return self.fc2(torch.sigmoid(self.fc1(e)))


def main():
    import torch
    opt = common.options("trigram", [(("--dims",), dict(default="32x256", help="DxP"))])
    D, P = (int(v) for v in opt.dims.split("x"))
    x, d = common.h5read("data2.h5", "trainx", "traind")
    x = torch.from_numpy(x.astype("int64") - 1)   # 1-based in the file
    d = torch.from_numpy(d.astype("int64") - 1)
    N, B = x.shape[0], 200
    model = Trigram(250, D, P)
    sgd = torch.optim.SGD(model.parameters(), lr=0.15, momentum=0.85)
    lossf = torch.nn.CrossEntropyLoss()
    order = {}

    def epoch():
        order["perm"] = torch.randperm(N)

    def step(first, n):
        idx = order["perm"][first:first + n]
        xb, db = x.index_select(0, idx), d.index_select(0, idx)
        sgd.zero_grad(set_to_none=False)
        loss = lossf(model(xb), db)
        loss.backward()
        sgd.step()
        return loss.detach()

    common.run("trigram", N, B, step, opt, epoch=epoch, extra={"D": D, "P": P})


if __name__ == "__main__":
    main()
