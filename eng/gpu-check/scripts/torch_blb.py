"""The Bag of Little Bootstraps in PyTorch on the GPU check's BLB problems, on the same GPU.

The same s, r and b = ceil(n^gamma) as Specialize: each subsample is b distinct rows (torch.randperm), each of its
r bootstraps weighs those rows by a Multinomial(n; 1/b, ..., 1/b) draw made with torch.multinomial (n draws with
replacement, counted per row), the estimator (the weighted mean, or least squares through the normal equations) runs
on the weighted rows, a subsample's standard error is the sample standard deviation of its r estimates, and BLB's is
their mean over the subsamples. Prints RESULT lines: name where seconds-per-run standard-error-of-coordinate-0.
"""
import math
import sys
import time

import numpy as np

work, problem, n, s, r, gamma = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
try:
    import torch
except ImportError as e:
    print("SKIPPED PyTorch is not installed:", e)
    sys.exit(0)

device = "cuda" if torch.cuda.is_available() else "cpu"
where = torch.cuda.get_device_name(0).replace(" ", "_") if device == "cuda" else "processor"
b = min(n, math.ceil(n ** gamma))
if problem == "mean":
    data = torch.tensor(np.fromfile(f"{work}/mean.bin"), dtype=torch.float64, device=device)
else:
    raw = torch.tensor(np.fromfile(f"{work}/ls.bin").reshape(n, -1), dtype=torch.float64, device=device)
    data_x, data_y = raw[:, :-1].contiguous(), raw[:, -1].contiguous()
generator = torch.Generator(device=device)
generator.manual_seed(17)
# Bootstraps per torch.multinomial call: their n draws each (int64) stay under 1 GiB.
chunk = max(1, min(r, (1 << 27) // n))


def sync():
    if device == "cuda":
        torch.cuda.synchronize()


def weights(count):
    probs = torch.full((count, b), 1.0 / b, dtype=torch.float64, device=device)
    draws = torch.multinomial(probs, n, replacement=True, generator=generator)
    offsets = (torch.arange(count, device=device) * b).unsqueeze(1)
    return torch.bincount((draws + offsets).flatten(), minlength=count * b).view(count, b).to(torch.float64)


def estimates(rows, w):
    if problem == "mean":
        return (w @ rows / n).unsqueeze(1)
    x, y = rows
    wx = w.unsqueeze(2) * x.unsqueeze(0)
    xtx = wx.transpose(1, 2) @ x
    xty = (wx.transpose(1, 2) @ y.unsqueeze(1)).squeeze(2)
    return torch.linalg.solve(xtx, xty)


def blb(subsamples):
    errors = []
    for _ in range(subsamples):
        rows = torch.randperm(n, device=device, generator=generator)[:b]
        sample = data[rows] if problem == "mean" else (data_x[rows], data_y[rows])
        parts = []
        for start in range(0, r, chunk):
            parts.append(estimates(sample, weights(min(chunk, r - start))))
        errors.append(torch.cat(parts).std(dim=0, unbiased=True))
    return torch.stack(errors).mean(dim=0)


blb(1)  # warm-up
sync()
start = time.perf_counter()
error = blb(s)
sync()
seconds = time.perf_counter() - start
print(f"RESULT PyTorch_{torch.__version__} {where} {seconds:.4f} {float(error[0]):.6g}")
