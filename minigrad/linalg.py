"""``minigrad.linalg``, as ``torch.linalg``: inverses, determinants, solves, the Cholesky,
symmetric-eigen and singular value decompositions, and the norms and functions built on
them. Matrices are the last two dims (any leading dims are a batch).

The decompositions are primitives (``ops/decompositions.py``) with their backward written
out; the rest compose them: ``pinv`` from the SVD, ``matrix_norm(ord="nuc")`` the sum of
the singular values, ``matrix_power`` repeated products.
"""

from __future__ import annotations

import math

from . import autocast_mode
from . import dtypes as _dtypes
from . import return_types as _return_types
from .creation import eye, zeros
from .functions import _check_tensor, cat, where
from .functions_extra import norm as _norm
from .ops import decompositions as _dec
from .tensor import Tensor

SlogdetResult = _return_types.define("slogdet", ["sign", "logabsdet"])
EighResult = _return_types.define("eigh", ["eigenvalues", "eigenvectors"])
SvdResult = _return_types.define("svd", ["U", "S", "Vh"])
QrResult = _return_types.define("qr", ["Q", "R"])

__all__ = [
    "cholesky", "det", "eigh", "eigvalsh", "inv", "matrix_norm", "matrix_power",
    "matrix_rank", "norm", "pinv", "qr", "slogdet", "solve", "svd", "svdvals", "vector_norm",
]  # fmt: skip


def _square(name: str, a: Tensor) -> None:
    _check_tensor(a, f"linalg.{name}")
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"linalg.{name}: A must be batches of square matrices, but they are "
            f"{' by '.join(map(str, a.shape[-2:])) if a.ndim >= 2 else f'{a.ndim}-D'} matrices"
        )
    _floating(name, a)


def _floating(name: str, a: Tensor) -> None:
    if a.dtype not in (_dtypes.float32, _dtypes.float64):
        raise RuntimeError(
            f"linalg.{name}: Expected a floating point tensor as input. Got {a.dtype}"
        )


@autocast_mode.casts(cpu="float32")
def inv(A: Tensor) -> Tensor:
    """The inverse of each square matrix (an error if one is singular).

    Example:
        >>> import minigrad
        >>> minigrad.linalg.inv(minigrad.tensor([[2.0, 0.0], [0.0, 4.0]])).tolist()
        [[0.5, 0.0], [0.0, 0.25]]
    """
    _square("inv", A)
    return _dec.Inverse.apply(A)


def det(A: Tensor) -> Tensor:
    """The determinant of each square matrix.

    Example:
        >>> import minigrad
        >>> minigrad.linalg.det(minigrad.tensor([[1.0, 2.0], [3.0, 4.0]])).item()
        -2.0...
    """
    _square("det", A)
    return _dec.Det.apply(A)


def slogdet(A: Tensor):
    """``(sign, logabsdet)``: the sign of each determinant and the log of its absolute
    value, which stays finite where the determinant itself would over- or underflow.

    Example:
        >>> import minigrad
        >>> A = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> sign, logabs = minigrad.linalg.slogdet(A)
        >>> sign.item(), round(logabs.item(), 4)
        (-1.0, 0.6931)
    """
    _square("slogdet", A)
    xp = A.device.xp
    sign = Tensor._wrap(xp.sign(xp.linalg.det(A._data)).astype(A.dtype), A.device)
    return SlogdetResult(sign, _dec.LogAbsDet.apply(A))


@autocast_mode.casts(cpu="float32")
def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """The solution ``X`` of ``A X = B`` (``X A = B`` with ``left=False``), for square
    ``A`` and ``B`` a matrix or a vector (batches broadcast).

    Example:
        >>> import minigrad
        >>> A = minigrad.tensor([[3.0, 1.0], [1.0, 2.0]])
        >>> minigrad.linalg.solve(A, minigrad.tensor([9.0, 8.0])).tolist()
        [2.0, 3.0]
    """
    _square("solve", A)
    _check_tensor(B, "linalg.solve")
    if not left:
        return solve(A.mT, B.mT).mT
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    rows = B.shape[-1] if vector else B.shape[-2]
    if rows != A.shape[-1]:
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
            f"({'x'.join(map(str, A.shape[-2:]))} and {'x'.join(map(str, B.shape))})"
        )
    return _dec.Solve.apply(A, B, vector=vector)


