"""Lazy modules (``minigrad/nn/lazy.py``): shapes inferred at the first call, as in
PyTorch 2.13.

The golden cases ``lazy_*`` compare the results with PyTorch after loading its state
before the first call. Here: what a Lazy module holds before that call (its
``state_dict``, ``parameters()``, errors for any use of an uninitialized parameter), the
class switch, loading state in every order, and the errors PyTorch gives (or, where
PyTorch would build a broken module, a clear refusal).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import minigrad
from minigrad import nn, optim
from minigrad.nn.parameter import is_lazy


def test_before_the_first_call_parameters_are_uninitialized():
    layer = nn.LazyLinear(3)
    assert repr(layer) == "LazyLinear(in_features=0, out_features=3, bias=True)"
    params = list(layer.parameters())
    assert [type(p) for p in params] == [nn.UninitializedParameter] * 2
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in params)
    state = layer.state_dict()
    assert list(state) == ["weight", "bias"]
    assert state["weight"] is layer.weight  # as in PyTorch: itself, not a detached copy
    assert repr(state["weight"]) == "<UninitializedParameter>"
    assert layer.has_uninitialized_params()
    assert list(nn.LazyLinear(3, bias=False).state_dict()) == ["weight"]


@pytest.mark.parametrize(
    "use",
    [
        lambda p: p + 1,
        lambda p: p * p,
        lambda p: p.shape,
        lambda p: p.numel(),
        lambda p: p.sum(),
        lambda p: minigrad.relu(p),
        lambda p: p.tolist(),
        lambda p: np.asarray(p),
        lambda p: p.detach() * 2,
        lambda p: p[0],
    ],
)
def test_any_use_of_an_uninitialized_parameter_says_what_to_do(use):
    with pytest.raises((RuntimeError, ValueError), match="uninitialized parameter"):
        use(nn.LazyLinear(3).weight)


def test_the_first_call_infers_shapes_and_becomes_the_regular_layer():
    layer = nn.LazyLinear(3)
    weight = layer.weight
    out = layer(minigrad.randn(2, 5))
    assert type(layer) is nn.Linear and repr(layer) == (
        "Linear(in_features=5, out_features=3, bias=True)"
    )
    assert layer.weight is weight and type(weight) is nn.Parameter  # the same object
    assert weight.shape == (3, 5) and layer.bias.shape == (3,)
    bound = 1 / np.sqrt(5)  # Linear's initialisation: U(-1/sqrt(in), 1/sqrt(in))
    assert np.abs(weight.numpy()).max() <= bound and np.abs(layer.bias.numpy()).max() <= bound
    assert np.abs(weight.numpy()).max() > 0 and out.shape == (2, 3)
    assert not isinstance(layer, nn.LazyModuleMixin)
    with pytest.raises(RuntimeError, match="features"):  # now a Linear(5, 3)
        layer(minigrad.randn(2, 4))


def test_output_is_the_linear_map_of_the_initialised_parameters():
    layer = nn.LazyLinear(4)
    x = minigrad.randn(3, 6)
    out = layer(x)
    expected = x.numpy() @ layer.weight.numpy().T + layer.bias.numpy()
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_an_optimizer_built_before_the_first_call_works_after():
    """PyTorch allows it: materializing keeps the parameter objects."""
    model = nn.Sequential(nn.LazyLinear(4), nn.ReLU(), nn.LazyLinear(1))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = minigrad.randn(8, 3)
    model(x).sum().backward()
    before = [p.numpy() for p in model.parameters()]
    opt.step()
    assert opt.param_groups[0]["params"] == list(model.parameters())
    assert all(not np.array_equal(a, p.numpy()) for a, p in zip(before, model.parameters()))


def test_loading_before_the_first_call_takes_the_loaded_shapes():
    source = nn.Linear(4, 3)
    layer = nn.LazyLinear(3)
    result = layer.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert not layer.has_uninitialized_params() and layer.in_features == 4
    assert type(layer) is nn.LazyLinear  # still lazy until called, as in PyTorch
    np.testing.assert_array_equal(layer.weight.numpy(), source.weight.numpy())
    x = minigrad.randn(2, 4)
    np.testing.assert_allclose(layer(x).numpy(), source(x).numpy())  # not re-initialised
    assert type(layer) is nn.Linear


def test_loading_numpy_arrays_and_float64_modules():
    layer = nn.LazyConv2d(4, 3).double()
    state = {k: v.numpy() for k, v in nn.Conv2d(2, 4, 3).state_dict().items()}
    layer.load_state_dict(state)
    assert layer.weight.dtype == minigrad.float64 and layer.in_channels == 2
    assert layer(minigrad.randn(1, 2, 5, 5, dtype=minigrad.float64)).dtype == minigrad.float64
    assert repr(layer) == "Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1))"


def test_a_loaded_shape_that_contradicts_the_arguments_is_refused():
    """PyTorch accepts a (5, 4) weight into LazyLinear(3) and builds a broken Linear."""
    layer = nn.LazyLinear(3)
    bad = {"weight": minigrad.randn(5, 4), "bias": minigrad.randn(5)}
    with pytest.raises(RuntimeError, match=r"size mismatch for weight.*\(3, in_features\)"):
        layer.load_state_dict(bad)
    assert layer.has_uninitialized_params()  # left as it was
    bn = nn.LazyBatchNorm1d()
    state = nn.BatchNorm1d(3).state_dict()
    state["running_var"] = minigrad.ones(4)  # disagrees with the others
    with pytest.raises(RuntimeError, match=r"size mismatch for running_var.*\(3,\)"):
        bn.load_state_dict(state)


def test_partial_state_is_refused_as_missing_keys_or_at_the_first_call():
    layer = nn.LazyLinear(3)
    with pytest.raises(RuntimeError, match="Missing key\\(s\\) in state_dict: 'bias'"):
        layer.load_state_dict({"weight": minigrad.randn(3, 4)})
    layer = nn.LazyLinear(3)
    result = layer.load_state_dict({"weight": minigrad.randn(3, 4)}, strict=False)
    assert result.missing_keys == ["bias"]
    with pytest.raises(RuntimeError, match="set weight but not bias"):
        layer(minigrad.randn(2, 4))


def test_uninitialized_state_loads_only_into_uninitialized_modules():
    lazy_state = nn.LazyLinear(3).state_dict()
    with pytest.raises(RuntimeError, match=r"uninitialized .* cannot be loaded into an init"):
        nn.Linear(4, 3).load_state_dict(lazy_state)
    layer = nn.LazyLinear(3)
    layer.load_state_dict(lazy_state)  # nothing to copy, as in PyTorch
    assert layer.has_uninitialized_params()


def test_to_and_double_before_the_first_call_set_the_dtype_it_will_use():
    layer = nn.LazyLinear(2).double()
    assert layer.weight.dtype == minigrad.float64 and is_lazy(layer.weight)
    layer(minigrad.randn(3, 4, dtype=minigrad.float64))
    assert layer.weight.dtype == minigrad.float64 and layer.bias.dtype == minigrad.float64
    bn = nn.LazyBatchNorm1d(dtype=minigrad.float64)
    bn(minigrad.randn(4, 3, dtype=minigrad.float64))
    assert bn.running_mean.dtype == minigrad.float64
    assert bn.num_batches_tracked.dtype == minigrad.int64


def test_lazy_conv2d():
    conv = nn.LazyConv2d(4, 3, stride=2, padding=1, bias=False)
    assert repr(conv) == (
        "LazyConv2d(0, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)"
    )
    assert conv(minigrad.randn(3, 9, 9)).shape == (4, 5, 5)  # unbatched (C, H, W)
    assert type(conv) is nn.Conv2d and conv.weight.shape == (4, 3, 3, 3)
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.LazyConv2d(4, 3, groups=2)(minigrad.randn(1, 3, 5, 5))
    lazy = nn.LazyConv2d(4, 3)
    with pytest.raises(RuntimeError, match="Expected 3D \\(unbatched\\) or 4D \\(batched\\) input"):
        lazy(minigrad.randn(5, 5))
    assert type(lazy) is nn.LazyConv2d  # a refused call leaves it lazy
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        nn.LazyConv2d(3, 3, groups=2)
    grouped = nn.LazyConv2d(4, 3, groups=2)
    grouped.load_state_dict(nn.Conv2d(6, 4, 3, groups=2).state_dict())
    assert grouped.in_channels == 6


def test_lazy_batchnorm():
    bn = nn.LazyBatchNorm1d()
    assert repr(bn) == (
        "LazyBatchNorm1d(0, eps=1e-05, momentum=0.1, affine=True, bias=True, "
        "track_running_stats=True)"
    )
    assert list(bn.state_dict()) == [
        "weight", "bias", "running_mean", "running_var", "num_batches_tracked",
    ]  # fmt: skip
    assert [type(b).__name__ for b in bn.buffers()] == [
        "UninitializedBuffer", "UninitializedBuffer", "Tensor",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="expects a 2D or 3D input"):
        bn(minigrad.randn(3))
    out = bn(minigrad.randn(6, 3, 4) * 3 + 1)
    assert type(bn) is nn.BatchNorm1d and bn.num_features == 3
    assert int(bn.num_batches_tracked) == 1 and bn.weight.tolist() == [1.0, 1.0, 1.0]
    np.testing.assert_allclose(out.numpy().mean(axis=(0, 2)), 0, atol=1e-5)
    with pytest.raises(ValueError, match="expects a 4D input"):
        nn.LazyBatchNorm2d()(minigrad.randn(2, 3, 4))


def test_lazy_batchnorm_options():
    plain = nn.LazyBatchNorm2d(affine=False, track_running_stats=False)
    assert plain.state_dict() == {} and list(plain.parameters()) == []
    plain(minigrad.randn(2, 3, 2, 2))
    # Nothing to give a shape to: PyTorch leaves num_features at 0 too.
    assert repr(plain) == (
        "BatchNorm2d(0, eps=1e-05, momentum=0.1, affine=False, bias=False, "
        "track_running_stats=False)"
    )
    no_bias = nn.LazyBatchNorm1d(bias=False)
    no_bias(minigrad.randn(4, 3))
    assert list(no_bias.state_dict()) == [
        "weight", "running_mean", "running_var", "num_batches_tracked",
    ]  # fmt: skip
    stats_only = nn.LazyBatchNorm2d(affine=False)
    stats_only.load_state_dict(nn.BatchNorm2d(5, affine=False).state_dict())
    assert stats_only.num_features == 5


def test_a_model_infers_every_layer_in_one_dry_run():
    model = nn.Sequential(
        nn.LazyConv2d(4, 3, padding=1), nn.LazyBatchNorm2d(), nn.ReLU(),
        nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.LazyLinear(10),
    )  # fmt: skip
    model(minigrad.randn(2, 1, 8, 8))
    assert [type(m).__name__ for m in model] == [
        "Conv2d", "BatchNorm2d", "ReLU", "AdaptiveAvgPool2d", "Flatten", "Linear",
    ]  # fmt: skip
    assert model[5].in_features == 16


def test_hooks_registered_on_a_lazy_module_still_run():
    layer = nn.LazyLinear(2)
    seen = []
    layer.register_forward_hook(lambda module, args, output: seen.append(output.shape))
    layer(minigrad.randn(3, 4))
    layer(minigrad.randn(5, 4))
    assert seen == [(3, 2), (5, 2)]


def test_deepcopy_and_materialize():
    model = copy.deepcopy(nn.Sequential(nn.LazyLinear(3)))
    assert is_lazy(model[0].weight)
    model(minigrad.randn(1, 2))
    assert repr(model[0]) == "Linear(in_features=2, out_features=3, bias=True)"
    p = nn.UninitializedParameter(dtype=minigrad.float64)
    p.materialize((2, 3))
    assert type(p) is nn.Parameter and p.shape == (2, 3) and p.dtype == minigrad.float64
    b = nn.UninitializedBuffer()
    b.materialize((4,))
    assert type(b) is minigrad.Tensor and not b.requires_grad


def test_bad_inputs_to_the_first_call():
    with pytest.raises(RuntimeError, match="at least 1 dimension"):
        nn.LazyLinear(3)(minigrad.tensor(1.0))
    with pytest.raises(TypeError, match="expects a Tensor"):
        nn.LazyLinear(3)([1.0, 2.0])
    with pytest.raises(ValueError, match="out_features must be a positive int"):
        nn.LazyLinear(0)
