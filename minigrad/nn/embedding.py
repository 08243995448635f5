"""``Embedding``: a lookup table of learned vectors, one row per index (a word, a class, a
user); ``F.embedding`` is the lookup. The gradient of a lookup goes to the rows that were
looked up only, added up where a row was looked up more than once. ``EmbeddingBag``
(``F.embedding_bag``) reduces bags of lookups to one vector each: their sum, mean or max.
"""

from __future__ import annotations

import itertools

import numpy as np

from .. import creation
from .. import dtypes as _dtypes
from ..grad_mode import no_grad
from ..ops import rearrange
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """The rows of ``weight`` (num_embeddings, dim) at the integer indices ``input``: a
    tensor of ``input.shape + (dim,)``. ``padding_idx``'s row gets no gradient. With
    ``max_norm``, each row looked up whose ``norm_type``-norm exceeds it is scaled down to
    it first, in ``weight`` itself (as in PyTorch). ``scale_grad_by_freq`` divides each
    row's gradient by how many times the batch looked it up.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> table = minigrad.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]])
        >>> F.embedding(minigrad.tensor([[2, 1], [1, 1]]), table)
        tensor([[[3., 4.],
                 [1., 2.]],
        <BLANKLINE>
                [[1., 2.],
                 [1., 2.]]])
    """
    if not isinstance(input, Tensor) or input.dtype not in (_dtypes.int64, _dtypes.int32):
        got = input.dtype if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {got} instead (usage: embedding(input, weight))"
        )
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    if sparse:
        raise NotImplementedError("embedding(sparse=True): minigrad has no sparse tensors")
    rows = weight.shape[0]
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx %= rows
    if input.device != weight.device:
        raise RuntimeError(
            f"embedding: the indices are on {input.device} and the weight on {weight.device}"
        )
    if input.numel() and (bool((input < 0).any()) or bool((input >= rows).any())):
        raise IndexError(f"index out of range in self (embedding of {rows} rows)")
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    return rearrange.Embedding.apply(
        weight, input.long(), padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq
    )


