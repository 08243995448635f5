"""The CPU's 3x3 convolution, compiled by numba: direct, on every core, with no columns.

The reference convolution (``ops/conv.py``) copies its input into columns (im2col), nine
times the input, and multiplies them by the kernel with BLAS. On the 2-core CI machine
the products of a 32->32 layer at batch 128 are fast, but the copies around them are
not, and NumPy runs them on one core (``docs/benchmarks.md`` tells the attempts). Here
the convolution reads the input where it lies:

* **wide rows.** Each channel of the batch is read as one long row: image after image,
  each zero-padded plane flattened (``H' * W'`` values, ``W' = W + left + right``).
  Output pixel ``(n, y, x)`` sits at the same place as the input pixel at the window's
  top left, ``q = n * H' * W' + y * W' + x``, and reads tap ``(i, j)`` at ``q + i * W' +
  j``. A tap is a shift of the whole row, so::

      out[o, q] = sum over c, i, j of  w[o, c, i, j] * x[c, q + i * W' + j]

  is nine shifted multiply-adds per input channel over long contiguous runs, which the
  compiler turns into vector instructions (16 floats at a time with AVX-512). The
  positions whose window wraps around into the next row or image are junk: the last
  two columns of each output row and the last two rows of each plane (for 3x3), or
  fewer where the padding is shared: the zeros that pad an image's bottom (right) can
  be the next plane's top rows (the next row's left columns), :func:`shared_pads`.
  :func:`wide_rows` builds these rows with NumPy, to show them; the kernels never build
  them whole: each task copies the piece it reads from the (N, C, H, W) array into a
  work array of its own (:func:`_fill_rows`), which stays in its core's cache. A padded
  copy of the whole input cost a pass over memory to write it and one to read it back
  (the 32->64 layer at 14x14, batch 128, forward and backward: 4-12% faster without).
* **forward** (:func:`correlate`): for four output channels at once, the loop over
  ``q`` loads the nine shifted inputs once and adds them, weighted, into four output
  rows. A task is :data:`CHUNK` positions or fewer (the batch cut into as many chunks
  as there are threads, or a multiple): it copies its piece of every input channel,
  then, four output channels at a time, sums into rows that stay in the L1 cache while
  every input channel passes, and copies the positions that are not junk into the (N,
  O, oH, oW) output; no two tasks write the same output.
* **input gradient**: the same correlation, of the output gradient zero-padded by
  ``2 - padding`` with the kernel flipped and its channel axes swapped (input pixel
  ``(y, x)`` was read through tap ``(i, j)`` by output pixel ``(y - i + top, x - j +
  left)``).
* **weight gradient** (:func:`weight_grad`): ``dw[o, c, i, j]`` sums ``g[o, q] * x[c, q +
  i * W' + j]`` over the positions, ``g`` the output gradient in wide rows (zeros at the
  junk); each run of :data:`RUN` positions copies its piece of both first. For one tap
  it is a dot product of two rows, and 4 x 4 of them (four output and four input
  channels) share their loads; the input channels left over (a first layer's one or
  three) go two output channels and nine taps at a time, which share the gradient's
  loads instead. The positions are cut into :data:`GROUPS` groups, one task each, whose
  sums are added at the end: a fixed number, so the order of the additions, and the
  result, do not depend on the number of threads.

Junk: the junk of the output is dropped; the output gradient gets zeros there, so junk
adds ``0 * x`` to the weight gradient: nothing, unless ``x`` is an inf or a NaN
(``Conv2dDirect`` checks the small result, and redoes it the plain way if it is not
finite). Float arithmetic is IEEE's: the compiler may fuse multiply-adds and reorder the
sums of the weight gradient (``fastmath={"contract", "reassoc"}``), but not assume that
values are finite.

**Compiling.** numba compiles the kernels the first time they run with a new dtype
(float32 or float64; a few seconds) and keeps the machine code on disk (``cache=True``):
in ``__pycache__`` next to this file, or, where the package directory is read-only (an
installed wheel), in the user's cache directory (``~/.cache/numba``), or in
``NUMBA_CACHE_DIR`` if that is set. Later processes load it in well under a second.
numba is the ``fast`` extra (``pip install minigrad[fast]``): without it,
:data:`AVAILABLE` is false, the CPU convolution is the NumPy one of ``fast/conv.py``, and
these kernels still run, as plain Python loops (for the tests on small arrays).

Example:
    >>> import numpy as np
    >>> from minigrad.fast import direct_conv
    >>> x = np.arange(9, dtype=np.float32).reshape(1, 1, 3, 3)
    >>> kernel = np.zeros((1, 1, 9), np.float32)
    >>> kernel[0, 0, 4] = 1  # the middle tap: each pixel itself
    >>> direct_conv.correlate(x, kernel, (1, 1, 1, 1))[0, 0]
    array([[0., 1., 2.],
           [3., 4., 5.],
           [6., 7., 8.]], dtype=float32)
"""

