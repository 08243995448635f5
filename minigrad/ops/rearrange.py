"""Primitives that rearrange elements: ``flip``, ``roll``, ``gather``, and their opposites
``scatter`` and ``index_add``. Each output element of the first three is one
input element, so the backward puts each gradient back where its element came from
(adding them up where ``gather`` picked an element more than once).
"""

from __future__ import annotations

import math

from ..autograd import Function
from .reduce import Gather


class Flip(Function):
    """The elements in reverse order along ``axes`` (a copy, as in PyTorch)."""

    def forward(self, a, axes):
        self.axes = axes
        return self.xp.flip(a, axes).copy()

    def backward(self, grad):
        return self.xp.flip(grad, self.axes)


class Roll(Function):
    """The elements shifted by ``shifts[k]`` places along ``axes[k]``, those pushed off
    the end coming back at the start; backward shifts the gradient back."""

    def forward(self, a, shifts, axes):
        self.shifts, self.axes = shifts, axes
        return self.xp.roll(a, shifts, axes)

    def backward(self, grad):
        return self.xp.roll(grad, tuple(-s for s in self.shifts), self.axes)


class TakeAlong(Gather):
    """``out[..., j, ...] = a[..., indices[..., j, ...], ...]`` along ``axis`` (``gather``),
    ``indices`` of ``a``'s shape except along ``axis``: :class:`~minigrad.ops.reduce.Gather`'s
    forward, but indices may repeat, so backward adds the gradients up per input element,
    with a bincount over flat positions."""

    def backward(self, grad):
        (indices,) = self.saved
        xp, width = self.xp, self.shape[self.axis]
        # Move ``axis`` last; number each (row, column) position of the input, row by row.
        index = xp.moveaxis(indices, self.axis, -1)
        lead, picks = index.shape[:-1], index.shape[-1]
        rows = math.prod(lead)
        flat = (xp.arange(rows)[:, None] * width + index.reshape(rows, picks)).reshape(-1)
        weights = xp.moveaxis(grad, self.axis, -1).reshape(-1)
        sums = xp.bincount(flat, weights=weights, minlength=rows * width)
        out = sums.reshape((*lead, width)).astype(grad.dtype, copy=False)
        return xp.moveaxis(out, -1, self.axis), None


class Embedding(Function):
    """Rows of ``weight`` (num, dim) at integer ``indices`` of any shape: the output is
    ``indices.shape + (dim,)``. Backward adds each output row's gradient into the row it
    came from (rows picked twice get both), none into ``padding_idx``'s row, and with
    ``scale_grad_by_freq`` divides each row's sum by how often the batch picked it."""

    def forward(self, weight, indices, padding_idx, scale_grad_by_freq):
        self.rows, self.padding_idx, self.scale = weight.shape[0], padding_idx, scale_grad_by_freq
        self.save(indices)
        return weight[indices]

    def backward(self, grad):
        (indices,) = self.saved
        xp, dim = self.xp, grad.shape[-1]
        flat = indices.reshape(-1)
        rows = grad.reshape(-1, dim)
        if self.scale:
            counts = xp.bincount(flat, minlength=self.rows)
            rows = rows / counts[flat][:, None].astype(rows.dtype)
        if self.padding_idx is not None:
            rows = xp.where((flat == self.padding_idx)[:, None], 0, rows).astype(grad.dtype)
        # One bincount per column: the sums of each row's gradients, without a Python loop
        # over rows. Positions (row, column) are numbered row * dim + column.
        positions = (flat[:, None] * dim + xp.arange(dim)).reshape(-1)
        sums = xp.bincount(positions, weights=rows.reshape(-1), minlength=self.rows * dim)
        return sums.reshape(self.rows, dim).astype(grad.dtype, copy=False), None


def _positions(xp, index, axis: int):
    """The full coordinates of the elements ``index`` (an int array) addresses along
    ``axis``: ``index`` itself there, and each element's own position along the others."""
    grids = xp.indices(index.shape, sparse=True)
    return tuple(index if d == axis else g for d, g in enumerate(grids))


def _element_strides(shape) -> list[int]:
    """How many elements apart consecutive positions along each axis are (C order)."""
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= n
    return strides[::-1]


class Scatter(Function):
    """``out = a`` with ``out[..., index[..., j, ...], ...] = src[..., j, ...]`` along
    ``axis`` (``scatter``), or ``+=`` with ``add`` (``scatter_add``). ``src`` has
    ``index``'s shape here (the function cuts it), or is a number.

    Backward: an element of ``a`` that was overwritten gets no gradient (with ``add`` every
    element keeps its gradient), and each ``src`` element gets the gradient of the place it
    went to, a gather (as PyTorch's, also for repeated indices)."""

    def forward(self, a, index, src, axis, add):
        xp = self.xp
        where = _positions(xp, index, axis)
        self.save(index)
        self.axis, self.add = axis, add
        out = a.copy()
        if not add:
            out[where] = src
            return out
        # Sums over repeated positions: a bincount over flat positions (xp-agnostic).
        flat = 0
        for coordinate, stride in zip(where, _element_strides(a.shape)):
            flat = flat + coordinate * stride
        flat = xp.broadcast_to(flat, index.shape).reshape(-1)
        values = xp.broadcast_to(xp.asarray(src, dtype=a.dtype), index.shape).reshape(-1)
        sums = xp.bincount(flat, weights=values, minlength=a.size).reshape(a.shape)
        return out + sums.astype(a.dtype, copy=False)

    def backward(self, grad):
        (index,) = self.saved
        where = _positions(self.xp, index, self.axis)
        g_src = grad[where] if self.needs_input_grad[2] else None
        g_a = grad
        if not self.add and self.needs_input_grad[0]:
            g_a = grad.copy()
            g_a[where] = 0
        return g_a, None, g_src


class IndexAdd(Function):
    """``out = a`` with ``out[..., index[i], ...] += alpha * source[..., i, ...]`` along
    ``axis`` (``index_add``): backward gives ``a`` the gradient unchanged and ``source``
    ``alpha`` times the gradient's slices at ``index`` (an ``index_select``)."""

    def forward(self, a, index, source, axis, alpha):
        xp = self.xp
        self.save(index)
        self.axis, self.alpha = axis, alpha
        moved = xp.moveaxis(source * alpha if alpha != 1 else source, axis, 0)
        rest = math.prod(moved.shape[1:])
        flat = (index[:, None] * rest + xp.arange(rest)[None, :]).reshape(-1)
        sums = xp.bincount(flat, weights=moved.reshape(-1), minlength=a.shape[axis] * rest)
        sums = sums.astype(a.dtype, copy=False).reshape((a.shape[axis], *moved.shape[1:]))
        return a + xp.moveaxis(sums, 0, axis)

    def backward(self, grad):
        (index,) = self.saved
        g_source = None
        if self.needs_input_grad[2]:
            g_source = self.xp.take(grad, index, axis=self.axis)
            if self.alpha != 1:
                g_source = g_source * self.alpha
        return grad, None, g_source
