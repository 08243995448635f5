"""``minigrad.backends.mps``: Apple's Metal GPUs, which minigrad does not support.

PyTorch examples from 2023-2025 ask ``torch.backends.mps.is_available()`` before
choosing a device; here the answer is always False, so they fall back to CUDA or the CPU.

Example:
    >>> import minigrad
    >>> minigrad.backends.mps.is_available(), minigrad.backends.mps.is_built()
    (False, False)
"""


def is_available() -> bool:
    """False: minigrad has no Metal (MPS) backend.

    Example:
        >>> import minigrad
        >>> minigrad.backends.mps.is_available()
        False
    """
    return False


def is_built() -> bool:
    """False: minigrad was not built with Metal (MPS) support.

    Example:
        >>> import minigrad
        >>> minigrad.backends.mps.is_built()
        False
    """
    return False
