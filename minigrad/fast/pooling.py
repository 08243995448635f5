"""Max pooling on the CPU: a backward with multiplies instead of selects, and, with numba,
the usual 2x2 pooling compiled, forward and backward.

The reference (``ops/pooling.py``) hands each window's gradient to the first tap that
holds the maximum with ``copyto(..., where=claims)``: a select, so that an infinite or
NaN gradient gives 0 to the taps that did not win, rather than ``inf * 0 = nan``. On
NumPy the selects cost about twice the multiplies they replaced (a 2x2 pooling of
128x32x28x28: 32 against 16 ms, forward and backward), and the two agree whenever the
gradient is finite, which one cheap check tells; so :class:`MaxPool2dCPU` multiplies
then, and leaves the other cases to the reference.

Even so, NumPy makes about a dozen passes over the input (padding, the taps side by
side, a mask per tap). With numba (the ``fast`` extra), :class:`MaxPool2dCompiled` does
the 2x2 pooling with stride 2 (a CNN's, VGG's, the MNIST example's) in one pass each
way, one task per (image, channel) plane on every core: forward reads each window once
and writes its maximum, backward reads the window and the maximum again and writes the
gradient to the first tap that holds it, zeros to the others, selects included.
"""

from __future__ import annotations

import numpy as np

from .. import fastpath
from ..ops.conv import crop_planes
from ..ops.pooling import MaxPool2d, _holds_max, _pool_pads
from . import compiled
from .compiled import AVAILABLE as COMPILED
from .compiled import prange, serial_and_parallel

PARALLEL_SIZE = 1 << 20
"""Inputs with at least this many elements are pooled on every core, smaller ones on one."""


class MaxPool2dCPU(MaxPool2d):
    """:class:`~minigrad.ops.pooling.MaxPool2d` whose backward multiplies by the winning
    taps' masks when the gradient is finite."""

    def backward(self, grad):
        xp = self.xp
        if not xp.isfinite(grad).all():
            return super().backward(grad)
        x, out = self.saved
        (_, _, h, w), kernel, stride, dilation, _ = self.geometry
        overlap = any(s < d * (k - 1) + 1 for s, d, k in zip(stride, dilation, kernel))
        top, bottom, left_pad, right_pad = self.pads
        n, c = x.shape[:2]
        buffer = xp.zeros((n, c, h + top + bottom, w + left_pad + right_pad), grad.dtype)
        left = grad.copy()  # the gradient that no tap has taken yet
        taps = xp.stack(self._taps(x))  # side by side: cheaper passes (see the reference)
        pairs = list(zip(taps, self._taps(buffer, padded=True)))
        for t, (tap, target) in enumerate(pairs):
            claims = _holds_max(tap, out)
            if overlap:
                target += left * claims
            else:
                xp.multiply(left, claims, out=target)
            if t < len(pairs) - 1:
                left *= ~claims  # taken: later taps that tie get nothing
        return crop_planes(buffer, self.pads, h, w)