def _renorm_rows(weight: Tensor, input: Tensor, max_norm: float, norm_type: float) -> None:
    """Scale the rows of ``weight`` that ``input`` looks up down to norm ``max_norm``, in
    place, outside the graph (PyTorch's ``embedding_renorm_``)."""
    xp = weight.device.xp
    with no_grad(), weight.device.activate():
        rows = xp.unique(input._data.reshape(-1))
        picked = weight._data[rows]
        norms = (xp.abs(picked) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
        scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight._data[rows] = picked * scale[:, None].astype(picked.dtype)
        weight._version.value += 1


class Embedding(Module):
    """A table of ``num_embeddings`` learned vectors of ``embedding_dim``, looked up by
    integer indices: ``Embedding(10, 3)(indices)`` has shape ``indices.shape + (3,)``.

    The weight starts as N(0, 1), as in PyTorch, with the row of ``padding_idx`` (if
    given) zero; that row never gets a gradient, so it stays as it is. ``max_norm``,
    ``norm_type`` and ``scale_grad_by_freq`` are those of
    :func:`~minigrad.nn.functional.embedding`; ``sparse=True`` is refused (no sparse
    tensors).

    Example:
        >>> import minigrad
        >>> words = minigrad.nn.Embedding(100, 8, padding_idx=0)
        >>> words(minigrad.tensor([[5, 9, 0]])).shape
        minigrad.Size([1, 3, 8])
        >>> words.weight[0].abs().sum().item()
        0.0
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx %= num_embeddings
        if sparse:
            raise NotImplementedError("Embedding(sparse=True): minigrad has no sparse tensors")
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx, self.max_norm, self.norm_type = padding_idx, max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            weight = creation.empty(num_embeddings, embedding_dim, device=device, dtype=dtype)
            self.weight = Parameter(weight, requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise AssertionError(
                    "Shape of weight does not match num_embeddings and embedding_dim"
                )
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """Draw the table again from N(0, 1), the padding row zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0.0

    def forward(self, input):
        return embedding(
            input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
            self.scale_grad_by_freq, self.sparse,
        )  # fmt: skip

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2.0:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += ", scale_grad_by_freq=True"
        return text

    @classmethod
    def from_pretrained(
        cls, embeddings: Tensor, freeze: bool = True, padding_idx=None, max_norm=None,
        norm_type=2.0, scale_grad_by_freq=False, sparse=False,
    ) -> Embedding:  # fmt: skip
        """An Embedding whose table is ``embeddings`` (2-D), frozen unless ``freeze=False``.

        Example:
            >>> import minigrad
            >>> table = minigrad.nn.Embedding.from_pretrained(minigrad.eye(3))
            >>> table(minigrad.tensor([2])).tolist(), table.weight.requires_grad
            ([[0.0, 0.0, 1.0]], False)
        """
        if embeddings.ndim != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, dim = embeddings.shape
        return cls(
            rows, dim, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
            _weight=embeddings, _freeze=freeze,
        )  # fmt: skip


BAG_MODES = ("sum", "mean", "max")


def embedding_bag(
    input: Tensor,
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """Bags of lookups, each reduced to one vector: the ``"sum"``, ``"mean"`` or ``"max"``
    of the rows of ``weight`` its indices name, without making the (indices, dim) tensor
    of every row a plain lookup would give first. A (B, dim) result.

    The bags are the rows of a 2-D ``input`` (B, N), or the slices
    ``input[offsets[i]:offsets[i + 1]]`` of a 1-D ``input``, the last one running to the
    end (with ``include_last_offset``, ``offsets`` has B + 1 entries and its last one ends
    the last bag). An empty bag gives zeros. Entries equal to ``padding_idx`` are left out
    (of the mean's count too). ``per_sample_weights`` (``input``'s shape, mode ``"sum"``
    only) scales each row before the sum. ``max_norm`` and ``scale_grad_by_freq`` are
    :func:`embedding`'s.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> table = minigrad.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]])
        >>> words, starts = minigrad.tensor([1, 2, 2]), minigrad.tensor([0, 2])
        >>> F.embedding_bag(words, table, starts, mode="sum")
        tensor([[4., 6.],
                [3., 4.]])
        >>> F.embedding_bag(words, table, starts).tolist()  # the mean
        [[2.0, 3.0], [3.0, 4.0]]
    """
    if mode not in BAG_MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub."
        )
    if not isinstance(input, Tensor):
        raise TypeError(f"embedding_bag: input must be a Tensor, got {type(input).__name__}")
    if per_sample_weights is not None:
        if tuple(per_sample_weights.shape) != tuple(input.shape):
            raise ValueError(
                f"embedding_bag: If per_sample_weights ({tuple(per_sample_weights.shape)}) is "
                f"not None, then it must have the same shape as the input "
                f"({tuple(input.shape)})"
            )
        if per_sample_weights.dtype != weight.dtype:
            raise RuntimeError(
                f"embedding_bag: per_sample_weights is {per_sample_weights.dtype} but the "
                f"weight is {weight.dtype}; they must match"
            )
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a "
                "mini-batch of fixed length sequences. However, found offsets of type "
                f"{type(offsets).__name__}"
            )
        bags, length = input.shape
        starts = [b * length for b in range(bags)]
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.ndim == 1:
        if not isinstance(offsets, Tensor) or offsets.ndim != 1:
            got = "None" if offsets is None else f"{getattr(offsets, 'ndim', '?')}-D"
            raise ValueError(f"offsets has to be a 1D Tensor but got {got}")
        if offsets.dtype not in (_dtypes.int64, _dtypes.int32):
            raise RuntimeError(
                "Expected tensor for argument #1 'offsets' to have one of the following "
                f"scalar types: Long, Int; but got {offsets.dtype} instead"
            )
        starts = [int(o) for o in offsets.tolist()]
        if include_last_offset:
            if not starts:
                raise ValueError("include_last_offset needs at least one offset, the end")
            end, starts = starts[-1], starts[:-1]
            if end != input.shape[0]:
                raise RuntimeError(
                    f"with include_last_offset, the last offset ({end}) must be the input's "
                    f"length ({input.shape[0]})"
                )
        _check_offsets(starts, input.shape[0])
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}"
        )
    rows = embedding(input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.unsqueeze(1)
    # Which bag each entry is in, and which entries count (not padding).
    xp = weight.device.xp
    counts = [b - a for a, b in zip(starts, [*starts[1:], input.shape[0]])]
    bag_of = np.repeat(np.arange(len(starts)), counts)
    if padding_idx is not None:
        keep = (input != padding_idx % weight.shape[0]).tolist()
        bag_of, rows = bag_of[keep], rows[Tensor._wrap(xp.asarray(keep), weight.device)]
    out = creation.zeros(len(starts), weight.shape[1], dtype=weight.dtype, device=weight.device)
    bag = Tensor._wrap(xp.asarray(bag_of.astype(np.int64)), weight.device)
    if mode == "max":
        index = bag.unsqueeze(1).expand(*rows.shape).contiguous()
        return out.scatter_reduce(0, index, rows, "amax", include_self=False)
    total = out.index_add(0, bag, rows)
    if mode == "sum":
        return total
    sizes = np.maximum(np.bincount(bag_of, minlength=len(starts)), 1).astype(weight.dtype)
    return total / Tensor._wrap(xp.asarray(sizes[:, None]), weight.device)


def _check_offsets(starts: list[int], length: int) -> None:
    if starts and starts[0] != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
            f"from position 0. However, got {starts[0]}"
        )
    if starts and starts[-1] > length:
        raise RuntimeError(
            f"offsets[-1] can not be greater than input's length {length} but got "
            f"offsets[-1] of {starts[-1]}"
        )
    if any(b < a for a, b in itertools.pairwise(starts)):
        raise RuntimeError(f"embedding_bag: offsets must not decrease, got {starts}")


