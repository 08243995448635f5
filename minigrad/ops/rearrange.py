"""Primitives that rearrange elements: ``flip``, ``roll`` and ``gather``. Each output element is one
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
