"""The fast convolution: the reference im2col + matmul of ``ops/conv.py``, made fast.

Registered for the CPU and for GPUs (see :mod:`minigrad.fastpath`); ``MINIGRAD_REFERENCE=1``
turns it off, and ``tests/test_fast_paths.py`` and ``tests/test_conv.py`` compare it with
the reference. What it adds to the textbook algorithm:

* **chunks**: the columns are built a few images at a time, within the device's workspace,
  and rebuilt in backward instead of kept (memory, and the copies stay in cache);
* **wide rows** (CPU, stride 1 along W): each output row gets as many columns as a padded
  input row, so that im2col and col2im copy long contiguous runs; the junk columns are
  dropped from the output and get no gradient;
* **gradient columns** (CPU, "same" convolutions with no more outputs than inputs): a
  second backward that needs no col2im;
* **GPU kernels**: im2col and col2im as one CUDA kernel each (``cuda_kernels.py``);
* **a compiled CPU convolution** (:class:`Conv2dDirect`, ``direct_conv.py``): for 3x3
  kernels with stride 1, numba's kernels read the input where it lies, on every core.
  Registered for the CPU when numba (the ``fast`` extra) is installed; the NumPy path
  stays for every other convolution, and for the CPU without numba
  (``benchmarks/conv_candidates.py`` measured the candidates).

Its class docstring tells each in detail, with the measurements that chose them.
"""

from __future__ import annotations

import math

from .. import fastpath
from ..backend import quiet
from ..ops import conv
from ..ops.conv import conv_out_size, crop_planes
from . import columns, direct_conv
from .gpu import kernels as gpu_kernels
from .half_products import computed_in_float32


