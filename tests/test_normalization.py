"""LayerNorm, GroupNorm, InstanceNorm and RMSNorm: gradchecks in float64 of every function and
option, the equivalences between them, running statistics, the modules' state and
repr, unbatched inputs, dtypes, and PyTorch's errors. (``test_norm_golden.py`` compares
the values with PyTorch's.)
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad.gradcheck import GradcheckError
from minigrad.nn.functional_norm import group_norm, instance_norm, layer_norm, rms_norm
from minigrad.nn.normalization import (
    GroupNorm,
    InstanceNorm1d,
    InstanceNorm2d,
    LayerNorm,
    RMSNorm,
)
from minigrad.ops import normalization as _normalization


def _affine(make, shape, affine):
    """(weight, bias) of this shape, away from ones and zeros; or (None, None)."""
    if affine == "none":
        return None, None
    weight = (make(shape, requires_grad=False) * 0.5 + 1.0).requires_grad_()
    return weight, (None if affine == "weight" else make(shape))


# ----------------------------------------------------------------------------------------
# Gradients: float64 finite differences, every function and option.
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("affine", ["both", "weight", "none"])
@pytest.mark.parametrize(
    "shape, normalized_shape",
    [((4, 5), (5,)), ((2, 3, 4), (4,)), ((2, 3, 4), (3, 4)), ((2, 2, 3, 2), (2, 3, 2)),
     ((6,), (6,))],
)  # fmt: skip
def test_layer_norm_gradcheck(make, shape, normalized_shape, affine):
    x = make(shape)
    weight, bias = _affine(make, normalized_shape, affine)
    assert minigrad.gradcheck(
        lambda x, w, b: layer_norm(x, normalized_shape, w, b, eps=1e-5), (x, weight, bias)
    )


@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("shape, normalized_shape", [((4, 5), (5,)), ((2, 3, 4), (3, 4))])
def test_rms_norm_gradcheck(make, shape, normalized_shape, weighted):
    x = make(shape)
    weight = _affine(make, normalized_shape, "weight")[0] if weighted else None
    assert minigrad.gradcheck(lambda x, w: rms_norm(x, normalized_shape, w, eps=1e-6), (x, weight))


def test_rms_norm_module_and_errors():
    norm = RMSNorm((2, 3), eps=1e-6, elementwise_affine=False)
    assert repr(norm) == "RMSNorm((2, 3), eps=1e-06, elementwise_affine=False)"  # PyTorch's
    assert norm.weight is None and list(RMSNorm(3).state_dict()) == ["weight"]
    x = minigrad.tensor([[1e-20, 0.0]])  # eps=None: float32's machine epsilon
    assert rms_norm(x, (2,)).tolist() == [[1e-20 / (np.float32(np.finfo(np.float32).eps) ** 0.5),
                                          0.0]]  # fmt: skip
    with pytest.raises(RuntimeError, match=r"expected input with shape \[\*, 4\]"):
        rms_norm(minigrad.ones(2, 3), (4,))
    with pytest.raises(RuntimeError, match="Expected weight to be of same shape"):
        rms_norm(minigrad.ones(2, 3), (3,), minigrad.ones(2))


@pytest.mark.parametrize("affine", ["both", "weight", "none"])
@pytest.mark.parametrize(
    "shape, groups",
    [((2, 4, 3, 3), 1), ((2, 4, 3, 3), 2), ((2, 4, 3, 3), 4), ((3, 6), 3), ((2, 6, 5), 2),
     ((1, 4, 2, 2), 2)],
)  # fmt: skip
def test_group_norm_gradcheck(make, shape, groups, affine):
    x = make(shape)
    weight, bias = _affine(make, (shape[1],), affine)
    assert minigrad.gradcheck(
        lambda x, w, b: group_norm(x, groups, w, b, eps=1e-3), (x, weight, bias)
    )


@pytest.mark.parametrize("affine", ["both", "weight", "none"])
@pytest.mark.parametrize("shape", [(2, 3, 5), (2, 3, 3, 4)])
def test_instance_norm_gradcheck(make, shape, affine):
    x = make(shape)
    weight, bias = _affine(make, (shape[1],), affine)
    assert minigrad.gradcheck(lambda x, w, b: instance_norm(x, weight=w, bias=b), (x, weight, bias))


def test_instance_norm_gradcheck_with_running_stats(make, device):
    """In training the running estimates move, but the output uses the instance statistics:
    the gradient is that of instance normalisation. In evaluation the estimates are
    constants (``d_x = gamma * inv_std * dy``)."""
    x = make((3, 2, 4))
    weight, bias = _affine(make, (2,), "both")
    mean = minigrad.zeros(2, dtype=minigrad.float64, device=device)
    var = minigrad.ones(2, dtype=minigrad.float64, device=device)

    def train(x, w, b):
        return instance_norm(x, mean, var, w, b, use_input_stats=True, momentum=0.2)

    def evaluate(x, w, b):
        return instance_norm(x, mean, var, w, b, use_input_stats=False)

    assert minigrad.gradcheck(train, (x, weight, bias))
    assert not np.allclose(mean.numpy(), 0.0)  # the estimates moved
    assert minigrad.gradcheck(evaluate, (x, weight, bias))


@pytest.mark.parametrize(
    "build, shape",
    [(lambda: LayerNorm((3, 4)), (2, 3, 4)), (lambda: GroupNorm(2, 4), (2, 4, 3)),
     (lambda: InstanceNorm1d(3, affine=True), (3, 5)),  # unbatched
     (lambda: InstanceNorm2d(2, affine=True, track_running_stats=True), (2, 2, 3, 3))],
)  # fmt: skip
def test_module_gradcheck(make, device, build, shape):
    module = build().double().to(device)
    with minigrad.no_grad():
        for p in module.parameters():
            p.add_(minigrad.randn(*p.shape, dtype=minigrad.float64, device=device) * 0.5)
    x = make(shape)
    assert minigrad.gradcheck(lambda x, *params: module(x), (x, *module.parameters()))


def test_gradcheck_catches_a_wrong_backward(make, monkeypatch):
    """The checks above can fail: a backward that treats the variance as a constant (it
    drops ``x_hat * mean(g * x_hat)``) is caught."""

    def wrong(self, grad):
        (x_hat,) = self.saved
        g = grad.reshape(self.rows, -1)
        d_x = self.inv_std * (g - g.mean(axis=1, keepdims=True))
        return d_x.reshape(x_hat.shape), None, None

    monkeypatch.setattr(_normalization.Normalize, "backward", wrong)
    x = make((3, 5))
    with pytest.raises(GradcheckError, match="Jacobian mismatch for input 0"):
        minigrad.gradcheck(lambda x: layer_norm(x, (5,)), (x,))


# ----------------------------------------------------------------------------------------
# What each variant computes, and the equivalences between them.
# ----------------------------------------------------------------------------------------


def test_layer_norm_is_the_textbook_formula(make):
    """The fused primitive against the formula built from elementary ops (autograd through
    mean, var and sqrt): the same output and the same gradients."""
    x, (weight, bias) = make((3, 4, 5)), _affine(make, (4, 5), "both")
    v = make((3, 4, 5), requires_grad=False)
    fused = layer_norm(x, (4, 5), weight, bias, eps=1e-5)
    (fused * v).sum().backward()
    grads = [t.grad.numpy() for t in (x, weight, bias)]
    for t in (x, weight, bias):
        t.grad = None
    mean = x.mean(dim=(1, 2), keepdim=True)
    var = x.var(dim=(1, 2), unbiased=False, keepdim=True)
    plain = (x - mean) / (var + 1e-5).sqrt() * weight + bias
    (plain * v).sum().backward()
    np.testing.assert_allclose(fused.numpy(), plain.detach().numpy(), rtol=1e-10, atol=1e-12)
    for got, t in zip(grads, (x, weight, bias)):
        np.testing.assert_allclose(got, t.grad.numpy(), rtol=1e-9, atol=1e-11)
    assert fused.grad_fn.name() == "NormalizeBackward0"


def test_group_norm_with_one_group_per_channel_is_instance_norm(make):
    x, (weight, bias) = make((2, 4, 3, 3)), _affine(make, (4,), "both")
    v = make((2, 4, 3, 3), requires_grad=False)
    results = []
    as_groups = lambda: group_norm(x, 4, weight, bias)  # noqa: E731
    as_instances = lambda: instance_norm(x, None, None, weight, bias)  # noqa: E731
    for norm in (as_groups, as_instances):
        for t in (x, weight, bias):
            t.grad = None
        out = norm()
        (out * v).sum().backward()
        results.append([out.detach().numpy()] + [t.grad.numpy() for t in (x, weight, bias)])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_group_norm_with_one_group_is_layer_norm_with_a_per_channel_affine(make):
    x, (weight, bias) = make((2, 4, 3, 3)), _affine(make, (4,), "both")
    out = group_norm(x, 1, weight, bias)
    expected = layer_norm(x, (4, 3, 3)) * weight.reshape(4, 1, 1) + bias.reshape(4, 1, 1)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-12)


def test_group_norm_groups_are_consecutive_channels(make):
    x = make((2, 6, 5), requires_grad=False)
    out = group_norm(x, 3).numpy()
    for g in range(3):
        block = x.numpy()[:, 2 * g : 2 * g + 2].reshape(2, -1)
        normalised = (block - block.mean(1, keepdims=True)) / np.sqrt(
            block.var(1, keepdims=True) + 1e-5
        )
        np.testing.assert_allclose(out[:, 2 * g : 2 * g + 2].reshape(2, -1), normalised)


@pytest.mark.parametrize(
    "norm",
    [lambda x: layer_norm(x, (4, 3)), lambda x: group_norm(x, 2), lambda x: instance_norm(x)],
    ids=["layer_norm", "group_norm", "instance_norm"],
)
def test_no_sample_depends_on_the_rest_of_its_batch(make, norm):
    """The point of these variants (unlike BatchNorm): statistics per sample, so changing
    the other samples of a batch leaves a sample's output alone."""
    x = make((3, 4, 3), requires_grad=False)
    other = minigrad.cat([x[:1], x[1:] * 10 + 5])
    np.testing.assert_allclose(norm(x)[0].numpy(), norm(other)[0].numpy(), rtol=1e-12)
    np.testing.assert_allclose(norm(x)[:1].numpy(), norm(x[:1]).numpy(), rtol=1e-12)


