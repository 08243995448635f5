"""ReLU's backward, faster: one GPU kernel, and on the CPU a multiply instead of a select.

The reference selects the gradient except where the output is <= 0 (``where``), so that an
infinite or NaN gradient of a blocked element gives 0 rather than ``inf * 0 = nan``.
NumPy's ``where`` is several times slower than a multiply (12 ms against 2.4 ms for a
128x32x28x28 float32 gradient on the 2-core CPU), and the two agree whenever the gradient
is finite, which one cheap check (0.3 ms) tells; so the CPU path multiplies then, and
selects only when the gradient holds an inf or a NaN. With numba (the ``fast`` extra),
:class:`ReLUCompiled` does forward and backward in one compiled pass each, the select
included. On a GPU (``cuda_kernels.py``) one kernel does the select at the speed of a
multiply.
"""

from __future__ import annotations

import numpy as np

from .. import fastpath
from ..ops.elementwise import ReLU
from . import compiled
from .compiled import AVAILABLE as COMPILED
from .compiled import prange, serial_and_parallel
from .gpu import kernels

PARALLEL_SIZE = 1 << 20
"""Arrays with at least this many elements are done on every core, smaller ones on one."""


def _relu_kernel(a, out):
    """``out = maximum(a, 0)`` as NumPy's: ``a`` itself where ``a > 0`` or NaN, else 0
    (so -0.0 becomes 0.0, as there). Flat arrays."""
    for i in prange(a.size):
        v = a[i]
        out[i] = v if v > 0 or v != v else 0


def _relu_backward_kernel(grad, out, dx):
    """``dx = where(out <= 0, 0, grad)``, the reference's select, in one pass."""
    for i in prange(grad.size):
        dx[i] = 0 if out[i] <= 0 else grad[i]


_relu_serial, _relu_parallel = serial_and_parallel(_relu_kernel)
_relu_backward_serial, _relu_backward_parallel = serial_and_parallel(_relu_backward_kernel)


class ReLUCPU(ReLU):
    """ReLU's backward as ``grad * ~(out <= 0)`` whenever ``grad`` is finite."""

    def backward(self, grad):
        (out,) = self.saved
        if not self.xp.isfinite(grad).all():
            return super().backward(grad)  # the reference's select: 0, not inf * 0
        return grad * ~(out <= 0)  # not out > 0: a NaN passes its gradient


class ReLUCompiled(ReLUCPU):
    """ReLU forward and backward each in one compiled pass (numba, the ``fast`` extra), on
    every core for large arrays: the reference's results exactly, the select included (no
    finiteness check needed). Other dtypes and strided arrays take :class:`ReLUCPU`.

    Example:
        >>> import minigrad
        >>> from minigrad.fast.elementwise import ReLUCompiled
        >>> x = minigrad.tensor([-1.0, 0.5, float("nan")], requires_grad=True)
        >>> y = ReLUCompiled.apply(x)
        >>> y.backward(minigrad.tensor([float("inf"), 2.0, 3.0]))
        >>> y, x.grad  # a NaN passes (its output is NaN); a blocked inf gives 0
        (tensor([0.0000, 0.5000,    nan], grad_fn=<ReLUBackward0>), tensor([0., 2., 3.]))
    """

    def forward(self, a):
        self.compiled = a.dtype.type in (np.float32, np.float64) and a.flags.c_contiguous
        if not self.compiled:
            return super().forward(a)
        out = np.empty_like(a)
        kernel = _relu_parallel if a.size >= PARALLEL_SIZE and compiled.PARALLEL else _relu_serial
        with compiled.one_at_a_time:
            kernel(a.reshape(-1), out.reshape(-1))
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        if not (self.compiled and grad.dtype == out.dtype and grad.flags.c_contiguous):
            return super().backward(grad)
        dx = np.empty_like(grad)
        parallel = grad.size >= PARALLEL_SIZE and compiled.PARALLEL
        kernel = _relu_backward_parallel if parallel else _relu_backward_serial
        with compiled.one_at_a_time:
            kernel(grad.reshape(-1), out.reshape(-1), dx.reshape(-1))
        return dx


# The CPU's ReLU: compiled where numba is installed, else the multiply of ReLUCPU.
fastpath.register(ReLU, "cpu")(ReLUCompiled if COMPILED else ReLUCPU)


@fastpath.register(ReLU, "cuda")
class ReLUGPU(ReLU):
    """ReLU's backward, ``where(out <= 0, 0, grad)``, in one kernel."""

    def backward(self, grad):
        (out,) = self.saved
        return kernels(self.device).relu_backward(grad, out)
