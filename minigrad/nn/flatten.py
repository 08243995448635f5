"""``Flatten``: merge dimensions, as between a convolution's feature maps and a linear
layer, or an image and an MLP; ``Unflatten``, its inverse."""

from __future__ import annotations

from .. import functions as _F
from ..functions_select import unflatten
from .module import Module


class Flatten(Module):
    """Merge dimensions ``start_dim`` to ``end_dim`` (by default all but the batch dim).

    Example:
        >>> import minigrad
        >>> minigrad.nn.Flatten()(minigrad.zeros(8, 1, 28, 28)).shape  # (N, C, H, W) -> (N, C*H*W)
        minigrad.Size([8, 784])
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return _F.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size`` (see :func:`minigrad.unflatten`),
    as a decoder turns a vector back into feature maps.

    Example:
        >>> import minigrad
        >>> minigrad.nn.Unflatten(1, (2, 5))(minigrad.zeros(4, 10)).shape
        minigrad.Size([4, 2, 5])
    """

    def __init__(self, dim: int, unflattened_size) -> None:
        super().__init__()
        if not isinstance(unflattened_size, tuple | list):
            raise TypeError(
                "unflattened_size must be tuple of ints, but found type "
                f"{type(unflattened_size).__name__}"
            )
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input):
        return unflatten(input, self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
