"""``conv2d``, ``max_pool2d``, ``avg_pool2d`` and ``adaptive_avg_pool2d``: PyTorch's
functional forms, on minigrad.

These functions check their arguments the way PyTorch does, with errors that name the
expected and the actual value, normalise every size argument to an (h, w) pair, and then
call one primitive from ``ops/conv.py`` or ``ops/pooling.py`` (whose docstrings explain
im2col, col2im and the output-size formula). An unbatched (C, H, W) input is treated as a
batch of one. ``adaptive_avg_pool2d`` needs no primitive of its own: it is two products
with averaging matrices (see its docstring).
"""

from __future__ import annotations

import numpy as np

from .. import autocast_mode
from ..functions import matmul, reshape
from ..ops.conv import Conv2d, conv_out_size
from ..ops.pooling import AvgPool2d, MaxPool2d, pool_out_size
from ..tensor import Tensor

# ----------------------------------------------------------------------------------------
# Argument helpers
# ----------------------------------------------------------------------------------------


def _is_int(value) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _pair(value, name: str, caller: str) -> tuple[int, int]:
    """An int or a sequence of one or two ints, as an (h, w) pair of ints."""
    items = tuple(value) if isinstance(value, list | tuple) else (value,)
    if len(items) not in (1, 2) or not all(_is_int(v) for v in items):
        raise TypeError(
            f"{caller}: expected {name} to be a single int or a pair of ints, but got "
            f"{name}={value!r}"
        )
    items = tuple(int(v) for v in items)
    return items * 2 if len(items) == 1 else items


def _input_ok(input) -> bool:
    """Whether ``input`` is what convolution and pooling take (``_check_input`` says why not)."""
    return (isinstance(input, Tensor) and input.ndim in (3, 4) and 0 not in input.shape[-3:]
            and input.dtype.kind in "iuf")  # fmt: skip


