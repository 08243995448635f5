"""``DistributedDataParallel``: one replica of the model per process, kept equal.

Each process runs the same model on its own share of the batch. Averaging the
processes' gradients gives every replica the gradient of the whole batch: with ``P``
processes of ``B`` samples each and a loss that is a mean over samples,

    grad( (1 / (P * B)) * sum over all samples ) = (1 / P) * sum over processes of
                                                   grad( (1 / B) * sum over its samples ),

so an optimizer step on the averaged gradient is the step of one process on a batch of
``P * B``. If the replicas start equal (rank 0's parameters are broadcast at
construction) and take equal steps, they stay equal, without ever sending parameters.
"""

from __future__ import annotations

import contextlib

from ...distributed import process_group as _process_group
from ...distributed.process_group import buffer_device
from ...grad_mode import is_grad_enabled
from ..module import Module
from .reducer import Reducer, reachable_markers


class DistributedDataParallel(Module):
    """Wrap ``module`` so that ``backward()`` leaves every process with the gradient
    averaged over all processes (PyTorch's ``torch.nn.parallel.DistributedDataParallel``).

    At construction it checks that every process holds a model of the same parameter
    names and shapes, and copies rank 0's parameters and buffers to the others. In each
    training forward it reads the parameters through a marker that sees, during
    backward, when a parameter's gradient is complete; the gradients are then averaged
    in buckets of about ``bucket_cap_mb`` megabytes, each one non-blocking all-reduce
    started as soon as the bucket is full (see ``nn/parallel/reducer.py``). Whether MPI
    moves the data while backward goes on depends on the MPI library's progress (Open
    MPI over TCP moves most of it when the reducer waits, at the end of backward).

    ``broadcast_buffers=True`` copies rank 0's buffers (BatchNorm's running statistics)
    to every process before each forward in training. ``no_sync()`` skips the averaging:
    gradients accumulate locally, and the next backward outside it averages the sum.
    ``state_dict()`` keys carry the ``module.`` prefix, as PyTorch's do. Every parameter
    that requires a gradient must receive one in each backward, unless
    ``find_unused_parameters=True``: then each forward walks the output's graph to find
    the parameters it does not depend on, and counts their gradients as zero (a parameter
    no process used keeps its ``.grad``), as PyTorch does.

    Example:
        >>> import minigrad
        >>> import minigrad.distributed as dist
        >>> from minigrad import nn
        >>> dist.init_process_group("local")  # "mpi" under mpiexec
        >>> model = nn.parallel.DistributedDataParallel(nn.Linear(3, 2))
        >>> model(minigrad.ones(4, 3)).sum().backward()  # gradients averaged over processes
        >>> model.module.bias.grad
        tensor([4., 4.])
        >>> list(model.state_dict())
        ['module.weight', 'module.bias']
        >>> dist.destroy_process_group()
    """

    def __init__(
        self,
        module: Module,
        device_ids=None,
        output_device=None,
        dim: int = 0,
        broadcast_buffers: bool = True,
        process_group=None,
        bucket_cap_mb: float | None = None,
        find_unused_parameters: bool = False,
        gradient_as_bucket_view: bool = False,
        static_graph: bool = False,
    ) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel wraps a Module, got {type(module).__name__}")
        if process_group is not None and process_group is not _process_group._group:
            raise NotImplementedError("only the default process group is supported")
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.bucket_cap_mb = 25.0 if bucket_cap_mb is None else float(bucket_cap_mb)
        # DDP's own communicator: its non-blocking all-reduces are then ordered among
        # themselves only, whatever collectives the model (SyncBatchNorm) or the user make.
        group = _process_group.default_group().dup()
        object.__setattr__(self, "_group", group)
        self._check_replicas(group)
        self._sync_from_rank0(list(module.parameters()) + list(module.buffers()))
        params = [p for p in module.parameters() if p.requires_grad]
        object.__setattr__(self, "_params", params)
        cap = max(1, int(self.bucket_cap_mb * 1024 * 1024))
        reducer = Reducer(params, group, cap, find_unused=bool(find_unused_parameters))
        object.__setattr__(self, "reducer", reducer)
        self.find_unused_parameters = bool(find_unused_parameters)
        self.require_backward_grad_sync = True

    def _check_replicas(self, group) -> None:
        """Every process must hold the same model: compare the names, shapes and dtypes
        of the parameters with rank 0's, and say which rank differs, and how."""
        mine = [(n, tuple(p.shape), str(p.dtype)) for n, p in self.module.named_parameters()]
        everyone = group.allgather_object((group.size, mine))
        sizes = {size for size, _ in everyone}
        if len(sizes) > 1:
            raise RuntimeError(f"DistributedDataParallel: the processes disagree on the world "
                               f"size: {[size for size, _ in everyone]}")  # fmt: skip
        reference = everyone[0][1]
        for rank, (_, theirs) in enumerate(everyone):
            if theirs != reference:
                diff = [(a, b) for a, b in zip(reference, theirs) if a != b]
                detail = (
                    f"first difference: rank 0 has {diff[0][0]}, rank {rank} has {diff[0][1]}"
                    if diff
                    else f"rank 0 has {len(reference)} parameters, rank {rank} {len(theirs)}"
                )
                raise RuntimeError(
                    "DistributedDataParallel: the model's parameters differ between "
                    f"processes (this is rank {group.rank}); {detail}. Every process must "
                    "build the same model."
                )

    def _sync_from_rank0(self, tensors) -> None:
        """Copy rank 0's values into these tensors on every process (done at
        construction, and for the buffers before each training forward): one broadcast
        per device and dtype, of a flat buffer holding them all, rather than one per
        tensor, since each broadcast waits for every process."""
        if self._group.size == 1:
            return
        by_dtype = {}
        for t in tensors:
            by_dtype.setdefault((t.device, t._data.dtype), []).append(t)
        for (device, _), group in by_dtype.items():
            home = buffer_device(self._group, device)
            flat = home.xp.concatenate([home.move(t._data).reshape(-1) for t in group])
            self._group.bcast(flat, 0)
            offset = 0
            for t in group:
                part = flat[offset : offset + t.numel()].reshape(t.shape)
                offset += t.numel()
                t._data[...] = t.device.move(part)
                t._version.value += 1

    def forward(self, *inputs, **kwargs):
        """Run the wrapped module; in training, under grad mode and outside ``no_sync``,
        with its parameters read through the reducer's markers."""
        if self.training and self.broadcast_buffers:
            self._sync_from_rank0(list(self.module.buffers()))
        if not (is_grad_enabled() and self.require_backward_grad_sync and self._params):
            return self.module(*inputs, **kwargs)
        marked = self.reducer.prepare()
        swapped = _swap_parameters(self.module, dict(zip(map(id, self._params), marked)))
        try:
            output = self.module(*inputs, **kwargs)
        finally:
            for registry, name, original in swapped:
                registry[name] = original
        if self.find_unused_parameters:  # what the output does not depend on is ready now
            used = reachable_markers(output, self.reducer)
            for i in range(len(self._params)):
                if i not in used:
                    self.reducer.mark_unused(i)
        return output

    @contextlib.contextmanager
    def no_sync(self):
        """A context in which backward does not average: gradients accumulate in each
        process's ``.grad``; the first backward after it averages the accumulated sum.

        Example:
            >>> import minigrad
            >>> import minigrad.distributed as dist
            >>> from minigrad import nn
            >>> dist.init_process_group("local")
            >>> model = nn.parallel.DistributedDataParallel(nn.Linear(2, 1))
            >>> with model.no_sync():  # accumulate two micro-batches without communicating
            ...     model(minigrad.ones(1, 2)).sum().backward()
            >>> model(minigrad.ones(1, 2)).sum().backward()  # averages the accumulated sum
            >>> model.module.bias.grad
            tensor([2.])
            >>> dist.destroy_process_group()
        """
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous


def _swap_parameters(module: Module, replacement: dict) -> list:
    """Put each parameter's marked stand-in into the registries that hold it (every
    submodule, so that a shared parameter is marked once), and return what to restore."""
    swapped = []
    for sub in module.modules():
        registry = sub._parameters
        for name, param in registry.items():
            if param is not None and id(param) in replacement:
                swapped.append((registry, name, param))
    for registry, name, param in swapped:
        registry[name] = replacement[id(param)]
    return swapped
