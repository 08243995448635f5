"""The losses beyond cross-entropy and the squared error: the absolute error
(``l1_loss``) and the robust ones between it and the squared error (``smooth_l1_loss``,
``huber_loss``), binary cross-entropy of probabilities and of logits (for two-class and
multi-label outputs), and the Kullback-Leibler divergence (``kl_div``). Each computes the
elementwise loss, weights it, and reduces it.
"""

from __future__ import annotations

import warnings

from .. import autocast_mode
from .. import dtypes as _dtypes
from ..functions import legacy_reduction, where
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


def warn_if_sizes_differ(input: Tensor, target: Tensor) -> None:
    """PyTorch's warning for an elementwise loss whose target has another shape: the two
    broadcast, which is rarely what was meant."""
    if tuple(input.shape) != tuple(target.shape):
        warnings.warn(
            f"Using a target size {tuple(target.shape)} that is different to the input size "
            f"{tuple(input.shape)}. This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )


@autocast_mode.casts(cpu="float32", cuda="float32")
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
    warn_if_sizes_differ(input, target)
    return _reduce((input - target).abs(), reduction)


@autocast_mode.casts(cpu="float32", cuda="refuse")
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
    if weight is None:  # one node, as PyTorch's
        return _bce.BinaryCrossEntropy.apply(input, target, reduction=reduction)
    return _reduce(_bce.BinaryCrossEntropy.apply(input, target) * weight, reduction)


@autocast_mode.casts(cpu="float32", cuda="float32")
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
        >>> loss
        tensor(0.2201, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)
        >>> z.grad  # (sigmoid(z) - t) / 2
        tensor([-0.0596,  0.1345])
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
    z, t = input.to(dtype), target.to(dtype)
    if weight is None:  # one node, as PyTorch's
        return _bce.BinaryCrossEntropyWithLogits.apply(z, t, pos_weight, reduction=reduction)
    return _reduce(_bce.BinaryCrossEntropyWithLogits.apply(z, t, pos_weight) * weight, reduction)


@autocast_mode.casts(cpu="float32", cuda="float32")
def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """The squared error for errors below ``beta`` (halved, divided by ``beta``), the
    absolute error above (less ``beta / 2``): ``0.5 d**2 / beta`` if ``d < beta`` else
    ``d - 0.5 beta`` for ``d = |input - target|``. Less sensitive to outliers than the
    squared error, smooth at 0 unlike the absolute error; ``beta=0`` is ``l1_loss``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.smooth_l1_loss(minigrad.tensor([0.5, 3.0]), minigrad.zeros(2), reduction="none")
        tensor([0.1250, 2.5000])
    """
    reduction = _reduction("smooth_l1_loss", size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    warn_if_sizes_differ(input, target)
    d = (input - target).abs()
    if beta == 0:
        return _reduce(d, reduction)
    return _reduce(where(d < beta, d * d * (0.5 / beta), d - 0.5 * beta), reduction)


@autocast_mode.casts(cpu="float32", cuda="float32")
def huber_loss(
    input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0, weight=None
) -> Tensor:
    """``0.5 d**2`` for ``d = |input - target| < delta``, else ``delta * (d - 0.5 delta)``:
    ``delta`` times :func:`smooth_l1_loss` with ``beta=delta``. With ``weight`` (the
    input's shape), each element's loss is weighted and 'mean' divides by the weights' sum.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.huber_loss(minigrad.tensor([0.5, 3.0]), minigrad.zeros(2), delta=2.0)
        tensor(2.0625)
    """
    reduction = _reduction("huber_loss", None, None, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    warn_if_sizes_differ(input, target)
    d = (input - target).abs()
    loss = where(d < delta, d * d * 0.5, (d - 0.5 * delta) * delta)
    if weight is None:
        return _reduce(loss, reduction)
    loss = loss * weight
    return loss.sum() / weight.sum() if reduction == "mean" else _reduce(loss, reduction)


@autocast_mode.casts(cpu="float32", cuda="float32")
def kl_div(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """The Kullback-Leibler divergence of ``target`` from the distribution whose
    log-probabilities are ``input``: ``t * (log t - input)`` per element (0 where
    ``t = 0``), or with ``log_target`` (``target`` given as log-probabilities)
    ``exp(t) * (t - input)``. ``reduction='batchmean'`` (sum over everything, divided by
    the batch size) is the divergence per sample; 'mean' divides by every element, as in
    PyTorch, which warns about it. Where ``t = 0`` the target's gradient is ``-input``
    (PyTorch's is NaN there).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> p = minigrad.tensor([[0.5, 0.5]])
        >>> F.kl_div(minigrad.tensor([[0.25, 0.75]]).log(), p, reduction="batchmean")
        tensor(0.1438)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce, stacklevel=3)
    if reduction not in ("mean", "batchmean", "sum", "none"):
        raise ValueError(
            f"kl_div: reduction must be 'mean', 'batchmean', 'sum' or 'none', got {reduction!r}"
        )
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            UserWarning,
            stacklevel=2,
        )
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = target > 0
        safe = where(positive, target, 1.0)  # no log(0), and no nan in its gradient
        loss = where(positive, target * safe.log(), 0.0) - target * input
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(loss, reduction)
