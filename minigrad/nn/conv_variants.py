"""The layers of ``functional_conv_variants.py``: ``Conv1d``, ``ConvTranspose1d``,
``ConvTranspose2d``, ``MaxPool1d``, ``AvgPool1d`` and ``AdaptiveAvgPool1d``, with
PyTorch's arguments, parameter shapes, initialisation and printed form."""

from __future__ import annotations

from .. import creation
from ..tensor import Tensor
from . import functional_conv_variants as CV
from .conv import check_padding_mode, pad_by_mode
from .linear import reset_weight_and_bias
from .module import Module
from .parameter import Parameter


def _tuple(value, n: int, name: str) -> tuple:
    """``value`` as an n-tuple of ints (an int is repeated)."""
    items = tuple(value) if isinstance(value, list | tuple) else (value,) * n
    if len(items) != n or not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        raise ValueError(f"{name} must be an int or a {n}-tuple of ints, got {value!r}")
    return items


class _ConvNd(Module):
    """The parameters and options that the 1-D and transposed convolutions share.

    ``transposed``: the weight is (in, out / groups, *kernel) instead of
    (out, in / groups, *kernel); PyTorch's initialisation reads the fan-in from the
    weight's second dimension either way.
    """

    def __init__(
        self, dims, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
        bias, padding_mode, transposed, output_padding=0, device=None, dtype=None,
    ) -> None:  # fmt: skip
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels),
                            ("groups", groups)):  # fmt: skip
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        check_padding_mode(padding_mode)
        if transposed and padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        if isinstance(padding, str):
            if transposed or padding not in ("same", "valid"):
                raise ValueError(
                    f"Invalid padding string {padding!r}, should be one of same, valid"
                )
            if padding == "same" and _tuple(stride, dims, "stride") != (1,) * dims:
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = _tuple(padding, dims, "padding")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _tuple(kernel_size, dims, "kernel_size")
        self.stride = _tuple(stride, dims, "stride")
        self.padding = padding
        self.dilation = _tuple(dilation, dims, "dilation")
        self.output_padding = _tuple(output_padding, dims, "output_padding")
        self.groups, self.padding_mode, self.transposed = groups, padding_mode, transposed
        channels = (
            (in_channels, out_channels // groups)
            if transposed
            else (out_channels, in_channels // groups)
        )
        self.weight = Parameter(
            creation.empty(*channels, *self.kernel_size, device=device, dtype=dtype)
        )
        bias = Parameter(creation.empty(out_channels, device=device, dtype=dtype)) if bias else None
        self.register_parameter("bias", bias)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw new initial values for ``weight`` and ``bias``, as PyTorch does."""
        reset_weight_and_bias(self.weight, self.bias)

    def _convolve(self, conv, input: Tensor) -> Tensor:
        """``conv`` (the functional convolution) with this layer's options; a padding mode
        other than zeros pads the input first and convolves without padding."""
        padding = self.padding
        if self.padding_mode != "zeros":
            input = pad_by_mode(input, self.padding, self.kernel_size, self.dilation,
                                self.padding_mode)  # fmt: skip
            padding = 0
        return conv(input, self.weight, self.bias, self.stride, padding, self.dilation,
                    self.groups)  # fmt: skip

    def extra_repr(self) -> str:
        dims = len(self.kernel_size)
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * dims:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * dims:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * dims:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) inputs (or (C_in, L)), giving (N, C_out, L_out):
    :class:`Conv2d` with a height of one. ``weight`` is (out_channels, in_channels /
    groups, kernel_size); the arguments are ``Conv2d``'s, as ints (or 1-tuples).

    Example:
        >>> import minigrad
        >>> conv = minigrad.nn.Conv1d(16, 33, 3, stride=2)
        >>> conv(minigrad.randn(20, 16, 50)).shape
        minigrad.Size([20, 33, 24])
    """

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
        dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
        device=None, dtype=None,
    ) -> None:  # fmt: skip
        super().__init__(1, in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, False, device=device, dtype=dtype)  # fmt: skip

    def forward(self, input: Tensor) -> Tensor:
        return self._convolve(CV.conv1d, input)


class _ConvTransposeNd(_ConvNd):
    def _convolve_transposed(self, conv, input: Tensor, output_size) -> Tensor:
        """``conv`` (the functional transposed convolution) with this layer's options and
        the output padding that ``output_size`` asks for."""
        return conv(input, self.weight, self.bias, self.stride, self.padding,
                    self._output_padding(input, output_size), self.groups,
                    self.dilation)  # fmt: skip

    def _output_padding(self, input: Tensor, output_size) -> tuple:
        """``output_padding``, or the one that gives ``output_size`` (its last entries)."""
        if output_size is None:
            return self.output_padding
        dims = len(self.kernel_size)
        wanted = tuple(output_size)[-dims:]
        padding = []
        for d in range(dims):
            size = input.shape[d - dims]
            smallest = ((size - 1) * self.stride[d] - 2 * self.padding[d]
                        + self.dilation[d] * (self.kernel_size[d] - 1) + 1)  # fmt: skip
            if not smallest <= wanted[d] < smallest + self.stride[d]:
                raise ValueError(
                    f"requested an output size of {wanted}, but valid sizes range from "
                    f"{smallest} to {smallest + self.stride[d] - 1} (for an input of "
                    f"{tuple(input.shape[-dims:])})"
                )
            padding.append(wanted[d] - smallest)
        return tuple(padding)


class ConvTranspose2d(_ConvTransposeNd):
    """The transposed 2-D convolution (a "deconvolution"): each input pixel adds a
    kernel-weighted ``kH x kW`` patch to the output, as in a decoder or a GAN's generator.
    ``weight`` is (in_channels, out_channels / groups, kH, kW).

    The output is ``(H - 1) * stride - 2 * padding + dilation * (kH - 1) + output_padding
    + 1`` high (and the same for the width); ``forward(input, output_size=None)`` can ask
    for a size instead, which chooses ``output_padding``. See
    :func:`~minigrad.nn.functional.conv_transpose2d`.

    Example:
        >>> import minigrad
        >>> up = minigrad.nn.ConvTranspose2d(16, 8, kernel_size=4, stride=2, padding=1)
        >>> up(minigrad.randn(2, 16, 7, 7)).shape  # twice the height and width
        minigrad.Size([2, 8, 14, 14])
    """

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
        output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
        padding_mode: str = "zeros", device=None, dtype=None,
    ) -> None:  # fmt: skip
        super().__init__(
            2, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
            bias, padding_mode, True, output_padding, device, dtype,
        )  # fmt: skip

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        return self._convolve_transposed(CV.conv_transpose2d, input, output_size)


