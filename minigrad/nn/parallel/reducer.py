"""DDP's reducer: gradients averaged across processes in a few large all-reduces.

One all-reduce per parameter would pay MPI's fixed cost per call dozens of times a step;
one for all gradients would wait for the whole backward pass before sending anything. So
the gradients are packed into *buckets*, flat buffers of at most ``bucket_cap_mb`` (on the
host for MPI, on the GPU for NCCL),
filled in the reverse order of ``parameters()``: roughly the order in which backward
produces them (the last layer's gradient comes first). A bucket's all-reduce starts
(non-blocking) as soon as all its gradients are in, and in bucket order, so every
process issues the same all-reduces in the same order.

How a gradient is seen the moment it is complete, without changing the engine: during
DDP's forward, each parameter is read through :class:`_GradReady`, an identity Function.
The engine runs a Function only once all the gradient flowing into it has been summed,
so ``_GradReady.backward`` receives the parameter's whole gradient of this backward
pass. It returns None (the engine adds nothing to ``.grad``); the reducer writes the
averaged gradient into ``.grad`` itself once the last bucket is done.
"""

from __future__ import annotations

import numpy as np

from ... import backend
from ...autograd import Function
from ...distributed.process_group import buffer_device
from ...tensor import Tensor


class _GradReady(Function):
    """Identity in forward; in backward, hands the parameter's gradient to the reducer."""

    is_view = True  # the output shares the parameter's array (and its version counter)

    def forward(self, array, reducer=None, index=0):
        self.reducer, self.index = reducer, index
        return array

    def backward(self, grad):
        self.reducer.grad_ready(self.index, grad)
        return None


class _Bucket:
    """Parameters (by index) that share one flat buffer and one all-reduce."""

    def __init__(self, indices: list[int], params: list, dtype, home) -> None:
        self.indices = indices
        self.offsets = {}
        total = 0
        for i in indices:
            self.offsets[i] = (total, total + params[i].numel())
            total += params[i].numel()
        self.buffer = home.xp.zeros(total, dtype=dtype)  # where the group communicates
        self.pending = set(indices)
        self.request = None


def make_buckets(params: list, cap_bytes: int, home) -> list[_Bucket]:
    """Group parameters in reverse order into buckets of one dtype and at most
    ``cap_bytes`` each (a larger parameter gets a bucket of its own), with their buffers
    on the device ``home``."""
    buckets, current, size, dtype = [], [], 0, None
    for i in reversed(range(len(params))):
        p = params[i]
        nbytes = p.numel() * p._data.dtype.itemsize
        if current and (p._data.dtype != dtype or size + nbytes > cap_bytes):
            buckets.append(_Bucket(current, params, dtype, home))
            current, size = [], 0
        current.append(i)
        size += nbytes
        dtype = p._data.dtype
    if current:
        buckets.append(_Bucket(current, params, dtype, home))
    return buckets


