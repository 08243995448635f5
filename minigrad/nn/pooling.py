"""Pooling layers: ``MaxPool2d``, ``AvgPool2d`` and ``AdaptiveAvgPool2d``."""

from __future__ import annotations

from . import functional as F
from .module import Module


class MaxPool2d(Module):
    """The maximum over each ``kernel_size`` window (stride defaults to the kernel size).

    Args:
        kernel_size: the window's height and width, an int or a pair.
        stride: the step between windows (default None: the kernel size).
        padding: implicit ``-inf`` added on each side, at most half the kernel
            (default 0).
        dilation: the spacing between the window's elements (default 1).
        return_indices: also return the flat index of each maximum within its
            input plane (default False).
        ceil_mode: round the output size up rather than down, so that a last,
            partial window is kept (default False).

    Example:
        >>> import minigrad
        >>> minigrad.nn.MaxPool2d(2)(minigrad.randn(1, 3, 28, 28)).shape
        minigrad.Size([1, 3, 14, 14])
    """

    def __init__(
        self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return F.max_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            ceil_mode=self.ceil_mode,
            return_indices=self.return_indices,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """The mean over each ``kernel_size`` window (stride defaults to the kernel size).

    Args:
        kernel_size: the window's height and width, an int or a pair.
        stride: the step between windows (default None: the kernel size).
        padding: zeros added on each side, at most half the kernel (default 0).
        ceil_mode: round the output size up rather than down (default False).
        count_include_pad: count the padding zeros in each window's divisor
            (default True).
        divisor_override: divide every window's sum by this instead (default None).

    Example:
        >>> import minigrad
        >>> x = minigrad.arange(16.0).reshape(1, 1, 4, 4)  # (N, C, H, W)
        >>> minigrad.nn.AvgPool2d(2)(x)
        tensor([[[[ 2.5000,  4.5000],
                  [10.5000, 12.5000]]]])
    """

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        ceil_mode=False,
        count_include_pad=True,
        divisor_override=None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return F.avg_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """The mean over windows sized so that the output is ``output_size`` (h, w), whatever
    the input's height and width; ``None`` keeps that input size. ``AdaptiveAvgPool2d(1)``
    is global average pooling. See :func:`minigrad.nn.functional.adaptive_avg_pool2d`.

    Args:
        output_size: the output's (height, width), an int for a square, or a pair
            in which ``None`` keeps that dimension of the input.

    Example:
        >>> import minigrad
        >>> pool = minigrad.nn.AdaptiveAvgPool2d((2, 2))
        >>> pool(minigrad.randn(8, 16, 7, 5)).shape, pool(minigrad.randn(8, 16, 28, 28)).shape
        (minigrad.Size([8, 16, 2, 2]), minigrad.Size([8, 16, 2, 2]))
    """

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    """The maximum over windows sized so that the output is ``output_size`` (h, w); see
    :func:`minigrad.nn.functional.adaptive_max_pool2d`. ``return_indices=True`` also
    returns each maximum's flat position in its plane.

    Example:
        >>> import minigrad
        >>> pool = minigrad.nn.AdaptiveMaxPool2d((2, None))
        >>> pool(minigrad.randn(8, 16, 7, 5)).shape
        minigrad.Size([8, 16, 2, 5])
    """

    def __init__(self, output_size, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input):
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(Module):
    """The maximum over windows sized so that the output has ``output_size`` positions;
    see :func:`minigrad.nn.functional.adaptive_max_pool1d`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.AdaptiveMaxPool1d(3)(minigrad.randn(2, 4, 10)).shape
        minigrad.Size([2, 4, 3])
    """

    def __init__(self, output_size, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input):
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class LPPool2d(Module):
    """Power-average pooling, ``(sum over each window of x**norm_type)**(1/norm_type)``;
    see :func:`minigrad.nn.functional.lp_pool2d`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.LPPool2d(2, 3, stride=2)(minigrad.randn(2, 4, 9, 9)).shape
        minigrad.Size([2, 4, 4, 4])
    """

    def __init__(self, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False):
        super().__init__()
        self.norm_type, self.kernel_size = norm_type, kernel_size
        self.stride, self.ceil_mode = stride, ceil_mode

    def forward(self, input):
        return F.lp_pool2d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, ceil_mode={self.ceil_mode}"
        )


