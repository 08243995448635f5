"""Fold an evaluation-mode Batch Normalization into the layer before it.

In evaluation mode a BatchNorm layer is a fixed affine map per channel (Algorithm 2 of
Ioffe and Szegedy, 2015): with the running estimates ``mu`` and ``var``,

    y = gamma * (z - mu) / sqrt(var + eps) + beta = s * z + (beta - s * mu),
    s = gamma / sqrt(var + eps).

When ``z = W x + b`` comes from a Linear layer (or a convolution, one output channel per
BN channel), the two affine maps compose into one:

    y = (s * W) x + (s * (b - mu) + beta)

so the layer's weight rows (output channels) are scaled by ``s`` and its bias becomes
``s * (b - mu) + beta``. The folded network computes the same function with one layer
fewer: no BN pass over the activations at inference. The names and signatures are
PyTorch's (``torch.nn.utils.fusion``); ``fold_batchnorm`` does a whole ``Sequential``,
as ``torch.ao.quantization.fuse_modules`` does for named pairs.

Differences from PyTorch: a BatchNorm in training mode, one without running estimates
(``track_running_stats=False``, which normalises with batch statistics even in
evaluation mode, so there is no fixed map to fold), or mismatched sizes raise a
``ValueError`` that says what to do (PyTorch uses ``assert``); a BatchNorm without
``affine`` parameters is accepted; and the folded parameters are computed in float64
and then cast to the layer's dtype.

Example:
    >>> import minigrad
    >>> from minigrad import nn
    >>> from minigrad.nn.utils import fold_batchnorm
    >>> model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU())
    >>> _ = model(minigrad.randn(16, 4))  # training mode: the running estimates move
    >>> _ = model.eval()
    >>> folded = fold_batchnorm(model)
    >>> [type(m).__name__ for m in folded]
    ['Linear', 'Identity', 'ReLU']
    >>> x = minigrad.randn(5, 4)
    >>> bool(((folded(x) - model(x)).abs() < 1e-5).all())
    True
"""

from __future__ import annotations

import copy

from ... import dtypes as _dtypes
from ...grad_mode import no_grad
from ..batchnorm import BatchNorm1d, BatchNorm2d, _BatchNorm
from ..conv import Conv2d
from ..linear import Identity, Linear
from ..module import Module, Sequential
from ..parameter import Parameter


def fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    """The weight and bias of one Linear layer equal to ``linear`` followed by an
    evaluation-mode BatchNorm with running mean ``bn_rm``, running variance ``bn_rv``,
    ``bn_eps`` and affine parameters ``bn_w``, ``bn_b`` (None for ``affine=False``).
    ``linear_b`` may be None. Returns two new Parameters in the layer's dtype, requiring
    grad as ``linear_w`` does.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import fuse_linear_bn_weights
        >>> linear, bn = nn.Linear(4, 3), nn.BatchNorm1d(3).eval()
        >>> w, b = fuse_linear_bn_weights(linear.weight, linear.bias, bn.running_mean,
        ...                            bn.running_var, bn.eps, bn.weight, bn.bias)
        >>> w.shape, b.shape  # (out_features, in_features) and (out_features,)
        (minigrad.Size([3, 4]), minigrad.Size([3]))
    """
    return _fuse_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b)


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    """As :func:`fuse_linear_bn_weights`, for a convolution's weight
    (out_channels, in_channels / groups, kH, kW): output channel ``c`` is scaled by
    ``bn_w[c] / sqrt(bn_rv[c] + bn_eps)``.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import fuse_conv_bn_weights
        >>> conv, bn = nn.Conv2d(1, 8, 3), nn.BatchNorm2d(8).eval()
        >>> w, b = fuse_conv_bn_weights(conv.weight, conv.bias, bn.running_mean,
        ...                          bn.running_var, bn.eps, bn.weight, bn.bias)
        >>> w.shape, b.shape  # (out_channels, in_channels, kH, kW) and (out_channels,)
        (minigrad.Size([8, 1, 3, 3]), minigrad.Size([8]))
    """
    return _fuse_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b)


