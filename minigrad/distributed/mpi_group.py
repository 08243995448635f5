"""The process groups that move arrays between processes: :class:`MPIGroup` (MPI's
``COMM_WORLD`` through mpi4py) and :class:`LocalGroup` (one process, every collective the
identity). ``process_group.py`` makes one of them (or an ``NCCLGroup``) the default group;
the collectives, DDP and SyncBatchNorm call its methods with arrays.
"""

from __future__ import annotations

import numpy as np


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