def test_eps_is_inside_the_square_root(device):
    x = minigrad.tensor([[0.0, 2.0]], device=device)  # mean 1, biased variance 1
    out = layer_norm(x, (2,), eps=3.0)
    np.testing.assert_allclose(out.numpy(), [[-0.5, 0.5]])  # 1 / sqrt(1 + 3)


def test_layer_norm_over_one_element_is_zero(make):
    """A row of one value has variance 0 and normalises to 0 (then the bias)."""
    x = make((3, 1))
    bias = minigrad.full((1,), 0.5, dtype=minigrad.float64, device=x.device)
    out = layer_norm(x, (1,), bias=bias)
    np.testing.assert_allclose(out.numpy(), 0.5)


def test_empty_inputs_keep_their_shape(device):
    for out, shape in [
        (layer_norm(minigrad.zeros(0, 5, device=device), (5,)), (0, 5)),
        (layer_norm(minigrad.zeros(2, 0, device=device), (0,)), (2, 0)),
        (group_norm(minigrad.zeros(0, 4, 3, device=device), 2), (0, 4, 3)),
        (GroupNorm(2, 4).to(device)(minigrad.zeros(2, 4, 0, device=device)), (2, 4, 0)),
    ]:
        assert out.shape == shape


# ----------------------------------------------------------------------------------------
# InstanceNorm's running statistics and evaluation mode.
# ----------------------------------------------------------------------------------------


