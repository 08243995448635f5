"""The multi-class margin losses: ``multi_margin_loss`` (a hinge between the true class's
score and every other class's) and ``multilabel_margin_loss`` (between each of a sample's
labels and each class that is not one), and ``triplet_margin_with_distance_loss`` (the
triplet loss with a distance of one's own). Compositions of gathers, clamps and sums,
with PyTorch 2.13's formulas.
"""

from __future__ import annotations

from .. import autocast_mode, creation
from .. import functions as _F
from ..functions_math import clamp_min
from ..functions_select import gather, scatter
from ..tensor import Tensor
from .functional_distance import _float_tensors, pairwise_distance
from .functional_losses import _reduce, _reduction

__all__ = ["multi_margin_loss", "multilabel_margin_loss", "triplet_margin_with_distance_loss"]


def _class_scores(name: str, input: Tensor, target: Tensor) -> tuple[Tensor, Tensor, bool]:
    """(N, C) scores and (N,) int64 targets, from a batch or one (C,) sample."""
    _float_tensors(name, input=input)
    if not isinstance(target, Tensor) or target.dtype.kind not in "iu":
        got = target.dtype if isinstance(target, Tensor) else type(target).__name__
        raise RuntimeError(f"{name}: expected an integer target, got {got}")
    unbatched = input.ndim == 1
    if unbatched:
        input, target = input.unsqueeze(0), target.reshape(1)
    if input.ndim != 2 or target.ndim != 1 or target.shape[0] != input.shape[0]:
        raise RuntimeError(
            f"{name}: expected a (N, C) input and (N,) target, or (C,) and a single class, got "
            f"{tuple(input.shape)} and {tuple(target.shape)}"
        )
    return input, target.long(), unbatched


@autocast_mode.casts(cpu="float32", cuda="float32")
def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """The multi-class hinge loss: for scores ``x`` (N, C) and the true class ``y``,
    ``sum over i != y of max(0, margin - x[y] + x[i])**p / C`` (times ``weight[y]`` if
    given), with ``p`` 1 or 2.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.tensor([[0.1, 0.2, 0.4, 0.8]])
        >>> round(F.multi_margin_loss(x, minigrad.tensor([3])).item(), 4)  # PyTorch's example
        0.325
    """
    reduction = _reduction("multi_margin_loss", size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    input, target, unbatched = _class_scores("multi_margin_loss", input, target)
    classes = input.shape[1]
    if target.numel() and (bool((target < 0).any()) or bool((target >= classes).any())):
        raise IndexError(f"multi_margin_loss: target out of range for {classes} classes")
    true = gather(input, 1, target.unsqueeze(1))  # (N, 1)
    hinge = clamp_min(margin - true + input, 0.0)
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        hinge = hinge * weight[target].unsqueeze(1)
    others = scatter(creation.ones_like(input.detach()), 1, target.unsqueeze(1), 0.0)  # i != y
    loss = (hinge * others).sum(1) / classes
    return _reduce(loss.squeeze(0) if unbatched else loss, reduction)


@autocast_mode.casts(cpu="float32", cuda="float32")
def multilabel_margin_loss(
    input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean"
) -> Tensor:
    """The multi-label hinge loss: ``target`` (N, C) lists each sample's classes, ended
    by the first -1; the loss sums ``max(0, 1 - (x[j] - x[i]))`` over its classes ``j``
    and the classes ``i`` that are not among them, divided by C.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.tensor([[0.1, 0.2, 0.4, 0.8]])
        >>> y = minigrad.tensor([[3, 0, -1, 1]])  # classes 3 and 0 (the -1 ends the list)
        >>> round(F.multilabel_margin_loss(x, y).item(), 4)  # PyTorch's example
        0.85
    """
    reduction = _reduction("multilabel_margin_loss", size_average, reduce, reduction)
    _float_tensors("multilabel_margin_loss", input=input)
    if not isinstance(target, Tensor) or target.dtype.kind not in "iu":
        raise RuntimeError("multilabel_margin_loss: expected an integer target")
    unbatched = input.ndim == 1
    if unbatched:
        input, target = input.unsqueeze(0), target.unsqueeze(0)
    if input.ndim != 2 or tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(
            f"multilabel_margin_loss: expected a (N, C) input and a target of its shape, got "
            f"{tuple(input.shape)} and {tuple(target.shape)}"
        )
    classes = input.shape[1]
    if bool((target < -1).any()) or bool((target >= classes).any()):
        raise RuntimeError(f"multilabel_margin_loss: target out of range for {classes} classes")
    # The labels before each row's first -1, as a (N, C) mask of label positions.
    ended = (target < 0).long().cumsum(1) > 0
    listed = ~ended  # (N, C): position k holds a label
    labels = _F.where(listed, target, 0).long()
    every_class = creation.arange(classes, device=input.device)
    is_label = ((labels.unsqueeze(2) == every_class) & listed.unsqueeze(2)).any(1)  # (N, C)
    scores = gather(input, 1, labels)  # (N, C): x[j] per listed position
    hinge = clamp_min(1 - (scores.unsqueeze(2) - input.unsqueeze(1)), 0.0)  # (N, j, i)
    pairs = listed.unsqueeze(2) & ~is_label.unsqueeze(1)
    loss = (hinge * pairs.to(input.dtype)).sum((1, 2)) / classes
    return _reduce(loss.squeeze(0) if unbatched else loss, reduction)


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function=None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, margin + d(anchor, positive) - d(anchor, negative))`` with a distance
    ``d`` of one's own (default :func:`pairwise_distance`); with ``swap``, the negative's
    distance is the smaller of its distances to the anchor and to the positive.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> a, pos = minigrad.tensor([[0.0, 0.0]]), minigrad.tensor([[1.0, 0.0]])
        >>> cos = lambda x, y: 1 - F.cosine_similarity(x + 1, y + 1)
        >>> F.triplet_margin_with_distance_loss(a, pos, minigrad.tensor([[0.0, 1.5]]),
        ...                                     distance_function=cos).shape
        minigrad.Size([])
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(
            "TripletMarginWithDistanceLoss: expected margin to be greater than 0, got "
            f"{margin} instead"
        )
    distance = pairwise_distance if distance_function is None else distance_function
    d_pos = distance(anchor, positive)
    d_neg = distance(anchor, negative)
    if swap:
        d_neg = _F.minimum(d_neg, distance(positive, negative))
    return _reduce(clamp_min(margin + d_pos - d_neg, 0.0), reduction)
