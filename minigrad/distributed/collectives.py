"""Collectives on tensors: ``all_reduce``, ``broadcast``, ``all_gather``,
``reduce_scatter`` and ``barrier``, with PyTorch's names and arguments.

Every process of the group must make the same calls in the same order, with tensors of
the same shape and dtype: a collective is a meeting, and a process that skips one leaves
the others waiting. The result is written into the tensors given (in place), as in
PyTorch.

A CPU tensor's NumPy array is handed to MPI directly (a buffer call, no pickling). With
the ``"mpi"`` backend a GPU tensor goes through the host: copied to a NumPy array,
reduced, copied back; with ``"nccl"`` its GPU array is handed to NCCL directly.
"""

from __future__ import annotations

from ..grad_mode import no_grad
from ..tensor import Tensor
from .process_group import _check_group, as_buffer, buffer_device, default_group


class ReduceOp:
    """How :func:`all_reduce` combines the processes' values, element by element:
    ``SUM``, ``AVG`` (the sum divided by the world size, floats only), ``MAX``, ``MIN``,
    ``PRODUCT``.

    Example:
        >>> import minigrad.distributed as dist
        >>> dist.ReduceOp.SUM, dist.ReduceOp.AVG
        ('sum', 'avg')
    """

    SUM = "sum"
    AVG = "avg"
    MAX = "max"
    MIN = "min"
    PRODUCT = "product"


_OPS = (ReduceOp.SUM, ReduceOp.AVG, ReduceOp.MAX, ReduceOp.MIN, ReduceOp.PRODUCT)


def _buffer(group, tensor: Tensor):
    """A C-contiguous array with the tensor's values where the group communicates it:
    the tensor's own array when it is one (so the result lands in the tensor in place),
    else a copy (on the host for MPI; on the GPU for NCCL)."""
    return as_buffer(tensor._data, buffer_device(group, tensor.device))


def _write_back(tensor: Tensor, buffer) -> None:
    """Put the result into the tensor, unless the collective already wrote it there."""
    if buffer is not tensor._data:
        tensor._data[...] = tensor.device.move(buffer)
    tensor._version.value += 1


def _check(tensor, what: str) -> None:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{what}: expected a Tensor, got {type(tensor).__name__}")


def _no_async(async_op: bool) -> None:
    if async_op:
        raise NotImplementedError("async_op=True is not supported: collectives here block")


def reduce_array(group, buffer, op: str) -> None:
    """All-reduce an array in place (see :func:`_buffer` for where it lives)."""
    if op not in _OPS:
        raise ValueError(f"unknown reduce op {op!r}; use one of the ReduceOp names")
    if op == ReduceOp.AVG:
        if buffer.dtype.kind != "f":
            raise ValueError(f"ReduceOp.AVG needs a floating-point tensor, got {buffer.dtype}")
        group.allreduce(buffer, ReduceOp.SUM)
        buffer /= group.size
    else:
        group.allreduce(buffer, op)


@no_grad()
def all_reduce(tensor: Tensor, op: str = ReduceOp.SUM, group=None, async_op: bool = False):
    """Combine ``tensor`` across all processes with ``op`` and write the result into it,
    on every process.

    Example:
        >>> import minigrad
        >>> import minigrad.distributed as dist
        >>> dist.init_process_group("local")
        >>> t = minigrad.tensor([1.0, 2.0])
        >>> dist.all_reduce(t, op=dist.ReduceOp.SUM)  # with N processes: the sum of N tensors
        >>> t
        tensor([1., 2.])
        >>> dist.destroy_process_group()
    """
    _check(tensor, "all_reduce")
    _check_group(group)
    _no_async(async_op)
    g = default_group()
    buffer = _buffer(g, tensor)
    reduce_array(g, buffer, op)
    _write_back(tensor, buffer)


