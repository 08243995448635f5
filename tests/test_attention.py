"""Attention beyond the golden cases: rows with nothing to attend to, the causal mask,
gradchecks in float64, dropout in training only, the Transformer encoder's copies and
masks, and the errors for bad arguments."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F
from minigrad.nn.attention import generate_square_subsequent_mask

F64 = minigrad.float64


def test_a_query_with_nothing_to_attend_to_gets_zeros_and_a_zero_gradient(device):
    q = minigrad.randn(1, 3, 4, device=device, requires_grad=True)
    k = minigrad.randn(1, 5, 4, device=device, requires_grad=True)
    v = minigrad.randn(1, 5, 2, device=device, requires_grad=True)
    allowed = minigrad.ones(3, 5, dtype=minigrad.bool, device=device)
    allowed[1] = False  # query 1 may attend to no key
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
    assert out[0, 1].tolist() == [0.0, 0.0]
    out.sum().backward()
    assert q.grad[0, 1].tolist() == [0.0] * 4
    assert all(bool(minigrad.isfinite(t.grad).all()) for t in (q, k, v))


def test_attention_is_the_textbook_formula(device):
    minigrad.manual_seed(0)
    q, k, v = (minigrad.randn(4, 3, device=device) for _ in range(3))
    scores = (q @ k.T / math.sqrt(3)).numpy()
    weights = np.exp(scores) / np.exp(scores).sum(1, keepdims=True)
    np.testing.assert_allclose(
        F.scaled_dot_product_attention(q, k, v).numpy(), weights @ v.numpy(), rtol=1e-5
    )
    causal = np.where(np.tril(np.ones((4, 4))) > 0, scores, -np.inf)
    weights = np.exp(causal - causal.max(1, keepdims=True))
    weights /= weights.sum(1, keepdims=True)
    out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    np.testing.assert_allclose(out.numpy(), weights @ v.numpy(), rtol=1e-5, atol=1e-7)


def test_attention_passes_gradcheck(device):
    minigrad.manual_seed(0)
    q = minigrad.randn(2, 3, 4, dtype=F64, device=device, requires_grad=True)
    k = minigrad.randn(2, 5, 4, dtype=F64, device=device, requires_grad=True)
    v = minigrad.randn(2, 5, 2, dtype=F64, device=device, requires_grad=True)
    mask = minigrad.randn(3, 5, dtype=F64, device=device, requires_grad=True)
    assert minigrad.gradcheck(lambda *t: F.scaled_dot_product_attention(*t), (q, k, v, mask))
    layer = nn.MultiheadAttention(4, 2, add_bias_kv=True, dtype=F64).to(device)
    x = minigrad.randn(3, 2, 4, dtype=F64, device=device, requires_grad=True)
    params = list(layer.parameters())
    assert minigrad.gradcheck(lambda x, *p: layer(x, x, x), (x, *params))


def test_multihead_attention_shapes_weights_and_dropout(device):
    minigrad.manual_seed(0)
    layer = nn.MultiheadAttention(8, 2, dropout=0.5).to(device)
    x = minigrad.randn(5, 3, 8, device=device)
    layer.eval()
    out, weights = layer(x, x, x)
    assert out.shape == (5, 3, 8) and weights.shape == (3, 5, 5)
    np.testing.assert_allclose(weights.sum(-1).numpy(), np.ones((3, 5)), rtol=1e-6)
    again, _ = layer(x, x, x)
    assert (out.numpy() == again.numpy()).all(), "no dropout in evaluation"
    assert layer(x, x, x, need_weights=False)[1] is None
    per_head = layer(x, x, x, average_attn_weights=False)[1]
    assert per_head.shape == (3, 2, 5, 5)
    one, w1 = layer(x[:, 0], x[:, 0], x[:, 0])  # unbatched
    assert one.shape == (5, 8) and w1.shape == (5, 5)
    np.testing.assert_allclose(one.numpy(), out[:, 0].numpy(), rtol=1e-5, atol=1e-6)
    layer.train()
    dropped, _ = layer(x, x, x)
    assert not np.allclose(dropped.numpy(), out.numpy())


def test_padding_masks_hide_keys(device):
    """A hidden key changes nothing for the queries: as if it were not there."""
    minigrad.manual_seed(0)
    layer = nn.MultiheadAttention(8, 2, batch_first=True).to(device)
    x = minigrad.randn(1, 5, 8, device=device)
    padding = minigrad.tensor([[False, False, False, True, True]], device=device)
    masked, weights = layer(x, x, x, key_padding_mask=padding)
    short, _ = layer(x, x[:, :3], x[:, :3])
    np.testing.assert_allclose(masked.numpy(), short.numpy(), rtol=1e-5, atol=1e-6)
    assert weights[0, :, 3:].abs().max().item() == 0.0


def test_transformer_encoder_copies_the_layer_and_applies_masks(device):
    minigrad.manual_seed(0)
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0)
    encoder = nn.TransformerEncoder(layer, 2).to(device)
    first, second = encoder.layers
    assert first.linear1.weight is not second.linear1.weight
    np.testing.assert_array_equal(first.linear1.weight.numpy(), second.linear1.weight.numpy())
    assert next(iter(encoder.state_dict())) == "layers.0.self_attn.in_proj_weight"
    x = minigrad.randn(4, 1, 8, device=device)
    mask = generate_square_subsequent_mask(4, device=device)
    assert mask.tolist()[0] == [0.0, -math.inf, -math.inf, -math.inf]
    out = encoder(x, mask=mask, is_causal=True)
    # A causal encoder's first position sees only itself: the same with later ones changed.
    changed = x.clone()
    changed[1:] = 5.0
    np.testing.assert_allclose(
        encoder(changed, mask=mask)[0].numpy(), out[0].numpy(), rtol=1e-5, atol=1e-6
    )


def test_bad_arguments_are_refused(device):
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(10, 3)
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
    layer = nn.MultiheadAttention(8, 2).to(device)
    x = minigrad.randn(5, 2, 8, device=device)
    with pytest.raises(AssertionError, match="was expecting embedding dimension of 8, but got 6"):
        layer(x[..., :6], x, x)
    with pytest.raises(RuntimeError, match="The shape of attn_mask is \\(4, 5\\)"):
        layer(x, x, x, attn_mask=minigrad.zeros(4, 5, device=device))
    with pytest.raises(AssertionError, match="expecting key_padding_mask shape of \\(2, 5\\)"):
        layer(x, x, x, key_padding_mask=minigrad.zeros(2, 4, dtype=minigrad.bool, device=device))
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        layer(x, x, x, is_causal=True)
    q = minigrad.randn(2, 3, 4, device=device)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set"):
        F.scaled_dot_product_attention(
            q, q, q, attn_mask=minigrad.ones(3, 3, device=device), is_causal=True
        )
    with pytest.raises(RuntimeError, match="same last dimension"):
        F.scaled_dot_product_attention(q, q[..., :3], q)
    with pytest.raises(RuntimeError, match="same dtype"):
        F.scaled_dot_product_attention(q, q.double(), q)
