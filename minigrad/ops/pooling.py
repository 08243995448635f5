"""Pooling over images: the largest value, or the average, of each window.

The windows are those of a convolution (see ``ops/conv.py`` for the output size and the
tap slices): ``out = floor((size + 2 * padding - dilation * (k - 1) - 1) / stride) + 1``
per dimension, or rounded up with ``ceil_mode`` (see :func:`pool_out_size`). Both backward
passes send each output's gradient back through the window's taps with one strided
``+=`` per tap, as col2im does.
"""

from __future__ import annotations

import numpy as np  # host-side only: the smallest integer of a dtype, for max-pool padding

from ..autograd import Function
from .conv import crop_planes, pad_planes, tap_slice


def pool_out_size(
    size: int, kernel: int, stride: int, pad: int, dilation: int, ceil_mode: bool
) -> int:
    """Output length of a pooling along one dimension, with PyTorch's rounding rule.

    ``ceil_mode`` rounds the division up, so a last, partial window covers the pixels that
    floor would leave out; but that window must *start* inside the input or the left
    padding (a window that would lie entirely in the right padding is dropped).
    """
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def _pool_pads(h, w, kernel, stride, padding, dilation, out_hw) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) padding for a pooling: ``padding`` before, and after only
    as much as the last window needs (ceil_mode can make it reach past ``padding``)."""
    pads = []
    for size, k, s, p, d, out in zip((h, w), kernel, stride, padding, dilation, out_hw):
        reach = (out - 1) * s + d * (k - 1) + 1  # padded pixels the windows touch
        pads += [p, max(0, reach - size - p)]
    return tuple(pads)


def _pool_windows(xp, x, kernel, stride, dilation, out_hw):
    """A (N, C, oH, oW, kH, kW) strided view of the windows of a padded (N, C, H, W) array."""
    sn, sc, sh, sw = x.strides
    n, c = x.shape[:2]
    return xp.lib.stride_tricks.as_strided(
        x,
        shape=(n, c, *out_hw, *kernel),
        strides=(sn, sc, stride[0] * sh, stride[1] * sw, dilation[0] * sh, dilation[1] * sw),
    )


# ----------------------------------------------------------------------------------------
# Max and average pooling
# ----------------------------------------------------------------------------------------


class MaxPool2d(Function):
    """The largest value in each window; its gradient goes to that value's position.

    The input is padded with -inf (the smallest integer for integer inputs), which never
    wins. Ties go to the *first* maximum of a window in row-major order, as in PyTorch.
    A NaN makes its window's maximum NaN (it propagates, as in PyTorch), and the window's
    gradient and index go to its first NaN (PyTorch picks the last one).
    ``kernel``, ``stride``, ``padding`` and ``dilation`` are (h, w) pairs. When ``indices``
    is a list, the flat position ``row * W + col`` of each maximum in its (unpadded) input
    plane is appended to it: PyTorch's ``return_indices``.

    Tap by tap. Tap (i, j) of every window is one strided slice of the padded input, so
    a loop over the kH*kW taps handles all windows at once: forward keeps a running
    ``maximum``; backward walks the taps in the same order and gives each window's
    gradient to the first tap that holds the maximum. Nothing new is saved: the input
    and the output are kept anyway by the layers around the pooling.
    """

    def forward(self, x, kernel, stride, padding, dilation, ceil_mode, indices=None):
        xp = self.xp
        h, w = x.shape[2:]
        out_hw = tuple(
            pool_out_size(size, k, s, p, d, ceil_mode)
            for size, k, s, p, d in zip((h, w), kernel, stride, padding, dilation)
        )
        self.geometry = (x.shape, kernel, stride, dilation, out_hw)
        self.pads = _pool_pads(h, w, kernel, stride, padding, dilation, out_hw)
        taps = self._taps(x)
        out = taps[0].copy()
        for tap in taps[1:]:
            xp.maximum(out, tap, out=out)

        if indices is not None:  # tap (i, j) of window (oh, ow) is pixel (oh*s + i*d - p, ...)
            first = xp.zeros(out.shape, dtype=xp.int64)
            for t in reversed(range(len(taps))):  # the lowest tap at the maximum wins
                xp.copyto(first, t, where=_holds_max(taps[t], out))
            i, j = first // kernel[1], first % kernel[1]
            rows = (xp.arange(out_hw[0]) * stride[0] - padding[0])[:, None] + i * dilation[0]
            cols = xp.arange(out_hw[1]) * stride[1] - padding[1] + j * dilation[1]
            indices.append(rows * w + cols)

        if self.needs_input_grad[0]:
            self.save(x, out)
        return out

    def backward(self, grad):
        x, out = self.saved
        xp = self.xp
        (_, _, h, w), kernel, stride, dilation, _ = self.geometry
        # Windows that overlap share pixels, so their gradients add up; windows that do not
        # (the usual stride >= kernel) give each pixel at most one, which is just written.
        overlap = any(s < d * (k - 1) + 1 for s, d, k in zip(stride, dilation, kernel))
        top, bottom, left_pad, right_pad = self.pads
        n, c = x.shape[:2]
        buffer = xp.zeros((n, c, h + top + bottom, w + left_pad + right_pad), grad.dtype)
        left = grad.copy()  # the gradient that no tap has taken yet
        # The taps are strided views whose rows are a few pixels long; NumPy's loops pay
        # per row, so copying them side by side once makes the passes below several times
        # cheaper (28 -> 20 ms for a 2x2 pooling of 128x32x28x28, forward and backward).
        taps = xp.stack(self._taps(x))
        pairs = list(zip(taps, self._taps(buffer, padded=True)))
        # Gradients are selected (copyto ... where), not multiplied by masks: an infinite
        # gradient times 0 would put NaN into windows that never picked this tap.
        for t, (tap, target) in enumerate(pairs):
            claims = _holds_max(tap, out)
            if overlap:
                target += xp.where(claims, left, 0)
            else:
                xp.copyto(target, left, where=claims)
            if t < len(pairs) - 1:
                xp.copyto(left, 0, where=claims)  # taken: later taps that tie get nothing
        return crop_planes(buffer, self.pads, h, w)

    def _taps(self, x, padded=False):
        """The kH*kW strided views, in row-major tap order, of what each tap sees."""
        _, kernel, stride, dilation, out_hw = self.geometry
        if not padded:
            low = float("-inf") if x.dtype.kind == "f" else int(np.iinfo(x.dtype).min)
            x = pad_planes(self.xp, x, self.pads, low)
        windows = _pool_windows(self.xp, x, kernel, stride, dilation, out_hw)
        return [windows[..., i, j] for i in range(kernel[0]) for j in range(kernel[1])]


def _holds_max(tap, out):
    """Where a tap holds its window's maximum: equal to it, or NaN (which makes the
    maximum NaN, and compares unequal to everything)."""
    holds = tap >= out
    if tap.dtype.kind == "f":
        holds |= tap != tap
    return holds


class AvgPool2d(Function):
    """The mean of each window.

    The divisor of a window is, as in PyTorch: ``divisor_override`` when given; otherwise
    the number of its pixels inside the input plus (``count_include_pad=True``) the ones in
    the zero padding. Pixels past the padding, which only ``ceil_mode`` windows reach, never
    count. Integer inputs give integer means, rounded toward zero (as PyTorch).
    """

    keeps = (0,)  # backward needs only the input's shape; PyTorch saves the input itself

    def forward(self, x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
        xp = self.xp
        n, c, h, w = x.shape
        out_hw = tuple(
            pool_out_size(size, k, s, p, 1, ceil_mode)
            for size, k, s, p in zip((h, w), kernel, stride, padding)
        )
        pads = _pool_pads(h, w, kernel, stride, padding, (1, 1), out_hw)
        padded = pad_planes(xp, x, pads, 0)
        is_float = x.dtype.kind == "f"
        # Sum the windows tap by tap: each tap's values across all windows form one strided
        # slice, so kH*kW vectorised additions do it (and no window is copied).
        total = xp.zeros((n, c, *out_hw), dtype=x.dtype if is_float else xp.int64)
        for i in range(kernel[0]):
            rows = tap_slice(i, stride[0], out_hw[0])
            for j in range(kernel[1]):
                total += padded[:, :, rows, tap_slice(j, stride[1], out_hw[1])]

        if divisor_override:
            divisor = divisor_override  # a Python int: the result keeps x's float dtype
        else:
            sizes = [
                _window_sizes(xp, size, k, s, p, out, count_include_pad)
                for size, k, s, p, out in zip((h, w), kernel, stride, padding, out_hw)
            ]
            divisor = sizes[0][:, None] * sizes[1][None, :]  # (oH, oW), int64
            if is_float:
                divisor = divisor.astype(x.dtype)
        self.geometry = (x.shape, kernel, stride, pads, out_hw)
        self.divisor = divisor
        if is_float:
            return total / divisor
        quotient = xp.abs(total) // divisor  # PyTorch divides integers rounding toward zero
        return xp.where(total < 0, -quotient, quotient).astype(x.dtype)

    def backward(self, grad):
        xp = self.xp
        (n, c, h, w), kernel, stride, pads, out_hw = self.geometry
        share = grad / self.divisor  # each window's pixels get an equal share
        buffer = xp.zeros((n, c, h + pads[0] + pads[1], w + pads[2] + pads[3]), grad.dtype)
        for i in range(kernel[0]):  # col2im again: one strided addition per tap
            rows = tap_slice(i, stride[0], out_hw[0])
            for j in range(kernel[1]):
                buffer[:, :, rows, tap_slice(j, stride[1], out_hw[1])] += share
        return crop_planes(buffer, pads, h, w)


def _window_sizes(xp, size, kernel, stride, pad, out, count_include_pad):
    """How many pixels of each window count in the mean, along one dimension (int64)."""
    start = xp.arange(out) * stride - pad
    end = xp.minimum(start + kernel, size + pad)  # the ceil_mode overhang never counts
    if count_include_pad:
        return end - start
    return xp.minimum(end, size) - xp.maximum(start, 0)