class Reducer:
    """Collects the parameters' gradients into buckets during backward, all-reduces each
    bucket when it is full, and writes the averages into ``.grad`` at the end.

    With ``find_unused=True``, DDP reports after forward which parameters the output does
    not depend on (:meth:`mark_unused`); they count as ready, with what ``.grad`` holds
    (or zeros), and a parameter that no process used keeps its ``.grad`` untouched (one
    more small all-reduce, of the flags of which parameters were used, as PyTorch's).
    """

    def __init__(self, params: list, group, cap_bytes: int, find_unused: bool = False) -> None:
        self.params = params
        self.group = group
        self.find_unused = find_unused
        # the host for MPI, the GPU for NCCL (on the parameters' GPU)
        self.home = buffer_device(group, params[0].device) if params else backend.Device("cpu")
        self.buckets = make_buckets(params, cap_bytes, self.home)
        self.bucket_of = {i: b for b in self.buckets for i in b.indices}
        self.next_bucket = 0  # buckets are launched in this order on every process
        self.in_flight = 0  # buckets before this one have finished their all-reduce
        self.used = np.zeros(len(params), dtype=np.float32)
        self.generation = 0  # which forward the markers belong to
        self.armed = False

    def prepare(self) -> list[Tensor]:
        """Start an iteration: the parameters as DDP's forward should read them."""
        if self.armed and any(b.pending != set(b.indices) for b in self.buckets):
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a "
                "new one. This error indicates that your module has parameters that were not "
                "used in producing loss: pass find_unused_parameters=True to "
                "DistributedDataParallel, or make sure that every parameter that requires grad "
                "receives a gradient in every backward pass (and that backward() was called on "
                "the output of the previous forward)."
            )
        for bucket in self.buckets:
            bucket.pending = set(bucket.indices)
            bucket.request = None
        self.next_bucket = self.in_flight = 0
        self.used[:] = 0
        self.generation += 1
        self.armed = True
        return [
            _GradReady.apply(p, reducer=self, index=(self.generation, i))
            for i, p in enumerate(self.params)
        ]

    def grad_ready(self, index: tuple[int, int], grad) -> None:
        """A parameter's gradient of this backward is complete: add what ``.grad`` held
        (gradients accumulated under ``no_sync``) and put it in its bucket."""
        generation, i = index
        bucket = self.bucket_of[i]
        if generation != self.generation or not self.armed or i not in bucket.pending:
            raise RuntimeError(
                "Expected to mark a variable ready only once: under DistributedDataParallel, "
                "each forward must be followed by exactly one backward through its output "
                "(a second forward before backward, or a second backward through the same "
                "graph, would count a gradient twice)"
            )
        self.used[i] = 1
        self._put(i, bucket, self.home.move(grad))

    def mark_unused(self, i: int) -> None:
        """The output does not depend on parameter ``i``: its gradient is ready, as zero."""
        self._put(i, self.bucket_of[i], None)

    def _put(self, i: int, bucket: _Bucket, grad) -> None:
        p = self.params[i]
        start, end = bucket.offsets[i]
        slot = bucket.buffer[start:end]
        if grad is None:
            slot[...] = 0
        else:
            slot[...] = grad.reshape(-1)
        if p.grad is not None:
            slot += self.home.move(p.grad._data).reshape(-1)
        bucket.pending.discard(i)
        for launched in self.buckets[self.in_flight : self.next_bucket]:
            if not launched.request.test():  # a progress call: see _MPIRequest.test
                break
            self.in_flight += 1
        while self.next_bucket < len(self.buckets) and not self.buckets[self.next_bucket].pending:
            self.buckets[self.next_bucket].request = self.group.iallreduce(
                self.buckets[self.next_bucket].buffer, "sum"
            )
            self.next_bucket += 1
        if self.next_bucket == len(self.buckets):
            self.finish()

    def finish(self) -> None:
        """Wait for the all-reduces, divide by the world size, and set ``.grad``."""
        self.armed = False
        if self.find_unused:
            self.group.allreduce(self.used, "sum")  # used by any process?
        for bucket in self.buckets:
            bucket.request.wait()
            bucket.buffer /= self.group.size  # the sum of the gradients -> their mean
            for i in bucket.indices:
                if self.find_unused and not self.used[i]:
                    continue  # no process used it: its .grad stays as it was
                p = self.params[i]
                start, end = bucket.offsets[i]
                value = bucket.buffer[start:end].reshape(p.shape)
                if p.grad is None:  # a copy: the bucket is reused next iteration
                    p.grad = Tensor._wrap(p.device.move(value.copy()), p.device)
                else:
                    p.grad._data[...] = p.device.move(value)
                    p.grad._version.value += 1


def reachable_markers(outputs, reducer: Reducer) -> set[int]:
    """The indices of the parameters whose markers the graph of ``outputs`` (tensors, or
    lists, tuples and dicts of them) reaches: the parameters the output depends on."""
    stack, seen, found = [], set(), set()
    pending = [outputs]
    while pending:  # the tensors inside the output structure
        item = pending.pop()
        if isinstance(item, Tensor):
            if item.grad_fn is not None:
                stack.append(item.grad_fn)
        elif isinstance(item, list | tuple):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
    while stack:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        if isinstance(fn, _GradReady) and fn.reducer is reducer:
            found.add(fn.index[1])
        stack.extend(p for p in fn.parents if isinstance(p, Function))
    return found
