"""``Conv2d``: a 2-D convolution layer. Its functional form, ``F.conv2d``, is in
``nn/functional_conv.py``, and its primitive in ``ops/conv.py``."""

from __future__ import annotations

from .. import creation
from . import functional as F
from .linear import reset_weight_and_bias
from .module import Module
from .parameter import Parameter

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def check_padding_mode(padding_mode: str) -> None:
    if padding_mode not in PADDING_MODES:
        raise ValueError(
            f"padding_mode must be one of {list(PADDING_MODES)}, but got "
            f"padding_mode='{padding_mode}'"
        )


def pad_by_mode(input, padding, kernel_size, dilation, padding_mode: str):
    """For a ``padding_mode`` other than ``"zeros"``: ``input`` padded by ``F.pad`` in that
    mode (``padding`` per dim, or ``"same"``/``"valid"``), to be convolved with no padding,
    as PyTorch's layers do. ``"same"`` puts the odd pixel of an even kernel at the end."""
    amounts = []
    for i in reversed(range(len(kernel_size))):
        if padding == "same":
            total = dilation[i] * (kernel_size[i] - 1)
            amounts += [total // 2, total - total // 2]
        elif padding == "valid":
            amounts += [0, 0]
        else:
            amounts += [padding[i], padding[i]]
    return F.pad(input, tuple(amounts), mode=padding_mode)


def _pair(value, name: str) -> tuple[int, int]:
    pair = tuple(value) if isinstance(value, list | tuple) else (value, value)
    if len(pair) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in pair):
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    return pair


class Conv2d(Module):
    """2-D convolution over (N, C_in, H, W) inputs, giving (N, C_out, H_out, W_out).

    ``weight`` is (out_channels, in_channels / groups, kH, kW) and ``bias``
    (out_channels,), initialised as in PyTorch: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
    ``fan_in = in_channels / groups * kH * kW``. ``padding`` may be an int, a pair,
    ``"valid"`` (none) or ``"same"`` (output as large as the input; stride 1 only).

    Args:
        in_channels: C_in, the channels of the input.
        out_channels: C_out, the channels of the output (the number of filters).
        kernel_size: the filter's height and width, an int or a pair.
        stride: the step between windows, an int or a pair (default 1).
        padding: zeros added on each side, an int or a pair, or ``"valid"`` (none)
            or ``"same"`` (default 0).
        dilation: the spacing between the filter's taps, an int or a pair (default
            1).
        groups: split the channels into this many groups, each convolved with its
            own filters; both channel counts must be divisible by it (default 1).
        bias: learn one bias per output channel (default True).
        padding_mode: what the padding holds: ``"zeros"`` (default), ``"reflect"``,
            ``"replicate"`` or ``"circular"`` (see :func:`minigrad.nn.functional.pad`).
        device: where the parameters and buffers are made (default: the CPU).
        dtype: their floating dtype (default: minigrad's default float dtype, float32).

    Example:
        >>> import minigrad
        >>> conv = minigrad.nn.Conv2d(1, 8, kernel_size=3, padding=1)
        >>> conv(minigrad.randn(2, 1, 28, 28)).shape
        minigrad.Size([2, 8, 28, 28])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        self._set_options(in_channels, out_channels, kernel_size, stride, padding, dilation,
                          groups, padding_mode)  # fmt: skip
        shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = Parameter(creation.empty(shape, device=device, dtype=dtype))
        bias = Parameter(creation.empty(out_channels, device=device, dtype=dtype)) if bias else None
        self.register_parameter("bias", bias)
        self.reset_parameters()

    def _set_options(
        self, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
        padding_mode, lazy: bool = False,
    ) -> None:  # fmt: skip
        """Check the options and set them as attributes (the parameters are made by the
        caller). ``lazy``: LazyConv2d's ``in_channels`` is 0 until its first call."""
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels),
                            ("groups", groups)):  # fmt: skip
            if lazy and name == "in_channels":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        check_padding_mode(padding_mode)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(
                    f"Invalid padding string {padding!r}, should be one of same, valid"
                )
            if padding == "same" and _pair(stride, "stride") != (1, 1):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = _pair(padding, "padding")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _pair(stride, "stride")
        self.padding = padding
        self.dilation = _pair(dilation, "dilation")
        self.groups = groups
        self.padding_mode = padding_mode

    def reset_parameters(self) -> None:
        """Draw new initial values for ``weight`` and ``bias``, as PyTorch's Conv2d does."""
        reset_weight_and_bias(self.weight, self.bias)

    def forward(self, input):
        if self.padding_mode != "zeros":
            input = pad_by_mode(input, self.padding, self.kernel_size, self.dilation,
                                self.padding_mode)  # fmt: skip
            return F.conv2d(input, self.weight, self.bias, self.stride, 0, self.dilation,
                            self.groups)  # fmt: skip
        return F.conv2d(
            input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )

    def extra_repr(self) -> str:
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0, 0):
            text += f", padding={self.padding}"  # padding=same, unquoted, as PyTorch prints it
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text
