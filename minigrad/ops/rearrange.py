"""Primitives that rearrange elements: ``flip``, ``roll``, ``gather``, and their opposites
``scatter``, ``index_add``, ``scatter_reduce``, ``x[key] = v`` (``SetItem``) and a write
through a view (``CopySlices``, ``AsStrided``). Each
output element of the first three is one input element, so the backward puts each
gradient back where its element came from (adding them up where ``gather`` picked an
element more than once).
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


class SetItem(Function):
    """``out = a`` with ``out[key] = v``: what ``x[key] = v`` computes when the graph
    records it (``v`` a tensor of the value's shape, broadcast to ``a[key]``, or a number).
    ``selected``, when not None, is a basic index applied first (PyTorch reads an index's
    integers before its index tensors; see ``functions.integers_first``).

    Backward: the overwritten elements of ``a`` get no gradient; ``v`` gets the gradient
    of the places it was written to (summed back to its shape by the engine)."""

    def forward(self, a, v, key, selected):
        self.key, self.selected = key, selected
        out = a.copy()
        (out if selected is None else out[selected])[key] = v
        return out

    def backward(self, grad):
        g_a = g_v = None
        part = grad if self.selected is None else grad[self.selected]
        if self.needs_input_grad[1]:
            g_v = self.xp.array(part[self.key])  # a copy: never a view of grad
        if self.needs_input_grad[0]:
            g_a = grad.copy()
            (g_a if self.selected is None else g_a[self.selected])[self.key] = 0
        return g_a, g_v


class CopySlices(Function):
    """A tensor after an in-place op on a view of it (PyTorch's node of that name): ``out`` is
    ``base`` with the view's elements, at ``positions`` (``backend.view_positions``),
    replaced by ``v``, the view's new values. The write is already in memory, so forward
    only hands back the base's array.

    Backward: the replaced elements of ``base`` get no gradient; ``v`` gets theirs."""

    keeps_layout = True  # the output is the base's own array, whatever its layout

    def name(self) -> str:
        return "CopySlices"  # as PyTorch spells it, without Backward0

    def forward(self, base, v, positions):
        self.positions = positions
        return base

    def backward(self, grad):
        flat = self.xp.ascontiguousarray(grad).reshape(-1)
        g_base = g_v = None
        if self.needs_input_grad[1]:
            g_v = flat[self.positions]  # a gather: a copy
        if self.needs_input_grad[0]:
            g_base = flat.copy()
            g_base[self.positions] = 0
            g_base = g_base.reshape(grad.shape)
        return g_base, g_v


class AsStrided(Function):
    """A view read again out of its base, after an in-place write through another view
    (or the base) changed the base's node: ``out`` is ``view``, the elements of ``base``
    at ``positions``; backward scatters the gradient back to them."""

    is_view = True

    def forward(self, base, view, positions):
        self.positions, self.shape = positions, base.shape
        return view

    def backward(self, grad):
        xp = self.xp
        out = xp.zeros(math.prod(self.shape), grad.dtype)
        xp.add.at(out, self.positions.reshape(-1), grad.reshape(-1))  # repeats add up
        return out.reshape(self.shape)


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


def _flat_positions(xp, index, axis: int, shape) -> object:
    """The flat (C-order) position in an array of ``shape`` of each element ``index``
    addresses along ``axis``, as a 1-D array in ``index``'s order."""
    flat = 0
    for coordinate, stride in zip(_positions(xp, index, axis), _element_strides(shape)):
        flat = flat + coordinate * stride
    return xp.broadcast_to(flat, index.shape).reshape(-1)


def _reduce_into(xp, start, flat, values, reduce: str, include_self: bool):
    """``start`` (flat) with ``values[i]`` reduced into place ``flat[i]``: ``'sum'`` and
    ``'mean'`` by one weighted count; ``'prod'``, ``'amax'`` and ``'amin'`` in rounds,
    round ``r`` combining each place's ``r``-th value (so as many rounds as the most
    values any one place receives). Without ``include_self`` a place that receives values
    starts from them alone."""
    counts = xp.bincount(flat, minlength=start.size)
    hit = counts > 0
    if reduce in ("sum", "mean"):
        sums = xp.bincount(flat, weights=values, minlength=start.size)
        total = (start if include_self else xp.where(hit, 0, start)) + sums
        if reduce == "sum":
            return total.astype(start.dtype)
        n = xp.maximum(counts + (1 if include_self else 0), 1)
        mean = total / n if start.dtype.kind == "f" else xp.floor_divide(total, n)
        return xp.where(hit, mean, start).astype(start.dtype)
    combine = {"prod": xp.multiply, "amax": xp.maximum, "amin": xp.minimum}[reduce]
    order = xp.argsort(flat, kind="stable")
    places, values = flat[order], values[order]
    rank = xp.arange(places.size) - xp.searchsorted(places, places, side="left")
    out = start.copy()
    for r in range(int(rank.max()) + 1 if rank.size else 0):
        chosen = rank == r
        where, value = places[chosen], values[chosen]
        out[where] = value if r == 0 and not include_self else combine(out[where], value)
    return out


class ScatterReduce(Function):
    """``out = a`` with each element of ``src`` reduced into the place ``index`` names
    along ``axis`` (``scatter_reduce``): ``reduce`` is ``'sum'``, ``'prod'``, ``'mean'``,
    ``'amax'`` or ``'amin'``; with ``include_self`` the element of ``a`` takes part.

    Backward, as PyTorch's: ``sum`` passes the gradient to every contributor, ``mean``
    divides it by the count; ``amax``/``amin`` share it evenly among the contributors equal
    to the result; ``prod`` gives each the product of the others (computed again with the
    element replaced by 1 where it is the place's only zero). Without ``include_self`` an
    element of ``a`` that was reduced into gets no gradient."""

    def forward(self, a, index, src, axis, reduce, include_self):
        xp = self.xp
        flat = _flat_positions(xp, index, axis, a.shape)
        out = _reduce_into(xp, a.reshape(-1), flat, src.reshape(-1), reduce, include_self)
        out = out.reshape(a.shape)
        self.save(a, index, src, out)
        self.axis, self.reduce, self.include_self = axis, reduce, include_self
        return out

    def backward(self, grad):
        xp = self.xp
        a, index, src, out = self.saved
        axis, reduce, include_self = self.axis, self.reduce, self.include_self
        where = _positions(xp, index, axis)
        flat = _flat_positions(xp, index, axis, a.shape)
        counts = xp.bincount(flat, minlength=a.size).reshape(a.shape)
        hit = counts > 0
        if reduce == "sum":
            g_a, g_src = grad, grad[where]
        elif reduce == "mean":
            g_a = grad / xp.maximum(counts + (1 if include_self else 0), 1)
            g_src = g_a[where]
        elif reduce in ("amax", "amin"):
            a_is = (a == out) if include_self else (a == out) & ~hit
            src_is = src == out[where]
            ties = xp.bincount(flat, weights=src_is.reshape(-1), minlength=a.size)
            g = grad / xp.maximum(a_is + ties.reshape(a.shape), 1)
            g_a, g_src = g * a_is, g[where] * src_is
        else:  # prod
            nonzero_a = xp.where(a == 0, 1, a)
            others = _reduce_into(
                xp, nonzero_a.reshape(-1), flat, src.reshape(-1), "prod", include_self
            ).reshape(a.shape)
            g_a = grad * others / nonzero_a
            zero = src == 0
            zeros_at = xp.bincount(flat, weights=zero.reshape(-1), minlength=a.size)
            single = zero & (zeros_at.reshape(a.shape)[where] == 1)
            without = _reduce_into(
                xp, a.reshape(-1), flat, xp.where(single, 1, src).reshape(-1), "prod",
                include_self,
            ).reshape(a.shape)  # fmt: skip
            g_src = xp.where(
                single, (grad * without)[where], (grad * out)[where] / xp.where(zero, 1, src)
            )
        if not include_self:
            g_a = xp.where(hit, 0, g_a if reduce != "sum" else grad)
        return g_a.astype(grad.dtype, copy=False), None, g_src.astype(grad.dtype, copy=False)
