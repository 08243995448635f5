"""The CTC loss beyond its golden cases: the probability it sums equals a brute-force sum
over every alignment, a float64 gradcheck with respect to the log-probabilities
themselves, the impossible and empty cases, the module, and the errors."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F

F64 = minigrad.float64


def _collapse(path, blank):
    merged = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
    return [k for k in merged if k != blank]


@pytest.mark.parametrize("labels", [[1], [1, 1], [1, 2], [2, 1, 2], []])
def test_the_loss_sums_every_alignment(device, rng, labels):
    """-log of the sum, over all C^T paths that collapse to the labels, of the product
    of their probabilities (T = 5, C = 3, blank 0)."""
    steps, classes = 5, 3
    log_probs = minigrad.tensor(rng.standard_normal((steps, 1, classes)), device=device)
    log_probs = log_probs.log_softmax(2)
    probs = np.exp(log_probs.numpy()[:, 0])
    total = sum(
        math.prod(probs[t, k] for t, k in enumerate(path))
        for path in itertools.product(range(classes), repeat=steps)
        if _collapse(path, 0) == labels
    )
    loss = F.ctc_loss(log_probs, minigrad.tensor([labels or [0]], device=device), [steps],
                      [len(labels)], reduction="sum")  # fmt: skip
    assert loss.item() == pytest.approx(-math.log(total), rel=1e-12)


def test_ctc_passes_gradcheck_on_the_log_probabilities(device, rng):
    """The exact gradient with respect to log_probs (see ctc_loss's docstring)."""
    log_probs = minigrad.tensor(rng.standard_normal((6, 3, 4)), device=device).log_softmax(2)
    log_probs = log_probs.detach().requires_grad_()
    targets = minigrad.tensor([[1, 2, 2], [3, 0, 0], [1, 3, 0]], device=device)
    for reduction in ("mean", "sum", "none"):
        assert minigrad.gradcheck(
            lambda lp, r=reduction: F.ctc_loss(lp, targets, [6, 5, 4], [3, 1, 2], reduction=r),
            (log_probs,),
        )


def test_through_log_softmax_the_gradient_is_probabilities_minus_posteriors(device, rng):
    """For one sequence, d loss / d logits = softmax - occupancy, whose rows sum to 0."""
    logits = minigrad.tensor(rng.standard_normal((5, 1, 4)), device=device, requires_grad=True)
    F.ctc_loss(logits.log_softmax(2), minigrad.tensor([[1, 2]], device=device), [5], [2],
               reduction="sum").backward()  # fmt: skip
    np.testing.assert_allclose(logits.grad.numpy().sum(axis=2), 0.0, atol=1e-12)


def test_impossible_and_empty_sequences(device):
    log_probs = minigrad.full((3, 2, 3), 1 / 3, dtype=F64, device=device).log()
    log_probs.requires_grad_()
    targets = minigrad.tensor([[1, 1], [2, 0]], device=device)  # "1 1" needs 3 steps
    loss = F.ctc_loss(log_probs, targets, [2, 3], [2, 0], reduction="none")
    assert math.isinf(loss[0].item())  # 2 steps cannot emit "1 - 1"
    assert loss[1].item() == pytest.approx(3 * math.log(3))  # all blanks
    loss.sum().backward()
    assert np.isnan(log_probs.grad.numpy()[:, 0]).any()  # PyTorch's NaN, unless...
    log_probs.grad = None
    loss = F.ctc_loss(log_probs, targets, [2, 3], [2, 0], reduction="none", zero_infinity=True)
    assert loss[0].item() == 0.0
    loss.sum().backward()
    assert (log_probs.grad.numpy()[:, 0] == 0).all()  # ...zero_infinity drops it
    no_steps = F.ctc_loss(log_probs, targets, [0, 0], [0, 1], reduction="none")
    assert no_steps[0].item() == 0.0 and math.isinf(no_steps[1].item())


def test_the_module_and_its_mean(device, rng):
    log_probs = minigrad.tensor(rng.standard_normal((6, 2, 5)), device=device).log_softmax(2)
    targets = minigrad.tensor([[1, 2, 3], [4, 0, 0]], device=device)
    each = F.ctc_loss(log_probs, targets, [6, 6], [3, 1], reduction="none")
    mean = nn.CTCLoss()(log_probs, targets, minigrad.tensor([6, 6]), minigrad.tensor([3, 1]))
    assert mean.item() == pytest.approx((each[0].item() / 3 + each[1].item() / 1) / 2)
    assert repr(nn.CTCLoss(blank=2, zero_infinity=True)) == "CTCLoss()"  # PyTorch's


LP = minigrad.zeros(5, 2, 4).log_softmax(2)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: F.ctc_loss(LP, minigrad.tensor([1, 2, 3]), [5, 4], [2, 2]), RuntimeError,
         "Expected tensor to have size 4 at dimension 0, but got size 3"),
        (lambda: F.ctc_loss(LP, minigrad.tensor([[1, 2], [3, 0]]), [6, 4], [2, 1]),
         RuntimeError, "Expected input_lengths to have value at most 5, but got value 6"),
        (lambda: F.ctc_loss(LP, minigrad.tensor([[1, 2], [3, 0]]), [5, 4], [3, 1]),
         RuntimeError, "Expected tensor to have size at least 3 at dimension 1"),
        (lambda: F.ctc_loss(LP, minigrad.tensor([[1, 5], [3, 0]]), [5, 4], [2, 1]),
         RuntimeError, r"target 0 holds a label outside the 4 classes: \[1, 5\]"),
        (lambda: F.ctc_loss(LP, minigrad.tensor([[1, 0], [3, 0]]), [5, 4], [2, 1]),
         RuntimeError, "target 0 holds the blank class 0 as a label"),
        (lambda: F.ctc_loss(LP, minigrad.tensor([[1, 2], [3, 0]]), [5, 4], [2, 1], blank=4),
         RuntimeError, "blank must be in label range"),
        (lambda: F.ctc_loss(LP, minigrad.tensor([[1, 2], [3, 0]]), [5], [2, 1]),
         RuntimeError, r"input_lengths must have one entry per sequence \(2\)"),
        (lambda: F.ctc_loss(LP, minigrad.tensor([[1, 2], [3, 0]]), [5, -1], [2, 1]),
         RuntimeError, "input_lengths must not be negative"),
        (lambda: F.ctc_loss(LP, minigrad.tensor([[1, 2], [3, 0]]), [5, 4], [2, 1],
                            reduction="max"), ValueError, "max is not a valid value"),
        (lambda: F.ctc_loss(LP.long(), minigrad.tensor([[1, 2], [3, 0]]), [5, 4], [2, 1]),
         RuntimeError, "floating point tensor"),
    ],
)  # fmt: skip
def test_bad_arguments_are_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()
