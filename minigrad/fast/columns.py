"""im2col and col2im compiled by numba, for the CPU's strided convolutions.

The NumPy path of ``fast/conv.py`` builds its columns with one strided copy per chunk
and scatters their gradient back with one ``+=`` per kernel tap. With stride 1 along
the width, wide rows make those long contiguous runs; with a stride of 2 they are runs
of single pixels, and NumPy does them one by one on one core (a 32->64 convolution with
stride 2 at 14x14, batch 128: 15 of its 24 ms, forward and backward). These kernels do
the same copies and sums, one task per (channel, image) plane on every core:

* :func:`im2col`: ``cols[(c, i, j), (n, y, x)]`` is the input pixel that tap ``(i, j)``
  of output pixel ``(y, x)`` reads, ``x[n, c, y * sh + i * dh - top, x * sw + j * dw -
  left]``, or 0 in the padding;
* :func:`col2im`: the input gradient adds, for each tap in turn, the column entries of
  the pixels that tap read: the same sums in the same order as NumPy's ``+=`` per tap,
  so the same bits.

The columns have ``oW`` entries per output row (no wide rows): ``Conv2dColumns`` in
``fast/conv.py`` uses these kernels when a convolution's layout is that one.

Example:
    >>> import numpy as np
    >>> from minigrad.fast import columns
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> cols = columns.im2col(x, (2, 2), (2, 2), (1, 1), (0, 0), (2, 2))
    >>> cols  # four taps (rows) of four output pixels (columns)
    array([[ 0.,  2.,  8., 10.],
           [ 1.,  3.,  9., 11.],
           [ 4.,  6., 12., 14.],
           [ 5.,  7., 13., 15.]], dtype=float32)
    >>> columns.col2im(cols, x.shape, (2, 2), (2, 2), (1, 1), (0, 0), (2, 2))[0, 0]
    array([[ 0.,  1.,  2.,  3.],
           [ 4.,  5.,  6.,  7.],
           [ 8.,  9., 10., 11.],
           [12., 13., 14., 15.]], dtype=float32)
"""

from __future__ import annotations

import numpy as np

from . import compiled
from .compiled import AVAILABLE, numba, prange, serial_and_parallel

DTYPES = (np.float32, np.float64)
"""The dtypes the kernels are compiled for."""