class EmbeddingBag(Module):
    """A lookup table whose lookups come in bags, each reduced to one vector (the sum,
    mean or max of its rows): :func:`~minigrad.nn.functional.embedding_bag` with a learned
    ``weight`` (num_embeddings, embedding_dim), N(0, 1) at first with the ``padding_idx``
    row zero. ``forward(input, offsets=None, per_sample_weights=None)``. A bag of words
    model for text classification is one ``EmbeddingBag`` and one ``Linear``.

    Example:
        >>> import minigrad
        >>> bag = minigrad.nn.EmbeddingBag(100, 8, mode="sum")
        >>> text, starts = minigrad.tensor([4, 7, 7, 1, 3]), minigrad.tensor([0, 3])
        >>> bag(text, starts).shape  # two bags: [4, 7, 7] and [1, 3]
        minigrad.Size([2, 8])
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        _weight: Tensor | None = None,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        if mode not in BAG_MODES:
            raise ValueError("mode has to be one of sum, mean or max")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise AssertionError("padding_idx must be within num_embeddings")
            padding_idx %= num_embeddings
        if sparse:
            raise NotImplementedError("EmbeddingBag(sparse=True): minigrad has no sparse tensors")
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.mode, self.sparse = scale_grad_by_freq, mode, sparse
        self.include_last_offset, self.padding_idx = include_last_offset, padding_idx
        if _weight is None:
            weight = creation.empty(num_embeddings, embedding_dim, device=device, dtype=dtype)
            self.weight = Parameter(weight)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise AssertionError(
                    "Shape of weight does not match num_embeddings and embedding_dim"
                )
            self.weight = Parameter(_weight)

    def reset_parameters(self) -> None:
        """Draw the table again from N(0, 1), the padding row zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0.0

    def forward(self, input, offsets=None, per_sample_weights=None):
        return embedding_bag(
            input, self.weight, offsets, self.max_norm, self.norm_type,
            self.scale_grad_by_freq, self.mode, self.sparse, per_sample_weights,
            self.include_last_offset, self.padding_idx,
        )  # fmt: skip

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += ", scale_grad_by_freq=True"
        text += f", mode='{self.mode}'"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        return text

    @classmethod
    def from_pretrained(
        cls, embeddings: Tensor, freeze: bool = True, max_norm=None, norm_type=2.0,
        scale_grad_by_freq=False, mode="mean", sparse=False, include_last_offset=False,
        padding_idx=None,
    ) -> EmbeddingBag:  # fmt: skip
        """An EmbeddingBag whose table is ``embeddings`` (2-D), frozen unless
        ``freeze=False``.

        Example:
            >>> import minigrad
            >>> bag = minigrad.nn.EmbeddingBag.from_pretrained(minigrad.eye(3), mode="sum")
            >>> bag(minigrad.tensor([[0, 2]])).tolist()
            [[1.0, 0.0, 1.0]]
        """
        if embeddings.ndim != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, dim = embeddings.shape
        bag = cls(
            rows, dim, max_norm, norm_type, scale_grad_by_freq, mode, sparse, embeddings,
            include_last_offset, padding_idx,
        )  # fmt: skip
        bag.weight.requires_grad_(not freeze)
        return bag
