"""``Upsample`` (and PyTorch's older ``UpsamplingNearest2d`` and ``UpsamplingBilinear2d``):
:func:`~minigrad.nn.functional.interpolate` as a module, as in U-Nets and GAN generators;
``PixelShuffle`` and ``PixelUnshuffle``; ``Unfold`` and ``Fold``."""

from __future__ import annotations

from . import functional as F
from .module import Module


class Upsample(Module):
    """Resize the spatial dims to ``size``, or by ``scale_factor``, with ``mode``: see
    :func:`~minigrad.nn.functional.interpolate`.

    Example:
        >>> import minigrad
        >>> up = minigrad.nn.Upsample(scale_factor=2, mode="nearest")
        >>> up
        Upsample(scale_factor=2.0, mode='nearest')
        >>> up(minigrad.ones(1, 3, 4, 4)).shape
        minigrad.Size([1, 3, 8, 8])
    """

    def __init__(
        self, size=None, scale_factor=None, mode="nearest", align_corners=None,
        recompute_scale_factor=None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return F.interpolate(
            input, self.size, self.scale_factor, self.mode, self.align_corners,
            recompute_scale_factor=self.recompute_scale_factor,
        )  # fmt: skip

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            shape = f"scale_factor={self.scale_factor!r}"
        else:
            shape = f"size={self.size!r}"
        return f"{shape}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """``Upsample(mode='nearest')`` for 4-D inputs (PyTorch's older name).

    Example:
        >>> import minigrad
        >>> minigrad.nn.UpsamplingNearest2d(size=(2, 3))(minigrad.ones(1, 1, 1, 1)).shape
        minigrad.Size([1, 1, 2, 3])
    """

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample(mode='bilinear', align_corners=True)`` (PyTorch's older name: note the
    aligned corners, unlike ``Upsample``'s default).

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([[[[0.0, 1.0]]]])
        >>> minigrad.nn.UpsamplingBilinear2d(size=(1, 3))(x)
        tensor([[[[0.0000, 0.5000, 1.0000]]]])
    """

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


class PixelShuffle(Module):
    """(*, C * r^2, H, W) to (*, C, H * r, W * r): see
    :func:`~minigrad.nn.functional.pixel_shuffle` (the last layer of a sub-pixel
    super-resolution network).

    Example:
        >>> import minigrad
        >>> minigrad.nn.PixelShuffle(3)(minigrad.ones(1, 9, 4, 4)).shape
        minigrad.Size([1, 1, 12, 12])
    """

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H * r, W * r) to (*, C * r^2, H, W): see
    :func:`~minigrad.nn.functional.pixel_unshuffle`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.PixelUnshuffle(2)(minigrad.ones(1, 1, 4, 4)).shape
        minigrad.Size([1, 4, 2, 2])
    """

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class Unfold(Module):
    """An image's sliding blocks as columns: see :func:`~minigrad.nn.functional.unfold`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.Unfold(kernel_size=3, padding=1)(minigrad.ones(2, 4, 5, 5)).shape
        minigrad.Size([2, 36, 25])
    """

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.kernel_size, self.dilation = kernel_size, dilation
        self.padding, self.stride = padding, stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)


class Fold(Module):
    """Columns summed back into an image: see :func:`~minigrad.nn.functional.fold`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.Fold((4, 4), 2, stride=2)(minigrad.ones(1, 12, 4)).shape
        minigrad.Size([1, 3, 4, 4])
    """

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)  # fmt: skip


class ChannelShuffle(Module):
    """The channel shuffle of ShuffleNet: see
    :func:`~minigrad.nn.functional.channel_shuffle`.

    Example:
        >>> import minigrad
        >>> shuffle = minigrad.nn.ChannelShuffle(2)
        >>> shuffle(minigrad.arange(4.0).reshape(1, 4, 1, 1)).flatten().tolist()
        [0.0, 2.0, 1.0, 3.0]
    """

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
