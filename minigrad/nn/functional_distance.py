"""Distances and similarities between vectors, and the losses built on them.

* ``normalize``: each vector divided by its ``p``-norm (unit length), as for embeddings;
* ``cosine_similarity``: the cosine of the angle between two vectors, in [-1, 1];
* ``pairwise_distance``: the ``p``-norm of the difference, ``||x1 - x2 + eps||_p``;
* the metric-learning and margin losses: ``cosine_embedding_loss`` (pull pairs labelled
  1 together, push pairs labelled -1 apart), ``triplet_margin_loss`` (an anchor nearer
  its positive than its negative, by a margin), ``margin_ranking_loss`` (rank ``x1``
  above ``x2`` where the label is 1), ``hinge_embedding_loss``, ``soft_margin_loss`` (the
  logistic loss of labels in {-1, 1}) and ``multilabel_soft_margin_loss`` (one binary
  logistic loss per class, averaged over the classes).

Everything here is a composition of differentiable core functions (``norm``, ``sum``,
``clamp``, ``where``), so gradients need no code of their own; each follows the formula
and the order of operations of PyTorch 2.13, so that results agree to rounding.
"""

from __future__ import annotations

from .. import autocast_mode
from .. import functions as _F
from ..functions_extra import norm
from ..functions_linalg import cdist, triu_indices
from ..functions_math import clamp_min, log1p
from ..functions_select import broadcast_tensors
from ..tensor import Tensor
from .functional_activations import logsigmoid
from .functional_losses import _reduce, _reduction

__all__ = [
    "cosine_embedding_loss",
    "cosine_similarity",
    "hinge_embedding_loss",
    "margin_ranking_loss",
    "multilabel_soft_margin_loss",
    "normalize",
    "pairwise_distance",
    "pdist",
    "soft_margin_loss",
    "triplet_margin_loss",
]


def _float_tensors(name: str, **tensors) -> None:
    """Refuse what is not a floating-point tensor, naming the argument."""
    for arg, t in tensors.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' must be Tensor, not {type(t).__name__}")
        if not t.is_floating_point():
            raise RuntimeError(
                f"{name}(): expected a floating point tensor for '{arg}', got {t.dtype}"
            )


