"""Folding an evaluation-mode BatchNorm into the Linear or Conv2d layer before it."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn.utils.fusion import (
    fold_batchnorm,
    fuse_conv_bn_eval,
    fuse_conv_bn_weights,
    fuse_linear_bn_eval,
    fuse_linear_bn_weights,
)

DTYPES = [(minigrad.float32, 1e-5), (minigrad.float64, 1e-12)]


def _calibrate(bn: nn.Module, rng: np.random.Generator, dtype) -> None:
    """Give ``bn`` running estimates and affine parameters far from their initial 0/1 (so
    that a fold which ignored any of them would fail), then put it in evaluation mode."""
    c = bn.num_features
    with minigrad.no_grad():
        bn.running_mean.copy_(minigrad.tensor(rng.normal(0, 2, c), dtype=dtype))
        bn.running_var.copy_(minigrad.tensor(rng.uniform(0.1, 5, c), dtype=dtype))
        if bn.affine:
            bn.weight.copy_(minigrad.tensor(rng.normal(0, 2, c), dtype=dtype))
            bn.bias.copy_(minigrad.tensor(rng.normal(0, 2, c), dtype=dtype))
    bn.eval()


def _close(a, b, tol: float) -> bool:
    scale = max(1.0, float(b.abs().max().item()))
    return float((a - b).abs().max().item()) <= tol * scale


@pytest.mark.parametrize(("dtype", "tol"), DTYPES)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_linear_bn_fold_gives_the_same_outputs(device, rng, dtype, tol, bias, affine):
    linear = nn.Linear(7, 5, bias=bias).to(device, dtype).eval()
    bn = nn.BatchNorm1d(5, affine=affine).to(device, dtype)
    _calibrate(bn, rng, dtype)
    fused = fuse_linear_bn_eval(linear, bn)
    x = minigrad.tensor(rng.normal(size=(9, 7)), dtype=dtype, device=device)
    assert type(fused) is nn.Linear and fused is not linear
    assert fused.weight.dtype == dtype and fused.bias.dtype == dtype
    assert fused.weight.device is linear.weight.device
    assert fused.bias is not None  # the fold always produces a bias
    assert not fused.training
    assert _close(fused(x), bn(linear(x)), tol)


@pytest.mark.parametrize(("dtype", "tol"), DTYPES)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_conv_bn_fold_gives_the_same_outputs(device, rng, dtype, tol, bias, affine):
    conv = nn.Conv2d(3, 4, kernel_size=3, stride=2, padding=1, bias=bias).to(device, dtype)
    conv.eval()
    bn = nn.BatchNorm2d(4, affine=affine).to(device, dtype)
    _calibrate(bn, rng, dtype)
    fused = fuse_conv_bn_eval(conv, bn)
    x = minigrad.tensor(rng.normal(size=(2, 3, 9, 9)), dtype=dtype, device=device)
    assert type(fused) is nn.Conv2d
    assert (fused.stride, fused.padding, fused.kernel_size) == ((2, 2), (1, 1), (3, 3))
    assert fused.weight.dtype == dtype and fused.bias.dtype == dtype
    assert _close(fused(x), bn(conv(x)), tol)


def test_grouped_conv_folds_per_output_channel(rng):
    conv = nn.Conv2d(4, 6, kernel_size=3, groups=2).eval()
    bn = nn.BatchNorm2d(6)
    _calibrate(bn, rng, minigrad.float32)
    x = minigrad.randn(2, 4, 6, 6)
    assert _close(fuse_conv_bn_eval(conv, bn)(x), bn(conv(x)), 1e-5)


def test_the_fold_is_the_affine_map_of_algorithm_2(rng):
    """Weight rows scaled by s = gamma / sqrt(var + eps); bias s * (b - mu) + beta."""
    linear = nn.Linear(3, 2, dtype=minigrad.float64).eval()
    bn = nn.BatchNorm1d(2, eps=1e-3, dtype=minigrad.float64)
    _calibrate(bn, rng, minigrad.float64)
    fused = fuse_linear_bn_eval(linear, bn)
    mu, var = bn.running_mean.numpy(), bn.running_var.numpy()
    s = bn.weight.numpy() / np.sqrt(var + 1e-3)
    np.testing.assert_allclose(fused.weight.numpy(), linear.weight.numpy() * s[:, None])
    np.testing.assert_allclose(fused.bias.numpy(), s * (linear.bias.numpy() - mu) + bn.bias.numpy())
    w, b = fuse_linear_bn_weights(
        linear.weight, linear.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias
    )
    assert isinstance(w, nn.Parameter) and isinstance(b, nn.Parameter)
    np.testing.assert_allclose(w.numpy(), fused.weight.numpy())
    np.testing.assert_allclose(b.numpy(), fused.bias.numpy())


def test_fuse_conv_bn_weights_without_bias_or_affine(rng):
    conv = nn.Conv2d(2, 3, kernel_size=1, bias=False).eval()
    bn = nn.BatchNorm2d(3, affine=False)
    _calibrate(bn, rng, minigrad.float32)
    w, b = fuse_conv_bn_weights(
        conv.weight, None, bn.running_mean, bn.running_var, bn.eps, None, None
    )
    s = 1 / np.sqrt(bn.running_var.numpy() + bn.eps)
    np.testing.assert_allclose(w.numpy(), conv.weight.numpy() * s[:, None, None, None], rtol=1e-6)
    np.testing.assert_allclose(b.numpy(), -bn.running_mean.numpy() * s, rtol=1e-6)
    assert w.requires_grad and b.requires_grad


def test_single_channel_bn_after_linear_broadcasts(rng):
    """PyTorch also allows BatchNorm1d(1) on (N, 1, L) outputs of a Linear."""
    linear = nn.Linear(4, 5).eval()
    bn = nn.BatchNorm1d(1)
    _calibrate(bn, rng, minigrad.float32)
    x = minigrad.randn(3, 1, 4)
    fused = fuse_linear_bn_eval(linear, bn)
    assert tuple(fused.bias.shape) == (5,)
    assert _close(fused(x), bn(linear(x)), 1e-5)


def test_inputs_are_left_unchanged_and_requires_grad_is_kept(rng):
    linear = nn.Linear(3, 2).eval()
    linear.weight.requires_grad_(False)
    before = linear.weight.numpy().copy()
    bn = nn.BatchNorm1d(2)
    _calibrate(bn, rng, minigrad.float32)
    fused = fuse_linear_bn_eval(linear, bn)
    np.testing.assert_array_equal(linear.weight.numpy(), before)
    assert fused.weight is not linear.weight
    assert not fused.weight.requires_grad and fused.bias.requires_grad


# ----------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------


def test_a_bn_in_training_mode_cannot_be_folded():
    linear, bn = nn.Linear(3, 2).eval(), nn.BatchNorm1d(2)
    with pytest.raises(ValueError, match=r"BatchNorm is in training mode: call \.eval\(\)"):
        fuse_linear_bn_eval(linear, bn)
    with pytest.raises(ValueError, match="Conv2d is in training mode"):
        fuse_conv_bn_eval(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2).eval())


def test_mismatched_features_are_refused():
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3\) into Linear\(out_features=2\)"):
        fuse_linear_bn_eval(nn.Linear(3, 2).eval(), nn.BatchNorm1d(3).eval())
    with pytest.raises(ValueError, match=r"BatchNorm2d\(5\) into Conv2d\(out_channels=4\)"):
        fuse_conv_bn_eval(nn.Conv2d(1, 4, 3).eval(), nn.BatchNorm2d(5).eval())


def test_bn_without_running_statistics_is_refused():
    bn = nn.BatchNorm1d(2, track_running_stats=False).eval()
    with pytest.raises(ValueError, match="track_running_stats=False"):
        fuse_linear_bn_eval(nn.Linear(3, 2).eval(), bn)


def test_wrong_layer_types_are_refused():
    with pytest.raises(TypeError, match="expected a Linear layer, got Conv2d"):
        fuse_linear_bn_eval(nn.Conv2d(1, 2, 3).eval(), nn.BatchNorm1d(2).eval())
    with pytest.raises(TypeError, match="expected a BatchNorm layer, got ReLU"):
        fuse_conv_bn_eval(nn.Conv2d(1, 2, 3).eval(), nn.ReLU().eval())


# ----------------------------------------------------------------------------------------
# fold_batchnorm on a whole Sequential
# ----------------------------------------------------------------------------------------


def _trained_cnn():
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.Sequential(nn.Conv2d(4, 4, 3, bias=False), nn.BatchNorm2d(4), nn.ReLU()),
        nn.Flatten(),
        nn.Linear(4 * 6 * 6, 8),
        nn.BatchNorm1d(8),
        nn.ReLU(),
        nn.BatchNorm1d(8),  # after an activation: nothing to fold it into, so it stays
        nn.Linear(8, 3),
    )
    for _ in range(3):  # training-mode passes move the running estimates
        model(minigrad.randn(16, 1, 8, 8) * 3 + 1)
    return model.eval()


def test_fold_batchnorm_folds_every_pair_and_keeps_the_outputs():
    model = _trained_cnn()
    folded = fold_batchnorm(model)
    kinds = [type(m).__name__ for m in folded]
    assert kinds == ["Conv2d", "Identity", "ReLU", "Sequential", "Flatten", "Linear",
                     "Identity", "ReLU", "BatchNorm1d", "Linear"]  # fmt: skip
    assert [type(m).__name__ for m in folded[3]] == ["Conv2d", "Identity", "ReLU"]
    assert not folded.training and not folded[0].training
    x = minigrad.randn(5, 1, 8, 8)
    assert _close(folded(x), model(x), 1e-5)
    # the original model is untouched: still every BatchNorm, its own parameters
    assert [type(m).__name__ for m in model].count("BatchNorm2d") == 1
    assert folded[0].weight is not model[0].weight


def test_fold_batchnorm_needs_evaluation_mode_and_a_sequential():
    model = _trained_cnn().train()
    with pytest.raises(ValueError, match=r"layers 0 and 1: .*training mode"):
        fold_batchnorm(model)
    model.eval()
    model[3][1].train()
    with pytest.raises(ValueError, match=r"layers 3\.0 and 3\.1"):
        fold_batchnorm(model)
    with pytest.raises(TypeError, match=r"expects an nn\.Sequential"):
        fold_batchnorm(nn.Linear(2, 2))
