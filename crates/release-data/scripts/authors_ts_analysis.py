#!/usr/bin/env python3
"""The authors' per-file analysis of the released teacher-student files, re-implemented with
numpy/scipy exactly as described in authors-protocol §1(c) (TS notebook cells 15, 31-33, 38-43):

* xi: singular values of the final snapshot W[:, -1] (np.linalg.svd), both pooled (6000);
* histogram: Freedman-Diaconis, bw = 2 IQR / n^(1/3) (np.percentile), n_bins = int((max-min)//bw),
  range (min, max), np.histogram(density=True), x = bin centres;
* sigma: scipy.optimize.curve_fit of Eq (11) (unweighted, default LM) from p0 = [2, sqrt(lr noise^2/bs)],
  sigma = |popt[1]|;
* <S>: the same histogram of S = |xi_1 - xi_2| (3000), sum(px*hb)/sum(hb).

Usage: authors_ts_analysis.py REFERENCE_DATA_DIR > authors_ts_numbers.json
(--jackknife adds the delete-one jackknife means and errors; slow: 96 000 curve_fit calls).
This is an independent implementation of the procedure for cross-checking the Rust code;
it is not the authors' code.
"""
import json
import os
import sys

import numpy as np
import scipy
from scipy.optimize import curve_fit
from scipy.special import erf


def rho(x, x0, sig):
    d = x - x0
    e = np.exp(-d**2 / (2 * sig**2))
    return e / (4 * np.sqrt(np.pi) * sig) * (2 * e + np.sqrt(2 * np.pi) * d / sig * erf(d / (np.sqrt(2) * sig)))


def fd(y):
    q1, q3 = np.percentile(y, [25, 75])
    bw = 2.0 * (q3 - q1) / np.cbrt(len(y))
    return int((max(y) - min(y)) // bw), (min(y), max(y))


def sigma_of(xs, p0):
    nb, rng = fd(xs)
    hb, pb = np.histogram(xs, bins=nb, range=rng, density=True)
    px = 0.5 * (pb[1:] + pb[:-1])
    popt, pcov = curve_fit(rho, px, hb, p0=p0)
    return abs(popt[1]), popt[0], float(np.sqrt(pcov[1, 1])), nb


def mean_s(s):
    nb, rng = fd(s)
    hb, pb = np.histogram(s, bins=nb, range=rng, density=True)
    px = 0.5 * (pb[1:] + pb[:-1])
    return float(np.sum(px * hb) / np.sum(hb)), nb


def files(root):
    out = []
    for series, vals in (("ns", [0.05, 0.06, 0.07, 0.08, 0.09, 0.1]),
                         ("lr", [0.1, 0.2, 0.3, 0.4, 0.5]),
                         ("bs", [4, 8, 16, 32, 64])):
        for v in vals:
            lr, n, bs = 0.1, 0.1, 16
            if series == "ns":
                n = v
            elif series == "lr":
                lr = v
            else:
                bs = v
            stem = f"TSmodel_lr{lr}n{n}bs{bs}"
            out.append((series, lr, n, bs, os.path.join(root, "TSmodel", series, stem, stem + ".npz")))
    return out


def main():
    root = sys.argv[1]
    jk = "--jackknife" in sys.argv
    rows = []
    for series, lr, n, bs, path in files(root):
        d = np.load(path)
        w = d["W"][:, -1]
        xi = np.array([np.linalg.svd(m, compute_uv=False) for m in w])
        xs = xi.flatten()
        p0 = [2.0, np.sqrt(lr * n**2 / bs)]
        sig, x0, sig_err, nb = sigma_of(xs, p0)
        s = np.abs(xi[:, 0] - xi[:, 1])
        ms, snb = mean_s(s)
        row = dict(series=series, lr=lr, noise=n, batch=bs, sigma=float(sig), centre=float(x0),
                   sigma_stderr=sig_err, bins=nb, mean_spacing=ms, spacing_bins=snb)
        if jk:
            est = np.array([sigma_of(np.delete(xs, k), p0)[0] for k in range(len(xs))])
            row["sigma_jk_mean"] = float(est.mean())
            row["sigma_jk_err"] = float(est.std() * np.sqrt(len(est) - 1))
            est = np.array([mean_s(np.delete(s, k))[0] for k in range(len(s))])
            row["s_jk_mean"] = float(est.mean())
            row["s_jk_err"] = float(est.std() * np.sqrt(len(est) - 1))
        rows.append(row)
        print(series, lr, n, bs, sig, ms, file=sys.stderr)
    json.dump(dict(procedure=__doc__.strip().splitlines()[0], numpy=np.__version__,
                   scipy=scipy.__version__, files=rows), sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
