"""Elementwise ops as single GPU kernels (``cuda_kernels.py``), registered for GPUs.

At MNIST sizes a GPU op costs its launch, not its arithmetic, so an op that the reference
writes as two array operations is worth one fused kernel.
"""

from __future__ import annotations

from .. import fastpath
from ..ops.elementwise import ReLU
from .gpu import kernels


@fastpath.register(ReLU, "cuda")
class ReLUGPU(ReLU):
    """ReLU's backward, ``grad * (out > 0)``, in one kernel instead of two."""

    def backward(self, grad):
        (out,) = self.saved
        return kernels(self.device).relu_backward(grad, out)