def _inside(ow, w, sw, shift):
    """The output columns ``first <= k < last`` whose pixel ``k * sw + shift`` lies in a
    row of ``w`` (the others read the padding): loops over them need no test per pixel."""
    first = 0 if shift >= 0 else (-shift + sw - 1) // sw
    last = 0 if w - shift <= 0 else min(ow, (w - shift + sw - 1) // sw)
    return first, max(first, last)


def _im2col_kernel(x, cols, kh, kw, sh, sw, dh, dw, top, left, oh, ow):
    """Write the columns of ``x`` (N, C, H, W) into ``cols`` (C * kh * kw, N * oh * ow),
    one task per (channel, image): its kh * kw runs of oh * ow columns. Each output row
    of a tap is zeros where it reads the padding, then pixels (``stride`` apart in the
    input row), then zeros: the bounds are worked out once per tap (:func:`_inside`), not
    tested per pixel, and the indices are flat and unsigned (numba checks a signed one
    for a negative value per element, and slicing out each short row costs more than
    its copy)."""
    images, channels, h, w = x.shape
    pixels = oh * ow
    src, dst = x.reshape(-1), cols.reshape(-1)
    step = np.uint64(sw)
    for task in prange(channels * images):
        c, n = task // images, task % images
        plane = (n * channels + c) * h * w
        for i in range(kh):
            for j in range(kw):
                shift = j * dw - left
                first, last = _inside(ow, w, sw, shift)
                run = ((c * kh + i) * kw + j) * images * pixels + n * pixels
                for y in range(oh):
                    yy, out = y * sh + i * dh - top, np.uint64(run + y * ow)
                    lo = hi = 0  # the pixels [lo, hi) of the row; zeros around them
                    if 0 <= yy < h:  # (else a row of the padding: all zeros)
                        lo, hi = first, last
                        at = np.uint64(plane + yy * w + first * sw + shift)
                        for k in range(hi - lo):
                            dst[out + np.uint64(lo + k)] = src[at + np.uint64(k) * step]
                    for k in range(lo):
                        dst[out + np.uint64(k)] = 0
                    for k in range(hi, ow):
                        dst[out + np.uint64(k)] = 0


def _col2im_kernel(cols, gx, kh, kw, sh, sw, dh, dw, top, left, oh, ow):
    """``gx`` (N, C, H, W) = the column gradient ``cols`` (C * kh * kw, N * oh * ow) summed
    onto the pixels each tap read, tap after tap, one task per (channel, image); flat,
    unsigned indices and bounds worked out once per tap, as in :func:`_im2col_kernel`."""
    images, channels, h, w = gx.shape
    pixels = oh * ow
    src, dst = cols.reshape(-1), gx.reshape(-1)
    step = np.uint64(sw)
    for task in prange(channels * images):
        c, n = task // images, task % images
        plane = (n * channels + c) * h * w
        for k in range(h * w):
            dst[np.uint64(plane + k)] = 0
        for i in range(kh):
            for j in range(kw):
                shift = j * dw - left
                first, last = _inside(ow, w, sw, shift)
                run = ((c * kh + i) * kw + j) * images * pixels + n * pixels
                for y in range(oh):
                    yy = y * sh + i * dh - top
                    if yy < 0 or yy >= h:  # read the padding: no input pixel's gradient
                        continue
                    at = np.uint64(plane + yy * w + first * sw + shift)
                    grads = np.uint64(run + y * ow + first)
                    for k in range(last - first):
                        dst[at + np.uint64(k) * step] += src[grads + np.uint64(k)]


if AVAILABLE:
    _inside = numba.njit(cache=True, inline="always")(_inside)

# On every core, and on one (in a forked child: compiled.PARALLEL)
_im2col_serial, _im2col_kernel = serial_and_parallel(_im2col_kernel)
_col2im_serial, _col2im_kernel = serial_and_parallel(_col2im_kernel)


def im2col(x, kernel, stride, dilation, pads, out_hw, out=None):
    """The (C * kH * kW, N * oH * oW) columns of ``x`` (N, C, H, W) for a ``kernel`` (kH,
    kW) window with ``stride`` and ``dilation`` (h, w pairs), ``pads`` = (top, left), and
    the output size ``out_hw``; written into ``out`` if given. Compiled with numba, else
    plain Python.

    Example:
        >>> import numpy as np
        >>> from minigrad.fast.columns import im2col
        >>> x = np.ones((1, 1, 2, 2), np.float32)
        >>> im2col(x, (1, 1), (1, 1), (1, 1), (1, 1), (3, 3))  # padded by one, 1x1 taps
        array([[0., 0., 0., 0., 1., 1., 0., 1., 1.]], dtype=float32)
    """
    n, c = x.shape[:2]
    (kh, kw), (oh, ow) = kernel, out_hw
    shape = (c * kh * kw, n * oh * ow)
    if out is None:
        out = np.empty(shape, dtype=x.dtype)
    elif out.shape != shape or out.dtype != x.dtype or not out.flags.c_contiguous:
        # (the compiled kernel checks no bounds: a wrong array would be overrun)
        raise ValueError(f"im2col: out must be a C-contiguous {x.dtype} array of shape "
                         f"{shape}, got {out.dtype} {out.shape}")  # fmt: skip
    with compiled.one_at_a_time:
        (_im2col_kernel if compiled.PARALLEL else _im2col_serial)(
            np.ascontiguousarray(x), out, kh, kw, *stride, *dilation, *pads, oh, ow
        )
    return out


def col2im(cols, input_shape, kernel, stride, dilation, pads, out_hw):
    """The (N, C, H, W) input gradient of :func:`im2col`'s columns, from their gradient
    ``cols`` (C * kH * kW, N * oH * oW), the same arguments otherwise.

    Example:
        >>> import numpy as np
        >>> from minigrad.fast.columns import col2im
        >>> cols = np.ones((4, 1), np.float32)  # a 2x2 window at one output pixel
        >>> col2im(cols, (1, 1, 3, 3), (2, 2), (1, 1), (1, 1), (0, 0), (1, 1))[0, 0]
        array([[1., 1., 0.],
               [1., 1., 0.],
               [0., 0., 0.]], dtype=float32)
    """
    (kh, kw), (oh, ow) = kernel, out_hw
    n, c = input_shape[:2]
    if cols.shape != (c * kh * kw, n * oh * ow):  # (the kernel checks no bounds)
        raise ValueError(f"col2im: cols must have shape {(c * kh * kw, n * oh * ow)} for "
                         f"input {tuple(input_shape)}, got {cols.shape}")  # fmt: skip
    gx = np.empty(input_shape, dtype=cols.dtype)
    with compiled.one_at_a_time:
        (_col2im_kernel if compiled.PARALLEL else _col2im_serial)(
            np.ascontiguousarray(cols), gx, kh, kw, *stride, *dilation, *pads, oh, ow
        )
    return gx
