"""``cross_entropy`` against class probabilities (soft targets): what the golden cases do
not show. One-hot probabilities give the class-index loss; the module takes them too; bad
arguments are refused with PyTorch's reasons."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_one_hot_probabilities_give_the_class_index_loss(device, rng, reduction, smoothing):
    """With one-hot targets the two forms are one loss, value and gradient (weights apart
    from 'mean', which divides by the total weight for indices, by N for probabilities)."""
    logits = rng.standard_normal((6, 4, 3))
    labels = rng.integers(0, 4, (6, 3))
    weight = minigrad.tensor(rng.uniform(0.5, 2.0, 4), device=device)
    weight = None if reduction == "mean" else weight
    one_hot = F.one_hot(minigrad.tensor(labels), 4).permute(0, 2, 1).to(minigrad.float64)
    results = []
    for target in (minigrad.tensor(labels, device=device), one_hot.to(device)):
        x = minigrad.tensor(logits, device=device, requires_grad=True)
        loss = F.cross_entropy(x, target, weight, reduction=reduction, label_smoothing=smoothing)
        loss.sum().backward()
        results.append((loss.numpy(), x.grad.numpy()))
    (loss_a, grad_a), (loss_b, grad_b) = results
    np.testing.assert_allclose(loss_b, loss_a, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_b, grad_a, rtol=1e-12, atol=1e-12)


def test_the_target_gets_its_gradient_and_the_module_takes_probabilities(device, rng):
    """d loss / d y_c = -w_c * log_softmax(x)_c / N for 'mean': a target that requires
    grad (a trained teacher, say) gets it."""
    x = minigrad.tensor(rng.standard_normal((5, 3)), device=device)
    y = minigrad.tensor(rng.uniform(0.0, 1.0, (5, 3)), device=device, requires_grad=True)
    w = minigrad.tensor([0.5, 1.0, 2.0], device=device)
    loss = nn.CrossEntropyLoss(weight=w)(x, y)
    loss.backward()
    log_probs = F.log_softmax(x, dim=1).numpy()
    want = -(log_probs * y.detach().numpy() * w.numpy()).sum() / 5
    assert loss.item() == pytest.approx(want, rel=1e-12)
    np.testing.assert_allclose(y.grad.numpy(), -log_probs * w.numpy() / 5, rtol=1e-12)


def test_a_half_precision_target_is_promoted_as_in_pytorch(device):
    x = minigrad.zeros(2, 3, device=device)
    y = minigrad.full((2, 3), 1 / 3, dtype=minigrad.float16, device=device)
    loss = F.cross_entropy(x, y)
    assert loss.dtype == minigrad.float32
    assert loss.item() == pytest.approx(np.log(3), rel=1e-3)


def test_bad_arguments_are_refused_with_the_reason(device):
    x = minigrad.zeros(2, 3, device=device)
    y = minigrad.full((2, 3), 1 / 3, device=device)
    with pytest.raises(RuntimeError, match="floating point target with class probabilities"):
        F.cross_entropy(x, minigrad.zeros(2, 3, dtype=minigrad.int64, device=device))
    with pytest.raises(RuntimeError, match="ignore_index is not supported"):
        F.cross_entropy(x, y, ignore_index=0)
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\)"):
        F.cross_entropy(x, y, weight=minigrad.ones(2, device=device))
    with pytest.raises(ValueError, match="reduction must be"):
        F.cross_entropy(x, y, reduction="avg")
    with pytest.raises(RuntimeError, match=r"label_smoothing must be between 0\.0 and 1\.0"):
        F.cross_entropy(x, y, label_smoothing=1.5)
    with pytest.raises(IndexError, match="the input has no dimensions"):
        F.cross_entropy(minigrad.tensor(1.0, device=device), minigrad.tensor(0.5, device=device))
    with pytest.raises(NotImplementedError, match="input must be floating point"):
        F.cross_entropy(x.long(), y)
    # A float target of another shape is neither form: the message names both.
    with pytest.raises(RuntimeError, match="class probabilities has the input's shape"):
        F.cross_entropy(x, minigrad.zeros(2, device=device))
