"""The padding layers: ``ZeroPad``, ``ConstantPad``, ``ReflectionPad``, ``ReplicationPad``
and ``CircularPad``, each for 1, 2 and 3 spatial dims: :func:`~minigrad.nn.functional.pad`
with a fixed amount and mode, as modules for ``Sequential`` (style-transfer and CycleGAN
networks pad each convolution's input by reflection, for one).

``padding`` is an int (the same on every side) or a tuple ``(left, right)``, ``(left,
right, top, bottom)`` or ``(left, right, top, bottom, front, back)``, the last dimension
first as in ``F.pad``. The 1-D layers take (N, C, W) or (C, W), the 2-D ones (N, C, H, W)
or (C, H, W), the 3-D ones (N, C, D, H, W) or (C, D, H, W).
"""

from __future__ import annotations

from . import functional as F
from .module import Module


class _PadNd(Module):
    """``F.pad(input, padding, mode, value)`` with fixed arguments."""

    dims = 0
    mode = "constant"

    def __init__(self, padding, value: float | None = None) -> None:
        super().__init__()
        sides = 2 * self.dims
        if isinstance(padding, int) and not isinstance(padding, bool):
            padding = (padding,) * sides
        padding = tuple(padding)
        if len(padding) != sides or not all(
            isinstance(p, int) and not isinstance(p, bool) for p in padding
        ):
            raise ValueError(
                f"{type(self).__name__}: padding must be an int or a tuple of {sides} ints, "
                f"got {padding!r}"
            )
        self.padding = padding
        if self.mode == "constant":
            self.value = 0.0 if value is None else float(value)

    def forward(self, input):
        if self.mode == "constant":
            return F.pad(input, self.padding, "constant", self.value)
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        if type(self).__name__.startswith("ConstantPad"):
            return f"padding={self.padding}, value={self.value}"
        return f"{self.padding}"


class ZeroPad1d(_PadNd):
    """Pads the last dim with zeros.

    Example:
        >>> import minigrad
        >>> minigrad.nn.ZeroPad1d(1)(minigrad.zeros(1, 1, 3)).shape
        minigrad.Size([1, 1, 5])
    """

    dims, mode = 1, "constant"

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)


class ZeroPad2d(_PadNd):
    """Pads the last two dims with zeros.

    Example:
        >>> import minigrad
        >>> minigrad.nn.ZeroPad2d(1)(minigrad.zeros(1, 1, 3, 3)).shape
        minigrad.Size([1, 1, 5, 5])
    """

    dims, mode = 2, "constant"

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)


class ZeroPad3d(_PadNd):
    """Pads the last three dims with zeros.

    Example:
        >>> import minigrad
        >>> minigrad.nn.ZeroPad3d(1)(minigrad.zeros(1, 1, 3, 3, 3)).shape
        minigrad.Size([1, 1, 5, 5, 5])
    """

    dims, mode = 3, "constant"

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)


class ConstantPad1d(_PadNd):
    """Pads the last dim with ``value``.

    Example:
        >>> import minigrad
        >>> minigrad.nn.ConstantPad1d(1, 3.5)(minigrad.zeros(1, 1, 3)).shape
        minigrad.Size([1, 1, 5])
    """

    dims, mode = 1, "constant"

    def __init__(self, padding, value: float) -> None:
        super().__init__(padding, value)


class ConstantPad2d(_PadNd):
    """Pads the last two dims with ``value``.

    Example:
        >>> import minigrad
        >>> minigrad.nn.ConstantPad2d(1, 3.5)(minigrad.zeros(1, 1, 3, 3)).shape
        minigrad.Size([1, 1, 5, 5])
    """

    dims, mode = 2, "constant"

    def __init__(self, padding, value: float) -> None:
        super().__init__(padding, value)


class ConstantPad3d(_PadNd):
    """Pads the last three dims with ``value``.

    Example:
        >>> import minigrad
        >>> minigrad.nn.ConstantPad3d(1, 3.5)(minigrad.zeros(1, 1, 3, 3, 3)).shape
        minigrad.Size([1, 1, 5, 5, 5])
    """

    dims, mode = 3, "constant"

    def __init__(self, padding, value: float) -> None:
        super().__init__(padding, value)


