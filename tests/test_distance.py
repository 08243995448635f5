"""Distances, ``normalize`` and the margin losses beyond the golden cases: float64
gradchecks, the behaviour at zero vectors and equal points, the modules, and the errors;
also ``clamp_min``/``clamp_max`` and the explicit broadcasting functions."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import nn

F64 = minigrad.float64


def _f64(rng, *shape, device="cpu"):
    return minigrad.tensor(rng.standard_normal(shape), device=device, requires_grad=True)


def test_distances_pass_gradcheck(device, rng):
    a, b = _f64(rng, 4, 5, device=device), _f64(rng, 4, 5, device=device)
    assert minigrad.gradcheck(
        lambda x, y: (
            F.normalize(x),
            F.normalize(x, p=3.0, dim=0),
            F.cosine_similarity(x, y),
            F.cosine_similarity(x, y[:1], dim=-1),
            F.pairwise_distance(x, y),
            F.pairwise_distance(x, y, p=1.5, keepdim=True),
        ),
        (a, b),
    )


def test_margin_losses_pass_gradcheck(device, rng):
    a, p, n = (_f64(rng, 4, 5, device=device) for _ in range(3))
    signs = minigrad.tensor([1.0, -1.0, -1.0, 1.0], device=device, dtype=minigrad.float64)
    labels = minigrad.tensor(rng.integers(0, 2, (4, 5)), device=device).double()
    weight = minigrad.tensor(rng.uniform(0.5, 2.0, 5), device=device)
    # margins chosen so that no hinge sits at its kink for these draws
    assert minigrad.gradcheck(
        lambda x, y, z: (
            F.cosine_embedding_loss(x, y, signs, margin=-0.9, reduction="none"),
            F.triplet_margin_loss(x, y, z, margin=3.0, reduction="none"),
            F.triplet_margin_loss(x, y, z, margin=3.0, p=1.0, swap=True),
            F.margin_ranking_loss(x[:, 0], y[:, 0], signs, margin=5.0, reduction="sum"),
            F.hinge_embedding_loss(x, labels * 2 - 1, margin=10.0),
            F.soft_margin_loss(x, labels * 2 - 1, reduction="none"),
            F.multilabel_soft_margin_loss(x, labels, weight=weight),
        ),
        (a, p, n),
    )


def test_zero_vectors_get_zero_and_a_finite_gradient(device):
    x = minigrad.tensor([[0.0, 0.0], [3.0, 4.0]], device=device, dtype=F64, requires_grad=True)
    y = F.normalize(x)
    assert y.tolist() == [[0.0, 0.0], [0.6, 0.8]]
    y.sum().backward()
    # d/dx (x / max(|x|, eps)) at 0 is 1/eps: PyTorch's value too (its clamp has a gradient)
    assert x.grad[0].tolist() == [1e12, 1e12]
    x.grad = None
    along = minigrad.tensor([[1.0, 0.0], [1.0, 0.0]], device=device, dtype=F64)
    cos = F.cosine_similarity(x, along)
    assert cos.tolist() == [0.0, pytest.approx(0.6)]
    cos.sum().backward()
    # the norm's gradient at 0 is 0, so only x / eps remains: (1, 0) / eps
    assert x.grad[0].tolist() == [pytest.approx(1e8), 0.0]
    assert np.isfinite(x.grad.numpy()).all()


def test_cosine_similarity_clamp_changes_only_the_value(device):
    """A vector x = r u (|u| = 1) shorter than eps is divided by eps, but the gradient flows
    as through its own norm r (PyTorch clamps under no_grad). With y along u, cos = r / eps
    and its gradient is u / eps - x (x . u) / (r eps^2) = u (1 - r / eps) / eps; a clamp
    with a gradient of its own would give u / eps."""
    x = minigrad.tensor([3e-9, 4e-9], device=device, dtype=F64, requires_grad=True)
    y = minigrad.tensor([3.0, 4.0], device=device, dtype=F64)
    cos = F.cosine_similarity(x, y, dim=0)
    assert cos.item() == pytest.approx(0.5)
    cos.backward()
    np.testing.assert_allclose(x.grad.numpy(), np.array([0.6, 0.8]) * (1 - 0.5) / 1e-8)


def test_pairwise_distance_of_equal_points_is_eps_norm(device):
    x = minigrad.tensor([[1.0, 2.0, 3.0]], device=device, requires_grad=True)
    d = F.pairwise_distance(x, x.detach())
    assert d.item() == pytest.approx(math.sqrt(3) * 1e-6, rel=1e-3)
    d.backward()
    assert np.isfinite(x.grad.numpy()).all()
    assert F.pairwise_distance(minigrad.ones(3), minigrad.zeros(3)).ndim == 0  # 1-D: one


def test_triplet_swap_uses_the_nearer_negative(device):
    a = minigrad.tensor([[0.0, 0.0]], device=device)
    p = minigrad.tensor([[1.0, 0.0]], device=device)
    n = minigrad.tensor([[1.5, 0.0]], device=device)  # 1.5 from a, 0.5 from p
    plain = F.triplet_margin_loss(a, p, n, margin=1.0, eps=0.0)
    swapped = F.triplet_margin_loss(a, p, n, margin=1.0, eps=0.0, swap=True)
    assert plain.item() == pytest.approx(0.5) and swapped.item() == pytest.approx(1.5)


def test_modules_hold_their_options(device):
    assert nn.CosineSimilarity(dim=0, eps=1e-3).eps == 1e-3
    assert nn.PairwiseDistance(p=1.0).norm == 1.0
    weight = minigrad.ones(3, device=device)
    loss = nn.MultiLabelSoftMarginLoss(weight=weight)
    assert list(loss.state_dict()) == ["weight"]
    assert nn.TripletMarginLoss(margin=0.5, swap=True).swap
    with pytest.raises(ValueError, match="expected margin to be greater than 0"):
        nn.TripletMarginLoss(margin=0.0)
    with pytest.raises(ValueError, match="reduction must be"):
        nn.SoftMarginLoss(reduction="avg")
    x = minigrad.tensor([[1.0, 2.0]], device=device)
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        summed = nn.MarginRankingLoss(size_average=False)
    assert summed.reduction == "sum"
    assert summed(x[0], x[0] * 0, minigrad.tensor([1.0, -1.0], device=device)).item() == 2.0


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: F.normalize(minigrad.tensor([1, 2])), RuntimeError, "floating point"),
        (lambda: F.cosine_similarity([1.0], minigrad.ones(1)), TypeError, "'x1' must be Tensor"),
        (lambda: F.cosine_similarity(minigrad.ones(3, 4), minigrad.ones(2, 4)), RuntimeError,
         "Attempting to broadcast a dimension of length 2"),
        (lambda: F.cosine_embedding_loss(minigrad.ones(3, 4), minigrad.ones(3, 5),
                                          minigrad.ones(3)), RuntimeError, "of the same shape"),
        (lambda: F.cosine_embedding_loss(minigrad.ones(3, 4), minigrad.ones(3, 4),
                                          minigrad.ones(2)), RuntimeError, r"shape \(3,\)"),
        (lambda: F.triplet_margin_loss(minigrad.ones(2, 3), minigrad.ones(3), minigrad.ones(2, 3)),
         RuntimeError, "anchor 2D, positive 1D, and negative 2D"),
        (lambda: F.margin_ranking_loss(minigrad.ones(3), minigrad.ones(3), minigrad.ones(3, 1)),
         RuntimeError, "All input tensors should have same dimension"),
        (lambda: F.multilabel_soft_margin_loss(minigrad.ones(3, 4), minigrad.ones(3)),
         RuntimeError, "target of the input's shape"),
        (lambda: F.soft_margin_loss(minigrad.ones(3), [1.0]), TypeError, "'target' must be Tensor"),
        (lambda: F.hinge_embedding_loss(minigrad.ones(3), minigrad.ones(3), reduction="x"),
         ValueError, "reduction must be 'mean', 'sum' or 'none'"),
    ],
)  # fmt: skip
def test_bad_arguments_get_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_clamp_min_and_max(device):
    x = minigrad.tensor([-2.0, 0.5, 3.0], device=device, requires_grad=True)
    assert x.clamp_min(0.0).tolist() == [0.0, 0.5, 3.0]
    assert minigrad.clamp_max(x, 1.0).tolist() == [-2.0, 0.5, 1.0]
    (x.clamp_min(0.0) + x.clamp_max(1.0)).sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 1.0]
    ints = minigrad.tensor([1, 2], device=device)
    assert ints.clamp_max(1.5).dtype == minigrad.float32  # PyTorch's promotion
    assert ints.clamp_min(2).tolist() == [2, 2] and ints.clamp_min(2).dtype == minigrad.int64


def test_broadcasting_functions(device):
    assert minigrad.broadcast_shapes((2, 1), (3,), ()) == (2, 3)
    assert minigrad.broadcast_shapes(3, (2, 1)) == (2, 3)
    assert minigrad.broadcast_shapes() == ()
    with pytest.raises(RuntimeError, match="Attempting to broadcast a dimension of length 3"):
        minigrad.broadcast_shapes((2,), (3,))
    with pytest.raises(RuntimeError, match="should be of type ints"):
        minigrad.broadcast_shapes((2,), 3.0)
    with pytest.raises(ValueError, match="negative length"):
        minigrad.broadcast_shapes((-1,), (2,))
    a = minigrad.ones(2, 1, device=device, requires_grad=True)
    b = minigrad.zeros(3, device=device)
    x, y = minigrad.broadcast_tensors(a, b)
    assert x.shape == y.shape == (2, 3)
    assert minigrad.broadcast_tensors([a, b])[0].shape == (2, 3)  # a list, as PyTorch takes
    x.sum().backward()
    assert a.grad.tolist() == [[3.0], [3.0]]
    assert b.broadcast_to((4, -1)).shape == (4, 3)
    with pytest.raises(RuntimeError, match="expand"):
        minigrad.broadcast_to(minigrad.ones(3), (2, 2))