def test_instance_norm_running_stats_follow_pytorchs_rule(make, device):
    """running = (1 - momentum) running + momentum * (the batch's average of the instance
    means, and of the *unbiased* instance variances)."""
    x = make((4, 3, 5), requires_grad=False)
    norm = InstanceNorm1d(3, momentum=0.25, track_running_stats=True).double().to(device)
    norm(x)
    a = x.numpy()
    np.testing.assert_allclose(norm.running_mean.numpy(), 0.25 * a.mean(axis=2).mean(axis=0))
    np.testing.assert_allclose(
        norm.running_var.numpy(), 0.75 + 0.25 * a.var(axis=2, ddof=1).mean(axis=0)
    )
    assert int(norm.num_batches_tracked) == 0  # PyTorch never counts InstanceNorm's batches


def test_instance_norm_momentum_none_leaves_the_estimates(make, device):
    norm = InstanceNorm2d(2, momentum=None, track_running_stats=True).double().to(device)
    norm(make((2, 2, 3, 3), requires_grad=False))
    np.testing.assert_array_equal(norm.running_mean.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(norm.running_var.numpy(), [1.0, 1.0])


def test_instance_norm_eval_mode(make, device):
    """With running estimates, evaluation normalises with them; without, evaluation is the
    same as training."""
    x = make((2, 3, 4), requires_grad=False)
    tracked = InstanceNorm1d(3, track_running_stats=True).double().to(device)
    with minigrad.no_grad():
        tracked.running_mean.copy_(minigrad.tensor([1.0, 2.0, 3.0], device=device))
        tracked.running_var.copy_(minigrad.tensor([4.0, 1.0, 0.25], device=device))
    tracked.eval()
    expected = (x.numpy() - [[[1.0], [2.0], [3.0]]]) / np.sqrt(
        np.array([[[4.0], [1.0], [0.25]]]) + 1e-5
    )
    np.testing.assert_allclose(tracked(x).numpy(), expected)
    np.testing.assert_allclose(tracked.running_mean.numpy(), [1.0, 2.0, 3.0])  # unchanged

    plain = InstanceNorm1d(3).double().to(device)
    np.testing.assert_allclose(plain.eval()(x).numpy(), plain.train()(x).numpy())


def test_instance_norm_eval_accepts_one_position(device):
    """Only training needs more than one value per channel: with running estimates,
    evaluation normalises a single position too."""
    norm = InstanceNorm1d(3, track_running_stats=True).to(device).eval()
    assert norm(minigrad.ones(2, 3, 1, device=device)).shape == (2, 3, 1)


# ----------------------------------------------------------------------------------------
# Unbatched inputs and dtypes.
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls, shape", [(InstanceNorm1d, (3, 6)), (InstanceNorm2d, (3, 4, 5))])
def test_unbatched_input_is_a_batch_of_one(make, device, cls, shape):
    x = make(shape, requires_grad=False)
    a = cls(3, affine=True, track_running_stats=True).double().to(device)
    b = cls(3, affine=True, track_running_stats=True).double().to(device)
    out = a(x)
    assert out.shape == shape
    np.testing.assert_allclose(out.numpy(), b(x.unsqueeze(0))[0].detach().numpy())
    np.testing.assert_allclose(a.running_var.numpy(), b.running_var.numpy())


@pytest.mark.parametrize(
    "module, shape",
    [(LayerNorm(4), (2, 3, 4)), (GroupNorm(2, 4), (2, 4, 3)), (InstanceNorm1d(3), (2, 3, 4)),
     (InstanceNorm2d(3, affine=True, track_running_stats=True), (2, 3, 2, 2))],
)  # fmt: skip
def test_float32_stays_float32(device, module, shape):
    module = module.to(device)
    x = minigrad.randn(*shape, device=device, requires_grad=True)
    out = module(x)
    assert out.dtype == minigrad.float32
    out.sum().backward()
    assert x.grad.dtype == minigrad.float32
    assert all(p.grad.dtype == minigrad.float32 for p in module.parameters())
    assert all(b.dtype in (minigrad.float32, minigrad.int64) for b in module.buffers())
    assert module.eval()(x).dtype == minigrad.float32


# ----------------------------------------------------------------------------------------
# The modules: parameters, state_dict, repr, reset.
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "module, keys, shape",
    [(LayerNorm(5), ["weight", "bias"], (5,)),
     (LayerNorm((2, 3), bias=False), ["weight"], (2, 3)),
     (LayerNorm(5, elementwise_affine=False), [], None),
     (GroupNorm(2, 4), ["weight", "bias"], (4,)),
     (GroupNorm(2, 4, affine=False), [], None),
     (InstanceNorm1d(3), [], None),
     (InstanceNorm1d(3, affine=True), ["weight", "bias"], (3,)),
     (InstanceNorm2d(3, track_running_stats=True),
      ["running_mean", "running_var", "num_batches_tracked"], None),
     (InstanceNorm2d(3, affine=True, bias=False, track_running_stats=True),
      ["weight", "running_mean", "running_var", "num_batches_tracked"], (3,))],
)  # fmt: skip
def test_state_dict_keys_and_init(module, keys, shape):
    state = module.state_dict()
    assert list(state) == keys
    if "weight" in state:
        assert state["weight"].shape == shape
        np.testing.assert_array_equal(state["weight"].numpy(), 1.0)
    if "bias" in state:
        np.testing.assert_array_equal(state["bias"].numpy(), 0.0)
    if "running_var" in state:
        np.testing.assert_array_equal(state["running_mean"].numpy(), 0.0)
        np.testing.assert_array_equal(state["running_var"].numpy(), 1.0)
        assert state["num_batches_tracked"].dtype == minigrad.int64


