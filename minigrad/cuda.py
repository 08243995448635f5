"""``minigrad.cuda``: is a GPU there, how many, and waiting for one to finish.

Example:
    >>> import minigrad
    >>> isinstance(minigrad.cuda.is_available(), bool)
    True
"""

from __future__ import annotations

from . import backend


def is_available() -> bool:
    """True when CuPy is installed and can see an NVIDIA GPU.

    Example:
        >>> import minigrad
        >>> device = "cuda" if minigrad.cuda.is_available() else "cpu"
        >>> minigrad.zeros(2, device=device).device.type in ("cpu", "cuda")
        True
    """
    return backend.cuda_available()


def device_count() -> int:
    """The number of GPUs that can be used (0 without CuPy).

    Example:
        >>> import minigrad
        >>> minigrad.cuda.device_count() >= 0
        True
    """
    return backend.cuda_device_count()


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False: minigrad has no bfloat16 on any device (NumPy and CuPy lack the type), so a
    program that picks ``bfloat16`` when this is True takes its float16 or float32 path.

    Example:
        >>> import minigrad
        >>> minigrad.cuda.is_bf16_supported()
        False
    """
    return False


def synchronize() -> None:
    """Block until all queued GPU work has finished (for timing; a no-op without a GPU).

    Example:
        >>> import minigrad
        >>> minigrad.cuda.synchronize()  # returns once the GPU is idle (at once on the CPU)
    """
    backend.cuda_synchronize()
