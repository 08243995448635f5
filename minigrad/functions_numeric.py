"""More numerics PyTorch programs reach for: elementwise ``fmax``, ``fmin`` (NaN-ignoring),
``heaviside``, ``copysign``, ``sgn``, ``sinc``; statistics ``cov``, ``corrcoef``, ``msort``,
``renorm``, ``unique_consecutive``; and integration by the trapezoid rule,
``trapezoid`` (``trapz``) and ``cumulative_trapezoid``.

Each is a composition of core functions (``where``, sums, products), so its gradient is
theirs; at the kinks it is PyTorch's where that is simply a choice of branch.
"""

from __future__ import annotations

import math

from . import dtypes as _dtypes
from .functions import _check_tensor, cat, normalize_dim, where
from .functions_extra import cumsum, sort
from .functions_math import isnan
from .tensor import Tensor


def fmax(input: Tensor, other: Tensor) -> Tensor:
    """The elementwise maximum, ignoring NaN: where one of the two is NaN, the other
    (NaN only where both are).

    Example:
        >>> import minigrad
        >>> nan = float("nan")
        >>> a, b = minigrad.tensor([1.0, nan]), minigrad.tensor([2.0, 3.0])
        >>> minigrad.fmax(a, b).tolist()
        [2.0, 3.0]
    """
    return _nan_ignoring(input, other, larger=True)


def fmin(input: Tensor, other: Tensor) -> Tensor:
    """The elementwise minimum, ignoring NaN (see :func:`fmax`).

    Example:
        >>> import minigrad
        >>> a, b = minigrad.tensor([1.0, float("nan")]), minigrad.tensor([2.0, 3.0])
        >>> minigrad.fmin(a, b).tolist()
        [1.0, 3.0]
    """
    return _nan_ignoring(input, other, larger=False)


def _nan_ignoring(a: Tensor, b: Tensor, larger: bool) -> Tensor:
    _check_tensor(a, "fmax" if larger else "fmin")
    picked = where(a >= b, a, b) if larger else where(a <= b, a, b)
    return where(isnan(b), a, where(isnan(a), b, picked))  # both NaN: a's, as PyTorch


def heaviside(input: Tensor, values) -> Tensor:
    """The step function: 0 where ``input < 0``, 1 where ``> 0``, ``values`` where it is 0
    (no gradient, as in PyTorch).

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([-2.0, 0.0, 3.0])
        >>> minigrad.heaviside(x, minigrad.tensor([0.5])).tolist()
        [0.0, 0.5, 1.0]
    """
    _check_tensor(input, "heaviside")
    if isinstance(values, Tensor) and values.dtype != input.dtype:
        raise RuntimeError(
            f"heaviside is not yet implemented for tensors with different dtypes "
            f"({input.dtype} and {values.dtype})"
        )
    step = (input > 0).to(input.dtype)
    return where(input == 0, values, step).detach()


def copysign(input, other) -> Tensor:
    """``|input|`` with the sign of ``other`` (of -0.0 too).

    Example:
        >>> import minigrad
        >>> x, signs = minigrad.tensor([1.0, -2.0]), minigrad.tensor([-1.0, 0.0])
        >>> minigrad.copysign(x, signs).tolist()
        [-1.0, 2.0]
    """
    _check_tensor(input, "copysign")
    if not input.is_floating_point():
        input = input.to(_dtypes.get_default_dtype())
    if isinstance(other, Tensor):
        negative = Tensor._wrap(input.device.xp.signbit(other._data), other.device)
    else:
        negative = math.copysign(1.0, other) < 0
    return where(negative, -input.abs(), input.abs())


def sgn(input: Tensor) -> Tensor:
    """The sign (-1, 0 or 1) of each element: :func:`minigrad.sign` for real tensors.

    Example:
        >>> import minigrad
        >>> minigrad.sgn(minigrad.tensor([-2.0, 0.0, 3.0])).tolist()
        [-1.0, 0.0, 1.0]
    """
    _check_tensor(input, "sgn")
    return input.sign()


