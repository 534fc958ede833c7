"""Shared pieces of the PyTorch reference workloads (bench/torch/*.py).

Each workload script builds the same model as its nnsh counterpart (same
shapes, batch, optimizer, init scheme), reads the same data/*.h5 with h5py,
and prints as its last line the BENCH result of bench/README.md:

    BENCH {"workload":"trigram","impl":"torch","sec_per_epoch":2.8,...}

Run with Debian's interpreter (/usr/bin/python3), which is the one that has
python3-torch and python3-h5py.
"""
import argparse
import json
import os
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "data")


_opts = None  # the parsed options, for the BENCH line


def options(workload, extra=None):
    p = argparse.ArgumentParser(
        description=f"PyTorch reference workload '{workload}' (prints a BENCH line)")
    p.add_argument("--threads", type=int, default=1,
                   help="torch.set_num_threads (also set OPENBLAS_NUM_THREADS/OMP_NUM_THREADS in the environment)")
    p.add_argument("--batches", type=int, default=0,
                   help="time only the first K mini-batches and scale to an epoch (0 = whole epoch)")
    p.add_argument("--warmup", type=int, default=3, help="untimed mini-batches before timing")
    p.add_argument("--epochs", type=int, default=1,
                   help="time this many whole epochs and report the mean (for epochs too short to time alone)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--flush-denormal", action="store_true",
                   help="torch.set_flush_denormal(True): subnormals flushed to zero, as nnsh does by default")
    for args, kw in (extra or []):
        p.add_argument(*args, **kw)
    opt = p.parse_args()
    global _opts
    _opts = opt
    import torch
    torch.set_num_threads(opt.threads)
    if opt.flush_denormal and not torch.set_flush_denormal(True):
        raise SystemExit("torch.set_flush_denormal(True) is not supported on this CPU")
    torch.manual_seed(opt.seed)
    return opt


def h5read(path, *names):
    import h5py
    with h5py.File(os.path.join(DATA, path), "r") as f:
        return [f[n][()] for n in names]


def run(workload, samples, batch, step, opt, epoch=None, extra=None):
    """step(first, length) -> loss (float or tensor) for samples
    [first, first+length) (0-based); epoch() optional per-epoch work."""
    import torch
    nbatches = (samples + batch - 1) // batch
    warmup = min(opt.warmup, nbatches)
    want = min(opt.batches, nbatches) if opt.batches > 0 else nbatches
    epochs = max(opt.epochs, 1) if want == nbatches else 1
    if epoch:
        epoch()
    for i in range(warmup):
        first = i * batch
        step(first, min(batch, samples - first))
    t0 = time.perf_counter()
    done, loss = 0, None
    for _ in range(epochs):
        if epoch:
            epoch()
        for i in range(want):
            first = i * batch
            n = min(batch, samples - first)
            loss = step(first, n)
            done += n
    elapsed = time.perf_counter() - t0
    if isinstance(loss, torch.Tensor):
        loss = float(loss)
    result = {
        "workload": workload,
        "impl": "torch",
        "sec_per_epoch": elapsed * samples / done,
        "seconds_timed": elapsed,
        "samples_per_epoch": samples,
        "samples_timed": done,
        "batch": batch,
        "batches_timed": want * epochs,
        "epochs_timed": epochs,
        "batches_per_epoch": nbatches,
        "warmup_batches": warmup,
        "scaled": done < samples,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"),
        "clock": "time.perf_counter",
        "corename": blas_corename(),
        "flush_denormal": bool(getattr(_opts, "flush_denormal", False)),
    }
    if loss is not None:
        result["last_loss"] = loss
    result.update(extra or {})
    report(result)
    return result


def blas_corename():
    """The OpenBLAS kernel torch's matrix products run on (Debian's torch
    calls libblas.so.3, which is OpenBLAS here), or None."""
    import ctypes
    try:
        lib = ctypes.CDLL("libblas.so.3")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return None


def report(result):
    print("BENCH " + json.dumps(result, sort_keys=True), flush=True)


def xavier_(*tensors):
    """Xavier/Glorot uniform, +-sqrt(6/(fan_in+fan_out)), for (out,in) weights."""
    import torch
    with torch.no_grad():
        for w in tensors:
            fan_out, fan_in = w.shape[0], w.shape[1]
            a = (6.0 / (fan_in + fan_out)) ** 0.5
            w.uniform_(-a, a)
