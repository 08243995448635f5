"""The Transformer's decoder, and the whole encoder-decoder ``Transformer`` (Vaswani et
al., 2017), with PyTorch's module names, so that state dicts move between the two.

A decoder layer has three blocks where an encoder layer has two: self-attention over the
target (usually with the causal mask, so that position ``i`` sees only positions up to
``i``), then attention from the target to the encoder's output (the *memory*: queries
from the target, keys and values from the memory), then the feed-forward network. Each
block sits in a residual connection with LayerNorm and dropout, after the block by
default, before it with ``norm_first``.
"""

from __future__ import annotations

import copy

from ..tensor import Tensor
from . import init
from .attention import (
    MultiheadAttention,
    TransformerEncoder,
    TransformerEncoderLayer,
    feed_forward_activation,
    generate_square_subsequent_mask,
)
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm


class TransformerDecoderLayer(Module):
    """Self-attention over the target, attention to the memory, then a feed-forward
    network, each with a residual connection::

        x = norm1(x + dropout1(self_attn(x, x, x, tgt_mask)))      # norm_first=False
        x = norm2(x + dropout2(multihead_attn(x, memory, memory, memory_mask)))
        x = norm3(x + dropout3(linear2(dropout(activation(linear1(x))))))

    With ``norm_first=True`` each block normalises its input instead
    (``x = x + dropout1(self_attn(norm1(x), ...))``, and so on).

    Args: as :class:`~minigrad.nn.TransformerEncoderLayer` (``d_model``, ``nhead``,
    ``dim_feedforward=2048``, ``dropout=0.1``, ``activation="relu"``,
    ``layer_norm_eps=1e-5``, ``batch_first=False``, ``norm_first=False``, ``bias=True``,
    ``device``, ``dtype``).

    ``forward(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
    memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False)``.

    Example:
        >>> import minigrad
        >>> layer = minigrad.nn.TransformerDecoderLayer(16, 4, batch_first=True)
        >>> memory, tgt = minigrad.randn(2, 9, 16), minigrad.randn(2, 5, 16)
        >>> layer(tgt, memory).shape
        minigrad.Size([2, 5, 16])
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation="relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        where = {"device": device, "dtype": dtype}
        attention = {"dropout": dropout, "bias": bias, "batch_first": batch_first, **where}
        self.self_attn = MultiheadAttention(d_model, nhead, **attention)
        self.multihead_attn = MultiheadAttention(d_model, nhead, **attention)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **where)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **where)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **where)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **where)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **where)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = feed_forward_activation(activation)

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor:
        x = tgt
        own = (tgt_mask, tgt_key_padding_mask, tgt_is_causal)
        other = (memory, memory_mask, memory_key_padding_mask, memory_is_causal)
        if self.norm_first:
            x = x + self._self_attention_block(self.norm1(x), *own)
            x = x + self._memory_attention_block(self.norm2(x), *other)
            x = x + self._feed_forward_block(self.norm3(x))
        else:
            x = self.norm1(x + self._self_attention_block(x, *own))
            x = self.norm2(x + self._memory_attention_block(x, *other))
            x = self.norm3(x + self._feed_forward_block(x))
        return x

    def _self_attention_block(self, x, attn_mask, key_padding_mask, is_causal) -> Tensor:
        out, _ = self.self_attn(
            x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
            need_weights=False, is_causal=is_causal,
        )  # fmt: skip
        return self.dropout1(out)

    def _memory_attention_block(self, x, memory, attn_mask, key_padding_mask, is_causal):
        out, _ = self.multihead_attn(
            x, memory, memory, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
            need_weights=False, is_causal=is_causal,
        )  # fmt: skip
        return self.dropout2(out)

    def _feed_forward_block(self, x) -> Tensor:
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerDecoder(Module):
    """``num_layers`` copies of ``decoder_layer`` (each with its own parameters), applied
    in turn to the target with the same memory, then ``norm`` if given.

    ``forward(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
    memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False)``; with
    ``tgt_is_causal=None``, a ``tgt_mask`` equal to the causal mask counts as causal, as in
    PyTorch.

    Example:
        >>> import minigrad
        >>> layer = minigrad.nn.TransformerDecoderLayer(16, 4, dim_feedforward=32)
        >>> decoder = minigrad.nn.TransformerDecoder(layer, num_layers=2)
        >>> decoder(minigrad.randn(5, 2, 16), minigrad.randn(9, 2, 16)).shape
        minigrad.Size([5, 2, 16])
    """

    def __init__(self, decoder_layer: Module, num_layers: int, norm: Module | None = None):
        super().__init__()
        self.layers = ModuleList([copy.deepcopy(decoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        positions = 1 if tgt.ndim == 3 and self._batch_first() else 0
        causal = _is_causal(tgt_mask, tgt_is_causal, tgt.shape[positions])
        x = tgt
        for layer in self.layers:
            x = layer(
                x, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                tgt_key_padding_mask=tgt_key_padding_mask,
                memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=causal,
                memory_is_causal=memory_is_causal,
            )  # fmt: skip
        return x if self.norm is None else self.norm(x)

    def _batch_first(self) -> bool:
        attention = getattr(self.layers[0], "self_attn", None) if self.layers else None
        return bool(getattr(attention, "batch_first", False))


def _is_causal(mask, is_causal, length: int) -> bool:
    """PyTorch's ``_detect_is_causal_mask``: the flag as given, or, when it is None, whether
    the mask is exactly the causal mask of ``length`` positions."""
    if is_causal is not None or mask is None:
        return bool(is_causal)
    if tuple(mask.shape) != (length, length):
        return False
    causal = generate_square_subsequent_mask(length, device=mask.device, dtype=mask.dtype)
    return bool((mask == causal).all())


class Transformer(Module):
    """The encoder-decoder Transformer: ``num_encoder_layers`` encoder layers over the
    source, whose output (the memory) ``num_decoder_layers`` decoder layers attend to
    while transforming the target; each stack ends with a LayerNorm. The parameters of
    more than one dimension start Xavier-uniform, as in PyTorch. (No embeddings and no
    positional encoding: the inputs are (S, N, E) and (T, N, E) features, or (N, S, E)
    and (N, T, E) with ``batch_first``.)

    ``forward(src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
    src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None,
    src_is_causal=None, tgt_is_causal=None, memory_is_causal=False)``;
    ``Transformer.generate_square_subsequent_mask(T)`` is the causal ``tgt_mask``.

    Example:
        >>> import minigrad
        >>> model = minigrad.nn.Transformer(d_model=16, nhead=4, num_encoder_layers=2,
        ...                                 num_decoder_layers=2, dim_feedforward=32)
        >>> src, tgt = minigrad.randn(9, 2, 16), minigrad.randn(5, 2, 16)
        >>> mask = model.generate_square_subsequent_mask(5)
        >>> model(src, tgt, tgt_mask=mask).shape
        minigrad.Size([5, 2, 16])
    """

    generate_square_subsequent_mask = staticmethod(generate_square_subsequent_mask)

    def __init__(
        self,
        d_model: int = 512,
        nhead: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation="relu",
        custom_encoder: Module | None = None,
        custom_decoder: Module | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        where = {"device": device, "dtype": dtype}
        layer = {
            "dim_feedforward": dim_feedforward, "dropout": dropout, "activation": activation,
            "layer_norm_eps": layer_norm_eps, "batch_first": batch_first,
            "norm_first": norm_first, "bias": bias, **where,
        }  # fmt: skip
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            self.encoder = TransformerEncoder(
                TransformerEncoderLayer(d_model, nhead, **layer), num_encoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **where),
            )  # fmt: skip
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(
                TransformerDecoderLayer(d_model, nhead, **layer), num_decoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **where),
            )  # fmt: skip
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(
        self,
        src: Tensor,
        tgt: Tensor,
        src_mask: Tensor | None = None,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        batch = 0 if self.batch_first else 1
        if src.ndim == 3 and src.shape[batch] != tgt.shape[batch]:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(
            src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
            is_causal=src_is_causal,
        )  # fmt: skip
        return self.decoder(
            tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
            tgt_key_padding_mask=tgt_key_padding_mask,
            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
            memory_is_causal=memory_is_causal,
        )  # fmt: skip