def _check_input(input, caller: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{caller}(): expected input to be a Tensor, got {type(input).__name__}")
    if input.ndim not in (3, 4):
        raise RuntimeError(
            f"Expected 3D (unbatched) or 4D (batched) input to {caller}, but got input of "
            f"size: {list(input.shape)}"
        )
    if 0 in input.shape[-3:]:
        raise RuntimeError(
            f"{caller}: expected an input with non-zero channels, height and width (only the "
            f"batch may be empty), but got input of size: {list(input.shape)}"
        )
    if input.dtype.kind not in "iuf":
        raise NotImplementedError(f'"{caller}" is not implemented for {input.dtype} inputs')


def _batched(input: Tensor) -> Tensor:
    """A (C, H, W) input as a batch of one, (1, C, H, W); a 4-D input as it is."""
    return reshape(input, (1, *input.shape)) if input.ndim == 3 else input


def _unbatched_like(out: Tensor, input: Tensor) -> Tensor:
    """Drop the batch dimension again when ``input`` had none."""
    return reshape(out, out.shape[1:]) if input.ndim == 3 else out


# ----------------------------------------------------------------------------------------
# Convolution
# ----------------------------------------------------------------------------------------


def _conv_padding(padding, kernel, stride, dilation) -> tuple[int, int, int, int]:
    """``padding`` as (top, bottom, left, right): an int or an (h, w) pair, or a string."""
    if isinstance(padding, str):
        return _string_padding(padding, kernel, stride, dilation)
    ph, pw = _pair(padding, "padding", "conv2d")
    if ph < 0 or pw < 0:
        raise RuntimeError(f"conv2d: negative padding is not supported, got padding={padding}")
    return (ph, ph, pw, pw)


def _string_padding(padding: str, kernel, stride, dilation) -> tuple[int, int, int, int]:
    """``padding="valid"`` (none) or ``"same"``.

    "same" keeps the output the size of the input, which needs ``dilation * (k - 1)``
    padding in all; when that is odd, the extra row or column goes at the bottom or right,
    as in PyTorch. It is only defined for stride 1.
    """
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding != "same":
        raise RuntimeError(
            f"conv2d: invalid padding string {padding!r}, expected 'valid' or 'same'"
        )
    if stride != (1, 1):
        raise RuntimeError(
            f"conv2d: padding='same' is not supported for strided convolutions (got "
            f"stride={stride}; it needs stride 1)"
        )
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads += [total // 2, total - total // 2]
    return tuple(pads)


@autocast_mode.casts(cpu="lower", cuda="lower")
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """2-D convolution (cross-correlation) of ``input`` with ``weight``, as in PyTorch.

    ``input`` is (N, C, H, W), or (C, H, W) for one image; ``weight`` is
    (O, C / groups, kH, kW); ``bias`` is (O,) or None. ``stride``, ``padding`` and
    ``dilation`` are ints or (h, w) pairs; ``padding`` may also be ``"valid"`` (none) or
    ``"same"`` (output as large as the input; stride 1 only). With ``groups`` g, the input
    and output channels are split into g groups and each output group sees one input group
    (g = C is a depthwise convolution). The output is (N, O, oH, oW) with
    ``oH = (H + padding_h_total - dilation_h * (kH - 1) - 1) // stride_h + 1`` (and so for W).

    Example:
        >>> import minigrad
        >>> from minigrad.nn.functional import conv2d
        >>> x = minigrad.ones(1, 1, 3, 3)
        >>> conv2d(x, minigrad.ones(1, 1, 2, 2)).tolist()
        [[[[4.0, 4.0], [4.0, 4.0]]]]
    """
    stride = _pair(stride, "stride", "conv2d")
    dilation = _pair(dilation, "dilation", "conv2d")
    if not (
        _input_ok(input) and isinstance(weight, Tensor) and weight.ndim == 4
        and weight.dtype == input.dtype and _is_int(groups) and groups > 0
        and min(stride) > 0 and min(dilation) > 0 and weight.shape[0] % groups == 0
        and input.shape[-3] == weight.shape[1] * groups
        and (bias is None or (isinstance(bias, Tensor) and bias.shape == (weight.shape[0],)
                              and bias.dtype == input.dtype))
    ):  # fmt: skip
        _conv2d_error(input, weight, bias, stride, padding, dilation, groups)  # says why
    kh, kw = weight.shape[2:]
    pads = _conv_padding(padding, (kh, kw), stride, dilation)
    h, w = input.shape[-2:]
    if min(conv_out_size(h, kh, stride[0], pads[0] + pads[1], dilation[0]),
           conv_out_size(w, kw, stride[1], pads[2] + pads[3], dilation[1])) <= 0:  # fmt: skip
        _conv2d_error(input, weight, bias, stride, padding, dilation, groups)
    out = Conv2d.apply(
        _batched(input),
        weight,
        bias,
        stride=stride,
        padding=pads,
        dilation=dilation,
        groups=int(groups),
    )
    return _unbatched_like(out, input)


def _conv2d_error(input, weight, bias, stride, padding, dilation, groups) -> None:
    """Raise the error that says what is wrong with :func:`conv2d`'s arguments: the first
    of PyTorch's checks that they fail."""
    _check_input(input, "conv2d")
    if not isinstance(weight, Tensor):
        raise TypeError(f"conv2d(): expected weight to be a Tensor, got {type(weight).__name__}")
    if weight.ndim != 4:
        raise RuntimeError(
            f"conv2d: expected weight to be 4-D (out_channels, in_channels / groups, kH, kW), "
            f"but got weight of size {list(weight.shape)}"
        )
    if min(stride) <= 0:
        raise RuntimeError(f"conv2d: non-positive stride is not supported, got stride={stride}")
    if min(dilation) <= 0:
        raise RuntimeError(
            f"conv2d: non-positive dilation is not supported, got dilation={dilation}"
        )
    if not _is_int(groups) or groups <= 0:
        raise RuntimeError(f"conv2d: groups must be a positive int, got groups={groups!r}")

    out_channels, group_channels, kh, kw = weight.shape
    channels = input.shape[-3]
    batched_shape = list(input.shape) if input.ndim == 4 else [1, *input.shape]
    if out_channels % groups:
        raise RuntimeError(
            f"conv2d: given groups={groups}, expected weight to be divisible by {groups} at "
            f"dimension 0 (out_channels), but got weight of size {list(weight.shape)}"
        )
    if channels % groups:
        raise RuntimeError(
            f"conv2d: in_channels ({channels}, of input of size {list(input.shape)}) must be "
            f"divisible by groups ({groups})"
        )
    if channels != group_channels * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
            f"input{batched_shape} to have {group_channels * groups} channels, but got "
            f"{channels} channels instead"
        )
    if bias is not None:
        if not isinstance(bias, Tensor):
            raise TypeError(f"conv2d(): expected bias to be a Tensor, got {type(bias).__name__}")
        if tuple(bias.shape) != (out_channels,):
            raise RuntimeError(
                f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional "
                f"with {out_channels} elements, but got bias of size {list(bias.shape)} instead"
            )
    for name, other in (("weight", weight), ("bias", bias)):
        if other is not None and other.dtype != input.dtype:
            raise RuntimeError(
                f"conv2d: input type ({input.dtype}) and {name} type ({other.dtype}) should be "
                "the same"
            )

    pads = _conv_padding(padding, (kh, kw), stride, dilation)
    h, w = input.shape[-2:]
    out_h = conv_out_size(h, kh, stride[0], pads[0] + pads[1], dilation[0])
    out_w = conv_out_size(w, kw, stride[1], pads[2] + pads[3], dilation[1])
    if out_h <= 0 or out_w <= 0:
        raise RuntimeError(
            f"conv2d: calculated padded input size per channel: ({h + pads[0] + pads[1]} x "
            f"{w + pads[2] + pads[3]}). Kernel size (with dilation): "
            f"({dilation[0] * (kh - 1) + 1} x {dilation[1] * (kw - 1) + 1}). Kernel size "
            "can't be greater than actual input size"
        )
    raise RuntimeError("conv2d: invalid arguments")  # (each case is caught above)


# ----------------------------------------------------------------------------------------
# Pooling
# ----------------------------------------------------------------------------------------


def _pool_args(input, kernel_size, stride, padding, dilation, ceil_mode, caller: str):
    """Check and normalise pooling arguments; return (kernel, stride, padding, dilation).
    ``stride`` defaults to the kernel: windows side by side, as in PyTorch."""
    kernel = _pair(kernel_size, "kernel_size", caller)
    if stride is None or (isinstance(stride, list | tuple) and len(stride) == 0):
        stride = kernel
    stride = _pair(stride, "stride", caller)
    padding = _pair(padding, "padding", caller)
    dilation = _pair(dilation, "dilation", caller)
    if not (
        _input_ok(input) and min(kernel) > 0 and min(stride) > 0 and min(dilation) > 0
        and min(padding) >= 0 and padding[0] <= kernel[0] // 2 and padding[1] <= kernel[1] // 2
        and min(pool_out_size(n, k, s, p, d, ceil_mode) for n, k, s, p, d in
                zip(input.shape[-2:], kernel, stride, padding, dilation)) > 0
    ):  # fmt: skip
        _pool_error(input, kernel, stride, padding, dilation, ceil_mode, caller)  # says why
    return kernel, stride, padding, dilation


def _pool_error(input, kernel, stride, padding, dilation, ceil_mode, caller: str) -> None:
    """Raise the error that says what is wrong with a pooling function's arguments."""
    _check_input(input, caller)
    if min(kernel) <= 0:
        raise RuntimeError(
            f"{caller}: kernel_size must be greater than zero, but got kernel_size={kernel}"
        )
    if min(stride) <= 0:
        raise RuntimeError(f"{caller}: stride must be greater than zero, but got stride={stride}")
    if min(dilation) <= 0:
        raise RuntimeError(
            f"{caller}: dilation must be greater than zero, but got dilation={dilation}"
        )
    if min(padding) < 0:
        raise RuntimeError(f"{caller}: pad must be non-negative, but got padding={padding}")
    for p, k in zip(padding, kernel):
        if p > k // 2:
            raise RuntimeError(
                f"{caller}: pad should be at most half of kernel size, but got "
                f"padding={padding} and kernel_size={kernel} (the largest allowed padding "
                f"is {(kernel[0] // 2, kernel[1] // 2)})"
            )
    h, w = input.shape[-2:]
    out_h = pool_out_size(h, kernel[0], stride[0], padding[0], dilation[0], ceil_mode)
    out_w = pool_out_size(w, kernel[1], stride[1], padding[1], dilation[1], ceil_mode)
    if out_h <= 0 or out_w <= 0:
        c = input.shape[-3]
        raise RuntimeError(
            f"{caller}: given input size: ({c}x{h}x{w}). Calculated output size: "
            f"({c}x{out_h}x{out_w}). Output size is too small (kernel_size={kernel}, "
            f"padding={padding}, dilation={dilation})"
        )
    raise RuntimeError(f"{caller}: invalid arguments")  # (each case is caught above)


def max_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    return_indices=False,
):
    """The maximum over each ``kernel_size`` window, as in PyTorch.

    ``input`` is (N, C, H, W) or (C, H, W). ``stride`` defaults to ``kernel_size``;
    ``padding`` (at most half the kernel) pads with -inf, so it is never the maximum;
    ``dilation`` spaces the window's taps; ``ceil_mode`` rounds the output size up, keeping a
    last partial window when it starts inside the input or the left padding. The gradient
    of each output goes to the first maximum of its window. With ``return_indices``, also
    returns the position of each maximum as a flat index ``row * W + col`` into its input
    plane (int64), PyTorch's convention.

    Example:
        >>> import minigrad
        >>> from minigrad.nn.functional import max_pool2d
        >>> x = minigrad.arange(16.0).reshape(1, 1, 4, 4)
        >>> max_pool2d(x, 2).tolist()
        [[[[5.0, 7.0], [13.0, 15.0]]]]
    """
    kernel, stride, padding, dilation = _pool_args(
        input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d"
    )
    sink = [] if return_indices else None
    out = MaxPool2d.apply(
        _batched(input),
        kernel=kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        ceil_mode=bool(ceil_mode),
        indices=sink,
    )
    out = _unbatched_like(out, input)
    if not return_indices:
        return out
    indices = sink[0].reshape(out.shape)
    return out, Tensor._wrap(indices, input.device)


