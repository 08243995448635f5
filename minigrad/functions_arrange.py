"""Moving, cutting, joining and repeating dims: ``movedim``, ``narrow``, ``select``,
``ravel``, the stacking helpers (``hstack``, ``vstack``, ``dstack``, ``column_stack``),
``repeat_interleave``, ``take``, ``take_along_dim``, ``rot90``, ``fliplr``, ``flipud``,
and ``atleast_1d/2d/3d``.

Each is a composition of the core shape functions (``permute``, slices, ``cat``,
``reshape``, indexing with an integer tensor), so each gradient is theirs.
"""

from __future__ import annotations

from . import dtypes as _dtypes
from .functions import _check_tensor, cat, normalize_dim, permute
from .functions_select import flip, gather
from .tensor import Tensor


def movedim(input: Tensor, source, destination) -> Tensor:
    """``input`` with its dims ``source`` moved to positions ``destination`` (ints or
    sequences of them), the other dims keeping their order; ``moveaxis`` is the same.

    Example:
        >>> import minigrad
        >>> minigrad.movedim(minigrad.zeros(2, 3, 4), 0, -1).shape
        minigrad.Size([3, 4, 2])
        >>> minigrad.zeros(2, 3, 4).movedim((0, 1), (2, 0)).shape
        minigrad.Size([3, 4, 2])
    """
    _check_tensor(input, "movedim")
    source = [source] if isinstance(source, int) else list(source)
    destination = [destination] if isinstance(destination, int) else list(destination)
    if len(source) != len(destination):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({source} dims) should "
            f"contain the same number of dims as destination ({destination} dims)"
        )
    ndim = max(input.ndim, 1)
    source = [normalize_dim(d, ndim) for d in source]
    destination = [normalize_dim(d, ndim) for d in destination]
    if len(set(source)) != len(source) or len(set(destination)) != len(destination):
        raise RuntimeError("movedim: repeated dim in `source` or `destination`")
    if input.ndim == 0:
        return input
    order = [d for d in range(input.ndim) if d not in source]
    for dst, src in sorted(zip(destination, source)):
        order.insert(dst, src)
    return permute(input, order)


moveaxis = movedim


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The ``length`` elements of ``input`` from ``start`` along ``dim`` (a view).

    Example:
        >>> import minigrad
        >>> minigrad.narrow(minigrad.arange(6).reshape(2, 3), 1, 1, 2)
        tensor([[1, 2],
                [4, 5]])
    """
    _check_tensor(input, "narrow")
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    axis = normalize_dim(dim, input.ndim)
    size = input.shape[axis]
    if isinstance(start, Tensor):
        start = int(start.item())
    if not -size <= start <= size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    start = start + size if start < 0 else start
    if length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    index = (slice(None),) * axis + (slice(start, start + length),)
    return input[index]


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The slice at ``index`` along ``dim``, without that dim (``x.select(0, i)`` is
    ``x[i]``).

    Example:
        >>> import minigrad
        >>> minigrad.select(minigrad.arange(6).reshape(2, 3), 1, -1)
        tensor([2, 5])
    """
    _check_tensor(input, "select")
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    axis = normalize_dim(dim, input.ndim)
    size = input.shape[axis]
    if not -size <= index < size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
            f"dimension {axis}"
        )
    return input[(slice(None),) * axis + (index,)]


def ravel(input: Tensor) -> Tensor:
    """The elements as a 1-D tensor (``flatten()``).

    Example:
        >>> import minigrad
        >>> minigrad.ravel(minigrad.zeros(2, 3)).shape
        minigrad.Size([6])
    """
    _check_tensor(input, "ravel")
    return input.reshape(-1)


def atleast_1d(*tensors):
    """Each tensor with at least 1 dim (a 0-d tensor becomes (1,)); one tensor in, one out.

    Example:
        >>> import minigrad
        >>> minigrad.atleast_1d(minigrad.tensor(3.0)).shape
        minigrad.Size([1])
    """
    return _atleast(tensors, 1)


