"""More public functions, the ones tutorials lean on beyond the core in ``functions/``:
trigonometry, cumulative sums, sorting and top-k, norms, batched matrix products,
coordinate grids, axis swaps and repeats.

They follow the same pattern (check the arguments, then call one primitive, or compose
the core functions, so that the gradient comes for free), and live in a file of their own
so that the core a training step runs through stays short. Their primitives are in
``ops/trig.py`` and ``ops/scan.py`` (and ``ops/reduce.py``'s ``Gather``).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from . import autocast_mode
from . import dtypes as _dtypes
from . import return_types as _return_types
from .functions import (
    _check_tensor,
    _unary_float,
    cast,
    clone,
    expand,
    matmul,
    normalize_dim,
    normalize_dims,
    numpy_names,
    reshape,
    shape_arg,
    transpose,
)
from .ops import reduce, scan, trig
from .tensor import Tensor

# ----------------------------------------------------------------------------------------
# Trigonometry
# ----------------------------------------------------------------------------------------


def sin(input: Tensor) -> Tensor:
    """The sine, elementwise (radians).

    Example:
        >>> import minigrad
        >>> minigrad.sin(minigrad.tensor([0.0, 3.14159265 / 2]))
        tensor([0., 1.])
    """
    return _unary_float(trig.Sin, "sin", input)


def cos(input: Tensor) -> Tensor:
    """The cosine, elementwise (radians).

    Example:
        >>> import minigrad
        >>> minigrad.cos(minigrad.tensor([0.0]))
        tensor([1.])
    """
    return _unary_float(trig.Cos, "cos", input)


def sinh(input: Tensor) -> Tensor:
    """The hyperbolic sine ``(e**x - e**-x) / 2``, elementwise.

    Example:
        >>> import minigrad
        >>> minigrad.sinh(minigrad.tensor([0.0]))
        tensor([0.])
    """
    return _unary_float(trig.Sinh, "sinh", input)


def cosh(input: Tensor) -> Tensor:
    """The hyperbolic cosine ``(e**x + e**-x) / 2``, elementwise.

    Example:
        >>> import minigrad
        >>> minigrad.cosh(minigrad.tensor([0.0]))
        tensor([1.])
    """
    return _unary_float(trig.Cosh, "cosh", input)


# ----------------------------------------------------------------------------------------
# Scans, sorting and norms
# ----------------------------------------------------------------------------------------


@numpy_names
@autocast_mode.casts(cuda="float32")
def cumsum(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Cumulative sums along ``dim``: output ``j`` is ``input[0] + ... + input[j]``.

    Integer and bool inputs sum in int64, as in PyTorch; ``dtype`` casts first.

    Example:
        >>> import minigrad
        >>> minigrad.cumsum(minigrad.tensor([1, 2, 3, 4]), dim=0)
        tensor([ 1,  3,  6, 10])
    """
    _check_tensor(input, "cumsum")
    axis = normalize_dim(dim, input.ndim)
    if dtype is not None:
        input = cast(input, dtype)
    elif not input.is_floating_point():
        input = cast(input, _dtypes.int64)
    if input.ndim == 0:
        return clone(input)  # a copy, as every cumsum is (not a view of the input)
    return scan.Cumsum.apply(input, axis=axis)


SortResult = _return_types.define("sort", ["values", "indices"])
TopkResult = _return_types.define("topk", ["values", "indices"])


def _sort_order(xp, array, axis: int, descending: bool):
    """The stable order of ``array`` along ``axis``: equal elements keep their order, in
    both directions; NaN counts as the largest value, as in PyTorch."""
    if not descending:
        return xp.argsort(array, axis=axis, kind="stable")
    # Sorting the reversed array and reversing the result keeps ties in their order.
    n = array.shape[axis]
    reversed_order = xp.argsort(xp.flip(array, axis), axis=axis, kind="stable")
    return (n - 1) - xp.flip(reversed_order, axis)


@numpy_names
def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False):
    """The elements sorted along ``dim``, and where each came from: ``(values,
    indices)``.

    The sort is always stable (equal elements keep their order; ``stable`` is accepted
    for PyTorch's signature), and NaN sorts as the largest value, as in PyTorch. The
    gradient of ``values`` goes back to the positions in ``indices``.

    Example:
        >>> import minigrad
        >>> minigrad.sort(minigrad.tensor([3.0, 1.0, 2.0]), descending=True)
        minigrad.return_types.sort(
        values=tensor([3., 2., 1.]),
        indices=tensor([0, 2, 1]))
    """
    _check_tensor(input, "sort")
    axis = normalize_dim(dim, input.ndim)
    if input.ndim == 0:
        zero = Tensor._wrap(input.device.xp.zeros((), dtype=np.int64), input.device)
        return SortResult(clone(input), zero)
    order = _sort_order(input.device.xp, input._data, axis, descending)
    return SortResult(_gather(input, order, axis), Tensor._wrap(order, input.device))