def avg_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
) -> Tensor:
    """The mean over each ``kernel_size`` window, as in PyTorch.

    ``input`` is (N, C, H, W) or (C, H, W). ``stride`` defaults to ``kernel_size``;
    ``padding`` (at most half the kernel) pads with zeros, which count in the divisor when
    ``count_include_pad`` is True; ``ceil_mode`` rounds the output size up (the part of a
    last window past the padding never counts). ``divisor_override`` replaces the divisor
    of every window.

    Example:
        >>> import minigrad
        >>> from minigrad.nn.functional import avg_pool2d
        >>> x = minigrad.arange(16.0).reshape(1, 1, 4, 4)
        >>> avg_pool2d(x, 2).tolist()
        [[[[2.5, 4.5], [10.5, 12.5]]]]
    """
    kernel, stride, padding, _ = _pool_args(
        input, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d"
    )
    if input.dtype.kind != "f" and input.dtype != np.int64:
        # PyTorch's CPU kernel exists for floats and int64 only (its GPU one for floats).
        raise NotImplementedError(
            f"avg_pool2d is not implemented for {input.dtype} tensors (as in PyTorch): "
            "convert with .float() (or .long())"
        )
    if divisor_override is not None:
        if not _is_int(divisor_override):
            raise TypeError(
                f"avg_pool2d: divisor_override must be an int, got {divisor_override!r}"
            )
        if divisor_override == 0:
            raise RuntimeError("avg_pool2d: divisor must be not zero (got divisor_override=0)")
    out = AvgPool2d.apply(
        _batched(input),
        kernel=kernel,
        stride=stride,
        padding=padding,
        ceil_mode=bool(ceil_mode),
        count_include_pad=bool(count_include_pad),
        divisor_override=None if divisor_override is None else int(divisor_override),
    )
    return _unbatched_like(out, input)


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    """The mean over windows chosen so that the output has ``output_size`` (h, w).

    ``input`` is (N, C, H, W) or (C, H, W). ``output_size`` is an int or an (h, w) pair;
    ``None`` in it keeps that input size. Output row ``i`` averages the input rows from
    ``floor(i * H / h)`` to ``ceil((i + 1) * H / h)`` (end excluded), PyTorch's windows;
    columns alike. Neighbouring windows may overlap when ``H`` is not a multiple of ``h``.

    Each window is a rectangle, so the average separates: averaging the rows of the
    windows is a product with an (h, H) matrix ``R`` whose row ``i`` holds
    ``1 / window length`` over its window, and the columns a product with a (W, w) matrix
    ``C``: ``out = R @ input @ C``. Two matrix products, differentiable as they are.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.arange(12.0).reshape(1, 3, 4)  # (C, H, W)
        >>> F.adaptive_avg_pool2d(x, (2, 1))  # rows 0-1 and 1-2, all columns
        tensor([[[3.5000],
                 [7.5000]]])
        >>> F.adaptive_avg_pool2d(x, (None, 2)).shape  # None keeps the height
        minigrad.Size([1, 3, 2])
    """
    if not isinstance(input, Tensor):
        raise TypeError(
            f"adaptive_avg_pool2d(): expected input to be a Tensor, got {type(input).__name__}"
        )
    if input.ndim not in (3, 4):
        raise RuntimeError(
            f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(input.shape)}"
        )
    for dim in range(input.ndim - 3, input.ndim):
        if input.shape[dim] == 0:
            raise RuntimeError(
                "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {list(input.shape)} with dimension {dim} "
                "being empty"
            )
    if not input.is_floating_point():
        raise RuntimeError(
            f"adaptive_avg_pool2d needs a floating point input, got {input.dtype}; convert it "
            "with .float()"
        )
    height, width = input.shape[-2:]
    out_h, out_w = _output_size(output_size, (height, width))
    rows = _averaging_matrix(height, out_h, input)  # (out_h, H)
    columns = _averaging_matrix(width, out_w, input)  # (out_w, W)
    return matmul(matmul(rows, input), columns.T)


