"""``MultiheadAttention``, and the Transformer encoder built on it.

``MultiheadAttention`` holds the parameters of
:func:`~minigrad.nn.functional_attention.multi_head_attention_forward`, with PyTorch's
names, shapes and initialisation, so that a ``state_dict`` moves between the two.
``TransformerEncoderLayer`` is self-attention and a two-layer feed-forward network, each
in a residual connection with LayerNorm and dropout (after them by default, before them
with ``norm_first``); ``TransformerEncoder`` stacks copies of one layer.
"""

from __future__ import annotations

import copy

from .. import creation
from .. import dtypes as _dtypes
from ..tensor import Tensor
from . import functional as F
from . import init
from .container import ModuleList
from .dropout import Dropout
from .functional_attention import multi_head_attention_forward
from .linear import Linear
from .module import Module
from .normalization import LayerNorm
from .parameter import Parameter


class NonDynamicallyQuantizableLinear(Linear):
    """A ``Linear`` layer: the type of ``MultiheadAttention.out_proj``, named as in PyTorch
    (whose quantization tools treat it apart; here it is only the name).

    Example:
        >>> import minigrad
        >>> minigrad.nn.MultiheadAttention(8, 2).out_proj
        NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)
    """


class MultiheadAttention(Module):
    """Attention with ``num_heads`` heads: ``softmax(q k^T / sqrt(d)) v`` in each head, on
    projections of the query, key and value, the heads joined and projected back.

    Args:
        embed_dim: the size of each position's features (the query's last dimension).
        num_heads: the heads; ``embed_dim`` must be divisible by it (each head gets
            ``embed_dim // num_heads`` features).
        dropout: dropout on the attention weights, in training.
        bias: biases on the input and output projections (default True).
        add_bias_kv: a learned key and value appended to every sequence.
        add_zero_attn: a key and value of zeros appended (after ``add_bias_kv``'s).
        kdim, vdim: the key's and value's feature sizes (default ``embed_dim``); if they
            differ from it, the projections are three weights (``q_proj_weight``, ...)
            instead of one ``in_proj_weight``.
        batch_first: inputs and output are (N, L, E) instead of (L, N, E).
        device, dtype: where and how the parameters are made.

    ``forward(query, key, value, key_padding_mask=None, need_weights=True,
    attn_mask=None, average_attn_weights=True, is_causal=False)`` returns
    ``(output, weights)``; bool masks are True where a key may *not* be attended to
    (see :func:`~minigrad.nn.functional.multi_head_attention_forward`).

    Example:
        >>> import minigrad
        >>> attention = minigrad.nn.MultiheadAttention(16, 4, batch_first=True)
        >>> x = minigrad.randn(2, 5, 16)  # a batch of 2 sequences of 5 positions
        >>> out, weights = attention(x, x, x)  # self-attention
        >>> out.shape, weights.shape
        (minigrad.Size([2, 5, 16]), minigrad.Size([2, 5, 5]))
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} "
                f"and num_heads={num_heads} instead"
            )
        if embed_dim % num_heads:
            raise AssertionError("embed_dim must be divisible by num_heads")
        self.embed_dim = embed_dim
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        self.add_zero_attn = add_zero_attn

        def new(*shape):
            return Parameter(creation.empty(*shape, device=device, dtype=dtype))

        if self._qkv_same_embed_dim:
            self.in_proj_weight = new(3 * embed_dim, embed_dim)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = new(embed_dim, embed_dim)
            self.k_proj_weight = new(embed_dim, self.kdim)
            self.v_proj_weight = new(embed_dim, self.vdim)
            self.register_parameter("in_proj_weight", None)
        self.register_parameter("in_proj_bias", new(3 * embed_dim) if bias else None)
        self.out_proj = NonDynamicallyQuantizableLinear(
            embed_dim, embed_dim, bias=bias, device=device, dtype=dtype
        )
        self.register_parameter("bias_k", new(1, 1, embed_dim) if add_bias_kv else None)
        self.register_parameter("bias_v", new(1, 1, embed_dim) if add_bias_kv else None)
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """PyTorch's initialisation: Xavier-uniform projections, zero biases, Xavier-normal
        ``bias_k`` and ``bias_v``; ``out_proj.weight`` keeps Linear's."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for weight in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ):
        batched = query.ndim == 3
        if self.batch_first and batched:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        out, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads,
            self.in_proj_weight, self.in_proj_bias, self.bias_k, self.bias_v,
            self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, key_padding_mask=key_padding_mask,
            need_weights=need_weights, attn_mask=attn_mask,
            use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight, average_attn_weights=average_attn_weights,
            is_causal=is_causal,
        )  # fmt: skip
        if self.batch_first and batched:
            out = out.transpose(0, 1)
        return out, weights


