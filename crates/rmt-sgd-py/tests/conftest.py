"""Shared fixtures: the `rmt-sgd` command-line tool the package must agree with, and test data."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[3]


def _cli_command():
    """The CLI: $RMT_SGD_CLI, else the release binary of the workspace, else `cargo run`."""
    if os.environ.get("RMT_SGD_CLI"):
        return [os.environ["RMT_SGD_CLI"]]
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    exe = target / "release" / "rmt-sgd"
    if exe.is_file():
        return [str(exe)]
    if shutil.which("cargo"):
        return ["cargo", "run", "--release", "--quiet", "-p", "rmt-sgd", "--"]
    pytest.skip("no rmt-sgd CLI: set RMT_SGD_CLI or build it (cargo build --release -p rmt-sgd)")


class Cli:
    def __init__(self):
        self.cmd = _cli_command()

    def run(self, *args):
        """(return code, parsed JSON or None, stderr) of `rmt-sgd ARGS`."""
        p = subprocess.run(self.cmd + [str(a) for a in args], capture_output=True, text=True,
                           cwd=ROOT)
        out = json.loads(p.stdout) if p.returncode == 0 else None
        return p.returncode, out, p.stderr

    def json(self, *args):
        rc, out, err = self.run(*args)
        assert rc == 0, err
        return out

    def error(self, *args):
        """The CLI's error message, without `error: `."""
        rc, _, err = self.run(*args)
        assert rc != 0
        line = err.strip().splitlines()[-1]
        assert line.startswith("error: "), err
        return line[len("error: "):]


@pytest.fixture(scope="session")
def cli():
    return Cli()


def ensemble(rng, members=40, snapshots=None, m=3, n=3, centres=(1.0, 2.0, 2.0), sigma=0.05):
    """Matrices diag(centres) + sigma * Gaussian: a singular value near 1 and a pair near 2."""
    shape = (members,) + ((snapshots,) if snapshots else ()) + (m, n)
    d = np.zeros((m, n))
    for i, c in enumerate(centres[: min(m, n)]):
        d[i, i] = c
    return d + sigma * rng.normal(size=shape)
