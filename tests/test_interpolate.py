"""``F.interpolate`` and ``nn.Upsample`` beyond the golden cases: float64 gradchecks for
every mode, the indices PyTorch picks (checked against the formulas), the modules, and the
errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import nn

MODES_2D = [
    ("nearest", None),
    ("nearest-exact", None),
    ("bilinear", False),
    ("bilinear", True),
    ("area", None),
]


@pytest.mark.parametrize(("mode", "align_corners"), MODES_2D)
@pytest.mark.parametrize("resize", [{"size": (7, 3)}, {"scale_factor": 1.6}])
def test_interpolate_passes_gradcheck(mode, align_corners, resize, device, rng):
    x = minigrad.tensor(rng.standard_normal((2, 2, 4, 5)), device=device, requires_grad=True)
    extra = {} if align_corners is None else {"align_corners": align_corners}
    assert minigrad.gradcheck(lambda t: F.interpolate(t, mode=mode, **resize, **extra), (x,))


@pytest.mark.parametrize("mode", ["nearest", "linear", "area"])
def test_one_dimensional_modes_pass_gradcheck(mode, device, rng):
    x = minigrad.tensor(rng.standard_normal((2, 3, 5)), device=device, requires_grad=True)
    assert minigrad.gradcheck(lambda t: F.interpolate(t, size=8, mode=mode), (x,))


def test_nearest_picks_floor_of_the_scaled_index(device):
    """Output i reads input floor(i * in / out) ('nearest', clipped to the last) and
    floor((i + 0.5) * in / out) ('nearest-exact'), the scale computed in float32."""
    x = minigrad.arange(5.0, device=device).reshape(1, 1, 5)
    for out in (3, 7, 8, 12):
        scale = np.float32(5) / np.float32(out)
        want = [min(math.floor(np.float32(i) * scale), 4) for i in range(out)]
        assert F.interpolate(x, size=out)[0, 0].tolist() == want
        exact = [min(math.floor((np.float32(i) + np.float32(0.5)) * scale), 4) for i in range(out)]
        assert F.interpolate(x, size=out, mode="nearest-exact")[0, 0].tolist() == exact


def test_linear_weights_follow_the_corner_convention(device):
    x = minigrad.tensor([[[0.0, 10.0]]], device=device)
    # align_corners: source i * (2 - 1) / (5 - 1) = 0, .25, .5, .75, 1
    assert F.interpolate(x, size=5, mode="linear", align_corners=True)[0, 0].tolist() == [
        0.0, 2.5, 5.0, 7.5, 10.0
    ]  # fmt: skip
    # pixel areas: source (i + .5) * 2 / 4 - .5 = -.25 (clipped to 0), .25, .75, 1.25 (-> 1)
    assert F.interpolate(x, size=4, mode="linear")[0, 0].tolist() == [0.0, 2.5, 7.5, 10.0]


def test_gradient_of_nearest_upsampling_sums_each_block(device):
    x = minigrad.ones(1, 1, 2, 2, device=device, requires_grad=True)
    F.interpolate(x, scale_factor=3).sum().backward()
    assert x.grad.tolist() == [[[[9.0, 9.0], [9.0, 9.0]]]]


def test_upsample_modules(device):
    up = nn.Upsample(scale_factor=2, mode="bilinear")
    assert repr(up) == "Upsample(scale_factor=2.0, mode='bilinear')"
    assert repr(nn.Upsample(size=(3, 4))) == "Upsample(size=(3, 4), mode='nearest')"
    x = minigrad.arange(4.0, device=device).reshape(1, 1, 2, 2)
    np.testing.assert_allclose(up(x).numpy(), F.interpolate(x, scale_factor=2.0,
                                                            mode="bilinear").numpy())  # fmt: skip
    aligned = nn.UpsamplingBilinear2d(scale_factor=2)(x)
    assert aligned[0, 0, 0].tolist() == pytest.approx([0.0, 1 / 3, 2 / 3, 1.0])
    assert nn.UpsamplingNearest2d(size=(4, 6))(x).shape == (1, 1, 4, 6)
    assert nn.Upsample(scale_factor=(2, 3)).scale_factor == (2.0, 3.0)
    assert list(up.state_dict()) == []


@pytest.mark.parametrize(
    ("shape", "options", "error", "message"),
    [
        ((1, 1, 4, 4), {"scale_factor": 2, "mode": "linear"}, NotImplementedError,
         "Got 4D input, but linear mode needs 3D input"),
        ((1, 1, 4), {"scale_factor": 2, "mode": "bilinear"}, NotImplementedError,
         "Got 3D input, but bilinear mode needs 4D input"),
        ((1, 1, 4, 4), {"scale_factor": 2, "align_corners": True}, ValueError,
         "align_corners option can only be set with the interpolating modes"),
        ((1, 1, 4, 4), {}, ValueError, "either size or scale_factor should be defined"),
        ((1, 1, 4, 4), {"size": 3, "scale_factor": 2}, ValueError, "only one of size or"),
        ((1, 1, 4, 4), {"size": (3, 3, 3)}, ValueError, "same number of spatial dimensions"),
        ((1, 1, 4, 4), {"scale_factor": (2, 2, 2)}, ValueError, "scale_factor must have the same"),
        ((1, 1, 4, 4), {"size": 2, "mode": "foo"}, NotImplementedError, "got 'foo'"),
        ((4, 4), {"size": 2}, NotImplementedError, r"Tensors supported \(got 2D\)"),
        ((1, 1, 4, 4), {"scale_factor": 0.1}, RuntimeError,
         r"sizes should be greater than 0, but got input \(H: 4, W: 4\) output \(H: 0, W: 0\)"),
        ((1, 1, 4, 4), {"size": 2, "mode": "bicubic"}, NotImplementedError, "is not supported"),
        ((1, 1, 4, 4), {"size": 2, "antialias": True}, NotImplementedError, "antialias=True"),
        ((1, 1, 4, 4), {"size": 2.5}, TypeError, "size must be ints"),
    ],
)  # fmt: skip
def test_bad_arguments_get_pytorchs_errors(shape, options, error, message):
    with pytest.raises(error, match=message):
        F.interpolate(minigrad.ones(*shape), **options)


def test_integer_input_is_refused():
    with pytest.raises(NotImplementedError, match=r"convert it with \.float"):
        F.interpolate(minigrad.ones(1, 1, 2, 2).long(), size=3)


def test_pixel_shuffle_unfold_and_fold_pass_gradcheck(device, rng):
    x = minigrad.tensor(rng.standard_normal((2, 8, 3, 4)), device=device, requires_grad=True)
    cols = minigrad.tensor(rng.standard_normal((2, 12, 6)), device=device, requires_grad=True)
    assert minigrad.gradcheck(
        lambda t, c: (
            F.pixel_shuffle(t, 2), F.pixel_unshuffle(t[:, :, :2], 2),
            F.unfold(t, 2, padding=1, stride=(1, 2)), F.fold(c, (3, 4), 2),
        ),
        (x, cols),
    )  # fmt: skip


def test_unfold_then_matmul_is_a_convolution(device, rng):
    x = minigrad.tensor(rng.standard_normal((2, 3, 5, 6)), device=device)
    w = minigrad.tensor(rng.standard_normal((4, 3, 3, 3)), device=device)
    cols = F.unfold(x, 3, padding=1)  # (2, 27, 30)
    out = (w.reshape(4, -1) @ cols).reshape(2, 4, 5, 6)
    np.testing.assert_allclose(out.numpy(), F.conv2d(x, w, padding=1).numpy(), rtol=1e-5,
                               atol=1e-5)  # fmt: skip


def test_fold_counts_the_windows_that_cover_each_pixel(device):
    counts = F.fold(F.unfold(minigrad.ones(1, 1, 4, 4, device=device), 3), (4, 4), 3)
    assert counts[0, 0].tolist() == [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: F.pixel_shuffle(minigrad.ones(1, 6, 2, 2), 2), "divisible by the square"),
        (lambda: F.pixel_unshuffle(minigrad.ones(1, 1, 3, 4), 2), "to be divisible by"),
        (lambda: F.pixel_shuffle(minigrad.ones(4, 2), 2), "at least 3 dimensions"),
        (lambda: F.unfold(minigrad.ones(1, 1, 2, 2), 3), "must be at least one"),
        (lambda: F.fold(minigrad.ones(1, 12, 5), (7, 8), 2), "calculated number of sliding"),
        (lambda: F.fold(minigrad.ones(1, 10, 4), (3, 3), 2), "divisible by the product"),
    ],
)
def test_rearrangement_errors(call, message):
    with pytest.raises(RuntimeError, match=message):
        call()
