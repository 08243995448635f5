"""The CPU convolution with compiled im2col and col2im (numba), on every core.

The reference convolution (``ops/conv.py``) spends its time moving data, not multiplying:
for 32->32 channels of 28x28 at batch 128, the matrix products of forward and backward
take about 25 ms on the 2-core CI machine, the im2col and col2im copies and the layout
changes around them about 90 ms more, all on one core. NumPy cannot do those copies any
faster (``docs/benchmarks.md`` tells the attempts): each one is many short strided runs
with a branch for the padding at their ends, and NumPy runs one at a time. Here they are
two small loops compiled by numba, spread over the cores with ``prange``, and laid out so
that no other copy is needed:

* **im2col** writes, for each image, a (C*kH*kW, oH*oW) matrix of columns: the rows are
  (channel, tap), the columns the output pixels. The zeros of the padding are written by
  the loop, so the input is never copied into a padded array first.
* **forward** is then one matrix product per image, ``weight (O, C*kH*kW) @ columns``,
  which NumPy's ``matmul`` runs through BLAS for the whole stack at once, straight into
  the (N, O, oH*oW) output: the output needs no transpose (the reference's
  (O, N*oH*oW) product does).
* **backward**: the weight gradient is ``grad @ columns^T`` per image, summed; the input
  gradient is ``weight^T @ grad`` per image, and col2im adds each column entry back to
  the input pixel it was read from. col2im runs one input plane per task, so no two
  threads ever add into the same pixel, and sums the taps in the order of the reference.

The columns of a whole batch are kH*kW times the input (115 MB for the layer above), so
they are built a few images at a time, within the device's workspace, and rebuilt in
backward rather than kept (as the NumPy fast path does, ``fast/conv.py``).

**Same results as the reference.** The columns hold the same numbers (zeros where the
window overhangs the input), and the products are the same sums: so an inf or a NaN
spreads exactly as in the reference (``inf * 0`` of the padding is NaN in both). Only the
order of float additions inside BLAS may differ.

**Compiling.** numba compiles each kernel the first time it runs with a new dtype (a few
seconds) and keeps the machine code on disk (``cache=True``): next to this file in
``__pycache__``, or, where the package directory is read-only (an installed wheel), in
the user's cache directory (``~/.cache/numba``), or in ``NUMBA_CACHE_DIR`` if that is set.
Later processes load it in well under a second.

**Status: a measured candidate, not the CPU's convolution.** ``Conv2dCompiled`` is not
registered as a fast path: on the 2-core machine it beat the NumPy path only on the
first, one-channel layer of the MNIST CNN, and its two-thread loops slowed down badly
whenever another process took a core (``benchmarks/conv_candidates.py``). numba is not a
dependency of minigrad: without it, :data:`AVAILABLE` is false and the same kernels run
as plain Python loops (correct, for small arrays and the tests only).

Example:
    >>> import numpy as np
    >>> from minigrad.fast import numba_conv
    >>> x = np.arange(9, dtype=np.float32).reshape(1, 1, 3, 3)
    >>> cols = numba_conv.im2col(x, (3, 3), (1, 1), (1, 1), (1, 1), (3, 3))
    >>> cols.shape  # (images, channels * taps, output pixels)
    (1, 9, 9)
    >>> cols[0, 4].reshape(3, 3)  # the middle tap reads each pixel itself
    array([[0., 1., 2.],
           [3., 4., 5.],
           [6., 7., 8.]], dtype=float32)
"""

from __future__ import annotations

import os
import threading

import numpy as np

try:
    import numba
except ImportError:  # not a dependency: the kernels run as plain Python
    numba = None

AVAILABLE = numba is not None
"""Whether numba is installed (the kernels are compiled), or they run as plain Python."""
# Without numba the kernels below still run, as plain (slow) Python loops: the doctests
# and the kernel tests pass either way.
prange = numba.prange if AVAILABLE else range

if AVAILABLE and "NUMBA_THREADING_LAYER" not in os.environ:
    # numba's own work queue, rather than the OpenMP layer it picks by default: with
    # OpenMP, each parallel loop cost about 25 ms more on the 2-core CI machine, however
    # small (its threads and OpenBLAS's spin against each other), against 0.2 ms.
    numba.config.THREADING_LAYER = "workqueue"

# The work queue runs one parallel loop at a time: calls from several Python threads
# (a DataLoader's, DataParallel's) take turns, each on every core.
_one_at_a_time = threading.Lock()

DTYPES = (np.float32, np.float64)
"""The dtypes the kernels are compiled for; other dtypes take the NumPy fast path."""


