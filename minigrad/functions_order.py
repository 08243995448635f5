"""Order statistics and binning: ``kthvalue``, ``mode``, ``nanmedian``, ``quantile`` and
``nanquantile``; ``searchsorted`` and ``bucketize`` (where values fall among sorted
boundaries); ``histc`` and ``histogram`` (histograms) and ``bincount`` (a count per value).

The statistics pick elements of a sorted copy: the k-th smallest is position ``k - 1`` of
a stable sort (NaN sorts last), gathered so that the gradient goes to the element picked;
a quantile between two positions is the linear interpolation of the two, so the gradient
is shared between them by the interpolation weights. Searching and counting give
integers, with no gradient.
"""

from __future__ import annotations

import math

import numpy as np

from . import autocast_mode
from . import dtypes as _dtypes
from . import return_types as _return_types
from .functions import _check_tensor, normalize_dim
from .functions_extra import sort
from .functions_pointwise import lerp
from .functions_select import gather
from .tensor import Tensor

KthvalueResult = _return_types.define("kthvalue", ["values", "indices"])
NanmedianResult = _return_types.define("nanmedian", ["values", "indices"])
ModeResult = _return_types.define("mode", ["values", "indices"])
HistogramResult = _return_types.define("histogram", ["hist", "bin_edges"])

INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _pick(input: Tensor, axis: int, position, keepdim: bool):
    """The elements at ``position`` (an int, or an array with a 1 along ``axis``) of a
    stable ascending sort along ``axis``, and their indices in ``input``."""
    xp = input.device.xp
    order = xp.argsort(input._data, axis=axis, kind="stable")  # NaN sorts last
    if isinstance(position, int):
        chosen = xp.take(order, [position], axis=axis)
    else:
        chosen = xp.take_along_axis(order, position, axis=axis)
    index = Tensor._wrap(chosen.astype(_dtypes.int64), input.device)
    values = gather(input, axis, index)
    if not keepdim:
        values, index = values.squeeze(axis), index.squeeze(axis)
    return values, index


def _zero_d(input: Tensor):
    zero = Tensor._wrap(input.device.xp.zeros((), dtype=_dtypes.int64), input.device)
    return input.clone(), zero


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False):
    """The ``k``-th smallest element along ``dim`` (``k = 1`` is the smallest), and its
    index: ``(values, indices)``. NaN counts as larger than every number. Among equal
    elements, which index is returned is not specified (as in PyTorch).

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[3.0, 1.0, 2.0], [6.0, 5.0, 4.0]])
        >>> minigrad.kthvalue(x, 2, dim=1)
        minigrad.return_types.kthvalue(
        values=tensor([2., 5.]),
        indices=tensor([2, 1]))
    """
    _check_tensor(input, "kthvalue")
    axis = normalize_dim(dim, max(input.ndim, 1))
    n = input.shape[axis] if input.ndim else 1
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
    if input.ndim == 0:
        return KthvalueResult(*_zero_d(input))
    return KthvalueResult(*_pick(input, axis, k - 1, keepdim))


def mode(input: Tensor, dim: int = -1, keepdim: bool = False):
    """The most frequent value along ``dim`` (the smallest of those tied) and the index
    of its last occurrence: ``(values, indices)``, as PyTorch's. The gradient goes to the
    element at the index.

    Example:
        >>> import minigrad
        >>> minigrad.mode(minigrad.tensor([1.0, 2.0, 2.0, 3.0, 2.0, 3.0, 3.0]))
        minigrad.return_types.mode(
        values=tensor(2.),
        indices=tensor(4))
    """
    _check_tensor(input, "mode")
    axis = normalize_dim(dim, max(input.ndim, 1))
    if input.ndim == 0:
        return ModeResult(*_zero_d(input))
    if input.shape[axis] == 0:
        raise IndexError(f"mode(): Expected reduction dim {axis} to have non-zero size.")
    xp = input.device.xp
    order = xp.argsort(input._data, axis=axis, kind="stable")
    ordered = xp.take_along_axis(input._data, order, axis=axis)
    # Runs of equal values in the sorted copy. Sorting the positions where runs start
    # (and, apart, where they end; n marks "not one") pairs the k-th start with the k-th
    # end, so each run's length is their difference. The first longest run is the
    # smallest most frequent value; its end, the sort being stable, its last occurrence.
    n = ordered.shape[axis]
    steps = xp.arange(n).reshape([n if a == axis else 1 for a in range(input.ndim)])
    head, tail = [slice(None)] * input.ndim, [slice(None)] * input.ndim
    head[axis], tail[axis] = slice(1, None), slice(None, -1)
    change = ordered[tuple(head)] != ordered[tuple(tail)]
    shape = ordered.shape
    edge = xp.ones((*shape[:axis], 1, *shape[axis + 1 :]), dtype=bool)  # first, last
    starts = xp.concatenate([edge, change], axis=axis)
    ends = xp.concatenate([change, edge], axis=axis)
    start_at = xp.sort(xp.where(starts, steps, n), axis=axis)
    end_at = xp.sort(xp.where(ends, steps, n), axis=axis)
    longest = xp.argmax(xp.where(end_at < n, end_at - start_at, -1), axis=axis)
    last = xp.take_along_axis(end_at, xp.expand_dims(longest, axis), axis=axis)
    index = Tensor._wrap(
        xp.take_along_axis(order, last, axis=axis).astype(_dtypes.int64), input.device
    )
    values = gather(input, axis, index)
    if not keepdim:
        values, index = values.squeeze(axis), index.squeeze(axis)
    return ModeResult(values, index)


