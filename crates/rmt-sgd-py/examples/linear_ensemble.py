"""The book's Python example (book/src/python.md): train ensembles of small linear networks with
SGD in numpy, record their weights with rmt_sgd.Recorder, and test the linear scaling rule with
rmt_sgd.analyze_scaling; the same files through the `rmt-sgd` CLI give the same dict and the plot.

    python examples/linear_ensemble.py OUT_DIR [--cli PATH/TO/rmt-sgd] [--quick]

Writes OUT_DIR/runs/run{i}.npz (one per (lr, batch size)), OUT_DIR/scaling.json (the dict) and
OUT_DIR/numbers.md (the tables the book includes); with --cli also OUT_DIR/plots/ (the CLI's
pictures of the same files) after checking that the CLI's JSON equals the package's.
"""

# ANCHOR: train
import argparse
import json
import subprocess
from pathlib import Path

import numpy as np

import rmt_sgd

TEACHER = np.diag([1.0, 2.0, 2.0])  # y = W* x: a singular value 1 and a degenerate pair at 2
NOISE = 0.5                         # label noise: y = W* x + NOISE * e


def train(lr, batch_size, members, steps, seed):
    """`members` independent students y = W x, trained by SGD on 1/2 |y - W x|^2 from W = 0;
    each member's weights go to the recorder every `steps // 4` steps."""
    rng = np.random.default_rng(seed)
    rec = rmt_sgd.Recorder(lr=lr, batch_size=batch_size, noise=NOISE)
    W = np.zeros((members, 3, 3))
    for step in range(1, steps + 1):
        x = rng.normal(size=(members, batch_size, 3))
        y = x @ TEACHER.T + NOISE * rng.normal(size=(members, batch_size, 3))
        err = x @ W.transpose(0, 2, 1) - y                       # (members, batch, 3)
        W -= lr / batch_size * err.transpose(0, 2, 1) @ x        # the mean gradient of the batch
        if step % (steps // 4) == 0:
            for m in range(members):
                rec(W[m], member=m)                               # any array-like: numpy, torch, ...
    return rec
# ANCHOR_END: train


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--cli", help="the rmt-sgd binary: check it agrees and draw the plots")
    ap.add_argument("--quick", action="store_true", help="small sizes (the test suite)")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    members, steps = (40, 400) if a.quick else (200, 4000)
    # ANCHOR: analyse
    grid = [(0.01, 16), (0.02, 16), (0.04, 16), (0.04, 8), (0.04, 4)]
    recorders = [train(lr, bs, members, steps, seed=i) for i, (lr, bs) in enumerate(grid)]
    (a.out / "runs").mkdir(exist_ok=True)
    paths = []
    for i, rec in enumerate(recorders):
        paths.append(a.out / "runs" / f"run{i}.npz")
        rec.save(paths[-1])                                      # W (members, 4, 3, 3) + lr, batch_size, noise
    result = rmt_sgd.analyze_scaling(recorders, names=[p.stem for p in paths])
    for fit in result["scaling"]["fits"]:
        print(fit["levels"], fit["slope"]["value"], fit["exponent"]["value"],
              fit["verdict"]["linear_scaling"])
    # ANCHOR_END: analyse
    # The recorders and the files they wrote give the same analysis, but for the file names.
    from_files = rmt_sgd.analyze_scaling(paths)
    for r in result["runs"]:
        r["file"] = str(a.out / "runs" / f"{r['file']}.npz")
    assert from_files == result, "recorders and their files disagree"
    (a.out / "scaling.json").write_text(json.dumps(from_files, indent=2) + "\n")
    if a.cli:
        cli = subprocess.run([a.cli, "analyze", "--scaling", *map(str, paths), "--plots",
                              str(a.out / "plots")], check=True, capture_output=True, text=True)
        assert json.loads(cli.stdout) | {"plots": None} == from_files | {"plots": None}, \
            "the CLI and the package disagree"
        print("the CLI's JSON equals the package's")
    write_numbers(a.out / "numbers.md", grid, members, steps, from_files)


def write_numbers(path, grid, members, steps, result):
    sc = result["scaling"]
    lines = ["<!-- ANCHOR: runs -->",
             f"{members} networks per run, {steps} SGD steps, noise {NOISE}; the last of 4 "
             "snapshots analysed.",
             "",
             "| run | lr | batch size | x = √(lr·noise²/B) | peaks (levels) | σ of the pair (estimate ± error) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for i, ((lr, bs), run) in enumerate(zip(grid, result["runs"])):
        peaks = ", ".join(str(p["levels"]) for p in run["peaks"])
        pair = next(p for p in run["peaks"] if len(p["levels"]) == 2)
        s = pair["estimate"]["sigma"]
        x = np.sqrt(lr * NOISE**2 / bs)
        lines.append(f"| run{i} | {lr} | {bs} | {x:.4f} | {peaks} | {s['value']:.5f} ± {s['err']:.5f} |")
    lines += ["<!-- ANCHOR_END: runs -->", "<!-- ANCHOR: fits -->",
              "| levels | estimator | slope a (scaled error) | χ²/dof | exponent p | verdict |",
              "| --- | --- | --- | --- | --- | --- |"]
    for f in sc["fits"]:
        sl, ex = f["slope"], f["exponent"]
        lines.append(
            f"| {f['levels']} | {f['estimator']} | {sl['value']:.4f} ± "
            f"{max(sl['stderr'], sl['stderr_scaled']):.4f} | {sl['chi2_dof']:.2f} | "
            f"{ex['value']:.3f} ± {ex['err_scaled']:.3f} | **{f['verdict']['linear_scaling']}** |")
    lines += ["", f"Overall: **{sc['linear_scaling']}**: {sc['reason']}",
              "<!-- ANCHOR_END: fits -->"]
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