def _valid_range(offset: int, stride: int, count: int, size: int):
    """The output positions ``o`` in ``[0, count)`` whose input position
    ``o * stride + offset`` lies inside ``[0, size)``, as a ``(low, high)`` pair (empty
    when ``high <= low``). Written without negative floor divisions."""
    low = 0 if offset >= 0 else (-offset + stride - 1) // stride
    last = size - 1 - offset  # the largest o * stride allowed
    high = 0 if last < 0 else min(count, last // stride + 1)
    return low, high


def _im2col_kernel(x, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cols):
    """Fill ``cols`` (n, C*kh*kw, oh*ow) with the windows of ``x`` (n, C, H, W): row
    (c, i, j), column (y, x) holds input pixel (y*sh - ph + i*dh, x*sw - pw + j*dw), or 0
    where that lies in the padding. One task per (image, channel). Plain indexing, no
    slices: a slice is a new array object to numba, which costs more than the short
    copies themselves."""
    n, c, h, w = x.shape
    for task in prange(n * c):
        image, channel = task // c, task % c
        for i in range(kh):
            for j in range(kw):
                row = (channel * kh + i) * kw + j
                offset = j * dw - pw
                low, high = _valid_range(offset, sw, ow, w)
                for y in range(oh):
                    iy = y * sh - ph + i * dh
                    base = y * ow
                    if iy < 0 or iy >= h:
                        for k in range(ow):
                            cols[image, row, base + k] = 0
                        continue
                    for k in range(min(low, ow)):
                        cols[image, row, base + k] = 0
                    for k in range(low, high):
                        cols[image, row, base + k] = x[image, channel, iy, k * sw + offset]
                    for k in range(max(low, high), ow):
                        cols[image, row, base + k] = 0


def _col2im_kernel(gcols, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, gx):
    """Sum the column gradient ``gcols`` (n, C*kh*kw, oh*ow) into ``gx`` (n, C, H, W): the
    transpose of :func:`_im2col_kernel` (entries that were padding are dropped). One task
    per input plane, so no two tasks add into the same pixel; taps in the reference's
    order."""
    n, c, h, w = gx.shape
    for task in prange(n * c):
        image, channel = task // c, task % c
        for iy in range(h):
            for ix in range(w):
                gx[image, channel, iy, ix] = 0
        for i in range(kh):
            for j in range(kw):
                row = (channel * kh + i) * kw + j
                offset = j * dw - pw
                low, high = _valid_range(offset, sw, ow, w)
                for y in range(oh):
                    iy = y * sh - ph + i * dh
                    if iy < 0 or iy >= h:
                        continue
                    base = y * ow
                    for k in range(low, high):
                        gx[image, channel, iy, k * sw + offset] += gcols[image, row, base + k]


if AVAILABLE:
    _valid_range = numba.njit(cache=True, inline="always")(_valid_range)
    _im2col_kernel = numba.njit(parallel=True, cache=True)(_im2col_kernel)
    _col2im_kernel = numba.njit(parallel=True, cache=True)(_col2im_kernel)


def im2col(x, kernel, stride, padding, dilation, out_hw, cols=None):
    """The (n, C*kH*kW, oH*oW) columns of the C-contiguous (n, C, H, W) array ``x``
    (written into ``cols`` if given). ``padding`` is (top, left): the bottom and right
    padding follow from ``out_hw``. Compiled with numba (:data:`AVAILABLE`),
    else plain Python (for small arrays only).

    Example:
        >>> import numpy as np
        >>> from minigrad.fast.numba_conv import im2col
        >>> im2col(np.ones((1, 1, 2, 2), np.float32), (2, 2), (1, 1), (1, 1), (1, 1),
        ...        (3, 3))[0, 0].reshape(3, 3)  # tap (0, 0) overhangs the top left
        array([[0., 0., 0.],
               [0., 1., 1.],
               [0., 1., 1.]], dtype=float32)
    """
    n, c = x.shape[:2]
    (kh, kw), (oh, ow) = kernel, out_hw
    if cols is None:
        cols = np.empty((n, c * kh * kw, oh * ow), dtype=x.dtype)
    with _one_at_a_time:
        _im2col_kernel(x, kh, kw, *stride, *padding, *dilation, oh, ow, cols)
    return cols


def col2im(gcols, input_shape, kernel, stride, padding, dilation, out_hw, out=None):
    """The (n, C, H, W) input gradient of the column gradient ``gcols`` (n, C*kH*kW,
    oH*oW), C-contiguous: the transpose of :func:`im2col`. Compiled with numba, else plain Python.

    Example:
        >>> import numpy as np
        >>> from minigrad.fast.numba_conv import col2im
        >>> col2im(np.ones((1, 4, 9), np.float32), (1, 1, 2, 2), (2, 2), (1, 1), (1, 1),
        ...        (1, 1), (3, 3))  # each pixel was read by 4 taps x 1 window
        array([[[[4., 4.],
                 [4., 4.]]]], dtype=float32)
    """
    (kh, kw), (oh, ow) = kernel, out_hw
    if out is None:
        out = np.empty(input_shape, dtype=gcols.dtype)
    with _one_at_a_time:
        _col2im_kernel(gcols, kh, kw, *stride, *padding, *dilation, oh, ow, out)
    return out