def atleast_2d(*tensors):
    """Each tensor with at least 2 dims (a vector (n,) becomes (1, n)).

    Example:
        >>> import minigrad
        >>> minigrad.atleast_2d(minigrad.ones(3)).shape
        minigrad.Size([1, 3])
    """
    return _atleast(tensors, 2)


def atleast_3d(*tensors):
    """Each tensor with at least 3 dims ((n,) becomes (1, n, 1), (m, n) becomes (m, n, 1),
    as NumPy).

    Example:
        >>> import minigrad
        >>> minigrad.atleast_3d(minigrad.ones(2, 3)).shape
        minigrad.Size([2, 3, 1])
    """
    return _atleast(tensors, 3)


def _atleast(tensors, ndim: int):
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    out = []
    for t in tensors:
        _check_tensor(t, f"atleast_{ndim}d")
        shape = tuple(t.shape)
        if len(shape) < ndim:
            if ndim == 3 and len(shape) == 2:
                shape = (*shape, 1)
            elif ndim == 3:
                shape = (1, *(shape or (1,)), 1)
            else:
                shape = (1,) * (ndim - len(shape)) + shape
        out.append(t if shape == tuple(t.shape) else t.reshape(shape))
    return out[0] if len(out) == 1 else tuple(out)


def hstack(tensors) -> Tensor:
    """Join along the columns: along dim 1, or dim 0 for 1-D tensors.

    Example:
        >>> import minigrad
        >>> minigrad.hstack([minigrad.ones(2, 1), minigrad.zeros(2, 2)]).shape
        minigrad.Size([2, 3])
    """
    tensors = [atleast_1d(t) for t in tensors]
    return cat(tensors, 0 if tensors and tensors[0].ndim == 1 else 1)


def vstack(tensors) -> Tensor:
    """Join along the rows (dim 0), 1-D tensors as rows; ``row_stack`` is the same.

    Example:
        >>> import minigrad
        >>> minigrad.vstack([minigrad.ones(3), minigrad.zeros(3)]).shape
        minigrad.Size([2, 3])
    """
    return cat([atleast_2d(t) for t in tensors], 0)


row_stack = vstack


def dstack(tensors) -> Tensor:
    """Join along the depth (dim 2), after making each tensor at least 3-D.

    Example:
        >>> import minigrad
        >>> minigrad.dstack([minigrad.ones(2, 3), minigrad.zeros(2, 3)]).shape
        minigrad.Size([2, 3, 2])
    """
    return cat([atleast_3d(t) for t in tensors], 2)


def column_stack(tensors) -> Tensor:
    """Join 1-D tensors as the columns of a matrix (2-D ones along dim 1).

    Example:
        >>> import minigrad
        >>> minigrad.column_stack([minigrad.ones(3), minigrad.zeros(3)]).shape
        minigrad.Size([3, 2])
    """
    columns = []
    for t in tensors:
        _check_tensor(t, "column_stack")
        columns.append(t.reshape(-1, 1) if t.ndim <= 1 else t)
    return cat(columns, 1)


