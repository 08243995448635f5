"""Convolution and pooling over images: 2-D windows slid across (N, C, H, W) arrays.

**Output size.** A window of ``k`` taps spaced ``d`` apart (the dilation) covers
``d * (k - 1) + 1`` pixels, its *effective* size. Sliding it with step ``s`` (the stride) over
a row of ``size`` pixels padded by ``p_before`` and ``p_after`` gives

    out = floor((size + p_before + p_after - d * (k - 1) - 1) / s) + 1

windows; output pixel ``o`` looks at padded positions ``o * s + j * d`` for taps
``j = 0 .. k - 1``. Pooling may round up instead (``ceil_mode``, see :func:`pool_out_size`).

**im2col.** A convolution is a dot product between the kernel and every window. Copy every
window into a column of one matrix, the *columns* (``C * kH * kW`` rows, one column per
output pixel), and the whole convolution becomes one matrix product: kernels (``O`` rows of
``C * kH * kW``) times columns. No copy is needed to *see* the windows: a strided view
(``as_strided``) with one axis per kernel tap and one per output pixel reads the same memory
many times. One copy then lays the windows out in the order the matrix product wants, and
the product runs at BLAS speed (cuBLAS on a GPU).

**col2im.** The gradient of a copy is a sum: an input pixel that appears in several windows
gets the gradients of all those column entries. NumPy's ``add.at`` can scatter-add them, but
it is slow (it handles every element separately). Instead, notice that for one fixed kernel
tap ``(i, j)`` the positions the windows read, ``(oh * sH + i * dH, ow * sW + j * dW)``, are
all *different*: they form one strided slice of the padded input. So a loop over the
``kH * kW`` taps, each adding a whole (N, C, oH, oW) block into a strided slice, does the
scatter with ordinary vectorised additions. Pooling's backward passes do the same.

**Chunks.** The columns are ``kH * kW`` times the input, so ``Conv2d`` builds them a few
images at a time (see its docstring): memory stays small, and the copies stay in cache.

Everything here takes arrays in (N, C, H, W) layout and explicit parameters (pairs of ints,
already checked by ``nn/convolution.py``), and uses only functions that NumPy and CuPy share.
"""

from __future__ import annotations

import math

import numpy as np  # host-side only: the smallest integer of a dtype, for max-pool padding

from ..autograd import Function
from ..backend import quiet

# ----------------------------------------------------------------------------------------
# Geometry helpers (plain Python ints)
# ----------------------------------------------------------------------------------------


def conv_out_size(size: int, kernel: int, stride: int, pad_total: int, dilation: int) -> int:
    """Output length of a convolution along one dimension (may be <= 0 for bad arguments)."""
    return (size + pad_total - dilation * (kernel - 1) - 1) // stride + 1


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


def _taps(offset: int, stride: int, count: int) -> slice:
    """The padded positions that one kernel tap reads across ``count`` output pixels:
    ``offset, offset + stride, ..., offset + stride * (count - 1)``."""
    return slice(offset, offset + stride * (count - 1) + 1, stride)


def _pad(xp, x, pads: tuple[int, int, int, int], value):
    """``x`` with (top, bottom, left, right) rows and columns of ``value`` around H and W."""
    if not any(pads):
        return x
    top, bottom, left, right = pads
    n, c, h, w = x.shape
    out = xp.full((n, c, h + top + bottom, w + left + right), value, dtype=x.dtype)
    out[:, :, top : top + h, left : left + w] = x
    return out


def _crop(grad_padded, pads: tuple[int, int, int, int], h: int, w: int):
    """The part of a padded gradient that belongs to the input (drop the padding's share)."""
    top, _, left, _ = pads
    return grad_padded[:, :, top : top + h, left : left + w]


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
# Convolution
# ----------------------------------------------------------------------------------------