class LPPool1d(LPPool2d):
    """Power-average pooling along the last dim; see
    :func:`minigrad.nn.functional.lp_pool1d`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.LPPool1d(2, 3, stride=2)(minigrad.randn(2, 4, 9)).shape
        minigrad.Size([2, 4, 4])
    """

    def forward(self, input):
        return F.lp_pool1d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class MaxUnpool2d(Module):
    """The partial inverse of :class:`MaxPool2d`: each maximum put back at the position
    its index gives, zeros elsewhere; see :func:`minigrad.nn.functional.max_unpool2d`.
    Called as ``unpool(input, indices, output_size=None)``.

    Example:
        >>> import minigrad
        >>> pool = minigrad.nn.MaxPool2d(2, return_indices=True)
        >>> pooled, where = pool(minigrad.randn(1, 1, 4, 4))
        >>> minigrad.nn.MaxUnpool2d(2)(pooled, where).shape
        minigrad.Size([1, 1, 4, 4])
    """

    _dims = 2

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()

        def tuple_of(value):
            return tuple(value) if isinstance(value, list | tuple) else (value,) * self._dims

        self.kernel_size = tuple_of(kernel_size)
        self.stride = tuple_of(kernel_size if stride is None else stride)
        self.padding = tuple_of(padding)

    def forward(self, input, indices, output_size=None):
        unpool = {1: F.max_unpool1d, 2: F.max_unpool2d, 3: F.max_unpool3d}[self._dims]
        return unpool(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(MaxUnpool2d):
    """The partial inverse of :class:`MaxPool1d`; see
    :func:`minigrad.nn.functional.max_unpool1d`.

    Example:
        >>> import minigrad
        >>> pooled, where = minigrad.nn.MaxPool1d(2, return_indices=True)(minigrad.randn(1, 1, 6))
        >>> minigrad.nn.MaxUnpool1d(2)(pooled, where).shape
        minigrad.Size([1, 1, 6])
    """

    _dims = 1


class AdaptiveMaxPool3d(AdaptiveMaxPool2d):
    """The maximum over windows sized so that the output is ``output_size`` (d, h, w);
    see :func:`minigrad.nn.functional.adaptive_max_pool3d`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.AdaptiveMaxPool3d((1, 2, 2))(minigrad.randn(2, 3, 4, 5, 6)).shape
        minigrad.Size([2, 3, 1, 2, 2])
    """

    def forward(self, input):
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)


class LPPool3d(LPPool2d):
    """Power-average pooling over (N, C, D, H, W) inputs; see
    :func:`minigrad.nn.functional.lp_pool3d`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.LPPool3d(2, 2)(minigrad.randn(1, 2, 4, 4, 4)).shape
        minigrad.Size([1, 2, 2, 2, 2])
    """

    def forward(self, input):
        return F.lp_pool3d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class MaxUnpool3d(MaxUnpool2d):
    """The partial inverse of :class:`MaxPool3d`; see
    :func:`minigrad.nn.functional.max_unpool3d`.

    Example:
        >>> import minigrad
        >>> pool = minigrad.nn.MaxPool3d(2, return_indices=True)
        >>> pooled, where = pool(minigrad.randn(1, 1, 4, 4, 4))
        >>> minigrad.nn.MaxUnpool3d(2)(pooled, where).shape
        minigrad.Size([1, 1, 4, 4, 4])
    """

    _dims = 3


class FractionalMaxPool2d(Module):
    """Fractional max pooling to ``output_size`` or ``output_ratio`` of the input's size;
    see :func:`minigrad.nn.functional.fractional_max_pool2d` (new window starts are drawn
    at every call).

    Example:
        >>> import minigrad
        >>> pool = minigrad.nn.FractionalMaxPool2d(3, output_ratio=0.5)
        >>> pool(minigrad.randn(2, 4, 10, 12)).shape
        minigrad.Size([2, 4, 5, 6])
    """

    _dims = 2

    def __init__(self, kernel_size, output_size=None, output_ratio=None,
                 return_indices: bool = False, _random_samples=None) -> None:  # fmt: skip
        super().__init__()
        if output_size is None and output_ratio is None:
            raise ValueError(
                f"{type(self).__name__} requires specifying either an output size, or a "
                "pooling ratio"
            )
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        self.kernel_size, self.output_size, self.output_ratio = (
            kernel_size,
            output_size,
            output_ratio,
        )
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)

    def forward(self, input):
        pool = F.fractional_max_pool2d if self._dims == 2 else F.fractional_max_pool3d
        return pool(input, self.kernel_size, self.output_size, self.output_ratio,
                    self.return_indices, self._random_samples)  # fmt: skip


class FractionalMaxPool3d(FractionalMaxPool2d):
    """Fractional max pooling over (N, C, T, H, W) inputs; see
    :func:`minigrad.nn.functional.fractional_max_pool3d`.

    Example:
        >>> import minigrad
        >>> pool = minigrad.nn.FractionalMaxPool3d(2, output_size=(2, 3, 4))
        >>> pool(minigrad.randn(1, 1, 5, 6, 7)).shape
        minigrad.Size([1, 1, 2, 3, 4])
    """

    _dims = 3
