"""Argument checks that run on the GPU, so that the host need not wait for it.

Cross-entropy's targets must be class indices in range: on the CPU the reference check
(``functions._check_targets``) reads them on the host. On a GPU that read would make the
host wait for the GPU at every step; this check runs as one kernel instead, and reports a
bad target at the next read from the GPU (``backend.defer_check``), as PyTorch's
device-side checks do.
"""

from __future__ import annotations

from .. import fastpath
from ..functions import _check_targets
from .gpu import kernels


@fastpath.register(_check_targets, "cuda")
def check_targets_on_gpu(target, classes: int, ignore_index: int) -> None:
    """The range check of class targets, in one kernel, reported later."""
    kernels(target.device).check_class_targets(target._data, classes, ignore_index)
