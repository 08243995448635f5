"""3-D convolution, pooling, normalization and dropout beyond their golden cases: float64
gradchecks, a 3-D convolution equal to the sum of its depth taps' 2-D ones written out by
hand, the indices of max_pool3d, channel dropout, and the errors."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F


def _x(rng, *shape, device="cpu"):
    return minigrad.tensor(rng.standard_normal(shape), device=device, requires_grad=True)


def test_conv3d_passes_gradcheck(device, rng):
    x, w, b = (
        _x(rng, 1, 2, 4, 3, 4, device=device),
        _x(rng, 2, 1, 2, 2, 3, device=device),
        _x(rng, 2, device=device),
    )
    assert minigrad.gradcheck(
        lambda x, w, b: F.conv3d(x, w, b, stride=(1, 2, 1), padding=(1, 0, 1), groups=2),
        (x, w, b),
    )


def test_pooling_passes_gradcheck(device, rng):
    x = _x(rng, 1, 2, 4, 5, 4, device=device)
    assert minigrad.gradcheck(
        lambda x: (
            F.max_pool3d(x, 2, stride=1, padding=1),
            F.avg_pool3d(x, (2, 3, 2), stride=2, padding=1, count_include_pad=False),
            F.avg_pool3d(x, 3, stride=2, ceil_mode=True),
            F.adaptive_avg_pool3d(x, (3, 2, 3)),
        ),
        (x,),
    )


def test_a_3d_convolution_is_its_depth_taps_summed(rng):
    x, w = rng.standard_normal((1, 2, 5, 4, 4)), rng.standard_normal((3, 2, 3, 2, 2))
    out = F.conv3d(minigrad.tensor(x), minigrad.tensor(w)).numpy()
    for d in range(3):  # output depth d reads input depths d, d + 1, d + 2
        expected = sum(
            F.conv2d(minigrad.tensor(x[:, :, d + k]), minigrad.tensor(w[:, :, k])).numpy()
            for k in range(3)
        )
        np.testing.assert_allclose(out[:, :, d], expected, rtol=1e-12)


def test_max_pool3d_indices_name_the_maxima(rng):
    x = rng.standard_normal((2, 3, 4, 5, 6))
    values, where = F.max_pool3d(minigrad.tensor(x), 2, return_indices=True)
    flat = x.reshape(2, 3, -1)
    picked = np.take_along_axis(flat, where.numpy().reshape(2, 3, -1), -1)
    np.testing.assert_array_equal(picked, values.numpy().reshape(2, 3, -1))
    tied = minigrad.zeros(1, 1, 2, 2, 2, requires_grad=True)
    F.max_pool3d(tied, 2).sum().backward()
    assert tied.grad.flatten().tolist() == [1.0] + [0.0] * 7  # the first maximum


def test_dropout3d_drops_whole_volumes(device):
    minigrad.manual_seed(0)
    y = F.dropout3d(minigrad.ones(4, 6, 2, 2, 2, device=device), 0.5)
    sums = y.sum(dim=(2, 3, 4)).numpy()
    assert set(np.unique(sums)) <= {0.0, 16.0} and 0 < (sums == 0).sum() < sums.size
    unbatched = F.dropout3d(minigrad.ones(6, 2, 2, 2, device=device), 0.5)  # (C, D, H, W)
    assert set(np.unique(unbatched.sum(dim=(1, 2, 3)).numpy())) <= {0.0, 16.0}


def test_conv3d_layer_options(device):
    conv = nn.Conv3d(2, 2, 3, padding=1, padding_mode="replicate", bias=False).to(device)
    with minigrad.no_grad():
        conv.weight.zero_()
        conv.weight[0, 0, 1, 1, 1] = 1.0  # the centre tap: channel 0 copied
    x = minigrad.randn(1, 2, 3, 3, 3, device=device)
    np.testing.assert_allclose(conv(x)[0, 0].numpy(), x[0, 0].numpy())
    assert conv(x[0]).shape == (2, 3, 3, 3)  # unbatched
    assert nn.BatchNorm3d(2)(minigrad.randn(2, 2, 2, 2, 2)).shape == (2, 2, 2, 2, 2)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: F.conv3d(minigrad.ones(1, 3, 2, 3, 3), minigrad.ones(1, 2, 1, 1, 1)),
         RuntimeError, "input has 3 channels but the weight expects 2"),
        (lambda: F.conv3d(minigrad.ones(2, 3, 3), minigrad.ones(1, 2, 1, 1, 1)), RuntimeError,
         "expected a 4-D"),
        (lambda: F.conv3d(minigrad.ones(1, 2, 2, 3, 3), minigrad.ones(1, 2, 3, 1, 1)),
         RuntimeError, "kernel's depth 3"),
        (lambda: F.conv3d(minigrad.ones(1, 2, 3, 3, 3), minigrad.ones(1, 2, 1, 1, 1), stride=2,
                          padding="same"), ValueError, "not supported for strided"),
        (lambda: F.max_pool3d(minigrad.ones(1, 1, 3, 3, 3), 2, padding=2), RuntimeError,
         "pad should be at most half of effective kernel size"),
        (lambda: F.max_pool3d(minigrad.ones(1, 1, 3, 3, 3).long(), 2), RuntimeError,
         "floating point input"),
        (lambda: F.avg_pool3d(minigrad.ones(1, 1, 3, 3, 3), 2, divisor_override=0), RuntimeError,
         "divisor must be not zero"),
        (lambda: F.dropout3d(minigrad.ones(2, 3, 4), 0.5), RuntimeError, "expected a 4-D"),
    ],
)  # fmt: skip
def test_bad_arguments_are_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_conv_transpose3d_passes_gradcheck_and_inverts_shapes(device, rng):
    x = _x(rng, 1, 2, 2, 3, 2, device=device)
    w = _x(rng, 2, 1, 2, 2, 3, device=device)
    assert minigrad.gradcheck(
        lambda x, w: F.conv_transpose3d(x, w, stride=(2, 1, 2), padding=(0, 1, 1), groups=2),
        (x, w),
    )
    down = nn.Conv3d(3, 5, 3, stride=2, padding=1)
    up = nn.ConvTranspose3d(5, 3, 3, stride=2, padding=1)
    volume = minigrad.randn(1, 3, 7, 8, 9)
    assert up(down(volume), output_size=volume.shape).shape == volume.shape
