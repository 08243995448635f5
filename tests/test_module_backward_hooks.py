"""Module backward hooks (``register_full_backward_hook``, ``register_full_backward_pre_hook``):
what they see, what replacing their gradients changes, several inputs and outputs, the
no-input case, removal, no_grad, and the errors. The values are checked against the
gradients worked out by hand (PyTorch 2.13 gives the same: its calls print them)."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad
from minigrad import nn

W = [[0.0, 0.1, 0.2], [0.3, 0.4, 0.5]]


def _linear(device):
    layer = nn.Linear(3, 2).to(device)
    with minigrad.no_grad():
        layer.weight.copy_(minigrad.tensor(W, device=device))
        layer.bias.zero_()
    return layer


def test_the_hooks_see_the_gradients_of_outputs_and_inputs(device):
    layer = _linear(device)
    seen = {}
    layer.register_full_backward_pre_hook(lambda m, go: seen.setdefault("pre", go) and None)
    layer.register_full_backward_hook(lambda m, gi, go: seen.update(gi=gi, go=go))
    x = minigrad.ones(2, 3, device=device, requires_grad=True)
    v = minigrad.tensor([[1.0, -1.0], [2.0, 0.5]], device=device)
    (layer(x) * v).sum().backward()
    assert len(seen["go"]) == 1 and seen["go"][0].tolist() == v.tolist()
    assert seen["pre"][0].tolist() == v.tolist()
    np.testing.assert_allclose(seen["gi"][0].numpy(), v.numpy() @ np.array(W), rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), seen["gi"][0].numpy())


def test_a_pre_hook_replacing_grad_output_changes_every_gradient_after_it(device):
    layer, reference = _linear(device), _linear(device)
    layer.register_full_backward_pre_hook(lambda m, go: (go[0] * 2,))
    x = minigrad.ones(2, 3, device=device, requires_grad=True)
    layer(x).sum().backward()
    x_grad, x.grad = x.grad.numpy(), None
    reference(x).sum().backward()
    np.testing.assert_allclose(x_grad, 2 * x.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(layer.weight.grad.numpy(), 2 * reference.weight.grad.numpy())


def test_a_full_hook_replacing_grad_input_changes_only_what_lies_before(device):
    layer, reference = _linear(device), _linear(device)
    layer.register_full_backward_hook(lambda m, gi, go: (gi[0] * 3,))
    x = minigrad.ones(2, 3, device=device, requires_grad=True)
    layer(x * 1.0).sum().backward()
    x_grad, x.grad = x.grad.numpy(), None
    reference(x * 1.0).sum().backward()
    np.testing.assert_allclose(x_grad, 3 * x.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(layer.weight.grad.numpy(), reference.weight.grad.numpy())


class TwoInTwoOut(nn.Module):
    def forward(self, a, b, flag, c):
        return a * b, a + b, "not a tensor"


def test_several_inputs_and_outputs(device):
    module = TwoInTwoOut()
    seen = {}
    module.register_full_backward_hook(lambda m, gi, go: seen.update(gi=gi, go=go))
    a = minigrad.tensor([1.0, 2.0], device=device, requires_grad=True)
    b = minigrad.tensor([3.0, 4.0], device=device, requires_grad=True)
    c = minigrad.tensor([5.0, 6.0], device=device)  # a tensor that needs no gradient
    product, total, text = module(a, b, True, c)
    assert text == "not a tensor"
    (product.sum() + 2 * total.sum()).backward()
    go, gi = seen["go"], seen["gi"]
    assert [g.tolist() for g in go] == [[1.0, 1.0], [2.0, 2.0]]
    assert len(gi) == 3 and gi[2] is None  # a, b, c: every tensor argument has a place
    assert gi[0].tolist() == [5.0, 6.0] and gi[1].tolist() == [3.0, 4.0]
    assert a.grad.tolist() == [5.0, 6.0] and b.grad.tolist() == [3.0, 4.0]


def test_without_inputs_needing_grad_the_hook_fires_at_the_outputs(device):
    layer = _linear(device)
    seen = []
    layer.register_full_backward_hook(lambda m, gi, go: seen.append(gi))
    with pytest.warns(UserWarning, match="since no inputs require gradients"):
        layer(minigrad.ones(2, 3, device=device)).sum().backward()
    assert seen == [(None,)] and layer.weight.grad is not None


def test_a_grad_cam_style_hook_on_a_convolution(device):
    """The pattern of Grad-CAM: keep a layer's output gradient for a class score."""
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 4 * 4, 3))
    model.to(device)
    kept = {}
    model[0].register_full_backward_hook(lambda m, gi, go: kept.update(grad=go[0]))
    scores = model(minigrad.randn(2, 1, 6, 6, device=device))
    with pytest.warns(UserWarning, match="no inputs require gradients"):  # as in PyTorch
        scores[:, 1].sum().backward()
    assert kept["grad"].shape == (2, 4, 4, 4)


def test_removed_hooks_and_no_grad_calls_do_nothing(device):
    layer = _linear(device)
    calls = []
    handle = layer.register_full_backward_hook(lambda m, gi, go: calls.append(1))
    with minigrad.no_grad():
        out = layer(minigrad.ones(1, 3, device=device))
    assert not out.requires_grad
    handle.remove()
    layer(minigrad.ones(1, 3, device=device, requires_grad=True)).sum().backward()
    assert calls == []


def test_bad_hook_results_are_refused():
    x = minigrad.ones(1, 3, requires_grad=True)
    layer = nn.Linear(3, 2)
    layer.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but expected 1"):
        layer(x).sum().backward()
    layer = nn.Linear(3, 2)
    layer.register_full_backward_pre_hook(lambda m, go: 3)
    with pytest.raises(TypeError, match="must return None or a tuple of grad_output"):
        layer(x).sum().backward()
    layer = nn.Linear(3, 2)
    layer.register_full_backward_hook(lambda m, gi, go: (minigrad.ones(5),))
    with pytest.raises(RuntimeError, match=r"grad_input of shape \(5,\) where the gradient"):
        layer(x).sum().backward()
    with pytest.raises(NotImplementedError, match="use register_full_backward_hook"):
        nn.Linear(3, 2).register_backward_hook(lambda *a: None)
