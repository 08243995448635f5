"""``CosineSimilarity`` and ``PairwiseDistance``: the functions of
:mod:`minigrad.nn.functional_distance` as modules (no parameters)."""

from __future__ import annotations

from . import functional as F
from .module import Module


class CosineSimilarity(Module):
    """The cosine similarity of ``x1`` and ``x2`` along ``dim``: see
    :func:`~minigrad.nn.functional.cosine_similarity`.

    Example:
        >>> import minigrad
        >>> cos = minigrad.nn.CosineSimilarity(dim=1)
        >>> cos(minigrad.tensor([[1.0, 0.0]]), minigrad.tensor([[0.0, 2.0]]))
        tensor([0.])
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """The ``p``-norm distance of ``x1`` and ``x2`` along the last dim: see
    :func:`~minigrad.nn.functional.pairwise_distance`.

    Example:
        >>> import minigrad
        >>> dist = minigrad.nn.PairwiseDistance(p=1.0, eps=0.0)
        >>> dist(minigrad.tensor([[1.0, 2.0]]), minigrad.tensor([[0.0, 0.0]]))
        tensor([3.])
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
