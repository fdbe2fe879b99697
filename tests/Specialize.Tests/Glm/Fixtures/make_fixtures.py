"""Makes the logistic-regression fixtures of tests/Specialize.Tests/Glm with scikit-learn.

Run with the system Python that has scikit-learn 1.2.1 (numpy 1.24), from the repository root:

    /usr/bin/python3 tests/Specialize.Tests/Glm/Fixtures/make_fixtures.py

Each <name>.json holds
  X, y        the rows (N x D) and labels (0/1),
  params      C, tol, max_iter of LogisticRegression(solver="newton-cholesky"),
  expected    coef (D), intercept, n_iter, predict_proba of class 1 and predict for the first 10 rows,
  n_iter_at   n_iter for other tolerances (the stopping rule's iteration counts).
breast_cancer is scikit-learn's copy of the Wisconsin diagnostic data (breast_cancer.rst, kept beside the fixtures);
the synthetic sets are correlated Gaussian features with Bernoulli labels from a known linear model.
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
TOL = 1e-10


def fit(X, y, C, tol):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LogisticRegression(solver="newton-cholesky", C=C, tol=tol, max_iter=100).fit(X, y)


def write(name, X, y, C):
    model = fit(X, y, C, TOL)
    expected = {
        "coef": model.coef_[0].tolist(),
        "intercept": float(model.intercept_[0]),
        "n_iter": int(model.n_iter_[0]),
        "predict_proba_first_rows": model.predict_proba(X[:10])[:, 1].tolist(),
        "predict_first_rows": model.predict(X[:10]).astype(int).tolist(),
    }
    n_iter_at = {repr(t): int(fit(X, y, C, t).n_iter_[0]) for t in (1e-4, 1e-8)}
    doc = {
        "sklearn": sklearn.__version__,
        "X": X.tolist(),
        "y": y.astype(int).tolist(),
        "params": {"C": C, "tol": TOL, "max_iter": 100},
        "expected": expected,
        "n_iter_at": n_iter_at,
    }
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(doc, f)
    print(name, X.shape, "n_iter", expected["n_iter"], n_iter_at, "max |coef|", np.max(np.abs(model.coef_)))


def synthetic(n, d, seed):
    rng = np.random.default_rng(seed)
    mix = rng.normal(size=(d, d)) / np.sqrt(d)
    X = rng.normal(size=(n, d)) @ (np.eye(d) + 0.5 * mix) + rng.normal(size=d)
    w = rng.normal(size=d)
    p = 1 / (1 + np.exp(-(X @ w * 0.7 - 0.3)))
    y = (rng.random(n) < p).astype(int)
    return X, y


cancer = load_breast_cancer()
X, y = cancer.data, cancer.target
write("breast_cancer-standardized-C1", StandardScaler().fit_transform(X), y, 1.0)
write("breast_cancer-standardized-C0.05", StandardScaler().fit_transform(X), y, 0.05)
write("breast_cancer-raw-C1", X, y, 1.0)
Xs, ys = synthetic(3000, 12, 7)
write("synthetic-3000-12-s7-C1", Xs, ys, 1.0)
Xs, ys = synthetic(8000, 6, 11)
write("synthetic-8000-6-s11-C10", Xs, ys, 10.0)
