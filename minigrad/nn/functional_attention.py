"""Attention as functions: ``scaled_dot_product_attention`` and the multi-head attention
that ``nn.MultiheadAttention`` runs.

Attention lets every position of a sequence (a *query*) read a weighted average of the
*values* at all positions, weighted by how well the query matches each position's *key*::

    weights = softmax(q @ k^T / sqrt(d) + mask)   # (L, S): each row sums to 1
    output  = weights @ v                         # (L, d_v)

The scaling by ``1/sqrt(d)`` keeps the scores' spread independent of the key size ``d``,
so that the softmax does not saturate. Multi-head attention projects the inputs to
``num_heads`` smaller queries, keys and values, attends in each head separately, and
projects the heads' joined outputs back.

Both are compositions of tensor operations (matrix products, softmax, where), so their
gradients come from those. A row whose positions are all masked attends to nothing: its
output is 0 and so is its gradient, as in PyTorch 2.13's ``scaled_dot_product_attention``
on the CPU (a plain softmax would give NaN there).

The masks of the two functions read differently, as in PyTorch: for
``scaled_dot_product_attention`` a bool mask is True where a position *may* be attended
to; for ``multi_head_attention_forward`` (``nn.MultiheadAttention``) a bool ``attn_mask``
or ``key_padding_mask`` is True where it may *not*. A float mask is added to the scores
in both (``-inf`` excludes a position).
"""

from __future__ import annotations

import math

from .. import autocast_mode, creation
from .. import dtypes as _dtypes
from ..functions import cat, matmul, softmax
from ..functions_select import masked_fill
from ..ops import linalg as _linalg
from ..tensor import Tensor
from .functional_dropout import dropout

__all__ = ["multi_head_attention_forward", "scaled_dot_product_attention"]


