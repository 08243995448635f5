"""The GPU's fused kernels, for the fast paths that use them.

``fast/cuda_kernels.py`` compiles its kernels with CuPy when it is imported, so it is
imported here, on first use, and only for a GPU: the CPU never needs CuPy.
"""

from __future__ import annotations

from .. import fastpath


def kernels(device):
    """The fused CUDA kernels (the module ``minigrad.fast.cuda_kernels``) for a GPU
    ``device``; ``None`` on the CPU or in reference mode.

    Example:
        >>> import minigrad
        >>> kernels(minigrad.device("cpu")) is None
        True
    """
    if device.type == "cpu" or not fastpath.enabled():
        return None
    from . import cuda_kernels

    return cuda_kernels
