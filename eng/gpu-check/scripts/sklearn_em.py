"""scikit-learn's EM on the GPU check's headline problem, on this machine's processor.

Reads the problem the runner wrote (raw float64: x.bin, weights.bin, means.bin, precisions.bin) and prints
RESULT lines: name where precision ms-per-iteration lower-bound.
"""
import sys
import time
import warnings

import numpy as np

work, n, d, m, iterations = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
try:
    import sklearn
    from sklearn.mixture import GaussianMixture
except ImportError as e:
    print("SKIPPED scikit-learn is not installed:", e)
    sys.exit(0)

x = np.fromfile(f"{work}/x.bin").reshape(n, d)
weights = np.fromfile(f"{work}/weights.bin")
means = np.fromfile(f"{work}/means.bin").reshape(m, d)
precisions = np.fromfile(f"{work}/precisions.bin").reshape(m, d, d)
iterations = min(iterations, 10)  # scikit-learn is slow; its time per iteration is steady
best, bound = float("inf"), float("nan")
warnings.simplefilter("ignore")
for _ in range(2):
    gm = GaussianMixture(m, covariance_type="full", max_iter=iterations, tol=0.0, weights_init=weights,
                         means_init=means, precisions_init=precisions)
    start = time.perf_counter()
    gm.fit(x)
    best = min(best, (time.perf_counter() - start) / gm.n_iter_)
    bound = gm.lower_bound_
print(f"RESULT scikit-learn_{sklearn.__version__} processor float64 {best * 1000:.3f} {bound:.6f}")
