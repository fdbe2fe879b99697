"""A short full-covariance EM in PyTorch on the GPU check's headline problem, on the same GPU.

The same algorithm and initial parameters as scikit-learn and Specialize (E-step through the precision
Cholesky factors and log-sum-exp, M-step with reg_covar 1e-6), batched over the components with matrix
products. Prints RESULT lines: name where precision ms-per-iteration lower-bound.
"""
import math
import sys
import time

import numpy as np

work, n, d, m, iterations = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
try:
    import torch
except ImportError as e:
    print("SKIPPED PyTorch is not installed:", e)
    sys.exit(0)

device = "cuda" if torch.cuda.is_available() else "cpu"
where = torch.cuda.get_device_name(0).replace(" ", "_") if device == "cuda" else "processor"
x64 = np.fromfile(f"{work}/x.bin").reshape(n, d)
w64 = np.fromfile(f"{work}/weights.bin")
mu64 = np.fromfile(f"{work}/means.bin").reshape(m, d)
prec64 = np.fromfile(f"{work}/precisions.bin").reshape(m, d, d)


def sync():
    if device == "cuda":
        torch.cuda.synchronize()


def run(dtype):
    x = torch.tensor(x64, dtype=dtype, device=device)
    weights = torch.tensor(w64, dtype=dtype, device=device)
    means = torch.tensor(mu64, dtype=dtype, device=device)
    eye = torch.eye(d, dtype=dtype, device=device)
    # Upper-triangular factors P with precision = P P^T, as scikit-learn's precisions_cholesky_.
    lower = torch.linalg.cholesky(torch.tensor(prec64[:, ::-1, ::-1].copy(), dtype=dtype, device=device))
    chol = lower.flip(-1).flip(-2)
    bound = float("nan")

    def e_step(weights, means, chol):
        # y[k] = x P_k - mu_k P_k, so the squared Mahalanobis distances are |y|^2.
        y = torch.matmul(x.unsqueeze(0), chol) - torch.matmul(means.unsqueeze(1), chol)
        log_det = torch.log(torch.diagonal(chol, dim1=-2, dim2=-1)).sum(-1)
        log_prob = -0.5 * (d * math.log(2 * math.pi) + (y * y).sum(-1)) + log_det.unsqueeze(1)
        weighted = log_prob.T + torch.log(weights)
        norm = torch.logsumexp(weighted, dim=1)
        return torch.exp(weighted - norm.unsqueeze(1)), norm.mean()

    def m_step(resp):
        nk = resp.sum(0) + 10 * torch.finfo(dtype).eps
        means = (resp.T @ x) / nk.unsqueeze(1)
        centred = x.unsqueeze(0) - means.unsqueeze(1)
        cov = torch.matmul((centred * resp.T.unsqueeze(2)).transpose(1, 2), centred) / nk.view(m, 1, 1) + 1e-6 * eye
        cov_chol = torch.linalg.cholesky(cov)
        chol = torch.linalg.solve_triangular(cov_chol, eye.expand(m, d, d), upper=False).transpose(1, 2)
        return nk / n, means, chol

    for _ in range(2):  # warm-up
        resp, _ = e_step(weights, means, chol)
        m_step(resp)
    sync()
    start = time.perf_counter()
    w, mu, c = weights, means, chol
    for _ in range(iterations):
        resp, lb = e_step(w, mu, c)
        w, mu, c = m_step(resp)
    sync()
    bound = float(lb)
    return (time.perf_counter() - start) / iterations, bound


for name, dtype in (("float32", torch.float32), ("float64", torch.float64)):
    seconds, bound = run(dtype)
    print(f"RESULT PyTorch_{torch.__version__} {where} {name} {seconds * 1000:.3f} {bound:.6f}")