@autocast_mode.casts(cpu="float32")
def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """The Cholesky factor of each symmetric positive-definite matrix: lower ``L`` with
    ``A = L L^T`` (its transpose with ``upper``).

    Example:
        >>> import minigrad
        >>> minigrad.linalg.cholesky(minigrad.tensor([[4.0, 2.0], [2.0, 2.0]])).tolist()
        [[2.0, 0.0], [1.0, 1.0]]
    """
    _square("cholesky", A)
    low = _dec.Cholesky.apply(A)
    return low.mT if upper else low


def qr(A: Tensor, mode: str = "reduced"):
    """``(Q, R)`` with ``A = Q R``, ``Q``'s columns orthonormal and ``R`` upper triangular
    (the signs LAPACK's, as PyTorch's). ``mode="reduced"`` (the default): ``Q`` is m x k
    and ``R`` k x n, k = min(m, n); ``"complete"``: ``Q`` is m x m and ``R`` m x n (for a
    tall matrix, Q's extra columns, a basis of the complement, carry no gradient and R's
    extra rows are zeros); ``"r"``: ``R`` only, ``Q`` an empty tensor. The gradient needs
    full rank (a wide matrix: its leading square block).

    Example:
        >>> import minigrad
        >>> Q, R = minigrad.linalg.qr(minigrad.tensor([[3.0, 1.0], [4.0, 2.0]]))
        >>> [[round(x, 4) for x in row] for row in (Q @ R).tolist()]
        [[3.0, 1.0], [4.0, 2.0]]
    """
    _check_tensor(A, "linalg.qr")
    if A.ndim < 2:
        raise RuntimeError("linalg.qr: The input tensor A must have at least 2 dimensions.")
    _floating("qr", A)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' "
            "(default), 'r', or 'complete'"
        )
    m, n = A.shape[-2:]
    k = min(m, n)
    lead = tuple(A.shape[:-2])
    packed = _dec.Qr.apply(A)
    q = packed[..., : m * k].reshape(*lead, m, k)
    r = packed[..., m * k :].reshape(*lead, k, n)
    if mode == "r":
        return QrResult(Tensor._wrap(A.device.xp.zeros(0, dtype=A._data.dtype), A.device), r)
    if mode == "complete" and m > n:
        xp = A.device.xp
        full_q, _ = xp.linalg.qr(A.detach()._data, mode="complete")
        rest = Tensor._wrap(xp.ascontiguousarray(full_q[..., :, k:]), A.device)
        q = cat([q, rest], -1)
        r = cat([r, zeros(*lead, m - k, n, dtype=A.dtype, device=A.device)], -2)
    return QrResult(q, r)


def logdet(input: Tensor) -> Tensor:
    """``torch.logdet`` (top-level ``minigrad.logdet``): ``log det A``, NaN where the
    determinant is negative and -inf where it is 0, as PyTorch's. See :func:`slogdet`.

    Example:
        >>> import minigrad
        >>> round(minigrad.logdet(minigrad.tensor([[2.0, 0.0], [0.0, 3.0]])).item(), 4)
        1.7918
    """
    sign, logabs = slogdet(input)
    return where(sign < 0, float("nan"), where(sign == 0, float("-inf"), logabs))


def qr_some(input: Tensor, some: bool = True):
    """``torch.qr``, deprecated in PyTorch for :func:`qr`: the reduced decomposition, or
    the complete one when ``some`` is false. Top-level ``minigrad.qr``.

    Example:
        >>> import minigrad
        >>> minigrad.qr(minigrad.ones(3, 2), some=False).Q.shape
        minigrad.Size([3, 3])
    """
    return qr(input, "reduced" if some else "complete")


