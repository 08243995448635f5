"""More reductions and running statistics: ``amax``/``amin``/``aminmax`` (over several
dims, ties sharing the gradient), ``median``, ``nansum``/``nanmean``, ``var_mean`` and
``std_mean``, ``count_nonzero``, ``cummax``/``cummin``, ``logcumsumexp`` and ``diff``.

``amax`` is one primitive (``ops/reduce.py``); the others compose core functions: a
median is the element a stable sort puts in the middle, gathered (so the gradient goes
to it), a running maximum gathers the elements its running indices name.
"""

from __future__ import annotations

from . import dtypes as _dtypes
from . import return_types as _return_types
from .functions import (
    _check_tensor,
    cat,
    mean,
    normalize_dim,
    normalize_dims,
    sqrt,
    stack,
    var,
    where,
)
from .functions_pointwise import logaddexp
from .functions_select import gather
from .ops import reduce
from .tensor import Tensor

MedianResult = _return_types.define("median", ["values", "indices"])
AminmaxResult = _return_types.define("aminmax", ["min", "max"])
CummaxResult = _return_types.define("cummax", ["values", "indices"])
CumminResult = _return_types.define("cummin", ["values", "indices"])


def _extreme(input: Tensor, dim, keepdim: bool, smallest: bool) -> Tensor:
    name = "amin" if smallest else "amax"
    _check_tensor(input, name)
    axes = normalize_dims(dim, input.ndim)  # () and None: every dim
    axes = tuple(range(input.ndim)) if axes is None else axes
    if any(input.shape[d] == 0 for d in axes) or (input.numel() == 0 and not axes):
        raise IndexError(
            f"{name}(): Expected reduction dim to have non-zero size (shape "
            f"{tuple(input.shape)}, dim {dim})"
        )
    if input.dtype == _dtypes.bool:
        input = input.to(_dtypes.uint8)
        result = reduce.Extreme.apply(input, axes=axes, keepdims=keepdim, smallest=smallest)
        return result.bool()
    return reduce.Extreme.apply(input, axes=axes, keepdims=keepdim, smallest=smallest)


