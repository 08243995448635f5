"""The rarer activations at their kinks, where the golden cases' random inputs never
land: the gradients PyTorch 2.13 gives there (printed by it, copied here), and the
errors for bad options."""

from __future__ import annotations

import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F

KINKS = {  # function: (inputs, PyTorch's gradient of the sum there)
    "hardtanh": ([-1.0, 1.0, 0.0], [0.0, 0.0, 1.0]),
    "relu6": ([0.0, 6.0, 3.0], [0.0, 0.0, 1.0]),
    "hardsigmoid": ([-3.0, 3.0, 0.0], [0.0, 0.0, 1 / 6]),
    "hardswish": ([-3.0, 3.0, 2.9], [0.0, 1.0, 2.9 / 3 + 0.5]),
    "elu": ([0.0, -1.0], [1.0, 0.36787944]),
    "hardshrink": ([0.5, -0.5, 0.6], [0.0, 0.0, 1.0]),
    "softshrink": ([0.5, -0.5, 0.6], [0.0, 0.0, 1.0]),
    "softsign": ([0.0], [1.0]),
}


@pytest.mark.parametrize("name", sorted(KINKS))
def test_gradients_at_the_kinks_are_pytorchs(name, device):
    inputs, expected = KINKS[name]
    x = minigrad.tensor(inputs, device=device, requires_grad=True)
    getattr(F, name)(x).sum().backward()
    assert x.grad.tolist() == pytest.approx(expected, rel=1e-6)


def test_bad_options_are_refused(device):
    x = minigrad.ones(3, device=device)
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        nn.Hardtanh(2.0, 1.0)
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        F.glu(x)
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers"):
        F.prelu(minigrad.ones(2, 3, device=device), minigrad.ones(2, device=device))
    with pytest.raises(RuntimeError, match="greater or equal to 0"):
        F.softshrink(x, -1.0)
    with pytest.raises(NotImplementedError):
        F.elu(minigrad.tensor([1, 2], device=device))


def test_prelu_learns_its_slope(device):
    act = nn.PReLU().to(device)
    act(minigrad.tensor([-2.0, 1.0, -1.0], device=device)).sum().backward()
    assert act.weight.grad.tolist() == [-3.0]
    assert list(act.state_dict()) == ["weight"]


def test_rrelu_draws_a_slope_per_element_in_training(device):
    """Training: each negative element's slope (and gradient) lies in [lower, upper] and
    they average to the middle; the seed makes the draw repeatable. Evaluation: the mean
    slope, the same as a leaky ReLU."""
    x = minigrad.tensor([-1.0] * 20000 + [2.0], device=device, requires_grad=True)
    minigrad.manual_seed(3)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    y.sum().backward()
    slopes = -y.numpy()[:-1]
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and abs(slopes.mean() - 0.2) < 0.005
    assert (x.grad.numpy()[:-1] == slopes).all() and x.grad.numpy()[-1] == 1.0
    minigrad.manual_seed(3)
    assert (F.rrelu(x.detach(), 0.1, 0.3, training=True).numpy() == y.numpy()).all()
    layer = nn.RReLU(0.1, 0.3).eval()
    assert layer(x).numpy()[0] == pytest.approx(-0.2)
    assert (layer(x).numpy() == F.leaky_relu(x, 0.2).numpy()).all()


def test_rrelu_options_and_repr():
    assert repr(nn.RReLU()) == "RReLU(lower=0.125, upper=0.3333333333333333)"  # PyTorch's
    assert repr(nn.RReLU(0.2, 0.4, inplace=True)) == "RReLU(lower=0.2, upper=0.4, inplace=True)"
    with pytest.raises(RuntimeError, match="Lower bound should be less than or equal"):
        F.rrelu(minigrad.ones(2), 0.5, 0.2)
    with pytest.raises(NotImplementedError, match="rrelu"):
        F.rrelu(minigrad.tensor([1, 2]))


@pytest.mark.parametrize(
    "name", ["erf", "erfc", "gelu", "gelu_tanh"], ids=lambda n: n.replace("_", "-")
)
def test_float16_erf_and_gelu_are_computed_in_float32(name, device):
    """In float16 the polynomials of erf's tails pass 65504 for |x| of about 4 (and
    GELU's tanh form cubes x): the result, and GELU's gradient, would be nan. PyTorch
    computes half in float32; so does minigrad, and rounds the result once."""
    values = [-60000.0, -300.0, -45.0, -5.5, -4.5, -4.0, -1.0, 0.0, 0.5, 4.2, 5.0, 45.0, 6e4]

    def run(dtype):
        x = minigrad.tensor(values, dtype=dtype, device=device, requires_grad=True)
        if name.startswith("gelu"):
            y = F.gelu(x, approximate="tanh" if name == "gelu_tanh" else "none")
        else:
            y = getattr(minigrad, name)(x)
        y.sum().backward()
        return y.detach().float().tolist(), x.grad.float().tolist()

    half_y, half_grad = run(minigrad.float16)
    exact_y, exact_grad = run(minigrad.float32)
    rounded = minigrad.tensor(exact_y).half().float().tolist()
    assert half_y == pytest.approx(rounded, rel=2e-3, abs=1e-3)
    assert half_grad == pytest.approx(exact_grad, rel=2e-3, abs=2e-3)
