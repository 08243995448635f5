"""``nn.utils.parametrize``: PyTorch's parametrization API (its tutorial's cases), and
``nn.utils.parametrizations`` (against PyTorch in ``test_reparametrize.py``)."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn.utils import parametrize


class Symmetric(nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).transpose(-1, -2)

    def right_inverse(self, a):
        return a.triu()


class Double(nn.Module):
    def forward(self, x):
        return 2 * x


class Split(nn.Module):  # two tensors in, one out
    def forward(self, a, b):
        return a + b

    def right_inverse(self, x):
        return x / 2, x / 2


def test_a_symmetric_weight_stays_symmetric_through_training():
    minigrad.manual_seed(0)
    layer = parametrize.register_parametrization(nn.Linear(3, 3), "weight", Symmetric())
    assert type(layer).__name__ == "ParametrizedLinear" and isinstance(layer, nn.Linear)
    opt = minigrad.optim.SGD(layer.parameters(), lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        layer(minigrad.randn(4, 3)).pow(2).sum().backward()
        opt.step()
    w = layer.weight.detach().numpy()
    np.testing.assert_array_equal(w, w.T)
    names = sorted(n for n, _ in layer.named_parameters())
    assert names == ["bias", "parametrizations.weight.original"]
    assert parametrize.is_parametrized(layer) and parametrize.is_parametrized(layer, "weight")
    assert not parametrize.is_parametrized(layer, "bias")


def test_assignment_goes_through_right_inverse_and_keeps_the_parameter():
    layer = parametrize.register_parametrization(nn.Linear(3, 3), "weight", Symmetric())
    original = layer.parametrizations.weight.original
    target = minigrad.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 5.0], [3.0, 5.0, 6.0]])
    layer.weight = target
    assert layer.parametrizations.weight.original is original  # the optimizer's object
    np.testing.assert_array_equal(layer.weight.detach().numpy(), target.numpy())
    doubled = parametrize.register_parametrization(nn.Linear(2, 2), "bias", Double())
    with pytest.raises(RuntimeError, match="Double does not implement right_inverse"):
        doubled.bias = minigrad.zeros(2)


def test_several_parametrizations_apply_in_order_and_cache():
    layer = nn.Linear(3, 3)
    parametrize.register_parametrization(layer, "weight", Symmetric())
    parametrize.register_parametrization(layer, "weight", Double())
    w = layer.weight.detach().numpy()
    np.testing.assert_array_equal(w, w.T)
    original = layer.parametrizations.weight.original.detach().numpy()
    np.testing.assert_allclose(w, 2 * (np.triu(original) + np.triu(original, 1).T))
    assert layer.weight is not layer.weight
    with parametrize.cached():
        assert layer.weight is layer.weight
    assert len(layer.parametrizations.weight) == 2


def test_a_right_inverse_returning_two_tensors():
    layer = parametrize.register_parametrization(nn.Linear(2, 2), "weight", Split())
    plist = layer.parametrizations.weight
    assert sorted(n for n, _ in plist.named_parameters()) == ["original0", "original1"]
    np.testing.assert_allclose(plist.original0.detach().numpy() * 2, layer.weight.detach().numpy())
    with pytest.raises(ValueError, match="sequence of tensors"):
        parametrize.remove_parametrizations(layer, "weight", leave_parametrized=False)
    value = layer.weight.detach().numpy()
    parametrize.remove_parametrizations(layer, "weight")
    assert type(layer) is nn.Linear and isinstance(layer.weight, nn.Parameter)
    np.testing.assert_allclose(layer.weight.detach().numpy(), value)


def test_remove_keeps_the_value_or_the_original():
    layer = parametrize.register_parametrization(nn.Linear(2, 2), "bias", Double())
    original = layer.parametrizations.bias.original.detach().numpy().copy()
    parametrize.remove_parametrizations(layer, "bias", leave_parametrized=False)
    np.testing.assert_array_equal(layer.bias.detach().numpy(), original)
    assert not parametrize.is_parametrized(layer) and "parametrizations" not in layer._modules
    layer = parametrize.register_parametrization(nn.Linear(2, 2), "bias", Double())
    original = layer.parametrizations.bias.original.detach().numpy().copy()
    parametrize.remove_parametrizations(layer, "bias")  # the parametrized value, 2 * original
    np.testing.assert_array_equal(layer.bias.detach().numpy(), 2 * original)
    assert parametrize.type_before_parametrizations(layer) is nn.Linear


def test_shape_changes_need_unsafe_and_bad_names_are_refused():
    class Flat(nn.Module):
        def forward(self, x):
            return x.reshape(-1)

    with pytest.raises(ValueError, match="may not change the shape or dtype"):
        parametrize.register_parametrization(nn.Linear(2, 2), "weight", Flat())
    layer = parametrize.register_parametrization(nn.Linear(2, 2), "weight", Flat(), unsafe=True)
    assert layer.weight.shape == (4,)
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized"):
        parametrize.register_parametrization(nn.Linear(2, 2), "nothing", Double())
    with pytest.raises(ValueError, match="does not have a parametrization on bias"):
        parametrize.remove_parametrizations(nn.Linear(2, 2), "bias")


def test_parametrized_state_dict_round_trip_and_buffers():
    layer = parametrize.register_parametrization(nn.Linear(3, 3), "weight", Symmetric())
    state = layer.state_dict()
    other = parametrize.register_parametrization(nn.Linear(3, 3), "weight", Symmetric())
    other.load_state_dict(state)
    np.testing.assert_array_equal(other.weight.detach().numpy(), layer.weight.detach().numpy())
    bn = parametrize.register_parametrization(nn.BatchNorm1d(2), "running_mean", Double())
    assert "parametrizations.running_mean.original" in bn.state_dict()
    assert not bn.parametrizations.running_mean.original.requires_grad  # still a buffer
