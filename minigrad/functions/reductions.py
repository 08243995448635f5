"""Reductions along dimensions: ``sum``, ``mean``, ``var``, ``max`` and ``min`` (with a
``dim``, a ``(values, indices)`` pair), ``argmax``, ``argmin``, ``all`` and ``any``.

Their primitives are in ``ops/reduce.py``.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import autocast_mode
from .. import dtypes as _dtypes
from .. import return_types as _return_types
from ..ops import reduce
from ..tensor import Tensor
from .args import _check_tensor, cast, clone, normalize_dim, normalize_dims, numpy_names
from .arithmetic import maximum, minimum
from .shape import squeeze

# ----------------------------------------------------------------------------------------
# Reductions
# ----------------------------------------------------------------------------------------


@numpy_names
@autocast_mode.casts(cuda="float32")
def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The sum over ``dim`` (an int, a tuple of ints, or None for all elements).

    Bool and integer tensors sum to int64, as in PyTorch.

    Example:
        >>> import minigrad
        >>> minigrad.sum(minigrad.ones(2, 3), dim=1)
        tensor([3., 3.])
    """
    _check_tensor(input, "sum")
    axis = normalize_dims(dim, input.ndim)
    if dtype is not None:
        dtype = _dtypes.to_dtype(dtype)
    elif not input.is_floating_point():
        dtype = _dtypes.int64
    return reduce.Sum.apply(input, axis=axis, keepdims=keepdim, dtype=dtype)


def _float_only(input: Tensor, name: str) -> None:
    _check_tensor(input, name)
    if not input.is_floating_point():
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be a floating point "
            f"dtype, but got {input.dtype} (convert with .float() first)"
        )


