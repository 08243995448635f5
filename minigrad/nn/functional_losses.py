"""The losses beyond cross-entropy and the squared error: the absolute error
(``l1_loss``), and binary cross-entropy of probabilities and of logits, for two-class and
multi-label outputs. Each computes the elementwise loss, weights it, and reduces it.
"""

from __future__ import annotations

import warnings

from .. import dtypes as _dtypes
from ..functions import legacy_reduction
from ..ops import binary_cross_entropy as _bce
from ..tensor import Tensor


def _reduction(name: str, size_average, reduce, reduction: str) -> str:
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce, stacklevel=4)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


def l1_loss(
    input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean"
) -> Tensor:
    """The absolute error ``|input - target|``, averaged ('mean'), summed or not. Its
    gradient at ``input == target`` is 0, as in PyTorch.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.l1_loss(minigrad.tensor([0.0, 2.0]), minigrad.tensor([1.0, 5.0]))
        tensor(2.)
    """
    reduction = _reduction("l1_loss", size_average, reduce, reduction)
    if tuple(input.shape) != tuple(target.shape):
        warnings.warn(
            f"Using a target size {tuple(target.shape)} that is different to the input size "
            f"{tuple(input.shape)}. This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=2,
        )
    return _reduce((input - target).abs(), reduction)


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy of probabilities: ``-w (t log x + (1 - t) log(1 - x))`` per
    element, for ``x = input`` in [0, 1] (after a sigmoid) and targets ``t`` in [0, 1] of
    the same shape and dtype. Each log is clamped at -100, as in PyTorch, so a probability
    of exactly 0 or 1 gives a finite loss. ``weight`` multiplies each element's loss
    (broadcast); 'mean' then averages over the elements. Prefer
    :func:`binary_cross_entropy_with_logits` on the logits: it cannot lose precision in
    the sigmoid.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.binary_cross_entropy(minigrad.tensor([0.8, 0.2]), minigrad.tensor([1.0, 0.0]))
        tensor(0.2231)
    """
    reduction = _reduction("binary_cross_entropy", size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Using a target size {tuple(target.shape)} that is different to the input size "
            f"{tuple(input.shape)} is deprecated. Please ensure they have the same size."
        )
    if target.dtype != input.dtype:
        raise RuntimeError(
            f"binary_cross_entropy: found dtype {target.dtype} for the target but expected "
            f"{input.dtype}, the input's (convert it with .to(input.dtype))"
        )
    if not _dtypes.is_floating(input.dtype):
        raise RuntimeError(f"binary_cross_entropy needs float inputs, got {input.dtype}")
    x = input._data
    if not bool(((x >= 0) & (x <= 1)).all()):
        raise RuntimeError(
            "all elements of input should be between 0 and 1 (binary_cross_entropy takes "
            "probabilities; for logits use binary_cross_entropy_with_logits)"
        )
    loss = _bce.BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross-entropy of logits: the loss of ``sigmoid(input)`` against ``target``,
    computed without the sigmoid (``(1 - t) z + softplus(-z)``, finite for any logit),
    with gradient ``sigmoid(z) - t``. ``weight`` multiplies each element's loss
    (broadcast); ``pos_weight`` (broadcast over the last dimension, one per class)
    weighs the positive term, ``-p t log sigmoid(z)``: above 1 it favours recall.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> z = minigrad.tensor([2.0, -1.0], requires_grad=True)
        >>> loss = F.binary_cross_entropy_with_logits(z, minigrad.tensor([1.0, 0.0]))
        >>> loss.backward()
        >>> loss, z.grad  # grad: (sigmoid(z) - t) / 2
        (tensor(0.2201, grad_fn=<MeanBackward>), tensor([-0.0596,  0.1345]))
    """
    reduction = _reduction("binary_cross_entropy_with_logits", size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Target size {tuple(target.shape)} must be the same as input size {tuple(input.shape)}"
        )
    dtype = _dtypes.promote_types(input.dtype, target.dtype)
    if not _dtypes.is_floating(target.dtype) or not _dtypes.is_floating(dtype):
        raise RuntimeError(
            f"result type {dtype} can't be cast to the desired output type {target.dtype}: "
            "binary_cross_entropy_with_logits needs float targets (use target.float())"
        )
    if pos_weight is not None and pos_weight.requires_grad:
        raise RuntimeError(
            "The function 'binary_cross_entropy_with_logits' is not differentiable with "
            "respect to argument 'pos_weight'. This input cannot have requires_grad True."
        )
    if pos_weight is not None:
        pos_weight = pos_weight.to(dtype)
    loss = _bce.BinaryCrossEntropyWithLogits.apply(input.to(dtype), target.to(dtype), pos_weight)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)
