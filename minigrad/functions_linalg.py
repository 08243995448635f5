"""Matrix helpers: the products under their BLAS names (``mm``, ``mv``, ``dot``, ``inner``,
``addmm``, ``addmv``, ``baddbmm``, ``addbmm``, ``tensordot``, ``kron``), ``t``, diagonals
(``diagonal``, ``diag``, ``diag_embed``, ``trace``), ``cross``, the index helpers
``triu_indices`` and ``tril_indices``, and the distance matrix ``cdist``.

They check their shapes as PyTorch does, then compose ``matmul``, ``einsum`` and slices,
so their gradients are those of the core ops: a diagonal is ``einsum("...ii->...i")`` of
a square slice, a diagonal matrix is a vector times the identity.
"""

from __future__ import annotations

import numpy as np

from . import autocast_mode, creation
from . import dtypes as _dtypes
from .functions import _check_tensor, matmul, normalize_dim, pad, stack, where
from .functions_einsum import einsum
from .functions_extra import bmm
from .tensor import Tensor


def _need(t, ndim: int, name: str, what: str) -> None:
    _check_tensor(t, name)
    if t.ndim != ndim:
        raise RuntimeError(
            f"{name}: {what} must be a {ndim}D tensor, got {t.ndim}D {tuple(t.shape)}"
        )


@autocast_mode.casts(cpu="lower", cuda="lower")
def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """The product of two matrices, (n, k) @ (k, m) (no broadcasting).

    Example:
        >>> import minigrad
        >>> minigrad.mm(minigrad.ones(2, 3), minigrad.ones(3, 4)).shape
        minigrad.Size([2, 4])
    """
    _need(input, 2, "mm", "self")
    _need(mat2, 2, "mm", "mat2")
    if input.shape[1] != mat2.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({input.shape[0]}x{input.shape[1]} "
            f"and {mat2.shape[0]}x{mat2.shape[1]})"
        )
    return matmul(input, mat2)


@autocast_mode.casts(cpu="keep", cuda="lower")
def mv(input: Tensor, vec: Tensor) -> Tensor:
    """The product of a matrix (n, m) and a vector (m,).

    Example:
        >>> import minigrad
        >>> minigrad.mv(minigrad.ones(2, 3), minigrad.tensor([1.0, 2.0, 3.0]))
        tensor([6., 6.])
    """
    _need(input, 2, "mv", "self")
    _need(vec, 1, "mv", "vec")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({input.shape[0]}), mat ({input.shape[0]}x"
            f"{input.shape[1]}), vec ({vec.shape[0]})"
        )
    return matmul(input, vec)


@autocast_mode.casts(cpu="keep", cuda="keep")  # not a lowered product in PyTorch
def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """The dot product of two 1-D tensors of the same length; ``vdot`` is the same (for
    real numbers).

    Example:
        >>> import minigrad
        >>> minigrad.dot(minigrad.tensor([1.0, 2.0]), minigrad.tensor([3.0, 4.0]))
        tensor(11.)
    """
    _need(input, 1, "dot", "self")
    _need(tensor, 1, "dot", "tensor")
    if input.shape != tensor.shape:
        n, m = input.shape[0], tensor.shape[0]
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
            f"number of elements, but got {n} and {m} elements respectively"
        )
    return matmul(input, tensor)


vdot = dot


def inner(input: Tensor, other: Tensor) -> Tensor:
    """The sum of products over the last dim of both: ``inner(a, b)[i..., j...] =
    sum_k a[i..., k] b[j..., k]`` (a number for two vectors).

    Example:
        >>> import minigrad
        >>> minigrad.inner(minigrad.ones(2, 3), minigrad.ones(4, 3)).shape
        minigrad.Size([2, 4])
    """
    _check_tensor(input, "inner")
    _check_tensor(other, "inner")
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    return tensordot(input, other, dims=([input.ndim - 1], [other.ndim - 1]))


def t(input: Tensor) -> Tensor:
    """The transpose of a matrix (a tensor of at most 2 dims is its own transpose's
    shape-swap; 0-d and 1-d tensors are returned as they are).

    Example:
        >>> import minigrad
        >>> minigrad.t(minigrad.ones(2, 3)).shape
        minigrad.Size([3, 2])
    """
    _check_tensor(input, "t")
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return input.transpose(0, 1) if input.ndim == 2 else input