@numpy_names
def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The mean over ``dim`` (an int, a tuple of ints, or None for all elements).

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> minigrad.mean(x), minigrad.mean(x, dim=0), minigrad.mean(x, dim=1, keepdim=True).shape
        (tensor(2.5000), tensor([2., 3.]), minigrad.Size([2, 1]))
    """
    if dtype is not None:
        input = cast(input, dtype)
    _float_only(input, "mean")
    axis = normalize_dims(dim, input.ndim)
    return reduce.Mean.apply(input, axis=axis, keepdims=keepdim)


@numpy_names
def var(
    input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None
) -> Tensor:
    """The variance over ``dim``: ``sum((x - mean)**2) / (n - correction)``.

    ``correction`` defaults to 1 (the unbiased estimate); ``unbiased=False`` is the same as
    ``correction=0``, as in PyTorch.

    Example:
        >>> import minigrad
        >>> minigrad.var(minigrad.tensor([1.0, 2.0, 3.0, 4.0]))
        tensor(1.6667)
    """
    _float_only(input, "var")
    if unbiased is not None and correction is not None:
        raise TypeError("var: pass either unbiased or correction, not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    axis = normalize_dims(dim, input.ndim)
    if reduce._count(input.shape, axis) - correction <= 0:  # the variance is x / 0
        warnings.warn(
            "var(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=2,
        )
    return reduce.Var.apply(input, axis=axis, keepdims=keepdim, correction=correction)


MaxResult = _return_types.define("max", ["values", "indices"])
MinResult = _return_types.define("min", ["values", "indices"])


def _select(input: Tensor, dim, keepdim: bool, smallest: bool):
    name = "min" if smallest else "max"
    _check_tensor(input, name)
    if isinstance(dim, Tensor):  # max(a, b) is the elementwise maximum, as in PyTorch
        return minimum(input, dim) if smallest else maximum(input, dim)
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError(
                f"{name}(): cannot reduce an empty tensor (shape {tuple(input.shape)})"
            )
        return reduce.MaxAll.apply(input, smallest=smallest)
    axis = normalize_dim(dim, input.ndim)
    if input.ndim and input.shape[axis] == 0:  # other empty dims just give empty results
        raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
    if input.ndim == 0:  # a 0-d tensor: itself, at index 0
        zero = Tensor._wrap(input.device.xp.zeros((), dtype=np.int64), input.device)
        return (MinResult if smallest else MaxResult)(clone(input), zero)
    xp = input.device.xp
    pick = xp.argmin if smallest else xp.argmax
    indices = pick(input._data, axis=axis, keepdims=True)
    values = reduce.Gather.apply(input, indices, axis=axis)
    if not keepdim:
        values = squeeze(values, axis)
        indices = xp.squeeze(indices, axis)
    indices = Tensor._wrap(indices, input.device)
    return (MinResult if smallest else MaxResult)(values, indices)


@numpy_names
def max(input: Tensor, dim=None, keepdim: bool = False):
    """The largest element; with ``dim``, a ``(values, indices)`` pair along that dim.

    Example:
        >>> import minigrad
        >>> minigrad.max(minigrad.tensor([[1.0, 5.0], [7.0, 2.0]]), dim=1)
        minigrad.return_types.max(
        values=tensor([5., 7.]),
        indices=tensor([1, 0]))
    """
    return _select(input, dim, keepdim, smallest=False)


@numpy_names
def min(input: Tensor, dim=None, keepdim: bool = False):
    """The smallest element; with ``dim``, a ``(values, indices)`` pair along that dim.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[1.0, 5.0], [7.0, 2.0]])
        >>> minigrad.min(x)
        tensor(1.)
        >>> values, indices = minigrad.min(x, dim=0)
        >>> values, indices
        (tensor([1., 2.]), tensor([0, 1]))
    """
    return _select(input, dim, keepdim, smallest=True)


def _arg_select(input: Tensor, dim, keepdim: bool, smallest: bool) -> Tensor:
    name = "argmin" if smallest else "argmax"
    _check_tensor(input, name)
    if input.dtype == _dtypes.bool:
        raise RuntimeError(f"{name}(): does not support bool input")
    xp = input.device.xp
    pick = xp.argmin if smallest else xp.argmax
    if dim is None or input.ndim == 0:
        if input.numel() == 0:
            raise IndexError(  # PyTorch's type here (max() raises a RuntimeError)
                f"{name}(): cannot reduce an empty tensor (shape {tuple(input.shape)})"
            )
    elif input.shape[normalize_dim(dim, input.ndim)] == 0:
        raise IndexError(
            f"{name}(): Expected reduction dim {normalize_dim(dim, input.ndim)} to have "
            "non-zero size."
        )
    if dim is None:
        out = pick(input._data.reshape(-1))
        if keepdim:
            out = out.reshape((1,) * input.ndim)
    else:
        axis = normalize_dim(dim, input.ndim)
        out = pick(input._data, axis=axis, keepdims=keepdim) if input.ndim else pick(input._data)
    return Tensor._wrap(xp.asarray(out, dtype=np.int64), input.device)


@numpy_names
def argmax(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """The index of the largest element (of the flattened tensor when ``dim`` is None).

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[1.0, 5.0], [7.0, 2.0]])
        >>> minigrad.argmax(x), minigrad.argmax(x, dim=1)
        (tensor(2), tensor([1, 0]))
    """
    return _arg_select(input, dim, keepdim, smallest=False)


@numpy_names
def argmin(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """The index of the smallest element (of the flattened tensor when ``dim`` is None).

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[1.0, 5.0], [7.0, 2.0]])
        >>> minigrad.argmin(x), minigrad.argmin(x, dim=0)
        (tensor(0), tensor([0, 1]))
    """
    return _arg_select(input, dim, keepdim, smallest=True)


def _logical_reduce(input: Tensor, dim, keepdim: bool, name: str) -> Tensor:
    _check_tensor(input, name)
    axis = normalize_dims(dim, input.ndim, empty_means_all=False)
    out = input.device.xp.asarray(getattr(input.device.xp, name)(input._data, axis=axis,
                                                                 keepdims=keepdim))  # fmt: skip
    if input.dtype == _dtypes.uint8:  # PyTorch keeps uint8 (for old-style masks); else bool
        out = out.astype(_dtypes.uint8)
    return Tensor._wrap(out, input.device)


@numpy_names
def all(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """True where every element (along ``dim``) is non-zero.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[True, False], [True, True]])
        >>> minigrad.all(x), minigrad.all(x, dim=1)
        (tensor(False), tensor([False,  True]))
    """
    return _logical_reduce(input, dim, keepdim, "all")


@numpy_names
def any(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """True where some element (along ``dim``) is non-zero.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[0, 0], [0, 3]])
        >>> minigrad.any(x), minigrad.any(x, dim=1)
        (tensor(True), tensor([False,  True]))
    """
    return _logical_reduce(input, dim, keepdim, "any")
