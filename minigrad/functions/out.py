"""PyTorch's ``out=`` keyword: ``torch.mul(a, b, out=c)`` writes the product into ``c``.

The functions themselves compute without it. The top-level names that PyTorch programs
call with ``out=`` (``minigrad.mul``, ``minigrad.matmul``, ``minigrad.cat``, ...: the
list is in ``minigrad/__init__.py``) are those functions wrapped by :func:`accepts_out`,
which writes the result into ``out`` and returns ``out``, with PyTorch's rules:

* the result's dtype must be one ``out`` can hold (a float result is refused by an
  integer ``out``, as an in-place op refuses it);
* an ``out`` of another shape is resized, with PyTorch's deprecation warning unless it
  is empty;
* the graph does not go through ``out=``: with gradients on, an argument that requires
  grad is refused, as in PyTorch.
"""

from __future__ import annotations

import functools
import warnings

from .. import autograd as _autograd
from .. import dtypes as _dtypes
from ..tensor import Tensor


def accepts_out(fn):
    """``fn`` with PyTorch's ``out=`` keyword (see the module's docstring).

    Example:
        >>> import minigrad
        >>> y = minigrad.empty(2, 2)
        >>> minigrad.matmul(minigrad.eye(2), minigrad.ones(2, 2), out=y) is y
        True
        >>> y
        tensor([[1., 1.],
                [1., 1.]])
    """

    @functools.wraps(fn)
    def with_out(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        return write_out(fn.__name__, fn(*args, **kwargs), out)

    # It stands for ``minigrad.<name>``: what a saved model's reference to it names, and
    # where it is found again when the model is loaded (minigrad.save keeps functions by
    # name).
    with_out.__module__ = "minigrad"
    return with_out


def write_out(name: str, result: Tensor, out) -> Tensor:
    """Write ``result`` into the tensor ``out``, checked as PyTorch checks it."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if _autograd.is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    if out.device is not result.device:
        raise RuntimeError(
            f"{name}(): expected out tensor to have device {result.device}, but got "
            f"{out.device} instead"
        )
    if not _dtypes.can_cast(result.dtype, out.dtype):
        raise RuntimeError(
            f"{name}(): result type {result.dtype} can't be cast to the desired output type "
            f"{out.dtype}"
        )
    if tuple(out.shape) != tuple(result.shape):
        if out.numel():
            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(out.shape)}, which does not match the required output shape "
                f"{list(result.shape)}. This behavior is deprecated, and in a future PyTorch "
                "release outputs will not be resized unless they have zero elements.",
                UserWarning,
                stacklevel=3,
            )
        out._data = out.device.xp.empty(result.shape, dtype=out.dtype)
    out._data[...] = result._data
    out._version.value += 1
    return out