def sinc(input: Tensor) -> Tensor:
    """The normalized sinc, ``sin(pi x) / (pi x)``, 1 at 0.

    Example:
        >>> import minigrad
        >>> [round(v, 4) for v in minigrad.sinc(minigrad.tensor([0.0, 0.5, 2.5])).tolist()]
        [1.0, 0.6366, 0.1273]
    """
    _check_tensor(input, "sinc")
    x = input if input.is_floating_point() else input.to(_dtypes.get_default_dtype())
    zero = x == 0  # the limit 1 there, and no 0 / 0
    px = where(zero, 1.0, x) * math.pi
    return where(zero, 1.0, px.sin() / px)


def cov(input: Tensor, *, correction: int = 1, fweights=None, aweights=None) -> Tensor:
    """The covariance matrix of the variables in the rows of ``input`` (observations in
    the columns; a 1-D input is one variable), as ``numpy.cov``: ``correction`` 1 divides
    by N - 1; ``fweights`` (integer repeat counts) and ``aweights`` (importance) weight
    the observations.

    Example:
        >>> import minigrad
        >>> minigrad.cov(minigrad.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]])).tolist()
        [[1.0, -1.0], [-1.0, 1.0]]
    """
    _check_tensor(input, "cov")
    if input.ndim > 2:
        raise RuntimeError(
            "cov(): expected input to have two or fewer dimensions but got an input with "
            f"{input.ndim} dimensions"
        )
    x = input.reshape(1, -1) if input.ndim < 2 else input
    if not x.is_floating_point():
        x = x.to(_dtypes.get_default_dtype())
    n = x.shape[1]
    w = None
    for name, weights in (("fweights", fweights), ("aweights", aweights)):
        if weights is None:
            continue
        if weights.ndim != 1 or weights.shape[0] != n:
            raise RuntimeError(f"cov(): expected {name} to have one element per observation ({n})")
        if bool((weights < 0).any()):
            raise RuntimeError(f"cov(): {name} cannot be negative")
        weights = weights.to(x.dtype)
        w = weights if w is None else w * weights
    if w is None:
        mean = x.mean(1, keepdim=True)
        norm = n - correction
        centred = x - mean
        out = centred @ centred.T / max(norm, 0)
    else:
        total = w.sum()
        mean = (x * w).sum(1, keepdim=True) / total
        if aweights is None:
            norm = total - correction
        else:
            norm = total - correction * (w * aweights.to(x.dtype)).sum() / total
        centred = x - mean
        out = (centred * w) @ centred.T / norm
    return out.squeeze() if input.ndim < 2 else out


def corrcoef(input: Tensor) -> Tensor:
    """The Pearson correlation coefficients of the variables in the rows of ``input``,
    clipped to [-1, 1].

    Example:
        >>> import minigrad
        >>> minigrad.corrcoef(minigrad.tensor([[0.0, 1.0, 2.0], [0.0, 2.0, 4.0]])).tolist()
        [[1.0, 1.0], [1.0, 1.0]]
    """
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = c.diagonal().sqrt()
    return (c / d.unsqueeze(0) / d.unsqueeze(1)).clamp(-1, 1)


def msort(input: Tensor) -> Tensor:
    """The values sorted along dim 0 (``sort(input, 0).values``).

    Example:
        >>> import minigrad
        >>> minigrad.msort(minigrad.tensor([[3, 1], [1, 2]])).tolist()
        [[1, 1], [3, 2]]
    """
    _check_tensor(input, "msort")
    return sort(input, 0).values


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """Each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` scaled down to it
    (PyTorch's ``maxnorm / (norm + 1e-7)``); the others unchanged.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[3.0, 4.0], [0.3, 0.4]])
        >>> [[round(v, 4) for v in row] for row in minigrad.renorm(x, 2, 0, 1.0).tolist()]
        [[0.6, 0.8], [0.3, 0.4]]
    """
    _check_tensor(input, "renorm")
    if not input.is_floating_point():
        raise RuntimeError(f"renorm: expected a floating point tensor, got {input.dtype}")
    if p <= 0:
        raise RuntimeError(f"renorm: non-positive-norm not supported, got p={p}")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    axis = normalize_dim(dim, max(input.ndim, 1))
    others = tuple(d for d in range(input.ndim) if d != axis)
    norms = input.norm(p, others, keepdim=True)
    scale = where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
    return input * scale.to(input.dtype)


