"""The optimizer's step, parameter by parameter or all at once (``foreach=True``).

    python benchmarks/optim_step.py                 # W1 (deep MLP), SGD and Adam
    python benchmarks/optim_step.py --model w2 --rounds 5
    python benchmarks/optim_step.py --device cuda    # on a GPU (each call waited for)

For each optimizer (SGD with momentum and weight decay as in ``suite.py``; Adam), times
``optimizer.step()`` alone (after a backward, untimed, that made new gradients, as in
training), and one whole training step, in four kinds
of worker process, alternating round by round: minigrad updating each parameter (the
default), minigrad with ``foreach=True`` (one update over flat arrays, ``fast/flat.py``),
PyTorch with ``foreach=False`` (its CPU default, a loop over the parameters) and PyTorch
with ``foreach=True`` (its multi-tensor ops). Same thread count on both sides
(``--threads``, default 2). Medians over the rounds, and each one's ratio to PyTorch's
default within the same round.

It also counts minigrad's launches per ``step()`` on the stand-in GPU of
``tests/strict_gpu.py`` (with the GPU fast paths, as ``profile_step.py --kernels`` does):
what a GPU would run, without one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.append(str(ROOT / "tests"))

from suite import deep_mlp, mnist_cnn  # noqa: E402

MODELS = {"w1": deep_mlp, "w2": mnist_cnn}
KINDS = (("minigrad", False), ("minigrad", True), ("torch", False), ("torch", True))


def make_optimizer(lib, name: str, params, foreach: bool):
    if name == "sgd":
        return lib.optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=5e-4, foreach=foreach)
    return lib.optim.Adam(params, lr=1e-3, foreach=foreach)


def setup(lib, model_name: str, optimizer: str, foreach: bool, batch: int, device="cpu"):
    """A model, its optimizer and a training step on fixed random data."""
    import numpy as np

    rng = np.random.default_rng(0)
    images = lib.tensor(rng.standard_normal((batch, 1, 28, 28)).astype(np.float32), device=device)
    labels = lib.tensor(rng.integers(0, 10, batch, dtype=np.int64), device=device)
    model = MODELS[model_name](lib.nn).to(device)
    opt = make_optimizer(lib, optimizer, model.parameters(), foreach)
    loss_fn = lib.nn.CrossEntropyLoss()

    def gradients():
        opt.zero_grad()
        loss_fn(model(images), labels).backward()

    def train_step():
        gradients()
        opt.step()

    return opt, gradients, train_step


def median_ms(fn, calls: int, sync, before=None) -> float:
    """The median time of ``calls`` calls, each waited for (``sync``) on a GPU; with
    ``before``, each call after an untimed ``before()``."""
    times = []
    for _ in range(calls):
        if before is not None:
            before()
        sync()
        start = time.perf_counter()
        fn()
        sync()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def worker(args) -> None:
    """Time one kind (``--worker``) and print JSON: {optimizer: {"step", "train"}}."""
    if args.worker == "torch":
        import torch as lib

        lib.set_num_threads(args.threads)
        sync = lib.cuda.synchronize if args.device == "cuda" else (lambda: None)
    else:
        import minigrad as lib

        sync = lib.cuda.synchronize
    foreach = args.foreach == "1"
    results = {}
    for name in args.optimizers:
        lib.manual_seed(0)
        opt, gradients, train_step = setup(lib, args.model, name, foreach, args.batch, args.device)
        for _ in range(3):  # warm up: state made, pages touched
            train_step()
        train = median_ms(train_step, args.train_steps, sync)
        step = median_ms(opt.step, args.steps, sync, before=gradients)  # new gradients each
        results[name] = {"step": step, "train": train}
    print(json.dumps(results))


def launches(model: str, optimizers, batch: int) -> dict:
    """minigrad's launches per ``step()`` on the stand-in GPU, per optimizer and mode."""
    import strict_gpu

    import minigrad

    counts = {}
    for name in optimizers:
        for foreach in (False, True):
            with strict_gpu.installed(fused=True):
                minigrad.manual_seed(0)
                opt, gradients, train_step = setup(
                    minigrad, model, name, foreach, batch, device="cuda"
                )
                for _ in range(2):
                    train_step()
                gradients()  # new gradients, as in training: foreach copies them in
                with strict_gpu.LaunchCounter() as counter:
                    opt.step()
            counts[f"{name} {'foreach' if foreach else 'per parameter'}"] = counter.launches
    return counts


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="w1")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--optimizers", nargs="+", default=["sgd", "adam"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20, help="timed step() calls")
    parser.add_argument("--train-steps", type=int, default=10, help="timed training steps")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--worker", choices=["minigrad", "torch"], help=argparse.SUPPRESS)
    parser.add_argument("--foreach", choices=["0", "1"], default="0", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args)
        return

    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(args.threads)
    rounds = {kind: [] for kind in KINDS}
    for _ in range(args.rounds):
        for lib, foreach in KINDS:
            command = [
                sys.executable, __file__, "--worker", lib, "--foreach", str(int(foreach)),
                "--model", args.model, "--batch", str(args.batch), "--steps", str(args.steps),
                "--train-steps", str(args.train_steps), "--threads", str(args.threads),
                "--device", args.device, "--optimizers", *args.optimizers,
            ]  # fmt: skip
            out = subprocess.run(command, env=env, capture_output=True, text=True)
            if out.returncode != 0:
                if lib == "torch" and "No module named 'torch'" in out.stderr:
                    continue
                raise SystemExit(out.stderr)
            rounds[lib, foreach].append(json.loads(out.stdout))

    figures = {"model": args.model, "batch": args.batch, "threads": args.threads, "rows": []}
    figures["device"] = args.device
    print(
        f"{args.model}, batch {args.batch}, {args.device}, {args.threads} threads, "
        f"{args.rounds} rounds"
    )
    print("| optimizer | implementation | step() ms | ratio | training step ms | ratio |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    base = rounds["torch", False]
    for name in args.optimizers:
        for lib, foreach in KINDS:
            runs = rounds[lib, foreach]
            if not runs:
                continue
            row = {"optimizer": name, "lib": lib, "foreach": foreach}
            cells = []
            for what in ("step", "train"):
                values = [r[name][what] for r in runs]
                row[what] = statistics.median(values)
                cells.append(f"{row[what]:.2f}")
                if base:
                    ratios = [r[name][what] / b[name][what] for r, b in zip(runs, base)]
                    row[what + "_ratio"] = statistics.median(ratios)
                    cells.append(f"{row[what + '_ratio']:.2f}")
                else:
                    cells.append("")
            label = f"{lib}, foreach={'True' if foreach else 'False'}"
            print(f"| {name} | {label} | " + " | ".join(cells) + " |")
            figures["rows"].append(row)
    figures["launches"] = launches(args.model, args.optimizers, args.batch)
    print("\nminigrad's launches per step() on the stand-in GPU:")
    for key, n in figures["launches"].items():
        print(f"  {key}: {n}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