def eigh(A: Tensor, UPLO: str = "L"):
    """Eigenvalues (ascending) and orthonormal eigenvectors (the columns) of symmetric
    matrices, read from the lower triangle (``UPLO="U"``: the upper one). The gradient
    needs distinct eigenvalues.

    Example:
        >>> import minigrad
        >>> w, V = minigrad.linalg.eigh(minigrad.tensor([[2.0, 1.0], [1.0, 2.0]]))
        >>> [round(x, 4) for x in w.tolist()]
        [1.0, 3.0]
    """
    _square("eigh", A)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    if UPLO == "U":
        A = A.mT
    n = A.shape[-1]
    packed = _dec.Eigh.apply(A)
    return EighResult(packed[..., :n], packed[..., n:].reshape(*A.shape))


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues of symmetric matrices, ascending (see :func:`eigh`).

    Example:
        >>> import minigrad
        >>> [round(x, 4) for x in minigrad.linalg.eigvalsh(minigrad.eye(2) * 3).tolist()]
        [3.0, 3.0]
    """
    return eigh(A, UPLO).eigenvalues


@autocast_mode.casts(cpu="float32")
def svd(A: Tensor, full_matrices: bool = True):
    """``(U, S, Vh)`` with ``A = U diag(S) Vh``, ``S`` descending. With ``full_matrices``
    (the default, as in PyTorch) ``U`` and ``Vh`` are square, and their columns (rows)
    beyond ``min(m, n)`` carry no gradient; else they are reduced. The gradient needs
    distinct, non-zero singular values.

    Example:
        >>> import minigrad
        >>> U, S, Vh = minigrad.linalg.svd(minigrad.tensor([[3.0, 0.0], [0.0, -2.0]]))
        >>> S.tolist()
        [3.0, 2.0]
    """
    _check_tensor(A, "linalg.svd")
    if A.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    _floating("svd", A)
    m, n = A.shape[-2:]
    k = min(m, n)
    packed = _dec.Svd.apply(A)
    lead = tuple(A.shape[:-2])
    u = packed[..., : m * k].reshape(*lead, m, k)
    s = packed[..., m * k : m * k + k]
    vh = packed[..., m * k + k :].reshape(*lead, k, n)
    if full_matrices and m != n:
        xp = A.device.xp
        full_u, _, full_vh = xp.linalg.svd(A.detach()._data, full_matrices=True)
        if m > k:
            u = cat([u, Tensor._wrap(xp.ascontiguousarray(full_u[..., :, k:]), A.device)], -1)
        if n > k:
            vh = cat([vh, Tensor._wrap(xp.ascontiguousarray(full_vh[..., k:, :]), A.device)], -2)
    return SvdResult(u, s, vh)


def svdvals(A: Tensor) -> Tensor:
    """The singular values, descending.

    Example:
        >>> import minigrad
        >>> minigrad.linalg.svdvals(minigrad.tensor([[0.0, 2.0], [1.0, 0.0]])).tolist()
        [2.0, 1.0]
    """
    return svd(A, full_matrices=False).S


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The vector ``ord``-norm over ``dim`` (all elements when None): see
    :func:`minigrad.norm`.

    Example:
        >>> import minigrad
        >>> minigrad.linalg.vector_norm(minigrad.tensor([3.0, 4.0])).item()
        5.0
    """
    return _norm(x, ord, dim, keepdim, dtype)


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None):
    """A matrix norm of each matrix: ``"fro"`` (the root of the sum of squares), ``"nuc"``
    (the sum of the singular values), 2 / -2 (the largest / smallest singular value),
    1 / -1 (the largest / smallest column sum of absolute values), ``inf`` / ``-inf``
    (the same over rows).

    Example:
        >>> import minigrad
        >>> A = minigrad.tensor([[1.0, -2.0], [3.0, 4.0]])
        >>> minigrad.linalg.matrix_norm(A, ord=1).item()  # the columns: 4 and 6
        6.0
    """
    _check_tensor(A, "linalg.matrix_norm")
    if dtype is not None:
        A = A.to(dtype)
    _floating("matrix_norm", A)
    if A.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    rows, cols = (d % A.ndim for d in dim)
    if ord == "fro":
        return _norm(A, 2, (rows, cols), keepdim)
    if ord in ("nuc", 2, -2):
        moved = A.movedim((rows, cols), (-2, -1))
        s = svdvals(moved)
        out = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
        if keepdim:
            for d in sorted((rows, cols)):
                out = out.unsqueeze(d)
        return out
    if ord in (1, -1, math.inf, -math.inf):
        summed, reduced = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = A.abs().sum(summed, keepdim=True)
        out = sums.amax(reduced, keepdim=True) if ord > 0 else sums.amin(reduced, keepdim=True)
        return out if keepdim else out.squeeze((rows, cols))
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.linalg.norm``: a vector norm (1-D input, an int ``dim``, or ``ord`` None
    over all elements) or a matrix norm (2-D input or a pair ``dim``) of ``ord``.

    Example:
        >>> import minigrad
        >>> minigrad.linalg.norm(minigrad.tensor([[3.0, 0.0], [0.0, 4.0]])).item()
        5.0
    """
    _check_tensor(A, "linalg.norm")
    matrix = (isinstance(dim, tuple | list) and len(dim) == 2) or (dim is None and A.ndim == 2)
    if ord is None:
        return _norm(A, 2, dim, keepdim, dtype)
    if matrix:
        return matrix_norm(A, ord, tuple(dim) if dim is not None else (-2, -1), keepdim,
                           dtype=dtype)  # fmt: skip
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


@autocast_mode.casts(cpu="float32")
def pinv(A: Tensor, *, rtol=None, hermitian: bool = False) -> Tensor:
    """The Moore-Penrose pseudo-inverse, ``V diag(1/S) U^T`` over the singular values
    above ``rtol`` times the largest (default: ``max(m, n)`` times the dtype's epsilon).

    Example:
        >>> import minigrad
        >>> minigrad.linalg.pinv(minigrad.tensor([[2.0, 0.0], [0.0, 0.0]])).tolist()
        [[0.5, 0.0], [0.0, 0.0]]
    """
    _check_tensor(A, "linalg.pinv")
    u, s, vh = svd(A, full_matrices=False)
    if rtol is None:
        rtol = max(A.shape[-2:]) * float(_dtypes.finfo(A.dtype).eps)
    keep = s > rtol * s.amax(-1, keepdim=True)
    inv_s = where(keep, 1 / where(keep, s, 1.0), 0.0)
    return (vh.mT * inv_s.unsqueeze(-2)) @ u.mT


def matrix_power(A: Tensor, n: int) -> Tensor:
    """``A`` multiplied by itself ``n`` times (the identity for 0, powers of the inverse
    for negative ``n``), by repeated squaring.

    Example:
        >>> import minigrad
        >>> shear = minigrad.tensor([[1.0, 1.0], [0.0, 1.0]])
        >>> minigrad.linalg.matrix_power(shear, 3).tolist()
        [[1.0, 3.0], [0.0, 1.0]]
    """
    _square("matrix_power", A)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"linalg.matrix_power: n must be an int, got {type(n).__name__}")
    if n < 0:
        return matrix_power(inv(A), -n)
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    if result is None:
        result = eye(A.shape[-1], dtype=A.dtype, device=A.device).expand(*A.shape)
    return result


def matrix_rank(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """The number of singular values above the tolerance (an int64 tensor, no gradient).

    Example:
        >>> import minigrad
        >>> minigrad.linalg.matrix_rank(minigrad.tensor([[1.0, 2.0], [2.0, 4.0]])).item()
        1
    """
    s = svdvals(A.detach())
    if rtol is None:  # PyTorch's default: eps * max(m, n), unless atol alone is given
        rtol = 0.0 if atol else max(A.shape[-2:]) * float(_dtypes.finfo(A.dtype).eps)
    relative = s.amax(-1, keepdim=True) * rtol
    threshold = where(relative > (atol or 0.0), relative, float(atol or 0.0))
    return (s > threshold).sum(-1)
