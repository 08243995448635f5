"""``Embedding``: a lookup table of learned vectors, one row per index (a word, a class, a
user); ``F.embedding`` is the lookup. The gradient of a lookup goes to the rows that were
looked up only, added up where a row was looked up more than once.
"""

from __future__ import annotations

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
        (1, 3, 8)
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
