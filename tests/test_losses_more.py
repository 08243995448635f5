"""The likelihood losses (``poisson_nll_loss``, ``gaussian_nll_loss``) and the multi-class
margin losses (``multi_margin_loss``, ``multilabel_margin_loss``,
``triplet_margin_with_distance_loss``) beyond their golden cases: the formulas at chosen
points, the variance shapes, the gradient through a raised variance, the modules, and
the errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F


def test_poisson_values():
    rate, count = minigrad.tensor([2.0]), minigrad.tensor([3.0])
    assert F.poisson_nll_loss(rate.log(), count).item() == pytest.approx(2 - 3 * math.log(2))
    stirling = 3 * math.log(3) - 3 + 0.5 * math.log(2 * math.pi * 3)
    full = F.poisson_nll_loss(rate, count, log_input=False, full=True, eps=0.0)
    assert full.item() == pytest.approx(2 - 3 * math.log(2) + stirling, rel=1e-6)
    one = F.poisson_nll_loss(rate, minigrad.tensor([1.0]), log_input=False, full=True)
    assert one.item() == pytest.approx(2 - math.log(2 + 1e-8))  # no Stirling term at 1


def test_gaussian_variance_shapes_and_the_raised_variance():
    mean, target = minigrad.zeros(2, 3), minigrad.ones(2, 3)
    full = F.gaussian_nll_loss(mean, target, minigrad.full((2, 3), 2.0), reduction="none")
    per_sample = F.gaussian_nll_loss(mean, target, minigrad.full((2,), 2.0), reduction="none")
    last_one = F.gaussian_nll_loss(mean, target, minigrad.full((2, 1), 2.0), reduction="none")
    number = F.gaussian_nll_loss(mean, target, 2.0, reduction="none")
    for other in (per_sample, last_one, number):
        assert other.tolist() == full.tolist()
    var = minigrad.tensor([1e-9], requires_grad=True)  # raised to eps for the value...
    loss = F.gaussian_nll_loss(minigrad.zeros(1), minigrad.zeros(1), var, eps=1e-6)
    assert loss.item() == pytest.approx(0.5 * math.log(1e-6))
    loss.backward()
    assert var.grad.item() == pytest.approx(0.5 / 1e-6)  # ...but its gradient flows


def test_margin_values():
    x = minigrad.tensor([[0.1, 0.2, 0.4, 0.8]])
    # PyTorch's documented examples
    assert F.multi_margin_loss(x, minigrad.tensor([3])).item() == pytest.approx(0.325)
    y = minigrad.tensor([[3, 0, -1, 1]])
    assert F.multilabel_margin_loss(x, y).item() == pytest.approx(0.85)
    # every label listed: no class left to compare against
    everything = minigrad.tensor([[0, 1, 2, 3]])
    assert F.multilabel_margin_loss(x, everything).item() == 0.0


def test_loss_modules():
    x = minigrad.tensor([[0.1, 0.2, 0.4, 0.8]])
    assert nn.MultiMarginLoss(p=2)(x, minigrad.tensor([3])).item() == pytest.approx(
        F.multi_margin_loss(x, minigrad.tensor([3]), p=2).item()
    )
    assert nn.GaussianNLLLoss(full=True)(x, x, minigrad.ones(1, 4)).item() == pytest.approx(
        0.5 * math.log(2 * math.pi)
    )
    assert nn.PoissonNLLLoss(reduction="sum")(x, x).shape == ()
    loss = nn.TripletMarginWithDistanceLoss(distance_function=lambda a, b: (a - b).abs().sum(1))
    assert loss(x, x, x + 3.0).item() == 0.0  # d(a, p) = 0, d(a, n) = 12


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: F.gaussian_nll_loss(minigrad.zeros(2, 3), minigrad.zeros(2, 3),
                                     minigrad.ones(3, 2)), ValueError, "var is of incorrect size"),
        (lambda: F.gaussian_nll_loss(minigrad.zeros(2), minigrad.zeros(2), minigrad.tensor(
            [1.0, -1.0])), ValueError, "var has negative entry"),
        (lambda: F.multi_margin_loss(minigrad.zeros(2, 3), minigrad.tensor([0, 1]), p=3),
         ValueError, "only p == 1 and p == 2 supported"),
        (lambda: F.multi_margin_loss(minigrad.zeros(2, 3), minigrad.tensor([0, 3])), IndexError,
         "target out of range for 3 classes"),
        (lambda: F.multi_margin_loss(minigrad.zeros(2, 3), minigrad.tensor([0.0, 1.0])),
         RuntimeError, "expected an integer target"),
        (lambda: F.multilabel_margin_loss(minigrad.zeros(2, 3), minigrad.tensor([[0, 5, -1]] * 2)),
         RuntimeError, "target out of range for 3 classes"),
        (lambda: F.multilabel_margin_loss(minigrad.zeros(2, 3), minigrad.tensor([[0, 1]] * 2)),
         RuntimeError, "a target of its shape"),
        (lambda: nn.TripletMarginWithDistanceLoss(margin=0.0), ValueError,
         "expected margin to be greater than 0"),
        (lambda: F.poisson_nll_loss(minigrad.zeros(2), minigrad.zeros(2), reduction="max"),
         ValueError, "reduction must be .mean., .sum. or .none., got .max."),
    ],
)  # fmt: skip
def test_bad_arguments_are_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_is_one_node_with_pytorchs_name_and_passes_gradcheck(device, reduction):
    """``F.mse_loss`` is PyTorch's fused primitive (``MseLossBackward0``), so that a walk
    of the graph from the loss (the 60-minute blitz prints one) meets what PyTorch's does."""
    rng = np.random.default_rng(0)
    x = minigrad.tensor(rng.standard_normal((3, 4)), device=device, requires_grad=True)
    y = minigrad.tensor(rng.standard_normal((3, 4)), device=device, requires_grad=True)
    loss = F.mse_loss(x * 2, y, reduction=reduction)
    assert loss.grad_fn.name() == "MseLossBackward0"
    (mul, _), (target, _) = loss.grad_fn.next_functions
    assert mul.name() == "MulBackward0" and target.variable is y
    assert minigrad.gradcheck(lambda a, b: F.mse_loss(a, b, reduction=reduction), (x, y))
