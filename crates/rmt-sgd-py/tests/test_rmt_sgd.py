"""The Python package against the `rmt-sgd` CLI: the same input gives the same JSON to the last
bit (dict equality compares floats exactly), bad input raises ValueError with the CLI's message,
and the recorder's files are read alike by both."""

import threading

import numpy as np
import pytest

import rmt_sgd
from conftest import ensemble


def same_as_file(report, path):
    """`report` of an array named after `path`'s stem, with the file's name put in."""
    return dict(report, file=str(path))


# ---------------------------------------------------------------- analyze: agreement with the CLI

CASES = [
    # (name, array maker, analyze kwargs, CLI flags)
    ("default", lambda r: ensemble(r), {}, []),
    ("bootstrap_seed", lambda r: ensemble(r), {"bootstrap": 30, "seed": 7}, ["--bootstrap", "30", "--seed", "7"]),
    ("snapshots", lambda r: ensemble(r, snapshots=3), {"snapshot": -2, "bootstrap": 20},
     ["--snapshot", "-2", "--bootstrap", "20"]),
    ("squared_targets", lambda r: ensemble(r), {"spectrum": "squared", "targets": [1.0, 4.0], "bootstrap": 0},
     ["--spectrum", "squared", "--targets", "1,4", "--bootstrap", "0"]),
    ("ensemble_axis", lambda r: np.moveaxis(ensemble(r, snapshots=2), 0, 1),
     {"ensemble_axis": 1, "snapshot_axis": 0, "snapshot": "first", "bootstrap": 10},
     ["--ensemble-axis", "1", "--snapshot-axis", "0", "--snapshot", "first", "--bootstrap", "10"]),
    ("spectra", lambda r: np.sort(1.0 + 0.1 * r.normal(size=(50, 2)), axis=1),
     {"input": "spectra", "bootstrap": 10}, ["--input", "spectra", "--bootstrap", "10"]),
    ("float32_outlier_kept", lambda r: np.concatenate([ensemble(r), 5 * np.eye(3)[None]]).astype(np.float32),
     {"keep_outliers": True, "bootstrap": 10}, ["--keep-outliers", "--bootstrap", "10"]),
]


@pytest.mark.parametrize("name,make,kwargs,flags", CASES, ids=[c[0] for c in CASES])
def test_analyze_array_equals_cli(cli, tmp_path, name, make, kwargs, flags):
    w = make(np.random.default_rng(1))
    path = tmp_path / f"{name}.npz"
    np.savez(path, W=w)
    expected = cli.json("analyze", path, *flags)
    assert same_as_file(rmt_sgd.analyze(w, name=name, **kwargs), path) == expected
    # The file itself, read by the package.
    assert rmt_sgd.analyze(path, **kwargs) == expected
    assert rmt_sgd.analyze(str(path), **kwargs) == expected


def test_scalars_of_the_file_and_given(cli, tmp_path):
    w = ensemble(np.random.default_rng(2))
    path = tmp_path / "ts.npz"
    np.savez(path, W=w, lr=np.float64(0.1), batch_size=np.float64(16), noise=np.float64(0.5))
    expected = cli.json("analyze", path, "--bootstrap", "10")
    assert expected["lr"] == 0.1 and expected["noise"] == 0.5
    got = rmt_sgd.analyze(w, lr=0.1, batch_size=16, noise=0.5, name="ts", bootstrap=10)
    assert same_as_file(got, path) == expected
    assert rmt_sgd.analyze(path, bootstrap=10) == expected


def test_npy_and_csv_files(cli, tmp_path):
    rng = np.random.default_rng(3)
    npy = tmp_path / "m.npy"
    np.save(npy, ensemble(rng))
    assert rmt_sgd.analyze(npy, bootstrap=5) == cli.json("analyze", npy, "--bootstrap", "5")
    csv = tmp_path / "s.csv"
    np.savetxt(csv, np.sort(rng.normal(size=(30, 2)) * 0.1 + 1, axis=1), delimiter=",")
    assert rmt_sgd.analyze(csv, bootstrap=5) == cli.json("analyze", csv, "--bootstrap", "5")


def test_default_seed_is_the_cli_default(cli, tmp_path):
    w = ensemble(np.random.default_rng(4), members=30)
    path = tmp_path / "d.npz"
    np.savez(path, W=w)
    assert same_as_file(rmt_sgd.analyze(w, name="d"), path) == cli.json("analyze", path)


def test_deterministic_and_threads():
    w = ensemble(np.random.default_rng(5))
    first = rmt_sgd.analyze(w, bootstrap=20)
    out = [None] * 4

    def work(i):
        out[i] = rmt_sgd.analyze(w, bootstrap=20)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(o == first for o in out)


