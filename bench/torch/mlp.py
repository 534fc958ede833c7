"""Q4 MLP in PyTorch, the reference for bench/q4_mlp.lua.

data4.h5 trainims (1900,32,32) flattened to 1024 and scaled to [0,1],
labels mapped to +-1.  Linear(1024,19)-tanh-Linear(19,1)-tanh, mean squared
error (torch's MSELoss: mean over the batch), plain SGD lr 0.02, mini-batch 32;
Xavier uniform weights, biases 0.  An epoch is the 1900 images in a fresh
random order.
"""
import common


def main():
    import torch
    opt = common.options("mlp", [(("--hidden",), dict(type=int, default=19))])
    ims, lbls = common.h5read("data4.h5", "trainims", "trainlbls")
    x = torch.from_numpy(ims.reshape(ims.shape[0], -1).astype("float32") / 255.0)
    y = torch.from_numpy(lbls.astype("float32") * 2 - 1).view(-1, 1)
    N, B = x.shape[0], 32
    fc1, fc2 = torch.nn.Linear(1024, opt.hidden), torch.nn.Linear(opt.hidden, 1)
    with torch.no_grad():
        for fc in (fc1, fc2):
            common.xavier_(fc.weight)
            fc.bias.zero_()
    params = [fc1.weight, fc1.bias, fc2.weight, fc2.bias]
    sgd = torch.optim.SGD(params, lr=0.02)
    lossf = torch.nn.MSELoss()
    order = {}

    def epoch():
        order["perm"] = torch.randperm(N)

    def step(first, n):
        idx = order["perm"][first:first + n]
        xb, yb = x.index_select(0, idx), y.index_select(0, idx)
        sgd.zero_grad(set_to_none=False)
        loss = lossf(torch.tanh(fc2(torch.tanh(fc1(xb)))), yb)
        loss.backward()
        sgd.step()
        return loss.detach()

    common.run("mlp", N, B, step, opt, epoch=epoch, extra={"hidden": opt.hidden})


if __name__ == "__main__":
    main()
