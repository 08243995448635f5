"""minigrad.distributed in one process: the sampler's partition against PyTorch's lists,
the "local" group's collectives, DDP and SyncBatchNorm at a world size of 1, and the
errors. The multi-process tests are in test_distributed_mpi.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad
import minigrad.distributed as dist
from minigrad import backend, nn
from minigrad.data import DistributedSampler
from minigrad.data.distributed import partition
from minigrad.nn.parallel import DistributedDataParallel as DDP

GOLDEN = json.loads((Path(__file__).parent / "golden" / "distributed_sampler.json").read_text())


@pytest.fixture
def local_group():
    dist.init_process_group("local")
    yield
    dist.destroy_process_group()


# ----------------------------------------------------------------------------------------
# DistributedSampler
# ----------------------------------------------------------------------------------------


def _case_id(case) -> str:
    return "n{n}-p{replicas}-d{drop_last}".format(**case)


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=_case_id)
def test_sampler_matches_pytorch(case):
    n, replicas, drop_last = case["n"], case["replicas"], case["drop_last"]
    for rank in range(replicas):
        sampler = DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(sampler) == case["plain"][rank]
        assert len(sampler) == len(case["plain"][rank])
        # Given PyTorch's permutation, the shares are PyTorch's.
        assert partition(case["permutation"], replicas, rank, drop_last) == case["shuffled"][rank]


@pytest.mark.parametrize("n, replicas, drop_last", [(10, 3, False), (10, 3, True), (2, 5, False)])
def test_shuffled_shares_cover_the_dataset(n, replicas, drop_last):
    shares = []
    for rank in range(replicas):
        s = DistributedSampler(range(n), replicas, rank, seed=7, drop_last=drop_last)
        s.set_epoch(2)
        shares.append(list(s))
    assert len({len(share) for share in shares}) == 1  # every rank takes as many steps
    seen = [i for share in shares for i in share]
    if drop_last:
        assert len(set(seen)) == len(seen) == (n // replicas) * replicas  # none twice
    else:
        assert set(seen) == set(range(n))  # all, padded by repeating
    again = DistributedSampler(range(n), replicas, 0, seed=7, drop_last=drop_last)
    again.set_epoch(2)
    assert list(again) == shares[0]  # the order depends on seed and epoch alone
    again.set_epoch(3)
    assert list(again) != shares[0] or n < 4


def test_sampler_arguments(local_group):
    s = DistributedSampler(range(5))  # rank and world size from the group
    assert (s.rank, s.num_replicas, len(list(s))) == (0, 1, 5)
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1"):
        DistributedSampler(range(5), num_replicas=2, rank=2)
    assert minigrad.utils.data.DistributedSampler is DistributedSampler


def test_sampler_without_a_group_says_so():
    with pytest.raises(ValueError, match="init_process_group"):
        DistributedSampler(range(5))


# ----------------------------------------------------------------------------------------
# The process group and collectives (the "local" backend)
# ----------------------------------------------------------------------------------------


def test_local_collectives(local_group):
    assert dist.is_initialized() and dist.get_backend() == "local"
    t = minigrad.tensor([1.0, -2.0])
    for op in (dist.ReduceOp.SUM, dist.ReduceOp.AVG, dist.ReduceOp.MAX, dist.ReduceOp.MIN):
        dist.all_reduce(t, op=op)
    assert t.tolist() == [1.0, -2.0]
    with pytest.raises(ValueError, match="floating-point"):
        dist.all_reduce(minigrad.tensor([1, 2]), op=dist.ReduceOp.AVG)
    view = minigrad.arange(6.0).reshape(2, 3).transpose(0, 1)  # not contiguous
    dist.all_reduce(view)
    assert view.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    with pytest.raises(ValueError, match="one tensor per process"):
        dist.all_gather([minigrad.zeros(2)] * 2, minigrad.ones(2))
    with pytest.raises(ValueError, match="src=1"):
        dist.broadcast(t, src=1)
    with pytest.raises(RuntimeError, match="twice"):
        dist.init_process_group("local")


def test_calls_outside_a_group_say_what_to_do():
    assert not dist.is_initialized()
    with pytest.raises(ValueError, match="init_process_group"):
        dist.get_rank()
    with pytest.raises(ValueError, match="init_process_group"):
        dist.all_reduce(minigrad.ones(1))


def test_mpi_backend_without_mpi4py_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # import mpi4py now fails
    with pytest.raises(RuntimeError, match=r'pip install -e "\.\[distributed\]"'):
        dist.init_process_group("mpi")
    assert not dist.is_initialized()


@pytest.mark.skipif(backend.cupy is not None, reason="tests the error given without CuPy")
def test_nccl_without_cupy_and_unknown_backends():
    with pytest.raises(RuntimeError, match=r"needs CuPy and NVIDIA GPUs: pip install"):
        dist.init_process_group("nccl")
    with pytest.raises(ValueError, match="Invalid backend"):
        dist.init_process_group("gloo")
    with pytest.raises(RuntimeError, match="world_size=2 was given"):
        dist.init_process_group("local", world_size=2)
    assert not dist.is_initialized()


# ----------------------------------------------------------------------------------------
# DDP and SyncBatchNorm with one process
# ----------------------------------------------------------------------------------------


def _mlp():
    minigrad.manual_seed(0)
    return nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


def test_ddp_with_one_process_is_the_module(local_group):
    x, y = minigrad.randn(16, 6), minigrad.randint(0, 3, (16,))
    plain = _mlp()
    wrapped = DDP(_mlp(), bucket_cap_mb=0.0001)  # several buckets
    assert len(wrapped.reducer.buckets) > 1
    for model in (plain, wrapped):
        minigrad.cross_entropy(model(x), y).backward()
    for p, q in zip(plain.parameters(), wrapped.module.parameters()):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())
        assert type(q).__name__ == "Parameter"  # the markers are gone after forward
    assert list(wrapped.state_dict()) == ["module." + k for k in plain.state_dict()]
    wrapped.module.zero_grad()
    with wrapped.no_sync():  # accumulation: no_sync, then a synchronised backward
        minigrad.cross_entropy(wrapped(x[:8]), y[:8]).backward()
    minigrad.cross_entropy(wrapped(x[8:]), y[8:]).backward()
    plain.zero_grad()
    minigrad.cross_entropy(plain(x[:8]), y[:8]).backward()
    minigrad.cross_entropy(plain(x[8:]), y[8:]).backward()
    for p, q in zip(plain.parameters(), wrapped.module.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-6, atol=1e-7)
    with minigrad.no_grad():  # evaluation: no markers, nothing to reduce
        wrapped.eval()(x)


def test_ddp_unused_parameter_is_reported(local_group):
    model = DDP(_TwoHeads())
    model(minigrad.ones(1, 2)).sum().backward()
    with pytest.raises(RuntimeError, match="finished reduction in the prior iteration"):
        model(minigrad.ones(1, 2))


def test_ddp_starts_each_bucket_as_soon_as_it_is_full(local_group):
    """Buckets hold the parameters in reverse order and are sent during backward: the
    last layer's bucket goes out before the first layer's gradient exists."""
    model = DDP(_mlp(), bucket_cap_mb=0.0001)
    reducer = model.reducer
    assert reducer.buckets[0].indices[0] == len(reducer.params) - 1  # the last parameter
    launches = []
    send = reducer.group.iallreduce

    def record(buffer, op):
        launches.append(sum(len(b.pending) for b in reducer.buckets))  # gradients to come
        return send(buffer, op)

    reducer.group.iallreduce = record
    model(minigrad.randn(4, 6)).sum().backward()
    assert len(launches) == len(reducer.buckets) > 1
    assert launches[0] > 0 and launches[-1] == 0  # the first went out mid-backward


def test_ddp_find_unused_parameters(local_group):
    model = DDP(_TwoHeads(), find_unused_parameters=True)
    for _ in range(2):  # no error at the second forward: the unused head counted as ready
        model(minigrad.ones(1, 2)).sum().backward()
    assert model.module.used.weight.grad.tolist() == [[2.0, 2.0], [2.0, 2.0]]
    assert model.module.unused.weight.grad is None  # used by no process: left alone


def test_ddp_counts_each_gradient_once(local_group):
    model = DDP(nn.Linear(2, 1))
    first = model(minigrad.ones(1, 2))
    second = model(minigrad.ones(1, 2))  # a second forward before backward
    with pytest.raises(RuntimeError, match="mark a variable ready only once"):
        (first + second).sum().backward()


class _TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.used, self.unused = nn.Linear(2, 2), nn.Linear(2, 2)

    def forward(self, x):
        return self.used(x)


def test_ddp_needs_a_group_and_a_module():
    with pytest.raises(ValueError, match="init_process_group"):
        DDP(nn.Linear(2, 2))
    dist.init_process_group("local")
    try:
        with pytest.raises(TypeError, match="wraps a Module"):
            DDP(lambda x: x)
    finally:
        dist.destroy_process_group()


@pytest.mark.parametrize("grouped", [False, True])
def test_sync_batchnorm_alone_is_batchnorm(grouped, request):
    if grouped:
        request.getfixturevalue("local_group")
    minigrad.manual_seed(1)
    x = minigrad.randn(4, 3, 5, 5) * 3 + 1
    bn, sync = nn.BatchNorm2d(3), nn.SyncBatchNorm(3)
    outs = []
    for layer in (bn, sync):
        xi = x.detach().requires_grad_()
        out = layer(xi)
        (out * out.detach().exp()).sum().backward()
        outs.append((out.numpy(), xi.grad.numpy(), layer.weight.grad.numpy()))
    for a, b in zip(*outs):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(bn.running_var.numpy(), sync.running_var.numpy())
    assert int(sync.num_batches_tracked) == 1


def test_convert_sync_batchnorm_keeps_the_state():
    model = _mlp()
    model[1].running_mean.fill_(0.5)
    model.eval()
    weight = model[1].weight
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    layer = converted[1]
    assert isinstance(layer, nn.SyncBatchNorm) and layer.weight is weight
    assert layer.running_mean.tolist() == [0.5] * 8 and not layer.training
    assert list(converted.state_dict()) == list(_mlp().state_dict())
    with pytest.raises(ValueError, match="expected at least 2D input"):
        nn.SyncBatchNorm(3)(minigrad.ones(3))
