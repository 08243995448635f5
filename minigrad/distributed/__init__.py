"""``minigrad.distributed``: several processes training one model, as ``torch.distributed``.

Data parallelism in three pieces, each in its own place:

* here, the **process group** (``process_group.py``: ``init_process_group``,
  ``get_rank``, ``get_world_size``...) and the **collectives** on tensors
  (``collectives.py``: ``all_reduce``, ``broadcast``, ``all_gather``, ``reduce_scatter``,
  ``barrier``), on MPI through mpi4py;
* :class:`minigrad.nn.parallel.DistributedDataParallel`, which keeps the replicas of a
  model equal by averaging their gradients after backward;
* :class:`minigrad.data.DistributedSampler`, which gives each process its own share of
  the dataset; and :class:`minigrad.nn.SyncBatchNorm`, batch statistics over all of them.

Launch one process per rank with MPI (``docs/distributed.md``)::

    mpiexec -n 2 python -m mpi4py train.py

Example:
    >>> import minigrad
    >>> import minigrad.distributed as dist
    >>> dist.init_process_group("local")  # "mpi" under mpiexec
    >>> grad = minigrad.tensor([2.0, 4.0])
    >>> dist.all_reduce(grad, op=dist.ReduceOp.AVG)  # the mean over the processes
    >>> grad
    tensor([2., 4.])
    >>> dist.destroy_process_group()
"""

from .collectives import ReduceOp, all_gather, all_reduce, barrier, broadcast, reduce_scatter
from .process_group import (
    destroy_process_group,
    get_backend,
    get_rank,
    get_world_size,
    init_process_group,
    is_available,
    is_initialized,
    is_mpi_available,
)

__all__ = [
    "ReduceOp",
    "all_gather",
    "all_reduce",
    "barrier",
    "broadcast",
    "destroy_process_group",
    "get_backend",
    "get_rank",
    "get_world_size",
    "init_process_group",
    "is_available",
    "is_initialized",
    "is_mpi_available",
    "reduce_scatter",
]