def fuse_linear_bn_eval(linear: Linear, bn: BatchNorm1d) -> Linear:
    """A new Linear layer that computes ``bn(linear(x))`` for evaluation-mode modules.

    ``bn`` must normalise the Linear's outputs: ``bn.num_features`` equals
    ``linear.out_features`` (or is 1, as PyTorch allows). The inputs are not changed.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import fuse_linear_bn_eval
        >>> linear, bn = nn.Linear(4, 3).eval(), nn.BatchNorm1d(3).eval()
        >>> fused = fuse_linear_bn_eval(linear, bn)
        >>> x = minigrad.randn(2, 4)  # (N, in_features)
        >>> bool(((fused(x) - bn(linear(x))).abs() < 1e-5).all())
        True
    """
    _check_pair(linear, bn, Linear, "Linear")
    if bn.num_features not in (linear.out_features, 1):
        raise ValueError(
            f"cannot fold {_describe(bn)} into Linear(out_features={linear.out_features}): "
            f"the BatchNorm must have one channel per output feature of the Linear "
            f"(num_features == out_features, or 1)"
        )
    return _fused_copy(linear, bn)


def fuse_conv_bn_eval(conv: Conv2d, bn: BatchNorm2d) -> Conv2d:
    """A new Conv2d layer that computes ``bn(conv(x))`` for evaluation-mode modules
    (``bn.num_features == conv.out_channels``). The inputs are not changed.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import fuse_conv_bn_eval
        >>> conv, bn = nn.Conv2d(3, 4, 3).eval(), nn.BatchNorm2d(4).eval()
        >>> fused = fuse_conv_bn_eval(conv, bn)
        >>> x = minigrad.randn(1, 3, 8, 8)  # (N, C, H, W)
        >>> bool(((fused(x) - bn(conv(x))).abs() < 1e-5).all())
        True
    """
    _check_pair(conv, bn, Conv2d, "Conv2d")
    if bn.num_features != conv.out_channels:
        raise ValueError(
            f"cannot fold {_describe(bn)} into Conv2d(out_channels={conv.out_channels}): "
            f"the BatchNorm must have one channel per output channel of the convolution"
        )
    return _fused_copy(conv, bn)


def fold_batchnorm(model: Sequential) -> Sequential:
    """A copy of ``model`` in which every ``Linear -> BatchNorm1d`` and
    ``Conv2d -> BatchNorm2d`` pair of consecutive layers is folded into one layer.

    The folded layer takes the Linear's (or Conv2d's) place and the BatchNorm's place is
    taken by ``nn.Identity``, so indices and the names of the other layers stay as they
    were (``torch.ao.quantization.fuse_modules`` does the same). Nested ``Sequential``
    containers are folded too; other layers are copied unchanged, and ``model`` itself
    is not modified. Every folded pair must be in evaluation mode (call
    ``model.eval()`` first): folding uses the running estimates, which only evaluation
    mode uses.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.nn.utils import fold_batchnorm
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU()).eval()
        >>> folded = fold_batchnorm(model)
        >>> [type(m).__name__ for m in folded]  # indices and names stay the same
        ['Conv2d', 'Identity', 'ReLU']
        >>> x = minigrad.randn(2, 1, 6, 6)
        >>> bool(((folded(x) - model(x)).abs() < 1e-5).all())
        True
    """
    if not isinstance(model, Sequential):
        raise TypeError(
            f"fold_batchnorm expects an nn.Sequential, got {type(model).__name__}; fold "
            f"other models pair by pair with fuse_linear_bn_eval / fuse_conv_bn_eval"
        )
    return _fold(copy.deepcopy(model), prefix="")


