"""Writing into indexed places, out of place (the Tensor methods ending in ``_`` write the
result into the tensor): ``index_copy`` (whole slices at positions along a dim),
``index_put`` (the elements an advanced index names, as ``x[indices] = values`` does),
``masked_scatter`` (a source's elements, in order, where a mask is true) and
``scatter_reduce`` (each element reduced into the place an index names); and
``masked_select``, the elements a mask picks.

The first three are one ``scatter`` each, with the index spelled out for every element, so
their gradients are scatter's: none for the overwritten elements, each written element the
gradient of its place. ``scatter_reduce`` is its own primitive (``ops/rearrange.py``).
"""

from __future__ import annotations

import builtins
import math

from . import dtypes as _dtypes
from .functions import _check_tensor, normalize_dim
from .functions_select import _check_in_range, _scatter, nonzero, scatter_args
from .ops import rearrange
from .tensor import Tensor

REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` with the slices of ``source`` along ``dim`` written at the
    positions ``index`` (a 1-D int64 tensor, one entry per slice): for ``dim=0``,
    ``out[index[i]] = source[i]``. Where ``index`` repeats, one of the writes wins.

    Example:
        >>> import minigrad
        >>> x = minigrad.zeros(3, 2)
        >>> minigrad.index_copy(x, 0, minigrad.tensor([2, 0]), minigrad.ones(2, 2))
        tensor([[1., 1.],
                [0., 0.],
                [1., 1.]])
    """
    _check_tensor(input, "index_copy")
    _check_tensor(source, "index_copy")
    if not isinstance(index, Tensor) or index.dtype != _dtypes.int64:
        got = index.dtype if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {got}")
    if index.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {index.ndim})")
    axis = normalize_dim(dim, builtins.max(input.ndim, 1))
    if source.dtype != input.dtype:
        raise RuntimeError(
            f"index_copy_(): self and source expected to have the same dtype, but got (self) "
            f"{input.dtype} and (source) {source.dtype}"
        )
    index = index.reshape(-1)
    source = source.reshape(1) if source.ndim == 0 else source
    if source.ndim != builtins.max(input.ndim, 1) or builtins.any(
        a != b for d, (a, b) in enumerate(zip(input.shape, source.shape)) if d != axis
    ):
        raise RuntimeError(
            "index_copy_(): Source/destination tensor must have same slice shapes. "
            f"Destination shape {list(input.shape)} and source shape {list(source.shape)} "
            f"must match apart from dimension {axis}"
        )
    if index.shape[0] != source.shape[axis]:
        raise IndexError(
            f"index_copy_(): Number of indices ({index.shape[0]}) should be equal to "
            f"source.size(dim) ({source.shape[axis]})"
        )
    _check_in_range(index, input.shape[axis] if input.ndim else 1, axis)
    if input.ndim == 0:
        return _scatter("index_copy", input.reshape(1), 0, index, source, add=False).reshape(())
    shape = [1] * input.ndim
    shape[axis] = index.shape[0]
    spelled = index.reshape(shape).expand(*source.shape).contiguous()
    return _scatter("index_copy", input, axis, spelled, source, add=False)


def index_put(input: Tensor, indices, values, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``values`` written (added, with ``accumulate``) at the
    elements ``input[indices]`` names: ``indices`` is a tuple of int64 index tensors (or
    bool masks), one per leading dimension, broadcast together; ``values`` (a tensor or a
    number) broadcasts to the indexed shape. With ``accumulate``, repeated places add up.

    Example:
        >>> import minigrad
        >>> x = minigrad.zeros(3, 2)
        >>> rows, cols = minigrad.tensor([0, 2, 0]), minigrad.tensor([1, 1, 1])
        >>> x.index_put((rows, cols), minigrad.tensor(1.0), accumulate=True)
        tensor([[0., 2.],
                [0., 0.],
                [0., 1.]])
    """
    _check_tensor(input, "index_put")
    if not isinstance(indices, tuple | list) or not all(isinstance(i, Tensor) for i in indices):
        raise TypeError(
            "index_put(): argument 'indices' (position 1) must be tuple of Tensors, not "
            f"{type(indices).__name__}"
        )
    positions = []  # one int64 index per leading dimension
    for i in indices:
        if i.dtype == _dtypes.bool:  # a mask covers as many dims as it has
            start = len(positions)
            expected = tuple(input.shape[start : start + i.ndim])
            if tuple(i.shape) != expected:
                raise IndexError(
                    f"The shape of the mask {list(i.shape)} at index {start} does not match "
                    f"the shape of the indexed tensor {list(input.shape)}"
                )
            positions.extend(nonzero(i, as_tuple=True))
        elif i.dtype.kind in "iu":
            positions.append(i.long())
        else:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if len(positions) > input.ndim:
        raise IndexError(
            f"too many indices for tensor of dimension {input.ndim} (got {len(positions)})"
        )
    if not positions:
        raise IndexError("index_put(): expected at least one index tensor")
    k = len(positions)
    lead, rest = tuple(input.shape[:k]), tuple(input.shape[k:])
    try:
        broadcast = input.device.xp.broadcast_shapes(*(tuple(p.shape) for p in positions))
    except ValueError:
        shapes = ", ".join(str(list(p.shape)) for p in positions)
        raise IndexError(
            f"shape mismatch: indexing tensors could not be broadcast together with shapes {shapes}"
        ) from None
    flat = 0
    for d, (p, size) in enumerate(zip(positions, lead)):
        p = p.where(p >= 0, p + size)  # negative indices count from the end
        _check_in_range(p, size, d)
        flat = flat + p * math.prod(lead[d + 1 :])
    flat = flat.expand(*broadcast).reshape(-1) if isinstance(flat, Tensor) else flat
    target = (*broadcast, *rest)
    if isinstance(values, Tensor):
        if values.dtype != input.dtype:
            raise RuntimeError(
                "Index put requires the source and destination dtypes match, got "
                f"{input.dtype} for the destination and {values.dtype} for the source."
            )
        try:
            values = values.expand(*target)
        except RuntimeError:
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(values.shape)} cannot be "
                f"broadcast to indexing result of shape {list(target)}"
            ) from None
    else:
        values = input.new_full(target, values)
    n = flat.shape[0]
    rows = input.reshape(math.prod(lead), *rest)
    spelled = flat.reshape(n, *([1] * len(rest))).expand(n, *rest).contiguous()
    values = values.reshape(n, *rest)
    out = _scatter("index_put", rows, 0, spelled, values, add=accumulate)
    return out.reshape(*input.shape)


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` with the elements of ``source``, in order, written where
    ``mask`` (a bool tensor broadcast to ``input``) is true, row by row.

    Example:
        >>> import minigrad
        >>> mask = minigrad.tensor([[True, False], [False, True]])
        >>> minigrad.zeros(2, 2).masked_scatter(mask, minigrad.tensor([5.0, 6.0, 7.0]))
        tensor([[5., 0.],
                [0., 6.]])
    """
    _check_tensor(input, "masked_scatter")
    _check_tensor(source, "masked_scatter")
    if not isinstance(mask, Tensor) or mask.dtype != _dtypes.bool:
        got = mask.dtype if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(
            f"masked_scatter_ only supports boolean masks, but got mask with dtype {got}"
        )
    if source.dtype != input.dtype:
        raise RuntimeError(
            f"masked_scatter: expected self and source to have same dtypes but got "
            f"{input.dtype} and {source.dtype}"
        )
    places = nonzero(mask.expand(*input.shape).reshape(-1), as_tuple=True)[0]
    if source.numel() < places.shape[0]:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    written = source.reshape(-1)[: places.shape[0]]
    out = _scatter("masked_scatter", input.reshape(-1), 0, places, written, add=False)
    return out.reshape(*input.shape)


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements of ``input`` where ``mask`` (a bool tensor, the two broadcast
    together) is true, as a 1-D tensor, row by row; each gets its element's gradient.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[1.0, -2.0], [-3.0, 4.0]])
        >>> minigrad.masked_select(x, x > 0)
        tensor([1., 4.])
    """
    _check_tensor(input, "masked_select")
    if not isinstance(mask, Tensor) or mask.dtype != _dtypes.bool:
        got = mask.dtype if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {got}")
    shape = input.device.xp.broadcast_shapes(tuple(input.shape), tuple(mask.shape))
    return input.expand(*shape)[mask.expand(*shape)]


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:  # fmt: skip
    """A copy of ``input`` with each element of ``src`` reduced into the place ``index``
    names along ``dim`` (for ``dim=0``, into ``out[index[i][j]][j]``): ``reduce`` is
    ``"sum"``, ``"prod"``, ``"mean"``, ``"amax"`` or ``"amin"``. With ``include_self``
    (the default) the element of ``input`` takes part; without, a place that receives
    elements is their reduction alone. An integer ``"mean"`` rounds down.

    Example:
        >>> import minigrad
        >>> groups = minigrad.tensor([0, 1, 0, 1])
        >>> values = minigrad.tensor([1.0, 5.0, 3.0, 2.0])
        >>> minigrad.zeros(2).scatter_reduce(0, groups, values, "amax")
        tensor([3., 5.])
        >>> minigrad.zeros(2).scatter_reduce(0, groups, values, "mean", include_self=False)
        tensor([2.0000, 3.5000])
    """
    if reduce not in REDUCTIONS:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    if not isinstance(src, Tensor):
        raise TypeError(
            f"scatter_reduce(): argument 'src' (position 4) must be Tensor, not "
            f"{type(src).__name__}"
        )
    axis, index, src = scatter_args("scatter_reduce", input, dim, index, src)
    return rearrange.ScatterReduce.apply(
        input, index, src, axis=axis, reduce=reduce, include_self=bool(include_self)
    )
