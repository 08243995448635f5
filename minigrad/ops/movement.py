"""Movement ops: they rearrange, select or combine elements without computing new values.

Their backward passes put the gradient back where each element came from. Reshapes,
transposes and basic slices return *views* (``is_view``): they share storage, and therefore
the version counter, with their input.
"""

from __future__ import annotations

from .. import backend
from ..autograd import Function


class Reshape(Function):
    """``a`` in a new shape (a view when the layout allows). ``node``: PyTorch's name for
    the node when the reshape stands for another op (``squeeze``, ``unsqueeze``)."""

    is_view = True

    def forward(self, a, shape, must_be_view=False, node=None):
        self.shape, self.node = a.shape, node
        if must_be_view:
            return backend.reshape_view(a, shape)
        out = a.reshape(shape)
        # NumPy copies when the layout cannot be reshaped in place (a transpose flattened):
        # then, as PyTorch's reshape, the result is not a view and shares no version.
        self.is_view = out.size == 0 or self.xp.may_share_memory(out, a)
        return out

    def backward(self, grad):
        return grad.reshape(self.shape)

    def name(self) -> str:
        """PyTorch's name: ``View`` (``UnsafeView`` for a reshape that copied), unless
        the reshape stands for another op."""
        return self.node or ("ViewBackward0" if self.is_view else "UnsafeViewBackward0")


class Permute(Function):
    is_view = True

    def forward(self, a, dims):
        self.inverse = tuple(sorted(range(len(dims)), key=dims.__getitem__))
        return a.transpose(dims)

    def backward(self, grad):
        return grad.transpose(self.inverse)


class Expand(Function):
    """Broadcast to a larger shape (a view: repeated elements share memory). Its backward
    is the identity: the engine sums the gradient back to the input shape, as for any
    broadcast."""

    is_view = True

    def forward(self, a, shape):
        view = self.xp.broadcast_to(a, shape)  # read-only: rebuilt below over a's memory,
        # so that an in-place update writes through where no element repeats, as PyTorch
        # allows (the in-place methods refuse a write to repeated elements).
        return self.xp.lib.stride_tricks.as_strided(a, view.shape, view.strides)

    def backward(self, grad):
        return grad


class GetItem(Function):
    """``a[key]``. Basic indexing (ints, slices, None, ...) gives a view and a gradient
    written back by assignment; integer-array indexing gives a copy and a gradient that is
    scatter-added, since one element may be picked more than once."""

    def forward(self, a, key, basic):
        self.shape, self.dtype, self.key, self.basic = a.shape, a.dtype, key, basic
        self.is_view = basic
        items = key if isinstance(key, tuple) else (key,)
        if basic:  # a view, whatever its layout
            # NumPy gives a scalar *copy* for one element (x[0] of a vector); an Ellipsis
            # makes it a 0-d view, so that x[0] sees later in-place updates of x and
            # x[0].fill_(9) writes into x, as in PyTorch.
            return a[key] if Ellipsis in items else a[(*items, Ellipsis)]
        return a[key]  # a copy (the engine makes it contiguous, as PyTorch's result)

    def backward(self, grad):
        xp = self.xp
        out = xp.zeros(self.shape, dtype=grad.dtype)
        if self.basic:
            out[self.key] = grad
        else:
            xp.add.at(out, self.key, grad)
        return out

    def name(self) -> str:
        """PyTorch's name for the node, which follows the index's last step: an integer
        ``SelectBackward0``, a slice ``SliceBackward0``, ``None`` ``UnsqueezeBackward0``,
        index arrays ``IndexBackward0``, ``x[...]`` ``AliasBackward0``."""
        if not self.basic:
            return "IndexBackward0"
        items = self.key if isinstance(self.key, tuple) else (self.key,)
        last = "Slice" if any(isinstance(i, slice) for i in items) else "Alias"
        for item in items:
            if item is None:
                last = "Unsqueeze"
            elif isinstance(item, slice):
                last = "Slice" if item != slice(None) else last
            elif item is not Ellipsis:
                last = "Select"
        return f"{last}Backward0"


class Cat(Function):
    """Join along ``axis``. The inputs at the positions in ``skip`` are empty 1-D tensors
    that PyTorch's legacy rule lets join anything: they add nothing, but stay in the graph
    (with an empty gradient), as in PyTorch."""

    def forward(self, *arrays, axis, skip=()):
        self.axis, self.skip = axis, skip
        joined = [a for i, a in enumerate(arrays) if i not in skip]
        self.bounds = []
        total = 0
        for a in joined[:-1]:
            total += a.shape[axis]
            self.bounds.append(total)
        return self.xp.concatenate(joined, axis=axis)

    def backward(self, grad):
        parts = self.xp.split(grad, self.bounds, axis=self.axis)
        for i in self.skip:
            parts.insert(i, self.xp.zeros((0,), dtype=grad.dtype))
        return tuple(parts)


class Stack(Function):
    def forward(self, *arrays, axis):
        self.axis = axis
        return self.xp.stack(arrays, axis=axis)

    def backward(self, grad):
        return tuple(self.xp.moveaxis(grad, self.axis, 0))


class Pad(Function):
    """Constant padding; negative amounts crop. ``pairs`` holds (before, after) per dim.

    The output is ``value`` everywhere except one box that holds the (possibly cropped)
    input; backward reads the gradient back out of that box.
    """

    def forward(self, a, pairs, value):
        self.shape = a.shape
        out_shape, self.source, self.target = [], [], []
        for n, (before, after) in zip(a.shape, pairs):
            start, stop = max(-before, 0), n - max(-after, 0)
            size = n + before + after
            out_shape.append(size)
            self.source.append(slice(start, stop))
            dst = max(before, 0)
            self.target.append(slice(dst, dst + max(stop - start, 0)))
        self.source, self.target = tuple(self.source), tuple(self.target)
        out = self.xp.full(out_shape, value, dtype=a.dtype)
        out[self.target] = a[self.source]
        return out

    def backward(self, grad):
        out = self.xp.zeros(self.shape, dtype=grad.dtype)
        out[self.source] = grad[self.target]
        return out
