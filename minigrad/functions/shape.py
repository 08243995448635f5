"""Shapes and indexing: ``reshape``, ``view``, ``transpose``, ``permute``, ``flatten``,
``squeeze``, ``unsqueeze``, ``expand``, indexing (``getitem``), ``cat``, ``stack`` and
``pad``.

Their primitives are in ``ops/movement.py``; ``flatten``, ``squeeze`` and ``unsqueeze``
are reshapes.
"""

from __future__ import annotations

import builtins
import warnings

import numpy as np

from .. import autocast_mode, backend
from .. import dtypes as _dtypes
from ..ops import movement
from ..tensor import Tensor
from .args import (
    _check_tensor,
    cast,
    clone,
    converts_without_overflow,
    normalize_dim,
    normalize_dims,
    numpy_names,
    shape_arg,
)

# ----------------------------------------------------------------------------------------
# Shapes
# ----------------------------------------------------------------------------------------


def _infer_shape(shape: tuple[int, ...], numel: int, old: tuple[int, ...]) -> tuple[int, ...]:
    unknown = [i for i, n in enumerate(shape) if n == -1]
    if len(unknown) > 1 or builtins.any(n < -1 for n in shape):
        raise RuntimeError(f"invalid shape {shape}: only one dimension can be -1")
    if unknown:
        known = int(np.prod([n for n in shape if n != -1]))
        if known == 0 or numel % known:
            raise RuntimeError(f"shape {shape} is invalid for input of shape {old}")
        shape = tuple(numel // known if n == -1 else n for n in shape)
    if int(np.prod(shape)) != numel:
        raise RuntimeError(f"shape {shape} is invalid for input of shape {old} ({numel} elements)")
    return shape


def reshape(input: Tensor, shape) -> Tensor:
    """The same elements in a new shape (one dim may be -1); a view when possible.

    Example:
        >>> import minigrad
        >>> minigrad.reshape(minigrad.arange(6), (2, -1)).shape
        minigrad.Size([2, 3])
    """
    _check_tensor(input, "reshape")
    shape = _infer_shape(shape_arg((shape,)), input.numel(), tuple(input.shape))
    return movement.Reshape.apply(input, shape=shape)


def view(input: Tensor, shape) -> Tensor:
    """Like :func:`reshape`, but always a view: raises if the strides do not allow one."""
    _check_tensor(input, "view")
    shape = _infer_shape(shape_arg((shape,)), input.numel(), tuple(input.shape))
    try:
        return movement.Reshape.apply(input, shape=shape, must_be_view=True)
    except ValueError:
        raise RuntimeError(
            f"view size {shape} is not compatible with the input's size {tuple(input.shape)} "
            "and strides (it is not contiguous). Use .reshape(...) instead."
        ) from None


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions (a view).

    Example:
        >>> import minigrad
        >>> x = minigrad.zeros(2, 3, 4)
        >>> minigrad.transpose(x, 0, 2).shape
        minigrad.Size([4, 3, 2])
    """
    _check_tensor(input, "transpose")
    a, b = normalize_dim(dim0, input.ndim), normalize_dim(dim1, input.ndim)
    dims = list(range(input.ndim))
    if dims:  # a 0-d tensor has nothing to swap
        dims[a], dims[b] = dims[b], dims[a]
    return movement.Permute.apply(input, dims=tuple(dims))


def permute(input: Tensor, dims) -> Tensor:
    """Reorder the dimensions (a view): output dim i is input dim ``dims[i]``.

    Example:
        >>> import minigrad
        >>> x = minigrad.zeros(2, 3, 4)  # for example (N, H, W)
        >>> minigrad.permute(x, (2, 0, 1)).shape
        minigrad.Size([4, 2, 3])
    """
    _check_tensor(input, "permute")
    dims = tuple(normalize_dim(d, input.ndim) for d in shape_arg((dims,)))
    if sorted(dims) != list(range(input.ndim)):
        raise RuntimeError(
            f"permute: dims {dims} must be a permutation of the {input.ndim} dimensions"
        )
    return movement.Permute.apply(input, dims=dims)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim`` to ``end_dim`` into one.

    Example:
        >>> import minigrad
        >>> x = minigrad.zeros(8, 1, 28, 28)  # (N, C, H, W)
        >>> minigrad.flatten(x).shape, minigrad.flatten(x, start_dim=1).shape
        (minigrad.Size([6272]), minigrad.Size([8, 784]))
    """
    _check_tensor(input, "flatten")
    if input.ndim == 0:
        normalize_dim(start_dim, 0), normalize_dim(end_dim, 0)  # only 0 or -1 (IndexError)
        return reshape(input, (1,))
    start, end = normalize_dim(start_dim, input.ndim), normalize_dim(end_dim, input.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input  # nothing to merge: PyTorch returns the tensor itself
    shape = input.shape
    merged = int(np.prod(shape[start : end + 1]))
    return movement.Reshape.apply(input, shape=(*shape[:start], merged, *shape[end + 1 :]))


@numpy_names
def squeeze(input: Tensor, dim=None) -> Tensor:
    """Remove dimensions of size 1 (all of them, or those in ``dim`` that have size 1).

    Example:
        >>> import minigrad
        >>> x = minigrad.zeros(2, 1, 3, 1)
        >>> minigrad.squeeze(x).shape, minigrad.squeeze(x, 1).shape
        (minigrad.Size([2, 3]), minigrad.Size([2, 3, 1]))
    """
    _check_tensor(input, "squeeze")
    if isinstance(dim, list | tuple) and not dim:
        return reshape(input, input.shape)  # squeeze(()) squeezes nothing, as in PyTorch
    dims = normalize_dims(dim, input.ndim)
    if dims is None:
        dims = range(input.ndim)
    shape = tuple(n for i, n in enumerate(input.shape) if not (i in dims and n == 1))
    # PyTorch's node names: squeeze(), squeeze(dim), squeeze(dims).
    node = f"SqueezeBackward{0 if dim is None else 2 if isinstance(dim, list | tuple) else 1}"
    return movement.Reshape.apply(input, shape=shape, node=node)


@numpy_names
def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a dimension of size 1 at ``dim`` (negative counts from the new end).

    Example:
        >>> import minigrad
        >>> x = minigrad.zeros(3)
        >>> minigrad.unsqueeze(x, 0).shape, minigrad.unsqueeze(x, -1).shape
        (minigrad.Size([1, 3]), minigrad.Size([3, 1]))
    """
    _check_tensor(input, "unsqueeze")
    position = normalize_dim(dim, input.ndim + 1)
    shape = list(input.shape)
    shape.insert(position, 1)
    return movement.Reshape.apply(input, shape=tuple(shape), node="UnsqueezeBackward0")


def expand(input: Tensor, shape) -> Tensor:
    """A broadcast view with a larger shape; -1 keeps a size. Sizes of 1 may grow.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[1.0], [2.0]])  # (2, 1)
        >>> minigrad.expand(x, (2, 3))
        tensor([[1., 1., 1.],
                [2., 2., 2.]])
        >>> x.expand(4, -1, -1).shape  # a new leading dim of 4
        minigrad.Size([4, 2, 1])
    """
    _check_tensor(input, "expand")
    shape = shape_arg((shape,))
    if len(shape) < input.ndim:
        raise RuntimeError(
            f"expand: the number of sizes {len(shape)} must be at least the number of "
            f"dimensions of the tensor ({input.ndim})"
        )
    lead = len(shape) - input.ndim
    resolved = []
    for i, n in enumerate(shape):
        old = input.shape[i - lead] if i >= lead else None
        if n == -1:
            if old is None:
                raise RuntimeError("expand: -1 is not allowed in a new leading dimension")
            n = old
        if old is not None and old != n and old != 1:
            raise RuntimeError(
                f"expand: the expanded size of the tensor ({n}) must match the existing size "
                f"({old}) at non-singleton dimension {i}. Target sizes: {shape}. Tensor "
                f"sizes: {tuple(input.shape)}"
            )
        resolved.append(n)
    return movement.Expand.apply(input, shape=tuple(resolved))


def index_key(key, tensor: Tensor):
    """Turn an index into one NumPy/CuPy understands, and say whether it is basic."""
    if _list_read_as_tuple(key):
        key = tuple(key)
    items = key if isinstance(key, tuple) else (key,)
    basic = True
    converted = []
    for item in items:
        if isinstance(item, Tensor):
            if item.device is not tensor.device and item.device.type != "cpu":
                # As in PyTorch: CPU indices serve any tensor (they are copied over), but
                # indices on a GPU index only tensors on that GPU.
                raise RuntimeError(
                    f"indices should be either on cpu or on the same device as the indexed "
                    f"tensor ({tensor.device}), but they are on {item.device}"
                )
            if item.dtype.kind not in "iub":
                raise IndexError(
                    f"tensors used as indices must be integer or bool tensors, got {item.dtype}"
                )
            item = tensor.device.move(item._data)
            if item.dtype == np.uint8:  # PyTorch reads a uint8 index as a (deprecated) mask
                warnings.warn(
                    "indexing with dtype uint8 is deprecated, please use a dtype bool instead "
                    "(it is read as a mask, as in PyTorch)",
                    UserWarning,
                    stacklevel=3,
                )
                item = item.astype(bool)
            basic = False
        elif isinstance(item, list | tuple | range) or backend.is_array(item):
            if isinstance(item, list | tuple | range):  # (a tuple inside the key is a list, as in
                item = np.asarray(item)  # PyTorch; an empty one indexes nothing: int64)
                if item.size == 0:
                    item = item.astype(np.int64)
            item = tensor.device.move(item)  # a list, or an array from any device
            basic = False
        elif isinstance(item, slice):
            if item.step is not None and item.step <= 0:
                raise ValueError(
                    f"step must be greater than zero (got the slice {item.start}:{item.stop}:"
                    f"{item.step}; minigrad.flip is not there yet: index with a reversed "
                    f"arange instead)"
                )
        elif not (item is None or item is Ellipsis or isinstance(item, int | np.integer)):
            raise IndexError(f"unsupported index of type {type(item).__name__}")
        converted.append(item)
    return (tuple(converted) if isinstance(key, tuple) else converted[0]), basic


def _check_index_bounds(key, shape: tuple[int, ...]) -> None:
    """Raise IndexError for an out-of-range integer index array.

    NumPy raises by itself; CuPy wraps such indices around silently (and would scatter
    gradients to the wrong elements), so on a GPU they are checked here, at the cost of
    one wait for the device.
    """
    items = key if isinstance(key, tuple) else (key,)

    def width(item) -> int:  # how many dimensions of the tensor an index item consumes
        if item is None or item is Ellipsis:
            return 0
        return item.ndim if backend.is_array(item) and item.dtype.kind == "b" else 1

    dim = 0
    for item in items:
        if item is Ellipsis:
            dim += len(shape) - builtins.sum(width(i) for i in items)
        elif backend.is_array(item) and item.dtype.kind in "iu" and item.size:
            size = shape[dim]
            if bool(((item < -size) | (item >= size)).any()):
                raise IndexError(
                    f"index out of range for dimension {dim} with size {size} "
                    f"(indexing a tensor of shape {tuple(shape)})"
                )
        dim += width(item)


def integers_first(key):
    """Split an index that mixes integers with advanced indices (arrays) into two that
    are applied one after the other: the integers alone (a basic index, giving a view),
    then the rest. That is PyTorch's reading: ``x[0, :, [0, 1]]`` is ``x[0][:, [0, 1]]``.
    NumPy instead counts the integer as one more advanced index, which moves the array
    dimensions to the front when the advanced indices are not side by side.
    Returns ``(None, key)`` when there is nothing to split."""
    items = key if isinstance(key, tuple) else (key,)
    if not builtins.any(isinstance(i, int | np.integer) and not isinstance(i, bool)
                        for i in items):  # fmt: skip
        return None, key
    first, rest = [], []
    for item in items:
        if isinstance(item, int | np.integer) and not isinstance(item, bool):
            first.append(item)  # the dimension goes: nothing of it in the second index
        elif item is Ellipsis or item is None:
            first.append(item)
            rest.append(item if item is Ellipsis else slice(None))  # None made a new dim
        else:
            width = item.ndim if backend.is_array(item) and item.dtype.kind == "b" else 1
            first.extend([slice(None)] * width)
            rest.append(item)
    return tuple(first), tuple(rest)


def _list_read_as_tuple(key) -> bool:
    """PyTorch's rule (NumPy's before 1.23): a list of fewer than 32 items that holds a
    list, tuple, range, array, tensor, slice, None or Ellipsis is read as a tuple, so
    ``x[[rows, cols]]`` is ``x[rows, cols]``, with a deprecation warning. Any other list
    is one index array (``x[[0, 2]]`` picks rows 0 and 2)."""
    if not isinstance(key, list) or len(key) >= 32:
        return False
    if not any(
        isinstance(k, list | tuple | range | slice | Tensor) or k is None or k is Ellipsis
        or backend.is_array(k)
        for k in key
    ):  # fmt: skip
        return False
    warnings.warn(
        "x[seq] with a list that holds sequences, tensors, slices, None or ... is read as "
        "x[tuple(seq)], as in PyTorch 2.13, which deprecates it: write x[tuple(seq)]",
        UserWarning,
        stacklevel=4,
    )
    return True


def getitem(input: Tensor, key) -> Tensor:
    """``input[key]``: ints, slices, None, Ellipsis, and integer or bool tensors/arrays."""
    key, basic = index_key(key, input)
    if not basic:
        selected, key = integers_first(key)
        if selected is not None:
            input = movement.GetItem.apply(input, key=selected, basic=True)
    if not basic and input.device.type != "cpu":
        _check_index_bounds(key, input.shape)
    try:
        return movement.GetItem.apply(input, key=key, basic=basic)
    except IndexError as error:
        raise IndexError(f"{error} (indexing a tensor of shape {tuple(input.shape)})") from None


def _sequence_of_tensors(tensors, name: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, list | tuple):
        raise TypeError(f"{name}() expects a list or tuple of tensors")
    if not tensors:
        raise RuntimeError(f"{name}() expects a non-empty list of tensors")
    for t in tensors:
        _check_tensor(t, name)
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = _dtypes.promote_types(dtype, t.dtype)
    return [t if t.dtype == dtype else cast(t, dtype) for t in tensors]


@numpy_names
def cat(tensors, dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension.

    Example:
        >>> import minigrad
        >>> minigrad.cat([minigrad.ones(2, 3), minigrad.zeros(1, 3)]).shape
        minigrad.Size([3, 3])
    """
    inputs = _sequence_of_tensors(tensors, "cat")
    tensors, skip = inputs, ()
    if builtins.any(t.shape != (0,) for t in inputs):  # PyTorch's legacy rule: an empty
        skip = tuple(i for i, t in enumerate(inputs) if t.shape == (0,))  # 1-D tensor
        tensors = [t for t in inputs if t.shape != (0,)]  # joins anything
    else:  # and empty 1-D tensors alone join into one along any dim (PyTorch skips the
        dim = 0  # check: torch.cat([torch.zeros(0)], dim=5) is tensor([]))
    ndim = tensors[0].ndim
    if ndim == 0:
        raise RuntimeError("cat(): zero-dimensional tensor cannot be concatenated")
    axis = normalize_dim(dim, ndim)
    for i, t in enumerate(tensors):
        same = t.ndim == ndim and all_equal_except(t.shape, tensors[0].shape, axis)
        if not same:
            raise RuntimeError(
                f"cat(): sizes of tensors must match except in dimension {axis}; tensor 0 has "
                f"shape {tuple(tensors[0].shape)} and tensor {i} has shape {tuple(t.shape)}"
            )
    return movement.Cat.apply(*inputs, axis=axis, skip=skip)


