"""Q3 recurrent classifier in PyTorch, the reference for bench/q3_<cell>.lua.

A recurrent layer of 128 units (tanh RNN, LSTM or GRU) reads 150 steps of 3
features; its last hidden state feeds Linear(128,64)-ReLU-Linear(64,32)-ReLU-
Linear(32,6), mean softmax cross-entropy.  Xavier uniform weights
(+-sqrt(6/(fan_in+fan_out)) per gate block), biases 0.  SGD lr 0.1, momentum
0.85, mini-batch 32, full BPTT over the 150 steps.  An epoch is the 2700
training sequences (the first 90% of trX; 10% is held out for validation and
not part of the timed epoch) in a fresh random order.

torch's GRU computes h = (1-z)*n + z*h_prev, nnsh's h = (1-z)*h_prev + z*n:
the same model with z relabelled, and the same work.
"""
import common

GATES = {"rnn": 1, "lstm": 4, "gru": 3}


class Classifier:
    def __init__(self, cell, D=3, H=128, mlp=(64, 32), C=6):
        import torch
        cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
        self.rec = cls(D, H, batch_first=True)
        sizes = (H,) + tuple(mlp) + (C,)
        self.fcs = [torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
        with torch.no_grad():
            for name, p in self.rec.named_parameters():
                if name.startswith("weight"):
                    for blk in p.split(H, 0):   # one Xavier range per gate block
                        common.xavier_(blk)
                else:
                    p.zero_()
            for fc in self.fcs:
                common.xavier_(fc.weight)
                fc.bias.zero_()

    def parameters(self):
        ps = list(self.rec.parameters())
        for fc in self.fcs:
            ps += [fc.weight, fc.bias]
        return ps

    def __call__(self, x):
        import torch
        out, _ = self.rec(x)
        h = out[:, -1, :]
        for fc in self.fcs[:-1]:
            h = torch.relu(fc(h))
        return self.fcs[-1](h)


def main():
    import torch
    opt = common.options("recurrent", [(("--cell",), dict(default="lstm", choices=sorted(GATES)))])
    X, Y = common.h5read("data3.h5", "trX", "trY")
    X = torch.from_numpy(X)
    y = torch.from_numpy(Y.argmax(1)).long()
    N, B = int(X.shape[0] * 0.9), 32          # 2700 training sequences
    X, y = X[:N].contiguous(), y[:N].contiguous()
    model = Classifier(opt.cell)
    sgd = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.85)
    lossf = torch.nn.CrossEntropyLoss()
    order = {}

    def epoch():
        order["perm"] = torch.randperm(N)

    def step(first, n):
        idx = order["perm"][first:first + n]
        xb, yb = X.index_select(0, idx), y.index_select(0, idx)
        sgd.zero_grad(set_to_none=False)
        loss = lossf(model(xb), yb)
        loss.backward()
        sgd.step()
        return loss.detach()

    common.run(opt.cell, N, B, step, opt, epoch=epoch, extra={"hidden": 128, "steps": X.shape[1]})


if __name__ == "__main__":
    main()