@numpy_names
def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False):
    """The indices that sort ``input`` along ``dim`` (the ``indices`` of :func:`sort`).

    Example:
        >>> import minigrad
        >>> minigrad.argsort(minigrad.tensor([3.0, 1.0, 2.0]))
        tensor([1, 2, 0])
    """
    return sort(input, dim, descending, stable).indices


@numpy_names
def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """The ``k`` largest elements along ``dim`` (the smallest with ``largest=False``),
    and their indices: ``(values, indices)``, in sorted order.

    Ties keep their order in the input. The gradient of ``values`` goes back to the
    positions in ``indices``.

    Example:
        >>> import minigrad
        >>> minigrad.topk(minigrad.tensor([1.0, 5.0, 3.0, 4.0]), 2)
        minigrad.return_types.topk(
        values=tensor([5., 4.]),
        indices=tensor([1, 3]))
    """
    _check_tensor(input, "topk")
    if input.dtype == _dtypes.bool:
        raise RuntimeError("topk does not support bool dtypes (as in PyTorch on the CPU)")
    axis = normalize_dim(dim, input.ndim)
    size = input.shape[axis] if input.ndim else 1
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise TypeError(f"topk: k must be an int, got {type(k).__name__}")
    if not 0 <= k <= size:
        raise RuntimeError(
            f"selected index k out of range: k={k} but dim {dim} has {size} elements"
        )
    if input.ndim == 0:
        return TopkResult(*sort(input))
    order = _sort_order(input.device.xp, input._data, axis, descending=largest)
    # The first k of each row, laid out contiguously (as PyTorch's, so .view() works).
    order = input.device.xp.ascontiguousarray(order[(slice(None),) * axis + (slice(0, int(k)),)])
    return TopkResult(_gather(input, order, axis), Tensor._wrap(order, input.device))


def _gather(input: Tensor, order, axis: int) -> Tensor:
    return reduce.Gather.apply(input, order, axis=axis)


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """The vector ``p``-norm ``(sum |x|**p) ** (1/p)`` over ``dim`` (all elements when
    None), as ``torch.norm``.

    ``p`` is a number, ``inf`` (the largest ``|x|``), ``-inf`` (the smallest), 0 (the
    count of non-zeros), or ``"fro"`` (the Frobenius norm: 2 over the dims). The gradient
    at a zero vector is 0, as in PyTorch. The input must be floating point.

    Example:
        >>> import minigrad
        >>> minigrad.norm(minigrad.tensor([3.0, 4.0]))
        tensor(5.)
        >>> minigrad.tensor([[3.0, -4.0], [1.0, 0.0]]).norm(p=1, dim=1)
        tensor([7., 1.])
    """
    _check_tensor(input, "norm")
    if p == "fro":
        if isinstance(dim, list | tuple) and len(dim) > 2:  # PyTorch: a matrix norm then
            raise RuntimeError(
                f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}"
            )
        p = 2
    elif p == "nuc":
        raise NotImplementedError(
            "norm(p='nuc'): minigrad has no nuclear norm (it needs a singular value "
            "decomposition); the vector norms (p a number, inf, -inf, 'fro') are supported"
        )
    if isinstance(p, str | bool) or not isinstance(p, int | float):
        raise ValueError(f"norm: p must be a number, inf, -inf or 'fro', got {p!r}")
    if dtype is not None:
        input = cast(input, dtype)
    if not input.is_floating_point():
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
            f"Got {input.dtype}"
        )
    axis = normalize_dims(dim, input.ndim)
    if p in (math.inf, -math.inf) and any(  # the max (min) of nothing has no value
        input.shape[d] == 0 for d in (range(input.ndim) if axis is None else axis)
    ):
        raise RuntimeError(
            f"linalg.vector_norm cannot compute the {p} norm of an empty tensor (shape "
            f"{tuple(input.shape)}, dim {dim}): the operation has no identity"
        )
    return scan.Norm.apply(input, float(p), axis=axis, keepdims=bool(keepdim))


# ----------------------------------------------------------------------------------------
# Products, grids and shapes
# ----------------------------------------------------------------------------------------


