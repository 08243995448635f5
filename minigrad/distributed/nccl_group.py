"""The ``"nccl"`` process group: collectives between GPUs through NCCL, NVIDIA's library.

MPI still starts the job and decides the ranks (``mpiexec -n N python -m mpi4py ...``);
NCCL then moves the arrays directly from GPU to GPU, without the two host copies the
``"mpi"`` backend makes for a GPU tensor. Setting it up takes three steps:

1. each process picks its GPU: ``device_id`` if given, else its rank among the
   processes of its machine (NCCL refuses two ranks on one GPU, so a machine runs at
   most as many processes as it has GPUs);
2. rank 0 asks NCCL for a unique id, and an MPI broadcast gives it to the others;
3. every process makes an ``NcclCommunicator`` from the id, the world size and its rank.

The group's collectives take arrays on this process's GPU to NCCL: each call is queued
on CuPy's current stream and returns at once; whatever runs later on that stream (the
division of a bucket by the world size, the optimizer step) waits for it there, so no
host synchronisation is needed. Host (NumPy) arrays, such as SyncBatchNorm's per-channel
statistics and DDP's small metadata, go through MPI, as in the ``"mpi"`` group.

This path is written to NCCL's documented API but has not run on a GPU yet: its CPU-side
logic is tested with a stand-in NCCL over MPI on host memory
(``tests/test_distributed_mpi.py``). ``backend="mpi"`` is the verified path for GPUs.
"""

from __future__ import annotations

from .. import backend
from .mpi_group import MPIGroup, _Request

# NumPy dtype names -> the names of NCCL's data types in cupy.cuda.nccl
_DTYPES = {
    "int8": "NCCL_INT8", "uint8": "NCCL_UINT8", "int32": "NCCL_INT32",
    "uint32": "NCCL_UINT32", "int64": "NCCL_INT64", "uint64": "NCCL_UINT64",
    "float16": "NCCL_FLOAT16", "float32": "NCCL_FLOAT32", "float64": "NCCL_FLOAT64",
}  # fmt: skip
_OPS = {"sum": "NCCL_SUM", "product": "NCCL_PROD", "max": "NCCL_MAX", "min": "NCCL_MIN"}


class NCCLGroup:
    """MPI's processes, with NCCL communicating the arrays on their GPUs."""

    backend = "nccl"

    def __init__(self, MPI, nccl, device, comm=None) -> None:
        self.host = MPIGroup(MPI, comm)  # ranks, the unique id, barriers, host arrays
        self.MPI, self.nccl, self.device = MPI, nccl, device
        self.rank, self.size = self.host.rank, self.host.size
        uid = nccl.get_unique_id() if self.rank == 0 else None
        uid = self.host.comm.bcast(uid, root=0)
        with device.activate():
            self.comm = nccl.NcclCommunicator(self.size, uid, self.rank)
        self.dtypes = {name: getattr(nccl, code) for name, code in _DTYPES.items()}
        self.ops = {name: getattr(nccl, code) for name, code in _OPS.items()}

    @classmethod
    def create(cls, MPI, nccl, device_id=None) -> NCCLGroup:
        """The group of the job's processes, each on its own GPU (see the module docstring)."""
        local = MPI.COMM_WORLD.Split_type(MPI.COMM_TYPE_SHARED)
        local_rank, local_size = local.Get_rank(), local.Get_size()
        local.Free()
        gpus = backend.cuda_device_count()
        if device_id is None:
            if local_size > gpus:
                raise RuntimeError(
                    f"the 'nccl' backend needs one GPU per process: {local_size} processes "
                    f"run on this machine, which has {gpus} GPU(s) (NCCL refuses two ranks "
                    f"on one GPU); start at most {gpus} per machine, or use backend='mpi'"
                )
            device = backend.Device("cuda", local_rank)
        else:
            device = backend.Device(device_id if isinstance(device_id, str) else "cuda",
                                    device_id if isinstance(device_id, int) else None)  # fmt: skip
            if not device.is_cuda:
                raise ValueError(f"the 'nccl' backend needs a CUDA device_id, got {device}")
        return cls(MPI, nccl, device)

    def _here(self, array) -> bool:
        """Whether NCCL moves this array: it lives on this process's GPU."""
        return backend.device_of(array) is self.device

    def _dtype(self, array):
        code = self.dtypes.get(array.dtype.name)
        if code is None:
            raise TypeError(
                f"NCCL has no {array.dtype} type (it moves {', '.join(_DTYPES)}); convert "
                "the tensor first, e.g. a bool tensor with .to(minigrad.uint8)"
            )
        return code

    def allreduce(self, array, op: str) -> None:
        if not self._here(array):
            return self.host.allreduce(array, op)
        address = backend.array_address(array)
        self.comm.allReduce(address, address, array.size, self._dtype(array), self.ops[op],
                            backend.current_stream_address())  # fmt: skip

    def iallreduce(self, array, op: str):
        """Queue the all-reduce on the stream: later work on the stream waits for it."""
        if not self._here(array):
            return self.host.iallreduce(array, op)
        self.allreduce(array, op)
        return _Request()

    def bcast(self, array, root: int) -> None:
        if not self._here(array):
            return self.host.bcast(array, root)
        self.comm.bcast(backend.array_address(array), array.size, self._dtype(array), root,
                        backend.current_stream_address())  # fmt: skip

    def allgather(self, send, recv) -> None:
        if not (self._here(send) and self._here(recv)):
            return self.host.allgather(backend.to_host(send), recv)
        self.comm.allGather(backend.array_address(send), backend.array_address(recv),
                            send.size, self._dtype(send),
                            backend.current_stream_address())  # fmt: skip

    def reduce_scatter(self, send, recv, op: str) -> None:
        if not (self._here(send) and self._here(recv)):
            return self.host.reduce_scatter(backend.to_host(send), recv, op)
        self.comm.reduceScatter(backend.array_address(send), backend.array_address(recv),
                                recv.size, self._dtype(send), self.ops[op],
                                backend.current_stream_address())  # fmt: skip

    def allgather_object(self, value) -> list:
        return self.host.allgather_object(value)

    def barrier(self) -> None:
        """Every process here, with its queued collectives finished."""
        with self.device.activate():
            backend.cuda_synchronize()
        self.host.barrier()

    def dup(self) -> NCCLGroup:
        """The same processes and GPUs on a communicator of their own (collective)."""
        return NCCLGroup(self.MPI, self.nccl, self.device, self.host.comm.Dup())

    def close(self) -> None:
        """Free NCCL's communicator (destroy_process_group)."""
        self.comm.destroy()
