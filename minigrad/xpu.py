"""``minigrad.xpu``: Intel's GPUs, which minigrad does not support.

Recent PyTorch examples ask ``torch.xpu.is_available()`` among the devices they try
(``cuda``, ``mps``, ``xpu``, then the CPU); here the answer is always False, so they fall
back to CUDA or the CPU.

Example:
    >>> import minigrad
    >>> minigrad.xpu.is_available(), minigrad.xpu.device_count()
    (False, 0)
"""


def is_available() -> bool:
    """False: minigrad has no XPU backend.

    Example:
        >>> import minigrad
        >>> minigrad.xpu.is_available()
        False
    """
    return False


def device_count() -> int:
    """0: no XPU device is usable.

    Example:
        >>> import minigrad
        >>> minigrad.xpu.device_count()
        0
    """
    return 0


def is_initialized() -> bool:
    """False: there is no XPU runtime to initialise.

    Example:
        >>> import minigrad
        >>> minigrad.xpu.is_initialized()
        False
    """
    return False
