"""``l1_loss`` and binary cross-entropy: what the golden tests cannot show, their checks of
bad input (with PyTorch's messages) and their values at the edges."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import functional as F


def test_probabilities_outside_0_1_are_refused(device):
    for bad in (1.5, -0.1, float("nan")):
        x = minigrad.tensor([0.5, bad], device=device)
        with pytest.raises(RuntimeError, match=r"between 0 and 1.*with_logits"):
            F.binary_cross_entropy(x, minigrad.ones(2, device=device))


def test_shapes_and_dtypes_are_checked_as_in_pytorch(device):
    x = minigrad.full((3,), 0.5, device=device)
    with pytest.raises(ValueError, match=r"target size \(2,\) that is different"):
        F.binary_cross_entropy(x, minigrad.ones(2, device=device))
    with pytest.raises(RuntimeError, match="dtype float64 for the target but expected float32"):
        F.binary_cross_entropy(x, minigrad.ones(3, dtype=minigrad.float64, device=device))
    with pytest.raises(ValueError, match=r"Target size \(2,\) must be the same as input size"):
        F.binary_cross_entropy_with_logits(x, minigrad.ones(2, device=device))
    with pytest.raises(RuntimeError, match="needs float targets"):
        F.binary_cross_entropy_with_logits(x, minigrad.ones(3, dtype=minigrad.int64, device=device))
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument"):
        pos_weight = minigrad.ones(3, device=device, requires_grad=True)
        F.binary_cross_entropy_with_logits(x, x, pos_weight=pos_weight)
    # A float64 target promotes the logits' loss, as in PyTorch.
    target = minigrad.ones(3, dtype=minigrad.float64, device=device)
    assert F.binary_cross_entropy_with_logits(x, target).dtype == minigrad.float64
    with pytest.raises(ValueError, match="reduction must be"):
        F.l1_loss(x, x, reduction="max")
    with pytest.warns(UserWarning, match="different to the input size"):
        F.l1_loss(x, minigrad.ones(1, device=device))


def test_the_edges_stay_finite(device):
    """A probability of exactly 0 or 1: the logs are clamped at -100 and the gradient's
    denominator at 1e-12 (PyTorch's loss 200 and gradients -+1e12); huge logits: no
    overflow."""
    x = minigrad.tensor([0.0, 1.0], device=device, requires_grad=True)
    loss = F.binary_cross_entropy(x, minigrad.tensor([1.0, 0.0], device=device), reduction="sum")
    loss.backward()
    assert loss.item() == pytest.approx(200.0)
    np.testing.assert_allclose(x.grad.numpy(), [-1e12, 1e12], rtol=1e-6)
    z = minigrad.tensor([-200.0, 200.0], device=device, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(z, minigrad.tensor([1.0, 0.0], device=device))
    loss.backward()
    assert loss.item() == pytest.approx(200.0)
    assert z.grad.tolist() == [-0.5, 0.5]


def test_modules_keep_weights_as_buffers_and_take_legacy_arguments(device):
    loss = nn.BCEWithLogitsLoss(pos_weight=minigrad.tensor([2.0, 1.0])).to(device)
    assert list(loss.state_dict()) == ["pos_weight"]
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        assert nn.L1Loss(size_average=False).reduction == "sum"
    z, t = minigrad.zeros(2, 2, device=device), minigrad.ones(2, 2, device=device)
    expected = (2 * np.log(2) + np.log(2)) / 2  # pos_weight 2 on column 0, 1 on column 1
    assert loss(z, t).item() == pytest.approx(expected)
    assert nn.BCELoss(weight=minigrad.tensor([0.0, 1.0], device=device))(
        minigrad.full((2, 2), 0.5, device=device), t
    ).item() == pytest.approx(np.log(2) / 2)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropies_are_one_node_as_pytorchs(device, reduction):
    """Reduced inside the primitive (PyTorch's ``BinaryCrossEntropyWithLogitsBackward0``,
    which "Learn the Basics" prints), and still right against finite differences."""
    rng = np.random.default_rng(0)
    z = minigrad.tensor(rng.standard_normal((3, 4)), device=device, requires_grad=True)
    t = minigrad.tensor(rng.random((3, 4)), device=device, requires_grad=True)
    with_logits = F.binary_cross_entropy_with_logits(z, t, reduction=reduction)
    assert with_logits.grad_fn.name() == "BinaryCrossEntropyWithLogitsBackward0"
    of_probabilities = F.binary_cross_entropy(minigrad.sigmoid(z), t, reduction=reduction)
    assert of_probabilities.grad_fn.name() == "BinaryCrossEntropyBackward0"
    pos_weight = minigrad.tensor(rng.random(4) + 0.5, device=device)
    assert minigrad.gradcheck(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction,
                                                        pos_weight=pos_weight), (z, t)
    )  # fmt: skip
    assert minigrad.gradcheck(
        lambda a, b: F.binary_cross_entropy(minigrad.sigmoid(a), b, reduction=reduction), (z, t)
    )
