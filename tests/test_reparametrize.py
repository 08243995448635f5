"""``nn.utils.weight_norm`` and ``nn.utils.spectral_norm`` (PyTorch's hook-based forms)
against PyTorch 2.13 (``tests/golden/make_golden_reparam.py``): each layer starts from
PyTorch's weights (and power-iteration vectors); three training forwards and one in
evaluation mode give the same outputs, buffers and gradients."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "golden"))
from reparam_cases import CASES, tensors_of, value_of

import minigrad
from minigrad import nn

GOLDEN = np.load(Path(__file__).parent / "golden" / "reparam.npz", allow_pickle=False)


def build(name, device="cpu"):
    make, _, kind, options = CASES[name]
    layer = make(nn).to(device)
    g = lambda key: GOLDEN[f"{name}.{key}"]  # noqa: E731
    layer.load_state_dict({"weight": g("weight0"), "bias": g("bias0")})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        reparametrize = {
            "weight": nn.utils.weight_norm,
            "spectral": nn.utils.spectral_norm,
            "p_weight": nn.utils.parametrizations.weight_norm,
            "p_spectral": nn.utils.parametrizations.spectral_norm,
        }[kind]
        reparametrize(layer, **options)
    _, buffers = tensors_of(kind)
    with minigrad.no_grad():  # PyTorch's random start of the power iteration
        for buffer, key in zip(buffers, ("u_init", "v_init")):
            value_of(layer, buffer).copy_(minigrad.tensor(g(key), device=device))
    return layer, kind


def test_golden_file_covers_every_case():
    assert {k.split(".")[0] for k in GOLDEN.files if k != "__torch_version__"} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name, device):
    layer, kind = build(name, device)
    g = lambda key: GOLDEN[f"{name}.{key}"]  # noqa: E731
    assert list(layer.state_dict()) == list(g("keys"))
    params, buffers = tensors_of(kind)
    for step, x in enumerate(g("inputs")):
        if step == 3:
            layer.eval()
        layer.zero_grad()
        y = layer(minigrad.tensor(x, device=device))
        (y**2).sum().backward()
        np.testing.assert_allclose(y.detach().cpu().numpy(), g(f"out{step}"), rtol=1e-5, atol=1e-5)
        for p in params:
            np.testing.assert_allclose(value_of(layer, p).grad.cpu().numpy(),
                                       g(f"grad{step}.{p}"), rtol=1e-4, atol=1e-5)  # fmt: skip
        for buffer, key in zip(buffers, ("u", "v")):
            np.testing.assert_allclose(value_of(layer, buffer).cpu().numpy(), g(f"{key}{step}"),
                                       rtol=1e-5, atol=1e-6)  # fmt: skip


def test_weight_norm_parameters_and_removal():
    layer, _ = build("wn_conv_dim1")
    assert layer.weight_g.shape == (1, 2, 1, 1) and isinstance(layer.weight_g, nn.Parameter)
    before = layer(minigrad.ones(1, 2, 5, 5)).detach().numpy()
    nn.utils.remove_weight_norm(layer)
    assert sorted(n for n, _ in layer.named_parameters()) == ["bias", "weight"]
    np.testing.assert_allclose(layer(minigrad.ones(1, 2, 5, 5)).detach().numpy(), before, rtol=1e-6)
    assert not layer._forward_pre_hooks
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found"):
        nn.utils.remove_weight_norm(layer)


def test_spectral_norm_divides_by_the_largest_singular_value():
    minigrad.manual_seed(0)
    layer = nn.utils.spectral_norm(nn.Linear(6, 4), n_power_iterations=3)
    for _ in range(10):
        layer(minigrad.randn(2, 6))
    sigma = np.linalg.norm(layer.weight_orig.detach().numpy(), 2)
    np.testing.assert_allclose(
        layer.weight.detach().numpy(), layer.weight_orig.detach().numpy() / sigma, rtol=1e-4
    )
    layer.eval()
    u = layer.weight_u.numpy().copy()
    layer(minigrad.randn(2, 6))
    np.testing.assert_array_equal(layer.weight_u.numpy(), u)  # not updated in evaluation
    nn.utils.remove_spectral_norm(layer)
    assert sorted(layer.state_dict()) == ["bias", "weight"]


def test_misuse_is_refused():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        layer = nn.utils.weight_norm(nn.Linear(2, 2))
        with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
            nn.utils.weight_norm(layer)
    with pytest.warns(FutureWarning, match="weight_norm is deprecated"):
        nn.utils.weight_norm(nn.Linear(2, 2))
    layer = nn.utils.spectral_norm(nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
        nn.utils.spectral_norm(layer)
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
        nn.utils.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
    with pytest.raises(ValueError, match="parameter `bias` is None"):
        nn.utils.spectral_norm(nn.Linear(2, 2, bias=False), name="bias")
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
        nn.utils.remove_spectral_norm(nn.Linear(2, 2))


def test_weight_norm_takes_a_negative_dim_as_pytorch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        layer = nn.utils.weight_norm(nn.Linear(3, 2), dim=-2)  # -2 is dim 0 here
        whole = nn.utils.weight_norm(nn.Linear(3, 2), dim=-1)  # PyTorch's -1: no dim kept
    assert layer.weight_g.shape == (2, 1) and whole.weight_g.shape == ()
