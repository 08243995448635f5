"""Public functions that pick or rearrange elements: ``split``, ``chunk`` and ``unbind``,
``flip`` and ``roll``, ``gather`` and ``index_select``, ``masked_fill``, ``tril`` and
``triu``, ``one_hot``, ``unflatten``, ``tile``; and broadcasting made explicit:
``broadcast_shapes``, ``broadcast_tensors``, ``broadcast_to``.

Like ``functions_extra.py``, these check their arguments and then call one primitive
(``ops/rearrange.py``) or compose core functions (slices, ``where``), so that gradients
come for free: a piece of ``split`` is a slice, ``masked_fill`` and ``tril`` are a
``where``, ``index_select`` is an indexing with an integer array.
"""

from __future__ import annotations

import builtins

from . import dtypes as _dtypes
from .functions import _check_tensor, normalize_dim, normalize_dims, where
from .ops import rearrange
from .tensor import Tensor


def _along(dim: int, ndim: int, part: slice) -> tuple:
    """The index of ``part`` along axis ``dim`` (everything along the others)."""
    return (slice(None),) * dim + (part,) + (slice(None),) * (ndim - dim - 1)


def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of ``tensor`` along ``dim``: each of ``split_size_or_sections`` elements
    (an int; the last piece may be shorter), or of the sizes in a list. Each piece is a
    slice, so gradients flow back into ``tensor``.

    Example:
        >>> import minigrad
        >>> [p.tolist() for p in minigrad.split(minigrad.arange(5), 2)]
        [[0, 1], [2, 3], [4]]
        >>> [p.shape for p in minigrad.arange(6).reshape(2, 3).split([1, 2], dim=1)]
        [minigrad.Size([2, 1]), minigrad.Size([2, 2])]
    """
    _check_tensor(tensor, "split")
    if tensor.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = normalize_dim(dim, tensor.ndim)
    length = tensor.shape[dim]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size < 0 or (size == 0 and length != 0):
            raise RuntimeError(f"split expects split_size be non-negative, but got {size}")
        sizes = [size] * (length // size) + ([length % size] if length % size else [])
        sizes = sizes or [0]  # an empty dim gives one empty piece, as in PyTorch
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if builtins.sum(sizes) != length or builtins.any(s < 0 for s in sizes):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {length} (input "
                f"tensor's size at dimension {dim}), but got split_sizes={sizes}"
            )
    pieces, start = [], 0
    for size in sizes:
        pieces.append(tensor[_along(dim, tensor.ndim, slice(start, start + size))])
        start += size
    return tuple(pieces)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``input`` cut into at most ``chunks`` pieces of equal size along ``dim`` (the last
    smaller when the size does not divide), as ``split`` with ``ceil(size / chunks)``.

    Example:
        >>> import minigrad
        >>> [p.tolist() for p in minigrad.arange(5).chunk(3)]
        [[0, 1], [2, 3], [4]]
    """
    _check_tensor(input, "chunk")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    if input.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    dim = normalize_dim(dim, input.ndim)
    length = input.shape[dim]
    if length == 0:  # PyTorch gives ``chunks`` empty pieces
        return tuple(input[_along(dim, input.ndim, slice(0, 0))] for _ in range(chunks))
    return split(input, -(-length // chunks), dim)


def flip(input: Tensor, dims) -> Tensor:
    """The elements in reverse order along each of ``dims`` (a copy, as in PyTorch).

    Example:
        >>> import minigrad
        >>> minigrad.tensor([[1, 2], [3, 4]]).flip(1)
        tensor([[2, 1],
                [4, 3]])
    """
    _check_tensor(input, "flip")
    axes = normalize_dims(dims if not isinstance(dims, int) else (dims,), input.ndim)
    if axes is None:
        raise TypeError("flip() missing required argument 'dims'")
    return rearrange.Flip.apply(input, axes=axes)


def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """``out[i][j] = input[i][index[i][j]]`` for ``dim=1`` (and so for any ``dim``): the
    elements of ``input`` at ``index`` along ``dim``. ``index`` is an int64 tensor with as
    many dimensions as ``input`` and no larger along the others; an element picked twice
    gets both gradients.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> minigrad.gather(x, 1, minigrad.tensor([[0, 0], [1, 0]]))
        tensor([[1., 1.],
                [4., 3.]])
    """
    _check_tensor(input, "gather")
    if not isinstance(index, Tensor) or index.dtype != _dtypes.int64:
        got = index.dtype if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"gather(): Expected dtype int64 for index, got {got}")
    if index.ndim != input.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    axis = normalize_dim(dim, builtins.max(input.ndim, 1))
    for d, (i, n) in enumerate(zip(index.shape, input.shape)):
        if d != axis and i > n:
            raise RuntimeError(
                f"Size does not match at dimension {d} expected index {list(index.shape)} to "
                f"be smaller than self {list(input.shape)} apart from dimension {axis}"
            )
    if index.numel() and (bool((index < 0).any()) or bool((index >= input.shape[axis]).any())):
        raise RuntimeError(
            f"gather(): index out of range for dimension {axis} with size {input.shape[axis]}"
        )
    # Only the part of ``input`` that ``index`` spans along the other dimensions.
    part = tuple(slice(None) if d == axis else slice(0, n) for d, n in enumerate(index.shape))
    source = input if part == (slice(None),) * input.ndim else input[part]
    return rearrange.TakeAlong.apply(source, index, axis=axis)


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """``input`` with ``value`` where the bool ``mask`` (broadcast to its shape) is True:
    how attention hides the future, ``scores.masked_fill(mask, float("-inf"))``.

    Example:
        >>> import minigrad
        >>> x = minigrad.zeros(3)
        >>> x.masked_fill(minigrad.tensor([True, False, True]), 5.0)
        tensor([5., 0., 5.])
    """
    _check_tensor(input, "masked_fill")
    if not isinstance(mask, Tensor) or mask.dtype != _dtypes.bool:
        got = mask.dtype if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(
            f"masked_fill only supports boolean masks, but got mask with dtype {got}"
        )
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)."
            )
        value = value.to(input.dtype).to(input.device)  # a CPU number for a GPU input
    out = where(mask, value, input)
    out = out if out.dtype == input.dtype else out.to(input.dtype)
    return out.contiguous()  # PyTorch's is (a clone in C order, then filled): view() works


