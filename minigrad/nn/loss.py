"""Loss modules: ``CrossEntropyLoss``, ``NLLLoss``, ``MSELoss``, ``L1Loss``, ``BCELoss``,
``BCEWithLogitsLoss``, ``SmoothL1Loss``, ``HuberLoss``, ``KLDivLoss``, ``CTCLoss``,
``PoissonNLLLoss``, ``GaussianNLLLoss`` (and the deprecated ``NLLLoss2d``)."""

from __future__ import annotations

import warnings

from ..functions import legacy_reduction
from . import functional as F
from .module import Module


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = legacy_reduction(size_average, reduce)
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(
        self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
        reduction: str = "mean",
    ) -> None:  # fmt: skip
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.ignore_index = ignore_index


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy between logits (N, C) or (N, C, d1, ...) and class indices (or class
    probabilities of the logits' shape), with optional class weights, an ignored index
    and label smoothing (see :func:`minigrad.nn.functional.cross_entropy`).

    Args:
        weight: a rescaling weight for each class, a tensor of shape (C,) (default
            None: all ones); with ``"mean"`` the mean is weighted by the targets'
            weights.
        size_average: PyTorch's deprecated way of choosing the reduction (default
            None); with ``reduce``, it overrides ``reduction``, as in PyTorch.
        ignore_index: a target value that contributes nothing, neither to the loss
            nor to the mean's denominator (default -100).
        reduce: deprecated, as ``size_average`` (default None).
        reduction: ``"mean"`` (default), ``"sum"``, or ``"none"`` for the loss of
            each position.
        label_smoothing: in [0, 1]: the target becomes a mix of the one-hot class
            (weight ``1 - label_smoothing``) and the uniform distribution over the
            classes (default 0).

    Example:
        >>> import minigrad
        >>> loss = minigrad.nn.CrossEntropyLoss()
        >>> loss(minigrad.tensor([[2.0, 0.0]]), minigrad.tensor([0]))
        tensor(0.1269)
    """

    def __init__(
        self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
        reduction: str = "mean", label_smoothing: float = 0.0,
    ) -> None:  # fmt: skip
        super().__init__(weight, size_average, ignore_index, reduce, reduction)
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(
            input, target, self.weight, ignore_index=self.ignore_index,
            reduction=self.reduction, label_smoothing=self.label_smoothing,
        )  # fmt: skip


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities (for example from ``LogSoftmax``).

    Args:
        weight: a rescaling weight for each class, a tensor of shape (C,) (default
            None: all ones); with ``"mean"`` the mean is weighted by the targets'
            weights.
        size_average: PyTorch's deprecated way of choosing the reduction (default
            None); with ``reduce``, it overrides ``reduction``, as in PyTorch.
        ignore_index: a target value that contributes nothing, neither to the loss
            nor to the mean's denominator (default -100).
        reduce: deprecated, as ``size_average`` (default None).
        reduction: ``"mean"`` (default), ``"sum"``, or ``"none"`` for the loss of
            each position.

    Example:
        >>> import minigrad
        >>> log_probs = minigrad.tensor([[-0.1, -2.4], [-1.2, -0.4]])  # (N, C)
        >>> minigrad.nn.NLLLoss()(log_probs, minigrad.tensor([0, 1]))  # mean of 0.1 and 0.4
        tensor(0.2500)
    """

    def forward(self, input, target):
        return F.nll_loss(
            input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )


