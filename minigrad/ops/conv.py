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

Everything here takes arrays in (N, C, H, W) layout and explicit parameters (pairs of ints,
already checked by ``nn/convolution.py``), and uses only functions that NumPy and CuPy share.
"""

from __future__ import annotations

import numpy as np  # host-side only: the smallest integer of a dtype, for max-pool padding

from ..autograd import Function

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
    """2-D cross-correlation (what deep learning calls convolution), as im2col + one GEMM.

    ``x`` is (N, C, H, W); ``weight`` is (O, C / groups, kH, kW); ``bias`` is (O,) or None.
    ``padding`` is (top, bottom, left, right); ``stride`` and ``dilation`` are (h, w) pairs.

    With groups, the C input channels and O output channels are cut into ``groups`` equal
    slices, and output slice ``g`` sees only input slice ``g``. The columns get a leading
    group axis, so the product is one *batched* matmul over the groups.

    Layout. The columns are (groups, C/g * kH * kW, N * oH * oW): the kernel taps first and
    the output pixels, (N, oH, oW), last. That order makes the copy read the input along
    its rows (the innermost axis, ``ow``, steps along W) and gives one large GEMM per group
    instead of N small ones; the price is that the product comes out as (O, N, oH, oW),
    so it is transposed to (N, O, oH, oW) in one pass over the (small) output that also
    adds the bias.
    """

    def forward(self, x, weight, bias, stride, padding, dilation, groups):
        xp = self.xp
        n, _, h, w = x.shape
        o, cg, kh, kw = weight.shape
        og = o // groups
        (sh, sw), (dh, dw) = stride, dilation
        top, bottom, left, right = padding
        oh = conv_out_size(h, kh, sh, top + bottom, dh)
        ow = conv_out_size(w, kw, sw, left + right, dw)

        # im2col: a view with one axis per (group, channel, tap) and per output pixel...
        padded = _pad(xp, x, padding, 0)  # (a copy of the input: 1/(kH*kW) of the columns)
        s_n, s_c, s_h, s_w = padded.strides
        windows = xp.lib.stride_tricks.as_strided(
            padded,
            shape=(groups, cg, kh, kw, n, oh, ow),
            strides=(cg * s_c, s_c, dh * s_h, dw * s_w, s_n, sh * s_h, sw * s_w),
        )
        # ...and the one copy, into the (groups, Cg*kH*kW, N*oH*oW) columns.
        cols = xp.ascontiguousarray(windows).reshape(groups, cg * kh * kw, n * oh * ow)

        # The one matrix product, batched over the groups: (g, Og, Cg*kH*kW) @ columns.
        out = weight.reshape(groups, og, cg * kh * kw) @ cols
        out = out.reshape(o, n, oh, ow).transpose(1, 0, 2, 3)  # a view in (N, O, oH, oW)
        result = xp.empty((n, o, oh, ow), dtype=out.dtype)  # C-contiguous, as PyTorch's
        if bias is None:
            result[...] = out
        else:
            xp.add(out, bias.reshape(o, 1, 1), out=result)

        # Save only what backward needs: the columns for the weight gradient, the weight
        # for the input gradient (the columns are kH*kW times the input: not kept for nothing).
        self.input_shape, self.weight_shape, self.out_hw = x.shape, weight.shape, (oh, ow)
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        need_x, need_w = self.needs_input_grad[:2]
        self.save(cols if need_w else None, weight if need_x else None)
        return result

    def backward(self, grad):
        cols, weight = self.saved
        xp = self.xp
        n, (oh, ow), groups = self.input_shape[0], self.out_hw, self.groups
        o, cg, kh, kw = self.weight_shape
        og = o // groups
        need_x, need_w, need_b = self.needs_input_grad
        gx = gw = gb = None
        if need_b:
            gb = grad.sum(axis=(0, 2, 3))
        if need_x or need_w:
            # The output gradient in the layout of the forward product, (g, Og, N*oH*oW).
            gout = grad.reshape(n, groups, og, oh * ow).transpose(1, 2, 0, 3)
            gout = xp.ascontiguousarray(gout).reshape(groups, og, n * oh * ow)
        if need_w:  # d(W @ cols)/dW: one product with the saved columns, summing over pixels
            gw = (gout @ cols.transpose(0, 2, 1)).reshape(o, cg, kh, kw)
        if need_x:  # d(W @ cols)/dcols, then col2im sends each column entry to its pixel
            wt = weight.reshape(groups, og, cg * kh * kw).transpose(0, 2, 1)
            gx = self._col2im(wt @ gout)
        return gx, gw, gb

    def _col2im(self, gcols):
        """Sum the column gradient back into an (N, C, H, W) input gradient.

        For each kernel tap (i, j), the column entries of that tap came from one strided
        slice of the padded input, with no position repeated; so one vectorised ``+=`` per
        tap adds them all (see the module docstring).
        """
        xp = self.xp
        n, c, h, w = self.input_shape
        _, cg, kh, kw = self.weight_shape
        (oh, ow), groups, (top, bottom, left, right) = self.out_hw, self.groups, self.padding
        (sh, sw), (dh, dw) = self.stride, self.dilation
        gcols = gcols.reshape(groups, cg, kh, kw, n, oh, ow)
        # Accumulate in (g, Cg, N, H, W) order, the order of the columns, so that every
        # addition walks both operands the same way; one transposing copy at the end.
        buffer = xp.zeros((groups, cg, n, h + top + bottom, w + left + right), gcols.dtype)
        for i in range(kh):
            rows = _taps(i * dh, sh, oh)
            for j in range(kw):
                buffer[:, :, :, rows, _taps(j * dw, sw, ow)] += gcols[:, :, i, j]
        gx = buffer[:, :, :, top : top + h, left : left + w].transpose(2, 0, 1, 3, 4)
        return xp.ascontiguousarray(gx).reshape(n, c, h, w)


# ----------------------------------------------------------------------------------------
# Pooling
# ----------------------------------------------------------------------------------------


class MaxPool2d(Function):
    """The largest value in each window; its gradient goes to that value's position.

    The input is padded with -inf (the smallest integer for integer inputs), which never
    wins. Ties go to the *first* maximum of a window in row-major order, as in PyTorch
    (``argmax`` returns the first). ``kernel``, ``stride``, ``padding`` and ``dilation`` are
    (h, w) pairs. When ``indices`` is a list, the flat position ``row * W + col`` of each
    maximum in its (unpadded) input plane is appended to it: PyTorch's ``return_indices``.
    """

    def forward(self, x, kernel, stride, padding, dilation, ceil_mode, indices=None):
        xp = self.xp
        n, c, h, w = x.shape
        out_hw = tuple(
            pool_out_size(size, k, s, p, d, ceil_mode)
            for size, k, s, p, d in zip((h, w), kernel, stride, padding, dilation)
        )
        pads = _pool_pads(h, w, kernel, stride, padding, dilation, out_hw)
        low = float("-inf") if x.dtype.kind == "f" else int(np.iinfo(x.dtype).min)
        windows = _pool_windows(xp, _pad(xp, x, pads, low), kernel, stride, dilation, out_hw)
        # One copy puts each window's kH*kW values side by side; argmax then finds the
        # winning tap of every window at once.
        flat = windows.reshape(n, c, *out_hw, kernel[0] * kernel[1])
        tap = flat.argmax(axis=-1)
        out = xp.take_along_axis(flat, tap[..., None], axis=-1)[..., 0]

        if indices is not None:  # tap (i, j) of window (oh, ow) is pixel (oh*s + i*d - p, ...)
            i, j = tap // kernel[1], tap % kernel[1]
            rows = (xp.arange(out_hw[0]) * stride[0] - padding[0])[:, None] + i * dilation[0]
            cols = xp.arange(out_hw[1]) * stride[1] - padding[1] + j * dilation[1]
            indices.append((rows * w + cols).astype(xp.int64))

        self.geometry = (x.shape, kernel, stride, dilation, pads, out_hw)
        if self.needs_input_grad[0]:
            self.save(tap)
        return out

    def backward(self, grad):
        (tap,) = self.saved
        xp = self.xp
        (n, c, h, w), kernel, stride, dilation, pads, out_hw = self.geometry
        buffer = xp.zeros((n, c, h + pads[0] + pads[1], w + pads[2] + pads[3]), grad.dtype)
        # Loop over the taps: tap (i, j) of every window sits in one strided slice, so the
        # windows whose maximum is that tap send their gradient there in one addition.
        for i in range(kernel[0]):
            rows = _taps(i * dilation[0], stride[0], out_hw[0])
            for j in range(kernel[1]):
                won = tap == i * kernel[1] + j
                buffer[:, :, rows, _taps(j * dilation[1], stride[1], out_hw[1])] += grad * won
        return _crop(buffer, pads, h, w)


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