@autocast_mode.casts(cpu="lower")
def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """``softmax(query @ key^T * scale + mask) @ value`` over the last two dimensions.

    ``query`` is (..., L, E), ``key`` (..., S, E) and ``value`` (..., S, Ev); the result is
    (..., L, Ev). The leading dimensions broadcast.

    Args:
        attn_mask: a bool mask, True where a query may attend to a key, or a float mask
            added to the scores; it broadcasts to (..., L, S).
        dropout_p: the probability of dropping each attention weight (applied whenever
            it is above 0, as in PyTorch: pass ``0.0`` in evaluation).
        is_causal: mask out the keys after each query (position j > i): the mask of a
            language model. Not with ``attn_mask``.
        scale: the factor of the scores (default ``1/sqrt(E)``).
        enable_gqa: let ``key`` and ``value`` have fewer heads (dimension -3) than
            ``query``, each shared by a group of query heads (grouped-query attention).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> q, k = minigrad.randn(2, 4, 5, 8), minigrad.randn(2, 4, 6, 8)
        >>> v = minigrad.randn(2, 4, 6, 3)
        >>> F.scaled_dot_product_attention(q, k, v).shape
        minigrad.Size([2, 4, 5, 3])
        >>> out = F.scaled_dot_product_attention(q, q, q, is_causal=True)
        >>> bool((out[..., 0, :] == q[..., 0, :]).all())  # the first query sees only itself
        True
    """
    _check_attention_inputs(query, key, value, attn_mask, is_causal, enable_gqa)
    length, source = query.shape[-2], key.shape[-2]
    if enable_gqa and key.shape[-3] != query.shape[-3]:
        key = _repeat_heads(key, query.shape[-3] // key.shape[-3])
        value = _repeat_heads(value, query.shape[-3] // value.shape[-3])
    if is_causal:
        attn_mask = creation.ones(length, source, dtype=_dtypes.bool, device=query.device).tril()
    scale = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = matmul(query * scale, key.transpose(-2, -1))
    if attn_mask is None:
        weights = softmax(scores, dim=-1)
    else:
        if attn_mask.dtype == _dtypes.bool:
            scores = masked_fill(scores, ~attn_mask, -math.inf)
        else:
            scores = scores + attn_mask
        weights = _masked_softmax(scores)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return matmul(weights, value)


def _masked_softmax(scores: Tensor) -> Tensor:
    """Softmax over the last dimension, with 0 (and a zero gradient) for rows whose every
    score is -inf, where a plain softmax gives 0/0."""
    dead = scores.detach().max(-1, keepdim=True).values == -math.inf
    weights = softmax(masked_fill(scores, dead, 0.0), dim=-1)
    return masked_fill(weights, dead, 0.0)


def _repeat_heads(x: Tensor, times: int) -> Tensor:
    """Each head of ``x`` (dimension -3) repeated ``times`` times, next to itself."""
    heads, rest = x.shape[-3], tuple(x.shape[-2:])
    lead = tuple(x.shape[:-3])
    expanded = x.unsqueeze(-3).expand(*lead, heads, times, *rest)
    return expanded.reshape(*lead, heads * times, *rest)


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Tensor | None = None,
    need_weights: bool = True,
    attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None,
    static_v: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
):
    """Multi-head attention on (L, N, E) inputs (or unbatched (L, E)): what
    :class:`~minigrad.nn.MultiheadAttention` computes, with its parameters passed in.

    Returns ``(output, weights)``: the output (L, N, E) and, with ``need_weights``, the
    attention weights (N, L, S), averaged over the heads unless ``average_attn_weights``
    is False ((N, num_heads, L, S)); else None. ``attn_mask`` is (L, S) or
    (N * num_heads, L, S), ``key_padding_mask`` (N, S); bool masks are True where a key
    may *not* be attended to.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.randn(5, 2, 8)  # 5 positions, a batch of 2, 8 features
        >>> w_in, w_out = minigrad.randn(24, 8), minigrad.randn(8, 8)
        >>> out, weights = F.multi_head_attention_forward(
        ...     x, x, x, 8, 2, w_in, None, None, None, False, 0.0, w_out, None)
        >>> out.shape, weights.shape
        (minigrad.Size([5, 2, 8]), minigrad.Size([2, 5, 5]))
    """
    if static_k is not None or static_v is not None:
        raise NotImplementedError("multi_head_attention_forward: static_k and static_v")
    batched = query.ndim == 3
    if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
        raise AssertionError(
            "query, key and value must all be 3-D (L, N, E) or all 2-D (L, E) unbatched, "
            f"got {query.ndim}-D, {key.ndim}-D and {value.ndim}-D"
        )
    if not batched:  # one sequence: a batch of one, squeezed off at the end
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    length, batch, embed_dim = query.shape
    source = key.shape[0]
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    if embed_dim % num_heads:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if key.shape[:2] != value.shape[:2]:
        raise AssertionError(
            f"key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}"
        )
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    head_dim = embed_dim // num_heads

    # The projections: one weight for all three, split in rows, or one weight each.
    if use_separate_proj_weight:
        weights = (q_proj_weight, k_proj_weight, v_proj_weight)
    else:
        weights = in_proj_weight.chunk(3)
    biases = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
    q = _project(query, weights[0], biases[0], "query", embed_dim)
    k = _project(key, weights[1], biases[1], "key", embed_dim)
    v = _project(value, weights[2], biases[2], "value", embed_dim)

    attn_mask = _as_float_mask(attn_mask, q, "attn_mask")
    key_padding_mask = _as_float_mask(key_padding_mask, q, "key_padding_mask")
    if bias_k is not None and bias_v is not None:  # one more key and value: learned
        k = cat([k, bias_k.expand(1, batch, embed_dim)])
        v = cat([v, bias_v.expand(1, batch, embed_dim)])
        attn_mask = _one_more_key(attn_mask)
        key_padding_mask = _one_more_key(key_padding_mask)
        source += 1

    # (L, N, E) -> (N * heads, L, head_dim): the heads become a batch dimension.
    q = q.reshape(length, batch * num_heads, head_dim).transpose(0, 1)
    k = k.reshape(source, batch * num_heads, head_dim).transpose(0, 1)
    v = v.reshape(source, batch * num_heads, head_dim).transpose(0, 1)
    if add_zero_attn:  # one more key and value: zeros
        zeros = creation.zeros(batch * num_heads, 1, head_dim, dtype=q.dtype, device=q.device)
        k, v = cat([k, zeros], dim=1), cat([v, zeros], dim=1)
        attn_mask = _one_more_key(attn_mask)
        key_padding_mask = _one_more_key(key_padding_mask)
        source += 1

    mask = _merged_mask(attn_mask, key_padding_mask, batch, num_heads, length, source)
    scores = matmul(q * (1 / math.sqrt(head_dim)), k.transpose(-2, -1))  # (N*H, L, S)
    if mask is not None:
        scores = scores + mask
        attention = _masked_softmax(scores)
    else:
        attention = softmax(scores, dim=-1)
    if dropout_p > 0.0 and training:
        attention = dropout(attention, dropout_p)
    out = matmul(attention, v)  # (N*H, L, head_dim)
    out = out.transpose(0, 1).reshape(length * batch, embed_dim)
    out = _project(out, out_proj_weight, out_proj_bias, "output", embed_dim)
    out = out.reshape(length, batch, embed_dim)
    if not batched:
        out = out.squeeze(1)
    if not need_weights:
        return out, None
    attention = attention.reshape(batch, num_heads, length, source)
    if average_attn_weights:
        attention = attention.mean(dim=1)
    return out, (attention if batched else attention.squeeze(0))


@autocast_mode.casts(cpu="lower", cuda="lower")  # a linear layer, as in PyTorch
def _project(x: Tensor, weight, bias, name: str, size: int) -> Tensor:
    """``x @ weight.T + bias`` (one ``Linear`` op), after checking the weight's shape."""
    if not isinstance(weight, Tensor) or tuple(weight.shape) != (size, x.shape[-1]):
        got = tuple(weight.shape) if isinstance(weight, Tensor) else type(weight).__name__
        raise RuntimeError(
            f"multi_head_attention_forward: the {name} projection's weight must be "
            f"{(size, x.shape[-1])}, got {got}"
        )
    if bias is not None and tuple(bias.shape) != (size,):
        raise RuntimeError(
            f"multi_head_attention_forward: the {name} projection's bias must be ({size},), "
            f"got {tuple(bias.shape)}"
        )
    return _linalg.Linear.apply(x, weight, bias)


def _as_float_mask(mask: Tensor | None, like: Tensor, name: str) -> Tensor | None:
    """A bool mask (True: may not attend) as 0 and -inf in ``like``'s dtype; a float mask
    as it is."""
    if mask is None:
        return None
    if not isinstance(mask, Tensor):
        raise TypeError(f"{name} must be a Tensor, got {type(mask).__name__}")
    if mask.dtype == _dtypes.bool:
        zeros = creation.zeros(mask.shape, dtype=like.dtype, device=like.device)
        return masked_fill(zeros, mask, -math.inf)
    if not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask


def _one_more_key(mask: Tensor | None) -> Tensor | None:
    """``mask`` with a column of zeros for a key appended at the end (bias_k, zero_attn)."""
    if mask is None:
        return None
    zeros = creation.zeros(*mask.shape[:-1], 1, dtype=mask.dtype, device=mask.device)
    return cat([mask, zeros], dim=-1)


def _merged_mask(attn_mask, key_padding_mask, batch, heads, length, source):
    """The two masks added into one that broadcasts to (N * heads, L, S)."""
    if attn_mask is not None:
        allowed = ((length, source), (batch * heads, length, source), (heads, length, source))
        if tuple(attn_mask.shape) not in allowed:
            raise RuntimeError(
                f"The shape of attn_mask is {tuple(attn_mask.shape)}, but should be "
                f"{(length, source)} or {(batch * heads, length, source)}."
            )
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (batch, source):
            raise AssertionError(
                f"expecting key_padding_mask shape of {(batch, source)}, but got "
                f"{tuple(key_padding_mask.shape)}"
            )
        padding = key_padding_mask.reshape(batch, 1, 1, source).expand(batch, heads, 1, source)
        padding = padding.reshape(batch * heads, 1, source)
        return padding if attn_mask is None else attn_mask + padding
    return attn_mask


def _check_attention_inputs(query, key, value, attn_mask, is_causal, enable_gqa) -> None:
    """The argument checks of ``scaled_dot_product_attention``, with clear messages."""
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"scaled_dot_product_attention: {name} must be a Tensor")
        if t.ndim < 2:
            raise RuntimeError(f"scaled_dot_product_attention: {name} must be at least 2-D")
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{query.dtype} key.dtype: {key.dtype} and value.dtype: {value.dtype} instead."
        )
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(
            f"scaled_dot_product_attention: query and key must have the same last dimension "
            f"(the embedding), got {query.shape[-1]} and {key.shape[-1]}"
        )
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(
            f"scaled_dot_product_attention: key and value must have the same sequence "
            f"length (dimension -2), got {key.shape[-2]} and {value.shape[-2]}"
        )
    if is_causal and attn_mask is not None:
        raise RuntimeError(
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
            "is_causal=True"
        )
    if enable_gqa and query.ndim >= 3 and query.shape[-3] % key.shape[-3]:
        raise RuntimeError(
            f"scaled_dot_product_attention: with enable_gqa, the query's heads "
            f"({query.shape[-3]}) must be a multiple of the key's ({key.shape[-3]})"
        )