def _output_size(output_size, input_size) -> tuple[int, int]:
    """``output_size`` as an (h, w) pair of ints, ``None`` entries taken from the input."""
    sizes = tuple(output_size) if isinstance(output_size, list | tuple) else (output_size,) * 2
    if len(sizes) != 2:
        raise RuntimeError("adaptive_avg_pool2d: output_size must be 2")
    sizes = tuple(n if s is None else s for s, n in zip(sizes, input_size))
    if not all(_is_int(s) for s in sizes):
        raise TypeError(
            f"adaptive_avg_pool2d: output_size must be an int, None, or a pair of them, got "
            f"{output_size!r}"
        )
    if min(sizes) < 0:
        raise RuntimeError(
            "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 "
            f"but received {output_size!r}"
        )
    return int(sizes[0]), int(sizes[1])


def _averaging_matrix(size: int, out: int, like: Tensor) -> Tensor:
    """The (out, size) matrix whose row ``i`` averages PyTorch's adaptive window ``i``:
    entries ``1 / (end - start)`` from ``start = floor(i * size / out)`` to
    ``end = ceil((i + 1) * size / out)``, zeros elsewhere. Built on the host, in the dtype
    of ``like`` and on its device."""
    matrix = np.zeros((out, size), dtype=like.dtype)
    for i in range(out):
        start = (i * size) // out
        end = -(-((i + 1) * size) // out)  # ceil, in integers
        matrix[i, start:end] = 1.0 / (end - start)
    with like.device.activate():
        return Tensor._wrap(like.device.from_host(matrix), like.device)
