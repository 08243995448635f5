"""``nn.utils``: gradient clipping and parameters as one vector.

The clipped gradients and the norms are compared with PyTorch's in ``test_nn_golden.py``
(``CLIP_CASES``); here: the arithmetic by hand, the corner cases (no gradients, an empty
generator, non-finite norms) and ``parameters_to_vector``/``vector_to_parameters``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    get_total_norm,
    parameters_to_vector,
    vector_to_parameters,
)


def _params_with_grads(*grads, device="cpu"):
    params = []
    for g in grads:
        p = nn.Parameter(minigrad.zeros(len(g), device=device))
        p.grad = minigrad.tensor(g, device=device)
        params.append(p)
    return params


def test_clip_grad_norm_scales_every_gradient_by_one_factor(device):
    params = _params_with_grads([3.0, 0.0], [0.0, 4.0], device=device)  # norm 5
    total = clip_grad_norm_(params, max_norm=1.0)
    assert total.item() == pytest.approx(5.0) and total.shape == ()
    coef = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(params[0].grad.numpy(), [3 * coef, 0.0], rtol=1e-6)
    np.testing.assert_allclose(params[1].grad.numpy(), [0.0, 4 * coef], rtol=1e-6)


def test_short_gradients_are_left_alone(device):
    params = _params_with_grads([0.3, -0.4], device=device)
    before = params[0].grad.numpy()
    clip_grad_norm_(params, max_norm=1.0)
    np.testing.assert_array_equal(params[0].grad.numpy(), before)  # times exactly 1


@pytest.mark.parametrize(
    ("norm_type", "expected"),
    [
        (2.0, 13.0),
        (1, 17.0),
        (float("inf"), 12.0),
        ("inf", 12.0),
        (-math.inf, 5.0),
        (0, 2.0),
        (3.0, (5**3 + 12**3) ** (1 / 3)),
    ],
)
def test_norm_types(norm_type, expected, device):
    params = _params_with_grads([5.0], [-12.0], device=device)
    assert get_total_norm([p.grad for p in params], norm_type).item() == pytest.approx(expected)


def test_no_gradients_give_a_zero_norm_and_change_nothing():
    p = nn.Parameter(minigrad.ones(3))
    assert clip_grad_norm_([p], 1.0).item() == 0.0 and p.grad is None
    assert clip_grad_norm_(p, 1.0).item() == 0.0  # a lone tensor is one parameter


def test_an_empty_generator_is_warned_about():
    model = nn.Linear(2, 2)
    params = model.parameters()
    list(params)  # used up, as after building an optimizer from it
    with pytest.warns(UserWarning, match="empty generator, no gradient clipping will occur"):
        clip_grad_norm_(params, 1.0)


def test_non_finite_norms():
    params = _params_with_grads([1.0, math.nan])
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    assert math.isnan(clip_grad_norm_(params, 1.0).item())  # scaled by nan, as PyTorch does
    assert math.isnan(params[0].grad.tolist()[0])


def test_clipping_between_backward_and_step_changes_the_update():
    model = nn.Linear(3, 1)
    loss = (model(minigrad.ones(4, 3)) * 100).sum()
    loss.backward()
    before = parameters_to_vector(p.grad for p in model.parameters()).numpy()
    total = clip_grad_norm_(model.parameters(), max_norm=0.5, foreach=True)
    after = parameters_to_vector(p.grad for p in model.parameters()).numpy()
    assert total.item() == pytest.approx(np.linalg.norm(before), rel=1e-6)
    assert np.linalg.norm(after) == pytest.approx(0.5, rel=1e-5)
    np.testing.assert_allclose(
        after / np.linalg.norm(after), before / np.linalg.norm(before), rtol=1e-5
    )  # fmt: skip  (the direction is kept)


def test_clip_grad_value(device):
    params = _params_with_grads([-5.0, 0.5, 2.0, math.nan], device=device)
    assert clip_grad_value_(params, 1.0) is None
    assert params[0].grad.tolist()[:3] == [-1.0, 0.5, 1.0]
    assert math.isnan(params[0].grad.tolist()[3])
    params = _params_with_grads([-5.0, 0.5], device=device)
    clip_grad_value_(params, -1.0)  # min above max: PyTorch's clamp gives max everywhere
    assert params[0].grad.tolist() == [-1.0, -1.0]


def test_parameters_to_vector_is_differentiable():
    model = nn.Linear(3, 2)
    vec = parameters_to_vector(model.parameters())
    assert vec.shape == (8,)
    np.testing.assert_array_equal(
        vec.numpy(), np.concatenate([model.weight.numpy().ravel(), model.bias.numpy()])
    )
    (vec * minigrad.arange(8.0)).sum().backward()
    assert model.weight.grad.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert model.bias.grad.tolist() == [6.0, 7.0]
    with pytest.raises(RuntimeError, match="non-empty"):
        parameters_to_vector([])


def test_vector_to_parameters_round_trips_and_shares_memory():
    model = nn.Linear(3, 2)
    original = parameters_to_vector(model.parameters()).detach()
    vec = minigrad.arange(10.0)
    vector_to_parameters(vec, model.parameters())  # 8 used; the rest ignored, as in PyTorch
    assert model.weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert model.bias.tolist() == [6.0, 7.0]
    vec.numpy()  # a copy; the parameters share vec's own storage:
    vec._data[0] = 42.0
    assert model.weight.tolist()[0][0] == 42.0
    vector_to_parameters(original, model.parameters())
    restored = parameters_to_vector(model.parameters())
    np.testing.assert_array_equal(restored.numpy(), original.numpy())
    assert model.weight.requires_grad  # still a Parameter, still learnable


def test_vector_to_parameters_errors():
    model = nn.Linear(3, 2)
    with pytest.raises(TypeError, match=r"expected minigrad\.Tensor, but got: list"):
        vector_to_parameters([0.0] * 8, model.parameters())
    with pytest.raises(RuntimeError, match="too few"):
        vector_to_parameters(minigrad.zeros(7), model.parameters())