class ReflectionPad1d(_PadNd):
    """Pads the last dim with the input mirrored at its edges (the edge not repeated).

    Example:
        >>> import minigrad
        >>> minigrad.nn.ReflectionPad1d(1)(minigrad.zeros(1, 1, 3)).shape
        minigrad.Size([1, 1, 5])
    """

    dims, mode = 1, "reflect"

    def __init__(self, padding) -> None:
        super().__init__(padding)


class ReflectionPad2d(_PadNd):
    """Pads the last two dims with the input mirrored at its edges (the edge not repeated).

    Example:
        >>> import minigrad
        >>> minigrad.nn.ReflectionPad2d(1)(minigrad.zeros(1, 1, 3, 3)).shape
        minigrad.Size([1, 1, 5, 5])
    """

    dims, mode = 2, "reflect"

    def __init__(self, padding) -> None:
        super().__init__(padding)


class ReflectionPad3d(_PadNd):
    """Pads the last three dims with the input mirrored at its edges (the edge not repeated).

    Example:
        >>> import minigrad
        >>> minigrad.nn.ReflectionPad3d(1)(minigrad.zeros(1, 1, 3, 3, 3)).shape
        minigrad.Size([1, 1, 5, 5, 5])
    """

    dims, mode = 3, "reflect"

    def __init__(self, padding) -> None:
        super().__init__(padding)


class ReplicationPad1d(_PadNd):
    """Pads the last dim with copies of the edge values.

    Example:
        >>> import minigrad
        >>> minigrad.nn.ReplicationPad1d(1)(minigrad.zeros(1, 1, 3)).shape
        minigrad.Size([1, 1, 5])
    """

    dims, mode = 1, "replicate"

    def __init__(self, padding) -> None:
        super().__init__(padding)


class ReplicationPad2d(_PadNd):
    """Pads the last two dims with copies of the edge values.

    Example:
        >>> import minigrad
        >>> minigrad.nn.ReplicationPad2d(1)(minigrad.zeros(1, 1, 3, 3)).shape
        minigrad.Size([1, 1, 5, 5])
    """

    dims, mode = 2, "replicate"

    def __init__(self, padding) -> None:
        super().__init__(padding)


class ReplicationPad3d(_PadNd):
    """Pads the last three dims with copies of the edge values.

    Example:
        >>> import minigrad
        >>> minigrad.nn.ReplicationPad3d(1)(minigrad.zeros(1, 1, 3, 3, 3)).shape
        minigrad.Size([1, 1, 5, 5, 5])
    """

    dims, mode = 3, "replicate"

    def __init__(self, padding) -> None:
        super().__init__(padding)


class CircularPad1d(_PadNd):
    """Pads the last dim with the input wrapped around.

    Example:
        >>> import minigrad
        >>> minigrad.nn.CircularPad1d(1)(minigrad.zeros(1, 1, 3)).shape
        minigrad.Size([1, 1, 5])
    """

    dims, mode = 1, "circular"

    def __init__(self, padding) -> None:
        super().__init__(padding)


class CircularPad2d(_PadNd):
    """Pads the last two dims with the input wrapped around.

    Example:
        >>> import minigrad
        >>> minigrad.nn.CircularPad2d(1)(minigrad.zeros(1, 1, 3, 3)).shape
        minigrad.Size([1, 1, 5, 5])
    """

    dims, mode = 2, "circular"

    def __init__(self, padding) -> None:
        super().__init__(padding)


class CircularPad3d(_PadNd):
    """Pads the last three dims with the input wrapped around.

    Example:
        >>> import minigrad
        >>> minigrad.nn.CircularPad3d(1)(minigrad.zeros(1, 1, 3, 3, 3)).shape
        minigrad.Size([1, 1, 5, 5, 5])
    """

    dims, mode = 3, "circular"

    def __init__(self, padding) -> None:
        super().__init__(padding)