def amax(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """The largest element over ``dim`` (an int, a tuple of ints, or all dims); unlike
    ``max(dim)`` it returns no indices, and tied maxima share the gradient equally.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[1.0, 5.0], [7.0, 2.0]])
        >>> minigrad.amax(x, dim=1), minigrad.amax(x)
        (tensor([5., 7.]), tensor(7.))
    """
    return _extreme(input, dim, keepdim, smallest=False)


def amin(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """The smallest element over ``dim`` (see :func:`amax`).

    Example:
        >>> import minigrad
        >>> minigrad.amin(minigrad.tensor([[1.0, 5.0], [7.0, 2.0]]), dim=0)
        tensor([1., 2.])
    """
    return _extreme(input, dim, keepdim, smallest=True)


def aminmax(input: Tensor, *, dim=None, keepdim: bool = False):
    """``(amin, amax)`` over ``dim`` (all elements when None), as a named pair.

    Example:
        >>> import minigrad
        >>> minigrad.aminmax(minigrad.tensor([3.0, 1.0, 2.0]))
        minigrad.return_types.aminmax(
        min=tensor(1.),
        max=tensor(3.))
    """
    dims = () if dim is None else dim
    return AminmaxResult(amin(input, dims, keepdim), amax(input, dims, keepdim))


def median(input: Tensor, dim=None, keepdim: bool = False):
    """The median: of all elements (a tensor), or along ``dim`` (``(values, indices)``).
    For an even count it is the lower of the two middle elements, as in PyTorch; NaN if
    the elements include a NaN. The gradient goes to the element picked.

    Example:
        >>> import minigrad
        >>> minigrad.median(minigrad.tensor([1.0, 4.0, 2.0, 3.0]))
        tensor(2.)
        >>> minigrad.tensor([[1.0, 4.0, 2.0]]).median(dim=1)
        minigrad.return_types.median(
        values=tensor([2.]),
        indices=tensor([2]))
    """
    _check_tensor(input, "median")
    if dim is None:
        if input.numel() == 0:
            return Tensor._wrap(input.device.xp.full((), float("nan"), input.dtype), input.device)
        return median(input.reshape(-1), 0).values
    axis = normalize_dim(dim, max(input.ndim, 1))
    if input.ndim == 0:
        zero = Tensor._wrap(input.device.xp.zeros((), dtype=_dtypes.int64), input.device)
        return MedianResult(input.clone(), zero)
    n = input.shape[axis]
    if n == 0:
        raise IndexError(f"median(): Expected reduction dim {axis} to have non-zero size.")
    xp = input.device.xp
    data = input._data
    order = xp.argsort(data, axis=axis, kind="stable")  # NaN sorts last
    middle = xp.take(order, [(n - 1) // 2], axis=axis)
    if input.is_floating_point():  # a NaN anywhere in the slice is the median
        nans = xp.isnan(data)
        first_nan = xp.argmax(nans, axis=axis, keepdims=True)
        middle = xp.where(nans.any(axis=axis, keepdims=True), first_nan, middle)
    index = Tensor._wrap(middle.astype(_dtypes.int64), input.device)
    values = gather(input, axis, index)
    if not keepdim:
        values, index = values.squeeze(axis), index.squeeze(axis)
    return MedianResult(values, index)


def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The sum over ``dim`` with NaNs counted as zero (and given no gradient).

    Example:
        >>> import minigrad
        >>> minigrad.nansum(minigrad.tensor([1.0, float("nan"), 2.0]))
        tensor(3.)
    """
    _check_tensor(input, "nansum")
    if input.is_floating_point():
        input = where(input.isnan(), 0.0, input)
    return input.sum(dim, keepdim, dtype=dtype)


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The mean over ``dim`` of the elements that are not NaN.

    Example:
        >>> import minigrad
        >>> minigrad.nanmean(minigrad.tensor([1.0, float("nan"), 2.0]))
        tensor(1.5000)
    """
    _check_tensor(input, "nanmean")
    if not input.is_floating_point():
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            f"{input.dtype}"
        )
    counted = (~input.isnan()).sum(dim, keepdim).to(input.dtype)
    return nansum(input, dim, keepdim, dtype=dtype) / counted


def var_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """``(var, mean)`` over ``dim`` in one call (see :func:`minigrad.var`).

    Example:
        >>> import minigrad
        >>> minigrad.var_mean(minigrad.tensor([1.0, 2.0, 3.0, 4.0]), correction=0)
        (tensor(1.2500), tensor(2.5000))
    """
    variance = var(input, dim, unbiased, keepdim, correction=correction)
    return variance, mean(input, dim, keepdim)


def std_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """``(std, mean)`` over ``dim`` in one call.

    Example:
        >>> import minigrad
        >>> minigrad.std_mean(minigrad.tensor([1.0, 3.0]), correction=0)
        (tensor(1.), tensor(2.))
    """
    variance, average = var_mean(input, dim, unbiased, keepdim, correction=correction)
    return sqrt(variance), average


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    """How many elements are not zero, over ``dim`` (all when None), as int64.

    Example:
        >>> import minigrad
        >>> minigrad.count_nonzero(minigrad.tensor([[0, 1], [2, 3]]), dim=0)
        tensor([1, 2])
    """
    _check_tensor(input, "count_nonzero")
    axes = normalize_dims(dim, input.ndim)
    xp = input.device.xp
    counts = xp.count_nonzero(input._data, axis=axes)
    return Tensor._wrap(xp.asarray(counts, dtype=_dtypes.int64), input.device)


def _running(input: Tensor, dim: int, smallest: bool):
    name = "cummin" if smallest else "cummax"
    _check_tensor(input, name)
    axis = normalize_dim(dim, max(input.ndim, 1))
    if input.ndim == 0:
        zero = Tensor._wrap(input.device.xp.zeros((), dtype=_dtypes.int64), input.device)
        return input.clone(), zero
    xp = input.device.xp
    data = xp.moveaxis(input._data, axis, 0)
    best = xp.empty(data.shape, dtype=_dtypes.int64)
    current, index = data[0], xp.zeros(data.shape[1:], dtype=_dtypes.int64)
    best[0] = index
    for j in range(1, data.shape[0]):
        x = data[j]
        # ties move to the later element, and a NaN, once met, stays (PyTorch's rules)
        better = (x <= current) if smallest else (x >= current)
        if input.is_floating_point():
            better = (better | xp.isnan(x)) & ~xp.isnan(current)
        index = xp.where(better, j, index)
        current = xp.where(better, x, current)
        best[j] = index
    indices = Tensor._wrap(xp.moveaxis(best, 0, axis).copy(), input.device)
    return gather(input, axis, indices), indices


def cummax(input: Tensor, dim: int):
    """The running maximum along ``dim`` and where each was found, ``(values, indices)``
    (ties point to the later element; a NaN stays once met). The gradient goes to the
    elements the indices name.

    Example:
        >>> import minigrad
        >>> minigrad.cummax(minigrad.tensor([1.0, 3.0, 2.0, 5.0]), 0)
        minigrad.return_types.cummax(
        values=tensor([1., 3., 3., 5.]),
        indices=tensor([0, 1, 1, 3]))
    """
    return CummaxResult(*_running(input, dim, smallest=False))


def cummin(input: Tensor, dim: int):
    """The running minimum along ``dim`` and where each was found (see :func:`cummax`).

    Example:
        >>> import minigrad
        >>> minigrad.cummin(minigrad.tensor([3.0, 1.0, 2.0]), 0)
        minigrad.return_types.cummin(
        values=tensor([3., 1., 1.]),
        indices=tensor([0, 1, 1]))
    """
    return CumminResult(*_running(input, dim, smallest=True))


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """``log(cumsum(exp(input)))`` along ``dim``, as a running ``logaddexp`` (each output is
    the previous one log-added to the next input), so that nothing overflows or underflows
    however far apart the values are.

    Example:
        >>> import minigrad
        >>> minigrad.logcumsumexp(minigrad.tensor([0.0, 0.0, 100.0]), 0)
        tensor([  0.0000,   0.6931, 100.0000])
    """
    _check_tensor(input, "logcumsumexp")
    axis = normalize_dim(dim, max(input.ndim, 1))
    if input.ndim == 0:
        return input.clone()
    steps = input.unbind(axis)
    running = [steps[0]]
    for x in steps[1:]:
        running.append(logaddexp(running[-1], x))
    return stack(running, axis)


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """The ``n``-th forward difference along ``dim``, ``out[i] = x[i + 1] - x[i]`` (``n``
    times), after ``prepend`` and ``append`` are joined on either side. Booleans give
    their exclusive or, as in PyTorch.

    Example:
        >>> import minigrad
        >>> minigrad.diff(minigrad.tensor([1, 4, 9, 16]))
        tensor([3, 5, 7])
        >>> minigrad.diff(minigrad.tensor([1, 4, 9, 16]), n=2)
        tensor([2, 2])
    """
    _check_tensor(input, "diff")
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    axis = normalize_dim(dim, input.ndim)
    parts = [p for p in (prepend, input, append) if p is not None]
    x = cat(parts, axis) if len(parts) > 1 else input
    before = (slice(None),) * axis
    for _ in range(n):
        later, earlier = x[(*before, slice(1, None))], x[(*before, slice(None, -1))]
        x = later ^ earlier if x.dtype == _dtypes.bool else later - earlier
    return x
