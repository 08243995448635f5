"""``F.affine_grid`` and ``F.grid_sample`` beyond their golden cases: the identity map
reproduces the image, a translation by one pixel shifts it, gradients reach theta (a
spatial transformer can learn), float64 gradchecks of every mode and padding, and the
errors and warnings."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F

F64 = minigrad.float64
IDENTITY = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
def test_the_identity_grid_reproduces_the_image(device, align_corners, mode):
    x = minigrad.randn(2, 3, 4, 5, dtype=F64, device=device)
    theta = minigrad.tensor([IDENTITY] * 2, dtype=F64, device=device)
    grid = F.affine_grid(theta, x.shape, align_corners=align_corners)
    y = F.grid_sample(x, grid, mode=mode, align_corners=align_corners)
    np.testing.assert_allclose(y.numpy(), x.numpy(), rtol=1e-12, atol=1e-12)


def test_a_translation_by_one_pixel_shifts_the_image(device):
    """With align_corners=True, a pixel is 2 / (W - 1) wide in grid units: moving every
    point that far right reads each pixel's right-hand neighbour (zeros past the edge)."""
    x = minigrad.arange(12, dtype=F64, device=device).reshape(1, 1, 3, 4)
    theta = minigrad.tensor([[[1.0, 0.0, 2 / 3], [0.0, 1.0, 0.0]]], dtype=F64, device=device)
    y = F.grid_sample(x, F.affine_grid(theta, x.shape, align_corners=True), align_corners=True)
    expected = np.concatenate([x.numpy()[..., 1:], np.zeros((1, 1, 3, 1))], axis=-1)
    np.testing.assert_allclose(y.numpy(), expected, atol=1e-12)


def test_a_spatial_transformer_learns_a_shift(device):
    """Gradient descent on theta alone moves a sampled image (a smooth blob) onto a
    shifted copy of it."""
    ys, xs = minigrad.meshgrid(minigrad.linspace(-1, 1, 16), minigrad.linspace(-1, 1, 16),
                               indexing="ij")  # fmt: skip
    x = (-(xs**2 + ys**2) / 0.3).exp().reshape(1, 1, 16, 16).to(device)
    target_theta = minigrad.tensor([[[1.0, 0.0, 0.25], [0.0, 1.0, -0.25]]], device=device)
    target = F.grid_sample(x, F.affine_grid(target_theta, x.shape, align_corners=False),
                           align_corners=False)  # fmt: skip
    theta = minigrad.tensor([IDENTITY], device=device, requires_grad=True)
    opt = minigrad.optim.SGD([theta], lr=0.5)
    first = None
    for _ in range(60):
        opt.zero_grad()
        grid = F.affine_grid(theta, x.shape, align_corners=False)
        loss = ((F.grid_sample(x, grid, align_corners=False) - target) ** 2).mean()
        loss.backward()
        opt.step()
        first = first if first is not None else loss.item()
    assert loss.item() < first / 10
    np.testing.assert_allclose(theta.numpy()[0, :, 2], [0.25, -0.25], atol=0.05)


@pytest.mark.parametrize(
    "mode, padding_mode, align_corners",
    [c for c in itertools.product(["bilinear", "bicubic"], ["zeros", "border", "reflection"],
                                  [False, True])],
)  # fmt: skip
def test_grid_sample_passes_gradcheck(device, rng, mode, padding_mode, align_corners):
    x = minigrad.tensor(rng.standard_normal((1, 2, 3, 4)), device=device, requires_grad=True)
    g = minigrad.tensor(rng.uniform(-1.2, 1.2, (1, 2, 3, 2)), device=device, requires_grad=True)
    assert minigrad.gradcheck(
        lambda x, g: F.grid_sample(x, g, mode, padding_mode, align_corners), (x, g)
    )


def test_trilinear_and_affine_grid_pass_gradcheck(device, rng):
    x = minigrad.tensor(rng.standard_normal((1, 1, 2, 3, 3)), device=device, requires_grad=True)
    theta = minigrad.tensor(rng.standard_normal((1, 3, 4)) * 0.3, device=device,
                            requires_grad=True)  # fmt: skip
    assert minigrad.gradcheck(
        lambda x, t: F.grid_sample(x, F.affine_grid(t, (1, 1, 2, 2, 3), align_corners=True),
                                   align_corners=True),
        (x, theta),
    )  # fmt: skip


def test_nearest_gives_the_grid_a_zero_gradient(device):
    """As in PyTorch: zeros, not None."""
    x = minigrad.randn(1, 1, 3, 3, device=device, requires_grad=True)
    g = minigrad.zeros(1, 2, 2, 2, device=device, requires_grad=True)
    F.grid_sample(x, g, mode="nearest", align_corners=False).sum().backward()
    assert g.grad is not None and g.grad.abs().sum().item() == 0.0
    assert x.grad[0, 0, 1, 1].item() == 4.0  # all four points read the centre


def test_align_corners_none_warns_as_pytorch_does():
    x, grid = minigrad.ones(1, 1, 2, 2), minigrad.zeros(1, 1, 1, 2)
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F.grid_sample(x, grid)
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F.affine_grid(minigrad.tensor([IDENTITY]), (1, 1, 2, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.grid_sample(x, grid, align_corners=False)


X = minigrad.ones(1, 1, 3, 4)
G = minigrad.zeros(1, 2, 2, 2)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: F.grid_sample(X, G, mode="area", align_corners=False), ValueError,
         "expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: 'area'"),
        (lambda: F.grid_sample(X, G, padding_mode="wrap", align_corners=False), ValueError,
         "expected padding_mode to be 'zeros', 'border', or 'reflection'"),
        (lambda: F.grid_sample(X, G[..., :1], align_corners=False), RuntimeError,
         "expected grid to have size 2 in last dimension"),
        (lambda: F.grid_sample(X, G[0], align_corners=False), RuntimeError,
         "expected grid and input to have same batch size"),
        (lambda: F.grid_sample(X, G.double(), align_corners=False), RuntimeError,
         "floating point tensors of one dtype, but got float32 and float64"),
        (lambda: F.grid_sample(X[0], G[0], align_corners=False), RuntimeError,
         "expected 4D or 5D input"),
        (lambda: F.grid_sample(minigrad.ones(1, 1, 2, 2, 2), minigrad.zeros(1, 1, 1, 1, 3),
                               mode="bicubic", align_corners=False), RuntimeError,
         "bicubic interpolation only supports 4D input"),
        (lambda: F.affine_grid(minigrad.tensor([IDENTITY]), (1, 1, 3), align_corners=False),
         NotImplementedError, "only supports 4D and 5D sizes"),
        (lambda: F.affine_grid(minigrad.tensor(IDENTITY), (1, 1, 3, 4), align_corners=False),
         ValueError, "shape Nx2x3 for size"),
        (lambda: F.affine_grid(minigrad.tensor([IDENTITY]), (2, 1, 3, 4), align_corners=False),
         ValueError, "theta holds 1 matrices but size asks for a batch of 2"),
        (lambda: F.affine_grid(minigrad.tensor([[[1, 0, 0], [0, 1, 0]]]), (1, 1, 3, 4),
                               align_corners=False), ValueError, "floating point type"),
    ],
)  # fmt: skip
def test_bad_arguments_are_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()