@fastpath.register(conv.Conv2d, "cuda")
class Conv2dFast(conv.Conv2d):
    """The convolution of ``ops/conv.py`` (im2col + matmul), made fast.

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
    im2col and one matmul, the textbook algorithm (and the CPU's :class:`Conv2dColumns`
    keeps that chunk's columns for backward).

    **Two backward paths.** The plain one rebuilds the input's columns for the weight
    gradient and scatters ``W^T @ grad`` onto the input (col2im) for the input gradient.
    A "same" convolution (stride 1, padding (k - 1) / 2) with no more outputs than inputs,
    the usual middle layer of a CNN, takes a cheaper one on the CPU: it builds the columns
    of the output gradient, and two products give both gradients, with no col2im (see
    :meth:`_backward_from_gradient_columns`; for 32->32 channels of 28x28 at batch 128,
    forward and backward together take 95 instead of 116 ms on the 2-core CI machine).
    """

    def forward(self, x, weight, bias, stride, padding, dilation, groups):
        n = x.shape[0]
        o, cg, kh, kw = weight.shape
        oh, ow = self._setup(x, weight, stride, padding, dilation, groups)
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

    def _setup(self, x, weight, stride, padding, dilation, groups):
        """Keep the shapes and the layout (wide rows or not) that backward needs; return
        the output's (oH, oW)."""
        _, _, h, w = x.shape
        _, _, kh, kw = weight.shape
        (sh, sw), (dh, dw) = stride, dilation
        top, bottom, left, right = padding
        oh = conv_out_size(h, kh, sh, top + bottom, dh)
        ow = conv_out_size(w, kw, sw, left + right, dw)
        self.input_shape, self.weight_shape, self.out_hw = x.shape, weight.shape, (oh, ow)
        self.stride, self.dilation, self.groups = stride, dilation, groups
        self.itemsize = x.dtype.itemsize
        self.row = w + left + right if sw == 1 else ow  # columns per output row (see above)
        self.fused = gpu_kernels(self.device)
        if self.fused is not None:  # a GPU gathers the columns directly: no junk needed
            self.row = ow
        extra = 1 if self.row != ow else 0  # room for the last tap's junk
        self.same_padding = (
            stride == (1, 1) and dilation == (1, 1) and groups == 1
            and padding == ((kh - 1) // 2,) * 2 + ((kw - 1) // 2,) * 2
            and kh % 2 == 1 and kw % 2 == 1
        )  # fmt: skip
        self.padding = (top, bottom + extra, left, right)
        return oh, ow

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
        step = max(1, self.device.workspace_bytes // (max(1, per_image) * self.itemsize))
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
        return crop_planes(padded, self.padding, h, w)


class Conv2dColumns(Conv2dFast):
    """:class:`Conv2dFast` with its im2col and col2im compiled (``columns.py``, numba):
    for the columns of one entry per output pixel (a stride along the width, where wide
    rows do not apply), which NumPy copies pixel by pixel on one core. The same columns
    and the same sums, in the same order: the same bits (``tests/test_conv_direct.py``).
    Wide rows keep NumPy's copies, long contiguous runs already.

    **Columns kept for backward.** Where the whole batch is one chunk (its columns fit in
    the workspace, 16 MiB on the CPU) and the weight's gradient is wanted, the forward's
    columns are kept for it instead of built again: one im2col less per step, for a
    strided layer about a sixth of its forward and backward (32->64 channels, stride 2,
    at 14x14, batch 128: 2 of 12.6 ms), for at most a workspace of memory held from
    forward to backward. (Not where backward takes the gradient's columns instead.)

    Example:
        >>> import minigrad
        >>> from minigrad.fast.conv import Conv2dColumns
        >>> x, w = minigrad.ones(1, 1, 4, 4), minigrad.ones(1, 1, 3, 3)
        >>> Conv2dColumns.apply(x, w, None, stride=(2, 2), padding=(1, 1, 1, 1),
        ...                     dilation=(1, 1), groups=1)[0, 0]
        tensor([[4., 6.],
                [6., 9.]])
    """

    def _compiled(self, dtype) -> bool:
        return (
            self.fused is None and self.row == self.out_hw[1]
            and dtype.type in columns.DTYPES
        )  # fmt: skip

    kept = None
    """The forward's columns of the whole batch, for backward (see above), or None."""

    def _im2col(self, x, scratch):
        whole = x.shape[0] == self.input_shape[0]
        if whole and self.kept is not None:  # backward: the forward's columns
            return self.kept
        cols = self._build_columns(x, scratch)
        o, c = self.weight_shape[:2]
        takes_gradient_columns = self.same_padding and self.needs_input_grad[0] and o <= c
        if whole and self.needs_input_grad[1] and not takes_gradient_columns:
            self.kept = cols  # (the first call is the forward's: nothing kept yet)
        return cols

    def release(self) -> None:
        super().release()
        self.kept = None

    def _build_columns(self, x, scratch):
        if not self._compiled(x.dtype):
            return super()._im2col(x, scratch)
        n, c = x.shape[:2]
        _, cg, kh, kw = self.weight_shape
        top, _, left, _ = self.padding
        cols = scratch.get("cols", (c * kh * kw, n * math.prod(self.out_hw)))
        columns.im2col(x, (kh, kw), self.stride, self.dilation, (top, left), self.out_hw,
                       out=cols)  # fmt: skip
        return cols.reshape(self.groups, cg * kh * kw, -1)

    def _col2im(self, gcols, scratch):
        if not self._compiled(gcols.dtype):
            return super()._col2im(gcols, scratch)
        _, c, h, w = self.input_shape
        _, _, kh, kw = self.weight_shape
        top, _, left, _ = self.padding
        n = gcols.size // (c * kh * kw * math.prod(self.out_hw))
        return columns.col2im(gcols.reshape(c * kh * kw, -1), (n, c, h, w), (kh, kw),
                              self.stride, self.dilation, (top, left), self.out_hw)  # fmt: skip


class Conv2dDirect(Conv2dColumns):
    """The CPU's 3x3 convolution, compiled: ``direct_conv.py``'s numba kernels, which
    read the input where it lies (wide rows, no columns), on every core.

    Registered for the CPU when numba is installed (the ``fast`` extra); it takes the
    convolutions its kernels are written for, 3x3 kernels with stride 1, no dilation,
    one group and at most 2 of padding on a side, in float32 or float64, and hands any
    other to :class:`Conv2dColumns` (the NumPy path with compiled columns), which it
    extends:

    * forward: :func:`direct_conv.correlate` of the input with the kernel, which writes
      the (N, O, oH, oW) output; the input is kept for backward;
    * input gradient: the correlation of the output gradient, zero-padded by
      ``2 - padding``, with the kernel flipped and its channel axes swapped;
    * weight gradient: :func:`direct_conv.weight_grad` of the saved input and the
      output gradient, and the bias gradient, summed by the same kernel.

    The kernels read their arrays where they lie: no padded copy of a whole array is
    made (each task copies the piece it reads into its core's cache).

    Where an inf or a NaN is about, the shortcuts of the wide rows would not give the
    reference's values: a zero of the padding times an inf weight in the input gradient,
    a junk column's zero gradient times an inf input in the weight gradient. Backward
    checks the two small arrays (the weight, and the weight gradient) and takes the plain
    path of :class:`Conv2dFast` for what they would spoil; ``tests/test_conv_direct.py``
    compares both with the reference.

    Example:
        >>> import minigrad
        >>> from minigrad.fast.conv import Conv2dDirect
        >>> x, w = minigrad.ones(1, 1, 3, 3), minigrad.ones(1, 1, 3, 3)
        >>> Conv2dDirect.apply(x, w, None, stride=(1, 1), padding=(1, 1, 1, 1),
        ...                    dilation=(1, 1), groups=1)[0, 0]
        tensor([[4., 6., 4.],
                [6., 9., 6.],
                [4., 6., 4.]])
    """

    def forward(self, x, weight, bias, stride, padding, dilation, groups):
        self.direct = (
            weight.shape[2:] == (3, 3) and stride == (1, 1) and dilation == (1, 1)
            and groups == 1 and max(padding) <= 2
            and x.dtype.type in direct_conv.DTYPES and weight.dtype == x.dtype
        )  # fmt: skip
        if self.direct:
            oh, ow = self._setup(x, weight, stride, padding, dilation, groups)
            self.direct = oh > 0 and ow > 0
        if not self.direct:
            return super().forward(x, weight, bias, stride, padding, dilation, groups)
        o, c = weight.shape[:2]
        self.pads = padding  # (self.padding has Conv2dFast's extra row)
        result = direct_conv.correlate(x, weight.reshape(o, c, 9), padding, bias)
        need_x, need_w = self.needs_input_grad[:2]
        self.save(x if need_w else None, weight if need_x else None)
        return result

    def backward(self, grad):
        if not self.direct:
            return super().backward(grad)
        xp = self.xp
        x, weight = self.saved
        need_x, need_w, need_b = self.needs_input_grad
        o, c = self.weight_shape[:2]
        gb = None
        if need_b and not need_w:  # (with the weight's gradient, its kernel sums it too)
            # Over the images first, then each channel's contiguous plane: 0.19 against
            # 0.47 ms for NumPy's sum over axes 0, 2 and 3 at 128 x 64 x 14 x 14 (not a
            # matrix product: OpenBLAS's spinning threads slow the kernels after it).
            gb = grad.sum(axis=0).reshape(o, -1).sum(axis=1)
        redo_x = need_x and not bool(xp.isfinite(weight).all())
        gx = gw = None
        if need_x and not redo_x:
            # The gradient, zero-padded by 2 - padding, correlated with the flipped kernel.
            flipped = weight[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).reshape(c, o, 9)
            gx = direct_conv.correlate(grad, flipped, tuple(2 - p for p in self.pads))
        redo_w = False
        if need_w:
            if need_b:
                gw, gb = direct_conv.weight_grad(x, grad, self.pads, bias=True)
            else:
                gw = direct_conv.weight_grad(x, grad, self.pads)
            gw = gw.reshape(self.weight_shape)
            redo_w = not bool(xp.isfinite(gw).all())
        if redo_x or redo_w:  # an inf or a NaN met a shortcut's zero: the plain path
            plain_x, plain_w = self._backward_from_input_columns(x, weight, grad, redo_x, redo_w)
            gx, gw = (plain_x if redo_x else gx), (plain_w if redo_w else gw)
        return gx, gw, gb


# Without numba (the ``fast`` extra), the NumPy path. Either way float16 inputs are
# computed in float32 (NumPy has no float16 BLAS: see half_products.py).
fastpath.register(conv.Conv2d, "cpu")(
    computed_in_float32(Conv2dDirect if direct_conv.AVAILABLE else Conv2dFast)
)


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
