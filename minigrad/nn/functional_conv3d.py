"""3-D convolution and pooling (volumes, video: (N, C, D, H, W) arrays), built on the 2-D
functions, as the 1-D ones are.

A 3-D window is a stack of 2-D windows, one per depth tap ``kd``. So each function takes,
for every depth tap, the *slab* of depth slices that tap reads for every output depth
(the slices ``kd * dilation + j * stride``), folds the output depth into the batch, and
runs the 2-D function over height and width; then it combines the taps:

* ``conv3d``: the sum over ``kd`` of ``conv2d`` with the kernel's depth slice ``kd``;
* ``max_pool3d``: the maximum over ``kd`` of ``max_pool2d`` (the first tap holding it, so
  the gradient goes to the first maximum in (depth, row, column) order, as in PyTorch);
* ``avg_pool3d``: the sum over ``kd`` of the 2-D window sums, divided by the number of
  elements each 3-D window counts (the product of the per-dim counts);
* ``adaptive_avg_pool3d``: the 2-D adaptive average, then an averaging matrix over depth;
* ``conv_transpose3d``: ``conv3d`` of the spread and padded input, as in 2-D.

The depth padding is explicit (zeros, or -inf for the maximum); gradients are those of the
2-D functions, the slices and the sums.
"""

from __future__ import annotations

import numpy as np

from .. import autocast_mode
from ..functions import pad as _pad
from ..functions import stack
from ..ops.pooling import pool_out_size
from ..tensor import Tensor
from .functional_conv import (
    _averaging_matrix,
    adaptive_avg_pool2d,
    avg_pool2d,
    conv2d,
    max_pool2d,
)
from .functional_dropout import _check_dropout_input, _feature_dropout

__all__ = [
    "adaptive_avg_pool3d",
    "avg_pool3d",
    "conv3d",
    "conv_transpose3d",
    "dropout3d",
    "max_pool3d",
]


def _triple(value, name: str, caller: str) -> tuple[int, int, int]:
    triple = tuple(value) if isinstance(value, list | tuple) else (value,) * 3
    if len(triple) != 3 or not all(isinstance(v, int) and not isinstance(v, bool) for v in triple):
        raise ValueError(f"{caller}: {name} must be an int or a triple of ints, got {value!r}")
    return triple


def _as_5d(input, caller: str) -> tuple[Tensor, bool]:
    """A (N, C, D, H, W) input, or an unbatched (C, D, H, W) one with a batch of one."""
    if not isinstance(input, Tensor) or input.ndim not in (4, 5):
        got = f"{input.ndim}-D" if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(
            f"{caller}: expected a 4-D (C, D, H, W) or 5-D (N, C, D, H, W) input, got {got}"
        )
    return (input, True) if input.ndim == 5 else (input.unsqueeze(0), False)


def _slab(x: Tensor, first: int, stride: int, count: int) -> Tensor:
    """The depth slices ``first + j * stride`` for ``j < count`` of (N, C, D, H, W), with
    the output depth folded into the batch: (N * count, C, H, W)."""
    n, c, _, h, w = x.shape
    part = x[:, :, first : first + stride * (count - 1) + 1 : stride]
    return part.movedim(2, 1).reshape(n * count, c, h, w)


def _unfold_depth(y: Tensor, n: int, depth: int) -> Tensor:
    """(N * D_out, C, H, W) back to (N, C, D_out, H, W)."""
    return y.reshape(n, depth, *y.shape[1:]).movedim(1, 2)