@autocast_mode.casts(cuda="float32")
def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``: every vector scaled to unit norm
    (a vector of norm below ``eps``, such as zero, is divided by ``eps`` instead).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.normalize(minigrad.tensor([[3.0, 4.0], [0.0, 0.0]]))
        tensor([[0.6000, 0.8000],
                [0.0000, 0.0000]])
    """
    _float_tensors("normalize", input=input)
    denom = clamp_min(norm(input, p, dim, keepdim=True), eps)
    return input / denom.expand_as(input)


@autocast_mode.casts(cuda="float32")
def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """The cosine of the angle between the vectors of ``x1`` and ``x2`` along ``dim``,
    ``sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps))``; the two broadcast, and
    ``dim`` is gone from the result.

    As in PyTorch, each input is divided by its own norm before the product (which keeps
    the result in [-1, 1]), and the clamp to ``eps`` changes only the value: the gradient
    flows as through the unclamped norm (PyTorch clamps under ``no_grad``).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> a = minigrad.tensor([[1.0, 0.0], [1.0, 1.0]])
        >>> F.cosine_similarity(a, minigrad.tensor([[1.0, 0.0]]))
        tensor([1.0000, 0.7071])
    """
    _float_tensors("cosine_similarity", x1=x1, x2=x2)
    x1, x2 = broadcast_tensors(x1, x2) if tuple(x1.shape) != tuple(x2.shape) else (x1, x2)

    def unit(x):
        n = norm(x, 2, dim, keepdim=True)
        # n + (clamped - n): the clamped value, with the gradient of n
        clamped = clamp_min(n.detach(), eps)
        return x / (n + (clamped - n.detach()))

    return (unit(x1) * unit(x2)).sum(dim)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """The ``p``-norm distance between the vectors of ``x1`` and ``x2`` along the last
    dim, ``||x1 - x2 + eps||_p`` (``eps`` keeps the gradient finite where they are equal).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.pairwise_distance(minigrad.tensor([[0.0, 0.0]]), minigrad.tensor([[3.0, 4.0]]))
        tensor([5.0000])
    """
    _float_tensors("pairwise_distance", x1=x1, x2=x2)
    last = max(x1.ndim, x2.ndim) - 1
    return norm(x1 - x2 + eps, p, max(last, 0), keepdim=keepdim)


@autocast_mode.casts(cuda="float32")
def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """The ``p``-norm distance between every pair of rows of an (N, M) input, ``i < j`` in
    row-major order: a (N * (N - 1) / 2,) tensor, the upper triangle of
    :func:`minigrad.cdist` of the input with itself.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.pdist(minigrad.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]])).tolist()
        [5.0, 1.0, 4.242640495300293]
    """
    _float_tensors("pdist", input=input)
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if not p >= 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    rows, cols = triu_indices(n, n, 1, device=input.device)
    return cdist(input, input, p)[rows, cols]


def _labels(name: str, target: Tensor) -> Tensor:
    if not isinstance(target, Tensor):
        raise TypeError(f"{name}(): argument 'target' must be Tensor, not {type(target).__name__}")
    return target


@autocast_mode.casts(cpu="float32", cuda="float32")
def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """For pairs of vectors labelled ``target`` = 1 (similar) or -1 (dissimilar):
    ``1 - cos(x1, x2)`` for the similar, ``max(0, cos(x1, x2) - margin)`` for the others.

    ``input1`` and ``input2`` are (N, D) (or (D,) for one pair), ``target`` is (N,) (or a
    number's shape, ()). The cosine is PyTorch's here: ``x1 . x2 / sqrt((|x1|^2 + 1e-12)
    (|x2|^2 + 1e-12))``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> a = minigrad.tensor([[1.0, 0.0], [1.0, 0.0]])
        >>> b = minigrad.tensor([[1.0, 1.0], [1.0, 1.0]])
        >>> F.cosine_embedding_loss(a, b, minigrad.tensor([1, -1]), reduction="none")
        tensor([0.2929, 0.7071])
    """
    reduction = _reduction("cosine_embedding_loss", size_average, reduce, reduction)
    _float_tensors("cosine_embedding_loss", input1=input1, input2=input2)
    target = _labels("cosine_embedding_loss", target)
    if input1.ndim not in (1, 2) or tuple(input1.shape) != tuple(input2.shape):
        raise RuntimeError(
            "cosine_embedding_loss: expected input1 and input2 of the same shape, (N, D) or "
            f"(D,), got {tuple(input1.shape)} and {tuple(input2.shape)}"
        )
    if target.ndim != input1.ndim - 1 or (target.ndim and target.shape[0] != input1.shape[0]):
        raise RuntimeError(
            f"cosine_embedding_loss: expected a target of shape {tuple(input1.shape[:-1])} "
            f"for inputs of shape {tuple(input1.shape)}, got {tuple(target.shape)}"
        )
    dim = input1.ndim - 1
    eps = 1e-12  # PyTorch's EPSILON
    products = (input1 * input2).sum(dim)
    squares1 = (input1 * input1).sum(dim) + eps
    squares2 = (input2 * input2).sum(dim) + eps
    cos = products / (squares1 * squares2).sqrt()
    zeros = cos * 0.0
    loss = _F.where(target == 1, 1.0 - cos, zeros) + _F.where(
        target == -1, clamp_min(cos - margin, 0.0), zeros
    )
    return _reduce(loss, reduction)


@autocast_mode.casts(cpu="float32", cuda="float32")
def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, margin + d(anchor, positive) - d(anchor, negative))``, with ``d`` the
    :func:`pairwise_distance`: each anchor should be nearer its positive than its
    negative by ``margin``. With ``swap`` (Balntas et al., 2016) the negative's distance
    is the smaller of its distances to the anchor and to the positive.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> a, pos = minigrad.tensor([[0.0, 0.0]]), minigrad.tensor([[1.0, 0.0]])
        >>> F.triplet_margin_loss(a, pos, minigrad.tensor([[0.0, 1.5]]))
        tensor(0.5000)
    """
    reduction = _reduction("triplet_margin_loss", size_average, reduce, reduction)
    _float_tensors("triplet_margin_loss", anchor=anchor, positive=positive, negative=negative)
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and "
            f"negative {negative.ndim}D inputs"
        )
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = _F.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce(clamp_min(margin + d_pos - d_neg, 0.0), reduction)