from __future__ import annotations

import numpy as np

from . import compiled
from .compiled import AVAILABLE, numba, prange, serial_and_parallel

DTYPES = (np.float32, np.float64)
"""The dtypes the kernels are compiled for; other dtypes take the NumPy fast path."""

CHUNK = 1024
"""The most output positions per task of the correlation: four output rows of this
length and the input rows they read fit in a core's L1 cache (32 KiB) in float32."""

RUN = 2048
"""Positions per call of the weight gradient's dot products (eight rows in L2)."""

GROUPS = 8
"""The weight gradient's partial sums, one per group of positions (a fixed number, so
that the result does not depend on how many threads run them)."""

_FLAGS = {"contract", "reassoc"}  # fused multiply-adds and reordered sums; inf and NaN kept


def _four_rows(r0, r1, r2, r3, x, w, wp, n, first=False, e0=0.0, e1=0.0, e2=0.0, e3=0.0):
    """Add to ``n`` positions of the output rows ``r0..r3`` the 3x3 windows of the input
    row ``x`` (wide rows of ``wp`` values) times the kernels ``w[0..3]`` (9 taps each).
    Each shifted input is loaded once for the four rows. With ``first``, the rows are
    not read: the sums start at ``e0..e3`` instead (the bias, for the first input
    channel: no pass of its own to fill the rows; the layers' forward and backward 2-8%
    faster, paired)."""
    t0, t1, t2 = x[0:], x[1:], x[2:]  # the taps of the window's first row,
    t3, t4, t5 = x[wp:], x[wp + 1 :], x[wp + 2 :]  # its second
    t6, t7, t8 = x[2 * wp :], x[2 * wp + 1 :], x[2 * wp + 2 :]  # and its third
    a0, a1, a2, a3, a4, a5, a6, a7, a8 = w[0]  # the four kernels' taps, kept in registers
    b0, b1, b2, b3, b4, b5, b6, b7, b8 = w[1]
    c0, c1, c2, c3, c4, c5, c6, c7, c8 = w[2]
    d0, d1, d2, d3, d4, d5, d6, d7, d8 = w[3]
    for p in range(n):
        v0, v1, v2 = t0[p], t1[p], t2[p]
        v3, v4, v5 = t3[p], t4[p], t5[p]
        v6, v7, v8 = t6[p], t7[p], t8[p]
        r0[p] = (e0 if first else r0[p]) + (
            a0 * v0 + a1 * v1 + a2 * v2 + a3 * v3 + a4 * v4 + a5 * v5 + a6 * v6 + a7 * v7 + a8 * v8
        )
        r1[p] = (e1 if first else r1[p]) + (
            b0 * v0 + b1 * v1 + b2 * v2 + b3 * v3 + b4 * v4 + b5 * v5 + b6 * v6 + b7 * v7 + b8 * v8
        )
        r2[p] = (e2 if first else r2[p]) + (
            c0 * v0 + c1 * v1 + c2 * v2 + c3 * v3 + c4 * v4 + c5 * v5 + c6 * v6 + c7 * v7 + c8 * v8
        )
        r3[p] = (e3 if first else r3[p]) + (
            d0 * v0 + d1 * v1 + d2 * v2 + d3 * v3 + d4 * v4 + d5 * v5 + d6 * v6 + d7 * v7 + d8 * v8
        )