def unique_consecutive(input: Tensor, return_inverse: bool = False, return_counts: bool = False,
                       dim=None):  # fmt: skip
    """The elements with each run of equal neighbours reduced to one (of the flattened
    input, when ``dim`` is None), optionally with each element's run number
    (``return_inverse``) and the run lengths (``return_counts``).

    Example:
        >>> import minigrad
        >>> minigrad.unique_consecutive(minigrad.tensor([1, 1, 2, 2, 3, 1, 1])).tolist()
        [1, 2, 3, 1]
    """
    _check_tensor(input, "unique_consecutive")
    if dim is not None:
        raise NotImplementedError("unique_consecutive(dim=...) is not supported; flatten first")
    flat = input.reshape(-1).detach()
    if flat.numel() == 0:
        empty = flat.long()
        outs = [flat] + ([empty.reshape(input.shape)] if return_inverse else []) + (
            [empty] if return_counts else [])  # fmt: skip
        return outs[0] if len(outs) == 1 else tuple(outs)
    starts = cat([flat[:1] == flat[:1], flat[1:] != flat[:-1]])
    values = flat[starts]
    results = [values]
    if return_inverse:
        results.append((cumsum(starts.long(), 0) - 1).reshape(input.shape))
    if return_counts:
        positions = starts.nonzero().reshape(-1)
        ends = cat([positions[1:], positions.new_tensor([flat.numel()])])
        results.append(ends - positions)
    return results[0] if len(results) == 1 else tuple(results)


def _trapezoid_spacing(y: Tensor, x, dx, axis: int):
    if x is not None and dx is not None:
        raise RuntimeError("trapezoid: received both x and dx; give one")
    if x is None:
        return 1.0 if dx is None else dx
    if not isinstance(x, Tensor):
        raise TypeError("trapezoid: x must be a Tensor")
    if x.ndim == 1:
        shape = [1] * y.ndim
        shape[axis] = x.shape[0]
        x = x.reshape(shape)
    return x.narrow(axis, 1, x.shape[axis] - 1) - x.narrow(axis, 0, x.shape[axis] - 1)


def trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The integral of ``y`` along ``dim`` by the trapezoid rule, at the points ``x`` (or
    spaced ``dx`` apart, 1 by default).

    Example:
        >>> import minigrad
        >>> minigrad.trapezoid(minigrad.tensor([1.0, 2.0, 3.0])).item()
        4.0
    """
    _check_tensor(y, "trapezoid")
    axis = normalize_dim(dim, max(y.ndim, 1))
    n = y.shape[axis]
    if n == 0:
        return y.sum(axis) * 0
    spacing = _trapezoid_spacing(y, x, dx, axis)
    mids = (y.narrow(axis, 1, n - 1) + y.narrow(axis, 0, n - 1)) / 2
    return (mids * spacing).sum(axis)


def cumulative_trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The running integral of ``y`` along ``dim`` by the trapezoid rule (one element
    shorter than ``y`` there).

    Example:
        >>> import minigrad
        >>> minigrad.cumulative_trapezoid(minigrad.tensor([1.0, 2.0, 3.0])).tolist()
        [1.5, 4.0]
    """
    _check_tensor(y, "cumulative_trapezoid")
    axis = normalize_dim(dim, max(y.ndim, 1))
    n = y.shape[axis]
    spacing = _trapezoid_spacing(y, x, dx, axis)
    mids = (y.narrow(axis, 1, max(n - 1, 0)) + y.narrow(axis, 0, max(n - 1, 0))) / 2
    return cumsum(mids * spacing, axis)


trapz = trapezoid  # PyTorch's older name
