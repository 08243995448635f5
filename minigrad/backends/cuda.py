"""``minigrad.backends.cuda``: PyTorch's switches for CUDA matrix products, recorded.

Training scripts for recent GPUs turn on TensorFloat-32 (float32 products with 10-bit
mantissas on tensor cores) with ``torch.backends.cuda.matmul.allow_tf32 = True`` or
``torch.set_float32_matmul_precision("high")``. minigrad's GPU products are CuPy's, and
CuPy chooses TF32 once, from the ``CUPY_TF32`` environment variable read before its first
product (``CUPY_TF32=1``: on; PyTorch's default, and minigrad's, is off). So these switches
keep PyTorch's values and its link between them (``allow_tf32`` is precision other than
``"highest"``) and change nothing: to run minigrad's float32 products in TF32, set
``CUPY_TF32=1`` before the process starts.

Example:
    >>> import minigrad
    >>> minigrad.backends.cuda.matmul.allow_tf32
    False
    >>> minigrad.set_float32_matmul_precision("high")
    >>> minigrad.backends.cuda.matmul.allow_tf32, minigrad.get_float32_matmul_precision()
    (True, 'high')
    >>> minigrad.set_float32_matmul_precision("highest")
"""

from __future__ import annotations

import warnings

__all__ = ["get_float32_matmul_precision", "is_built", "matmul", "set_float32_matmul_precision"]

_PRECISIONS = ("highest", "high", "medium")
_precision = "highest"


def set_float32_matmul_precision(precision: str) -> None:
    """Record the precision of float32 matrix products: ``"highest"`` (full float32, the
    default), ``"high"`` or ``"medium"`` (TF32 or lower allowed); see the module's docstring.

    Example:
        >>> import minigrad
        >>> minigrad.set_float32_matmul_precision("highest")
    """
    global _precision
    if precision not in _PRECISIONS:
        warnings.warn(
            f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
            "set_float32_matmul_precision call has no effect.",
            UserWarning,
            stacklevel=2,
        )
        return
    _precision = precision


def get_float32_matmul_precision() -> str:
    """The precision last recorded by :func:`set_float32_matmul_precision`.

    Example:
        >>> import minigrad
        >>> minigrad.get_float32_matmul_precision()
        'highest'
    """
    return _precision


def is_built() -> bool:
    """Whether minigrad can run on CUDA at all: CuPy is installed (a GPU need not be
    visible). PyTorch answers whether it was built with CUDA.

    Example:
        >>> import minigrad
        >>> isinstance(minigrad.backends.cuda.is_built(), bool)
        True
    """
    import importlib.util

    return importlib.util.find_spec("cupy") is not None


class _MatmulFlags:
    """``torch.backends.cuda.matmul``: ``allow_tf32`` and the reduced-precision reductions."""

    allow_fp16_reduced_precision_reduction = True
    allow_bf16_reduced_precision_reduction = True

    @property
    def allow_tf32(self) -> bool:
        return _precision != "highest"

    @allow_tf32.setter
    def allow_tf32(self, value: bool) -> None:
        global _precision
        _precision = "high" if value else "highest"

    def __setattr__(self, name: str, value) -> None:
        if not hasattr(type(self), name):
            raise AttributeError(f"Unknown attribute {name}")
        super().__setattr__(name, value)


matmul = _MatmulFlags()