def feed_forward_activation(activation):
    """The feed-forward network's activation: ``"relu"``, ``"gelu"``, or a function."""
    if isinstance(activation, str):
        if activation not in ("relu", "gelu"):
            raise RuntimeError(f"activation should be relu/gelu, not {activation}")
        return F.relu if activation == "relu" else F.gelu
    return activation


class TransformerEncoderLayer(Module):
    """Self-attention, then a feed-forward network, each with a residual connection::

        x = norm1(x + dropout1(self_attn(x, x, x)))        # norm_first=False (default)
        x = norm2(x + dropout2(linear2(dropout(activation(linear1(x))))))

    With ``norm_first=True`` each block normalises its input instead:
    ``x = x + dropout1(self_attn(norm1(x)))``, and the same for the feed-forward block.

    Args:
        d_model: the features of each position.
        nhead: the attention heads.
        dim_feedforward: the hidden size of the feed-forward network (default 2048).
        dropout: the dropout probability of every dropout (default 0.1).
        activation: ``"relu"`` (default), ``"gelu"``, or a function of a tensor.
        layer_norm_eps: the LayerNorms' eps.
        batch_first: (N, L, E) inputs instead of (L, N, E).
        norm_first: normalise before each block instead of after.
        bias: biases in the linear layers and LayerNorms.
        device, dtype: where and how the parameters are made.

    ``forward(src, src_mask=None, src_key_padding_mask=None, is_causal=False)``: the masks
    are ``MultiheadAttention``'s ``attn_mask`` and ``key_padding_mask``.

    Example:
        >>> import minigrad
        >>> layer = minigrad.nn.TransformerEncoderLayer(d_model=16, nhead=4, batch_first=True)
        >>> layer(minigrad.randn(2, 7, 16)).shape
        minigrad.Size([2, 7, 16])
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
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, **where
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **where)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **where)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **where)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **where)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = feed_forward_activation(activation)

    def forward(
        self,
        src: Tensor,
        src_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool = False,
    ) -> Tensor:
        x = src
        if self.norm_first:
            x = x + self._attention_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._feed_forward_block(self.norm2(x))
        else:
            x = self.norm1(x + self._attention_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._feed_forward_block(x))
        return x

    def _attention_block(self, x, attn_mask, key_padding_mask, is_causal) -> Tensor:
        out, _ = self.self_attn(
            x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
            need_weights=False, is_causal=is_causal,
        )  # fmt: skip
        return self.dropout1(out)

    def _feed_forward_block(self, x) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerEncoder(Module):
    """``num_layers`` copies of ``encoder_layer`` (each with its own parameters, copied from
    it), applied in turn, then ``norm`` if given.

    ``enable_nested_tensor`` and ``mask_check`` are PyTorch's options for its nested
    tensors; they are accepted and change nothing here.

    ``forward(src, mask=None, src_key_padding_mask=None, is_causal=None)``.

    Example:
        >>> import minigrad
        >>> layer = minigrad.nn.TransformerEncoderLayer(16, 4, dim_feedforward=32)
        >>> encoder = minigrad.nn.TransformerEncoder(layer, num_layers=3)
        >>> encoder(minigrad.randn(7, 2, 16)).shape, len(encoder.layers)
        (minigrad.Size([7, 2, 16]), 3)
    """

    def __init__(
        self,
        encoder_layer: Module,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        super().__init__()
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm

    def forward(
        self,
        src: Tensor,
        mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool | None = None,
    ) -> Tensor:
        x = src
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask,
                      is_causal=bool(is_causal))  # fmt: skip
        return x if self.norm is None else self.norm(x)


def generate_square_subsequent_mask(size: int, device=None, dtype=None) -> Tensor:
    """The causal mask of ``size`` positions: 0 on and below the diagonal, -inf above it
    (a position may attend to itself and the ones before it), a float mask for
    ``MultiheadAttention`` and the Transformer layers (also
    ``nn.Transformer.generate_square_subsequent_mask``, as in PyTorch).

    Example:
        >>> import minigrad
        >>> from minigrad.nn.attention import generate_square_subsequent_mask
        >>> generate_square_subsequent_mask(3)
        tensor([[0., -inf, -inf],
                [0., 0., -inf],
                [0., 0., 0.]])
    """
    dtype = _dtypes.get_default_dtype() if dtype is None else dtype
    above = creation.ones(size, size, dtype=_dtypes.bool, device=device).triu(1)
    zeros = creation.zeros(size, size, dtype=dtype, device=device)
    return zeros.masked_fill(above, float("-inf"))
