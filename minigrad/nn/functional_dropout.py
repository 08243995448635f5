"""Dropout as functions: ``dropout`` (elements), ``dropout1d`` and ``dropout2d`` (whole
channels), re-exported by ``minigrad.nn.functional``.

In training each element (or channel) is zeroed with probability ``p`` and the rest are
scaled by ``1 / (1 - p)``, so that the expected value is unchanged; outside training
dropout is the identity. The masks are drawn on the host from minigrad's seeded generator
(``minigrad.manual_seed``), so a run is reproducible on any device.
"""

from __future__ import annotations

import warnings

from .. import functions as _F
from .. import random as _random
from ..tensor import Tensor


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``, in
    training; the identity otherwise. The mask is drawn on the host from minigrad's seeded
    generator.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> _ = minigrad.manual_seed(0)
        >>> y = F.dropout(minigrad.ones(8), p=0.5)
        >>> sorted(set(y.tolist()))  # dropped, or scaled by 1 / (1 - p)
        [0.0, 2.0]
        >>> F.dropout(minigrad.ones(3), p=0.5, training=False)
        tensor([1., 1., 1.])
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    require_float(input, "dropout")
    keep = _random.generator().random(input.shape) >= p  # drawn on the host, then moved
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    with input.device.activate():
        mask = input.device.from_host(keep).astype(input.dtype) * scale
    return _F.mul(input, Tensor._wrap(mask, input.device))


def dropout1d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels: each ``input[n, c, :]`` of an (N, C, L) input (or ``input[c, :]``
    of an unbatched (C, L) one) with probability ``p``, and scale the rest by
    ``1 / (1 - p)``, in training; the identity otherwise. Dropping a channel as a whole
    suits features whose neighbours along L are strongly correlated (the output of a
    convolution), where dropping single elements barely regularises.

    ``inplace=True`` is accepted for PyTorch's signature; the result is a new tensor.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> _ = minigrad.manual_seed(0)
        >>> y = F.dropout1d(minigrad.ones(1, 6, 3), p=0.5)  # (N, C, L)
        >>> [set(row) for row in y[0].tolist()]  # each channel kept (x2) or dropped whole
        [{2.0}, {0.0}, {0.0}, {0.0}, {2.0}, {2.0}]
    """
    _check_dropout_input(input, p, "dropout1d")
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note "
            "that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs)."
        )
    return _feature_dropout(input, p, training, input.ndim - 1, "dropout1d")


def dropout2d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels: each (H, W) feature map ``input[n, c]`` of an (N, C, H, W)
    input with probability ``p``, and scale the rest by ``1 / (1 - p)``, in training; the
    identity otherwise.

    As in PyTorch 2.13, a 3-D input is read as (N, C, L), not as an unbatched (C, H, W)
    image, with a warning (use :func:`dropout1d` for that); other ranks than 3 and 4 are
    deprecated and warned about, and dropped per (N, C) entry.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> _ = minigrad.manual_seed(0)
        >>> y = F.dropout2d(minigrad.ones(2, 3, 4, 4), p=0.5)
        >>> y.sum(dim=(2, 3))  # per feature map: all 16 dropped, or all kept and doubled
        tensor([[32.,  0.,  0.],
                [ 0., 32., 32.]])
    """
    _check_dropout_input(input, p, "dropout2d")
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and "
            "will result in an error in a future release. To retain the behavior and silence "
            "this warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, "
            "and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2,
        )
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret "
            "the input as one without a batch dimension, i.e. shape (C, H, W). To maintain "
            "the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return _feature_dropout(input, p, training, 2, "dropout2d")


def _check_dropout_input(input, p: float, name: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name} expects a Tensor, got {type(input).__name__}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


# SELU's negative saturation value, -scale * alpha: alpha dropout sets dropped values to it.
_SELU_SATURATION = 1.7580993408473766


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False):
    """Dropout for self-normalizing networks (SELU; Klambauer et al., 2017): in training,
    each element is replaced with probability ``p`` by SELU's saturation value
    ``-1.7581``, and the result is scaled and shifted (``a * x + b``) so that inputs of
    mean 0 and variance 1 keep them; the identity otherwise.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.randn(100000)
        >>> y = F.alpha_dropout(x, 0.2, training=True)
        >>> abs(y.mean().item()) < 0.02 and abs(y.std().item() - 1) < 0.02
        True
    """
    return _alpha_dropout(input, p, training, 0, "alpha_dropout")


def feature_alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
):
    """:func:`alpha_dropout` of whole channels: one draw per (N, C) entry of an
    (N, C, *) input.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> y = F.feature_alpha_dropout(minigrad.zeros(2, 3, 4), 0.5, training=True)
        >>> all(len(set(row)) == 1 for row in y.reshape(6, 4).tolist())  # per channel
        True
    """
    return _alpha_dropout(input, p, training, 2, "feature_alpha_dropout")


def _alpha_dropout(input, p, training, channel_dims, name):
    _check_dropout_input(input, p, name)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    require_float(input, name)
    if p == 1.0:
        return input * 0.0
    shape = (
        tuple(input.shape)
        if not channel_dims
        else (tuple(input.shape[:channel_dims]) + (1,) * (input.ndim - channel_dims))
    )
    keep = _random.generator().random(shape) >= p  # drawn on the host, as in dropout
    alpha = _SELU_SATURATION
    a = 1.0 / ((alpha * alpha * p + 1) * (1 - p)) ** 0.5
    with input.device.activate():
        kept = input.device.from_host(keep).astype(input.dtype)
        noise = Tensor._wrap(kept * a, input.device)
        shift = Tensor._wrap((kept - 1) * (alpha * a) + alpha * a * p, input.device)
    return _F.mul(input, noise) + shift


def _feature_dropout(input: Tensor, p: float, training: bool, channel_dims: int, name: str):
    """Dropout with one draw per channel: the mask has the shape of the input's first
    ``channel_dims`` dims ((N, C), or (C,) unbatched) and size 1 along the others, so
    broadcasting spreads each keep-or-drop over a whole channel."""
    if not training or p == 0.0 or input.numel() == 0:
        return input
    if input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    require_float(input, name)
    shape = tuple(input.shape[:channel_dims]) + (1,) * (input.ndim - channel_dims)
    keep = _random.generator().random(shape) >= p  # drawn on the host, as in dropout
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    with input.device.activate():
        mask = input.device.from_host(keep).astype(input.dtype) * scale
    return _F.mul(input, Tensor._wrap(mask, input.device))


def require_float(input: Tensor, name: str, error=RuntimeError) -> None:
    """A float result from an integer input would change its dtype behind the caller's
    back: PyTorch refuses, and so does minigrad, with PyTorch's ``error`` type (for the
    activations, NotImplementedError: their kernels have no integer version)."""
    if not input.is_floating_point():
        raise error(
            f"{name} needs a floating point input, got {input.dtype}; convert it with .float()"
        )