def test_reset_parameters_restores_pytorchs_init():
    norms = [
        LayerNorm(3),
        GroupNorm(1, 3),
        InstanceNorm1d(3, affine=True, track_running_stats=True),
    ]
    for norm in norms:
        with minigrad.no_grad():
            for t in [*norm.parameters(), *norm.buffers()]:
                t.fill_(7)
        norm.reset_parameters()
        np.testing.assert_array_equal(norm.weight.numpy(), 1.0)
        np.testing.assert_array_equal(norm.bias.numpy(), 0.0)
    np.testing.assert_array_equal(norms[2].running_mean.numpy(), 0.0)
    np.testing.assert_array_equal(norms[2].running_var.numpy(), 1.0)
    assert int(norms[2].num_batches_tracked) == 0


def test_repr_is_pytorchs():
    """The strings PyTorch 2.13 prints for the same modules."""
    assert repr(LayerNorm(5)) == "LayerNorm((5,), eps=1e-05, elementwise_affine=True, bias=True)"
    assert repr(LayerNorm([4, 5], elementwise_affine=False)) == (
        "LayerNorm((4, 5), eps=1e-05, elementwise_affine=False, bias=False)"
    )
    assert repr(GroupNorm(2, 4, affine=False)) == (
        "GroupNorm(2, 4, eps=1e-05, affine=False, bias=False)"
    )
    assert repr(InstanceNorm1d(3)) == (
        "InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=False, bias=False, "
        "track_running_stats=False)"
    )
    assert repr(InstanceNorm2d(3, affine=True, track_running_stats=True, bias=False)) == (
        "InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=False, "
        "track_running_stats=True)"
    )