class ConvTranspose1d(_ConvTransposeNd):
    """The transposed 1-D convolution: :class:`ConvTranspose2d` with a height of one.
    ``weight`` is (in_channels, out_channels / groups, kernel_size).

    Example:
        >>> import minigrad
        >>> up = minigrad.nn.ConvTranspose1d(4, 2, kernel_size=3, stride=2)
        >>> up(minigrad.randn(1, 4, 5)).shape
        minigrad.Size([1, 2, 11])
    """

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
        output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
        padding_mode: str = "zeros", device=None, dtype=None,
    ) -> None:  # fmt: skip
        super().__init__(
            1, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
            bias, padding_mode, True, output_padding, device, dtype,
        )  # fmt: skip

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        return self._convolve_transposed(CV.conv_transpose1d, input, output_size)


class MaxPool1d(Module):
    """The maximum over windows along the last dimension of (N, C, L) or (C, L) inputs;
    see :func:`~minigrad.nn.functional.max_pool1d`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.MaxPool1d(2)(minigrad.tensor([[1.0, 3.0, 2.0, 5.0]]))
        tensor([[3., 5.]])
    """

    def __init__(
        self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
        ceil_mode=False,
    ) -> None:  # fmt: skip
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: Tensor):
        return CV.max_pool1d(input, self.kernel_size, self.stride, self.padding,
                             self.dilation, self.ceil_mode, self.return_indices)  # fmt: skip

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool1d(Module):
    """The mean over windows along the last dimension of (N, C, L) or (C, L) inputs;
    see :func:`~minigrad.nn.functional.avg_pool1d`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.AvgPool1d(2)(minigrad.tensor([[1.0, 3.0, 2.0, 6.0]]))
        tensor([[2., 4.]])
    """

    def __init__(
        self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True
    ) -> None:
        super().__init__()
        self.kernel_size = _tuple(kernel_size, 1, "kernel_size")
        self.stride = self.kernel_size if stride is None else _tuple(stride, 1, "stride")
        self.padding = _tuple(padding, 1, "padding")
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return CV.avg_pool1d(input, self.kernel_size, self.stride, self.padding,
                             self.ceil_mode, self.count_include_pad)  # fmt: skip

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(Module):
    """Average pooling to ``output_size`` positions, whatever the input's length.

    Example:
        >>> import minigrad
        >>> minigrad.nn.AdaptiveAvgPool1d(4)(minigrad.randn(2, 3, 10)).shape
        minigrad.Size([2, 3, 4])
    """

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return CV.adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