@autocast_mode.casts(cpu="lower", cuda="lower")
def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``, ``input`` broadcast to the product's
    shape (a linear layer is ``addmm(bias, x, weight.T)``).

    Example:
        >>> import minigrad
        >>> minigrad.addmm(minigrad.ones(3), minigrad.ones(2, 4), minigrad.ones(4, 3))
        tensor([[5., 5., 5.],
                [5., 5., 5.]])
    """
    return _scaled_sum(input, mm(mat1, mat2), beta, alpha)


@autocast_mode.casts(cpu="keep", cuda="lower")
def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``.

    Example:
        >>> import minigrad
        >>> minigrad.addmv(minigrad.zeros(2), minigrad.ones(2, 3), minigrad.ones(3), alpha=2)
        tensor([6., 6.])
    """
    return _scaled_sum(input, mv(mat, vec), beta, alpha)


@autocast_mode.casts(cpu="lower", cuda="lower")
def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``: a product per batch element.

    Example:
        >>> import minigrad
        >>> minigrad.baddbmm(minigrad.zeros(5, 2, 4), minigrad.ones(5, 2, 3),
        ...                  minigrad.ones(5, 3, 4)).shape
        minigrad.Size([5, 2, 4])
    """
    return _scaled_sum(input, bmm(batch1, batch2), beta, alpha)


@autocast_mode.casts(cpu="lower", cuda="lower")
def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * sum_b batch1[b] @ batch2[b]``: the batch's products summed.

    Example:
        >>> import minigrad
        >>> minigrad.addbmm(minigrad.zeros(2, 4), minigrad.ones(5, 2, 3), minigrad.ones(5, 3, 4))
        tensor([[15., 15., 15., 15.],
                [15., 15., 15., 15.]])
    """
    return _scaled_sum(input, bmm(batch1, batch2).sum(0), beta, alpha)


def _scaled_sum(input: Tensor, product: Tensor, beta, alpha) -> Tensor:
    """``beta * input + alpha * product``; with ``beta`` 0, ``input`` is ignored (even its
    NaNs), as in PyTorch."""
    _check_tensor(input, "addmm")
    scaled = product if alpha == 1 else product * alpha
    if beta == 0:  # input's values are not read, but it gets its (zero) gradient
        return scaled + where(creation.zeros(input.shape, dtype=_dtypes.bool,
                                             device=input.device), input, 0.0)  # fmt: skip
    return scaled + (input if beta == 1 else input * beta)


def tensordot(a: Tensor, b: Tensor, dims=2) -> Tensor:
    """Sum products over the given dims: ``dims`` an int (the last ``dims`` of ``a`` with
    the first of ``b``) or two lists of dims to pair up.

    Example:
        >>> import minigrad
        >>> minigrad.tensordot(minigrad.ones(2, 3, 4), minigrad.ones(3, 4, 5)).shape
        minigrad.Size([2, 5])
        >>> minigrad.tensordot(minigrad.ones(3, 2), minigrad.ones(3, 5), dims=([0], [0])).shape
        minigrad.Size([2, 5])
    """
    _check_tensor(a, "tensordot")
    _check_tensor(b, "tensordot")
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a, dims_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        dims_a, dims_b = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    dims_a = [normalize_dim(d, a.ndim) for d in dims_a]
    dims_b = [normalize_dim(d, b.ndim) for d in dims_b]
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    sub_a = [next(letters) for _ in range(a.ndim)]
    sub_b = [next(letters) for _ in range(b.ndim)]
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {a.shape[da]} in "
                f"dim {da} and second has size {b.shape[db]} in dim {db}"
            )
        sub_b[db] = sub_a[da]
    out = [c for d, c in enumerate(sub_a) if d not in dims_a]
    out += [c for d, c in enumerate(sub_b) if d not in dims_b]
    return einsum(f"{''.join(sub_a)},{''.join(sub_b)}->{''.join(out)}", a, b)


