"""``minigrad.cuda``: is a GPU there, how many, and waiting for one to finish.

Example:
    >>> import minigrad
    >>> isinstance(minigrad.cuda.is_available(), bool)
    True
"""

from __future__ import annotations

from . import backend


def is_available() -> bool:
    """True when CuPy is installed and can see an NVIDIA GPU."""
    return backend.cuda_available()


def device_count() -> int:
    """The number of GPUs that can be used (0 without CuPy)."""
    return backend.cuda_device_count()


def synchronize() -> None:
    """Block until all queued GPU work has finished (for timing; a no-op without a GPU)."""
    backend.cuda_synchronize()