@autocast_mode.casts(cpu="lower", cuda="lower")
def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix product: ``out[b] = input[b] @ mat2[b]`` for tensors of shapes
    ``(B, n, k)`` and ``(B, k, m)`` (no broadcasting, unlike :func:`~minigrad.matmul`).

    Example:
        >>> import minigrad
        >>> minigrad.bmm(minigrad.ones(4, 2, 3), minigrad.ones(4, 3, 5)).shape
        minigrad.Size([4, 2, 5])
    """
    for name, t in (("batch1", input), ("batch2", mat2)):
        _check_tensor(t, "bmm")
        if t.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor (got shape {tuple(t.shape)})")
    b, _, k = input.shape
    if tuple(mat2.shape[:2]) != (b, k):
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{b}, {k}] "
            f"but got: [{mat2.shape[0]}, {mat2.shape[1]}]."
        )
    return matmul(input, mat2)


def meshgrid(*tensors, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors: with ``indexing="ij"``, output ``i`` has shape
    ``(len(t0), len(t1), ...)`` and varies along dimension ``i``; with ``"xy"`` (NumPy's
    and plotting's convention) the first two dimensions are swapped.

    Without ``indexing`` it is ``"ij"`` with PyTorch's warning that it will become
    required. The grids are differentiable views (expanded, not copied).

    Example:
        >>> import minigrad
        >>> x, y = minigrad.meshgrid(minigrad.tensor([1, 2]), minigrad.tensor([5, 6, 7]),
        ...                          indexing="ij")
        >>> x.tolist(), y.shape
        ([[1, 1, 1], [2, 2, 2]], minigrad.Size([2, 3]))
    """
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the "
            "indexing argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        _check_tensor(t, "meshgrid")
        if t.ndim > 1:
            raise RuntimeError(
                f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got a "
                f"tensor of shape {tuple(t.shape)}"
            )
    if len({t.dtype for t in tensors}) > 1:
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    if len({t.device for t in tensors}) > 1:
        raise RuntimeError("meshgrid expects all tensors to have the same device")
    sizes = [t.numel() for t in tensors]
    axes = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        axes[0], axes[1] = 1, 0  # tensor 0 varies along the columns, tensor 1 the rows
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for t, axis in zip(tensors, axes):
        shape = [1] * len(tensors)
        shape[axis] = -1
        grids.append(expand(reshape(t, tuple(shape)), tuple(sizes)))
    return tuple(grids)


@numpy_names
def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    """Swap two dimensions (NumPy's name for :func:`~minigrad.transpose`).

    Example:
        >>> import minigrad
        >>> minigrad.swapaxes(minigrad.zeros(2, 3, 4), 0, 2).shape
        minigrad.Size([4, 3, 2])
    """
    return transpose(input, axis0, axis1)


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions (another name for :func:`~minigrad.transpose`).

    Example:
        >>> import minigrad
        >>> minigrad.swapdims(minigrad.zeros(2, 3), 0, 1).shape
        minigrad.Size([3, 2])
    """
    return transpose(input, dim0, dim1)


def repeat(input: Tensor, *sizes) -> Tensor:
    """Tile ``input``: ``sizes[i]`` copies along dimension ``i`` (``Tensor.repeat``;
    NumPy's ``tile``). Extra leading sizes add dimensions.

    It is built from a reshape, an expand and a reshape, so the gradient of each copy
    adds back into the original.

    Example:
        >>> import minigrad
        >>> minigrad.tensor([1, 2]).repeat(2, 2).tolist()
        [[1, 2, 1, 2], [1, 2, 1, 2]]
    """
    _check_tensor(input, "repeat")
    sizes = shape_arg(sizes)
    if len(sizes) < input.ndim:
        raise RuntimeError(
            f"Number of dimensions of repeat dims can not be smaller than number of "
            f"dimensions of tensor (repeat dims {sizes} for a tensor of shape "
            f"{tuple(input.shape)})"
        )
    if any(n < 0 for n in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {sizes}")
    shape = (1,) * (len(sizes) - input.ndim) + tuple(input.shape)
    # (d0, d1) -> (1, d0, 1, d1) -> (r0, d0, r1, d1) -> (r0 * d0, r1 * d1)
    interleaved = tuple(n for d in shape for n in (1, d))
    expanded = tuple(n for r, d in zip(sizes, shape) for n in (r, d))
    tiled = clone(expand(reshape(input, interleaved), expanded))  # a copy, never a view
    return reshape(tiled, tuple(r * d for r, d in zip(sizes, shape)))