def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product: every element of ``input`` times the whole of ``other``,
    laid out as blocks.

    Example:
        >>> import minigrad
        >>> minigrad.kron(minigrad.eye(2), minigrad.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor([[1., 2., 0., 0.],
                [3., 4., 0., 0.],
                [0., 0., 1., 2.],
                [0., 0., 3., 4.]])
    """
    _check_tensor(input, "kron")
    _check_tensor(other, "kron")
    ndim = max(input.ndim, other.ndim)
    a = input.reshape((1,) * (ndim - input.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (ndim - other.ndim) + tuple(other.shape))
    # a[i] * b[j] at position (i * len_b + j) along each dim: interleave the axes
    product = a.reshape([n for m in a.shape for n in (m, 1)]) * b.reshape(
        [n for m in b.shape for n in (1, m)]
    )
    return product.reshape([m * n for m, n in zip(a.shape, b.shape)])


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (the first dim of size 3 when None,
    as PyTorch's deprecated default; ``linalg.cross`` uses -1).

    Example:
        >>> import minigrad
        >>> minigrad.cross(minigrad.tensor([1.0, 0.0, 0.0]), minigrad.tensor([0.0, 1.0, 0.0]))
        tensor([0., 0., 1.])
    """
    _check_tensor(input, "cross")
    _check_tensor(other, "cross")
    if input.ndim != other.ndim:
        raise RuntimeError(
            f"linalg.cross: inputs must have the same number of dimensions, got "
            f"{input.ndim} and {other.ndim}"
        )
    if dim is None:
        dim = next((d for d, n in enumerate(input.shape) if n == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    dim = normalize_dim(dim, input.ndim)
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got "
            f"{input.shape[dim]} and {other.shape[dim]}"
        )
    a, b = input.unbind(dim), other.unbind(dim)
    parts = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
    return stack(parts, dim)


# ----------------------------------------------------------------------------------------
# Diagonals
# ----------------------------------------------------------------------------------------


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of the matrices formed by ``dim1`` and ``dim2``, ``offset`` above the
    main one (below for a negative offset), as a new last dim.

    Example:
        >>> import minigrad
        >>> x = minigrad.arange(9.0).reshape(3, 3)
        >>> minigrad.diagonal(x), minigrad.diagonal(x, offset=1)
        (tensor([0., 4., 8.]), tensor([1., 5.]))
    """
    _check_tensor(input, "diagonal")
    if input.ndim < 2:
        raise RuntimeError(f"diagonal: expected a tensor of at least 2 dims, got {input.ndim}D")
    d1, d2 = normalize_dim(dim1, input.ndim), normalize_dim(dim2, input.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    x = input.movedim((d1, d2), (-2, -1))
    rows, cols = x.shape[-2:]
    start_r, start_c = (0, offset) if offset >= 0 else (-offset, 0)
    n = max(0, min(rows - start_r, cols - start_c))
    square = x[..., start_r : start_r + n, start_c : start_c + n]
    return einsum("...ii->...i", square)


_diagonal_of = diagonal  # for diag, whose argument is called diagonal


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """For a vector, the square matrix with it on the ``diagonal``-th diagonal; for a
    matrix, that diagonal as a vector.

    Example:
        >>> import minigrad
        >>> minigrad.diag(minigrad.tensor([1.0, 2.0]))
        tensor([[1., 0.],
                [0., 2.]])
        >>> minigrad.diag(minigrad.tensor([[1.0, 2.0], [3.0, 4.0]]), 1)
        tensor([2.])
    """
    _check_tensor(input, "diag")
    if input.ndim == 2:
        return _diagonal_of(input, diagonal)
    if input.ndim != 1:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")
    return diag_embed(input, diagonal)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Square matrices with the last dim of ``input`` on their ``offset``-th diagonal,
    placed along ``dim1`` and ``dim2`` of the result.

    Example:
        >>> import minigrad
        >>> minigrad.diag_embed(minigrad.tensor([[1.0, 2.0], [3.0, 4.0]])).shape
        minigrad.Size([2, 2, 2])
    """
    _check_tensor(input, "diag_embed")
    n = input.shape[-1] if input.ndim else 1
    eye = creation.eye(n, dtype=input.dtype, device=input.device)
    matrices = input.unsqueeze(-1) * eye if input.ndim else input * eye
    if offset:
        k = abs(offset)
        # a shift of the diagonal: rows padded at the bottom and columns at the left for a
        # positive offset (the diagonal moves right), the other way round for a negative one
        widths = (k, 0, 0, k) if offset > 0 else (0, k, k, 0)
        matrices = pad(matrices, widths)
    ndim = matrices.ndim
    d1, d2 = normalize_dim(dim1, ndim), normalize_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return matrices.movedim((-2, -1), (d1, d2))


@autocast_mode.casts(cpu="float32")
def trace(input: Tensor) -> Tensor:
    """The sum of the main diagonal of a matrix.

    Example:
        >>> import minigrad
        >>> minigrad.trace(minigrad.arange(9.0).reshape(3, 3))
        tensor(12.)
    """
    _check_tensor(input, "trace")
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    result = diagonal(input).sum()
    return result if input.is_floating_point() else result.long()


def _triangle_indices(row: int, col: int, offset: int, lower: bool, device, dtype) -> Tensor:
    pick = np.tril_indices if lower else np.triu_indices
    rows, cols = pick(row, offset, col)  # on the host: a small table of indices
    dtype = _dtypes.int64 if dtype is None else dtype
    return creation.tensor(np.stack([rows, cols]), dtype=dtype, device=device)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None) -> Tensor:
    """The (2, n) row and column indices of the upper triangle of a ``row`` x ``col``
    matrix, from the ``offset``-th diagonal up, row by row.

    Example:
        >>> import minigrad
        >>> minigrad.triu_indices(3, 3, 1)
        tensor([[0, 0, 1],
                [1, 2, 2]])
    """
    return _triangle_indices(row, col, offset, False, device, dtype)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None) -> Tensor:
    """The (2, n) row and column indices of the lower triangle of a ``row`` x ``col``
    matrix, up to the ``offset``-th diagonal, row by row.

    Example:
        >>> import minigrad
        >>> minigrad.tril_indices(3, 3)
        tensor([[0, 1, 1, 2, 2, 2],
                [0, 0, 1, 0, 1, 2]])
    """
    return _triangle_indices(row, col, offset, True, device, dtype)


