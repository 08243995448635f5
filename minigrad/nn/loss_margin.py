"""The margin and metric-learning losses as modules: ``CosineEmbeddingLoss``,
``TripletMarginLoss``, ``MarginRankingLoss``, ``HingeEmbeddingLoss``, ``SoftMarginLoss``
and ``MultiLabelSoftMarginLoss``. Each holds its options and calls the function of the
same name in :mod:`minigrad.nn.functional_distance`."""

from __future__ import annotations

from . import functional as F
from .loss import _Loss, _WeightedLoss


class CosineEmbeddingLoss(_Loss):
    """``1 - cos`` for pairs labelled 1, ``max(0, cos - margin)`` for pairs labelled -1:
    see :func:`~minigrad.nn.functional.cosine_embedding_loss`.

    Example:
        >>> import minigrad
        >>> loss = minigrad.nn.CosineEmbeddingLoss()
        >>> x = minigrad.tensor([[1.0, 0.0]])
        >>> loss(x, minigrad.tensor([[0.0, 1.0]]), minigrad.tensor([1]))
        tensor(1.)
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(
            input1, input2, target, margin=self.margin, reduction=self.reduction
        )


class TripletMarginLoss(_Loss):
    """``max(0, margin + d(a, p) - d(a, n))`` for (anchor, positive, negative) triplets:
    see :func:`~minigrad.nn.functional.triplet_margin_loss`.

    Example:
        >>> import minigrad
        >>> loss = minigrad.nn.TripletMarginLoss(margin=1.0)
        >>> a, p, n = minigrad.zeros(1, 2), minigrad.ones(1, 2), minigrad.ones(1, 2) * 3
        >>> round(loss(a, p, n).item(), 4)
        0.0
    """

    def __init__(
        self, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None, reduce=None,
        reduction="mean",
    ) -> None:  # fmt: skip
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(
                f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead"
            )
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(
            anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps,
            swap=self.swap, reduction=self.reduction,
        )  # fmt: skip


class MarginRankingLoss(_Loss):
    """``max(0, -target * (x1 - x2) + margin)``: see
    :func:`~minigrad.nn.functional.margin_ranking_loss`.

    Example:
        >>> import minigrad
        >>> loss = minigrad.nn.MarginRankingLoss(margin=0.5)
        >>> loss(minigrad.tensor([1.0]), minigrad.tensor([0.75]), minigrad.tensor([1.0]))
        tensor(0.2500)
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(
            input1, input2, target, margin=self.margin, reduction=self.reduction
        )


class HingeEmbeddingLoss(_Loss):
    """The distance for pairs labelled 1, ``max(0, margin - distance)`` for pairs labelled
    -1: see :func:`~minigrad.nn.functional.hinge_embedding_loss`.

    Example:
        >>> import minigrad
        >>> loss = minigrad.nn.HingeEmbeddingLoss(margin=1.0)
        >>> loss(minigrad.tensor([0.25, 0.25]), minigrad.tensor([1, -1]))
        tensor(0.5000)
    """

    def __init__(self, margin=1.0, size_average=None, reduce=None, reduction="mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """``log(1 + exp(-target * input))`` for labels in {-1, 1}: see
    :func:`~minigrad.nn.functional.soft_margin_loss`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.SoftMarginLoss()(minigrad.tensor([0.0]), minigrad.tensor([1.0]))
        tensor(0.6931)
    """

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """One binary logistic loss per class, averaged over the classes: see
    :func:`~minigrad.nn.functional.multilabel_soft_margin_loss`.

    Example:
        >>> import minigrad
        >>> loss = minigrad.nn.MultiLabelSoftMarginLoss()
        >>> loss(minigrad.tensor([[0.0, 0.0]]), minigrad.tensor([[1.0, 0.0]]))
        tensor(0.6931)
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean") -> None:
        super().__init__(weight, size_average, reduce=reduce, reduction=reduction)

    def forward(self, input, target):
        return F.multilabel_soft_margin_loss(
            input, target, weight=self.weight, reduction=self.reduction
        )


class MultiMarginLoss(_WeightedLoss):
    """The multi-class hinge loss: see :func:`~minigrad.nn.functional.multi_margin_loss`.

    Example:
        >>> import minigrad
        >>> loss = minigrad.nn.MultiMarginLoss()
        >>> round(loss(minigrad.tensor([[0.1, 0.2, 0.4, 0.8]]), minigrad.tensor([3])).item(), 4)
        0.325
    """

    def __init__(self, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                 reduction="mean") -> None:  # fmt: skip
        super().__init__(weight, size_average, reduce=reduce, reduction=reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        self.p, self.margin = p, margin

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin,
                                   weight=self.weight, reduction=self.reduction)  # fmt: skip


class MultiLabelMarginLoss(_Loss):
    """The multi-label hinge loss: see
    :func:`~minigrad.nn.functional.multilabel_margin_loss`.

    Example:
        >>> import minigrad
        >>> loss = minigrad.nn.MultiLabelMarginLoss()
        >>> x, y = minigrad.tensor([[0.1, 0.2, 0.4, 0.8]]), minigrad.tensor([[3, 0, -1, 1]])
        >>> round(loss(x, y).item(), 4)
        0.85
    """

    def forward(self, input, target):
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """The triplet loss with a distance function of one's own: see
    :func:`~minigrad.nn.functional.triplet_margin_with_distance_loss`.

    Example:
        >>> import minigrad
        >>> loss = minigrad.nn.TripletMarginWithDistanceLoss(margin=0.5)
        >>> a, pos = minigrad.tensor([[0.0, 0.0]]), minigrad.tensor([[1.0, 0.0]])
        >>> loss(a, pos, minigrad.tensor([[0.0, 1.2]])).item() > 0
        True
    """

    def __init__(self, *, distance_function=None, margin=1.0, swap=False, reduction="mean"):
        super().__init__(reduction=reduction)
        if margin <= 0:
            raise ValueError(
                "TripletMarginWithDistanceLoss: expected margin to be greater than 0, got "
                f"{margin} instead"
            )
        self.distance_function, self.margin, self.swap = distance_function, margin, swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction,
        )  # fmt: skip
