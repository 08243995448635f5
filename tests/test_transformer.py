"""``TransformerDecoderLayer``, ``TransformerDecoder`` and ``Transformer`` beyond the
golden cases: PyTorch's parameter names, the causal mask at work (a target position does
not see later ones), the causal-mask detection, the initialisation, and the errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
from minigrad import nn


def _model(**options):
    minigrad.manual_seed(0)
    return nn.Transformer(8, 2, 1, 1, 16, dropout=0.0, **options)


def test_parameter_names_are_pytorchs():
    names = list(_model().state_dict())
    for name in [
        "encoder.layers.0.self_attn.in_proj_weight",
        "encoder.norm.weight",
        "decoder.layers.0.self_attn.out_proj.bias",
        "decoder.layers.0.multihead_attn.in_proj_bias",
        "decoder.layers.0.norm3.weight",
        "decoder.layers.0.linear2.weight",
        "decoder.norm.bias",
    ]:
        assert name in names
    assert len(names) == 34  # as torch.nn.Transformer(8, 2, 1, 1, 16)


def test_the_causal_mask_hides_later_target_positions(device):
    model = _model().to(device)
    src = minigrad.randn(6, 1, 8, device=device)
    tgt = minigrad.randn(4, 1, 8, device=device, requires_grad=True)
    mask = nn.Transformer.generate_square_subsequent_mask(4, device=device)
    out = model(src, tgt, tgt_mask=mask)
    out[1].sum().backward()  # position 1 depends on target positions 0 and 1 only
    seen = np.abs(tgt.grad.numpy()).sum(axis=(1, 2))
    assert seen[0] > 0 and seen[1] > 0 and seen[2] == 0 and seen[3] == 0
    # changing a later position leaves the earlier outputs as they were
    changed = tgt.detach().clone()
    changed[3] = 100.0
    again = model(src, changed, tgt_mask=mask)
    np.testing.assert_allclose(again[:3].numpy(), out[:3].detach().numpy(), rtol=1e-5, atol=1e-6)


def test_a_causal_tgt_mask_is_detected_when_the_flag_is_none(device, monkeypatch):
    seen = []
    original = nn.TransformerDecoderLayer.forward

    def spy(self, *args, **kwargs):
        seen.append(kwargs["tgt_is_causal"])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(nn.TransformerDecoderLayer, "forward", spy)
    model = _model().to(device)
    src, tgt = minigrad.randn(6, 2, 8, device=device), minigrad.randn(4, 2, 8, device=device)
    model(src, tgt, tgt_mask=nn.Transformer.generate_square_subsequent_mask(4, device=device))
    model(src, tgt, tgt_mask=minigrad.zeros(4, 4, device=device))
    model(src, tgt)
    assert seen == [True, False, False]


def test_parameters_start_xavier_uniform():
    weight = _model().state_dict()["decoder.layers.0.linear1.weight"]  # (16, 8)
    bound = math.sqrt(6.0 / (16 + 8))
    assert float(weight.abs().max()) <= bound and float(weight.abs().max()) > 0.8 * bound


def test_custom_encoder_and_decoder_are_used():
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), 1)
    decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0), 3)
    model = nn.Transformer(8, 2, custom_encoder=encoder, custom_decoder=decoder)
    assert model.encoder is encoder and len(model.decoder.layers) == 3
    assert model(minigrad.randn(5, 2, 8), minigrad.randn(3, 2, 8)).shape == (3, 2, 8)


@pytest.mark.parametrize(
    ("src", "tgt", "message"),
    [
        ((5, 2, 8), (3, 1, 8), "the batch number of src and tgt must be equal"),
        ((5, 2, 8), (3, 2, 6), "the feature number of src and tgt must be equal to d_model"),
    ],
)
def test_bad_shapes_get_pytorchs_errors(src, tgt, message):
    with pytest.raises(RuntimeError, match=message):
        _model()(minigrad.randn(*src), minigrad.randn(*tgt))


def test_bad_activation_is_refused():
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerDecoderLayer(8, 2, activation="tanh")