def _fold(model: Sequential, prefix: str) -> Sequential:
    """Fold the pairs of ``model`` (already a private copy) in place; return it."""
    items = list(model._modules.items())
    folded: list[tuple[str, Module]] = []
    i = 0
    while i < len(items):
        name, module = items[i]
        following = items[i + 1][1] if i + 1 < len(items) else None
        pair = (type(module) is Linear and isinstance(following, BatchNorm1d)) or (
            type(module) is Conv2d and isinstance(following, BatchNorm2d)
        )
        if pair:
            where = f"layers {prefix}{name} and {prefix}{items[i + 1][0]}"
            try:
                fuse = fuse_linear_bn_eval if isinstance(module, Linear) else fuse_conv_bn_eval
                fused = fuse(module, following)
            except ValueError as exc:
                raise ValueError(f"fold_batchnorm: {where}: {exc}") from None
            identity = Identity()
            identity.training = following.training
            folded += [(name, fused), (items[i + 1][0], identity)]
            i += 2
            continue
        if isinstance(module, Sequential):
            module = _fold(module, prefix=f"{prefix}{name}.")
        folded.append((name, module))
        i += 1
    for name, _ in items:
        del model._modules[name]
    for name, module in folded:
        model._modules[name] = module
    return model


def _check_pair(layer, bn, layer_type, layer_name: str) -> None:
    if not isinstance(layer, layer_type):
        raise TypeError(f"expected a {layer_name} layer, got {type(layer).__name__}")
    if not isinstance(bn, _BatchNorm):
        raise TypeError(f"expected a BatchNorm layer, got {type(bn).__name__}")
    if bn.training or layer.training:
        which = "the BatchNorm" if bn.training else f"the {layer_name}"
        raise ValueError(
            f"fusion is for inference only, but {which} is in training mode: call "
            f".eval() first (in training mode BatchNorm normalises with each batch's own "
            f"statistics, which no fixed layer can reproduce)"
        )
    if not bn.track_running_stats or bn.running_mean is None or bn.running_var is None:
        raise ValueError(
            f"cannot fold {_describe(bn)}: it has no running estimates "
            f"(track_running_stats=False), so it normalises with batch statistics even in "
            f"evaluation mode and is not a fixed affine map"
        )


def _describe(bn) -> str:
    return f"{type(bn).__name__}({bn.num_features})"


def _fused_copy(layer, bn):
    """A deep copy of ``layer`` (its options, mode and hooks) with folded parameters."""
    fused = copy.deepcopy(layer)
    weight, bias = _fuse_weights(
        layer.weight, layer.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias
    )
    fused.weight = weight
    fused.bias = bias
    return fused


def _fuse_weights(w, b, mean, var, eps, gamma, beta):
    """``w * s`` along dim 0 and ``(b - mean) * s + beta``, ``s = gamma / sqrt(var + eps)``,
    computed in float64 on the tensors' device."""
    f64 = _dtypes.float64
    with no_grad():
        scale = 1.0 / (var.to(f64) + float(eps)).sqrt()
        if gamma is not None:
            scale = scale * gamma.to(f64)
        shift = -mean.to(f64) * scale
        if b is not None:
            shift = shift + b.to(f64) * scale
        if beta is not None:
            shift = shift + beta.to(f64)
        shape = (-1,) + (1,) * (w.ndim - 1)  # one scale per output row / channel
        fused_w = (w.to(f64) * scale.reshape(shape)).to(w.dtype)
        if tuple(shift.shape) != (w.shape[0],):  # a single-channel BatchNorm: broadcast
            shift = shift.expand(w.shape[0])
        fused_b = shift.to(b.dtype if b is not None else w.dtype).clone()
    bias_grad = w.requires_grad if b is None else b.requires_grad
    return (
        Parameter(fused_w, requires_grad=w.requires_grad),
        Parameter(fused_b, requires_grad=bias_grad),
    )


__all__ = [
    "fold_batchnorm",
    "fuse_conv_bn_eval",
    "fuse_conv_bn_weights",
    "fuse_linear_bn_eval",
    "fuse_linear_bn_weights",
]