def nanmedian(input: Tensor, dim=None, keepdim: bool = False):
    """The median ignoring NaNs: the lower middle of the numbers in each slice (NaN only
    where a slice holds nothing else). Of all elements (a tensor), or along ``dim``
    (``(values, indices)``), like :func:`minigrad.median`.

    Example:
        >>> import minigrad
        >>> nan = float("nan")
        >>> minigrad.nanmedian(minigrad.tensor([1.0, nan, 3.0, 2.0]))
        tensor(2.)
        >>> minigrad.median(minigrad.tensor([1.0, nan, 3.0, 2.0]))
        tensor(nan)
    """
    _check_tensor(input, "nanmedian")
    if dim is None:
        if input.numel() == 0:
            return Tensor._wrap(input.device.xp.full((), float("nan"), input.dtype), input.device)
        return nanmedian(input.reshape(-1), 0).values
    axis = normalize_dim(dim, max(input.ndim, 1))
    if input.ndim == 0:
        return NanmedianResult(*_zero_d(input))
    if input.shape[axis] == 0:
        raise IndexError(f"nanmedian(): Expected reduction dim {axis} to have non-zero size.")
    xp = input.device.xp
    if input.is_floating_point():
        count = (~xp.isnan(input._data)).sum(axis=axis, keepdims=True)
    else:
        count = xp.full_like(xp.take(input._data, [0], axis=axis), input.shape[axis], dtype=int)
    # the lower middle of the numbers; of the NaNs in an all-NaN slice (as in PyTorch)
    middle = xp.where(count == 0, (input.shape[axis] - 1) // 2, (count - 1) // 2)
    return NanmedianResult(*_pick(input, axis, middle, keepdim))


@autocast_mode.casts(cpu="float32")
def quantile(input: Tensor, q, dim=None, keepdim: bool = False, *, interpolation="linear"):
    """The ``q``-th quantiles along ``dim`` (of all elements when ``dim`` is None), for
    ``q`` a number or a 1-D tensor of numbers in [0, 1]; NaN where a slice holds a NaN.

    A quantile sits at position ``q * (n - 1)`` of the sorted slice; between two elements,
    ``interpolation`` picks ``"linear"`` (the weighted mean, the default), ``"lower"``,
    ``"higher"``, ``"nearest"`` (ties to even) or ``"midpoint"``. A tensor ``q`` puts its
    dimension first in the result.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([0.0, 1.0, 2.0, 3.0])
        >>> minigrad.quantile(x, 0.5).item()
        1.5
        >>> minigrad.quantile(x, minigrad.tensor([0.25, 0.5]), interpolation="lower")
        tensor([0., 1.])
    """
    return _quantile("quantile", input, q, dim, keepdim, interpolation, ignore_nan=False)


@autocast_mode.casts(cpu="float32")
def nanquantile(input: Tensor, q, dim=None, keepdim: bool = False, *, interpolation="linear"):
    """:func:`quantile` ignoring NaNs: each slice's quantiles among its numbers (NaN only
    where a slice holds nothing else).

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([0.0, float("nan"), 2.0, 3.0])
        >>> minigrad.nanquantile(x, 0.5), minigrad.quantile(x, 0.5)
        (tensor(2.), tensor(nan))
    """
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, ignore_nan=True)


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan):
    _check_tensor(input, name)
    if input.dtype not in (_dtypes.float32, _dtypes.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if interpolation not in INTERPOLATIONS:
        raise RuntimeError(
            f"{name}() interpolation must be one of linear, lower, higher, midpoint or "
            f"nearest, but got {interpolation}"
        )
    scalar_q = not isinstance(q, Tensor)
    if scalar_q:
        q_values = [float(q)]
    else:
        if q.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q.dtype != input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        if q.device != input.device:
            raise RuntimeError(
                f"{name}() q tensor must be on the same device as the input tensor "
                f"({q.device} and {input.device})"
            )
        scalar_q = q.ndim == 0
        q_values = [float(v) for v in q.reshape(-1).tolist()]
    for value in q_values:
        if not 0 <= value <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {value:g}")

    # The slices along the last dimension: (..., n), sorted (NaN last).
    if dim is None:
        x, axis = input.reshape(-1), None
    else:
        axis = normalize_dim(dim, max(input.ndim, 1))
        x = input.reshape(1) if input.ndim == 0 else input.movedim(axis, -1)
    ordered = sort(x, -1).values
    xp, n = input.device.xp, ordered.shape[-1]
    dtype = input.dtype
    qs = xp.asarray(np.array(q_values, dtype=dtype)).reshape((-1,) + (1,) * ordered.ndim)
    nans = xp.isnan(ordered._data)
    if ignore_nan:
        ranks = qs * ((~nans).sum(-1, keepdims=True) - 1).astype(dtype)
        ranks = xp.where(ranks < 0, 0, ranks).astype(dtype)  # an all-NaN slice
    else:  # a slice with a NaN takes its last element, a NaN
        ranks = xp.where(nans.any(-1, keepdims=True), n - 1, qs * dtype.type(n - 1)).astype(dtype)
    if interpolation == "lower":
        ranks = xp.floor(ranks)
    elif interpolation == "higher":
        ranks = xp.ceil(ranks)
    elif interpolation == "nearest":
        ranks = xp.round(ranks)  # ties to even, as PyTorch rounds
    shape = ranks.shape[:1] + ordered.shape  # (Q, ..., n)
    expanded = ordered.expand(*shape)
    below_index = xp.broadcast_to(ranks.astype(_dtypes.int64), (*shape[:-1], 1))
    result = gather(expanded, -1, Tensor._wrap(xp.ascontiguousarray(below_index), input.device))
    if interpolation in ("linear", "midpoint"):
        above_index = xp.broadcast_to(xp.ceil(ranks).astype(_dtypes.int64), (*shape[:-1], 1))
        above = gather(expanded, -1, Tensor._wrap(xp.ascontiguousarray(above_index), input.device))
        weights = 0.5 if interpolation == "midpoint" else ranks - xp.floor(ranks)
        if not isinstance(weights, float):
            weights = Tensor._wrap(xp.broadcast_to(weights, above.shape).copy(), input.device)
        result = lerp(result, above, weights)
    result = result.squeeze(-1)  # (Q, ...)
    if keepdim:
        if axis is None:
            result = result.reshape(result.shape[0], *([1] * input.ndim))
        elif input.ndim:
            result = result.unsqueeze(axis + 1)
    return result.squeeze(0) if scalar_q else result


def searchsorted(sorted_sequence: Tensor, input, *, out_int32=False, right=False, side=None,
                 sorter=None) -> Tensor:  # fmt: skip
    """For each value in ``input``, the index where it would go in ``sorted_sequence`` to
    keep it sorted: the first position whose element is ``>= value`` (``side='left'``,
    the default), or ``> value`` (``right=True`` or ``side='right'``).

    ``sorted_sequence`` is 1-D, or has ``input``'s leading dimensions (one sorted row per
    row of values). ``sorter`` gives the indices that sort an unsorted sequence. The result
    is int64 (int32 with ``out_int32``), with no gradient.

    Example:
        >>> import minigrad
        >>> boundaries = minigrad.tensor([1, 3, 5, 7])
        >>> minigrad.searchsorted(boundaries, minigrad.tensor([3, 6, 9]))
        tensor([1, 3, 4])
        >>> minigrad.searchsorted(boundaries, 3, right=True)
        tensor(2)
    """
    _check_tensor(sorted_sequence, "searchsorted")
    if side not in (None, "left", "right"):
        raise RuntimeError(
            f"torch.searchsorted(): side can only be 'left' or 'right' but got {side!r}"
        )
    if side == "left" and right:
        raise RuntimeError(
            "torch.searchsorted(): side and right can't be set to opposites, got side of left "
            "while right was True"
        )
    right = right or side == "right"
    xp, device = sorted_sequence.device.xp, sorted_sequence.device
    scalar = not isinstance(input, Tensor)
    if scalar:
        values = xp.asarray(input)
    else:
        if input.device != device:
            raise RuntimeError(
                f"searchsorted(): the sorted sequence is on {device} and the values on "
                f"{input.device}; they must be on one device"
            )
        values = input._data
    sequence = sorted_sequence._data
    if sequence.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have at least 1 dim")
    if sorter is not None:
        _check_tensor(sorter, "searchsorted")
        if tuple(sorter.shape) != tuple(sorted_sequence.shape):
            raise RuntimeError(
                f"torch.searchsorted(): boundary and sorter must have the same size, but got "
                f"boundary tensor {list(sorted_sequence.shape)} and got sorter tensor "
                f"{list(sorter.shape)}"
            )
        sequence = xp.take_along_axis(sequence, sorter._data.astype(_dtypes.int64), axis=-1)
    how = "right" if right else "left"
    if sequence.ndim == 1:
        found = xp.searchsorted(sequence, values.reshape(-1), side=how).reshape(values.shape)
    else:
        if scalar or sequence.shape[:-1] != values.shape[:-1]:
            got = [] if scalar else list(values.shape)
            raise RuntimeError(
                "torch.searchsorted(): boundaries tensor should be 1 dimension or the first "
                "N-1 dimensions of boundaries tensor and input value tensor must match, but "
                f"we got boundaries tensor {list(sequence.shape)} and input value tensor {got}"
            )
        rows = sequence.reshape(-1, sequence.shape[-1])
        wanted = values.reshape(rows.shape[0], -1)
        found = xp.stack([xp.searchsorted(r, v, side=how) for r, v in zip(rows, wanted)])
        found = found.reshape(values.shape)
    dtype = _dtypes.int32 if out_int32 else _dtypes.int64
    return Tensor._wrap(found.astype(dtype), device)


def bucketize(input, boundaries: Tensor, *, out_int32=False, right=False) -> Tensor:
    """The bucket of each element among 1-D sorted ``boundaries``: ``i`` such that
    ``boundaries[i-1] < x <= boundaries[i]`` (with ``right=True``,
    ``boundaries[i-1] <= x < boundaries[i]``); 0 below the first, ``len(boundaries)``
    above the last. This is :func:`searchsorted` with the arguments swapped.

    Example:
        >>> import minigrad
        >>> minigrad.bucketize(minigrad.tensor([1, 5, 9]), minigrad.tensor([1, 3, 5, 7]))
        tensor([0, 2, 4])
    """
    _check_tensor(boundaries, "bucketize")
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value of a 1-D tensor of non-negative integers occurs (int64), or
    the sum of ``weights`` per value; ``max(input) + 1`` counts, or ``minlength`` if more.

    Example:
        >>> import minigrad
        >>> minigrad.bincount(minigrad.tensor([0, 1, 1, 3]))
        tensor([1, 2, 0, 1])
    """
    _check_tensor(input, "bincount")
    if input.ndim != 1 or input.dtype.kind not in "iu":
        raise RuntimeError(
            f"bincount only supports 1-d non-negative integral inputs, got {input.ndim}-D "
            f"{input.dtype}"
        )
    if input.numel() and bool((input < 0).any()):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    xp = input.device.xp
    if weights is None:
        counts = xp.bincount(input._data, minlength=minlength)
        return Tensor._wrap(counts.astype(_dtypes.int64), input.device)
    if tuple(weights.shape) != tuple(input.shape):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    dtype = weights.dtype if weights.is_floating_point() else _dtypes.float64
    sums = xp.bincount(input._data, weights=weights._data, minlength=minlength)
    return Tensor._wrap(sums.astype(dtype), input.device)


def histc(input: Tensor, bins: int = 100, min=0, max=0) -> Tensor:
    """A histogram of the elements: ``bins`` equal-width bins between ``min`` and ``max``
    (the data's own smallest and largest element when both are 0, widened by 1 each way
    if those are equal). Elements outside are not counted, ``max`` goes in the last bin,
    NaN nowhere. The counts have ``input``'s dtype and no gradient.

    Example:
        >>> import minigrad
        >>> minigrad.histc(minigrad.tensor([1.0, 2.0, 1.0, 4.0]), bins=4, min=0, max=3)
        tensor([0., 2., 1., 0.])
    """
    _check_tensor(input, "histc")
    if not input.is_floating_point():
        raise RuntimeError(f"histc: the input must be floating point, got {input.dtype}")
    if isinstance(bins, bool) or not isinstance(bins, int) or bins <= 0:
        raise RuntimeError(f"torch.histc(): bins must be > 0, but got {bins}")
    xp, data = input.device.xp, input._data.reshape(-1)
    low, high = float(min), float(max)
    if low == high and data.size:
        low, high = float(data.min()), float(data.max())
    if low == high:
        low, high = low - 1, high + 1
    if low > high:
        raise RuntimeError("torch.histc: max must be larger than min")
    if not (math.isfinite(low) and math.isfinite(high)):
        raise RuntimeError(f"torch.histc: range of [{low:g}, {high:g}] is not finite")
    dtype = input.dtype
    edges = xp.linspace(low, high, bins + 1).astype(dtype)
    x = data[(data >= edges[0]) & (data <= edges[-1])]
    # The bin by arithmetic, then corrected by one against the edges (as PyTorch does), so
    # that an element on an edge goes to the bin the edge opens.
    pos = ((x - edges[0]) * dtype.type(bins) / (edges[-1] - edges[0])).astype(np.int64)
    pos = xp.clip(pos, 0, bins - 1)
    pos = xp.where((pos > 0) & (x < edges[pos]), pos - 1, pos)
    pos = xp.where((pos < bins - 1) & (x >= edges[xp.minimum(pos + 1, bins)]), pos + 1, pos)
    counts = xp.bincount(pos, minlength=bins)[:bins]
    return Tensor._wrap(counts.astype(dtype), input.device)


def histogram(input: Tensor, bins=100, *, range=None, weight=None, density: bool = False):
    """A histogram of the elements, ``(hist, bin_edges)``: ``bins`` equal bins over
    ``range`` (default the data's smallest to largest element, widened by 0.5 each way if
    those are equal), or the bins between the ascending edges of a 1-D tensor ``bins``.
    A bin holds ``[left, right)``, the last one its right edge too; elements outside are
    not counted. ``weight`` (``input``'s shape) sums weights instead of counting;
    ``density`` divides by the total and the bin widths, so that the histogram integrates
    to 1. No gradient.

    Example:
        >>> import minigrad
        >>> minigrad.histogram(minigrad.tensor([0.0, 1.0, 1.0, 3.0]), 2).hist
        tensor([3., 1.])
    """
    _check_tensor(input, "histogram")
    if input.dtype not in (_dtypes.float32, _dtypes.float64):
        raise RuntimeError(
            f"torch.histogram: input tensor must be floating point, got {input.dtype}"
        )
    xp, data = input.device.xp, input._data.reshape(-1)
    if isinstance(bins, Tensor):
        if bins.ndim != 1 or bins.shape[0] < 1:
            raise RuntimeError(
                "torch.histogram(): bins tensor should have one dimension and at least 1 element"
            )
        if range is not None:
            raise TypeError("histogram(): range cannot be given with a tensor of bin edges")
        edges = bins._data.astype(input._data.dtype)
        if edges.size > 1 and bool((edges[1:] < edges[:-1]).any()):
            raise RuntimeError("torch.histogram(): bin edges must be in increasing order")
    else:
        if isinstance(bins, bool) or not isinstance(bins, int) or bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins}")
        if range is None:
            low, high = (float(data.min()), float(data.max())) if data.size else (0.0, 0.0)
        else:
            low, high = (float(v) for v in range)
        if low > high:
            raise ValueError(
                f"torch.histogram(): max must be larger than min, got range {(low, high)}"
            )
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError(f"torch.histogram(): range of [{low:g}, {high:g}] is not finite")
        if low == high:
            low, high = low - 0.5, high + 0.5
        edges = xp.linspace(low, high, bins + 1).astype(input._data.dtype)
    if weight is not None:
        _check_tensor(weight, "histogram")
        if tuple(weight.shape) != tuple(input.shape):
            raise RuntimeError(
                f"torch.histogram(): weight must have input's shape {tuple(input.shape)}, "
                f"got {tuple(weight.shape)}"
            )
        weights = weight._data.reshape(-1).astype(input._data.dtype)
    else:
        weights = xp.ones(data.shape, dtype=input._data.dtype)
    nbins = edges.size - 1
    inside = (data >= edges[0]) & (data <= edges[-1])
    pos = xp.searchsorted(edges, data[inside], side="right") - 1
    pos = xp.minimum(pos, nbins - 1)  # the right edge belongs to the last bin
    hist = xp.bincount(pos, weights=weights[inside], minlength=nbins)[:nbins]
    hist = hist.astype(input._data.dtype)
    if density:
        hist = hist / (hist.sum() * (edges[1:] - edges[:-1]))
    return HistogramResult(Tensor._wrap(hist, input.device), Tensor._wrap(edges, input.device))
