"""``Flatten``: merge dimensions, as between a convolution's feature maps and a linear
layer, or an image and an MLP."""

from __future__ import annotations

from .. import functions as _F
from .module import Module


class Flatten(Module):
    """Merge dimensions ``start_dim`` to ``end_dim`` (by default all but the batch dim).

    Example:
        >>> import minigrad
        >>> minigrad.nn.Flatten()(minigrad.zeros(8, 1, 28, 28)).shape  # (N, C, H, W) -> (N, C*H*W)
        (8, 784)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return _F.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
