"""SGD's fast paths: the update of ``optim/sgd.py`` with fewer new arrays, or in one kernel.

**CPU.** The reference update makes a new full-size array at nearly every step of the
formula (``g + weight_decay * p``, ``lr * g``). For a 500x500 layer each is a megabyte that
the operating system maps afresh, page by page, on its first touch, which costs as much as
the arithmetic. This version writes into arrays the step already owns: the decayed
gradient, the spare gradient once the momentum buffer holds its value.

**GPU.** The whole update, weight decay, momentum and the step, in one CUDA kernel
(``cuda_kernels.sgd_update``): on a GPU the launches cost more than the arithmetic.

**CPU, compiled** (:func:`sgd_update_compiled`, where numba is installed): the same
formula in one pass over each parameter, with the rounding of NumPy's float32 operations
(no fused multiply-adds), so the result is bit for bit that of :func:`sgd_update_cpu`.

All are registered for :class:`~minigrad.optim.SGD` in :mod:`minigrad.fastpath` and
tested against the reference update.
"""

from __future__ import annotations

import numpy as np

from .. import fastpath
from ..optim.sgd import SGD
from ..tensor import Tensor
from . import compiled
from .compiled import AVAILABLE as COMPILED
from .compiled import prange, serial_and_parallel
from .gpu import kernels

PARALLEL_SIZE = 1 << 20
"""Parameters with at least this many elements are updated on every core; smaller ones
on one (a parallel loop's start costs more than their update)."""


def _sgd_kernel(p, g, buf, lr, momentum, undamped, weight_decay, nesterov, maximize):
    """The reference update, element by element, in one pass: ``p``, ``g`` and ``buf``
    (the momentum buffer, or an empty array when momentum is 0) are flat arrays, the
    numbers of their dtype, so that every operation rounds as NumPy's does; ``undamped``
    is ``1 - dampening``, rounded from the Python float as the reference's is."""
    with_momentum = buf.size > 0
    for i in prange(p.size):
        d = -g[i] if maximize else g[i]
        if weight_decay != 0:
            d = p[i] * weight_decay + d
        if with_momentum:
            b = buf[i] * momentum
            b = b + d if undamped == 1 else b + undamped * d
            buf[i] = b
            d = d + momentum * b if nesterov else b
        p[i] = p[i] - d * lr


_sgd_kernel_serial, _sgd_kernel_parallel = serial_and_parallel(_sgd_kernel)


def sgd_update_compiled(p, state, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """The update in one compiled pass over the parameter (numba, the ``fast`` extra),
    where the arrays allow it: float32 or float64, contiguous, a momentum buffer already
    made (the first step makes it as the reference does, in :func:`sgd_update_cpu`)."""
    data, grad = p._data, p.grad._data
    buf = state.get("momentum_buffer") if momentum != 0 else None
    if (
        data.dtype.type not in (np.float32, np.float64) or grad.dtype != data.dtype
        or not (data.flags.c_contiguous and grad.flags.c_contiguous)
        or (momentum != 0 and (buf is None or not buf._data.flags.c_contiguous))
    ):  # fmt: skip
        sgd_update_cpu(p, state, lr, momentum, dampening, weight_decay, nesterov, maximize)
        return
    number = data.dtype.type  # NumPy rounds a Python float to the array's dtype first
    buffer = buf._data.reshape(-1) if buf is not None else np.empty(0, data.dtype)
    parallel = data.size >= PARALLEL_SIZE and compiled.PARALLEL
    kernel = _sgd_kernel_parallel if parallel else _sgd_kernel_serial
    with compiled.one_at_a_time:
        kernel(data.reshape(-1), grad.reshape(-1), buffer, number(lr), number(momentum),
               number(1.0 - dampening), number(weight_decay), nesterov, maximize)  # fmt: skip
    if buf is not None:
        buf._version.value += 1
    p._version.value += 1


def sgd_update_cpu(p, state, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """The reference update, reusing the arrays it makes (see the module docstring)."""
    g = p.grad._data
    fresh = False  # whether g is a new array that this step may overwrite
    if maximize:
        g, fresh = -g, True
    if weight_decay != 0:
        decayed = p._data * weight_decay  # g + weight_decay * p, in one new array
        decayed += g
        g, fresh = decayed, True
    spare = None  # a new array this step no longer needs: room for lr * update

    if momentum != 0:
        buf = state.get("momentum_buffer")
        if buf is None:
            # PyTorch's first-step rule: the buffer starts as the gradient itself.
            buf = Tensor._wrap(g if fresh else g.copy(), p.device)
            fresh = False  # g is now the buffer's storage
        else:
            b = buf._data
            b *= momentum
            if dampening == 0:
                b += g
            else:
                b += (1.0 - dampening) * g
            buf._version.value += 1
        state["momentum_buffer"] = buf
        if nesterov:
            g, fresh = g + momentum * buf._data, True
        else:
            spare = g if fresh else None
            g, fresh = buf._data, False

    if fresh:
        g *= lr
        p._data -= g
    elif spare is not None:  # saves allocating (and faulting in) a temporary
        p._data -= p.device.xp.multiply(g, lr, out=spare)
    else:
        p._data -= lr * g
    p._version.value += 1


# The CPU's update: compiled where numba is installed, else NumPy with fewer arrays.
fastpath.register(SGD, "cpu")(sgd_update_compiled if COMPILED else sgd_update_cpu)


@fastpath.register(SGD, "cuda")
def sgd_update_gpu(p, state, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """The reference update as one CUDA kernel (``cuda_kernels.sgd_update``)."""
    buf = state.get("momentum_buffer") if momentum != 0 else None
    new_buf = kernels(p.device).sgd_update(
        p._data, p.grad._data, None if buf is None else buf._data,
        lr, momentum, dampening, weight_decay, nesterov, maximize,
    )  # fmt: skip
    if momentum != 0:
        if buf is None:
            buf = Tensor._wrap(new_buf, p.device)
        else:
            buf._version.value += 1
        state["momentum_buffer"] = buf
    p._version.value += 1