@autocast_mode.casts(cpu="float32", cuda="float32")
def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``: with ``target`` 1, ``input1``
    should rank higher than ``input2`` by ``margin``; with -1, lower.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x1, x2 = minigrad.tensor([2.0, 0.0]), minigrad.tensor([1.0, 1.0])
        >>> F.margin_ranking_loss(x1, x2, minigrad.tensor([1.0, 1.0]), reduction="none")
        tensor([0., 1.])
    """
    reduction = _reduction("margin_ranking_loss", size_average, reduce, reduction)
    _float_tensors("margin_ranking_loss", input1=input1, input2=input2)
    target = _labels("margin_ranking_loss", target)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got "
            f"sizes: input1: {tuple(input1.shape)}, input2: {tuple(input2.shape)}, "
            f"target: {tuple(target.shape)} "
        )
    return _reduce(clamp_min(-target * (input1 - input2) + margin, 0.0), reduction)


@autocast_mode.casts(cpu="float32", cuda="float32")
def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """For distances ``input`` labelled 1 (similar: the loss is the distance) or -1
    (dissimilar: ``max(0, margin - input)``), as for learning embeddings.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> d = minigrad.tensor([0.3, 0.3, 2.0])
        >>> F.hinge_embedding_loss(d, minigrad.tensor([1, -1, -1]), reduction="none")
        tensor([0.3000, 0.7000, 0.0000])
    """
    reduction = _reduction("hinge_embedding_loss", size_average, reduce, reduction)
    _float_tensors("hinge_embedding_loss", input=input)
    target = _labels("hinge_embedding_loss", target)
    zeros = input * 0.0
    beyond_margin = _F.where(target != 1, clamp_min(margin - input, 0.0), zeros)
    return _reduce(beyond_margin + _F.where(target != -1, input, zeros), reduction)


@autocast_mode.casts(cpu="float32", cuda="float32")
def soft_margin_loss(
    input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean"
) -> Tensor:
    """The logistic loss of labels ``target`` in {-1, 1}: ``log(1 + exp(-target * input))``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.soft_margin_loss(minigrad.tensor([0.0, 2.0]), minigrad.tensor([1.0, -1.0]))
        tensor(1.4100)
    """
    reduction = _reduction("soft_margin_loss", size_average, reduce, reduction)
    _float_tensors("soft_margin_loss", input=input)
    target = _labels("soft_margin_loss", target)
    return _reduce(log1p((-input * target).exp()), reduction)


def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-label classification: for (N, C) scores and (N, C) labels in {0, 1}, the
    binary logistic loss of each class, ``-(y log sigmoid(x) + (1 - y) log sigmoid(-x))``,
    times ``weight`` (C,) if given, averaged over the C classes: one loss per sample,
    then reduced.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.tensor([[2.0, -1.0]])
        >>> F.multilabel_soft_margin_loss(x, minigrad.tensor([[1.0, 0.0]]))
        tensor(0.2201)
    """
    reduction = _reduction("multilabel_soft_margin_loss", size_average, reduce, reduction)
    _float_tensors("multilabel_soft_margin_loss", input=input)
    target = _labels("multilabel_soft_margin_loss", target)
    if tuple(input.shape) != tuple(target.shape):
        raise RuntimeError(
            f"multilabel_soft_margin_loss: expected a target of the input's shape "
            f"{tuple(input.shape)}, got {tuple(target.shape)}"
        )
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    classes = input.ndim - 1
    loss = loss.sum(classes) / input.shape[classes]
    return _reduce(loss, reduction)
