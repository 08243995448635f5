"""Convolution variants built on the 2-D ones: 1-D convolution and pooling, and the
transposed convolution.

**1-D** (sequences, audio, (N, C, L) arrays) is 2-D with a height of one: ``conv1d`` is
``conv2d`` on (N, C, 1, L) with a (O, C, 1, k) kernel, and the pooling functions likewise.
Everything, gradients and fast paths included, is then the 2-D code's.

**Transposed convolution** (``conv_transpose2d``, the "deconvolution" of decoders and
GAN generators) maps each input pixel to a ``kH x kW`` patch of the output, weighted by
the kernel, and adds the overlapping patches: the backward pass of a convolution with
respect to its input, run forwards. So that is how it is computed (``ops/conv.py``,
``ConvTranspose2d``): the kernel times the input's pixels gives the patches, and the
convolution's col2im adds them up; its backward is that convolution's forward.

The output size is ``(H - 1) * stride - 2 * padding + dilation * (k - 1) +
output_padding + 1``: the size of an input that the convolution (with the same stride,
padding and dilation) maps back to H; ``output_padding`` picks among the sizes that a
stride rounds to the same H.
"""

from __future__ import annotations

from .. import autocast_mode
from ..ops import conv as _conv
from ..tensor import Tensor
from .functional_conv import adaptive_avg_pool2d, avg_pool2d, conv2d, max_pool2d

__all__ = [
    "adaptive_avg_pool1d",
    "avg_pool1d",
    "conv1d",
    "conv_transpose1d",
    "conv_transpose2d",
    "max_pool1d",
]


def _one(value, name: str, caller: str) -> int:
    """An int, or a 1-tuple of one, as 1-D functions take them."""
    if isinstance(value, list | tuple):
        if len(value) != 1:
            raise ValueError(f"{caller}: {name} must be an int or a 1-tuple, got {value!r}")
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{caller}: {name} must be an int, got {value!r}")
    return value


def _pair(value, name: str, caller: str) -> tuple[int, int]:
    pair = tuple(value) if isinstance(value, list | tuple) else (value, value)
    if len(pair) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in pair):
        raise ValueError(f"{caller}: {name} must be an int or a pair of ints, got {value!r}")
    return pair


def _as_2d(input, caller: str) -> Tensor:
    """An (N, C, L) or (C, L) input as (N, C, 1, L) or (C, 1, L)."""
    if not isinstance(input, Tensor) or input.ndim not in (2, 3):
        got = f"{input.ndim}-D" if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(f"{caller}: expected a 2-D (C, L) or 3-D (N, C, L) input, got {got}")
    return input.unsqueeze(-2)


@autocast_mode.casts(cpu="lower", cuda="lower")
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """1-D convolution of (N, C_in, L) (or (C_in, L)) with a (C_out, C_in / groups, k)
    ``weight``: ``conv2d`` with a height of one. ``padding`` may be an int or ``"same"`` or
    ``"valid"``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.conv1d(minigrad.randn(2, 4, 10), minigrad.randn(6, 4, 3), padding=1).shape
        minigrad.Size([2, 6, 10])
    """
    x = _as_2d(input, "conv1d")
    if not isinstance(weight, Tensor) or weight.ndim != 3:
        got = f"{weight.ndim}-D" if isinstance(weight, Tensor) else type(weight).__name__
        raise RuntimeError(f"conv1d: expected a 3-D weight (C_out, C_in / groups, k), got {got}")
    if not isinstance(padding, str):
        padding = (0, _one(padding, "padding", "conv1d"))
    stride, dilation = _one(stride, "stride", "conv1d"), _one(dilation, "dilation", "conv1d")
    out = conv2d(x, weight.unsqueeze(-2), bias, (1, stride), padding, (1, dilation), groups)
    return out.squeeze(-2)


def max_pool1d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """The maximum over each window of ``kernel_size`` along the last dimension of an
    (N, C, L) or (C, L) input; with ``return_indices``, also each maximum's position.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.max_pool1d(minigrad.tensor([[1.0, 3.0, 2.0, 5.0, 4.0]]), 2)
        tensor([[3., 5.]])
    """
    caller = "max_pool1d"
    k = _one(kernel_size, "kernel_size", caller)
    s = k if stride is None or stride == () else _one(stride, "stride", caller)
    result = max_pool2d(
        _as_2d(input, caller), (1, k), (1, s), (0, _one(padding, "padding", caller)),
        (1, _one(dilation, "dilation", caller)), ceil_mode, return_indices,
    )  # fmt: skip
    if return_indices:
        values, indices = result
        return values.squeeze(-2), indices.squeeze(-2)  # within one row: the position
    return result.squeeze(-2)


def avg_pool1d(
    input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True
) -> Tensor:
    """The mean over each window of ``kernel_size`` along the last dimension of an
    (N, C, L) or (C, L) input.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.avg_pool1d(minigrad.tensor([[1.0, 3.0, 2.0, 6.0]]), 2)
        tensor([[2., 4.]])
    """
    caller = "avg_pool1d"
    k = _one(kernel_size, "kernel_size", caller)
    s = k if stride is None or stride == () else _one(stride, "stride", caller)
    out = avg_pool2d(
        _as_2d(input, caller), (1, k), (1, s), (0, _one(padding, "padding", caller)),
        ceil_mode, count_include_pad,
    )  # fmt: skip
    return out.squeeze(-2)


