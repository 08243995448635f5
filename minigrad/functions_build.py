"""Splitting tensors and building new ones from pieces: ``tensor_split`` (and ``hsplit``,
``vsplit``, ``dsplit``), ``block_diag``, ``cartesian_prod``, ``combinations``,
``diagflat``, ``vander``, ``addr`` and ``unravel_index``.

The pieces are views (slices) and the built tensors are pads, stacks and products of
their inputs, so gradients flow through the core functions.
"""

from __future__ import annotations

import itertools

import numpy as np

from . import autocast_mode, creation
from . import dtypes as _dtypes
from .functions import _check_tensor, cat, normalize_dim, pad, stack
from .functions_arrange import atleast_2d
from .functions_extra import meshgrid
from .functions_linalg import diag
from .tensor import Tensor


def tensor_split(input: Tensor, indices_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    """``input`` split along ``dim`` into ``n`` pieces as equal as can be (the first
    ``size % n`` one longer), for an int ``n``; or at the positions a list gives.

    Example:
        >>> import minigrad
        >>> [p.tolist() for p in minigrad.tensor_split(minigrad.arange(7), 3)]
        [[0, 1, 2], [3, 4], [5, 6]]
        >>> [p.tolist() for p in minigrad.tensor_split(minigrad.arange(7), [1, 5])]
        [[0], [1, 2, 3, 4], [5, 6]]
    """
    _check_tensor(input, "tensor_split")
    axis = normalize_dim(dim, max(input.ndim, 1))
    if input.ndim == 0:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a 0-d one"
        )
    size = input.shape[axis]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, int) and not isinstance(indices_or_sections, bool):
        n = indices_or_sections
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        lengths = [size // n + (1 if i < size % n else 0) for i in range(n)]
        bounds = list(itertools.accumulate(lengths, initial=0))
    else:
        cuts = [min(max(int(i) if i >= 0 else size + int(i), 0), size) for i in indices_or_sections]
        bounds = [0, *cuts, size]
    pieces = []
    for start, stop in itertools.pairwise(bounds):
        key = [slice(None)] * input.ndim
        key[axis] = slice(start, max(start, stop))
        pieces.append(input[tuple(key)])
    return tuple(pieces)


def _split_along(name: str, input: Tensor, sections, dim: int, min_ndim: int):
    _check_tensor(input, name)
    if input.ndim < min_ndim:
        raise RuntimeError(
            f"torch.{name} requires a tensor with at least {min_ndim} dimension, but got a "
            f"tensor with {input.ndim} dimensions!"
        )
    if isinstance(sections, int) and not isinstance(sections, bool):
        size = input.shape[dim]
        if sections == 0 or size % sections:
            raise RuntimeError(
                f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                f"dimension {size} is not divisible by the split_size {sections}!"
            )
    return tensor_split(input, sections, dim)


def hsplit(input: Tensor, sections) -> tuple[Tensor, ...]:
    """Split along the columns (dim 1; dim 0 of a 1-D tensor) into equal pieces or at
    positions.

    Example:
        >>> import minigrad
        >>> [p.shape for p in minigrad.hsplit(minigrad.ones(2, 4), 2)]
        [minigrad.Size([2, 2]), minigrad.Size([2, 2])]
    """
    return _split_along("hsplit", input, sections, 1 if input.ndim > 1 else 0, 1)


def vsplit(input: Tensor, sections) -> tuple[Tensor, ...]:
    """Split along the rows (dim 0) of a tensor of at least 2 dims.

    Example:
        >>> import minigrad
        >>> [p.shape for p in minigrad.vsplit(minigrad.ones(4, 2), [1])]
        [minigrad.Size([1, 2]), minigrad.Size([3, 2])]
    """
    return _split_along("vsplit", input, sections, 0, 2)


def dsplit(input: Tensor, sections) -> tuple[Tensor, ...]:
    """Split along the depth (dim 2) of a tensor of at least 3 dims.

    Example:
        >>> import minigrad
        >>> [p.shape for p in minigrad.dsplit(minigrad.ones(1, 2, 4), 2)]
        [minigrad.Size([1, 2, 2]), minigrad.Size([1, 2, 2])]
    """
    return _split_along("dsplit", input, sections, 2, 3)


def block_diag(*tensors: Tensor) -> Tensor:
    """The tensors (0-d as 1 x 1, 1-D as one row, 2-D as they are) placed along the
    diagonal of one matrix, zeros elsewhere.

    Example:
        >>> import minigrad
        >>> minigrad.block_diag(minigrad.ones(1, 2), minigrad.tensor([[3.0]])).tolist()
        [[1.0, 1.0, 0.0], [0.0, 0.0, 3.0]]
    """
    blocks = []
    for i, t in enumerate(tensors):
        _check_tensor(t, "block_diag")
        if t.ndim > 2:
            raise RuntimeError(
                f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} "
                f"has {t.ndim} dimensions"
            )
        blocks.append(t.reshape(1, 1) if t.ndim == 0 else atleast_2d(t))
    if not blocks:
        return creation.empty(1, 0)
    dtype = _dtypes.result_type(*blocks)
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        rows.append(pad(b.to(dtype), (left, width - left - b.shape[1])))
        left += b.shape[1]
    return cat(rows, 0)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of one element from each 1-D tensor, as the rows of a matrix
    (the first tensor's element changing slowest); one tensor is returned as it is.

    Example:
        >>> import minigrad
        >>> minigrad.cartesian_prod(minigrad.tensor([1, 2]), minigrad.tensor([3, 4])).tolist()
        [[1, 3], [1, 4], [2, 3], [2, 4]]
    """
    for t in tensors:
        _check_tensor(t, "cartesian_prod")
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The ``r``-element combinations of a 1-D tensor's elements, as rows (in the order
    of Python's ``itertools.combinations``).

    Example:
        >>> import minigrad
        >>> minigrad.combinations(minigrad.tensor([1, 2, 3])).tolist()
        [[1, 2], [1, 3], [2, 3]]
    """
    _check_tensor(input, "combinations")
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    choose = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = list(choose(range(input.shape[0]), r))
    if r == 0 or not rows:
        return creation.empty(0, dtype=input.dtype, device=input.device)
    index = Tensor._wrap(input.device.from_host(np.array(rows, dtype=np.int64)), input.device)
    return input[index]


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """The elements of ``input``, flattened, on the ``offset``-th diagonal of a square
    matrix.

    Example:
        >>> import minigrad
        >>> minigrad.diagflat(minigrad.tensor([[1, 2]])).tolist()
        [[1, 0], [0, 2]]
    """
    _check_tensor(input, "diagflat")
    return diag(input.reshape(-1), offset)


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of a 1-D ``x``: columns ``x**(N-1), ..., x, 1`` (the reverse
    with ``increasing``), ``N`` the length of ``x`` by default.

    Example:
        >>> import minigrad
        >>> minigrad.vander(minigrad.tensor([1, 2, 3]), 3).tolist()
        [[1, 1, 1], [4, 2, 1], [9, 3, 1]]
    """
    _check_tensor(x, "vander")
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dtype = x.dtype if x.dtype.kind in "fi" else _dtypes.int64
    ones = creation.ones_like(x.detach(), dtype=dtype)
    powers = [x.to(dtype) ** k if k else ones for k in range(n)]
    columns = powers if increasing else powers[::-1]
    return stack(columns, 1) if columns else creation.empty(x.shape[0], 0, dtype=dtype)


@autocast_mode.casts(cuda="lower")
def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``.

    Example:
        >>> import minigrad
        >>> u, v = minigrad.tensor([1.0, 2.0]), minigrad.tensor([3.0, 4.0])
        >>> minigrad.addr(minigrad.zeros(2, 2), u, v).tolist()
        [[3.0, 4.0], [6.0, 8.0]]
    """
    for t in (input, vec1, vec2):
        _check_tensor(t, "addr")
    if vec1.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(
            f"addr: Expected 1-D argument vec1 and vec2, but got {vec1.ndim}-D and {vec2.ndim}-D"
        )
    outer = vec1.unsqueeze(1) * vec2.unsqueeze(0)
    if beta == 0:
        return alpha * outer + input * 0
    return beta * input + alpha * outer


def unravel_index(indices, shape) -> tuple[Tensor, ...]:
    """The coordinates in an array of ``shape`` of flat (C-order) ``indices``: one tensor
    per dim.

    Example:
        >>> import minigrad
        >>> [c.tolist() for c in minigrad.unravel_index(minigrad.tensor([4, 7]), (2, 4))]
        [[1, 1], [0, 3]]
    """
    if not isinstance(indices, Tensor):
        indices = creation.tensor(indices)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    total = int(np.prod(shape))
    if indices.numel() and (bool((indices < -total).any()) or bool((indices >= total).any())):
        raise RuntimeError("'indices' must be in range [-prod(shape), prod(shape))")
    flat = indices.where(indices >= 0, indices + total)
    coords = []
    for n in reversed(shape):
        coords.append(flat % n)
        flat = flat // n
    return tuple(reversed(coords))
