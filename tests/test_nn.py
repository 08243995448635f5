"""The module system, initialisation, layer gradients and bad input for ``minigrad.nn``.

Layer values are compared with PyTorch in ``test_nn_golden.py``; this file checks the
rest of the contract: registration, state_dict, devices and dtypes, modes, hooks, repr,
default initialisation, gradchecks in float64, and the errors.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.bn = nn.BatchNorm1d(8)
        self.fc2 = nn.Linear(8, 3)
        self.register_buffer("scale", minigrad.ones(1))
        self.register_buffer("scratch", minigrad.zeros(2), persistent=False)
        self.not_registered = minigrad.zeros(5)

    def forward(self, x):
        return self.fc2(self.bn(self.fc1(x)).relu()) * self.scale


# ----------------------------------------------------------------------------------------
# Registration and traversal
# ----------------------------------------------------------------------------------------


def test_parameters_buffers_and_children_are_registered_in_order():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "fc2.weight", "fc2.bias",
    ]  # fmt: skip
    assert [n for n, _ in net.named_buffers()] == [
        "scale", "scratch", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked",
    ]  # fmt: skip
    assert [type(m).__name__ for m in net.children()] == ["Linear", "BatchNorm1d", "Linear"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "bn", "fc2"]
    assert len(list(net.modules())) == 4


def test_state_dict_has_pytorch_key_names_and_skips_non_persistent_buffers():
    keys = list(Net().state_dict())
    # PyTorch's order: a module's own parameters, then its own buffers, then each child's.
    assert keys == [
        "scale", "fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "bn.running_mean",
        "bn.running_var", "bn.num_batches_tracked", "fc2.weight", "fc2.bias",
    ]  # fmt: skip
    assert "scratch" not in keys and "not_registered" not in keys


def test_shared_parameters_appear_once():
    layer = nn.Linear(3, 3)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2


def test_assigning_none_and_deleting():
    layer = nn.Linear(2, 2)
    layer.bias = None
    assert [n for n, _ in layer.named_parameters()] == ["weight"]
    with pytest.raises(TypeError, match="Parameter or None"):
        layer.weight = minigrad.zeros(2, 2)
    del layer.weight
    assert list(layer.parameters()) == []


def test_assignment_before_init_is_explained():
    class Broken(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"super\(\)\.__init__"):
        Broken()


def test_parameter_is_a_leaf_tensor_that_requires_grad():
    p = nn.Parameter(minigrad.zeros(3))
    assert isinstance(p, minigrad.Tensor) and p.requires_grad and p.is_leaf
    assert repr(p).startswith("Parameter containing:\ntensor(")
    frozen = nn.Parameter(minigrad.zeros(3), requires_grad=False)
    assert not frozen.requires_grad


def test_sequential_indexing_len_iteration_and_append():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(model) == 3
    assert isinstance(model[0], nn.Linear) and isinstance(model[-1], nn.Linear)
    assert isinstance(model[1:], nn.Sequential) and len(model[1:]) == 2
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear"]
    model.append(nn.Sigmoid())
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    with pytest.raises(IndexError, match="out of range"):
        model[7]
    named = nn.Sequential(OrderedDict(first=nn.Linear(2, 2), act=nn.Tanh()))
    assert list(named.state_dict()) == ["first.weight", "first.bias"]


def test_module_list():
    layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])
    layers.append(nn.Linear(2, 1))
    assert len(layers) == 3 and len(list(layers.parameters())) == 6
    assert next(iter(layers.state_dict())) == "0.weight"
    x = minigrad.ones(1, 2)
    for layer in layers:
        x = layer(x)
    assert x.shape == (1, 1)


def test_repr_like_pytorch():
    model = nn.Sequential(nn.Linear(784, 500), nn.BatchNorm1d(500), nn.ReLU())
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=784, out_features=500, bias=True)\n"
        "  (1): BatchNorm1d(500, eps=1e-05, momentum=0.1, affine=True, bias=True, "
        "track_running_stats=True)\n"
        "  (2): ReLU()\n"
        ")"
    )


# ----------------------------------------------------------------------------------------
# Modes, hooks, gradients, devices, dtypes
# ----------------------------------------------------------------------------------------


def test_train_and_eval_propagate():
    net = Net()
    assert net.training and net.bn.training
    net.eval()
    assert not net.training and not net.bn.training
    net.train()
    assert net.bn.training


def test_forward_hook_sees_inputs_and_outputs_and_can_be_removed():
    model = nn.Sequential(nn.Linear(3, 2), nn.Sigmoid())
    seen = []
    handle = model[0].register_forward_hook(
        lambda m, inp, out: seen.append((inp[0].shape, out.shape))
    )
    model(minigrad.ones(5, 3))
    assert seen == [((5, 3), (5, 2))]
    handle.remove()
    model(minigrad.ones(5, 3))
    assert len(seen) == 1


def test_forward_hook_can_replace_the_output():
    layer = nn.Linear(2, 2)
    layer.register_forward_hook(lambda m, inp, out: out * 0.0)
    assert layer(minigrad.ones(1, 2)).tolist() == [[0.0, 0.0]]


def test_zero_grad():
    net = Net()
    net(minigrad.randn(4, 4)).sum().backward()
    net.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0.0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_to_dtype_casts_floating_parameters_and_buffers_in_place():
    net = Net()
    weight = net.fc1.weight
    net.double()
    assert net.fc1.weight is weight and weight.dtype == minigrad.float64
    assert net.bn.running_mean.dtype == minigrad.float64
    assert net.bn.num_batches_tracked.dtype == minigrad.int64  # integers are left alone
    out = net(minigrad.randn(3, 4, dtype=minigrad.float64))
    assert out.dtype == minigrad.float64
    net.float()
    assert weight.dtype == minigrad.float32


def test_to_device_moves_gradients_too(device):
    net = Net()
    net(minigrad.randn(4, 4)).sum().backward()
    net.to(device)
    for p in net.parameters():
        assert str(p.device).startswith(device) and str(p.grad.device).startswith(device)
    assert str(net.bn.running_var.device).startswith(device)
    out = net(minigrad.randn(4, 4, device=device))
    assert str(out.device).startswith(device)


def test_requires_grad_false_freezes():
    layer = nn.Linear(2, 2).requires_grad_(False)
    out = layer(minigrad.ones(1, 2))
    assert not out.requires_grad


# ----------------------------------------------------------------------------------------
# state_dict round trips and errors
# ----------------------------------------------------------------------------------------


def test_load_state_dict_round_trip_with_tensors_and_numpy_arrays():
    a, b = Net(), Net()
    x = minigrad.randn(5, 4)
    a.train()
    a(x)  # changes a's running statistics
    b.load_state_dict(a.state_dict())
    a.eval(), b.eval()
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())
    c = Net().eval()
    result = c.load_state_dict({k: v.numpy() for k, v in a.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"  # as PyTorch prints it
    np.testing.assert_array_equal(a(x).numpy(), c(x).numpy())


def test_load_state_dict_keeps_parameter_objects_and_dtype():
    net = Net()
    weight = net.fc1.weight
    state = {k: v.numpy().astype(np.float64) for k, v in Net().state_dict().items()}
    net.load_state_dict(state)
    assert net.fc1.weight is weight and weight.dtype == minigrad.float32


def test_load_state_dict_reports_missing_unexpected_and_misshaped_keys():
    state = Net().state_dict()
    del state["fc2.bias"]
    state["extra.weight"] = minigrad.zeros(1)
    state["fc1.weight"] = minigrad.zeros(9, 9)
    with pytest.raises(RuntimeError) as error:
        Net().load_state_dict(state)
    message = str(error.value)
    assert "Missing key(s) in state_dict: 'fc2.bias'" in message
    assert "Unexpected key(s) in state_dict: 'extra.weight'" in message
    assert "size mismatch for fc1.weight" in message and "(9, 9)" in message and "(8, 4)" in message


def test_load_state_dict_non_strict_returns_the_differences():
    state = Net().state_dict()
    del state["fc2.bias"]
    state["extra"] = minigrad.zeros(1)
    result = Net().load_state_dict(state, strict=False)
    assert result.missing_keys == ["fc2.bias"] and result.unexpected_keys == ["extra"]
    assert repr(result) == "IncompatibleKeys(missing_keys=['fc2.bias'], unexpected_keys=['extra'])"


# ----------------------------------------------------------------------------------------
# Initialisation
# ----------------------------------------------------------------------------------------


def test_default_init_bounds_like_pytorch():
    layer = nn.Linear(400, 30)
    bound = 1 / math.sqrt(400)
    w = layer.weight.numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(layer.bias.numpy()).max() <= bound
    conv = nn.Conv2d(6, 8, (3, 5), groups=2)
    fan_in = 3 * 3 * 5
    assert conv.weight.shape == (8, 3, 3, 5)
    assert np.abs(conv.weight.numpy()).max() <= 1 / math.sqrt(fan_in)
    assert np.abs(conv.bias.numpy()).max() <= 1 / math.sqrt(fan_in)
    bn = nn.BatchNorm2d(3)
    assert bn.weight.tolist() == [1.0] * 3 and bn.bias.tolist() == [0.0] * 3
    assert bn.running_var.tolist() == [1.0] * 3 and bn.num_batches_tracked.item() == 0


def test_same_seed_same_weights():
    minigrad.manual_seed(3)
    a = nn.Linear(5, 5).weight.numpy()
    minigrad.manual_seed(3)
    b = nn.Linear(5, 5).weight.numpy()
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("fill", "expected_std"),
    [
        (lambda t: nn.init.kaiming_normal_(t, nonlinearity="relu"), math.sqrt(2 / 200)),
        (lambda t: nn.init.kaiming_uniform_(t, nonlinearity="relu"), math.sqrt(2 / 200)),
        (lambda t: nn.init.xavier_normal_(t), math.sqrt(2 / 500)),
        (lambda t: nn.init.xavier_uniform_(t), math.sqrt(2 / 500)),
        (lambda t: nn.init.normal_(t, 0.0, 0.1), 0.1),
        (lambda t: nn.init.uniform_(t, -1.0, 1.0), 1 / math.sqrt(3)),
    ],
)
def test_init_functions_have_the_right_scale(fill, expected_std):
    t = minigrad.empty(300, 200)
    out = fill(t)
    assert out is t
    assert abs(t.numpy().std() - expected_std) < 0.03 * expected_std
    assert abs(t.numpy().mean()) < 0.05 * expected_std + 1e-3


def test_init_constants_and_gain():
    t = minigrad.empty(2, 3)
    assert nn.init.ones_(t).tolist() == [[1.0] * 3] * 2
    assert nn.init.zeros_(t).tolist() == [[0.0] * 3] * 2
    assert nn.init.constant_(t, 0.5).tolist() == [[0.5] * 3] * 2
    assert nn.init.calculate_gain("tanh") == 5 / 3
    assert math.isclose(nn.init.calculate_gain("leaky_relu", 0.2), math.sqrt(2 / 1.04))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(minigrad.empty(3))
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        nn.init.calculate_gain("swish")


def test_init_works_on_parameters_that_require_grad():
    layer = nn.Linear(3, 3)
    nn.init.zeros_(layer.weight)
    assert layer.weight.requires_grad and layer.weight.abs().sum().item() == 0.0


# ----------------------------------------------------------------------------------------
# Gradients in float64
# ----------------------------------------------------------------------------------------


def _double(module):
    return module.double()


@pytest.mark.parametrize(
    ("build", "shape"),
    [
        (lambda: nn.Linear(4, 3), (5, 4)),
        (lambda: nn.BatchNorm1d(3), (6, 3)),
        (lambda: nn.BatchNorm1d(3, affine=False), (4, 3, 2)),
        (lambda: nn.BatchNorm2d(2), (3, 2, 2, 3)),
        (lambda: nn.LeakyReLU(0.1), (3, 4)),
        (lambda: nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5), nn.Sigmoid(), nn.Linear(5, 2)),
         (6, 4)),
    ],
)  # fmt: skip
def test_layer_gradients_in_training_mode(build, shape):
    module = _double(build())
    x = minigrad.randn(*shape, dtype=minigrad.float64, requires_grad=True)
    params = list(module.parameters())

    def run(x, *ps):
        return module(x)

    assert minigrad.gradcheck(run, (x, *params))


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (3, 2, 4, 5)])
@pytest.mark.parametrize("training", [True, False])
def test_fused_batchnorm_matches_the_textbook_formula(shape, training):
    """The fused primitive (per-channel sums as matrix products, ``centered`` kept instead
    of ``x_hat``, d_x expanded) against the formula written with primitive ops and
    differentiated by the engine: outputs and all three gradients, in float64."""
    rng = np.random.default_rng(5)
    c = shape[1]
    arrays = [rng.standard_normal(shape) * 3 + 1, rng.random(c) + 0.5, rng.standard_normal(c)]
    running_mean, running_var = rng.standard_normal(c), rng.random(c) + 0.5
    upstream = minigrad.tensor(rng.standard_normal(shape))
    axes = (0, *range(2, len(shape)))
    view = (1, c) + (1,) * (len(shape) - 2)

    def fused(x, gamma, beta):
        rm, rv = minigrad.tensor(running_mean), minigrad.tensor(running_var)
        return F.batch_norm(x, rm, rv, gamma, beta, training=training, eps=1e-3)

    def textbook(x, gamma, beta):
        if training:
            mean = x.mean(dim=axes, keepdim=True)
            var = ((x - mean) ** 2).mean(dim=axes, keepdim=True)
        else:
            mean = minigrad.tensor(running_mean).reshape(view)
            var = minigrad.tensor(running_var).reshape(view)
        x_hat = (x - mean) / (var + 1e-3).sqrt()
        return x_hat * gamma.reshape(view) + beta.reshape(view)

    results = []
    for formula in (fused, textbook):
        inputs = [minigrad.tensor(a, requires_grad=True) for a in arrays]
        out = formula(*inputs)
        out.backward(upstream)
        results.append([out.numpy()] + [t.grad.numpy() for t in inputs])
    for got, expected in zip(*results):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_batchnorm_eval_backward_on_an_empty_batch():
    bn = nn.BatchNorm2d(3).eval()
    x = minigrad.zeros(0, 3, 4, 4, requires_grad=True)
    bn(x).sum().backward()
    assert x.grad.shape == (0, 3, 4, 4)
    assert bn.weight.grad.tolist() == [0.0, 0.0, 0.0] and bn.bias.grad.tolist() == [0.0] * 3


def test_channel_sums_match_numpy_sums():
    from minigrad.fast.batchnorm import channel_sums

    rng = np.random.default_rng(6)
    for shape in [(5, 3), (4, 3, 7), (2, 3, 4, 5)]:
        a, b = rng.standard_normal(shape), rng.standard_normal(shape)
        a_strided = np.swapaxes(np.swapaxes(a, 0, -1).copy(), 0, -1)  # not C-contiguous
        axes = (0, *range(2, len(shape)))
        np.testing.assert_allclose(channel_sums(np, a_strided), a.sum(axis=axes), rtol=1e-12)
        np.testing.assert_allclose(channel_sums(np, a, b), (a * b).sum(axis=axes), rtol=1e-12)


def test_batchnorm_gradients_in_eval_mode():
    bn = nn.BatchNorm2d(2).double()
    with minigrad.no_grad():
        bn.running_mean.copy_(minigrad.tensor([0.3, -0.2], dtype=minigrad.float64))
        bn.running_var.copy_(minigrad.tensor([2.0, 0.5], dtype=minigrad.float64))
    bn.eval()
    x = minigrad.randn(2, 2, 3, 3, dtype=minigrad.float64, requires_grad=True)
    assert minigrad.gradcheck(lambda x, w, b: bn(x), (x, bn.weight, bn.bias))


WEIGHTS = minigrad.tensor([1.0, 2.0, 0.5], dtype=minigrad.float64)


@pytest.mark.parametrize(
    "loss",
    [
        lambda x, t: F.cross_entropy(x, t, reduction="sum"),
        lambda x, t: F.nll_loss(F.log_softmax(x, 1), t, weight=WEIGHTS),
        lambda x, t: F.mse_loss(x, minigrad.ones(4, 3, dtype=minigrad.float64)),
    ],
)  # fmt: skip
def test_loss_gradients(loss):
    x = minigrad.randn(4, 3, dtype=minigrad.float64, requires_grad=True)
    t = minigrad.tensor([0, 2, 1, 2])
    assert minigrad.gradcheck(lambda x: loss(x, t), (x,))


# ----------------------------------------------------------------------------------------
# Semantics that the golden file cannot show
# ----------------------------------------------------------------------------------------


def test_batchnorm_running_variance_is_unbiased_and_normalisation_biased():
    bn = nn.BatchNorm1d(1, momentum=1.0)
    x = minigrad.tensor([[1.0], [2.0], [3.0], [6.0]])
    out = bn(x)
    assert math.isclose(bn.running_mean.item(), 3.0, rel_tol=1e-6)
    assert math.isclose(bn.running_var.item(), np.var([1, 2, 3, 6], ddof=1), rel_tol=1e-6)
    expected = (np.array([1, 2, 3, 6]) - 3) / np.sqrt(np.var([1, 2, 3, 6]) + 1e-5)
    np.testing.assert_allclose(out.numpy()[:, 0], expected, rtol=1e-5)


def test_batchnorm_counts_batches_and_eval_does_not_update():
    bn = nn.BatchNorm1d(2)
    for _ in range(3):
        bn(minigrad.randn(4, 2))
    assert bn.num_batches_tracked.item() == 3
    before = bn.running_mean.numpy()
    bn.eval()
    bn(minigrad.randn(4, 2) + 10)
    np.testing.assert_array_equal(bn.running_mean.numpy(), before)
    assert bn.num_batches_tracked.item() == 3


def test_batchnorm_eval_output_does_not_depend_on_the_batch():
    bn = nn.BatchNorm1d(3)
    bn(minigrad.randn(16, 3))
    bn.eval()
    x = minigrad.randn(5, 3)
    np.testing.assert_allclose(bn(x)[:1].numpy(), bn(x[:1]).numpy(), rtol=1e-6)


def test_batchnorm_without_running_stats_has_no_buffers():
    bn = nn.BatchNorm1d(3, track_running_stats=False)
    assert list(bn.state_dict()) == ["weight", "bias"]
    assert bn.running_mean is None


def test_dropout_masks_and_scales_in_training_only():
    drop = nn.Dropout(0.25)
    out = drop(minigrad.ones(100_000)).numpy()
    kept = out != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(out[kept], 1 / 0.75, rtol=1e-6)
    drop.eval()
    assert drop(minigrad.ones(10)).tolist() == [1.0] * 10
    assert float(nn.Dropout(1.0)(minigrad.ones(5)).abs().sum()) == 0.0


def test_dropout_gradient_uses_the_same_mask():
    x = minigrad.ones(1000, requires_grad=True)
    out = F.dropout(x, 0.5)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), out.detach().numpy())


# ----------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------


def test_batchnorm_rejects_wrong_rank_and_channels():
    with pytest.raises(ValueError, match=r"expects a 2D or 3D input.*got 4D"):
        nn.BatchNorm1d(3)(minigrad.randn(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"expects a 4D input.*got 2D"):
        nn.BatchNorm2d(3)(minigrad.randn(2, 3))
    with pytest.raises(RuntimeError, match=r"BatchNorm1d\(3\) expects 3 channels.*\(2, 4\)"):
        nn.BatchNorm1d(3)(minigrad.randn(2, 4))
    with pytest.raises(RuntimeError, match="expects 3 channels"):
        nn.BatchNorm1d(3, affine=False)(minigrad.randn(2, 4))
    plain = nn.BatchNorm1d(3, affine=False, track_running_stats=False)  # nothing per channel
    assert plain(minigrad.randn(2, 4)).shape == (2, 4)


def test_batchnorm_one_value_per_channel_in_training():
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(minigrad.randn(1, 3))
    nn.BatchNorm1d(3)(minigrad.randn(1, 3, 2))  # (1, C, L>1) is fine, as in PyTorch
    bn = nn.BatchNorm1d(3).eval()
    assert bn(minigrad.randn(1, 3)).shape == (1, 3)


def test_linear_rejects_wrong_features_and_dtype():
    with pytest.raises(RuntimeError, match=r"input has 5 features.*\(2, 5\).*\(3, 4\)"):
        nn.Linear(4, 3)(minigrad.randn(2, 5))
    with pytest.raises(RuntimeError, match="same dtype"):
        nn.Linear(4, 3)(minigrad.randn(2, 4, dtype=minigrad.float64))


def test_constructor_arguments_are_checked():
    with pytest.raises(ValueError, match="in_features"):
        nn.Linear(0, 3)
    with pytest.raises(ValueError, match="dropout probability"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="num_features"):
        nn.BatchNorm1d(-1)
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="strided"):
        nn.Conv2d(3, 4, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="reduction"):
        nn.CrossEntropyLoss(reduction="average")


def test_mse_loss_warns_on_broadcasting_shapes():
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(minigrad.ones(3, 1), minigrad.ones(3))


# ----------------------------------------------------------------------------------------
# Training
# ----------------------------------------------------------------------------------------


def test_small_model_trains_to_low_loss_on_a_toy_problem():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 2)).astype(np.float32)
    y = ((x[:, 0] * x[:, 1]) > 0).astype(np.int64)  # XOR-like quadrants
    x, y = minigrad.tensor(x), minigrad.tensor(y)
    model = nn.Sequential(nn.Linear(2, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 2))
    loss_fn = nn.CrossEntropyLoss()
    first = None
    for _ in range(300):
        loss = loss_fn(model(x), y)
        first = first if first is not None else loss.item()
        model.zero_grad()
        loss.backward()
        with minigrad.no_grad():
            for p in model.parameters():
                p.sub_(p.grad, alpha=0.5)
    assert first > 0.6 and loss.item() < 0.1
    model.eval()
    accuracy = (model(x).argmax(1) == y).float().mean().item()
    assert accuracy > 0.97


# ----------------------------------------------------------------------------------------
# Details found by a side-by-side audit against torch 2.13 (the expected values are
# PyTorch's, from the same calls)
# ----------------------------------------------------------------------------------------


def test_registering_over_another_kind_of_attribute_raises():
    layer = nn.Linear(2, 3)
    with pytest.raises(KeyError, match="'weight' already exists"):
        layer.register_buffer("weight", minigrad.zeros(1))  # would drop the parameter
    with pytest.raises(KeyError, match="'weight' already exists"):
        layer.add_module("weight", nn.ReLU())
    layer.plain = 3
    with pytest.raises(KeyError, match="'plain' already exists"):
        layer.register_buffer("plain", minigrad.zeros(1))
    layer.add_module("sub", nn.ReLU())
    with pytest.raises(KeyError, match="'sub' already exists"):
        layer.register_parameter("sub", None)
    assert isinstance(layer.weight, nn.Parameter) and layer.plain == 3
    # Replacing an entry of the same kind is allowed.
    layer.register_parameter("bias", nn.Parameter(minigrad.zeros(3)))
    layer.register_buffer("extra", minigrad.zeros(1))
    layer.register_buffer("extra", minigrad.ones(1))
    layer.add_module("sub", nn.Tanh())
    assert layer.extra.item() == 1.0 and isinstance(layer.sub, nn.Tanh)


def test_batchnorm_checkpoint_without_the_batch_counter_loads():
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    net[1].num_batches_tracked.fill_(7)
    source = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    source[1].running_mean.fill_(0.5)
    old = {k: v for k, v in source.state_dict().items() if "num_batches" not in k}
    assert net.load_state_dict(old) == ([], [])
    assert net[1].running_mean.numpy().tolist() == [0.5] * 3
    assert net[1].num_batches_tracked.item() == 7  # kept, as in PyTorch
    del old["1.running_mean"]
    with pytest.raises(RuntimeError, match=r"Missing key.*'1\.running_mean'"):
        net.load_state_dict(old)


def test_batchnorm_rejects_an_input_of_another_dtype():
    with pytest.raises(RuntimeError, match="input float64, running_mean float32"):
        nn.BatchNorm1d(3)(minigrad.randn(4, 3).double())
    with pytest.raises(RuntimeError, match="same dtype"):
        nn.BatchNorm2d(3).eval()(minigrad.randn(2, 3, 2, 2).double())
    assert nn.BatchNorm1d(3).double()(minigrad.randn(4, 3).double()).dtype == minigrad.float64
    plain = nn.BatchNorm1d(3, affine=False, track_running_stats=False)  # nothing to match
    assert plain(minigrad.randn(4, 3).double()).dtype == minigrad.float64


@pytest.mark.parametrize("shape", [(0, 3), (0, 3, 4, 4), (2, 3, 0)])
def test_batchnorm_training_on_an_empty_batch(shape, device):
    layer = (nn.BatchNorm2d(3) if len(shape) == 4 else nn.BatchNorm1d(3)).to(device)
    x = minigrad.zeros(*shape, device=device, requires_grad=True)
    out = layer(x)
    out.sum().backward()
    assert out.shape == shape and x.grad.shape == shape
    assert layer.weight.grad.tolist() == [0.0] * 3 and layer.bias.grad.tolist() == [0.0] * 3
    assert layer.running_mean.tolist() == [0.0] * 3  # no statistics from no data
    assert layer.running_var.tolist() == [1.0] * 3
    assert layer.num_batches_tracked.item() == 1
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        layer(minigrad.zeros((1, 3) + (1,) * (len(shape) - 2), device=device))  # 1 value


@pytest.mark.parametrize("dims", [1, 2, 3, 4])
def test_softmax_without_dim_takes_pytorchs_legacy_choice(dims):
    x = minigrad.randn(*(2, 3, 4, 5)[:dims])
    dim = 0 if dims in (1, 3) else 1  # PyTorch's rule for an implicit dim
    for module, function in ((nn.Softmax(), F.softmax), (nn.LogSoftmax(), F.log_softmax)):
        with pytest.warns(UserWarning, match="Implicit dimension choice"):
            got = module(x)
        np.testing.assert_allclose(got.numpy(), function(x, dim).numpy(), rtol=1e-6)
        with pytest.warns(UserWarning, match="Implicit dimension choice"):
            function(x)


@pytest.mark.parametrize("loss", [F.cross_entropy, F.nll_loss])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_a_batch_whose_targets_are_all_ignored_has_zero_gradient(loss, reduction, device):
    x = minigrad.randn(2, 3, device=device, requires_grad=True)
    target = minigrad.tensor([-100, -100], device=device)
    out = loss(x, target, reduction=reduction)
    out.sum().backward()
    assert x.grad.tolist() == [[0.0] * 3] * 2  # PyTorch: zeros (the mean itself is nan)
    if reduction == "mean":
        assert math.isnan(out.item())


def test_all_ignored_targets_with_label_smoothing_give_zero_gradient(device):
    x = minigrad.randn(2, 3, device=device, requires_grad=True)
    out = F.cross_entropy(x, minigrad.tensor([-100, -100], device=device), label_smoothing=0.2)
    out.backward()
    assert math.isnan(out.item()) and x.grad.tolist() == [[0.0] * 3] * 2  # as PyTorch


def test_label_smoothing_outside_0_1_is_refused_and_1_is_uniform(device):
    x = minigrad.randn(4, 3, device=device)
    t = minigrad.tensor([0, 1, 2, 1], device=device)
    for bad in (-0.1, 1.5):
        with pytest.raises(RuntimeError, match=f"between 0.0 and 1.0. Got: {bad}"):
            F.cross_entropy(x, t, label_smoothing=bad)
    # s = 1: the target no longer matters, the loss is the mean of -log_softmax over classes.
    uniform = -F.log_softmax(x, dim=1).mean(dim=1).mean()
    got = nn.CrossEntropyLoss(label_smoothing=1.0)(x, t)
    np.testing.assert_allclose(got.item(), uniform.item(), rtol=1e-6)
    assert nn.CrossEntropyLoss(label_smoothing=0.1).label_smoothing == 0.1


def test_functional_losses_take_pytorchs_positional_arguments(device):
    x = minigrad.randn(4, 3, device=device)
    t = minigrad.tensor([0, 1, 2, 1], device=device)
    w = minigrad.tensor([1.0, 2.0, 0.5], device=device)
    # cross_entropy(input, target, weight, size_average, ignore_index, reduce, reduction,
    # label_smoothing), as in PyTorch
    positional = F.cross_entropy(x, t, w, None, 1, None, "sum", 0.1)
    keywords = F.cross_entropy(x, t, weight=w, ignore_index=1, reduction="sum", label_smoothing=0.1)
    assert positional.item() == keywords.item()
    with pytest.warns(UserWarning, match="reduction='sum'"):
        legacy = F.nll_loss(x, t, None, False)  # size_average=False
    assert legacy.item() == F.nll_loss(x, t, reduction="sum").item()
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert F.mse_loss(x, x, None, False).shape == (4, 3)  # reduce=False
    with pytest.warns(UserWarning, match="reduction='mean'"):
        F.cross_entropy(x, t, size_average=True)


def test_mse_loss_weight_must_have_the_input_shape(device):
    x = minigrad.ones(2, 3, device=device)
    with pytest.raises(ValueError, match=r"shape of the input, \(2, 3\); got \(3,\)"):
        F.mse_loss(x, x, weight=minigrad.ones(3, device=device))


def test_relu_inplace_flag_returns_a_new_tensor_and_leaves_the_input(device):
    x = minigrad.tensor([-1.0, 2.0], device=device)
    for y in (F.relu(x, inplace=True), nn.ReLU(inplace=True)(x)):
        assert y.tolist() == [0.0, 2.0] and y is not x
    assert x.tolist() == [-1.0, 2.0]


def test_apply_visits_children_first_and_get_submodule_follows_dotted_paths():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
    seen = []
    assert model.apply(lambda m: seen.append(type(m).__name__)) is model
    assert seen == ["Linear", "ReLU", "Linear", "Sequential", "Sequential"]  # as PyTorch
    assert model.get_submodule("1.1") is model[1][1] and model.get_submodule("") is model
    with pytest.raises(AttributeError, match="no submodule 'x'"):
        model.get_submodule("1.x")


def test_conv2d_repr_prints_string_padding_as_pytorch_does():
    layer = nn.Conv2d(1, 2, 3, padding="same")
    assert repr(layer) == "Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding=same)"


def test_loss_modules_take_pytorchs_positional_arguments():
    # (weight, size_average, ignore_index, reduce, reduction), as in PyTorch
    assert nn.CrossEntropyLoss(None, None, 2).ignore_index == 2
    assert nn.NLLLoss(None, None, -100, None, "sum").reduction == "sum"
    assert nn.MSELoss(None, None, "none").reduction == "none"
    # The deprecated size_average and reduce, read as PyTorch reads them.
    for args, reduction in (((False,), "sum"), ((None, False), "none"), ((True, True), "mean")):
        with pytest.warns(UserWarning, match=f"reduction='{reduction}'"):
            assert nn.MSELoss(*args).reduction == reduction


def test_replacing_a_submodule_or_parameter_keeps_its_place():
    net = Net()
    net.fc1 = nn.Linear(4, 8)  # PyTorch: a dict assignment, fc1 stays before bn and fc2
    net.fc2.weight = nn.Parameter(minigrad.zeros(3, 8))
    children = [k for k in net.state_dict() if "." in k]  # (its own buffer "scale" first)
    assert children[:6] == [
        "fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
    ]  # fmt: skip
    assert list(dict(net.fc2.named_parameters())) == ["weight", "bias"]
    layers = nn.ModuleList([nn.ReLU(), nn.Tanh(), nn.Sigmoid()])
    layers[0] = nn.Flatten()
    assert [type(m).__name__ for m in layers] == ["Flatten", "Tanh", "Sigmoid"]


def test_forward_hook_options_prepend_kwargs_and_always_call():
    """The same sequence of calls as PyTorch 2.13 makes (checked side by side)."""
    calls = []

    class Scale(nn.Module):
        def forward(self, x, scale=1.0):
            if scale == 0:
                raise ValueError("boom")
            return x * scale

    m = Scale()
    m.register_forward_hook(lambda mod, args, out: calls.append("post1"))
    m.register_forward_hook(lambda mod, args, out: calls.append("post0"), prepend=True)
    m.register_forward_pre_hook(
        lambda mod, args, kwargs: calls.append(sorted(kwargs)) or ((args[0] + 1,), {"scale": 2.0}),
        with_kwargs=True,
    )
    m.register_forward_pre_hook(lambda mod, args: calls.append("pre0"), prepend=True)
    m.register_forward_hook(
        lambda mod, args, kwargs, out: calls.append((kwargs["scale"], out.tolist())),
        with_kwargs=True,
    )
    assert m(minigrad.tensor([1.0]), scale=3.0).tolist() == [4.0]  # (1 + 1) * 2
    assert calls == ["pre0", ["scale"], "post0", "post1", (2.0, [4.0])]

    calls.clear()
    failing = Scale()
    failing.register_forward_hook(lambda mod, args, out: calls.append(out), always_call=True)
    failing.register_forward_hook(lambda mod, args, out: calls.append("not called"))
    with pytest.raises(ValueError, match="boom"):
        failing(minigrad.tensor([1.0]), scale=0)
    assert calls == [None]

    calls.clear()
    bad = Scale()
    bad.register_forward_pre_hook(lambda mod, args, kwargs: 5, with_kwargs=True)
    bad.register_forward_hook(lambda mod, args, out: calls.append(out), always_call=True)
    with pytest.raises(RuntimeError, match=r"tuple of \(new_args, new_kwargs\), but got 5"):
        bad(minigrad.tensor([1.0]))
    assert calls == [None]  # a failing pre-hook, too, still runs the always-called hooks


def test_remove_duplicate_false_lists_shared_members_under_every_name():
    shared = nn.Linear(1, 1)
    seq = nn.Sequential(shared, shared)
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    names = [n for n, _ in seq.named_parameters(remove_duplicate=False)]
    assert names == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert [n for n, _ in seq.named_modules(remove_duplicate=False)] == ["", "0", "1"]
    assert len(list(seq.modules(remove_duplicate=False))) == 3 and len(list(seq.modules())) == 2


def test_load_state_dict_assign_puts_the_values_in_place(device):
    layer = nn.Linear(2, 3).to(device)
    weight = minigrad.ones(3, 2, dtype=minigrad.float64)  # assign keeps its dtype and device
    layer.load_state_dict({"weight": weight, "bias": np.zeros(3, np.float32)}, assign=True)
    assert isinstance(layer.weight, nn.Parameter) and layer.weight.requires_grad
    assert layer.weight.dtype == minigrad.float64 and layer.weight.device == "cpu"
    assert layer.bias.tolist() == [0.0, 0.0, 0.0] and layer.bias.device == "cpu"
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    frozen = nn.BatchNorm1d(2)
    frozen.weight.requires_grad_(False)
    frozen.load_state_dict(nn.BatchNorm1d(2).state_dict(), assign=True)
    assert not frozen.weight.requires_grad  # the module's requires_grad is kept
    assert frozen.num_batches_tracked.item() == 0
    state = dict(nn.BatchNorm1d(2).state_dict())
    state["running_mean"] = minigrad.ones(2, requires_grad=True) * 1
    frozen.load_state_dict(state, assign=True)
    assert frozen.running_mean is state["running_mean"]  # a buffer is taken as given


def test_containers_take_pytorchs_keyword_names():
    assert len(nn.ModuleList(modules=[nn.ReLU()])) == 1
    assert len(nn.ParameterList(values=[minigrad.ones(1)])) == 1
    assert list(nn.ModuleDict(modules={"a": nn.ReLU()})) == ["a"]


def test_sequential_and_modulelist_editing_renumber_as_pytorch():
    seq = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3))
    del seq[1]
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    seq.insert(1, nn.Tanh())
    assert [type(m).__name__ for m in seq] == ["Linear", "Tanh", "Linear"]
    assert list(dict(seq.named_children())) == ["0", "1", "2"]
    seq[0] = nn.Linear(1, 2)
    assert seq.pop().out_features == 3 and len(seq) == 2
    seq.extend([nn.ReLU()])
    both = seq + nn.Sequential(nn.Sigmoid())
    assert [type(m).__name__ for m in both] == ["Linear", "Tanh", "ReLU", "Sigmoid"]
    layers = nn.ModuleList([nn.ReLU()])
    layers += [nn.Tanh()]
    layers.insert(0, nn.Sigmoid())
    del layers[1]
    assert [type(m).__name__ for m in layers] == ["Sigmoid", "Tanh"]
    assert layers.pop(0).__class__ is nn.Sigmoid
    joined = layers.__add__([nn.ReLU()])  # ModuleList + list, as in PyTorch
    assert isinstance(joined, nn.ModuleList) and len(joined) == 2


def test_moduledict_and_parameterlist_register_their_contents():
    class Heads(nn.Module):
        def __init__(self):
            super().__init__()
            self.scales = nn.ParameterList([minigrad.ones(2), nn.Parameter(minigrad.zeros(1))])
            self.heads = nn.ModuleDict({"digit": nn.Linear(2, 10)})
            self.heads["parity"] = nn.Linear(2, 2)

    model = Heads()
    assert list(model.state_dict()) == [
        "scales.0", "scales.1", "heads.digit.weight", "heads.digit.bias",
        "heads.parity.weight", "heads.parity.bias",
    ]  # fmt: skip
    assert all(isinstance(p, nn.Parameter) for p in model.scales)
    assert len(list(model.parameters())) == 6
    assert list(model.heads) == ["digit", "parity"] and "digit" in model.heads
    assert model.heads.pop("parity").out_features == 2 and len(model.heads) == 1
    with pytest.raises(KeyError):
        model.heads["missing"]
    with pytest.raises(TypeError, match="ParameterList holds tensors"):
        model.scales.append(3.0)


def test_parameterdict_registers_its_parameters():
    class Scales(nn.Module):
        def __init__(self):
            super().__init__()
            self.scales = nn.ParameterDict({"left": minigrad.ones(2)})
            self.scales["right"] = nn.Parameter(minigrad.zeros(3))

    model = Scales()
    assert list(model.state_dict()) == ["scales.left", "scales.right"]
    assert all(isinstance(p, nn.Parameter) for p in model.scales.values())
    assert len(list(model.parameters())) == 2 and list(model.scales) == ["left", "right"]
    assert model.scales.get("missing") is None and "left" in model.scales
    model.scales.update([("extra", minigrad.ones(1))])
    assert model.scales.pop("extra").shape == (1,) and len(model.scales) == 2
    copy = Scales()
    copy.load_state_dict(
        {"scales.left": minigrad.full((2,), 5.0), "scales.right": minigrad.ones(3)}
    )
    assert copy.scales["left"].tolist() == [5.0, 5.0]
    with pytest.raises(TypeError, match="ParameterDict holds tensors, got float"):
        model.scales["bad"] = 3.0
    with pytest.raises(TypeError, match="keys must be strings"):
        model.scales[1] = minigrad.ones(1)
    with pytest.raises(NotImplementedError, match="ParameterDict has no forward"):
        model.scales()


def test_batchnorm_without_bias_learns_a_scale_only():
    layer = nn.BatchNorm2d(3, bias=False)  # PyTorch 2.13's keyword
    assert layer.bias is None and "bias" not in layer.state_dict()
    assert "affine=True, bias=False" in repr(layer)
    x = minigrad.randn(4, 3, 2, 2, requires_grad=True)
    out = layer(x)
    np.testing.assert_allclose(out.numpy().mean(axis=(0, 2, 3)), 0.0, atol=1e-6)
    out.sum().backward()
    assert layer.weight.grad.shape == (3,) and x.grad.shape == (4, 3, 2, 2)
    assert nn.BatchNorm1d(3, bias=False)(minigrad.zeros(0, 3)).shape == (0, 3)


def test_leaky_relu_and_dropout_refuse_integer_input():
    ints = minigrad.tensor([-1, 2])
    with pytest.raises(RuntimeError, match="leaky_relu needs a floating point input, got int64"):
        F.leaky_relu(ints)
    with pytest.raises(RuntimeError, match="dropout needs a floating point input"):
        F.dropout(ints, 0.5)
    assert F.dropout(ints, 0.5, training=False) is ints  # nothing to compute: as PyTorch