def test_state_dict_round_trip(make, device):
    a = InstanceNorm2d(2, affine=True, track_running_stats=True).to(device)
    a(minigrad.randn(3, 2, 4, 4, device=device) * 3 + 1)
    b = InstanceNorm2d(2, affine=True, track_running_stats=True).to(device)
    b.load_state_dict(a.state_dict())
    for key, value in a.state_dict().items():
        np.testing.assert_array_equal(b.state_dict()[key].numpy(), value.numpy())
    state = dict(a.state_dict())
    del state["num_batches_tracked"]  # a checkpoint from before PyTorch counted batches
    b.load_state_dict(state)


# ----------------------------------------------------------------------------------------
# Errors, as PyTorch raises them.
# ----------------------------------------------------------------------------------------


def test_layer_norm_errors(device):
    x = minigrad.randn(2, 3, 4, 5, device=device)
    message = (
        "Given normalized_shape=[4, 4], expected input with shape [*, 4, 4], but got input "
        "of size[2, 3, 4, 5]"
    )
    with pytest.raises(RuntimeError) as info:
        layer_norm(x, (4, 4))
    assert str(info.value) == message
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[3\], expected input"):
        LayerNorm(3).to(device)(x)
    with pytest.raises(RuntimeError, match=r"size\[4, 5\]"):
        layer_norm(minigrad.randn(4, 5, device=device), (3, 4, 5))
    with pytest.raises(RuntimeError, match="at least 1-dimensional"):
        layer_norm(x, ())
    with pytest.raises(TypeError, match="must be tuple of ints, not int"):
        layer_norm(x, 5)
    with pytest.raises(RuntimeError, match=r"weight of shape \[4\] and normalized_shape = \[5\]"):
        layer_norm(x, (5,), minigrad.ones(4, device=device))
    with pytest.raises(RuntimeError, match=r"bias of shape \[3\]"):
        layer_norm(x, (5,), None, minigrad.ones(3, device=device))


