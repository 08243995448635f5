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

This file is the reference convolution: the textbook im2col, one matrix product, and
col2im, for every device. The fast paths (on the CPU: wide rows, a workspace cut into
chunks of images, a second backward; on a GPU: im2col and col2im as single kernels) are in
``minigrad/fast/conv.py``, registered for the devices they speed up, and tested against
this code. Pooling, which slides the same windows, is in ``ops/pooling.py``.

Everything here takes arrays in (N, C, H, W) layout and explicit parameters (pairs of ints,
already checked by ``nn/functional_conv.py``), and uses only functions that NumPy and CuPy share.
"""

from __future__ import annotations

from ..autograd import Function
from ..backend import quiet

# ----------------------------------------------------------------------------------------
# Geometry helpers (plain Python ints)
# ----------------------------------------------------------------------------------------


# ----------------------------------------------------------------------------------------
# Geometry helpers (plain Python ints), shared with pooling and the fast path
# ----------------------------------------------------------------------------------------


def conv_out_size(size: int, kernel: int, stride: int, pad_total: int, dilation: int) -> int:
    """Output length of a convolution along one dimension (may be <= 0 for bad arguments)."""
    return (size + pad_total - dilation * (kernel - 1) - 1) // stride + 1


def tap_slice(offset: int, stride: int, count: int) -> slice:
    """The padded positions that one kernel tap reads across ``count`` output pixels:
    ``offset, offset + stride, ..., offset + stride * (count - 1)``."""
    return slice(offset, offset + stride * (count - 1) + 1, stride)


def pad_planes(xp, x, pads: tuple[int, int, int, int], value):
    """``x`` with (top, bottom, left, right) rows and columns of ``value`` around H and W."""
    if not any(pads):
        return x
    top, bottom, left, right = pads
    n, c, h, w = x.shape
    out = xp.full((n, c, h + top + bottom, w + left + right), value, dtype=x.dtype)
    out[:, :, top : top + h, left : left + w] = x
    return out


def crop_planes(grad_padded, pads: tuple[int, int, int, int], h: int, w: int):
    """The part of a padded gradient that belongs to the input (drop the padding's share)."""
    top, _, left, _ = pads
    return grad_padded[:, :, top : top + h, left : left + w]


# ----------------------------------------------------------------------------------------
# Convolution
# ----------------------------------------------------------------------------------------


class Conv2d(Function):
    """2-D cross-correlation (what deep learning calls convolution), as im2col + matmul.

    ``x`` is (N, C, H, W); ``weight`` is (O, C / groups, kH, kW); ``bias`` is (O,) or None.
    ``padding`` is (top, bottom, left, right); ``stride`` and ``dilation`` are (h, w) pairs.

    Forward: the columns of the whole batch, (groups, Cg*kH*kW, N*oH*oW) (taps first, then
    images, then output pixels), times the kernels, (groups, Og, Cg*kH*kW), is the output
    of every group at once; it is laid out as (N, O, oH, oW). With groups, the C input and
    O output channels are cut into ``groups`` equal slices, and output slice ``g`` sees
    only input slice ``g``: the columns and the kernels get a group axis.

    Backward, from ``out = kernels @ cols``: ``d_kernels = grad @ cols^T`` and
    ``d_cols = kernels^T @ grad``, which col2im sums back onto the input's pixels.
    """

    def forward(self, x, weight, bias, stride, padding, dilation, groups):
        n, _, h, w = x.shape
        o, cg, kh, kw = weight.shape
        top, bottom, left, right = padding
        oh = conv_out_size(h, kh, stride[0], top + bottom, dilation[0])
        ow = conv_out_size(w, kw, stride[1], left + right, dilation[1])
        self.input_shape, self.weight_shape, self.out_hw = x.shape, weight.shape, (oh, ow)
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups

        cols = self.im2col(x)  # (groups, Cg*kH*kW, N*oH*oW)
        kernels = weight.reshape(groups, o // groups, cg * kh * kw)
        with quiet(self.xp):  # inf times zero is NaN: PyTorch returns it silently too
            out = kernels @ cols  # (groups, Og, N*oH*oW)
        out = self.xp.ascontiguousarray(out.reshape(o, n, oh, ow).transpose(1, 0, 2, 3))
        if bias is not None:
            out += bias.reshape(o, 1, 1)
        need_x, need_w = self.needs_input_grad[:2]
        self.save(cols if need_w else None, weight if need_x else None)
        return out

    def backward(self, grad):
        cols, weight = self.saved
        need_x, need_w, need_b = self.needs_input_grad
        o, groups = self.weight_shape[0], self.groups
        # (N, O, oH, oW) -> (groups, Og, N*oH*oW), the layout of the forward product
        grad_rows = grad.transpose(1, 0, 2, 3).reshape(groups, o // groups, -1)
        gx = gw = gb = None
        with quiet(self.xp):
            if need_w:
                gw = (grad_rows @ cols.transpose(0, 2, 1)).reshape(self.weight_shape)
            if need_x:
                kernels = weight.reshape(groups, o // groups, -1)
                gx = self.col2im(kernels.transpose(0, 2, 1) @ grad_rows)
        if need_b:
            gb = grad.sum(axis=(0, 2, 3))
        return gx, gw, gb

    def im2col(self, x):
        """The (groups, Cg*kH*kW, N*oH*oW) columns of ``x``: a strided view with one axis per
        kernel tap and one per output pixel, then one copy (the reshape) into columns."""
        n, c, _, _ = x.shape
        _, cg, kh, kw = self.weight_shape
        (oh, ow), (sh, sw), (dh, dw) = self.out_hw, self.stride, self.dilation
        padded = pad_planes(self.xp, x, self.padding, 0)
        s_n, s_c, s_h, s_w = padded.strides
        windows = self.xp.lib.stride_tricks.as_strided(
            padded,
            shape=(c, kh, kw, n, oh, ow),
            strides=(s_c, dh * s_h, dw * s_w, s_n, sh * s_h, sw * s_w),
        )
        return windows.reshape(self.groups, cg * kh * kw, n * oh * ow)

    def col2im(self, gcols):
        """Sum a (groups, Cg*kH*kW, N*oH*oW) column gradient back into (N, C, H, W).

        For one kernel tap (i, j), the windows read one strided slice of the padded input,
        with no position repeated; so one vectorised ``+=`` per tap adds them all.
        """
        n, c, h, w = self.input_shape
        _, _, kh, kw = self.weight_shape
        (oh, ow), (sh, sw), (dh, dw) = self.out_hw, self.stride, self.dilation
        top, bottom, left, right = self.padding
        padded = self.xp.zeros((n, c, h + top + bottom, w + left + right), dtype=gcols.dtype)
        gcols = gcols.reshape(c, kh, kw, n, oh, ow)
        for i in range(kh):
            for j in range(kw):
                rows, columns = tap_slice(i * dh, sh, oh), tap_slice(j * dw, sw, ow)
                padded[:, :, rows, columns] += gcols[:, i, j].transpose(1, 0, 2, 3)
        return crop_planes(padded, self.padding, h, w)


class ConvTranspose2d(Function):
    """The transposed convolution: :class:`Conv2d`'s gradient with respect to its input,
    run as a layer's forward (decoders, GAN generators).

    ``x`` is (N, C_in, H, W); ``weight`` is (C_in, C_out / groups, kH, kW), which is the
    kernel of a convolution from C_out channels to C_in; ``out_hw`` is the output's size.
    Read that convolution backwards:

    * forward is its input gradient: ``kernels^T @ x``'s rows gives the columns, which
      col2im sums onto the (N, C_out, oH, oW) output (``stride``, ``padding`` and
      ``dilation`` are the convolution's, a (top, bottom, left, right) padding);
    * backward is its forward: x's gradient is the kernels times the im2col columns of the
      output's gradient, and the weight's gradient ``x_rows @ columns^T``, as in Conv2d.

    Each input pixel thus writes one weighted ``kH x kW`` patch, and no zeros are spread
    between pixels for a stride.
    """

    def forward(self, x, weight, bias, stride, padding, dilation, groups, out_hw):
        n, cin, h, w = x.shape
        _, og, kh, kw = weight.shape
        conv = Conv2d()  # the convolution this one transposes: its im2col and col2im
        conv.xp = self.xp
        conv.input_shape, conv.weight_shape, conv.out_hw = (
            (n, og * groups, *out_hw),
            weight.shape,
            (h, w),
        )
        conv.stride, conv.padding, conv.dilation, conv.groups = stride, padding, dilation, groups
        self.conv = conv
        kernels = weight.reshape(groups, cin // groups, og * kh * kw)
        rows = x.transpose(1, 0, 2, 3).reshape(groups, cin // groups, n * h * w)
        out = self.xp.ascontiguousarray(conv.col2im(kernels.transpose(0, 2, 1) @ rows))
        if bias is not None:
            out += bias.reshape(-1, 1, 1)
        need_x, need_w = self.needs_input_grad[:2]
        self.save(rows if need_w else None, kernels if need_x else None)
        return out

    def backward(self, grad):
        rows, kernels = self.saved
        need_x, need_w, need_b = self.needs_input_grad[:3]
        conv = self.conv
        n, cin, h, w = grad.shape[0], conv.weight_shape[0], *conv.out_hw
        cols = conv.im2col(grad)  # (groups, C_out/g * kH * kW, N * H * W)
        gx = gw = gb = None
        if need_x:
            gx = (kernels @ cols).reshape(cin, n, h, w).transpose(1, 0, 2, 3)
        if need_w:
            gw = (rows @ cols.transpose(0, 2, 1)).reshape(conv.weight_shape)
        if need_b:
            gb = grad.sum(axis=(0, 2, 3))
        return gx, gw, gb
