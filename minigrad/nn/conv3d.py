"""The 3-D layers of ``functional_conv3d.py``: ``Conv3d``, ``ConvTranspose3d``,
``MaxPool3d``, ``AvgPool3d`` and ``AdaptiveAvgPool3d``, with PyTorch's arguments,
parameter shapes, initialisation and printed form. (``BatchNorm3d``, ``InstanceNorm3d``
and ``Dropout3d`` are beside their 1-D and 2-D kin.)"""

from __future__ import annotations

from ..tensor import Tensor
from . import functional_conv3d as C3
from .conv_variants import MaxPool1d, _ConvNd, _ConvTransposeNd
from .module import Module


class Conv3d(_ConvNd):
    """3-D convolution over (N, C_in, D, H, W) inputs (or (C_in, D, H, W)), giving
    (N, C_out, D_out, H_out, W_out): see :func:`~minigrad.nn.functional.conv3d`.
    ``weight`` is (out_channels, in_channels / groups, kD, kH, kW); the arguments are
    ``Conv2d``'s, as ints or triples.

    Example:
        >>> import minigrad
        >>> conv = minigrad.nn.Conv3d(2, 4, 3, padding=1)
        >>> conv(minigrad.randn(1, 2, 4, 5, 6)).shape
        minigrad.Size([1, 4, 4, 5, 6])
    """

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
        dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
        device=None, dtype=None,
    ) -> None:  # fmt: skip
        super().__init__(3, in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, False, device=device, dtype=dtype)  # fmt: skip

    def forward(self, input: Tensor) -> Tensor:
        return self._convolve(C3.conv3d, input)


class MaxPool3d(MaxPool1d):
    """The maximum over ``kernel_size`` windows of (N, C, D, H, W) or (C, D, H, W)
    inputs; see :func:`~minigrad.nn.functional.max_pool3d`. The arguments are
    :class:`MaxPool1d`'s.

    Example:
        >>> import minigrad
        >>> minigrad.nn.MaxPool3d(2)(minigrad.randn(1, 3, 4, 6, 8)).shape
        minigrad.Size([1, 3, 2, 3, 4])
    """

    def forward(self, input: Tensor):
        return C3.max_pool3d(input, self.kernel_size, self.stride, self.padding,
                             self.dilation, self.ceil_mode, self.return_indices)  # fmt: skip


class AvgPool3d(Module):
    """The mean over ``kernel_size`` windows of (N, C, D, H, W) or (C, D, H, W) inputs;
    see :func:`~minigrad.nn.functional.avg_pool3d`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.AvgPool3d(2, stride=1)(minigrad.randn(1, 3, 4, 4, 4)).shape
        minigrad.Size([1, 3, 3, 3, 3])
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override=None) -> None:  # fmt: skip
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return C3.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                             self.count_include_pad, self.divisor_override)  # fmt: skip

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool3d(Module):
    """Average pooling to ``output_size`` (d, h, w) whatever the input's size; see
    :func:`~minigrad.nn.functional.adaptive_avg_pool3d`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.AdaptiveAvgPool3d(1)(minigrad.randn(2, 3, 4, 5, 6)).shape
        minigrad.Size([2, 3, 1, 1, 1])
    """

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return C3.adaptive_avg_pool3d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class ConvTranspose3d(_ConvTransposeNd):
    """The transposed 3-D convolution: see :func:`~minigrad.nn.functional.conv_transpose3d`
    and :class:`ConvTranspose2d`. ``weight`` is (in_channels, out_channels / groups, kD,
    kH, kW); ``forward(input, output_size=None)``.

    Example:
        >>> import minigrad
        >>> up = minigrad.nn.ConvTranspose3d(4, 2, kernel_size=2, stride=2)
        >>> up(minigrad.randn(1, 4, 3, 5, 5)).shape
        minigrad.Size([1, 2, 6, 10, 10])
    """

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
        output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
        padding_mode: str = "zeros", device=None, dtype=None,
    ) -> None:  # fmt: skip
        super().__init__(
            3, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
            bias, padding_mode, True, output_padding, device, dtype,
        )  # fmt: skip

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        return self._convolve_transposed(C3.conv_transpose3d, input, output_size)