class MSELoss(_Loss):
    """Mean squared error (or its sum, or the elementwise squares).

    Args:
        size_average: PyTorch's deprecated way of choosing the reduction (default
            None); with ``reduce``, it overrides ``reduction``, as in PyTorch.
        reduce: deprecated, as ``size_average`` (default None).
        reduction: ``"mean"`` (default), ``"sum"``, or ``"none"`` for the loss of
            each element.

    Example:
        >>> import minigrad
        >>> input, target = minigrad.tensor([1.0, 2.0]), minigrad.tensor([1.0, 4.0])
        >>> minigrad.nn.MSELoss()(input, target)  # (0 + 4) / 2
        tensor(2.)
        >>> minigrad.nn.MSELoss(reduction="none")(input, target)
        tensor([0., 4.])
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error (or its sum, or the elementwise absolute errors): see
    :func:`~minigrad.nn.functional.l1_loss`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.L1Loss()(minigrad.tensor([1.0, 2.0]), minigrad.tensor([1.0, 4.0]))
        tensor(1.)
    """

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities (after a sigmoid), with an optional
    per-element ``weight`` (a buffer): see :func:`~minigrad.nn.functional.binary_cross_entropy`.

    Example:
        >>> import minigrad
        >>> loss = minigrad.nn.BCELoss()
        >>> loss(minigrad.tensor([0.8, 0.2]), minigrad.tensor([1.0, 0.0]))
        tensor(0.2231)
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of logits, with optional ``weight`` and ``pos_weight``
    (buffers): see :func:`~minigrad.nn.functional.binary_cross_entropy_with_logits`. The
    usual loss for two classes and for several labels per sample.

    Example:
        >>> import minigrad
        >>> loss = minigrad.nn.BCEWithLogitsLoss(pos_weight=minigrad.tensor([2.0]))
        >>> loss(minigrad.tensor([2.0, -1.0]), minigrad.tensor([1.0, 0.0]))
        tensor(0.2836)
    """

    def __init__(
        self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(
            input, target, weight=self.weight, reduction=self.reduction,
            pos_weight=self.pos_weight,
        )  # fmt: skip


class SmoothL1Loss(_Loss):
    """The squared error below ``beta``, the absolute error above: see
    :func:`~minigrad.nn.functional.smooth_l1_loss`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.SmoothL1Loss()(minigrad.tensor([0.5, 3.0]), minigrad.zeros(2))
        tensor(1.3125)
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """The Huber loss: see :func:`~minigrad.nn.functional.huber_loss`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.HuberLoss(delta=2.0)(minigrad.tensor([0.5, 3.0]), minigrad.zeros(2))
        tensor(2.0625)
    """

    def __init__(self, reduction="mean", delta=1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class KLDivLoss(_Loss):
    """The Kullback-Leibler divergence of the target from the input's distribution (the
    input as log-probabilities): see :func:`~minigrad.nn.functional.kl_div`. Use
    ``reduction='batchmean'`` for the divergence per sample.

    Example:
        >>> import minigrad
        >>> loss = minigrad.nn.KLDivLoss(reduction="batchmean")
        >>> loss(minigrad.tensor([[0.25, 0.75]]).log(), minigrad.tensor([[0.5, 0.5]]))
        tensor(0.1438)
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, "mean" if reduction == "batchmean" else reduction)
        self.reduction = reduction
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class CTCLoss(_Loss):
    """The connectionist temporal classification loss: see
    :func:`~minigrad.nn.functional.ctc_loss`. Called as ``loss(log_probs, targets,
    input_lengths, target_lengths)``.

    Example:
        >>> import minigrad
        >>> ctc = minigrad.nn.CTCLoss()
        >>> log_probs = minigrad.randn(6, 2, 5).log_softmax(2)  # 6 steps, 2 sequences
        >>> targets = minigrad.tensor([[1, 2], [3, 0]])  # "1 2" and "3" (padded)
        >>> ctc(log_probs, targets, [6, 6], [2, 1]).shape
        minigrad.Size([])
    """

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False):
        super().__init__(reduction=reduction)
        self.blank, self.zero_infinity = blank, zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return F.ctc_loss(
            log_probs, targets, input_lengths, target_lengths, self.blank, self.reduction,
            self.zero_infinity,
        )  # fmt: skip


class PoissonNLLLoss(_Loss):
    """The Poisson negative log-likelihood of counts: see
    :func:`~minigrad.nn.functional.poisson_nll_loss`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.PoissonNLLLoss()(minigrad.tensor([0.0]), minigrad.tensor([2.0]))
        tensor(1.)
    """

    def __init__(self, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                 reduction="mean") -> None:  # fmt: skip
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input, target):
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full,
                                  eps=self.eps, reduction=self.reduction)  # fmt: skip


class GaussianNLLLoss(_Loss):
    """The Gaussian negative log-likelihood of targets given predicted means and
    variances: see :func:`~minigrad.nn.functional.gaussian_nll_loss`. Called as
    ``loss(input, target, var)``.

    Example:
        >>> import minigrad
        >>> loss = minigrad.nn.GaussianNLLLoss()
        >>> loss(minigrad.tensor([[1.0, 2.0]]), minigrad.tensor([[1.0, 4.0]]), minigrad.ones(1, 2))
        tensor(1.)
    """

    def __init__(self, *, full=False, eps=1e-6, reduction="mean") -> None:
        super().__init__(reduction=reduction)
        self.full, self.eps = full, eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                   reduction=self.reduction)  # fmt: skip


class NLLLoss2d(NLLLoss):
    """Deprecated in PyTorch (with a warning): :class:`NLLLoss`, which takes (N, C, H, W)
    inputs itself.

    Example:
        >>> import warnings
        >>> import minigrad
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     loss = minigrad.nn.NLLLoss2d()
        >>> loss(minigrad.zeros(1, 2, 2, 2).log_softmax(1), minigrad.zeros(1, 2, 2).long()).item()
        0.693...
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean") -> None:  # fmt: skip
        warnings.warn(
            "`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in "
            "replacement and see https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for "
            "more details.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__(weight, size_average, ignore_index, reduce, reduction)