def adaptive_avg_pool1d(input, output_size) -> Tensor:
    """Average pooling to ``output_size`` positions along the last dimension, whatever the
    input's length (windows as PyTorch places them).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.adaptive_avg_pool1d(minigrad.randn(2, 3, 10), 4).shape
        minigrad.Size([2, 3, 4])
    """
    size = _one(output_size, "output_size", "adaptive_avg_pool1d")
    return adaptive_avg_pool2d(_as_2d(input, "adaptive_avg_pool1d"), (1, size)).squeeze(-2)


@autocast_mode.casts(cpu="lower", cuda="lower")
def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """The transposed convolution of (N, C_in, H, W) (or (C_in, H, W)) with a
    (C_in, C_out / groups, kH, kW) ``weight``: the gradient of ``conv2d`` with respect to
    its input, as a layer (see the module's docstring for how it is computed).

    ``output_padding`` adds that many rows and columns at the bottom and right of the
    output; it must be smaller than the stride or the dilation. Note PyTorch's argument
    order: ``groups`` comes before ``dilation``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.randn(1, 8, 7, 7)
        >>> F.conv_transpose2d(x, minigrad.randn(8, 4, 4, 4), stride=2, padding=1).shape
        minigrad.Size([1, 4, 14, 14])
    """
    caller = "conv_transpose2d"
    if not isinstance(input, Tensor) or input.ndim not in (3, 4):
        got = f"{input.ndim}-D" if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(f"{caller}: expected a 3-D or 4-D input, got {got}")
    if not isinstance(weight, Tensor) or weight.ndim != 4:
        got = f"{weight.ndim}-D" if isinstance(weight, Tensor) else type(weight).__name__
        raise RuntimeError(
            f"{caller}: expected a 4-D weight (C_in, C_out / groups, kH, kW), got {got}"
        )
    stride, padding = _pair(stride, "stride", caller), _pair(padding, "padding", caller)
    output_padding = _pair(output_padding, "output_padding", caller)
    dilation = _pair(dilation, "dilation", caller)
    if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
        raise ValueError(f"{caller}: groups must be a positive int, got {groups!r}")
    batched = input.ndim == 4
    x = input if batched else input.unsqueeze(0)
    channels, per_group, kh, kw = weight.shape
    if x.shape[1] != channels:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected input "
            f"{list(x.shape)} to have {channels} channels, but got {x.shape[1]} channels instead"
        )
    if channels % groups:
        raise RuntimeError(f"{caller}: in_channels ({channels}) must be divisible by groups")
    for op, s, d in zip(output_padding, stride, dilation):
        if not 0 <= op < max(s, d):
            raise RuntimeError(
                "output padding must be smaller than either stride or dilation, but got "
                f"output_padding={output_padding}, stride={stride}, dilation={dilation}"
            )
    if any(s <= 0 for s in stride) or any(d <= 0 for d in dilation) or min(padding) < 0:
        raise RuntimeError(
            f"{caller}: stride and dilation must be positive and padding non-negative, got "
            f"stride={stride}, padding={padding}, dilation={dilation}"
        )
    out_hw = [
        (size - 1) * s - 2 * p + d * (k - 1) + op + 1
        for size, s, p, d, k, op in zip(x.shape[-2:], stride, padding, dilation, (kh, kw),
                                        output_padding)
    ]  # fmt: skip
    if min(out_hw) <= 0:
        raise RuntimeError(
            f"{caller}: the padding ({padding}) leaves an output of size 0 or less for an "
            f"input of {tuple(input.shape[-2:])} and a kernel of {(kh, kw)}"
        )
    if bias is not None and (
        not isinstance(bias, Tensor) or tuple(bias.shape) != (per_group * groups,)
    ):
        got = list(bias.shape) if isinstance(bias, Tensor) else type(bias).__name__
        raise RuntimeError(
            f"{caller}: expected a bias of {per_group * groups} elements (C_out), got {got}"
        )
    if x.dtype.kind not in "iuf":
        raise NotImplementedError(f'"{caller}" is not implemented for {x.dtype} inputs')
    for name, other in (("weight", weight), ("bias", bias)):
        if other is not None and other.dtype != x.dtype:
            raise RuntimeError(
                f"{caller}: input type ({x.dtype}) and {name} type ({other.dtype}) should be "
                "the same"
            )
    pads = (padding[0], padding[0], padding[1], padding[1])
    out = _conv.ConvTranspose2d.apply(
        x, weight, bias, stride, pads, dilation, groups, tuple(out_hw)
    )
    return out if batched else out.squeeze(0)


@autocast_mode.casts(cpu="lower", cuda="lower")
def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """The transposed 1-D convolution of (N, C_in, L) (or (C_in, L)) with a
    (C_in, C_out / groups, k) ``weight``: ``conv_transpose2d`` with a height of one.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.conv_transpose1d(minigrad.randn(2, 4, 5), minigrad.randn(4, 3, 3), stride=2).shape
        minigrad.Size([2, 3, 11])
    """
    caller = "conv_transpose1d"
    if not isinstance(weight, Tensor) or weight.ndim != 3:
        got = f"{weight.ndim}-D" if isinstance(weight, Tensor) else type(weight).__name__
        raise RuntimeError(f"{caller}: expected a 3-D weight (C_in, C_out / groups, k), got {got}")
    out = conv_transpose2d(
        _as_2d(input, caller), weight.unsqueeze(-2), bias,
        (1, _one(stride, "stride", caller)), (0, _one(padding, "padding", caller)),
        (0, _one(output_padding, "output_padding", caller)), groups,
        (1, _one(dilation, "dilation", caller)),
    )  # fmt: skip
    return out.squeeze(-2)