@no_grad()
def broadcast(tensor: Tensor, src: int = 0, group=None, async_op: bool = False):
    """Copy rank ``src``'s ``tensor`` into ``tensor`` on every other process.

    Example:
        >>> import minigrad
        >>> import minigrad.distributed as dist
        >>> dist.init_process_group("local")
        >>> t = minigrad.tensor([3.0])
        >>> dist.broadcast(t, src=0)
        >>> t
        tensor([3.])
        >>> dist.destroy_process_group()
    """
    _check(tensor, "broadcast")
    _check_group(group)
    _no_async(async_op)
    g = default_group()
    if not 0 <= src < g.size:
        raise ValueError(f"broadcast: src={src} is not a rank of a group of {g.size}")
    buffer = _buffer(g, tensor)
    g.bcast(buffer, src)
    _write_back(tensor, buffer)


@no_grad()
def all_gather(tensor_list: list, tensor: Tensor, group=None, async_op: bool = False):
    """Collect every process's ``tensor`` into ``tensor_list`` (entry ``i`` from rank
    ``i``), on every process.

    Example:
        >>> import minigrad
        >>> import minigrad.distributed as dist
        >>> dist.init_process_group("local")
        >>> out = [minigrad.zeros(2)]  # one tensor per process
        >>> dist.all_gather(out, minigrad.tensor([1.0, 2.0]))
        >>> out
        [tensor([1., 2.])]
        >>> dist.destroy_process_group()
    """
    _check(tensor, "all_gather")
    _check_group(group)
    _no_async(async_op)
    g = default_group()
    if len(tensor_list) != g.size:
        raise ValueError(
            f"all_gather: tensor_list must hold one tensor per process ({g.size}), "
            f"got {len(tensor_list)}"
        )
    send = _buffer(g, tensor)
    recv = buffer_device(g, tensor.device).xp.empty((g.size, *send.shape), dtype=send.dtype)
    g.allgather(send, recv)
    for out, part in zip(tensor_list, recv):
        _check(out, "all_gather")
        if tuple(out.shape) != send.shape:
            raise ValueError(
                f"all_gather: output tensors must have the input's shape {send.shape}, got "
                f"{tuple(out.shape)}"
            )
        out._data[...] = out.device.move(part.astype(out._data.dtype, copy=False))
        out._version.value += 1


@no_grad()
def reduce_scatter(
    output: Tensor, input_list: list, op: str = ReduceOp.SUM, group=None, async_op: bool = False
):
    """Reduce ``input_list`` (one tensor per process) across processes with ``op``, and
    give rank ``i`` the ``i``-th reduced tensor, in ``output``.

    Example:
        >>> import minigrad
        >>> import minigrad.distributed as dist
        >>> dist.init_process_group("local")
        >>> out = minigrad.zeros(2)
        >>> dist.reduce_scatter(out, [minigrad.tensor([5.0, 6.0])])
        >>> out
        tensor([5., 6.])
        >>> dist.destroy_process_group()
    """
    _check(output, "reduce_scatter")
    _check_group(group)
    _no_async(async_op)
    g = default_group()
    if len(input_list) != g.size:
        raise ValueError(
            f"reduce_scatter: input_list must hold one tensor per process ({g.size}), "
            f"got {len(input_list)}"
        )
    home = buffer_device(g, output.device)
    send = home.xp.stack([as_buffer(t._data, home) for t in input_list])
    recv = home.xp.empty(send.shape[1:], dtype=send.dtype)
    if op == ReduceOp.AVG:
        g.reduce_scatter(send, recv, ReduceOp.SUM)
        recv /= g.size
    else:
        g.reduce_scatter(send, recv, op)
    output._data[...] = output.device.move(recv)
    output._version.value += 1


def barrier(group=None, async_op: bool = False, device_ids=None) -> None:
    """Wait until every process of the group has reached this call.

    Example:
        >>> import minigrad.distributed as dist
        >>> dist.init_process_group("local")
        >>> dist.barrier()
        >>> dist.destroy_process_group()
    """
    _check_group(group)
    _no_async(async_op)
    default_group().barrier()
