"""Resampling along one axis: the primitive of ``F.interpolate`` (a 2-D resize is one
resample along W, then one along H, which is PyTorch's order of operations too).

Each output position ``i`` reads a source coordinate ``src(i)`` of the input axis:

* ``nearest``: ``floor(i * scale)``, ``nearest-exact``: ``floor((i + 0.5) * scale)``
  (clipped to the last input), one input element per output;
* ``linear``: ``i * scale`` with ``align_corners`` (the corner pixels' centres line up),
  else ``(i + 0.5) * scale - 0.5`` clipped at 0 (the pixel areas line up); the output
  mixes the two neighbours ``floor(src)`` and the next, by ``1 - frac`` and ``frac``.

``scale`` is the input size over the output size, or ``1 / scale_factor`` when the caller
gave one, and is computed in float32 (float64 for linear on float64), as PyTorch does,
so that the picked indices are PyTorch's. Backward adds each output's gradient, times its weight,
into the input elements it read (a bincount over positions, as many per output as taps).
"""

from __future__ import annotations

import math

from ..autograd import Function


def source_taps(xp, mode: str, in_size: int, out_size: int, scale, align_corners, dtype):
    """For each output position: the input indices read and their weights, as lists of
    (indices, weights or None) arrays, one per tap (one for nearest, two for linear)."""
    # ATen computes nearest indices in float32 always, linear coordinates in the opmath
    # type of the input (float32 for float16 and float32, float64 for float64).
    compute = "float32" if mode != "linear" or dtype.itemsize < 8 else "float64"
    i = xp.arange(out_size).astype(compute)
    if mode == "linear" and align_corners:
        step = (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
    elif scale is not None and scale > 0:
        step = 1.0 / scale
    else:
        step = in_size / out_size
    step = xp.asarray(step, dtype=compute)  # the scale in the opmath type, as in ATen
    if mode in ("nearest", "nearest-exact"):
        if mode == "nearest" and out_size == in_size:
            index = xp.arange(out_size)
        elif mode == "nearest" and out_size == 2 * in_size:
            index = xp.arange(out_size) >> 1  # ATen's exact shortcut for doubling
        else:
            offset = 0.5 if mode == "nearest-exact" else 0.0
            index = xp.floor((i + offset) * step).astype("int64")
        return [(xp.minimum(index, in_size - 1), None)]
    src = i * step if align_corners else xp.maximum((i + 0.5) * step - 0.5, 0)
    low = src.astype("int64")
    high = low + (low < in_size - 1)
    frac = (src - low).astype(dtype)
    return [(low, 1 - frac), (high, frac)]


class Resample(Function):
    """``a`` resampled along ``axis`` to ``out_size`` positions (see the module docstring)."""

    def forward(self, a, axis, out_size, mode, align_corners, scale):
        xp = self.xp
        self.axis, self.in_size = axis, a.shape[axis]
        self.taps = source_taps(xp, mode, a.shape[axis], out_size, scale, align_corners, a.dtype)
        out = None
        for index, weight in self.taps:
            part = xp.take(a, index, axis=axis)
            if weight is not None:
                part = part * _along(weight, axis, a.ndim)
            out = part if out is None else out + part
        return out

    def backward(self, grad):
        xp, axis = self.xp, self.axis
        moved = xp.moveaxis(grad, axis, -1)
        rows, out_size = math.prod(moved.shape[:-1]), moved.shape[-1]
        flat_grad = moved.reshape(rows, out_size)
        starts = (xp.arange(rows) * self.in_size)[:, None]
        total = None
        for index, weight in self.taps:
            contribution = flat_grad if weight is None else flat_grad * weight
            positions = (starts + index[None, :]).reshape(-1)
            sums = xp.bincount(positions, weights=contribution.reshape(-1),
                               minlength=rows * self.in_size)  # fmt: skip
            total = sums if total is None else total + sums
        total = total.astype(grad.dtype, copy=False).reshape(*moved.shape[:-1], self.in_size)
        return xp.moveaxis(total, -1, axis)


def _along(weights, axis: int, ndim: int):
    """``weights`` (one per position of ``axis``) shaped to broadcast along that axis."""
    shape = [1] * ndim
    shape[axis] = weights.shape[0]
    return weights.reshape(shape)
