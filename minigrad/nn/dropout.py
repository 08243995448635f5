"""Dropout: zero random elements (``Dropout``) or whole channels (``Dropout1d``,
``Dropout2d``) in training, a regulariser; the identity in evaluation."""

from __future__ import annotations

from . import functional as F
from .module import Module


class _DropoutNd(Module):
    """What the dropout layers share: the probability ``p``, checked, and their repr."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """In training, zero each element with probability ``p`` and scale the others by
    ``1 / (1 - p)``; in evaluation, the identity.

    Args:
        p: the probability that each element is zeroed, in [0, 1] (default 0.5).
        inplace: zero the input's own array instead of a copy (default False).

    Example:
        >>> import minigrad
        >>> drop = minigrad.nn.Dropout(0.5).eval()
        >>> bool((drop(minigrad.ones(4)) == 1).all())
        True
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training)


class Dropout1d(_DropoutNd):
    """In training, zero each channel of an (N, C, L) or unbatched (C, L) input as a whole
    with probability ``p``, and scale the others by ``1 / (1 - p)``; in evaluation, the
    identity. See :func:`minigrad.nn.functional.dropout1d`.

    Args:
        p: the probability that each channel is zeroed, in [0, 1] (default 0.5).
        inplace: zero the input's own array instead of a copy (default False).

    Example:
        >>> import minigrad
        >>> _ = minigrad.manual_seed(0)
        >>> minigrad.nn.Dropout1d(0.5)(minigrad.ones(4, 3))  # unbatched (C, L)
        tensor([[2., 2., 2.],
                [0., 0., 0.],
                [0., 0., 0.],
                [0., 0., 0.]])
    """

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training)


class Dropout2d(_DropoutNd):
    """In training, zero each (H, W) feature map of an (N, C, H, W) input as a whole with
    probability ``p``, and scale the others by ``1 / (1 - p)``; in evaluation, the
    identity. A 3-D input is read as (N, C, L), with PyTorch's warning; see
    :func:`minigrad.nn.functional.dropout2d`.

    Args:
        p: the probability that each channel is zeroed, in [0, 1] (default 0.5).
        inplace: zero the input's own array instead of a copy (default False).

    Example:
        >>> import minigrad
        >>> _ = minigrad.manual_seed(0)
        >>> y = minigrad.nn.Dropout2d(0.5)(minigrad.ones(1, 4, 2, 2))
        >>> y[0, :, 0, 0]  # one value per channel: its whole map is dropped or kept
        tensor([2., 0., 0., 0.])
    """

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training)


class Dropout3d(_DropoutNd):
    """In training, zero each (D, H, W) volume of an (N, C, D, H, W) input (or of an
    unbatched (C, D, H, W) one) as a whole with probability ``p``, and scale the others by
    ``1 / (1 - p)``; in evaluation, the identity. See
    :func:`minigrad.nn.functional.dropout3d`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.Dropout3d(0.5).eval()(minigrad.ones(1, 2, 2, 2, 2)).sum().item()
        16.0
    """

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training)


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks: see :func:`minigrad.nn.functional.alpha_dropout`
    (dropped values become SELU's saturation value, and the rest is rescaled so that
    the mean and variance stay 0 and 1); the identity in evaluation.

    Example:
        >>> import minigrad
        >>> minigrad.nn.AlphaDropout(0.2).eval()(minigrad.ones(3)).tolist()
        [1.0, 1.0, 1.0]
    """

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """:class:`AlphaDropout` of whole channels; see
    :func:`minigrad.nn.functional.feature_alpha_dropout`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.FeatureAlphaDropout(0.5).eval()(minigrad.ones(1, 2, 2)).shape
        minigrad.Size([1, 2, 2])
    """

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)