def _triangle(input: Tensor, diagonal: int, name: str, lower: bool) -> Tensor:
    _check_tensor(input, name)
    if input.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    rows, cols = input.shape[-2:]
    xp = input.device.xp
    with input.device.activate():
        keep = xp.tri(rows, cols, diagonal, dtype=bool)
        if not lower:
            keep = ~xp.tri(rows, cols, diagonal - 1, dtype=bool)
    zero = Tensor._wrap(xp.zeros((), input.dtype), input.device)
    return where(Tensor._wrap(keep, input.device), input, zero)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dimensions (on and below the ``diagonal``-th
    diagonal), zeros above.

    Example:
        >>> import minigrad
        >>> minigrad.ones(2, 3).tril()
        tensor([[1., 0., 0.],
                [1., 1., 0.]])
    """
    return _triangle(input, diagonal, "tril", lower=True)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dimensions (on and above the ``diagonal``-th
    diagonal), zeros below.

    Example:
        >>> import minigrad
        >>> minigrad.ones(2, 3).triu(1)
        tensor([[0., 1., 1.],
                [0., 0., 1.]])
    """
    return _triangle(input, diagonal, "triu", lower=False)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices (int64) as one-hot rows: a new last dimension of ``num_classes``
    (by default the largest index plus one), 1 at each index, int64.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.one_hot(minigrad.tensor([0, 2]), 3)
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    _check_tensor(tensor, "one_hot")
    if tensor.dtype != _dtypes.int64:
        raise RuntimeError(
            "one_hot is only applicable to index tensor of type LongTensor (int64), got "
            f"{tensor.dtype}"
        )
    xp = tensor.device.xp
    values = tensor._data
    if values.size and int(values.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if values.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(values.max()) + 1
    elif values.size and int(values.max()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    with tensor.device.activate():
        out = (values[..., None] == xp.arange(num_classes)).astype(_dtypes.int64)
    return Tensor._wrap(out, tensor.device)


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """Split dimension ``dim`` into ``sizes`` (their product must be its size; one of them
    may be -1, inferred): the inverse of ``flatten``.

    Example:
        >>> import minigrad
        >>> minigrad.unflatten(minigrad.zeros(2, 12), 1, (3, -1)).shape
        minigrad.Size([2, 3, 4])
    """
    _check_tensor(input, "unflatten")
    if input.ndim == 0:
        raise RuntimeError("unflatten: Dimension specified as 0 but tensor has no dimensions")
    dim = normalize_dim(dim, input.ndim)
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    length = input.shape[dim]
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in sizes:
        if s != -1:
            known *= s
    if -1 in sizes:
        if known == 0 or length % known:
            raise RuntimeError(
                f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim "
                f"{dim} ({length}) in the input tensor"
            )
        sizes = tuple(length // known if s == -1 else s for s in sizes)
    elif known != length:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim "
            f"{dim} ({length}) in the input tensor"
        )
    return input.reshape(input.shape[:dim] + sizes + input.shape[dim + 1 :])


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The slices of ``input`` along ``dim`` at the positions in ``index`` (a 1-D int64 or
    int32 tensor), in that order: ``index_select(x, 0, i)`` is ``x[i]`` for a vector ``i``.
    A slice picked twice gets both gradients.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[1, 2, 3], [4, 5, 6]])
        >>> minigrad.index_select(x, 1, minigrad.tensor([2, 0]))
        tensor([[3, 1],
                [6, 4]])
    """
    _check_tensor(input, "index_select")
    if not isinstance(index, Tensor) or index.dtype not in (_dtypes.int64, _dtypes.int32):
        got = index.dtype if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"index_select(): Expected dtype int32 or int64 for index, got {got}")
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    axis = normalize_dim(dim, builtins.max(input.ndim, 1))
    size = input.shape[axis] if input.ndim else 1
    if index.numel() and (bool((index < 0).any()) or bool((index >= size).any())):
        raise IndexError(
            f"index_select(): index out of range in self (dimension {axis} has size {size})"
        )
    if input.ndim == 0:
        if index.numel() != 1:
            raise RuntimeError(
                f"index_select(): Index to scalar can have only 1 value, got {index.numel()} "
                "value(s)"
            )
        return input.clone()
    return input[_along(axis, input.ndim, index.reshape(-1).long())]


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices of ``input`` along ``dim``, each without that dimension (views).

    Example:
        >>> import minigrad
        >>> rows = minigrad.unbind(minigrad.tensor([[1, 2], [3, 4]]))
        >>> [r.tolist() for r in rows]
        [[1, 2], [3, 4]]
    """
    _check_tensor(input, "unbind")
    if input.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    axis = normalize_dim(dim, input.ndim)
    return tuple(input[_along(axis, input.ndim, i)] for i in range(input.shape[axis]))


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Shift the elements by ``shifts`` places along ``dims``; those pushed off the end come
    back at the start. Without ``dims``, the tensor is rolled as if flattened. ``shifts``
    and ``dims`` may be tuples of the same length.

    Example:
        >>> import minigrad
        >>> minigrad.roll(minigrad.tensor([1, 2, 3, 4]), 1)
        tensor([4, 1, 2, 3])
        >>> minigrad.tensor([[1, 2], [3, 4]]).roll(-1, dims=1)
        tensor([[2, 1],
                [4, 3]])
    """
    _check_tensor(input, "roll")
    many = isinstance(shifts, tuple | list)
    shifts = tuple(int(s) for s in shifts) if many else (int(shifts),)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        flat = input.reshape(-1)
        return rearrange.Roll.apply(flat, shifts=shifts, axes=(0,)).reshape(input.shape)
    dims = tuple(dims) if isinstance(dims, tuple | list) else (dims,)
    if len(dims) != len(shifts):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}"
        )
    axes = tuple(normalize_dim(d, builtins.max(input.ndim, 1)) for d in dims)
    if input.ndim == 0:
        return input.clone()
    return rearrange.Roll.apply(input, shifts=shifts, axes=axes)


def tile(input: Tensor, dims) -> Tensor:
    """``dims[i]`` copies of ``input`` along dimension ``i``. Unlike ``Tensor.repeat``,
    ``dims`` may be shorter than ``input.ndim``: it is filled with 1s at the front.

    Example:
        >>> import minigrad
        >>> minigrad.tile(minigrad.tensor([[1, 2]]), (2,))
        tensor([[1, 2, 1, 2]])
    """
    _check_tensor(input, "tile")
    dims = tuple(dims) if isinstance(dims, tuple | list) else (dims,)
    return input.repeat(*((1,) * (input.ndim - len(dims)) + dims))


def broadcast_shapes(*shapes) -> tuple[int, ...]:
    """The shape that tensors of these shapes broadcast to, by NumPy's and PyTorch's rule:
    align the shapes on the right; along each dim the sizes must be equal or 1 (a 1
    stretches), and missing leading dims count as 1. An int is a one-dim shape.

    Example:
        >>> import minigrad
        >>> minigrad.broadcast_shapes((2, 1), (3,), ())
        (2, 3)
    """
    as_tuples = []
    for i, shape in enumerate(shapes):
        shape = (shape,) if type(shape) is int else shape
        if not isinstance(shape, tuple | list) or not builtins.all(type(n) is int for n in shape):
            raise RuntimeError(
                "Input shapes should be of type ints, a tuple of ints, or a list of ints, "
                f"got {shapes[i]!r}"
            )
        if builtins.any(n < 0 for n in shape):
            raise ValueError(f"Attempting to broadcast a dimension with negative length! {shape}")
        as_tuples.append(tuple(shape))
    ndim = builtins.max((len(s) for s in as_tuples), default=0)
    result = [1] * ndim
    for i, shape in enumerate(as_tuples):
        for d, n in enumerate(shape, start=ndim - len(shape)):
            if n != 1 and result[d] not in (1, n):
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {n} at {d - ndim}! "
                    f"Mismatching argument at index {i} had {shape}; but expected shape "
                    f"should be broadcastable to {result}"
                )
            if n != 1:
                result[d] = n
    return tuple(result)


def broadcast_tensors(*tensors) -> tuple[Tensor, ...]:
    """The tensors expanded to their common broadcast shape (views: no data is copied;
    gradients flow back summed over the stretched dims).

    Example:
        >>> import minigrad
        >>> a, b = minigrad.broadcast_tensors(minigrad.ones(2, 1), minigrad.zeros(3))
        >>> a.shape, b.shape
        (minigrad.Size([2, 3]), minigrad.Size([2, 3]))
    """
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    for t in tensors:
        _check_tensor(t, "broadcast_tensors")
    shape = broadcast_shapes(*(tuple(t.shape) for t in tensors))
    return tuple(t if tuple(t.shape) == shape else t.expand(shape) for t in tensors)


def broadcast_to(input: Tensor, size) -> Tensor:
    """``input`` expanded to ``size`` by broadcasting (a view; -1 keeps a size): the same
    as :meth:`Tensor.expand <minigrad.Tensor.expand>`.

    Example:
        >>> import minigrad
        >>> minigrad.broadcast_to(minigrad.tensor([1.0, 2.0]), (2, 2))
        tensor([[1., 2.],
                [1., 2.]])
    """
    _check_tensor(input, "broadcast_to")
    return input.expand(tuple(size))


# ----------------------------------------------------------------------------------------
# Writing at indices: scatter, scatter_add, index_add
# ----------------------------------------------------------------------------------------


def _index_tensor(index, name: str) -> None:
    if not isinstance(index, Tensor) or index.dtype.kind not in "iu" or index.dtype.itemsize < 4:
        got = index.dtype if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"{name}(): Expected dtype int64 for index, got {got}")


def _check_in_range(index: Tensor, size: int, axis: int) -> None:
    """Refuse an index outside ``[0, size)`` (PyTorch's message names the first one)."""
    if index.numel() == 0:
        return
    bad = (index < 0) | (index >= size)
    if bool(bad.any()):
        first = index[bad].reshape(-1)[0].item()
        raise RuntimeError(f"index {first} is out of bounds for dimension {axis} with size {size}")


def _scatter(name: str, input: Tensor, dim: int, index: Tensor, src, add: bool) -> Tensor:
    axis, index, src = scatter_args(name, input, dim, index, src)
    return rearrange.Scatter.apply(input, index, src, axis=axis, add=add)


def scatter_args(name: str, input: Tensor, dim: int, index: Tensor, src):
    """Check the arguments of a scatter as PyTorch does; return the axis, the index as
    int64, and ``src`` cut to the index's shape (or the number it is)."""
    _check_tensor(input, name)
    _index_tensor(index, name)
    if index.ndim == 0 and input.ndim == 1:  # PyTorch counts a 0-d index as 1-d here
        index = index.reshape(1)
        if isinstance(src, Tensor) and src.ndim == 0:
            src = src.reshape(1)
    if index.ndim != input.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    axis = normalize_dim(dim, builtins.max(input.ndim, 1))
    if isinstance(src, Tensor):
        if src.dtype != input.dtype:
            raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
        too_big = src.ndim != index.ndim or builtins.any(
            i > n for i, n in zip(index.shape, src.shape)
        )
    else:
        too_big = False
    too_big = too_big or builtins.any(
        i > n for d, (i, n) in enumerate(zip(index.shape, input.shape)) if d != axis
    )
    if too_big:
        raise RuntimeError(
            f"Expected index {list(index.shape)} to be no larger than self "
            f"{list(input.shape)} apart from dimension {axis}"
            + (f" and to be no larger size than src {list(src.shape)}" if isinstance(src, Tensor)
               else "")
        )  # fmt: skip
    _check_in_range(index, input.shape[axis] if input.ndim else 1, axis)
    index = index.long() if index.dtype != _dtypes.int64 else index
    if isinstance(src, Tensor):
        part = tuple(slice(0, n) for n in index.shape)
        src = src if tuple(src.shape) == tuple(index.shape) else src[part]
    return axis, index, src


def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None, reduce=None):
    """A copy of ``input`` with ``src``'s elements written where ``index`` says along
    ``dim``: for ``dim=0``, ``out[index[i][j]][j] = src[i][j]``. ``src`` may be a number
    (or pass ``value=``); ``index`` is no larger than ``src``, nor than ``input`` along the
    other dims. Where ``index`` repeats, one of the writes wins (which is not defined, as
    in PyTorch). Gradients: none for the overwritten elements of ``input``; each ``src``
    element gets the gradient of where it went.

    Example:
        >>> import minigrad
        >>> index = minigrad.tensor([[0, 2, 1]])
        >>> minigrad.scatter(minigrad.zeros(3, 3), 0, index, minigrad.ones(1, 3))
        tensor([[1., 0., 0.],
                [0., 0., 1.],
                [0., 1., 0.]])
        >>> minigrad.zeros(2, 4).scatter(1, minigrad.tensor([[1], [3]]), 5.0)
        tensor([[0., 5., 0., 0.],
                [0., 0., 0., 5.]])
    """
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter(): expected a src tensor or a value")
    if reduce is not None:
        if reduce != "add" or not isinstance(src, Tensor):
            raise NotImplementedError(
                f"scatter(reduce={reduce!r}): only reduce='add' with a tensor src is "
                "supported (deprecated in PyTorch too): use scatter_add"
            )
        return scatter_add(input, dim, index, src)
    if isinstance(src, Tensor) and src.ndim == 0 and index.ndim:  # a 0-d tensor: a value
        src = src.item()
    return _scatter("scatter", input, dim, index, src, add=False)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of ``input`` with each element of ``src`` added where ``index`` says along
    ``dim`` (``out[index[i][j]][j] += src[i][j]`` for ``dim=0``); repeated indices add up,
    so this counts, sums per group, or builds a histogram. Gradients: ``input`` gets the
    output's, each ``src`` element that of where it was added.

    Example:
        >>> import minigrad
        >>> groups = minigrad.tensor([0, 1, 0, 2])
        >>> minigrad.zeros(3).scatter_add(0, groups, minigrad.tensor([1.0, 2.0, 3.0, 4.0]))
        tensor([4., 2., 4.])
    """
    if not isinstance(src, Tensor):
        raise TypeError(
            f"scatter_add(): argument 'src' (position 4) must be Tensor, not {type(src).__name__}"
        )
    return _scatter("scatter_add", input, dim, index, src, add=True)


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:
    """A copy of ``input`` with ``alpha`` times the slices of ``source`` along ``dim``
    added at the positions ``index`` (a 1-D int tensor, one entry per slice): for
    ``dim=0``, ``out[index[i]] += alpha * source[i]``; repeated indices add up.

    Example:
        >>> import minigrad
        >>> x = minigrad.zeros(3, 2)
        >>> minigrad.index_add(x, 0, minigrad.tensor([0, 2, 0]), minigrad.ones(3, 2))
        tensor([[2., 2.],
                [0., 0.],
                [1., 1.]])
    """
    _check_tensor(input, "index_add")
    _check_tensor(source, "index_add")
    _index_tensor(index, "index_add")
    if index.ndim > 1:
        raise IndexError(
            f"index_add_(): Index is supposed to be a vector, but got dim: {index.ndim} with "
            f"type: {index.dtype} and size: {list(index.shape)}"
        )
    axis = normalize_dim(dim, builtins.max(input.ndim, 1))
    if source.dtype != input.dtype:
        raise RuntimeError(
            f"index_add_(): self ({input.dtype}) and source ({source.dtype}) must have the "
            "same scalar type"
        )
    if source.ndim != input.ndim or builtins.any(
        a != b for d, (a, b) in enumerate(zip(input.shape, source.shape)) if d != axis
    ):
        raise RuntimeError(
            "source tensor shape must match self tensor shape, excluding the specified "
            f"dimension. Got self.shape = {list(input.shape)} source.shape = "
            f"{list(source.shape)}"
        )
    index = index.reshape(-1)
    if index.shape[0] != source.shape[axis]:
        raise RuntimeError(
            f"index_add_(): Number of indices ({index.shape[0]}) should be equal to "
            f"source.size(dim): ({source.shape[axis]}), for dim: {axis}"
        )
    _check_in_range(index, input.shape[axis], axis)
    index = index.long() if index.dtype != _dtypes.int64 else index
    return rearrange.IndexAdd.apply(input, index, source, axis=axis, alpha=alpha)


# ----------------------------------------------------------------------------------------
# Finding elements: nonzero, argwhere, unique (no gradient: they return indices or values
# chosen by comparison)
# ----------------------------------------------------------------------------------------


def nonzero(input: Tensor, *, as_tuple: bool = False):
    """The indices of the non-zero elements: an (n, ndim) int64 tensor, one row per
    element in row-major order, or with ``as_tuple=True`` one 1-D tensor per dimension
    (usable as an index, as NumPy's ``nonzero``).

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[0.0, 1.0], [2.0, 0.0]])
        >>> minigrad.nonzero(x)
        tensor([[0, 1],
                [1, 0]])
        >>> [t.tolist() for t in x.nonzero(as_tuple=True)]
        [[0, 1], [1, 0]]
    """
    _check_tensor(input, "nonzero")
    xp = input.device.xp
    rows = xp.argwhere(input._data).astype(_dtypes.int64, copy=False)
    if not as_tuple:
        return Tensor._wrap(rows, input.device)
    if input.ndim == 0:  # PyTorch treats a 0-d tensor as one element here
        return (Tensor._wrap(xp.argwhere(input._data.reshape(1))[:, 0], input.device),)
    return tuple(Tensor._wrap(rows[:, d].copy(), input.device) for d in range(input.ndim))


def argwhere(input: Tensor) -> Tensor:
    """``nonzero(input)``: the (n, ndim) indices of the non-zero elements.

    Example:
        >>> import minigrad
        >>> minigrad.argwhere(minigrad.tensor([0, 3, 0, 4]))
        tensor([[1],
                [3]])
    """
    return nonzero(input)


def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
):
    """The distinct values of ``input`` in ascending order (of the flattened tensor, or the
    distinct slices along ``dim``), and, if asked, the ``inverse`` (for each element, or
    slice, the position of its value in the result: ``result[inverse]`` is ``input``) and
    the ``counts`` of each value. Returns a tensor, or a tuple when either is asked.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([3, 1, 3, 2, 1])
        >>> values, inverse, counts = minigrad.unique(x, return_inverse=True,
        ...                                           return_counts=True)
        >>> values.tolist(), inverse.tolist(), counts.tolist()
        ([1, 2, 3], [2, 0, 2, 1, 0], [2, 1, 2])
    """
    _check_tensor(input, "unique")
    xp = input.device.xp
    axis = None if dim is None else normalize_dim(dim, builtins.max(input.ndim, 1))
    data = input._data.reshape(-1) if axis is None else input._data
    # Every NaN is its own value in PyTorch (NaN != NaN); NumPy would merge them.
    options = {"equal_nan": False} if axis is None and input.is_floating_point() else {}
    values, inverse, counts = xp.unique(
        data, return_inverse=True, return_counts=True, axis=axis, **options
    )
    if axis is None:
        inverse = inverse.reshape(input.shape)
    results = [Tensor._wrap(values, input.device)]
    if return_inverse:
        results.append(Tensor._wrap(inverse.reshape(-1) if axis is not None else inverse,
                                    input.device).long())  # fmt: skip
    if return_counts:
        results.append(Tensor._wrap(counts, input.device).long())
    return results[0] if len(results) == 1 else tuple(results)


def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """A copy of ``input`` with ``value`` (a number or a 0-d tensor) in the slices at
    ``index`` along ``dim``; those elements get no gradient.

    Example:
        >>> import minigrad
        >>> minigrad.index_fill(minigrad.zeros(2, 3), 1, minigrad.tensor([0, 2]), -1.0)
        tensor([[-1.,  0., -1.],
                [-1.,  0., -1.]])
    """
    _check_tensor(input, "index_fill")
    _index_tensor(index, "index_fill")
    if index.ndim > 1:
        raise IndexError(
            f"index_fill_(): Expected a 1-D or 0-D index, got {index.ndim}-D {list(index.shape)}"
        )
    axis = normalize_dim(dim, builtins.max(input.ndim, 1))
    size = input.shape[axis] if input.ndim else 1
    index = index.reshape(-1)
    _check_in_range(index.where(index >= 0, index + size), size, axis)
    xp = input.device.xp
    mask = xp.zeros(size, dtype=bool)
    mask[index._data] = True
    shape = [1] * input.ndim
    if input.ndim:
        shape[axis] = size
    chosen = Tensor._wrap(mask.reshape(shape), input.device)
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(
                f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)."
            )
        value = value.item()
    return where(chosen, value, input).to(input.dtype)