def test_tensor_like_input():
    class Tensor:  # anything with __array__, as a PyTorch tensor on the CPU
        def __init__(self, a):
            self.a = a

        def __array__(self, dtype=None, copy=None):
            return self.a

    w = ensemble(np.random.default_rng(6))
    assert rmt_sgd.analyze(Tensor(w), bootstrap=0) == rmt_sgd.analyze(w, bootstrap=0)
    # Fortran order and integer dtypes are the same numbers.
    assert rmt_sgd.analyze(np.asfortranarray(w), bootstrap=0) == rmt_sgd.analyze(w, bootstrap=0)


# ---------------------------------------------------------------- scaling

def scaling_runs(rng, hyper=((0.05, 8), (0.1, 8), (0.2, 16), (0.2, 4))):
    return [(ensemble(rng, sigma=0.3 * np.sqrt(lr / b)), lr, b) for lr, b in hyper]


def test_scaling_equals_cli(cli, tmp_path):
    runs = scaling_runs(np.random.default_rng(7))
    paths = []
    for i, (w, lr, b) in enumerate(runs):
        p = tmp_path / f"run{i}.npz"
        np.savez(p, W=w, lr=np.float64(lr), batch_size=np.float64(b))
        paths.append(p)
    expected = cli.json("analyze", "--scaling", *paths, "--bootstrap", "20")
    got = rmt_sgd.analyze_scaling(runs, bootstrap=20)
    for r, p in zip(got["runs"], paths):
        r["file"] = str(p)
    assert got == expected
    assert rmt_sgd.analyze_scaling(paths, bootstrap=20) == expected
    fit = got["scaling"]["fits"][0]
    assert {"slope", "exponent", "verdict"} <= set(fit)
    assert "linear_scaling" in fit["verdict"]
    assert "unmatched" in got["scaling"]


def test_scaling_hyperparameters_given(cli, tmp_path):
    runs = scaling_runs(np.random.default_rng(8))
    paths = []
    for i, (w, _, _) in enumerate(runs):
        p = tmp_path / f"run{i}.npz"
        np.savez(p, W=w)
        paths.append(p)
    lrs = [r[1] for r in runs]
    bs = [r[2] for r in runs]
    expected = cli.json("analyze", "--scaling", *paths, "--lr", ",".join(map(repr, lrs)),
                        "--batch", ",".join(map(repr, map(float, bs))), "--bootstrap", "0")
    got = rmt_sgd.analyze_scaling(paths, lr=lrs, batch_size=bs, bootstrap=0)
    assert got == expected
    assert got["scaling"]["hyperparameters_from"] == "command line"


# ---------------------------------------------------------------- densities

LAW_CASES = [
    ("pair", {"centre": 1.0, "sigma": 0.3}, ["--centre", "1", "--sigma", "0.3"]),
    ("two-species", {"centre": -0.5, "sigma1": 0.2, "sigma2": 0.7},
     ["--centre", "-0.5", "--sigma1", "0.2", "--sigma2", "0.7"]),
    ("surmise", {"sigma_m": 0.4}, ["--sigma-m", "0.4"]),
    ("surmise-unit", {}, []),
    ("hoyt", {"sigma_u": 0.5, "sigma_v": 0.2}, ["--sigma-u", "0.5", "--sigma-v", "0.2"]),
]


@pytest.mark.parametrize("law,params,flags", LAW_CASES, ids=[c[0] for c in LAW_CASES])
def test_density_equals_cli(cli, law, params, flags):
    x = np.linspace(-2.0, 3.0, 41)
    expected = cli.json("density", law, *flags, "--x", ",".join(repr(float(v)) for v in x))
    assert rmt_sgd.pdf(law, x, **params).tolist() == expected["pdf"]
    assert rmt_sgd.cdf(law, x, **params).tolist() == expected["cdf"]
    # Shapes are kept; a scalar gives a float.
    assert rmt_sgd.pdf(law, x.reshape(41, 1), **params).shape == (41, 1)
    assert rmt_sgd.cdf(law, 0.5, **params) == rmt_sgd.cdf(law, [0.5], **params)[0]


# ---------------------------------------------------------------- bad input