class Conv2d(Function):
    """2-D cross-correlation (what deep learning calls convolution), as im2col + matmul.

    ``x`` is (N, C, H, W); ``weight`` is (O, C / groups, kH, kW); ``bias`` is (O,) or None.
    ``padding`` is (top, bottom, left, right); ``stride`` and ``dilation`` are (h, w) pairs.

    With groups, the C input channels and O output channels are cut into ``groups`` equal
    slices, and output slice ``g`` sees only input slice ``g``. The columns get a group
    axis, and the weight of group ``g`` multiplies only the columns of group ``g``.

    **Layout.** The columns of a chunk of n images are (groups, Cg*kH*kW, n*oH*row): taps
    first, then images, then output pixels. Then ``weight @ columns`` is one large matrix
    product per group, and its (O, n, oH, row) result is transposed to (n, O, oH, oW) by
    the copy that also drops the junk columns (below).

    **Wide rows (a fast path for stride 1 along W).** ``row`` is normally oW. But when the
    windows of one output row start at consecutive pixels (stride 1 along W), give each
    output row ``row = W + left + right`` columns, as many as a padded input row, the last
    few of which are junk (windows that wrap around into the next row). Then one tap reads
    ``oH * row`` *consecutive* pixels of the padded plane, and the im2col copy and the
    col2im additions run over long contiguous runs instead of rows of oW pixels: several
    times faster on the CPU, for a few percent more columns. The junk is dropped from the
    output, and gets zero gradient. (One extra padded row at the bottom keeps the last
    tap's junk inside the array.) ``tests/test_conv.py`` checks both layouts against
    a direct loop, finite differences and PyTorch.

    **Memory.** The columns are kH*kW times the input (115 MB for 32 channels of 28x28 at
    batch 128), so they are never built for the whole batch, nor kept for backward.
    The batch is cut into chunks of images whose columns fit in ``device.workspace_bytes``
    (16 MiB on the CPU, which stays in the L3 cache; with few input channels the
    product is the larger array, and it is what must fit): forward builds each chunk's
    columns, multiplies and drops them; backward builds them again from the saved input.
    Rebuilding costs one copy per chunk, and saves both the memory and the trips to main
    memory that a full-size column matrix would cost. A small input is a single chunk: one
    im2col and one matmul, the textbook algorithm.

    **Two backward paths.** The plain one rebuilds the input's columns for the weight
    gradient and scatters ``W^T @ grad`` onto the input (col2im) for the input gradient.
    A "same" convolution (stride 1, padding (k - 1) / 2) with no more outputs than inputs,
    the usual middle layer of a CNN, takes a cheaper one on the CPU: it builds the columns
    of the output gradient, and two products give both gradients, with no col2im (see
    :meth:`_backward_from_gradient_columns`; for 32->32 channels of 28x28 at batch 128,
    forward and backward together take 95 instead of 116 ms on the 2-core CI machine).
    """

    def forward(self, x, weight, bias, stride, padding, dilation, groups):
        n, _, h, w = x.shape
        o, cg, kh, kw = weight.shape
        (sh, sw), (dh, dw) = stride, dilation
        top, bottom, left, right = padding
        oh = conv_out_size(h, kh, sh, top + bottom, dh)
        ow = conv_out_size(w, kw, sw, left + right, dw)
        self.input_shape, self.weight_shape, self.out_hw = x.shape, weight.shape, (oh, ow)
        self.stride, self.dilation, self.groups = stride, dilation, groups
        self.itemsize = x.dtype.itemsize
        self.row = w + left + right if sw == 1 else ow  # columns per output row (see above)
        self.fused = self.device.fused
        if self.fused is not None:  # a GPU gathers the columns directly: no junk needed
            self.row = ow
        extra = 1 if self.row != ow else 0  # room for the last tap's junk
        self.same_padding = (
            stride == (1, 1) and dilation == (1, 1) and groups == 1
            and padding == ((kh - 1) // 2,) * 2 + ((kw - 1) // 2,) * 2
            and kh % 2 == 1 and kw % 2 == 1
        )  # fmt: skip
        self.padding = (top, bottom + extra, left, right)

        kernels = weight.reshape(groups, o // groups, cg * kh * kw)  # one matrix per group
        result = self.xp.empty((n, o, oh, ow), dtype=weight.dtype)
        scratch = _Scratch(self.xp, x.dtype)
        # The columns, or the product where there are few input channels, must fit.
        for chunk in self._chunks(max(x.shape[1] * kh * kw, o) * oh * self.row):
            cols = self._im2col(x[chunk], scratch)
            # (g, Og, K) @ (g, K, n*P) -> (g, Og, n*P): the chunk's output, junk included.
            shape = (groups, o // groups, cols.shape[-1])
            with quiet(self.xp):  # inf times zero is NaN: PyTorch returns it silently too
                out = self.xp.matmul(kernels, cols, out=scratch.get("out", shape))
            result[chunk] = out.reshape(o, -1, oh, self.row).transpose(1, 0, 2, 3)[..., :ow]
        if bias is not None:
            result += bias.reshape(o, 1, 1)

        # Backward needs the input to rebuild the columns (for the weight gradient) and the
        # weight (for the input gradient); keep each only if its gradient is wanted.
        need_x, need_w = self.needs_input_grad[:2]
        self.save(x if need_w else None, weight if need_x else None)
        return result

    def backward(self, grad):
        x, weight = self.saved
        need_x, need_w, need_b = self.needs_input_grad
        gb = grad.sum(axis=(0, 2, 3)) if need_b else None
        if need_x and self._gradient_columns_pay(weight):
            gx, gw = self._backward_from_gradient_columns(x, weight, grad, need_w)
            if need_w and not bool(self.xp.isfinite(gw).all()):
                # An inf or a NaN met a zero of the padding (see the docstring of
                # _backward_from_gradient_columns): redo the weight gradient the plain
                # way, which keeps inf where PyTorch has inf.
                _, gw = self._backward_from_input_columns(x, weight, grad, False, True)
        else:
            gx, gw = self._backward_from_input_columns(x, weight, grad, need_x, need_w)
        return gx, gw, gb

    def _backward_from_input_columns(self, x, weight, grad, need_x, need_w):
        """The plain backward pass: per chunk, rebuild the columns of the input for the
        weight gradient, and scatter ``W^T @ grad`` back onto the input pixels (col2im)."""
        xp, groups = self.xp, self.groups
        o, cg, kh, kw = self.weight_shape
        gx = gw = None
        if need_w:
            gw = xp.zeros((groups, o // groups, cg * kh * kw), dtype=grad.dtype)
        if need_x:
            gx = xp.empty(self.input_shape, dtype=grad.dtype)
            kernels_t = weight.reshape(groups, o // groups, -1).transpose(0, 2, 1)
            # A junk column of the input gradient is W^T @ 0: zero unless W holds an inf
            # or a NaN (a check on the small weight, not a pass over the columns).
            junk_is_zero = self.row == self.out_hw[1] or bool(xp.isfinite(weight).all())
        scratch = _Scratch(xp, grad.dtype)
        per_image = max(cg * groups * kh * kw, o) * self.out_hw[0] * self.row
        for chunk in self._chunks(per_image) if need_x or need_w else ():
            gout = self._widen(grad[chunk], scratch)  # (g, Og, n*P), as the forward product
            with quiet(xp):  # inf times zero is NaN: PyTorch returns it silently too
                if need_w:  # d(W @ cols)/dW = gout @ cols^T, summed over the chunk's pixels
                    gw += self._weight_grad(gout, self._im2col(x[chunk], scratch))
                if need_x:  # d(W @ cols)/dcols = W^T @ gout, then col2im adds it per pixel
                    shape = (groups, cg * kh * kw, gout.shape[-1])
                    gcols = xp.matmul(kernels_t, gout, out=scratch.get("cols", shape))
                    if not junk_is_zero:
                        self._zero_junk(gcols)
                    gx[chunk] = self._col2im(gcols, scratch)
        if need_w:
            gw = gw.reshape(self.weight_shape)
        return gx, gw

    def _gradient_columns_pay(self, weight) -> bool:
        """Whether :meth:`_backward_from_gradient_columns` applies and is the cheaper path:
        a "same" convolution (stride 1, no dilation, one group, padding (k - 1) / 2 on
        every side) on the CPU, whose gradient columns (kH*kW*O rows) are no larger than
        the input columns (kH*kW*C rows) they replace, and a finite weight (an inf would
        meet the zeros around the gradient: inf * 0 is NaN)."""
        o, c, _, _ = self.weight_shape
        return (
            self.same_padding
            and self.fused is None  # a GPU gathers and scatters columns in one kernel each
            and o <= c
            and bool(self.xp.isfinite(weight).all())
        )

    def _backward_from_gradient_columns(self, x, weight, grad, need_w):
        """The backward pass of a "same" convolution, from the columns of the *gradient*.

        **The input gradient is a convolution too.** Input pixel (y, x) was read by output
        pixel (y - i + p, x - j + p) through tap (i, j). So its gradient sums, over taps,
        the output gradient at those pixels times W[o, c, i, j]: that is a "same"
        convolution of the output gradient (zero-padded by p) with the kernel flipped
        (tap (i, j) becomes (kH-1-i, kW-1-j)) and its channel axes swapped (O in, C out).
        So build the columns of the padded gradient, ``cols`` (kH*kW*O rows), and one
        product with the flipped kernel gives the input gradient: no col2im scatter.

        **The same columns give the weight gradient.** ``dW[o, c, i, j]`` sums
        ``x_padded[c, q] * grad_padded[o, q - (i - p, j - p)]`` over positions ``q``; the
        second factor is row (flipped tap, o) of ``cols``, so ``cols @ x_padded^T`` holds
        the whole weight gradient, with the taps flipped. The input's columns are never
        built in backward.

        **Layout.** Both padded planes are stored channel-major, (channels, n, H', W'),
        and each channel's n planes read as one long row of ``n*H'*W'`` positions ``q``.
        A tap is then a shift of that row by ``(i - p) * W' + (j - p)`` positions, so the
        columns are kH*kW*O contiguous copies. Positions on a plane's border are junk:
        their input-gradient values are dropped, and the input is zero there, so they add
        nothing to the weight gradient (unless an inf or a NaN is about: backward checks).
        A margin of zeros before and after the gradient's row keeps every shift inside it.
        """
        xp = self.xp
        _, c, h, w = self.input_shape
        o, _, kh, kw = self.weight_shape
        ph, pw = (kh - 1) // 2, (kw - 1) // 2
        hp, wp = h + 2 * ph, w + 2 * pw  # the padded plane
        margin = ph * wp + pw  # the largest shift, either way
        rows = kh * kw * o
        # The flipped kernel with its channel axes swapped, as a (C, kH*kW*O) matrix.
        flipped = weight[:, :, ::-1, ::-1].transpose(1, 2, 3, 0).reshape(c, rows)
        chunks = self._chunks(rows * hp * wp)
        step = chunks[0].stop if chunks else 0  # images in the first (largest) chunk
        scratch = _Scratch(xp, grad.dtype)
        # Borders and margins are zeroed once; every chunk writes only the interiors.
        grad_rows = scratch.get("gradient", (o, margin + step * hp * wp + margin), zero_new=True)
        if need_w:
            x_planes = scratch.get("padded", (c, step, hp, wp), zero_new=True)
            dw = xp.zeros((rows, c), dtype=grad.dtype)
        gx = xp.empty(self.input_shape, dtype=grad.dtype)
        for chunk in chunks:
            m = chunk.stop - chunk.start
            size = m * hp * wp  # positions q in this chunk
            planes = grad_rows[:, margin : margin + size].reshape(o, m, hp, wp)
            planes[:, :, ph : ph + h, pw : pw + w] = grad[chunk].transpose(1, 0, 2, 3)
            s_o, s_q = grad_rows.strides
            shifted = xp.lib.stride_tricks.as_strided(  # tap (i, j) starts i*W' + j further
                grad_rows, shape=(kh, kw, o, size), strides=(wp * s_q, s_q, s_o, s_q)
            )
            cols = scratch.get("cols", shifted.shape)
            cols[...] = shifted
            cols = cols.reshape(rows, size)
            with quiet(xp):
                dx = xp.matmul(flipped, cols, out=scratch.get("product", (c, size)))
                gx[chunk] = dx.reshape(c, m, hp, wp)[:, :, ph : ph + h, pw : pw + w].transpose(
                    1, 0, 2, 3
                )
                if need_w:
                    inputs = x_planes[:, :m]
                    inputs[:, :, ph : ph + h, pw : pw + w] = x[chunk].transpose(1, 0, 2, 3)
                    # cols @ inputs^T, not inputs @ cols^T: the same sums, but OpenBLAS
                    # runs this orientation 15-25% faster (0.57 against 0.75 ms for
                    # 288x3600 times 3600x32 on the 2-core CI machine)
                    dw += cols @ inputs.reshape(c, size).T
        if not need_w:
            return gx, None
        # (kH, kW, O, C) with flipped taps -> (O, C, kH, kW)
        dw = dw.reshape(kh, kw, o, c)[::-1, ::-1].transpose(2, 3, 0, 1)
        return gx, xp.ascontiguousarray(dw)

    def _weight_grad(self, gout, cols):
        """``gout @ cols^T``: one chunk's share of the weight gradient.

        The junk columns of ``gout`` are zero, so the junk columns of ``cols`` add
        ``value * 0 = 0`` to every sum, unless a value is an inf or a NaN (``inf * 0`` is
        NaN). Rather than zero the junk in every chunk's columns (a strided write that
        touches all of their memory), check the small result: if it is finite, no junk
        value was, and the sums are exactly those without junk. Otherwise zero the junk
        and multiply again (rare: it takes an inf or a NaN in the input).
        """
        part = self.xp.matmul(gout, cols.transpose(0, 2, 1))
        if self.row != self.out_hw[1] and not bool(self.xp.isfinite(part).all()):
            part = self.xp.matmul(gout, self._zero_junk(cols).transpose(0, 2, 1))
        return part

    def _chunks(self, per_image: int):
        """Slices of the batch whose work arrays, ``per_image`` elements per image, fit in
        the device's workspace."""
        n = self.input_shape[0]
        step = max(1, self.device.workspace_bytes // (per_image * self.itemsize))
        return [slice(start, min(start + step, n)) for start in range(0, n, step)]

    def _padded(self, n, scratch, name, zero):
        """An (n, C, H', W') work array: the input plane with its padding.

        ``zero="once"`` zeroes it when it is allocated, for a caller that writes only the
        interior: the border then stays zero for every chunk (a smaller last chunk is a
        prefix of the same memory, with its borders in the same places).
        ``zero="always"`` zeroes all of it on every call, for a caller that adds into it.
        """
        _, c, h, w = self.input_shape
        top, bottom, left, right = self.padding
        shape = (n, c, h + top + bottom, w + left + right)
        return scratch.get(name, shape, zero=zero == "always", zero_new=zero == "once")

    def _widen(self, grad, scratch):
        """An (n, O, oH, oW) output gradient in the product's layout, (groups, Og, n*oH*row),
        with zeros for the junk columns (written once: only the other columns change)."""
        n, o, oh, ow = grad.shape
        wide = scratch.get("wide", (o, n, oh, self.row), zero_new=self.row != ow)
        wide[..., :ow] = grad.transpose(1, 0, 2, 3)
        return wide.reshape(self.groups, o // self.groups, n * oh * self.row)

    def _tap_views(self, padded):
        """A view of a padded (n, C, H', W') array with shape (n, C, kH, kW, oH, row): the
        pixels each kernel tap (i, j) reads for every output pixel (and junk column). With
        wide rows the last two axes are merged into one (oH*row) run, which NumPy's copy
        and add loops do not discover on their own."""
        _, _, kh, kw = self.weight_shape
        (oh, _), (sh, sw), (dh, dw) = self.out_hw, self.stride, self.dilation
        s_n, s_c, s_h, s_w = padded.strides
        if sh * s_h == self.row * sw * s_w:  # (oH, row) is one evenly spaced run of pixels
            pixels, pixel_strides = (oh * self.row,), (sw * s_w,)  # NumPy copies runs fast
        else:
            pixels, pixel_strides = (oh, self.row), (sh * s_h, sw * s_w)
        return self.xp.lib.stride_tricks.as_strided(
            padded,
            shape=(padded.shape[0], padded.shape[1], kh, kw, *pixels),
            strides=(s_n, s_c, dh * s_h, dw * s_w, *pixel_strides),
        )

    def _im2col(self, x, scratch):
        """The (groups, Cg*kH*kW, n*oH*row) columns of the n images ``x`` (n, C, H, W)."""
        n, _, h, w = x.shape
        _, cg, kh, kw = self.weight_shape
        top, _, left, _ = self.padding
        if self.fused is not None:  # a GPU: one gather kernel (cuda_kernels.im2col)
            cols = scratch.get("cols", (self.groups, cg * kh * kw, n * math.prod(self.out_hw)))
            return self.fused.im2col(x, (kh, kw), self.stride, (top, left), self.dilation,
                                     self.out_hw, cols)  # fmt: skip
        padded = x
        if any(self.padding):
            padded = self._padded(n, scratch, "padded", zero="once")
            padded[:, :, top : top + h, left : left + w] = x
        windows = self._tap_views(padded)  # (n, C, kH, kW, pixels...)
        # The one copy that lays the windows out as columns: channel and tap first.
        windows = windows.transpose(1, 2, 3, 0, *range(4, windows.ndim))
        cols = scratch.get("cols", windows.shape)
        cols[...] = windows
        # With wide rows, the junk columns hold pixels of other windows: harmless in the
        # forward product (the junk outputs are dropped), and see _weight_grad for backward.
        return cols.reshape(self.groups, cg * kh * kw, -1)

    def _zero_junk(self, cols):
        """Zero the junk columns of wide rows. They read or receive values that belong to
        other pixels; zero, they add nothing, even next to an inf or a NaN (0 * inf is NaN,
        but 0 * 0 is 0). Only needed when an inf or a NaN is about (see backward)."""
        if self.row != self.out_hw[1]:
            cols.reshape(*cols.shape[:-1], -1, self.row)[..., self.out_hw[1] :] = 0
        return cols

    def _col2im(self, gcols, scratch):
        """Sum a (groups, Cg*kH*kW, n*oH*row) column gradient into (n, C, H, W).

        For each kernel tap (i, j), the column entries of that tap came from one strided
        slice of the padded input, with no position repeated; so one vectorised ``+=`` per
        tap adds them all (see the module docstring).
        """
        _, c, h, w = self.input_shape
        _, _, kh, kw = self.weight_shape
        n = gcols.size // (c * kh * kw * self.out_hw[0] * self.row)
        if self.fused is not None:  # a GPU: one kernel, a thread per input pixel
            top, _, left, _ = self.padding
            return self.fused.col2im(gcols, (n, c, h, w), (kh, kw), self.stride, (top, left),
                                     self.dilation, self.out_hw)  # fmt: skip
        padded = self._padded(n, scratch, "gradient", zero="always")
        taps = self._tap_views(padded)  # (n, C, kH, kW, pixels...)
        gcols = gcols.reshape(c, kh, kw, *taps.shape[:1], *taps.shape[4:])
        for i in range(kh):
            for j in range(kw):
                taps[:, :, i, j] += gcols[:, i, j].swapaxes(0, 1)
        return _crop(padded, self.padding, h, w)


class _Scratch:
    """Work arrays reused by every chunk of one forward or backward pass.

    ``get(name, shape)`` hands out the same memory each time it is asked for ``name``
    (the first chunk is the largest, so it is allocated once). A fresh multi-MiB array per
    chunk would be cheap to allocate but costly to use: the operating system maps new
    pages on their first touch, which costs as much as the copy that fills them.
    """

    def __init__(self, xp, dtype):
        self.xp, self.dtype, self.arrays = xp, dtype, {}

    def get(self, name: str, shape: tuple, zero: bool = False, zero_new: bool = False):
        """The work array ``name`` viewed as ``shape``: zeroed on every call with ``zero``,
        only when first allocated with ``zero_new``."""
        size = math.prod(shape)
        flat = self.arrays.get(name)
        if flat is None or flat.size < size:
            make = self.xp.zeros if zero_new else self.xp.empty
            flat = self.arrays[name] = make(size, dtype=self.dtype)
        array = flat[:size].reshape(shape)
        if zero:
            array.fill(0)
        return array


# ----------------------------------------------------------------------------------------
# Pooling
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
        for t, (tap, target) in enumerate(pairs):
            claims = _holds_max(tap, out)
            if overlap:
                target += left * claims
            else:
                xp.multiply(left, claims, out=target)
            if t < len(pairs) - 1:
                left *= ~claims  # taken: later taps that tie get nothing
        return _crop(buffer, self.pads, h, w)

    def _taps(self, x, padded=False):
        """The kH*kW strided views, in row-major tap order, of what each tap sees."""
        _, kernel, stride, dilation, out_hw = self.geometry
        if not padded:
            low = float("-inf") if x.dtype.kind == "f" else int(np.iinfo(x.dtype).min)
            x = _pad(self.xp, x, self.pads, low)
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

    def forward(self, x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
        xp = self.xp
        n, c, h, w = x.shape
        out_hw = tuple(
            pool_out_size(size, k, s, p, 1, ceil_mode)
            for size, k, s, p in zip((h, w), kernel, stride, padding)
        )
        pads = _pool_pads(h, w, kernel, stride, padding, (1, 1), out_hw)
        padded = _pad(xp, x, pads, 0)
        is_float = x.dtype.kind == "f"
        # Sum the windows tap by tap: each tap's values across all windows form one strided
        # slice, so kH*kW vectorised additions do it (and no window is copied).
        total = xp.zeros((n, c, *out_hw), dtype=x.dtype if is_float else xp.int64)
        for i in range(kernel[0]):
            rows = _taps(i, stride[0], out_hw[0])
            for j in range(kernel[1]):
                total += padded[:, :, rows, _taps(j, stride[1], out_hw[1])]

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
            rows = _taps(i, stride[0], out_hw[0])
            for j in range(kernel[1]):
                buffer[:, :, rows, _taps(j, stride[1], out_hw[1])] += share
        return _crop(buffer, pads, h, w)


def _window_sizes(xp, size, kernel, stride, pad, out, count_include_pad):
    """How many pixels of each window count in the mean, along one dimension (int64)."""
    start = xp.arange(out) * stride - pad
    end = xp.minimum(start + kernel, size + pad)  # the ceil_mode overhang never counts
    if count_include_pad:
        return end - start
    return xp.minimum(end, size) - xp.maximum(start, 0)
