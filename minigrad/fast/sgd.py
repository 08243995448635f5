"""SGD's fast paths: the update of ``optim/sgd.py`` with fewer new arrays, or in one kernel.

**CPU.** The reference update makes a new full-size array at nearly every step of the
formula (``g + weight_decay * p``, ``lr * g``). For a 500x500 layer each is a megabyte that
the operating system maps afresh, page by page, on its first touch, which costs as much as
the arithmetic. This version writes into arrays the step already owns: the decayed
gradient, the spare gradient once the momentum buffer holds its value.

**GPU.** The whole update, weight decay, momentum and the step, in one CUDA kernel
(``cuda_kernels.sgd_update``): on a GPU the launches cost more than the arithmetic.

Both are registered for :class:`~minigrad.optim.SGD` in :mod:`minigrad.fastpath` and
tested against the reference update.
"""

from __future__ import annotations

from .. import fastpath
from ..optim.sgd import SGD
from ..tensor import Tensor
from .gpu import kernels


@fastpath.register(SGD, "cpu")
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