CDIST_MODES = (
    "use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist",
)  # fmt: skip


@autocast_mode.casts(cpu="float32", cuda="float32")
def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode=CDIST_MODES[0]) -> Tensor:
    """The p-norm distance between every row of ``x1`` (..., P, M) and every row of ``x2``
    (..., R, M): a (..., P, R) tensor, the leading dimensions broadcast.

    ``p = 2`` is the Euclidean distance, ``1`` the Manhattan, ``inf`` the largest
    coordinate difference, ``0`` the number of coordinates that differ. Computed from the
    differences themselves (a (..., P, R, M) intermediate), which is exact where PyTorch's
    matrix-product shortcut for large Euclidean inputs loses digits; ``compute_mode`` is
    accepted for compatibility. A zero distance has a zero gradient, as in PyTorch.

    Example:
        >>> import minigrad
        >>> a = minigrad.tensor([[0.0, 0.0], [1.0, 1.0]])
        >>> b = minigrad.tensor([[3.0, 4.0]])
        >>> [[round(d, 4) for d in row] for row in minigrad.cdist(a, b).tolist()]
        [[5.0], [3.6056]]
        >>> minigrad.cdist(a, b, p=1).tolist()
        [[7.0], [5.0]]
    """
    for name, x in (("x1", x1), ("x2", x2)):
        _check_tensor(x, "cdist")
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {x.ndim}D")
        if not x.is_floating_point():
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {x.dtype}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}"
        )
    if x1.device != x2.device:
        raise RuntimeError(f"cdist: x1 is on {x1.device} and x2 on {x2.device}; they must match")
    if not p >= 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if compute_mode not in CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    diff = (x1.unsqueeze(-2) - x2.unsqueeze(-3)).abs()  # (..., P, R, M)
    if p == 0:
        return diff.sign().sum(-1)  # a count: its gradient is zero
    if p == 1:
        return diff.sum(-1)
    if p == float("inf"):
        return diff.amax(-1)
    if p == 2:
        powered = (diff * diff).sum(-1)
    else:  # |d|**p has an infinite slope at d = 0 for p < 1: take it of 1 there
        flat = diff == 0
        powered = where(flat, 0.0, where(flat, 1.0, diff) ** p).sum(-1)
    # The root of a zero sum has an infinite slope: take it of 1 there instead, and give
    # the zero distance back (its gradient is then zero, not NaN).
    zero = powered == 0
    root = where(zero, 1.0, powered)
    root = root.sqrt() if p == 2 else root ** (1.0 / p)
    return where(zero, 0.0, root)