def test_group_norm_errors(device):
    x = minigrad.randn(2, 3, 4, device=device)
    with pytest.raises(ValueError, match=r"num_channels \(3\) must be divisible by num_groups"):
        GroupNorm(2, 3)
    with pytest.raises(RuntimeError, match="divisible by num_groups, but got input of shape"):
        group_norm(x, 2)
    with pytest.raises(RuntimeError, match="weight of shape \\[4\\] and input of shape"):
        GroupNorm(1, 4).to(device)(x)  # channels that do not match the layer's
    with pytest.raises(RuntimeError, match="Expected at least 2 dimensions"):
        group_norm(minigrad.randn(3, device=device), 1)
    with pytest.raises(RuntimeError, match="num groups to be greater than 0"):
        group_norm(x, 0)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        group_norm(minigrad.randn(1, 3, device=device), 3)
    assert group_norm(minigrad.randn(2, 3, device=device), 3).shape == (2, 3)  # as PyTorch


def test_instance_norm_errors(device):
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        InstanceNorm1d(3)(minigrad.randn(2, 3, 4, 5, device=device))
    with pytest.raises(ValueError, match=r"expected 3D or 4D input \(got 2D input\)"):
        InstanceNorm2d(3)(minigrad.randn(3, 4, device=device))
    with pytest.raises(ValueError, match="more than 1 spatial element when training"):
        instance_norm(minigrad.randn(2, 3, 1, device=device))
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        InstanceNorm1d(3)(minigrad.randn(3, 1, device=device))  # unbatched
    with pytest.raises(ValueError, match=r"size at dim=1 to match num_features \(4\), but got: 3"):
        InstanceNorm1d(4, affine=True).to(device)(minigrad.randn(2, 3, 5, device=device))
    with pytest.warns(UserWarning, match="does not match num_features"):
        out = InstanceNorm1d(4)(minigrad.randn(2, 3, 5, device=device))
    assert out.shape == (2, 3, 5)  # no per-channel tensors: any channel count works
    with pytest.warns(UserWarning, match="dim=0 does not match"):
        InstanceNorm2d(4)(minigrad.randn(3, 2, 2, device=device))  # unbatched: dim 0
    x, mean = minigrad.randn(2, 3, 4, device=device), minigrad.zeros(3, device=device)
    with pytest.raises(ValueError, match="both be None or neither"):
        instance_norm(x, mean, None)
    with pytest.raises(RuntimeError, match="to be defined when use_input_stats is false"):
        instance_norm(x, use_input_stats=False)
    with pytest.raises(RuntimeError, match="running_mean should contain 3 elements"):
        instance_norm(x, minigrad.zeros(4, device=device), minigrad.ones(4, device=device))
    with pytest.raises(RuntimeError, match="weight should contain 3 elements"):
        instance_norm(x, weight=minigrad.ones(2, device=device))


def test_input_and_dtype_errors(device):
    ints = minigrad.ones(2, 3, 4, dtype=minigrad.int64, device=device)
    for norm in (lambda x: layer_norm(x, (4,)), lambda x: group_norm(x, 3), instance_norm):
        with pytest.raises(RuntimeError, match="needs a floating point input"):
            norm(ints)
    with pytest.raises(TypeError, match="expects a Tensor"):
        layer_norm(np.ones((2, 3)), (3,))
    x = minigrad.randn(2, 3, 4, device=device)
    with pytest.raises(RuntimeError, match="same dtype"):
        layer_norm(x, (4,), minigrad.ones(4, dtype=minigrad.float64, device=device))
    with pytest.raises(RuntimeError, match="same dtype"):
        GroupNorm(1, 3).double().to(device)(x)  # a float64 layer, a float32 input