def repeat_interleave(input, repeats=None, dim: int | None = None, *, output_size=None):
    """Each element (or slice along ``dim``) repeated ``repeats`` times in place: an int
    for all, or a tensor with one count per element. Without ``dim``, of the flattened
    input. (``repeat_interleave(counts)`` alone gives ``0`` ``counts[0]`` times, ``1``
    ``counts[1]`` times, and so on.)

    Example:
        >>> import minigrad
        >>> minigrad.repeat_interleave(minigrad.tensor([1, 2]), 2)
        tensor([1, 1, 2, 2])
        >>> minigrad.tensor([[1, 2], [3, 4]]).repeat_interleave(minigrad.tensor([1, 2]), dim=0)
        tensor([[1, 2],
                [3, 4],
                [3, 4]])
    """
    if repeats is None:  # repeat_interleave(counts)
        counts = input
        _check_tensor(counts, "repeat_interleave")
        xp = counts.device.xp
        return Tensor._wrap(xp.repeat(xp.arange(counts.shape[0]), counts._data), counts.device)
    _check_tensor(input, "repeat_interleave")
    if dim is None:
        input, axis = input.reshape(-1), 0
    else:
        axis = normalize_dim(dim, max(input.ndim, 1))
    n = input.shape[axis] if input.ndim else 1
    xp = input.device.xp
    if isinstance(repeats, Tensor):
        counts = repeats._data.reshape(-1)
        if counts.shape[0] not in (1, n):
            raise RuntimeError(
                f"repeats must have the same size as input along dim, but got repeats.size(0) "
                f"= {counts.shape[0]} and input.size({axis}) = {n}"
            )
        if counts.size and bool((counts < 0).any()):
            raise RuntimeError("repeats can not be negative")
    else:
        if repeats < 0:
            raise RuntimeError("repeats can not be negative")
        counts = repeats
    order = xp.repeat(xp.arange(n), counts)
    return input.index_select(axis, Tensor._wrap(order.astype(_dtypes.int64), input.device))


def take(input: Tensor, index: Tensor) -> Tensor:
    """The elements of the flattened ``input`` at ``index`` (any shape, the result's).

    Example:
        >>> import minigrad
        >>> minigrad.take(minigrad.tensor([[4, 3], [5, 7]]), minigrad.tensor([0, 3]))
        tensor([4, 7])
    """
    _check_tensor(input, "take")
    _check_tensor(index, "take")
    flat = input.reshape(-1)
    n = flat.shape[0]
    if index.numel() and (bool((index < -n).any()) or bool((index >= n).any())):
        raise IndexError(f"out of range: tried to access an index of {n} elements")
    return flat[index.reshape(-1)].reshape(index.shape)


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """The elements at ``indices`` along ``dim`` (``gather`` with broadcasting; of the
    flattened input when ``dim`` is None), as with NumPy's ``take_along_axis``: the
    usual partner of ``argsort`` and ``argmax(keepdim=True)``.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[10.0, 30.0, 20.0]])
        >>> minigrad.take_along_dim(x, x.argsort(dim=1), dim=1)
        tensor([[10., 20., 30.]])
    """
    _check_tensor(input, "take_along_dim")
    _check_tensor(indices, "take_along_dim")
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    axis = normalize_dim(dim, max(input.ndim, 1))
    shape_in = list(input.shape)
    shape_ix = list(indices.shape)
    if len(shape_in) != len(shape_ix):
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {len(shape_in)} dimensions for input, and {len(shape_ix)} "
            "dimensions for indices"
        )
    target_in = [max(a, b) if d != axis else a for d, (a, b) in enumerate(zip(shape_in, shape_ix))]
    target_ix = [max(a, b) if d != axis else b for d, (a, b) in enumerate(zip(shape_in, shape_ix))]
    return gather(input.expand(target_in), axis, indices.expand(target_ix))


def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane of ``dims``, from the first towards
    the second.

    Example:
        >>> import minigrad
        >>> minigrad.rot90(minigrad.tensor([[1, 2], [3, 4]]))
        tensor([[2, 4],
                [1, 3]])
    """
    _check_tensor(input, "rot90")
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = (normalize_dim(d, input.ndim) for d in dims)
    if d0 == d1:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}"
        )
    k %= 4
    if k == 1:
        return flip(input, (d1,)).transpose(d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return flip(input, (d0,)).transpose(d0, d1)
    return input.clone()


def fliplr(input: Tensor) -> Tensor:
    """Reversed along dim 1 (left to right).

    Example:
        >>> import minigrad
        >>> minigrad.fliplr(minigrad.tensor([[1, 2, 3]]))
        tensor([[3, 2, 1]])
    """
    _check_tensor(input, "fliplr")
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input: Tensor) -> Tensor:
    """Reversed along dim 0 (up to down).

    Example:
        >>> import minigrad
        >>> minigrad.flipud(minigrad.tensor([[1], [2]]))
        tensor([[2],
                [1]])
    """
    _check_tensor(input, "flipud")
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))