def test_errors_carry_the_cli_message(cli, tmp_path):
    rng = np.random.default_rng(9)
    few = tmp_path / "few.npz"
    np.savez(few, W=ensemble(rng, members=3))
    msg = cli.error("analyze", few)
    with pytest.raises(ValueError) as e:
        rmt_sgd.analyze(few)
    assert str(e.value) == msg
    with pytest.raises(ValueError, match="3 sample"):
        rmt_sgd.analyze(ensemble(rng, members=3))

    nan = tmp_path / "nan.npz"
    w = ensemble(rng)
    w[4, 1, 2] = np.nan
    np.savez(nan, W=w)
    with pytest.raises(ValueError) as e:
        rmt_sgd.analyze(nan)
    assert str(e.value) == cli.error("analyze", nan)
    with pytest.raises(ValueError, match=r"non-finite value \(NaN\) at index \[4, 1, 2\]"):
        rmt_sgd.analyze(w)

    good = tmp_path / "good.npz"
    np.savez(good, W=ensemble(rng, snapshots=2))
    for kwargs, flags in [
        ({"bootstrap": 1}, ["--bootstrap", "1"]),
        ({"snapshot": 5}, ["--snapshot", "5"]),
        ({"ensemble_axis": 2}, ["--ensemble-axis", "2"]),
        ({"key": "X"}, ["--key", "X"]),
    ]:
        with pytest.raises(ValueError) as e:
            rmt_sgd.analyze(good, **kwargs)
        assert str(e.value) == cli.error("analyze", good, *flags), kwargs

    with pytest.raises(ValueError) as e:
        rmt_sgd.analyze_scaling([good])
    assert str(e.value) == cli.error("analyze", "--scaling", good)
    with pytest.raises(ValueError) as e:
        rmt_sgd.analyze_scaling([good, good])
    assert str(e.value) == cli.error("analyze", "--scaling", good, good)
    with pytest.raises(ValueError) as e:
        rmt_sgd.analyze_scaling([good, good], lr=[0.1], batch_size=[1, 2])
    assert str(e.value) == cli.error("analyze", "--scaling", good, good, "--lr", "0.1",
                                     "--batch", "1,2")

    with pytest.raises(ValueError, match="sigma0 -1: must be finite and > 0"):
        rmt_sgd.analyze(good, sigma0=-1)
    with pytest.raises(ValueError, match="expected singular or squared"):
        rmt_sgd.analyze(good, spectrum="eigen")
    with pytest.raises(ValueError, match="bootstrap"):
        rmt_sgd.analyze(good, bootstrap=-1)
    with pytest.raises(ValueError, match="dtype"):
        rmt_sgd.analyze(np.array([["a", "b"]]))
    missing = tmp_path / "missing.npz"
    with pytest.raises(ValueError) as e:
        rmt_sgd.analyze(missing)
    assert str(e.value) == cli.error("analyze", missing)


def test_density_errors():
    with pytest.raises(ValueError, match="sigma"):
        rmt_sgd.pdf("pair", [0.0], centre=1.0, sigma=-1.0)
    with pytest.raises(ValueError, match="required"):
        rmt_sgd.pdf("pair", [0.0], centre=1.0)
    with pytest.raises(ValueError, match="unknown law"):
        rmt_sgd.cdf("hoyt2", [0.0])
    with pytest.raises(ValueError, match="unknown parameter"):
        rmt_sgd.pdf("surmise", [0.0], sigma=1.0)


# ---------------------------------------------------------------- recorder

def test_recorder_round_trip(cli, tmp_path):
    rng = np.random.default_rng(10)
    rec = rmt_sgd.Recorder(lr=0.05, batch_size=8, noise=1.0)
    w = ensemble(rng, snapshots=3)
    for m in range(w.shape[0]):
        for s in range(w.shape[1]):
            rec(w[m, s], member=m)
    assert rec.members == 40
    assert np.array_equal(rec.array(), w)
    assert np.array_equal(rec.array(snapshots=False), w[:, -1])
    path = tmp_path / "recorded.npz"
    rec.save(path)
    with np.load(path) as z:
        assert np.array_equal(z["W"], w) and float(z["lr"]) == 0.05 and float(z["batch_size"]) == 8
    expected = cli.json("analyze", path, "--bootstrap", "20")
    assert rmt_sgd.analyze(path, bootstrap=20) == expected
    assert same_as_file(rmt_sgd.analyze(rec, name="recorded", bootstrap=20), path) == expected


def test_recorder_checks():
    rec = rmt_sgd.Recorder()
    with pytest.raises(ValueError, match="empty"):
        rec.array()
    rec(np.eye(2))
    with pytest.raises(ValueError, match="shape"):
        rec(np.eye(3))
    with pytest.raises(ValueError, match="next is 1"):
        rec(np.eye(2), member=3)
    rec(np.eye(2), member=1)
    rec(np.eye(2), member=1)
    with pytest.raises(ValueError, match="different numbers of snapshots"):
        rec.array()
    assert rec.array(snapshots=False).shape == (2, 2, 2)


def test_docstring_examples():
    import doctest

    assert doctest.testmod(rmt_sgd).failed == 0


def test_book_example_runs(cli, tmp_path):
    """The book's example (examples/linear_ensemble.py) at small sizes: the recorders, their
    files and the CLI agree (the script asserts it)."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "examples" / "linear_ensemble.py"
    if cli.cmd[0] == "cargo":
        pytest.skip("the example needs the rmt-sgd binary")
    p = subprocess.run([sys.executable, str(script), str(tmp_path), "--quick", "--cli", cli.cmd[0]],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "the CLI's JSON equals the package's" in p.stdout
    assert (tmp_path / "numbers.md").read_text().count("ANCHOR") == 4
    assert (tmp_path / "plots" / "scaling_peak0.png").is_file()