def all_equal_except(a: tuple, b: tuple, axis: int) -> bool:
    return builtins.all(x == y for i, (x, y) in enumerate(zip(a, b)) if i != axis)


@numpy_names
def stack(tensors, dim: int = 0) -> Tensor:
    """Join tensors of one shape along a new dimension.

    Example:
        >>> import minigrad
        >>> a, b = minigrad.zeros(2, 3), minigrad.ones(2, 3)
        >>> minigrad.stack([a, b]).shape, minigrad.stack([a, b], dim=2).shape
        (minigrad.Size([2, 2, 3]), minigrad.Size([2, 3, 2]))
    """
    tensors = _sequence_of_tensors(tensors, "stack")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {tuple(tensors[0].shape)} "
                f"at entry 0 and {tuple(t.shape)} at entry {i}"
            )
    axis = normalize_dim(dim, tensors[0].ndim + 1)
    return movement.Stack.apply(*tensors, axis=axis)


PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input: Tensor, pad, mode: str = "constant", value=None) -> Tensor:
    """Pad, PyTorch's ``nn.functional.pad`` convention.

    ``pad`` lists (before, after) amounts starting from the *last* dimension:
    ``(left, right)`` pads the last dim, ``(left, right, top, bottom)`` the last two, and so
    on. Negative amounts crop. ``mode`` fills the new border with:

    * ``"constant"``: ``value`` (default 0);
    * ``"reflect"``: the input mirrored at its edge, the edge itself not repeated
      (``1 2 3`` padded by 2 reads ``3 2 1 2 3 2 1``);
    * ``"replicate"``: the edge value repeated (``1 1 1 2 3 3 3``);
    * ``"circular"``: the input wrapped around (``2 3 1 2 3 1 2``).

    The last three pad the last 1, 2 or 3 dims of a batch (N, C, ...) or of one sample
    (C, ...), as in PyTorch; each output element is an input element, so its gradient goes
    back there (summed where an element was copied more than once).

    Example:
        >>> import minigrad
        >>> minigrad.pad(minigrad.ones(1, 2), (1, 1)).tolist()
        [[0.0, 1.0, 1.0, 0.0]]
        >>> minigrad.pad(minigrad.tensor([[1.0, 2.0, 3.0]]), (2, 2), mode="reflect").tolist()
        [[3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0]]
    """
    _check_tensor(input, "pad")
    if mode not in PAD_MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    pad = tuple(pad)
    if mode in ("reflect", "replicate"):
        return _pad_edges(input, pad, mode, value)
    if mode != "constant":
        return _pad_by_copying(input, pad, mode, value)
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise RuntimeError(
            f"pad: the padding {pad} must have an even length of at most 2 * {input.ndim} "
            "(two amounts per dimension, last dimension first)"
        )
    if not builtins.all(isinstance(p, int | np.integer) and not isinstance(p, bool) for p in pad):
        raise TypeError(f"pad: the amounts must be ints, got {pad}")
    pairs = [(0, 0)] * input.ndim
    for i in range(len(pad) // 2):
        pairs[input.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    for n, (before, after) in zip(input.shape, pairs):
        # The crops (negative amounts) come off the input itself, so they must fit in it.
        if n + builtins.min(before, 0) + builtins.min(after, 0) < 0 or n + before + after < 0:
            raise RuntimeError(f"pad: padding {pad} crops more than shape {input.shape} holds")
    value = 0 if value is None else value
    grows = builtins.any(n > 0 for pair in pairs for n in pair)  # else no value is written
    if grows and not converts_without_overflow(float(value), input.dtype):  # as a float:
        raise RuntimeError(  # even -1 does not wrap into uint8 here, as in PyTorch
            f"pad: value {value} cannot be converted to type {input.dtype} without overflow"
        )
    return movement.Pad.apply(input, pairs=tuple(pairs), value=value if grows else 0)


def _check_cropped_size(input: Tensor, pad: tuple, dims: int) -> None:
    """Negative padding (cropping) in ``"reflect"`` or ``"replicate"`` mode may not leave
    a padded dim with fewer than 0 elements, nor all of them with 0, as in PyTorch."""
    sizes = [input.shape[-1 - k] + int(pad[2 * k]) + int(pad[2 * k + 1]) for k in range(dims)]
    if input.numel() and (builtins.min(sizes) < 0 or builtins.max(sizes) < 1):
        names = "WHD"[:dims][::-1]
        given = ", ".join(f"{d}: {input.shape[-dims + i]}" for i, d in enumerate(names))
        got = " ".join(f"{d}: {n}" for d, n in zip(names, sizes[::-1]))
        raise RuntimeError(f"input ({given}) is too small. Calculated output {got}")


@autocast_mode.casts(cpu="float32")  # PyTorch's reflection and replication pads
def _pad_edges(input: Tensor, pad: tuple, mode: str, value) -> Tensor:
    return _pad_by_copying(input, pad, mode, value)


def _pad_by_copying(input: Tensor, pad: tuple, mode: str, value) -> Tensor:
    """``pad`` with the ``"reflect"``, ``"replicate"`` or ``"circular"`` border: along
    each padded dim, output position ``j`` reads input position ``i = j - before`` mapped
    back inside the input, one index per position (an indexing, so the gradient flows)."""
    if value is not None:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if input.dtype == _dtypes.bool and mode != "circular":  # as in PyTorch
        kernel = "reflection" if mode == "reflect" else "replication"
        raise NotImplementedError(f'"{kernel}_pad" not implemented for bool')
    dims = len(pad) // 2
    if dims not in (1, 2, 3) or input.ndim not in (dims + 1, dims + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    if not builtins.all(isinstance(p, int | np.integer) and not isinstance(p, bool) for p in pad):
        raise TypeError(f"pad: the amounts must be ints, got {pad}")
    if mode != "circular":
        _check_cropped_size(input, pad, dims)
    out = input
    for k in range(dims):
        axis = input.ndim - 1 - k
        before, after = int(pad[2 * k]), int(pad[2 * k + 1])
        if mode == "circular" and (before < 0 or after < 0):  # crops first, as in PyTorch
            n = out.shape[axis]
            if n + builtins.min(before, 0) + builtins.min(after, 0) < 0:
                raise RuntimeError(f"pad: padding {pad} crops more than shape {input.shape} holds")
            kept = slice(builtins.max(-before, 0), n - builtins.max(-after, 0))
            out = out[(slice(None),) * axis + (kept,)]
            before, after = builtins.max(before, 0), builtins.max(after, 0)
        n = out.shape[axis]
        if mode == "reflect" and (before >= n or after >= n):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({before}, {after}) at dimension {axis} of "
                f"input {list(input.shape)}"
            )
        if mode == "circular" and (before > n or after > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if n == 0 and before + after:
            raise RuntimeError(f"pad: cannot pad an empty dim {axis} of shape {tuple(input.shape)}")
        if before == after == 0:
            continue
        i = np.arange(-before, n + after)
        if mode == "reflect":
            i = np.abs(i)  # mirror at 0 ...
            i = np.where(i > n - 1, 2 * (n - 1) - i, i)  # ... and at n - 1
        elif mode == "replicate":
            i = np.clip(i, 0, n - 1)
        else:
            i = i % n
        index = Tensor._wrap(input.device.from_host(i.astype(np.int64)), input.device)
        out = out[(slice(None),) * axis + (index,)]
    return out if out is not input else clone(input)  # a new tensor, as PyTorch's, even unpadded