@autocast_mode.casts(cpu="lower", cuda="lower")
def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """3-D convolution of (N, C_in, D, H, W) (or (C_in, D, H, W)) with a
    (C_out, C_in / groups, kD, kH, kW) ``weight``: the sum over the kernel's depth taps of
    ``conv2d`` on the depth slices each tap reads. ``padding`` may be an int, a triple,
    ``"same"`` or ``"valid"``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.conv3d(minigrad.randn(2, 3, 5, 6, 7), minigrad.randn(4, 3, 3, 3, 3)).shape
        minigrad.Size([2, 4, 3, 4, 5])
    """
    x, batched = _as_5d(input, "conv3d")
    if not isinstance(weight, Tensor) or weight.ndim != 5:
        got = f"{weight.ndim}-D" if isinstance(weight, Tensor) else type(weight).__name__
        raise RuntimeError(
            f"conv3d: expected a 5-D weight (C_out, C_in / groups, kD, kH, kW), got {got}"
        )
    stride, dilation = _triple(stride, "stride", "conv3d"), _triple(dilation, "dilation", "conv3d")
    kernel = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(f"Invalid padding string {padding!r}, should be one of same, valid")
        if padding == "same" and stride != (1, 1, 1):
            raise ValueError("padding='same' is not supported for strided convolutions")
        amounts = []  # F.pad's order: the last dim first; an even kernel's odd pixel at the end
        for k, d in zip(reversed(kernel), reversed(dilation)):
            total = d * (k - 1) if padding == "same" else 0
            amounts += [total // 2, total - total // 2]
        x, padding = _pad(x, tuple(amounts)), (0, 0, 0)
    else:
        padding = _triple(padding, "padding", "conv3d")
        x = _pad(x, (0, 0, 0, 0, padding[0], padding[0]))  # depth; conv2d pads H and W
    if x.shape[1] != weight.shape[1] * groups:
        raise RuntimeError(
            f"conv3d: the input has {x.shape[1]} channels but the weight expects "
            f"{weight.shape[1] * groups} ({weight.shape[1]} per group, {groups} groups)"
        )
    n, depth = x.shape[0], x.shape[2]
    out_depth = (depth - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1
    if out_depth <= 0:
        raise RuntimeError(
            f"conv3d: the kernel's depth {kernel[0]} (dilation {dilation[0]}) is larger than "
            f"the padded input's depth {depth}"
        )
    out = None
    for kd in range(kernel[0]):
        slab = _slab(x, kd * dilation[0], stride[0], out_depth)
        part = conv2d(slab, weight[:, :, kd], None, stride[1:], padding[1:], dilation[1:], groups)
        out = part if out is None else out + part
    out = _unfold_depth(out, n, out_depth)
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1, 1)
    return out if batched else out.squeeze(0)


def _pool_depth(depth, kernel, stride, pad, dilation, ceil_mode):
    """The output depth of a pooling, and the padding after the input that its last
    window needs (ceil_mode may reach past ``pad``)."""
    out = pool_out_size(depth, kernel, stride, pad, dilation, ceil_mode)
    reach = (out - 1) * stride + dilation * (kernel - 1) + 1
    return out, max(0, reach - depth - pad)


def _pool_options(kernel_size, stride, padding, dilation, caller):
    kernel = _triple(kernel_size, "kernel_size", caller)
    stride = kernel if stride is None or stride == () else _triple(stride, "stride", caller)
    padding = _triple(padding, "padding", caller)
    dilation = _triple(dilation, "dilation", caller)
    for k, p in zip(kernel, padding):
        if p > k // 2:
            raise RuntimeError(
                f"{caller}: pad should be at most half of effective kernel size, but got "
                f"pad={p}, kernel_size={k}"
            )
    return kernel, stride, padding, dilation


@autocast_mode.casts(cpu="float32")
def max_pool3d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """The maximum over each ``kernel_size`` window of an (N, C, D, H, W) or (C, D, H, W)
    input; ``stride`` defaults to ``kernel_size``. The gradient of each output goes to the
    first maximum of its window; with ``return_indices``, also each maximum's flat
    position in its (D, H, W) volume.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.arange(8.0).reshape(1, 1, 2, 2, 2)
        >>> F.max_pool3d(x, 2).flatten().tolist()
        [7.0]
    """
    x, batched = _as_5d(input, "max_pool3d")
    if not x.is_floating_point():
        raise RuntimeError(f"max_pool3d needs a floating point input, got {x.dtype}")
    kernel, stride, padding, dilation = _pool_options(
        kernel_size, stride, padding, dilation, "max_pool3d"
    )
    n, _, depth, height, width = x.shape
    out_depth, after = _pool_depth(depth, kernel[0], stride[0], padding[0], dilation[0], ceil_mode)
    x = _pad(x, (0, 0, 0, 0, padding[0], after), value=float("-inf"))
    values, positions = [], []
    for kd in range(kernel[0]):
        slab = _slab(x, kd * dilation[0], stride[0], out_depth)
        v, i = max_pool2d(slab, kernel[1:], stride[1:], padding[1:], dilation[1:], ceil_mode,
                          return_indices=True)  # fmt: skip
        values.append(v)
        positions.append(i)
    stacked = stack(values)  # (kD, N * D_out, C, H_out, W_out)
    best = stacked.argmax(0, keepdim=True)  # the first depth tap holding the maximum
    out = _unfold_depth(stacked.gather(0, best).squeeze(0), n, out_depth)
    if not return_indices:
        return out if batched else out.squeeze(0)
    # the depth of the chosen tap, for each output depth j: kd * dilation + j * stride - pad
    rows = stack(positions).gather(0, best).squeeze(0)
    j = np.arange(out_depth)[None, None, :, None, None]
    start = Tensor._wrap(
        x.device.from_host((j * stride[0] - padding[0]).astype(np.int64)), x.device
    )
    tap = _unfold_depth(best.squeeze(0), n, out_depth) * dilation[0] + start
    indices = tap * (height * width) + _unfold_depth(rows, n, out_depth)
    return (out, indices) if batched else (out.squeeze(0), indices.squeeze(0))


def _counts(size: int, kernel: int, stride: int, pad: int, out: int, include_pad: bool):
    """How many elements each window along one dim counts: those inside the input, or
    (``include_pad``) inside the input and its padding, as PyTorch's divisor does."""
    low, high = (-pad, size + pad) if include_pad else (0, size)
    starts = np.arange(out) * stride - pad
    return np.minimum(starts + kernel, high) - np.maximum(starts, low)


@autocast_mode.casts(cpu="float32")
def avg_pool3d(
    input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
    divisor_override=None,
) -> Tensor:  # fmt: skip
    """The mean over each ``kernel_size`` window of an (N, C, D, H, W) or (C, D, H, W)
    input. ``count_include_pad`` counts the zero padding in the divisor (a window's part
    past the padding never counts); ``divisor_override`` replaces the divisor.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.arange(8.0).reshape(1, 1, 2, 2, 2)
        >>> F.avg_pool3d(x, 2).flatten().tolist()
        [3.5]
    """
    x, batched = _as_5d(input, "avg_pool3d")
    if not x.is_floating_point():
        raise RuntimeError(f"avg_pool3d needs a floating point input, got {x.dtype}")
    kernel, stride, padding, _ = _pool_options(kernel_size, stride, padding, 1, "avg_pool3d")
    n, _, depth, height, width = x.shape
    out_depth, after = _pool_depth(depth, kernel[0], stride[0], padding[0], 1, ceil_mode)
    x = _pad(x, (0, 0, 0, 0, padding[0], after))
    total = None
    for kd in range(kernel[0]):
        slab = _slab(x, kd, stride[0], out_depth)
        part = avg_pool2d(slab, kernel[1:], stride[1:], padding[1:], ceil_mode, True, 1)
        total = part if total is None else total + part
    total = _unfold_depth(total, n, out_depth)
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        out = total / divisor_override
    else:
        out_h, out_w = total.shape[-2:]
        counts = [
            _counts(size, k, s, p, o, count_include_pad)
            for size, k, s, p, o in zip(
                (depth, height, width), kernel, stride, padding, (out_depth, out_h, out_w)
            )
        ]
        divisor = counts[0][:, None, None] * counts[1][None, :, None] * counts[2][None, None, :]
        divisor = x.device.from_host(divisor.astype(x.dtype))
        out = total / Tensor._wrap(divisor, x.device)
    return out if batched else out.squeeze(0)


@autocast_mode.casts(cpu="float32")
def adaptive_avg_pool3d(input, output_size) -> Tensor:
    """Average pooling to ``output_size`` (d, h, w) (an int, or a triple in which ``None``
    keeps that input size), whatever the input's size; PyTorch's windows.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.adaptive_avg_pool3d(minigrad.randn(2, 3, 5, 6, 7), (1, 2, 3)).shape
        minigrad.Size([2, 3, 1, 2, 3])
    """
    x, batched = _as_5d(input, "adaptive_avg_pool3d")
    sizes = tuple(output_size) if isinstance(output_size, list | tuple) else (output_size,) * 3
    if len(sizes) != 3:
        raise RuntimeError("adaptive_avg_pool3d: output_size must be 3")
    out_d, out_h, out_w = (s if o is None else o for o, s in zip(sizes, x.shape[2:]))
    n, c, depth = x.shape[:3]
    planes = adaptive_avg_pool2d(x.reshape(n, c * depth, *x.shape[3:]), (out_h, out_w))
    planes = planes.reshape(n, c, depth, out_h, out_w)
    rows = _averaging_matrix(depth, int(out_d), x)  # (out_d, D)
    out = (planes.movedim(2, -1) @ rows.T).movedim(-1, 2)
    return out if batched else out.squeeze(0)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels: each (D, H, W) volume ``input[n, c]`` of an (N, C, D, H, W)
    input (or ``input[c]`` of an unbatched (C, D, H, W) one) with probability ``p``, and
    scale the rest by ``1 / (1 - p)``, in training; the identity otherwise.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> y = F.dropout3d(minigrad.ones(2, 3, 2, 2, 2), p=0.5)
        >>> sorted(set(y.sum(dim=(2, 3, 4)).flatten().tolist())) in ([0.0, 16.0], [16.0], [0.0])
        True
    """
    _check_dropout_input(input, p, "dropout3d")
    if input.ndim not in (4, 5):
        raise RuntimeError(
            f"dropout3d: expected a 4-D (C, D, H, W) or 5-D (N, C, D, H, W) input, got "
            f"{input.ndim}-D"
        )
    return _feature_dropout(input, p, training, input.ndim - 3, "dropout3d")


@autocast_mode.casts(cpu="lower", cuda="lower")
def conv_transpose3d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """The transposed 3-D convolution of (N, C_in, D, H, W) (or (C_in, D, H, W)) with a
    (C_in, C_out / groups, kD, kH, kW) ``weight``, computed as ``conv_transpose2d`` is
    (``functional_conv_variants.py``): the input spread by the stride, padded by
    ``dilation * (k - 1) - padding`` (plus ``output_padding`` at the end), then convolved
    with the flipped kernel, its channel axes swapped.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.randn(1, 4, 3, 5, 5)
        >>> F.conv_transpose3d(x, minigrad.randn(4, 2, 2, 2, 2), stride=2).shape
        minigrad.Size([1, 2, 6, 10, 10])
    """
    caller = "conv_transpose3d"
    x, batched = _as_5d(input, caller)
    if not isinstance(weight, Tensor) or weight.ndim != 5:
        got = f"{weight.ndim}-D" if isinstance(weight, Tensor) else type(weight).__name__
        raise RuntimeError(
            f"{caller}: expected a 5-D weight (C_in, C_out / groups, kD, kH, kW), got {got}"
        )
    stride, padding = _triple(stride, "stride", caller), _triple(padding, "padding", caller)
    output_padding = _triple(output_padding, "output_padding", caller)
    dilation = _triple(dilation, "dilation", caller)
    if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
        raise ValueError(f"{caller}: groups must be a positive int, got {groups!r}")
    channels, per_group, *kernel = weight.shape
    if x.shape[1] != channels or channels % groups:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected input "
            f"{list(x.shape)} to have {channels} channels, but got {x.shape[1]} channels instead"
        )
    for op, s, d in zip(output_padding, stride, dilation):
        if not 0 <= op < max(s, d):
            raise RuntimeError(
                "output padding must be smaller than either stride or dilation, but got "
                f"output_padding={output_padding}, stride={stride}, dilation={dilation}"
            )
    x = _spread3(x, stride)
    amounts = []  # F.pad's order: the last dim first
    for d, k, p, op in zip(reversed(dilation), reversed(kernel), reversed(padding),
                           reversed(output_padding)):  # fmt: skip
        edge = d * (k - 1) - p
        amounts += [edge, edge + op]
    x = _pad(x, tuple(amounts))
    if any(n < d * (k - 1) + 1 for n, d, k in zip(x.shape[2:], dilation, kernel)):
        raise RuntimeError(
            f"{caller}: the padding ({padding}) leaves an output of size 0 or less for an "
            f"input of {tuple(input.shape[-3:])} and a kernel of {tuple(kernel)}"
        )
    flipped = weight.reshape(groups, channels // groups, per_group, *kernel).transpose(1, 2)
    flipped = flipped.reshape(groups * per_group, channels // groups, *kernel).flip((2, 3, 4))
    out = conv3d(x, flipped, bias, 1, 0, dilation, groups)
    return out if batched else out.squeeze(0)


def _spread3(x: Tensor, stride) -> Tensor:
    """``x`` (N, C, D, H, W) with ``stride - 1`` zeros between neighbours along each
    spatial dim (``_spread`` of the 2-D code, in three dims)."""
    sd, sh, sw = stride
    if sd == sh == sw == 1:
        return x
    n, c, d, h, w = x.shape
    blocks = _pad(x.reshape(n, c, d, 1, h, 1, w, 1), (0, sw - 1, 0, 0, 0, sh - 1, 0, 0, 0, sd - 1))
    spread = blocks.reshape(n, c, d * sd, h * sh, w * sw)
    return spread[:, :, : (d - 1) * sd + 1, : (h - 1) * sh + 1, : (w - 1) * sw + 1]