def _fill_rows(x, rows, start, count, top, left, hp, wp):
    """Write into ``rows[c, :count]``, for every channel ``c`` of ``x`` (N, C, H, W), the
    wide-row values at positions ``start .. start + count``: the images zero-padded into
    planes of ``hp`` rows of ``wp`` (``top`` rows above, ``left`` columns on the left),
    and zeros past the last image (the reach of its last taps).

    The wide rows a piece crosses are worked out once, into a small table (where each
    starts in ``rows``, its zeros before, its pixels and where they lie in ``x``, its
    zeros after), then every channel copies by it: one channel after another, so that
    the reads go through ``x`` in order, and with unsigned indices (numba checks a
    signed one for a negative value per element: the short copies would not be
    vectorized). Each value is written once, element by element."""
    images, channels, h, w = x.shape
    src, dst = x.reshape(-1), rows.reshape(-1)
    stride, plane = rows.shape[1], h * w
    stop = start + count
    first_row = start // wp
    n, y = first_row // hp, first_row % hp  # then counted: a division is slow
    table = np.empty(((stop - 1) // wp + 1 - first_row, 5), dtype=np.int64)
    for i in range(table.shape[0]):
        row = first_row + i
        lo, end = max(start, row * wp), min(stop, (row + 1) * wp)
        b0 = b1 = lo
        at = 0
        if n < images and 0 <= y - top < h:  # an image row: its pixels, zeros around
            b0 = min(end, max(lo, row * wp + left))
            b1 = max(b0, min(end, row * wp + left + w))
            at = (n * channels * h + y - top) * w + b0 - row * wp - left
        table[i, 0], table[i, 1], table[i, 2] = lo - start, b0 - lo, b1 - b0
        table[i, 3], table[i, 4] = end - b1, at
        y += 1
        if y == hp:
            n, y = n + 1, 0
    for c in range(channels):
        for i in range(table.shape[0]):
            d = np.uint64(c * stride + table[i, 0])
            for k in range(table[i, 1]):
                dst[d + np.uint64(k)] = 0
            d += np.uint64(table[i, 1])
            s = np.uint64(table[i, 4] + c * plane)
            for k in range(table[i, 2]):
                dst[d + np.uint64(k)] = src[s + np.uint64(k)]
            d += np.uint64(table[i, 2])
            for k in range(table[i, 3]):
                dst[d + np.uint64(k)] = 0


def _correlate_kernel(x, w, bias, out, top, left, hp, wp, chunk):
    """``out`` (N, O, oH, oW) = the correlation of ``x`` (N, C, H, W), read as wide rows
    (planes of ``hp`` rows of ``wp``, ``top`` and ``left`` of padding), with ``w`` (O',
    C, 9), plus ``bias`` (O'), O' >= O a multiple of 4. One task per ``chunk`` positions:
    it copies its piece of the wide rows, then, for four output channels at a time,
    sums into a small buffer that starts at the bias (no pass of its own over the
    output) and copies the positions that are not junk into ``out``."""
    images, channels = x.shape[0], x.shape[1]
    _, outputs, oh, ow = out.shape
    flat = out.reshape(-1)  # (a new array: contiguous)
    blocks, positions = w.shape[0] // 4, images * hp * wp
    reach = 2 * wp + 2  # how far the last position's taps read
    for task in prange((positions + chunk - 1) // chunk):
        start = task * chunk
        stop = min(positions, start + chunk)
        rows = np.empty((channels, chunk + reach + 16), dtype=x.dtype)
        _fill_rows(x, rows, start, stop - start + reach, top, left, hp, wp)
        # Rows 16 floats longer than the chunk: 4096 bytes apart, a row's store and the
        # next row's load would share their low 12 address bits, and the core would
        # stall each load on the store before it ("4K aliasing"; the kernel ran 27%
        # slower).
        acc = np.empty((4, chunk + 16), dtype=out.dtype)
        for block in range(blocks):
            o = block * 4
            # The first input channel's pass starts the sums at the bias. (``first`` is a
            # constant at each call: numba inlines the function and drops the branch; a
            # value known only at run time would keep it in the loop, which then was not
            # vectorized: 4.5x slower.)
            _four_rows(acc[0], acc[1], acc[2], acc[3], rows[0], w[o : o + 4, 0], wp,
                       stop - start, True, bias[o], bias[o + 1], bias[o + 2],
                       bias[o + 3])  # fmt: skip
            for c in range(1, channels):
                _four_rows(acc[0], acc[1], acc[2], acc[3], rows[c], w[o : o + 4, c], wp,
                           stop - start)  # fmt: skip
            first_row = start // wp
            n, y = first_row // hp, first_row % hp  # then counted: a division is slow
            for row in range(first_row, (stop - 1) // wp + 1):  # the wide rows it touched
                first, last = max(start, row * wp), min(stop, row * wp + ow)
                if y < oh:  # (the last rows of a plane are junk)
                    for j in range(min(4, outputs - o)):
                        # Flat, unsigned indices: numba checks a signed one for a negative
                        # value per element (the loop is then not vectorized), and slicing
                        # out each short row costs more than its copy.
                        at = np.uint64(((n * outputs + o + j) * oh + y) * ow + first - row * wp)
                        src, values = np.uint64(first - start), acc[j]
                        for k in range(last - first):
                            flat[at + np.uint64(k)] = values[src + np.uint64(k)]
                y += 1
                if y == hp:
                    n, y = n + 1, 0


def _dots_4x4(acc, g0, g1, g2, g3, x0, x1, x2, x3, n):
    """``acc[j, i] += g_j[:n] . x_i[:n]`` for four gradient rows ``g_j`` and four input
    rows ``x_i``: sixteen dot products that share their loads. (Rows one by one, not
    as a 2-D slice: numba vectorizes only loops over arrays it knows to be contiguous.)"""
    a00, a01, a02, a03 = acc[0, 0], acc[0, 1], acc[0, 2], acc[0, 3]
    a10, a11, a12, a13 = acc[1, 0], acc[1, 1], acc[1, 2], acc[1, 3]
    a20, a21, a22, a23 = acc[2, 0], acc[2, 1], acc[2, 2], acc[2, 3]
    a30, a31, a32, a33 = acc[3, 0], acc[3, 1], acc[3, 2], acc[3, 3]
    for p in range(n):
        h0, h1, h2, h3 = g0[p], g1[p], g2[p], g3[p]
        v0, v1, v2, v3 = x0[p], x1[p], x2[p], x3[p]
        a00, a01, a02, a03 = a00 + h0 * v0, a01 + h0 * v1, a02 + h0 * v2, a03 + h0 * v3
        a10, a11, a12, a13 = a10 + h1 * v0, a11 + h1 * v1, a12 + h1 * v2, a13 + h1 * v3
        a20, a21, a22, a23 = a20 + h2 * v0, a21 + h2 * v1, a22 + h2 * v2, a23 + h2 * v3
        a30, a31, a32, a33 = a30 + h3 * v0, a31 + h3 * v1, a32 + h3 * v2, a33 + h3 * v3
    acc[0, 0], acc[0, 1], acc[0, 2], acc[0, 3] = a00, a01, a02, a03
    acc[1, 0], acc[1, 1], acc[1, 2], acc[1, 3] = a10, a11, a12, a13
    acc[2, 0], acc[2, 1], acc[2, 2], acc[2, 3] = a20, a21, a22, a23
    acc[3, 0], acc[3, 1], acc[3, 2], acc[3, 3] = a30, a31, a32, a33


def _dots_2x9(acc, g0, g1, x, wp, n):
    """``acc[j, t] += g_j[:n] . x[shift(t):][:n]`` for two gradient rows ``g_j`` and the
    nine taps of one input row (``shift(t) = t // 3 * wp + t % 3``): eighteen dot
    products that share the gradient's loads. For the input channels left over after
    the blocks of four (a first layer's one or three): tap by tap, each dot product
    would load a gradient value for every multiply-add, and read the gradient rows from
    the L2 cache nine times (the 1->32 layer's weight gradient ran 4x slower)."""
    t0, t1, t2 = x[0:], x[1:], x[2:]
    t3, t4, t5 = x[wp:], x[wp + 1 :], x[wp + 2 :]
    t6, t7, t8 = x[2 * wp :], x[2 * wp + 1 :], x[2 * wp + 2 :]
    a0, a1, a2, a3, a4, a5, a6, a7, a8 = acc[0]
    b0, b1, b2, b3, b4, b5, b6, b7, b8 = acc[1]
    for p in range(n):
        h, k = g0[p], g1[p]
        v0, v1, v2 = t0[p], t1[p], t2[p]
        v3, v4, v5 = t3[p], t4[p], t5[p]
        v6, v7, v8 = t6[p], t7[p], t8[p]
        a0, a1, a2, a3, a4 = a0 + h * v0, a1 + h * v1, a2 + h * v2, a3 + h * v3, a4 + h * v4
        a5, a6, a7, a8 = a5 + h * v5, a6 + h * v6, a7 + h * v7, a8 + h * v8
        b0, b1, b2, b3, b4 = b0 + k * v0, b1 + k * v1, b2 + k * v2, b3 + k * v3, b4 + k * v4
        b5, b6, b7, b8 = b5 + k * v5, b6 + k * v6, b7 + k * v7, b8 + k * v8
    acc[0, 0], acc[0, 1], acc[0, 2], acc[0, 3], acc[0, 4] = a0, a1, a2, a3, a4
    acc[0, 5], acc[0, 6], acc[0, 7], acc[0, 8] = a5, a6, a7, a8
    acc[1, 0], acc[1, 1], acc[1, 2], acc[1, 3], acc[1, 4] = b0, b1, b2, b3, b4
    acc[1, 5], acc[1, 6], acc[1, 7], acc[1, 8] = b5, b6, b7, b8


def _run_dots(pk, g, q, x, start, m, wp):
    """Add to ``pk`` (O, C, 9) the products of one run of ``m`` positions: for each tap
    ``t``, the rows ``g[o, q:q + m]`` dotted with ``x[c, start + shift(t):]``, in 4 x 4
    blocks of (output, input) channels, then the input channels left over, nine taps at
    a time (:func:`_dots_2x9`). O is a multiple of 4."""
    channels, outputs = x.shape[0], pk.shape[0]
    full = channels - channels % 4  # input channels in blocks of four
    for t in range(9 if full else 0):
        shift = start + t // 3 * wp + t % 3
        for o in range(0, outputs, 4):
            g0, g1, g2, g3 = g[o, q:], g[o + 1, q:], g[o + 2, q:], g[o + 3, q:]
            for c in range(0, full, 4):
                _dots_4x4(
                    pk[o : o + 4, c : c + 4, t], g0, g1, g2, g3,
                    x[c, shift:], x[c + 1, shift:], x[c + 2, shift:], x[c + 3, shift:], m,
                )  # fmt: skip
    for o in range(0, outputs, 2):
        for c in range(full, channels):
            _dots_2x9(pk[o : o + 2, c], g[o, q:], g[o + 1, q:], x[c, start:], wp, m)


def _weight_grad_kernel(x, grad, top, left, hp, wp, part, bias_part):
    """``part[k, o, c, t]`` = the sum, over the positions ``q`` of group ``k``, of
    ``g[o, q] * x[c, q + shift(t)]``: ``x`` (N, C, H, W) read as wide rows (as in
    :func:`_correlate_kernel`), ``g`` the output gradient ``grad`` (N, O, oH, oW) in the
    same wide rows, zeros at the junk. One task per group, in runs of :data:`RUN`
    positions; each run first copies its piece of both (:func:`_fill_rows`) into rows
    of its own, which stay in the core's cache. Unless ``bias_part`` is (groups, 0),
    ``bias_part[k, o]`` = the sum of ``g[o, q]`` over the group's positions: the bias
    gradient, from the rows in cache (no pass of its own over the gradient)."""
    images, channels = x.shape[0], x.shape[1]
    positions = images * hp * wp
    groups, blocks = part.shape[0], part.shape[1]
    outputs, reach = grad.shape[1], 2 * wp + 2
    for k in prange(groups):
        # Rows 16 floats longer than RUN, as the correlation's (4K aliasing).
        g = np.empty((blocks, RUN + 16), dtype=grad.dtype)
        for o in range(outputs, blocks):  # the zero kernels' rows (O rounded up to 4)
            row = g[o]
            for j in range(RUN + 16):
                row[j] = 0
        rows = np.empty((channels, RUN + reach + 16), dtype=x.dtype)
        first, last = k * positions // groups, (k + 1) * positions // groups
        for start in range(first, last, RUN):
            m = min(last, start + RUN) - start
            # The gradient's piece (y >= oH or x >= oW: junk, zeros), then the input's,
            # from one call site: the inlined copy is compiled once (2 s less).
            for source, target, count, t, l in ((grad, g, m, 0, 0),
                                                (x, rows, m + reach, top, left)):  # fmt: skip
                _fill_rows(source, target, start, count, t, l, hp, wp)
            _run_dots(part[k], g, 0, rows, 0, m, wp)
            for o in range(bias_part.shape[1]):
                row, total = g[o], bias_part[k, o]
                for j in range(m):
                    total += row[j]
                bias_part[k, o] = total


if AVAILABLE:
    _four_rows = numba.njit(cache=True, fastmath=_FLAGS, inline="always")(_four_rows)
    _dots_4x4 = numba.njit(cache=True, fastmath=_FLAGS, inline="always")(_dots_4x4)
    _dots_2x9 = numba.njit(cache=True, fastmath=_FLAGS, inline="always")(_dots_2x9)
    # Called, not inlined: a call does a whole run's work, and the parallel kernel around
    # it compiles in 4 s instead of 7 (the same speed, paired).
    _run_dots = numba.njit(cache=True, fastmath=_FLAGS)(_run_dots)
    _fill_rows = numba.njit(cache=True, inline="always")(_fill_rows)

# On every core, and on one (in a forked child: compiled.PARALLEL)
_correlate_serial, _correlate_kernel = serial_and_parallel(_correlate_kernel, fastmath=_FLAGS)
_weight_grad_serial, _weight_grad_kernel = serial_and_parallel(_weight_grad_kernel,
                                                               fastmath=_FLAGS)  # fmt: skip


def shared_pads(pads):
    """The padding of the wide rows (:func:`wide_rows`) for a 3x3 convolution padded by ``pads``
    = (top, bottom, left, right): the rows below an image need not be zeros of its own
    when the next plane's top rows are zeros (likewise the columns on the right and the
    next row's left ones), so ``bottom`` becomes ``max(0, bottom - top)`` and ``right``
    ``max(0, right - left)``. The correlation reads the same zeros, and fewer of its
    positions are junk: a "same" convolution at 14x14 computes 15 x 15 positions per
    image instead of 16 x 16.

    Example:
        >>> from minigrad.fast.direct_conv import shared_pads
        >>> shared_pads((1, 1, 1, 1)), shared_pads((0, 2, 1, 0))
        ((1, 0, 1, 0), (0, 2, 1, 0))
    """
    top, bottom, left, right = pads
    return top, max(0, bottom - top), left, max(0, right - left)


def wide_rows(x, pads):
    """The (C, N * H' * W' + margin) wide rows of the (N, C, H, W) array ``x`` (planes
    of H' x W', zero-padded by ``pads`` = (top, bottom, left, right), flattened one
    after the other per channel, then ``2 * W' + 2`` zeros, the reach of the last
    positions' taps), built with NumPy: what the kernels read, which each of their tasks
    copies a piece of (:func:`_fill_rows`), for the tests and for a reader to look at.

    Example:
        >>> import numpy as np
        >>> from minigrad.fast.direct_conv import wide_rows
        >>> rows = wide_rows(np.ones((2, 1, 1, 1), np.float32), (0, 1, 1, 0))
        >>> rows.shape  # two planes of 2 x 2, then 2 * 2 + 2 zeros
        (1, 14)
        >>> rows[0, :8].reshape(2, 2, 2)  # a zero column on the left, a zero row below
        array([[[0., 1.],
                [0., 0.]],
        <BLANKLINE>
               [[0., 1.],
                [0., 0.]]], dtype=float32)
    """
    n, c, h, w = x.shape
    top, bottom, left, right = pads
    hp, wp = h + top + bottom, w + left + right
    rows = np.zeros((c, n * hp * wp + 2 * wp + 2), dtype=x.dtype)
    planes = rows[:, : n * hp * wp].reshape(c, n, hp, wp)
    planes[:, :, top : top + h, left : left + w] = x.transpose(1, 0, 2, 3)
    return rows


def _check(caller, x, pads, w=None, grad=None):
    """The shapes the kernels assume, checked before they run (they check no bounds: a
    wrong array would be overrun): ``x`` 4-D, ``pads`` four values from 0 to 2 that
    leave an output, the kernels ``w`` (O, C, 9) with the input's C and dtype, ``grad``
    the output's shape and the input's dtype."""
    if x.ndim != 4 or len(pads) != 4 or not all(0 <= p <= 2 for p in pads):
        raise ValueError(f"{caller}: expected a 4-D input and four paddings from 0 to 2, "
                         f"got shape {x.shape} and pads {tuple(pads)}")  # fmt: skip
    n, c, h, width = x.shape
    out_hw = (h + pads[0] + pads[1] - 2, width + pads[2] + pads[3] - 2)
    if min(out_hw) <= 0:
        raise ValueError(f"{caller}: input {x.shape} padded by {tuple(pads)} is smaller "
                         "than the 3x3 kernel")  # fmt: skip
    if w is not None and (w.ndim != 3 or w.shape[1:] != (c, 9) or w.dtype != x.dtype):
        raise ValueError(f"{caller}: expected {x.dtype} kernels of shape (O, {c}, 9) for "
                         f"input {x.shape}, got {w.dtype} {w.shape}")  # fmt: skip
    if grad is not None and (grad.ndim != 4 or grad.shape[0] != n
                             or grad.shape[2:] != out_hw or grad.dtype != x.dtype):  # fmt: skip
        raise ValueError(
            f"{caller}: expected a {x.dtype} gradient of shape ({n}, O, "
            f"{out_hw[0]}, {out_hw[1]}), got {grad.dtype} {grad.shape}"
        )


def _chunk(positions: int) -> int:
    """The correlation's positions per task: at most :data:`CHUNK`, a multiple of 16 (a
    vector), and as even a split of the batch between the threads as that allows (29
    chunks on 2 threads would keep one of them busy 7% longer than 30)."""
    threads = numba.get_num_threads() if AVAILABLE else 1
    tasks = threads * max(1, -(-positions // (threads * CHUNK)))  # a multiple of the threads
    per_task = -(-positions // tasks)
    return max(16, (per_task + 15) // 16 * 16)


def correlate(x, w, pads, bias=None):
    """The correlation of ``x`` (N, C, H, W), zero-padded by ``pads`` = (top, bottom,
    left, right), each at most 2, with the 3x3 kernels ``w`` (O, C, 9), plus ``bias``
    (O) if given: a new (N, O, H + top + bottom - 2, W + left + right - 2) array.
    Compiled with numba, else plain Python.

    Example:
        >>> import numpy as np
        >>> from minigrad.fast.direct_conv import correlate
        >>> correlate(np.ones((1, 1, 2, 2), np.float32), np.ones((1, 1, 9), np.float32),
        ...           (1, 1, 1, 1))
        array([[[[4., 4.],
                 [4., 4.]]]], dtype=float32)
    """
    _check("correlate", x, pads, w=w)
    n, _, h, width = x.shape
    o = w.shape[0]
    top, bottom, left, right = shared_pads(pads)
    hp, wp = h + top + bottom, width + left + right
    out = np.empty((n, o, h + pads[0] + pads[1] - 2, width + pads[2] + pads[3] - 2), x.dtype)
    blocks = -(-o // 4) * 4
    if blocks != o:  # the kernel runs four output channels at a time: add zero kernels
        w = np.concatenate([w, np.zeros((blocks - o, *w.shape[1:]), w.dtype)])
    padded_bias = np.zeros(blocks, dtype=x.dtype)
    if bias is not None:
        padded_bias[:o] = bias
    if x.shape[1] == 0:  # no input channel to start the sums: the output is the bias
        out[...] = padded_bias[:o, None, None]
        return out
    with compiled.one_at_a_time:
        kernel = _correlate_kernel if compiled.PARALLEL else _correlate_serial
        kernel(np.ascontiguousarray(x), np.ascontiguousarray(w), padded_bias, out,
               top, left, hp, wp, _chunk(n * hp * wp))  # fmt: skip
    return out


def weight_grad(x, grad, pads, bias=False):
    """The (O, C, 9) weight gradient of :func:`correlate` of ``x`` (N, C, H, W) padded
    by ``pads``, from ``grad`` (N, O, oH, oW), the gradient of its output; with ``bias``,
    also the bias gradient (O,), summed as the kernel goes: a pair of arrays then.

    Example:
        >>> import numpy as np
        >>> from minigrad.fast.direct_conv import weight_grad
        >>> x, grad = np.ones((1, 1, 2, 2), np.float32), np.ones((1, 1, 2, 2), np.float32)
        >>> weight_grad(x, grad, (1, 1, 1, 1)).reshape(3, 3)  # how many pixels each tap saw
        array([[1., 2., 1.],
               [2., 4., 2.],
               [1., 2., 1.]], dtype=float32)
        >>> weight_grad(x, grad, (1, 1, 1, 1), bias=True)[1]  # four output pixels
        array([4.], dtype=float32)
    """
    _check("weight_grad", x, pads, grad=grad)
    c, o = x.shape[1], grad.shape[1]
    top, bottom, left, right = shared_pads(pads)
    hp, wp = x.shape[2] + top + bottom, x.shape[3] + left + right
    part = np.zeros((GROUPS, -(-o // 4) * 4, c, 9), dtype=grad.dtype)
    bias_part = np.zeros((GROUPS, o if bias else 0), dtype=grad.dtype)
    with compiled.one_at_a_time:
        kernel = _weight_grad_kernel if compiled.PARALLEL else _weight_grad_serial
        kernel(np.ascontiguousarray(x), np.ascontiguousarray(grad), top, left, hp, wp, part,
               bias_part)  # fmt: skip
    gw = part.sum(axis=0)[:o]
    return (gw, bias_part.sum(axis=0)) if bias else gw