def _max_pool_kernel(x, out):
    """``out[n, c, i, j]`` = the maximum of the 2x2 window ``x[n, c, 2i:2i+2, 2j:2j+2]``,
    folded in the reference's order with NumPy's ``maximum``: ``m if m > v or m is NaN
    else v`` (a NaN wins; of two equal values, such as -0.0 and 0.0, the later one)."""
    images, channels, oh, ow = out.shape
    for task in prange(images * channels):
        src, dst = x[task // channels, task % channels], out[task // channels, task % channels]
        for i in range(oh):
            top, bottom, row = src[2 * i], src[2 * i + 1], dst[i]
            for j in range(ow):
                # (Unsigned indices: numba checks a signed one for a negative value, which
                # costs the loop its vector instructions.)
                p = np.uint64(2 * j)
                q = p + np.uint64(1)
                m, v = top[p], top[q]
                m = m if (m > v) | (m != m) else v
                v = bottom[p]
                m = m if (m > v) | (m != m) else v
                v = bottom[q]
                m = m if (m > v) | (m != m) else v
                row[j] = m


def _max_pool_backward_kernel(x, out, grad, dx):
    """``dx``: each window's gradient at the first of its taps (row-major) that holds its
    maximum (equal to it, or NaN: :func:`~minigrad.ops.pooling._holds_max`), 0 at the
    others and at the row and column that no window covers (an odd height or width)."""
    images, channels, oh, ow = out.shape
    h, w = x.shape[2:]
    for task in prange(images * channels):
        n, c = task // channels, task % channels
        src, res, g, dst = x[n, c], out[n, c], grad[n, c], dx[n, c]
        for i in range(oh):
            top, bottom, m_row, g_row = src[2 * i], src[2 * i + 1], res[i], g[i]
            d_top, d_bottom = dst[2 * i], dst[2 * i + 1]
            for j in range(ow):
                p = np.uint64(2 * j)
                q = p + np.uint64(1)
                m, gv = m_row[j], g_row[j]
                a, b, c2, d = top[p], top[q], bottom[p], bottom[q]
                # Which tap takes the gradient, without branches (``&``, ``|`` and ``^``
                # on the comparisons, so that the loop stays vectorized).
                take_a = (a >= m) | (a != a)
                free = take_a ^ True
                take_b = (b >= m) | (b != b)
                take_b &= free
                free &= take_b ^ True
                take_c = (c2 >= m) | (c2 != c2)
                take_c &= free
                free &= take_c ^ True
                take_d = (d >= m) | (d != d)
                take_d &= free
                d_top[p] = gv if take_a else 0
                d_top[q] = gv if take_b else 0
                d_bottom[p] = gv if take_c else 0
                d_bottom[q] = gv if take_d else 0
            if w > 2 * ow:
                d_top[w - 1] = 0
                d_bottom[w - 1] = 0
        if h > 2 * oh:  # (element by element: see compiled.serial_and_parallel)
            last = dst[h - 1]
            for j in range(w):
                last[j] = 0


_forward_serial, _forward_parallel = serial_and_parallel(_max_pool_kernel)
_backward_serial, _backward_parallel = serial_and_parallel(_max_pool_backward_kernel)


class MaxPool2dCompiled(MaxPool2dCPU):
    """Max pooling with a 2x2 window and stride 2, no padding or dilation, compiled
    (numba, the ``fast`` extra): one pass forward, one backward, on every core for large
    inputs; the reference's values and gradients bit for bit, NaNs, infinite gradients,
    ties and -0.0 included. Other poolings, dtypes, ``return_indices`` and ``ceil_mode``
    windows that reach past the input take :class:`MaxPool2dCPU`.

    Example:
        >>> import minigrad
        >>> from minigrad.fast.pooling import MaxPool2dCompiled
        >>> x = minigrad.tensor([[[[1.0, 3.0], [3.0, 2.0]]]], requires_grad=True)
        >>> y = MaxPool2dCompiled.apply(x, (2, 2), (2, 2), (0, 0), (1, 1), False)
        >>> y.backward(minigrad.ones_like(y))
        >>> y.item(), x.grad.tolist()  # a tie: the first 3 takes the gradient
        (3.0, [[[[0.0, 1.0], [0.0, 0.0]]]])
    """

    def forward(self, x, kernel, stride, padding, dilation, ceil_mode, indices=None):
        h, w = x.shape[2:]
        out_hw = (h // 2, w // 2)
        self.compiled = (
            kernel == (2, 2) and stride == (2, 2) and padding == (0, 0)
            and dilation == (1, 1) and indices is None
            and x.dtype.type in (np.float32, np.float64)
            and not (ceil_mode and (h % 2 or w % 2))  # a last window half outside
        )  # fmt: skip
        if not self.compiled:
            return super().forward(x, kernel, stride, padding, dilation, ceil_mode, indices)
        self.geometry = (x.shape, kernel, stride, dilation, out_hw)  # as the reference's
        self.pads = _pool_pads(h, w, kernel, stride, padding, dilation, out_hw)
        out = np.empty((*x.shape[:2], *out_hw), dtype=x.dtype)
        parallel = x.size >= PARALLEL_SIZE and compiled.PARALLEL
        kernel_fn = _forward_parallel if parallel else _forward_serial
        with compiled.one_at_a_time:
            kernel_fn(np.ascontiguousarray(x), out)
        if self.needs_input_grad[0]:
            self.save(x, out)  # x itself, even strided: its version is then checked
        return out

    def backward(self, grad):
        x, out = self.saved
        if not (self.compiled and grad.dtype == x.dtype):
            return super().backward(grad)
        dx = np.empty(x.shape, dtype=x.dtype)
        parallel = x.size >= PARALLEL_SIZE and compiled.PARALLEL
        kernel_fn = _backward_parallel if parallel else _backward_serial
        with compiled.one_at_a_time:
            kernel_fn(np.ascontiguousarray(x), out, np.ascontiguousarray(grad), dx)
        return dx


# The CPU's max pooling: compiled where numba is installed, else the multiplies.
fastpath.register(MaxPool2d, "cpu")(MaxPool2dCompiled if COMPILED else MaxPool2dCPU)
