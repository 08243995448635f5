"""``minigrad.backends.cudnn``: PyTorch's cuDNN switches, which minigrad records only.

minigrad's GPU path is CuPy's arrays and minigrad's own kernels; it never calls cuDNN. So
:func:`is_available` is False, and the flags programs set for reproducibility or speed
(``deterministic``, ``benchmark``, ``enabled``, ``allow_tf32``) are plain attributes with
PyTorch's defaults that change nothing.

Example:
    >>> import minigrad
    >>> minigrad.backends.cudnn.deterministic = True  # as PyTorch programs do: no effect
    >>> minigrad.backends.cudnn.is_available()
    False
"""

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    """False: minigrad does not use cuDNN.

    Example:
        >>> import minigrad
        >>> minigrad.backends.cudnn.is_available()
        False
    """
    return False


def version() -> None:
    """None: no cuDNN library is loaded (PyTorch answers None without one too).

    Example:
        >>> import minigrad
        >>> minigrad.backends.cudnn.version() is None
        True
    """
    return None
